"""request_forced_exit: only the account owner, known tokens, one pending per account until the
batch consuming it executes (docs/protocol.md §4)."""

import boa

from tests.unitary.rollup import protocol_ref as ref
from tests.unitary.rollup.conftest import (
    DEADLINE,
    KEY_A,
    ROOT_1,
    ROOT_2,
    assert_reverts,
    commit,
    deposit_slot,
    open_eth,
    pad,
    prove,
    run_batch,
)


def test_request_is_queued(rollup, alice):
    aid = open_eth(rollup, alice, 100, KEY_A)
    now = boa.env.evm.patch.timestamp
    rollup.request_forced_exit(aid, 0, sender=alice)
    logs = rollup.get_logs()
    reqs = [ref.open_slot(aid, alice, KEY_A), ref.request(deposit_slot(aid, 0, 100))]
    forced = ref.request(ref.generic(ref.FORCED_EXIT, aid, 0, 0, 0))
    assert len(forced) == 11
    assert rollup.priority_count() == 3
    assert rollup.priority_chain(3) == ref.chain([*reqs, forced])[3]
    assert rollup.priority_deadline_of(2) == now + DEADLINE
    assert rollup.forced_exit_pending(aid)
    (log,) = [e for e in logs if type(e).__name__ == "PriorityRequest"]
    assert (log.index, log.request) == (2, forced)


def test_only_the_owner(rollup, alice, bob):
    aid = open_eth(rollup, alice, 100, KEY_A)
    assert_reverts(
        rollup,
        "Rollup: not the account owner",
        rollup.request_forced_exit,
        aid,
        0,
        sender=bob,
        watch=(alice, bob),
    )
    assert_reverts(
        rollup,
        "Rollup: not the account owner",
        rollup.request_forced_exit,
        0,
        0,
        sender=bob,
        watch=(alice, bob),
    )


def test_unknown_token(rollup, alice):
    aid = open_eth(rollup, alice, 100, KEY_A)
    assert_reverts(
        rollup,
        "Rollup: unknown token",
        rollup.request_forced_exit,
        aid,
        1,
        sender=alice,
        watch=(alice,),
    )


def test_one_pending_until_executed(rollup, sequencer, batch_prover, alice, token):
    aid = open_eth(rollup, alice, 100, KEY_A)
    rollup.request_forced_exit(aid, 0, sender=alice)
    # pending: another one, even for another token, is refused
    assert_reverts(
        rollup,
        "Rollup: forced exit already pending",
        rollup.request_forced_exit,
        aid,
        1,
        sender=alice,
        watch=(alice,),
    )
    run_batch(
        rollup,
        sequencer,
        batch_prover,
        pad(ref.open_slot(aid, alice, KEY_A), deposit_slot(aid, 0, 100)),
        ROOT_1,
    )
    # committed and proven but not executed: still pending
    forced = ref.generic(ref.FORCED_EXIT, aid, 0, 0, 100)
    number = commit(rollup, sequencer, pad(forced), ROOT_2)
    prove(rollup, sequencer, batch_prover, number)
    assert rollup.forced_exit_pending(aid)
    assert_reverts(
        rollup,
        "Rollup: forced exit already pending",
        rollup.request_forced_exit,
        aid,
        0,
        sender=alice,
        watch=(alice,),
    )
    rollup.execute_batch(number, [(aid, 0, 100)], sender=sequencer)
    assert not rollup.forced_exit_pending(aid)
    assert rollup.claimable(alice, 0) == 100
    rollup.request_forced_exit(aid, 1, sender=alice)
    assert rollup.forced_exit_pending(aid)


def test_no_request_in_escape_mode(rollup, alice):
    aid = open_eth(rollup, alice, 100, KEY_A)
    boa.env.time_travel(seconds=DEADLINE + 1)
    rollup.activate_escape_mode()
    assert_reverts(
        rollup,
        "Rollup: escape mode",
        rollup.request_forced_exit,
        aid,
        0,
        sender=alice,
        watch=(alice,),
    )
