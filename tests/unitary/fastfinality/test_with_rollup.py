"""FastFinality against the REAL Rollup (contracts/Rollup.vy over the verifiers of the real batch
circuit, tests/utils/rollup_deployers.py): a real batch is built by the sequencer, committed and
proved with a real batch proof; certificates are then judged by the Rollup's ``proven_root``.

(a) a certificate of the proven root cannot be slashed; (b) a certificate of another root gets
every signer (and no non-signer) slashed; (c) before the batch is proven, ``slash_contradicted``
reverts. The batch proof (~2-4 s) is memoised per statement, so the module proves once.
"""

from __future__ import annotations

import boa
import pytest

from offchain.crypto import eddsa
from offchain.rollup import encoding as enc
from offchain.rollup.params import TEST_PARAMS
from offchain.sequencer import Sequencer
from tests.utils import ff_deployers as F
from tests.utils.deployers import WAD
from tests.utils.pairing import memoised_pairing
from tests.utils.rollup_deployers import RealProver

ETH = 10**18
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
SLASHABLE = F.STAKE * F.MAGNITUDE // WAD


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Restaking + FastFinality with four keyed operators, and a real Rollup whose batch 1 (a
    deposit opening alice's account) is committed but not proven; returns what the tests need."""
    with memoised_pairing():  # the verifying key's constant pairs are computed once
        yield from _world(tmp_path_factory)


def _world(tmp_path_factory):
    s = F.deploy_with_operators(4)
    real = RealProver(TEST_PARAMS)
    owner = boa.env.generate_address("ff_rollup_owner")
    sequencer = boa.env.generate_address("ff_rollup_sequencer")
    alice = boa.env.generate_address("ff_rollup_alice")
    rollup = real.deploy(sequencer, sender=owner)
    seq = Sequencer(TEST_PARAMS, tmp_path_factory.mktemp("ff_rollup") / "journal.db")
    boa.env.set_balance(alice, 10 * ETH)
    key_hash = enc.key_hash(*eddsa.public_key(b"\x0a" * 32))
    rollup.deposit(alice, ZERO_ADDRESS, 3 * ETH, key_hash, value=3 * ETH, sender=alice)
    for log in rollup.get_logs():
        if type(log).__name__ == "PriorityRequest":
            assert seq.add_priority_request(log.index, bytes(log.request), log.deadline)
    w = seq.build_next_batch(boa.env.evm.patch.timestamp)
    header = (1, w.prev_root, w.new_root, w.priority_hash, w.message_root)
    rollup.commit_batch(header, w.pubdata, sender=sequencer)
    proof = real.batch_proof(w)  # a real Groth16 proof of the batch
    s.rollup = rollup  # FastFinality headers name this rollup
    yield s, rollup, w, proof, sequencer
    seq.close()


def _certify(s, root: int, signers) -> tuple:
    hdr = F.header(s, batch=1, root=root)
    args = F.certify_args(s, hdr, signers)
    s.ff.certify(*args)
    return hdr, s.ff.epoch(), args[F.NON_SIGNERS]


def _signers(ops):
    return sorted((o.address for o in ops), key=lambda a: int(a, 16))


def test_unproven_batch_cannot_be_judged(world):
    s, rollup, w, _, _ = world
    assert rollup.proven_root(1) == 0
    for root in (w.new_root, w.new_root ^ 1):
        hdr, epoch, non_signers = _certify(s, root, s.operators[:3])
        with boa.reverts("ff: batch not proven yet"):
            s.ff.slash_contradicted(hdr.as_tuple(), epoch, non_signers, _signers(s.operators[:3]))


def test_certificate_of_the_proven_root_is_not_slashable(world):
    s, rollup, w, proof, sequencer = world
    hdr, epoch, non_signers = _certify(s, w.new_root, s.operators[:3])
    rollup.prove_batch(1, proof, sender=sequencer)
    assert rollup.proven_root(1) == w.new_root
    with boa.reverts("ff: certificate agrees with the proven root"):
        s.ff.slash_contradicted(hdr.as_tuple(), epoch, non_signers, _signers(s.operators[:3]))
    assert all(not s.ff.is_slashed(o.address, rollup.address, 1) for o in s.operators)


def test_certificate_of_another_root_slashes_every_signer(world):
    s, rollup, w, proof, sequencer = world
    signers, absent = s.operators[:3], s.operators[3]
    hdr, epoch, non_signers = _certify(s, w.new_root ^ 1, signers)
    assert non_signers == [absent.address]
    rollup.prove_batch(1, proof, sender=sequencer)
    assert rollup.proven_root(1) not in (0, hdr.state_root)
    with boa.reverts("ff: operator did not sign the certificate"):
        s.ff.slash_contradicted(hdr.as_tuple(), epoch, non_signers, [absent.address])
    slashed = s.ff.slash_contradicted(
        hdr.as_tuple(),
        epoch,
        non_signers,
        _signers(signers),
        sender=boa.env.generate_address("ff_watcher"),
    )
    each = SLASHABLE * F.SLASH_WAD // WAD
    assert slashed == 3 * each
    assert s.restaking.pending_slashed(s.ff.address) == 3 * each
    assert all(s.ff.is_slashed(o.address, rollup.address, 1) for o in signers)
    assert not s.ff.is_slashed(absent.address, rollup.address, 1)
    with boa.reverts("ff: every listed operator is already slashed for this batch"):
        s.ff.slash_contradicted(hdr.as_tuple(), epoch, non_signers, _signers(signers))
