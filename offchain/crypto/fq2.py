"""Fq2 = Fq[u]/(u² + 1), the BN254 quadratic extension, as numba kernels over the Fq kernels.

Representation
--------------
An element ``c0 + c1·u`` is a pair of Fq elements ``(c0, c1)``, each a ``UniTuple(uint64, 4)`` in
Montgomery form (see :mod:`offchain.crypto.field`), so its numba type is
``UniTuple(UniTuple(uint64, 4), 2)``. Arrays of elements are C-contiguous ``(N, 2, 4) uint64``:
row ``i`` holds ``c0`` in ``[i, 0]`` and ``c1`` in ``[i, 1]``. This is the coefficient order py-ecc
and snarkjs use (``[c0, c1]``); the EVM precompiles serialise the other way round (``c1 ‖ c0``),
which is the business of :mod:`offchain.crypto.bn254`.

u² = −1 is a non-residue because q ≡ 3 (mod 4). The G2 twist and the pairing tower use the
non-residue ξ = 9 + u (:func:`fq2_mul_by_xi`).

Scalar kernels: ``fq2_add fq2_sub fq2_neg fq2_dbl fq2_mul fq2_sqr fq2_mul_fq fq2_mul_by_xi fq2_conj
fq2_inv fq2_pow fq2_sqrt fq2_eq fq2_is_zero``, constants ``FQ2_ZERO FQ2_ONE``, row access
``load_fq2 store_fq2``. Vector kernel: ``fq2_batch_inverse``. Python edges: ``fq2_from_ints
fq2_to_ints fq2_array fq2_ints`` (validating).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numba import njit

from offchain.crypto.field import (
    FQ_MODULUS,
    FQ_ONE,
    FQ_ZERO,
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
    load4,
    store4,
)

Fq2Ints = tuple[int, int]
"""An Fq2 element at the Python edge: ``(c0, c1)`` canonical ints, meaning ``c0 + c1·u``."""

FQ2_ZERO = (FQ_ZERO, FQ_ZERO)
FQ2_ONE = (FQ_ONE, FQ_ZERO)

_U1 = np.uint64(1)
_MASK64 = (1 << 64) - 1


def _plain_limbs(x: int) -> tuple[np.uint64, np.uint64, np.uint64, np.uint64]:
    return tuple(np.uint64((x >> (64 * i)) & _MASK64) for i in range(4))  # type: ignore[return-value]


# Exponents for the square root (q ≡ 3 mod 4; Adj & Rodríguez-Henríquez, "Square root computation
# over even extension fields", Algorithm 9): a^((q-3)/4) and (1+α)^((q-1)/2).
_SQRT_E1 = _plain_limbs((FQ_MODULUS - 3) // 4)
_SQRT_E2 = _plain_limbs((FQ_MODULUS - 1) // 2)
_FQ_MINUS_ONE = fq_from_int(FQ_MODULUS - 1)


# ---------------------------------------------------------------------------------------------
# Scalar kernels
# ---------------------------------------------------------------------------------------------


@njit(cache=True)
def fq2_add(a, b):
    """a + b in Fq2."""
    return (fq_add(a[0], b[0]), fq_add(a[1], b[1]))


@njit(cache=True)
def fq2_sub(a, b):
    """a − b in Fq2."""
    return (fq_sub(a[0], b[0]), fq_sub(a[1], b[1]))


@njit(cache=True)
def fq2_dbl(a):
    """2a in Fq2."""
    return (fq_add(a[0], a[0]), fq_add(a[1], a[1]))


@njit(cache=True)
def fq2_neg(a):
    """−a in Fq2."""
    return (fq_neg(a[0]), fq_neg(a[1]))


@njit(cache=True)
def fq2_conj(a):
    """Conjugate c0 − c1·u, which is also the Frobenius map a ↦ a^q."""
    return (a[0], fq_neg(a[1]))


@njit(cache=True)
def fq2_mul(a, b):
    """a · b in Fq2 (Karatsuba: three Fq multiplications instead of four)."""
    v0 = fq_mul(a[0], b[0])
    v1 = fq_mul(a[1], b[1])
    s = fq_mul(fq_add(a[0], a[1]), fq_add(b[0], b[1]))
    # (a0 + a1 u)(b0 + b1 u) = (a0 b0 − a1 b1) + ((a0 + a1)(b0 + b1) − a0 b0 − a1 b1) u, as u² = −1
    return (fq_sub(v0, v1), fq_sub(fq_sub(s, v0), v1))


@njit(cache=True)
def fq2_sqr(a):
    """a² in Fq2 (complex squaring: (a0 + a1)(a0 − a1) + 2 a0 a1 u, two Fq multiplications)."""
    c0 = fq_mul(fq_add(a[0], a[1]), fq_sub(a[0], a[1]))
    t = fq_mul(a[0], a[1])
    return (c0, fq_add(t, t))


@njit(cache=True)
def fq2_mul_fq(a, k):
    """a · k for an Fq element k (two Fq multiplications)."""
    return (fq_mul(a[0], k), fq_mul(a[1], k))


@njit(cache=True)
def fq2_mul_by_xi(a):
    """a · ξ with ξ = 9 + u: (9 a0 − a1) + (9 a1 + a0) u, by additions only."""
    a0, a1 = a
    t0 = fq_add(a0, a0)
    t0 = fq_add(t0, t0)
    t0 = fq_add(fq_add(t0, t0), a0)  # 9 a0
    t1 = fq_add(a1, a1)
    t1 = fq_add(t1, t1)
    t1 = fq_add(fq_add(t1, t1), a1)  # 9 a1
    return (fq_sub(t0, a1), fq_add(t1, a0))


@njit(cache=True)
def fq2_inv(a):
    """a⁻¹ in Fq2 via the norm: conj(a) / (a0² + a1²). The inverse of zero is zero."""
    norm_inv = fq_inv(fq_add(fq_sqr(a[0]), fq_sqr(a[1])))
    return (fq_mul(a[0], norm_inv), fq_neg(fq_mul(a[1], norm_inv)))


@njit(cache=True)
def fq2_eq(a, b):
    """a == b (reduced limbs, so limb equality is field equality)."""
    return fq_eq(a[0], b[0]) and fq_eq(a[1], b[1])


@njit(cache=True)
def fq2_is_zero(a):
    """a == 0."""
    return fq_is_zero(a[0]) and fq_is_zero(a[1])


@njit(cache=True)
def fq2_pow(a, e):
    """a^e with ``e`` a plain (non-Montgomery) 4-limb exponent, square-and-multiply."""
    r = FQ2_ONE
    for limb in range(3, -1, -1):
        w = e[limb]
        for bit in range(63, -1, -1):
            r = fq2_sqr(r)
            if (w >> np.uint64(bit)) & _U1:
                r = fq2_mul(r, a)
    return r


@njit(cache=True)
def fq2_sqrt(a):
    """Square root in Fq2: ``(True, s)`` with s² = a, or ``(False, 0)`` if a is not a square.

    Algorithm 9 of Adj & Rodríguez-Henríquez (q ≡ 3 mod 4). Which root comes back is whatever the
    algorithm gives; callers needing a canonical root choose the sign. The result is verified by
    squaring, so a wrong branch can only ever yield ``False``, never a wrong root.
    """
    if fq2_is_zero(a):
        return True, FQ2_ZERO
    a1 = fq2_pow(a, _SQRT_E1)
    x0 = fq2_mul(a1, a)  # a^((q+1)/4)
    alpha = fq2_mul(a1, x0)  # a^((q-1)/2)
    minus_one = (_FQ_MINUS_ONE, FQ_ZERO)
    if fq2_eq(alpha, minus_one):
        x = (fq_neg(x0[1]), x0[0])  # u · x0
    else:
        b = fq2_pow(fq2_add(FQ2_ONE, alpha), _SQRT_E2)
        x = fq2_mul(b, x0)
    if fq2_eq(fq2_sqr(x), a):
        return True, x
    return False, FQ2_ZERO


@njit(cache=True)
def load_fq2(arr, i):
    """Row ``i`` of an ``(N, 2, 4)`` array as an Fq2 element."""
    return (
        (arr[i, 0, 0], arr[i, 0, 1], arr[i, 0, 2], arr[i, 0, 3]),
        (arr[i, 1, 0], arr[i, 1, 1], arr[i, 1, 2], arr[i, 1, 3]),
    )


@njit(cache=True)
def store_fq2(arr, i, x):
    """Write Fq2 element ``x`` into row ``i`` of an ``(N, 2, 4)`` array."""
    for k in range(2):
        for j in range(4):
            arr[i, k, j] = x[k][j]


# ---------------------------------------------------------------------------------------------
# Vector kernels
# ---------------------------------------------------------------------------------------------


@njit(cache=True)
def _fq2_batch_inverse(a):
    # Invert all norms with Montgomery's trick (one Fq inversion in total), then a⁻¹ = conj(a)/N(a).
    # Zero elements have zero norm and map to zero without poisoning the batch.
    n = a.shape[0]
    norms = np.empty((n, 4), np.uint64)
    prefix = np.empty((n, 4), np.uint64)
    acc = FQ_ONE
    for i in range(n):
        x = load_fq2(a, i)
        nm = fq_add(fq_sqr(x[0]), fq_sqr(x[1]))
        store4(norms, i, nm)
        store4(prefix, i, acc)
        if not fq_is_zero(nm):
            acc = fq_mul(acc, nm)
    inv = fq_inv(acc)
    out = np.zeros((n, 2, 4), np.uint64)
    for i in range(n - 1, -1, -1):
        nm = load4(norms, i)
        if fq_is_zero(nm):
            continue
        ninv = fq_mul(inv, load4(prefix, i))
        inv = fq_mul(inv, nm)
        x = load_fq2(a, i)
        store_fq2(out, i, (fq_mul(x[0], ninv), fq_neg(fq_mul(x[1], ninv))))
    return out


def _check_fq2_array(a: np.ndarray) -> None:
    if (
        not isinstance(a, np.ndarray)
        or a.dtype != np.uint64
        or a.ndim != 3
        or a.shape[1:] != (2, 4)
    ):
        raise ValueError("fq2: expected an (N, 2, 4) uint64 limb array")


def fq2_batch_inverse(a: np.ndarray) -> np.ndarray:
    """All inverses of an ``(N, 2, 4)`` array with one Fq inversion in total (0 maps to 0)."""
    _check_fq2_array(a)
    return _fq2_batch_inverse(np.ascontiguousarray(a))


# ---------------------------------------------------------------------------------------------
# Python edges
# ---------------------------------------------------------------------------------------------


def _check_pair(c: object) -> tuple[int, int]:
    if not isinstance(c, (tuple, list)) or len(c) != 2:
        raise ValueError(f"fq2: expected a (c0, c1) pair, got {c!r}")
    return c[0], c[1]


def fq2_from_ints(c: Fq2Ints) -> tuple:
    """``(c0, c1)`` canonical ints → Montgomery Fq2 tuple; ``ValueError`` if a coefficient ≥ q."""
    c0, c1 = _check_pair(c)
    return (fq_from_int(c0), fq_from_int(c1))


def fq2_to_ints(t: tuple) -> Fq2Ints:
    """Montgomery Fq2 tuple → ``(c0, c1)`` canonical ints."""
    return (fq_to_int(t[0]), fq_to_int(t[1]))


def fq2_array(cs: Sequence[Fq2Ints]) -> np.ndarray:
    """``(c0, c1)`` pairs → ``(N, 2, 4)`` Montgomery array; ``ValueError`` on a bad coefficient."""
    flat: list[int] = []
    for c in cs:
        flat.extend(_check_pair(c))
    return fq_array(flat).reshape(len(cs), 2, 4)


def fq2_ints(arr: np.ndarray) -> list[Fq2Ints]:
    """``(N, 2, 4)`` Montgomery array → list of ``(c0, c1)`` pairs."""
    _check_fq2_array(arr)
    flat = fq_ints(np.ascontiguousarray(arr).reshape(-1, 4))
    return [(flat[2 * i], flat[2 * i + 1]) for i in range(arr.shape[0])]
