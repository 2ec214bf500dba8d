"""FastFinality.certify: aggregate BLS check (one pairing call), sorted non-signers, stake threshold."""

import boa
import pytest

from offchain.crypto.bn254 import Q, g1_add
from offchain.operator import bls
from tests.utils import ff_deployers as F
from tests.utils.deployers import fund_and_deposit


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
    assert args[F.STAKES] == [total // 5]
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
    args = F.certify_args(s, hdr, ops[:4])
    other = F.header(s, batch=hdr.batch_number, root=hdr.state_root + 1)
    sigma_other = F.certify_args(s, other, ops[:4])[F.SIGMA]
    before = state()
    for sigma in (sigma_other, bls.g1_words(g1_add(tuple(sigma_other), (1, 2)))):
        with boa.reverts("ff: invalid aggregate signature"):
            ff.certify(*F.with_args(args, SIGMA=sigma))
    assert state() == before


def test_rejects_signature_missing_a_claimed_signer(s, ff, ops, hdr, state):
    # claims 4 signers (one non-signer) but only 3 actually signed
    args = F.certify_args(s, hdr, ops[:4])
    sigma3 = F.certify_args(s, hdr, ops[:3])[F.SIGMA]
    before = state()
    with boa.reverts("ff: invalid aggregate signature"):
        ff.certify(*F.with_args(args, SIGMA=sigma3))
    assert state() == before


def test_rejects_apk_g2_that_is_not_the_signers_aggregate(s, ff, ops, hdr, state):
    args = F.certify_args(s, hdr, ops[:4])
    all_keys = bls.g2_words(bls.aggregate_g2(o.key.pk2 for o in ops))  # includes the non-signer
    three = bls.aggregate_g2(o.key.pk2 for o in ops[:3])
    keys = [bls.g2_from_words(k) for k in args[F.KEYS]]
    before = state()
    for apk2 in (all_keys, bls.g2_words(three)):
        slopes = bls.g2_chord_slopes(bls.g2_from_words(apk2), keys)
        with boa.reverts("ff: apk_g2 is not the aggregate key of the signers"):
            ff.certify(*F.with_args(args, APK_G2=apk2, SLOPES=slopes))
    # with no non-signer, apk_g2 must be the operator set's key itself
    args5 = F.certify_args(s, hdr, ops)
    with boa.reverts("ff: apk_g2 is not the aggregate key of the signers"):
        ff.certify(*F.with_args(args5, APK_G2=bls.g2_words(three)))
    with boa.reverts("ff: apk_g2 is the point at infinity"):
        ff.certify(*F.with_args(args5, APK_G2=[0, 0, 0, 0]))
    assert state() == before


def test_rejects_apk_g2_off_the_twist(s, ff, ops, hdr, state):
    args = F.certify_args(s, hdr, ops)  # no non-signer: apk_g2 is compared word by word first
    apk2 = args[F.APK_G2]
    bad = [apk2[0], apk2[1], apk2[2], (apk2[3] + 1) % Q]
    before = state()
    with boa.reverts("ff: apk_g2 is not the aggregate key of the signers"):
        ff.certify(*F.with_args(args, APK_G2=bad))
    assert state() == before


def test_rejects_sigma_off_the_curve(s, ff, ops, hdr, state):
    args = F.certify_args(s, hdr, ops[:4])
    sigma = args[F.SIGMA]
    before = state()
    for bad in ([sigma[0], (sigma[1] + 1) % Q], [sigma[0] + Q, sigma[1]]):
        with boa.reverts("ff: sigma is not a G1 point"):
            ff.certify(*F.with_args(args, SIGMA=bad))
    assert state() == before


def test_rejects_duplicated_non_signer(s, ff, ops, hdr, state):
    args = F.certify_args(s, hdr, ops[:3])
    ns, keys, stakes, slopes = (args[i] for i in (F.NON_SIGNERS, F.KEYS, F.STAKES, F.SLOPES))
    before = state()
    with boa.reverts("ff: non-signers not strictly ascending"):
        ff.certify(
            *F.with_args(
                args,
                NON_SIGNERS=[ns[0], *ns],
                KEYS=[keys[0], *keys],
                STAKES=[stakes[0], *stakes],
                SLOPES=[slopes[0], *slopes],
            )
        )
    assert state() == before


def test_rejects_unsorted_non_signers(s, ff, ops, hdr, state):
    args = F.certify_args(s, hdr, ops[:3])
    assert len(args[F.NON_SIGNERS]) == 2
    before = state()
    with boa.reverts("ff: non-signers not strictly ascending"):
        ff.certify(
            *F.with_args(
                args,
                NON_SIGNERS=args[F.NON_SIGNERS][::-1],
                KEYS=args[F.KEYS][::-1],
                STAKES=args[F.STAKES][::-1],
                SLOPES=bls.g2_chord_slopes(
                    bls.g2_from_words(args[F.APK_G2]),
                    [bls.g2_from_words(k) for k in args[F.KEYS][::-1]],
                ),
            )
        )
    assert state() == before


def test_rejects_unregistered_non_signer(s, ff, ops, hdr, state):
    args = F.certify_args(s, hdr, ops[:4])
    stranger = "0x" + "ff" * 20  # sorts last
    before = state()
    with boa.reverts("ff: non-signer has no active BLS key"):
        ff.certify(
            *F.with_args(
                args,
                NON_SIGNERS=[*args[F.NON_SIGNERS], stranger],
                KEYS=[*args[F.KEYS], args[F.KEYS][0]],
                STAKES=[*args[F.STAKES], 0],
                SLOPES=[*args[F.SLOPES], [0, 0]],
            )
        )
    assert state() == before


def test_rejects_deregistered_non_signer(s, ff, ops, hdr, state):
    stale = F.certify_args(s, hdr, ops[:4])
    ff.deregister_key(sender=ops[4].address)
    args = F.certify_args(s, hdr, ops[:4])
    assert args[F.NON_SIGNERS] == []
    before = state()
    with boa.reverts("ff: non-signer has no active BLS key"):
        ff.certify(*F.with_args(stale, OPERATOR_SET=args[F.OPERATOR_SET]))
    assert state() == before
    ff.certify(*args)  # the deregistered key is out of the aggregate


def test_rejects_wrong_non_signer_key_or_stake(s, ff, ops, hdr, state):
    args = F.certify_args(s, hdr, ops[:3])
    keys, stakes = args[F.KEYS], args[F.STAKES]
    before = state()
    for changes in (
        {"KEYS": [keys[1], keys[1]]},  # another operator's key
        {"KEYS": [bls.g2_words(F.operator_key(4242).pk2), keys[1]]},  # an unregistered key
        {"STAKES": [stakes[0] - 1, stakes[1]]},  # understated stake: would lower the bar
        {"STAKES": [stakes[0], stakes[1] + 1]},
    ):
        with boa.reverts("ff: non-signer key or stake differs from its registration"):
            ff.certify(*F.with_args(args, **changes))
    for changes in (
        {"KEYS": keys[:1]},
        {"STAKES": stakes + [1]},
        {"SLOPES": args[F.SLOPES][:1]},
    ):
        with boa.reverts("ff: non-signer keys, stakes or slopes not one per non-signer"):
            ff.certify(*F.with_args(args, **changes))
    assert state() == before


def test_rejects_wrong_slope(s, ff, ops, hdr, state):
    args = F.certify_args(s, hdr, ops[:3])
    slopes = args[F.SLOPES]
    before = state()
    for bad in (
        [slopes[1], slopes[0]],
        [[slopes[0][0], slopes[0][1] + 1], slopes[1]],
        [[slopes[0][0] + Q, slopes[0][1]], slopes[1]],  # the same slope, not reduced
    ):
        with boa.reverts("ff: wrong slope for a non-signer"):
            ff.certify(*F.with_args(args, SLOPES=bad))
    assert state() == before


def test_rejects_degenerate_non_signer_sum(s, ff, ops, hdr, state):
    # apk_g2 claimed equal to a non-signer's key: the chord is undefined (x equal)
    args = F.certify_args(s, hdr, ops[:4])
    before = state()
    with boa.reverts("ff: non-signer keys sum to a degenerate point"):
        ff.certify(*F.with_args(args, APK_G2=args[F.KEYS][0]))
    assert state() == before


def test_rejects_stale_or_wrong_operator_set(s, ff, ops, hdr, state):
    args = F.certify_args(s, hdr, ops[:4])
    apk, total, epoch = args[F.OPERATOR_SET]
    before = state()
    for bad in ((apk, total + 1, epoch), (apk, total, epoch + 1), (args[F.APK_G2], total, epoch)):
        with boa.reverts("ff: operator set differs from the registered one"):
            ff.certify(*F.with_args(args, OPERATOR_SET=bad))
    # a packed (total | epoch << 192) cannot stand for a larger total either
    with boa.reverts("ff: operator set differs from the registered one"):
        ff.certify(*F.with_args(args, OPERATOR_SET=(apk, total | (epoch << 192), 0)))
    assert state() == before
    # a stake refresh in between changes the set: rebuild the arguments
    fund_and_deposit(F._pool(s), ops[0].staker, F.STAKE)
    ff.update_stake(ops[0].address)
    with boa.reverts("ff: operator set differs from the registered one"):
        ff.certify(*args)
    ff.certify(*F.certify_args(s, hdr, ops[:4]))


def test_hash_hint_is_checked_and_optional(s, ff, ops, hdr, state):
    args = F.certify_args(s, hdr, ops[:4])
    hint = args[F.HASH_HINT]
    y = hint[-2]
    before = state()
    bad_hints = (
        [*hint[:-2], (F.bls.Q - y) % F.bls.Q, hint[-1]],  # the other root
        [*hint[:-2], y, hint[-1] + 1],
        hint[-1:],  # too short
        [1, *hint],  # a wrong non-square witness (or a candidate skipped)
    )
    for bad in bad_hints:
        with boa.reverts("ff: bad hash_to_g1 hint"):
            ff.certify(*F.with_args(args, HASH_HINT=bad))
    assert state() == before
    ff.certify(*F.with_args(args, HASH_HINT=[]))  # computed on chain instead
    assert ff.is_certified(hdr.as_tuple())


def test_hash_hint_covers_skipped_candidates(s, ff, ops):
    # a header whose digest needs more than one candidate: the hint carries non-square proofs
    for root in range(1, 200):
        hdr = F.header(s, batch=3, root=root)
        hint = bls.hash_to_g1_hint(bls.header_hash(hdr, s.domain))
        if len(hint) >= 4:
            break
    args = F.certify_args(s, hdr, ops[:4])
    assert len(args[F.HASH_HINT]) >= 4
    ff.certify(*args)
    assert ff.is_certified(hdr.as_tuple())


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
    with boa.reverts("ff: invalid aggregate signature"):
        ff.certify(*F.with_args(F.certify_args(s, hdr, ops), SIGMA=bls.g1_words(sigma)))


def test_stale_stake_counts_until_updated(s, ff, ops, hdr):
    # operators 3 and 4 leave Restaking's service; until someone refreshes their snapshots the
    # certificate still weighs them (the documented risk of the snapshot design)
    for o in ops[3:]:
        s.restaking.allocate(ff.address, 0, sender=o.address)
    boa.env.time_travel(seconds=15 * 86_400)
    with boa.reverts("ff: signed stake below threshold"):
        ff.certify(*F.certify_args(s, hdr, ops[:3]))
    for o in ops[3:]:
        ff.update_stake(o.address)
    ff.certify(*F.certify_args(s, hdr, ops[:3]))  # 3 of the 3 operators with stake


def test_rejects_apk_g2_unrelated_to_the_registered_keys(s, ff, ops, hdr, state):
    # e(sigma, -G2) * e(H, apk_g2) == 1 accepts any (t*H, t*G2): a certificate nobody signed,
    # unless apk_g2 is tied to the registered keys (apk_g2 + non-signers == operator set's key).
    args = F.certify_args(s, hdr, ops[:4])
    forger = F.operator_key(4242)
    sigma = bls.sign_header(forger.sk, hdr, s.domain)
    assert bls.verify_header(forger.pk2, hdr, s.domain, sigma)  # a valid BLS pair, wrong key
    keys = [bls.g2_from_words(k) for k in args[F.KEYS]]
    forged = F.with_args(
        args,
        APK_G2=bls.g2_words(forger.pk2),
        SIGMA=bls.g1_words(sigma),
        SLOPES=bls.g2_chord_slopes(forger.pk2, keys),
    )
    before = state()
    with boa.reverts("ff: apk_g2 is not the aggregate key of the signers"):
        ff.certify(*forged)
    assert state() == before


def _candidate(digest: bytes, i: int) -> tuple[int, int, bool]:
    x = (
        int.from_bytes(
            bls.keccak(
                bls.encode(["bytes32", "bytes32", "uint256"], [bls.HASH_TO_G1_TAG, digest, i])
            ),
            "big",
        )
        % Q
    )
    rhs = (x * x * x + 3) % Q
    y = pow(rhs, bls.SQRT_EXPONENT, Q)
    return x, y, y * y % Q == rhs


def test_hash_hint_cannot_skip_a_square_candidate(s, ff, ops, state):
    # candidates 0 and 1 both squares: a hint "proving" 0 a non-square to use candidate 1 fails
    for root in range(1, 500):
        hdr = F.header(s, batch=4, root=root)
        digest = bls.header_hash(hdr, s.domain)
        if _candidate(digest, 0)[2] and _candidate(digest, 1)[2]:
            break
    _, y1, _ = _candidate(digest, 1)
    args = F.certify_args(s, hdr, ops[:4])
    before = state()
    with boa.reverts("ff: bad hash_to_g1 hint"):
        ff.certify(*F.with_args(args, HASH_HINT=[1, y1, pow(y1, bls.SQRT_EXPONENT, Q)]))
    assert state() == before
