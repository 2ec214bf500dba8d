"""Stateful fuzzing of Restaking: random but valid sequences of deposits, delegations,
withdrawals, registrations, allocations, slashes, releases and time jumps, with every invariant
checked after every step.

Each failing check carries a tag (``[INV-...]`` / ``[STEP-...]``) so that the mutation check
(tests/mutation/restaking_mutants.py) can say which property caught a planted bug.

Run: ``uv run pytest tests/fuzz/stateful/test_restaking_stateful.py`` (``HYPOTHESIS_PROFILE=audit``
for depth; the ``slow``-marked class runs longer sequences).
"""

import functools
import os
from dataclasses import dataclass

import boa
import pytest
from hypothesis import Phase, event, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from tests.utils.deployers import WAD, deploy_restaking

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
BURN_ADDRESS = "0x000000000000000000000000000000000000dEaD"
MAX_UINT = 2**256 - 1

# Small delays so that one sequence crosses many slashable windows.
delays = st.integers(min_value=1, max_value=400)
# Mostly real-sized stake, sometimes dust (rounding edge cases).
amounts = st.one_of(
    st.integers(min_value=10**15, max_value=10**24),
    st.integers(min_value=1, max_value=1_000),
)
# Mostly meaningful fractions of the stake, sometimes none or a few wei of magnitude.
initial_magnitudes = st.one_of(
    st.integers(min_value=WAD // 50, max_value=WAD // 3),
    st.just(0),
    st.integers(min_value=1, max_value=10**6),
)
wads = st.one_of(
    st.just(WAD),
    st.integers(min_value=WAD // 100, max_value=WAD),
    st.integers(min_value=1, max_value=1_000),
    st.integers(min_value=1, max_value=WAD),
)


def ceil_div(x: int, y: int) -> int:
    return -(-x // y)


def effective_magnitude(allocation, timestamp: int) -> int:
    """Slashable magnitude of a stored allocation at ``timestamp`` (mirrors the contract)."""
    magnitude, pending, effect_ts = allocation
    return pending if timestamp >= effect_ts else magnitude


def settled_contribution(allocation, timestamp: int) -> int:
    """Magnitude an allocation reserves once matured decreases are settled."""
    magnitude, pending, effect_ts = allocation
    if pending < magnitude and timestamp >= effect_ts:
        return pending
    return max(magnitude, pending)


def step(rule_function):
    """Marks the cached views stale after a rule (every rule may change state). Views read at
    the start of a rule are the ones the invariants read after the previous step."""

    @functools.wraps(rule_function)
    def wrapper(self, *args, **kwargs):
        try:
            return rule_function(self, *args, **kwargs)
        finally:
            self.touch()

    return wrapper


@dataclass
class Views:
    """Every view the invariants read, fetched once per step (boa calls dominate the runtime)."""

    now: int
    balance: int
    max_magnitude: dict
    encumbered: dict
    operator_shares: dict
    slashable_shares: dict
    allocation: dict  # (operator, service) -> (magnitude, pending_magnitude, effect_ts)
    staker_shares: dict

    def slashable_stake(self, operator, service) -> int:
        """slashable_stake(operator, service) from its parts (the view itself is checked
        against this formula around every slash)."""
        magnitude = effective_magnitude(self.allocation[(operator, service)], self.now)
        return self.slashable_shares[operator] * magnitude // WAD


class RestakingStateMachine(RuleBasedStateMachine):
    """Three stakers, two operators, three services (burn, redistribute, redistribute to a
    recipient whose token transfers may be blocked by the token hook)."""

    def __init__(self):
        super().__init__()
        self.stakers = [boa.env.generate_address(f"staker_{i}") for i in range(3)]
        self.operators = [boa.env.generate_address(f"operator_{i}") for i in range(2)]
        self.services = [boa.env.generate_address(f"service_{i}") for i in range(3)]
        self.recipients = [ZERO_ADDRESS] + [
            boa.env.generate_address(f"recipient_{i}") for i in (1, 2)
        ]
        self.pairs = [(op, svc) for op in self.operators for svc in self.services]
        # ghost state
        self.withdrawals = []  # pending withdrawals: (struct, operator, shares, start_ts)
        self.final_worth = {}  # nonce -> worth of a withdrawal whose window has closed
        self.pending_slashed = [0, 0, 0]  # per service, ghost of pending_slashed(service)
        self.all_queued = []  # every withdrawal ever queued under an operator: (operator, shares, start_ts)
        self.snapshots = []  # see record_slashable_snapshot
        self.delegation = {}  # staker -> operator (ZERO_ADDRESS: undelegated)
        self.blocked_recipient = None
        self._views = None

    # ------------------------------------------------------------------ setup

    @initialize(
        allocation_delay=st.integers(min_value=0, max_value=200),
        deallocation_delay=delays,
        withdrawal_delay=delays,
        blocked=st.sampled_from(["none", "burn", "recipient"]),
        initial=st.lists(amounts, min_size=3, max_size=3),
        first_withdrawal=st.integers(min_value=0, max_value=2),
        splits=st.lists(
            st.lists(initial_magnitudes, min_size=3, max_size=3),
            min_size=2,
            max_size=2,
        ),
    )
    def deploy(
        self,
        allocation_delay,
        deallocation_delay,
        withdrawal_delay,
        blocked,
        initial,
        first_withdrawal,
        splits,
    ):
        """Deploys the pool, registers everyone, gives each staker an initial delegated stake,
        each operator initial allocations (already in effect), and queues 0, half or all of the
        first staker's stake."""
        system = deploy_restaking(allocation_delay, deallocation_delay, withdrawal_delay)
        self.token, self.restaking = system.token, system.restaking
        self.allocation_delay = allocation_delay
        self.deallocation_delay = deallocation_delay
        self.withdrawal_delay = withdrawal_delay
        note(
            f"delays: allocation={allocation_delay} deallocation={deallocation_delay} withdrawal={withdrawal_delay}"
        )
        if blocked == "burn":
            self.blocked_recipient = BURN_ADDRESS
        elif blocked == "recipient":
            self.blocked_recipient = self.recipients[2]
        if self.blocked_recipient is not None:
            self.token.set_blocked_recipient(self.blocked_recipient)
        for svc, recipient in zip(self.services, self.recipients, strict=True):
            self.restaking.register_service(recipient, sender=svc)
        for op in self.operators:
            self.restaking.register_as_operator(sender=op)
            for svc in self.services:
                self.restaking.register_for_service(svc, sender=op)
        for i, (staker, amount) in enumerate(zip(self.stakers, initial, strict=True)):
            self.token.mint(staker, 10**30)
            self.token.approve(self.restaking.address, MAX_UINT, sender=staker)
            self.restaking.delegate(self.operators[i % 2], sender=staker)
            self.delegation[staker] = self.operators[i % 2]
            self.restaking.deposit(amount, sender=staker)
        for op, magnitudes in zip(self.operators, splits, strict=True):
            for svc, magnitude in zip(self.services, magnitudes, strict=True):
                if magnitude:
                    self.restaking.allocate(svc, magnitude, sender=op)
        boa.env.time_travel(seconds=allocation_delay)
        amount = self.restaking.withdrawable_stake(self.stakers[0]) * first_withdrawal // 2
        if amount:
            self.record_queue(self.restaking.queue_withdrawal(amount, sender=self.stakers[0]))

    # ------------------------------------------------------------------ helpers

    @property
    def now(self) -> int:
        return boa.env.timestamp

    def touch(self):
        """Invalidates the cached views."""
        self._views = None

    @property
    def views(self) -> Views:
        """All views at the current state, read once and cached until the next state change."""
        if self._views is None:
            r = self.restaking
            self._views = Views(
                now=self.now,
                balance=self.token.balanceOf(r.address),
                max_magnitude={op: r.max_magnitude(op) for op in self.operators},
                encumbered={op: r.encumbered_magnitude(op) for op in self.operators},
                operator_shares={op: r.operator_shares(op) for op in self.operators},
                slashable_shares={op: r.slashable_shares(op) for op in self.operators},
                allocation={pair: tuple(r.allocation(*pair)) for pair in self.pairs},
                staker_shares={s: r.staker_shares(s) for s in self.stakers},
            )
        return self._views

    def model_withdrawable(self, staker) -> int:
        """withdrawable_stake(staker) from the cached views and the ghost delegation."""
        views = self.views
        operator = self.delegation[staker]
        shares = views.staker_shares[staker]
        if operator == ZERO_ADDRESS:
            return shares
        return shares * views.max_magnitude[operator] // WAD

    def withdrawal_worth(self, withdrawal, operator, shares, start) -> int:
        """withdrawal_amount(withdrawal): shares at the current max magnitude while in its
        window; read once from the contract when the window has closed (final from then on)."""
        if operator == ZERO_ADDRESS:
            return shares
        if self.now < start + self.withdrawal_delay:
            return shares * self.views.max_magnitude[operator] // WAD
        if withdrawal.nonce not in self.final_worth:
            self.final_worth[withdrawal.nonce] = self.restaking.withdrawal_amount(withdrawal)
        return self.final_worth[withdrawal.nonce]

    def draw_slashable_pair(self, data):
        """An (operator, service) pair, half of the time one with a stored allocation."""
        allocated = [pair for pair in self.pairs if any(self.views.allocation[pair][:2])]
        pairs = st.sampled_from(self.pairs)
        if allocated:
            pairs = st.one_of(st.sampled_from(allocated), pairs)
        return data.draw(pairs, label="operator, service")

    def slashable_all(self, check_formula: bool = True) -> dict:
        """slashable_stake of every pair, read now (not cached: used around slashes). Before any
        state change in a rule, each value is also checked against shares * magnitude / WAD from
        the cached views (which then still describe the current state)."""
        values = {pair: self.restaking.slashable_stake(*pair) for pair in self.pairs}
        if check_formula:
            for pair, value in values.items():
                assert value == self.views.slashable_stake(*pair), f"[STEP-SLASHABLE-VIEW] {pair}"
        return values

    def window_shares(self, operator) -> int:
        """Shares queued under ``operator`` that are still slashable now (ghost model)."""
        cutoff = self.now - self.withdrawal_delay
        return sum(
            shares for op, shares, start in self.all_queued if op == operator and start > cutoff
        )

    def invalidate_snapshots(self, operator, service):
        """A slash by ``service`` legitimately lowers what it can slash from ``operator``."""
        for snapshot in self.snapshots:
            snapshot["pairs"].pop((operator, service), None)

    def record_queue(self, withdrawal):
        if withdrawal.shares == 0:
            return
        start = withdrawal.start_ts
        self.withdrawals.append((withdrawal, withdrawal.operator, withdrawal.shares, start))
        if withdrawal.operator != ZERO_ADDRESS:
            self.all_queued.append((withdrawal.operator, withdrawal.shares, start))

    # ------------------------------------------------------------------ stakers

    @rule(data=st.data(), amount=amounts)
    @step
    def deposit(self, data, amount):
        """Deposit; credited stake is within 1 wei below the deposit, never above."""
        staker = data.draw(st.sampled_from(self.stakers), label="staker")
        operator = self.delegation[staker]
        assert self.restaking.delegated_to(staker) == operator, "[STEP-DELEGATION] ghost mismatch"
        before = self.restaking.withdrawable_stake(staker)
        assert before == self.model_withdrawable(staker), "[STEP-DEPOSIT] withdrawable_stake view"
        if operator != ZERO_ADDRESS and self.restaking.max_magnitude(operator) == 0:
            with boa.reverts("restaking: operator is fully slashed; undelegate before depositing"):
                self.restaking.deposit(amount, sender=staker)
            return
        self.restaking.deposit(amount, sender=staker)
        gained = self.restaking.withdrawable_stake(staker) - before
        assert amount - 1 <= gained <= amount, f"[STEP-DEPOSIT] credited {gained} for {amount}"

    @rule(data=st.data())
    @step
    def delegate(self, data):
        """Delegate an undelegated staker; its stake can only lose dust."""
        staker = data.draw(st.sampled_from(self.stakers), label="staker")
        operator = data.draw(st.sampled_from(self.operators), label="operator")
        if self.delegation[staker] != ZERO_ADDRESS:
            return
        before = self.restaking.withdrawable_stake(staker)
        if self.restaking.max_magnitude(operator) == 0:
            with boa.reverts("restaking: operator is fully slashed"):
                self.restaking.delegate(operator, sender=staker)
            return
        self.restaking.delegate(operator, sender=staker)
        self.delegation[staker] = operator
        after = self.restaking.withdrawable_stake(staker)
        assert before - 1 <= after <= before, f"[STEP-DELEGATE] {before} -> {after}"

    @rule(data=st.data())
    @step
    def undelegate(self, data):
        """Undelegate: all active shares move to one queued withdrawal."""
        staker = data.draw(st.sampled_from(self.stakers), label="staker")
        if self.delegation[staker] == ZERO_ADDRESS:
            with boa.reverts("restaking: not delegated"):
                self.restaking.undelegate(sender=staker)
            return
        shares = self.restaking.staker_shares(staker)
        withdrawal = self.restaking.undelegate(sender=staker)
        self.delegation[staker] = ZERO_ADDRESS
        assert withdrawal.shares == shares, "[STEP-UNDELEGATE] not all shares queued"
        assert self.restaking.staker_shares(staker) == 0
        self.record_queue(withdrawal)

    @rule(data=st.data())
    @step
    def queue_withdrawal(self, data):
        """Queue part of a staker's stake; the withdrawal is worth at least what was asked and
        the staker gives up at least as much as the withdrawal is worth."""
        staker = data.draw(st.sampled_from(self.stakers), label="staker")
        withdrawable = self.restaking.withdrawable_stake(staker)
        if withdrawable == 0:
            return
        amount = data.draw(
            st.one_of(st.just(withdrawable), st.integers(min_value=1, max_value=withdrawable)),
            label="amount",
        )
        withdrawal = self.restaking.queue_withdrawal(amount, sender=staker)
        worth = self.restaking.withdrawal_amount(withdrawal)
        remaining = self.restaking.withdrawable_stake(staker)
        assert worth >= amount, f"[STEP-QUEUE] withdrawal worth {worth} < requested {amount}"
        assert worth + remaining <= withdrawable, "[STEP-QUEUE] queueing created stake"
        self.record_queue(withdrawal)

    @precondition(lambda self: len(self.withdrawals) > 0)
    @rule(data=st.data())
    @step
    def complete_withdrawal(self, data):
        """Complete a withdrawal (often after waiting for its delay): reverts inside the delay,
        pays exactly its worth at the end of its window after."""
        matured = [
            i
            for i, (_, _, _, start) in enumerate(self.withdrawals)
            if self.now >= start + self.withdrawal_delay
        ]
        indices = st.integers(min_value=0, max_value=len(self.withdrawals) - 1)
        if matured:
            indices = st.one_of(st.sampled_from(matured), indices)
        index = data.draw(indices, label="withdrawal")
        withdrawal, operator, shares, start = self.withdrawals[index]
        staker = withdrawal.staker
        if self.now < start + self.withdrawal_delay and data.draw(st.booleans(), label="wait"):
            boa.env.time_travel(seconds=start + self.withdrawal_delay - self.now)
        if self.now < start + self.withdrawal_delay:
            with boa.reverts("restaking: withdrawal delay has not elapsed"):
                self.restaking.complete_withdrawal(withdrawal, sender=staker)
            return
        expected = self.restaking.withdrawal_amount(withdrawal)
        if operator != ZERO_ADDRESS:
            at_window_end = self.restaking.max_magnitude_at(
                operator, start + self.withdrawal_delay - 1
            )
            assert expected == shares * at_window_end // WAD, (
                "[STEP-COMPLETE] withdrawal_amount view"
            )
        balance = self.token.balanceOf(staker)
        paid = self.restaking.complete_withdrawal(withdrawal, sender=staker)
        slashed_in_window = operator != ZERO_ADDRESS and self.restaking.max_magnitude_at(
            operator, start
        ) != self.restaking.max_magnitude_at(operator, start + self.withdrawal_delay - 1)
        event(
            f"complete_withdrawal: {'slashed' if slashed_in_window else 'not slashed'} in its window"
        )
        assert paid == expected, f"[STEP-COMPLETE] paid {paid}, view said {expected}"
        assert self.token.balanceOf(staker) - balance == paid
        self.withdrawals.pop(index)
        with boa.reverts("restaking: withdrawal unknown or already completed"):
            self.restaking.complete_withdrawal(withdrawal, sender=staker)

    @rule(data=st.data(), wad=wads)
    @step
    def exit_slashed_in_window(self, data, wad):
        """A staker queues a withdrawal, its operator is slashed before the window closes, and the
        staker completes once it has: the slash reaches the queued stake, the payout is the
        withdrawal's worth at the end of its window."""
        views = self.views
        candidates = [
            (staker, service)
            for staker in self.stakers
            for service in self.services
            if self.delegation[staker] != ZERO_ADDRESS
            and views.staker_shares[staker] > 0
            and effective_magnitude(views.allocation[(self.delegation[staker], service)], views.now)
            > 0
        ]
        if not candidates:
            return
        staker, service = data.draw(st.sampled_from(candidates), label="staker, service")
        operator = self.delegation[staker]
        withdrawable = self.model_withdrawable(staker)
        if withdrawable == 0:
            return
        amount = data.draw(
            st.one_of(
                st.just(withdrawable),
                st.integers(min_value=max(1, withdrawable // 2), max_value=withdrawable),
                st.integers(min_value=1, max_value=withdrawable),
            ),
            label="amount",
        )
        withdrawal = self.restaking.queue_withdrawal(amount, sender=staker)
        self.record_queue(withdrawal)
        worth_at_queue = self.restaking.withdrawal_amount(withdrawal)
        # a later second of the window (the queueing second itself is covered by other rules)
        later = data.draw(
            st.integers(
                min_value=min(1, self.withdrawal_delay - 1), max_value=self.withdrawal_delay - 1
            ),
            label="slash after",
        )
        boa.env.time_travel(seconds=later)
        self.touch()
        before = self.slashable_all()
        amount_slashed = self._slash_and_check(operator, service, wad, before)
        self._check_others_unchanged(before, {(operator, service)})
        boa.env.time_travel(seconds=withdrawal.start_ts + self.withdrawal_delay - boa.env.timestamp)
        at_end = self.restaking.max_magnitude_at(
            operator, withdrawal.start_ts + self.withdrawal_delay - 1
        )
        paid = self.restaking.complete_withdrawal(withdrawal, sender=staker)
        self.withdrawals = [w for w in self.withdrawals if w[0].nonce != withdrawal.nonce]
        assert paid == withdrawal.shares * at_end // WAD, (
            f"[STEP-COMPLETE] paid {paid} ignores slashes in the window"
        )
        assert paid <= worth_at_queue, "[STEP-COMPLETE] a withdrawal gained value in its window"
        event(f"exit slashed in window: {'stake slashed' if amount_slashed else 'nothing slashed'}")

    # ------------------------------------------------------------------ operators

    @rule(data=st.data())
    @step
    def deregister(self, data):
        """Deregister a pair: its allocation drops to zero only after DEALLOCATION_DELAY."""
        operator = data.draw(st.sampled_from(self.operators), label="operator")
        service = data.draw(st.sampled_from(self.services), label="service")
        if not self.restaking.is_registered(operator, service):
            with boa.reverts("restaking: not registered for this service"):
                self.restaking.deregister_from_service(service, sender=operator)
            return
        until = self.restaking.deregister_from_service(service, sender=operator)
        event("deregister")
        if self.restaking.allocation(operator, service).magnitude != 0:
            assert until == self.now + self.deallocation_delay, "[STEP-DEREGISTER] window"
            assert self.restaking.allocation(operator, service).pending_magnitude == 0

    @rule(data=st.data())
    @step
    def allocate(self, data):
        """Allocate within the operator's free magnitude (settling matured decreases first)."""
        operator = data.draw(st.sampled_from(self.operators), label="operator")
        service = data.draw(st.sampled_from(self.services), label="service")
        if not self.restaking.is_registered(operator, service):
            self.restaking.register_for_service(service, sender=operator)
            event("allocate: re-registered first")
        current = self.restaking.allocation(operator, service)
        if current.pending_magnitude != current.magnitude and self.now < current.effect_ts:
            with boa.reverts(
                "restaking: an allocation change is pending; retry after its effect_ts"
            ):
                self.restaking.allocate(service, current.magnitude, sender=operator)
            return
        magnitude = effective_magnitude(current, self.now)
        views = self.views
        others = sum(
            settled_contribution(views.allocation[(operator, svc)], views.now)
            for svc in self.services
            if svc != service
        )
        cap = views.max_magnitude[operator] - others
        assert cap >= magnitude, "[INV-MAGNITUDE] allocations above max magnitude"
        choices = [
            st.just(cap),
            st.just(0),
            st.integers(min_value=cap // 4, max_value=cap),
            st.integers(min_value=0, max_value=cap),
        ]
        if magnitude > 1:
            choices.append(st.integers(min_value=1, max_value=magnitude - 1))  # partial decrease
        target = data.draw(st.one_of(choices), label="magnitude")
        if target == magnitude:
            with boa.reverts("restaking: magnitude unchanged"):
                self.restaking.allocate(service, target, sender=operator)
            return
        if cap < WAD and data.draw(st.booleans(), label="also try above cap"):
            with boa.reverts(
                "restaking: not enough unallocated magnitude; lower another allocation first"
            ):
                self.restaking.allocate(service, cap + 1, sender=operator)
        effect = self.restaking.allocate(service, target, sender=operator)
        event("allocate: " + ("increase" if target > magnitude else "decrease"))
        delay = self.allocation_delay if target > magnitude else self.deallocation_delay
        assert effect == self.now + delay, "[STEP-ALLOCATE] wrong delay"

    # ------------------------------------------------------------------ services

    def _slash_and_check(self, operator, service, wad, before):
        """Slashes and checks the per-slash properties; returns the amount."""
        allocated = self.restaking.allocated_magnitude(operator, service)
        stored = self.restaking.allocation(operator, service)
        shares = self.restaking.slashable_shares(operator)
        index = self.services.index(service)
        assert self.restaking.pending_slashed(service) == self.pending_slashed[index], (
            "[STEP-SLASH] pending_slashed"
        )
        assert before[(operator, service)] == self.restaking.slashable_stake(operator, service), (
            "[INV-ATTRIBUTABLE] an earlier slash in this block changed this service's slashable stake"
        )
        amount = self.restaking.slash(operator, wad, sender=service)
        self.pending_slashed[index] += amount
        # Measured on the allocation; that the max magnitude drops with it is what keeps the
        # pool solvent (INV-SOLVENCY) and the others' shares intact (INV-ATTRIBUTABLE).
        slashed_magnitude = allocated - self.restaking.allocated_magnitude(operator, service)
        note(
            f"slash {operator} by {service}: wad={wad} allocated={allocated} -> magnitude {slashed_magnitude}, stake {amount}"
        )
        if allocated == 0:
            assert amount == 0 and slashed_magnitude == 0, (
                "[STEP-SLASH] slashed an empty allocation"
            )
            event("slash: nothing allocated")
            return 0
        kind = "no change pending"
        if stored.pending_magnitude != stored.magnitude and self.now < stored.effect_ts:
            if stored.pending_magnitude > stored.magnitude:
                kind = "increase pending"
            else:
                kind = (
                    f"decrease to {'zero' if stored.pending_magnitude == 0 else 'non-zero'} pending"
                )
        event(
            f"slash: {'full' if wad == WAD else 'partial'}, {kind}, amount {'> 0' if amount else '0'}"
        )
        assert slashed_magnitude <= allocated, (
            "[INV-SLASH-BOUND] slashed more magnitude than allocated"
        )
        assert slashed_magnitude >= 1, "[INV-SLASH-NONZERO] non-zero slash rounded to zero"
        assert slashed_magnitude == ceil_div(allocated * wad, WAD), (
            "[INV-SLASH-ROUNDING] slashed magnitude is not ceil(allocation * wad)"
        )
        assert amount == shares * slashed_magnitude // WAD, (
            "[INV-SLASH-BOUND] slashed stake does not match slashed magnitude"
        )
        assert amount <= before[(operator, service)], (
            "[INV-SLASH-BOUND] slashed more stake than was slashable"
        )
        if wad == WAD:
            assert amount == before[(operator, service)], (
                "[INV-SLASH-BOUND] a full slash missed slashable stake"
            )
            assert self.restaking.allocated_magnitude(operator, service) == 0
        self.invalidate_snapshots(operator, service)
        return amount

    def _check_others_unchanged(self, before, slashed_pairs):
        after = self.slashable_all(check_formula=False)
        for pair, value in before.items():
            if pair in slashed_pairs:
                continue
            assert abs(after[pair] - value) <= 1, (
                f"[INV-ATTRIBUTABLE] slash changed another service's slashable stake: {pair} {value} -> {after[pair]}"
            )

    @rule(data=st.data(), wad=wads)
    @step
    def slash(self, data, wad):
        """One slash: bounded by the allocation, never rounds to zero, leaves every other
        (operator, service) pair's slashable stake unchanged."""
        operator, service = self.draw_slashable_pair(data)
        before = self.slashable_all()
        self._slash_and_check(operator, service, wad, before)
        self._check_others_unchanged(before, {(operator, service)})

    @rule(data=st.data(), wad=wads)
    @step
    def slash_during_pending_decrease(self, data, wad):
        """A service slashes an allocation whose decrease is still pending (queueing a partial
        decrease first if none is): the pending target shrinks by the same fraction and never
        ends above the slashed allocation."""
        views = self.views
        pending = [
            pair
            for pair in self.pairs
            if views.allocation[pair][1] < views.allocation[pair][0]
            and views.now < views.allocation[pair][2]
        ]
        check_formula = True
        if pending:
            operator, service = data.draw(st.sampled_from(pending), label="operator, service")
        else:
            candidates = [
                pair
                for pair in self.pairs
                if effective_magnitude(views.allocation[pair], views.now) > 1
                and (
                    views.allocation[pair][1] == views.allocation[pair][0]
                    or views.now >= views.allocation[pair][2]
                )
                and self.restaking.is_registered(*pair)
            ]
            if not candidates:
                return
            operator, service = data.draw(st.sampled_from(candidates), label="operator, service")
            magnitude = effective_magnitude(views.allocation[(operator, service)], views.now)
            target = data.draw(
                st.integers(min_value=1, max_value=magnitude - 1), label="decrease to"
            )
            self.restaking.allocate(service, target, sender=operator)
            check_formula = False  # the cached views predate the decrease
        stored = self.restaking.allocation(operator, service)
        before = self.slashable_all(check_formula=check_formula)
        self._slash_and_check(operator, service, wad, before)
        after = self.restaking.allocation(operator, service)
        assert after.pending_magnitude <= after.magnitude, (
            f"[INV-MAGNITUDE] pending decrease {after.pending_magnitude} above the slashed allocation {after.magnitude}"
        )
        expected = stored.pending_magnitude * (WAD - wad) // WAD
        assert after.pending_magnitude == expected, (
            "[INV-SLASH-ROUNDING] pending target not scaled by (1 - wad)"
        )
        self._check_others_unchanged(before, {(operator, service)})

    @rule(data=st.data(), wad_a=wads, wad_b=wads)
    @step
    def two_slashes_in_one_block(self, data, wad_a, wad_b):
        """Two services slash the same operator at the same timestamp; the second slash sees
        exactly what it saw before the first, and the third service is untouched."""
        operator, _ = self.draw_slashable_pair(data)
        service_a, service_b = data.draw(
            st.lists(st.sampled_from(self.services), min_size=2, max_size=2, unique=True),
            label="services",
        )
        before = self.slashable_all()
        self._slash_and_check(operator, service_a, wad_a, before)
        self._check_others_unchanged(before, {(operator, service_a)})
        self._slash_and_check(operator, service_b, wad_b, before)
        self._check_others_unchanged(before, {(operator, service_a), (operator, service_b)})

    @rule(data=st.data())
    @step
    def every_service_slashes_everything(self, data):
        """All services slash 100% of one operator in one block: together they never take more
        than the stake delegated to it plus its withdrawals still in the window."""
        operator = data.draw(st.sampled_from(self.operators), label="operator")
        before = self.slashable_all()
        total_shares = self.restaking.operator_shares(operator) + self.window_shares(operator)
        backing = total_shares * self.restaking.max_magnitude(operator) // WAD
        paid = 0
        for service in self.services:
            paid += self._slash_and_check(operator, service, WAD, before)
        assert paid <= backing, f"[INV-ALL-SLASH] services took {paid} > stake + queue {backing}"

    @rule(data=st.data())
    @step
    def release_slashed(self, data):
        """Release a service's slashed stake; only a blocking token hook can stop it, and then
        the stake stays pending."""
        index = data.draw(st.integers(min_value=0, max_value=2), label="service")
        service = self.services[index]
        pending = self.restaking.pending_slashed(service)
        assert pending == self.pending_slashed[index], "[STEP-RELEASE] pending_slashed ghost"
        if pending == 0:
            with boa.reverts("restaking: no slashed stake pending for this service"):
                self.restaking.release_slashed(service)
            return
        recipient = self.recipients[index] if index != 0 else BURN_ADDRESS
        if recipient == self.blocked_recipient:
            with boa.reverts():
                self.restaking.release_slashed(service)
            assert self.restaking.pending_slashed(service) == pending
            return
        balance = self.token.balanceOf(recipient)
        assert self.restaking.release_slashed(service) == pending
        assert self.token.balanceOf(recipient) - balance == pending, "[STEP-RELEASE] wrong payout"
        assert self.restaking.pending_slashed(service) == 0
        self.pending_slashed[index] = 0

    # ------------------------------------------------------------------ time

    @rule(data=st.data())
    @step
    def advance_time(self, data):
        """Jump forward, often exactly to a delay boundary."""
        seconds = data.draw(
            st.one_of(
                st.sampled_from(
                    [
                        1,
                        self.withdrawal_delay - 1,
                        self.withdrawal_delay,
                        self.deallocation_delay - 1,
                        self.deallocation_delay,
                        max(self.allocation_delay, 1),
                    ]
                ),
                st.integers(min_value=0, max_value=600),
            ),
            label="seconds",
        )
        boa.env.time_travel(seconds=seconds)

    @rule()
    @step
    def record_slashable_snapshot(self):
        """Remember, for every pair, what is slashable now, the data that guarantees it, and
        what the contract promises (`guaranteed_slashable_stake`) up to the horizon."""
        views = self.views
        cutoff = views.now - self.withdrawal_delay
        until = views.now + min(self.withdrawal_delay, self.deallocation_delay) - 1
        pairs = {}
        for operator, service in self.pairs:
            saved = {
                "active": views.operator_shares[operator],
                "queued": [
                    (s, start)
                    for op, s, start in self.all_queued
                    if op == operator and start > cutoff
                ],
                "allocation": views.allocation[(operator, service)],
                "promised": self.restaking.guaranteed_slashable_stake(operator, service, until),
            }
            floor = self.slashable_floor(views.now, saved, until)
            assert saved["promised"] == floor, (
                f"[STEP-GUARANTEE] guaranteed_slashable_stake {saved['promised']} != model {floor}"
            )
            pairs[(operator, service)] = saved
        self.snapshots.append({"ts": views.now, "until": until, "pairs": pairs})
        self.snapshots = self.snapshots[-4:]

    def slashable_floor(self, t0, saved, now) -> int:
        """What must still be slashable at ``now`` of what was slashable at ``t0`` (model): the
        shares active at t0 (queued later, they stay in the window) plus those queued before t0
        whose window is still open, at the lower of the magnitudes at t0 and at ``now``."""
        shares = saved["active"] + sum(
            s for s, start in saved["queued"] if start > now - self.withdrawal_delay
        )
        magnitude = min(
            effective_magnitude(saved["allocation"], t0),
            effective_magnitude(saved["allocation"], now),
        )
        return shares * magnitude // WAD

    # ------------------------------------------------------------------ invariants

    @invariant()
    def invariant_magnitudes(self):
        """Σ slashable magnitudes ≤ encumbered = Σ stored max(magnitude, pending) ≤ max ≤ WAD."""
        views = self.views
        for operator in self.operators:
            max_magnitude = views.max_magnitude[operator]
            encumbered = views.encumbered[operator]
            allocated = sum(
                effective_magnitude(views.allocation[(operator, s)], views.now)
                for s in self.services
            )
            stored = sum(max(views.allocation[(operator, s)][:2]) for s in self.services)
            assert allocated <= encumbered, (
                f"[INV-MAGNITUDE] Σ allocations {allocated} > encumbered {encumbered}"
            )
            assert encumbered == stored, (
                f"[INV-MAGNITUDE] encumbered {encumbered} != Σ stored {stored}"
            )
            assert encumbered <= max_magnitude <= WAD, (
                f"[INV-MAGNITUDE] encumbered {encumbered} > max {max_magnitude}"
            )

    @invariant()
    def invariant_solvency(self):
        """Token balance ≥ Σ withdrawable stake + Σ queued withdrawals' worth + Σ pending slashed."""
        views = self.views
        owed = sum(self.model_withdrawable(s) for s in self.stakers)
        owed += sum(self.withdrawal_worth(*w) for w in self.withdrawals)
        owed += sum(self.pending_slashed)
        assert views.balance >= owed, f"[INV-SOLVENCY] balance {views.balance} < owed {owed}"

    @invariant()
    def invariant_shares_accounting(self):
        """Operator shares = Σ its delegators' shares; slashable shares = active + queued in the
        withdrawal window (ghost model)."""
        views = self.views
        for operator in self.operators:
            delegated = sum(
                views.staker_shares[s] for s in self.stakers if self.delegation[s] == operator
            )
            active = views.operator_shares[operator]
            assert active == delegated, (
                f"[INV-SHARES] operator shares {active} != Σ delegators {delegated}"
            )
            expected = active + self.window_shares(operator)
            actual = views.slashable_shares[operator]
            assert actual == expected, (
                f"[INV-QUEUE-WINDOW] slashable shares {actual} != active + window {expected}"
            )

    @invariant()
    def invariant_full_slash_bounded(self):
        """What all services could slash at once (Σ slashable_stake) never exceeds the operator's
        stake plus its withdrawals still in the window."""
        views = self.views
        for operator in self.operators:
            could_slash = sum(views.slashable_stake(operator, s) for s in self.services)
            shares = views.operator_shares[operator] + self.window_shares(operator)
            backing = shares * views.max_magnitude[operator] // WAD
            assert could_slash <= backing, (
                f"[INV-ALL-SLASH] Σ slashable {could_slash} > backing {backing}"
            )

    @invariant()
    def invariant_slashable_until_delay(self):
        """Whatever was slashable at t stays slashable until t + delay (withdrawals, undelegation,
        deallocation and deregistration cannot shorten it; only the natural expiry of windows
        that were already running at t can)."""
        views = self.views
        now = views.now
        live = []
        for snapshot in self.snapshots:
            t0 = snapshot["ts"]
            if now > snapshot["until"]:
                continue
            live.append(snapshot)
            for (operator, service), saved in snapshot["pairs"].items():
                floor = self.slashable_floor(t0, saved, now)
                actual = views.slashable_stake(operator, service)
                assert actual >= floor, (
                    f"[INV-SLASHABLE-UNTIL-DELAY] {operator}/{service}: slashable {actual} < {floor} guaranteed at t={t0} (now {now})"
                )
                assert actual >= saved["promised"], (
                    f"[INV-SLASHABLE-UNTIL-DELAY] {operator}/{service}: slashable {actual} < {saved['promised']} promised at t={t0} (now {now})"
                )
        self.snapshots = live


def _settings(**overrides) -> settings:
    """The loaded profile's settings (max_examples etc.) with the given overrides. Under the
    mutation check (RESTAKING_MUTATION_RUN=1) failures are not shrunk nor stored: the point is
    only whether, and by which property, the planted bug is caught."""
    if os.environ.get("RESTAKING_MUTATION_RUN") == "1":
        overrides.update(phases=[Phase.explicit, Phase.generate], database=None)
    return settings(**overrides)


# 30 steps x the profile's max_examples: ~80 s under "default" (60), ~45 min under "audit" (2000).
TestRestakingStateful = RestakingStateMachine.TestCase
TestRestakingStateful.settings = _settings(stateful_step_count=30)


@pytest.mark.slow
class TestRestakingStatefulDeep(RestakingStateMachine.TestCase):
    """Long sequences (120 steps, 100 examples; ~10 min): run by `make audit` or `-m slow`."""

    settings = _settings(stateful_step_count=120, max_examples=100)
