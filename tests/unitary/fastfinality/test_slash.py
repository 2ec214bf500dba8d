"""FastFinality slashing: objective, permissionless, once per (operator, batch)."""

import boa
import pytest

from offchain.operator import bls
from tests.utils import ff_deployers as F
from tests.utils.deployers import WAD

SLASHABLE = F.STAKE * F.MAGNITUDE // WAD
ANYONE = boa.env.generate_address("ff_watcher")


def _sorted(addresses):
    return sorted(addresses, key=lambda a: int(a, 16))


@pytest.fixture
def contradicted(s, hdr, certified):
    """The rollup proves another root for `hdr`'s batch."""
    s.rollup.set_proven_root(hdr.batch_number, hdr.state_root + 1)
    return certified


def test_slashes_every_signer_and_no_non_signer(s, ff, ops, hdr, contradicted):
    epoch, non_signers = contradicted
    signers = _sorted(o.address for o in ops[:4])
    total_before = ff.total_stake()
    slashed = ff.slash_contradicted(hdr.as_tuple(), epoch, non_signers, signers, sender=ANYONE)
    events = [e for e in ff.get_logs() if type(e).__name__ == "FaultSlashed"]
    expected = SLASHABLE * F.SLASH_WAD // WAD
    assert slashed == 4 * expected
    assert [(e.operator, e.fault, e.amount) for e in events] == [(a, 1, expected) for a in signers]
    assert s.restaking.pending_slashed(ff.address) == 4 * expected
    for a in signers:
        assert ff.is_slashed(a, hdr.rollup, hdr.batch_number)
        assert s.restaking.max_magnitude(a) < WAD
        assert ff.operator_stake(a) == SLASHABLE - expected  # snapshot refreshed
    assert not ff.is_slashed(ops[4].address, hdr.rollup, hdr.batch_number)
    assert s.restaking.max_magnitude(ops[4].address) == WAD
    assert ff.total_stake() == total_before - 4 * expected


def test_slashing_in_chunks_and_no_double_slash(s, ff, ops, hdr, contradicted, state):
    epoch, non_signers = contradicted
    signers = _sorted(o.address for o in ops[:4])
    first = ff.slash_contradicted(hdr.as_tuple(), epoch, non_signers, signers[:2])
    assert first > 0
    before = state()
    with boa.reverts("ff: every listed operator is already slashed for this batch"):
        ff.slash_contradicted(hdr.as_tuple(), epoch, non_signers, signers[:2])
    assert state() == before
    # a list mixing slashed and unslashed operators slashes only the new ones
    rest = ff.slash_contradicted(hdr.as_tuple(), epoch, non_signers, signers)
    assert rest == first
    assert all(ff.is_slashed(a, hdr.rollup, hdr.batch_number) for a in signers)


def test_double_sign_after_contradiction_is_the_same_fault(s, ff, ops, hdr, contradicted, state):
    epoch, non_signers = contradicted
    op = ops[0]
    ff.slash_contradicted(hdr.as_tuple(), epoch, non_signers, [op.address])
    other = F.header(s, batch=hdr.batch_number, root=hdr.state_root + 1)
    before = state()
    with boa.reverts("ff: operator already slashed for this batch"):
        ff.slash_double_sign(
            op.address,
            hdr.as_tuple(),
            bls.g1_words(bls.sign_header(op.key.sk, hdr, s.domain)),
            other.as_tuple(),
            bls.g1_words(bls.sign_header(op.key.sk, other, s.domain)),
        )
    assert state() == before


def test_signer_that_deregistered_later_is_still_slashed(s, ff, ops, hdr, contradicted):
    epoch, non_signers = contradicted
    ff.deregister_key(sender=ops[1].address)
    assert ff.slash_contradicted(hdr.as_tuple(), epoch, non_signers, [ops[1].address]) > 0


def test_rejects_non_signer_and_late_operator(s, ff, ops, hdr, contradicted, state):
    epoch, non_signers = contradicted
    late = F.add_operator(s, 50, append=False)  # registered after the certificate
    before = state()
    with boa.reverts("ff: operator did not sign the certificate"):
        ff.slash_contradicted(hdr.as_tuple(), epoch, non_signers, non_signers)
    with boa.reverts("ff: operator was not active at the certificate's epoch"):
        ff.slash_contradicted(hdr.as_tuple(), epoch, non_signers, [late.address])
    with boa.reverts("ff: operator was not active at the certificate's epoch"):
        ff.slash_contradicted(hdr.as_tuple(), epoch, non_signers, ["0x" + "ee" * 20])
    assert state() == before


def test_rejects_bad_operator_lists(s, ff, ops, hdr, contradicted, state):
    epoch, non_signers = contradicted
    signers = _sorted(o.address for o in ops[:4])
    before = state()
    for bad in (signers[::-1], [signers[0], signers[0]]):
        with boa.reverts("ff: operators not strictly ascending"):
            ff.slash_contradicted(hdr.as_tuple(), epoch, non_signers, bad)
    with boa.reverts("ff: no operators to slash"):
        ff.slash_contradicted(hdr.as_tuple(), epoch, non_signers, [])
    assert state() == before


def test_rejects_wrong_certificate_data(s, ff, ops, hdr, contradicted, state):
    epoch, non_signers = contradicted
    signers = _sorted(o.address for o in ops[:3])
    before = state()
    with boa.reverts("ff: epoch or non-signers do not match the certificate"):
        ff.slash_contradicted(hdr.as_tuple(), epoch + 1, non_signers, signers)
    with boa.reverts("ff: epoch or non-signers do not match the certificate"):
        # pretending more operators did not sign, to shield them
        ff.slash_contradicted(
            hdr.as_tuple(), epoch, _sorted([*non_signers, ops[3].address]), signers
        )
    other = F.header(s, batch=hdr.batch_number, root=hdr.state_root + 1)
    with boa.reverts("ff: header is not certified"):
        ff.slash_contradicted(other.as_tuple(), epoch, non_signers, signers)
    assert state() == before


def test_rejects_unproven_and_agreeing(s, ff, ops, hdr, certified, state):
    epoch, non_signers = certified
    signers = _sorted(o.address for o in ops[:4])
    before = state()
    with boa.reverts("ff: batch not proven yet"):
        ff.slash_contradicted(hdr.as_tuple(), epoch, non_signers, signers)
    s.rollup.set_proven_root(hdr.batch_number, hdr.state_root)
    with boa.reverts("ff: certificate agrees with the proven root"):
        ff.slash_contradicted(hdr.as_tuple(), epoch, non_signers, signers)
    assert state()["pending"] == before["pending"]


# ---------------------------------------------------------------- double sign


def _double(s, op, hdr, root2=None):
    other = F.header(s, batch=hdr.batch_number, root=root2 or hdr.state_root + 1)
    return (
        op.address,
        hdr.as_tuple(),
        bls.g1_words(bls.sign_header(op.key.sk, hdr, s.domain)),
        other.as_tuple(),
        bls.g1_words(bls.sign_header(op.key.sk, other, s.domain)),
    )


def test_double_sign_slashes_once(s, ff, ops, hdr, state):
    op = ops[2]
    args = _double(s, op, hdr)
    amount = ff.slash_double_sign(*args, sender=ANYONE)
    event = [e for e in ff.get_logs() if type(e).__name__ == "FaultSlashed"][-1]
    assert amount == SLASHABLE * F.SLASH_WAD // WAD
    assert (event.operator, event.fault, event.batch_number) == (op.address, 2, hdr.batch_number)
    assert ff.is_slashed(op.address, hdr.rollup, hdr.batch_number)
    before = state()
    with boa.reverts("ff: operator already slashed for this batch"):
        ff.slash_double_sign(*args)
    with boa.reverts("ff: operator already slashed for this batch"):  # swapped, or a third root
        ff.slash_double_sign(*_double(s, op, F.header(s, hdr.batch_number, 0x999)))
    assert state() == before
    # another batch is another fault
    assert ff.slash_double_sign(*_double(s, op, F.header(s, hdr.batch_number + 1, 5))) > 0


def test_double_sign_rejects_bad_evidence(s, ff, ops, hdr, state):
    op, other_op = ops[0], ops[1]
    addr, h1, s1, h2, s2 = _double(s, op, hdr)
    _, _, os1, _, os2 = _double(s, other_op, hdr)
    different_batch = F.header(s, batch=hdr.batch_number + 1, root=hdr.state_root + 1)
    other_rollup = bls.Header(ff.address, hdr.batch_number, hdr.state_root + 1)
    before = state()
    with boa.reverts("ff: headers agree"):
        ff.slash_double_sign(addr, h1, s1, h1, s1)
    with boa.reverts("ff: headers are for different batches"):
        ff.slash_double_sign(addr, h1, s1, different_batch.as_tuple(), s2)
    with boa.reverts("ff: headers are for different batches"):
        ff.slash_double_sign(addr, h1, s1, other_rollup.as_tuple(), s2)
    with boa.reverts("ff: first signature invalid"):
        ff.slash_double_sign(addr, h1, os1, h2, s2)
    with boa.reverts("ff: second signature invalid"):
        ff.slash_double_sign(addr, h1, s1, h2, os2)
    with boa.reverts("ff: signature is not a G1 point"):
        ff.slash_double_sign(addr, h1, [1, 3], h2, s2)
    with boa.reverts("ff: operator has no BLS key"):
        ff.slash_double_sign("0x" + "ab" * 20, h1, s1, h2, s2)
    assert state() == before


def test_slash_takes_nothing_once_deallocated(s, ff, ops, hdr):
    # Restaking's window is the service's deadline: after it, the fault is recorded but costs 0
    op = ops[3]
    s.restaking.allocate(ff.address, 0, sender=op.address)
    boa.env.time_travel(seconds=15 * 86_400)
    assert ff.slash_double_sign(*_double(s, op, hdr)) == 0
    assert ff.is_slashed(op.address, hdr.rollup, hdr.batch_number)
