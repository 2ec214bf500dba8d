"""Restaking.delegate."""

import boa

from tests.unitary.restaking.conftest import STAKE, ZERO_ADDRESS
from tests.utils.deployers import WAD, fund_and_deposit


def test_delegates_all_stake(registered, system, staker, operator):
    fund_and_deposit(system, staker, STAKE)
    assert registered.delegate(operator, sender=staker) == STAKE
    (log,) = [e for e in registered.get_logs() if type(e).__name__ == "Delegated"]
    assert (log.staker, log.operator, log.shares) == (staker, operator, STAKE)
    assert registered.delegated_to(staker) == operator
    assert registered.staker_shares(staker) == STAKE
    assert registered.withdrawable_stake(staker) == STAKE
    assert registered.operator_shares(operator) == STAKE
    assert registered.operator_stake(operator) == STAKE


def test_delegating_without_stake_is_allowed(registered, staker, operator):
    assert registered.delegate(operator, sender=staker) == 0
    assert registered.delegated_to(staker) == operator


def test_operator_may_delegate_to_itself(registered, system, operator):
    fund_and_deposit(system, operator, STAKE)
    registered.delegate(operator, sender=operator)
    assert registered.operator_stake(operator) == STAKE


def test_shares_round_down_to_a_slashed_operator(allocated, system, co_staker, operator, service):
    allocated.slash(operator, WAD // 3, sender=service)
    max_magnitude = allocated.max_magnitude(operator)
    amount = 3 * 10**18 + 1
    fund_and_deposit(system, co_staker, amount)
    shares = allocated.delegate(operator, sender=co_staker)
    assert shares == amount * WAD // max_magnitude
    assert amount - 1 <= allocated.withdrawable_stake(co_staker) <= amount


def test_rejects_second_delegation(delegated, staker, other_operator, state):
    before = state()
    with boa.reverts("restaking: already delegated; undelegate first"):
        delegated.delegate(other_operator, sender=staker)
    assert state() == before


def test_rejects_non_operator(registered, staker, outsider, state):
    before = state()
    with boa.reverts("restaking: not a registered operator"):
        registered.delegate(outsider, sender=staker)
    with boa.reverts("restaking: not a registered operator"):
        registered.delegate(ZERO_ADDRESS, sender=staker)
    assert state() == before


def test_rejects_fully_slashed_operator(fully_slashed, co_staker, operator, state):
    before = state()
    with boa.reverts("restaking: operator is fully slashed"):
        fully_slashed.delegate(operator, sender=co_staker)
    assert state() == before
