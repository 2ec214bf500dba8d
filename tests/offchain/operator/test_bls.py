"""offchain.operator.bls cross-checked against py-ecc (the reference oracle)."""

import pytest
from eth_abi import encode
from eth_utils import keccak
from py_ecc import bn128
from py_ecc.fields import bn128_FQ as FQ

from offchain.crypto.bn254 import Q, R, g1_from_py_ecc, g1_neg, g2_from_py_ecc
from offchain.operator import bls

DOMAIN = bls.Domain(1, "0x" + "11" * 20)
OPERATOR = "0x" + "22" * 20
HEADER = bls.Header("0x" + "33" * 20, 5, 0xDEADBEEF)


def _py_ecc_hash_to_g1(digest: bytes):
    """Independent reimplementation over py-ecc's field: try-and-increment with FQ arithmetic."""
    tag = keccak(text="hatchway.fastfinality.hash_to_g1.v1")
    for i in range(256):
        x = FQ(int.from_bytes(keccak(tag + digest + i.to_bytes(32, "big")), "big"))
        rhs = x**3 + FQ(3)
        y = rhs ** ((Q + 1) // 4)
        if y * y == rhs:
            point = (x, y)
            assert bn128.is_on_curve(point, bn128.b)
            return point
    raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def keys():
    return [bls.keygen(bytes([i]) * 32) for i in range(1, 4)]


def test_tags_and_digest_encoding():
    assert bls.HEADER_TAG == keccak(text="hatchway.fastfinality.header.v1")
    expected = keccak(
        bls.HEADER_TAG
        + DOMAIN.chain_id.to_bytes(32, "big")
        + bytes(12)
        + bytes.fromhex(DOMAIN.contract[2:])
        + bytes(12)
        + bytes.fromhex(HEADER.rollup[2:])
        + HEADER.batch_number.to_bytes(32, "big")
        + HEADER.state_root.to_bytes(32, "big")
    )
    assert bls.header_hash(HEADER, DOMAIN) == expected


@pytest.mark.parametrize("seed", [b"", b"\x00" * 32, b"abc", b"\xff" * 32, b"\x07" * 32])
def test_hash_to_g1_matches_py_ecc_reimplementation(seed):
    digest = keccak(seed)
    ours = bls.hash_to_g1(digest)
    ref = _py_ecc_hash_to_g1(digest)
    assert ours == (int(ref[0]), int(ref[1]))


def test_hash_to_g1_uses_the_abi_encoded_counter():
    digest = keccak(b"x")
    x0 = (
        int.from_bytes(
            keccak(encode(["bytes32", "bytes32", "uint256"], [bls.HASH_TO_G1_TAG, digest, 0])),
            "big",
        )
        % Q
    )
    rhs = (x0**3 + 3) % Q
    is_square = pow(rhs, (Q - 1) // 2, Q) == 1
    assert (bls.hash_to_g1(digest)[0] == x0) == is_square


def test_keys_match_py_ecc(keys):
    for k in keys:
        assert 0 < k.sk < R
        assert k.pk1 == g1_from_py_ecc(bn128.multiply(bn128.G1, k.sk))
        assert k.pk2 == g2_from_py_ecc(bn128.multiply(bn128.G2, k.sk))
    assert bls.keygen(b"\x01" * 32) == keys[0]
    with pytest.raises(ValueError):
        bls.keygen(b"short")


def test_sign_matches_py_ecc_and_verifies(keys):
    k = keys[0]
    sigma = bls.sign_header(k.sk, HEADER, DOMAIN)
    h = _py_ecc_hash_to_g1(bls.header_hash(HEADER, DOMAIN))
    assert sigma == g1_from_py_ecc(bn128.multiply(h, k.sk))
    assert bls.verify_header(k.pk2, HEADER, DOMAIN, sigma)
    other = bls.Header(HEADER.rollup, HEADER.batch_number, HEADER.state_root + 1)
    assert not bls.verify_header(k.pk2, other, DOMAIN, sigma)
    assert not bls.verify_header(keys[1].pk2, HEADER, DOMAIN, sigma)
    assert not bls.verify_header(k.pk2, HEADER, DOMAIN, g1_neg(sigma))
    assert not bls.verify_header(k.pk2, HEADER, bls.Domain(2, DOMAIN.contract), sigma)


def test_aggregate_verifies_under_aggregate_key(keys):
    sigma = bls.aggregate_g1(bls.sign_header(k.sk, HEADER, DOMAIN) for k in keys)
    apk2 = bls.aggregate_g2(k.pk2 for k in keys)
    apk1 = bls.aggregate_g1(k.pk1 for k in keys)
    ref = None
    for k in keys:
        ref = (
            bn128.add(ref, bn128.multiply(bn128.G2, k.sk))
            if ref
            else bn128.multiply(bn128.G2, k.sk)
        )
    assert apk2 == g2_from_py_ecc(ref)
    assert bls.keys_match(apk1, apk2)
    assert bls.verify_header(apk2, HEADER, DOMAIN, sigma)
    partial = bls.aggregate_g2(k.pk2 for k in keys[:2])
    assert not bls.verify_header(partial, HEADER, DOMAIN, sigma)


def test_proof_of_possession(keys):
    k = keys[0]
    pop = bls.prove_possession(k, OPERATOR, DOMAIN)
    assert bls.verify_possession(OPERATOR, k.pk1, k.pk2, pop, DOMAIN)
    assert not bls.verify_possession("0x" + "44" * 20, k.pk1, k.pk2, pop, DOMAIN)
    assert not bls.verify_possession(OPERATOR, k.pk1, keys[1].pk2, pop, DOMAIN)
    assert not bls.keys_match(k.pk1, keys[1].pk2)


def test_encodings_round_trip(keys):
    k = keys[0]
    assert bls.g1_from_words(bls.g1_words(k.pk1)) == k.pk1
    assert bls.g2_from_words(bls.g2_words(k.pk2)) == k.pk2
    (x0, x1), (y0, y1) = k.pk2
    assert bls.g2_words(k.pk2) == [x1, x0, y1, y0]
    assert bls.g1_words(None) == [0, 0] and bls.g2_words(None) == [0, 0, 0, 0]
    with pytest.raises(ValueError):
        bls.g1_from_words([1, 3])
    with pytest.raises(ValueError):
        bls.g2_from_words([1, 2, 3, 4])


def test_hash_to_g1_hint_proves_the_first_square_candidate():
    for i in range(40):
        digest = bls.keccak(i.to_bytes(32, "big"))
        hint = bls.hash_to_g1_hint(digest)
        x, y = bls.hash_to_g1(digest)
        assert hint[-2] == y and hint[-1] ** 2 % bls.Q == y
        for j, z in enumerate(hint[:-2]):  # the earlier candidates are non-squares
            xj = (
                int.from_bytes(
                    bls.keccak(
                        bls.encode(
                            ["bytes32", "bytes32", "uint256"], [bls.HASH_TO_G1_TAG, digest, j]
                        )
                    ),
                    "big",
                )
                % bls.Q
            )
            assert z * z % bls.Q == (-(xj**3 + 3)) % bls.Q


def test_g2_chord_slopes_give_the_sum():
    keys = [bls.keygen(bytes([i]) * 32).pk2 for i in range(1, 5)]
    slopes = bls.g2_chord_slopes(keys[0], keys[1:])
    acc = keys[0]
    for key, (l1, l0) in zip(keys[1:], slopes, strict=True):
        (px, py), (qx, qy) = acc, key
        lam = (l0, l1)
        assert bls._fp2_mul(lam, ((qx[0] - px[0]) % bls.Q, (qx[1] - px[1]) % bls.Q)) == (
            (qy[0] - py[0]) % bls.Q,
            (qy[1] - py[1]) % bls.Q,
        )
        acc = bls.g2_add(acc, key)
    with pytest.raises(ValueError, match="degenerate"):
        bls.g2_chord_slopes(keys[0], [keys[0]])
