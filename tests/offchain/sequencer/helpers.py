"""Shared fixtures for the sequencer tests: keys, L1 request bytes and a funded chain."""

from __future__ import annotations

from pathlib import Path

from offchain.crypto import eddsa
from offchain.rollup import encoding as enc
from offchain.rollup.params import OP_TRANSFER, OP_WITHDRAW, TEST_PARAMS
from offchain.rollup.state import Op, signed_op
from offchain.sequencer import Sequencer

P = TEST_PARAMS
KEYS = {a: bytes([a]) * 32 for a in (1, 2, 3, 4)}
OWNERS = {a: 0x1000 + a for a in KEYS}
FUNDS = 1000
DEADLINE = 10_000
TX = "0x" + "ab" * 32


def kh(account: int) -> int:
    return enc.key_hash(*eddsa.public_key(KEYS[account]))


def open_req(account: int) -> bytes:
    return Op.open(account, OWNERS[account], kh(account)).slot()[:57]


def deposit_req(account: int, amount: int, token: int = 0) -> bytes:
    return Op.deposit(account, token, amount).slot()[:27]


def exit_req(account: int, token: int = 0) -> bytes:
    return Op.forced_exit(account, token).slot()[:11]


def transfer(seq: Sequencer, a: int, to: int, amount: int, *, nonce: int | None = None, key=None):
    n = seq.next_nonce(a) if nonce is None else nonce
    return signed_op(OP_TRANSFER, key or KEYS[a], P.chain_id, n, a, 0, amount, to=to)


def withdraw(seq: Sequencer, a: int, amount: int, *, nonce: int | None = None, token: int = 0):
    n = seq.next_nonce(a) if nonce is None else nonce
    return signed_op(OP_WITHDRAW, KEYS[a], P.chain_id, n, a, token, amount)


def drain(seq: Sequencer, now: int = 0) -> list:
    """Build batches until there is nothing left to build."""
    built = []
    while (w := seq.build_next_batch(now)) is not None:
        built.append(w)
    return built


def funded(path: Path, accounts=(1, 2, 3)) -> Sequencer:
    """A sequencer whose accounts are opened and hold FUNDS of token 0, everything batched."""
    seq = Sequencer(P, path)
    i = seq.journal.priority_count()
    for a in accounts:
        for req in (open_req(a), deposit_req(a, FUNDS)):
            seq.add_priority_request(i, req, DEADLINE + i)
            i += 1
    drain(seq)
    return seq
