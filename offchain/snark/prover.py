"""Groth16 prover over BN254: numba MSMs and NTTs, refusing any witness that does not satisfy the R1CS.

Pipeline (QAP convention of :mod:`offchain.snark.keys`)
-------------------------------------------------------
1. **Witness check.** The witness must have one int in [0, r) per wire with ``witness[0] == 1``,
   and satisfy every constraint: :meth:`R1CS.check_witness` raises ``ValueError`` naming the first
   violated constraint. The row evaluations of step 2 are then checked again (``a·b = c`` on every
   QAP row) as a second, independent guard against a QAP/R1CS mismatch. So the prover never
   produces a proof of a false statement by accident; it is not a defence against someone who
   rewrites the prover.
2. **QAP evaluation.** ``a_i = ⟨A_i, w⟩``, ``b_i``, ``c_i`` for every row (sparse, numba).
3. **Quotient (NTT).** intt → coset_ntt on ω_2n·⟨ω_n⟩ → ``p_i = a_i·b_i − c_i`` there (snarkjs's
   odd-root variant: the H query already contains the division by Z).
4. **MSMs.** G1: ``Σ w_j·A_j``, ``Σ w_j·B1_j``, ``Σ_{private} w_j·L_j``, ``Σ p_i·H_i``; G2:
   ``Σ w_j·B2_j`` (Pippenger, :mod:`offchain.crypto.msm`).
5. **Blinding** with uniform r, s ∈ Fr::

       A = α + Σ w_j A_j + r·δ                 (G1)
       B = β + Σ w_j B2_j + s·δ                (G2), and B1 the same in G1
       C = Σ_priv w_j L_j + Σ p_i H_i + s·A + r·B1 − r·s·δ   (G1)

   r and s come from ``rng`` (default: the OS CSPRNG; a seeded ``random.Random`` only for
   reproducible tests — predictable r, s reveal the witness).
"""

from __future__ import annotations

import random
import secrets
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TextIO

import numpy as np

from offchain.crypto.bn254 import (
    G1Point,
    g1_add,
    g1_mul,
    g1_neg,
    g1_points,
    g2_add,
    g2_mul,
    g2_points,
)
from offchain.crypto.field import FR_MODULUS
from offchain.crypto.msm import msm_g1_arrays, msm_g2_arrays
from offchain.snark.keys import Proof, ProvingKey
from offchain.snark.qap import (
    compile_qap,
    evaluate_rows,
    first_unsatisfied_row,
    quotient_evaluations,
    to_plain_limbs,
    witness_arrays,
)
from offchain.snark.r1cs import R1CS

R = FR_MODULUS

__all__ = ["ProverTimings", "ProgressCallback", "prove", "prove_timed", "stderr_progress"]

ProgressCallback = Callable[[str, int, int], None]
"""``progress(stage, index, total)``: called as each stage starts (index counts from 0)."""

_STAGES = (
    "check witness",
    "evaluate QAP",
    "quotient NTT",
    "MSM A",
    "MSM B1",
    "MSM B2",
    "MSM L",
    "MSM H",
    "assemble",
)


@dataclass
class ProverTimings:
    """Wall-clock split of one proof, in seconds (for the benchmark)."""

    n_constraints: int
    n_wires: int
    domain_size: int
    witness_check_s: float = 0.0
    qap_eval_s: float = 0.0
    ntt_s: float = 0.0
    msm_s: float = 0.0
    assemble_s: float = 0.0
    total_s: float = 0.0
    msm_breakdown_s: dict[str, float] = field(default_factory=dict)

    @property
    def constraints_per_s(self) -> float:
        """Proving throughput: constraints per second of total time."""
        return self.n_constraints / self.total_s if self.total_s > 0 else float("inf")

    def summary(self) -> str:
        """One human-readable line."""
        msm = ", ".join(f"{k} {v:.3f}" for k, v in self.msm_breakdown_s.items())
        return (
            f"{self.n_constraints} constraints (domain {self.domain_size}): total "
            f"{self.total_s:.3f}s = witness check {self.witness_check_s:.3f} + QAP eval "
            f"{self.qap_eval_s:.3f} + NTT {self.ntt_s:.3f} + MSM {self.msm_s:.3f} ({msm}) + "
            f"assemble {self.assemble_s:.3f}; {self.constraints_per_s:,.0f} constraints/s"
        )


def stderr_progress(stream: TextIO | None = None, label: str = "prove") -> ProgressCallback:
    """A tqdm-free progress line: rewrites ``\\r<label>: [i/n] stage`` on ``stream`` (stderr)."""
    out = stream if stream is not None else sys.stderr
    started = time.perf_counter()

    def report(stage: str, index: int, total: int) -> None:
        elapsed = time.perf_counter() - started
        end = "\n" if index == total - 1 else ""
        out.write(f"\r{label}: [{index + 1}/{total}] {stage:<14} {elapsed:7.2f}s{end}")
        out.flush()

    return report


def _random_scalar(rng: random.Random | None) -> int:
    if rng is None:
        return secrets.randbelow(R)
    return rng.randrange(R)


def _g1(arr: np.ndarray) -> G1Point:
    return g1_points(arr.reshape(1, 2, 4))[0]


def prove_timed(
    pk: ProvingKey,
    r1cs: R1CS,
    witness: Sequence[int],
    *,
    rng: random.Random | None = None,
    progress: ProgressCallback | None = None,
) -> tuple[Proof, ProverTimings]:
    """:func:`prove`, also returning the :class:`ProverTimings` split."""
    t_start = time.perf_counter()
    stage_no = 0

    def stage(name: str) -> None:
        nonlocal stage_no
        if progress is not None:
            progress(name, stage_no, len(_STAGES))
        stage_no += 1

    if not isinstance(pk, ProvingKey):
        raise ValueError(f"prover: expected a ProvingKey, got {type(pk).__name__}")
    qap = compile_qap(r1cs)
    if (pk.n_wires, pk.n_public, pk.domain_size) != (qap.n_wires, qap.n_public, qap.domain_size):
        raise ValueError(
            f"prover: proving key shape (wires {pk.n_wires}, public {pk.n_public}, domain "
            f"{pk.domain_size}) does not match the circuit (wires {qap.n_wires}, public "
            f"{qap.n_public}, domain {qap.domain_size})"
        )
    if pk.r1cs_digest != qap.digest:
        raise ValueError(
            "prover: the proving key was made for a different circuit (digest mismatch)"
        )
    timings = ProverTimings(qap.n_constraints, qap.n_wires, qap.domain_size)

    # 1. witness check (types/range, then every constraint)
    stage(_STAGES[0])
    t0 = time.perf_counter()
    witness = list(witness)
    w_mont, w_plain = witness_arrays(witness, qap.n_wires)
    r1cs.check_witness(witness)
    timings.witness_check_s = time.perf_counter() - t0

    # 2. QAP row evaluations, and the row-level re-check
    stage(_STAGES[1])
    t0 = time.perf_counter()
    a, b, c = evaluate_rows(qap, w_mont)
    bad = first_unsatisfied_row(a, b, c)
    timings.qap_eval_s = time.perf_counter() - t0
    if bad is not None:
        # check_witness passed, so the compiled QAP disagrees with the R1CS: never prove then.
        raise ValueError(f"prover: QAP row {bad} is not satisfied although the R1CS check passed")

    # 3. quotient evaluations on the odd coset
    stage(_STAGES[2])
    t0 = time.perf_counter()
    p_plain = to_plain_limbs(quotient_evaluations(a, b, c))
    timings.ntt_s = time.perf_counter() - t0

    # 4. MSMs
    priv_plain = np.ascontiguousarray(w_plain[qap.n_public + 1 :])
    jobs = (
        ("A", _STAGES[3], msm_g1_arrays, pk.a_query, w_plain),
        ("B1", _STAGES[4], msm_g1_arrays, pk.b1_query, w_plain),
        ("B2", _STAGES[5], msm_g2_arrays, pk.b2_query, w_plain),
        ("L", _STAGES[6], msm_g1_arrays, pk.l_query, priv_plain),
        ("H", _STAGES[7], msm_g1_arrays, pk.h_query, p_plain),
    )
    sums: dict[str, np.ndarray] = {}
    for key, name, fn, points, scalars in jobs:
        stage(name)
        t0 = time.perf_counter()
        sums[key] = fn(points, scalars)
        timings.msm_breakdown_s[key] = time.perf_counter() - t0
    timings.msm_s = sum(timings.msm_breakdown_s.values())

    # 5. blinding and assembly
    stage(_STAGES[8])
    t0 = time.perf_counter()
    r = _random_scalar(rng)
    s = _random_scalar(rng)
    pi_a = g1_add(g1_add(pk.alpha_1, _g1(sums["A"])), g1_mul(pk.delta_1, r))
    b1 = g1_add(g1_add(pk.beta_1, _g1(sums["B1"])), g1_mul(pk.delta_1, s))
    pi_b = g2_add(
        g2_add(pk.beta_2, g2_points(sums["B2"].reshape(1, 2, 2, 4))[0]), g2_mul(pk.delta_2, s)
    )
    pi_c = g1_add(_g1(sums["L"]), _g1(sums["H"]))
    pi_c = g1_add(pi_c, g1_mul(pi_a, s))
    pi_c = g1_add(pi_c, g1_mul(b1, r))
    pi_c = g1_add(pi_c, g1_neg(g1_mul(pk.delta_1, r * s % R)))
    timings.assemble_s = time.perf_counter() - t0
    timings.total_s = time.perf_counter() - t_start
    return Proof(pi_a, pi_b, pi_c), timings


def prove(
    pk: ProvingKey,
    r1cs: R1CS,
    witness: Sequence[int],
    *,
    rng: random.Random | None = None,
    progress: ProgressCallback | None = None,
) -> Proof:
    """Prove that ``witness`` satisfies ``r1cs`` under proving key ``pk`` (made for that circuit).

    ``ValueError`` — and no proof — when the key belongs to another circuit, the witness is
    malformed (length, ``witness[0] != 1``, an entry not an int in [0, r)), or any constraint is
    violated (the message names the first one, from :meth:`R1CS.check_witness`).
    ``rng`` draws the blinding scalars r, s (default: ``secrets``; pass a seeded
    ``random.Random`` only in tests). ``progress`` is called as each stage starts; see
    :func:`stderr_progress`. The public signals of the proof are ``r1cs.public_signals(witness)``.
    """
    return prove_timed(pk, r1cs, witness, rng=rng, progress=progress)[0]
