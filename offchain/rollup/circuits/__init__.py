"""The chain's circuits (docs/protocol.md §3, §5, §6) and their keys.

- :mod:`~offchain.rollup.circuits.batch`: the batch circuit (one public input, the commitment).
- :mod:`~offchain.rollup.circuits.exit`: the escape-mode exit circuit.
- :mod:`~offchain.rollup.circuits.keys`: disk-cached development keys and proving helpers.
"""
