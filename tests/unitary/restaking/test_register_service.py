"""Restaking.register_service."""

import boa

from tests.unitary.restaking.conftest import ZERO_ADDRESS


def test_registers_a_burning_service(restaking, service):
    restaking.register_service(ZERO_ADDRESS, sender=service)
    (log,) = [e for e in restaking.get_logs() if type(e).__name__ == "ServiceRegistered"]
    assert (log.service, log.redistribution_recipient) == (service, ZERO_ADDRESS)
    assert restaking.is_service(service)
    assert restaking.redistribution_recipient(service) == ZERO_ADDRESS
    assert restaking.pending_slashed(service) == 0


def test_registers_a_redistributing_service(restaking, other_service, recipient):
    restaking.register_service(recipient, sender=other_service)
    assert restaking.redistribution_recipient(other_service) == recipient


def test_a_service_may_redistribute_to_itself(restaking, service):
    restaking.register_service(service, sender=service)
    assert restaking.redistribution_recipient(service) == service


def test_rejects_second_registration(registered, service, recipient, state):
    before = state()
    with boa.reverts("restaking: service already registered"):
        registered.register_service(recipient, sender=service)
    assert state() == before


def test_rejects_the_restaking_contract_as_recipient(restaking, outsider, state):
    before = state()
    with boa.reverts("restaking: recipient cannot be the restaking contract"):
        restaking.register_service(restaking.address, sender=outsider)
    assert state() == before
