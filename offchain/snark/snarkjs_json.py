"""Read and write snarkjs's Groth16 JSON: ``verification_key.json``, ``proof.json``, ``public.json``.

Shapes (all numbers are decimal strings; points are "projective" triples as ffjavascript prints them)
---------------------------------------------------------------------------------------------------
- G1: ``["x", "y", "1"]``; infinity ``["0", "1", "0"]``.
- G2: ``[["x.c0", "x.c1"], ["y.c0", "y.c1"], ["1", "0"]]`` (c0 first — the *opposite* of the EVM
  precompile order); infinity ``[["0", "0"], ["1", "0"], ["0", "0"]]``.
- Verification key::

    {"protocol": "groth16", "curve": "bn128", "nPublic": ℓ,
     "vk_alpha_1": G1, "vk_beta_2": G2, "vk_gamma_2": G2, "vk_delta_2": G2,
     "vk_alphabeta_12": [[[c0, c1] × 3] × 2],   # e(α, β), written by us, ignored on read
     "IC": [G1 × (ℓ + 1)]}

- Proof: ``{"pi_a": G1, "pi_b": G2, "pi_c": G1, "protocol": "groth16", "curve": "bn128"}``.
- Public signals: ``["x1", ..., "xℓ"]``, each in [0, r).

Reading accepts any z (a Jacobian point, as ffjavascript reads it; snarkjs itself writes z = 1),
``curve`` spelled ``bn128``/``bn254``/``altbn128`` in any case (snarkjs's aliases), and ignores
unknown keys and ``vk_alphabeta_12``. Everything else malformed raises ``ValueError`` whose message
starts with the source (file) name and the JSON path of the bad field, e.g.
``proof.json: $.pi_b[1][0]: expected a decimal string``. Points are validated on read: on the
curve, and for G2 in the order-r subgroup.

``vk_alphabeta_12`` is e(α, β) in snarkjs's tower (Fq12 = Fq6[w]/(w² − v), Fq6 = Fq2[v]/(v³ − ξ),
ξ = 9 + u), and for its pairing, which is py-ecc's raised to λ = 2x(6x² + 3x + 1) (x the BN seed:
ffjavascript's final exponentiation computes that multiple of (q¹² − 1)/r). The interop tests
check it equals what ``snarkjs zkey export verificationkey`` writes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from offchain.crypto.bn254 import (
    BN_SEED,
    G1Point,
    G2Point,
    g1_from_snarkjs,
    g1_to_snarkjs,
    g2_from_snarkjs,
    g2_to_snarkjs,
)
from offchain.crypto.field import FQ_MODULUS, FR_MODULUS
from offchain.snark.keys import Proof, VerifyingKey

__all__ = [
    "load_json",
    "proof_from_json",
    "proof_to_json",
    "public_from_json",
    "public_to_json",
    "read_proof",
    "read_public",
    "read_vk",
    "vk_alphabeta_12",
    "vk_from_json",
    "vk_to_json",
    "write_proof",
    "write_public",
    "write_vk",
]

Q = FQ_MODULUS
R = FR_MODULUS
_CURVE_ALIASES = {"bn128", "bn254", "altbn128"}
_FFJS_PAIRING_POWER = 2 * BN_SEED * (6 * BN_SEED * BN_SEED + 3 * BN_SEED + 1)


def _err(source: str, path: str, msg: str) -> ValueError:
    return ValueError(f"{source}: {path}: {msg}")


def _decimal(v: Any, source: str, path: str, bound: int, bound_name: str) -> int:
    if not isinstance(v, str) or not v or not v.isascii() or not v.isdigit():
        raise _err(source, path, f"expected a decimal string, got {v!r:.80}")
    if len(v) > 100:  # any valid value has ≤ 77 digits; also keeps int() off huge strings
        raise _err(source, path, f"{len(v)} digits: too long for a value below {bound_name}")
    n = int(v)
    if n >= bound:
        raise _err(source, path, f"{n} is not below {bound_name}")
    return n


def _list(v: Any, n: int, source: str, path: str, what: str) -> list:
    if not isinstance(v, list) or len(v) != n:
        raise _err(source, path, f"expected {what}, got {v!r}")
    return v


def _read_g1(obj: Any, source: str, path: str) -> G1Point:
    coords = _list(obj, 3, source, path, 'a G1 point ["x", "y", "z"]')
    for i, c in enumerate(coords):
        _decimal(c, source, f"{path}[{i}]", Q, "the field modulus q")
    try:
        return g1_from_snarkjs(coords)
    except ValueError as exc:
        raise _err(source, path, str(exc)) from None


def _read_g2(obj: Any, source: str, path: str) -> G2Point:
    coords = _list(obj, 3, source, path, "a G2 point [[x.c0, x.c1], [y.c0, y.c1], [z.c0, z.c1]]")
    for i, pair in enumerate(coords):
        _list(pair, 2, source, f"{path}[{i}]", "a pair [c0, c1] of decimal strings")
        for k, c in enumerate(pair):
            _decimal(c, source, f"{path}[{i}][{k}]", Q, "the field modulus q")
    try:
        return g2_from_snarkjs(coords)
    except ValueError as exc:
        raise _err(source, path, str(exc)) from None


def _dict(obj: Any, source: str) -> dict:
    if not isinstance(obj, dict):
        raise _err(source, "$", f"expected a JSON object, got {type(obj).__name__}")
    return obj


def _field(obj: dict, key: str, source: str) -> Any:
    if key not in obj:
        raise _err(source, f"$.{key}", "missing")
    return obj[key]


def _check_header(obj: dict, source: str) -> None:
    if _field(obj, "protocol", source) != "groth16":
        raise _err(source, "$.protocol", f'expected "groth16", got {obj["protocol"]!r}')
    curve = _field(obj, "curve", source)
    if not isinstance(curve, str) or curve.lower() not in _CURVE_ALIASES:
        raise _err(source, "$.curve", f'expected "bn128" (BN254), got {curve!r}')


# ---------------------------------------------------------------------------------------------
# e(α, β) in snarkjs's representation
# ---------------------------------------------------------------------------------------------


def vk_alphabeta_12(vk: VerifyingKey) -> list[list[list[str]]]:
    """``vk_alphabeta_12`` exactly as snarkjs writes it (see the module docstring; ~0.5 s)."""
    from py_ecc.fields import optimized_bn128_FQ as FQ
    from py_ecc.fields import optimized_bn128_FQ2 as FQ2
    from py_ecc.optimized_bn128 import pairing

    if vk.alpha_1 is None or vk.beta_2 is None:
        f_coeffs = [1] + [0] * 11
    else:
        p = (FQ(vk.alpha_1[0]), FQ(vk.alpha_1[1]), FQ.one())
        q = (FQ2(list(vk.beta_2[0])), FQ2(list(vk.beta_2[1])), FQ2.one())
        f = pairing(q, p) ** (_FFJS_PAIRING_POWER % R)
        f_coeffs = [int(c) for c in f.coeffs]
    # py-ecc: Fq[w]/(w¹² − 18w⁶ + 82) with w⁶ = ξ = 9 + u; tower: Σ_j (a_j + b_j w) v^j, v = w²,
    # a_j = c0 + c1·u = c0 + c1(w⁶ − 9). So coeff[k] = c0 − 9·c1 and coeff[k + 6] = c1.
    out = []
    for part in (0, 1):
        fq6 = []
        for j in range(3):
            k = 2 * j + part
            c1 = f_coeffs[k + 6]
            c0 = (f_coeffs[k] + 9 * c1) % Q
            fq6.append([str(c0), str(c1)])
        out.append(fq6)
    return out


# ---------------------------------------------------------------------------------------------
# Verification key
# ---------------------------------------------------------------------------------------------


def vk_to_json(vk: VerifyingKey, include_alphabeta: bool = True) -> dict[str, Any]:
    """A verifying key as snarkjs's ``verification_key.json`` object (key order as snarkjs).

    ``include_alphabeta=False`` leaves out ``vk_alphabeta_12`` (saves a pairing; snarkjs's
    ``groth16 verify`` does not read it).
    """
    if not isinstance(vk, VerifyingKey):
        raise ValueError(f"snarkjs json: expected a VerifyingKey, got {type(vk).__name__}")
    out: dict[str, Any] = {
        "protocol": "groth16",
        "curve": "bn128",
        "nPublic": vk.n_public,
        "vk_alpha_1": g1_to_snarkjs(vk.alpha_1),
        "vk_beta_2": g2_to_snarkjs(vk.beta_2),
        "vk_gamma_2": g2_to_snarkjs(vk.gamma_2),
        "vk_delta_2": g2_to_snarkjs(vk.delta_2),
    }
    if include_alphabeta:
        out["vk_alphabeta_12"] = vk_alphabeta_12(vk)
    out["IC"] = [g1_to_snarkjs(p) for p in vk.ic]
    return out


def vk_from_json(obj: Any, source: str = "verification key") -> VerifyingKey:
    """Parse a snarkjs ``verification_key.json`` object; ``ValueError`` with the bad field's path."""
    obj = _dict(obj, source)
    _check_header(obj, source)
    n_public = _field(obj, "nPublic", source)
    if isinstance(n_public, bool) or not isinstance(n_public, int) or n_public < 0:
        raise _err(source, "$.nPublic", f"expected a non-negative integer, got {n_public!r}")
    ic_obj = _field(obj, "IC", source)
    if not isinstance(ic_obj, list) or len(ic_obj) != n_public + 1:
        got = len(ic_obj) if isinstance(ic_obj, list) else type(ic_obj).__name__
        raise _err(
            source, "$.IC", f"expected a list of nPublic + 1 = {n_public + 1} points, got {got}"
        )
    return VerifyingKey(
        alpha_1=_read_g1(_field(obj, "vk_alpha_1", source), source, "$.vk_alpha_1"),
        beta_2=_read_g2(_field(obj, "vk_beta_2", source), source, "$.vk_beta_2"),
        gamma_2=_read_g2(_field(obj, "vk_gamma_2", source), source, "$.vk_gamma_2"),
        delta_2=_read_g2(_field(obj, "vk_delta_2", source), source, "$.vk_delta_2"),
        ic=tuple(_read_g1(p, source, f"$.IC[{j}]") for j, p in enumerate(ic_obj)),
    )


# ---------------------------------------------------------------------------------------------
# Proof and public signals
# ---------------------------------------------------------------------------------------------


def proof_to_json(proof: Proof) -> dict[str, Any]:
    """A proof as snarkjs's ``proof.json`` object."""
    if not isinstance(proof, Proof):
        raise ValueError(f"snarkjs json: expected a Proof, got {type(proof).__name__}")
    return {
        "pi_a": g1_to_snarkjs(proof.a),
        "pi_b": g2_to_snarkjs(proof.b),
        "pi_c": g1_to_snarkjs(proof.c),
        "protocol": "groth16",
        "curve": "bn128",
    }


def proof_from_json(obj: Any, source: str = "proof") -> Proof:
    """Parse a snarkjs ``proof.json`` object; ``ValueError`` with the bad field's path."""
    obj = _dict(obj, source)
    _check_header(obj, source)
    return Proof(
        a=_read_g1(_field(obj, "pi_a", source), source, "$.pi_a"),
        b=_read_g2(_field(obj, "pi_b", source), source, "$.pi_b"),
        c=_read_g1(_field(obj, "pi_c", source), source, "$.pi_c"),
    )


def public_to_json(signals: Sequence[int]) -> list[str]:
    """Public signals as snarkjs's ``public.json`` list of decimal strings (each must be in [0, r))."""
    out = []
    for i, x in enumerate(signals):
        if isinstance(x, bool) or not isinstance(x, int) or not 0 <= x < R:
            raise ValueError(f"snarkjs json: public signal {i} must be an int in [0, r), got {x!r}")
        out.append(str(x))
    return out


def public_from_json(obj: Any, source: str = "public signals") -> list[int]:
    """Parse ``public.json`` (a list of decimal strings, each < r); ``ValueError`` with the path."""
    if not isinstance(obj, list):
        raise _err(source, "$", f"expected a list of decimal strings, got {type(obj).__name__}")
    return [
        _decimal(v, source, f"$[{i}]", R, "the scalar field modulus r") for i, v in enumerate(obj)
    ]


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


def load_json(path: str | Path) -> Any:
    """Read a JSON file; ``ValueError`` naming the file for an unreadable file or invalid JSON."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{p}: cannot read: {exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{p}: invalid JSON: {exc}") from None


def _write(path: str | Path, obj: Any) -> None:
    Path(path).write_text(json.dumps(obj, indent=1) + "\n", encoding="utf-8")


def read_vk(path: str | Path) -> VerifyingKey:
    """Read a snarkjs ``verification_key.json``."""
    return vk_from_json(load_json(path), source=str(path))


def read_proof(path: str | Path) -> Proof:
    """Read a snarkjs ``proof.json``."""
    return proof_from_json(load_json(path), source=str(path))


def read_public(path: str | Path) -> list[int]:
    """Read a snarkjs ``public.json``."""
    return public_from_json(load_json(path), source=str(path))


def write_vk(path: str | Path, vk: VerifyingKey, include_alphabeta: bool = True) -> None:
    """Write ``vk`` as a snarkjs ``verification_key.json``."""
    _write(path, vk_to_json(vk, include_alphabeta=include_alphabeta))


def write_proof(path: str | Path, proof: Proof) -> None:
    """Write ``proof`` as a snarkjs ``proof.json``."""
    _write(path, proof_to_json(proof))


def write_public(path: str | Path, signals: Sequence[int]) -> None:
    """Write public signals as a snarkjs ``public.json``."""
    _write(path, public_to_json(signals))
