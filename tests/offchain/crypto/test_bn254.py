"""G1 / G2 kernels and edges against py-ecc (the reference oracle) and the EVM precompiles."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from py_ecc import bn128 as B
from py_ecc import optimized_bn128 as O
from py_ecc.fields import bn128_FQ2 as FQ2

from offchain.crypto import bn254 as C
from offchain.crypto.field import FQ_MODULUS, fq_from_int
from offchain.crypto.fq2 import fq2_from_ints, fq2_sqrt

Q = FQ_MODULUS
R = C.R
G1 = C.G1_GENERATOR
G2 = C.G2_GENERATOR
COFACTOR_G2 = 2 * Q - R  # #E'(Fq2) = r · (2q − r)

scalars = st.one_of(
    st.sampled_from([0, 1, 2, 3, R - 1, R - 2, R, R + 1, (1 << 256) - 1, (R - 1) // 2]),
    st.integers(0, R - 1),
)
fq_ints = st.integers(0, Q - 1)


def _u64(t):
    # numba boxes uint64 results as Python ints; re-wrap before feeding them back into a kernel.
    if isinstance(t, tuple):
        return tuple(_u64(x) for x in t)
    return np.uint64(t)


def _limbs(k: int):
    return tuple(np.uint64((k >> (64 * i)) & ((1 << 64) - 1)) for i in range(4))


def _ref_g1(k: int):
    return C.g1_from_py_ecc(O.multiply(O.G1, k % R))


def _ref_g2(k: int):
    return C.g2_from_py_ecc(O.multiply(O.G2, k % R))


def _partner(data, a: int) -> int:
    # The second scalar: the same (P + P), the negation (P + (−P)), zero, or anything.
    return data.draw(st.one_of(st.just(a), st.just((R - a) % R), st.just(0), scalars), label="b")


# ---------------------------------------------------------------------------------------------
# Group operations against py-ecc
# ---------------------------------------------------------------------------------------------


@given(k=scalars)
def test_g1_mul_matches_py_ecc(k):
    assert C.g1_mul(G1, k) == _ref_g1(k)


@given(k=scalars)
def test_g2_mul_matches_py_ecc(k):
    assert C.g2_mul(G2, k) == _ref_g2(k)


@given(a=scalars, data=st.data())
def test_g1_add_double_neg_match_py_ecc(a, data):
    b = _partner(data, a)
    p, q = C.g1_mul(G1, a), C.g1_mul(G1, b)
    P, Qp = C.g1_to_py_ecc(p), C.g1_to_py_ecc(q)
    assert C.g1_add(p, q) == C.g1_from_py_ecc(B.add(P, Qp))
    assert C.g1_add(q, p) == C.g1_add(p, q)
    assert C.g1_double(p) == C.g1_from_py_ecc(B.double(P))
    assert C.g1_neg(p) == C.g1_from_py_ecc(B.neg(P))
    assert C.g1_is_on_curve(C.g1_add(p, q))


@given(a=scalars, data=st.data())
def test_g2_add_double_neg_match_py_ecc(a, data):
    b = _partner(data, a)
    p, q = C.g2_mul(G2, a), C.g2_mul(G2, b)
    P, Qp = C.g2_to_py_ecc(p), C.g2_to_py_ecc(q)
    assert C.g2_add(p, q) == C.g2_from_py_ecc(B.add(P, Qp))
    assert C.g2_double(p) == C.g2_from_py_ecc(B.double(P))
    assert C.g2_neg(p) == C.g2_from_py_ecc(B.neg(P))
    assert C.g2_is_on_curve(C.g2_add(p, q))


@pytest.mark.parametrize("g", ["g1", "g2"])
def test_edge_cases(g):
    gen = G1 if g == "g1" else G2
    add, dbl, neg, mul = (getattr(C, f"{g}_{op}") for op in ("add", "double", "neg", "mul"))
    p = mul(gen, 123456789)
    assert mul(p, 0) is None
    assert mul(p, 1) == p
    assert mul(p, R - 1) == neg(p)
    assert mul(p, R) is None
    assert mul(p, R + 1) == p
    assert mul(None, 5) is None
    assert add(p, p) == dbl(p) == mul(p, 2)  # P + P through the add formula
    assert add(p, neg(p)) is None  # P + (−P)
    assert add(p, None) == p and add(None, p) == p and add(None, None) is None
    assert dbl(None) is None and neg(None) is None
    assert neg(neg(p)) == p
    assert add(add(p, p), neg(p)) == p


# ---------------------------------------------------------------------------------------------
# Jacobian kernels with non-trivial Z
# ---------------------------------------------------------------------------------------------


def _jac_g1(p, z: int):
    if p is None:
        return _u64((fq_from_int(1), fq_from_int(1), fq_from_int(0)))
    x, y = p
    return _u64((fq_from_int(x * z * z % Q), fq_from_int(y * z * z * z % Q), fq_from_int(z)))


def _jac_g2(p, z: tuple[int, int]):
    one, zero = fq2_from_ints((1, 0)), fq2_from_ints((0, 0))
    if p is None:
        return _u64((one, one, zero))
    Z = FQ2(list(z))
    X = FQ2(list(p[0])) * Z * Z
    Y = FQ2(list(p[1])) * Z * Z * Z
    ints = [tuple(int(c) for c in v.coeffs) for v in (X, Y, Z)]
    return _u64(tuple(fq2_from_ints(v) for v in ints))


def _aff_g1(p):
    return C._g1_from_limbs(C.jac_to_affine(_u64(p)))


def _aff_g2(p):
    return C._g2_from_limbs(C.jac_to_affine(_u64(p)))


@given(a=scalars, zs=st.tuples(fq_ints, fq_ints), data=st.data())
def test_g1_jacobian_kernels(a, zs, data):
    assume(zs[0] and zs[1])
    b = _partner(data, a)
    p, q = C.g1_mul(G1, a), C.g1_mul(G1, b)
    P, Qj = _jac_g1(p, zs[0]), _jac_g1(q, zs[1])
    expect = C.g1_add(p, q)
    assert _aff_g1(C.jac_add(P, Qj)) == expect
    assert _aff_g1(C.jac_madd(P, C._g1_limbs(q))) == expect
    assert _aff_g1(C.jac_double(P)) == C.g1_double(p)
    assert _aff_g1(C.jac_neg(P)) == C.g1_neg(p)
    assert C.jac_eq(P, _jac_g1(p, 7)) and C.jac_eq(P, Qj) == (p == q)
    assert C.jac_is_on_curve(P) and C.jac_is_on_curve(_u64(C.jac_add(P, Qj)))
    assert C.jac_is_inf(P) == (p is None)
    assert _aff_g1(C.jac_scalar_mul(P, _limbs(b))) == C.g1_mul(p, b)


@given(a=scalars, z=st.tuples(fq_ints, fq_ints), data=st.data())
def test_g2_jacobian_kernels(a, z, data):
    assume(z != (0, 0))
    b = _partner(data, a)
    p, q = C.g2_mul(G2, a), C.g2_mul(G2, b)
    P, Qj = _jac_g2(p, z), _jac_g2(q, (3, 4))
    expect = C.g2_add(p, q)
    assert _aff_g2(C.jac_add(P, Qj)) == expect
    assert _aff_g2(C.jac_madd(P, C._g2_limbs(q))) == expect
    assert _aff_g2(C.jac_double(P)) == C.g2_double(p)
    assert C.jac_eq(P, Qj) == (p == q)
    assert C.jac_is_on_curve(P) and C.jac_is_on_curve(_u64(C.jac_double(P)))


def test_on_curve_rejects_a_shifted_y():
    p = C.g1_mul(G1, 99)
    bad = (p[0], (p[1] + 1) % Q)
    assert not C.g1_is_on_curve(bad)
    assert not C.aff_is_on_curve(C._g1_limbs(bad))
    assert not C.jac_is_on_curve(_jac_g1(bad, 5))
    p2 = C.g2_mul(G2, 99)
    bad2 = (p2[0], ((p2[1][0] + 1) % Q, p2[1][1]))
    assert not C.g2_is_on_curve(bad2)
    assert not C.jac_is_on_curve(_jac_g2(bad2, (2, 5)))


@given(ks=st.lists(st.one_of(st.just(0), scalars), min_size=0, max_size=10), data=st.data())
def test_batch_to_affine(ks, data):
    pts1 = [C.g1_mul(G1, k) for k in ks]
    zs = [data.draw(st.integers(1, Q - 1), label="z") for _ in ks]
    jac1 = np.array([[list(c) for c in _jac_g1(p, z)] for p, z in zip(pts1, zs, strict=True)])
    jac1 = jac1.astype(np.uint64).reshape(len(ks), 3, 4)
    assert C.g1_points(C.g1_batch_to_affine(jac1)) == pts1
    pts2 = [C.g2_mul(G2, k) for k in ks[:4]]
    jac2 = [
        [[list(c) for c in v] for v in _jac_g2(p, (z, 2))] for p, z in zip(pts2, zs, strict=False)
    ]
    jac2 = np.array(jac2, dtype=np.uint64).reshape(len(pts2), 3, 2, 4)
    assert C.g2_points(C.g2_batch_to_affine(jac2)) == pts2


# ---------------------------------------------------------------------------------------------
# G2 subgroup membership
# ---------------------------------------------------------------------------------------------


def _twist_point(x: tuple[int, int]):
    # A point on the twist with this x, if x³ + b' is a square: almost never in G2.
    X = FQ2(list(x))
    rhs = X * X * X + FQ2(list(C.G2_B))
    ok, y = fq2_sqrt(_u64(fq2_from_ints(tuple(int(c) for c in rhs.coeffs))))
    if not ok:
        return None
    from offchain.crypto.fq2 import fq2_to_ints

    return (x, fq2_to_ints(y))


def _in_g2_by_order(p) -> bool:
    return bool(C.g2_jac_in_subgroup_by_order(_u64(C.jac_from_affine(C._g2_limbs(p)))))


def _times_raw(p, k: int):
    # [k]P with the scalar used as is (the Python g2_mul reduces mod r, wrong off the subgroup).
    jac = _u64(C.jac_from_affine(C._g2_limbs(p)))
    return _aff_g2(C.jac_scalar_mul(jac, _limbs(k)))


@given(x=st.tuples(fq_ints, fq_ints))
def test_g2_subgroup_check_agrees_with_order_check(x):
    p = _twist_point(x)
    assume(p is not None)
    assert C.g2_is_on_curve(p)
    # A random twist point has a component of order dividing the cofactor: outside G2.
    assert not C.g2_is_in_subgroup(p)
    assert not _in_g2_by_order(p)
    # Clearing the cofactor lands in G2, and both checks must agree.
    cleared = _times_raw(p, COFACTOR_G2)
    assert C.g2_is_in_subgroup(cleared)
    assert _in_g2_by_order(cleared)
    with pytest.raises(ValueError, match="subgroup"):
        C.g2_from_evm_bytes(C.g2_to_evm_bytes(p))
    with pytest.raises(ValueError, match="subgroup"):
        C.g2_from_snarkjs(C.g2_to_snarkjs(p))
    with pytest.raises(ValueError, match="subgroup"):
        C.g2_array([p], check_subgroup=True)


@given(k=scalars)
def test_g2_multiples_are_in_subgroup(k):
    p = C.g2_mul(G2, k)
    assert C.g2_is_in_subgroup(p)


def test_subgroup_check_rejects_off_curve_input():
    with pytest.raises(ValueError, match="not on the twist"):
        C.g2_is_in_subgroup(((1, 2), (3, 4)))


# ---------------------------------------------------------------------------------------------
# py-ecc conversions, arrays
# ---------------------------------------------------------------------------------------------


@given(k=scalars)
def test_py_ecc_round_trips(k):
    p1, p2 = C.g1_mul(G1, k), C.g2_mul(G2, k)
    assert C.g1_from_py_ecc(C.g1_to_py_ecc(p1)) == p1
    assert C.g2_from_py_ecc(C.g2_to_py_ecc(p2)) == p2
    # optimized_bn128's projective form, with a non-trivial Z.
    o1 = O.multiply(O.G1, k % R)
    assert C.g1_from_py_ecc(O.double(o1)) == C.g1_double(p1)


@given(ks=st.lists(st.one_of(st.just(0), scalars), max_size=8))
def test_array_round_trips(ks):
    p1 = [C.g1_mul(G1, k) for k in ks]
    a1 = C.g1_array(p1)
    assert a1.shape == (len(ks), 2, 4) and a1.dtype == np.uint64
    assert C.g1_points(a1) == p1
    p2 = [C.g2_mul(G2, k) for k in ks[:3]]
    a2 = C.g2_array(p2, check_subgroup=True)
    assert a2.shape == (len(p2), 2, 2, 4)
    assert C.g2_points(a2) == p2


def test_arrays_reject_bad_points():
    with pytest.raises(ValueError, match="point 1 is not on the curve"):
        C.g1_array([G1, (1, 1)])
    with pytest.raises(ValueError, match="not below the field modulus"):
        C.g1_array([(Q, 2)])
    with pytest.raises(ValueError, match="point 0 is not on the twist"):
        C.g2_array([((1, 2), (3, 4))])
    with pytest.raises(ValueError, match="shape"):
        C.g1_points(np.zeros((2, 3, 4), np.uint64))


# ---------------------------------------------------------------------------------------------
# Serialisation: EVM bytes and snarkjs JSON
# ---------------------------------------------------------------------------------------------


@given(k=scalars)
def test_serialisation_round_trips(k):
    p1, p2 = C.g1_mul(G1, k), C.g2_mul(G2, k)
    assert C.g1_from_evm_bytes(C.g1_to_evm_bytes(p1)) == p1
    assert C.g2_from_evm_bytes(C.g2_to_evm_bytes(p2)) == p2
    assert C.g1_from_snarkjs(C.g1_to_snarkjs(p1)) == p1
    assert C.g2_from_snarkjs(C.g2_to_snarkjs(p2)) == p2


def test_serialisation_layouts():
    b1 = C.g1_to_evm_bytes(G1)
    assert b1 == (1).to_bytes(32, "big") + (2).to_bytes(32, "big")
    b2 = C.g2_to_evm_bytes(G2)
    # EIP-197 order: imaginary part first.
    assert b2[:32] == G2[0][1].to_bytes(32, "big") and b2[32:64] == G2[0][0].to_bytes(32, "big")
    assert b2[64:96] == G2[1][1].to_bytes(32, "big") and b2[96:] == G2[1][0].to_bytes(32, "big")
    assert C.g1_to_evm_bytes(None) == bytes(64) and C.g2_to_evm_bytes(None) == bytes(128)
    assert C.g1_from_evm_bytes(bytes(64)) is None and C.g2_from_evm_bytes(bytes(128)) is None
    assert C.g1_to_snarkjs(G1) == ["1", "2", "1"]
    assert C.g2_to_snarkjs(G2) == [
        [str(G2[0][0]), str(G2[0][1])],
        [str(G2[1][0]), str(G2[1][1])],
        ["1", "0"],
    ]
    assert C.g1_from_snarkjs(C.g1_to_snarkjs(None)) is None
    assert C.g2_from_snarkjs(C.g2_to_snarkjs(None)) is None


@given(k=st.integers(1, R - 1), z=st.integers(2, Q - 1))
def test_snarkjs_jacobian_z_is_normalised(k, z):
    p = C.g1_mul(G1, k)
    obj = [str(p[0] * z * z % Q), str(p[1] * z**3 % Q), str(z)]
    assert C.g1_from_snarkjs(obj) == p
    p2 = C.g2_mul(G2, k)
    Z = FQ2([z, 1])
    X, Y = FQ2(list(p2[0])) * Z * Z, FQ2(list(p2[1])) * Z * Z * Z
    obj2 = [[str(int(c)) for c in v.coeffs] for v in (X, Y, Z)]
    assert C.g2_from_snarkjs(obj2) == p2


def _g1_bytes(x: int, y: int) -> bytes:
    return x.to_bytes(32, "big") + y.to_bytes(32, "big")


@pytest.mark.parametrize(
    "data, match",
    [
        (bytes(63), "expected 64 bytes, got 63"),
        (bytes(65), "expected 64 bytes, got 65"),
        (_g1_bytes(Q, 2), "x is not below the field modulus"),
        (_g1_bytes(1, Q + 2), "y is not below the field modulus"),
        (_g1_bytes(1, 3), "not on the curve"),
        (_g1_bytes(0, 1), "not on the curve"),
        ("00" * 64, "expected bytes"),
    ],
)
def test_g1_evm_parse_errors(data, match):
    with pytest.raises(ValueError, match=match):
        C.g1_from_evm_bytes(data)


def _g2_bytes(x0: int, x1: int, y0: int, y1: int) -> bytes:
    return b"".join(v.to_bytes(32, "big") for v in (x1, x0, y1, y0))


@pytest.mark.parametrize(
    "data, match",
    [
        (bytes(127), "expected 128 bytes, got 127"),
        (bytes(64), "expected 128 bytes, got 64"),
        (_g2_bytes(G2[0][0], Q, G2[1][0], G2[1][1]), "x.c1 is not below"),
        (_g2_bytes(Q + 1, G2[0][1], G2[1][0], G2[1][1]), "x.c0 is not below"),
        (_g2_bytes(*G2[0], G2[1][0], (1 << 256) - 1), "y.c1 is not below"),
        (_g2_bytes(*G2[0], G2[1][1], G2[1][0]), "not on the twist"),  # y coefficients swapped
        (_g2_bytes(G2[0][1], G2[0][0], G2[1][1], G2[1][0]), "not on the twist"),  # py-ecc order
    ],
)
def test_g2_evm_parse_errors(data, match):
    with pytest.raises(ValueError, match=match):
        C.g2_from_evm_bytes(data)


@pytest.mark.parametrize(
    "obj, match",
    [
        (["1", "2"], "list of 3"),
        (["1", "2", "1", "0"], "list of 3"),
        ("1,2,1", "list of 3"),
        ([1, "2", "1"], "decimal string"),
        (["0x1", "2", "1"], "decimal string"),
        (["-1", "2", "1"], "decimal string"),
        ([str(Q), "2", "1"], "not below the field modulus"),
        (["1", "3", "1"], "not on the curve"),
    ],
)
def test_g1_snarkjs_parse_errors(obj, match):
    with pytest.raises(ValueError, match=match):
        C.g1_from_snarkjs(obj)


@pytest.mark.parametrize(
    "obj, match",
    [
        ([["1", "2"], ["3", "4"]], "list of 3"),
        ([["1", "2", "3"], ["3", "4"], ["1", "0"]], "pair"),
        ([["1", "2"], ["3", "4"], ["1", "0"]], "not on the twist"),
        ([["1", str(Q)], ["3", "4"], ["1", "0"]], "not below the field modulus"),
        ([["0", "0"], ["0", "0"], ["1", "0"]], "not on the twist"),
    ],
)
def test_g2_snarkjs_parse_errors(obj, match):
    with pytest.raises(ValueError, match=match):
        C.g2_from_snarkjs(obj)


# ---------------------------------------------------------------------------------------------
# The EVM precompiles (py-evm through titanoboa) accept our byte order
# ---------------------------------------------------------------------------------------------


def test_evm_precompiles_agree():
    boa = pytest.importorskip("boa")

    def call(addr: int, data: bytes) -> bytes:
        return boa.env.raw_call(f"0x{addr:040x}", data=data).output

    p, q = C.g1_mul(G1, 1234567), C.g1_mul(G1, 7654321)
    summed = call(6, C.g1_to_evm_bytes(p) + C.g1_to_evm_bytes(q))
    assert C.g1_from_evm_bytes(summed) == C.g1_add(p, q)
    k = R - 17
    product = call(7, C.g1_to_evm_bytes(p) + k.to_bytes(32, "big"))
    assert C.g1_from_evm_bytes(product) == C.g1_mul(p, k)
    # e(a·G1, b·G2) · e(−ab·G1, G2) = 1 exercises our G2 byte order end to end.
    h = C.g2_mul(G2, 99)
    pairs = C.g1_to_evm_bytes(C.g1_mul(G1, 5)) + C.g2_to_evm_bytes(h)
    pairs += C.g1_to_evm_bytes(C.g1_neg(C.g1_mul(G1, 5 * 99))) + C.g2_to_evm_bytes(G2)
    assert int.from_bytes(call(8, pairs), "big") == 1
