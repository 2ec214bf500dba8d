"""One-shot DEVELOPMENT Groth16 setup. NOT FOR PRODUCTION: this process knows the toxic waste.

:func:`dev_setup` draws τ, α, β, γ, δ itself and computes the keys directly from them. Anyone who
learns those five numbers (they live in this process's memory, and with ``seed`` they are a
function of the seed) can forge proofs of false statements for the circuit. It exists for tests,
demos and benchmarks only. Production keys come from the multi-party ceremony (powers of tau plus a
per-circuit phase 2), which produces the same :class:`~offchain.snark.keys.ProvingKey` /
:class:`~offchain.snark.keys.VerifyingKey` objects without anyone knowing the toxic waste.

The key contents follow the QAP convention documented in :mod:`offchain.snark.keys`. Points are
computed with a fixed-base windowed multiplication (8-bit windows, a 32 × 256 table of multiples
of the generator, 32 mixed additions per point) in numba, split over threads.
"""

from __future__ import annotations

import hashlib
import secrets
import warnings
from dataclasses import dataclass

import numpy as np
from numba import njit

from offchain.crypto.bn254 import (
    G1_GENERATOR,
    G2_GENERATOR,
    aff_load,
    batch_to_affine,
    g1_array,
    g1_mul,
    g1_points,
    g2_array,
    g2_mul,
    jac_add,
    jac_double,
    jac_from_affine,
    jac_infinity,
    jac_madd,
    pt_store,
)
from offchain.crypto.field import FR_MODULUS, fr_add_vec, fr_from_int, fr_mul_vec
from offchain.crypto.threads import run_row_chunks
from offchain.snark.keys import ProvingKey, VerifyingKey
from offchain.snark.qap import (
    compile_qap,
    lagrange_evaluations,
    odd_lagrange_evaluations,
    to_plain_limbs,
    wire_evaluations,
)
from offchain.snark.r1cs import R1CS

R = FR_MODULUS

__all__ = ["InsecureSetupWarning", "ToxicWaste", "dev_setup", "dev_keys_from_toxic_waste"]


class InsecureSetupWarning(UserWarning):
    """Emitted by every dev setup: the keys' toxic waste is known to this process."""


@dataclass(frozen=True, repr=False)
class ToxicWaste:
    """The secrets of a Groth16 setup. Knowing them lets one forge proofs: dev and tests only."""

    tau: int
    alpha: int
    beta: int
    gamma: int
    delta: int

    def __repr__(self) -> str:  # keep the values out of logs and tracebacks
        return "ToxicWaste(<hidden>)"


def _draw(seed: int | bytes | str | None, n: int) -> ToxicWaste:
    # Seeded: SHA-256 in counter mode (reproducible dev keys); unseeded: the OS CSPRNG.
    if seed is None:
        draw = lambda _name, _ctr: secrets.randbelow(R)  # noqa: E731
    else:
        if isinstance(seed, bool) or not isinstance(seed, (int, bytes, str)):
            raise ValueError(f"dev_setup: seed must be an int, bytes, str or None, got {seed!r}")
        seed_b = seed if isinstance(seed, bytes) else str(seed).encode()

        def draw(name: str, ctr: int) -> int:
            d = hashlib.sha512(b"hatchway/dev-setup/v1|" + seed_b + b"|" + name.encode())
            d.update(ctr.to_bytes(4, "little"))
            return int.from_bytes(d.digest(), "little") % R

    values = {}
    for name in ("tau", "alpha", "beta", "gamma", "delta"):
        ctr = 0
        while True:
            v = draw(name, ctr)
            ctr += 1
            # Zero would zero out a key component; τ must avoid the 2n-domain (Lagrange formula).
            if v != 0 and not (name == "tau" and pow(v, 2 * n, R) == 1):
                break
        values[name] = v
    return ToxicWaste(**values)


# ---------------------------------------------------------------------------------------------
# Fixed-base multiplication (generic over G1 / G2 through the bn254 generic kernels)
# ---------------------------------------------------------------------------------------------

_WINDOW = 8
_NWIN = 32  # 32 windows of 8 bits cover 256-bit scalars


@njit(cache=True)
def _fixed_base_table(base_aff, jac_shape_tail):
    # T[w·256 + d] = d · 2^(8w) · G, affine (row 0 of each window is infinity = zero row).
    size = _NWIN << _WINDOW
    jac = np.zeros((size, 3) + jac_shape_tail, np.uint64)
    cur = jac_from_affine(aff_load(base_aff, 0))
    inf = jac_infinity(cur[0])
    for w in range(_NWIN):
        acc = inf
        pt_store(jac, w << _WINDOW, acc)
        for d in range(1, 1 << _WINDOW):
            acc = jac_add(acc, cur)
            pt_store(jac, (w << _WINDOW) + d, acc)
        for _ in range(_WINDOW):
            cur = jac_double(cur)
    return batch_to_affine(jac)


@njit(cache=True, nogil=True)
def _fixed_base_chunk(table, scalars, lo, hi, out):
    like = aff_load(table, 1)[0]
    mask = np.uint64((1 << _WINDOW) - 1)
    for i in range(lo, hi):
        acc = jac_infinity(like)
        for w in range(_NWIN):
            limb = scalars[i, w >> 3]
            d = (limb >> np.uint64((w & 7) * _WINDOW)) & mask
            if d != 0:
                acc = jac_madd(acc, aff_load(table, (w << _WINDOW) + int(d)))
        pt_store(out, i, acc)


def _fixed_base_many(base_aff: np.ndarray, scalars_plain: np.ndarray) -> np.ndarray:
    """[k_i]·G for each plain-limb scalar row: affine array of the base's group (zero = infinity)."""
    tail = base_aff.shape[2:]
    table = _fixed_base_table(base_aff, tail)
    n = scalars_plain.shape[0]
    jac = np.zeros((n, 3) + tail, np.uint64)
    run_row_chunks(_fixed_base_chunk, n, 256, table, scalars_plain, jac)
    return batch_to_affine(jac)


def _const(value: int, n: int) -> np.ndarray:
    return np.tile(np.asarray(fr_from_int(value % R), np.uint64), (n, 1))


# ---------------------------------------------------------------------------------------------
# Setup
# ---------------------------------------------------------------------------------------------


def dev_keys_from_toxic_waste(r1cs: R1CS, waste: ToxicWaste) -> tuple[ProvingKey, VerifyingKey]:
    """Groth16 keys for ``r1cs`` from explicitly given toxic waste. NOT FOR PRODUCTION.

    For tests that need to know the secrets (to check key contents against an independent
    computation). Same keys as :func:`dev_setup` would make from the same secrets.
    """
    qap = compile_qap(r1cs)
    n, ell, n_wires = qap.domain_size, qap.n_public, qap.n_wires
    for name in ("tau", "alpha", "beta", "gamma", "delta"):
        v = getattr(waste, name)
        if isinstance(v, bool) or not isinstance(v, int) or not 0 < v < R:
            raise ValueError(f"dev setup: toxic waste {name} must be an int in (0, r)")
    if pow(waste.tau, 2 * n, R) == 1:
        raise ValueError("dev setup: τ must not be a 2n-th root of unity")

    u, v, w = wire_evaluations(qap, lagrange_evaluations(waste.tau, n))
    # k_j = β·u_j + α·v_j + w_j: the "C" (private) and IC (public) numerators.
    k = fr_add_vec(fr_add_vec(fr_mul_vec(u, _const(waste.beta, n_wires)),
                              fr_mul_vec(v, _const(waste.alpha, n_wires))), w)  # fmt: skip
    gamma_inv = pow(waste.gamma, -1, R)
    delta_inv = pow(waste.delta, -1, R)
    ic_s = fr_mul_vec(np.ascontiguousarray(k[: ell + 1]), _const(gamma_inv, ell + 1))
    n_priv = n_wires - ell - 1
    l_s = fr_mul_vec(np.ascontiguousarray(k[ell + 1 :]), _const(delta_inv, n_priv))
    h_s = fr_mul_vec(odd_lagrange_evaluations(waste.tau, n), _const(delta_inv, n))

    g1 = g1_array([G1_GENERATOR])
    g2 = g2_array([G2_GENERATOR])
    a_query = _fixed_base_many(g1, to_plain_limbs(u))
    b1_query = _fixed_base_many(g1, to_plain_limbs(v))
    b2_query = _fixed_base_many(g2, to_plain_limbs(v))
    ic = _fixed_base_many(g1, to_plain_limbs(ic_s))
    l_query = _fixed_base_many(g1, to_plain_limbs(l_s))
    h_query = _fixed_base_many(g1, to_plain_limbs(h_s))

    pk = ProvingKey(
        n_wires=n_wires,
        n_public=ell,
        domain_size=n,
        r1cs_digest=qap.digest,
        alpha_1=g1_mul(G1_GENERATOR, waste.alpha),
        beta_1=g1_mul(G1_GENERATOR, waste.beta),
        beta_2=g2_mul(G2_GENERATOR, waste.beta),
        delta_1=g1_mul(G1_GENERATOR, waste.delta),
        delta_2=g2_mul(G2_GENERATOR, waste.delta),
        a_query=a_query,
        b1_query=b1_query,
        b2_query=b2_query,
        l_query=l_query,
        h_query=h_query,
    )
    vk = VerifyingKey(
        alpha_1=pk.alpha_1,
        beta_2=pk.beta_2,
        gamma_2=g2_mul(G2_GENERATOR, waste.gamma),
        delta_2=pk.delta_2,
        ic=tuple(g1_points(ic)),
    )
    return pk, vk


def dev_setup(r1cs: R1CS, seed: int | bytes | str | None = None) -> tuple[ProvingKey, VerifyingKey]:
    """Make Groth16 keys for ``r1cs`` in one process. **NOT FOR PRODUCTION.**

    The toxic waste (τ, α, β, γ, δ) is drawn here — from the OS CSPRNG, or deterministically from
    ``seed`` for reproducible tests — so this process (and anyone holding the seed) could forge
    proofs for the circuit. Every call emits an :class:`InsecureSetupWarning`. Use the multi-party
    ceremony for any key that guards value.

    Returns ``(proving_key, verifying_key)`` in the convention of :mod:`offchain.snark.keys`.
    ``ValueError`` for a malformed R1CS or seed, or a circuit above 2^27 rows.
    """
    warnings.warn(
        "dev_setup: INSECURE development keys — the toxic waste is known to this process "
        "(and derivable from the seed). Never use these keys to protect real value.",
        InsecureSetupWarning,
        stacklevel=2,
    )
    qap = compile_qap(r1cs)
    return dev_keys_from_toxic_waste(r1cs, _draw(seed, qap.domain_size))
