"""Escape mode (docs/protocol.md §6): activation at the deadline of the oldest unserved request,
exits against the executed root with real exit proofs, refunds of unserved deposits in order."""

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
    assert_reverts,
    commit,
    deposit_slot,
    open_eth,
    pad,
    prove,
    run_batch,
)


def _now():
    return boa.env.evm.patch.timestamp


def _to(timestamp):
    boa.env.time_travel(seconds=timestamp - _now())


# ---------------------------------------------------------------- activation


def test_activation_timing(rollup, alice, outsider):
    open_eth(rollup, alice, 1, KEY_A)
    deadline = rollup.priority_deadline_of(0)
    assert deadline == _now() + DEADLINE
    _to(deadline - 1)
    assert_reverts(
        rollup, "Rollup: deadline not passed", rollup.activate_escape_mode, sender=outsider
    )
    _to(deadline)  # exactly at the deadline the request is not yet overdue
    assert_reverts(
        rollup, "Rollup: deadline not passed", rollup.activate_escape_mode, sender=outsider
    )
    _to(deadline + 1)
    rollup.activate_escape_mode(sender=outsider)
    (log,) = rollup.get_logs()
    assert log.request_index == 0
    assert rollup.escape_mode() and rollup.refund_next() == 0
    assert_reverts(
        rollup, "Rollup: escape mode already active", rollup.activate_escape_mode, sender=outsider
    )


def test_no_unserved_request(rollup, sequencer, batch_prover, alice, outsider):
    assert_reverts(
        rollup, "Rollup: no unserved request", rollup.activate_escape_mode, sender=outsider
    )
    a = open_eth(rollup, alice, 1, KEY_A)
    run_batch(
        rollup,
        sequencer,
        batch_prover,
        pad(ref.open_slot(a, alice, KEY_A), deposit_slot(a, 0, 1)),
        ROOT_1,
    )
    boa.env.time_travel(seconds=10 * DEADLINE)
    assert_reverts(
        rollup, "Rollup: no unserved request", rollup.activate_escape_mode, sender=outsider
    )


def test_oldest_unserved_counts_committed_is_not_served(
    rollup, sequencer, batch_prover, alice, bob, outsider
):
    a = open_eth(rollup, alice, 1, KEY_A)
    boa.env.time_travel(seconds=DEADLINE // 2)
    open_eth(rollup, bob, 1, KEY_B)
    commit(rollup, sequencer, pad(ref.open_slot(a, alice, KEY_A), deposit_slot(a, 0, 1)), ROOT_1)
    prove(rollup, sequencer, batch_prover, 1)
    _to(rollup.priority_deadline_of(0) + 1)
    rollup.activate_escape_mode(sender=outsider)  # committed and proven, but not executed


def test_served_requests_move_the_deadline(rollup, sequencer, batch_prover, alice, bob, outsider):
    a = open_eth(rollup, alice, 1, KEY_A)
    boa.env.time_travel(seconds=DEADLINE // 2)
    open_eth(rollup, bob, 1, KEY_B)
    run_batch(
        rollup,
        sequencer,
        batch_prover,
        pad(ref.open_slot(a, alice, KEY_A), deposit_slot(a, 0, 1)),
        ROOT_1,
    )
    _to(rollup.priority_deadline_of(0) + 1)
    assert_reverts(
        rollup, "Rollup: deadline not passed", rollup.activate_escape_mode, sender=outsider
    )
    _to(rollup.priority_deadline_of(2) + 1)
    rollup.activate_escape_mode(sender=outsider)
    assert rollup.refund_next() == 2


# ---------------------------------------------------------------- exits and refunds


@pytest.fixture
def escaped(rollup, sequencer, batch_prover, alice, bob, token):
    """Executed: alice's account (1) with 10 ETH and 600 tokens (root ROOT_1). Unserved: bob's
    OPEN + DEPOSIT of 3 ETH (requests 3, 4; committed in batch 2, not executed), alice's forced
    exit (5) and alice's 250-token deposit (6). Escape mode is on."""
    a = open_eth(rollup, alice, 10 * ETH, KEY_A)
    rollup.deposit(alice, token.address, 600, 0, sender=alice)
    run_batch(
        rollup,
        sequencer,
        batch_prover,
        pad(ref.open_slot(a, alice, KEY_A), deposit_slot(a, 0, 10 * ETH)),
        ROOT_2,
    )
    run_batch(rollup, sequencer, batch_prover, pad(deposit_slot(a, 1, 600)), ROOT_1)
    b = open_eth(rollup, bob, 3 * ETH, KEY_B)
    commit(
        rollup, sequencer, pad(ref.open_slot(b, bob, KEY_B), deposit_slot(b, 0, 3 * ETH)), ROOT_2
    )
    rollup.request_forced_exit(a, 1, sender=alice)
    rollup.deposit(alice, token.address, 250, 0, sender=alice)
    _to(rollup.priority_deadline_of(3) + 1)
    rollup.activate_escape_mode()
    requests = [
        ref.open_slot(b, bob, KEY_B),
        ref.request(deposit_slot(b, 0, 3 * ETH)),
        ref.request(ref.generic(ref.FORCED_EXIT, a, 0, 1, 0)),
        ref.request(deposit_slot(a, 1, 250)),
    ]
    return {"a": a, "b": b, "requests": requests}


def _exit_proof(rollup, exit_prover, account, owner, token, amount, root=None):
    root = rollup.executed_root() if root is None else root
    return exit_prover.proof(ref.exit_commitment(root, account, owner, token, amount))


def test_exit_pays_eth_and_tokens(rollup, exit_prover, escaped, alice, outsider, token):
    assert rollup.executed_root() == ROOT_1
    eth_before = boa.env.get_balance(alice)
    proof = _exit_proof(rollup, exit_prover, 1, alice, 0, 10 * ETH)
    rollup.exit(1, alice, 0, 10 * ETH, proof, sender=outsider)
    (log,) = rollup.get_logs()
    assert (log.account, log.owner, log.token, log.amount, log.paid) == (
        1,
        alice,
        0,
        10 * ETH,
        True,
    )
    assert boa.env.get_balance(alice) == eth_before + 10 * ETH
    assert rollup.exited(1, 0) and not rollup.exited(1, 1)
    assert (
        rollup.account_owner(1) == alice and rollup.account_of(alice) == 1
    )  # flags packed beside the owner
    assert rollup.escrowed(0) == 3 * ETH
    tok_before = token.balanceOf(alice)
    rollup.exit(1, alice, 1, 600, _exit_proof(rollup, exit_prover, 1, alice, 1, 600), sender=alice)
    assert token.balanceOf(alice) == tok_before + 600
    assert_reverts(
        rollup,
        "Rollup: already exited",
        rollup.exit,
        1,
        alice,
        0,
        10 * ETH,
        proof,
        sender=outsider,
        watch=(alice,),
    )


def test_exit_failed_transfer_is_credited(rollup, exit_prover, escaped, alice, token):
    token.set_blocked_recipient(alice)
    rollup.exit(1, alice, 1, 600, _exit_proof(rollup, exit_prover, 1, alice, 1, 600), sender=alice)
    assert not rollup.get_logs()[-1].paid
    assert rollup.claimable(alice, 1) == 600 and rollup.exited(1, 1)
    token.set_blocked_recipient("0x0000000000000000000000000000000000000000")
    token.set_return_false(True)
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
    token.set_return_false(False)
    rollup.claim(alice, 1, sender=alice)
    assert rollup.claimable(alice, 1) == 0


def test_exit_rejections(rollup, exit_prover, batch_prover, escaped, alice, bob):
    good = _exit_proof(rollup, exit_prover, 1, alice, 0, 10 * ETH)
    w = (alice, bob)
    # the proof binds every field
    assert_reverts(
        rollup,
        "Rollup: invalid proof",
        rollup.exit,
        1,
        alice,
        0,
        10 * ETH - 1,
        good,
        sender=alice,
        watch=w,
    )
    assert_reverts(
        rollup,
        "Rollup: invalid proof",
        rollup.exit,
        1,
        alice,
        0,
        10 * ETH + 1,
        good,
        sender=alice,
        watch=w,
    )
    # a proof against an older root (batch 1's) or with the batch key
    stale = _exit_proof(rollup, exit_prover, 1, alice, 0, 10 * ETH, root=ROOT_2)
    assert_reverts(
        rollup,
        "Rollup: invalid proof",
        rollup.exit,
        1,
        alice,
        0,
        10 * ETH,
        stale,
        sender=alice,
        watch=w,
    )
    batch_key = batch_prover.proof(ref.exit_commitment(ROOT_1, 1, alice, 0, 10 * ETH))
    assert_reverts(
        rollup,
        "Rollup: invalid proof",
        rollup.exit,
        1,
        alice,
        0,
        10 * ETH,
        batch_key,
        sender=alice,
        watch=w,
    )
    # owner must be the account's owner (even with a proof that names another owner)
    forged = _exit_proof(rollup, exit_prover, 1, bob, 0, 10 * ETH)
    assert_reverts(
        rollup,
        "Rollup: not the account owner",
        rollup.exit,
        1,
        bob,
        0,
        10 * ETH,
        forged,
        sender=bob,
        watch=w,
    )
    assert_reverts(
        rollup,
        "Rollup: not the account owner",
        rollup.exit,
        9,
        alice,
        0,
        10 * ETH,
        good,
        sender=bob,
        watch=w,
    )
    assert_reverts(
        rollup, "Rollup: zero amount", rollup.exit, 1, alice, 0, 0, good, sender=alice, watch=w
    )
    assert_reverts(
        rollup,
        "Rollup: amount too large",
        rollup.exit,
        1,
        alice,
        0,
        2**128,
        good,
        sender=alice,
        watch=w,
    )
    assert_reverts(
        rollup,
        "Rollup: unknown token",
        rollup.exit,
        1,
        alice,
        3,
        10 * ETH,
        good,
        sender=alice,
        watch=w,
    )


def test_exit_needs_escape_mode(rollup, sequencer, batch_prover, exit_prover, alice):
    a = open_eth(rollup, alice, 5, KEY_A)
    run_batch(
        rollup,
        sequencer,
        batch_prover,
        pad(ref.open_slot(a, alice, KEY_A), deposit_slot(a, 0, 5)),
        ROOT_1,
    )
    proof = _exit_proof(rollup, exit_prover, a, alice, 0, 5)
    assert_reverts(
        rollup,
        "Rollup: escape mode not active",
        rollup.exit,
        a,
        alice,
        0,
        5,
        proof,
        sender=alice,
        watch=(alice,),
    )


def test_refunds_in_order(rollup, escaped, alice, bob, outsider, token):
    reqs = escaped["requests"]
    assert rollup.refund_next() == 3
    w = (alice, bob)
    # out of order: bob's deposit before his OPEN; alice's token deposit first
    assert_reverts(
        rollup,
        "Rollup: request does not match the queue",
        rollup.refund_deposit,
        reqs[1],
        sender=outsider,
        watch=w,
        token=token,
    )
    assert_reverts(
        rollup,
        "Rollup: request does not match the queue",
        rollup.refund_deposit,
        reqs[3],
        sender=outsider,
        watch=w,
        token=token,
    )
    # wrong bytes: a tampered OPEN, a truncated one, an empty one
    assert_reverts(
        rollup,
        "Rollup: request does not match the queue",
        rollup.refund_deposit,
        reqs[0][:-1] + b"\x01",
        sender=outsider,
        watch=w,
    )
    assert_reverts(
        rollup,
        "Rollup: request does not match the queue",
        rollup.refund_deposit,
        reqs[0][:27],
        sender=outsider,
        watch=w,
    )
    assert_reverts(
        rollup,
        "Rollup: request does not match the queue",
        rollup.refund_deposit,
        b"",
        sender=outsider,
        watch=w,
    )
    # an included (served) deposit cannot be refunded: alice's first ETH deposit
    served = ref.request(deposit_slot(1, 0, 10 * ETH))
    assert_reverts(
        rollup,
        "Rollup: request does not match the queue",
        rollup.refund_deposit,
        served,
        sender=outsider,
        watch=w,
    )

    rollup.refund_deposit(reqs[0], sender=outsider)  # OPEN: skipped
    (log,) = rollup.get_logs()
    assert (log.index, log.amount) == (3, 0)
    bob_before = boa.env.get_balance(bob)
    rollup.refund_deposit(reqs[1], sender=outsider)  # committed, never executed: refunded
    (log,) = rollup.get_logs()
    assert (log.index, log.owner, log.token, log.amount, log.paid) == (4, bob, 0, 3 * ETH, True)
    assert boa.env.get_balance(bob) == bob_before + 3 * ETH
    # double refund
    assert_reverts(
        rollup,
        "Rollup: request does not match the queue",
        rollup.refund_deposit,
        reqs[1],
        sender=outsider,
        watch=w,
    )
    rollup.refund_deposit(reqs[2], sender=outsider)  # FORCED_EXIT: skipped
    tok_before = token.balanceOf(alice)
    rollup.refund_deposit(reqs[3], sender=outsider)
    assert token.balanceOf(alice) == tok_before + 250
    assert (rollup.escrowed(0), rollup.escrowed(1), rollup.refund_next()) == (10 * ETH, 600, 7)
    assert_reverts(
        rollup,
        "Rollup: no request left to refund",
        rollup.refund_deposit,
        reqs[3],
        sender=outsider,
        watch=w,
    )


def test_refund_to_a_blocked_receiver_is_credited(rollup, escaped, alice, token):
    for req in escaped["requests"][:3]:
        rollup.refund_deposit(req)
    token.set_blocked_recipient(alice)
    rollup.refund_deposit(escaped["requests"][3])
    assert not rollup.get_logs()[-1].paid
    assert rollup.claimable(alice, 1) == 250 and rollup.refund_next() == 7


def test_refund_needs_escape_mode(rollup, alice):
    open_eth(rollup, alice, 5, KEY_A)
    req = ref.open_slot(1, alice, KEY_A)
    assert_reverts(
        rollup,
        "Rollup: escape mode not active",
        rollup.refund_deposit,
        req,
        sender=alice,
        watch=(alice,),
    )


ETH_REJECTER = """
# pragma version ~=0.4.3
interface IRollup:
    def deposit(to: address, token: address, amount: uint256, key_hash: uint256): payable
    def claim(owner: address, token: uint16): nonpayable
@external
@payable
def open(rollup: address, key_hash: uint256):
    extcall IRollup(rollup).deposit(self, empty(address), msg.value, key_hash, value=msg.value)
"""


def test_eth_to_a_rejecting_owner_is_credited(rollup, sequencer, batch_prover, exit_prover, alice):
    """A contract owner without a payable fallback: its exit and refund are credited, never
    blocking; claiming then reverts and keeps the balance."""
    rejecter = boa.loads(ETH_REJECTER, name="EthRejecter")
    rejecter.open(rollup.address, KEY_B, value=7, sender=alice)
    acc = rollup.account_of(rejecter.address)
    run_batch(
        rollup,
        sequencer,
        batch_prover,
        pad(ref.open_slot(acc, rejecter.address, KEY_B), deposit_slot(acc, 0, 7)),
        ROOT_1,
    )
    rejecter.open(rollup.address, 0, value=5, sender=alice)  # unserved deposit
    _to(rollup.priority_deadline_of(2) + 1)
    rollup.activate_escape_mode()
    rollup.exit(
        acc,
        rejecter.address,
        0,
        7,
        _exit_proof(rollup, exit_prover, acc, rejecter.address, 0, 7),
        sender=alice,
    )
    rollup.refund_deposit(ref.request(deposit_slot(acc, 0, 5)), sender=alice)
    assert rollup.claimable(rejecter.address, 0) == 12
    assert boa.env.get_balance(rollup.address) == 12
    assert_reverts(
        rollup,
        "Rollup: transfer failed",
        rollup.claim,
        rejecter.address,
        0,
        sender=alice,
        watch=(rejecter.address,),
    )


def test_exit_of_a_token_id_beyond_the_packed_flags(
    deployer, sequencer, alice, exit_prover, batch_prover
):
    """Exited flags of token ids >= 96 live in their own map: exit token 96 once, then never again."""
    owner = boa.env.generate_address("owner96")
    rollup = deployer.deploy(sequencer, sender=owner, token_depth=7)
    filler = boa.loads_partial(
        "# pragma version ~=0.4.3\n@external\ndef f():\n    pass\n", name="Filler"
    )
    for _ in range(95):
        rollup.register_token(filler.deploy().address, sender=owner)
    from tests.utils.rollup_deployers import MOCK_ERC20_DEPLOYER

    t = MOCK_ERC20_DEPLOYER.deploy("T96", "T")
    assert rollup.register_token(t.address, sender=owner) == 96
    t.mint(alice, 1000)
    t.approve(rollup.address, 1000, sender=alice)
    rollup.deposit(alice, t.address, 1000, KEY_A, sender=alice)
    run_batch(
        rollup,
        sequencer,
        batch_prover,
        pad(ref.open_slot(1, alice, KEY_A), deposit_slot(1, 96, 1000)),
        ROOT_1,
    )
    rollup.request_forced_exit(1, 96, sender=alice)
    _to(rollup.priority_deadline_of(2) + 1)
    rollup.activate_escape_mode()
    proof = exit_prover.proof(ref.exit_commitment(ROOT_1, 1, alice, 96, 1000))
    rollup.exit(1, alice, 96, 1000, proof, sender=alice)
    assert t.balanceOf(alice) == 1000 and rollup.exited(1, 96) and not rollup.exited(1, 95)
    assert rollup.account_owner(1) == alice
    assert_reverts(
        rollup,
        "Rollup: already exited",
        rollup.exit,
        1,
        alice,
        96,
        1000,
        proof,
        sender=alice,
        watch=(alice,),
    )
