"""Groth16 key and proof objects over BN254, and the QAP convention they are made for.

Whoever makes keys — :func:`offchain.snark.setup.dev_setup` today, the multi-party ceremony (powers
of tau + per-circuit phase 2) later, a snarkjs ``.zkey`` reader as a goal — must produce these same
objects with exactly the meaning documented here; the prover and verifier rely on nothing else.

QAP convention (snarkjs's, so its ``.zkey`` files map onto :class:`ProvingKey` one to one)
-------------------------------------------------------------------------------------------
Let the R1CS have ``m`` constraints, ``N`` wires (wire 0 is the constant 1, wires ``1..ℓ`` are the
public signals, ``ℓ = n_public``), and witness ``w``.

1. **Rows.** Row ``i < m`` is constraint ``i`` (``A_i·w × B_i·w = C_i·w``). Then ``ℓ + 1`` extra rows
   bind the public wires: row ``m + s`` (``s = 0..ℓ``) has ``A[m+s][s] = 1`` and empty B and C
   rows (so it holds trivially as ``w_s · 0 = 0``). Without them a public wire that no constraint
   puts in A could be changed in the proof without invalidating it (its ``u_s`` would be zero, so
   the IC term would carry no information); snarkjs's ``zkey new`` adds exactly these rows.
2. **Domain.** ``n = max(2, 2^⌈log₂(m + ℓ + 1)⌉)``, the smallest power of two holding every row
   (snarkjs: ``cirPower = log2(m + ℓ + 1 - 1) + 1``), at most 2^27 (the quotient needs the 2n-th
   root). ``ω = ω_n = 5^((r-1)/n)`` (:func:`offchain.crypto.ntt.root_of_unity`, the same element
   as ffjavascript's ``Fr.w[log n]``). Row ``i`` is the point ``ω^i``; rows ``m + ℓ + 1 .. n-1`` are
   all-zero padding.
3. **Wire polynomials** in the Lagrange basis of that domain: ``u_j(X) = Σ_i A[i][j]·L_i(X)``, and
   ``v_j``, ``w_j`` likewise from B and C, with ``L_i(X) = ω^i (X^n − 1) / (n (X − ω^i))``.
   ``Z(X) = X^n − 1``.
4. **Quotient on the odd powers of ω_2n** (snarkjs's variant, no division by Z at proving time):
   ``P = (Σ w_j u_j)(Σ w_j v_j) − (Σ w_j w_j)`` has degree ≤ 2n − 2 and vanishes on ⟨ω_n⟩ (the even
   powers of ω_2n), so ``P(τ) = Σ_{i<n} P(ω_2n^(2i+1)) · L^(2n)_(2i+1)(τ)`` where ``L^(2n)_k`` is
   the Lagrange basis of the 2n-domain. Hence the H query holds ``L^(2n)_(2i+1)(τ)/δ · G1`` and
   the prover multiplies it by the evaluations of P on the coset ω_2n·⟨ω_n⟩ — no 1/Z(x) factor
   (snarkjs ``zkey new`` copies these points, odd-indexed, from the ptau's 2n Lagrange section).

Key contents (toxic waste τ, α, β, γ, δ; G1, G2 the standard generators)
------------------------------------------------------------------------
- ``a_query[j] = u_j(τ)·G1``, ``b1_query[j] = v_j(τ)·G1``, ``b2_query[j] = v_j(τ)·G2`` for every
  wire ``j`` (snarkjs ``.zkey`` sections 5, 6, 7; a zero polynomial gives the point at infinity).
- ``l_query[j − ℓ − 1] = (β·u_j(τ) + α·v_j(τ) + w_j(τ))/δ · G1`` for private wires ``j > ℓ``
  (zkey section 8, snarkjs calls it "C").
- ``ic[j] = (β·u_j(τ) + α·v_j(τ) + w_j(τ))/γ · G1`` for ``j = 0..ℓ`` (zkey section 3, vk "IC").
- ``h_query[i] = L^(2n)_(2i+1)(τ)/δ · G1`` for ``i < n`` (zkey section 9).
- α·G1, β·G1, β·G2, δ·G1, δ·G2 in the proving key, and α·G1, β·G2, γ·G2, δ·G2, IC in the
  verifying key.

Verification equation: ``e(A, B) = e(α, β) · e(Σ_{j≤ℓ} x_j·IC_j, γ) · e(C, δ)`` with ``x_0 = 1``.

Representation
--------------
Single points are the Python-int forms of :mod:`offchain.crypto.bn254` (``G1Point``, ``G2Point``;
``None`` is infinity). The big queries are affine Montgomery ``uint64`` arrays, ready for the MSM
kernels: G1 ``(N, 2, 4)``, G2 ``(N, 2, 2, 4)``, an all-zero row for infinity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from offchain.crypto.bn254 import (
    G1Point,
    G2Point,
    aff_array_on_curve,
    g1_is_on_curve,
    g1_points,
    g2_array_in_subgroup,
    g2_is_in_subgroup,
    g2_is_on_curve,
)

__all__ = ["Proof", "ProvingKey", "VerifyingKey", "check_g1", "check_g2"]


def check_g1(p: object, what: str) -> None:
    """Raise ``ValueError`` naming ``what`` unless ``p`` is a G1 point (``None`` or on-curve (x, y))."""
    try:
        ok = g1_is_on_curve(p)  # type: ignore[arg-type]
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{what}: {exc}") from exc
    if not ok:
        raise ValueError(f"{what}: point is not on the curve y² = x³ + 3")


def check_g2(p: object, what: str) -> None:
    """Raise ``ValueError`` naming ``what`` unless ``p`` is in G2 (on the twist and of order r)."""
    try:
        on_curve = g2_is_on_curve(p)  # type: ignore[arg-type]
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{what}: {exc}") from exc
    if not on_curve:
        raise ValueError(f"{what}: point is not on the twist curve y² = x³ + 3/(9+u)")
    # The twist has cofactor 2q − r: an on-curve point can still lie outside G2, and pairing such
    # a point gives values the Groth16 soundness argument says nothing about.
    if not g2_is_in_subgroup(p):  # type: ignore[arg-type]
        raise ValueError(f"{what}: point is on the twist but not in the order-r subgroup G2")


def _check_count(value: object, what: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{what} must be an int ≥ {minimum}, got {value!r}")
    return value


def _check_array(arr: object, rows: int, tail: tuple[int, ...], what: str) -> None:
    if not isinstance(arr, np.ndarray) or arr.dtype != np.uint64:
        raise ValueError(f"proving key: {what} must be a uint64 array")
    if arr.shape != (rows, *tail) or not arr.flags.c_contiguous:
        raise ValueError(
            f"proving key: {what} must be a C-contiguous array of shape {(rows, *tail)}, "
            f"got {arr.shape}"
        )


@dataclass(frozen=True)
class Proof:
    """A Groth16 proof: ``a`` ∈ G1, ``b`` ∈ G2, ``c`` ∈ G1 (affine int points, ``None`` = infinity)."""

    a: G1Point
    b: G2Point
    c: G1Point

    def validate(self) -> None:
        """Raise ``ValueError`` unless A, C are on the curve and B is in G2 (on the twist, order r)."""
        check_g1(self.a, "proof A")
        check_g2(self.b, "proof B")
        check_g1(self.c, "proof C")


@dataclass(frozen=True)
class VerifyingKey:
    """A Groth16 verifying key: α·G1, β·G2, γ·G2, δ·G2 and ``ic`` (n_public + 1 G1 points)."""

    alpha_1: G1Point
    beta_2: G2Point
    gamma_2: G2Point
    delta_2: G2Point
    ic: tuple[G1Point, ...]

    @property
    def n_public(self) -> int:
        """Number of public signals the key verifies (``len(ic) − 1``)."""
        return len(self.ic) - 1

    def validate(self) -> None:
        """Raise ``ValueError`` naming the first point that is malformed, off-curve or outside G2."""
        if not isinstance(self.ic, tuple) or len(self.ic) < 1:
            raise ValueError("verifying key: ic must be a non-empty tuple of G1 points")
        check_g1(self.alpha_1, "verifying key alpha_1")
        check_g2(self.beta_2, "verifying key beta_2")
        check_g2(self.gamma_2, "verifying key gamma_2")
        check_g2(self.delta_2, "verifying key delta_2")
        for j, p in enumerate(self.ic):
            check_g1(p, f"verifying key ic[{j}]")


@dataclass(frozen=True, eq=False)
class ProvingKey:
    """A Groth16 proving key in the QAP convention of this module (see the module docstring).

    ``r1cs_digest`` is :func:`offchain.snark.qap.r1cs_digest` of the circuit the key was made for;
    the prover refuses to use the key with any other circuit. Arrays are affine Montgomery limbs
    (G1 ``(N, 2, 4)``, G2 ``(N, 2, 2, 4)``, zero row = infinity) and are made read-only.
    """

    n_wires: int
    n_public: int
    domain_size: int
    r1cs_digest: bytes
    alpha_1: G1Point
    beta_1: G1Point
    beta_2: G2Point
    delta_1: G1Point
    delta_2: G2Point
    a_query: np.ndarray
    b1_query: np.ndarray
    b2_query: np.ndarray
    l_query: np.ndarray
    h_query: np.ndarray

    def __post_init__(self) -> None:
        # Shapes are cheap to check and a wrong one would index out of bounds in a kernel.
        n_wires = _check_count(self.n_wires, "proving key: n_wires", 1)
        n_public = _check_count(self.n_public, "proving key: n_public")
        if n_public >= n_wires:
            raise ValueError("proving key: n_public must be below n_wires (wire 0 is the constant)")
        n = _check_count(self.domain_size, "proving key: domain_size", 2)
        if n & (n - 1):
            raise ValueError(f"proving key: domain_size must be a power of two, got {n}")
        if not isinstance(self.r1cs_digest, bytes) or len(self.r1cs_digest) != 32:
            raise ValueError("proving key: r1cs_digest must be 32 bytes")
        _check_array(self.a_query, n_wires, (2, 4), "a_query")
        _check_array(self.b1_query, n_wires, (2, 4), "b1_query")
        _check_array(self.b2_query, n_wires, (2, 2, 4), "b2_query")
        _check_array(self.l_query, n_wires - n_public - 1, (2, 4), "l_query")
        _check_array(self.h_query, n, (2, 4), "h_query")
        for arr in (self.a_query, self.b1_query, self.b2_query, self.l_query, self.h_query):
            arr.setflags(write=False)

    def validate(self, check_subgroup: bool = True) -> None:
        """Check every point: single points fully; query rows on the curve; B2 rows in G2.

        The B2 subgroup check costs a 127-bit scalar multiplication per wire (~0.3 ms each);
        ``check_subgroup=False`` skips it for keys from a trusted source. ``ValueError`` naming the
        first bad point. Use this on a key read from outside (a ceremony transcript, a ``.zkey``).
        """
        check_g1(self.alpha_1, "proving key alpha_1")
        check_g1(self.beta_1, "proving key beta_1")
        check_g2(self.beta_2, "proving key beta_2")
        check_g1(self.delta_1, "proving key delta_1")
        check_g2(self.delta_2, "proving key delta_2")
        for name in ("a_query", "b1_query", "b2_query", "l_query", "h_query"):
            bad = aff_array_on_curve(getattr(self, name))
            if bad >= 0:
                raise ValueError(f"proving key: {name}[{bad}] is not on the curve")
        if check_subgroup:
            bad = g2_array_in_subgroup(self.b2_query)
            if bad >= 0:
                raise ValueError(f"proving key: b2_query[{bad}] is not in G2")

    def query_points(self, name: str) -> list[G1Point]:
        """One G1 query (``a_query``, ``b1_query``, ``l_query`` or ``h_query``) as int points."""
        if name not in ("a_query", "b1_query", "l_query", "h_query"):
            raise ValueError(f"proving key: no G1 query named {name!r}")
        return g1_points(getattr(self, name))
