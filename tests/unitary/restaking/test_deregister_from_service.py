"""Restaking.deregister_from_service."""

import boa

from tests.unitary.restaking.conftest import (
    ALLOCATION_DELAY,
    DEALLOCATION_DELAY,
    OTHER_SERVICE_MAGNITUDE,
    SERVICE_MAGNITUDE,
    STAKE,
)
from tests.utils.deployers import WAD


def test_allocation_stays_slashable_for_the_deallocation_delay(
    allocated, operator, service, other_service
):
    slashable = allocated.slashable_stake(operator, service)
    until = allocated.deregister_from_service(service, sender=operator)
    logs = {type(e).__name__: e for e in allocated.get_logs()}
    assert logs["OperatorDeregisteredFromService"].slashable_until_ts == until
    assert (logs["AllocationUpdated"].magnitude, logs["AllocationUpdated"].effect_ts) == (0, until)
    assert until == boa.env.timestamp + DEALLOCATION_DELAY
    assert not allocated.is_registered(operator, service)
    boa.env.time_travel(seconds=DEALLOCATION_DELAY - 1)
    assert allocated.slashable_stake(operator, service) == slashable
    boa.env.time_travel(seconds=1)
    assert allocated.slashable_stake(operator, service) == 0
    assert allocated.slash(operator, WAD, sender=service) == 0
    # the freed magnitude can go to the other service
    allocated.allocate(other_service, WAD, sender=operator)
    assert allocated.encumbered_magnitude(operator) == WAD


def test_slash_just_before_the_end_still_works(allocated, operator, service):
    allocated.deregister_from_service(service, sender=operator)
    boa.env.time_travel(seconds=DEALLOCATION_DELAY - 1)
    assert allocated.slash(operator, WAD, sender=service) == STAKE // 2


def test_without_allocation_ends_at_once(registered, operator, service):
    assert registered.deregister_from_service(service, sender=operator) == boa.env.timestamp


def test_cancels_a_pending_increase_at_once(allocated, operator, service):
    allocated.allocate(service, WAD - OTHER_SERVICE_MAGNITUDE, sender=operator)
    assert allocated.encumbered_magnitude(operator) == WAD
    allocated.deregister_from_service(service, sender=operator)
    assert tuple(allocated.allocation(operator, service)) == (
        SERVICE_MAGNITUDE,
        0,
        boa.env.timestamp + DEALLOCATION_DELAY,
    )
    assert allocated.encumbered_magnitude(operator) == SERVICE_MAGNITUDE + OTHER_SERVICE_MAGNITUDE
    boa.env.time_travel(seconds=ALLOCATION_DELAY)  # the cancelled increase never takes effect
    assert allocated.allocated_magnitude(operator, service) == SERVICE_MAGNITUDE


def test_cancels_an_increase_from_zero_entirely(registered, operator, service):
    registered.allocate(service, WAD // 4, sender=operator)
    registered.deregister_from_service(service, sender=operator)
    assert tuple(registered.allocation(operator, service)) == (0, 0, 0)
    assert registered.encumbered_magnitude(operator) == 0
    assert registered.allocated_services(operator) == []


def test_overrides_a_pending_decrease_with_a_full_delay(allocated, operator, service):
    allocated.allocate(service, WAD // 10, sender=operator)
    boa.env.time_travel(seconds=DEALLOCATION_DELAY - 1)
    until = allocated.deregister_from_service(service, sender=operator)
    assert until == boa.env.timestamp + DEALLOCATION_DELAY
    boa.env.time_travel(seconds=1)  # the old decrease would have taken effect now
    assert allocated.allocated_magnitude(operator, service) == SERVICE_MAGNITUDE


def test_re_registering_does_not_cancel_the_pending_drop(allocated, operator, service):
    allocated.deregister_from_service(service, sender=operator)
    allocated.register_for_service(service, sender=operator)
    with boa.reverts("restaking: an allocation change is pending; retry after its effect_ts"):
        allocated.allocate(service, WAD // 4, sender=operator)
    boa.env.time_travel(seconds=DEALLOCATION_DELAY)
    assert allocated.allocated_magnitude(operator, service) == 0
    allocated.allocate(service, WAD // 4, sender=operator)


def test_rejects_an_unregistered_pair(
    registered, operator, other_operator, outsider, service, state
):
    before = state()
    with boa.reverts("restaking: not registered for this service"):
        registered.deregister_from_service(service, sender=other_operator)
    with boa.reverts("restaking: not registered for this service"):
        registered.deregister_from_service(outsider, sender=operator)
    assert state() == before


def test_rejects_a_second_deregistration(allocated, operator, service, state):
    allocated.deregister_from_service(service, sender=operator)
    before = state()
    with boa.reverts("restaking: not registered for this service"):
        allocated.deregister_from_service(service, sender=operator)
    assert state() == before
