"""OperatorNode slashing protection, Aggregator certificates, and the ``operator`` CLI."""

import json

import pytest
from click.testing import CliRunner

from offchain.operator import bls
from offchain.operator.aggregator import (
    AggregationError,
    Aggregator,
    RegisteredOperator,
    signers_of,
    sort_addresses,
)
from offchain.operator.cli import operator
from offchain.operator.node import Attestation, OperatorNode, SigningRefused

DOMAIN = bls.Domain(1, "0x" + "11" * 20)
ROLLUP = "0x" + "33" * 20
ADDRESSES = ["0x" + f"{i:02x}" * 20 for i in (0x90, 0x10, 0x50)]


@pytest.fixture(scope="module")
def nodes():
    return [
        OperatorNode(a, bls.keygen(bytes([i + 1]) * 32), DOMAIN, [ROLLUP])
        for i, a in enumerate(ADDRESSES)
    ]


@pytest.fixture(scope="module")
def registry(nodes):
    return {n.operator: RegisteredOperator(n.operator, n.key.pk1, n.key.pk2, 100) for n in nodes}


def test_node_refuses_conflicting_roots_and_unknown_rollups(nodes):
    node = OperatorNode(ADDRESSES[0], nodes[0].key, DOMAIN, [ROLLUP])
    h = bls.Header(ROLLUP, 1, 5)
    att = node.sign(h)
    assert att.sigma == bls.sign_header(node.key.sk, h, DOMAIN)
    assert node.sign(h) == att  # the same root again is fine
    with pytest.raises(SigningRefused, match="already signed"):
        node.sign(bls.Header(ROLLUP, 1, 6))
    with pytest.raises(SigningRefused, match="not followed"):
        node.sign(bls.Header("0x" + "44" * 20, 1, 5))
    with pytest.raises(SigningRefused, match="zero"):
        node.sign(bls.Header(ROLLUP, 2, 0))
    picky = OperatorNode(ADDRESSES[0], nodes[0].key, DOMAIN, [ROLLUP], verify_root=lambda h: False)
    with pytest.raises(SigningRefused, match="not verified"):
        picky.sign(h)
    assert Attestation.from_json(att.to_json()) == att


def test_sort_and_signers():
    assert sort_addresses(ADDRESSES + ADDRESSES[:1]) == sort_addresses(
        [ADDRESSES[1], ADDRESSES[2], ADDRESSES[0]]
    )
    assert [int(a, 16) for a in sort_addresses(ADDRESSES)] == sorted(int(a, 16) for a in ADDRESSES)
    assert signers_of(ADDRESSES, [ADDRESSES[2]]) == sort_addresses(ADDRESSES[:2])


def test_aggregator_builds_certificate_and_drops_bad_attestations(nodes, registry):
    h = bls.Header(ROLLUP, 3, 7)
    agg = Aggregator(DOMAIN, dict(registry))
    agg.add(nodes[0].sign(h))
    agg.add(nodes[1].sign(h))
    # node 2 sends a signature on another root: the aggregate fails, the bad one is dropped
    bad = Attestation(
        nodes[2].operator, h, bls.sign_header(nodes[2].key.sk, bls.Header(ROLLUP, 3, 8), DOMAIN)
    )
    agg.add(bad)
    cert = agg.certificate(h)
    assert set(agg.attestations[h]) == {nodes[0].operator, nodes[1].operator}
    # what certify checks: the slopes chain apk_g2 and the non-signer's key to the set's key
    (ns_key,) = cert.non_signer_keys
    slope = cert.slopes[0]
    assert (
        slope == bls.g2_chord_slopes(bls.g2_from_words(cert.apk_g2), [bls.g2_from_words(ns_key)])[0]
    )
    total_apk = bls.g2_add(bls.g2_from_words(cert.apk_g2), bls.g2_from_words(ns_key))
    assert cert.active_apk_g2 == bls.g2_words(total_apk)
    assert cert.non_signer_stakes == [100] and cert.operator_set()[1:] == (300, 0)
    assert len(cert.args()) == 9
    assert cert.non_signers == sort_addresses([nodes[2].operator])
    assert (cert.signed_stake, cert.total_stake) == (200, 300)
    apk2 = bls.g2_from_words(cert.apk_g2)
    assert bls.verify_header(apk2, h, DOMAIN, bls.g1_from_words(cert.sigma))
    agg.threshold = (3, 4)
    with pytest.raises(AggregationError, match="below"):
        agg.certificate(h)
    with pytest.raises(AggregationError, match="not an active operator"):
        agg.add(Attestation("0x" + "99" * 20, h, bad.sigma))


def test_cli_keygen_sign_aggregate(nodes, registry):
    runner = CliRunner()
    seed = "01" * 32
    out = json.loads(runner.invoke(operator, ["keygen", "--seed", seed]).output)
    key = bls.keygen(bytes.fromhex(seed))
    assert int(out["sk"], 16) == key.sk
    assert [int(v, 16) for v in out["pk_g2"]] == bls.g2_words(key.pk2)
    res = runner.invoke(
        operator,
        [
            "keygen",
            "--seed",
            seed,
            "--operator",
            ADDRESSES[0],
            "--chain-id",
            "1",
            "--contract",
            DOMAIN.contract,
        ],
    )
    pop = [int(v, 16) for v in json.loads(res.output)["pop"]]
    assert pop == bls.g1_words(bls.prove_possession(key, ADDRESSES[0], DOMAIN))
    assert runner.invoke(operator, ["keygen", "--seed", seed, "--chain-id", "1"]).exit_code != 0
    assert runner.invoke(operator, ["keygen", "--seed", "01"]).exit_code != 0

    header = {"rollup": ROLLUP, "batch_number": 4, "state_root": "0x77"}
    atts = []
    for n in nodes[:2]:
        req = {
            "sk": hex(n.key.sk),
            "operator": n.operator,
            "chain_id": 1,
            "contract": DOMAIN.contract,
            "header": header,
        }
        res = runner.invoke(operator, ["sign"], input=json.dumps(req))
        assert res.exit_code == 0, res.output
        atts.append(json.loads(res.output))
    ops = [
        {
            "address": o.address,
            "pk_g1": bls.g1_words(o.pk1),
            "pk_g2": bls.g2_words(o.pk2),
            "stake": str(o.stake),
        }
        for o in registry.values()
    ]
    req = {
        "chain_id": 1,
        "contract": DOMAIN.contract,
        "epoch": 7,
        "operators": ops,
        "attestations": atts,
        "header": header,
    }
    res = runner.invoke(operator, ["aggregate"], input=json.dumps(req))
    assert res.exit_code == 0, res.output
    cert = json.loads(res.output)
    assert cert["non_signers"] == sort_addresses([nodes[2].operator])
    h = bls.Header.from_json(header)
    assert bls.verify_header(
        bls.g2_from_words(int(v, 16) for v in cert["apk_g2"]),
        h,
        DOMAIN,
        bls.g1_from_words(int(v, 16) for v in cert["sigma"]),
    )
    args = cert["certify_args"]
    assert len(args) == 9 and args[1] == cert["non_signers"]
    assert args[7] == [cert["operator_set"]["apk_g2"], str(300), 7]
    assert args[8] == [hex(v) for v in bls.hash_to_g1_hint(bls.header_hash(h, DOMAIN))]
    req["attestations"] = atts[:1]
    res = runner.invoke(operator, ["aggregate"], input=json.dumps(req))
    assert res.exit_code != 0 and "below" in res.output
