"""Restaking.undelegate."""

import boa

from tests.unitary.restaking.conftest import STAKE, WITHDRAWAL_DELAY, ZERO_ADDRESS
from tests.utils.deployers import WAD


def test_queues_all_shares(allocated, staker, operator, service):
    slashable = allocated.slashable_stake(operator, service)
    withdrawal = allocated.undelegate(sender=staker)
    assert (withdrawal.staker, withdrawal.operator, withdrawal.shares) == (staker, operator, STAKE)
    assert withdrawal.start_ts == boa.env.timestamp
    assert withdrawal.nonce == 1 == allocated.withdrawal_count()
    assert allocated.delegated_to(staker) == ZERO_ADDRESS
    assert allocated.staker_shares(staker) == 0
    assert allocated.operator_shares(operator) == 0
    # still slashable: the queued shares count until WITHDRAWAL_DELAY has passed
    assert allocated.slashable_shares(operator) == STAKE
    assert allocated.slashable_stake(operator, service) == slashable
    assert allocated.is_withdrawal_pending(withdrawal)
    assert allocated.withdrawal_amount(withdrawal) == STAKE


def test_emits_undelegated_and_withdrawal_queued(delegated, staker, operator):
    withdrawal = delegated.undelegate(sender=staker)
    logs = {type(e).__name__: e for e in delegated.get_logs()}
    assert (logs["Undelegated"].staker, logs["Undelegated"].operator) == (staker, operator)
    queued = logs["WithdrawalQueued"]
    assert queued.withdrawal_root == delegated.withdrawal_root(withdrawal)
    assert tuple(queued.withdrawal) == tuple(withdrawal)


def test_queued_stake_is_slashed_within_the_window(allocated, staker, operator, service):
    withdrawal = allocated.undelegate(sender=staker)
    boa.env.time_travel(seconds=WITHDRAWAL_DELAY - 1)
    assert allocated.slash(operator, WAD, sender=service) == STAKE // 2
    assert allocated.withdrawal_amount(withdrawal) == STAKE // 2


def test_without_shares_queues_nothing(registered, staker, operator):
    registered.delegate(operator, sender=staker)
    withdrawal = registered.undelegate(sender=staker)
    assert tuple(withdrawal) == (ZERO_ADDRESS, ZERO_ADDRESS, 0, 0, 0)
    assert registered.withdrawal_count() == 0
    assert registered.delegated_to(staker) == ZERO_ADDRESS


def test_can_redelegate_after_undelegating(delegated, system, staker, other_operator):
    delegated.undelegate(sender=staker)
    delegated.delegate(other_operator, sender=staker)
    assert delegated.delegated_to(staker) == other_operator


def test_rejects_undelegated_staker(registered, staker, state):
    before = state()
    with boa.reverts("restaking: not delegated"):
        registered.undelegate(sender=staker)
    assert state() == before
