"""Baby JubJub: the Python-int reference, the numba kernels against it, and circomlibjs's babyjub."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from offchain.crypto import babyjub as bj
from offchain.crypto.babyjub import (
    BASE8,
    GENERATOR,
    IDENTITY,
    ORDER,
    SUB_ORDER,
    P,
    add,
    double,
    in_subgroup,
    is_on_curve,
    mul,
    neg,
    pack_point,
    sqrt_fr,
    unpack_point,
)
from tests.node_oracle import run_node_oracle

# The torsion: T8 has order 8 (l·GENERATOR, GENERATOR having order 8·l), T2 = (0, -1) order 2.
T8 = mul(GENERATOR, SUB_ORDER)
T2 = (0, P - 1)
TORSION = [mul(T8, i) for i in range(8)]

scalars = st.integers(min_value=0, max_value=SUB_ORDER - 1)
wide_scalars = st.integers(min_value=0, max_value=(1 << 254) - 1)


def _is_probable_prime(n: int) -> bool:
    # Miller-Rabin with fixed bases: enough to pin a documented constant.
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for a in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


# ------------------------------------------------------------------ constants


def test_constants() -> None:
    """Generator/Base8/orders as circomlib documents them, and the curve facts the code relies on."""
    assert ORDER == 8 * SUB_ORDER and _is_probable_prime(SUB_ORDER)
    assert SUB_ORDER.bit_length() == 251
    assert is_on_curve(GENERATOR) and is_on_curve(BASE8)
    assert mul(GENERATOR, 8) == BASE8
    assert mul(BASE8, SUB_ORDER) == IDENTITY
    assert T8 != IDENTITY and mul(T8, 4) != IDENTITY and mul(T8, 8) == IDENTITY
    assert mul(T8, 4) == T2
    # Completeness of the addition law: a square, d not; the a = -1 model needs -a square.
    assert pow(bj.A, (P - 1) // 2, P) == 1
    assert pow(bj.D, (P - 1) // 2, P) == P - 1
    assert pow(-bj.A % P, (P - 1) // 2, P) == 1


def test_base8_table() -> None:
    """The precomputed table holds the odd multiples of BASE8 in cached form on the a = -1 model."""
    from offchain.crypto.field import fr_ints

    tab = bj.BASE8_TABLE
    assert tab.shape == (1 << (bj.BASE8_WINDOW - 2), 4, 4)
    for j in (0, 1, 17, tab.shape[0] - 1):
        x, y = mul(BASE8, 2 * j + 1)
        u = bj._SCALE * x % P
        ymu, ypu, two_z, kt = fr_ints(tab[j])
        assert (ymu, ypu, two_z, kt) == ((y - u) % P, (y + u) % P, 2, bj._K_INT * u * y % P)


# ------------------------------------------------------------------ group law


@given(scalars, scalars, scalars)
def test_group_law(a: int, b: int, c: int) -> None:
    """Closure, identity, inverse, commutativity, associativity on subgroup points."""
    pa, pb, pc = mul(BASE8, a), mul(BASE8, b), mul(BASE8, c)
    s = add(pa, pb)
    assert is_on_curve(s)
    assert s == add(pb, pa)
    assert add(add(pa, pb), pc) == add(pa, add(pb, pc))
    assert add(pa, IDENTITY) == pa
    assert add(pa, neg(pa)) == IDENTITY
    assert double(pa) == add(pa, pa) == mul(pa, 2)


@given(scalars, scalars)
def test_mul_is_a_homomorphism(a: int, b: int) -> None:
    """a·B + b·B = (a + b)·B, and scalars act modulo the subgroup order."""
    assert add(mul(BASE8, a), mul(BASE8, b)) == mul(BASE8, (a + b) % SUB_ORDER)
    assert mul(BASE8, a + SUB_ORDER) == mul(BASE8, a)


@given(st.integers(min_value=0, max_value=ORDER - 1), st.integers(min_value=0, max_value=7))
def test_subgroup_membership(k: int, t: int) -> None:
    """Points of the subgroup pass ``in_subgroup``; shifting by a non-trivial torsion point fails."""
    p = mul(BASE8, k)
    assert in_subgroup(p)
    shifted = add(p, TORSION[t])
    assert is_on_curve(shifted)
    assert in_subgroup(shifted) == (t == 0)


def test_reference_rejects_bad_input() -> None:
    """ValueError names the problem: off-curve points, negative scalars, non-canonical coordinates."""
    with pytest.raises(ValueError, match="on the curve"):
        mul((1, 2), 3)
    with pytest.raises(ValueError, match="non-negative"):
        mul(BASE8, -1)
    with pytest.raises(ValueError, match="canonical"):
        add((P, 1), BASE8)
    with pytest.raises(ValueError, match="canonical"):
        is_on_curve((-1, 1))
    with pytest.raises(ValueError, match="pair"):
        is_on_curve((1, 2, 3))
    assert not in_subgroup((1, 2))


# ------------------------------------------------------------------ sqrt, pack, unpack


@given(st.integers(min_value=0, max_value=P - 1))
def test_sqrt(a: int) -> None:
    """sqrt_fr returns the small root of a square, None for a non-square."""
    r = sqrt_fr(a * a % P)
    assert r is not None and r * r % P == a * a % P and r <= (P - 1) // 2
    if pow(a, (P - 1) // 2, P) == P - 1:
        assert sqrt_fr(a) is None


@given(st.integers(min_value=1, max_value=ORDER - 1))
def test_pack_unpack_roundtrip(k: int) -> None:
    """Every point with x != 0 survives pack → unpack (subgroup or not)."""
    p = mul(GENERATOR, k)
    packed = pack_point(p)
    assert len(packed) == 32
    if p[0] == 0:
        assert unpack_point(packed) is None
    else:
        assert unpack_point(packed) == p


def test_unpack_edge_cases() -> None:
    """x = 0 points decode to None (as circomlibjs); non-canonical y → None; bad length raises."""
    assert unpack_point(pack_point(IDENTITY)) is None
    assert unpack_point(pack_point(T2)) is None
    y = BASE8[1]
    noncanonical = bytearray((y + P).to_bytes(32, "little"))
    assert (y + P) < 1 << 255
    assert unpack_point(bytes(noncanonical)) is None
    with pytest.raises(ValueError, match="32 bytes"):
        unpack_point(b"\x00" * 31)
    with pytest.raises(ValueError, match="bytes"):
        unpack_point("00" * 32)  # type: ignore[arg-type]


@given(st.binary(min_size=32, max_size=32))
def test_unpack_arbitrary_bytes(raw: bytes) -> None:
    """Any 32 bytes decode to None or to a curve point that packs back to the same bytes."""
    p = unpack_point(raw)
    if p is not None:
        assert is_on_curve(p)
        assert pack_point(p) == raw


# ------------------------------------------------------------------ numba kernels


def _naf_value(digits: np.ndarray) -> int:
    return sum(int(d) << i for i, d in enumerate(digits))


@given(wide_scalars, st.sampled_from([2, 3, 4, 5, 8]))
def test_wnaf(k: int, w: int) -> None:
    """wNAF digits reconstruct k, are odd and below 2^(w-1), and any w in a row hold one non-zero."""
    limbs = tuple(np.uint64((k >> (64 * i)) & ((1 << 64) - 1)) for i in range(4))
    out = np.zeros(bj.NAF_LEN, np.int16)
    top = bj.wnaf(limbs, w, out)
    assert _naf_value(out) == k
    nz = np.flatnonzero(out)
    assert top == (int(nz[-1]) + 1 if nz.size else 0)
    assert all(int(out[i]) % 2 == 1 and abs(int(out[i])) < 1 << (w - 1) for i in nz)
    assert all(b - a >= w for a, b in zip(nz[:-1], nz[1:], strict=True))


def _special_points() -> list[tuple[int, int]]:
    return [IDENTITY, T2, T8, BASE8, GENERATOR, neg(BASE8), add(BASE8, T8)]


_SPECIAL_SCALARS = [
    0,
    1,
    2,
    7,
    8,
    SUB_ORDER - 1,
    SUB_ORDER,
    SUB_ORDER + 1,
    ORDER - 1,
    (1 << 254) - 1,
]


def test_mul_batch_special_cases() -> None:
    """The numba variable-base kernel equals the reference on torsion points and edge scalars."""
    pts = [p for p in _special_points() for _ in _SPECIAL_SCALARS]
    ks = [k for _ in _special_points() for k in _SPECIAL_SCALARS]
    assert bj.mul_batch(pts, ks) == [mul(p, k) for p, k in zip(pts, ks, strict=True)]


@given(st.lists(st.tuples(st.integers(0, ORDER - 1), wide_scalars), min_size=1, max_size=8))
def test_mul_batch_matches_reference(cases: list[tuple[int, int]]) -> None:
    """k·P from the kernel equals the Python reference for random full-group points."""
    pts = [mul(GENERATOR, j) for j, _ in cases]
    ks = [k for _, k in cases]
    assert bj.mul_batch(pts, ks) == [mul(p, k) for p, k in zip(pts, ks, strict=True)]


@given(st.lists(st.tuples(wide_scalars, wide_scalars, st.integers(0, ORDER - 1)), max_size=8))
def test_double_mul_base8_matches_reference(cases: list[tuple[int, int, int]]) -> None:
    """The joint (Shamir) kernel: s·BASE8 + k·Q equals two reference multiplications and an add."""
    ss = [s for s, _, _ in cases]
    ks = [k for _, k, _ in cases]
    qs = [mul(GENERATOR, j) for _, _, j in cases]
    want = [add(mul(BASE8, s), mul(q, k)) for s, k, q in zip(ss, ks, qs, strict=True)]
    assert bj.double_mul_base8_batch(ss, ks, qs) == want


def test_double_mul_base8_special_cases() -> None:
    """Zero scalars, cancellation to the identity, torsion bases."""
    ss = [0, 0, 5, SUB_ORDER - 1, 1, 3]
    ks = [0, 5, 0, 1, SUB_ORDER - 1, 8]
    qs = [BASE8, BASE8, T8, BASE8, BASE8, T8]
    want = [add(mul(BASE8, s), mul(q, k)) for s, k, q in zip(ss, ks, qs, strict=True)]
    got = bj.double_mul_base8_batch(ss, ks, qs)
    assert got == want
    assert got[3] == IDENTITY and got[4] == IDENTITY


def test_kernels_reject_bad_input() -> None:
    """Batch entry points validate in Python before any kernel runs."""
    with pytest.raises(ValueError, match="not on the curve"):
        bj.mul_batch([BASE8, (1, 2)], [1, 2])
    with pytest.raises(ValueError, match="outside"):
        bj.mul_batch([BASE8], [1 << 254])
    with pytest.raises(ValueError, match="differ in length"):
        bj.mul_batch([BASE8], [1, 2])
    assert bj.mul_batch([], []) == []


# ------------------------------------------------------------------ circomlibjs


@pytest.mark.node
def test_matches_circomlibjs_babyjub() -> None:
    """packPoint, unpackPoint, mulPointEscalar and inSubgroup agree with circomlibjs (one node call)."""
    rng = random.Random(0xBAB1)
    points = _special_points() + [mul(GENERATOR, rng.randrange(ORDER)) for _ in range(40)]
    ks = [rng.randrange(1 << 254) for _ in points]
    packed_inputs = [pack_point(p) for p in points] + [rng.randbytes(32) for _ in range(60)]
    ops = (
        [{"op": "pack", "point": [str(p[0]), str(p[1])]} for p in points]
        + [{"op": "unpack", "packed": b.hex()} for b in packed_inputs]
        + [
            {"op": "mul", "point": [str(p[0]), str(p[1])], "e": str(k)}
            for p, k in zip(points, ks, strict=True)
        ]
        + [{"op": "in_subgroup", "point": [str(p[0]), str(p[1])]} for p in points]
    )
    res = run_node_oracle("eddsa_oracle.js", {"ops": ops})["results"]
    n, m = len(points), len(packed_inputs)
    assert [bytes.fromhex(h) for h in res[:n]] == [pack_point(p) for p in points]
    for raw, want in zip(packed_inputs, res[n : n + m], strict=True):
        theirs = None if want is None else (int(want[0]), int(want[1]))
        y = int.from_bytes(raw, "little") & ((1 << 255) - 1)
        if y < P:
            assert unpack_point(raw) == theirs, raw.hex()
        else:
            # Deliberate difference: circomlibjs reduces a non-canonical y mod r, we reject it.
            assert unpack_point(raw) is None
            canonical = bytearray((y % P).to_bytes(32, "little"))
            canonical[31] |= raw[31] & 0x80
            assert unpack_point(bytes(canonical)) == theirs, raw.hex()
    muls = res[n + m : 2 * n + m]
    assert [(int(x), int(y)) for x, y in muls] == [
        mul(p, k) for p, k in zip(points, ks, strict=True)
    ]
    assert bj.mul_batch(points, ks) == [(int(x), int(y)) for x, y in muls]
    assert res[2 * n + m :] == [in_subgroup(p) for p in points]
