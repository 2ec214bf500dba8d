"""Constructor: parameters stored, bounds enforced with clear reasons (docs/protocol.md §1)."""

import boa
import pytest

from tests.unitary.rollup.conftest import DEADLINE, ZERO_ADDRESS
from tests.utils.rollup_deployers import RollupDeployer

R = 21888242871839275222246405745257275088548364400416034343698204186575808495617


def test_parameters_are_stored(rollup, deployer, owner, sequencer):
    assert rollup.BATCH_VERIFIER() == deployer.batch_prover.verifier.address
    assert rollup.EXIT_VERIFIER() == deployer.exit_prover.verifier.address
    assert rollup.GENESIS_ROOT() == RollupDeployer.genesis_root(4)
    assert (rollup.SLOTS(), rollup.ACCOUNT_DEPTH(), rollup.TOKEN_DEPTH()) == (2, 4, 2)
    assert rollup.PRIORITY_DEADLINE() == DEADLINE
    assert rollup.owner() == owner and rollup.pending_owner() == ZERO_ADDRESS
    assert rollup.sequencer() == sequencer
    assert rollup.executed_root() == rollup.GENESIS_ROOT() == rollup.batch(0)[0]
    assert (rollup.last_committed(), rollup.last_proven(), rollup.last_executed()) == (0, 0, 0)
    assert (rollup.priority_count(), rollup.priority_chain(0)) == (0, bytes(32))
    assert rollup.token_count() == 1 and rollup.account_count() == 0
    assert not rollup.escape_mode()


@pytest.mark.parametrize(
    "overrides, reason",
    [
        ({"slots": 0}, "Rollup: slots out of range"),
        ({"slots": 2049}, "Rollup: slots out of range"),
        ({"account_depth": 0}, "Rollup: account depth out of range"),
        ({"account_depth": 33}, "Rollup: account depth out of range"),
        ({"token_depth": 0}, "Rollup: token depth out of range"),
        ({"token_depth": 17}, "Rollup: token depth out of range"),
        ({"priority_deadline": 3599}, "Rollup: priority deadline too short"),
        ({"priority_deadline": 2**32 + 1}, "Rollup: priority deadline too long"),
        ({"genesis_root": R}, "Rollup: genesis root not in field"),
        ({"batch_verifier": ZERO_ADDRESS}, "Rollup: batch verifier is not a contract"),
        (
            {"exit_verifier": "0x0000000000000000000000000000000000001234"},
            "Rollup: exit verifier is not a contract",
        ),
    ],
)
def test_bounds(deployer, sequencer, overrides, reason):
    with boa.reverts(reason):
        deployer.deploy(sequencer, **overrides)


def test_empty_sequencer(deployer):
    with boa.reverts("Rollup: sequencer is empty"):
        deployer.deploy(ZERO_ADDRESS)


@pytest.mark.parametrize(
    "overrides",
    [
        {"slots": 1, "account_depth": 1, "token_depth": 1, "priority_deadline": 3600},
        {"slots": 2048, "account_depth": 32, "token_depth": 16, "priority_deadline": 2**32},
    ],
)
def test_extreme_bounds_accepted(deployer, sequencer, overrides):
    rollup = deployer.deploy(sequencer, **overrides)
    assert rollup.SLOTS() == overrides["slots"]
    assert rollup.ACCOUNT_DEPTH() == overrides["account_depth"]
    who = boa.env.generate_address("who")
    boa.env.set_balance(who, 10)
    rollup.deposit(who, ZERO_ADDRESS, 1, 5, value=1, sender=who)
    now = boa.env.evm.patch.timestamp
    assert [rollup.priority_deadline_of(i) for i in range(3)] == [
        now + rollup.PRIORITY_DEADLINE()
    ] * 2 + [0]
