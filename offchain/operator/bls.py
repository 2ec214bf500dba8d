"""BLS signatures on BN254 exactly as contracts/FastFinality.vy checks them.

- Secret key ``sk`` in [1, r); public keys ``pk1 = sk·G1`` (kept on-chain, aggregated with ecAdd)
  and ``pk2 = sk·G2`` (checked against ``pk1`` by the pairing); signatures ``σ = sk·H(m)`` in G1.
- ``hash_to_g1(digest)``: try-and-increment. For i = 0, 1, …: ``x = keccak256(abi_encode(
  HASH_TO_G1_TAG, digest, i)) mod q``; the first x with ``x³ + 3`` a square gives
  ``(x, (x³ + 3)^((q+1)/4) mod q)`` (the contract computes the power with the modexp precompile).
- Digests: ``header_hash`` and ``pop_digest`` bind the chain id and the FastFinality address, so a
  signature is good for one deployment only; the proof of possession also binds the operator.
- Verification (here, off-chain) uses py-ecc's pairing; the curve arithmetic (scalar
  multiplications, additions) uses our numba kernels in :mod:`offchain.crypto.bn254`.

Points use :mod:`offchain.crypto.bn254`'s Python types (``G1Point`` = ``(x, y)``, ``G2Point`` =
``((x.c0, x.c1), (y.c0, y.c1))``); :func:`g1_words` / :func:`g2_words` give the contract's
``uint256[2]`` / EIP-197-ordered ``uint256[4]``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from eth_abi import encode
from eth_utils import keccak, to_checksum_address

from offchain.crypto.bn254 import (
    G1_GENERATOR,
    G2_GENERATOR,
    G1Point,
    G2Point,
    Q,
    R,
    g1_add,
    g1_is_on_curve,
    g1_mul,
    g1_neg,
    g2_add,
    g2_is_in_subgroup,
    g2_is_on_curve,
    g2_mul,
)

HEADER_TAG = keccak(b"hatchway.fastfinality.header.v1")
POP_TAG = keccak(b"hatchway.fastfinality.pop.v1")
HASH_TO_G1_TAG = keccak(b"hatchway.fastfinality.hash_to_g1.v1")
HASH_TO_G1_TRIES = 256
SQRT_EXPONENT = (Q + 1) // 4
KEYGEN_TAG = b"hatchway.fastfinality.keygen.v1"


@dataclass(frozen=True)
class Header:
    """A rollup batch header, as the contract's ``Header`` struct."""

    rollup: str
    batch_number: int
    state_root: int

    def as_tuple(self) -> tuple[str, int, int]:
        return (self.rollup, self.batch_number, self.state_root)

    def to_json(self) -> dict:
        return {
            "rollup": to_checksum_address(self.rollup),
            "batch_number": self.batch_number,
            "state_root": hex(self.state_root),
        }

    @classmethod
    def from_json(cls, obj: dict) -> Header:
        return cls(
            to_checksum_address(obj["rollup"]), _int(obj["batch_number"]), _int(obj["state_root"])
        )


@dataclass(frozen=True)
class Domain:
    """Which deployment a signature is for: the chain id and the FastFinality contract."""

    chain_id: int
    contract: str


@dataclass(frozen=True)
class KeyPair:
    sk: int
    pk1: G1Point
    pk2: G2Point


def _int(v: int | str) -> int:
    return int(v, 0) if isinstance(v, str) else int(v)


# ---------------------------------------------------------------- keys


def keygen(seed: bytes) -> KeyPair:
    """Deterministic key from a seed (≥ 32 bytes of entropy): ``sk = sha256(tag ‖ seed ‖ ctr) mod r``,
    the first non-zero value."""
    if len(seed) < 32:
        raise ValueError("keygen: seed must be at least 32 bytes")
    ctr = 0
    while True:
        sk = int.from_bytes(hashlib.sha256(KEYGEN_TAG + seed + bytes([ctr])).digest(), "big") % R
        if sk:
            return keypair(sk)
        ctr += 1  # pragma: no cover - probability 2**-254


def keypair(sk: int) -> KeyPair:
    if not 0 < sk < R:
        raise ValueError("secret key must be in [1, r)")
    return KeyPair(sk, g1_mul(G1_GENERATOR, sk), g2_mul(G2_GENERATOR, sk))


# ---------------------------------------------------------------- encodings


def g1_words(p: G1Point) -> list[int]:
    """G1 point → the contract's ``uint256[2]`` (infinity: zeros)."""
    return [0, 0] if p is None else [p[0], p[1]]


def g1_from_words(w: Iterable[int]) -> G1Point:
    x, y = (int(v) for v in w)
    if x == 0 and y == 0:
        return None
    if not g1_is_on_curve((x, y)):
        raise ValueError("g1: point is not on the curve")
    return (x, y)


def g2_words(p: G2Point) -> list[int]:
    """G2 point → the contract's ``uint256[4]`` in EIP-197 order ``[x.c1, x.c0, y.c1, y.c0]``."""
    if p is None:
        return [0, 0, 0, 0]
    (x0, x1), (y0, y1) = p
    return [x1, x0, y1, y0]


def g2_from_words(w: Iterable[int]) -> G2Point:
    x1, x0, y1, y0 = (int(v) for v in w)
    if x0 == x1 == y0 == y1 == 0:
        return None
    p = ((x0, x1), (y0, y1))
    if not g2_is_on_curve(p) or not g2_is_in_subgroup(p):
        raise ValueError("g2: point is not in G2")
    return p


# ---------------------------------------------------------------- digests and hash-to-curve


def header_hash(header: Header, domain: Domain) -> bytes:
    """``keccak256(abi_encode(HEADER_TAG, chain_id, contract, rollup, batch_number, state_root))``."""
    return keccak(
        encode(
            ["bytes32", "uint256", "address", "address", "uint256", "uint256"],
            [HEADER_TAG, domain.chain_id, domain.contract, *header.as_tuple()],
        )
    )


def pop_digest(operator: str, pk1: G1Point, domain: Domain) -> bytes:
    """``keccak256(abi_encode(POP_TAG, chain_id, contract, operator, pk1.x, pk1.y))``."""
    return keccak(
        encode(
            ["bytes32", "uint256", "address", "address", "uint256", "uint256"],
            [POP_TAG, domain.chain_id, domain.contract, operator, *g1_words(pk1)],
        )
    )


def _candidate(digest: bytes, i: int) -> tuple[int, int, int]:
    """Try-and-increment candidate ``i``: ``(x, rhs = x³ + 3, y = rhs^((q+1)/4))``; it is on the
    curve iff ``y² = rhs``."""
    x = (
        int.from_bytes(
            keccak(encode(["bytes32", "bytes32", "uint256"], [HASH_TO_G1_TAG, digest, i])), "big"
        )
        % Q
    )
    rhs = (x * x * x + 3) % Q
    return x, rhs, pow(rhs, SQRT_EXPONENT, Q)


def hash_to_g1(digest: bytes) -> tuple[int, int]:
    """Try-and-increment onto G1, identical to ``FastFinality._hash_to_g1``."""
    if len(digest) != 32:
        raise ValueError("hash_to_g1: digest must be 32 bytes")
    for i in range(HASH_TO_G1_TRIES):
        x, rhs, y = _candidate(digest, i)
        if y * y % Q == rhs:
            return (x, y)
    raise ValueError("hash_to_g1: no point found")  # pragma: no cover - probability 2**-256


MAX_HASH_HINT = 16


def hash_to_g1_hint(digest: bytes) -> list[int]:
    """The ``hash_hint`` of ``FastFinality.certify``: ``[z_0, .., z_(k-1), y, w]`` where candidate
    k is the first whose ``rhs = x³ + 3`` is a square, ``z_j² = −rhs_j`` (a non-square proof),
    ``y`` the root :func:`hash_to_g1` returns and ``w² = y``. Lets the contract check the point
    with a few multiplications instead of modexp calls; ``[]`` if it would not fit (the
    contract then computes the point itself)."""
    hint: list[int] = []
    for i in range(MAX_HASH_HINT - 1):
        _, rhs, y = _candidate(digest, i)
        if y * y % Q == rhs:
            return [*hint, y, pow(y, SQRT_EXPONENT, Q)]
        hint.append(pow(Q - rhs, SQRT_EXPONENT, Q))
    return []  # pragma: no cover - probability 2**-15


# ---------------------------------------------------------------- sign, aggregate, verify


def sign_digest(sk: int, digest: bytes) -> G1Point:
    return g1_mul(hash_to_g1(digest), sk)


def sign_header(sk: int, header: Header, domain: Domain) -> G1Point:
    return sign_digest(sk, header_hash(header, domain))


def prove_possession(key: KeyPair, operator: str, domain: Domain) -> G1Point:
    """The PoP ``register_key`` needs: ``sk · hash_to_g1(pop_digest(operator, pk1))``."""
    return sign_digest(key.sk, pop_digest(operator, key.pk1, domain))


def aggregate_g1(points: Iterable[G1Point]) -> G1Point:
    acc: G1Point = None
    for p in points:
        acc = g1_add(acc, p)
    return acc


def aggregate_g2(points: Iterable[G2Point]) -> G2Point:
    acc: G2Point = None
    for p in points:
        acc = g2_add(acc, p)
    return acc


def _fp2_mul(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    return ((a[0] * b[0] - a[1] * b[1]) % Q, (a[0] * b[1] + a[1] * b[0]) % Q)


def _fp2_inv(a: tuple[int, int]) -> tuple[int, int]:
    t = pow((a[0] * a[0] + a[1] * a[1]) % Q, Q - 2, Q)
    return (a[0] * t % Q, -a[1] * t % Q)


def g2_chord_slopes(start: G2Point, points: Iterable[G2Point]) -> list[list[int]]:
    """The ``slopes`` of ``FastFinality.certify``: adding ``points`` one by one to ``start``
    (affine), the slope of each chord as ``[c1, c0]``. Raises ``ValueError`` when a partial sum
    shares its x with the next point (the contract rejects that case too)."""
    if start is None:
        raise ValueError("g2_chord_slopes: start is the point at infinity")
    acc = start
    slopes = []
    for p in points:
        (px, py), (qx, qy) = acc, p
        dx = ((qx[0] - px[0]) % Q, (qx[1] - px[1]) % Q)
        if dx == (0, 0):
            raise ValueError("g2_chord_slopes: degenerate sum")
        lam = _fp2_mul(((qy[0] - py[0]) % Q, (qy[1] - py[1]) % Q), _fp2_inv(dx))
        slopes.append([lam[1], lam[0]])
        acc = g2_add(acc, p)
    return slopes


def _pairing_product_is_one(pairs: list[tuple[G2Point, G1Point]]) -> bool:
    """prod e(P_i, Q_i) == 1 with py-ecc's optimized_bn128 (one final exponentiation)."""
    from py_ecc import optimized_bn128 as ob

    acc = ob.FQ12.one()
    for q2, p1 in pairs:
        if q2 is None or p1 is None:
            continue
        (x0, x1), (y0, y1) = q2
        q = (ob.FQ2([x0, x1]), ob.FQ2([y0, y1]), ob.FQ2.one())
        p = (ob.FQ(p1[0]), ob.FQ(p1[1]), ob.FQ.one())
        acc = acc * ob.pairing(q, p, final_exponentiate=False)
    return ob.final_exponentiate(acc) == ob.FQ12.one()


def verify_digest(pk2: G2Point, digest: bytes, sigma: G1Point) -> bool:
    """e(σ, G2) == e(H(m), pk2), with py-ecc's pairing."""
    if sigma is None or pk2 is None:
        return False
    if not g1_is_on_curve(sigma) or not g2_is_on_curve(pk2) or not g2_is_in_subgroup(pk2):
        return False
    return _pairing_product_is_one([(G2_GENERATOR, g1_neg(sigma)), (pk2, hash_to_g1(digest))])


def verify_header(pk2: G2Point, header: Header, domain: Domain, sigma: G1Point) -> bool:
    return verify_digest(pk2, header_hash(header, domain), sigma)


def keys_match(pk1: G1Point, pk2: G2Point) -> bool:
    """e(pk1, G2) == e(G1, pk2): the G1 and G2 keys share their secret."""
    if pk1 is None or pk2 is None:
        return False
    return _pairing_product_is_one([(G2_GENERATOR, g1_neg(pk1)), (pk2, G1_GENERATOR)])


def verify_possession(
    operator: str, pk1: G1Point, pk2: G2Point, pop: G1Point, domain: Domain
) -> bool:
    """What ``register_key`` checks: the PoP verifies under pk2 and pk2 matches pk1."""
    return keys_match(pk1, pk2) and verify_digest(pk2, pop_digest(operator, pk1, domain), pop)
