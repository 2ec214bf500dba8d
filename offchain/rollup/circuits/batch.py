"""The batch circuit (docs/protocol.md §3, §5): N op slots, one public input — the commitment.

Statement. For the public ``commitment`` there are ``prev_root``, ``priority_hash`` and N slots
such that, threading the accounts root from ``prev_root`` through the slots in order gives
``new_root``, and ``commitment = fr(sha256(u256(prev_root) ‖ u256(new_root) ‖ priority_hash ‖
message_root ‖ pubdata))`` with ``message_root`` = 32 zero bytes and ``pubdata`` the slots'
57-byte encodings (§3).

Cost (``circuit.stats`` records the split; test profile D_A = 4, D_T = 2, N = 2): **12,018 per
slot** — EdDSA 3,434 + its message Poseidon(7) 378 + signer key hash 240; A and B each: balances
path twice (2·D_T·241), two Poseidon(4) leaves (594), accounts path twice (2·D_A·241 + 2), new
balance < 2^128 (128); field decompositions 682 (key_hash strict 384); nonce 32; the rest ~20 —
plus **104,477** for the commitment (SHA-256 of 1,936 bits = 4 blocks, ~103.4k; u256 of two roots
768; 256 priority-hash booleans): **128,513** in all, a 2^17 Groth16 domain with the public rows.
The demo profile (D_A = 8) has 15,882 per slot, 136,274 in all: a 2^18 domain.

One slot:

- **Op type** one-hot: five boolean flags (open, deposit, transfer, withdraw, forced exit) whose
  sum is boolean; ``is_noop = 1 − Σ``. The type byte of pubdata is linear in them (bit 0 = open +
  transfer + forced exit, bit 1 = deposit + transfer, bit 2 = withdraw + forced exit).
- **Fields**, range-checked by their bit decompositions, which *are* the pubdata bits: account
  and to < 2^D_A (a 32-bit field whose bits ≥ D_A are the constant 0: an id ≥ 2^D_A has no
  witness), token < 2^D_T (16-bit field), amount < 2^128, owner < 2^160, key_hash < r (strict
  254 bits). Layout rules: ``to = 0`` unless TRANSFER; ``owner = key_hash = 0`` unless OPEN;
  ``token = amount = 0`` for OPEN and NOOP; ``account = 0`` for NOOP and ``≠ 0`` otherwise
  (id 0 is never opened). With those, the 416 bits
  after byte 5 are the generic layout's bits *plus* the OPEN layout's (one of the two is all
  zeros), so selecting the layout costs 5 constraints instead of one per bit.
- **A** (account ``account``, enabled unless NOOP): balances path of ``token``, old balance →
  ``new = old + (dep − tr − wd − fe)·amount`` (``amount = old`` enforced for FORCED_EXIT, so it
  zeroes the balance), ``new < 2^128`` (the no-underflow / no-overflow check); nonce' = nonce +
  tr + wd < 2^32; old leaf ``H(owner, key_hash, nonce, bal_root)``, or 0 for OPEN (the account
  must be empty); new leaf ``H(owner, key_hash, nonce', bal_root')`` with OPEN taking owner and
  key_hash from the op, nonce 0 and the empty balances root; conditional accounts-tree update.
- **Signature** (enabled for TRANSFER and WITHDRAW): EdDSA-Poseidon on
  ``H(chain_id, type, account, to, token, amount, nonce)`` by ``(ax, ay)`` with
  ``H(ax, ay)`` = the account's key_hash.
- **B** (account ``to``, enabled for TRANSFER; after A, so ``to = account`` works): balance +=
  amount (< 2^128), leaf fields kept, conditional accounts-tree update.

A disabled update checks nothing and passes the root through, so its witness may be zeros; an
enabled one proves an existing leaf (a non-zero ``H(...)`` cannot be the empty leaf 0, so DEPOSIT,
TRANSFER, WITHDRAW and FORCED_EXIT need an open account and OPEN an empty one).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from offchain.rollup.params import (
    AMOUNT_BITS,
    NONCE_BITS,
    OP_DEPOSIT,
    OP_FORCED_EXIT,
    OP_NOOP,
    OP_OPEN,
    OP_TRANSFER,
    OP_WITHDRAW,
    OWNER_BITS,
    SLOT_BYTES,
    ChainParams,
)
from offchain.rollup.state import BatchWitness, SlotWitness
from offchain.snark.gadgets.basic import assert_not_zero, range_check, to_bits, to_bits_strict
from offchain.snark.gadgets.eddsa import eddsa_poseidon_verify
from offchain.snark.gadgets.merkle import merkle_root_from_path
from offchain.snark.gadgets.poseidon import poseidon_gadget
from offchain.snark.gadgets.sha256 import (
    bits_from_bytes,
    digest_to_commitment,
    sha256_gadget,
    uint256_bits,
)
from offchain.snark.r1cs import LC, Circuit, lc_sum
from offchain.state.smt import zero_hashes

from .common import be_field, conditional_merkle_update

__all__ = [
    "FLAG_OPS",
    "BatchCircuit",
    "BatchCircuitStats",
    "batch_circuit",
    "batch_circuit_inputs",
    "build_batch_circuit",
    "slot_input_names",
]

FLAG_OPS = (
    ("is_open", OP_OPEN),
    ("is_deposit", OP_DEPOSIT),
    ("is_transfer", OP_TRANSFER),
    ("is_withdraw", OP_WITHDRAW),
    ("is_forced_exit", OP_FORCED_EXIT),
)
"""The slot's one-hot flags (NOOP is the absence of all five) and the op type each stands for."""

_SCALARS = (
    *(flag for flag, _ in FLAG_OPS),
    "account",
    "to",
    "token",
    "amount",
    "owner",
    "key_hash",
    "a_owner",
    "a_key_hash",
    "a_nonce",
    "a_balance",
    "b_owner",
    "b_key_hash",
    "b_nonce",
    "b_balance",
    "sig_ax",
    "sig_ay",
    "sig_r8x",
    "sig_r8y",
    "sig_s",
)
_PATHS = (
    ("a_balance_siblings", "token"),
    ("a_account_siblings", "account"),
    ("b_balance_siblings", "token"),
    ("b_account_siblings", "account"),
)

ACCOUNT_FIELD_BITS = 32
TOKEN_FIELD_BITS = 16
KEY_HASH_FIELD_BITS = 256
PRIORITY_HASH_BITS = 256
MESSAGE_ROOT_BITS = 256


def _depth(params: ChainParams, tree: str) -> int:
    return params.account_depth if tree == "account" else params.token_depth


def slot_input_names(params: ChainParams, i: int) -> list[str]:
    """The private input names of slot ``i``, in declaration order."""
    names = [f"s{i}.{n}" for n in _SCALARS]
    for path, tree in _PATHS:
        names += [f"s{i}.{path}{j}" for j in range(_depth(params, tree))]
    return names


@dataclass
class BatchCircuitStats:
    """Constraint counts of a built batch circuit, by part (filled in by the builder)."""

    per_slot: list[int]
    commitment: int = 0

    @property
    def total(self) -> int:
        """All constraints (the compiled system has exactly these)."""
        return sum(self.per_slot) + self.commitment


class BatchCircuit(Circuit):
    """A :class:`Circuit` that also carries the builder's :class:`BatchCircuitStats`."""

    stats: BatchCircuitStats


def _slot(
    c: Circuit, params: ChainParams, i: int, root: LC, empty_balances_root: int
) -> tuple[LC, list[LC]]:
    """Constrain slot ``i`` applied to ``root``; return the root after it and its 456 pubdata
    bits (big-endian)."""
    p = f"s{i}"
    v = {n: c.private_input(f"{p}.{n}") for n in _SCALARS}
    paths = {
        path: [c.private_input(f"{p}.{path}{j}") for j in range(_depth(params, tree))]
        for path, tree in _PATHS
    }
    d_a, d_t = params.account_depth, params.token_depth

    # -- op type: one-hot ------------------------------------------------------------------
    is_open, is_dep, is_tr, is_wd, is_fe = (v[flag] for flag, _ in FLAG_OPS)
    for flag, _ in FLAG_OPS:
        c.assert_bool(v[flag], label=f"{p}.{flag}")
    active = lc_sum(v[flag] for flag, _ in FLAG_OPS)  # 1 - is_noop
    c.assert_bool(active, label=f"{p}.one_hot")
    is_noop = c.one - active
    op_type = lc_sum(v[flag] * t for flag, t in FLAG_OPS)

    # -- fields: range checks = pubdata bits -----------------------------------------------
    account_bits = to_bits(c, v["account"], d_a, name=f"{p}.account")
    to_bits_ = to_bits(c, v["to"], d_a, name=f"{p}.to")
    token_bits = to_bits(c, v["token"], d_t, name=f"{p}.token")
    amount_bits = to_bits(c, v["amount"], AMOUNT_BITS, name=f"{p}.amount")
    owner_bits = to_bits(c, v["owner"], OWNER_BITS, name=f"{p}.owner")
    key_hash_bits = to_bits_strict(c, v["key_hash"], name=f"{p}.key_hash")

    # Layout rules (sums of range-checked fields cannot wrap: < 2^130 here, key_hash alone).
    c.enforce(c.one - is_tr, v["to"], LC(), label=f"{p}.to_only_transfer")
    c.enforce(c.one - is_open, v["owner"], LC(), label=f"{p}.owner_only_open")
    c.enforce(c.one - is_open, v["key_hash"], LC(), label=f"{p}.key_hash_only_open")
    c.enforce(is_open + is_noop, v["token"] + v["amount"], LC(), label=f"{p}.open_noop_no_amount")
    c.enforce(is_noop, v["account"], LC(), label=f"{p}.noop_no_account")
    # Account 0 is never opened (the contract's "no account", §1): no op may touch it. (An
    # enabled update of an empty leaf fails anyway except for OPEN; L1 refuses OPEN of 0 too.)
    assert_not_zero(c, v["account"] + is_noop, name=f"{p}.account_not_zero")

    type_byte = [LC()] * 5 + [is_wd + is_fe, is_dep + is_tr, is_open + is_tr + is_fe]
    generic = (
        be_field(to_bits_, ACCOUNT_FIELD_BITS)
        + be_field(token_bits, TOKEN_FIELD_BITS)
        + be_field(amount_bits, AMOUNT_BITS)
    )
    opened = be_field(owner_bits, OWNER_BITS) + be_field(key_hash_bits, KEY_HASH_FIELD_BITS)
    generic += [LC()] * (len(opened) - len(generic))
    pubdata = (
        type_byte
        + be_field(account_bits, ACCOUNT_FIELD_BITS)
        + [g + o for g, o in zip(generic, opened, strict=True)]
    )
    assert len(pubdata) == 8 * SLOT_BYTES

    # -- A: the account `account` ------------------------------------------------------------
    a_bal_sibs = paths["a_balance_siblings"]
    bal_root_old = merkle_root_from_path(
        c, v["a_balance"], token_bits, a_bal_sibs, bits_checked=True, name=f"{p}.a_bal_old"
    )
    c.enforce(is_fe, v["amount"] - v["a_balance"], LC(), label=f"{p}.forced_exit_amount")
    delta = c.mul(is_dep - is_tr - is_wd - is_fe, v["amount"], name=f"{p}.a_delta")
    new_balance = v["a_balance"] + delta
    range_check(c, new_balance, AMOUNT_BITS, name=f"{p}.a_new_balance")
    bal_root_new = merkle_root_from_path(
        c, new_balance, token_bits, a_bal_sibs, bits_checked=True, name=f"{p}.a_bal_new"
    )
    bal_root_after = bal_root_new + c.mul(
        is_open, empty_balances_root - bal_root_new, name=f"{p}.a_bal_root_open"
    )
    # OPEN: the new leaf takes owner/key_hash from the op and nonce 0.
    c.enforce(is_open, v["a_owner"] - v["owner"], LC(), label=f"{p}.open_owner")
    c.enforce(is_open, v["a_key_hash"] - v["key_hash"], LC(), label=f"{p}.open_key_hash")
    c.enforce(is_open, v["a_nonce"], LC(), label=f"{p}.open_nonce")
    new_nonce = v["a_nonce"] + is_tr + is_wd
    range_check(c, new_nonce, NONCE_BITS, name=f"{p}.a_new_nonce")
    leaf_old = poseidon_gadget(
        c, [v["a_owner"], v["a_key_hash"], v["a_nonce"], bal_root_old], name=f"{p}.a_leaf_old"
    )
    old_leaf = c.mul(c.one - is_open, leaf_old, name=f"{p}.a_old_leaf")  # OPEN: must be empty
    new_leaf = poseidon_gadget(
        c, [v["a_owner"], v["a_key_hash"], new_nonce, bal_root_after], name=f"{p}.a_leaf_new"
    )
    root_mid = conditional_merkle_update(
        c,
        active,
        old_leaf,
        new_leaf,
        account_bits,
        paths["a_account_siblings"],
        root,
        name=f"{p}.a_accounts",
    )

    # -- signature (TRANSFER, WITHDRAW) -------------------------------------------------------
    signed = is_tr + is_wd
    message = poseidon_gadget(
        c,
        [params.chain_id, op_type, v["account"], v["to"], v["token"], v["amount"], v["a_nonce"]],
        name=f"{p}.message",
    )
    eddsa_poseidon_verify(
        c,
        signed,
        v["sig_ax"],
        v["sig_ay"],
        v["sig_s"],
        v["sig_r8x"],
        v["sig_r8y"],
        message,
        name=f"{p}.eddsa",
    )
    key_hash = poseidon_gadget(c, [v["sig_ax"], v["sig_ay"]], name=f"{p}.signer_key_hash")
    c.enforce(signed, key_hash - v["a_key_hash"], LC(), label=f"{p}.signer_is_account_key")

    # -- B: the account `to` (TRANSFER), after A ----------------------------------------------
    b_bal_sibs = paths["b_balance_siblings"]
    b_bal_old = merkle_root_from_path(
        c, v["b_balance"], token_bits, b_bal_sibs, bits_checked=True, name=f"{p}.b_bal_old"
    )
    b_new_balance = v["b_balance"] + v["amount"]
    range_check(c, b_new_balance, AMOUNT_BITS, name=f"{p}.b_new_balance")
    b_bal_new = merkle_root_from_path(
        c, b_new_balance, token_bits, b_bal_sibs, bits_checked=True, name=f"{p}.b_bal_new"
    )
    b_fields = [v["b_owner"], v["b_key_hash"], v["b_nonce"]]
    b_old_leaf = poseidon_gadget(c, [*b_fields, b_bal_old], name=f"{p}.b_leaf_old")
    b_new_leaf = poseidon_gadget(c, [*b_fields, b_bal_new], name=f"{p}.b_leaf_new")
    root_after = conditional_merkle_update(
        c,
        is_tr,
        b_old_leaf,
        b_new_leaf,
        to_bits_,
        paths["b_account_siblings"],
        root_mid,
        name=f"{p}.b_accounts",
    )
    return root_after, pubdata


def build_batch_circuit(params: ChainParams) -> BatchCircuit:
    """The batch circuit for ``params`` (see the module docstring). Public input: ``commitment``.

    Private inputs: ``prev_root``, ``priority_hash{k}`` (256 bits, big-endian) and per slot the
    names of :func:`slot_input_names`; :func:`batch_circuit_inputs` fills them from a
    :class:`~offchain.rollup.state.BatchWitness`. ``circuit.stats`` holds the constraint split.
    """
    c = BatchCircuit(
        f"batch(D_A={params.account_depth},D_T={params.token_depth},"
        f"N={params.slots},chain={params.chain_id})"
    )
    commitment = c.public_input("commitment")
    prev_root = c.private_input("prev_root")
    # The priority hash is a free private input bound only through the commitment: L1 recomputes
    # the queue fold over the batch's priority slots (§4) and hashes it into the commitment it
    # checks the proof against, so a prover choosing other bits proves a commitment L1 rejects.
    priority_bits = [c.private_input(f"priority_hash{k}") for k in range(PRIORITY_HASH_BITS)]

    empty_balances_root = zero_hashes(params.token_depth)[params.token_depth]
    stats = BatchCircuitStats(per_slot=[])
    root = prev_root
    pubdata: list[LC] = []
    for i in range(params.slots):
        before = c.n_constraints
        root, bits = _slot(c, params, i, root, empty_balances_root)
        pubdata += bits
        stats.per_slot.append(c.n_constraints - before)

    before = c.n_constraints
    for k, b in enumerate(priority_bits):
        c.assert_bool(b, label=f"priority_hash{k}")
    message = (
        uint256_bits(c, prev_root, name="prev_root_bits")
        + uint256_bits(c, root, name="new_root_bits")
        + priority_bits
        + [LC()] * MESSAGE_ROOT_BITS  # message_root: 32 zero bytes in version 1 (§5)
        + pubdata
    )
    digest = sha256_gadget(c, message, name="commitment_sha256")
    c.assert_equal(commitment, digest_to_commitment(digest), label="commitment")
    stats.commitment = c.n_constraints - before
    c.stats = stats
    return c


@cache
def batch_circuit(params: ChainParams) -> BatchCircuit:
    """:func:`build_batch_circuit`, built once per process and parameter set (do not mutate)."""
    return build_batch_circuit(params)


def _slot_inputs(params: ChainParams, i: int, s: SlotWitness) -> dict[str, int]:
    p = f"s{i}"
    if s.op_type not in (OP_NOOP, *(t for _, t in FLAG_OPS)):
        raise ValueError(f"batch circuit: slot {i} has unknown op type {s.op_type}")
    out = {f"{p}.{flag}": int(s.op_type == t) for flag, t in FLAG_OPS}
    for n in _SCALARS[len(FLAG_OPS) :]:
        out[f"{p}.{n}"] = getattr(s, n)
    for path, tree in _PATHS:
        sibs = list(getattr(s, path))
        depth = _depth(params, tree)
        if len(sibs) != depth:
            raise ValueError(
                f"batch circuit: slot {i} {path} has {len(sibs)} siblings, not {depth}"
            )
        out.update({f"{p}.{path}{j}": x for j, x in enumerate(sibs)})
    return out


def batch_circuit_inputs(w: BatchWitness) -> dict[str, int]:
    """The named inputs of :func:`build_batch_circuit` for ``w.params`` from a batch witness.

    The op fields come from the slot witnesses; ``w.pubdata`` and ``w.message_root`` are not
    inputs (the circuit derives the pubdata from the fields and hashes a constant zero message
    root), nor are the per-slot roots (computed in-circuit from ``prev_root``): a witness whose
    ``commitment`` disagrees with any of them fails the ``commitment`` constraint.
    """
    params = w.params
    if len(w.slots) != params.slots:
        raise ValueError(
            f"batch circuit: {len(w.slots)} slot witnesses, the circuit has {params.slots}"
        )
    if len(w.priority_hash) != 32:
        raise ValueError("batch circuit: priority_hash must be 32 bytes")
    inputs = {"commitment": w.commitment, "prev_root": w.prev_root}
    inputs.update({f"priority_hash{k}": b for k, b in enumerate(bits_from_bytes(w.priority_hash))})
    for i, s in enumerate(w.slots):
        inputs.update(_slot_inputs(params, i, s))
    return inputs
