"""Restaking.deposit."""

import boa

from tests.unitary.restaking.conftest import STAKE, ZERO_ADDRESS
from tests.utils.deployers import WAD, fund_and_deposit


def test_undelegated_deposit_is_stake_one_for_one(registered, system, token, staker):
    shares = fund_and_deposit(system, staker, STAKE)
    assert shares == STAKE
    assert registered.staker_shares(staker) == STAKE
    assert registered.withdrawable_stake(staker) == STAKE
    assert registered.delegated_to(staker) == ZERO_ADDRESS
    assert token.balanceOf(registered.address) == STAKE
    assert token.balanceOf(staker) == 0


def test_emits_deposited(registered, system, staker):
    fund_and_deposit(system, staker, STAKE)
    (log,) = [e for e in registered.get_logs() if type(e).__name__ == "Deposited"]
    assert (log.staker, log.operator, log.amount, log.shares) == (
        staker,
        ZERO_ADDRESS,
        STAKE,
        STAKE,
    )


def test_delegated_deposit_is_slashable_at_once(allocated, system, co_staker, operator, service):
    before = allocated.slashable_stake(operator, service)
    allocated.delegate(operator, sender=co_staker)
    fund_and_deposit(system, co_staker, STAKE)
    assert allocated.slashable_stake(operator, service) == before + STAKE // 2
    assert allocated.operator_shares(operator) == 2 * STAKE


def test_shares_round_down_after_a_slash(allocated, system, co_staker, operator, service):
    allocated.slash(operator, WAD // 3, sender=service)  # max magnitude 1 - 1/6
    max_magnitude = allocated.max_magnitude(operator)
    allocated.delegate(operator, sender=co_staker)
    amount = 10**18 + 7
    shares = fund_and_deposit(system, co_staker, amount)
    assert shares == amount * WAD // max_magnitude
    assert amount - 1 <= allocated.withdrawable_stake(co_staker) <= amount


def test_rejects_zero_amount(registered, staker, state):
    before = state()
    with boa.reverts("restaking: deposit amount is zero"):
        registered.deposit(0, sender=staker)
    assert state() == before


def test_rejects_missing_allowance(registered, token, staker, state):
    token.mint(staker, STAKE)
    before = state()
    with boa.reverts("mock_erc20: allowance too low"):
        registered.deposit(STAKE, sender=staker)
    assert state() == before


def test_rejects_missing_balance(registered, token, staker, state):
    token.approve(registered.address, STAKE, sender=staker)
    before = state()
    with boa.reverts("mock_erc20: balance too low"):
        registered.deposit(STAKE, sender=staker)
    assert state() == before


def test_rejects_fully_slashed_operator(fully_slashed, system, token, staker, state):
    token.mint(staker, STAKE)
    token.approve(fully_slashed.address, STAKE, sender=staker)
    before = state()
    with boa.reverts("restaking: operator is fully slashed; undelegate before depositing"):
        fully_slashed.deposit(STAKE, sender=staker)
    assert state() == before


def test_rejects_a_token_returning_false(registered, token, staker, state):
    token.mint(staker, STAKE)
    token.approve(registered.address, STAKE, sender=staker)
    token.set_return_false(True)
    before = state()
    with boa.reverts("restaking: stake token transferFrom failed; check allowance and balance"):
        registered.deposit(STAKE, sender=staker)
    assert state() == before
