"""BN254 prime fields Fr (scalar field) and Fq (base field) in Montgomery form, as numba kernels.

Representation
--------------
An element is a numba ``UniTuple(uint64, 4)``: four little-endian 64-bit limbs holding ``x·2^256 mod
p`` (Montgomery form with R = 2^256). Arrays of elements are C-contiguous ``(N, 4) uint64`` arrays,
one element per row; ``load4``/``store4`` move a row in and out of a tuple. Tuples stay in registers
inside numba, so the scalar kernels allocate nothing.

Both moduli are below 2^254, which buys two shortcuts used throughout: a sum of two reduced elements
never overflows 256 bits, and Montgomery multiplication can use the "no-carry" CIOS variant (the top
limb of the modulus is below 2^63 - 1, so the running product fits in four limbs plus a carry word
that never overflows; the same condition gnark-crypto checks before using it).

Scalar functions (callable from other numba code): ``fr_add fr_sub fr_neg fr_mul fr_sqr fr_inv
fr_pow fr_eq fr_is_zero`` and constants ``FR_ZERO FR_ONE``; the same with prefix ``fq_``, plus
``fq_sqrt``. Vector kernels over ``(N, 4)`` arrays return new arrays: ``*_add_vec *_sub_vec
*_mul_vec *_sqr_vec *_neg_vec *_inv_vec *_pow_vec *_batch_inverse``. Python edges:
``fr_from_int fr_to_int fr_array fr_ints`` (and ``fq_``), which validate their input.

The inverse of zero is defined as zero (never raised inside kernels: kernels cannot raise cheaply);
callers that must reject zero check ``*_is_zero`` first.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numba import njit, types

from offchain.crypto._limbs import adc, mac, sbb

FR_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617
"""r: the order of the BN254 G1/G2 groups; the SNARK's scalar field."""
FQ_MODULUS = 21888242871839275222246405745257275088696311157297823662689037894645226208583
"""q (also written p): the BN254 base field; curve coordinates live here."""

_MASK64 = (1 << 64) - 1
# Public scalar kernels carry explicit signatures so a caller passing Python-int tuples gets
# an error instead of a silently compiled int64 variant that later callers could be routed to.
_E = types.UniTuple(types.uint64, 4)
_U0 = np.uint64(0)
_U1 = np.uint64(1)


def _limbs(x: int) -> tuple[np.uint64, np.uint64, np.uint64, np.uint64]:
    return tuple(np.uint64((x >> (64 * i)) & _MASK64) for i in range(4))  # type: ignore[return-value]


def _modulus_descriptor(p: int) -> tuple[np.uint64, ...]:
    # (p0, p1, p2, p3, -p^-1 mod 2^64): everything the Montgomery kernels need about a modulus.
    assert p >> 254 == 0, "the no-carry CIOS multiplication needs a modulus below 2^254"
    neg_inv = (-pow(p, -1, 1 << 64)) % (1 << 64)
    return (*_limbs(p), np.uint64(neg_inv))


_FR = _modulus_descriptor(FR_MODULUS)
_FQ = _modulus_descriptor(FQ_MODULUS)

FR_ZERO = _limbs(0)
FQ_ZERO = FR_ZERO
FR_ONE = _limbs((1 << 256) % FR_MODULUS)
FQ_ONE = _limbs((1 << 256) % FQ_MODULUS)
_FR_R2 = _limbs((1 << 512) % FR_MODULUS)
_FQ_R2 = _limbs((1 << 512) % FQ_MODULUS)
_PLAIN_ONE = _limbs(1)
_FR_INV_EXP = _limbs(FR_MODULUS - 2)
_FQ_INV_EXP = _limbs(FQ_MODULUS - 2)
# q ≡ 3 (mod 4), so a square root of a is a^((q+1)/4) whenever one exists.
_FQ_SQRT_EXP = _limbs((FQ_MODULUS + 1) // 4)


# ---------------------------------------------------------------------------------------------
# Generic kernels, parameterised by a modulus descriptor (a compile-time constant at each caller)
# ---------------------------------------------------------------------------------------------


@njit(cache=True)
def load4(arr, i):
    """Row ``i`` of an ``(N, 4)`` limb array as an element tuple."""
    return (arr[i, 0], arr[i, 1], arr[i, 2], arr[i, 3])


@njit(cache=True)
def store4(arr, i, x):
    """Write element tuple ``x`` into row ``i`` of an ``(N, 4)`` limb array."""
    arr[i, 0] = x[0]
    arr[i, 1] = x[1]
    arr[i, 2] = x[2]
    arr[i, 3] = x[3]


@njit(cache=True)
def _sub_modulus_if_ge(t0, t1, t2, t3, m):
    # Returns t - p when t >= p, else t; t < 2p is the caller's promise.
    d0, b = sbb(t0, m[0], _U0)
    d1, b = sbb(t1, m[1], b)
    d2, b = sbb(t2, m[2], b)
    d3, b = sbb(t3, m[3], b)
    if b:
        return (t0, t1, t2, t3)
    return (d0, d1, d2, d3)


@njit(cache=True)
def _add(a, b, m):
    s0, c = adc(a[0], b[0], _U0)
    s1, c = adc(a[1], b[1], c)
    s2, c = adc(a[2], b[2], c)
    s3, c = adc(a[3], b[3], c)  # no carry out: both inputs are < p < 2^254
    return _sub_modulus_if_ge(s0, s1, s2, s3, m)


@njit(cache=True)
def _sub(a, b, m):
    d0, br = sbb(a[0], b[0], _U0)
    d1, br = sbb(a[1], b[1], br)
    d2, br = sbb(a[2], b[2], br)
    d3, br = sbb(a[3], b[3], br)
    if br:
        d0, c = adc(d0, m[0], _U0)
        d1, c = adc(d1, m[1], c)
        d2, c = adc(d2, m[2], c)
        d3, c = adc(d3, m[3], c)
    return (d0, d1, d2, d3)


@njit(cache=True)
def _is_zero(a):
    return (a[0] | a[1] | a[2] | a[3]) == _U0


@njit(cache=True)
def _eq(a, b):
    return a[0] == b[0] and a[1] == b[1] and a[2] == b[2] and a[3] == b[3]


@njit(cache=True)
def _neg(a, m):
    if _is_zero(a):
        return a
    return _sub((m[0], m[1], m[2], m[3]), a, m)


@njit(cache=True)
def _mul_row(t0, t1, t2, t3, a, bi, m):
    # One outer iteration of no-carry CIOS: t = (t + a*bi + mu*p) / 2^64, mu chosen so the low
    # word vanishes. A carries the a*bi column, C the mu*p column; their sum fits one word.
    t0, hi_a = mac(t0, a[0], bi, _U0)
    mu = t0 * m[4]
    _, hi_c = mac(t0, mu, m[0], _U0)
    t1, hi_a = mac(t1, a[1], bi, hi_a)
    t0, hi_c = mac(t1, mu, m[1], hi_c)
    t2, hi_a = mac(t2, a[2], bi, hi_a)
    t1, hi_c = mac(t2, mu, m[2], hi_c)
    t3, hi_a = mac(t3, a[3], bi, hi_a)
    t2, hi_c = mac(t3, mu, m[3], hi_c)
    t3 = hi_c + hi_a
    return t0, t1, t2, t3


@njit(cache=True)
def _mul(a, b, m):
    t0, t1, t2, t3 = _mul_row(_U0, _U0, _U0, _U0, a, b[0], m)
    t0, t1, t2, t3 = _mul_row(t0, t1, t2, t3, a, b[1], m)
    t0, t1, t2, t3 = _mul_row(t0, t1, t2, t3, a, b[2], m)
    t0, t1, t2, t3 = _mul_row(t0, t1, t2, t3, a, b[3], m)
    return _sub_modulus_if_ge(t0, t1, t2, t3, m)


@njit(cache=True)
def _pow(a, e, one, m):
    # Left-to-right square-and-multiply over the plain (non-Montgomery) exponent limbs.
    r = one
    for limb in range(3, -1, -1):
        w = e[limb]
        for bit in range(63, -1, -1):
            r = _mul(r, r, m)
            if (w >> np.uint64(bit)) & _U1:
                r = _mul(r, a, m)
    return r


@njit(cache=True)
def _batch_inverse(a, one, inv_exp, m):
    # Montgomery's trick: one field inversion and 3(N-1) multiplications for N inverses.
    # Zeros are skipped (their inverse is defined as zero) so one zero cannot poison the batch.
    n = a.shape[0]
    out = np.zeros((n, 4), np.uint64)
    prefix = np.empty((n, 4), np.uint64)
    acc = one
    for i in range(n):
        x = load4(a, i)
        store4(prefix, i, acc)
        if not _is_zero(x):
            acc = _mul(acc, x, m)
    inv = _pow(acc, inv_exp, one, m)
    for i in range(n - 1, -1, -1):
        x = load4(a, i)
        if _is_zero(x):
            continue
        store4(out, i, _mul(inv, load4(prefix, i), m))
        inv = _mul(inv, x, m)
    return out


@njit(cache=True)
def _map_mul_const(a, c, m):
    n = a.shape[0]
    out = np.empty((n, 4), np.uint64)
    for i in range(n):
        store4(out, i, _mul(load4(a, i), c, m))
    return out


# ---------------------------------------------------------------------------------------------
# Fr: scalar kernels
# ---------------------------------------------------------------------------------------------


@njit(_E(_E, _E), cache=True)
def fr_add(a, b):
    """a + b in Fr."""
    return _add(a, b, _FR)


@njit(_E(_E, _E), cache=True)
def fr_sub(a, b):
    """a - b in Fr."""
    return _sub(a, b, _FR)


@njit(_E(_E), cache=True)
def fr_neg(a):
    """-a in Fr."""
    return _neg(a, _FR)


@njit(_E(_E, _E), cache=True)
def fr_mul(a, b):
    """a · b in Fr (Montgomery multiplication)."""
    return _mul(a, b, _FR)


@njit(_E(_E), cache=True)
def fr_sqr(a):
    """a² in Fr."""
    return _mul(a, a, _FR)


@njit(_E(_E, _E), cache=True)
def fr_pow(a, e):
    """a^e in Fr, with ``e`` a plain (non-Montgomery) 4-limb exponent."""
    return _pow(a, e, FR_ONE, _FR)


@njit(_E(_E), cache=True)
def fr_inv(a):
    """a⁻¹ in Fr (Fermat: a^(r-2)); the inverse of zero is zero."""
    return _pow(a, _FR_INV_EXP, FR_ONE, _FR)


@njit(types.boolean(_E, _E), cache=True)
def fr_eq(a, b):
    """a == b (both reduced, so limb equality is field equality)."""
    return _eq(a, b)


@njit(types.boolean(_E), cache=True)
def fr_is_zero(a):
    """a == 0."""
    return _is_zero(a)


# ---------------------------------------------------------------------------------------------
# Fq: scalar kernels
# ---------------------------------------------------------------------------------------------


@njit(_E(_E, _E), cache=True)
def fq_add(a, b):
    """a + b in Fq."""
    return _add(a, b, _FQ)


@njit(_E(_E, _E), cache=True)
def fq_sub(a, b):
    """a - b in Fq."""
    return _sub(a, b, _FQ)


@njit(_E(_E), cache=True)
def fq_neg(a):
    """-a in Fq."""
    return _neg(a, _FQ)


@njit(_E(_E, _E), cache=True)
def fq_mul(a, b):
    """a · b in Fq (Montgomery multiplication)."""
    return _mul(a, b, _FQ)


@njit(_E(_E), cache=True)
def fq_sqr(a):
    """a² in Fq."""
    return _mul(a, a, _FQ)


@njit(_E(_E, _E), cache=True)
def fq_pow(a, e):
    """a^e in Fq, with ``e`` a plain (non-Montgomery) 4-limb exponent."""
    return _pow(a, e, FQ_ONE, _FQ)


@njit(_E(_E), cache=True)
def fq_inv(a):
    """a⁻¹ in Fq (Fermat: a^(q-2)); the inverse of zero is zero."""
    return _pow(a, _FQ_INV_EXP, FQ_ONE, _FQ)


@njit(types.boolean(_E, _E), cache=True)
def fq_eq(a, b):
    """a == b (both reduced, so limb equality is field equality)."""
    return _eq(a, b)


@njit(types.boolean(_E), cache=True)
def fq_is_zero(a):
    """a == 0."""
    return _is_zero(a)


@njit(types.Tuple((types.boolean, _E))(_E), cache=True)
def fq_sqrt(a):
    """Square root in Fq: ``(True, s)`` with s² = a, or ``(False, 0)`` when a is not a square.

    Which of the two roots is returned is whatever a^((q+1)/4) gives; callers that need a
    canonical root (point decompression) choose the sign themselves.
    """
    s = _pow(a, _FQ_SQRT_EXP, FQ_ONE, _FQ)
    if _eq(_mul(s, s, _FQ), a):
        return True, s
    return False, FQ_ZERO


# ---------------------------------------------------------------------------------------------
# Vector kernels over (N, 4) arrays
# ---------------------------------------------------------------------------------------------


# Element-wise kernels select their operation by an integer code rather than by taking a numba
# function as an argument: dispatcher-typed arguments break numba's on-disk cache ("underlying
# object has vanished" while saving the index), and the branch is perfectly predictable.
_OP_ADD, _OP_SUB, _OP_MUL = 0, 1, 2
_OP_SQR, _OP_NEG = 0, 1


@njit(cache=True)
def _binary_vec(a, b, op, m):
    n = a.shape[0]
    out = np.empty((n, 4), np.uint64)
    for i in range(n):
        x, y = load4(a, i), load4(b, i)
        if op == _OP_ADD:
            store4(out, i, _add(x, y, m))
        elif op == _OP_SUB:
            store4(out, i, _sub(x, y, m))
        else:
            store4(out, i, _mul(x, y, m))
    return out


@njit(cache=True)
def _unary_vec(a, op, m):
    n = a.shape[0]
    out = np.empty((n, 4), np.uint64)
    for i in range(n):
        x = load4(a, i)
        if op == _OP_SQR:
            store4(out, i, _mul(x, x, m))
        else:
            store4(out, i, _neg(x, m))
    return out


@njit(cache=True)
def _pow_vec(a, e, one, m):
    n = a.shape[0]
    out = np.empty((n, 4), np.uint64)
    for i in range(n):
        store4(out, i, _pow(load4(a, i), e, one, m))
    return out


def _check_pair(a: np.ndarray, b: np.ndarray) -> None:
    if a.shape != b.shape:
        raise ValueError(f"field: operand shapes differ: {a.shape} vs {b.shape}")


def _check_array(a: np.ndarray) -> None:
    if a.dtype != np.uint64 or a.ndim != 2 or a.shape[1] != 4:
        raise ValueError(f"field: expected an (N, 4) uint64 limb array, got {a.dtype} {a.shape}")


def _vector_api(desc, one, inv_exp):
    # The public vector functions validate shapes in Python, then run one compiled kernel.
    def add_vec(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        _check_array(a)
        _check_pair(a, b)
        return _binary_vec(a, b, _OP_ADD, desc)

    def sub_vec(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        _check_array(a)
        _check_pair(a, b)
        return _binary_vec(a, b, _OP_SUB, desc)

    def mul_vec(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        _check_array(a)
        _check_pair(a, b)
        return _binary_vec(a, b, _OP_MUL, desc)

    def sqr_vec(a: np.ndarray) -> np.ndarray:
        _check_array(a)
        return _unary_vec(a, _OP_SQR, desc)

    def neg_vec(a: np.ndarray) -> np.ndarray:
        _check_array(a)
        return _unary_vec(a, _OP_NEG, desc)

    def pow_vec(a: np.ndarray, e: int) -> np.ndarray:
        _check_array(a)
        if not 0 <= e < 1 << 256:
            raise ValueError("field: exponent must be in [0, 2^256)")
        return _pow_vec(a, _limbs(e), one, desc)

    def inv_vec(a: np.ndarray) -> np.ndarray:
        _check_array(a)
        return _pow_vec(a, inv_exp, one, desc)

    def batch_inverse(a: np.ndarray) -> np.ndarray:
        _check_array(a)
        return _batch_inverse(a, one, inv_exp, desc)

    add_vec.__doc__ = "Element-wise a + b over (N, 4) Montgomery arrays."
    sub_vec.__doc__ = "Element-wise a - b over (N, 4) Montgomery arrays."
    mul_vec.__doc__ = "Element-wise a · b over (N, 4) Montgomery arrays."
    sqr_vec.__doc__ = "Element-wise a² over an (N, 4) Montgomery array."
    neg_vec.__doc__ = "Element-wise -a over an (N, 4) Montgomery array."
    pow_vec.__doc__ = "Element-wise a^e (e a Python int exponent) over an (N, 4) Montgomery array."
    inv_vec.__doc__ = "Element-wise inverse, one exponentiation per element (0 maps to 0)."
    batch_inverse.__doc__ = "All inverses by Montgomery's trick: one inversion (0 maps to 0)."
    return add_vec, sub_vec, mul_vec, sqr_vec, neg_vec, pow_vec, inv_vec, batch_inverse


(fr_add_vec, fr_sub_vec, fr_mul_vec, fr_sqr_vec, fr_neg_vec, fr_pow_vec, fr_inv_vec,
 fr_batch_inverse) = _vector_api(_FR, FR_ONE, _FR_INV_EXP)  # fmt: skip
(fq_add_vec, fq_sub_vec, fq_mul_vec, fq_sqr_vec, fq_neg_vec, fq_pow_vec, fq_inv_vec,
 fq_batch_inverse) = _vector_api(_FQ, FQ_ONE, _FQ_INV_EXP)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Python edges: ints <-> Montgomery limbs, with validation
# ---------------------------------------------------------------------------------------------


def _check_int(x: int, modulus: int, name: str) -> None:
    if isinstance(x, bool) or not isinstance(x, (int, np.integer)):
        raise ValueError(f"{name}: expected an int, got {type(x).__name__}")
    if not 0 <= x < modulus:
        raise ValueError(f"{name}: {x} is not a canonical element of the field (must be in [0, p))")


def _to_array(xs: Sequence[int], modulus: int, name: str, r2) -> np.ndarray:
    for x in xs:
        _check_int(x, modulus, name)
    raw = b"".join(int(x).to_bytes(32, "little") for x in xs)
    plain = np.frombuffer(raw, dtype="<u8").astype(np.uint64).reshape(len(xs), 4)
    if len(xs) == 0:
        return np.empty((0, 4), np.uint64)
    # to Montgomery: x · R² · R⁻¹ = x·R
    return _map_mul_const(plain, r2, _FR if modulus == FR_MODULUS else _FQ)


def _from_array(arr: np.ndarray, desc) -> list[int]:
    _check_array(arr)
    plain = _map_mul_const(np.ascontiguousarray(arr), _PLAIN_ONE, desc)  # x·R · 1 · R⁻¹ = x
    raw = plain.astype("<u8").tobytes()
    return [int.from_bytes(raw[32 * i : 32 * i + 32], "little") for i in range(plain.shape[0])]


def fr_from_int(x: int):
    """Canonical int in [0, r) → Montgomery element tuple; ``ValueError`` if out of range."""
    _check_int(x, FR_MODULUS, "fr")
    return _limbs((int(x) << 256) % FR_MODULUS)


def fq_from_int(x: int):
    """Canonical int in [0, q) → Montgomery element tuple; ``ValueError`` if out of range."""
    _check_int(x, FQ_MODULUS, "fq")
    return _limbs((int(x) << 256) % FQ_MODULUS)


def _tuple_to_int(t, modulus: int) -> int:
    if len(t) != 4:
        raise ValueError(f"field: an element has 4 limbs, got {len(t)}")
    mont = sum(int(t[i]) << (64 * i) for i in range(4))
    if mont >= modulus:
        raise ValueError("field: limbs are not a reduced Montgomery element")
    return mont * pow(1 << 256, -1, modulus) % modulus


def fr_to_int(t) -> int:
    """Montgomery element tuple → canonical int in [0, r)."""
    return _tuple_to_int(t, FR_MODULUS)


def fq_to_int(t) -> int:
    """Montgomery element tuple → canonical int in [0, q)."""
    return _tuple_to_int(t, FQ_MODULUS)


def fr_array(xs: Sequence[int]) -> np.ndarray:
    """Ints in [0, r) → ``(N, 4)`` Montgomery array; ``ValueError`` naming the first bad value."""
    return _to_array(xs, FR_MODULUS, "fr", _FR_R2)


def fq_array(xs: Sequence[int]) -> np.ndarray:
    """Ints in [0, q) → ``(N, 4)`` Montgomery array; ``ValueError`` naming the first bad value."""
    return _to_array(xs, FQ_MODULUS, "fq", _FQ_R2)


def fr_ints(arr: np.ndarray) -> list[int]:
    """``(N, 4)`` Montgomery array → list of canonical ints."""
    return _from_array(arr, _FR)


def fq_ints(arr: np.ndarray) -> list[int]:
    """``(N, 4)`` Montgomery array → list of canonical ints."""
    return _from_array(arr, _FQ)
