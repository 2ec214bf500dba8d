"""Restaking.register_as_operator."""

import boa

from tests.utils.deployers import WAD


def test_registers_with_full_magnitude(restaking, operator):
    assert not restaking.is_operator(operator)
    assert restaking.max_magnitude(operator) == 0
    restaking.register_as_operator(sender=operator)
    (log,) = [e for e in restaking.get_logs() if type(e).__name__ == "OperatorRegistered"]
    assert log.operator == operator
    assert restaking.is_operator(operator)
    assert restaking.max_magnitude(operator) == WAD
    assert restaking.max_magnitude_at(operator, boa.env.timestamp) == WAD
    assert restaking.encumbered_magnitude(operator) == 0
    assert restaking.allocated_services(operator) == []


def test_rejects_second_registration(registered, operator, state):
    before = state()
    with boa.reverts("restaking: already registered as an operator"):
        registered.register_as_operator(sender=operator)
    assert state() == before
