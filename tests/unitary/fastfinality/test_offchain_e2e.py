"""The off-chain operator stack (nodes + aggregator) produces certificates the contract accepts,
and the evidence a watcher needs to slash."""

import boa

from offchain.operator import bls
from offchain.operator.aggregator import Aggregator, RegisteredOperator, signers_of
from offchain.operator.node import OperatorNode


def test_nodes_and_aggregator_certify_then_watcher_slashes(s, ff, ops):
    nodes = [OperatorNode(o.address, o.key, s.domain, [s.rollup.address]) for o in ops]
    registry = {
        o.address: RegisteredOperator(
            o.address,
            tuple(ff.pubkey_g1(o.address)),
            bls.g2_from_words(ff.pubkey_g2(o.address)),
            ff.operator_stake(o.address),
        )
        for o in ops
    }
    hdr = bls.Header(s.rollup.address, 11, 0x1234)
    agg = Aggregator(
        s.domain, registry, (ff.THRESHOLD_NUMERATOR(), ff.THRESHOLD_DENOMINATOR()), ff.epoch()
    )
    for node in nodes[1:]:
        agg.add(node.sign(hdr))
    cert = agg.certificate(hdr)
    apk, total, epoch = ff.operator_set()
    assert (list(apk), total, epoch) == (cert.active_apk_g2, cert.total_stake, cert.epoch)
    ff.certify(*cert.args())
    event = ff.get_logs()[-1]
    assert (event.signed_stake, event.total_stake) == (cert.signed_stake, cert.total_stake)

    # the proof lands with another root: a watcher slashes every signer from the event alone
    s.rollup.set_proven_root(11, 0x9999)
    active = [ff.operator_at(i) for i in range(ff.operator_count())]
    signers = signers_of(active, event.non_signers)
    assert set(signers) == {o.address for o in ops[1:]}
    ff.slash_contradicted(
        hdr.as_tuple(),
        event.epoch,
        list(event.non_signers),
        signers,
        sender=boa.env.generate_address("w"),
    )
    assert all(ff.is_slashed(a, s.rollup.address, 11) for a in signers)
    assert not ff.is_slashed(ops[0].address, s.rollup.address, 11)
