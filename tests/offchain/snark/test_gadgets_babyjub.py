"""Baby JubJub gadgets: the same points as ``offchain.crypto.babyjub``, and no other witness.

Positive tests compare every gadget with the native Python-int reference on random and edge
inputs (the identity, the torsion points, scalars around the group orders and r). Soundness
tests perturb every signal a gadget creates (:func:`assert_single_wire_tampering_caught`, an
incremental version of ``assert_tampering_is_caught`` fast enough for circuits of thousands of
constraints), forge chosen signals with honest downstream values (``ForgingCircuit``), and
feed points the gadgets must refuse. The node test compiles circomlib's templates with circom2
and compares constraint counts.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offchain.crypto import babyjub as bj
from offchain.snark.gadgets.babyjub import (
    MONT_A,
    MONT_SAFE_STEPS,
    assert_on_curve,
    assert_points_equal,
    constant_point,
    point_add,
    point_double,
    point_neg,
    point_select,
    scalar_mul,
    scalar_mul_fixed,
)
from offchain.snark.gadgets.basic import to_bits
from offchain.snark.r1cs import LC, R1CS, Circuit, R
from tests.offchain.snark.test_gadgets_basic import ForgingCircuit, violated_label

L = bj.SUB_ORDER
T8 = bj.mul(bj.GENERATOR, L)  # a point of order 8
TORSION = [bj.mul(T8, i) for i in range(8)]  # includes the identity and (0, -1)

# Constraint counts pinned by the tests (and quoted in the gadgets' docstrings).
ADD_COST, ADD_CONST_COST, DOUBLE_COST, ON_CURVE_COST = 6, 3, 5, 3
FIXED_COST = {1: 0, 2: 1, 3: 3, 4: 9, 251: 504, 253: 512}
VAR_COST = {254: 1687, 251: 1649}

# Circuits of ~2k constraints: a third of the profile's examples (20 by default).
fewer = settings(max_examples=max(10, settings.default.max_examples // 3))


# ---------------------------------------------------------------------------------------------
# Test helpers (the eddsa and sha256 tests import these too)
# ---------------------------------------------------------------------------------------------


def perturbations_that_pass(
    system: R1CS, witness: Sequence[int], first_wire: int, deltas: Sequence[int]
) -> list[tuple[int, int]]:
    """(wire, delta) pairs, for wires from ``first_wire`` on, whose single perturbation
    ``witness[wire] += delta`` still satisfies every constraint.

    Incremental: a perturbation of wire w only changes the constraints that mention w, and
    changes each of ⟨A,w⟩, ⟨B,w⟩, ⟨C,w⟩ by delta times w's coefficient, so each check is O(1)
    from the honest values. (``is_satisfied`` on every copy would be quadratic.)
    """
    system.check_witness(witness)
    honest = []
    uses: dict[int, list[tuple[int, int, int, int]]] = {}
    for k, con in enumerate(system.constraints):
        honest.append(
            tuple(sum(c * witness[w] for w, c in t.items()) % R for t in (con.a, con.b, con.c))
        )
        for w in set(con.a) | set(con.b) | set(con.c):
            if w >= first_wire:
                uses.setdefault(w, []).append(
                    (k, con.a.get(w, 0), con.b.get(w, 0), con.c.get(w, 0))
                )
    passing = []
    for w in range(first_wire, system.n_wires):
        for delta in deltas:
            ok = True
            for k, ca, cb, cc in uses.get(w, ()):
                a, b, c = honest[k]
                if ((a + delta * ca) * (b + delta * cb) - (c + delta * cc)) % R:
                    ok = False
                    break
            if ok:
                passing.append((w, delta))
    return passing


def assert_single_wire_tampering_caught(
    system: R1CS,
    witness: Sequence[int],
    outputs: Sequence[LC],
    first_wire: int,
    deltas: Sequence[int] = (1, R - 1, 1 << 200),
    *,
    allowed_free: Sequence[str] = (),
) -> None:
    """Every single-wire perturbation from ``first_wire`` on breaks the witness, or leaves every
    output at its honest value and touches a wire named in ``allowed_free`` (or a prefix of it).
    For an assertion-only gadget (no outputs) this says: no signal can move at all."""
    honest = [o.evaluate(witness) for o in outputs]
    for w, delta in perturbations_that_pass(system, witness, first_wire, deltas):
        bad = list(witness)
        bad[w] = (bad[w] + delta) % R
        name = system.wire_names[w]
        got = [o.evaluate(bad) for o in outputs]
        assert got == honest and any(name.startswith(p) for p in allowed_free), (
            f"wire {w} ({name}) +{delta} still satisfies the system (outputs {got})"
        )


# ---------------------------------------------------------------------------------------------
# Points
# ---------------------------------------------------------------------------------------------

any_point = st.integers(0, bj.ORDER - 1).map(lambda k: bj.mul(bj.GENERATOR, k))
edge_point = st.sampled_from(TORSION + [bj.BASE8, bj.GENERATOR, bj.neg(bj.BASE8)])
point = st.one_of(edge_point, any_point)
# Points of order divisible by l (what scalar_mul accepts): full-order or prime-order.
big_point = st.one_of(
    st.integers(1, L - 1).map(lambda k: bj.mul(bj.BASE8, k)),
    st.integers(0, 7).flatmap(
        lambda t: st.integers(1, L - 1).map(lambda k: bj.add(bj.mul(bj.BASE8, k), TORSION[t]))
    ),
)


def _point_inputs(c: Circuit, tag: str) -> tuple[LC, LC]:
    return c.private_input(f"{tag}x"), c.private_input(f"{tag}y")


def _xy(tag: str, p: Sequence[int]) -> dict[str, int]:
    return {f"{tag}x": p[0], f"{tag}y": p[1]}


def _eval(p: tuple[LC, LC], w: Sequence[int]) -> tuple[int, int]:
    return p[0].evaluate(w), p[1].evaluate(w)


@cache
def _add_circuit() -> tuple[ForgingCircuit, tuple[LC, LC], R1CS]:
    c = ForgingCircuit("add")
    out = point_add(c, _point_inputs(c, "p"), _point_inputs(c, "q"))
    return c, out, c.compile_private()


@cache
def _double_circuit() -> tuple[ForgingCircuit, tuple[LC, LC], R1CS]:
    c = ForgingCircuit("double")
    out = point_double(c, _point_inputs(c, "p"))
    return c, out, c.compile_private()


@given(p=point, q=point)
def test_point_add_is_the_complete_group_law(p, q):
    """Every pair, including the identity, equal and opposite points and the torsion: no
    exceptions (the Edwards law is complete)."""
    c, out, system = _add_circuit()
    assert system.n_constraints == ADD_COST
    w = c.witness({**_xy("p", p), **_xy("q", q)})
    system.check_witness(w)
    assert _eval(out, w) == bj.add(p, q)
    assert c.lint() == []


@given(p=point, q=point)
def test_point_add_with_a_constant_operand_costs_3(p, q):
    c = Circuit()
    out = point_add(c, _point_inputs(c, "p"), constant_point(q))
    # Fewer still when q has a zero coordinate (the identity costs nothing).
    assert c.n_constraints == (ADD_CONST_COST if q[0] and q[1] else c.n_constraints)
    assert c.n_constraints <= ADD_CONST_COST
    w = c.witness(_xy("p", p))
    c.compile().check_witness(w)
    assert _eval(out, w) == bj.add(p, q)
    both = point_add(Circuit(), constant_point(p), constant_point(q))
    assert tuple(x.constant_value() for x in both) == bj.add(p, q)


@given(p=point)
def test_point_double_matches_native(p):
    c, out, system = _double_circuit()
    assert system.n_constraints == DOUBLE_COST
    w = c.witness(_xy("p", p))
    system.check_witness(w)
    assert _eval(out, w) == bj.double(p)
    assert c.lint() == []


@given(p=point, q=point, delta=st.integers(1, R - 1), coord=st.sampled_from("xy"))
def test_a_forged_sum_or_double_fails_its_own_constraint(p, q, delta, coord):
    c, _, system = _add_circuit()
    forged = c.forged_witness(
        {**_xy("p", p), **_xy("q", q)}, {f"babyadd.{coord}": lambda ev, v: v + delta}
    )
    assert violated_label(system, forged) == f"babyadd.{coord}"
    c, _, system = _double_circuit()
    forged = c.forged_witness(_xy("p", p), {f"babydbl.{coord}": lambda ev, v: v + delta})
    assert violated_label(system, forged) == f"babydbl.{coord}"


@given(p=point, x=st.integers(0, R - 1), y=st.integers(0, R - 1))
def test_on_curve_accepts_exactly_the_curve(p, x, y):
    c = Circuit()
    assert_on_curve(c, _point_inputs(c, "p"))
    system = c.compile()
    assert system.n_constraints == ON_CURVE_COST and c.lint() == []
    system.check_witness(c.witness(_xy("p", p)))
    assert system.is_satisfied(c.witness(_xy("p", (x, y)))) == bj.is_on_curve((x, y))
    assert not system.is_satisfied(c.witness(_xy("p", (p[0], (p[1] + 1) % R))))


def test_on_curve_checks_constant_points_at_build_time():
    c = Circuit()
    assert_on_curve(c, constant_point(bj.BASE8))
    assert c.n_constraints == 0
    with pytest.raises(ValueError, match="not on the curve"):
        assert_on_curve(c, (1, 1))


@given(p=point, q=point, cond=st.integers(0, 1))
def test_select_neg_and_conditional_equality(p, q, cond):
    c = Circuit()
    flag = c.private_input("cond")
    pp, qq = _point_inputs(c, "p"), _point_inputs(c, "q")
    out = point_select(c, flag, pp, qq)
    assert_points_equal(c, point_neg(pp), point_neg(qq), enabled=flag)
    assert c.n_constraints == 4
    system = c.compile()
    w = c.witness({"cond": cond, **_xy("p", p), **_xy("q", q)})
    assert _eval(out, w) == (p if cond else q)
    assert system.is_satisfied(w) == (not cond or p == q)


# ---------------------------------------------------------------------------------------------
# Fixed-base scalar multiplication
# ---------------------------------------------------------------------------------------------


@cache
def _fixed_circuit(n: int, base: tuple[int, int] = bj.BASE8):
    c = ForgingCircuit(f"mulfix{n}")
    s = c.private_input("s")
    bits = to_bits(c, s, n)
    first = c.n_constraints
    out = scalar_mul_fixed(c, bits, base)
    return c, out, c.compile_private(), c.n_constraints - first


def _fixed_edges(n: int) -> list[int]:
    top = (1 << n) - 1
    return sorted(
        {v % (1 << n) for v in (0, 1, 2, 7, 8, L - 1, L, L + 1, top, top - 1, 1 << (n - 1))}
    )


@pytest.mark.parametrize("n", sorted(FIXED_COST))
def test_scalar_mul_fixed_edges_and_cost(n):
    for base in (bj.BASE8, bj.GENERATOR):
        c, out, system, cost = _fixed_circuit(n, base)
        assert cost == FIXED_COST[n]
        for e in _fixed_edges(n):
            w = c.witness({"s": e})
            system.check_witness(w)
            assert _eval(out, w) == bj.mul(base, e), e
        assert c.lint() == []


@fewer
@given(data=st.data(), n=st.sampled_from([5, 6, 9, 64, 251, 253]))
def test_scalar_mul_fixed_matches_native(data, n):
    e = data.draw(st.integers(0, (1 << n) - 1), label="e")
    base = data.draw(st.sampled_from([bj.BASE8, bj.GENERATOR]), label="base")
    c, out, system, _ = _fixed_circuit(n, base)
    w = c.witness({"s": e})
    system.check_witness(w)
    assert _eval(out, w) == bj.mul(base, e)


def test_scalar_mul_fixed_rejects_small_order_bases_and_folds_constants():
    for bad in (bj.IDENTITY, T8, (1, 1)):
        with pytest.raises(ValueError, match="fixed base"):
            scalar_mul_fixed(Circuit(), [1, 0], bad)
    c = Circuit()
    out = scalar_mul_fixed(c, [1, 0, 1, 1, 0, 0, 1], bj.BASE8)  # 77
    assert c.n_constraints == 0
    assert tuple(x.constant_value() for x in out) == bj.mul(bj.BASE8, 77)
    empty = scalar_mul_fixed(Circuit(), [], bj.BASE8)
    assert tuple(x.constant_value() for x in empty) == bj.IDENTITY


def test_scalar_mul_fixed_every_signal_is_determined():
    c, out, system, _ = _fixed_circuit(251)
    w = c.witness({"s": random.Random(5).randrange(L)})
    assert_single_wire_tampering_caught(system, w, out, first_wire=2)


# ---------------------------------------------------------------------------------------------
# Variable-base scalar multiplication
# ---------------------------------------------------------------------------------------------


@cache
def _var_circuit(n: int):
    # The scalar as n raw bits (each constrained boolean), so any pattern, also ≥ r, can be fed.
    c = ForgingCircuit(f"mulany{n}")
    bits = [c.private_input(f"e{i}") for i in range(n)]
    for b in bits:
        c.assert_bool(b)
    p = _point_inputs(c, "p")
    first = c.n_constraints
    out = scalar_mul(c, bits, p)
    return c, out, c.compile_private(), c.n_constraints - first


def _var_inputs(n: int, e: int, p: Sequence[int]) -> dict[str, int]:
    return {**{f"e{i}": (e >> i) & 1 for i in range(n)}, **_xy("p", p)}


_VAR_EDGES = [
    0, 1, 2, 3, 4, 5, 6, 7, L - 1, L, L + 1, 2 * L - 1, 2 * L + 1, 7 * L, R - 1, R, R + 1,
    (1 << 254) - 1, (1 << 254) - 2, 1 << 253, (1 << 253) - 1, (1 << 253) + 1,
    # top pairs at each edge of the Montgomery range (step 124 is the first Edwards step)
    (1 << (2 * MONT_SAFE_STEPS + 1)) - 1, 1 << (2 * MONT_SAFE_STEPS + 1),
    int("01" * 127, 2), int("10" * 127, 2), int("0011" * 63 + "00", 2),
]  # fmt: skip


@pytest.mark.parametrize("e", _VAR_EDGES, ids=[f"e{i}" for i in range(len(_VAR_EDGES))])
def test_scalar_mul_edge_scalars(e):
    c, out, system, cost = _var_circuit(254)
    assert cost == VAR_COST[254]
    for p in (bj.BASE8, bj.GENERATOR, bj.add(bj.mul(bj.BASE8, 12345), T8)):
        w = c.witness(_var_inputs(254, e, p))
        system.check_witness(w)
        assert _eval(out, w) == bj.mul(p, e)


@fewer
@given(e=st.integers(0, (1 << 254) - 1), p=big_point)
def test_scalar_mul_matches_native(e, p):
    c, out, system, _ = _var_circuit(254)
    w = c.witness(_var_inputs(254, e, p))
    system.check_witness(w)
    assert _eval(out, w) == bj.mul(p, e)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6])
def test_scalar_mul_every_small_scalar(n):
    p = bj.mul(bj.GENERATOR, 987654321)
    c, out, system, _ = _var_circuit(n)
    for e in range(1 << n):
        w = c.witness(_var_inputs(n, e, p))
        system.check_witness(w)
        assert _eval(out, w) == bj.mul(p, e)
    assert c.lint() == []


def test_scalar_mul_cost_and_lint():
    for n, cost in VAR_COST.items():
        c, _, _, got = _var_circuit(n)
        assert got == cost
        assert c.lint() == []


def test_scalar_mul_every_signal_is_determined():
    """No Montgomery slope, coordinate or digit signal can move: each addition is
    non-exceptional, so every λ is pinned."""
    rng = random.Random(7)
    c, out, system, _ = _var_circuit(254)
    for e in (rng.randrange(1 << 254), 1):
        w = c.witness(_var_inputs(254, e, bj.mul(bj.GENERATOR, rng.randrange(1, bj.ORDER))))
        assert_single_wire_tampering_caught(system, w, out, first_wire=2 + 254 + 2)


@given(e=st.integers(0, (1 << 254) - 1), delta=st.integers(1, R - 1))
@settings(max_examples=10)
def test_a_forged_slope_fails_its_constraint(e, delta):
    """The attacker moves one slope and recomputes everything after it honestly."""
    c, out, system, _ = _var_circuit(254)
    p = bj.mul(bj.BASE8, 424242)
    for sig in ("mulany.s0.lambda1", "mulany.s60.lambda2", "mulany.s123.dbl.lambda"):
        forged = c.forged_witness(_var_inputs(254, e, p), {sig: lambda ev, v: v + delta})
        assert violated_label(system, forged) == sig


def test_scalar_mul_of_the_identity_has_no_witness():
    """The identity has no Montgomery form: unsatisfiable (the caller must exclude small-order
    points; EdDSA does with 8·A ≠ 0)."""
    c, _, system, _ = _var_circuit(254)
    w = c.witness(_var_inputs(254, 12345, bj.IDENTITY))
    assert violated_label(system, w) == "mulany.mont.u"


def test_montgomery_constants():
    # The birational map sends the Edwards curve onto v² = u³ + A·u² + u with A = 168698.
    assert MONT_A == 168698 and MONT_SAFE_STEPS == 124
    for k in (1, 2, 12345):
        x, y = bj.mul(bj.BASE8, k)
        u = (1 + y) * pow(1 - y, -1, R) % R
        v = u * pow(x, -1, R) % R
        assert (v * v - (u**3 + MONT_A * u * u + u)) % R == 0
    # The safety bound of the radix-4 schedule: 8·4^j - 1 < l for every Montgomery step.
    assert 8 * 4 ** (MONT_SAFE_STEPS - 1) - 1 < L <= 8 * 4**MONT_SAFE_STEPS - 1


# ---------------------------------------------------------------------------------------------
# circom2 + circomlib
# ---------------------------------------------------------------------------------------------


@pytest.mark.node
def test_costs_against_circomlib(tmp_path):
    from tests.offchain.snark.test_gadgets_poseidon import circomlib_constraint_count

    includes = ["babyjub", "escalarmulany", "escalarmulfix"]
    b8 = f"[{bj.BASE8[0]}, {bj.BASE8[1]}]"
    cases = {
        "BabyAdd()": ADD_COST,
        "BabyDbl()": DOUBLE_COST,
        "EscalarMulAny(254)": VAR_COST[254],
        f"EscalarMulFix(253, {b8})": FIXED_COST[253],
    }
    report = []
    for template, ours in cases.items():
        theirs = circomlib_constraint_count(tmp_path, includes, template)
        report.append((template[:20], ours, theirs))
        assert ours <= theirs, f"{template}: ours {ours} > circomlib {theirs}"
    print("template ours circomlib", *report, sep="\n")
