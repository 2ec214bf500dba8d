"""Fixtures and helpers for the Rollup unit tests.

Proofs are real (``tests/utils/rollup_deployers.py``: a one-public-input stand-in statement keyed
by ``dev_setup``), so every ``prove_batch`` / ``exit`` runs the generated Groth16 verifier and the
py-evm pairing precompile. The rollup is deployed once per module; titanoboa's pytest plugin
snapshots the chain around every fixture and test.

Helpers build batches the way the protocol says (``protocol_ref``, independent of the contract)
and check that the commitment the contract stored equals the one computed in Python before
proving it: the proof is for the Python value, so a contract that hashed anything else would fail.
"""

from __future__ import annotations

import boa
import pytest

from tests.unitary.rollup import protocol_ref as ref
from tests.utils.pairing import memoised_pairing
from tests.utils.rollup_deployers import MOCK_ERC20_DEPLOYER, TEST_PROFILE, RollupDeployer

DEADLINE = TEST_PROFILE["priority_deadline"]
SLOTS = TEST_PROFILE["slots"]
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
KEY_A, KEY_B, KEY_C = 0xA11CE, 0xB0B, 0xCA401
ROOT_1, ROOT_2, ROOT_3 = 0x1111, 0x2222, 0x3333
ETH = 10**18


@pytest.fixture(scope="session", autouse=True)
def _memoised_pairing_pairs():
    """Memoise py-evm's pairing work for the session (speed only; tests/utils/pairing.py)."""
    with memoised_pairing():
        yield


@pytest.fixture(scope="session")
def deployer():
    return RollupDeployer()


@pytest.fixture(scope="session")
def batch_prover(deployer):
    return deployer.batch_prover


@pytest.fixture(scope="session")
def exit_prover(deployer):
    return deployer.exit_prover


@pytest.fixture(scope="module")
def owner():
    return boa.env.generate_address("owner")


@pytest.fixture(scope="module")
def sequencer():
    return boa.env.generate_address("sequencer")


@pytest.fixture(scope="module")
def alice():
    return boa.env.generate_address("alice")


@pytest.fixture(scope="module")
def bob():
    return boa.env.generate_address("bob")


@pytest.fixture(scope="module")
def outsider():
    return boa.env.generate_address("outsider")


@pytest.fixture(scope="module")
def rollup(deployer, owner, sequencer, alice, bob, outsider):
    for who in (alice, bob, outsider):
        boa.env.set_balance(who, 1_000 * ETH)
    return deployer.deploy(sequencer, sender=owner)


@pytest.fixture(scope="module")
def token(rollup, owner, alice, bob, outsider):
    """A registered MockERC20 (token id 1); alice, bob and outsider hold and approved 10^6."""
    t = MOCK_ERC20_DEPLOYER.deploy("Token", "TKN")
    rollup.register_token(t.address, sender=owner)
    for who in (alice, bob, outsider):
        t.mint(who, 10**6 * ETH)
        t.approve(rollup.address, 2**256 - 1, sender=who)
    return t


# ---------------------------------------------------------------------------------------------
# state snapshots (every negative test checks that a revert left them unchanged)
# ---------------------------------------------------------------------------------------------


def snapshot(rollup, *accounts, token=None) -> dict:
    """Every view of `rollup` that a call could change, plus the escrow balances."""
    count = rollup.priority_count()
    state = {
        "last": (rollup.last_committed(), rollup.last_proven(), rollup.last_executed()),
        "executed_root": rollup.executed_root(),
        "queue": (count, rollup.priority_committed(), rollup.priority_served()),
        "chain": [rollup.priority_chain(i) for i in range(count + 2)],
        "deadlines": [rollup.priority_deadline_of(i) for i in range(count + 1)],
        "batches": [tuple(rollup.batch(n)) for n in range(rollup.last_committed() + 2)],
        "escape": (rollup.escape_mode(), rollup.refund_next()),
        "accounts": rollup.account_count(),
        "tokens": rollup.token_count(),
        "escrowed": [rollup.escrowed(t) for t in range(4)],
        "governance": (rollup.owner(), rollup.pending_owner(), rollup.sequencer()),
        "eth": boa.env.get_balance(rollup.address),
    }
    for who in accounts:
        aid = rollup.account_of(who)
        state[f"account {who}"] = (
            aid,
            rollup.forced_exit_pending(aid),
            [rollup.claimable(who, t) for t in range(4)],
            [rollup.exited(aid, t) for t in range(4)],
            boa.env.get_balance(who),
        )
    if token is not None:
        state["token"] = [token.balanceOf(a) for a in (rollup.address, *accounts)]
    return state


def assert_reverts(rollup, reason, call, *args, watch=(), token=None, **kwargs):
    """`call(*args, **kwargs)` reverts with exactly `reason` and changes no observable state."""
    before = snapshot(rollup, *watch, token=token)
    with boa.reverts(reason):
        call(*args, **kwargs)
    assert snapshot(rollup, *watch, token=token) == before


# ---------------------------------------------------------------------------------------------
# batches built from the protocol reference
# ---------------------------------------------------------------------------------------------


def pad(*slots: bytes) -> bytes:
    """Pubdata of one batch: the given slots, then NOOPs up to SLOTS."""
    assert len(slots) <= SLOTS
    return b"".join(slots) + bytes(ref.SLOT * (SLOTS - len(slots)))


def header_for(rollup, pubdata: bytes, new_root: int):
    """The header an honest sequencer would send for `pubdata` after the current last commit."""
    number = rollup.last_committed() + 1
    prev_root = rollup.batch(number - 1)[0]
    start = rollup.priority_chain(rollup.priority_committed())
    return (number, prev_root, new_root, ref.priority_hash(start, pubdata), bytes(32))


def commit(rollup, sequencer, pubdata: bytes, new_root: int) -> int:
    """Commits a batch, checks the stored record against the Python reference; its number."""
    header = header_for(rollup, pubdata, new_root)
    expected = ref.commitment(header[1], new_root, header[3], pubdata)
    end = rollup.priority_committed() + sum(
        1 for i in range(0, len(pubdata), ref.SLOT) if pubdata[i] in ref.REQUEST_LEN
    )
    rollup.commit_batch(header, pubdata, sender=sequencer)
    stored = rollup.batch(header[0])
    w = ref.withdrawals_hash(ref.withdrawals(pubdata))
    assert tuple(stored) == (new_root, expected, end, w)
    return header[0]


def prove(rollup, sequencer, prover, number: int) -> None:
    rollup.prove_batch(number, prover.proof(rollup.batch(number)[1]), sender=sequencer)


def run_batch(rollup, sequencer, prover, pubdata: bytes, new_root: int) -> int:
    """Commit, prove and execute one batch (its withdrawals from the reference)."""
    number = commit(rollup, sequencer, pubdata, new_root)
    prove(rollup, sequencer, prover, number)
    rollup.execute_batch(number, ref.withdrawals(pubdata), sender=sequencer)
    return number


def deposit_slot(account: int, token: int, amount: int) -> bytes:
    return ref.generic(ref.DEPOSIT, account, 0, token, amount)


def open_eth(rollup, who, amount: int, key_hash: int) -> int:
    """`who` opens its account with an ETH deposit; returns the account id."""
    rollup.deposit(who, ZERO_ADDRESS, amount, key_hash, value=amount, sender=who)
    return rollup.account_of(who)
