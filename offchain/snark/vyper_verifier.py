"""Generate a Vyper 0.4 Groth16 verifier contract from a BN254 verifying key.

The generated contract has the ABI of the Solidity verifier that ``snarkjs zkey export
solidityverifier`` writes, so callers and calldata are interchangeable between the two::

    verifyProof(uint256[2] pA, uint256[2][2] pB, uint256[2] pC, uint256[N] pubSignals) -> bool

Calldata layout (snarkjs ``generatecall`` order)
------------------------------------------------
- ``pA = [A.x, A.y]`` and ``pC = [C.x, C.y]``: affine G1 coordinates.
- ``pB = [[B.x.c1, B.x.c0], [B.y.c1, B.y.c0]]``: affine G2 coordinates with each Fq2 element
  *imaginary part first*. That is the byte order of the EVM pairing precompile (EIP-197), so the
  contract forwards ``pB`` untouched; note it is the reverse of snarkjs's ``proof.json``
  (``pi_b = [[x.c0, x.c1], [y.c0, y.c1], [1, 0]]``). :func:`proof_calldata` does the swap.
- ``pubSignals``: the public inputs in circuit order (snarkjs ``public.json``).
- The point at infinity is ``(0, 0)`` (G1) and all zeros (G2), as the precompiles encode it.

What the contract checks
------------------------
1. Every public input is ``< r`` (the BN254 scalar field order), else ``False``. Without this,
   ``s`` and ``s + r`` would both verify (ecMul reduces scalars mod r).
2. Enough gas is left that no precompile call can run out of gas, else it reverts with
   ``"verifier: out of gas"``. A precompile that runs out of gas fails exactly like one given an
   invalid point; without this check a caller could make a valid proof read as ``False`` by
   sending too little gas. So: ``False`` always means "does not verify", never "too little gas".
3. ``vk_x = IC[0] + Σ pubSignals[i]·IC[i+1]`` with precompiles 0x07 (ecMul) and 0x06 (ecAdd).
   Their inputs are key constants and range-checked scalars, so after check 2 they cannot fail;
   they use ``raw_call``'s default revert-on-failure.
4. One call to precompile 0x08 (ecPairing) with four pairs::

       e(A, B) · e(C, −δ) · e(α, −β) · e(vk_x, −γ) == 1

   This is the usual ``e(−A, B)·e(α, β)·e(vk_x, γ)·e(C, δ) == 1`` inverted (a product is 1 iff
   its inverse is): negating the three *constant* G2 points here, at generation time, saves the
   run-time negation of A and means A reaches the precompile exactly as given, so the
   precompile's own checks (coordinates < q, on the curve; for B also in the order-r subgroup)
   apply to every proof word. (Negating A in the contract as ``q − y`` would also need its own
   ``y < q`` check, or ``y + q`` would alias ``y``.) A failed call — an invalid point — returns
   ``False``; so does a pairing product other than 1. The proof's pairs come first, which lets
   EVMs that validate pair by pair reject a bad point before any Miller loop.

Gas: the precompile floor for N public inputs is 181,000 (pairing) + 6,150·N (ecMul + ecAdd);
the contract adds about 1.5k (N = 1) to 2.7k (N = 3) of its own, calldata is ~4.3k (N = 1).
``tests/offchain/snark/test_vyper_verifier.py`` measures and bounds it.

Inputs to :func:`generate_vyper_verifier`: a snarkjs ``verification_key.json`` dict, or any object
carrying the key in attributes (our ``VerifyingKey``): see :func:`normalize_verifying_key`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from offchain.crypto.field import FQ_MODULUS, FR_MODULUS

__all__ = [
    "FQ_MODULUS",
    "FR_MODULUS",
    "G1Affine",
    "G2Affine",
    "NormalizedVerifyingKey",
    "generate_vyper_verifier",
    "normalize_verifying_key",
    "proof_calldata",
    "vk_digest",
]

#: Affine G1 point ``(x, y)``; ``(0, 0)`` is the point at infinity.
G1Affine = tuple[int, int]
#: Affine G2 point ``((x.c0, x.c1), (y.c0, y.c1))`` (real part first); all zeros is infinity.
G2Affine = tuple[tuple[int, int], tuple[int, int]]

#: Largest number of public inputs the generator accepts. Each input unrolls into a range check,
#: an ecMul and an ecAdd (328 bytes of runtime code; 975 bytes fixed), so 64 inputs stay under the
#: 24,576-byte EIP-170 limit (~22 KB). Circuits with more inputs should hash them into one.
MAX_PUBLIC_INPUTS = 64

#: BN254 curve coefficients: G1 is y² = x³ + 3 over Fq; G2 is y² = x³ + 3/(9+u) over Fq2.
_B1 = 3


@dataclass(frozen=True)
class NormalizedVerifyingKey:
    """A Groth16 verifying key reduced to plain integers, as the generator consumes it.

    Attributes:
        alpha_1: α in G1.
        beta_2, gamma_2, delta_2: β, γ, δ in G2, Fq2 elements as ``(c0, c1)``.
        ic: ``IC[0..N]`` in G1 (snarkjs ``IC``, gnark ``K``); ``len(ic) == n_public + 1``.
    """

    alpha_1: G1Affine
    beta_2: G2Affine
    gamma_2: G2Affine
    delta_2: G2Affine
    ic: tuple[G1Affine, ...]

    @property
    def n_public(self) -> int:
        """Number of public inputs (``len(ic) - 1``)."""
        return len(self.ic) - 1

    def to_snarkjs(self) -> dict[str, Any]:
        """The key as a snarkjs ``verification_key.json`` dict (without ``vk_alphabeta_12``)."""

        def g1(p: G1Affine) -> list[str]:
            return [str(p[0]), str(p[1]), "1"] if p != (0, 0) else ["0", "1", "0"]

        def g2(p: G2Affine) -> list[list[str]]:
            if p == ((0, 0), (0, 0)):
                return [["0", "0"], ["1", "0"], ["0", "0"]]
            return [[str(p[0][0]), str(p[0][1])], [str(p[1][0]), str(p[1][1])], ["1", "0"]]

        return {
            "protocol": "groth16",
            "curve": "bn128",
            "nPublic": self.n_public,
            "vk_alpha_1": g1(self.alpha_1),
            "vk_beta_2": g2(self.beta_2),
            "vk_gamma_2": g2(self.gamma_2),
            "vk_delta_2": g2(self.delta_2),
            "IC": [g1(p) for p in self.ic],
        }


# ---------------------------------------------------------------------------------------------
# Reading keys and proofs in the shapes we meet (snarkjs JSON, our VerifyingKey, py-ecc points)
# ---------------------------------------------------------------------------------------------


def _as_int(v: Any) -> int:
    """An int from an int, a decimal/hex string, or a py-ecc ``FQ`` (anything with ``.n``)."""
    if isinstance(v, bool):
        raise TypeError("a coordinate cannot be a bool")
    if isinstance(v, int):
        return v
    if isinstance(v, str):
        return int(v, 0) if v.lower().startswith("0x") else int(v)
    if hasattr(v, "n"):
        return int(v.n)
    raise TypeError(f"cannot read a field element from {type(v).__name__}")


def _fq2(v: Any) -> tuple[int, int]:
    """``(c0, c1)`` from a pair or a py-ecc ``FQ2`` (``.coeffs``)."""
    if hasattr(v, "coeffs"):
        c = v.coeffs
        return (_as_int(c[0]), _as_int(c[1]))
    if isinstance(v, Sequence) and not isinstance(v, str) and len(v) == 2:
        return (_as_int(v[0]), _as_int(v[1]))
    raise TypeError(f"cannot read an Fq2 element from {v!r}")


def _g1(p: Any, what: str) -> G1Affine:
    """Affine ``(x, y)`` from ``None`` (infinity), ``(x, y)`` or projective ``(x, y, z)`` with
    ``z ∈ {0, 1}`` (snarkjs JSON writes ``z = 1``; a py-ecc ``optimized_bn128`` point is
    normalised)."""
    if p is None:
        return (0, 0)
    if not isinstance(p, Sequence) or isinstance(p, str) or len(p) not in (2, 3):
        raise ValueError(f"{what}: expected a G1 point (x, y[, z]), got {p!r}")
    if len(p) == 3:
        z = _as_int(p[2])
        if z == 0:
            return (0, 0)
        if z != 1:
            zi = pow(z, -1, FQ_MODULUS)
            return (_as_int(p[0]) * zi % FQ_MODULUS, _as_int(p[1]) * zi % FQ_MODULUS)
    x, y = _as_int(p[0]), _as_int(p[1])
    return (x, y)


def _g2(p: Any, what: str) -> G2Affine:
    """Affine ``((x.c0, x.c1), (y.c0, y.c1))`` from ``None``, a pair of Fq2 or a projective
    triple with ``z = 1`` / ``z = 0`` (snarkjs JSON: ``[[x0, x1], [y0, y1], ["1", "0"]]``)."""
    if p is None:
        return ((0, 0), (0, 0))
    if not isinstance(p, Sequence) or isinstance(p, str) or len(p) not in (2, 3):
        raise ValueError(f"{what}: expected a G2 point (x, y[, z]), got {p!r}")
    if len(p) == 3:
        z = _fq2(p[2])
        if z == (0, 0):
            return ((0, 0), (0, 0))
        if z != (1, 0):
            raise ValueError(f"{what}: projective G2 point with z != 1; normalise it first")
    return (_fq2(p[0]), _fq2(p[1]))


def _check_g1(p: G1Affine, what: str) -> None:
    x, y = p
    if not (0 <= x < FQ_MODULUS and 0 <= y < FQ_MODULUS):
        raise ValueError(f"{what}: coordinate out of range [0, q)")
    if p != (0, 0) and (y * y - x * x * x - _B1) % FQ_MODULUS != 0:
        raise ValueError(f"{what}: point is not on the BN254 G1 curve")


def _check_g2(p: G2Affine, what: str) -> None:
    for c in (*p[0], *p[1]):
        if not 0 <= c < FQ_MODULUS:
            raise ValueError(f"{what}: coordinate out of range [0, q)")
    if p == ((0, 0), (0, 0)):
        return
    # y² = x³ + b2 with b2 = 3 / (9 + u). Fq2 = Fq[u]/(u² + 1).
    q = FQ_MODULUS

    def mul(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
        return ((a[0] * b[0] - a[1] * b[1]) % q, (a[0] * b[1] + a[1] * b[0]) % q)

    inv_9u = pow(9 * 9 + 1, -1, q)
    b2 = (3 * 9 * inv_9u % q, (-3) * inv_9u % q)  # 3/(9+u) = 3(9-u)/82
    x, y = p
    lhs = mul(y, y)
    x3 = mul(mul(x, x), x)
    rhs = ((x3[0] + b2[0]) % q, (x3[1] + b2[1]) % q)
    if lhs != rhs:
        raise ValueError(f"{what}: point is not on the BN254 G2 twist")
    # The twist has cofactor 2q - r. The pairing precompile rejects a point outside the order-r
    # subgroup, so a key holding one would make a contract that verifies nothing: refuse it here.
    from py_ecc import optimized_bn128 as bn

    pt = (bn.FQ2(list(x)), bn.FQ2(list(y)), bn.FQ2.one())
    if not bn.is_inf(bn.multiply(pt, FR_MODULUS)):
        raise ValueError(f"{what}: point is on the G2 twist but outside the order-r subgroup")


def _get(obj: Any, names: Sequence[str], what: str) -> Any:
    """The first of ``names`` found on ``obj`` (mapping key or attribute)."""
    for n in names:
        if isinstance(obj, Mapping):
            if n in obj:
                return obj[n]
        elif hasattr(obj, n):
            return getattr(obj, n)
    raise ValueError(f"verifying key has no {what} (looked for {', '.join(names)})")


def normalize_verifying_key(vk: Any) -> NormalizedVerifyingKey:
    """Read a Groth16 BN254 verifying key into plain integers and validate it.

    Accepted shapes:

    - a snarkjs ``verification_key.json`` dict (``protocol == "groth16"``, ``curve == "bn128"``,
      keys ``vk_alpha_1``, ``vk_beta_2``, ``vk_gamma_2``, ``vk_delta_2``, ``IC``);
    - a :class:`NormalizedVerifyingKey`;
    - an object with a ``to_snarkjs()`` method returning such a dict;
    - any mapping/object with attributes named ``alpha_1``/``alpha``/``alpha_g1``,
      ``beta_2``/``beta``/``beta_g2``, ``gamma_2``/``gamma``/``gamma_g2``,
      ``delta_2``/``delta``/``delta_g2`` and ``ic``/``IC``/``gamma_abc``, where G1 points are
      ``(x, y)``, ``(x, y, z)`` or ``None`` and G2 points ``((x0, x1), (y0, y1))`` (real part first,
      ``offchain.crypto.bn254``'s convention) or py-ecc points.

    Raises:
        ValueError: wrong protocol/curve, ``nPublic`` disagreeing with ``IC``, no public inputs or
            more than :data:`MAX_PUBLIC_INPUTS`, a coordinate ≥ q, or a point off its curve.
    """
    if isinstance(vk, NormalizedVerifyingKey):
        return vk
    if not isinstance(vk, Mapping) and hasattr(vk, "to_snarkjs"):
        vk = vk.to_snarkjs()
    if isinstance(vk, Mapping) and "vk_alpha_1" in vk:
        protocol = vk.get("protocol", "groth16")
        curve = vk.get("curve", "bn128")
        if protocol != "groth16":
            raise ValueError(f"verifying key protocol is {protocol!r}, expected 'groth16'")
        if curve not in ("bn128", "bn254"):
            raise ValueError(f"verifying key curve is {curve!r}, expected 'bn128' (BN254)")
        alpha = _g1(vk["vk_alpha_1"], "vk_alpha_1")
        beta = _g2(vk["vk_beta_2"], "vk_beta_2")
        gamma = _g2(vk["vk_gamma_2"], "vk_gamma_2")
        delta = _g2(vk["vk_delta_2"], "vk_delta_2")
        ic = tuple(_g1(p, f"IC[{i}]") for i, p in enumerate(vk["IC"]))
        if "nPublic" in vk and int(vk["nPublic"]) != len(ic) - 1:
            raise ValueError(f"nPublic = {vk['nPublic']} but IC has {len(ic)} points")
    else:
        alpha = _g1(_get(vk, ("alpha_1", "alpha", "alpha_g1", "alpha1"), "alpha"), "alpha")
        beta = _g2(_get(vk, ("beta_2", "beta", "beta_g2", "beta2"), "beta"), "beta")
        gamma = _g2(_get(vk, ("gamma_2", "gamma", "gamma_g2", "gamma2"), "gamma"), "gamma")
        delta = _g2(_get(vk, ("delta_2", "delta", "delta_g2", "delta2"), "delta"), "delta")
        ic = tuple(
            _g1(p, f"IC[{i}]") for i, p in enumerate(_get(vk, ("ic", "IC", "gamma_abc", "k"), "IC"))
        )
    nvk = NormalizedVerifyingKey(alpha, beta, gamma, delta, ic)
    if not 1 <= nvk.n_public <= MAX_PUBLIC_INPUTS:
        raise ValueError(
            f"verifier needs 1..{MAX_PUBLIC_INPUTS} public inputs, the key has {nvk.n_public}"
        )
    _check_g1(alpha, "alpha")
    for name, p in (("beta", beta), ("gamma", gamma), ("delta", delta)):
        _check_g2(p, name)
    for i, p in enumerate(ic):
        _check_g1(p, f"IC[{i}]")
    return nvk


def vk_digest(vk: Any) -> str:
    """SHA-256 (hex) of the key's canonical snarkjs JSON (sorted keys, no spaces).

    Embedded in the generated contract's NatSpec so a deployment can be matched to its key.
    """
    nvk = normalize_verifying_key(vk)
    blob = json.dumps(nvk.to_snarkjs(), sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()


def proof_calldata(
    proof: Any, public_inputs: Sequence[Any]
) -> tuple[list[int], list[list[int]], list[int], list[int]]:
    """``(pA, pB, pC, pubSignals)`` for ``verifyProof`` from a snarkjs ``proof.json`` dict (or an
    object/mapping with ``a``/``pi_a``, ``b``/``pi_b``, ``c``/``pi_c``).

    ``pB`` gets each Fq2 element imaginary part first (the EIP-197 order). No validation: this
    also builds calldata for deliberately bad proofs. Infinity becomes ``(0, 0)`` / zeros.
    """
    if not isinstance(proof, Mapping) and hasattr(proof, "to_snarkjs"):
        proof = proof.to_snarkjs()
    if isinstance(proof, Mapping) and "pi_a" in proof:
        a, b, c = proof["pi_a"], proof["pi_b"], proof["pi_c"]
    else:
        a = _get(proof, ("a", "pi_a", "A"), "A")
        b = _get(proof, ("b", "pi_b", "B"), "B")
        c = _get(proof, ("c", "pi_c", "C"), "C")
    pa = _g1(a, "A")
    pb = _g2(b, "B")
    pc = _g1(c, "C")
    return (
        [pa[0], pa[1]],
        [[pb[0][1], pb[0][0]], [pb[1][1], pb[1][0]]],
        [pc[0], pc[1]],
        [_as_int(s) for s in public_inputs],
    )


# ---------------------------------------------------------------------------------------------
# The contract template
# ---------------------------------------------------------------------------------------------

_CONTRACT = """\
# pragma version ~=0.4.3
\"\"\"
@title Groth16Verifier ({n} public input{plural})
@notice Verifies a Groth16 proof over BN254 against one fixed verifying key, embedded as
        constants. Same ABI as the verifier `snarkjs zkey export solidityverifier` writes.
        Generated by `hatchway snark verifier` (offchain/snark/vyper_verifier.py); do not
        edit: regenerate from the key instead.
@dev Checks, in order: every public input < r; enough gas left that no precompile can run out;
     vk_x = IC0 + sum(pubSignals[i] * IC[i+1]) via precompiles 0x07 (ecMul) and 0x06 (ecAdd);
     one ecPairing (0x08) call on four pairs
         e(A, B) * e(C, -delta) * e(alpha, -beta) * e(vk_x, -gamma) == 1,
     which is the usual e(-A, B) * e(alpha, beta) * e(vk_x, gamma) * e(C, delta) == 1 inverted:
     the three constant G2 points are negated at generation time, so A reaches the precompile
     exactly as given and nothing is negated at run time. The proof's own pairs come first so
     that EVMs that validate pair by pair reject a bad proof point early.
     Verifying key sha256 (canonical snarkjs JSON): {digest}
@custom:security Returns True only if the pairing precompile ran and returned 1. On any caller
     input it otherwise returns False: a public input >= r, a proof coordinate >= q, a point off
     its curve, B outside the order-r subgroup (the precompile checks these and its call fails),
     or a pairing product other than 1. The reverts do not depend on the proof: "verifier: out
     of gas" when too little gas is left for the precompiles (a precompile out of gas fails like
     one given a bad point, so without this a caller could make a valid proof read as False),
     and the ABI decoder's rejection of short calldata or attached ETH. The ecMul/ecAdd calls
     take key constants and checked scalars, so they cannot fail once the gas check passed (if
     one did, the call would revert, not answer). Give the call at least GAS_RESERVE + 200 gas.
     Soundness rests on the trusted setup behind the key: whoever holds its toxic waste can forge
     proofs. Groth16 proofs are malleable (anyone can re-randomise a valid proof into another
     valid proof of the same statement): never use proof bytes as a nullifier or unique id.
\"\"\"

# BN254 scalar field order r: every public input must be below it.
R: constant(uint256) = {r}

# Precompiles (EIP-196, EIP-197; prices from EIP-1108).
EC_ADD: constant(address) = 0x0000000000000000000000000000000000000006
EC_MUL: constant(address) = 0x0000000000000000000000000000000000000007
EC_PAIRING: constant(address) = 0x0000000000000000000000000000000000000008
EC_ADD_GAS: constant(uint256) = 150
EC_MUL_GAS: constant(uint256) = 6000
# 45,000 + 34,000 per pair, four pairs.
PAIRING_GAS: constant(uint256) = 181000
# Gas that must be left after the input checks: every precompile's price, the 1/64 that CALL
# withholds from the pairing call (EIP-150), and this contract's own work in between.
GAS_RESERVE: constant(uint256) = (
    PAIRING_GAS * 64 // 63 + {n} * (EC_MUL_GAS + EC_ADD_GAS) + {overhead_gas}
)

# Verifying key. G2 coordinates in precompile order: x.c1, x.c0, y.c1, y.c0.
ALPHA_X: constant(uint256) = {alpha_x}
ALPHA_Y: constant(uint256) = {alpha_y}
NEG_BETA_X1: constant(uint256) = {nbeta_x1}
NEG_BETA_X0: constant(uint256) = {nbeta_x0}
NEG_BETA_Y1: constant(uint256) = {nbeta_y1}
NEG_BETA_Y0: constant(uint256) = {nbeta_y0}
NEG_GAMMA_X1: constant(uint256) = {ngamma_x1}
NEG_GAMMA_X0: constant(uint256) = {ngamma_x0}
NEG_GAMMA_Y1: constant(uint256) = {ngamma_y1}
NEG_GAMMA_Y0: constant(uint256) = {ngamma_y0}
NEG_DELTA_X1: constant(uint256) = {ndelta_x1}
NEG_DELTA_X0: constant(uint256) = {ndelta_x0}
NEG_DELTA_Y1: constant(uint256) = {ndelta_y1}
NEG_DELTA_Y0: constant(uint256) = {ndelta_y0}
# IC[0] as the 64-byte ecAdd operand (x || y), then IC[1] to IC[{n}] as coordinates.
IC0: constant(Bytes[64]) = x"{ic0_hex}"
{ic_constants}


@external
@view
def verifyProof(
    pA: uint256[2], pB: uint256[2][2], pC: uint256[2], pubSignals: uint256[{n}]
) -> bool:
    \"\"\"
    @notice Check a Groth16 proof for the given public inputs against the embedded key.
    @dev Returns False, never reverts, on a bad proof or bad public inputs. Reverts with
         "verifier: out of gas" if called with too little gas to run the precompiles.
    @param pA Proof point A (G1): [x, y].
    @param pB Proof point B (G2): [[x.c1, x.c0], [y.c1, y.c0]], imaginary parts first.
    @param pC Proof point C (G1): [x, y].
    @param pubSignals The public inputs, in circuit order, each < r.
    @return True iff the proof verifies for these public inputs.
    \"\"\"
{range_checks}
    assert msg.gas >= GAS_RESERVE, "verifier: out of gas"
    # vk_x = IC0 + sum(pubSignals[i] * IC[i+1])
{vk_x_blocks}
    ok: bool = False
    res: Bytes[32] = b""
    ok, res = raw_call(
        EC_PAIRING,
        abi_encode(
            pA[0], pA[1], pB[0][0], pB[0][1], pB[1][0], pB[1][1],
            pC[0], pC[1], NEG_DELTA_X1, NEG_DELTA_X0, NEG_DELTA_Y1, NEG_DELTA_Y0,
            ALPHA_X, ALPHA_Y, NEG_BETA_X1, NEG_BETA_X0, NEG_BETA_Y1, NEG_BETA_Y0,
            extract32(vk_x, 0, output_type=uint256), extract32(vk_x, 32, output_type=uint256),
            NEG_GAMMA_X1, NEG_GAMMA_X0, NEG_GAMMA_Y1, NEG_GAMMA_Y0,
        ),
        max_outsize=32,
        is_static_call=True,
        revert_on_failure=False,
    )
    if not ok:
        # A proof point with a coordinate >= q, off its curve, or B outside G2.
        return False
    return convert(res, uint256) == 1
"""

_RANGE_CHECK = """\
    if pubSignals[{i}] >= R:
        return False"""

_VK_X_FIRST = """\
    p: Bytes[64] = raw_call(
        EC_MUL, abi_encode(IC1_X, IC1_Y, pubSignals[0]), max_outsize=64, is_static_call=True
    )
    vk_x: Bytes[64] = raw_call(EC_ADD, concat(IC0, p), max_outsize=64, is_static_call=True)"""

_VK_X_NEXT = """\
    p = raw_call(
        EC_MUL, abi_encode(IC{j}_X, IC{j}_Y, pubSignals[{i}]), max_outsize=64, is_static_call=True
    )
    vk_x = raw_call(EC_ADD, concat(vk_x, p), max_outsize=64, is_static_call=True)"""

#: Gas the contract spends between the gas check and the pairing call, as a bound: a fixed part
#: and a part per public input (measured at ~700 + ~350·N; the test suite checks that a call
#: with exactly the reserve verifies, so a codegen change that outgrows this fails a test).
_OVERHEAD_GAS_FIXED = 1500
_OVERHEAD_GAS_PER_INPUT = 800


def _neg_g2_precompile_order(p: G2Affine) -> tuple[int, int, int, int]:
    """``-p`` as ``(x.c1, x.c0, y.c1, y.c0)`` (precompile order); ``-∞ = ∞``."""
    (x0, x1), (y0, y1) = p
    return (x1, x0, (-y1) % FQ_MODULUS, (-y0) % FQ_MODULUS)


def generate_vyper_verifier(vk: Any) -> str:
    """Vyper 0.4.3 source of a Groth16 verifier for ``vk`` (see the module docstring).

    Args:
        vk: a snarkjs ``verification_key.json`` dict, a ``VerifyingKey``-like object, or a
            :class:`NormalizedVerifyingKey` (see :func:`normalize_verifying_key`).

    Returns:
        The contract source; deterministic for a given key.

    Raises:
        ValueError: the key is malformed (see :func:`normalize_verifying_key`).
    """
    nvk = normalize_verifying_key(vk)
    n = nvk.n_public
    nb = _neg_g2_precompile_order(nvk.beta_2)
    ng = _neg_g2_precompile_order(nvk.gamma_2)
    nd = _neg_g2_precompile_order(nvk.delta_2)
    ic_constants = "\n".join(
        f"IC{j}_X: constant(uint256) = {p[0]}\nIC{j}_Y: constant(uint256) = {p[1]}"
        for j, p in enumerate(nvk.ic)
        if j > 0
    )
    range_checks = "\n".join(_RANGE_CHECK.format(i=i) for i in range(n))
    blocks = [_VK_X_FIRST] + [_VK_X_NEXT.format(i=i, j=i + 1) for i in range(1, n)]
    return _CONTRACT.format(
        n=n,
        plural="" if n == 1 else "s",
        digest=vk_digest(nvk),
        r=FR_MODULUS,
        overhead_gas=_OVERHEAD_GAS_FIXED + n * _OVERHEAD_GAS_PER_INPUT,
        ic0_hex=f"{nvk.ic[0][0]:064x}{nvk.ic[0][1]:064x}",
        alpha_x=nvk.alpha_1[0],
        alpha_y=nvk.alpha_1[1],
        nbeta_x1=nb[0],
        nbeta_x0=nb[1],
        nbeta_y1=nb[2],
        nbeta_y0=nb[3],
        ngamma_x1=ng[0],
        ngamma_x0=ng[1],
        ngamma_y1=ng[2],
        ngamma_y0=ng[3],
        ndelta_x1=nd[0],
        ndelta_x0=nd[1],
        ndelta_y1=nd[2],
        ndelta_y0=nd[3],
        ic_constants=ic_constants,
        range_checks=range_checks,
        vk_x_blocks="\n".join(blocks),
    )
