"""commit_batch: number, previous root, pubdata length, priority slots against the queue, op
types, sequencer only, not in escape mode; the stored record equals the Python reference."""

import boa
import pytest

from tests.unitary.rollup import protocol_ref as ref
from tests.unitary.rollup.conftest import (
    DEADLINE,
    KEY_A,
    KEY_B,
    ROOT_1,
    ROOT_2,
    assert_reverts,
    commit,
    deposit_slot,
    header_for,
    open_eth,
    pad,
)


@pytest.fixture
def queued(rollup, alice, bob):
    """alice and bob opened accounts with ETH deposits: four requests queued."""
    a = open_eth(rollup, alice, 100, KEY_A)
    b = open_eth(rollup, bob, 50, KEY_B)
    return {
        "open_a": ref.open_slot(a, alice, KEY_A),
        "dep_a": deposit_slot(a, 0, 100),
        "open_b": ref.open_slot(b, bob, KEY_B),
        "dep_b": deposit_slot(b, 0, 50),
    }


def test_commit_two_batches(rollup, sequencer, queued):
    n1 = commit(rollup, sequencer, pad(queued["open_a"], queued["dep_a"]), ROOT_1)
    assert (n1, rollup.last_committed(), rollup.priority_committed()) == (1, 1, 2)
    withdraw = ref.generic(ref.WITHDRAW, 1, 0, 0, 30)
    n2 = commit(rollup, sequencer, pad(queued["open_b"], withdraw), ROOT_2)
    assert (n2, rollup.priority_committed(), rollup.last_proven(), rollup.last_executed()) == (
        2,
        3,
        0,
        0,
    )
    assert rollup.batch(2)[3] == ref.withdrawals_hash([(1, 0, 30)])


def test_commit_event(rollup, sequencer, queued):
    pubdata = pad(queued["open_a"], queued["dep_a"])
    header = header_for(rollup, pubdata, ROOT_1)
    rollup.commit_batch(header, pubdata, sender=sequencer)
    (log,) = [e for e in rollup.get_logs() if type(e).__name__ == "BatchCommitted"]
    expected = ref.commitment(header[1], ROOT_1, header[3], pubdata)
    assert (log.number, log.new_root, log.commitment) == (1, ROOT_1, expected)


def test_empty_batch_carries_the_current_chain_value(rollup, sequencer, queued):
    commit(rollup, sequencer, pad(ref.generic(ref.TRANSFER, 1, 2, 0, 5)), ROOT_1)
    assert rollup.batch(1)[2] == 0 and rollup.priority_committed() == 0


def test_wrong_number(rollup, sequencer, queued):
    pubdata = pad(queued["open_a"])
    header = list(header_for(rollup, pubdata, ROOT_1))
    for number in (0, 2):
        header[0] = number
        assert_reverts(
            rollup,
            "Rollup: wrong batch number",
            rollup.commit_batch,
            tuple(header),
            pubdata,
            sender=sequencer,
        )


def test_wrong_prev_root(rollup, sequencer, queued):
    pubdata = pad(queued["open_a"])
    header = list(header_for(rollup, pubdata, ROOT_1))
    header[1] += 1
    assert_reverts(
        rollup,
        "Rollup: wrong prev root",
        rollup.commit_batch,
        tuple(header),
        pubdata,
        sender=sequencer,
    )
    commit(rollup, sequencer, pubdata, ROOT_1)
    pubdata = pad(queued["dep_a"])
    header = list(header_for(rollup, pubdata, ROOT_2))
    assert header[1] == ROOT_1
    header[1] = rollup.GENESIS_ROOT()
    assert_reverts(
        rollup,
        "Rollup: wrong prev root",
        rollup.commit_batch,
        tuple(header),
        pubdata,
        sender=sequencer,
    )


@pytest.mark.parametrize("delta", [-1, 1, -57, 57])
def test_wrong_pubdata_length(rollup, sequencer, queued, delta):
    pubdata = pad()
    header = header_for(rollup, pubdata, ROOT_1)
    bad = pubdata[:delta] if delta < 0 else pubdata + bytes(delta)
    assert_reverts(
        rollup, "Rollup: wrong pubdata length", rollup.commit_batch, header, bad, sender=sequencer
    )


def test_nonzero_message_root(rollup, sequencer, queued):
    pubdata = pad()
    header = list(header_for(rollup, pubdata, ROOT_1))
    header[4] = b"\x01" * 32
    assert_reverts(
        rollup,
        "Rollup: message root must be zero",
        rollup.commit_batch,
        tuple(header),
        pubdata,
        sender=sequencer,
    )


def test_priority_mismatch(rollup, sequencer, queued):
    # out of order
    pubdata = pad(queued["dep_a"], queued["open_a"])
    assert_reverts(
        rollup,
        "Rollup: priority requests mismatch",
        rollup.commit_batch,
        header_for(rollup, pubdata, ROOT_1),
        pubdata,
        sender=sequencer,
    )
    # a skipped request
    pubdata = pad(queued["dep_a"])
    assert_reverts(
        rollup,
        "Rollup: priority requests mismatch",
        rollup.commit_batch,
        header_for(rollup, pubdata, ROOT_1),
        pubdata,
        sender=sequencer,
    )
    # a forged amount
    pubdata = pad(queued["open_a"], deposit_slot(1, 0, 101))
    assert_reverts(
        rollup,
        "Rollup: priority requests mismatch",
        rollup.commit_batch,
        header_for(rollup, pubdata, ROOT_1),
        pubdata,
        sender=sequencer,
    )
    # a request that was never queued
    commit(rollup, sequencer, pad(queued["open_a"], queued["dep_a"]), ROOT_1)
    commit(rollup, sequencer, pad(queued["open_b"], queued["dep_b"]), ROOT_2)
    pubdata = pad(deposit_slot(1, 0, 1))
    assert_reverts(
        rollup,
        "Rollup: batch consumes unqueued requests",
        rollup.commit_batch,
        header_for(rollup, pubdata, ROOT_1),
        pubdata,
        sender=sequencer,
    )


def test_wrong_priority_hash_in_header(rollup, sequencer, queued):
    pubdata = pad(queued["open_a"])
    header = list(header_for(rollup, pubdata, ROOT_1))
    header[3] = rollup.priority_chain(0)
    assert_reverts(
        rollup,
        "Rollup: wrong priority hash",
        rollup.commit_batch,
        tuple(header),
        pubdata,
        sender=sequencer,
    )


@pytest.mark.parametrize("op", [6, 7, 0x80, 0xFF])
def test_unknown_op_type(rollup, sequencer, queued, op):
    pubdata = pad(queued["open_a"], bytes([op]) + bytes(56))
    assert_reverts(
        rollup,
        "Rollup: unknown op type",
        rollup.commit_batch,
        header_for(rollup, pubdata, ROOT_1),
        pubdata,
        sender=sequencer,
    )


def test_not_sequencer(rollup, owner, queued):
    pubdata = pad(queued["open_a"])
    assert_reverts(
        rollup,
        "Rollup: not the sequencer",
        rollup.commit_batch,
        header_for(rollup, pubdata, ROOT_1),
        pubdata,
        sender=owner,
    )


def test_escape_mode(rollup, sequencer, queued):
    boa.env.time_travel(seconds=DEADLINE + 1)
    rollup.activate_escape_mode()
    pubdata = pad(queued["open_a"])
    assert_reverts(
        rollup,
        "Rollup: escape mode",
        rollup.commit_batch,
        header_for(rollup, pubdata, ROOT_1),
        pubdata,
        sender=sequencer,
    )


def test_full_size_batch(deployer, sequencer, alice, batch_prover):
    """slots = 1024 (the maximum): priority slots anywhere, the record matches the reference and
    a real proof of the Python commitment proves it."""
    rollup = deployer.deploy(sequencer, slots=1024)
    boa.env.set_balance(alice, 10**18)
    open_eth(rollup, alice, 10**6, KEY_A)
    rollup.request_forced_exit(1, 0, sender=alice)
    slots = [bytes(ref.SLOT)] * 1024
    slots[3] = ref.generic(ref.WITHDRAW, 1, 0, 0, 5)  # withdrawals fold in slot order
    slots[500] = ref.open_slot(1, alice, KEY_A)
    slots[777] = ref.generic(ref.TRANSFER, 1, 1, 0, 9)
    slots[1000] = deposit_slot(1, 0, 10**6)
    slots[1023] = ref.generic(ref.FORCED_EXIT, 1, 0, 0, 10**6 - 5)
    pubdata = b"".join(slots)
    header = header_for(rollup, pubdata, ROOT_1)
    rollup.commit_batch(header, pubdata, sender=sequencer)
    w = ref.withdrawals_hash([(1, 0, 5), (1, 0, 10**6 - 5)])
    expected = ref.commitment(rollup.GENESIS_ROOT(), ROOT_1, rollup.priority_chain(3), pubdata)
    assert tuple(rollup.batch(1)) == (ROOT_1, expected, 3, w)
    rollup.prove_batch(1, batch_prover.proof(expected), sender=sequencer)
    rollup.execute_batch(1, [(1, 0, 5), (1, 0, 10**6 - 5)], sender=sequencer)
    assert rollup.claimable(alice, 0) == 10**6 and rollup.escrowed(0) == 0
