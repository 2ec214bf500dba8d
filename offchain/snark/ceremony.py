"""Multi-party Groth16 setup: powers of tau (phase 1) and per-circuit phase 2, with verification.

TRUST ASSUMPTIONS — read before using any key made here
=======================================================
1. **One honest contributor per phase.** The keys are safe (nobody can forge proofs) as long as at
   least ONE contributor to phase 1 and at least ONE contributor to phase 2 drew fresh secrets and
   destroyed them. Nothing here can check that anyone destroyed anything; the transcripts only show
   that each contribution was *well-formed* and *built on the previous one*.
2. **Phase 2 starts with γ = δ = 1.** :func:`phase2_initial_keys` derives keys whose δ (and γ) is
   the generator: those keys are exactly as insecure as toxic waste known to everybody until at least
   one honest phase-2 contribution has multiplied δ by a secret. γ stays 1 for good (as in snarkjs):
   Groth16 stays sound with γ = 1 given an honest δ and phase 1.
3. **Imported ``.ptau`` files** (:mod:`offchain.snark.ptau`) are checked for well-formedness and for
   *internal consistency* of the powers (pairing checks below), NOT for their snarkjs contribution
   history: whoever trusts an imported file trusts its producers. Contribute on top of it here to
   add your own honesty to it.
4. **Entropy.** :func:`contribute` / :func:`contribute_phase2` mix the caller's entropy with 64
   bytes from the OS CSPRNG, so a weak caller string does not make a weak secret. The ``*_with_secrets``
   functions exist for tests only (they take the toxic waste as arguments: NOT FOR PRODUCTION).
5. **Verifier randomness.** The batched pairing checks combine many relations with random
   coefficients from the OS CSPRNG; a cheating transcript passes with probability ≈ 1/r per run.
6. Nothing here is constant-time (numba curve code): contribute on a machine nobody else shares.

Phase 1 (powers of tau, snarkjs ``.ptau`` layout)
-------------------------------------------------
An :class:`Accumulator` of power ``p`` (``N = 2^p``) holds ``[τ^i]G1`` for ``i < 2N − 1``,
``[τ^i]G2``, ``[ατ^i]G1``, ``[βτ^i]G1`` for ``i < N`` and ``[β]G2``. A contribution multiplies τ, α,
β by fresh secrets τ', α', β' (point ``i`` of the τ section by ``τ'^i``). Its
:class:`ContributionProof` publishes, for each secret x, ``[x]G1``, ``[x]G2`` and a Schnorr proof of
knowledge of x (Fiat–Shamir, bound to the previous accumulator's key points and the contributor's
name, so a contribution cannot be replayed on another accumulator), plus the new accumulator's key
points ``[τ]G1, [τ]G2, [α]G1, [β]G1, [β]G2``.

:func:`verify_transcript` checks, with pairings, (a) each proof of knowledge, (b) that each
contribution's key points are the previous ones times its secrets (so the chain is unbroken from the
initial accumulator), (c) that the final accumulator's key points are the last contribution's, and
(d) that the final accumulator's powers are consistent — ``e([τ^(i+1)]G1, G2) = e([τ^i]G1, [τ]G2)``
for every i, likewise for the G2, ατ and βτ sections — each relation batched with a random linear
combination (two MSMs per relation, not one pairing per power). The relations are then themselves
combined with random weights into two pairing products — the chain (a)–(b), then the powers (d) —
each with one final exponentiation, Miller loops sharing a G2 point merged. On failure the relations
of the failing product are re-checked one by one to name the first bad one
(:func:`explain_transcript`).

Phase 2 (per circuit)
---------------------
:func:`phase2_initial_keys` turns an accumulator into exactly the keys that
:func:`offchain.snark.setup.dev_keys_from_toxic_waste` makes for the same τ, α, β with γ = δ = 1,
without knowing τ: the Lagrange-basis points ``[L_i(τ)]G`` are an inverse NTT over the group (scalar
multiplications by powers of ω⁻¹), then each query is a sparse combination of them. The H query
uses the 2n-domain, so the accumulator needs ``N ≥ 2n`` (as snarkjs's ``zkey new``).
:func:`contribute_phase2` multiplies δ by a secret δ' and divides the L and H queries by it;
:func:`verify_phase2` checks a chain of such contributions from the initial keys to the final ones:
Schnorr proofs of knowledge of each δ' relative to the previous ``[δ]G1``, ``e(δ1, G2) = e(G1, δ2)``,
the L and H queries scaled by the inverse (``e(ΣrL', δ'₂) = e(ΣrL, δ₂)``, batched), and every other
key component unchanged. :func:`verify_phase2_from_accumulator` additionally recomputes the initial
keys from a (verified) accumulator and circuit.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numba import njit
from py_ecc.fields import optimized_bn128_FQ as FQ
from py_ecc.fields import optimized_bn128_FQ2 as FQ2
from py_ecc.fields import optimized_bn128_FQ12 as FQ12
from py_ecc.optimized_bn128 import pairing

from offchain.crypto.bn254 import (
    G1_GENERATOR,
    G2_GENERATOR,
    G1Point,
    G2Point,
    aff_array_on_curve,
    aff_load,
    batch_to_affine,
    g1_add,
    g1_array,
    g1_mul,
    g1_neg,
    g1_points,
    g2_array,
    g2_array_in_subgroup,
    g2_mul,
    g2_points,
    jac_add,
    jac_from_affine,
    jac_neg,
    jac_scalar_mul,
    pt_load,
    pt_store,
)
from offchain.crypto.field import FR_MODULUS
from offchain.crypto.msm import msm_g1_arrays, msm_g2_arrays, scalars_array
from offchain.crypto.ntt import root_of_unity
from offchain.crypto.threads import run_row_chunks
from offchain.snark.keys import ProvingKey, VerifyingKey, check_g1, check_g2
from offchain.snark.qap import MAX_LOG_DOMAIN, compile_qap, to_plain_limbs
from offchain.snark.r1cs import R1CS
from offchain.snark.verifier import final_exponentiation

R = FR_MODULUS
MAX_POWER = MAX_LOG_DOMAIN + 1
"""Largest accumulator power: a 2^27 circuit domain needs N = 2n = 2^28 (the H query's 2n-domain)."""

__all__ = [
    "Accumulator",
    "ContributionProof",
    "KeyPoints",
    "SecretProof",
    "Phase2Proof",
    "SchnorrProof",
    "check_powers",
    "contribute",
    "contribute_phase2",
    "contribute_phase2_with_secret",
    "contribute_with_secrets",
    "explain_phase2",
    "explain_transcript",
    "group_intt",
    "new_accumulator",
    "phase2_initial_keys",
    "scale_points",
    "verify_phase2",
    "verify_phase2_from_accumulator",
    "verify_transcript",
]

_TAG_P1 = b"hatchway/ceremony/phase1/v1"
_TAG_P2 = b"hatchway/ceremony/phase2/v1"
_TAG_SECRET = b"hatchway/ceremony/secret/v1"


# ---------------------------------------------------------------------------------------------
# Kernels (generic over G1 / G2 through the bn254 generic curve kernels)
# ---------------------------------------------------------------------------------------------


@njit(cache=True, nogil=True)
def _scale_chunk(aff, scalars, lo, hi, out_jac):
    # out[i] = [k_i]·P_i, one variable-base double-and-add per point.
    for i in range(lo, hi):
        k = (scalars[i, 0], scalars[i, 1], scalars[i, 2], scalars[i, 3])
        pt_store(out_jac, i, jac_scalar_mul(jac_from_affine(aff_load(aff, i)), k))


def scale_points(aff: np.ndarray, scalars_plain: np.ndarray) -> np.ndarray:
    """``[k_i]·P_i`` for each row (affine in, affine out), split over numba threads (nogil)."""
    aff = np.ascontiguousarray(aff)
    n = aff.shape[0]
    jac = np.zeros((n, 3) + aff.shape[2:], np.uint64)
    if n == 0:
        return np.zeros_like(aff)
    run_row_chunks(_scale_chunk, n, 64, aff, scalars_plain, jac)
    return batch_to_affine(jac)


@njit(cache=True)
def group_intt(aff, twiddles, n_inv):
    """Inverse NTT over group elements: out_i = n⁻¹ Σ_k ω^(−ik)·P_k (radix-2, in place on Jacobian).

    ``twiddles[j]`` are plain limbs of ω^(−j) for j < n/2; ``n_inv`` plain limbs of 1/n.
    """
    n = aff.shape[0]
    jac = np.zeros((n, 3) + aff.shape[2:], np.uint64)
    log_n = 0
    while (1 << log_n) < n:
        log_n += 1
    # Bit-reversed load, then decimation-in-time butterflies.
    for i in range(n):
        r = 0
        x = i
        for _ in range(log_n):
            r = (r << 1) | (x & 1)
            x >>= 1
        pt_store(jac, r, jac_from_affine(aff_load(aff, i)))
    half = 1
    while half < n:
        step = n // (2 * half)
        for start in range(0, n, 2 * half):
            for j in range(half):
                u = pt_load(jac, start + j)
                v = pt_load(jac, start + j + half)
                if j != 0:
                    t = j * step
                    v = jac_scalar_mul(
                        v, (twiddles[t, 0], twiddles[t, 1], twiddles[t, 2], twiddles[t, 3])
                    )
                pt_store(jac, start + j, jac_add(u, v))
                pt_store(jac, start + j + half, jac_add(u, jac_neg(v)))
        half *= 2
    k = (n_inv[0], n_inv[1], n_inv[2], n_inv[3])
    for i in range(n):
        pt_store(jac, i, jac_scalar_mul(pt_load(jac, i), k))
    return batch_to_affine(jac)


@njit(cache=True)
def _sparse_combine(row_ptr, cols, coeffs_plain, lag_aff, out_jac):
    # out[wire] += coeff · Lag[row]: the group-side transpose of qap._sparse_rows.
    one = (np.uint64(1), np.uint64(0), np.uint64(0), np.uint64(0))
    for row in range(row_ptr.shape[0] - 1):
        p = jac_from_affine(aff_load(lag_aff, row))
        for idx in range(row_ptr[row], row_ptr[row + 1]):
            k = (coeffs_plain[idx, 0], coeffs_plain[idx, 1], coeffs_plain[idx, 2],
                 coeffs_plain[idx, 3])  # fmt: skip
            term = p if k == one else jac_scalar_mul(p, k)
            j = cols[idx]
            pt_store(out_jac, j, jac_add(pt_load(out_jac, j), term))


def _group_lagrange(powers_aff: np.ndarray, n: int) -> np.ndarray:
    """``[L_i(τ)]·G`` for i < n over ⟨ω_n⟩ from ``[τ^k]·G`` for k < n (group inverse NTT)."""
    if n == 1:
        return np.ascontiguousarray(powers_aff[:1])
    w_inv = pow(root_of_unity(n), -1, R)
    tw = scalars_array([pow(w_inv, j, R) for j in range(n // 2)])
    n_inv = scalars_array([pow(n, -1, R)])[0]
    return group_intt(np.ascontiguousarray(powers_aff[:n]), tw, n_inv)


def _plain(x: int) -> np.ndarray:
    return scalars_array([x])


def _geometric_plain(start: int, ratio: int, count: int) -> np.ndarray:
    vals = []
    acc = start % R
    for _ in range(count):
        vals.append(acc)
        acc = acc * ratio % R
    return scalars_array(vals)


# ---------------------------------------------------------------------------------------------
# Hashing, secrets, Schnorr proofs of knowledge
# ---------------------------------------------------------------------------------------------


def _enc_g1(p: G1Point) -> bytes:
    return b"\x00" * 64 if p is None else p[0].to_bytes(32, "big") + p[1].to_bytes(32, "big")


def _enc_g2(p: G2Point) -> bytes:
    if p is None:
        return b"\x00" * 128
    return b"".join(c.to_bytes(32, "big") for xy in p for c in xy)


def _hash_to_scalar(*parts: bytes) -> int:
    h = hashlib.sha512()
    for part in parts:
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return int.from_bytes(h.digest(), "big") % R


def _secret_from_entropy(entropy: bytes | str, label: str) -> int:
    # Caller entropy alone could be weak (a typed phrase): always mix in the OS CSPRNG.
    if isinstance(entropy, str):
        entropy = entropy.encode()
    if not isinstance(entropy, bytes):
        raise ValueError("ceremony: entropy must be bytes or str")
    while True:
        v = _hash_to_scalar(_TAG_SECRET, label.encode(), entropy, secrets.token_bytes(64))
        if v != 0:
            return v


@dataclass(frozen=True)
class SchnorrProof:
    """Proof of knowledge of x with ``public = [x]·base`` in G1: ``commit = [k]·base``,
    ``response = k + c·x`` for the Fiat–Shamir challenge c (see :func:`_challenge`)."""

    commit: G1Point
    response: int


def _schnorr_prove(base: G1Point, x: int, context: bytes) -> SchnorrProof:
    k = secrets.randbelow(R - 1) + 1
    commit = g1_mul(base, k)
    c = _hash_to_scalar(context, _enc_g1(base), _enc_g1(g1_mul(base, x)), _enc_g1(commit))
    return SchnorrProof(commit, (k + c * x) % R)


def _schnorr_ok(base: G1Point, public: G1Point, proof: SchnorrProof, context: bytes) -> bool:
    c = _hash_to_scalar(context, _enc_g1(base), _enc_g1(public), _enc_g1(proof.commit))
    return g1_mul(base, proof.response) == g1_add(proof.commit, g1_mul(public, c))


# ---------------------------------------------------------------------------------------------
# Pairing-product batches
# ---------------------------------------------------------------------------------------------


def _pe1(p: G1Point) -> tuple:
    return (FQ.one(), FQ.one(), FQ.zero()) if p is None else (FQ(p[0]), FQ(p[1]), FQ.one())


def _pe2(p: G2Point) -> tuple:
    if p is None:
        return (FQ2.one(), FQ2.one(), FQ2.zero())
    return (FQ2(list(p[0])), FQ2(list(p[1])), FQ2.one())


@dataclass
class _PairingBatch:
    """Named equations ``Π_k e(P_k, Q_k) = 1`` checked together: each equation's G1 points are
    scaled by a random ρ, terms sharing a G2 point merged, one Miller loop per distinct G2 point
    and one final exponentiation. A failing batch is re-checked equation by equation to name it."""

    equations: list[tuple[str, list[tuple[G1Point, G2Point]]]] = field(default_factory=list)

    def same_ratio(self, name: str, p1: G1Point, p2: G1Point, q1: G2Point, q2: G2Point) -> None:
        """Add the relation e(p1, q2) = e(p2, q1), i.e. p2/p1 = q2/q1 "in the exponent"."""
        self.equations.append((name, [(p1, q2), (g1_neg(p2), q1)]))

    @staticmethod
    def _product(terms: list[tuple[G1Point, G2Point]]) -> bool:
        merged: dict[G2Point, G1Point] = {}
        for p, q in terms:
            if p is None or q is None:
                continue
            merged[q] = g1_add(merged.get(q), p)
        f = FQ12.one()
        for q, p in merged.items():
            if p is not None:
                f = f * pairing(_pe2(q), _pe1(p), final_exponentiate=False)
        return final_exponentiation(f) == FQ12.one()

    def first_failure(self) -> str | None:
        """None if every equation holds, else the name of the first that does not."""
        if not self.equations:
            return None
        terms = []
        for _name, eq in self.equations:
            rho = secrets.randbelow(R - 1) + 1
            terms.extend((g1_mul(p, rho), q) for p, q in eq)
        if self._product(terms):
            return None
        for name, eq in self.equations:
            if not self._product(eq):
                return name
        return "pairing batch (no single equation fails: retry)"  # pragma: no cover


def _random_combination(n: int) -> np.ndarray:
    return scalars_array([secrets.randbelow(R) for _ in range(n)])


def _msm1(points: np.ndarray, scalars: np.ndarray) -> G1Point:
    return g1_points(msm_g1_arrays(np.ascontiguousarray(points), scalars)[None])[0]


def _msm2(points: np.ndarray, scalars: np.ndarray) -> G2Point:
    return g2_points(msm_g2_arrays(np.ascontiguousarray(points), scalars)[None])[0]


# ---------------------------------------------------------------------------------------------
# Phase 1
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyPoints:
    """The points that summarise an accumulator for chaining: [τ]G1, [τ]G2, [α]G1, [β]G1, [β]G2."""

    tau_g1: G1Point
    tau_g2: G2Point
    alpha_g1: G1Point
    beta_g1: G1Point
    beta_g2: G2Point

    def encode(self) -> bytes:
        """Canonical bytes (big-endian coordinates) for the Fiat–Shamir transcript."""
        return (_enc_g1(self.tau_g1) + _enc_g2(self.tau_g2) + _enc_g1(self.alpha_g1)
                + _enc_g1(self.beta_g1) + _enc_g2(self.beta_g2))  # fmt: skip


@dataclass(frozen=True, eq=False)
class Accumulator:
    """Phase-1 powers of tau of power ``power`` (``N = 2^power``), snarkjs ``.ptau`` sections 2–6.

    Arrays are affine Montgomery limbs (:mod:`offchain.crypto.bn254`): ``tau_g1`` ``(2N − 1, 2, 4)``,
    ``tau_g2`` ``(N, 2, 2, 4)``, ``alpha_tau_g1`` and ``beta_tau_g1`` ``(N, 2, 4)``; ``beta_g2`` a
    single G2 point. Arrays are made read-only.
    """

    power: int
    tau_g1: np.ndarray
    tau_g2: np.ndarray
    alpha_tau_g1: np.ndarray
    beta_tau_g1: np.ndarray
    beta_g2: G2Point

    def __post_init__(self) -> None:
        p = self.power
        if isinstance(p, bool) or not isinstance(p, int) or not 1 <= p <= MAX_POWER:
            raise ValueError(f"accumulator: power must be an int in [1, {MAX_POWER}], got {p!r}")
        n = 1 << p
        for name, rows, tail in (
            ("tau_g1", 2 * n - 1, (2, 4)),
            ("tau_g2", n, (2, 2, 4)),
            ("alpha_tau_g1", n, (2, 4)),
            ("beta_tau_g1", n, (2, 4)),
        ):
            arr = getattr(self, name)
            if not isinstance(arr, np.ndarray) or arr.dtype != np.uint64:
                raise ValueError(f"accumulator: {name} must be a uint64 array")
            if arr.shape != (rows, *tail) or not arr.flags.c_contiguous:
                raise ValueError(
                    f"accumulator: {name} must be C-contiguous of shape {(rows, *tail)}, "
                    f"got {arr.shape}"
                )
            arr.setflags(write=False)
        check_g2(self.beta_g2, "accumulator beta_g2")

    @property
    def n(self) -> int:
        """``N = 2^power``: number of G2, ατ and βτ powers (the τ G1 section has 2N − 1)."""
        return 1 << self.power

    def key_points(self) -> KeyPoints:
        """The chaining summary ([τ]G1, [τ]G2, [α]G1, [β]G1, [β]G2) of this accumulator."""
        return KeyPoints(
            tau_g1=g1_points(self.tau_g1[1:2])[0],
            tau_g2=g2_points(self.tau_g2[1:2])[0],
            alpha_g1=g1_points(self.alpha_tau_g1[:1])[0],
            beta_g1=g1_points(self.beta_tau_g1[:1])[0],
            beta_g2=self.beta_g2,
        )

    def digest(self) -> bytes:
        """SHA-256 of every point (limb bytes) and the power: names this exact accumulator."""
        h = hashlib.sha256(b"hatchway/accumulator/v1")
        h.update(self.power.to_bytes(4, "little"))
        for arr in (self.tau_g1, self.tau_g2, self.alpha_tau_g1, self.beta_tau_g1):
            h.update(arr.tobytes())
        h.update(_enc_g2(self.beta_g2))
        return h.digest()

    def validate(self) -> None:
        """``ValueError`` unless every point is on its curve and the τ G2 powers are in G2.

        This is well-formedness only; whether the powers are consistent is :func:`verify_transcript`'s
        (or :func:`check_powers`') job.
        """
        for name in ("tau_g1", "alpha_tau_g1", "beta_tau_g1", "tau_g2"):
            bad = aff_array_on_curve(getattr(self, name))
            if bad >= 0:
                raise ValueError(f"accumulator: {name}[{bad}] is not on the curve")
        bad = g2_array_in_subgroup(self.tau_g2)
        if bad >= 0:
            raise ValueError(f"accumulator: tau_g2[{bad}] is not in the order-r subgroup G2")


@dataclass(frozen=True)
class SecretProof:
    """Publication of one contribution secret x: ``[x]G1``, ``[x]G2`` and a PoK of x."""

    x_g1: G1Point
    x_g2: G2Point
    pok: SchnorrProof


@dataclass(frozen=True)
class ContributionProof:
    """One phase-1 contribution: who, the secrets' publications, and the accumulator it produced
    (its :class:`KeyPoints`). Enough to check the chain without the intermediate accumulators."""

    name: str
    tau: SecretProof
    alpha: SecretProof
    beta: SecretProof
    after: KeyPoints


def new_accumulator(power: int) -> Accumulator:
    """The starting accumulator of power ``power``: every point is its group's generator (τ=α=β=1).

    ``ValueError`` unless ``1 ≤ power ≤ 28``.
    """
    if isinstance(power, bool) or not isinstance(power, int) or not 1 <= power <= MAX_POWER:
        raise ValueError(f"ceremony: power must be an int in [1, {MAX_POWER}], got {power!r}")
    n = 1 << power
    g1 = g1_array([G1_GENERATOR])
    g2 = g2_array([G2_GENERATOR])
    return Accumulator(
        power=power,
        tau_g1=np.ascontiguousarray(np.repeat(g1, 2 * n - 1, axis=0)),
        tau_g2=np.ascontiguousarray(np.repeat(g2, n, axis=0)),
        alpha_tau_g1=np.ascontiguousarray(np.repeat(g1, n, axis=0)),
        beta_tau_g1=np.ascontiguousarray(np.repeat(g1, n, axis=0)),
        beta_g2=G2_GENERATOR,
    )


def _p1_context(prev: KeyPoints, name: str, which: str) -> bytes:
    return _TAG_P1 + b"|" + which.encode() + b"|" + name.encode() + b"|" + prev.encode()


def _publish(x: int, prev: KeyPoints, name: str, which: str) -> SecretProof:
    return SecretProof(
        x_g1=g1_mul(G1_GENERATOR, x),
        x_g2=g2_mul(G2_GENERATOR, x),
        pok=_schnorr_prove(G1_GENERATOR, x, _p1_context(prev, name, which)),
    )


def contribute_with_secrets(
    acc: Accumulator, tau: int, alpha: int, beta: int, name: str = ""
) -> tuple[Accumulator, ContributionProof]:
    """Apply a contribution with GIVEN secrets. **TESTS ONLY**: the caller knows the toxic waste.

    Returns the new accumulator (τ·τ', α·α', β·β') and its :class:`ContributionProof`.
    ``ValueError`` for a secret outside (0, r).
    """
    if not isinstance(acc, Accumulator):
        raise ValueError(f"ceremony: expected an Accumulator, got {type(acc).__name__}")
    for what, v in (("tau", tau), ("alpha", alpha), ("beta", beta)):
        if isinstance(v, bool) or not isinstance(v, int) or not 0 < v < R:
            raise ValueError(f"ceremony: secret {what} must be an int in (0, r)")
    n = acc.n
    prev = acc.key_points()
    # Point i of each section is multiplied by (its factor)·τ'^i: one vectorised kernel per section.
    tau_g1 = scale_points(acc.tau_g1, _geometric_plain(1, tau, 2 * n - 1))
    tau_g2 = scale_points(acc.tau_g2, _geometric_plain(1, tau, n))
    alpha_tau = scale_points(acc.alpha_tau_g1, _geometric_plain(alpha, tau, n))
    beta_tau = scale_points(acc.beta_tau_g1, _geometric_plain(beta, tau, n))
    new = Accumulator(acc.power, tau_g1, tau_g2, alpha_tau, beta_tau, g2_mul(acc.beta_g2, beta))
    proof = ContributionProof(
        name=name,
        tau=_publish(tau, prev, name, "tau"),
        alpha=_publish(alpha, prev, name, "alpha"),
        beta=_publish(beta, prev, name, "beta"),
        after=new.key_points(),
    )
    return new, proof


def contribute(
    acc: Accumulator, entropy: bytes | str, name: str = ""
) -> tuple[Accumulator, ContributionProof]:
    """Add a phase-1 contribution: fresh τ', α', β' from ``entropy`` mixed with the OS CSPRNG.

    The secrets live only inside this call; destroying them is up to the machine running it
    (see the module's trust assumptions). Returns ``(new_accumulator, proof)``.
    """
    tau = _secret_from_entropy(entropy, "tau")
    alpha = _secret_from_entropy(entropy, "alpha")
    beta = _secret_from_entropy(entropy, "beta")
    try:
        return contribute_with_secrets(acc, tau, alpha, beta, name)
    finally:
        del tau, alpha, beta


def _check_proof_shape(i: int, proof: object) -> ContributionProof:
    if not isinstance(proof, ContributionProof):
        raise ValueError(f"transcript: contribution {i} is not a ContributionProof")
    for which in ("tau", "alpha", "beta"):
        sp = getattr(proof, which)
        check_g1(sp.x_g1, f"contribution {i} {which} x_g1")
        check_g2(sp.x_g2, f"contribution {i} {which} x_g2")
        check_g1(sp.pok.commit, f"contribution {i} {which} pok commit")
        if not isinstance(sp.pok.response, int) or not 0 <= sp.pok.response < R:
            raise ValueError(f"transcript: contribution {i} {which} pok response not in [0, r)")
    a = proof.after
    for what, p in (("tau_g1", a.tau_g1), ("alpha_g1", a.alpha_g1), ("beta_g1", a.beta_g1)):
        check_g1(p, f"contribution {i} after.{what}")
    check_g2(a.tau_g2, f"contribution {i} after.tau_g2")
    check_g2(a.beta_g2, f"contribution {i} after.beta_g2")
    return proof


def _powers_equations(batch: _PairingBatch, acc: Accumulator) -> str | None:
    """Add the batched power-consistency relations of ``acc``; a non-pairing failure is returned."""
    n = acc.n
    t1 = acc.tau_g1
    if g1_points(t1[:1])[0] != G1_GENERATOR or g2_points(acc.tau_g2[:1])[0] != G2_GENERATOR:
        return "accumulator: [τ^0] is not the generator"
    kp = acc.key_points()
    if kp.tau_g1 is None or kp.alpha_g1 is None or kp.beta_g1 is None:
        return "accumulator: a secret is zero ([τ], [α] or [β] is the point at infinity)"
    g2_tau = kp.tau_g2
    # τ G1 section: Σ r_i [τ^(i+1)] vs Σ r_i [τ^i] with ratio [τ]G2.
    r = _random_combination(2 * n - 2)
    batch.same_ratio("tau_g1 powers", _msm1(t1[:-1], r), _msm1(t1[1:], r), G2_GENERATOR, g2_tau)
    # τ G2 section, against [τ]G1.
    r = _random_combination(n - 1)
    batch.same_ratio("tau_g2 powers", G1_GENERATOR, kp.tau_g1,
                     _msm2(acc.tau_g2[:-1], r), _msm2(acc.tau_g2[1:], r))  # fmt: skip
    # ατ and βτ sections: consecutive ratio τ as well.
    for name, arr in (("alpha_tau_g1", acc.alpha_tau_g1), ("beta_tau_g1", acc.beta_tau_g1)):
        r = _random_combination(n - 1)
        batch.same_ratio(f"{name} powers", _msm1(arr[:-1], r), _msm1(arr[1:], r),
                         G2_GENERATOR, g2_tau)  # fmt: skip
    # [β]G2 matches [β]G1.
    batch.same_ratio("beta_g2 vs beta_g1", G1_GENERATOR, kp.beta_g1, G2_GENERATOR, acc.beta_g2)
    return None


def check_powers(acc: Accumulator) -> str | None:
    """Internal consistency of one accumulator (e.g. an imported ``.ptau``): None if the powers are
    consistent, else the first failing relation. ``ValueError`` for malformed points."""
    if not isinstance(acc, Accumulator):
        raise ValueError(f"ceremony: expected an Accumulator, got {type(acc).__name__}")
    acc.validate()
    batch = _PairingBatch()
    problem = _powers_equations(batch, acc)
    return problem or batch.first_failure()


def explain_transcript(
    initial: Accumulator, contributions: Sequence[ContributionProof], final: Accumulator
) -> str | None:
    """Verify a phase-1 transcript; None if valid, else a sentence naming the first problem.

    ``ValueError`` for malformed input (off-curve points, wrong types or sizes); a well-formed but
    invalid transcript gives a reason string. See the module docstring for what is checked.
    """
    for what, acc in (("initial", initial), ("final", final)):
        if not isinstance(acc, Accumulator):
            raise ValueError(f"transcript: {what} is not an Accumulator")
    if initial.power != final.power:
        raise ValueError("transcript: initial and final accumulators differ in power")
    initial.validate()
    final.validate()
    proofs = [_check_proof_shape(i, p) for i, p in enumerate(contributions)]
    batch = _PairingBatch()
    prev = initial.key_points()
    for i, proof in enumerate(proofs):
        for which in ("tau", "alpha", "beta"):
            sp: SecretProof = getattr(proof, which)
            if sp.x_g1 is None:
                return f"contribution {i}: secret {which} is zero"
            if not _schnorr_ok(G1_GENERATOR, sp.x_g1, sp.pok, _p1_context(prev, proof.name, which)):
                return (f"contribution {i}: proof of knowledge of {which} is invalid "
                        "(or made for another previous accumulator)")  # fmt: skip
            batch.same_ratio(f"contribution {i}: {which} G1/G2 mismatch",
                             G1_GENERATOR, sp.x_g1, G2_GENERATOR, sp.x_g2)  # fmt: skip
        a = proof.after
        c = f"contribution {i}: does not build on the previous accumulator"
        batch.same_ratio(f"{c} ([τ]G1)", prev.tau_g1, a.tau_g1, G2_GENERATOR, proof.tau.x_g2)
        batch.same_ratio(f"{c} ([τ]G2)", G1_GENERATOR, proof.tau.x_g1, prev.tau_g2, a.tau_g2)
        batch.same_ratio(f"{c} ([α]G1)", prev.alpha_g1, a.alpha_g1, G2_GENERATOR, proof.alpha.x_g2)
        batch.same_ratio(f"{c} ([β]G1)", prev.beta_g1, a.beta_g1, G2_GENERATOR, proof.beta.x_g2)
        batch.same_ratio(f"{c} ([β]G2)", G1_GENERATOR, proof.beta.x_g1, prev.beta_g2, a.beta_g2)
        prev = a
    if final.key_points() != prev:
        return "final accumulator is not the one the last contribution produced"
    # Two stages, each one pairing product: on failure only that stage's relations are re-checked
    # one by one to name the culprit.
    problem = batch.first_failure()
    if problem is not None:
        return problem
    powers = _PairingBatch()
    return _powers_equations(powers, final) or powers.first_failure()


def verify_transcript(
    initial: Accumulator, contributions: Sequence[ContributionProof], final: Accumulator
) -> bool:
    """True iff ``final`` is ``initial`` after ``contributions``, each well-formed, and its powers
    are consistent (see :func:`explain_transcript` for the reason when False)."""
    return explain_transcript(initial, contributions, final) is None


# ---------------------------------------------------------------------------------------------
# Phase 2
# ---------------------------------------------------------------------------------------------


def phase2_initial_keys(acc: Accumulator, r1cs: R1CS) -> tuple[ProvingKey, VerifyingKey]:
    """The circuit's keys with γ = δ = 1 from a phase-1 accumulator (Lagrange conversion).

    Equal to ``dev_keys_from_toxic_waste(r1cs, ToxicWaste(τ, α, β, 1, 1))`` for the accumulator's
    (unknown) τ, α, β. **Not safe to use until at least one honest :func:`contribute_phase2`.**
    ``ValueError`` if the accumulator is too small (needs ``2^power ≥ 2n``, n the QAP domain).
    """
    if not isinstance(acc, Accumulator):
        raise ValueError(f"ceremony: expected an Accumulator, got {type(acc).__name__}")
    qap = compile_qap(r1cs)
    n, ell, n_wires = qap.domain_size, qap.n_public, qap.n_wires
    if acc.n < 2 * n:
        raise ValueError(
            f"ceremony: the circuit's domain is {n}; its H query needs an accumulator with "
            f"2^power ≥ {2 * n}, got 2^{acc.power}"
        )
    lag_t1 = _group_lagrange(acc.tau_g1, n)
    lag_t2 = _group_lagrange(acc.tau_g2, n)
    lag_a1 = _group_lagrange(acc.alpha_tau_g1, n)
    lag_b1 = _group_lagrange(acc.beta_tau_g1, n)
    lag_2n = _group_lagrange(acc.tau_g1, 2 * n)
    h_query = np.ascontiguousarray(lag_2n[1::2])  # the odd powers of ω_2n (keys.py convention)

    def combine(pairs: list[tuple[object, np.ndarray]], tail: tuple[int, ...]) -> np.ndarray:
        out = np.zeros((n_wires, 3) + tail, np.uint64)
        # All-zero Jacobian rows have Z = 0: the point at infinity, the sum's starting value.
        for mat, lag in pairs:
            _sparse_combine(mat.row_ptr, mat.cols, to_plain_limbs(mat.coeffs),
                            np.ascontiguousarray(lag), out)  # fmt: skip
        return batch_to_affine(out)

    a_query = combine([(qap.a, lag_t1)], (4,))
    b1_query = combine([(qap.b, lag_t1)], (4,))
    b2_query = combine([(qap.b, lag_t2)], (2, 4))
    # k_j = β·u_j + α·v_j + w_j in the exponent: A rows on [βL_i], B rows on [αL_i], C on [L_i].
    k = combine([(qap.a, lag_b1), (qap.b, lag_a1), (qap.c, lag_t1)], (4,))
    pk = ProvingKey(
        n_wires=n_wires,
        n_public=ell,
        domain_size=n,
        r1cs_digest=qap.digest,
        alpha_1=g1_points(acc.alpha_tau_g1[:1])[0],
        beta_1=g1_points(acc.beta_tau_g1[:1])[0],
        beta_2=acc.beta_g2,
        delta_1=G1_GENERATOR,
        delta_2=G2_GENERATOR,
        a_query=a_query,
        b1_query=b1_query,
        b2_query=b2_query,
        l_query=np.ascontiguousarray(k[ell + 1 :]),
        h_query=h_query,
    )
    vk = VerifyingKey(
        alpha_1=pk.alpha_1,
        beta_2=pk.beta_2,
        gamma_2=G2_GENERATOR,
        delta_2=G2_GENERATOR,
        ic=tuple(g1_points(np.ascontiguousarray(k[: ell + 1]))),
    )
    return pk, vk


@dataclass(frozen=True)
class Phase2Proof:
    """One phase-2 contribution: who, the new [δ]G1, and a PoK of δ' with new = [δ']·(old [δ]G1)."""

    name: str
    delta_after: G1Point
    pok: SchnorrProof


def _p2_context(digest: bytes, name: str) -> bytes:
    return _TAG_P2 + b"|" + digest + b"|" + name.encode()


def contribute_phase2_with_secret(
    pk: ProvingKey, vk: VerifyingKey, delta: int, name: str = ""
) -> tuple[ProvingKey, VerifyingKey, Phase2Proof]:
    """Phase-2 contribution with a GIVEN secret δ'. **TESTS ONLY** (the caller knows it).

    δ1, δ2 are multiplied by δ'; the L and H queries divided by it. ``ValueError`` for δ' ∉ (0, r).
    """
    if not isinstance(pk, ProvingKey) or not isinstance(vk, VerifyingKey):
        raise ValueError("ceremony: expected a ProvingKey and a VerifyingKey")
    if isinstance(delta, bool) or not isinstance(delta, int) or not 0 < delta < R:
        raise ValueError("ceremony: secret delta must be an int in (0, r)")
    inv = pow(delta, -1, R)
    l_query = scale_points(pk.l_query, np.repeat(_plain(inv), pk.l_query.shape[0], axis=0))
    h_query = scale_points(pk.h_query, np.repeat(_plain(inv), pk.h_query.shape[0], axis=0))
    delta_1 = g1_mul(pk.delta_1, delta)
    delta_2 = g2_mul(pk.delta_2, delta)
    new_pk = ProvingKey(
        n_wires=pk.n_wires, n_public=pk.n_public, domain_size=pk.domain_size,
        r1cs_digest=pk.r1cs_digest, alpha_1=pk.alpha_1, beta_1=pk.beta_1, beta_2=pk.beta_2,
        delta_1=delta_1, delta_2=delta_2, a_query=pk.a_query, b1_query=pk.b1_query,
        b2_query=pk.b2_query, l_query=l_query, h_query=h_query,
    )  # fmt: skip
    new_vk = VerifyingKey(vk.alpha_1, vk.beta_2, vk.gamma_2, delta_2, vk.ic)
    proof = Phase2Proof(
        name=name,
        delta_after=delta_1,
        pok=_schnorr_prove(pk.delta_1, delta, _p2_context(pk.r1cs_digest, name)),
    )
    return new_pk, new_vk, proof


def contribute_phase2(
    pk: ProvingKey, vk: VerifyingKey, entropy: bytes | str, name: str = ""
) -> tuple[ProvingKey, VerifyingKey, Phase2Proof]:
    """Add a phase-2 contribution with a fresh δ' from ``entropy`` mixed with the OS CSPRNG.

    Returns ``(new_pk, new_vk, proof)``; the secret lives only inside this call.
    """
    delta = _secret_from_entropy(entropy, "delta")
    try:
        return contribute_phase2_with_secret(pk, vk, delta, name)
    finally:
        del delta


def _same_array(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.array_equal(a, b))


def explain_phase2(
    initial_pk: ProvingKey,
    initial_vk: VerifyingKey,
    proofs: Sequence[Phase2Proof],
    final_pk: ProvingKey,
    final_vk: VerifyingKey,
) -> str | None:
    """Verify a phase-2 chain from ``initial`` keys to ``final`` keys; None or the first problem.

    ``ValueError`` for malformed keys or proofs; a reason string for well-formed invalid ones.
    """
    for what, k, typ in (("initial pk", initial_pk, ProvingKey), ("final pk", final_pk, ProvingKey),
                         ("initial vk", initial_vk, VerifyingKey),
                         ("final vk", final_vk, VerifyingKey)):  # fmt: skip
        if not isinstance(k, typ):
            raise ValueError(f"phase 2: {what} has the wrong type {type(k).__name__}")
    final_pk.validate(check_subgroup=False)
    final_vk.validate()
    i0, f = initial_pk, final_pk
    # Everything but δ, L and H must be untouched.
    for name in (
        "n_wires",
        "n_public",
        "domain_size",
        "r1cs_digest",
        "alpha_1",
        "beta_1",
        "beta_2",
    ):
        if getattr(i0, name) != getattr(f, name):
            return f"phase 2: proving key {name} changed"
    for name in ("a_query", "b1_query", "b2_query"):
        if not _same_array(getattr(i0, name), getattr(f, name)):
            return f"phase 2: proving key {name} changed"
    if (initial_vk.alpha_1, initial_vk.beta_2, initial_vk.gamma_2, initial_vk.ic) != (
        final_vk.alpha_1, final_vk.beta_2, final_vk.gamma_2, final_vk.ic):  # fmt: skip
        return "phase 2: verifying key alpha/beta/gamma/IC changed"
    if (f.alpha_1, f.beta_2) != (final_vk.alpha_1, final_vk.beta_2):
        return "phase 2: proving and verifying keys disagree on alpha/beta"
    if final_vk.delta_2 != f.delta_2 or initial_vk.delta_2 != i0.delta_2:
        return "phase 2: proving and verifying keys disagree on delta_2"
    prev = i0.delta_1
    for i, proof in enumerate(proofs):
        if not isinstance(proof, Phase2Proof):
            raise ValueError(f"phase 2: proof {i} is not a Phase2Proof")
        check_g1(proof.delta_after, f"phase 2 proof {i} delta_after")
        check_g1(proof.pok.commit, f"phase 2 proof {i} pok commit")
        if proof.delta_after is None:
            return f"phase 2: contribution {i} sets δ to zero"
        if not _schnorr_ok(prev, proof.delta_after, proof.pok, _p2_context(i0.r1cs_digest,
                                                                        proof.name)):  # fmt: skip
            return f"phase 2: contribution {i}'s proof of knowledge of δ' is invalid"
        prev = proof.delta_after
    if f.delta_1 != prev:
        return "phase 2: final δ1 is not the one the last contribution produced"
    if f.l_query.shape != i0.l_query.shape or f.h_query.shape != i0.h_query.shape:
        return "phase 2: L or H query changed size"
    batch = _PairingBatch()
    batch.same_ratio(
        "phase 2: δ1 and δ2 disagree", G1_GENERATOR, f.delta_1, G2_GENERATOR, f.delta_2
    )
    # L' = L·δ0/δ: e(ΣrL', δ2) = e(ΣrL, δ0_2); L and H share the relation, so one combination.
    old = np.concatenate([i0.l_query, i0.h_query])
    new = np.concatenate([f.l_query, f.h_query])
    r = _random_combination(old.shape[0])
    batch.same_ratio("phase 2: L/H queries not scaled by 1/δ'", _msm1(new, r), _msm1(old, r),
                     i0.delta_2, f.delta_2)  # fmt: skip
    return batch.first_failure()


def verify_phase2(
    initial_pk: ProvingKey,
    initial_vk: VerifyingKey,
    proofs: Sequence[Phase2Proof],
    final_pk: ProvingKey,
    final_vk: VerifyingKey,
) -> bool:
    """True iff the final keys are the initial keys after ``proofs`` (see :func:`explain_phase2`).

    Pass one proof and consecutive keys to check a single contribution.
    """
    return explain_phase2(initial_pk, initial_vk, proofs, final_pk, final_vk) is None


def verify_phase2_from_accumulator(
    acc: Accumulator,
    r1cs: R1CS,
    proofs: Sequence[Phase2Proof],
    final_pk: ProvingKey,
    final_vk: VerifyingKey,
) -> bool:
    """:func:`verify_phase2` against initial keys recomputed from a (verified) accumulator for
    ``r1cs``: the final keys belong to this circuit and this phase 1."""
    pk0, vk0 = phase2_initial_keys(acc, r1cs)
    return verify_phase2(pk0, vk0, proofs, final_pk, final_vk)
