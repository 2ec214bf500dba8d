"""The operator's batching policy (ChainDriver.should_build): L1 requests are served at once,
deadline pressure always forces a batch, L2 ops wait for a full batch or ``max_wait``."""

from __future__ import annotations

from offchain.l1.driver import ChainDriver
from tests.offchain.sequencer.helpers import DEADLINE, deposit_req, funded, transfer


def _driver(tmp_path):
    seq = funded(tmp_path / "j.sqlite")
    return seq, ChainDriver(seq, client=None, sender="0x0")


def test_idle_chain_builds_nothing(tmp_path):
    seq, d = _driver(tmp_path)
    # funded() built but never executed its batches: their requests are still unserved, so only
    # a deadline far away keeps the policy idle.
    assert not d.should_build(0, margin=10, max_wait=5, oldest_pending_at=None)
    assert d.should_build(DEADLINE, margin=10, max_wait=5, oldest_pending_at=None)


def test_a_priority_request_is_served_without_waiting(tmp_path):
    seq, d = _driver(tmp_path)
    seq.add_priority_request(seq.journal.priority_count(), deposit_req(1, 5), DEADLINE * 10)
    assert d.should_build(0, margin=10, max_wait=10**9, oldest_pending_at=None)


def test_l2_ops_wait_for_a_full_batch_or_max_wait(tmp_path):
    seq, d = _driver(tmp_path)
    seq.submit(transfer(seq, 1, 2, 5))
    assert not d.should_build(100, margin=10, max_wait=50, oldest_pending_at=90)
    assert d.should_build(140, margin=10, max_wait=50, oldest_pending_at=90)
    seq.submit(transfer(seq, 2, 3, 5))  # the batch (2 slots) is now full
    assert d.should_build(100, margin=10, max_wait=50, oldest_pending_at=90)
