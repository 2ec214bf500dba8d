"""Basic gadgets: agree with plain Python on honest witnesses, and reject forged ones.

Every soundness test plays a malicious prover with :class:`ForgingCircuit`: it builds the same
circuit but lets the test replace chosen signals' values during witness generation, with every
later signal still computed honestly from the forged ones — the strongest position for the
attacker, so a failure there is the constraint's doing and not a knock-on inconsistency.
:func:`assert_tampering_is_caught` perturbs every signal a gadget creates, one at a time, and
requires that the witness either fails or still yields the honest outputs (a free signal, like
``is_zero``'s inverse when x = 0, may move; an output may not).

The other gadget tests import these helpers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offchain.snark.gadgets.basic import (
    FIELD_BITS,
    MAX_BITS,
    assert_not_zero,
    boolean_and,
    boolean_not,
    boolean_or,
    boolean_xor,
    from_bits,
    is_equal,
    is_zero,
    less_eq,
    less_than,
    range_check,
    select,
    to_bits,
    to_bits_strict,
)
from offchain.snark.r1cs import LC, R1CS, Circuit, Hint, R

Ev = Callable[[LC], int]
Forgery = Callable[[Ev, int], int]
"""Gets ``ev`` and the honest value of the signal, returns the value the attacker puts there."""

# ---------------------------------------------------------------------------------------------
# Helpers shared by the gadget tests
# ---------------------------------------------------------------------------------------------


class ForgingCircuit(Circuit):
    """A :class:`Circuit` whose witness generation a test can subvert, signal by signal.

    ``forge[name]`` replaces the value of the signal called ``name`` (signal names inside one
    test circuit are unique). Tests declare only *private* inputs, so the compiled wire order
    is the creation order and ``wire(sig)`` indexes the witness directly.
    """

    def __init__(self, name: str = "forge") -> None:
        super().__init__(name)
        self.forge: dict[str, Forgery] = {}
        self.signals: dict[str, LC] = {}

    def signal(self, name: str, hint: Hint) -> LC:
        if name in self.signals:
            raise AssertionError(f"test circuit has two signals named {name!r}")

        def forged_hint(ev: Ev) -> int:
            honest = hint(ev)
            attack = self.forge.get(name)
            return honest if attack is None else attack(ev, honest) % R

        sig = super().signal(name, forged_hint)
        self.signals[name] = sig
        return sig

    def compile_private(self) -> R1CS:
        """Compile, checking the identity wire numbering the tests rely on."""
        system = self.compile()
        assert system.n_public == 0
        return system

    def forged_witness(self, inputs: Mapping[str, int], forge: Mapping[str, Forgery]) -> list[int]:
        """The witness a prover who forges the named signals (and nothing else) would submit."""
        unknown = set(forge) - set(self.signals)
        assert not unknown, f"no such signals: {sorted(unknown)}"
        self.forge = dict(forge)
        try:
            return self.witness(inputs)
        finally:
            self.forge = {}


def wire(sig: LC) -> int:
    """The witness index of a single-wire signal (inputs and hinted signals)."""
    (w,) = sig.terms
    assert sig.terms[w] == 1
    return w


def assert_tampering_is_caught(
    c: Circuit,
    system: R1CS,
    witness: Sequence[int],
    outputs: Sequence[LC],
    first_wire: int,
    deltas: Sequence[int] = (1, R - 1, 2, 1 << 200),
) -> None:
    """Perturb each wire from ``first_wire`` on (the gadget's signals) by each delta.

    Each perturbed witness must be rejected, unless it leaves every output at its honest value
    (then the wire was genuinely free and the gadget still computes the right function).
    """
    system.check_witness(witness)
    honest = [o.evaluate(witness) for o in outputs]
    assert first_wire < system.n_wires, "the gadget created no signals"
    for w in range(first_wire, system.n_wires):
        for delta in deltas:
            bad = list(witness)
            bad[w] = (bad[w] + delta) % R
            if system.is_satisfied(bad):
                got = [o.evaluate(bad) for o in outputs]
                assert got == honest, (
                    f"wire {w} ({system.wire_names[w]}) +{delta} passes with outputs {got}"
                )


def violated_label(system: R1CS, witness: Sequence[int]) -> str:
    """The label of the first constraint the witness violates (fails if it satisfies all)."""
    i = system.first_violation(witness)
    assert i is not None, "the forged witness satisfies every constraint"
    return system.constraints[i].label


field = st.integers(0, R - 1)
bit_width = st.integers(1, MAX_BITS)


def _one_input(name: str = "x") -> tuple[ForgingCircuit, LC]:
    c = ForgingCircuit()
    return c, c.private_input(name)


# ---------------------------------------------------------------------------------------------
# to_bits / from_bits / range_check
# ---------------------------------------------------------------------------------------------


@given(data=st.data(), n=bit_width)
def test_to_bits_agrees_with_python(data, n):
    x_val = data.draw(st.integers(0, (1 << n) - 1), label="x")
    c, x = _one_input()
    bits = to_bits(c, x, n)
    system = c.compile_private()
    assert system.n_constraints == n
    assert system.n_wires == 2 + n - 1  # one, x, bits 1..n-1 (bit 0 is an LC)
    w = c.witness({"x": x_val})
    system.check_witness(w)
    assert [b.evaluate(w) for b in bits] == [(x_val >> i) & 1 for i in range(n)]
    assert from_bits(bits).evaluate(w) == x_val
    assert c.lint() == []


@given(data=st.data(), n=st.integers(2, 64))
def test_to_bits_tampering_is_caught(data, n):
    x_val = data.draw(st.integers(0, (1 << n) - 1), label="x")
    c, x = _one_input()
    bits = to_bits(c, x, n)
    system = c.compile_private()
    assert_tampering_is_caught(c, system, c.witness({"x": x_val}), bits, first_wire=2)


@given(data=st.data(), n=bit_width)
def test_to_bits_and_range_check_reject_values_that_do_not_fit(data, n):
    x_val = data.draw(st.one_of(st.integers(1 << n, R - 1), st.just(R - 1)), label="x")
    for gadget in (to_bits, range_check):
        c, x = _one_input()
        gadget(c, x, n)
        system = c.compile_private()
        assert system.n_constraints == n
        assert not system.is_satisfied(c.witness({"x": x_val}))
        assert c.lint() == []


@settings(max_examples=20)
@given(data=st.data(), n=st.integers(2, MAX_BITS))
def test_to_bits_rejects_non_boolean_bits_that_still_sum_to_x(data, n):
    """Move weight between adjacent bits (bit i + 2, bit i+1 - 1): the sum is unchanged, so
    only booleanity stands in the way."""
    x_val = data.draw(st.integers(0, (1 << n) - 1), label="x")
    i = data.draw(st.integers(1, n - 2), label="i") if n > 2 else 1
    c, x = _one_input()
    to_bits(c, x, n)
    system = c.compile_private()
    if i + 1 < n:
        forged = c.forged_witness(
            {"x": x_val},
            {f"to_bits.bit{i}": lambda ev, v: v + 2, f"to_bits.bit{i + 1}": lambda ev, v: v - 1},
        )
    else:  # n == 2: only bit 1 is a signal; bit 0 (an LC) absorbs the change
        forged = c.forged_witness({"x": x_val}, {"to_bits.bit1": lambda ev, v: v + 1})
    assert violated_label(system, forged).startswith("to_bits.bit")


def test_to_bits_folds_constants_and_checks_widths():
    c = Circuit()
    assert [b.constant_value() for b in to_bits(c, 6, 3)] == [0, 1, 1]
    assert c.n_constraints == 0
    with pytest.raises(ValueError, match="does not fit"):
        to_bits(c, 8, 3)
    with pytest.raises(ValueError, match="does not fit"):
        range_check(c, LC.constant(R - 1), 200)
    x = c.private_input("x")
    for bad in (0, MAX_BITS + 1, FIELD_BITS, True, 2.0):
        with pytest.raises(ValueError, match="bit width"):
            to_bits(c, x, bad)


@given(bits=st.lists(st.integers(0, 1), min_size=1, max_size=MAX_BITS))
def test_from_bits_is_the_integer(bits):
    assert from_bits(bits).constant_value() == sum(b << i for i, b in enumerate(bits))
    assert from_bits([]).terms == {}


@given(x_val=field, n=bit_width)
def test_range_check_accepts_exactly_the_values_below_2_to_n(x_val, n):
    c, x = _one_input()
    range_check(c, x, n)
    assert c.compile_private().is_satisfied(c.witness({"x": x_val})) == (x_val < (1 << n))


def test_to_bits_253_is_unique_at_the_top_of_the_range():
    # 2^253 - 1 < r: the widest plain decomposition still has no alias.
    assert (1 << MAX_BITS) < R < (1 << FIELD_BITS)
    c, x = _one_input()
    to_bits(c, x, MAX_BITS)
    system = c.compile_private()
    system.check_witness(c.witness({"x": (1 << MAX_BITS) - 1}))
    assert not system.is_satisfied(c.witness({"x": 1 << MAX_BITS}))


# ---------------------------------------------------------------------------------------------
# to_bits_strict
# ---------------------------------------------------------------------------------------------

STRICT_COST = 384

_EDGES = [0, 1, 2, R - 1, R - 2, (1 << MAX_BITS) - 1, 1 << MAX_BITS, (1 << FIELD_BITS) - R - 1]


def _near_modulus() -> st.SearchStrategy[int]:
    """254-bit integers sharing a long top prefix with r - 1, on both sides of r - 1: the only
    place the "< r" comparison can go wrong."""

    @st.composite
    def draw(draw_) -> int:
        k = draw_(st.integers(0, FIELD_BITS))
        low = draw_(st.integers(0, (1 << k) - 1))
        flip = draw_(st.booleans())
        value = ((R - 1) >> k << k) | low
        if flip and k < FIELD_BITS:
            value ^= 1 << k  # differ from r - 1 exactly at bit k, above the random tail
        return value % (1 << FIELD_BITS)

    return draw()


def _forge_bits_as(value: int) -> dict[str, Forgery]:
    # Make the prover put the bits of ``value`` (any 254-bit integer) in bit signals 1..253
    # (bit 0 is an LC and follows).
    def bit(i: int) -> Forgery:
        return lambda ev, honest: (value >> i) & 1

    return {f"to_bits_strict.bit{i}": bit(i) for i in range(1, FIELD_BITS)}


def _strict_circuit() -> tuple[ForgingCircuit, LC, list[LC], R1CS]:
    c, x = _one_input()
    bits = to_bits_strict(c, x)
    return c, x, bits, c.compile_private()


@given(x_val=st.one_of(field, st.sampled_from(_EDGES).filter(lambda v: v < R)))
def test_to_bits_strict_agrees_with_python(x_val):
    c, _, bits, system = _strict_circuit()
    assert system.n_constraints == STRICT_COST
    w = c.witness({"x": x_val})
    system.check_witness(w)
    assert [b.evaluate(w) for b in bits] == [(x_val >> i) & 1 for i in range(FIELD_BITS)]
    assert c.lint() == []


@given(value=_near_modulus())
def test_to_bits_strict_accepts_below_r_and_rejects_every_alias(value):
    """Bits B (254 of them) are accepted for x = B mod r exactly when B < r. B ≥ r is the alias
    of x = B - r: booleanity and recomposition hold (mod r), only the "< r" check can refuse."""
    c, _, _, system = _strict_circuit()
    x_val = value % R
    forged = c.forged_witness({"x": x_val}, _forge_bits_as(value))
    if value < R:
        system.check_witness(forged)  # the honest bits: the forgery changed nothing
    else:
        assert violated_label(system, forged).startswith("to_bits_strict.alias")


def test_to_bits_strict_rejects_the_classic_aliases():
    c, _, _, system = _strict_circuit()
    for value in (R, R + 1, (1 << FIELD_BITS) - 1, R + (1 << 100)):
        x_val = value - R
        forged = c.forged_witness({"x": x_val}, _forge_bits_as(value))
        # The alias passes booleanity and recomposition: only the alias check catches it.
        assert violated_label(system, forged).startswith("to_bits_strict.alias")


@settings(max_examples=3)
@given(x_val=field)
def test_to_bits_strict_tampering_is_caught(x_val):
    c, _, bits, system = _strict_circuit()
    assert_tampering_is_caught(
        c, system, c.witness({"x": x_val}), bits, first_wire=2, deltas=(1, R - 1)
    )


def test_to_bits_strict_constant():
    c = Circuit()
    assert from_bits(to_bits_strict(c, R - 1)).constant_value() == R - 1
    assert c.n_constraints == 0


# ---------------------------------------------------------------------------------------------
# is_zero / is_equal / assert_not_zero
# ---------------------------------------------------------------------------------------------

zero_heavy = st.one_of(st.just(0), field)


@given(x_val=zero_heavy)
def test_is_zero_agrees_and_resists_tampering(x_val):
    c, x = _one_input()
    out = is_zero(c, x)
    system = c.compile_private()
    assert system.n_constraints == 2
    w = c.witness({"x": x_val})
    system.check_witness(w)
    assert out.evaluate(w) == int(x_val == 0)
    assert c.lint() == []
    assert_tampering_is_caught(c, system, w, [out], first_wire=2)


@given(x_val=zero_heavy, inv=field)
def test_is_zero_rejects_a_forged_answer_whatever_the_inverse(x_val, inv):
    """The classic attack: claim the opposite answer and pick the inverse signal freely."""
    c, x = _one_input()
    is_zero(c, x)
    system = c.compile_private()
    forged = c.forged_witness(
        {"x": x_val},
        {"is_zero.out": lambda ev, v: 1 - v, "is_zero.inv": lambda ev, v: inv},
    )
    assert not system.is_satisfied(forged)


def test_is_zero_rejects_a_forged_inverse_with_nonzero_x():
    # x ≠ 0, out = 1 would need x·inv = 0, i.e. inv = 0: then x·out = x ≠ 0 fails instead.
    c, x = _one_input()
    is_zero(c, x)
    system = c.compile_private()
    forged = c.forged_witness(
        {"x": 5}, {"is_zero.out": lambda ev, v: 1, "is_zero.inv": lambda ev, v: 0}
    )
    assert violated_label(system, forged) == "is_zero.out"


@given(a_val=field, same=st.booleans(), b_val=field)
def test_is_equal_agrees_and_resists_tampering(a_val, same, b_val):
    b_val = a_val if same else b_val
    c = ForgingCircuit()
    a, b = c.private_input("a"), c.private_input("b")
    out = is_equal(c, a, b)
    system = c.compile_private()
    assert system.n_constraints == 2
    w = c.witness({"a": a_val, "b": b_val})
    assert out.evaluate(w) == int(a_val == b_val)
    assert_tampering_is_caught(c, system, w, [out], first_wire=3)
    forged = c.forged_witness({"a": a_val, "b": b_val}, {"is_equal.out": lambda ev, v: 1 - v})
    assert not system.is_satisfied(forged)


@given(x_val=zero_heavy, inv=field)
def test_assert_not_zero(x_val, inv):
    c, x = _one_input()
    assert_not_zero(c, x)
    system = c.compile_private()
    assert system.n_constraints == 1
    assert system.is_satisfied(c.witness({"x": x_val})) == (x_val != 0)
    # Zero has no inverse: no forged inverse helps.
    forged = c.forged_witness({"x": 0}, {"assert_not_zero.inv": lambda ev, v: inv})
    assert not system.is_satisfied(forged)
    assert c.lint() == []


def test_zero_gadgets_fold_constants():
    c = Circuit()
    assert is_zero(c, 0).constant_value() == 1
    assert is_equal(c, 3, 4).constant_value() == 0
    assert_not_zero(c, 7)
    assert c.n_constraints == 0
    with pytest.raises(ValueError, match="constant 0"):
        assert_not_zero(c, LC())


# ---------------------------------------------------------------------------------------------
# less_than / less_eq
# ---------------------------------------------------------------------------------------------


@st.composite
def _comparison(draw_, max_bits: int = 252):
    n = draw_(st.integers(1, max_bits), label="n")
    small = st.integers(0, (1 << n) - 1)
    a = draw_(small, label="a")
    b = draw_(st.one_of(small, st.sampled_from([a, max(a - 1, 0), min(a + 1, (1 << n) - 1)])))
    return n, a, b


def _comparison_circuit(n: int, **kw) -> tuple[ForgingCircuit, LC, LC, R1CS]:
    c = ForgingCircuit()
    a, b = c.private_input("a"), c.private_input("b")
    lt = less_than(c, a, b, n, **kw)
    le = less_eq(c, a, b, n, **kw)
    return c, lt, le, c.compile_private()


@given(case=_comparison())
def test_less_than_and_less_eq_agree_with_python(case):
    n, a_val, b_val = case
    c, lt, le, system = _comparison_circuit(n)
    assert system.n_constraints == 2 * (n + 1)
    w = c.witness({"a": a_val, "b": b_val})
    system.check_witness(w)
    assert (lt.evaluate(w), le.evaluate(w)) == (int(a_val < b_val), int(a_val <= b_val))
    assert c.lint() == []


@settings(max_examples=20)
@given(case=_comparison(max_bits=64))
def test_less_than_tampering_is_caught(case):
    n, a_val, b_val = case
    c, lt, le, system = _comparison_circuit(n)
    w = c.witness({"a": a_val, "b": b_val})
    assert_tampering_is_caught(c, system, w, [lt, le], first_wire=3)
    # Flip the answer bit: the difference no longer recomposes.
    forged = c.forged_witness(
        {"a": a_val, "b": b_val}, {f"less_than.diff.bit{n}": lambda ev, v: 1 - v}
    )
    assert not system.is_satisfied(forged)


@given(n=st.integers(1, 252), b_val=st.integers(0, 3))
def test_less_than_out_of_range_operands(n, b_val):
    """The documented hole and its fix: unchecked, "-1 < b" comes out true for b < 2^n;
    with ``check_range=True`` no witness exists for an operand ≥ 2^n."""
    b_val %= 1 << n
    c = Circuit()
    lt = less_than(c, c.private_input("a"), c.private_input("b"), n)
    w = c.witness({"a": R - 1, "b": b_val})
    assert c.compile().is_satisfied(w) and lt.evaluate(w) == 1  # the hole, as documented
    c, lt, le, system = _comparison_circuit(n, check_range=True)
    assert system.n_constraints == 2 * (3 * n + 1)
    assert not system.is_satisfied(c.witness({"a": R - 1, "b": b_val}))
    assert not system.is_satisfied(c.witness({"a": b_val, "b": 1 << n}))
    system.check_witness(c.witness({"a": b_val, "b": (1 << n) - 1}))


def test_less_than_constants_and_widths():
    c = Circuit()
    assert less_than(c, 3, 5, 8).constant_value() == 1
    assert less_eq(c, 5, 5, 8).constant_value() == 1
    assert c.n_constraints == 0
    with pytest.raises(ValueError, match="does not fit"):
        less_than(c, 300, 5, 8)
    with pytest.raises(ValueError, match="bit width"):
        less_than(c, c.private_input("x"), 5, 253)


# ---------------------------------------------------------------------------------------------
# select and boolean logic
# ---------------------------------------------------------------------------------------------


@given(cond=st.integers(0, 1), a_val=field, b_val=field)
def test_select(cond, a_val, b_val):
    c = ForgingCircuit()
    s, a, b = c.private_input("s"), c.private_input("a"), c.private_input("b")
    out = select(c, s, a, b)
    system = c.compile_private()
    assert system.n_constraints == 1
    w = c.witness({"s": cond, "a": a_val, "b": b_val})
    assert out.evaluate(w) == (a_val if cond else b_val)
    assert_tampering_is_caught(c, system, w, [out], first_wire=4)
    assert c.lint() == []
    c2 = Circuit()
    assert select(c2, 1, 5, 6).constant_value() == 5 and c2.n_constraints == 0


_BOOL_OPS = {
    "and": (boolean_and, lambda p, q: p & q),
    "or": (boolean_or, lambda p, q: p | q),
    "xor": (boolean_xor, lambda p, q: p ^ q),
}


@pytest.mark.parametrize("op", sorted(_BOOL_OPS))
@pytest.mark.parametrize("p_val", [0, 1])
@pytest.mark.parametrize("q_val", [0, 1])
def test_boolean_ops_truth_tables(op, p_val, q_val):
    gadget, native = _BOOL_OPS[op]
    c = ForgingCircuit()
    p, q = c.private_input("p"), c.private_input("q")
    out = gadget(c, p, q)
    neg = boolean_not(c, out)
    system = c.compile_private()
    assert system.n_constraints == 1
    w = c.witness({"p": p_val, "q": q_val})
    assert out.evaluate(w) == native(p_val, q_val)
    assert neg.evaluate(w) == 1 - native(p_val, q_val)
    assert_tampering_is_caught(c, system, w, [out, neg], first_wire=3)
    assert c.lint() == []


# ---------------------------------------------------------------------------------------------
# Constraint counts against circomlib (compiled with circom2 --O2, the fully simplified count)
# ---------------------------------------------------------------------------------------------


@pytest.mark.node
def test_costs_against_circomlib(tmp_path):
    from tests.offchain.snark.test_gadgets_poseidon import circomlib_constraint_count

    def ours(build: Callable[[Circuit, LC, LC], object]) -> int:
        c = Circuit()
        build(c, c.private_input("a"), c.private_input("b"))
        return c.n_constraints

    cases = {
        "Num2Bits(64)": ours(lambda c, a, b: to_bits(c, a, 64)),
        "Num2Bits_strict()": ours(lambda c, a, b: to_bits_strict(c, a)),
        "LessThan(64)": ours(lambda c, a, b: less_than(c, a, b, 64)),
        "IsZero()": ours(lambda c, a, b: is_zero(c, a)),
        "IsEqual()": ours(lambda c, a, b: is_equal(c, a, b)),
    }
    for template, our_cost in cases.items():
        theirs = circomlib_constraint_count(tmp_path, ["bitify", "comparators"], template)
        assert our_cost <= theirs, f"{template}: ours {our_cost} > circomlib {theirs}"
