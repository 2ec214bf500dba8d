"""prove_batch, execute_batch and claim (docs/protocol.md §5), with real Groth16 proofs."""

import boa
import pytest

from tests.unitary.rollup import protocol_ref as ref
from tests.unitary.rollup.conftest import (
    DEADLINE,
    ETH,
    KEY_A,
    KEY_B,
    ROOT_1,
    ROOT_2,
    ZERO_ADDRESS,
    assert_reverts,
    commit,
    deposit_slot,
    open_eth,
    pad,
    prove,
    run_batch,
)


@pytest.fixture
def committed(rollup, sequencer, alice, bob, token):
    """Batch 1 (alice opens, deposits 10 ETH) and batch 2 (bob opens; alice withdraws 4 ETH)
    committed; bob's token deposit is still queued."""
    a = open_eth(rollup, alice, 10 * ETH, KEY_A)
    rollup.deposit(bob, token.address, 500, KEY_B, sender=bob)
    commit(
        rollup, sequencer, pad(ref.open_slot(a, alice, KEY_A), deposit_slot(a, 0, 10 * ETH)), ROOT_1
    )
    withdraw = ref.generic(ref.WITHDRAW, a, 0, 0, 4 * ETH)
    commit(rollup, sequencer, pad(ref.open_slot(2, bob, KEY_B), withdraw), ROOT_2)
    return rollup


def test_prove_and_execute(committed, sequencer, batch_prover, alice):
    rollup = committed
    assert rollup.proven_root(1) == 0
    prove(rollup, sequencer, batch_prover, 1)
    assert [type(e).__name__ for e in rollup.get_logs()] == ["BatchProven"]
    assert (
        rollup.last_proven() == 1 and rollup.proven_root(1) == ROOT_1 and rollup.proven_root(2) == 0
    )
    assert rollup.proven_root(0) == 0
    rollup.execute_batch(1, [], sender=sequencer)
    (log,) = rollup.get_logs()
    assert (log.number, log.new_root, log.priority_served) == (1, ROOT_1, 2)
    assert (rollup.last_executed(), rollup.executed_root(), rollup.priority_served()) == (
        1,
        ROOT_1,
        2,
    )
    prove(rollup, sequencer, batch_prover, 2)
    rollup.execute_batch(2, [(1, 0, 4 * ETH)], sender=sequencer)
    assert rollup.claimable(alice, 0) == 4 * ETH
    assert rollup.escrowed(0) == 6 * ETH
    assert (rollup.executed_root(), rollup.priority_served(), rollup.proven_root(2)) == (
        ROOT_2,
        3,
        ROOT_2,
    )


def test_invalid_proof(committed, sequencer, batch_prover, exit_prover):
    rollup = committed
    commitment = rollup.batch(1)[1]
    # a real proof of another value; the right value under the wrong key; a tampered proof
    assert_reverts(
        rollup,
        "Rollup: invalid proof",
        rollup.prove_batch,
        1,
        batch_prover.proof(commitment + 1),
        sender=sequencer,
    )
    assert_reverts(
        rollup,
        "Rollup: invalid proof",
        rollup.prove_batch,
        1,
        exit_prover.proof(commitment),
        sender=sequencer,
    )
    a, b, c = batch_prover.proof(commitment)
    assert_reverts(
        rollup,
        "Rollup: invalid proof",
        rollup.prove_batch,
        1,
        (a, b, [c[0], c[1] + 1]),
        sender=sequencer,
    )
    # batch 2's proof does not prove batch 1
    assert_reverts(
        rollup,
        "Rollup: invalid proof",
        rollup.prove_batch,
        1,
        batch_prover.proof(rollup.batch(2)[1]),
        sender=sequencer,
    )


def test_prove_number_rules(committed, sequencer, batch_prover):
    rollup = committed
    proof2 = batch_prover.proof(rollup.batch(2)[1])
    assert_reverts(
        rollup, "Rollup: wrong batch number", rollup.prove_batch, 2, proof2, sender=sequencer
    )
    assert_reverts(
        rollup, "Rollup: wrong batch number", rollup.prove_batch, 0, proof2, sender=sequencer
    )
    prove(rollup, sequencer, batch_prover, 1)
    prove(rollup, sequencer, batch_prover, 2)
    # replay
    assert_reverts(
        rollup, "Rollup: wrong batch number", rollup.prove_batch, 2, proof2, sender=sequencer
    )
    # nothing committed beyond
    assert_reverts(
        rollup,
        "Rollup: batch not committed",
        rollup.prove_batch,
        3,
        batch_prover.proof(0),
        sender=sequencer,
    )


def test_prove_not_sequencer(committed, owner, batch_prover):
    proof = batch_prover.proof(committed.batch(1)[1])
    assert_reverts(
        committed, "Rollup: not the sequencer", committed.prove_batch, 1, proof, sender=owner
    )


def test_execute_rules(committed, sequencer, batch_prover, alice):
    rollup = committed
    assert_reverts(
        rollup,
        "Rollup: batch not proven",
        rollup.execute_batch,
        1,
        [],
        sender=sequencer,
        watch=(alice,),
    )
    prove(rollup, sequencer, batch_prover, 1)
    prove(rollup, sequencer, batch_prover, 2)
    assert_reverts(
        rollup,
        "Rollup: wrong batch number",
        rollup.execute_batch,
        2,
        [(1, 0, 4 * ETH)],
        sender=sequencer,
        watch=(alice,),
    )
    # batch 1 has no withdrawals
    assert_reverts(
        rollup,
        "Rollup: withdrawals mismatch",
        rollup.execute_batch,
        1,
        [(1, 0, 1)],
        sender=sequencer,
        watch=(alice,),
    )
    rollup.execute_batch(1, [], sender=sequencer)
    assert_reverts(
        rollup,
        "Rollup: wrong batch number",
        rollup.execute_batch,
        1,
        [],
        sender=sequencer,
        watch=(alice,),
    )
    for wrong in (
        [],
        [(1, 0, 4 * ETH - 1)],
        [(2, 0, 4 * ETH)],
        [(1, 1, 4 * ETH)],
        [(1, 0, 4 * ETH)] * 2,
    ):
        assert_reverts(
            rollup,
            "Rollup: withdrawals mismatch",
            rollup.execute_batch,
            2,
            wrong,
            sender=sequencer,
            watch=(alice,),
        )
    assert_reverts(
        rollup,
        "Rollup: not the sequencer",
        rollup.execute_batch,
        2,
        [(1, 0, 4 * ETH)],
        sender=alice,
        watch=(alice,),
    )
    rollup.execute_batch(2, [(1, 0, 4 * ETH)], sender=sequencer)
    # replay
    assert_reverts(
        rollup,
        "Rollup: wrong batch number",
        rollup.execute_batch,
        2,
        [(1, 0, 4 * ETH)],
        sender=sequencer,
        watch=(alice,),
    )


def test_claim(rollup, sequencer, batch_prover, alice, bob, outsider, token):
    a = open_eth(rollup, alice, 10 * ETH, KEY_A)
    rollup.deposit(alice, token.address, 700, 0, sender=alice)
    run_batch(
        rollup,
        sequencer,
        batch_prover,
        pad(ref.open_slot(a, alice, KEY_A), deposit_slot(a, 0, 10 * ETH)),
        ROOT_1,
    )
    run_batch(
        rollup,
        sequencer,
        batch_prover,
        pad(deposit_slot(a, 1, 700), ref.generic(ref.WITHDRAW, a, 0, 1, 300)),
        ROOT_2,
    )
    run_batch(
        rollup, sequencer, batch_prover, pad(ref.generic(ref.WITHDRAW, a, 0, 0, 3 * ETH)), ROOT_1
    )
    assert (rollup.claimable(alice, 0), rollup.claimable(alice, 1)) == (3 * ETH, 300)
    assert (rollup.escrowed(0), rollup.escrowed(1)) == (7 * ETH, 400)
    eth_before, tok_before = boa.env.get_balance(alice), token.balanceOf(alice)
    rollup.claim(alice, 0, sender=outsider)  # anyone may call it; alice is paid
    (log,) = rollup.get_logs()
    assert (log.owner, log.token, log.amount) == (alice, 0, 3 * ETH)
    token.set_blocked_recipient(alice)
    assert_reverts(
        rollup,
        "Rollup: transfer failed",
        rollup.claim,
        alice,
        1,
        sender=alice,
        watch=(alice,),
        token=token,
    )
    token.set_blocked_recipient(ZERO_ADDRESS)
    rollup.claim(alice, 1, sender=alice)
    assert boa.env.get_balance(alice) == eth_before + 3 * ETH
    assert token.balanceOf(alice) == tok_before + 300
    assert (rollup.claimable(alice, 0), rollup.claimable(alice, 1)) == (0, 0)
    assert_reverts(
        rollup, "Rollup: nothing to claim", rollup.claim, alice, 0, sender=alice, watch=(alice,)
    )
    assert_reverts(
        rollup, "Rollup: nothing to claim", rollup.claim, bob, 1, sender=bob, watch=(bob,)
    )


def test_forced_exit_of_zero_is_credited_as_nothing(rollup, sequencer, batch_prover, alice):
    a = open_eth(rollup, alice, 10, KEY_A)
    rollup.request_forced_exit(a, 0, sender=alice)
    run_batch(
        rollup,
        sequencer,
        batch_prover,
        pad(ref.open_slot(a, alice, KEY_A), deposit_slot(a, 0, 10)),
        ROOT_1,
    )
    run_batch(
        rollup, sequencer, batch_prover, pad(ref.generic(ref.FORCED_EXIT, a, 0, 0, 0)), ROOT_1
    )
    assert rollup.claimable(alice, 0) == 0 and rollup.priority_served() == 3


def test_no_prove_or_execute_in_escape_mode(committed, sequencer, batch_prover):
    rollup = committed
    prove(rollup, sequencer, batch_prover, 1)
    boa.env.time_travel(seconds=DEADLINE + 1)
    rollup.activate_escape_mode()
    assert rollup.proven_root(1) == 0  # proven but never to be executed
    assert_reverts(
        rollup,
        "Rollup: escape mode",
        rollup.prove_batch,
        2,
        batch_prover.proof(rollup.batch(2)[1]),
        sender=sequencer,
    )
    assert_reverts(rollup, "Rollup: escape mode", rollup.execute_batch, 1, [], sender=sequencer)


def test_withdrawals_fold_in_slot_order(rollup, sequencer, batch_prover, alice, bob):
    a = open_eth(rollup, alice, 100, KEY_A)
    b = open_eth(rollup, bob, 100, KEY_B)
    run_batch(
        rollup,
        sequencer,
        batch_prover,
        pad(ref.open_slot(a, alice, KEY_A), deposit_slot(a, 0, 100)),
        ROOT_1,
    )
    run_batch(
        rollup,
        sequencer,
        batch_prover,
        pad(ref.open_slot(b, bob, KEY_B), deposit_slot(b, 0, 100)),
        ROOT_2,
    )
    rollup.request_forced_exit(b, 0, sender=bob)
    pubdata = pad(ref.generic(ref.FORCED_EXIT, b, 0, 0, 60), ref.generic(ref.WITHDRAW, a, 0, 0, 30))
    number = commit(rollup, sequencer, pubdata, ROOT_1)
    prove(rollup, sequencer, batch_prover, number)
    items = [(b, 0, 60), (a, 0, 30)]
    assert_reverts(
        rollup,
        "Rollup: withdrawals mismatch",
        rollup.execute_batch,
        number,
        items[::-1],
        sender=sequencer,
        watch=(alice, bob),
    )
    rollup.execute_batch(number, items, sender=sequencer)
    logs = [e for e in rollup.get_logs() if type(e).__name__ == "WithdrawalCredited"]
    assert [(e.owner, e.token, e.amount) for e in logs] == [(bob, 0, 60), (alice, 0, 30)]
    assert (rollup.claimable(alice, 0), rollup.claimable(bob, 0), rollup.escrowed(0)) == (
        30,
        60,
        110,
    )
    assert not rollup.forced_exit_pending(b)
