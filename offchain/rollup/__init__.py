"""The chain: parameters, the L2 state machine, the wire encoding and the circuits (docs/protocol.md)."""
