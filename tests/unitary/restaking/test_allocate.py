"""Restaking.allocate."""

import boa

from tests.unitary.restaking.conftest import (
    ALLOCATION_DELAY,
    DEALLOCATION_DELAY,
    OTHER_SERVICE_MAGNITUDE,
    SERVICE_MAGNITUDE,
    STAKE,
    ZERO_ADDRESS,
)
from tests.utils.deployers import RESTAKING_DEPLOYER, WAD, fund_and_deposit


def test_increase_takes_effect_after_the_allocation_delay(delegated, operator, service):
    effect = delegated.allocate(service, WAD // 4, sender=operator)
    (log,) = [e for e in delegated.get_logs() if type(e).__name__ == "AllocationUpdated"]
    assert (log.operator, log.service, log.magnitude, log.effect_ts) == (
        operator,
        service,
        WAD // 4,
        effect,
    )
    assert effect == boa.env.timestamp + ALLOCATION_DELAY
    assert delegated.encumbered_magnitude(operator) == WAD // 4  # reserved at once
    assert delegated.allocated_services(operator) == [service]
    boa.env.time_travel(seconds=ALLOCATION_DELAY - 1)
    assert delegated.allocated_magnitude(operator, service) == 0
    assert delegated.slashable_stake(operator, service) == 0
    boa.env.time_travel(seconds=1)
    assert delegated.allocated_magnitude(operator, service) == WAD // 4
    assert delegated.slashable_stake(operator, service) == STAKE // 4


def test_decrease_stays_slashable_for_the_deallocation_delay(allocated, operator, service):
    effect = allocated.allocate(service, WAD // 10, sender=operator)
    assert effect == boa.env.timestamp + DEALLOCATION_DELAY
    assert allocated.encumbered_magnitude(operator) == SERVICE_MAGNITUDE + OTHER_SERVICE_MAGNITUDE
    boa.env.time_travel(seconds=DEALLOCATION_DELAY - 1)
    assert allocated.slashable_stake(operator, service) == STAKE // 2
    boa.env.time_travel(seconds=1)
    assert allocated.slashable_stake(operator, service) == STAKE // 10


def test_matured_decreases_on_other_services_are_freed(allocated, operator, service, other_service):
    allocated.allocate(other_service, 0, sender=operator)
    boa.env.time_travel(seconds=DEALLOCATION_DELAY)
    # encumbered still counts the matured decrease until something settles it ...
    assert allocated.encumbered_magnitude(operator) == SERVICE_MAGNITUDE + OTHER_SERVICE_MAGNITUDE
    # ... and an increase that needs the room settles every allocation first
    allocated.allocate(service, WAD, sender=operator)
    assert allocated.encumbered_magnitude(operator) == WAD
    assert tuple(allocated.allocation(operator, other_service)) == (0, 0, 0)
    assert allocated.allocated_services(operator) == [service]


def test_allocations_are_bounded_by_the_slashed_max_magnitude(
    allocated, operator, service, other_service
):
    allocated.slash(operator, WAD, sender=other_service)  # max magnitude 70%
    free = allocated.max_magnitude(operator) - allocated.encumbered_magnitude(operator)
    assert free == WAD - OTHER_SERVICE_MAGNITUDE - SERVICE_MAGNITUDE
    with boa.reverts("restaking: not enough unallocated magnitude; lower another allocation first"):
        allocated.allocate(service, SERVICE_MAGNITUDE + free + 1, sender=operator)
    allocated.allocate(service, SERVICE_MAGNITUDE + free, sender=operator)
    assert allocated.encumbered_magnitude(operator) == allocated.max_magnitude(operator)


def test_zero_allocation_delay_is_immediate(token, staker, operator, service):
    restaking = RESTAKING_DEPLOYER.deploy(token.address, 0, DEALLOCATION_DELAY, DEALLOCATION_DELAY)
    restaking.register_as_operator(sender=operator)
    restaking.register_service(ZERO_ADDRESS, sender=service)
    restaking.register_for_service(service, sender=operator)
    restaking.delegate(operator, sender=staker)
    token.mint(staker, STAKE)
    token.approve(restaking.address, STAKE, sender=staker)
    restaking.deposit(STAKE, sender=staker)
    assert restaking.allocate(service, WAD, sender=operator) == boa.env.timestamp
    assert restaking.slashable_stake(operator, service) == STAKE
    # a second change in the same block is allowed: the first has taken effect
    restaking.allocate(service, WAD // 2, sender=operator)


def test_allocation_is_a_fraction_of_current_stake(allocated, system, co_staker, operator, service):
    allocated.delegate(operator, sender=co_staker)
    fund_and_deposit(system, co_staker, STAKE)
    assert allocated.slashable_stake(operator, service) == STAKE  # 50% of 2 * STAKE


def test_rejects_unregistered_service(
    delegated, operator, other_operator, outsider, service, state
):
    before = state()
    with boa.reverts("restaking: operator is not registered for this service"):
        delegated.allocate(outsider, WAD // 2, sender=operator)
    with boa.reverts("restaking: operator is not registered for this service"):
        delegated.allocate(service, WAD // 2, sender=other_operator)
    assert state() == before


def test_rejects_after_deregistration(allocated, operator, service, state):
    allocated.deregister_from_service(service, sender=operator)
    before = state()
    with boa.reverts("restaking: operator is not registered for this service"):
        allocated.allocate(service, WAD // 2, sender=operator)
    assert state() == before


def test_rejects_magnitude_above_wad(delegated, operator, service, state):
    before = state()
    with boa.reverts("restaking: magnitude above WAD (100%)"):
        delegated.allocate(service, WAD + 1, sender=operator)
    assert state() == before


def test_rejects_unchanged_magnitude(allocated, operator, service, state):
    before = state()
    with boa.reverts("restaking: magnitude unchanged"):
        allocated.allocate(service, SERVICE_MAGNITUDE, sender=operator)
    assert state() == before


def test_rejects_unchanged_zero_magnitude(registered, operator, service, state):
    before = state()
    with boa.reverts("restaking: magnitude unchanged"):
        registered.allocate(service, 0, sender=operator)
    assert state() == before


def test_rejects_a_second_pending_change(delegated, operator, service, state):
    delegated.allocate(service, WAD // 2, sender=operator)
    before = state()
    with boa.reverts("restaking: an allocation change is pending; retry after its effect_ts"):
        delegated.allocate(service, WAD // 4, sender=operator)
    assert state() == before


def test_rejects_more_than_the_free_magnitude(allocated, operator, other_service, state):
    before = state()
    with boa.reverts("restaking: not enough unallocated magnitude; lower another allocation first"):
        allocated.allocate(other_service, WAD - SERVICE_MAGNITUDE + 1, sender=operator)
    assert state() == before


def test_rejects_a_seventeenth_service(registered, operator, state):
    for i in range(16):
        svc = boa.env.generate_address(f"service_{i}")
        registered.register_service(ZERO_ADDRESS, sender=svc)
        registered.register_for_service(svc, sender=operator)
        registered.allocate(svc, WAD // 32, sender=operator)
    last = boa.env.generate_address("service_16")
    registered.register_service(ZERO_ADDRESS, sender=last)
    registered.register_for_service(last, sender=operator)
    assert len(registered.allocated_services(operator)) == 16
    before = state()
    with boa.reverts("restaking: operator already allocates to the maximum number of services"):
        registered.allocate(last, WAD // 32, sender=operator)
    assert state() == before
