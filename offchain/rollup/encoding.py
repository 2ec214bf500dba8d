"""The wire encoding of the chain: pubdata slots, the priority chain, commitments, signed messages
and leaves — byte for byte what docs/protocol.md specifies and the Rollup contract recomputes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from offchain.crypto.poseidon import poseidon
from offchain.rollup.params import (
    AMOUNT_BITS,
    COMMITMENT_MASK,
    OP_OPEN,
    OWNER_BITS,
    PRIORITY_REQUEST_BYTES,
    SLOT_BYTES,
    WITHDRAWING_OPS,
    R,
)

ZERO32 = bytes(32)


def _uint(value: int, bits: int, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < (1 << bits):
        raise ValueError(f"encoding: {what} must be an integer in [0, 2^{bits}), got {value!r}")
    return value


def _fr(value: int, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < R:
        raise ValueError(f"encoding: {what} must be a field element in [0, r), got {value!r}")
    return value


def _bytes32(value: bytes, what: str) -> bytes:
    if not isinstance(value, bytes | bytearray) or len(value) != 32:
        raise ValueError(f"encoding: {what} must be 32 bytes")
    return bytes(value)


@dataclass(frozen=True)
class SlotFields:
    """The decoded fields of one pubdata slot (unused fields are 0)."""

    op_type: int
    account: int = 0
    to: int = 0
    token: int = 0
    amount: int = 0
    owner: int = 0
    key_hash: int = 0


def encode_slot(
    op_type: int,
    account: int = 0,
    to: int = 0,
    token: int = 0,
    amount: int = 0,
    owner: int = 0,
    key_hash: int = 0,
) -> bytes:
    """The 57-byte slot of an op (§3): the OPEN layout for OPEN, the generic layout otherwise."""
    _uint(op_type, 8, "op type")
    if op_type > 5:
        raise ValueError(f"encoding: unknown op type {op_type}")
    if op_type == 0:
        if any((account, to, token, amount, owner, key_hash)):
            raise ValueError("encoding: a noop has no fields")
        return bytes(SLOT_BYTES)
    head = bytes([op_type]) + _uint(account, 32, "account").to_bytes(4, "big")
    if op_type == OP_OPEN:
        body = _uint(owner, OWNER_BITS, "owner").to_bytes(20, "big")
        body += _fr(key_hash, "key_hash").to_bytes(32, "big")
        return head + body
    body = (
        _uint(to, 32, "to").to_bytes(4, "big")
        + _uint(token, 16, "token").to_bytes(2, "big")
        + _uint(amount, AMOUNT_BITS, "amount").to_bytes(16, "big")
    )
    return (head + body).ljust(SLOT_BYTES, b"\0")


def decode_slot(slot: bytes) -> SlotFields:
    """Parse one 57-byte slot; raises ValueError on a malformed slot (bad type, stray bytes)."""
    if len(slot) != SLOT_BYTES:
        raise ValueError(f"encoding: a slot is {SLOT_BYTES} bytes, got {len(slot)}")
    op_type = slot[0]
    if op_type > 5:
        raise ValueError(f"encoding: unknown op type {op_type}")
    account = int.from_bytes(slot[1:5], "big")
    if op_type == OP_OPEN:
        fields = SlotFields(
            op_type,
            account=account,
            owner=int.from_bytes(slot[5:25], "big"),
            key_hash=int.from_bytes(slot[25:57], "big"),
        )
    else:
        fields = SlotFields(
            op_type,
            account=account,
            to=int.from_bytes(slot[5:9], "big"),
            token=int.from_bytes(slot[9:11], "big"),
            amount=int.from_bytes(slot[11:27], "big"),
        )
    if encode_slot(**fields.__dict__) != bytes(slot):
        raise ValueError("encoding: slot has bytes outside its layout's fields")
    return fields


def split_pubdata(pubdata: bytes, slots: int) -> list[SlotFields]:
    """Decode a batch's pubdata into its ``slots`` ops."""
    if len(pubdata) != slots * SLOT_BYTES:
        raise ValueError(
            f"encoding: pubdata must be {slots * SLOT_BYTES} bytes, got {len(pubdata)}"
        )
    return [decode_slot(pubdata[i * SLOT_BYTES : (i + 1) * SLOT_BYTES]) for i in range(slots)]


def priority_request(slot: bytes) -> bytes | None:
    """The request bytes an L1-originated slot commits to in the queue (§4); None for L2 ops."""
    n = PRIORITY_REQUEST_BYTES.get(slot[0])
    return None if n is None else bytes(slot[:n])


def fold_priority(chain: bytes, request: bytes) -> bytes:
    """``chain[i + 1] = sha256(chain[i] ‖ req_i)``."""
    return hashlib.sha256(_bytes32(chain, "chain value") + bytes(request)).digest()


def fold_withdrawal(acc: bytes, account: int, token: int, amount: int) -> bytes:
    """One step of a batch's ``withdrawals_hash`` (§5)."""
    return hashlib.sha256(
        _bytes32(acc, "withdrawals hash")
        + _uint(account, 32, "account").to_bytes(4, "big")
        + _uint(token, 16, "token").to_bytes(2, "big")
        + _uint(amount, AMOUNT_BITS, "amount").to_bytes(16, "big")
    ).digest()


def batch_withdrawals(pubdata: bytes, slots: int) -> list[tuple[int, int, int]]:
    """The (account, token, amount) paid out by a batch, in slot order (WITHDRAW, FORCED_EXIT)."""
    return [
        (f.account, f.token, f.amount)
        for f in split_pubdata(pubdata, slots)
        if f.op_type in WITHDRAWING_OPS
    ]


def withdrawals_hash(withdrawals: Sequence[tuple[int, int, int]]) -> bytes:
    """Fold a list of withdrawals from 32 zero bytes."""
    acc = ZERO32
    for account, token, amount in withdrawals:
        acc = fold_withdrawal(acc, account, token, amount)
    return acc


def to_commitment(digest: bytes) -> int:
    """``fr(d)``: the digest as a big-endian integer with its top three bits cleared."""
    return int.from_bytes(digest, "big") & COMMITMENT_MASK


def batch_commitment(
    prev_root: int, new_root: int, priority_hash: bytes, message_root: bytes, pubdata: bytes
) -> int:
    """The batch circuit's one public input (§5)."""
    data = (
        _fr(prev_root, "prev_root").to_bytes(32, "big")
        + _fr(new_root, "new_root").to_bytes(32, "big")
        + _bytes32(priority_hash, "priority_hash")
        + _bytes32(message_root, "message_root")
        + bytes(pubdata)
    )
    return to_commitment(hashlib.sha256(data).digest())


def exit_commitment(root: int, account: int, owner: int, token: int, amount: int) -> int:
    """The exit circuit's one public input (§6)."""
    data = (
        _fr(root, "root").to_bytes(32, "big")
        + _uint(account, 32, "account").to_bytes(4, "big")
        + _uint(owner, OWNER_BITS, "owner").to_bytes(20, "big")
        + _uint(token, 16, "token").to_bytes(2, "big")
        + _uint(amount, AMOUNT_BITS, "amount").to_bytes(16, "big")
    )
    return to_commitment(hashlib.sha256(data).digest())


def signed_message(
    chain_id: int, op_type: int, account: int, to: int, token: int, amount: int, nonce: int
) -> int:
    """``H(chain_id, type, account, to, token, amount, nonce)``: what TRANSFER/WITHDRAW sign."""
    return poseidon([chain_id, op_type, account, to, token, amount, nonce])


def key_hash(ax: int, ay: int) -> int:
    """``H(ax, ay)``: the account's key commitment stored in its leaf."""
    return poseidon([ax, ay])


def account_leaf(owner: int, key_hash_: int, nonce: int, balances_root: int) -> int:
    """``H(owner, key_hash, nonce, balances_root)``."""
    return poseidon([owner, key_hash_, nonce, balances_root])


def address_to_int(address: str | bytes) -> int:
    """An L1 address (hex string or 20 bytes) as the integer stored in leaves."""
    raw = (
        bytes.fromhex(address[2:] if address.startswith("0x") else address)
        if isinstance(address, str)
        else bytes(address)
    )
    if len(raw) != 20:
        raise ValueError(f"encoding: an address is 20 bytes, got {len(raw)}")
    return int.from_bytes(raw, "big")


def int_to_address(value: int) -> str:
    """The checksum-free 0x-hex form of an owner integer."""
    return "0x" + _uint(value, OWNER_BITS, "owner").to_bytes(20, "big").hex()
