"""Fixtures for the Restaking unit tests.

The pool is deployed once per module; function-scoped fixtures then build the state a test needs
(registered -> delegated -> allocated -> fully_slashed). titanoboa's pytest plugin snapshots the
chain around every fixture and test, so each test starts from exactly the state it asked for. The three delays differ so that using the wrong one fails a test.
"""

import boa
import pytest

from tests.utils.deployers import DAY, WAD, deploy_restaking, fund_and_deposit

ALLOCATION_DELAY = 1 * DAY
DEALLOCATION_DELAY = 7 * DAY
WITHDRAWAL_DELAY = 10 * DAY
STAKE = 1_000 * WAD
SERVICE_MAGNITUDE = WAD // 2
OTHER_SERVICE_MAGNITUDE = 3 * WAD // 10
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
BURN_ADDRESS = "0x000000000000000000000000000000000000dEaD"


@pytest.fixture(scope="module")
def staker():
    return boa.env.generate_address("staker")


@pytest.fixture(scope="module")
def co_staker():
    return boa.env.generate_address("co_staker")


@pytest.fixture(scope="module")
def operator():
    return boa.env.generate_address("operator")


@pytest.fixture(scope="module")
def other_operator():
    return boa.env.generate_address("other_operator")


@pytest.fixture(scope="module")
def service():
    """A service that burns what it slashes."""
    return boa.env.generate_address("service")


@pytest.fixture(scope="module")
def other_service():
    """A service that redistributes what it slashes to `recipient`."""
    return boa.env.generate_address("other_service")


@pytest.fixture(scope="module")
def recipient():
    return boa.env.generate_address("recipient")


@pytest.fixture(scope="module")
def outsider():
    """An address that is neither staker, operator nor service."""
    return boa.env.generate_address("outsider")


@pytest.fixture(scope="module")
def system():
    return deploy_restaking(ALLOCATION_DELAY, DEALLOCATION_DELAY, WITHDRAWAL_DELAY)


@pytest.fixture(scope="module")
def token(system):
    return system.token


@pytest.fixture(scope="module")
def restaking(system):
    return system.restaking


@pytest.fixture
def registered(restaking, operator, other_operator, service, other_service, recipient):
    """Two operators, a burning and a redistributing service; `operator` registered for both."""
    restaking.register_as_operator(sender=operator)
    restaking.register_as_operator(sender=other_operator)
    restaking.register_service(ZERO_ADDRESS, sender=service)
    restaking.register_service(recipient, sender=other_service)
    restaking.register_for_service(service, sender=operator)
    restaking.register_for_service(other_service, sender=operator)
    return restaking


@pytest.fixture
def delegated(registered, system, staker, operator):
    """`staker` delegates STAKE to `operator`."""
    registered.delegate(operator, sender=staker)
    fund_and_deposit(system, staker, STAKE)
    return registered


@pytest.fixture
def allocated(delegated, operator, service, other_service):
    """`operator` allocates 50% to `service` and 30% to `other_service`, both in effect."""
    delegated.allocate(service, SERVICE_MAGNITUDE, sender=operator)
    delegated.allocate(other_service, OTHER_SERVICE_MAGNITUDE, sender=operator)
    boa.env.time_travel(seconds=ALLOCATION_DELAY)
    return delegated


@pytest.fixture(scope="module")
def state(
    system, staker, co_staker, operator, other_operator, service, other_service, recipient, outsider
):
    """Returns a function that reads every view for every actor: equal snapshots before and
    after a rejected call show the call changed nothing."""
    restaking, token = system.restaking, system.token
    stakers = [staker, co_staker, outsider]
    operators = [operator, other_operator, outsider]
    services = [service, other_service, outsider]

    def read() -> dict:
        views = {
            "balance": token.balanceOf(restaking.address),
            "count": restaking.withdrawal_count(),
        }
        for s in stakers:
            views[("staker", s)] = (
                restaking.delegated_to(s),
                restaking.staker_shares(s),
                restaking.withdrawable_stake(s),
                token.balanceOf(s),
            )
        for o in operators:
            views[("operator", o)] = (
                restaking.is_operator(o),
                restaking.max_magnitude(o),
                restaking.encumbered_magnitude(o),
                restaking.operator_shares(o),
                restaking.slashable_shares(o),
                tuple(restaking.allocated_services(o)),
            )
            for v in services:
                views[("pair", o, v)] = (
                    restaking.is_registered(o, v),
                    tuple(restaking.allocation(o, v)),
                    restaking.slashable_stake(o, v),
                )
        for v in services:
            views[("service", v)] = (
                restaking.is_service(v),
                restaking.redistribution_recipient(v),
                restaking.pending_slashed(v),
            )
        return views

    return read


@pytest.fixture
def fully_slashed(allocated, operator, service, other_service):
    """`operator` allocates all its magnitude (70% + 30%) and both services slash 100%: its max
    magnitude is 0."""
    allocated.allocate(service, WAD - OTHER_SERVICE_MAGNITUDE, sender=operator)
    boa.env.time_travel(seconds=ALLOCATION_DELAY)
    allocated.slash(operator, WAD, sender=service)
    allocated.slash(operator, WAD, sender=other_service)
    assert allocated.max_magnitude(operator) == 0
    return allocated
