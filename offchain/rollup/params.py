"""Chain parameters and the protocol's fixed constants (docs/protocol.md §1, §3).

A chain is deployed with one :class:`ChainParams`; the circuits, their keys and the Rollup contract
are built for it and nothing changes it afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

from offchain.crypto.field import FR_MODULUS

OP_NOOP = 0
OP_OPEN = 1
OP_DEPOSIT = 2
OP_TRANSFER = 3
OP_WITHDRAW = 4
OP_FORCED_EXIT = 5
OP_NAMES = {
    OP_NOOP: "noop",
    OP_OPEN: "open",
    OP_DEPOSIT: "deposit",
    OP_TRANSFER: "transfer",
    OP_WITHDRAW: "withdraw",
    OP_FORCED_EXIT: "forced_exit",
}

SLOT_BYTES = 57
"""Every op occupies exactly this many bytes of pubdata (the OPEN layout's size)."""

PRIORITY_REQUEST_BYTES = {OP_OPEN: 57, OP_DEPOSIT: 27, OP_FORCED_EXIT: 11}
"""How many leading slot bytes of each L1-originated op are fixed at request time (§4)."""

SIGNED_OPS = (OP_TRANSFER, OP_WITHDRAW)
WITHDRAWING_OPS = (OP_WITHDRAW, OP_FORCED_EXIT)

AMOUNT_BITS = 128
NONCE_BITS = 32
ACCOUNT_ID_BITS = 32
TOKEN_ID_BITS = 16
OWNER_BITS = 160
MAX_SLOTS = 2048
MAX_WITHDRAWALS_PER_BATCH = 1024
"""WITHDRAW + FORCED_EXIT slots one batch may hold (the contract's execute list bound)."""
COMMITMENT_MASK = (1 << 253) - 1
R = FR_MODULUS


@dataclass(frozen=True)
class ChainParams:
    """The fixed sizes of one chain (docs/protocol.md §1)."""

    account_depth: int
    token_depth: int
    slots: int
    chain_id: int = 1

    def __post_init__(self) -> None:
        for name, value, lo, hi in (
            ("account_depth", self.account_depth, 1, ACCOUNT_ID_BITS),
            ("token_depth", self.token_depth, 1, TOKEN_ID_BITS),
            ("slots", self.slots, 1, MAX_SLOTS),
            ("chain_id", self.chain_id, 0, (1 << 32) - 1),
        ):
            if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
                raise ValueError(
                    f"chain params: {name} must be an integer in [{lo}, {hi}], got {value!r}"
                )

    @property
    def max_account(self) -> int:
        """The largest account id (id 0 is never opened)."""
        return (1 << self.account_depth) - 1

    @property
    def max_token(self) -> int:
        """The largest token id (0 is ETH)."""
        return (1 << self.token_depth) - 1

    @property
    def pubdata_bytes(self) -> int:
        """Length of every batch's pubdata."""
        return self.slots * SLOT_BYTES


TEST_PARAMS = ChainParams(account_depth=4, token_depth=2, slots=2, chain_id=1)
"""The default test profile: small trees, two slots (the batch circuit stays under 2^17)."""

DEMO_PARAMS = ChainParams(account_depth=5, token_depth=2, slots=2, chain_id=31337)
"""`make demo`'s chain (anvil's chain id as the signing domain; 31 accounts keep its batch
circuit at 130k constraints, under 2^17)."""
