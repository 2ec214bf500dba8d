"""Restaking views: historical lookups, the withdrawal window, withdrawal roots."""

import boa
from eth_abi import encode
from eth_utils import keccak

from tests.unitary.restaking.conftest import (
    DEALLOCATION_DELAY,
    STAKE,
    WITHDRAWAL_DELAY,
    ZERO_ADDRESS,
)
from tests.utils.deployers import WAD


def test_max_magnitude_at_searches_many_checkpoints(delegated, operator, service):
    delegated.allocate(service, WAD, sender=operator)
    boa.env.time_travel(seconds=1 + delegated.ALLOCATION_DELAY())
    assert delegated.max_magnitude_at(operator, boa.env.timestamp - 1) == WAD
    history = []
    for step in range(13):
        delegated.slash(operator, WAD // 10, sender=service)
        delegated.slash(operator, WAD // 10, sender=service)  # same block: one checkpoint
        history.append((boa.env.timestamp, delegated.max_magnitude(operator)))
        boa.env.time_travel(seconds=7 + step)
    for timestamp, magnitude in history:
        assert delegated.max_magnitude_at(operator, timestamp) == magnitude
        assert delegated.max_magnitude_at(operator, timestamp + 1) == magnitude
    assert delegated.max_magnitude_at(operator, 0) == WAD
    assert delegated.max_magnitude_at(operator, 2**64) == delegated.max_magnitude(operator)


def test_slashable_shares_track_the_window_of_each_withdrawal(delegated, staker, operator):
    starts = []
    for _ in range(9):
        delegated.queue_withdrawal(STAKE // 10, sender=staker)
        starts.append(boa.env.timestamp)
        delegated.queue_withdrawal(STAKE // 100, sender=staker)  # same block: one checkpoint
        boa.env.time_travel(seconds=WITHDRAWAL_DELAY // 4)
    active = delegated.operator_shares(operator)
    for _ in range(len(starts) + 1):
        queued = sum(
            STAKE // 10 + STAKE // 100 for s in starts if s > boa.env.timestamp - WITHDRAWAL_DELAY
        )
        assert delegated.slashable_shares(operator) == active + queued
        boa.env.time_travel(seconds=WITHDRAWAL_DELAY // 4)


def test_withdrawal_root_is_the_hash_of_the_abi_encoding(delegated, staker, operator):
    withdrawal = delegated.queue_withdrawal(STAKE, sender=staker)
    encoded = encode(["(address,address,uint256,uint256,uint256)"], [tuple(withdrawal)])
    assert delegated.withdrawal_root(withdrawal) == keccak(encoded)
    assert delegated.is_withdrawal_pending(withdrawal)
    assert not delegated.is_withdrawal_pending(withdrawal._replace(nonce=7))


def test_withdrawal_amount_is_final_after_the_window(allocated, staker, operator, service):
    withdrawal = allocated.queue_withdrawal(STAKE // 2, sender=staker)
    boa.env.time_travel(seconds=WITHDRAWAL_DELAY - 1)
    allocated.slash(operator, WAD // 2, sender=service)
    assert allocated.withdrawal_amount(withdrawal) == 3 * STAKE // 8
    boa.env.time_travel(seconds=1)
    allocated.slash(operator, WAD, sender=service)
    assert allocated.withdrawal_amount(withdrawal) == 3 * STAKE // 8


def test_views_of_unknown_addresses_are_empty(restaking, outsider, service):
    assert restaking.delegated_to(outsider) == ZERO_ADDRESS
    assert restaking.withdrawable_stake(outsider) == 0
    assert restaking.operator_stake(outsider) == 0
    assert restaking.slashable_shares(outsider) == 0
    assert restaking.slashable_stake(outsider, service) == 0
    assert restaking.max_magnitude_at(outsider, boa.env.timestamp) == WAD
    assert tuple(restaking.allocation(outsider, service)) == (0, 0, 0)
    assert restaking.allocated_services(outsider) == []


def test_guaranteed_slashable_stake_without_pending_changes(allocated, operator, service):
    now = boa.env.timestamp
    horizon = now + min(DEALLOCATION_DELAY, WITHDRAWAL_DELAY) - 1
    for until in (now, horizon):
        assert allocated.guaranteed_slashable_stake(operator, service, until) == STAKE // 2


def test_guaranteed_slashable_stake_survives_exits(allocated, staker, operator, service):
    until = boa.env.timestamp + DEALLOCATION_DELAY - 1
    promised = allocated.guaranteed_slashable_stake(operator, service, until)
    allocated.undelegate(sender=staker)
    allocated.deregister_from_service(service, sender=operator)
    boa.env.time_travel(seconds=DEALLOCATION_DELAY - 1)
    assert allocated.slashable_stake(operator, service) >= promised
    assert allocated.slash(operator, WAD, sender=service) == promised


def test_guaranteed_slashable_stake_counts_a_maturing_decrease(allocated, operator, service):
    allocated.allocate(service, WAD // 10, sender=operator)
    boa.env.time_travel(seconds=DEALLOCATION_DELAY - 5)
    now = boa.env.timestamp
    assert allocated.guaranteed_slashable_stake(operator, service, now + 4) == STAKE // 2
    assert allocated.guaranteed_slashable_stake(operator, service, now + 5) == STAKE // 10


def test_guaranteed_slashable_stake_drops_queued_stake_leaving_the_window(
    allocated, staker, operator, service
):
    allocated.queue_withdrawal(STAKE // 2, sender=staker)
    boa.env.time_travel(seconds=WITHDRAWAL_DELAY - 5)
    now = boa.env.timestamp
    assert allocated.guaranteed_slashable_stake(operator, service, now + 4) == STAKE // 2
    assert allocated.guaranteed_slashable_stake(operator, service, now + 5) == STAKE // 4


def test_guaranteed_slashable_stake_rejects_bad_horizons(allocated, operator, service):
    now = boa.env.timestamp
    with boa.reverts("restaking: until_ts is in the past"):
        allocated.guaranteed_slashable_stake(operator, service, now - 1)
    with boa.reverts("restaking: until_ts beyond now + min(DEALLOCATION_DELAY, WITHDRAWAL_DELAY)"):
        allocated.guaranteed_slashable_stake(operator, service, now + DEALLOCATION_DELAY)
