"""The circuit standard library: gadgets that build on :mod:`offchain.snark.r1cs`.

- :mod:`~offchain.snark.gadgets.basic`: bits, range checks, comparisons, zero tests, selection,
  boolean logic.
- :mod:`~offchain.snark.gadgets.poseidon`: circomlib-compatible Poseidon (1..16 inputs).
- :mod:`~offchain.snark.gadgets.merkle`: sparse-Merkle-tree paths and updates matching
  :mod:`offchain.state.smt`.
- :mod:`~offchain.snark.gadgets.babyjub`: Baby JubJub point arithmetic, fixed- and variable-base
  scalar multiplication.
- :mod:`~offchain.snark.gadgets.eddsa`: EdDSA-Poseidon verification equivalent to circomlib's
  ``EdDSAPoseidonVerifier`` (3,434 constraints vs 4,217), with an ``enabled`` switch.
- :mod:`~offchain.snark.gadgets.sha256`: SHA-256 (25,325 constraints per block vs circomlib's
  29,380) and the batch-commitment packing ``digest & (2^253 - 1)``.

Each gadget's docstring states its constraint cost and what it assumes of its inputs. Costs of
part 1 (circomlib 2.0.5 compiled by circom 2.2.3 ``--O2`` in brackets; the tests re-derive them):
``to_bits(n)`` n [Num2Bits n], ``to_bits_strict`` 384 [Num2Bits_strict 515], ``less_than(n)``
n + 1 [LessThan n + 1], ``is_zero``/``is_equal`` 2 [2], ``select`` 1 [Mux1 1],
``poseidon_gadget`` 240 for 2 inputs [Poseidon(2) 240; equal for every width 1..16], a Merkle
level 241 (+1 booleanity), ``merkle_update`` 482 per level + D + 1.
"""
