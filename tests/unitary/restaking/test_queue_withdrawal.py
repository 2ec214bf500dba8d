"""Restaking.queue_withdrawal."""

import boa

from tests.unitary.restaking.conftest import STAKE, WITHDRAWAL_DELAY, ZERO_ADDRESS
from tests.utils.deployers import WAD, fund_and_deposit


def test_queues_part_of_the_stake(allocated, staker, operator):
    withdrawal = allocated.queue_withdrawal(STAKE // 4, sender=staker)
    assert (withdrawal.staker, withdrawal.operator, withdrawal.shares) == (
        staker,
        operator,
        STAKE // 4,
    )
    assert allocated.withdrawable_stake(staker) == 3 * STAKE // 4
    assert allocated.operator_shares(operator) == 3 * STAKE // 4
    assert allocated.slashable_shares(operator) == STAKE
    assert allocated.delegated_to(staker) == operator


def test_shares_round_up_after_a_slash(allocated, staker, operator, service):
    allocated.slash(operator, WAD // 3, sender=service)
    max_magnitude = allocated.max_magnitude(operator)
    withdrawable = allocated.withdrawable_stake(staker)
    amount = withdrawable // 3 + 1
    withdrawal = allocated.queue_withdrawal(amount, sender=staker)
    assert withdrawal.shares == -(-amount * WAD // max_magnitude)
    worth = allocated.withdrawal_amount(withdrawal)
    assert worth >= amount
    assert worth + allocated.withdrawable_stake(staker) <= withdrawable


def test_whole_withdrawable_stake(allocated, staker, operator, service):
    allocated.slash(operator, WAD // 7, sender=service)
    withdrawal = allocated.queue_withdrawal(allocated.withdrawable_stake(staker), sender=staker)
    assert withdrawal.shares == STAKE
    assert allocated.staker_shares(staker) == 0


def test_undelegated_stake_is_queued_but_never_slashable(registered, system, staker):
    fund_and_deposit(system, staker, STAKE)
    withdrawal = registered.queue_withdrawal(STAKE, sender=staker)
    assert withdrawal.operator == ZERO_ADDRESS
    assert registered.withdrawal_amount(withdrawal) == STAKE


def test_slashable_until_the_last_second_of_the_window(allocated, staker, operator, service):
    withdrawal = allocated.queue_withdrawal(STAKE // 2, sender=staker)
    boa.env.time_travel(seconds=WITHDRAWAL_DELAY - 1)
    assert allocated.slashable_shares(operator) == STAKE
    boa.env.time_travel(seconds=1)
    assert allocated.slashable_shares(operator) == STAKE // 2
    allocated.slash(operator, WAD, sender=service)
    assert allocated.withdrawal_amount(withdrawal) == STAKE // 2  # out of the window: untouched


def test_rejects_zero_amount(delegated, staker, state):
    before = state()
    with boa.reverts("restaking: withdrawal amount is zero"):
        delegated.queue_withdrawal(0, sender=staker)
    assert state() == before


def test_rejects_more_than_withdrawable(allocated, staker, operator, service, outsider, state):
    allocated.slash(operator, WAD // 2, sender=service)
    withdrawable = allocated.withdrawable_stake(staker)
    before = state()
    with boa.reverts("restaking: amount exceeds withdrawable stake"):
        allocated.queue_withdrawal(withdrawable + 1, sender=staker)
    with boa.reverts("restaking: amount exceeds withdrawable stake"):
        allocated.queue_withdrawal(1, sender=outsider)
    assert state() == before


def test_rejects_any_amount_from_a_fully_slashed_operator(fully_slashed, staker, state):
    before = state()
    with boa.reverts("restaking: amount exceeds withdrawable stake"):
        fully_slashed.queue_withdrawal(1, sender=staker)
    assert state() == before
