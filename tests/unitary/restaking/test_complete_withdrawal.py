"""Restaking.complete_withdrawal."""

import boa

from tests.unitary.restaking.conftest import STAKE, WITHDRAWAL_DELAY
from tests.utils.deployers import WAD


def test_pays_after_the_delay(allocated, token, staker):
    withdrawal = allocated.queue_withdrawal(STAKE // 4, sender=staker)
    boa.env.time_travel(seconds=WITHDRAWAL_DELAY)
    assert allocated.complete_withdrawal(withdrawal, sender=staker) == STAKE // 4
    (log,) = [e for e in allocated.get_logs() if type(e).__name__ == "WithdrawalCompleted"]
    assert (log.withdrawal_root, log.staker, log.amount) == (
        allocated.withdrawal_root(withdrawal),
        staker,
        STAKE // 4,
    )
    assert token.balanceOf(staker) == STAKE // 4
    assert token.balanceOf(allocated.address) == 3 * STAKE // 4
    assert not allocated.is_withdrawal_pending(withdrawal)
    assert allocated.withdrawal_amount(withdrawal) == 0


def test_slash_inside_the_window_reduces_the_payout(allocated, staker, operator, service):
    withdrawal = allocated.undelegate(sender=staker)
    boa.env.time_travel(seconds=WITHDRAWAL_DELAY - 1)
    allocated.slash(operator, WAD // 2, sender=service)  # 25% of the operator's stake
    boa.env.time_travel(seconds=1)
    assert allocated.complete_withdrawal(withdrawal, sender=staker) == 3 * STAKE // 4


def test_slash_after_the_window_does_not_reduce_the_payout(allocated, staker, operator, service):
    withdrawal = allocated.undelegate(sender=staker)
    boa.env.time_travel(seconds=WITHDRAWAL_DELAY)
    allocated.slash(operator, WAD, sender=service)
    assert allocated.max_magnitude(operator) == WAD // 2
    assert allocated.complete_withdrawal(withdrawal, sender=staker) == STAKE


def test_undelegated_withdrawal_pays_its_shares(registered, token, system, staker):
    token.mint(staker, STAKE)
    token.approve(registered.address, STAKE, sender=staker)
    registered.deposit(STAKE, sender=staker)
    withdrawal = registered.queue_withdrawal(STAKE, sender=staker)
    boa.env.time_travel(seconds=WITHDRAWAL_DELAY)
    assert registered.complete_withdrawal(withdrawal, sender=staker) == STAKE


def test_rejects_before_the_delay(delegated, staker, state):
    withdrawal = delegated.queue_withdrawal(STAKE, sender=staker)
    boa.env.time_travel(seconds=WITHDRAWAL_DELAY - 1)
    before = state()
    with boa.reverts("restaking: withdrawal delay has not elapsed"):
        delegated.complete_withdrawal(withdrawal, sender=staker)
    assert state() == before


def test_rejects_another_caller(delegated, staker, outsider, state):
    withdrawal = delegated.queue_withdrawal(STAKE, sender=staker)
    boa.env.time_travel(seconds=WITHDRAWAL_DELAY)
    before = state()
    with boa.reverts("restaking: only the withdrawal's staker can complete it"):
        delegated.complete_withdrawal(withdrawal, sender=outsider)
    assert state() == before


def test_rejects_a_second_completion(delegated, staker, state):
    withdrawal = delegated.queue_withdrawal(STAKE, sender=staker)
    boa.env.time_travel(seconds=WITHDRAWAL_DELAY)
    delegated.complete_withdrawal(withdrawal, sender=staker)
    before = state()
    with boa.reverts("restaking: withdrawal unknown or already completed"):
        delegated.complete_withdrawal(withdrawal, sender=staker)
    assert state() == before


def test_rejects_a_forged_withdrawal(delegated, staker, outsider, state):
    withdrawal = delegated.queue_withdrawal(STAKE // 2, sender=staker)
    boa.env.time_travel(seconds=WITHDRAWAL_DELAY)
    before = state()
    forgeries = [
        withdrawal._replace(shares=STAKE),
        withdrawal._replace(start_ts=withdrawal.start_ts - WITHDRAWAL_DELAY),
        withdrawal._replace(staker=outsider),
        withdrawal._replace(nonce=2),
    ]
    for forged in forgeries:
        with boa.reverts("restaking: withdrawal unknown or already completed"):
            delegated.complete_withdrawal(forged, sender=forged.staker)
    assert state() == before


def test_rejects_a_token_returning_false(delegated, token, staker, state):
    withdrawal = delegated.queue_withdrawal(STAKE, sender=staker)
    boa.env.time_travel(seconds=WITHDRAWAL_DELAY)
    token.set_return_false(True)
    before = state()
    with boa.reverts("restaking: stake token transfer to the staker failed"):
        delegated.complete_withdrawal(withdrawal, sender=staker)
    assert state() == before
