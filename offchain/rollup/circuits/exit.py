"""The exit circuit (docs/protocol.md §6): one public input, the exit commitment.

Statement. For the public ``commitment`` there are ``root``, ``account`` (< 2^D_A), ``owner``
(< 2^160), ``token`` (< 2^D_T), ``amount`` (< 2^128), ``key_hash``, ``nonce`` and two Merkle paths
such that ``amount`` is the leaf at ``token`` of a balances tree with root ``bal_root``, the leaf
at ``account`` under ``root`` is ``H(owner, key_hash, nonce, bal_root)``, and
``commitment = fr(sha256(u256(root) ‖ u32 account ‖ owner (20 bytes) ‖ u16 token ‖ u128
amount))`` — 74 bytes, two SHA-256 blocks, which L1 recomputes from the executed root and the
exit's arguments. ``key_hash`` and ``nonce`` are any field elements: they only have to reproduce
the leaf (Poseidon's preimage resistance makes them the account's).
"""

from __future__ import annotations

from functools import cache

from offchain.rollup.params import AMOUNT_BITS, OWNER_BITS, ChainParams
from offchain.rollup.state import ExitWitness
from offchain.snark.gadgets.basic import to_bits
from offchain.snark.gadgets.merkle import merkle_root_from_path
from offchain.snark.gadgets.poseidon import poseidon_gadget
from offchain.snark.gadgets.sha256 import digest_to_commitment, sha256_gadget, uint256_bits
from offchain.snark.r1cs import Circuit

from .common import be_field

__all__ = ["EXIT_MESSAGE_BYTES", "build_exit_circuit", "exit_circuit", "exit_circuit_inputs"]

EXIT_MESSAGE_BYTES = 32 + 4 + 20 + 2 + 16
_SCALARS = ("root", "account", "owner", "token", "amount", "key_hash", "nonce")


def build_exit_circuit(params: ChainParams) -> Circuit:
    """The exit circuit for ``params``. Public input ``commitment``; private inputs the names in
    ``_SCALARS`` plus ``balance_siblings{j}`` (D_T) and ``account_siblings{j}`` (D_A)."""
    c = Circuit(f"exit(D_A={params.account_depth},D_T={params.token_depth})")
    commitment = c.public_input("commitment")
    v = {n: c.private_input(n) for n in _SCALARS}
    bal_sibs = [c.private_input(f"balance_siblings{j}") for j in range(params.token_depth)]
    acct_sibs = [c.private_input(f"account_siblings{j}") for j in range(params.account_depth)]

    account_bits = to_bits(c, v["account"], params.account_depth, name="account")
    token_bits = to_bits(c, v["token"], params.token_depth, name="token")
    owner_bits = to_bits(c, v["owner"], OWNER_BITS, name="owner")
    amount_bits = to_bits(c, v["amount"], AMOUNT_BITS, name="amount")

    bal_root = merkle_root_from_path(
        c, v["amount"], token_bits, bal_sibs, bits_checked=True, name="balances"
    )
    leaf = poseidon_gadget(c, [v["owner"], v["key_hash"], v["nonce"], bal_root], name="leaf")
    root = merkle_root_from_path(
        c, leaf, account_bits, acct_sibs, bits_checked=True, name="accounts"
    )
    c.assert_equal(root, v["root"], label="accounts.root")

    message = (
        uint256_bits(c, v["root"], name="root_bits")
        + be_field(account_bits, 32)
        + be_field(owner_bits, OWNER_BITS)
        + be_field(token_bits, 16)
        + be_field(amount_bits, AMOUNT_BITS)
    )
    assert len(message) == 8 * EXIT_MESSAGE_BYTES
    digest = sha256_gadget(c, message, name="commitment_sha256")
    c.assert_equal(commitment, digest_to_commitment(digest), label="commitment")
    return c


@cache
def exit_circuit(params: ChainParams) -> Circuit:
    """:func:`build_exit_circuit`, built once per process and parameter set (do not mutate)."""
    return build_exit_circuit(params)


def exit_circuit_inputs(w: ExitWitness) -> dict[str, int]:
    """The named inputs of :func:`build_exit_circuit` from an exit witness (the depths are the
    lengths of its sibling lists)."""
    inputs = {"commitment": w.commitment, **{n: getattr(w, n) for n in _SCALARS}}
    inputs.update({f"balance_siblings{j}": x for j, x in enumerate(w.balance_siblings)})
    inputs.update({f"account_siblings{j}": x for j, x in enumerate(w.account_siblings)})
    return inputs
