"""FastFinality.certify: aggregate BLS check (one pairing call), sorted non-signers, stake threshold."""

import boa
import pytest

from offchain.crypto.bn254 import Q, g1_add
from offchain.operator import bls
from tests.utils import ff_deployers as F


def _by_address(addresses):
    return sorted(addresses, key=lambda a: int(a, 16))


def test_certifies_with_four_of_five(s, ff, ops, hdr):
    args = F.certify_args(s, hdr, ops[:4])
    hh = ff.certify(*args, sender=boa.env.generate_address("aggregator"))
    event = ff.get_logs()[-1]
    assert hh == bls.header_hash(hdr, s.domain)
    assert (event.header_hash, event.rollup, event.batch_number, event.state_root) == (
        hh,
        hdr.rollup,
        hdr.batch_number,
        hdr.state_root,
    )
    total = ff.total_stake()
    assert (event.signed_stake, event.total_stake, event.epoch) == (total * 4 // 5, total, 5)
    assert list(event.non_signers) == [ops[4].address]
    assert ff.is_certified(hdr.as_tuple())
    assert ff.certificate(hh) == ff.certificate_commitment(5, [ops[4].address])


def test_certifies_with_every_operator_and_no_non_signer(s, ff, ops, hdr):
    args = F.certify_args(s, hdr, ops)
    assert args[1] == []
    ff.certify(*args)
    assert ff.is_certified(hdr.as_tuple())


def test_exactly_at_threshold_passes():
    s = F.deploy_with_operators(5, threshold=(3, 5))
    hdr = F.header(s)
    with boa.reverts("ff: signed stake below threshold"):
        s.ff.certify(*F.certify_args(s, hdr, s.operators[:2]))
    s.ff.certify(*F.certify_args(s, hdr, s.operators[:3]))  # 3/5 == 3/5
    assert s.ff.is_certified(hdr.as_tuple())


def test_rejects_below_threshold(s, ff, ops, hdr, state):
    args = F.certify_args(s, hdr, ops[:3])  # 3/5 < 2/3
    before = state()
    with boa.reverts("ff: signed stake below threshold"):
        ff.certify(*args)
    assert state() == before


def test_rejects_bad_signature(s, ff, ops, hdr, state):
    header, non_signers, apk2, _ = F.certify_args(s, hdr, ops[:4])
    other = F.header(s, batch=hdr.batch_number, root=hdr.state_root + 1)
    _, _, _, sigma_other = F.certify_args(s, other, ops[:4])
    before = state()
    for sigma in (sigma_other, bls.g1_words(g1_add(tuple(sigma_other), (1, 2)))):
        with boa.reverts("ff: invalid aggregate signature"):
            ff.certify(header, non_signers, apk2, sigma)
    assert state() == before


def test_rejects_signature_missing_a_claimed_signer(s, ff, ops, hdr, state):
    # claims 4 signers (one non-signer) but only 3 actually signed
    header, non_signers, apk2, _ = F.certify_args(s, hdr, ops[:4])
    _, _, _, sigma3 = F.certify_args(s, hdr, ops[:3])
    before = state()
    with boa.reverts("ff: invalid aggregate signature"):
        ff.certify(header, non_signers, apk2, sigma3)
    assert state() == before


def test_rejects_wrong_apk_g2(s, ff, ops, hdr, state):
    header, non_signers, _, sigma = F.certify_args(s, hdr, ops[:4])
    apk2_wrong = bls.g2_words(bls.aggregate_g2(o.key.pk2 for o in ops))  # includes the non-signer
    before = state()
    with boa.reverts("ff: invalid aggregate signature"):
        ff.certify(header, non_signers, apk2_wrong, sigma)
    assert state() == before


def test_rejects_apk_g2_off_the_twist(s, ff, ops, hdr, state):
    header, non_signers, apk2, sigma = F.certify_args(s, hdr, ops[:4])
    before = state()
    with boa.reverts("ff: G2 point not on the twist or not in G2"):
        ff.certify(header, non_signers, [apk2[0], apk2[1], apk2[2], (apk2[3] + 1) % Q], sigma)
    assert state() == before


def test_rejects_sigma_off_the_curve(s, ff, ops, hdr, state):
    header, non_signers, apk2, sigma = F.certify_args(s, hdr, ops[:4])
    before = state()
    for bad in ([sigma[0], (sigma[1] + 1) % Q], [sigma[0] + Q, sigma[1]]):
        with boa.reverts("ff: sigma is not a G1 point"):
            ff.certify(header, non_signers, apk2, bad)
    assert state() == before


def test_rejects_duplicated_non_signer(s, ff, ops, hdr, state):
    header, non_signers, apk2, sigma = F.certify_args(s, hdr, ops[:3])
    before = state()
    with boa.reverts("ff: non-signers not strictly ascending"):
        ff.certify(header, [non_signers[0], *non_signers], apk2, sigma)
    assert state() == before


def test_rejects_unsorted_non_signers(s, ff, ops, hdr, state):
    header, non_signers, apk2, sigma = F.certify_args(s, hdr, ops[:3])
    assert len(non_signers) == 2
    before = state()
    with boa.reverts("ff: non-signers not strictly ascending"):
        ff.certify(header, non_signers[::-1], apk2, sigma)
    assert state() == before


def test_rejects_unregistered_non_signer(s, ff, ops, hdr, state):
    header, non_signers, apk2, sigma = F.certify_args(s, hdr, ops[:4])
    stranger = "0x" + "ff" * 20  # sorts last
    before = state()
    with boa.reverts("ff: non-signer has no active BLS key"):
        ff.certify(header, _by_address([*non_signers, stranger]), apk2, sigma)
    assert state() == before


def test_rejects_deregistered_non_signer(s, ff, ops, hdr, state):
    ff.deregister_key(sender=ops[4].address)
    header, _, apk2, sigma = F.certify_args(s, hdr, ops[:4])
    before = state()
    with boa.reverts("ff: non-signer has no active BLS key"):
        ff.certify(header, [ops[4].address], apk2, sigma)
    assert state() == before
    ff.certify(header, [], apk2, sigma)  # the deregistered key is out of the aggregate


def test_rejects_second_certificate_of_a_header(s, ff, ops, hdr, certified, state):
    args = F.certify_args(s, hdr, ops)
    before = state()
    with boa.reverts("ff: header already certified"):
        ff.certify(*args)
    assert state() == before


@pytest.mark.parametrize(
    ("field", "reason"),
    [("rollup", "ff: header rollup is empty"), ("state_root", "ff: header state root is zero")],
)
def test_rejects_degenerate_header(s, ff, ops, field, reason, state):
    rollup = F.ZERO_ADDRESS if field == "rollup" else s.rollup.address
    root = 0 if field == "state_root" else 5
    hdr = bls.Header(rollup, 1, root)
    args = F.certify_args(s, hdr, ops)
    before = state()
    with boa.reverts(reason):
        ff.certify(*args)
    assert state() == before


def test_rejects_when_no_stake():
    s = F.deploy_ff()
    op = F.add_operator(s, 1, stake=0)
    hdr = F.header(s)
    with boa.reverts("ff: signed stake below threshold"):
        s.ff.certify(*F.certify_args(s, hdr, [op]))


def test_signature_is_bound_to_the_deployment(s, ff, ops, hdr):
    other_domain = bls.Domain(s.domain.chain_id + 1, s.domain.contract)
    sigma = bls.aggregate_g1(bls.sign_header(o.key.sk, hdr, other_domain) for o in ops)
    apk2 = bls.g2_words(bls.aggregate_g2(o.key.pk2 for o in ops))
    with boa.reverts("ff: invalid aggregate signature"):
        ff.certify(hdr.as_tuple(), [], apk2, bls.g1_words(sigma))


def test_stale_stake_counts_until_updated(s, ff, ops, hdr):
    # operators 3 and 4 leave Restaking's service; until someone refreshes their snapshots the
    # certificate still weighs them (the documented risk of the snapshot design)
    for o in ops[3:]:
        s.restaking.allocate(ff.address, 0, sender=o.address)
    boa.env.time_travel(seconds=15 * 86_400)
    args3 = F.certify_args(s, hdr, ops[:3])
    with boa.reverts("ff: signed stake below threshold"):
        ff.certify(*args3)
    for o in ops[3:]:
        ff.update_stake(o.address)
    ff.certify(*args3)  # 3 of the 3 operators with stake


def test_rejects_apk_g2_unrelated_to_the_signers_g1_keys(s, ff, ops, hdr, state):
    # Without the gamma term, e(sigma, -G2) * e(H, apk_g2) == 1 would accept any (t*H, t*G2):
    # a certificate nobody signed. gamma binds apk_g2 to the stored G1 keys.
    header, non_signers, _, _ = F.certify_args(s, hdr, ops[:4])
    forger = F.operator_key(4242)
    sigma = bls.sign_header(forger.sk, hdr, s.domain)
    assert bls.verify_header(forger.pk2, hdr, s.domain, sigma)  # a valid BLS pair, wrong key
    before = state()
    with boa.reverts("ff: invalid aggregate signature"):
        ff.certify(header, non_signers, bls.g2_words(forger.pk2), bls.g1_words(sigma))
    assert state() == before
