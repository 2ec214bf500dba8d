"""The sequencer journal: file identity and schema checks, durability settings, the priority
chain, op round trips, batch bookkeeping and the L1 status lifecycle."""

from __future__ import annotations

import sqlite3

import pytest

from offchain.crypto import eddsa
from offchain.rollup import encoding as enc
from offchain.rollup.params import OP_TRANSFER, ChainParams
from offchain.rollup.state import Op, signed_op
from offchain.sequencer.journal import (
    APPLICATION_ID,
    BatchRecord,
    Journal,
    JournalError,
    PriorityRequestError,
    normalize_tx_hash,
    op_from_blobs,
    op_to_blobs,
)
from tests.offchain.sequencer.helpers import KEYS, P, deposit_req, exit_req, open_req


def _signed(nonce: int = 0) -> Op:
    return signed_op(OP_TRANSFER, KEYS[1], P.chain_id, nonce, 1, 0, 5, to=2)


def test_new_journal_is_wal_full_and_versioned(tmp_path):
    path = tmp_path / "j.db"
    with Journal(path, P) as j:
        db = j._db
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert raw.execute("PRAGMA user_version").fetchone()[0] == 1
    meta = dict(raw.execute("SELECT key, value FROM meta"))
    raw.close()
    assert meta["format"] == "hatchway-sequencer-journal" and meta["schema_version"] == "1"
    with Journal(path, P) as j:  # reopens
        assert j.priority_count() == 0 and j.last_batch_number() == 0


def test_foreign_files_are_refused(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello, this is not a database at all")
    with pytest.raises(JournalError, match="not a SQLite database"):
        Journal(text, P)
    other = tmp_path / "other.db"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    with pytest.raises(JournalError, match="not a sequencer journal"):
        Journal(other, P)
    # ... and the foreign database was not switched to WAL behind its owner's back.
    db = sqlite3.connect(other)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    db.close()


def test_corrupt_file_is_refused(tmp_path):
    path = tmp_path / "j.db"
    with Journal(path, P) as j:
        for i in range(50):
            j.append_l2(_signed(i), i)
    data = bytearray(path.read_bytes())
    assert len(data) > 3 * 4096
    data[4096:] = b"\xa5" * (len(data) - 4096)  # every page but the header page is garbage
    path.write_bytes(bytes(data))
    with pytest.raises(JournalError):
        Journal(path, P)


def test_other_schema_version_and_other_chain_are_refused(tmp_path):
    path = tmp_path / "j.db"
    Journal(path, P).close()
    with pytest.raises(JournalError, match="chain parameters"):
        Journal(path, ChainParams(account_depth=5, token_depth=2, slots=2, chain_id=1))
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version=2")
    db.close()
    with pytest.raises(JournalError, match="schema version 2"):
        Journal(path, P)


def test_one_opener_at_a_time(tmp_path):
    path = tmp_path / "j.db"
    j = Journal(path, P)
    with pytest.raises(JournalError, match="open in another"):
        Journal(path, P)
    j.close()
    j.close()  # idempotent
    Journal(path, P).close()
    with pytest.raises(JournalError, match="closed"):
        j.priority_count()


def test_op_blobs_round_trip():
    for op in (
        _signed(7),
        Op.open(3, 0xABC, 12345),
        Op.deposit(2, 1, 2**128 - 1),
        Op.forced_exit(1, 3, 99),
    ):
        assert op_from_blobs(*op_to_blobs(op)) == op


def test_l2_requests_keep_acceptance_order(tmp_path):
    with Journal(tmp_path / "j.db", P) as j:
        seqs = [j.append_l2(_signed(n), n) for n in range(5)]
        assert seqs == [1, 2, 3, 4, 5]
        assert [r.nonce for r in j.pending_l2()] == [0, 1, 2, 3, 4]
        assert [r.seq for r in j.pending_l2(after=2, limit=2)] == [3, 4]
        assert j.l2_request(3).op == _signed(2) and j.l2_request(9) is None
        j.reject_l2([(2, "because")])
        assert j.l2_request(2).status == "rejected" and j.l2_request(2).reason == "because"
        with pytest.raises(ValueError, match="not pending"):
            j.reject_l2([(4, "x"), (2, "again")])  # all or nothing
        assert j.l2_request(4).status == "pending"
        with pytest.raises(ValueError, match="only signed"):
            j.append_l2(Op.deposit(1, 0, 5), 0)


def test_priority_chain_and_queue_rules(tmp_path):
    reqs = [open_req(1), deposit_req(1, 50), exit_req(1)]
    with Journal(tmp_path / "j.db", P) as j:
        assert j.priority_chain(0) == bytes(32)
        for i, r in enumerate(reqs):
            assert j.append_priority(i, r, 100 + i) is True
        chain = bytes(32)
        for i, r in enumerate(reqs):
            chain = enc.fold_priority(chain, r)
            assert j.priority_chain(i + 1) == chain == j.priority_request(i).chain_after
        assert j.append_priority(1, reqs[1], 101) is False  # idempotent
        with pytest.raises(PriorityRequestError, match="journalled as"):
            j.append_priority(1, deposit_req(1, 51), 101)
        with pytest.raises(PriorityRequestError, match="journalled as"):
            j.append_priority(1, reqs[1], 999)
        with pytest.raises(PriorityRequestError, match="gap"):
            j.append_priority(5, reqs[0], 105)
        assert j.priority_count() == 3
        with pytest.raises(ValueError, match="beyond"):
            j.priority_chain(4)
        assert j.oldest_unserved_deadline() == 100


def _record(number: int, ops, start=bytes(32)) -> BatchRecord:
    return BatchRecord(
        number=number,
        ops=tuple(ops),
        prev_root=1,
        new_root=2,
        priority_start=start,
        priority_hash=start,
        priority_consumed=0,
        pubdata=bytes(P.pubdata_bytes),
        commitment=3,
        built_at=42,
    )


def test_record_batch_checks_what_it_consumes(tmp_path):
    with Journal(tmp_path / "j.db", P) as j:
        j.append_priority(0, open_req(1), 100)
        j.append_priority(1, deposit_req(1, 5), 101)
        s1 = j.append_l2(_signed(0), 0)
        s2 = j.append_l2(_signed(1), 1)
        op0, op1 = Op.open(1, 1, 1), Op.deposit(1, 0, 5)
        with pytest.raises(ValueError, match="not next in queue"):
            j.record_batch(_record(1, [op1]), [("priority", 1)])
        with pytest.raises(ValueError, match="not the next"):
            j.record_batch(_record(2, [op0]), [("priority", 0)])
        assert j.last_batch_number() == 0 and j.consumed_count() == 0  # rolled back
        j.record_batch(_record(1, [op0, _signed(0)]), [("priority", 0), ("l2", s1)], [(s2, "r")])
        b = j.batch(1)
        assert b.ops == (op0, _signed(0)) and b.status == "built" and b.built_at == 42
        assert j.l2_request(s1).status == "batched" and j.l2_request(s1).slot_index == 1
        assert j.l2_request(s2).status == "rejected" and j.l2_request(s2).batch == 1
        assert j.priority_request(0).status == "batched" and j.consumed_count() == 1
        with pytest.raises(ValueError, match="not pending"):
            j.record_batch(_record(2, [_signed(0)]), [("l2", s1)])
        assert [r.number for r in j.batches()] == [1] and j.batches("executed") == []


def test_status_lifecycle_is_ordered_and_idempotent(tmp_path):
    tx1, tx2 = "0x" + "11" * 32, bytes([0x22]) * 32
    with Journal(tmp_path / "j.db", P) as j:
        j.record_batch(_record(1, []), [])
        j.record_batch(_record(2, []), [])
        with pytest.raises(ValueError, match="cannot become proven"):
            j.set_batch_status(1, "proven", tx1)
        with pytest.raises(ValueError, match="batch 1 must be committed"):
            j.set_batch_status(2, "committed", tx1)
        assert j.set_batch_status(1, "committed", tx1.upper().replace("0X", "0x")) is True
        assert j.set_batch_status(1, "committed", tx1) is False
        with pytest.raises(ValueError, match="already committed"):
            j.set_batch_status(1, "committed", tx2)
        assert j.set_batch_status(2, "committed", tx2) is True
        assert j.batch(2).commit_tx == "0x" + "22" * 32
        for status in ("proven", "executed"):
            for n in (1, 2):
                assert j.set_batch_status(n, status, tx1) is True
        assert j.set_batch_status(1, "committed", tx1) is False  # already past, same tx
        assert [b.status for b in j.batches()] == ["executed", "executed"]
        with pytest.raises(ValueError, match="no batch"):
            j.set_batch_status(3, "committed", tx1)
        with pytest.raises(ValueError, match="cannot set"):
            j.set_batch_status(1, "built", tx1)


@pytest.mark.parametrize("bad", ["0x12", "ab" * 32, "0x" + "zz" * 32, b"\x00" * 31, 5])
def test_bad_tx_hashes(bad):
    with pytest.raises(ValueError, match="tx hash"):
        normalize_tx_hash(bad)


def test_key_hash_helper_matches_eddsa():
    # guards the helpers the other tests build their requests with
    assert open_req(1)[25:] == enc.key_hash(*eddsa.public_key(KEYS[1])).to_bytes(32, "big")
