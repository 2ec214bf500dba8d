"""BN254 field and curve arithmetic, Poseidon, EdDSA-Poseidon (numba kernels, Python at the edges)."""
