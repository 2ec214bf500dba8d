"""BN254 groups G1 and G2 as numba kernels, with validating Python edges and serialisation.

Curves
------
- G1: y² = x³ + 3 over Fq; the group of order r is the whole curve (cofactor 1).
- G2: the sextic D-twist y² = x³ + b' over Fq2 with b' = 3/(9+u); G2 is its order-r subgroup
  (the twist has cofactor 2q − r, so an on-curve point must also pass :func:`g2_is_in_subgroup`).

Kernel layer (numba)
--------------------
One set of curve kernels serves both groups: the formulas are written against a small generic
field layer (``fe_add fe_sub fe_mul ...``), numba ``@overload``s that resolve at compile time to the
Fq kernels (an element typed ``UniTuple(uint64, 4)``) or to the Fq2 kernels (``UniTuple(UniTuple(
uint64, 4), 2)``), so ``jac_add`` on G1 and on G2 are two specialisations of one source.

- Jacobian point ``(X, Y, Z)`` meaning ``(X/Z², Y/Z³)``; infinity is any point with ``Z = 0``
  (canonically ``(1, 1, 0)``).
- Affine point ``(x, y)``; infinity is ``(0, 0)`` (not on either curve since b ≠ 0), which is also
  the EVM precompile encoding.
- Kernels: ``jac_add jac_double jac_madd jac_neg jac_eq jac_is_inf jac_from_affine jac_to_affine
  jac_scalar_mul jac_is_on_curve aff_is_on_curve aff_is_inf``; G2 only: ``g2_psi g2_jac_in_subgroup
  g2_jac_in_subgroup_by_order``; arrays: ``batch_to_affine aff_array_on_curve g2_array_in_subgroup``;
  generic row access for other kernels: ``fe_load fe_store pt_load pt_store aff_load``.
- Array layouts (all ``uint64``, C-contiguous, Montgomery limbs, little-endian limbs):

  ======  ===================  ===================
  group   affine               Jacobian
  ======  ===================  ===================
  G1      ``(N, 2, 4)``        ``(N, 3, 4)``
  G2      ``(N, 2, 2, 4)``     ``(N, 3, 2, 4)``
  ======  ===================  ===================

  The G2 middle axis of size 2 is the Fq2 coefficient axis ``[c0, c1]``. Affine infinity rows
  are all zeros.

Python edge
-----------
- ``G1Point = tuple[int, int] | None`` and ``G2Point = tuple[tuple[int, int], tuple[int, int]] |
  None`` (``((x.c0, x.c1), (y.c0, y.c1))``); ``None`` is the point at infinity.
- Group operations ``g1_add g1_double g1_neg g1_mul`` (and ``g2_``), checks ``g1_is_on_curve
  g2_is_on_curve g2_is_in_subgroup``, arrays ``g1_array g1_points g1_batch_to_affine`` (and ``g2_``),
  py-ecc conversions ``g1_to_py_ecc g1_from_py_ecc``, EVM precompile bytes ``g1_to_evm_bytes
  g1_from_evm_bytes``, snarkjs JSON ``g1_to_snarkjs g1_from_snarkjs`` (and ``g2_``).
- Parsers reject coordinates ≥ q, points off the curve, G2 points outside the subgroup and wrong
  lengths with a ``ValueError`` that names the problem.

Nothing here is constant-time: do not feed secret scalars to ``*_mul`` where timing is observable.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numba import njit
from numba.core import types
from numba.extending import overload

from offchain.crypto.field import (
    FQ_MODULUS,
    FQ_ONE,
    FQ_ZERO,
    FR_MODULUS,
    fq_add,
    fq_array,
    fq_eq,
    fq_from_int,
    fq_ints,
    fq_inv,
    fq_is_zero,
    fq_mul,
    fq_neg,
    fq_sqr,
    fq_sub,
    fq_to_int,
)
from offchain.crypto.fq2 import (
    FQ2_ONE,
    FQ2_ZERO,
    fq2_add,
    fq2_conj,
    fq2_dbl,
    fq2_eq,
    fq2_from_ints,
    fq2_inv,
    fq2_is_zero,
    fq2_mul,
    fq2_neg,
    fq2_sqr,
    fq2_sub,
    fq2_to_ints,
)

G1Point = tuple[int, int] | None
"""An affine G1 point ``(x, y)`` as canonical ints, or ``None`` for infinity."""
G2Point = tuple[tuple[int, int], tuple[int, int]] | None
"""An affine G2 point ``((x.c0, x.c1), (y.c0, y.c1))`` as canonical ints, or ``None``."""

Q = FQ_MODULUS
R = FR_MODULUS
BN_SEED = 4965661367192848881
"""The BN parameter x (q and r are polynomials in it)."""

G1_GENERATOR: tuple[int, int] = (1, 2)
"""The standard G1 generator (EIP-196, py-ecc, snarkjs)."""
G2_GENERATOR: tuple[tuple[int, int], tuple[int, int]] = (
    (
        10857046999023057135944570762232829481370756359578518086990519993285655852781,
        11559732032986387107991004021392285783925812861821192530917403151452391805634,
    ),
    (
        8495653923123431417604973247489272438418190587263600148770280649306958101930,
        4082367875863433681332203403145435568316851327593401208105741076214120093531,
    ),
)
"""The standard G2 generator (EIP-197, py-ecc, snarkjs)."""

_MASK64 = (1 << 64) - 1
_U1 = np.uint64(1)


def _plain_limbs(x: int) -> tuple[np.uint64, np.uint64, np.uint64, np.uint64]:
    return tuple(np.uint64((x >> (64 * i)) & _MASK64) for i in range(4))  # type: ignore[return-value]


# ---------------------------------------------------------------------------------------------
# Python-int Fq2 helpers (edges and constants only; single points, so speed is irrelevant)
# ---------------------------------------------------------------------------------------------


def _f2_mul(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    return ((a[0] * b[0] - a[1] * b[1]) % Q, (a[0] * b[1] + a[1] * b[0]) % Q)


def _f2_add(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    return ((a[0] + b[0]) % Q, (a[1] + b[1]) % Q)


def _f2_inv(a: tuple[int, int]) -> tuple[int, int]:
    n = pow((a[0] * a[0] + a[1] * a[1]) % Q, -1, Q)
    return (a[0] * n % Q, -a[1] * n % Q)


def _f2_pow(a: tuple[int, int], e: int) -> tuple[int, int]:
    r = (1, 0)
    while e:
        if e & 1:
            r = _f2_mul(r, a)
        a = _f2_mul(a, a)
        e >>= 1
    return r


_XI = (9, 1)
G2_B: tuple[int, int] = _f2_mul((3, 0), _f2_inv(_XI))
"""b' = 3/(9+u), the G2 twist coefficient, as ``(c0, c1)``."""

# ψ = untwist ∘ Frobenius ∘ twist: ψ(x, y) = (conj(x)·ξ^((q−1)/3), conj(y)·ξ^((q−1)/2)).
_PSI_X = _f2_pow(_XI, (Q - 1) // 3)
_PSI_Y = _f2_pow(_XI, (Q - 1) // 2)

_G1_B_M = fq_from_int(3)
_G2_B_M = fq2_from_ints(G2_B)
_PSI_X_M = fq2_from_ints(_PSI_X)
_PSI_Y_M = fq2_from_ints(_PSI_Y)
# ψ acts on G2 as multiplication by q ≡ t − 1 = 6x² (mod r).
_SIX_X2 = _plain_limbs(6 * BN_SEED * BN_SEED)
_R_LIMBS = _plain_limbs(R)


# ---------------------------------------------------------------------------------------------
# Generic field layer: Fq or Fq2 chosen at compile time from the element's numba type
# ---------------------------------------------------------------------------------------------


def _is_fq2_type(t: Any) -> bool:
    return isinstance(t, types.BaseTuple) and len(t) == 2 and isinstance(t[0], types.BaseTuple)


def _stub(*args: Any) -> Any:  # pragma: no cover - only ever called inside numba
    raise NotImplementedError("generic field kernels are callable from numba code only")


def fe_add(a, b):
    """a + b in Fq or Fq2 (numba only)."""
    return _stub(a, b)


def fe_sub(a, b):
    """a − b in Fq or Fq2 (numba only)."""
    return _stub(a, b)


def fe_dbl(a):
    """2a in Fq or Fq2 (numba only)."""
    return _stub(a)


def fe_neg(a):
    """−a in Fq or Fq2 (numba only)."""
    return _stub(a)


def fe_mul(a, b):
    """a · b in Fq or Fq2 (numba only)."""
    return _stub(a, b)


def fe_sqr(a):
    """a² in Fq or Fq2 (numba only)."""
    return _stub(a)


def fe_inv(a):
    """a⁻¹ in Fq or Fq2, 0 ↦ 0 (numba only)."""
    return _stub(a)


def fe_eq(a, b):
    """a == b in Fq or Fq2 (numba only)."""
    return _stub(a, b)


def fe_is_zero(a):
    """a == 0 in Fq or Fq2 (numba only)."""
    return _stub(a)


def fe_zero(a):
    """The zero of ``a``'s field (numba only)."""
    return _stub(a)


def fe_one(a):
    """The one of ``a``'s field (numba only)."""
    return _stub(a)


def fe_curve_b(a):
    """The curve coefficient b of the group whose coordinates live in ``a``'s field."""
    return _stub(a)


def _pick1(fq_impl, fq2_impl):
    # An @overload typing function for a one-argument kernel: Fq2 or Fq from the argument's type.
    def typer(a):
        return fq2_impl if _is_fq2_type(a) else fq_impl

    return typer


def _pick2(fq_impl, fq2_impl):
    def typer(a, b):
        return fq2_impl if _is_fq2_type(a) else fq_impl

    return typer


overload(fe_add)(_pick2(lambda a, b: fq_add(a, b), lambda a, b: fq2_add(a, b)))
overload(fe_sub)(_pick2(lambda a, b: fq_sub(a, b), lambda a, b: fq2_sub(a, b)))
overload(fe_mul)(_pick2(lambda a, b: fq_mul(a, b), lambda a, b: fq2_mul(a, b)))
overload(fe_eq)(_pick2(lambda a, b: fq_eq(a, b), lambda a, b: fq2_eq(a, b)))
overload(fe_dbl)(_pick1(lambda a: fq_add(a, a), lambda a: fq2_dbl(a)))
overload(fe_neg)(_pick1(lambda a: fq_neg(a), lambda a: fq2_neg(a)))
overload(fe_sqr)(_pick1(lambda a: fq_sqr(a), lambda a: fq2_sqr(a)))
overload(fe_inv)(_pick1(lambda a: fq_inv(a), lambda a: fq2_inv(a)))
overload(fe_is_zero)(_pick1(lambda a: fq_is_zero(a), lambda a: fq2_is_zero(a)))
overload(fe_zero)(_pick1(lambda a: FQ_ZERO, lambda a: FQ2_ZERO))
overload(fe_one)(_pick1(lambda a: FQ_ONE, lambda a: FQ2_ONE))
overload(fe_curve_b)(_pick1(lambda a: _G1_B_M, lambda a: _G2_B_M))


# Row access, chosen from the array's rank: (N, 4) / (N, 2, 4) field arrays, (N, 2, 4) / (N, 2, 2, 4)
# affine arrays and (N, 3, 4) / (N, 3, 2, 4) Jacobian arrays.


def fe_load(arr, i):
    """Row ``i`` of an Fq ``(N, 4)`` or Fq2 ``(N, 2, 4)`` array (numba only)."""
    return _stub(arr, i)


def fe_store(arr, i, v):
    """Write element ``v`` into row ``i`` of an Fq or Fq2 array (numba only)."""
    return _stub(arr, i, v)


def pt_load(arr, i):
    """Row ``i`` of a Jacobian ``(N, 3, ...)`` array as ``(X, Y, Z)`` (numba only).

    On an affine ``(N, 2, ...)`` array the third entry is a zero placeholder: use :func:`aff_load`.
    """
    return _stub(arr, i)


def pt_store(arr, i, p):
    """Write an affine or Jacobian point into row ``i`` of a point array (numba only)."""
    return _stub(arr, i, p)


@njit(cache=True, inline="always")
def _ld4(arr, i, j):
    return (arr[i, j, 0], arr[i, j, 1], arr[i, j, 2], arr[i, j, 3])


@njit(cache=True, inline="always")
def _ld2x4(arr, i, j):
    return (
        (arr[i, j, 0, 0], arr[i, j, 0, 1], arr[i, j, 0, 2], arr[i, j, 0, 3]),
        (arr[i, j, 1, 0], arr[i, j, 1, 1], arr[i, j, 1, 2], arr[i, j, 1, 3]),
    )


@njit(cache=True, inline="always")
def _st4(arr, i, j, v):
    arr[i, j, 0] = v[0]
    arr[i, j, 1] = v[1]
    arr[i, j, 2] = v[2]
    arr[i, j, 3] = v[3]


@njit(cache=True, inline="always")
def _st2x4(arr, i, j, v):
    for k in range(2):
        arr[i, j, k, 0] = v[k][0]
        arr[i, j, k, 1] = v[k][1]
        arr[i, j, k, 2] = v[k][2]
        arr[i, j, k, 3] = v[k][3]


@overload(fe_load)
def _ol_fe_load(arr, i):
    if arr.ndim == 2:
        return lambda arr, i: (arr[i, 0], arr[i, 1], arr[i, 2], arr[i, 3])
    return lambda arr, i: (_ld4(arr, i, 0), _ld4(arr, i, 1))


@overload(fe_store)
def _ol_fe_store(arr, i, v):
    if arr.ndim == 2:

        def impl(arr, i, v):
            arr[i, 0] = v[0]
            arr[i, 1] = v[1]
            arr[i, 2] = v[2]
            arr[i, 3] = v[3]

        return impl

    def impl2(arr, i, v):
        _st4(arr, i, 0, v[0])
        _st4(arr, i, 1, v[1])

    return impl2


@overload(pt_load)
def _ol_pt_load(arr, i):
    # The number of coordinates (2 affine, 3 Jacobian) is a runtime shape; the rank tells the field.
    if arr.ndim == 3:

        def impl(arr, i):
            if arr.shape[1] == 2:
                return (_ld4(arr, i, 0), _ld4(arr, i, 1), FQ_ZERO)
            return (_ld4(arr, i, 0), _ld4(arr, i, 1), _ld4(arr, i, 2))

        return impl

    def impl2(arr, i):
        if arr.shape[1] == 2:
            return (_ld2x4(arr, i, 0), _ld2x4(arr, i, 1), FQ2_ZERO)
        return (_ld2x4(arr, i, 0), _ld2x4(arr, i, 1), _ld2x4(arr, i, 2))

    return impl2


@overload(pt_store)
def _ol_pt_store(arr, i, p):
    if arr.ndim == 3:

        def impl(arr, i, p):
            for j in range(len(p)):
                _st4(arr, i, j, p[j])

        return impl

    def impl2(arr, i, p):
        for j in range(len(p)):
            _st2x4(arr, i, j, p[j])

    return impl2


@njit(cache=True, inline="always")
def aff_load(arr, i):
    """Affine point ``(x, y)`` from row ``i`` of a ``(N, 2, 4)`` or ``(N, 2, 2, 4)`` array."""
    p = pt_load(arr, i)
    return (p[0], p[1])


# ---------------------------------------------------------------------------------------------
# Curve kernels (generic over G1 / G2)
# ---------------------------------------------------------------------------------------------


@njit(cache=True)
def jac_infinity(like):
    """The Jacobian point at infinity ``(1, 1, 0)`` over ``like``'s field."""
    return (fe_one(like), fe_one(like), fe_zero(like))


@njit(cache=True)
def jac_is_inf(p):
    """Is ``p`` the point at infinity (Z = 0)?"""
    return fe_is_zero(p[2])


@njit(cache=True)
def aff_is_inf(a):
    """Is the affine ``a`` the infinity encoding ``(0, 0)``?"""
    return fe_is_zero(a[0]) and fe_is_zero(a[1])


@njit(cache=True)
def jac_from_affine(a):
    """Affine ``(x, y)`` (``(0, 0)`` = infinity) → Jacobian ``(x, y, 1)``."""
    if aff_is_inf(a):
        return jac_infinity(a[0])
    return (a[0], a[1], fe_one(a[0]))


@njit(cache=True)
def jac_to_affine(p):
    """Jacobian → affine with one field inversion; infinity ↦ ``(0, 0)``."""
    if jac_is_inf(p):
        z = fe_zero(p[0])
        return (z, z)
    zi = fe_inv(p[2])
    zi2 = fe_sqr(zi)
    return (fe_mul(p[0], zi2), fe_mul(p[1], fe_mul(zi2, zi)))


@njit(cache=True)
def jac_neg(p):
    """−p."""
    return (p[0], fe_neg(p[1]), p[2])


@njit(cache=True)
def jac_double(p):
    """2p (dbl-2009-l for a = 0: 2M + 5S). Infinity doubles to infinity."""
    x, y, z = p
    if fe_is_zero(z):
        return p
    a = fe_sqr(x)
    b = fe_sqr(y)
    c = fe_sqr(b)
    d = fe_sub(fe_sub(fe_sqr(fe_add(x, b)), a), c)
    d = fe_dbl(d)
    e = fe_add(fe_dbl(a), a)
    f = fe_sqr(e)
    x3 = fe_sub(f, fe_dbl(d))
    c8 = fe_dbl(fe_dbl(fe_dbl(c)))
    y3 = fe_sub(fe_mul(e, fe_sub(d, x3)), c8)
    z3 = fe_dbl(fe_mul(y, z))
    # No point of the curves has y = 0 (their orders are odd), so z3 = 0 only for infinity input.
    return (x3, y3, z3)


@njit(cache=True)
def jac_add(p, q):
    """p + q, complete: handles infinity on either side, p = q (doubles) and p = −q (infinity).

    add-2007-bl (11M + 5S) on the generic path.
    """
    x1, y1, z1 = p
    x2, y2, z2 = q
    if fe_is_zero(z1):
        return q
    if fe_is_zero(z2):
        return p
    z1z1 = fe_sqr(z1)
    z2z2 = fe_sqr(z2)
    u1 = fe_mul(x1, z2z2)
    u2 = fe_mul(x2, z1z1)
    s1 = fe_mul(fe_mul(y1, z2), z2z2)
    s2 = fe_mul(fe_mul(y2, z1), z1z1)
    h = fe_sub(u2, u1)
    rr = fe_sub(s2, s1)
    if fe_is_zero(h):
        # Same x: either the same point (double it) or opposite points (sum is infinity).
        if fe_is_zero(rr):
            return jac_double(p)
        return jac_infinity(x1)
    i = fe_sqr(fe_dbl(h))
    j = fe_mul(h, i)
    r2 = fe_dbl(rr)
    v = fe_mul(u1, i)
    x3 = fe_sub(fe_sub(fe_sqr(r2), j), fe_dbl(v))
    y3 = fe_sub(fe_mul(r2, fe_sub(v, x3)), fe_dbl(fe_mul(s1, j)))
    z3 = fe_mul(fe_sub(fe_sub(fe_sqr(fe_add(z1, z2)), z1z1), z2z2), h)
    return (x3, y3, z3)


@njit(cache=True)
def jac_madd(p, a):
    """p + a for an affine ``a`` (mixed addition, madd-2007-bl: 7M + 4S), complete like jac_add."""
    x2, y2 = a
    if aff_is_inf(a):
        return p
    x1, y1, z1 = p
    if fe_is_zero(z1):
        return (x2, y2, fe_one(x2))
    z1z1 = fe_sqr(z1)
    u2 = fe_mul(x2, z1z1)
    s2 = fe_mul(fe_mul(y2, z1), z1z1)
    h = fe_sub(u2, x1)
    rr = fe_sub(s2, y1)
    if fe_is_zero(h):
        if fe_is_zero(rr):
            return jac_double(p)
        return jac_infinity(x1)
    hh = fe_sqr(h)
    i = fe_dbl(fe_dbl(hh))
    j = fe_mul(h, i)
    r2 = fe_dbl(rr)
    v = fe_mul(x1, i)
    x3 = fe_sub(fe_sub(fe_sqr(r2), j), fe_dbl(v))
    y3 = fe_sub(fe_mul(r2, fe_sub(v, x3)), fe_dbl(fe_mul(y1, j)))
    z3 = fe_sub(fe_sub(fe_sqr(fe_add(z1, h)), z1z1), hh)
    return (x3, y3, z3)


@njit(cache=True)
def jac_eq(p, q):
    """Group equality of Jacobian points (cross-multiplied, so representations may differ)."""
    pi = jac_is_inf(p)
    qi = jac_is_inf(q)
    if pi or qi:
        return pi and qi
    z1z1 = fe_sqr(p[2])
    z2z2 = fe_sqr(q[2])
    if not fe_eq(fe_mul(p[0], z2z2), fe_mul(q[0], z1z1)):
        return False
    return fe_eq(fe_mul(fe_mul(p[1], q[2]), z2z2), fe_mul(fe_mul(q[1], p[2]), z1z1))


@njit(cache=True)
def jac_scalar_mul(p, k):
    """[k]p for a plain (non-Montgomery) 4-limb little-endian scalar ``k`` (any 256-bit value).

    Left-to-right double-and-add; not constant-time.
    """
    acc = jac_infinity(p[0])
    started = False
    for limb in range(3, -1, -1):
        w = k[limb]
        for bit in range(63, -1, -1):
            if started:
                acc = jac_double(acc)
            if (w >> np.uint64(bit)) & _U1:
                acc = jac_add(acc, p)
                started = True
    return acc


@njit(cache=True)
def aff_is_on_curve(a):
    """y² = x³ + b for an affine point; the infinity encoding ``(0, 0)`` counts as on the curve."""
    if aff_is_inf(a):
        return True
    x, y = a
    return fe_eq(fe_sqr(y), fe_add(fe_mul(fe_sqr(x), x), fe_curve_b(x)))


@njit(cache=True)
def jac_is_on_curve(p):
    """Y² = X³ + b·Z⁶ for a Jacobian point; infinity counts as on the curve."""
    if jac_is_inf(p):
        return True
    x, y, z = p
    z2 = fe_sqr(z)
    z6 = fe_mul(fe_sqr(z2), z2)
    rhs = fe_add(fe_mul(fe_sqr(x), x), fe_mul(fe_curve_b(x), z6))
    return fe_eq(fe_sqr(y), rhs)


@njit(cache=True)
def g2_psi(p):
    """The untwist–Frobenius–twist endomorphism ψ on a Jacobian G2 point (a few Fq2 mults)."""
    return (
        fq2_mul(fq2_conj(p[0]), _PSI_X_M),
        fq2_mul(fq2_conj(p[1]), _PSI_Y_M),
        fq2_conj(p[2]),
    )


@njit(cache=True)
def g2_jac_in_subgroup(p):
    """Is the (on-curve) Jacobian twist point ``p`` in G2?

    Uses ψ(P) == [6x²]P: on G2, ψ acts as multiplication by q ≡ t − 1 = 6x² (mod r), and for
    BN254 the converse holds on the whole twist (El Housni, Guillevic, Piellard, "Co-factor clearing
    and subgroup membership testing on pairing-friendly curves", ePrint 2022/352, as applied to BN254
    by Sanso & Liang, ethresear.ch 13974). That is a 127-bit scalar multiplication instead of the
    254-bit [r]P == O; the tests cross-check it against [r]P == O on points outside G2.
    """
    return jac_eq(g2_psi(p), jac_scalar_mul(p, _SIX_X2))


@njit(cache=True)
def g2_jac_in_subgroup_by_order(p):
    """[r]P == O: the definition of G2 membership, the reference the fast check is tested against."""
    return jac_is_inf(jac_scalar_mul(p, _R_LIMBS))


# ---------------------------------------------------------------------------------------------
# Array kernels
# ---------------------------------------------------------------------------------------------


@njit(cache=True)
def batch_to_affine(jac):
    """Jacobian array ``(N, 3, ...)`` → affine ``(N, 2, ...)`` with one field inversion in total.

    Montgomery's trick over the Z coordinates; infinity rows (Z = 0) become all-zero rows.
    """
    n = jac.shape[0]
    out = np.zeros((n, 2) + jac.shape[2:], np.uint64)
    zs = np.empty((n,) + jac.shape[2:], np.uint64)
    prefix = np.empty((n,) + jac.shape[2:], np.uint64)
    if n == 0:
        return out
    like = pt_load(jac, 0)[0]
    acc = fe_one(like)
    for i in range(n):
        z = pt_load(jac, i)[2]
        fe_store(zs, i, z)
        fe_store(prefix, i, acc)
        if not fe_is_zero(z):
            acc = fe_mul(acc, z)
    inv = fe_inv(acc)
    for i in range(n - 1, -1, -1):
        z = fe_load(zs, i)
        if fe_is_zero(z):
            continue
        zi = fe_mul(inv, fe_load(prefix, i))
        inv = fe_mul(inv, z)
        p = pt_load(jac, i)
        zi2 = fe_sqr(zi)
        pt_store(out, i, (fe_mul(p[0], zi2), fe_mul(p[1], fe_mul(zi2, zi))))
    return out


@njit(cache=True)
def aff_array_on_curve(arr):
    """Index of the first row of an affine array that is off the curve, or −1 if all are on it."""
    for i in range(arr.shape[0]):
        if not aff_is_on_curve(aff_load(arr, i)):
            return i
    return -1


@njit(cache=True)
def g2_array_in_subgroup(arr):
    """Index of the first row of an affine G2 array outside G2 (infinity is in G2), or −1."""
    for i in range(arr.shape[0]):
        a = aff_load(arr, i)
        if not aff_is_inf(a) and not g2_jac_in_subgroup(jac_from_affine(a)):
            return i
    return -1


# Single-point entry point for the Python API: affine in, affine out. One kernel with an opcode
# rather than one per operation, because every compiled entry point re-links and re-optimises its
# whole call tree: four entries per group would cost four times the compile time.
_OP_ADD, _OP_DOUBLE, _OP_NEG, _OP_MUL = 0, 1, 2, 3


@njit(cache=True)
def _aff_op(op, a, b, k):
    p = jac_from_affine(a)
    if op == _OP_ADD:
        r = jac_add(p, jac_from_affine(b))
    elif op == _OP_DOUBLE:
        r = jac_double(p)
    elif op == _OP_NEG:
        r = jac_neg(p)
    else:
        r = jac_scalar_mul(p, k)
    return jac_to_affine(r)


@njit(cache=True)
def _aff_in_subgroup(a):
    return g2_jac_in_subgroup(jac_from_affine(a))


# ---------------------------------------------------------------------------------------------
# Python edges: ints <-> limbs
# ---------------------------------------------------------------------------------------------


def _u64(t: Any) -> Any:
    # numba boxes uint64 results as Python ints; re-wrap so they type as uint64 on the way back in.
    if isinstance(t, tuple):
        return tuple(_u64(x) for x in t)
    return np.uint64(t)


_G1_INF_LIMBS = (_u64(FQ_ZERO), _u64(FQ_ZERO))
_G2_INF_LIMBS = (_u64(FQ2_ZERO), _u64(FQ2_ZERO))


def _check_coord(v: Any, what: str) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        raise ValueError(f"{what}: expected an int coordinate, got {type(v).__name__}")
    v = int(v)
    if not 0 <= v < Q:
        raise ValueError(f"{what}: coordinate {v} is not below the field modulus q")
    return v


def _g1_coords(p: Any, what: str = "g1") -> tuple[int, int]:
    if not isinstance(p, (tuple, list)) or len(p) != 2:
        raise ValueError(f"{what}: expected (x, y) or None, got {p!r}")
    return _check_coord(p[0], f"{what} x"), _check_coord(p[1], f"{what} y")


def _g2_coords(p: Any, what: str = "g2") -> tuple[tuple[int, int], tuple[int, int]]:
    if not isinstance(p, (tuple, list)) or len(p) != 2:
        raise ValueError(f"{what}: expected ((x.c0, x.c1), (y.c0, y.c1)) or None, got {p!r}")
    out = []
    for name, c in zip(("x", "y"), p, strict=True):
        if not isinstance(c, (tuple, list)) or len(c) != 2:
            raise ValueError(f"{what} {name}: expected a (c0, c1) pair, got {c!r}")
        out.append(
            (_check_coord(c[0], f"{what} {name}.c0"), _check_coord(c[1], f"{what} {name}.c1"))
        )
    return out[0], out[1]


def _g1_limbs(p: G1Point) -> tuple:
    if p is None:
        return _G1_INF_LIMBS
    x, y = _g1_coords(p)
    return (fq_from_int(x), fq_from_int(y))


def _g2_limbs(p: G2Point) -> tuple:
    if p is None:
        return _G2_INF_LIMBS
    x, y = _g2_coords(p)
    return (fq2_from_ints(x), fq2_from_ints(y))


def _g1_from_limbs(a: Any) -> G1Point:
    x, y = fq_to_int(a[0]), fq_to_int(a[1])
    return None if x == 0 and y == 0 else (x, y)


def _g2_from_limbs(a: Any) -> G2Point:
    x, y = fq2_to_ints(a[0]), fq2_to_ints(a[1])
    return None if x == (0, 0) and y == (0, 0) else (x, y)


def _scalar_limbs(k: int) -> tuple:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise ValueError(f"scalar: expected an int, got {type(k).__name__}")
    return _plain_limbs(int(k) % R)


# ---------------------------------------------------------------------------------------------
# Python API: checks and group operations
# ---------------------------------------------------------------------------------------------


_NO_K = _plain_limbs(0)


def _g1_op(op: int, p: G1Point, k: tuple = _NO_K) -> G1Point:
    a = _g1_limbs(p)
    return _g1_from_limbs(_aff_op(op, a, a, k))


def _g2_op(op: int, p: G2Point, k: tuple = _NO_K) -> G2Point:
    a = _g2_limbs(p)
    return _g2_from_limbs(_aff_op(op, a, a, k))


def g1_is_on_curve(p: G1Point) -> bool:
    """Is ``p`` on y² = x³ + 3 (``None`` is)? ``ValueError`` if a coordinate is not in [0, q)."""
    if p is None:
        return True
    x, y = _g1_coords(p)
    return (y * y - x * x * x - 3) % Q == 0


def g2_is_on_curve(p: G2Point) -> bool:
    """Is ``p`` on the twist y² = x³ + 3/(9+u) (``None`` is)? ``ValueError`` on bad coordinates."""
    if p is None:
        return True
    x, y = _g2_coords(p)
    lhs = _f2_mul(y, y)
    rhs = _f2_add(_f2_mul(_f2_mul(x, x), x), G2_B)
    return lhs == rhs


def g2_is_in_subgroup(p: G2Point) -> bool:
    """Is the on-curve twist point ``p`` in G2 (order r)? Uses ψ(P) == [6x²]P, see the kernel."""
    if p is None:
        return True
    if not g2_is_on_curve(p):
        raise ValueError("g2: point is not on the twist curve, subgroup membership is undefined")
    return bool(_aff_in_subgroup(_g2_limbs(p)))


def g1_add(p: G1Point, q: G1Point) -> G1Point:
    """p + q in G1 (numba kernel; handles infinity, p = q and p = −q)."""
    return _g1_from_limbs(_aff_op(_OP_ADD, _g1_limbs(p), _g1_limbs(q), _NO_K))


def g1_double(p: G1Point) -> G1Point:
    """2p in G1."""
    return _g1_op(_OP_DOUBLE, p)


def g1_neg(p: G1Point) -> G1Point:
    """−p in G1."""
    return _g1_op(_OP_NEG, p)


def g1_mul(p: G1Point, k: int) -> G1Point:
    """[k]p in G1; ``k`` is any int, taken mod r."""
    return _g1_op(_OP_MUL, p, _scalar_limbs(k))


def g2_add(p: G2Point, q: G2Point) -> G2Point:
    """p + q on the G2 twist (numba kernel; handles infinity, p = q and p = −q)."""
    return _g2_from_limbs(_aff_op(_OP_ADD, _g2_limbs(p), _g2_limbs(q), _NO_K))


def g2_double(p: G2Point) -> G2Point:
    """2p on the G2 twist."""
    return _g2_op(_OP_DOUBLE, p)


def g2_neg(p: G2Point) -> G2Point:
    """−p on the G2 twist."""
    return _g2_op(_OP_NEG, p)


def g2_mul(p: G2Point, k: int) -> G2Point:
    """[k]p on the G2 twist; ``k`` is any int, taken mod r (exact for points of G2)."""
    return _g2_op(_OP_MUL, p, _scalar_limbs(k))


# ---------------------------------------------------------------------------------------------
# Python API: arrays
# ---------------------------------------------------------------------------------------------


def g1_array(points: Sequence[G1Point], check_on_curve: bool = True) -> np.ndarray:
    """G1 points → affine ``(N, 2, 4)`` Montgomery array (infinity as a zero row).

    ``ValueError`` on coordinates ≥ q and, when ``check_on_curve``, on a point off the curve.
    """
    flat: list[int] = []
    for p in points:
        flat.extend((0, 0) if p is None else _g1_coords(p))
    arr = fq_array(flat).reshape(len(points), 2, 4)
    if check_on_curve:
        bad = aff_array_on_curve(arr)
        if bad >= 0:
            raise ValueError(f"g1: point {bad} is not on the curve y² = x³ + 3")
    return arr


def g1_points(arr: np.ndarray) -> list[G1Point]:
    """Affine ``(N, 2, 4)`` Montgomery array → G1 points (zero rows → ``None``)."""
    if arr.ndim != 3 or arr.shape[1:] != (2, 4):
        raise ValueError(f"g1: expected an (N, 2, 4) affine array, got shape {arr.shape}")
    flat = fq_ints(np.ascontiguousarray(arr, dtype=np.uint64).reshape(-1, 4))
    out: list[G1Point] = []
    for i in range(arr.shape[0]):
        x, y = flat[2 * i], flat[2 * i + 1]
        out.append(None if x == 0 and y == 0 else (x, y))
    return out


def g2_array(
    points: Sequence[G2Point], check_on_curve: bool = True, check_subgroup: bool = False
) -> np.ndarray:
    """G2 points → affine ``(N, 2, 2, 4)`` Montgomery array (infinity as a zero row).

    ``ValueError`` on coordinates ≥ q, on a point off the twist (``check_on_curve``) and on a point
    outside G2 (``check_subgroup``; off by default: one 127-bit scalar multiplication per point).
    """
    flat: list[int] = []
    for p in points:
        if p is None:
            flat.extend((0, 0, 0, 0))
        else:
            x, y = _g2_coords(p)
            flat.extend((x[0], x[1], y[0], y[1]))
    arr = fq_array(flat).reshape(len(points), 2, 2, 4)
    if check_on_curve or check_subgroup:
        bad = aff_array_on_curve(arr)
        if bad >= 0:
            raise ValueError(f"g2: point {bad} is not on the twist curve y² = x³ + 3/(9+u)")
    if check_subgroup:
        bad = g2_array_in_subgroup(arr)
        if bad >= 0:
            raise ValueError(f"g2: point {bad} is not in the order-r subgroup G2")
    return arr


def g2_points(arr: np.ndarray) -> list[G2Point]:
    """Affine ``(N, 2, 2, 4)`` Montgomery array → G2 points (zero rows → ``None``)."""
    if arr.ndim != 4 or arr.shape[1:] != (2, 2, 4):
        raise ValueError(f"g2: expected an (N, 2, 2, 4) affine array, got shape {arr.shape}")
    flat = fq_ints(np.ascontiguousarray(arr, dtype=np.uint64).reshape(-1, 4))
    out: list[G2Point] = []
    for i in range(arr.shape[0]):
        x = (flat[4 * i], flat[4 * i + 1])
        y = (flat[4 * i + 2], flat[4 * i + 3])
        out.append(None if x == (0, 0) and y == (0, 0) else (x, y))
    return out


def g1_batch_to_affine(jac: np.ndarray) -> np.ndarray:
    """Jacobian ``(N, 3, 4)`` G1 array → affine ``(N, 2, 4)``, one inversion in total."""
    if not isinstance(jac, np.ndarray) or jac.dtype != np.uint64 or jac.shape[1:] != (3, 4):
        raise ValueError("g1: expected an (N, 3, 4) uint64 Jacobian array")
    return batch_to_affine(np.ascontiguousarray(jac))


def g2_batch_to_affine(jac: np.ndarray) -> np.ndarray:
    """Jacobian ``(N, 3, 2, 4)`` G2 array → affine ``(N, 2, 2, 4)``, one inversion in total."""
    if not isinstance(jac, np.ndarray) or jac.dtype != np.uint64 or jac.shape[1:] != (3, 2, 4):
        raise ValueError("g2: expected an (N, 3, 2, 4) uint64 Jacobian array")
    return batch_to_affine(np.ascontiguousarray(jac))


# ---------------------------------------------------------------------------------------------
# Python API: py-ecc conversions
# ---------------------------------------------------------------------------------------------


def _py_ecc_normalize(pt: Any) -> Any:
    # optimized_bn128 points are 3-tuples (X, Y, Z) with Z = 0 for infinity; bn128 are affine.
    if pt is not None and len(pt) == 3:
        from py_ecc import optimized_bn128

        if pt[2] == pt[2].zero():
            return None
        return optimized_bn128.normalize(pt)
    return pt


def g1_to_py_ecc(p: G1Point) -> Any:
    """G1 point → py-ecc ``bn128`` affine ``(FQ, FQ)`` (``None`` stays ``None``)."""
    from py_ecc.fields import bn128_FQ as FQ

    if p is None:
        return None
    x, y = _g1_coords(p)
    return (FQ(x), FQ(y))


def g1_from_py_ecc(pt: Any) -> G1Point:
    """py-ecc G1 point (``bn128`` affine or ``optimized_bn128`` projective, or None) → G1 point."""
    pt = _py_ecc_normalize(pt)
    if pt is None:
        return None
    return (int(pt[0]), int(pt[1]))


def g2_to_py_ecc(p: G2Point) -> Any:
    """G2 point → py-ecc ``bn128`` affine ``(FQ2, FQ2)`` (``None`` stays ``None``)."""
    from py_ecc.fields import bn128_FQ2 as FQ2

    if p is None:
        return None
    x, y = _g2_coords(p)
    return (FQ2(list(x)), FQ2(list(y)))


def g2_from_py_ecc(pt: Any) -> G2Point:
    """py-ecc G2 point (``bn128`` affine or ``optimized_bn128`` projective, or None) → G2 point."""
    pt = _py_ecc_normalize(pt)
    if pt is None:
        return None
    return (
        (int(pt[0].coeffs[0]), int(pt[0].coeffs[1])),
        (int(pt[1].coeffs[0]), int(pt[1].coeffs[1])),
    )


# ---------------------------------------------------------------------------------------------
# Serialisation: EVM precompile bytes (0x06 / 0x07 / 0x08)
# ---------------------------------------------------------------------------------------------


def _be32(v: int) -> bytes:
    return v.to_bytes(32, "big")


def _read_be32(data: bytes, i: int, what: str) -> int:
    v = int.from_bytes(data[32 * i : 32 * i + 32], "big")
    if v >= Q:
        raise ValueError(f"{what} is not below the field modulus q")
    return v


def _as_bytes(data: Any, n: int, what: str) -> bytes:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ValueError(f"{what}: expected bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) != n:
        raise ValueError(f"{what}: expected {n} bytes, got {len(data)}")
    return data


def g1_to_evm_bytes(p: G1Point) -> bytes:
    """G1 point → 64 bytes ``x ‖ y`` (32-byte big-endian each), infinity as 64 zero bytes."""
    if p is None:
        return bytes(64)
    x, y = _g1_coords(p)
    return _be32(x) + _be32(y)


def g1_from_evm_bytes(data: bytes) -> G1Point:
    """64 bytes ``x ‖ y`` → validated G1 point (all zeros → ``None``).

    ``ValueError`` on a wrong length, a coordinate ≥ q or a point off the curve.
    """
    data = _as_bytes(data, 64, "g1")
    x = _read_be32(data, 0, "g1: x")
    y = _read_be32(data, 1, "g1: y")
    if x == 0 and y == 0:
        return None
    if not g1_is_on_curve((x, y)):
        raise ValueError("g1: point is not on the curve y² = x³ + 3")
    return (x, y)


def g2_to_evm_bytes(p: G2Point) -> bytes:
    """G2 point → 128 bytes ``x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0`` (EIP-197 order), infinity as zeros."""
    if p is None:
        return bytes(128)
    x, y = _g2_coords(p)
    return _be32(x[1]) + _be32(x[0]) + _be32(y[1]) + _be32(y[0])


def _g2_validated(x: tuple[int, int], y: tuple[int, int]) -> G2Point:
    if x == (0, 0) and y == (0, 0):
        return None
    p = (x, y)
    if not g2_is_on_curve(p):
        raise ValueError("g2: point is not on the twist curve y² = x³ + 3/(9+u)")
    if not g2_is_in_subgroup(p):
        raise ValueError("g2: point is on the twist but not in the order-r subgroup G2")
    return p


def g2_from_evm_bytes(data: bytes) -> G2Point:
    """128 bytes ``x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0`` → validated G2 point (all zeros → ``None``).

    ``ValueError`` on a wrong length, a coefficient ≥ q, a point off the twist or outside G2.
    """
    data = _as_bytes(data, 128, "g2")
    x1 = _read_be32(data, 0, "g2: x.c1")
    x0 = _read_be32(data, 1, "g2: x.c0")
    y1 = _read_be32(data, 2, "g2: y.c1")
    y0 = _read_be32(data, 3, "g2: y.c0")
    return _g2_validated((x0, x1), (y0, y1))


# ---------------------------------------------------------------------------------------------
# Serialisation: snarkjs JSON (projective-looking triples of decimal strings)
# ---------------------------------------------------------------------------------------------


def _dec(v: Any, what: str) -> int:
    if not isinstance(v, str) or not v.isascii() or not v.isdigit():
        raise ValueError(f"{what}: expected a decimal string, got {v!r}")
    n = int(v)
    if n >= Q:
        raise ValueError(f"{what}: {n} is not below the field modulus q")
    return n


def _triple(obj: Any, what: str) -> Sequence[Any]:
    if not isinstance(obj, (list, tuple)) or len(obj) != 3:
        raise ValueError(f"{what}: expected a list of 3 coordinates [x, y, z], got {obj!r}")
    return obj


def g1_to_snarkjs(p: G1Point) -> list[str]:
    """G1 point → snarkjs ``["x", "y", "1"]`` (infinity: ``["0", "1", "0"]``)."""
    if p is None:
        return ["0", "1", "0"]
    x, y = _g1_coords(p)
    return [str(x), str(y), "1"]


def g1_from_snarkjs(obj: Sequence[str]) -> G1Point:
    """snarkjs ``["x", "y", "z"]`` → validated G1 point.

    z = 0 is infinity; any other z is read as Jacobian ``(x/z², y/z³)`` as ffjavascript does (snarkjs
    writes z = 1). ``ValueError`` on a wrong length, a non-decimal or ≥ q value, or off-curve point.
    """
    x, y, z = (_dec(v, f"g1 {n}") for v, n in zip(_triple(obj, "g1"), "xyz", strict=True))
    if z == 0:
        return None
    if z != 1:
        zi = pow(z, -1, Q)
        x, y = x * zi * zi % Q, y * zi * zi * zi % Q
    if not g1_is_on_curve((x, y)):
        raise ValueError("g1: point is not on the curve y² = x³ + 3")
    return (x, y)


def g2_to_snarkjs(p: G2Point) -> list[list[str]]:
    """G2 point → snarkjs ``[["x.c0","x.c1"], ["y.c0","y.c1"], ["1","0"]]`` (infinity: 0, 1, 0)."""
    if p is None:
        return [["0", "0"], ["1", "0"], ["0", "0"]]
    x, y = _g2_coords(p)
    return [[str(x[0]), str(x[1])], [str(y[0]), str(y[1])], ["1", "0"]]


def g2_from_snarkjs(obj: Sequence[Sequence[str]]) -> G2Point:
    """snarkjs ``[[x.c0, x.c1], [y.c0, y.c1], [z.c0, z.c1]]`` → validated G2 point.

    z = 0 is infinity; other z is read as Jacobian. ``ValueError`` on a wrong length, a non-decimal
    or ≥ q coefficient, a point off the twist or outside G2.
    """
    coords = []
    for c, n in zip(_triple(obj, "g2"), "xyz", strict=True):
        if not isinstance(c, (list, tuple)) or len(c) != 2:
            raise ValueError(f"g2 {n}: expected a pair [c0, c1] of decimal strings, got {c!r}")
        coords.append((_dec(c[0], f"g2 {n}.c0"), _dec(c[1], f"g2 {n}.c1")))
    x, y, z = coords
    if z == (0, 0):
        return None
    if z != (1, 0):
        zi = _f2_inv(z)
        zi2 = _f2_mul(zi, zi)
        x, y = _f2_mul(x, zi2), _f2_mul(y, _f2_mul(zi2, zi))
    if x == (0, 0) and y == (0, 0):
        raise ValueError("g2: point is not on the twist curve y² = x³ + 3/(9+u)")
    return _g2_validated(x, y)
