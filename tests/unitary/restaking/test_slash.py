"""Restaking.slash: attributable, pro rata, rounded in the protocol's favour, never blocked."""

import boa
import pytest

from tests.unitary.restaking.conftest import (
    ALLOCATION_DELAY,
    BURN_ADDRESS,
    DEALLOCATION_DELAY,
    OTHER_SERVICE_MAGNITUDE,
    SERVICE_MAGNITUDE,
    STAKE,
    WITHDRAWAL_DELAY,
)
from tests.utils.deployers import WAD, fund_and_deposit


def test_slashes_all_delegators_pro_rata(allocated, system, staker, co_staker, operator, service):
    allocated.delegate(operator, sender=co_staker)
    fund_and_deposit(system, co_staker, 3 * STAKE)
    amount = allocated.slash(operator, WAD // 2, sender=service)  # 25% of the operator's stake
    logs = {type(e).__name__: e for e in allocated.get_logs()}
    slashed = logs["OperatorSlashed"]
    assert (slashed.operator, slashed.service, slashed.wad) == (operator, service, WAD // 2)
    assert (slashed.magnitude_slashed, slashed.amount) == (WAD // 4, STAKE)
    assert amount == STAKE
    assert allocated.max_magnitude(operator) == 3 * WAD // 4
    assert allocated.operator_stake(operator) == 3 * STAKE
    assert allocated.withdrawable_stake(staker) == STAKE * 3 // 4
    assert allocated.withdrawable_stake(co_staker) == 3 * STAKE * 3 // 4
    assert allocated.pending_slashed(service) == STAKE
    assert allocated.allocated_magnitude(operator, service) == WAD // 4
    assert allocated.encumbered_magnitude(operator) == WAD // 4 + OTHER_SERVICE_MAGNITUDE


def test_other_services_keep_exactly_their_slashable_stake(
    allocated, operator, service, other_service
):
    other = allocated.slashable_stake(operator, other_service)
    for wad in (1, WAD // 3, WAD):
        allocated.slash(operator, wad, sender=service)
        assert allocated.slashable_stake(operator, other_service) == other
    assert allocated.slash(operator, WAD, sender=other_service) == other


def test_two_slashes_in_one_block(
    allocated, operator, other_operator, service, other_service, system, co_staker
):
    third = boa.env.generate_address("third_service")
    allocated.register_service(third, sender=third)
    allocated.register_for_service(third, sender=operator)
    allocated.allocate(third, WAD // 5, sender=operator)
    allocated.delegate(other_operator, sender=co_staker)
    fund_and_deposit(system, co_staker, STAKE)
    boa.env.time_travel(seconds=ALLOCATION_DELAY)
    before = {s: allocated.slashable_stake(operator, s) for s in (service, other_service, third)}
    first = allocated.slash(operator, WAD // 2, sender=service)
    assert allocated.slashable_stake(operator, other_service) == before[other_service]
    second = allocated.slash(operator, WAD, sender=other_service)
    assert (first, second) == (before[service] // 2, before[other_service])
    assert allocated.slashable_stake(operator, third) == before[third]
    assert allocated.operator_stake(other_operator) == STAKE


def test_every_service_slashing_everything_takes_at_most_the_stake(
    allocated, staker, operator, service, other_service
):
    allocated.queue_withdrawal(STAKE // 3, sender=staker)
    third = boa.env.generate_address("third_service")
    allocated.register_service(third, sender=third)
    allocated.register_for_service(third, sender=operator)
    allocated.allocate(third, WAD - SERVICE_MAGNITUDE - OTHER_SERVICE_MAGNITUDE, sender=operator)
    boa.env.time_travel(seconds=ALLOCATION_DELAY)
    total = sum(allocated.slash(operator, WAD, sender=s) for s in (service, other_service, third))
    assert total == STAKE  # active stake + the queued withdrawal, nothing more
    assert allocated.max_magnitude(operator) == 0
    assert allocated.withdrawable_stake(staker) == 0


def test_slashed_magnitude_rounds_up(allocated, operator, service):
    amount = allocated.slash(operator, 1, sender=service)
    assert allocated.max_magnitude(operator) == WAD - 1  # ceil(0.5e18 * 1 / 1e18) = 1
    assert allocated.allocated_magnitude(operator, service) == SERVICE_MAGNITUDE - 1
    assert amount == STAKE // WAD  # floor(shares * 1 / WAD)


def test_a_tiny_allocation_is_still_slashed(delegated, operator, service):
    delegated.allocate(service, 1, sender=operator)
    boa.env.time_travel(seconds=ALLOCATION_DELAY)
    delegated.slash(operator, 1, sender=service)
    assert delegated.allocated_magnitude(operator, service) == 0
    assert delegated.max_magnitude(operator) == WAD - 1


def test_nothing_allocated_slashes_nothing(allocated, other_operator, service, state):
    before = state()
    assert allocated.slash(other_operator, WAD, sender=service) == 0
    assert not [e for e in allocated.get_logs() if type(e).__name__ == "OperatorSlashed"]
    assert state() == before


def test_a_pending_increase_is_not_slashable_yet(allocated, operator, other_service):
    allocated.allocate(other_service, WAD - SERVICE_MAGNITUDE, sender=operator)
    allocated.slash(operator, WAD // 2, sender=other_service)  # 15% of the stake
    magnitude, pending, effect_ts = allocated.allocation(operator, other_service)
    assert magnitude == OTHER_SERVICE_MAGNITUDE // 2
    assert pending == WAD - SERVICE_MAGNITUDE - OTHER_SERVICE_MAGNITUDE // 2  # keeps its +20%
    assert allocated.encumbered_magnitude(operator) == allocated.max_magnitude(operator)
    boa.env.time_travel(seconds=ALLOCATION_DELAY)
    assert allocated.allocated_magnitude(operator, other_service) == pending


def test_a_pending_decrease_is_scaled_down(allocated, operator, service):
    allocated.allocate(service, WAD // 5, sender=operator)
    allocated.slash(operator, WAD // 2, sender=service)
    assert tuple(allocated.allocation(operator, service))[:2] == (WAD // 4, WAD // 10)
    boa.env.time_travel(seconds=DEALLOCATION_DELAY)
    assert allocated.allocated_magnitude(operator, service) == WAD // 10


def test_a_full_slash_of_a_pending_decrease_clears_the_allocation(allocated, operator, service):
    allocated.allocate(service, WAD // 5, sender=operator)
    allocated.slash(operator, WAD, sender=service)
    assert tuple(allocated.allocation(operator, service)) == (0, 0, 0)
    assert service not in allocated.allocated_services(operator)


def test_queued_withdrawals_share_the_slash(allocated, staker, operator, service):
    withdrawal = allocated.queue_withdrawal(STAKE // 2, sender=staker)
    boa.env.time_travel(seconds=WITHDRAWAL_DELAY // 2)
    assert allocated.slash(operator, WAD, sender=service) == STAKE // 2
    assert allocated.withdrawal_amount(withdrawal) == STAKE // 4
    assert allocated.withdrawable_stake(staker) == STAKE // 4


def test_records_max_magnitude_history(allocated, operator, service):
    start = boa.env.timestamp
    allocated.slash(operator, WAD // 2, sender=service)
    boa.env.time_travel(seconds=100)
    allocated.slash(operator, WAD // 2, sender=service)
    assert allocated.max_magnitude_at(operator, start - 1) == WAD
    assert allocated.max_magnitude_at(operator, start) == 3 * WAD // 4
    assert allocated.max_magnitude_at(operator, start + 99) == 3 * WAD // 4
    assert allocated.max_magnitude_at(operator, start + 100) == 5 * WAD // 8


def test_a_blocking_token_hook_cannot_stop_a_slash(
    allocated, token, operator, service, other_service, recipient
):
    token.set_blocked_recipient(BURN_ADDRESS)
    assert allocated.slash(operator, WAD, sender=service) == STAKE // 2
    token.set_blocked_recipient(recipient)
    assert allocated.slash(operator, WAD, sender=other_service) == 3 * STAKE // 10


def test_rejects_a_caller_that_is_not_a_service(allocated, operator, outsider, state):
    before = state()
    with boa.reverts("restaking: caller is not a registered service"):
        allocated.slash(operator, WAD, sender=outsider)
    with boa.reverts("restaking: caller is not a registered service"):
        allocated.slash(operator, WAD, sender=operator)
    assert state() == before


@pytest.mark.parametrize(
    "wad, reason", [(0, "restaking: wad is zero"), (WAD + 1, "restaking: wad above WAD (100%)")]
)
def test_rejects_bad_wad(allocated, operator, service, state, wad, reason):
    before = state()
    with boa.reverts(reason):
        allocated.slash(operator, wad, sender=service)
    assert state() == before


def test_rejects_a_non_operator(allocated, outsider, service, state):
    before = state()
    with boa.reverts("restaking: not a registered operator"):
        allocated.slash(outsider, WAD, sender=service)
    assert state() == before
