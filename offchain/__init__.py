"""Hatchway off-chain stack: crypto, state trees, SNARK prover, sequencer and L1 client."""
