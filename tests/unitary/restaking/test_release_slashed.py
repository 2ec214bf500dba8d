"""Restaking.release_slashed: the second step of a slash; only it touches the token."""

import boa

from tests.unitary.restaking.conftest import BURN_ADDRESS, STAKE
from tests.utils.deployers import WAD


def test_burns_a_burning_services_stake(allocated, token, operator, service, outsider):
    allocated.slash(operator, WAD, sender=service)
    assert allocated.release_slashed(service, sender=outsider) == STAKE // 2
    (log,) = [e for e in allocated.get_logs() if type(e).__name__ == "SlashedReleased"]
    assert (log.service, log.recipient, log.amount) == (service, BURN_ADDRESS, STAKE // 2)
    assert token.balanceOf(BURN_ADDRESS) == STAKE // 2
    assert allocated.pending_slashed(service) == 0
    assert token.balanceOf(allocated.address) == STAKE // 2


def test_redistributes_to_the_fixed_recipient(allocated, token, operator, other_service, recipient):
    allocated.slash(operator, WAD, sender=other_service)
    allocated.slash(operator, WAD, sender=other_service)  # nothing left: adds 0
    assert allocated.release_slashed(other_service) == 3 * STAKE // 10
    assert token.balanceOf(recipient) == 3 * STAKE // 10


def test_a_blocked_release_keeps_the_stake_pending(allocated, token, operator, service, state):
    token.set_blocked_recipient(BURN_ADDRESS)
    allocated.slash(operator, WAD, sender=service)
    before = state()
    with boa.reverts("mock_erc20: recipient blocked by hook"):
        allocated.release_slashed(service)
    assert state() == before
    token.set_blocked_recipient("0x0000000000000000000000000000000000000000")
    assert allocated.release_slashed(service) == STAKE // 2


def test_rejects_nothing_pending(allocated, service, outsider, state):
    before = state()
    with boa.reverts("restaking: no slashed stake pending for this service"):
        allocated.release_slashed(service)
    with boa.reverts("restaking: no slashed stake pending for this service"):
        allocated.release_slashed(outsider)
    assert state() == before


def test_a_token_returning_false_keeps_the_stake_pending(
    allocated, token, operator, service, state
):
    allocated.slash(operator, WAD, sender=service)
    token.set_return_false(True)
    before = state()
    with boa.reverts("restaking: stake token transfer to the recipient failed"):
        allocated.release_slashed(service)
    assert state() == before
