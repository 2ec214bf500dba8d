"""Groth16 verifier over BN254 on py-ecc: the slow, independent reference path (~0.6–1 s a proof).

This verifier deliberately shares no arithmetic with the numba prover stack: point validation,
the IC combination and the pairing product are all plain Python ints and py-ecc's
``optimized_bn128``, so a bug in our field/curve/MSM kernels cannot make the prover and the
verifier agree on something false. It is the off-chain root of trust for tests, the CLI and the
exit tool; on L1 the generated Vyper verifier does the same check with precompiles 0x06–0x08.

Check
-----
``e(−A, B) · e(α, β) · e(vk_x, γ) · e(C, δ) = 1`` with ``vk_x = IC_0 + Σ x_i·IC_i`` (the same
pairing product as snarkjs's ``groth16 verify``): the product of four py-ecc Miller loops — the
(α, β) one computed once per key and cached — then one final exponentiation. The final
exponentiation is split as ``(q⁶ − 1)(q² + 1) · (q⁴ − q² + 1)/r``; the first two factors use
Frobenius maps (``f^(q^k) = Σ c_i·(w^(q^k))^i`` on py-ecc's coefficient basis, with the powers of
``w^(q^k)`` computed once), the last is a plain 762-bit power, instead of py-ecc's single
2790-bit power. Tests check it against ``py_ecc.optimized_bn128.final_exponentiate``.

Input rules
-----------
- Malformed input raises ``ValueError`` naming the problem: a public signal that is not an int
  in [0, r) (a value ≥ r would alias another statement), the wrong number of public signals, a
  proof or key point with a coordinate outside [0, q), off its curve, or (G2) outside the
  order-r subgroup. The point at infinity is accepted as well-formed, as the EVM precompiles do.
- A well-formed proof that does not verify returns ``False``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from py_ecc.fields import optimized_bn128_FQ as FQ
from py_ecc.fields import optimized_bn128_FQ2 as FQ2
from py_ecc.fields import optimized_bn128_FQ12 as FQ12
from py_ecc.optimized_bn128 import (
    add,
    b2,
    curve_order,
    field_modulus,
    is_on_curve,
    multiply,
    neg,
    pairing,
)

from offchain.snark.keys import Proof, VerifyingKey

__all__ = ["final_exponentiation", "public_signals_checked", "verify"]

Q = field_modulus
R = curve_order
_HARD_EXPONENT, _rem = divmod(Q**4 - Q**2 + 1, R)
assert _rem == 0, "r divides Φ12(q) = q⁴ − q² + 1 on a BN curve"


@lru_cache(maxsize=4)
def _frobenius_table(k: int) -> tuple:
    # (w^(q^k))^i for i < 12, where w is py-ecc's Fq12 generator (coefficient basis 1, w, …, w¹¹).
    w = FQ12([0, 1] + [0] * 10)
    wq = w ** (Q**k)
    table = [FQ12.one()]
    for _ in range(11):
        table.append(table[-1] * wq)
    return tuple(table)


def _frobenius(f: FQ12, k: int) -> FQ12:
    """f^(q^k): Frobenius fixes the Fq coefficients, so only the basis powers move."""
    acc = FQ12.zero()
    for c, t in zip(f.coeffs, _frobenius_table(k), strict=True):
        if c:
            acc = acc + t * int(c)
    return acc


def final_exponentiation(f: FQ12) -> FQ12:
    """f^((q¹² − 1)/r), equal to py-ecc's ``final_exponentiate`` but ~3× faster."""
    if f == FQ12.zero():  # py-ecc's power maps 0 to 0; keep that (and avoid dividing by it)
        return f
    g = _frobenius(f, 6) / f  # f^(q⁶ − 1)
    g = _frobenius(g, 2) * g  # ^(q² + 1)
    return g**_HARD_EXPONENT


def _coord(v: Any, what: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise ValueError(f"{what}: expected an int coordinate, got {type(v).__name__}")
    if not 0 <= v < Q:
        raise ValueError(f"{what}: coordinate is not in [0, q)")
    return v


def _g1(p: Any, what: str) -> tuple:
    """Validated G1 point → py-ecc projective triple (infinity: z = 0)."""
    if p is None:
        return (FQ.one(), FQ.one(), FQ.zero())
    if not isinstance(p, (tuple, list)) or len(p) != 2:
        raise ValueError(f"{what}: expected (x, y) or None")
    x, y = _coord(p[0], f"{what} x"), _coord(p[1], f"{what} y")
    # G1 has cofactor 1: on the curve means in the group.
    if (y * y - x * x * x - 3) % Q:
        raise ValueError(f"{what}: point is not on the curve y² = x³ + 3")
    return (FQ(x), FQ(y), FQ.one())


def _g2(p: Any, what: str) -> tuple:
    """Validated G2 point (on the twist and of order r) → py-ecc projective triple."""
    if p is None:
        return (FQ2.one(), FQ2.one(), FQ2.zero())
    if not isinstance(p, (tuple, list)) or len(p) != 2:
        raise ValueError(f"{what}: expected ((x.c0, x.c1), (y.c0, y.c1)) or None")
    cs = []
    for name, c in zip("xy", p, strict=True):
        if not isinstance(c, (tuple, list)) or len(c) != 2:
            raise ValueError(f"{what} {name}: expected a pair (c0, c1)")
        cs.append((_coord(c[0], f"{what} {name}.c0"), _coord(c[1], f"{what} {name}.c1")))
    pt = (FQ2(list(cs[0])), FQ2(list(cs[1])), FQ2.one())
    if not is_on_curve(pt, b2):
        raise ValueError(f"{what}: point is not on the twist curve y² = x³ + 3/(9+u)")
    # The twist's cofactor is 2q − r: reject points outside the order-r subgroup ([r]P ≠ O).
    if multiply(pt, R)[2] != FQ2.zero():
        raise ValueError(f"{what}: point is on the twist but not in the order-r subgroup G2")
    return pt


def _prepared_vk(vk: VerifyingKey) -> tuple:
    # Validating the key's G2 points costs three [r]P multiplications and keys repeat, so the
    # result is cached per (hashable) key; a key built with lists is validated every time.
    try:
        hash(vk)
    except TypeError:
        return _prepare_vk(vk)
    return _prepare_vk_cached(vk)


def _prepare_vk(vk: VerifyingKey) -> tuple:
    if not isinstance(vk.ic, (tuple, list)) or len(vk.ic) < 1:
        raise ValueError("verifying key: ic must be a non-empty sequence of G1 points")
    alpha = _g1(vk.alpha_1, "verifying key alpha_1")
    beta = _g2(vk.beta_2, "verifying key beta_2")
    gamma = _g2(vk.gamma_2, "verifying key gamma_2")
    delta = _g2(vk.delta_2, "verifying key delta_2")
    ic = tuple(_g1(p, f"verifying key ic[{j}]") for j, p in enumerate(vk.ic))
    # The (α, β) Miller loop depends on the key only: one of the four loops, done once per key.
    ml_alpha_beta = pairing(beta, alpha, final_exponentiate=False)
    return ml_alpha_beta, gamma, delta, ic


_prepare_vk_cached = lru_cache(maxsize=32)(_prepare_vk)


def public_signals_checked(vk: VerifyingKey, public_signals: Sequence[int]) -> list[int]:
    """The public signals as a list after checking count (``vk.n_public``) and range [0, r).

    ``ValueError`` naming the first bad signal.
    """
    if isinstance(public_signals, (str, bytes)) or not isinstance(public_signals, Sequence):
        raise ValueError("verifier: public signals must be a sequence of ints")
    signals = list(public_signals)
    if len(signals) != vk.n_public:
        raise ValueError(f"verifier: expected {vk.n_public} public signals, got {len(signals)}")
    for i, x in enumerate(signals):
        if isinstance(x, bool) or not isinstance(x, int):
            raise ValueError(f"verifier: public signal {i} must be an int, got {type(x).__name__}")
        if not 0 <= x < R:
            raise ValueError(f"verifier: public signal {i} is not in [0, r)")
    return signals


def verify(vk: VerifyingKey, public_signals: Sequence[int], proof: Proof) -> bool:
    """True iff ``proof`` is a valid Groth16 proof for ``public_signals`` under ``vk``.

    ``ValueError`` for malformed input (see the module docstring); ``False`` for a well-formed
    proof that fails the pairing check. Slow path (py-ecc, ~0.6–1 s): three Miller loops (plus
    one per new key) and one final exponentiation.
    """
    if not isinstance(vk, VerifyingKey):
        raise ValueError(f"verifier: expected a VerifyingKey, got {type(vk).__name__}")
    if not isinstance(proof, Proof):
        raise ValueError(f"verifier: expected a Proof, got {type(proof).__name__}")
    ml_alpha_beta, gamma, delta, ic = _prepared_vk(vk)
    signals = public_signals_checked(vk, public_signals)
    a = _g1(proof.a, "proof A")
    b = _g2(proof.b, "proof B")
    c = _g1(proof.c, "proof C")

    vk_x = ic[0]
    for x, p in zip(signals, ic[1:], strict=True):
        if x:
            vk_x = add(vk_x, multiply(p, x))

    f = ml_alpha_beta
    for q_pt, p_pt in ((b, neg(a)), (gamma, vk_x), (delta, c)):
        f = f * pairing(q_pt, p_pt, final_exponentiate=False)
    return final_exponentiation(f) == FQ12.one()
