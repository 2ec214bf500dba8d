"""Stateful fuzzing of FastFinality: random key registrations and deregistrations, stake changes
and refreshes, certificates (valid, below threshold, forged), proofs, contradicted-certificate and
double-sign slashes and time jumps, with every invariant checked after every step.

Failing checks carry a tag (``[INV-...]`` / ``[STEP-...]``). One base system (Restaking pool,
FastFinality, a MockProvenRoots rollup, five operators with stake allocated, four of them with a BLS key) is
deployed once per module; titanoboa's plugin runs each example in an anchor on top of it.

Run: ``uv run --frozen pytest tests/fuzz/stateful/test_fastfinality_stateful.py``
(``HYPOTHESIS_PROFILE=audit`` for depth; the ``slow``-marked class runs longer sequences).
"""

import functools

import boa
import pytest
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
)

from offchain.operator import bls
from tests.utils import ff_deployers as F
from tests.utils.deployers import WAD, fund_and_deposit

N = 5
KEYED = 4  # operators 0..3 have a key in the base system; operator 4 may register one
BATCHES = (1, 2, 3)
ROOTS = (0xA1, 0xB2)
op_index = st.integers(min_value=0, max_value=N - 1)


_BASE = {}


@pytest.fixture(scope="module", autouse=True)
def base_system():
    """The shared base system and each operator's proof of possession. Deployed in a module
    fixture: titanoboa's plugin keeps it for the module and reverts every hypothesis example
    to it."""
    s = F.deploy_ff()
    for i in range(N):
        F.add_operator(s, i + 1, stake=(i + 1) * F.STAKE, register_key=i < KEYED)
    pops = {o.address: bls.prove_possession(o.key, o.address, s.domain) for o in s.operators}
    _BASE["system"] = (s, pops)
    yield
    _BASE.clear()


@functools.cache
def _signature(sk: int, rollup: str, batch: int, root: int, chain_id: int, contract: str):
    return bls.sign_header(sk, bls.Header(rollup, batch, root), bls.Domain(chain_id, contract))


class FastFinalityMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.s, self.pops = _BASE["system"]
        self.ff = self.s.ff
        self.ops = self.s.operators
        # ghost state
        keyed = self.ops[:KEYED]
        self.active = {o.address: self.ff.operator_stake(o.address) for o in keyed}
        self.ever = set(self.active)  # addresses that registered a key once
        self.epochs = {o.address: (i + 1, 0) for i, o in enumerate(keyed)}
        self.epoch = KEYED
        self.certs = {}  # (batch, root) -> (epoch, non_signers, signers)
        self.proven = {}  # batch -> root
        self.slashed = set()  # (address, batch)
        self.pending = 0

    def _sign(self, op, batch, root):
        d = self.s.domain
        return _signature(op.key.sk, self.s.rollup.address, batch, root, d.chain_id, d.contract)

    def _hdr(self, batch, root):
        return bls.Header(self.s.rollup.address, batch, root)

    # ------------------------------------------------------------------ keys and stake

    @rule(i=op_index)
    def register_key(self, i):
        op = self.ops[i]
        args = (
            bls.g1_words(op.key.pk1),
            bls.g2_words(op.key.pk2),
            bls.g1_words(self.pops[op.address]),
        )
        if op.address in self.ever:
            with boa.reverts("ff: operator already registered a key"):
                self.ff.register_key(*args, sender=op.address)
            return
        self.ff.register_key(*args, sender=op.address)
        self.epoch += 1
        self.ever.add(op.address)
        self.active[op.address] = self.s.restaking.slashable_stake(op.address, self.ff.address)
        self.epochs[op.address] = (self.epoch, 0)

    @rule(i=op_index)
    def deregister_key(self, i):
        op = self.ops[i]
        if op.address not in self.active:
            with boa.reverts("ff: caller has no active BLS key"):
                self.ff.deregister_key(sender=op.address)
            return
        self.ff.deregister_key(sender=op.address)
        self.epoch += 1
        del self.active[op.address]
        self.epochs[op.address] = (self.epochs[op.address][0], self.epoch)

    @rule(i=op_index, amount=st.integers(min_value=1, max_value=5 * F.STAKE))
    def deposit(self, i, amount):
        fund_and_deposit(F._pool(self.s), self.ops[i].staker, amount)  # snapshot goes stale

    @rule(i=op_index)
    def update_stake(self, i):
        op = self.ops[i]
        if op.address not in self.active:
            with boa.reverts("ff: operator has no active BLS key"):
                self.ff.update_stake(op.address)
            return
        self.active[op.address] = self.ff.update_stake(op.address)

    @rule(seconds=st.integers(min_value=1, max_value=3 * 86_400))
    def time_travel(self, seconds):
        boa.env.time_travel(seconds=seconds)

    # ------------------------------------------------------------------ certificates

    @rule(
        batch=st.sampled_from(BATCHES),
        root=st.sampled_from(ROOTS),
        missing=st.sets(op_index, max_size=1),
        forged=st.sampled_from([False, False, False, True]),
    )
    def certify(self, batch, root, missing, forged):
        active_ops = [o for o in self.ops if o.address in self.active]
        signing = [o for o in active_ops if self.ops.index(o) not in missing]
        non_signers = sorted(
            (o.address for o in active_ops if o not in signing), key=lambda a: int(a, 16)
        )
        sigma = bls.aggregate_g1(self._sign(o, batch, root) for o in signing)
        if forged and signing:
            sigma = bls.aggregate_g1(self._sign(o, batch, root + 1) for o in signing)
        apk2 = bls.aggregate_g2(o.key.pk2 for o in signing)
        total = sum(self.active.values())
        signed = sum(self.active[o.address] for o in signing)
        hdr = self._hdr(batch, root)
        by_address = {o.address: o for o in self.ops}
        keys = [by_address[a].key.pk2 for a in non_signers]
        operator_set = (
            bls.g2_words(bls.aggregate_g2(o.key.pk2 for o in active_ops)),
            total,
            self.epoch,
        )
        args = (
            hdr.as_tuple(),
            non_signers,
            [bls.g2_words(k) for k in keys],
            [self.active[a] for a in non_signers],
            bls.g2_words(apk2),
            bls.g1_words(sigma),
            bls.g2_chord_slopes(apk2, keys) if apk2 else [],
            operator_set,
            bls.hash_to_g1_hint(bls.header_hash(hdr, self.s.domain)),
        )
        if (batch, root) in self.certs:
            with boa.reverts("ff: header already certified"):
                self.ff.certify(*args)
        elif not signing:
            with boa.reverts("ff: apk_g2 is the point at infinity"):
                self.ff.certify(*args)
        elif signed == 0 or signed * F.THRESHOLD[1] < total * F.THRESHOLD[0]:
            with boa.reverts("ff: signed stake below threshold"):
                self.ff.certify(*args)
        elif forged:
            with boa.reverts("ff: invalid aggregate signature"):
                self.ff.certify(*args)
        else:
            self.ff.certify(*args)
            event("certified")
            self.certs[(batch, root)] = (self.epoch, non_signers, [o.address for o in signing])
            assert self.ff.is_certified(hdr.as_tuple()), "[STEP-CERTIFIED] certificate not stored"

    @precondition(lambda self: len(self.proven) < len(BATCHES))
    @rule(data=st.data(), root=st.sampled_from(ROOTS))
    def prove(self, data, root):
        """Proves a root for a batch (one with a certificate when there is one)."""
        certified = sorted({b for b, _ in self.certs if b not in self.proven})
        batch = data.draw(st.sampled_from(certified or list(BATCHES)))
        if batch not in self.proven:
            self.s.rollup.set_proven_root(batch, root)
            self.proven[batch] = root

    # ------------------------------------------------------------------ slashing

    @precondition(lambda self: self.certs)
    @rule(data=st.data())
    def slash_contradicted(self, data):
        (batch, root) = data.draw(st.sampled_from(sorted(self.certs)))
        if batch not in self.proven and data.draw(st.integers(0, 4)):
            other = ROOTS[1] if root == ROOTS[0] else ROOTS[0]
            self.s.rollup.set_proven_root(batch, other)  # usually prove it contradicted first
            self.proven[batch] = other
        epoch, non_signers, signers = self.certs[(batch, root)]
        chosen = sorted(
            data.draw(st.sets(st.sampled_from(signers), min_size=1)) if signers else [],
            key=lambda a: int(a, 16),
        )
        args = (self._hdr(batch, root).as_tuple(), epoch, non_signers, chosen)
        if batch not in self.proven:
            with boa.reverts("ff: batch not proven yet"):
                self.ff.slash_contradicted(*args)
        elif self.proven[batch] == root:
            event("agreeing certificate not slashable")
            with boa.reverts("ff: certificate agrees with the proven root"):
                self.ff.slash_contradicted(*args)
        elif not chosen:
            with boa.reverts("ff: no operators to slash"):
                self.ff.slash_contradicted(*args)
        elif all((a, batch) in self.slashed for a in chosen):
            event("signers already slashed")
            with boa.reverts("ff: every listed operator is already slashed for this batch"):
                self.ff.slash_contradicted(*args)
        else:
            expected = {
                a: self.s.restaking.slashable_stake(a, self.ff.address)
                for a in chosen
                if (a, batch) not in self.slashed
            }
            amount = self.ff.slash_contradicted(*args)
            event("slashed a contradicted certificate")
            want = sum(v * F.SLASH_WAD // WAD for v in expected.values())
            assert amount <= want + len(expected), f"[STEP-SLASH-AMOUNT] {amount} > {want}"
            self._after_slash(expected, batch, amount)

    @rule(i=op_index, batch=st.sampled_from(BATCHES))
    def slash_double_sign(self, i, batch):
        op = self.ops[i]
        args = (
            op.address,
            self._hdr(batch, ROOTS[0]).as_tuple(),
            bls.g1_words(self._sign(op, batch, ROOTS[0])),
            self._hdr(batch, ROOTS[1]).as_tuple(),
            bls.g1_words(self._sign(op, batch, ROOTS[1])),
        )
        if op.address not in self.ever:
            with boa.reverts("ff: operator has no BLS key"):
                self.ff.slash_double_sign(*args)
        elif (op.address, batch) in self.slashed:
            with boa.reverts("ff: operator already slashed for this batch"):
                self.ff.slash_double_sign(*args)
        else:
            amount = self.ff.slash_double_sign(*args)
            event("slashed a double sign")
            self._after_slash({op.address: None}, batch, amount)

    def _after_slash(self, slashed, batch, amount):
        self.pending += amount
        for a in slashed:
            self.slashed.add((a, batch))
            if a in self.active:  # the snapshot is refreshed by the slash
                self.active[a] = self.s.restaking.slashable_stake(a, self.ff.address)

    # ------------------------------------------------------------------ invariants

    @invariant()
    def aggregate_key_is_the_active_keys(self):
        want = bls.aggregate_g1(o.key.pk1 for o in self.ops if o.address in self.active)
        assert list(self.ff.apk_g1()) == bls.g1_words(want) or (
            want is None and tuple(self.ff.apk_g1()) == (0, 0)
        ), "[INV-APK] apk_g1 != sum of active G1 keys"

    @invariant()
    def g2_aggregate_and_operator_set(self):
        want = bls.g2_words(
            bls.aggregate_g2(o.key.pk2 for o in self.ops if o.address in self.active)
        )
        assert list(self.ff.apk_g2()) == want, "[INV-APK2] apk_g2 != sum of active G2 keys"
        apk2, total, epoch = self.ff.operator_set()
        assert (list(apk2), total, epoch) == (want, sum(self.active.values()), self.epoch), (
            "[INV-SET] operator_set differs from the ghost"
        )

    @invariant()
    def total_is_the_sum_of_snapshots(self):
        total = self.ff.total_stake()
        assert total == sum(self.active.values()), "[INV-TOTAL] total != ghost snapshots"
        assert total == sum(self.ff.operator_stake(o.address) for o in self.ops), (
            "[INV-TOTAL] total != sum of operator_stake"
        )

    @invariant()
    def registrations_match(self):
        assert self.ff.epoch() == self.epoch, "[INV-EPOCH]"
        for o in self.ops:
            assert self.ff.is_active(o.address) == (o.address in self.active), "[INV-ACTIVE]"
            assert tuple(self.ff.registration(o.address)) == self.epochs.get(o.address, (0, 0)), (
                "[INV-EPOCHS]"
            )

    @invariant()
    def slashes_happen_once(self):
        for o in self.ops:
            for b in BATCHES:
                assert self.ff.is_slashed(o.address, self.s.rollup.address, b) == (
                    (o.address, b) in self.slashed
                ), "[INV-SLASHED] is_slashed differs from the ghost"
        assert self.s.restaking.pending_slashed(self.ff.address) == self.pending, (
            "[INV-PENDING] pending slashed stake differs from the sum of slashes"
        )


def _settings(**overrides) -> settings:
    return settings(**overrides)


# 12 steps x 15 examples: py-evm's pairing precompile (pure Python) costs ~0.3 s per call.
TestFastFinalityStateful = FastFinalityMachine.TestCase
TestFastFinalityStateful.settings = _settings(stateful_step_count=12, max_examples=15)


@pytest.mark.slow
class TestFastFinalityStatefulDeep(FastFinalityMachine.TestCase):
    """Longer sequences (40 steps, 200 examples): `make audit` or `-m slow`."""

    settings = _settings(stateful_step_count=40, max_examples=200)
