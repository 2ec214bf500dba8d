"""The batch circuit (offchain/rollup/circuits/batch.py) against the state machine and the spec.

Every op type's real witness (from :class:`RollupState`) satisfies the circuit with the
commitment ``encoding.batch_commitment`` computes; every tampered witness — a consistent lie a
cheating prover would submit — fails, and at the constraint meant to catch it (the first violated
label), not somewhere incidental. One end-to-end Groth16 proof at the end.
"""

from __future__ import annotations

import copy
from functools import cache

import pytest

from offchain.crypto import eddsa
from offchain.crypto.babyjub import SUB_ORDER
from offchain.rollup import encoding as enc
from offchain.rollup.circuits.batch import (
    BatchCircuit,
    batch_circuit,
    batch_circuit_inputs,
)
from offchain.rollup.params import (
    OP_DEPOSIT,
    OP_FORCED_EXIT,
    OP_NOOP,
    OP_OPEN,
    OP_TRANSFER,
    OP_WITHDRAW,
    TEST_PARAMS,
)
from offchain.rollup.state import BatchWitness, Op, RollupState, SlotWitness, signed_op
from offchain.snark.gadgets.eddsa import EDDSA_VERIFY_COST
from offchain.snark.r1cs import R1CS

P = TEST_PARAMS
CHAIN = P.chain_id
KEYS = [bytes([i + 1]) * 32 for i in range(4)]
OWNERS = [0xA11CE000 + i for i in range(4)]
START = bytes(32)  # the queue's chain value before the batch (any value: it only feeds the hash)


def _kh(i: int) -> int:
    return enc.key_hash(*eddsa.public_key(KEYS[i]))


@cache
def system() -> tuple[BatchCircuit, R1CS]:
    c = batch_circuit(P)
    return c, c.compile()


def _funded() -> RollupState:
    """Accounts 1 and 2 open (keys 0, 1) with 1000 and 2000 of token 0; account 1 has 7 of
    token 3."""
    s = RollupState(P)
    s.build_batch([Op.open(1, OWNERS[0], _kh(0)), Op.open(2, OWNERS[1], _kh(1))], START)
    s.build_batch([Op.deposit(1, 0, 1000), Op.deposit(2, 0, 2000)], START)
    s.build_batch([Op.deposit(1, 3, 7)], START)
    return s


def _transfer(s: RollupState, frm: int, to: int, token: int, amount: int, key: int = 0) -> Op:
    return signed_op(OP_TRANSFER, KEYS[key], CHAIN, s.nonce(frm), frm, token, amount, to=to)


def _withdraw(s: RollupState, frm: int, token: int, amount: int, key: int = 0) -> Op:
    return signed_op(OP_WITHDRAW, KEYS[key], CHAIN, s.nonce(frm), frm, token, amount)


def label(w: BatchWitness | dict[str, int]) -> str | None:
    """The first violated constraint's label for a witness (or raw inputs); None if satisfied."""
    c, r = system()
    inputs = w if isinstance(w, dict) else batch_circuit_inputs(w)
    witness = c.witness(inputs)
    i = r.first_violation(witness)
    return None if i is None else r.constraints[i].label


def recommit(w: BatchWitness, *, pubdata: bytes | None = None) -> BatchWitness:
    """``w`` with its pubdata re-encoded from the slots (unless given) and its commitment
    recomputed from its header fields: the commitment a prover of a tampered batch would claim."""
    if pubdata is None:
        try:
            pubdata = b"".join(s.slot() for s in w.slots)
        except ValueError:  # e.g. a noop with fields: no encoding; the circuit fails earlier
            pubdata = w.pubdata
    w.pubdata = pubdata
    w.commitment = enc.batch_commitment(
        w.prev_root, w.new_root, w.priority_hash, w.message_root, pubdata
    )
    return w


def tampered(w: BatchWitness, slot: int = 0, **changes) -> BatchWitness:
    """A deep copy of ``w`` with fields of slot ``slot`` replaced, recommitted."""
    w = copy.deepcopy(w)
    for k, v in changes.items():
        setattr(w.slots[slot], k, v)
    return recommit(w)


def resign(s: SlotWitness, key: int, nonce: int) -> None:
    """Sign ``s``'s op fields with KEYS[key] at ``nonce`` (the signature a prover could make)."""
    msg = enc.signed_message(CHAIN, s.op_type, s.account, s.to, s.token, s.amount, nonce)
    s.sig_ax, s.sig_ay = eddsa.public_key(KEYS[key])
    s.sig_r8x, s.sig_r8y, s.sig_s = eddsa.sign(KEYS[key], msg)


# ---------------------------------------------------------------------------------------------
# Valid batches
# ---------------------------------------------------------------------------------------------


def _valid_batches() -> dict[str, BatchWitness]:
    s = RollupState(P)
    out = {}
    out["noop"] = s.build_batch([], START)
    out["open"] = s.build_batch(
        [Op.open(1, OWNERS[0], _kh(0)), Op.open(2, OWNERS[1], _kh(1))], START
    )
    out["deposit"] = s.build_batch(
        [Op.deposit(1, 0, 1000), Op.deposit(2, 3, (1 << 128) - 1)], START
    )
    out["transfer"] = s.build_batch(
        [_transfer(s, 1, 2, 0, 300), _transfer(s, 2, 1, 3, 5, key=1)], START
    )
    out["self_transfer"] = s.build_batch([_transfer(s, 1, 1, 0, 100)], START)
    out["withdraw"] = s.build_batch([_withdraw(s, 1, 0, 600)], START)
    out["forced_exit"] = s.build_batch(
        [Op.forced_exit(2, 0), Op.forced_exit(1, 1)],
        START,  # the second one's balance is 0
    )
    out["mixed"] = s.build_batch([Op.open(3, OWNERS[2], _kh(2)), Op.deposit(3, 2, 9)], b"\x07" * 32)
    return out


@cache
def valid_batches() -> dict[str, BatchWitness]:
    return _valid_batches()


def test_ops_cover_every_type():
    types = {s.op_type for w in valid_batches().values() for s in w.slots}
    assert types == {OP_NOOP, OP_OPEN, OP_DEPOSIT, OP_TRANSFER, OP_WITHDRAW, OP_FORCED_EXIT}


@pytest.mark.parametrize(
    "name",
    ["noop", "open", "deposit", "transfer", "self_transfer", "withdraw", "forced_exit", "mixed"],
)
def test_valid_batch_satisfies_the_circuit(name):
    w = valid_batches()[name]
    assert w.commitment == enc.batch_commitment(
        w.prev_root, w.new_root, w.priority_hash, w.message_root, w.pubdata
    )
    c, r = system()
    witness = c.witness(batch_circuit_inputs(w))
    r.check_witness(witness)
    assert r.public_signals(witness) == [w.commitment]


def test_constraint_budget_and_lint():
    c, r = system()
    assert r.n_public == 1
    assert len(c.stats.per_slot) == P.slots and len(set(c.stats.per_slot)) == 1
    assert c.stats.total == r.n_constraints
    # The test profile fits a 2^17 Groth16 domain (the prover adds n_public + 1 rows).
    assert r.n_constraints + r.n_public + 1 <= 1 << 17
    assert c.stats.per_slot[0] > EDDSA_VERIFY_COST
    print(f"batch circuit {P}: per slot {c.stats.per_slot[0]}, commitment {c.stats.commitment}")
    print(f"total {r.n_constraints} (+{r.n_public + 1} public rows)")
    assert c.lint() == []


def test_commitment_is_the_only_public_input():
    _, r = system()
    assert r.wire_names[1] == "commitment"


# ---------------------------------------------------------------------------------------------
# Tampered witnesses
# ---------------------------------------------------------------------------------------------


@cache
def funded_with(kind: str) -> BatchWitness:
    """A valid one-op batch of ``kind`` on the funded state (slot 0 is the op, slot 1 a noop)."""
    s = _funded()
    op = {
        "transfer": lambda: _transfer(s, 1, 2, 0, 400),
        "withdraw": lambda: _withdraw(s, 1, 0, 400),
        "deposit": lambda: Op.deposit(1, 0, 5),
        "forced_exit": lambda: Op.forced_exit(1, 0),
        "open": lambda: Op.open(3, OWNERS[2], _kh(2)),
        "noop": lambda: Op(OP_NOOP),
    }[kind]()
    w = s.build_batch([op], START)
    assert label(w) is None
    return w


def test_wrong_signature_fails():
    w = funded_with("transfer")
    bad = copy.deepcopy(w)
    bad.slots[0].sig_s = (bad.slots[0].sig_s + 1) % SUB_ORDER
    assert label(bad).startswith("s0.eddsa.check")
    # A signature on a different message (amount 401 signed, 400 executed).
    bad = copy.deepcopy(w)
    s = copy.deepcopy(bad.slots[0])
    s.amount = 401
    resign(s, 0, 0)
    bad.slots[0].sig_r8x, bad.slots[0].sig_r8y, bad.slots[0].sig_s = s.sig_r8x, s.sig_r8y, s.sig_s
    assert label(bad).startswith("s0.eddsa.check")


def test_signature_by_another_key_fails():
    """A valid signature, but by a key that is not the account's."""
    for kind in ("transfer", "withdraw"):
        w = copy.deepcopy(funded_with(kind))
        resign(w.slots[0], key=1, nonce=0)
        assert label(w) == "s0.signer_is_account_key"


def test_wrong_nonce_fails():
    w = copy.deepcopy(funded_with("withdraw"))
    resign(w.slots[0], key=0, nonce=1)  # signed for the next nonce: a replay/pre-play
    assert label(w).startswith("s0.eddsa.check")
    # Claiming the account's nonce is 1 (to match that signature) breaks the leaf instead.
    w.slots[0].a_nonce = 1
    assert label(w) == "s0.a_accounts.old_root"


def test_overdraft_fails():
    for kind in ("transfer", "withdraw"):
        w = copy.deepcopy(funded_with(kind))
        s = w.slots[0]
        s.amount = s.a_balance + 1
        resign(s, 0, s.a_nonce)
        recommit(w)
        assert label(w).startswith("s0.a_new_balance.bit")


def test_forced_exit_amount_must_be_the_balance():
    w = funded_with("forced_exit")
    assert w.slots[0].amount == w.slots[0].a_balance == 1000
    for amount in (999, 0, 1001):
        assert label(tampered(w, amount=amount)) == "s0.forced_exit_amount"


def test_open_on_a_non_empty_account_fails():
    s = _funded()
    w = s.build_batch([Op.open(3, OWNERS[2], _kh(2))], START)
    # Re-target the OPEN at account 1 (open) with its real path: the old leaf is not empty.
    bad = copy.deepcopy(w)
    bad.slots[0].account = 1
    bad.slots[0].a_account_siblings = s.accounts.prove(1).siblings
    bad.prev_root = s.root
    assert label(recommit(bad)) == "s0.a_accounts.old_root"


def test_ops_on_unopened_accounts_fail():
    w = funded_with("deposit")
    # Deposit into account 3 (empty) with its real (empty) path.
    bad = tampered(w, account=3, a_account_siblings=_funded().accounts.prove(3).siblings)
    assert label(bad) == "s0.a_accounts.old_root"
    # Transfer to account 3 (empty).
    w = copy.deepcopy(funded_with("transfer"))
    s = w.slots[0]
    s.to = 3
    resign(s, 0, 0)
    assert label(recommit(w)) == "s0.b_accounts.old_root"


@pytest.mark.parametrize(
    "path,expected",
    [
        ("a_account_siblings", "s0.a_accounts.old_root"),
        ("a_balance_siblings", "s0.a_accounts.old_root"),
        ("b_account_siblings", "s0.b_accounts.old_root"),
        ("b_balance_siblings", "s0.b_accounts.old_root"),
    ],
)
def test_wrong_sibling_fails(path, expected):
    w = funded_with("transfer")
    for level in (0, -1):
        sibs = list(getattr(w.slots[0], path))
        sibs[level] = (sibs[level] + 1) % enc.R
        assert label(tampered(w, **{path: sibs})) == expected


def test_wrong_leaf_fields_fail():
    w = funded_with("transfer")
    for field in ("a_owner", "a_key_hash", "a_balance"):
        assert label(tampered(w, **{field: getattr(w.slots[0], field) + 1})) in (
            "s0.a_accounts.old_root",
            "s0.signer_is_account_key",
        )
    for field in ("b_owner", "b_key_hash", "b_nonce", "b_balance"):
        assert label(tampered(w, **{field: getattr(w.slots[0], field) + 1})) == (
            "s0.b_accounts.old_root"
        )


@pytest.mark.parametrize(
    "kind,positions", [("transfer", (0, 10, 26)), ("open", (4, 30, 56)), ("noop", (0, 27, 113))]
)
def test_wrong_pubdata_byte_fails(kind, positions):
    """Any flipped bit of the pubdata L1 hashes (type, fields, the zero tail, the padding slot)
    makes a commitment the circuit cannot reach."""
    w = funded_with(kind)
    for pos in positions:
        pubdata = bytearray(w.pubdata)
        pubdata[pos] ^= 1
        bad = recommit(copy.deepcopy(w), pubdata=bytes(pubdata))
        assert label(bad) == "commitment", pos


def test_non_zero_message_root_fails():
    w = copy.deepcopy(funded_with("deposit"))
    w.message_root = b"\x00" * 31 + b"\x01"
    assert label(recommit(w)) == "commitment"


def test_wrong_priority_hash_fails():
    w = copy.deepcopy(funded_with("deposit"))
    w.priority_hash = bytes([w.priority_hash[0] ^ 0x80]) + w.priority_hash[1:]
    w.commitment = funded_with("deposit").commitment  # claims the honest commitment
    assert label(w) == "commitment"
    inputs = batch_circuit_inputs(funded_with("deposit"))
    inputs["priority_hash7"] = 2
    assert label(inputs) == "priority_hash7"


@pytest.mark.parametrize(
    "field,value,expected",
    [
        ("account", 1, "s0.noop_no_account"),
        ("to", 2, "s0.to_only_transfer"),
        ("token", 1, "s0.open_noop_no_amount"),
        ("amount", 5, "s0.open_noop_no_amount"),
        ("owner", 7, "s0.owner_only_open"),
        ("key_hash", 9, "s0.key_hash_only_open"),
    ],
)
def test_noop_with_a_field_fails(field, value, expected):
    assert label(tampered(funded_with("noop"), **{field: value})) == expected
    # The padding slot of a one-op batch, too.
    assert label(tampered(funded_with("deposit"), slot=1, **{field: value})) == (
        expected.replace("s0.", "s1.")
    )


@pytest.mark.parametrize(
    "kind,field,value,expected",
    [
        ("open", "to", 2, "s0.to_only_transfer"),
        ("open", "token", 1, "s0.open_noop_no_amount"),
        ("open", "amount", 1, "s0.open_noop_no_amount"),
        ("deposit", "to", 2, "s0.to_only_transfer"),
        ("withdraw", "to", 2, "s0.to_only_transfer"),
        ("forced_exit", "to", 2, "s0.to_only_transfer"),
        ("deposit", "owner", 1, "s0.owner_only_open"),
        ("transfer", "key_hash", 1, "s0.key_hash_only_open"),
    ],
)
def test_layout_rules(kind, field, value, expected):
    assert label(tampered(funded_with(kind), **{field: value})) == expected


def test_open_must_store_the_op_fields():
    w = funded_with("open")
    assert label(tampered(w, a_owner=OWNERS[3])) == "s0.open_owner"
    assert label(tampered(w, a_key_hash=_kh(3))) == "s0.open_key_hash"
    assert label(tampered(w, a_nonce=5)) == "s0.open_nonce"


def test_wrong_root_fails():
    w = funded_with("deposit")
    bad = copy.deepcopy(w)
    bad.prev_root = (w.prev_root + 1) % enc.R
    assert label(recommit(bad)) == "s0.a_accounts.old_root"
    bad = copy.deepcopy(w)
    bad.new_root = (w.new_root + 1) % enc.R  # claim another post-state
    assert label(recommit(bad)) == "commitment"
    # An all-noop batch cannot move the root either.
    bad = copy.deepcopy(funded_with("noop"))
    bad.new_root = w.new_root
    assert label(recommit(bad)) == "commitment"


def test_wrong_commitment_fails():
    w = copy.deepcopy(funded_with("transfer"))
    w.commitment ^= 1
    assert label(w) == "commitment"


def test_account_ids_beyond_the_tree_fail():
    big = 1 << P.account_depth
    w = funded_with("deposit")
    # Same low bits (same tree slot, same path): only the range check can catch it.
    assert label(tampered(w, account=w.slots[0].account + big)) == "s0.account.bit0"
    assert label(tampered(w, account=w.slots[0].account + (1 << 31))) == "s0.account.bit0"
    w = copy.deepcopy(funded_with("transfer"))
    w.slots[0].to += big
    resign(w.slots[0], 0, 0)
    assert label(recommit(w)) == "s0.to.bit0"
    assert label(tampered(funded_with("deposit"), token=1 << P.token_depth)) == "s0.token.bit0"


def test_op_type_must_be_one_hot():
    inputs = batch_circuit_inputs(funded_with("deposit"))
    inputs["s0.is_withdraw"] = 1
    assert label(inputs) == "s0.one_hot"
    inputs = batch_circuit_inputs(funded_with("deposit"))
    inputs["s0.is_deposit"] = 2
    assert label(inputs) == "s0.is_deposit"


def test_deposit_overflow_fails():
    w = funded_with("deposit")
    assert label(tampered(w, amount=(1 << 128) - 1)) == "s0.a_new_balance.bit0"


def test_changing_the_op_type_fails():
    """A withdrawal relabelled as a deposit keeps the signature but changes the balance."""
    w = copy.deepcopy(funded_with("withdraw"))
    w.slots[0].op_type = OP_DEPOSIT
    recommit(w)
    assert label(w) == "commitment"  # the new root the state machine claims is a withdrawal's


# ---------------------------------------------------------------------------------------------
# End to end
# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_prove_and_verify_a_batch():
    """Dev keys (disk-cached; ~15 s to make on a cold cache, ~30 s for the whole test on two
    cores, hence slow), one proof (~1.5 s), verify."""
    from offchain.rollup.circuits.keys import circuit_keys, prove_batch
    from offchain.snark.verifier import verify

    w = valid_batches()["transfer"]
    proof, public = prove_batch(w)
    assert public == [w.commitment]
    _, _, vk = circuit_keys("batch", P)
    assert vk.n_public == 1
    assert verify(vk, public, proof)
    assert not verify(vk, [w.commitment ^ 1], proof)
    with pytest.raises(ValueError, match="is not satisfied"):
        prove_batch(tampered(w, amount=w.slots[0].amount + 1))


def test_account_zero_is_never_touched():
    w = funded_with("open")
    bad = copy.deepcopy(w)
    bad.slots[0].account = 0
    bad.slots[0].a_account_siblings = _funded().accounts.prove(0).siblings
    assert label(recommit(bad)) == "s0.account_not_zero"
    assert label(tampered(funded_with("deposit"), account=0)) == "s0.account_not_zero"
