"""The L2 state machine (offchain/rollup/state.py) and wire encoding (encoding.py).

Witness consistency is checked against offchain.state.smt's own proof folding: every sibling list a
SlotWitness carries must fold the stated leaf values to the stated roots, which is exactly what the
batch circuit will check. Rejected ops and rejected batches must leave the root and every balance
unchanged.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from offchain.crypto import eddsa
from offchain.rollup import encoding as enc
from offchain.rollup.params import (
    OP_FORCED_EXIT,
    OP_OPEN,
    OP_TRANSFER,
    OP_WITHDRAW,
    SLOT_BYTES,
    TEST_PARAMS,
    ChainParams,
)
from offchain.rollup.state import Op, OpRejected, RollupState, signed_op
from offchain.state.smt import MerkleProof, zero_hashes

P = TEST_PARAMS
KEYS = [bytes([i + 1]) * 32 for i in range(4)]
OWNERS = [0x1000 + i for i in range(4)]


def _kh(i: int) -> int:
    return enc.key_hash(*eddsa.public_key(KEYS[i]))


def _funded() -> RollupState:
    s = RollupState(P)
    for i in range(3):
        s.apply(Op.open(i + 1, OWNERS[i], _kh(i)))
        s.apply(Op.deposit(i + 1, 0, 1000 * (i + 1)))
    return s


def _fold(leaf: int, key: int, siblings: list[int]) -> int:
    return MerkleProof(key=key, value=leaf, siblings=siblings, root=0).computed_root()


def _check_witness(w, depth_t: int) -> None:
    """The slot witness folds to its roots (what the circuit's Merkle gadgets check)."""
    if w.op_type == 0:
        assert w.root_before == w.root_mid == w.root_after
        return
    if w.op_type == OP_OPEN:
        assert _fold(0, w.account, w.a_account_siblings) == w.root_before
        return
    bal_root = _fold(w.a_balance, w.token, w.a_balance_siblings)
    old_leaf = enc.account_leaf(w.a_owner, w.a_key_hash, w.a_nonce, bal_root)
    assert _fold(old_leaf, w.account, w.a_account_siblings) == w.root_before
    if w.op_type == OP_TRANSFER:
        b_root = _fold(w.b_balance, w.token, w.b_balance_siblings)
        b_leaf = enc.account_leaf(w.b_owner, w.b_key_hash, w.b_nonce, b_root)
        assert _fold(b_leaf, w.to, w.b_account_siblings) == w.root_mid
        new_b = enc.account_leaf(
            w.b_owner,
            w.b_key_hash,
            w.b_nonce,
            _fold(w.b_balance + w.amount, w.token, w.b_balance_siblings),
        )
        assert _fold(new_b, w.to, w.b_account_siblings) == w.root_after


def test_genesis_root_is_the_empty_tree():
    assert RollupState(P).root == zero_hashes(P.account_depth)[P.account_depth]
    assert RollupState.genesis_root(P) == RollupState(P).root


def test_ops_update_balances_nonces_and_witnesses_fold():
    s = _funded()
    w = s.apply(
        signed_op(OP_TRANSFER, KEYS[0], P.chain_id, 0, account=1, to=2, token=0, amount=300)
    )
    _check_witness(w, P.token_depth)
    assert (s.balance(1, 0), s.balance(2, 0), s.nonce(1)) == (700, 2300, 1)
    w = s.apply(signed_op(OP_WITHDRAW, KEYS[1], P.chain_id, 0, account=2, token=0, amount=2300))
    _check_witness(w, P.token_depth)
    assert s.balance(2, 0) == 0
    w = s.apply(Op.forced_exit(3, 0))
    _check_witness(w, P.token_depth)
    assert w.amount == 3000 and s.balance(3, 0) == 0
    # A self-transfer only bumps the nonce.
    w = s.apply(signed_op(OP_TRANSFER, KEYS[0], P.chain_id, 1, account=1, to=1, token=0, amount=5))
    assert s.balance(1, 0) == 700 and s.nonce(1) == 2


@pytest.mark.parametrize(
    ("op", "reason"),
    [
        (Op.open(1, 5, 7), "already open"),
        (Op.open(16, 5, 7), "outside 1..15"),
        (Op.open(0, 5, 7), "outside"),
        (Op.open(5, 1 << 160, 7), "owner"),
        (Op.open(5, 5, 0), "key_hash"),
        (Op.deposit(9, 0, 1), "not open"),
        (Op.deposit(1, 4, 1), "token 4"),
        (Op.deposit(1, 0, 0), "non-zero"),
        (Op.deposit(1, 0, (1 << 128) - 1), "overflow"),
        (Op.forced_exit(9, 0), "not open"),
    ],
)
def test_rejected_ops_change_nothing(op, reason):
    s = _funded()
    root = s.root
    with pytest.raises(OpRejected, match=reason):
        s.apply(op)
    assert s.root == root


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (
            lambda: signed_op(OP_TRANSFER, KEYS[0], 1, 0, account=1, to=2, token=0, amount=1001),
            "insufficient",
        ),
        (
            lambda: signed_op(OP_TRANSFER, KEYS[0], 1, 1, account=1, to=2, token=0, amount=1),
            "bad signature",
        ),
        (
            lambda: signed_op(OP_TRANSFER, KEYS[1], 1, 0, account=1, to=2, token=0, amount=1),
            "not the account's key",
        ),
        (
            lambda: signed_op(OP_TRANSFER, KEYS[0], 2, 0, account=1, to=2, token=0, amount=1),
            "bad signature",
        ),
        (
            lambda: signed_op(OP_TRANSFER, KEYS[0], 1, 0, account=1, to=9, token=0, amount=1),
            "recipient 9",
        ),
        (lambda: signed_op(OP_WITHDRAW, KEYS[0], 1, 0, account=1, token=0, amount=0), "non-zero"),
        (lambda: Op(OP_TRANSFER, account=1, to=2, token=0, amount=1), "missing signature"),
    ],
)
def test_rejected_signed_ops_change_nothing(make, reason):
    s = _funded()
    root = s.root
    with pytest.raises(OpRejected, match=reason):
        s.apply(make())
    assert s.root == root and s.nonce(1) == 0


def test_batch_is_all_or_nothing():
    s = _funded()
    root, bal = s.root, (s.balance(1, 0), s.balance(2, 0))
    good = signed_op(OP_TRANSFER, KEYS[0], 1, 0, account=1, to=2, token=0, amount=10)
    bad = signed_op(
        OP_TRANSFER, KEYS[0], 1, 0, account=1, to=2, token=0, amount=10
    )  # replayed nonce
    with pytest.raises(OpRejected, match="op 1"):
        s.build_batch([good, bad], enc.ZERO32)
    assert s.root == root and (s.balance(1, 0), s.balance(2, 0)) == bal and s.nonce(1) == 0
    with pytest.raises(OpRejected, match="op 1"):
        s.build_batch([Op.open(4, 9, 9), Op.open(4, 9, 9)], enc.ZERO32)
    assert s.root == root and s.account(4) is None


def test_batch_pubdata_priority_chain_and_commitment():
    s = RollupState(P)
    b = s.build_batch([Op.open(1, OWNERS[0], _kh(0)), Op.deposit(1, 0, 50)], enc.ZERO32)
    assert len(b.pubdata) == P.slots * SLOT_BYTES
    c1 = hashlib.sha256(bytes(32) + b.pubdata[:57]).digest()
    c2 = hashlib.sha256(c1 + b.pubdata[57 : 57 + 27]).digest()
    assert b.priority_hash == c2 and b.priority_consumed == 2
    expect = hashlib.sha256(
        b.prev_root.to_bytes(32, "big")
        + b.new_root.to_bytes(32, "big")
        + c2
        + bytes(32)
        + b.pubdata
    ).digest()
    assert b.commitment == int.from_bytes(expect, "big") % (1 << 253)
    b2 = s.build_batch([signed_op(OP_WITHDRAW, KEYS[0], 1, 0, account=1, token=0, amount=20)], c2)
    assert b2.priority_hash == c2 and b2.withdrawals() == [(1, 0, 20)]
    assert b2.slots[1].op_type == 0


def test_exit_witness_folds_to_the_root():
    s = _funded()
    w = s.exit_witness(2, 0)
    bal_root = _fold(w.amount, w.token, w.balance_siblings)
    leaf = enc.account_leaf(w.owner, w.key_hash, w.nonce, bal_root)
    assert _fold(leaf, w.account, w.account_siblings) == s.root
    assert w.commitment == enc.exit_commitment(s.root, 2, OWNERS[1], 0, 2000)


@given(
    st.sampled_from([0, 1, 2, 3, 4, 5]),
    st.integers(0, 2**32 - 1),
    st.integers(0, 2**32 - 1),
    st.integers(0, 2**16 - 1),
    st.integers(0, 2**128 - 1),
    st.integers(0, 2**160 - 1),
    st.integers(1, 2**250),
)
def test_slot_encoding_round_trips(t, a, b, tok, amt, owner, kh):
    if t == 0:
        fields = {}
    elif t == OP_OPEN:
        fields = dict(account=a, owner=owner, key_hash=kh)
    else:
        fields = dict(account=a, to=b if t == OP_TRANSFER else 0, token=tok, amount=amt)
    slot = enc.encode_slot(t, **fields)
    assert len(slot) == SLOT_BYTES
    assert enc.decode_slot(slot) == enc.SlotFields(t, **fields)


@pytest.mark.parametrize(
    "slot",
    [bytes([6]) + bytes(56), bytes([2]) + bytes(55) + b"\1", bytes([0, 1]) + bytes(55), bytes(56)],
)
def test_malformed_slots_are_rejected(slot):
    with pytest.raises(ValueError):
        enc.decode_slot(slot)


def test_chain_params_are_validated():
    with pytest.raises(ValueError, match="account_depth"):
        ChainParams(account_depth=0, token_depth=2, slots=2)
    with pytest.raises(ValueError, match="slots"):
        ChainParams(account_depth=4, token_depth=2, slots=2049)
    assert OP_FORCED_EXIT == 5


def test_a_batch_pays_at_most_the_contracts_withdrawal_bound(monkeypatch):
    import offchain.rollup.state as state_mod

    monkeypatch.setattr(state_mod, "MAX_WITHDRAWALS_PER_BATCH", 1)
    s = _funded()
    root = s.root
    ops = [Op.forced_exit(1, 0), Op.forced_exit(2, 0)]
    with pytest.raises(OpRejected, match="at most 1 withdrawals"):
        s.build_batch(ops, enc.ZERO32)
    assert s.root == root


def test_replayed_pubdata_reaches_the_same_root_and_refuses_a_wrong_forced_exit_amount():
    s = _funded()
    b = s.build_batch(
        [
            signed_op(OP_TRANSFER, KEYS[0], 1, 0, account=1, to=2, token=0, amount=7),
            Op.forced_exit(3, 0),
        ],
        enc.ZERO32,
    )
    replica, forged = RollupState(P), RollupState(P)
    for state in (replica, forged):
        for i in range(3):
            state.apply(Op.open(i + 1, OWNERS[i], _kh(i)))
            state.apply(Op.deposit(i + 1, 0, 1000 * (i + 1)))
    replica.replay_pubdata(b.pubdata)
    assert replica.root == b.new_root
    # A forced exit that pays out less than the balance is not a valid slot.
    bad = b.pubdata[:57] + enc.encode_slot(OP_FORCED_EXIT, account=3, token=0, amount=2999)
    with pytest.raises(OpRejected, match="forced exit amount 2999 is not the balance 3000"):
        forged.replay_pubdata(bad)
