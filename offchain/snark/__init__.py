"""Our own Groth16 over BN254: R1CS builder, gadgets, setup, prover, verifier, snarkjs interop."""
