"""The circuit builder: constraints and witness from one description; bad witnesses fail."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from offchain.snark.r1cs import LC, Circuit, R


def cube_circuit() -> Circuit:
    # x^3 + x + 5 == out, with out public (the classic example).
    c = Circuit("cube")
    out = c.public_input("out")
    x = c.private_input("x")
    x2 = c.mul(x, x, "x2")
    x3 = c.mul(x2, x, "x3")
    c.assert_equal(x3 + x + 5, out, "cube")
    return c


@given(x=st.integers(0, R - 1))
def test_witness_satisfies_and_public_inputs_come_first(x):
    c = cube_circuit()
    out = (x**3 + x + 5) % R
    system = c.compile()
    w = c.witness({"out": out, "x": x})
    assert system.n_public == 1 and system.wire_names[:2] == ("one", "out")
    assert system.public_signals(w) == [out]
    system.check_witness(w)
    assert c.lint() == []


@given(x=st.integers(0, R - 1), delta=st.integers(1, R - 1), wire=st.integers(1, 4))
def test_any_tampered_wire_fails(x, delta, wire):
    c = cube_circuit()
    system = c.compile()
    w = c.witness({"out": (x**3 + x + 5) % R, "x": x})
    w[wire] = (w[wire] + delta) % R
    assert not system.is_satisfied(w)
    with pytest.raises(ValueError, match="not satisfied"):
        system.check_witness(w)


def test_wrong_public_input_fails_with_the_gadget_label():
    c = cube_circuit()
    w = c.witness({"out": 36, "x": 4})  # 4^3 + 4 + 5 = 73, not 36
    with pytest.raises(ValueError, match=r"constraint 2 \(cube\)"):
        c.compile().check_witness(w)


def test_expose_makes_a_computed_public_signal():
    c = Circuit()
    a = c.private_input("a")
    sq = c.mul(a, a)
    c.expose(sq * 3 + 1, "commitment")
    system = c.compile()
    w = c.witness({"a": 7})
    assert system.public_signals(w) == [3 * 49 + 1]
    system.check_witness(w)


def test_lint_flags_unconstrained_signals():
    c = Circuit()
    a = c.private_input("a")
    c.signal("dangling", lambda ev: ev(a) + 1)
    c.mul(a, a, "sq")
    assert c.lint() == ["dangling"]


def test_lc_algebra_and_constant_multiplication_adds_no_constraint():
    c = Circuit()
    a = c.private_input("a")
    assert (a - a).terms == {}
    assert (a * 0).terms == {}
    assert (2 * a + 3 - a).terms == {1: 1, 0: 3}
    assert (-LC.constant(1)).constant_value() == R - 1
    before = c.n_constraints
    c.mul(a, 5)
    assert c.n_constraints == before
    with pytest.raises(TypeError, match="not linear"):
        a * a
    with pytest.raises(TypeError, match="scales by an int"):
        a * 1.5


def test_bad_inputs_are_named():
    c = cube_circuit()
    with pytest.raises(ValueError, match=r"missing input\(s\) \['x'\]"):
        c.witness({"out": 1})
    with pytest.raises(ValueError, match=r"unknown input\(s\) \['y'\]"):
        c.witness({"out": 1, "x": 1, "y": 2})
    with pytest.raises(ValueError, match="'x' must be an int in"):
        c.witness({"out": 1, "x": R})
    with pytest.raises(ValueError, match="declared twice"):
        c.private_input("x")
    system = c.compile()
    with pytest.raises(ValueError, match="witness has 2 values"):
        system.check_witness([1, 2])
    with pytest.raises(ValueError, match=r"witness\[0\] must be 1"):
        system.check_witness([0] * system.n_wires)
