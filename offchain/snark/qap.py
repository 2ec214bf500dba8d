"""R1CS → QAP over BN254 Fr in snarkjs's convention: sparse rows, evaluations, quotient, Lagrange.

The convention itself (rows, domain, Lagrange basis, quotient on the odd powers of ω_2n) is
documented once, in :mod:`offchain.snark.keys`; this module implements it for the setup (wire
polynomials at τ) and the prover (row evaluations and the quotient's coset evaluations).

Layers
------
- :func:`compile_qap` freezes an :class:`~offchain.snark.r1cs.R1CS` into three CSR matrices
  (A with the public-binding rows appended, B, C) with Montgomery coefficients, and a digest that
  binds a proving key to its circuit. The result is cached per R1CS object (treat an R1CS as
  immutable once compiled).
- numba kernels over ``(N, 4) uint64`` Montgomery Fr arrays (see :mod:`offchain.crypto.field`):
  sparse matrix × witness (:func:`evaluate_rows`), the row check (:func:`first_unsatisfied_row`),
  the quotient evaluations (:func:`quotient_evaluations`), Lagrange evaluations at a point, and
  wire polynomials at a point (:func:`wire_evaluations`).
"""

from __future__ import annotations

import hashlib
import weakref
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from offchain.crypto.field import (
    FR_MODULUS,
    FR_ZERO,
    fr_add,
    fr_batch_inverse,
    fr_eq,
    fr_from_int,
    fr_mul,
    fr_sub,
    load4,
    store4,
)
from offchain.crypto.ntt import coset_ntt, intt, root_of_unity
from offchain.snark.r1cs import R1CS

R = FR_MODULUS
MAX_LOG_DOMAIN = 27
"""Largest supported domain 2^27: the quotient evaluates on the odd powers of ω_2n, and Fr's
two-adicity is 28 (snarkjs switches to a generic coset shift at 2^28; we simply stop earlier)."""

_DIGEST_TAG = b"hatchway/r1cs-qap-digest/v1"
_U64 = np.uint64
_PLAIN_ONE = (_U64(1), _U64(0), _U64(0), _U64(0))
_R2 = tuple(_U64(((1 << 512) % R >> (64 * i)) & ((1 << 64) - 1)) for i in range(4))


def domain_size_for(n_constraints: int, n_public: int) -> int:
    """The QAP domain size: the smallest power of two ≥ n_constraints + n_public + 1, at least 2.

    Identical to snarkjs's ``2^(log2(nConstraints + nPublic + 1 - 1) + 1)``. ``ValueError`` when
    the counts are negative or the domain would exceed 2^27.
    """
    for name, v in (("n_constraints", n_constraints), ("n_public", n_public)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise ValueError(f"qap: {name} must be an int ≥ 0, got {v!r}")
    rows = n_constraints + n_public + 1
    n = max(2, 1 << (rows - 1).bit_length())
    if n > 1 << MAX_LOG_DOMAIN:
        raise ValueError(
            f"qap: {rows} rows need a domain of {n} > 2^{MAX_LOG_DOMAIN}, the largest supported"
        )
    return n


@dataclass(frozen=True, eq=False)
class SparseRows:
    """A CSR matrix over Fr: row ``i`` is ``cols[row_ptr[i]:row_ptr[i+1]]`` with Montgomery ``coeffs``."""

    row_ptr: np.ndarray
    cols: np.ndarray
    coeffs: np.ndarray

    @property
    def n_rows(self) -> int:
        """Number of rows."""
        return self.row_ptr.shape[0] - 1


@dataclass(frozen=True, eq=False)
class QAP:
    """An R1CS compiled for the QAP: A (with the ``n_public + 1`` binding rows), B, C as CSR."""

    n_constraints: int
    n_public: int
    n_wires: int
    domain_size: int
    a: SparseRows
    b: SparseRows
    c: SparseRows
    digest: bytes

    @property
    def n_rows(self) -> int:
        """Rows used in the domain: constraints plus the public-binding rows."""
        return self.n_constraints + self.n_public + 1


def _to_csr(rows: list[list[tuple[int, int]]]) -> tuple[np.ndarray, np.ndarray, list[int]]:
    ptr = np.zeros(len(rows) + 1, np.int64)
    cols: list[int] = []
    coeffs: list[int] = []
    for i, terms in enumerate(rows):
        for wire, coeff in terms:
            cols.append(wire)
            coeffs.append(coeff)
        ptr[i + 1] = len(cols)
    return ptr, np.asarray(cols, dtype=np.int64), coeffs


def _build_qap(r1cs: R1CS) -> QAP:
    if not isinstance(r1cs, R1CS):
        raise ValueError(f"qap: expected an R1CS, got {type(r1cs).__name__}")
    m, ell, n_wires = r1cs.n_constraints, r1cs.n_public, r1cs.n_wires
    if ell >= n_wires:
        raise ValueError("qap: n_public must be below n_wires (wire 0 is the constant one)")
    n = domain_size_for(m, ell)
    rows: dict[str, list[list[tuple[int, int]]]] = {"a": [], "b": [], "c": []}
    for i, con in enumerate(r1cs.constraints):
        for key, terms in (("a", con.a), ("b", con.b), ("c", con.c)):
            # Sorted by wire so that the digest does not depend on dict insertion order.
            items = sorted(terms.items())
            for wire, coeff in items:
                if not 0 <= wire < n_wires:
                    raise ValueError(
                        f"qap: constraint {i} uses wire {wire}, outside 0..{n_wires - 1}"
                    )
                if not 0 <= coeff < R:
                    raise ValueError(f"qap: constraint {i} has a coefficient outside [0, r)")
            rows[key].append([(w, c) for w, c in items if c])
    # The public-binding rows (see offchain.snark.keys): A[m + s][s] = 1, B and C empty.
    for s in range(ell + 1):
        rows["a"].append([(s, 1)])
        rows["b"].append([])
        rows["c"].append([])
    h = hashlib.sha256(_DIGEST_TAG)
    h.update(np.asarray([n_wires, ell, m, n], dtype="<u8").tobytes())
    mats = {}
    for key in ("a", "b", "c"):
        ptr, cols, coeffs = _to_csr(rows[key])
        plain = b"".join(c.to_bytes(32, "little") for c in coeffs)
        h.update(key.encode() + ptr.astype("<i8").tobytes() + cols.astype("<i8").tobytes() + plain)
        limbs = np.frombuffer(plain, dtype="<u8").astype(np.uint64).reshape(len(coeffs), 4)
        mats[key] = SparseRows(ptr, cols, to_montgomery_limbs(limbs))
    return QAP(m, ell, n_wires, n, mats["a"], mats["b"], mats["c"], h.digest())


_CACHE: dict[int, tuple[weakref.ref, QAP]] = {}


def compile_qap(r1cs: R1CS) -> QAP:
    """Compile (or fetch from the per-object cache) the QAP matrices and digest of ``r1cs``."""
    key = id(r1cs)
    hit = _CACHE.get(key)
    if hit is not None and hit[0]() is r1cs:
        return hit[1]
    qap = _build_qap(r1cs)
    _CACHE[key] = (weakref.ref(r1cs, lambda _ref, k=key: _CACHE.pop(k, None)), qap)
    return qap


def r1cs_digest(r1cs: R1CS) -> bytes:
    """SHA-256 binding a proving key to a circuit: wire/public/constraint counts, domain size and
    the QAP matrices (wires sorted within each row, plain little-endian coefficients).

    Labels and wire names are not part of it: they do not change what a proof proves.
    """
    return compile_qap(r1cs).digest


# ---------------------------------------------------------------------------------------------
# Kernels
# ---------------------------------------------------------------------------------------------


@njit(cache=True, parallel=True)
def _map_mul_const(a, k):
    out = np.empty_like(a)
    for i in prange(a.shape[0]):
        store4(out, i, fr_mul(load4(a, i), k))
    return out


def to_montgomery_limbs(plain: np.ndarray) -> np.ndarray:
    """Plain little-endian ``(N, 4)`` Fr limbs (each < r) → Montgomery form (the inverse of
    :func:`to_plain_limbs`)."""
    # x · R² · R⁻¹ = x·R; inputs are already < r.
    return _map_mul_const(np.ascontiguousarray(plain), _R2)


def to_plain_limbs(mont: np.ndarray) -> np.ndarray:
    """Montgomery ``(N, 4)`` Fr array → plain little-endian limbs (the MSM scalar layout)."""
    return _map_mul_const(np.ascontiguousarray(mont), _PLAIN_ONE)


@njit(cache=True, parallel=True)
def _sparse_rows(row_ptr, cols, coeffs, w, out):
    for row in prange(row_ptr.shape[0] - 1):
        acc = FR_ZERO
        for k in range(row_ptr[row], row_ptr[row + 1]):
            acc = fr_add(acc, fr_mul(load4(coeffs, k), load4(w, cols[k])))
        store4(out, row, acc)


@njit(cache=True)
def _first_mismatch(a, b, c, rows):
    for i in range(rows):
        if not fr_eq(fr_mul(load4(a, i), load4(b, i)), load4(c, i)):
            return i
    return -1


@njit(cache=True, parallel=True)
def _mul_sub(a, b, c):
    out = np.empty_like(a)
    for i in prange(a.shape[0]):
        store4(out, i, fr_sub(fr_mul(load4(a, i), load4(b, i)), load4(c, i)))
    return out


@njit(cache=True)
def _scatter_wires(row_ptr, cols, coeffs, lag, out):
    # out[wire] += coeff · L_row(τ): the transpose of _sparse_rows, sequential (rows share wires).
    for row in range(row_ptr.shape[0] - 1):
        l_row = load4(lag, row)
        for k in range(row_ptr[row], row_ptr[row + 1]):
            j = cols[k]
            store4(out, j, fr_add(load4(out, j), fr_mul(load4(coeffs, k), l_row)))


@njit(cache=True)
def _geometric(start, ratio, count):
    out = np.empty((count, 4), np.uint64)
    acc = start
    for i in range(count):
        store4(out, i, acc)
        acc = fr_mul(acc, ratio)
    return out


@njit(cache=True)
def _tau_minus(tau, points):
    out = np.empty_like(points)
    for i in range(points.shape[0]):
        store4(out, i, fr_sub(tau, load4(points, i)))
    return out


@njit(cache=True)
def _lagrange_combine(points, inv_den, k):
    # x_i · k / (τ − x_i)
    out = np.empty_like(points)
    for i in range(points.shape[0]):
        store4(out, i, fr_mul(fr_mul(load4(points, i), load4(inv_den, i)), k))
    return out


# ---------------------------------------------------------------------------------------------
# Python API over the kernels
# ---------------------------------------------------------------------------------------------


def witness_arrays(witness: list[int], n_wires: int) -> tuple[np.ndarray, np.ndarray]:
    """Validate a witness and return it as (Montgomery, plain) ``(n_wires, 4)`` arrays.

    ``ValueError`` naming the first problem: wrong length, ``witness[0] != 1``, or an entry that is
    not an int in [0, r) (a value ≥ r would satisfy the constraints mod r yet publish a
    non-canonical public signal, so it is refused rather than reduced).
    """
    if len(witness) != n_wires:
        raise ValueError(
            f"prover: witness has {len(witness)} values, the circuit has {n_wires} wires"
        )
    raw = bytearray()
    for i, v in enumerate(witness):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 0 <= v < R:
            raise ValueError(f"prover: witness[{i}] = {v!r} is not an int in [0, r)")
        raw += int(v).to_bytes(32, "little")
    if witness[0] != 1:
        raise ValueError("prover: witness[0] must be 1 (the constant wire)")
    plain = np.frombuffer(bytes(raw), dtype="<u8").astype(np.uint64).reshape(n_wires, 4)
    return to_montgomery_limbs(plain), plain


def evaluate_rows(qap: QAP, w_mont: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """⟨A_i, w⟩, ⟨B_i, w⟩, ⟨C_i, w⟩ for every row, zero-padded to the domain: three ``(n, 4)`` arrays."""
    if w_mont.shape != (qap.n_wires, 4):
        raise ValueError(f"qap: witness array must have shape ({qap.n_wires}, 4)")
    out = []
    for mat in (qap.a, qap.b, qap.c):
        vals = np.zeros((qap.domain_size, 4), np.uint64)
        _sparse_rows(mat.row_ptr, mat.cols, mat.coeffs, np.ascontiguousarray(w_mont), vals)
        out.append(vals)
    return out[0], out[1], out[2]


def first_unsatisfied_row(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> int | None:
    """Index of the first row with a·b ≠ c, or ``None`` (all rows, padding included)."""
    i = int(_first_mismatch(a, b, c, a.shape[0]))
    return None if i < 0 else i


def quotient_evaluations(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """P = A·B − C on the coset ω_2n·⟨ω_n⟩ (the odd powers of ω_2n), from row evaluations.

    Each input is the evaluation vector on ⟨ω_n⟩; interpolate (intt), evaluate on the coset
    (coset_ntt with shift ω_2n), then combine pointwise. These are the scalars of the H MSM.
    """
    n = a.shape[0]
    shift = root_of_unity(2 * n)
    ev = [coset_ntt(intt(x), shift) for x in (a, b, c)]
    return _mul_sub(ev[0], ev[1], ev[2])


def _lagrange_at(tau: int, points: np.ndarray, size: int) -> np.ndarray:
    # L_i(τ) = x_i (τ^N − 1) / (N (τ − x_i)) over the size-N domain that contains `points`.
    t_n = pow(tau, size, R)
    if t_n == 1:
        raise ValueError("qap: τ lies in the evaluation domain; the Lagrange formula needs τ^N ≠ 1")
    k = fr_from_int((t_n - 1) * pow(size, -1, R) % R)
    tau_m = fr_from_int(tau)
    inv = fr_batch_inverse(_tau_minus(tau_m, points))
    return _lagrange_combine(points, inv, k)


def _check_tau(tau: int) -> int:
    if isinstance(tau, bool) or not isinstance(tau, int) or not 0 <= tau < R:
        raise ValueError("qap: τ must be an int in [0, r)")
    return tau


def lagrange_evaluations(tau: int, n: int) -> np.ndarray:
    """``L_i(τ)`` for ``i < n`` over ⟨ω_n⟩, as an ``(n, 4)`` Montgomery array."""
    tau = _check_tau(tau)
    points = _geometric(fr_from_int(1), fr_from_int(root_of_unity(n)), n)
    return _lagrange_at(tau, points, n)


def odd_lagrange_evaluations(tau: int, n: int) -> np.ndarray:
    """``L^(2n)_(2i+1)(τ)`` for ``i < n``: the 2n-domain basis at the odd powers of ω_2n (H query)."""
    tau = _check_tau(tau)
    w2n = root_of_unity(2 * n)
    points = _geometric(fr_from_int(w2n), fr_from_int(w2n * w2n % R), n)
    return _lagrange_at(tau, points, 2 * n)


def wire_evaluations(qap: QAP, lagrange: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``u_j(τ), v_j(τ), w_j(τ)`` for every wire from ``L_i(τ)`` (``(n, 4)``), as ``(N, 4)`` arrays."""
    if lagrange.shape != (qap.domain_size, 4):
        raise ValueError(f"qap: Lagrange evaluations must have shape ({qap.domain_size}, 4)")
    out = []
    for mat in (qap.a, qap.b, qap.c):
        acc = np.zeros((qap.n_wires, 4), np.uint64)
        _scatter_wires(mat.row_ptr, mat.cols, mat.coeffs, np.ascontiguousarray(lagrange), acc)
        out.append(acc)
    return out[0], out[1], out[2]
