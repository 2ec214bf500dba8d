"""Off-chain state: Poseidon sparse Merkle trees and their stores."""
