"""EdDSA-Poseidon gadget: satisfiable exactly when ``offchain.crypto.eddsa.verify`` accepts.

Real signatures from ``eddsa.sign`` pass; every tampered input (S, R8, A, message), S ≥ l, a
small-order key, off-curve points, and forged intermediates with an otherwise consistent
witness fail, each at the constraint that is meant to catch it. ``enabled = 0`` accepts any
inputs. The node tests compile circomlib's ``EdDSAPoseidonVerifier`` with circom2: constraint
counts, and its own witness calculator agreeing with us on the same signatures.
"""

from __future__ import annotations

import json
import random
import subprocess
from collections.abc import Callable
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offchain.crypto import babyjub as bj
from offchain.crypto import eddsa
from offchain.snark.gadgets.eddsa import EDDSA_VERIFY_COST, S_BITS, eddsa_poseidon_verify
from offchain.snark.r1cs import R1CS, R
from tests.offchain.snark.test_gadgets_babyjub import (
    T8,
    TORSION,
    assert_single_wire_tampering_caught,
)
from tests.offchain.snark.test_gadgets_basic import ForgingCircuit, violated_label

L = bj.SUB_ORDER
INPUTS = ("enabled", "ax", "ay", "s", "r8x", "r8y", "msg")
CIRCOMLIB_COST = 4217  # EdDSAPoseidonVerifier, circomlib 2.0.5, circom 2.2.3 --O2

keys = st.binary(min_size=32, max_size=32)

# Each example signs (~20 ms) and builds a ~3.4k-constraint witness: a sixth of the profile's
# examples (10 by default, 333 under the audit profile).
fewer = settings(max_examples=max(8, settings.default.max_examples // 6))
messages = st.one_of(st.sampled_from([0, 1, R - 1]), st.integers(0, R - 1))


@cache
def verifier() -> tuple[ForgingCircuit, R1CS]:
    c = ForgingCircuit("eddsa")
    eddsa_poseidon_verify(c, *(c.private_input(n) for n in INPUTS))
    return c, c.compile_private()


@cache
def _signed(prv: bytes, msg: int) -> dict[str, int]:
    ax, ay = eddsa.public_key(prv)
    r8x, r8y, s = eddsa.sign(prv, msg)
    return dict(enabled=1, ax=ax, ay=ay, s=s, r8x=r8x, r8y=r8y, msg=msg)


def _verdict(inputs: dict[str, int]) -> bool:
    """The native verdict, with an A off the curve (a ValueError there) counted as a reject."""
    try:
        return eddsa.verify(
            (inputs["ax"], inputs["ay"]), inputs["msg"], (inputs["r8x"], inputs["r8y"], inputs["s"])
        )
    except ValueError:
        return False


def _label(inputs: dict[str, int]) -> str | None:
    """The first violated constraint's label, or None when the witness satisfies everything."""
    c, system = verifier()
    i = system.first_violation(c.witness(inputs))
    return None if i is None else system.constraints[i].label


# ---------------------------------------------------------------------------------------------
# Valid signatures, cost, disabled slots
# ---------------------------------------------------------------------------------------------


@fewer
@given(prv=keys, msg=messages)
def test_real_signatures_verify(prv, msg):
    inputs = _signed(prv, msg)
    assert _verdict(inputs)
    assert _label(inputs) is None


def test_cost_and_lint():
    c, system = verifier()
    assert system.n_constraints == EDDSA_VERIFY_COST == 3434
    assert EDDSA_VERIFY_COST <= CIRCOMLIB_COST
    assert c.lint() == []
    assert S_BITS == 251 and L < 1 << S_BITS


def test_constant_enabled():
    c0 = ForgingCircuit()
    eddsa_poseidon_verify(c0, 0, *(c0.private_input(n) for n in INPUTS[1:]))
    assert c0.n_constraints == 0
    c1 = ForgingCircuit()
    eddsa_poseidon_verify(c1, 1, *(c1.private_input(n) for n in INPUTS[1:]))
    assert c1.n_constraints == EDDSA_VERIFY_COST - 6  # no booleanity, no substitutions
    inputs = _signed(bytes(32), 5)
    system = c1.compile_private()
    w = c1.witness({k: v for k, v in inputs.items() if k != "enabled"})
    system.check_witness(w)
    bad = {k: v for k, v in inputs.items() if k != "enabled"} | {"msg": 6}
    assert violated_label(system, c1.witness(bad)).startswith("eddsa.check")
    with pytest.raises(ValueError, match="0 or 1"):
        eddsa_poseidon_verify(ForgingCircuit(), 2, 0, 0, 0, 0, 0, 0)


field = st.one_of(st.sampled_from([0, 1, R - 1]), st.integers(0, R - 1))


@fewer
@given(values=st.fixed_dictionaries({n: field for n in INPUTS[1:]}))
def test_disabled_accepts_any_inputs(values):
    """The noop slot: zeros, garbage, off-curve points, S ≥ 2^251 — all satisfiable."""
    assert _label({"enabled": 0, **values}) is None
    assert _label({"enabled": 0, **{n: 0 for n in INPUTS[1:]}}) is None


@given(prv=keys, msg=messages, enabled=st.integers(2, R - 1))
@fewer
def test_enabled_must_be_boolean(prv, msg, enabled):
    assert _label({**_signed(prv, msg), "enabled": enabled}) == "eddsa.enabled"


# ---------------------------------------------------------------------------------------------
# Tampered inputs: the circuit agrees with the native verifier, and fails where it should
# ---------------------------------------------------------------------------------------------

L_MINUS_1 = L - 1


@settings(max_examples=max(20, settings.default.max_examples // 3))
@given(
    prv=keys,
    msg=messages,
    field_name=st.sampled_from(INPUTS[1:]),
    delta=st.one_of(st.sampled_from([1, R - 1, L, 2 * L, 1 << 251]), st.integers(1, R - 1)),
)
def test_any_tampered_input_is_rejected_like_the_native_verifier(prv, msg, field_name, delta):
    inputs = dict(_signed(prv, msg))
    inputs[field_name] = (inputs[field_name] + delta) % R
    assert (_label(inputs) is None) == _verdict(inputs)
    assert not _verdict(inputs)  # one changed value never keeps a signature valid


@fewer
@given(prv=keys, msg=messages, delta=st.integers(1, R - 1))
def test_tampered_message_fails_the_equation(prv, msg, delta):
    inputs = {**_signed(prv, msg), "msg": (msg + delta) % R}
    assert _label(inputs) in ("eddsa.check.x", "eddsa.check.y")


@fewer
@given(prv=keys, msg=messages, k=st.integers(1, 7))
def test_s_at_or_above_the_subgroup_order_is_rejected(prv, msg, k):
    """S + k·l gives the same S·B8, so only the range check stands in the way."""
    inputs = _signed(prv, msg)
    s_big = inputs["s"] + k * L
    label = _label({**inputs, "s": s_big % R})
    if s_big < 1 << S_BITS:
        assert label.startswith("eddsa.s_lt_l")
    else:
        assert label.startswith(("eddsa.s_bits", "eddsa.s_lt_l"))
    assert _label({**inputs, "s": L}).startswith("eddsa.s_lt_l")
    assert _label({**inputs, "s": L_MINUS_1}) in ("eddsa.check.x", "eddsa.check.y")


@fewer
@given(prv=keys, other=keys, msg=messages)
def test_another_key_or_nonce_fails(prv, other, msg):
    inputs = _signed(prv, msg)
    if eddsa.public_key(other) != eddsa.public_key(prv):
        ox, oy = eddsa.public_key(other)
        assert _label({**inputs, "ax": ox, "ay": oy}) in ("eddsa.check.x", "eddsa.check.y")
    # R8 moved to another curve point
    r8 = bj.add((inputs["r8x"], inputs["r8y"]), bj.BASE8)
    assert _label({**inputs, "r8x": r8[0], "r8y": r8[1]}) in ("eddsa.check.x", "eddsa.check.y")


@fewer
@given(prv=keys, msg=messages, dy=st.integers(1, R - 1))
def test_off_curve_points_are_rejected(prv, msg, dy):
    inputs = _signed(prv, msg)
    r8 = (inputs["r8x"], (inputs["r8y"] + dy) % R)
    if not bj.is_on_curve(r8):
        assert _label({**inputs, "r8y": r8[1]}) == "eddsa.r8_on_curve"
    a = (inputs["ax"], (inputs["ay"] + dy) % R)
    if not bj.is_on_curve(a):
        assert _label({**inputs, "ay": a[1]}) == "eddsa.a_on_curve"


@fewer
@given(s=st.integers(0, L - 1), t=st.integers(0, 7), msg=messages)
def test_small_order_keys_are_rejected(s, t, msg):
    """With 8·A = identity, S·B8 == R8 + hm·8A holds for R8 = S·B8 and *any* message: the
    universal forgery that circomlib's isZero check (and ours) prevents."""
    r8 = bj.mul(bj.BASE8, s)
    a = TORSION[t]
    inputs = dict(enabled=1, ax=a[0], ay=a[1], s=s, r8x=r8[0], r8y=r8[1], msg=msg)
    assert not _verdict(inputs)
    assert _label(inputs) == "eddsa.a8_not_small"
    assert _label({**inputs, "enabled": 0}) is None


def test_a_key_with_a_torsion_component_is_not_small_order():
    # A = pub + T8 is accepted by both sides: 8·A = 8·pub (the cofactor clears the torsion).
    prv = bytes(range(32))
    inputs = _signed(prv, 77)
    a = bj.add((inputs["ax"], inputs["ay"]), T8)
    ax, ay = a
    tampered = {**inputs, "ax": ax, "ay": ay}
    # hm changes with A, so the old signature fails, like natively
    assert (_label(tampered) is None) == _verdict(tampered) is False


# ---------------------------------------------------------------------------------------------
# Forged intermediates (a malicious prover with an otherwise honest, consistent witness)
# ---------------------------------------------------------------------------------------------


def _claim_bits(prefix: str, value: int, n: int) -> dict[str, Callable[[object, int], int]]:
    """A forgery that sets the bit signals 1..n-1 of a decomposition to those of ``value``
    (bit 0 is an LC of the others, not a signal)."""

    def bit(i: int) -> Callable[[object, int], int]:
        return lambda ev, v: (value >> i) & 1

    return {f"{prefix}.bit{i}": bit(i) for i in range(1, n)}


def _hm(inputs: dict[str, int]) -> int:
    from offchain.crypto.poseidon import poseidon

    return poseidon([inputs[k] for k in ("r8x", "r8y", "ax", "ay", "msg")])


@fewer
@given(prv=keys, msg=messages, fake_hm=st.integers(0, R - 1), s=st.integers(0, L - 1))
def test_a_forgery_with_a_chosen_hash_fails_at_the_hash_bits(prv, msg, fake_hm, s):
    """The textbook forgery: choose S and hm', set R8 = S·B8 - hm'·8A. The equation then holds
    for hm', and the forger claims hm' for the hash's bits — which must fail to recompose."""
    ax, ay = eddsa.public_key(prv)
    a8 = bj.mul((ax, ay), 8)
    r8 = bj.add(bj.mul(bj.BASE8, s), bj.neg(bj.mul(a8, fake_hm)))
    inputs = dict(enabled=1, ax=ax, ay=ay, s=s, r8x=r8[0], r8y=r8[1], msg=msg)
    if _hm(inputs) == fake_hm:
        return  # a genuine signature (probability 2^-254)
    c, system = verifier()
    assert _label(inputs) in ("eddsa.check.x", "eddsa.check.y")  # honest hash: mismatch
    forged = c.forged_witness(inputs, _claim_bits("eddsa.hm_bits", fake_hm, 254))
    # Bit 0 is the LC "hm - Σ 2^i·bit_i", so it cannot be forged along: it turns non-boolean.
    assert violated_label(system, forged) == "eddsa.hm_bits.bit0"


@fewer
@given(prv=keys, msg=messages, s=st.integers(0, L - 1), coord=st.sampled_from("xy"))
def test_a_forged_scalar_multiplication_result_fails(prv, msg, s, coord):
    """Claim hm·8A = S·B8 - R8 for a chosen S (what would make the equation hold)."""
    inputs = {**_signed(prv, msg), "s": s}
    c, system = verifier()
    target = bj.add(bj.mul(bj.BASE8, s), bj.neg((inputs["r8x"], inputs["r8y"])))
    forged = c.forged_witness(
        inputs,
        {
            "eddsa.hm_a8.fix.x": lambda ev, v: target[0],
            "eddsa.hm_a8.fix.y": lambda ev, v: target[1],
        },
    )
    if target == bj.mul(bj.mul((inputs["ax"], inputs["ay"]), 8), _hm(inputs)):
        return
    assert violated_label(system, forged).startswith("eddsa.hm_a8.fix")


@given(prv=keys, msg=messages)
@fewer
def test_forged_s_bits_fail(prv, msg):
    """S's bits claiming S + l (same point, passes the equation) fail to recompose to S."""
    inputs = _signed(prv, msg)
    c, system = verifier()
    fake = inputs["s"] + L
    forged = c.forged_witness(inputs, _claim_bits("eddsa.s_bits", fake, S_BITS))
    assert violated_label(system, forged).startswith("eddsa.s_bits")


@pytest.mark.parametrize("enabled", [1, 0])
def test_every_signal_is_determined(enabled):
    """Perturbing any single signal of the gadget breaks the witness (enabled or not)."""
    c, system = verifier()
    inputs = {**_signed(bytes(range(32)), 424242), "enabled": enabled}
    assert_single_wire_tampering_caught(system, c.witness(inputs), [], first_wire=1 + len(INPUTS))


# ---------------------------------------------------------------------------------------------
# circom2 + circomlib
# ---------------------------------------------------------------------------------------------


@pytest.mark.node
def test_cost_and_verdicts_against_circomlib(tmp_path):
    from tests.offchain.snark.test_gadgets_poseidon import (
        _r1cs_constraint_count,
        compile_circomlib,
    )

    out = compile_circomlib(tmp_path, ["eddsaposeidon"], "EdDSAPoseidonVerifier()", wasm=True)
    theirs = _r1cs_constraint_count(out / "main.r1cs")
    print(f"EdDSAPoseidonVerifier: ours {EDDSA_VERIFY_COST}, circomlib {theirs}")
    assert theirs == CIRCOMLIB_COST and EDDSA_VERIFY_COST <= theirs
    # circomlib's witness calculator asserts its constraints: it must accept what we accept
    # and refuse what we refuse, on the same inputs.
    rng = random.Random(11)
    js = out / "main_js"
    cases = []
    for k in range(3):
        good = _signed(rng.randbytes(32), rng.randrange(R))
        cases += [(good, True), ({**good, "msg": (good["msg"] + 1) % R}, False)]
        cases.append(
            ({**good, "s": good["s"] + L} if k == 0 else {**good, "enabled": 0, "msg": 0}, k != 0)
        )
    for inputs, ok in cases:
        assert (_label(inputs) is None) == ok
        names = {
            "enabled": "enabled",
            "ax": "Ax",
            "ay": "Ay",
            "s": "S",
            "r8x": "R8x",
            "r8y": "R8y",
            "msg": "M",
        }
        (tmp_path / "input.json").write_text(
            json.dumps({names[k]: str(v) for k, v in inputs.items()})
        )
        proc = subprocess.run(
            [
                "node",
                str(js / "generate_witness.js"),
                str(js / "main.wasm"),
                "input.json",
                "w.wtns",
            ],
            cwd=tmp_path,
            capture_output=True,
            timeout=120,
        )
        assert (proc.returncode == 0) == ok, (inputs, proc.stderr[-300:])
