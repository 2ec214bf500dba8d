"""Restaking.register_for_service."""

import boa


def test_registers_the_operator(registered, other_operator, service):
    assert not registered.is_registered(other_operator, service)
    registered.register_for_service(service, sender=other_operator)
    (log,) = [
        e for e in registered.get_logs() if type(e).__name__ == "OperatorRegisteredForService"
    ]
    assert (log.operator, log.service) == (other_operator, service)
    assert registered.is_registered(other_operator, service)
    # registration alone makes nothing slashable
    assert registered.allocated_magnitude(other_operator, service) == 0


def test_rejects_a_non_operator(registered, outsider, service, state):
    before = state()
    with boa.reverts("restaking: caller is not a registered operator"):
        registered.register_for_service(service, sender=outsider)
    assert state() == before


def test_rejects_an_unknown_service(registered, operator, outsider, state):
    before = state()
    with boa.reverts("restaking: service is not registered"):
        registered.register_for_service(outsider, sender=operator)
    assert state() == before


def test_rejects_a_second_registration(registered, operator, service, state):
    before = state()
    with boa.reverts("restaking: already registered for this service"):
        registered.register_for_service(service, sender=operator)
    assert state() == before
