"""Stateful fuzzing of the Rollup with the REAL sequencer, REAL circuits and REAL proofs.

Each example deploys ``contracts/Rollup.vy`` (test profile) over the verifiers generated from the
real batch and exit circuits' keys (``circuit_keys("batch" | "exit", TEST_PARAMS)``, deployed
once per module) and drives it with a real :class:`~offchain.sequencer.Sequencer` (a journal in
a temporary directory) fed with the bytes of the contract's ``PriorityRequest`` events. Four
users with EdDSA keys open accounts, deposit ETH and a registered MockERC20, transfer, withdraw,
request forced exits and claim; the operator builds, commits, proves (``prove_batch``, ~2-4 s)
and executes batches, one stage at a time or all at once, and also tries rogue commits (forged
deposits, wrong roots, hashes, numbers), executing unproven batches and tampered withdrawal lists,
which must all revert and change nothing. Time passes; escape mode is activated once the oldest
unserved request is past its deadline, and from then on only exits (real ``prove_exit`` proofs
from ``RollupState.exit_witness`` on the sequencer's state as of the last executed batch),
refunds in queue order and claims happen.

Every example ends in escape mode (``teardown`` queues a request if needed, checks that
activation fails at the deadline itself and works one second later), exits every non-zero
(account, token) balance, retries each exit (must revert), refunds every unserved request and
claims everything; then each user must have recovered EXACTLY its withdrawals + its last executed
L2 balances + the refunds of its unserved deposits, and the contract must hold nothing.

Independent views are cross-checked after every step: the ghost ledger (balances from the
executed batches' pubdata, by plain arithmetic), the sequencer's state snapshot of the last
executed batch and a state replayed from L1 pubdata (as the exit tool does). Failing checks carry
a tag (``[INV-...]`` after every step, ``[STEP-...]`` inside rules) so that the mutation check
(tests/mutation/rollup_mutants.py) can say which property caught a planted bug.

Run: ``uv run --frozen pytest -p no:cacheprovider tests/fuzz/stateful/test_rollup_stateful.py``
(``HYPOTHESIS_PROFILE=audit`` for depth).
"""

from __future__ import annotations

import copy
import functools
import os
import tempfile
from collections import defaultdict
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

from offchain.crypto import eddsa
from offchain.l1.client import commit_header
from offchain.rollup import encoding as enc
from offchain.rollup.params import (
    OP_DEPOSIT,
    OP_FORCED_EXIT,
    OP_OPEN,
    OP_TRANSFER,
    OP_WITHDRAW,
    TEST_PARAMS,
)
from offchain.rollup.state import Op, OpRejected, RollupState, signed_op
from offchain.sequencer import Sequencer
from offchain.state.smt import default_hasher
from tests.unitary.rollup.conftest import assert_reverts
from tests.utils.pairing import memoised_pairing
from tests.utils.rollup_deployers import (
    MOCK_ERC20_DEPLOYER,
    TEST_PROFILE,
    RealProver,
)

P = TEST_PARAMS
DEADLINE = TEST_PROFILE["priority_deadline"]
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
ETH, TKN = 0, 1
TOKENS = (ETH, TKN)
N_USERS = 4
FUNDS = 10**24
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "default")
MUTATION_RUN = os.environ.get("ROLLUP_MUTATION_RUN") == "1"

users = st.integers(min_value=0, max_value=N_USERS - 1)
tokens = st.sampled_from(TOKENS)
# Mostly small amounts, sometimes a single wei, sometimes large ones.
amounts = st.one_of(
    st.integers(min_value=1, max_value=10**6),
    st.just(1),
    st.integers(min_value=10**6, max_value=10**21),
)
# Percent of the spendable balance; above 100 the sequencer must refuse the op.
fractions = st.one_of(st.integers(min_value=1, max_value=100), st.just(100), st.just(250))

# Commits an honest contract must refuse; every honest commit is preceded by all of them (each is
# one cheap reverted call, and a drawn subset would let a planted bug slip through short runs).
ROGUE_COMMITS = (
    "prev_root",
    "number",
    "priority_hash",
    "forged_deposit",
    "message_root",
    "sender",
)

_BASE: dict = {}


@pytest.fixture(scope="module", autouse=True)
def base_system():
    """The real verifiers (deployed once per module; titanoboa's plugin keeps them for the
    module) with py-evm's pairing work memoised per input pair."""
    with memoised_pairing():
        _BASE["prover"] = RealProver(P)
        yield
    _BASE.clear()


def _clone(state: RollupState) -> RollupState:
    hasher = default_hasher()
    return copy.deepcopy(state, {id(hasher): hasher})


def tracked(function):
    """Remembers that a rule or invariant failed, so that ``teardown`` does not run the final
    escape drain on top of a failure (its own assertion would hide the first one)."""

    @functools.wraps(function)
    def wrapper(self, *args, **kwargs):
        try:
            return function(self, *args, **kwargs)
        except BaseException:
            self.failed = True
            raise

    return wrapper


@dataclass
class User:
    address: str
    prv: bytes
    key_hash: int


@dataclass
class Request:
    index: int
    data: bytes
    deadline: int

    @property
    def op_type(self) -> int:
        return self.data[0]

    @property
    def account(self) -> int:
        return int.from_bytes(self.data[1:5], "big")

    @property
    def token(self) -> int:
        return int.from_bytes(self.data[9:11], "big") if self.op_type != OP_OPEN else 0

    @property
    def amount(self) -> int:
        return int.from_bytes(self.data[11:27], "big") if self.op_type == OP_DEPOSIT else 0


class RollupMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.failed = False
        self._tmp = tempfile.TemporaryDirectory(prefix="rollup_stateful_")
        self.seq = None

    # ------------------------------------------------------------------ setup

    @initialize(settled=st.sampled_from([0, 1, 3, 5]))
    @tracked
    def deploy(self, settled):
        """Deploys the chain; every user opens its account with an ETH deposit, users 0 and 2
        also deposit the token (10 requests), and the first ``settled`` batches are committed, then
        proven, then executed (pipelined). The setup is the same in every example, so its proofs
        are made once."""
        self.prover: RealProver = _BASE["prover"]
        self.governance = boa.env.generate_address("governance")
        self.sequencer_addr = boa.env.generate_address("sequencer")
        self.rollup = self.prover.deploy(self.sequencer_addr, sender=self.governance)
        self.token = MOCK_ERC20_DEPLOYER.deploy("Token", "TKN")
        self.rollup.register_token(self.token.address, sender=self.governance)
        assert self.rollup.token_id(self.token.address) == TKN
        self.users = []
        for i in range(N_USERS):
            address = str(boa.env.generate_address(f"user_{i}"))
            prv = bytes([i + 1]) * 32
            self.users.append(User(address, prv, enc.key_hash(*eddsa.public_key(prv))))
            boa.env.set_balance(address, FUNDS)
            self.token.mint(address, FUNDS)
            self.token.approve(self.rollup.address, 2**256 - 1, sender=address)
        self.initial = {
            (u.address, t): self.l1_balance(u.address, t) for u in self.users for t in TOKENS
        }
        self.seq = Sequencer(P, os.path.join(self._tmp.name, "journal.db"), synchronous="NORMAL")

        # ghost state
        self.account_of: dict[str, int] = {}  # L1 address -> account id (AccountOpened)
        self.owner_of: dict[int, str] = {}  # account id -> L1 address
        self.requests: list[Request] = []  # the priority queue, from PriorityRequest events
        self.chain = [bytes(32)]  # chain[i], folded here
        self.witnesses = {}  # batch number -> BatchWitness (built and committed)
        self.snapshots = {0: RollupState(P)}  # batch number -> sequencer state after it
        self.replayed = RollupState(P)  # executed batches replayed from L1 pubdata
        self.ledger = defaultdict(int)  # (account, token) -> executed L2 balance (arithmetic)
        self.committed = self.proven = self.executed = 0
        self.claimable = defaultdict(int)  # (address, token) -> ghost claimable
        self.sent = defaultdict(int)  # (address, token) -> deposited into the rollup
        self.expected = defaultdict(int)  # (address, token) -> what the user must get back
        self.escape = False
        self.exited: set[tuple[int, int]] = set()
        self.refund_next = 0
        self.escrow_at_escape = {}
        self.paid_out = defaultdict(int)  # token -> exits + refunds since escape

        for i in range(N_USERS):
            self.deposit(i, i, ETH, (i + 1) * 10**18)
        for i in (0, 2):
            self.deposit(i, i, TKN, (i + 1) * 10**20)
        # pipelined: batch k + 1 is committed before batch k is executed
        for _ in range(settled):
            self.commit_next()
        while self.prove_next(False):
            pass
        while self.execute_next():
            pass

    def teardown(self):
        try:
            if not self.failed and self.seq is not None:
                self.finish_in_escape()
        finally:
            if self.seq is not None:
                self.seq.close()
            self._tmp.cleanup()

    # ------------------------------------------------------------------ helpers

    @property
    def now(self) -> int:
        return boa.env.evm.patch.timestamp

    def l1_balance(self, address: str, token: int) -> int:
        if token == ETH:
            return boa.env.get_balance(address)
        return self.token.balanceOf(address)

    def token_address(self, token: int) -> str:
        return ZERO_ADDRESS if token == ETH else self.token.address

    def revert_check(self, tag, reason, call, *args, **kwargs):
        """``call`` reverts with ``reason`` and changes nothing; a failure carries ``tag``."""
        try:
            assert_reverts(
                self.rollup,
                reason,
                call,
                *args,
                watch=[u.address for u in self.users],
                token=self.token,
                **kwargs,
            )
        except Exception as exc:
            raise AssertionError(f"[{tag}] expected revert {reason!r}: {exc!r}") from exc

    @property
    def served(self) -> int:
        """Requests consumed by executed batches (ghost)."""
        return sum(self.witnesses[n].priority_consumed for n in range(1, self.executed + 1))

    @property
    def consumed(self) -> int:
        """Requests consumed by committed batches (ghost)."""
        return sum(self.witnesses[n].priority_consumed for n in range(1, self.committed + 1))

    @property
    def executed_state(self) -> RollupState:
        return self.snapshots[self.executed]

    def spendable(self, account: int, token: int) -> int:
        """What the sequencer will let ``account`` spend next (its speculative view: executed
        state + queued requests + accepted ops); only used to pick meaningful amounts."""
        return self.seq._spec.balance(account, token)

    def ingest(self) -> None:
        """Hand the last call's PriorityRequest events to the sequencer (as the driver does)."""
        for log in self.rollup.get_logs():
            name = type(log).__name__
            if name == "AccountOpened":
                self.account_of[str(log.owner)] = log.account
                self.owner_of[log.account] = str(log.owner)
            if name != "PriorityRequest":
                continue
            assert log.index == len(self.requests), "[STEP-QUEUE] request index out of order"
            request = Request(log.index, bytes(log.request), log.deadline)
            assert request.deadline == self.now + DEADLINE, "[STEP-QUEUE] wrong deadline"
            self.requests.append(request)
            self.chain.append(enc.fold_priority(self.chain[-1], request.data))
            assert self.seq.add_priority_request(log.index, request.data, log.deadline)

    def unserved_deposits(self, token: int) -> int:
        """Deposits of ``token`` not served by an executed batch (nor refunded in escape)."""
        start = self.refund_next if self.escape else self.served
        return sum(
            r.amount for r in self.requests[start:] if r.op_type == OP_DEPOSIT and r.token == token
        )

    def l2_total(self, token: int) -> int:
        return sum(
            v for (a, t), v in self.ledger.items() if t == token and (a, t) not in self.exited
        )

    # ------------------------------------------------------------------ L1 requests

    @precondition(lambda self: not self.escape)
    @rule(sender=users, receiver=users, token=tokens, amount=amounts)
    @tracked
    def deposit(self, sender, receiver, token, amount):
        s, r = self.users[sender], self.users[receiver]
        opened = r.address in self.account_of
        value = amount if token == ETH else 0
        if not opened and sender != receiver:
            self.revert_check(
                "STEP-DEPOSIT",
                "Rollup: only the owner can open its account",
                self.rollup.deposit,
                r.address,
                self.token_address(token),
                amount,
                r.key_hash,
                value=value,
                sender=s.address,
            )
            return
        before = len(self.requests)
        self.rollup.deposit(
            r.address,
            self.token_address(token),
            amount,
            0 if opened else r.key_hash,
            value=value,
            sender=s.address,
        )
        self.ingest()
        kinds = [q.op_type for q in self.requests[before:]]
        assert kinds == ([OP_DEPOSIT] if opened else [OP_OPEN, OP_DEPOSIT]), "[STEP-DEPOSIT]"
        self.sent[(s.address, token)] += amount
        event("deposit (open)" if not opened else "deposit")

    @precondition(lambda self: not self.escape)
    @rule(user=users, token=tokens)
    @tracked
    def request_forced_exit(self, user, token):
        u = self.users[user]
        account = self.account_of.get(u.address, 0)
        if not account:
            self.revert_check(
                "STEP-FORCED-EXIT",
                "Rollup: not the account owner",
                self.rollup.request_forced_exit,
                1,
                token,
                sender=u.address,
            )
            return
        if self.rollup.forced_exit_pending(account):
            self.revert_check(
                "STEP-FORCED-EXIT",
                "Rollup: forced exit already pending",
                self.rollup.request_forced_exit,
                account,
                token,
                sender=u.address,
            )
            return
        self.rollup.request_forced_exit(account, token, sender=u.address)
        self.ingest()
        assert self.requests[-1].op_type == OP_FORCED_EXIT, "[STEP-QUEUE]"
        event("forced exit requested")

    # ------------------------------------------------------------------ L2 ops

    @precondition(lambda self: not self.escape)
    @rule(src=users, dst=users, token=tokens, percent=fractions)
    @tracked
    def transfer(self, src, dst, token, percent):
        self.l2_op(src, dst, token, percent, withdraw=False)

    @precondition(lambda self: not self.escape)
    @rule(src=users, token=tokens, percent=fractions)
    @tracked
    def withdraw(self, src, token, percent):
        self.l2_op(src, src, token, percent, withdraw=True)

    def l2_op(self, src, dst, token, percent, withdraw):
        a = self.account_of.get(self.users[src].address, 0)
        b = self.account_of.get(self.users[dst].address, 0)
        if not a or (not withdraw and not b):
            return
        balance = self.spendable(a, token)
        amount = max(1, balance * percent // 100)
        nonce = self.seq.next_nonce(a)
        op_type = OP_WITHDRAW if withdraw else OP_TRANSFER
        op = signed_op(
            op_type,
            self.users[src].prv,
            P.chain_id,
            nonce,
            a,
            token,
            amount,
            to=0 if withdraw else b,
        )
        if amount > balance:
            with pytest.raises(OpRejected):
                self.seq.submit(op)
            assert self.seq.next_nonce(a) == nonce
            event("L2 op refused (insufficient balance)")
            return
        self.seq.submit(op)
        assert self.seq.next_nonce(a) == nonce + 1
        event("withdraw submitted" if withdraw else "transfer submitted")

    # ------------------------------------------------------------------ operator

    def header(self, w, **changes):
        return commit_header(self.committed + 1, w, **changes)

    def rogue_commit(self, w, kind: str) -> None:
        """A commit an honest contract must refuse (before the honest one of ``w``)."""
        commit = self.rollup.commit_batch
        seq = self.sequencer_addr
        if kind == "prev_root":
            self.revert_check(
                "STEP-ROGUE-COMMIT",
                "Rollup: wrong prev root",
                commit,
                self.header(w, prev_root=w.new_root if w.new_root != w.prev_root else 1),
                w.pubdata,
                sender=seq,
            )
        elif kind == "number":
            self.revert_check(
                "STEP-ROGUE-COMMIT",
                "Rollup: wrong batch number",
                commit,
                self.header(w, number=self.committed + 2),
                w.pubdata,
                sender=seq,
            )
        elif kind == "priority_hash":
            wrong = bytes(32) if w.priority_hash != bytes(32) else b"\x01" * 32
            self.revert_check(
                "STEP-ROGUE-COMMIT",
                "Rollup: wrong priority hash",
                commit,
                self.header(w, priority_hash=wrong),
                w.pubdata,
                sender=seq,
            )
        elif kind == "message_root":
            self.revert_check(
                "STEP-ROGUE-COMMIT",
                "Rollup: message root must be zero",
                commit,
                self.header(w, message_root=b"\x01" * 32),
                w.pubdata,
                sender=seq,
            )
        elif kind == "sender":
            self.revert_check(
                "STEP-ROGUE-COMMIT",
                "Rollup: not the sequencer",
                commit,
                self.header(w),
                w.pubdata,
                sender=self.users[0].address,
            )
        elif kind == "forged_deposit":
            # A deposit nobody queued (or the next queued one with a bumped amount), with a header
            # whose priority hash matches the forged pubdata: only the queue check can catch it.
            start = self.chain[self.consumed]
            pending = self.requests[self.consumed :]
            account = next(iter(self.owner_of), 1)
            amount = 10**30
            if pending and pending[0].op_type == OP_DEPOSIT:
                account, amount = pending[0].account, pending[0].amount + 1
            slot = enc.encode_slot(OP_DEPOSIT, account=account, token=ETH, amount=amount)
            pubdata = slot.ljust(P.pubdata_bytes, b"\0")
            forged = enc.fold_priority(start, enc.priority_request(slot))
            reason = (
                "Rollup: priority requests mismatch"
                if pending
                else "Rollup: batch consumes unqueued requests"
            )
            self.revert_check(
                "STEP-ROGUE-COMMIT",
                reason,
                commit,
                (self.committed + 1, w.prev_root, w.new_root, forged, bytes(32)),
                pubdata,
                sender=seq,
            )

    def commit_next(self) -> bool:
        w = self.seq.build_next_batch(self.now)
        if w is None:
            return False
        number = self.committed + 1
        assert self.seq.batches()[-1].number == number, "[STEP-COMMIT] sequencer numbering"
        assert w.prev_root == self.rollup.batch(number - 1)[0], "[STEP-COMMIT] prev root"
        for kind in ROGUE_COMMITS:
            self.rogue_commit(w, kind)
        self.rollup.commit_batch(self.header(w), w.pubdata, sender=self.sequencer_addr)
        self.seq.mark_committed(number, "0x" + "00" * 32)
        new_root, commitment, end, withdrawals_hash = self.rollup.batch(number)
        assert new_root == w.new_root and commitment == w.commitment, "[STEP-COMMIT] record"
        assert end == self.consumed + w.priority_consumed, "[STEP-COMMIT] priority end"
        assert withdrawals_hash == enc.withdrawals_hash(w.withdrawals()), "[STEP-COMMIT] w hash"
        self.witnesses[number] = w
        self.snapshots[number] = _clone(self.seq.state)
        self.committed = number
        event(f"committed a batch with {sum(s.op_type != 0 for s in w.slots)} ops")
        return True

    def prove_next(self, replay: bool) -> bool:
        if self.proven == self.committed:
            return False
        number = self.proven + 1
        if self.executed == self.proven:
            # nothing executes unproven
            self.revert_check(
                "STEP-UNPROVEN",
                "Rollup: batch not proven",
                self.rollup.execute_batch,
                number,
                self.witnesses[number].withdrawals(),
                sender=self.sequencer_addr,
            )
        if replay and number > 1:
            # the genuine proof of the previous batch, replayed for this one
            self.revert_check(
                "STEP-REPLAY-PROOF",
                "Rollup: invalid proof",
                self.rollup.prove_batch,
                number,
                self.prover.batch_proof(self.witnesses[number - 1]),
                sender=self.sequencer_addr,
            )
            event("replayed proof refused")
        proof = self.prover.batch_proof(self.witnesses[number])
        self.rollup.prove_batch(number, proof, sender=self.sequencer_addr)
        self.seq.mark_proven(number, "0x" + "00" * 32)
        self.proven = number
        return True

    def execute_next(self) -> bool:
        if self.executed == self.proven:
            return False
        number = self.executed + 1
        w = self.witnesses[number]
        withdrawals = w.withdrawals()
        # a tampered withdrawal list first, every time (one cheap reverted call)
        if withdrawals:
            a, t, v = withdrawals[-1]
            bad = [*withdrawals[:-1], (a, t, v + 1)]
        else:
            bad = [(next(iter(self.owner_of), 1), ETH, 1)]
        self.revert_check(
            "STEP-WITHDRAWALS",
            "Rollup: withdrawals mismatch",
            self.rollup.execute_batch,
            number,
            bad,
            sender=self.sequencer_addr,
        )
        event("tampered withdrawals refused")
        self.rollup.execute_batch(number, withdrawals, sender=self.sequencer_addr)
        self.seq.mark_executed(number, "0x" + "00" * 32)
        self.apply_executed(number, w)
        self.executed = number
        assert self.rollup.priority_served() == self.served, (
            f"[STEP-SERVED] batch {number} executed: served {self.rollup.priority_served()} != "
            f"consumed by executed batches {self.served}"
        )
        return True

    def apply_executed(self, number: int, w) -> None:
        """Update the ghost ledger (arithmetic), the L1 replay and the credited withdrawals."""
        for i in range(P.slots):
            f = enc.decode_slot(w.pubdata[i * enc.SLOT_BYTES : (i + 1) * enc.SLOT_BYTES])
            key = (f.account, f.token)
            if f.op_type == OP_DEPOSIT:
                self.ledger[key] += f.amount
            elif f.op_type == OP_TRANSFER:
                assert self.ledger[key] >= f.amount, "[STEP-LEDGER] transfer overdraws"
                self.ledger[key] -= f.amount
                self.ledger[(f.to, f.token)] += f.amount
            elif f.op_type in (OP_WITHDRAW, OP_FORCED_EXIT):
                if f.op_type == OP_FORCED_EXIT:
                    assert f.amount == self.ledger[key], "[STEP-LEDGER] forced exit not whole"
                assert self.ledger[key] >= f.amount, "[STEP-LEDGER] withdrawal overdraws"
                self.ledger[key] -= f.amount
                owner = self.owner_of[f.account]
                self.claimable[(owner, f.token)] += f.amount
                self.expected[(owner, f.token)] += f.amount
            self.replayed.apply(Op.from_slot(f), verify_signature=False)
        assert self.replayed.root == w.new_root, "[STEP-REPLAY] L1 replay root differs"

    @precondition(lambda self: not self.escape)
    @rule(stage=st.sampled_from(["commit", "prove", "execute"]), replay=st.booleans())
    @tracked
    def operator_step(self, stage, replay):
        """One stage of the pipeline (so that committed and proven batches wait)."""
        if stage == "commit":
            self.commit_next()
        elif stage == "prove":
            self.prove_next(replay)
        else:
            self.execute_next()

    @precondition(lambda self: not self.escape)
    @rule(replay=st.booleans())
    @tracked
    def operator_full(self, replay):
        """Build and commit the next batch, then prove and execute everything committed."""
        self.commit_next()
        while self.prove_next(replay):
            replay = False
        while self.execute_next():
            pass

    # ------------------------------------------------------------------ time and escape

    @rule(
        kind=st.sampled_from(["small", "day", "to_deadline", "past_deadline"]),
        seconds=st.integers(min_value=1, max_value=3600),
    )
    @tracked
    def time_passes(self, kind, seconds):
        served = self.served
        deadline = self.requests[served].deadline if served < len(self.requests) else None
        if kind == "day":
            seconds = 86_400
        elif kind in ("to_deadline", "past_deadline") and deadline is not None:
            seconds = deadline - self.now + (kind == "past_deadline")
        if seconds > 0:
            boa.env.time_travel(seconds=seconds)
        if kind == "to_deadline" and deadline is not None and not self.escape:
            if self.now == deadline:
                self.revert_check(
                    "STEP-ACTIVATE", "Rollup: deadline not passed", self.rollup.activate_escape_mode
                )
                event("activation refused at the deadline")

    @precondition(lambda self: not self.escape)
    @rule(by=users)
    @tracked
    def activate_escape_mode(self, by):
        served = self.served
        if served == len(self.requests):
            self.revert_check(
                "STEP-ACTIVATE",
                "Rollup: no unserved request",
                self.rollup.activate_escape_mode,
                sender=self.users[by].address,
            )
            return
        if self.now <= self.requests[served].deadline:
            self.revert_check(
                "STEP-ACTIVATE",
                "Rollup: deadline not passed",
                self.rollup.activate_escape_mode,
                sender=self.users[by].address,
            )
            return
        self.rollup.activate_escape_mode(sender=self.users[by].address)
        self.enter_escape()
        event("escape mode (rule)")

    def enter_escape(self) -> None:
        (log,) = [e for e in self.rollup.get_logs() if type(e).__name__ == "EscapeModeActivated"]
        assert log.request_index == self.served, "[STEP-ACTIVATE] wrong request index"
        self.escape = True
        self.refund_next = self.served
        self.escrow_at_escape = {t: self.rollup.escrowed(t) for t in TOKENS}
        # what each owner must get back from here on: its executed balances and unserved deposits
        for (account, token), value in self.ledger.items():
            self.expected[(self.owner_of[account], token)] += value
        for r in self.requests[self.refund_next :]:
            if r.op_type == OP_DEPOSIT:
                self.expected[(self.owner_of[r.account], r.token)] += r.amount
        note(f"escape mode: executed {self.executed}, served {self.served}")

    @precondition(lambda self: self.escape)
    @rule(by=users)
    @tracked
    def sequencer_locked_out(self, by):
        """In escape mode nothing but exits, refunds and claims moves."""
        seq = self.sequencer_addr
        self.revert_check(
            "STEP-LOCKED",
            "Rollup: escape mode",
            self.rollup.commit_batch,
            (self.committed + 1, self.rollup.batch(self.committed)[0], 1, bytes(32), bytes(32)),
            bytes(P.pubdata_bytes),
            sender=seq,
        )
        self.revert_check(
            "STEP-LOCKED",
            "Rollup: escape mode",
            self.rollup.prove_batch,
            1,
            ([0, 0], [[0, 0], [0, 0]], [0, 0]),
            sender=seq,
        )
        self.revert_check(
            "STEP-LOCKED",
            "Rollup: escape mode",
            self.rollup.execute_batch,
            self.executed + 1,
            [],
            sender=seq,
        )
        u = self.users[by]
        self.revert_check(
            "STEP-LOCKED",
            "Rollup: escape mode",
            self.rollup.deposit,
            u.address,
            ZERO_ADDRESS,
            1,
            0 if u.address in self.account_of else u.key_hash,
            value=1,
            sender=u.address,
        )
        if u.address in self.account_of:
            self.revert_check(
                "STEP-LOCKED",
                "Rollup: escape mode",
                self.rollup.request_forced_exit,
                self.account_of[u.address],
                ETH,
                sender=u.address,
            )

    def exit_one(self, account: int, token: int) -> None:
        state = self.executed_state
        owner = self.owner_of[account]
        w = state.exit_witness(account, token)
        assert w.root == self.rollup.executed_root(), "[STEP-EXIT] witness root"
        proof = self.prover.exit_proof(w)
        if (account, token) in self.exited:
            self.revert_check(
                "STEP-EXIT-ONCE",
                "Rollup: already exited",
                self.rollup.exit,
                account,
                owner,
                token,
                w.amount,
                proof,
            )
            event("second exit refused")
            return
        before = self.l1_balance(owner, token)
        self.rollup.exit(account, owner, token, w.amount, proof)
        (log,) = [e for e in self.rollup.get_logs() if type(e).__name__ == "Exited"]
        assert log.paid and log.amount == w.amount, "[STEP-EXIT]"
        assert self.l1_balance(owner, token) == before + w.amount, "[STEP-EXIT] payment"
        self.exited.add((account, token))
        self.paid_out[token] += w.amount
        event("exit")

    @precondition(lambda self: self.escape)
    @rule(user=users, token=tokens, impostor=users)
    @tracked
    def escape_exit(self, user, token, impostor):
        account = self.account_of.get(self.users[user].address, 0)
        if not account or self.executed_state.account(account) is None:
            return
        amount = self.executed_state.balance(account, token)
        owner = self.owner_of[account]
        proof = (
            self.prover.exit_proof(self.executed_state.exit_witness(account, token))
            if amount
            else None
        )
        if amount == 0:
            self.revert_check(
                "STEP-EXIT",
                "Rollup: zero amount",
                self.rollup.exit,
                account,
                owner,
                token,
                0,
                ([0, 0], [[0, 0], [0, 0]], [0, 0]),
            )
            return
        if impostor != user:
            self.revert_check(
                "STEP-EXIT",
                "Rollup: not the account owner",
                self.rollup.exit,
                account,
                self.users[impostor].address,
                token,
                amount,
                proof,
            )
        self.exit_one(account, token)

    def refund_one(self) -> bool:
        index = self.refund_next
        if index == len(self.requests):
            self.revert_check(
                "STEP-REFUND",
                "Rollup: no request left to refund",
                self.rollup.refund_deposit,
                b"\x02" * 27,
            )
            return False
        request = self.requests[index]
        if index > 0 and self.requests[index - 1].data != request.data:
            # an earlier (served or already refunded) request cannot be refunded (again)
            self.revert_check(
                "STEP-REFUND",
                "Rollup: request does not match the queue",
                self.rollup.refund_deposit,
                self.requests[index - 1].data,
            )
        receiver = self.owner_of.get(request.account)
        before = self.l1_balance(receiver, request.token) if receiver else 0
        self.rollup.refund_deposit(request.data)
        (log,) = [e for e in self.rollup.get_logs() if type(e).__name__ == "RequestRefunded"]
        assert log.index == index, "[STEP-REFUND] order"
        if request.op_type == OP_DEPOSIT:
            assert log.amount == request.amount and log.paid, "[STEP-REFUND] amount"
            after = self.l1_balance(receiver, request.token)
            assert after == before + request.amount, "[STEP-REFUND] payment"
            self.paid_out[request.token] += request.amount
            event("refund")
        else:
            assert log.amount == 0, "[STEP-REFUND] a non-deposit refunded something"
        self.refund_next = index + 1
        return True

    @precondition(lambda self: self.escape)
    @rule()
    @tracked
    def escape_refund(self):
        self.refund_one()

    @rule(user=users, token=tokens, by=users)
    @tracked
    def claim(self, user, token, by):
        owner = self.users[user].address
        amount = self.claimable[(owner, token)]
        if amount == 0:
            self.revert_check(
                "STEP-CLAIM",
                "Rollup: nothing to claim",
                self.rollup.claim,
                owner,
                token,
                sender=self.users[by].address,
            )
            return
        before = self.l1_balance(owner, token)
        self.rollup.claim(owner, token, sender=self.users[by].address)
        assert self.l1_balance(owner, token) == before + amount, "[STEP-CLAIM] payment"
        self.claimable[(owner, token)] = 0
        event("claim")

    # ------------------------------------------------------------------ the end

    def finish_in_escape(self) -> None:
        """Force escape mode if needed, exit / refund / claim everything, then check that every
        user recovered exactly what it was owed and the contract holds nothing."""
        if not self.escape:
            if self.served == len(self.requests):
                # queue one request (a 1-wei deposit; it opens user 0's account if needed)
                u = self.users[0]
                opened = u.address in self.account_of
                self.rollup.deposit(
                    u.address,
                    ZERO_ADDRESS,
                    1,
                    0 if opened else u.key_hash,
                    value=1,
                    sender=u.address,
                )
                self.ingest()
                self.sent[(u.address, ETH)] += 1
            deadline = self.requests[self.served].deadline
            if self.now < deadline:
                boa.env.time_travel(seconds=deadline - self.now)
            if self.now == deadline:
                self.revert_check(
                    "STEP-ACTIVATE", "Rollup: deadline not passed", self.rollup.activate_escape_mode
                )
                boa.env.time_travel(seconds=1)
            self.rollup.activate_escape_mode()
            self.enter_escape()
        state = self.executed_state
        for account in state.account_ids():
            for token in TOKENS:
                if state.balance(account, token) and (account, token) not in self.exited:
                    self.exit_one(account, token)
        for account, token in sorted(self.exited):
            self.exit_one(account, token)  # a second exit must revert
        while self.refund_one():
            pass
        for (owner, token), amount in list(self.claimable.items()):
            if amount:
                self.rollup.claim(owner, token)
                self.claimable[(owner, token)] = 0
        self.verify_all()
        for t in TOKENS:
            assert self.rollup.escrowed(t) == 0, f"[STEP-RECOVERY] escrow of {t} left"
            holder = self.rollup.address
            assert self.l1_balance(holder, t) == 0, f"[STEP-RECOVERY] {t} left in the contract"
        for u in self.users:
            for t in TOKENS:
                key = (u.address, t)
                recovered = self.l1_balance(u.address, t) - self.initial[key] + self.sent[key]
                assert recovered == self.expected[key], (
                    f"[STEP-RECOVERY] {u.address} token {t}: recovered {recovered}, "
                    f"owed {self.expected[key]}"
                )

    # ------------------------------------------------------------------ invariants

    def verify_all(self) -> None:
        r = self.rollup
        # pipeline
        last = (r.last_committed(), r.last_proven(), r.last_executed())
        assert last[2] <= last[1] <= last[0], f"[INV-PIPELINE] {last}"
        assert last == (self.committed, self.proven, self.executed), (
            f"[INV-PIPELINE] {last} != ghost {(self.committed, self.proven, self.executed)}"
        )
        # roots: contract, sequencer snapshot, L1 replay
        state = self.executed_state
        assert r.executed_root() == state.root, "[INV-ROOT] executed root != sequencer state"
        assert self.replayed.root == state.root, "[INV-ROOT] L1 replay != sequencer state"
        for n in range(1, self.committed + 1):
            live = n <= self.proven and not (self.escape and n > self.executed)
            expected = self.witnesses[n].new_root if live else 0
            assert r.proven_root(n) == expected, f"[INV-PROVEN-ROOT] batch {n}"
        # queue
        count = len(self.requests)
        assert r.priority_count() == count, "[INV-QUEUE] count"
        assert r.priority_committed() == self.consumed == self.seq.journal.consumed_count(), (
            "[INV-QUEUE] committed"
        )
        assert r.priority_served() == self.served, (
            f"[INV-QUEUE] served {r.priority_served()} != consumed by executed {self.served}"
        )
        assert r.priority_chain(count) == self.chain[count], "[INV-QUEUE] chain"
        if self.served < count:
            oldest = self.requests[self.served].deadline
            assert r.priority_deadline_of(self.served) == oldest, "[INV-QUEUE] deadline"
            assert self.seq.journal.oldest_unserved_deadline() == oldest, (
                "[INV-QUEUE] sequencer's oldest unserved deadline"
            )
        # ledger: arithmetic == sequencer snapshot == L1 replay
        for account in state.account_ids():
            for t in TOKENS:
                v = state.balance(account, t)
                assert self.ledger[(account, t)] == v == self.replayed.balance(account, t), (
                    f"[INV-LEDGER] account {account} token {t}"
                )
        # accounts and forced exits
        for address, account in self.account_of.items():
            assert r.account_of(address) == account and r.account_owner(account) == address, (
                "[INV-ACCOUNTS]"
            )
            pending = any(
                q.op_type == OP_FORCED_EXIT and q.account == account
                for q in self.requests[self.served :]
            )
            assert r.forced_exit_pending(account) == pending, "[INV-FORCED-PENDING]"
            for t in TOKENS:
                assert r.exited(account, t) == ((account, t) in self.exited), "[INV-EXITED]"
        # escape
        assert r.escape_mode() == self.escape, "[INV-ESCAPE]"
        if self.escape:
            assert r.refund_next() == self.refund_next, "[INV-ESCAPE] refund cursor"
        # money
        for t in TOKENS:
            claimable = 0
            for u in self.users:
                c = r.claimable(u.address, t)
                assert c == self.claimable[(u.address, t)], f"[INV-CLAIMABLE] {u.address} {t}"
                claimable += c
            escrowed = r.escrowed(t)
            l2, pending = self.l2_total(t), self.unserved_deposits(t)
            assert escrowed == l2 + pending, (
                f"[INV-ESCROW] token {t}: escrowed {escrowed} != L2 {l2} + unserved {pending}"
            )
            balance = self.l1_balance(r.address, t)
            assert balance >= l2 + pending + claimable, (
                f"[INV-SOLVENCY] token {t}: balance {balance} < owed {l2 + pending + claimable}"
            )
            assert balance == escrowed + claimable, (
                f"[INV-SOLVENCY] token {t}: balance {balance} != escrowed + claimable"
            )
            if self.escape:
                assert self.paid_out[t] <= self.escrow_at_escape[t], (
                    f"[INV-ESCAPE-BOUND] token {t}: paid {self.paid_out[t]} > escrow at escape"
                )

    @invariant()
    @tracked
    def invariants(self):
        self.verify_all()


def _settings(**overrides) -> settings:
    """The loaded profile's settings with the given overrides. Under the mutation check
    (ROLLUP_MUTATION_RUN=1) failures are not shrunk nor stored."""
    if MUTATION_RUN:
        overrides.update(phases=[Phase.explicit, Phase.generate], database=None)
    return settings(**overrides)


# Every batch is a real Groth16 proof (~2-4 s on two cores) and every exit one more (~1-2 s):
# "default" keeps to a few short sequences (~2-3 min); "audit" goes deeper.
if PROFILE == "audit":
    _SIZES = dict(max_examples=80, stateful_step_count=30)
else:
    _SIZES = dict(max_examples=6, stateful_step_count=10)

TestRollupStateful = RollupMachine.TestCase
TestRollupStateful.settings = _settings(**_SIZES)
