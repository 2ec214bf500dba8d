"""Deployers for the contracts under test: each source is compiled once, here, with
``boa.load_partial``; tests call ``<NAME>_DEPLOYER.deploy(...)``.

``RESTAKING_SOURCE_DIR`` (default: ``contracts/``) points the Restaking deployer at another copy of
the contracts tree; the mutation check (``tests/mutation/restaking_mutants.py``) uses it to run the
suites against planted bugs.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import boa

ROOT = Path(__file__).resolve().parents[2]
RESTAKING_SOURCE_DIR = Path(os.environ.get("RESTAKING_SOURCE_DIR", ROOT / "contracts"))

WAD = 10**18
DAY = 86_400

RESTAKING_DEPLOYER = boa.load_partial(str(RESTAKING_SOURCE_DIR / "Restaking.vy"))
MOCK_ERC20_DEPLOYER = boa.load_partial(str(ROOT / "tests" / "mocks" / "MockERC20.vy"))


@dataclass
class RestakingSystem:
    """A deployed Restaking pool and its stake token."""

    token: object
    restaking: object


def deploy_restaking(
    allocation_delay: int = 1 * DAY,
    deallocation_delay: int = 14 * DAY,
    withdrawal_delay: int = 14 * DAY,
) -> RestakingSystem:
    """Deploys a fresh MockERC20 stake token and a Restaking pool over it."""
    token = MOCK_ERC20_DEPLOYER.deploy("Stake", "STK")
    restaking = RESTAKING_DEPLOYER.deploy(
        token.address, allocation_delay, deallocation_delay, withdrawal_delay
    )
    return RestakingSystem(token=token, restaking=restaking)


def fund_and_deposit(system: RestakingSystem, staker, amount: int) -> int:
    """Mints ``amount`` to ``staker``, approves the pool and deposits; returns the shares credited."""
    system.token.mint(staker, amount)
    system.token.approve(system.restaking.address, amount, sender=staker)
    return system.restaking.deposit(amount, sender=staker)
