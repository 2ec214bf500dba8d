"""Negative tests with the REAL circuits: the Rollup deployed over the verifiers generated from the
real batch and exit circuits' keys, batches built by the real sequencer and proved with
``prove_batch``, exits proved with ``prove_exit`` from ``RollupState.exit_witness``.

A genuine proof is useless for anything but its own statement: another or a stale root in the
header, a tampered pubdata byte, the next batch number (replay), a wrong priority hash; a batch
with a deposit nobody queued has a genuine proof (the circuit cannot see the L1 queue) and only
the priority-chain check stops it. Exits: wrong amount, wrong owner, another account, a proof made
for an older executed root, a second exit, an exit before escape mode. A deposit served by an
executed batch cannot be refunded. Each refused call reverts with the contract's reason and
changes nothing (``assert_reverts``).

Proofs are memoised per statement (tests/utils/rollup_deployers.py), so the scenarios, which are
the same in every test, are proved once per process (~2-4 s per batch proof on two cores).
"""

from __future__ import annotations

import copy

import boa
import pytest

from offchain.crypto import eddsa
from offchain.l1.client import commit_header
from offchain.rollup import encoding as enc
from offchain.rollup.params import OP_DEPOSIT, OP_TRANSFER, OP_WITHDRAW, TEST_PARAMS
from offchain.rollup.state import Op, signed_op
from offchain.sequencer import Sequencer
from offchain.state.smt import default_hasher
from tests.unitary.rollup.conftest import ETH, ZERO_ADDRESS, assert_reverts
from tests.utils.rollup_deployers import MOCK_ERC20_DEPLOYER, RealProver

P = TEST_PARAMS
KEYS = {"alice": b"\x0a" * 32, "bob": b"\x0b" * 32, "outsider": b"\x0c" * 32}
ETH_ID = 0  # token id of ETH (ETH itself is 10**18 wei, from conftest)


@pytest.fixture(scope="module")
def real():
    """The real circuits' verifiers (deployed once per module) and memoised real proofs."""
    return RealProver(P)


def clone(state):
    hasher = default_hasher()
    return copy.deepcopy(state, {id(hasher): hasher})


class Chain:
    """A Rollup over the real verifiers, its real sequencer and the L1 side of the operator."""

    def __init__(self, real, rollup, token, seq, sequencer, users):
        self.real, self.rollup, self.token, self.seq = real, rollup, token, seq
        self.sequencer = sequencer
        self.users = users  # name -> address
        self.requests: list[bytes] = []
        self.built = {}  # number -> BatchWitness
        self.states = {}  # number -> sequencer state after the batch

    def feed(self) -> None:
        """The last call's PriorityRequest events, handed to the sequencer."""
        for log in self.rollup.get_logs():
            if type(log).__name__ == "PriorityRequest":
                assert log.index == len(self.requests)
                self.requests.append(bytes(log.request))
                assert self.seq.add_priority_request(log.index, bytes(log.request), log.deadline)

    def deposit(self, name: str, amount: int, *, open_: bool = False) -> None:
        who = self.users[name]
        kh = enc.key_hash(*eddsa.public_key(KEYS[name])) if open_ else 0
        self.rollup.deposit(who, ZERO_ADDRESS, amount, kh, value=amount, sender=who)
        self.feed()

    def account(self, name: str) -> int:
        return self.rollup.account_of(self.users[name])

    def transfer(self, src: str, dst: str, amount: int) -> None:
        a, b = self.account(src), self.account(dst)
        nonce = self.seq.next_nonce(a)
        self.seq.submit(
            signed_op(OP_TRANSFER, KEYS[src], P.chain_id, nonce, a, ETH_ID, amount, to=b)
        )

    def withdraw(self, name: str, amount: int) -> None:
        a = self.account(name)
        nonce = self.seq.next_nonce(a)
        self.seq.submit(signed_op(OP_WITHDRAW, KEYS[name], P.chain_id, nonce, a, ETH_ID, amount))

    def build(self):
        w = self.seq.build_next_batch(boa.env.evm.patch.timestamp)
        assert w is not None
        number = self.rollup.last_committed() + 1
        self.built[number] = w
        self.states[number] = clone(self.seq.state)
        return w

    def header(self, w, **changes) -> tuple:
        return commit_header(self.rollup.last_committed() + 1, w, **changes)

    def commit(self, w) -> int:
        number = self.rollup.last_committed() + 1
        self.rollup.commit_batch(self.header(w), w.pubdata, sender=self.sequencer)
        assert self.rollup.batch(number)[1] == w.commitment
        return number

    def prove(self, number: int) -> None:
        proof = self.real.batch_proof(self.built[number])
        self.rollup.prove_batch(number, proof, sender=self.sequencer)

    def execute(self, number: int) -> None:
        w = self.built[number]
        self.rollup.execute_batch(number, w.withdrawals(), sender=self.sequencer)

    def settle(self):
        """Build, commit, prove and execute the next batch."""
        w = self.build()
        number = self.commit(w)
        self.prove(number)
        self.execute(number)
        assert self.rollup.executed_root() == w.new_root
        return w

    def reverts(self, reason, call, *args, **kwargs) -> None:
        assert_reverts(
            self.rollup,
            reason,
            call,
            *args,
            watch=list(self.users.values()),
            **kwargs,
        )


@pytest.fixture
def chain(real, owner, sequencer, alice, bob, outsider, tmp_path):
    users = {"alice": alice, "bob": bob, "outsider": outsider}
    for who in users.values():
        boa.env.set_balance(who, 1_000 * ETH)
    rollup = real.deploy(sequencer, sender=owner)
    token = MOCK_ERC20_DEPLOYER.deploy("Token", "TKN")
    rollup.register_token(token.address, sender=owner)
    seq = Sequencer(P, tmp_path / "journal.db", synchronous="NORMAL")
    yield Chain(real, rollup, token, seq, sequencer, users)
    seq.close()


def two_accounts(chain: Chain) -> None:
    """Batch 1: alice opens with 3 ETH; batch 2: bob opens with 1 ETH (both executed)."""
    chain.deposit("alice", 3 * ETH, open_=True)
    chain.settle()
    chain.deposit("bob", 1 * ETH, open_=True)
    chain.settle()


# ---------------------------------------------------------------- batches


def test_genuine_proofs_are_accepted(chain):
    """Control: the real pipeline works end to end, roots agree with the sequencer."""
    two_accounts(chain)
    chain.transfer("alice", "bob", ETH // 2)
    w = chain.settle()
    assert chain.rollup.last_executed() == 3
    assert chain.rollup.executed_root() == chain.seq.root == w.new_root
    assert chain.rollup.priority_served() == 4


@pytest.mark.parametrize("which", ["stale", "other"])
def test_batch_proof_rejected_for_another_new_root(chain, which):
    chain.deposit("alice", 3 * ETH, open_=True)
    w = chain.build()
    root = w.prev_root if which == "stale" else w.new_root + 1
    chain.rollup.commit_batch(chain.header(w, new_root=root), w.pubdata, sender=chain.sequencer)
    proof = chain.real.batch_proof(w)
    chain.reverts(
        "Rollup: invalid proof", chain.rollup.prove_batch, 1, proof, sender=chain.sequencer
    )
    assert chain.rollup.last_proven() == 0 and chain.rollup.proven_root(1) == 0


def test_header_with_a_stale_prev_root_is_refused(chain):
    chain.deposit("alice", 3 * ETH, open_=True)
    chain.settle()
    chain.deposit("bob", ETH, open_=True)
    w = chain.build()
    stale = chain.built[1].prev_root  # the genesis root, no longer the last committed root
    chain.reverts(
        "Rollup: wrong prev root",
        chain.rollup.commit_batch,
        chain.header(w, prev_root=stale),
        w.pubdata,
        sender=chain.sequencer,
    )


@pytest.mark.parametrize(
    "offset,reason",
    [
        (26, "Rollup: invalid proof"),  # last byte of the transfer's amount
        (5, "Rollup: invalid proof"),  # the transfer's recipient
        (40, "Rollup: invalid proof"),  # the zero tail of the transfer's slot
        (57 + 30, "Rollup: invalid proof"),  # inside the NOOP slot
    ],
)
def test_batch_proof_rejected_for_tampered_pubdata(chain, offset, reason):
    two_accounts(chain)
    chain.transfer("alice", "bob", ETH // 2)
    w = chain.build()
    assert w.pubdata[0] == OP_TRANSFER
    pubdata = bytearray(w.pubdata)
    pubdata[offset] ^= 0x01
    chain.rollup.commit_batch(chain.header(w), bytes(pubdata), sender=chain.sequencer)
    chain.reverts(
        reason, chain.rollup.prove_batch, 3, chain.real.batch_proof(w), sender=chain.sequencer
    )


def test_tampered_priority_slot_is_refused_at_commit(chain):
    chain.deposit("alice", 3 * ETH, open_=True)
    w = chain.build()
    pubdata = bytearray(w.pubdata)
    pubdata[57 + 26] ^= 0x01  # the deposit's amount
    chain.reverts(
        "Rollup: priority requests mismatch",
        chain.rollup.commit_batch,
        chain.header(w, priority_hash=_fold(b"\0" * 32, bytes(pubdata))),
        bytes(pubdata),
        sender=chain.sequencer,
    )


def _fold(start: bytes, pubdata: bytes) -> bytes:
    h = start
    for i in range(P.slots):
        request = enc.priority_request(pubdata[i * 57 : (i + 1) * 57])
        if request is not None:
            h = enc.fold_priority(h, request)
    return h


def test_replayed_batch_proof(chain):
    chain.deposit("alice", 3 * ETH, open_=True)
    chain.settle()
    proof_1 = chain.real.batch_proof(chain.built[1])
    chain.deposit("bob", ETH, open_=True)
    w2 = chain.build()
    chain.commit(w2)
    seq = chain.sequencer
    chain.reverts(
        "Rollup: batch not proven", chain.rollup.execute_batch, 2, w2.withdrawals(), sender=seq
    )
    chain.reverts("Rollup: invalid proof", chain.rollup.prove_batch, 2, proof_1, sender=seq)
    chain.reverts("Rollup: wrong batch number", chain.rollup.prove_batch, 1, proof_1, sender=seq)
    chain.prove(2)
    chain.reverts("Rollup: wrong batch number", chain.rollup.prove_batch, 2, proof_1, sender=seq)
    chain.execute(2)
    assert chain.rollup.executed_root() == w2.new_root


def test_wrong_priority_hash(chain):
    chain.deposit("alice", 3 * ETH, open_=True)
    w = chain.build()
    for wrong in (bytes(32), chain.requests[0][:32], bytes(31) + b"\x01"):
        chain.reverts(
            "Rollup: wrong priority hash",
            chain.rollup.commit_batch,
            chain.header(w, priority_hash=wrong),
            w.pubdata,
            sender=chain.sequencer,
        )
    chain.commit(w)
    chain.prove(1)


def test_unqueued_deposit_has_a_genuine_proof_but_is_refused(chain, real):
    """The circuit cannot see the L1 queue: a batch depositing 10 ETH that nobody sent proves
    fine; only commit_batch's priority-chain check keeps it out."""
    chain.deposit("alice", 3 * ETH, open_=True)
    chain.settle()
    chain.deposit("alice", 5)  # queued: 5 wei
    a = chain.account("alice")
    forged_state = clone(chain.seq.state)
    start = chain.rollup.priority_chain(chain.rollup.priority_committed())
    forged = forged_state.build_batch([Op.deposit(a, ETH_ID, 10 * ETH)], start)
    proof = real.batch_proof(forged)
    assert forged.slots[0].op_type == OP_DEPOSIT
    assert real.batch_verifier.verifyProof(*proof, [forged.commitment])  # a genuine proof
    chain.reverts(
        "Rollup: priority requests mismatch",
        chain.rollup.commit_batch,
        chain.header(forged),
        forged.pubdata,
        sender=chain.sequencer,
    )
    # more priority slots than requests queued
    chain.reverts(
        "Rollup: batch consumes unqueued requests",
        chain.rollup.commit_batch,
        chain.header(forged),
        forged.pubdata[:57] * 2,
        sender=chain.sequencer,
    )


def test_withdrawals_must_match_the_committed_batch(chain):
    two_accounts(chain)
    chain.withdraw("alice", ETH)
    w = chain.build()
    number = chain.commit(w)
    chain.prove(number)
    (withdrawal,) = w.withdrawals()
    a, t, v = withdrawal
    b = chain.account("bob")
    seq = chain.sequencer
    for wrong in ([], [(a, t, v + 1)], [(b, t, v)], [withdrawal, withdrawal], [(a, 1, v)]):
        chain.reverts(
            "Rollup: withdrawals mismatch", chain.rollup.execute_batch, number, wrong, sender=seq
        )
    chain.execute(number)
    alice = chain.users["alice"]
    assert chain.rollup.claimable(alice, ETH_ID) == ETH
    before = boa.env.get_balance(alice)
    chain.rollup.claim(alice, ETH_ID, sender=chain.users["bob"])
    assert boa.env.get_balance(alice) == before + ETH


# ---------------------------------------------------------------- escape mode


def test_only_executed_batches_serve_requests(chain, real):
    """Batches 1 and 2 committed and proven, only 1 executed: bob's OPEN and deposit (batch 2)
    stay unserved, so escape mode refunds the deposit; batch 2's root never becomes final and
    nobody can exit from it."""
    chain.deposit("alice", 3 * ETH, open_=True)
    w1 = chain.build()
    chain.commit(w1)
    chain.deposit("bob", ETH, open_=True)
    w2 = chain.build()
    chain.commit(w2)
    chain.prove(1)
    chain.prove(2)
    chain.execute(1)
    assert chain.rollup.priority_served() == 2 and chain.rollup.priority_committed() == 4
    assert chain.rollup.proven_root(2) == w2.new_root
    activate(chain)
    assert chain.rollup.proven_root(2) == 0 and chain.rollup.proven_root(1) == w1.new_root
    # bob's account exists on L1 but not in the executed state: an exit from batch 2's root fails
    bob = chain.users["bob"]
    w = chain.states[2].exit_witness(chain.account("bob"), ETH_ID)
    chain.reverts(
        "Rollup: invalid proof",
        chain.rollup.exit,
        w.account,
        bob,
        ETH_ID,
        w.amount,
        real.exit_proof(w),
    )
    chain.rollup.refund_deposit(chain.requests[2])  # bob's OPEN: nothing to refund
    before = boa.env.get_balance(bob)
    chain.rollup.refund_deposit(chain.requests[3])
    assert boa.env.get_balance(bob) == before + ETH
    assert chain.rollup.escrowed(ETH_ID) == 3 * ETH


def escape_scenario(chain: Chain) -> dict:
    """Batches 1-3 open alice (3 ETH), bob (1 ETH) and outsider (2 ETH); batch 4 moves 1 ETH
    from alice to bob. Exit witnesses are kept for the roots after batch 3 (stale) and 4
    (executed). Then alice queues 7 wei (never served) and escape mode starts."""
    chain.deposit("alice", 3 * ETH, open_=True)
    chain.settle()
    chain.deposit("bob", ETH, open_=True)
    chain.settle()
    chain.deposit("outsider", 2 * ETH, open_=True)
    chain.settle()
    chain.transfer("alice", "bob", ETH)
    chain.settle()
    ids = {name: chain.account(name) for name in chain.users}
    stale = {name: chain.states[3].exit_witness(ids[name], ETH_ID) for name in chain.users}
    current = {name: chain.states[4].exit_witness(ids[name], ETH_ID) for name in chain.users}
    assert current["alice"].amount == 2 * ETH and current["bob"].amount == 2 * ETH
    assert stale["outsider"].amount == current["outsider"].amount == 2 * ETH
    assert stale["outsider"].root != current["outsider"].root == chain.rollup.executed_root()
    chain.deposit("alice", 7)
    return {"ids": ids, "stale": stale, "current": current}


def activate(chain: Chain) -> None:
    """Escape mode: refused at the oldest unserved request's deadline itself, on one second
    later."""
    served = chain.rollup.priority_served()
    deadline = chain.rollup.priority_deadline_of(served)
    boa.env.time_travel(seconds=deadline - boa.env.evm.patch.timestamp)
    chain.reverts("Rollup: deadline not passed", chain.rollup.activate_escape_mode)
    boa.env.time_travel(seconds=1)
    chain.rollup.activate_escape_mode()
    assert chain.rollup.refund_next() == served


def test_exit_before_escape_mode(chain, real):
    s = escape_scenario(chain)
    w = s["current"]["alice"]
    chain.reverts(
        "Rollup: escape mode not active",
        chain.rollup.exit,
        w.account,
        chain.users["alice"],
        ETH_ID,
        w.amount,
        real.exit_proof(w),
    )


def test_exit_with_a_wrong_amount(chain, real):
    s = escape_scenario(chain)
    activate(chain)
    w = s["current"]["alice"]
    proof = real.exit_proof(w)
    for amount in (w.amount - 1, w.amount + 1, 3 * ETH):
        chain.reverts(
            "Rollup: invalid proof",
            chain.rollup.exit,
            w.account,
            chain.users["alice"],
            ETH_ID,
            amount,
            proof,
        )


def test_exit_with_a_wrong_owner_or_account(chain, real):
    s = escape_scenario(chain)
    activate(chain)
    w = s["current"]["alice"]
    proof = real.exit_proof(w)
    for impostor in ("bob", "outsider"):
        chain.reverts(
            "Rollup: not the account owner",
            chain.rollup.exit,
            w.account,
            chain.users[impostor],
            ETH_ID,
            w.amount,
            proof,
        )
    # bob's own account with alice's proof (same amount: 2 ETH each)
    chain.reverts(
        "Rollup: invalid proof",
        chain.rollup.exit,
        s["ids"]["bob"],
        chain.users["bob"],
        ETH_ID,
        w.amount,
        proof,
    )
    # another token
    chain.reverts(
        "Rollup: invalid proof",
        chain.rollup.exit,
        w.account,
        chain.users["alice"],
        1,
        w.amount,
        proof,
    )


def test_exit_against_a_stale_root(chain, real):
    s = escape_scenario(chain)
    activate(chain)
    for name in ("outsider", "alice"):  # outsider's balance did not even change
        w = s["stale"][name]
        chain.reverts(
            "Rollup: invalid proof",
            chain.rollup.exit,
            w.account,
            chain.users[name],
            ETH_ID,
            w.amount,
            real.exit_proof(w),
        )


def test_double_exit(chain, real):
    s = escape_scenario(chain)
    activate(chain)
    w = s["current"]["alice"]
    alice = chain.users["alice"]
    proof = real.exit_proof(w)
    before = boa.env.get_balance(alice)
    escrowed = chain.rollup.escrowed(ETH_ID)
    chain.rollup.exit(w.account, alice, ETH_ID, w.amount, proof)
    assert boa.env.get_balance(alice) == before + w.amount
    assert chain.rollup.escrowed(ETH_ID) == escrowed - w.amount
    assert chain.rollup.exited(w.account, ETH_ID)
    chain.reverts(
        "Rollup: already exited", chain.rollup.exit, w.account, alice, ETH_ID, w.amount, proof
    )
    # everyone else still exits exactly their executed balance
    for name in ("bob", "outsider"):
        v = s["current"][name]
        chain.rollup.exit(v.account, chain.users[name], ETH_ID, v.amount, real.exit_proof(v))
    assert chain.rollup.escrowed(ETH_ID) == 7  # only the unserved deposit is left


def test_served_deposit_cannot_be_refunded(chain, real):
    s = escape_scenario(chain)
    activate(chain)
    assert chain.rollup.refund_next() == 6 == chain.rollup.priority_served()
    served = [r for r in chain.requests[:6] if r[0] == OP_DEPOSIT]
    assert len(served) == 3
    for request in served:
        chain.reverts(
            "Rollup: request does not match the queue", chain.rollup.refund_deposit, request
        )
    alice = chain.users["alice"]
    before = boa.env.get_balance(alice)
    chain.rollup.refund_deposit(chain.requests[6])
    assert boa.env.get_balance(alice) == before + 7
    for request in [*served, chain.requests[6]]:
        chain.reverts("Rollup: no request left to refund", chain.rollup.refund_deposit, request)
    assert chain.rollup.escrowed(ETH_ID) == sum(w.amount for w in s["current"].values())
