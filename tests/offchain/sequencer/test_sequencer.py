"""The sequencer: acceptance against the speculative state, batch order, invalidated ops, the
priority queue, deadline pressure, replay on reopen and survival of SIGKILL."""

from __future__ import annotations

import dataclasses
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offchain.rollup import encoding as enc
from offchain.rollup.params import OP_DEPOSIT, OP_FORCED_EXIT, OP_TRANSFER, OP_WITHDRAW, R
from offchain.rollup.state import Op, OpRejected, RollupState, signed_op
from offchain.sequencer import (
    Journal,
    PriorityRequestError,
    ReplayMismatch,
    Sequencer,
    SequencerError,
)
from tests.offchain.sequencer.helpers import (
    DEADLINE,
    FUNDS,
    KEYS,
    TX,
    P,
    deposit_req,
    drain,
    exit_req,
    funded,
    open_req,
    transfer,
    withdraw,
)

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def seq(tmp_path):
    s = funded(tmp_path / "j.db")
    yield s
    s.close()


def _snapshot(s: Sequencer):
    """Everything a reopen must reproduce."""
    return (
        s.root,
        s.speculative_root,
        [(r.seq, r.op, r.nonce) for r in s.pending()],
        [(r.seq, r.status, r.batch, r.slot_index, r.reason) for r in s.journal.l2_requests()],
        [(b.number, b.commitment, b.status) for b in s.batches()],
    )


def _reopen(s: Sequencer) -> Sequencer:
    path = s.journal.path
    s.close()
    return Sequencer(P, path)


# ---- accept / reject ----------------------------------------------------------------------


def test_funded_chain_replays_to_the_same_root(seq):
    assert [b.status for b in seq.batches()] == ["built"] * 3
    assert seq.root != RollupState.genesis_root(P)
    assert seq.witness(1).commitment == seq.batches()[0].commitment
    snap = _snapshot(seq)
    seq = _reopen(seq)
    assert _snapshot(seq) == snap
    seq.close()


def test_submit_journals_and_counts_pending_ops(seq):
    r1 = seq.submit(transfer(seq, 1, 2, 600))
    r2 = seq.submit(withdraw(seq, 1, 400))
    assert (r1.seq, r1.nonce, r2.seq, r2.nonce) == (1, 0, 2, 1)
    assert (r2.op_type, r2.account) == (OP_WITHDRAW, 1)
    assert seq.next_nonce(1) == 2 and seq.state.nonce(1) == 0
    assert [r.seq for r in seq.pending()] == [1, 2]
    assert seq.request(1).status == "pending" and seq.request(1).nonce == 0
    # Each alone would be fine against the built state; after the two pending ops it is not.
    with pytest.raises(OpRejected, match="insufficient balance: 0 < 1"):
        seq.submit(withdraw(seq, 1, 1))
    # The recipient can already spend what the pending transfer gives it.
    seq.submit(withdraw(seq, 2, FUNDS + 600))


def _rejections(s: Sequencer):
    """(op, expected reason) for every reason a submission can be rejected for."""
    other_key = bytes([9]) * 32
    n = s.next_nonce(1)
    good = transfer(s, 1, 2, 5)
    return [
        (Op.deposit(1, 0, 5), "only signed transfers and withdrawals"),
        (Op.forced_exit(1, 0), "only signed transfers and withdrawals"),
        (Op.open(5, 1, 1), "only signed transfers and withdrawals"),
        (Op(OP_TRANSFER, account=1, to=2, amount=5), "missing signature"),
        (Op(OP_TRANSFER, 1, 2, 0, 5, pubkey=good.pubkey), "missing signature"),
        (Op(OP_TRANSFER, 1, 2, 0, 5, pubkey=(1, 2, 3), signature=good.signature), "malformed"),
        (Op(OP_TRANSFER, 1, 2, 0, 5, pubkey=good.pubkey, signature=(1, 2)), "malformed"),
        (Op(OP_TRANSFER, 1, 2, 0, 5, pubkey=(-1, 2), signature=good.signature), "malformed"),
        (Op(OP_TRANSFER, 1, 2, 0, 5, pubkey=(R, 0), signature=good.signature), "malformed"),
        (transfer(s, 1, 2, 5, nonce=n + 1), "bad signature"),  # a nonce from the future
        (transfer(s, 1, 2, 5, nonce=n - 1), "bad signature"),  # replay of an accepted one
        (transfer(s, 1, 2, 5, key=other_key), "not the account's key"),
        (dataclasses.replace(good, amount=6), "bad signature"),  # tampered after signing
        (transfer(s, 1, 9, 5), "recipient 9 is not open"),
        (transfer(s, 1, 99, 5), "recipient 99 is outside"),
        (signed_op(OP_TRANSFER, KEYS[4], P.chain_id, 0, 4, 0, 5, to=1), "account 4 is not open"),
        (signed_op(OP_WITHDRAW, KEYS[1], P.chain_id, 0, 0, 0, 5), "account 0 is outside"),
        (transfer(s, 1, 2, 0), "amount must be non-zero"),
        (transfer(s, 1, 2, FUNDS + 1), "insufficient balance"),
        (withdraw(s, 1, 5, token=3), "insufficient balance: 0 < 5"),
        (withdraw(s, 1, 5, token=4), "token 4 is outside"),
        (signed_op(OP_TRANSFER, KEYS[1], P.chain_id, n, 1, 0, 2**128, to=2), "amount must be"),
        (Op(OP_WITHDRAW, 1, 2, 0, 5, pubkey=good.pubkey, signature=good.signature), "recipient"),
        (Op(OP_TRANSFER, 1, 2, 0, 5, 7, pubkey=good.pubkey, signature=good.signature), "owner"),
    ]


def test_every_rejection_reason_writes_nothing(seq):
    seq.submit(transfer(seq, 1, 2, 1))  # so that an older nonce exists
    cases = _rejections(seq)
    before = _snapshot(seq)
    size = os.path.getsize(seq.journal.path) + os.path.getsize(f"{seq.journal.path}-wal")
    for op, reason in cases:
        with pytest.raises(OpRejected, match=reason):
            seq.submit(op)
    assert _snapshot(seq) == before
    after = os.path.getsize(seq.journal.path) + os.path.getsize(f"{seq.journal.path}-wal")
    assert after == size


def test_recipient_overflow_is_rejected(seq):
    seq.add_priority_request(6, deposit_req(2, 2**128 - 1 - FUNDS), DEADLINE)
    with pytest.raises(OpRejected, match="overflow"):
        seq.submit(transfer(seq, 1, 2, 1))
    assert seq.pending() == []


# ---- batches ------------------------------------------------------------------------------


def test_priority_requests_go_first_and_are_never_skipped(seq):
    seq.submit(transfer(seq, 1, 2, 10))
    seq.submit(transfer(seq, 2, 3, 20))
    base = seq.journal.priority_count()
    for i, req in enumerate([deposit_req(3, 7), deposit_req(1, 8), open_req(4)]):
        seq.add_priority_request(base + i, req, DEADLINE + 100)
    w1 = seq.build_next_batch(now=5)
    assert [s.op_type for s in w1.slots] == [OP_DEPOSIT, OP_DEPOSIT] and w1.priority_consumed == 2
    w2 = seq.build_next_batch(now=6)
    assert [s.op_type for s in w2.slots] == [1, OP_TRANSFER] and w2.priority_consumed == 1
    assert (w2.slots[1].account, w2.slots[1].amount) == (1, 10)
    w3 = seq.build_next_batch(now=7)
    assert [(s.op_type, s.account) for s in w3.slots] == [(OP_TRANSFER, 2), (0, 0)]
    assert seq.build_next_batch(now=8) is None
    # The batches chain like L1 expects: roots link, priority hashes follow the queue.
    b = seq.batches()
    assert [x.built_at for x in b[-3:]] == [5, 6, 7]
    for prev, cur in zip(b, b[1:], strict=False):
        assert cur.prev_root == prev.new_root and cur.priority_start == prev.priority_hash
    assert b[-1].priority_hash == seq.journal.priority_chain(base + 3)
    for w, rec in zip((w1, w2, w3), b[-3:], strict=True):
        assert rec.commitment == enc.batch_commitment(
            w.prev_root, w.new_root, w.priority_hash, bytes(32), w.pubdata
        )
    assert seq.pending() == [] and seq.unconsumed_priority() == []


def test_forced_exit_invalidates_pending_ops_which_are_recorded_rejected(seq):
    r1 = seq.submit(withdraw(seq, 1, 700))
    r2 = seq.submit(transfer(seq, 1, 2, 100))  # nonce 1: dies with r1
    r3 = seq.submit(transfer(seq, 3, 1, 50))  # unrelated: survives
    seq.add_priority_request(6, exit_req(1), DEADLINE + 6)
    # The view now puts the exit before the pending ops, so account 1 is at nonce 0 with 0 funds.
    assert seq.next_nonce(1) == 0
    w = seq.build_next_batch(now=1)
    assert [(s.op_type, s.account, s.amount) for s in w.slots] == [
        (OP_FORCED_EXIT, 1, FUNDS),
        (OP_TRANSFER, 3, 50),
    ]
    assert w.withdrawals() == [(1, 0, FUNDS)]
    rej1, rej2 = seq.request(r1.seq), seq.request(r2.seq)
    assert rej1.status == "rejected" and "insufficient balance: 0 < 700" in rej1.reason
    assert rej2.status == "rejected" and "stale nonce" in rej2.reason
    assert rej1.batch == rej2.batch == seq.journal.last_batch_number()
    assert seq.request(r3.seq).status == "batched" and seq.request(r3.seq).slot_index == 1
    assert seq.state.balance(1, 0) == 50 and seq.state.nonce(1) == 0
    # The account can go on from the nonce the chain really has.
    seq.submit(withdraw(seq, 1, 50))
    snap = _snapshot(seq)
    seq = _reopen(seq)
    assert _snapshot(seq) == snap
    seq.close()


def test_later_ops_of_an_account_die_with_its_rejected_op_even_if_funded(seq):
    seq.add_priority_request(6, deposit_req(1, 100, token=1), DEADLINE)
    drain(seq)
    r1 = seq.submit(withdraw(seq, 1, 100, token=1))  # nonce 0: the exit below takes token 1
    r2 = seq.submit(transfer(seq, 1, 2, 10))  # nonce 1, token 0: funded, but signed for nonce 1
    seq.add_priority_request(7, exit_req(1, token=1), DEADLINE)
    w = seq.build_next_batch(now=0)
    assert [(s.op_type, s.amount) for s in w.slots] == [(OP_FORCED_EXIT, 100), (0, 0)]
    assert "insufficient balance" in seq.request(r1.seq).reason
    assert "stale nonce: signed for nonce 1, account 1 is at 0" in seq.request(r2.seq).reason
    seq.submit(transfer(seq, 1, 2, 10))  # re-signed at nonce 0: accepted and batched
    assert seq.build_next_batch(now=0).slots[0].amount == 10


def test_rejections_without_a_batch_are_still_journalled(seq):
    r1 = seq.submit(withdraw(seq, 2, FUNDS))
    r2 = seq.submit(transfer(seq, 3, 1, 1))
    seq.add_priority_request(6, exit_req(2), DEADLINE)
    seq.add_priority_request(7, exit_req(3), DEADLINE)
    w = seq.build_next_batch(now=0)  # both slots go to the exits
    assert [s.op_type for s in w.slots] == [OP_FORCED_EXIT] * 2
    assert [r.seq for r in seq.pending()] == [r1.seq, r2.seq]
    assert seq.build_next_batch(now=0) is None  # nothing left that applies ...
    assert [seq.request(r.seq).status for r in (r1, r2)] == ["rejected"] * 2  # ... but recorded
    assert seq.request(r1.seq).batch is None and seq.pending() == []
    assert seq.journal.last_batch_number() == 4


def test_stuck_priority_request_raises_and_writes_nothing(seq):
    # A deposit to an account no OPEN created cannot be queued by the real contract; if the
    # watcher feeds one anyway the sequencer must stop, not skip it.
    seq.add_priority_request(6, deposit_req(4, 5), DEADLINE)
    before = _snapshot(seq)
    with pytest.raises(SequencerError, match="priority request 6 cannot be applied"):
        seq.build_next_batch(now=0)
    assert _snapshot(seq) == before


def test_failed_journal_write_leaves_memory_as_the_journal_says(seq, monkeypatch):
    seq.submit(transfer(seq, 1, 2, 10))
    before = _snapshot(seq)

    def disk_full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(seq.journal, "record_batch", disk_full)
    with pytest.raises(sqlite3.OperationalError):
        seq.build_next_batch(now=1)
    assert _snapshot(seq) == before  # state rolled back to the journalled one
    monkeypatch.undo()
    assert seq.build_next_batch(now=1).slots[0].amount == 10


# ---- priority requests --------------------------------------------------------------------


def test_priority_requests_are_idempotent_and_checked(seq):
    assert seq.add_priority_request(0, open_req(1), DEADLINE) is False
    assert seq.add_priority_request(5, deposit_req(3, FUNDS), DEADLINE + 5) is False
    with pytest.raises(PriorityRequestError, match="journalled as"):
        seq.add_priority_request(5, deposit_req(3, FUNDS + 1), DEADLINE + 5)
    with pytest.raises(PriorityRequestError, match="gap"):
        seq.add_priority_request(7, deposit_req(3, 1), DEADLINE)
    bad = [
        (b"", "not a priority request type"),
        (Op.deposit(1, 0, 5).slot()[:27].replace(b"\x02", b"\x03", 1), "not a priority"),
        (deposit_req(1, 5)[:26], "27 bytes"),
        (open_req(1) + b"\0", "57 bytes"),
        (deposit_req(1, 0), "non-zero"),
        (exit_req(0), "outside"),
        (Op.forced_exit(16, 0).slot()[:11], "outside"),
        (exit_req(1, token=4), "token 4"),
        (b"\x02\x00\x00\x00\x01\x00\x00\x00\x02" + bytes(18), "to 2"),
        (b"\x01\x00\x00\x00\x05" + bytes(52), "non-zero key_hash"),
        (b"\x01\x00\x00\x00\x05" + bytes(20) + b"\xff" * 32, "malformed"),
    ]
    for req, reason in bad:
        with pytest.raises(PriorityRequestError, match=reason):
            seq.add_priority_request(6, req, DEADLINE)
    for index, deadline in ((-1, 5), (True, 5), (6, -5), (6, 1.5)):
        with pytest.raises(PriorityRequestError, match="integer"):
            seq.add_priority_request(index, deposit_req(1, 5), deadline)
    assert seq.journal.priority_count() == 6


def test_deadline_pressure_follows_the_oldest_unserved_request(tmp_path):
    with Sequencer(P, tmp_path / "j.db") as s:
        assert s.deadline_pressure(now=0, margin=10**9) is False
        s.add_priority_request(0, open_req(1), 1000)
        s.add_priority_request(1, deposit_req(1, 5), 1010)
        assert s.deadline_pressure(now=899, margin=100) is False
        assert s.deadline_pressure(now=900, margin=100) is True
        assert s.deadline_pressure(now=2000, margin=0) is True  # past the deadline
        s.build_next_batch(now=900)
        assert s.deadline_pressure(now=900, margin=100) is True  # built is not served
        s.mark_committed(1, TX)
        s.mark_proven(1, TX)
        assert s.witness(1) is None  # proven: no longer kept
        assert s.deadline_pressure(now=900, margin=100) is True
        assert s.mark_executed(1, TX) is True
        assert s.mark_executed(1, TX) is False
        assert s.deadline_pressure(now=999, margin=100) is False
        s.add_priority_request(2, deposit_req(1, 5), 1500)
        assert s.deadline_pressure(now=1400, margin=99) is False
        assert s.deadline_pressure(now=1400, margin=100) is True
        assert [b.execute_tx for b in s.batches("executed")] == [TX]


# ---- replay -------------------------------------------------------------------------------


def test_reopen_restores_root_pending_and_witnesses(seq):
    seq.submit(transfer(seq, 1, 2, 10))
    seq.build_next_batch(now=1)
    seq.submit(transfer(seq, 2, 3, 10))
    seq.submit(withdraw(seq, 2, 10))
    seq.mark_committed(1, TX)
    snap, w4 = _snapshot(seq), seq.witness(4)
    seq = _reopen(seq)
    assert _snapshot(seq) == snap
    assert seq.witness(4).commitment == w4.commitment and seq.witness(4).slots == w4.slots
    assert seq.next_nonce(2) == 2
    seq.close()


def test_tampered_journal_fails_loudly(seq):
    seq.submit(transfer(seq, 1, 2, 10))
    seq.build_next_batch(now=1)
    path = seq.journal.path
    seq.close()
    db = sqlite3.connect(path)
    db.execute("UPDATE batch SET commitment = ? WHERE number = 4", (bytes(31) + b"\x01",))
    db.commit()
    db.close()
    with pytest.raises(ReplayMismatch, match="batch 4: rebuilt commitment"):
        Sequencer(P, path)
    Journal(path, P).close()  # the failed open released its lock
    db = sqlite3.connect(path)
    db.execute("UPDATE batch SET commitment = ? WHERE number = 4", (bytes(32),))
    db.execute("UPDATE batch_op SET slot = ? WHERE batch = 2 AND slot_index = 1", (bytes(57),))
    db.commit()
    db.close()
    with pytest.raises(ReplayMismatch, match="batch 2"):
        Sequencer(P, path)


# ---- crash --------------------------------------------------------------------------------

_CHILD = """
import os, signal, sys
from offchain.rollup.params import OP_TRANSFER, TEST_PARAMS
from offchain.rollup.state import signed_op
from offchain.sequencer import Sequencer

seq = Sequencer(TEST_PARAMS, sys.argv[1])
op = signed_op(OP_TRANSFER, bytes([1]) * 32, TEST_PARAMS.chain_id, seq.next_nonce(1), 1, 0, 77, to=2)
receipt = seq.submit(op)
print(receipt.seq, flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # no close, no atexit, no flush of anything else
"""


def test_accepted_request_survives_sigkill(tmp_path):
    path = tmp_path / "j.db"
    funded(path).close()
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    seq_no = int(proc.stdout.strip())
    assert Path(f"{path}-wal").exists()  # the child died holding the WAL open
    with Sequencer(P, path) as s:
        (r,) = s.pending()
        assert r.seq == seq_no and r.op.amount == 77 and r.nonce == 0
        w = s.build_next_batch(now=1)
        assert (w.slots[0].op_type, w.slots[0].amount) == (OP_TRANSFER, 77)


# ---- property -----------------------------------------------------------------------------

_SUBMIT = st.tuples(
    st.just("submit"),
    st.sampled_from([1, 2, 3]),  # signer
    st.sampled_from([OP_TRANSFER, OP_WITHDRAW]),
    st.sampled_from([1, 2, 3, 4]),  # recipient (4 is never open)
    st.sampled_from([0, 1, 50, 400, FUNDS, FUNDS + 1]),
    st.sampled_from([0, 0, 0, 1, -1]),  # nonce offset: mostly right
)
_ACTION = st.one_of(
    _SUBMIT,
    _SUBMIT,  # submissions twice as likely as anything else
    st.tuples(st.just("build")),
    st.tuples(st.just("deposit"), st.sampled_from([1, 2, 3]), st.integers(1, 500)),
    st.tuples(st.just("exit"), st.sampled_from([1, 2, 3])),
    st.tuples(st.just("reopen")),
)


@settings(max_examples=40)
@given(st.lists(_ACTION, max_size=16))
def test_random_streams_replay_identically(actions):
    with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR")) as d:
        seq = funded(Path(d) / "j.db")
        accepted = 0
        try:
            for act in actions:
                if act[0] == "submit":
                    _, a, kind, to, amount, off = act
                    nonce = max(0, seq.next_nonce(a) + off)
                    to = to if kind == OP_TRANSFER else 0
                    op = signed_op(kind, KEYS[a], P.chain_id, nonce, a, 0, amount, to=to)
                    before = _snapshot(seq)
                    try:
                        seq.submit(op)
                        accepted += 1
                    except OpRejected:
                        assert _snapshot(seq) == before
                elif act[0] == "build":
                    seq.build_next_batch(now=0)
                elif act[0] in ("deposit", "exit"):
                    req = deposit_req(act[1], act[2]) if act[0] == "deposit" else exit_req(act[1])
                    seq.add_priority_request(seq.journal.priority_count(), req, DEADLINE)
                else:
                    snap = _snapshot(seq)
                    seq = _reopen(seq)
                    assert _snapshot(seq) == snap
            # Every accepted request is still there, in exactly one state.
            requests = seq.journal.l2_requests()
            assert len(requests) == accepted
            assert {r.status for r in requests} <= {"pending", "batched", "rejected"}
            snap = _snapshot(seq)
            seq = _reopen(seq)
            assert _snapshot(seq) == snap
            # Draining serves every priority request and leaves nothing pending.
            drain(seq)
            assert seq.pending() == [] and seq.unconsumed_priority() == []
            assert seq.speculative_root == seq.root
        finally:
            seq.close()
