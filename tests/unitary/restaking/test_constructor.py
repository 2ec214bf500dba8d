"""Restaking.__init__: immutables and rejected configurations."""

import boa
import pytest

from tests.unitary.restaking.conftest import ALLOCATION_DELAY, DEALLOCATION_DELAY, WITHDRAWAL_DELAY
from tests.utils.deployers import DAY, RESTAKING_DEPLOYER

TEN_YEARS = 10 * 365 * DAY


def test_immutables(restaking, token):
    assert restaking.STAKE_TOKEN() == token.address
    assert restaking.ALLOCATION_DELAY() == ALLOCATION_DELAY
    assert restaking.DEALLOCATION_DELAY() == DEALLOCATION_DELAY
    assert restaking.WITHDRAWAL_DELAY() == WITHDRAWAL_DELAY
    assert restaking.withdrawal_count() == 0


def test_zero_allocation_delay_is_allowed(token):
    restaking = RESTAKING_DEPLOYER.deploy(token.address, 0, 1, 1)
    assert restaking.ALLOCATION_DELAY() == 0


def test_longest_delays_are_allowed(token):
    restaking = RESTAKING_DEPLOYER.deploy(token.address, TEN_YEARS, TEN_YEARS, TEN_YEARS)
    assert restaking.WITHDRAWAL_DELAY() == TEN_YEARS


@pytest.mark.parametrize(
    "delays, reason",
    [
        ((DAY, 0, DAY), "restaking: deallocation delay must be at least 1 second"),
        ((DAY, DAY, 0), "restaking: withdrawal delay must be at least 1 second"),
        ((TEN_YEARS + 1, DAY, DAY), "restaking: allocation delay above 10 years"),
        ((DAY, TEN_YEARS + 1, DAY), "restaking: deallocation delay above 10 years"),
        ((DAY, DAY, TEN_YEARS + 1), "restaking: withdrawal delay above 10 years"),
    ],
)
def test_rejects_bad_delays(token, delays, reason):
    with boa.reverts(reason):
        RESTAKING_DEPLOYER.deploy(token.address, *delays)


def test_rejects_stake_token_without_code(outsider):
    with boa.reverts("restaking: stake token is not a contract"):
        RESTAKING_DEPLOYER.deploy(outsider, DAY, DAY, DAY)
