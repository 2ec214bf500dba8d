"""Independent Python reference of docs/protocol.md §3-§6 for the Rollup tests (hashlib only).

Kept small on purpose: it will be replaced by ``offchain.rollup.encoding``.
"""

from __future__ import annotations

import hashlib

SLOT = 57
FR_MASK = 2**253 - 1
NOOP, OPEN, DEPOSIT, TRANSFER, WITHDRAW, FORCED_EXIT = range(6)
REQUEST_LEN = {OPEN: 57, DEPOSIT: 27, FORCED_EXIT: 11}


def _addr(owner) -> bytes:
    return bytes.fromhex(str(owner)[2:]) if not isinstance(owner, bytes) else owner


def generic(op: int, account: int, to: int = 0, token: int = 0, amount: int = 0) -> bytes:
    """A 57-byte slot in the generic layout."""
    body = (
        bytes([op])
        + account.to_bytes(4, "big")
        + to.to_bytes(4, "big")
        + token.to_bytes(2, "big")
        + amount.to_bytes(16, "big")
    )
    return body + bytes(SLOT - len(body))


def open_slot(account: int, owner, key_hash: int) -> bytes:
    return bytes([OPEN]) + account.to_bytes(4, "big") + _addr(owner) + key_hash.to_bytes(32, "big")


def request(slot: bytes) -> bytes:
    """The priority request bytes of a priority slot (its first L(type) bytes)."""
    return slot[: REQUEST_LEN[slot[0]]]


def chain_next(prev: bytes, req: bytes) -> bytes:
    return hashlib.sha256(prev + req).digest()


def chain(requests: list[bytes]) -> list[bytes]:
    out = [bytes(32)]
    for req in requests:
        out.append(chain_next(out[-1], req))
    return out


def fr(digest: bytes) -> int:
    return int.from_bytes(digest, "big") & FR_MASK


def priority_hash(start: bytes, pubdata: bytes) -> bytes:
    h = start
    for i in range(0, len(pubdata), SLOT):
        slot = pubdata[i : i + SLOT]
        if slot[0] in REQUEST_LEN:
            h = chain_next(h, request(slot))
    return h


def withdrawals(pubdata: bytes) -> list[tuple[int, int, int]]:
    """(account, token, amount) of the WITHDRAW and FORCED_EXIT slots, in order."""
    out = []
    for i in range(0, len(pubdata), SLOT):
        slot = pubdata[i : i + SLOT]
        if slot[0] in (WITHDRAW, FORCED_EXIT):
            out.append(
                (
                    int.from_bytes(slot[1:5], "big"),
                    int.from_bytes(slot[9:11], "big"),
                    int.from_bytes(slot[11:27], "big"),
                )
            )
    return out


def withdrawals_hash(items: list[tuple[int, int, int]]) -> bytes:
    w = bytes(32)
    for account, token, amount in items:
        w = hashlib.sha256(
            w + account.to_bytes(4, "big") + token.to_bytes(2, "big") + amount.to_bytes(16, "big")
        ).digest()
    return w


def commitment(
    prev_root: int, new_root: int, p_hash: bytes, pubdata: bytes, message_root=bytes(32)
) -> int:
    data = prev_root.to_bytes(32, "big") + new_root.to_bytes(32, "big") + p_hash + message_root
    return fr(hashlib.sha256(data + pubdata).digest())


def exit_commitment(root: int, account: int, owner, token: int, amount: int) -> int:
    data = (
        root.to_bytes(32, "big")
        + account.to_bytes(4, "big")
        + _addr(owner)
        + token.to_bytes(2, "big")
        + amount.to_bytes(16, "big")
    )
    return fr(hashlib.sha256(data).digest())
