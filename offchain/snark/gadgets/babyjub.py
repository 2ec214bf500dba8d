"""Baby JubJub point arithmetic in R1CS, with the same results as :mod:`offchain.crypto.babyjub`.

Points are affine twisted Edwards pairs ``(x, y)`` of LCs on ``a·x² + y² = 1 + d·x²·y²``
(a = 168700, d = 168696); the identity is (0, 1). Public gadgets take and return Edwards points.

Two coordinate systems, chosen per job:

* **Edwards** (the public one). The affine addition law is *complete* on this curve (a is a
  square, d is not): no input pair needs special handling, so every gadget built from
  :func:`point_add` / :func:`point_double` is sound for all points on the curve. It costs 6
  constraints per addition and 5 per doubling.
* **Montgomery** ``v² = u³ + A·u² + u`` (A = 168698, B = 1; birationally equivalent via
  ``u = (1 + y)/(1 - y)``, ``v = u/x``), used *inside* the scalar multiplications: 3 constraints
  per addition, 4 per doubling and 5 for a fused ``2·P + Q`` (Eisenträger-Lauter-Montgomery:
  the y of ``P + Q`` is never computed). These affine formulas are *incomplete*: they divide by
  ``x_Q - x_P``, which vanishes when P = ±Q (and the identity has no affine Montgomery form). A
  division by zero is not merely a completeness problem in R1CS: ``λ·(x_Q - x_P) = y_Q - y_P``
  with P = Q leaves λ free, and a prover who picks λ picks the result. So the scalar
  multiplications below only ever add multiples ``k1·P + k2·P`` whose integer coefficients are
  provably distinct, non-opposite and non-zero modulo the order of P (the analyses are in
  :func:`scalar_mul_fixed` and :func:`scalar_mul`), and switch to the complete Edwards law for
  the last few steps, where the coefficients could wrap around the group order.

Conventions as in :mod:`offchain.snark.gadgets.basic`: each docstring states the constraint
cost (fewer when inputs are constants: :meth:`Circuit.mul` folds them) and what the gadget
assumes; hints never raise (a division by zero yields 0, which the constraint then rejects);
``name`` prefixes the signals and labels a gadget creates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from offchain.crypto import babyjub as bj
from offchain.snark.gadgets.basic import select
from offchain.snark.r1cs import LC, Circuit, Hint, R

__all__ = [
    "A",
    "D",
    "MONT_A",
    "MONT_SAFE_STEPS",
    "Point",
    "PointLike",
    "assert_on_curve",
    "assert_points_equal",
    "constant_point",
    "point_add",
    "point_double",
    "point_neg",
    "point_select",
    "scalar_mul",
    "scalar_mul_fixed",
    "WINDOW",
]

Point = tuple[LC, LC]
"""An Edwards point (x, y) in the circuit."""
PointLike = Sequence[LC | int]
"""Anything :func:`constant_point`-like: a pair of LCs or ints."""

A = bj.A
D = bj.D
MONT_A = 2 * (A + D) * pow(A - D, -1, R) % R
"""168698: the Montgomery A of the equivalent curve (its B = 4 / (a - d) is 1)."""
assert 4 * pow(A - D, -1, R) % R == 1

# Coordinates of the identity, as LCs.
_ID: Point = (LC(), LC.constant(1))


def _pt(p: PointLike) -> Point:
    if len(p) != 2:
        raise ValueError(f"babyjub gadgets: a point is an (x, y) pair, got {len(p)} values")
    return LC.of(p[0]), LC.of(p[1])


def constant_point(p: Sequence[int]) -> Point:
    """A native point (ints) as a constant circuit point (no signals, no constraints)."""
    x, y = p
    return LC.constant(x), LC.constant(y)


def _div(num: LC, den: LC) -> Hint:
    # num / den, or 0 when den == 0 (the constraint that uses it then fails with its label).
    def hint(ev):
        d = ev(den)
        return ev(num) * pow(d, -1, R) % R if d else 0

    return hint


def _quotient(c: Circuit, num: LC, den: LC, name: str) -> LC:
    # num / den as a new signal (1 constraint), or linear when den is a constant (e.g. when an
    # operand is the identity or both are constants). The Edwards denominators never vanish
    # for points on the curve; a constant 0 denominator means off-curve constant operands.
    if den.is_constant():
        d = den.constant_value()
        if d == 0:
            raise ValueError(f"babyjub gadgets: {name}: constant operands are not on the curve")
        return num * pow(d, -1, R)
    q = c.signal(name, _div(num, den))
    c.enforce(q, den, num, label=name)
    return q


# ---------------------------------------------------------------------------------------------
# Edwards (public, complete)
# ---------------------------------------------------------------------------------------------


def assert_on_curve(c: Circuit, p: PointLike, *, name: str = "on_curve") -> None:
    """Constrain ``a·x² + y² = 1 + d·x²·y²``.

    Cost: 3 constraints (x², y², and ``(d·x²)·y² = a·x² + y² - 1``); 0 for a constant point
    (checked at build time: ``ValueError`` if it is off the curve). Assumes nothing.
    """
    x, y = _pt(p)
    if x.is_constant() and y.is_constant():
        if not bj.is_on_curve((x.constant_value(), y.constant_value())):
            raise ValueError("babyjub gadgets: constant point is not on the curve")
        return
    xx = c.mul(x, x, name=f"{name}.xx")
    yy = c.mul(y, y, name=f"{name}.yy")
    c.enforce(xx * D, yy, xx * A + yy - 1, label=name)


def point_add(c: Circuit, p: PointLike, q: PointLike, *, name: str = "babyadd") -> Point:
    """p + q with the complete twisted Edwards law (circomlib ``BabyAdd``).

    ``x3 = (x1·y2 + y1·x2) / (1 + d·τ)``, ``y3 = (y1·y2 - a·x1·x2) / (1 - d·τ)`` with
    ``τ = x1·x2·y1·y2``, as u = x1·y2, v = y1·x2, w = (y1 - a·x1)·(x2 + y2) (so that
    ``y1·y2 - a·x1·x2 = w - v + a·u``), τ = u·v and the two quotients.

    Cost: 6 constraints; at most 3 when q (or p) is a constant point (0 for the identity).
    **Assumes p and q are on the curve**: then the denominators never vanish (d is not a
    square), so each output is pinned by its constraint and lies on the curve. Off the curve
    the result is unspecified — a vanishing denominator with a vanishing numerator would leave
    the output free — so constrain inputs with :func:`assert_on_curve` unless they are curve
    points by construction (outputs of these gadgets, constants).
    """
    x1, y1 = _pt(p)
    x2, y2 = _pt(q)
    u = c.mul(x1, y2, name=f"{name}.u")
    v = c.mul(y1, x2, name=f"{name}.v")
    w = c.mul(y1 - x1 * A, x2 + y2, name=f"{name}.w")
    tau = c.mul(u, v, name=f"{name}.tau")
    x_num, x_den = u + v, tau * D + 1
    y_num, y_den = w - v + u * A, 1 - tau * D
    return _quotient(c, x_num, x_den, f"{name}.x"), _quotient(c, y_num, y_den, f"{name}.y")


def point_double(c: Circuit, p: PointLike, *, name: str = "babydbl") -> Point:
    """2·p with the doubling formulas specialised to points on the curve.

    ``x3 = 2xy / (a·x² + y²)``, ``y3 = (y² - a·x²) / (2 - a·x² - y²)`` (on the curve the
    denominators equal ``1 ± d·x²·y²``, never 0).

    Cost: 5 constraints (x², y², xy and the two quotients), one fewer than ``point_add(p, p)``
    and circomlib's ``BabyDbl`` (6). **Assumes p is on the curve** (constrain it with
    :func:`assert_on_curve` if nothing else does): off the curve the formula is not the group
    law and a vanishing denominator could leave the output free.
    """
    x, y = _pt(p)
    xx = c.mul(x, x, name=f"{name}.xx")
    yy = c.mul(y, y, name=f"{name}.yy")
    xy = c.mul(x, y, name=f"{name}.xy")
    x_num, x_den = xy * 2, xx * A + yy
    y_num, y_den = yy - xx * A, 2 - xx * A - yy
    return _quotient(c, x_num, x_den, f"{name}.x"), _quotient(c, y_num, y_den, f"{name}.y")


def point_neg(p: PointLike) -> Point:
    """-p = (-x, y). Cost: 0 (linear)."""
    x, y = _pt(p)
    return -x, y


def point_select(
    c: Circuit, cond: LC | int, p: PointLike, q: PointLike, *, name: str = "point_select"
) -> Point:
    """``cond ? p : q``. Cost: 2 constraints (one per coordinate; fewer where p and q share a
    coordinate or cond is constant). cond is **assumed boolean**."""
    (px, py), (qx, qy) = _pt(p), _pt(q)
    return (
        select(c, cond, px, qx, name=f"{name}.x"),
        select(c, cond, py, qy, name=f"{name}.y"),
    )


def assert_points_equal(
    c: Circuit,
    p: PointLike,
    q: PointLike,
    *,
    enabled: LC | int = 1,
    name: str = "point_eq",
) -> None:
    """Constrain p == q when ``enabled`` is 1; no constraint on them when it is 0.

    Cost: 2 constraints (``(x_p - x_q)·enabled = 0`` and the same for y). ``enabled`` is
    **assumed boolean** (any non-zero value enforces equality).
    """
    (px, py), (qx, qy) = _pt(p), _pt(q)
    c.enforce(px - qx, enabled, LC(), label=f"{name}.x")
    c.enforce(py - qy, enabled, LC(), label=f"{name}.y")


# ---------------------------------------------------------------------------------------------
# Montgomery (internal, incomplete: callers guarantee the exceptional cases cannot occur)
# ---------------------------------------------------------------------------------------------


def _to_mont(c: Circuit, p: Point, name: str) -> Point:
    # u·(1 - y) = 1 + y, v·x = u. Unsatisfiable for the identity (1 - y = 0, 1 + y = 2).
    # For (0, -1) u = 0 and v would be free: callers exclude small-order points.
    x, y = p
    u = c.signal(f"{name}.u", _div(1 + y, 1 - y))
    c.enforce(u, 1 - y, 1 + y, label=f"{name}.u")
    v = c.signal(f"{name}.v", _div(u, x))
    c.enforce(v, x, u, label=f"{name}.v")
    return u, v


def _from_mont(c: Circuit, m: Point, name: str) -> Point:
    # x·v = u, y·(u + 1) = u - 1. Needs v ≠ 0 (no point of order 2) and u ≠ -1 (no Montgomery
    # point has u = -1 here: it would map to an Edwards point at infinity, and this curve has
    # none over Fr because d is not a square).
    u, v = m
    if u.is_constant() and v.is_constant():
        uv, vv = u.constant_value(), v.constant_value()
        return (
            LC.constant(uv * pow(vv, -1, R)),
            LC.constant((uv - 1) * pow(uv + 1, -1, R)),
        )
    x = c.signal(f"{name}.x", _div(u, v))
    c.enforce(x, v, u, label=f"{name}.x")
    y = c.signal(f"{name}.y", _div(u - 1, u + 1))
    c.enforce(y, u + 1, u - 1, label=f"{name}.y")
    return x, y


def _mont_add(c: Circuit, p: Point, q: Point, name: str) -> Point:
    # 3 constraints. Caller guarantees x_p ≠ x_q.
    (x1, y1), (x2, y2) = p, q
    lam = c.signal(f"{name}.lambda", _div(y2 - y1, x2 - x1))
    c.enforce(lam, x2 - x1, y2 - y1, label=f"{name}.lambda")
    x3 = c.signal(f"{name}.x", lambda ev: (ev(lam) ** 2 - MONT_A - ev(x1) - ev(x2)) % R)
    c.enforce(lam, lam, x3 + MONT_A + x1 + x2, label=f"{name}.x")
    y3 = c.signal(f"{name}.y", lambda ev: (ev(lam) * (ev(x1) - ev(x3)) - ev(y1)) % R)
    c.enforce(lam, x1 - x3, y3 + y1, label=f"{name}.y")
    return x3, y3


def _mont_double(c: Circuit, p: Point, name: str) -> Point:
    # 4 constraints. Caller guarantees y ≠ 0 (p not of order 2).
    x, y = p
    xx = c.mul(x, x, name=f"{name}.xx")
    slope_num = xx * 3 + x * (2 * MONT_A) + 1
    lam = c.signal(f"{name}.lambda", _div(slope_num, y * 2))
    c.enforce(lam, y * 2, slope_num, label=f"{name}.lambda")
    x3 = c.signal(f"{name}.x", lambda ev: (ev(lam) ** 2 - MONT_A - 2 * ev(x)) % R)
    c.enforce(lam, lam, x3 + MONT_A + x * 2, label=f"{name}.x")
    y3 = c.signal(f"{name}.y", lambda ev: (ev(lam) * (ev(x) - ev(x3)) - ev(y)) % R)
    c.enforce(lam, x - x3, y3 + y, label=f"{name}.y")
    return x3, y3


def _mont_double_add(c: Circuit, p: Point, q: Point, name: str) -> Point:
    # 2p + q as (p + q) + p, 5 constraints: the y of r = p + q is never materialised, because
    # the slope of r + p is -λ1 - 2·y_p / (x_r - x_p). Caller guarantees x_p ≠ x_q and x_r ≠ x_p.
    (xp, yp), (xq, yq) = p, q
    lam1 = c.signal(f"{name}.lambda1", _div(yq - yp, xq - xp))
    c.enforce(lam1, xq - xp, yq - yp, label=f"{name}.lambda1")
    xr = c.signal(f"{name}.xr", lambda ev: (ev(lam1) ** 2 - MONT_A - ev(xp) - ev(xq)) % R)
    c.enforce(lam1, lam1, xr + MONT_A + xp + xq, label=f"{name}.xr")
    # (λ1 + λ2)·(x_r - x_p) = -2·y_p
    lam2 = c.signal(f"{name}.lambda2", lambda ev: (_div(yp * -2, xr - xp)(ev) - ev(lam1)) % R)
    c.enforce(lam1 + lam2, xr - xp, yp * -2, label=f"{name}.lambda2")
    xs = c.signal(f"{name}.x", lambda ev: (ev(lam2) ** 2 - MONT_A - ev(xp) - ev(xr)) % R)
    c.enforce(lam2, lam2, xs + MONT_A + xp + xr, label=f"{name}.x")
    ys = c.signal(f"{name}.y", lambda ev: (ev(lam2) * (ev(xp) - ev(xs)) - ev(yp)) % R)
    c.enforce(lam2, xp - xs, ys + yp, label=f"{name}.y")
    return xs, ys


def _mont_native(p: tuple[int, int]) -> tuple[int, int]:
    x, y = p
    u = (1 + y) * pow(1 - y, -1, R) % R
    return u, u * pow(x, -1, R) % R


# ---------------------------------------------------------------------------------------------
# Fixed-base scalar multiplication
# ---------------------------------------------------------------------------------------------

WINDOW = 3
"""Bits per window of :func:`scalar_mul_fixed`: a 3-bit lookup in a constant table costs 3
constraints for both coordinates, so a window costs 3 + 3 (Montgomery add) = 2 per bit; 2-bit
windows cost the same per bit with more additions, 4-bit windows more (8 + 3 per 4 bits)."""


def _lookup(c: Circuit, bits: Sequence[LC], tables: Sequence[Sequence[int]], name: str) -> list[LC]:
    """Entry ``Σ 2^i·bits[i]`` of each constant table (len 2^w, w = len(bits) ≤ 3).

    The entry is the multilinear interpolation of the table in the bits. With b01 = b0·b1
    (shared), the entries for b2 = 0 and for b2 = 1 are both linear in (1, b0, b1, b01), so a
    3-bit table costs one product per table plus b01: 3 constraints for two tables, 1 for a
    2-bit window, 0 for a 1-bit one.
    """
    w = len(bits)

    def bilinear(t: Sequence[int], b01: LC) -> LC:
        if w == 1:
            return LC.constant(t[0]) + bits[0] * (t[1] - t[0])
        return (
            LC.constant(t[0])
            + bits[0] * (t[1] - t[0])
            + bits[1] * (t[2] - t[0])
            + b01 * (t[3] - t[2] - t[1] + t[0])
        )

    b01 = c.mul(bits[0], bits[1], name=f"{name}.b01") if w >= 2 else LC()
    out = []
    for k, t in enumerate(tables):
        low = bilinear(t[:4], b01)
        if w <= 2:
            out.append(low)
        else:
            high = bilinear(t[4:], b01)
            out.append(low + c.mul(bits[2], high - low, name=f"{name}.t{k}"))
    return out


@dataclass(frozen=True)
class _FixedPlan:
    n_mont: int  # leading windows done in Montgomery coordinates (0 or ≥ 2)
    mont_tables: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]  # (u table, v table)
    edw_tables: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]  # (x table, y table)


def _window_widths(n: int) -> list[int]:
    return [min(WINDOW, n - i) for i in range(0, n, WINDOW)]


@cache
def _fixed_plan(base: tuple[int, int], n: int) -> _FixedPlan:
    # Window j holds bits 3j..3j+2 (value v_j, weight 8^j). Montgomery window j adds the table
    # point (v_j + 2)·8^j·base; after windows 0..j-1 the accumulator is a_j·base with
    #     a_j = Σ_{i<j} (v_i + 2)·8^i  ∈ [2·(8^j - 1)/7, 9·(8^j - 1)/7]
    # and the addend t_j = (v_j + 2)·8^j ∈ [2·8^j, 9·8^j]. So 0 < a_j < t_j (the offset 2 is
    # the smallest that keeps every accumulator below every later addend) and, while
    # a_j + t_j < l (checked exactly below with the real window widths), a_j ≢ ±t_j and
    # a_j + t_j ≢ 0 modulo any order divisible by l: the affine addition never meets an
    # exceptional pair and never produces the identity. The first window whose bound reaches l,
    # and in any case the last window, switch to Edwards (complete) tables; the first Edwards
    # table also subtracts the accumulated offset Σ 2·8^i·base, so the result is exactly v·base.
    widths = _window_widths(n)
    n_win = len(widths)
    l = bj.SUB_ORDER
    n_mont = 0
    if n_win >= 2:
        a_max = 2 ** widths[0] + 1  # window 0: no addition, just the lookup
        n_mont = 1
        for j in range(1, n_win - 1):
            t_max = (2 ** widths[j] + 1) * 8**j
            if a_max + t_max >= l:
                break
            assert 2 * 8**j > a_max  # every accumulator below every later addend
            a_max += t_max
            n_mont = j + 1
        if n_mont < 2:
            n_mont = 0  # a lone Montgomery lookup is not worth two conversions

    # Tables by repeated addition (one native multiplication per table would take seconds).
    def multiples(step: tuple[int, int], first: int, count: int) -> list[tuple[int, int]]:
        row = bj.mul(step, first)
        rows = [row]
        for _ in range(count - 1):
            row = bj.add(row, step)
            rows.append(row)
        return rows

    mont_tables = []
    offset = bj.IDENTITY
    step = base
    for j in range(n_mont):
        ms = [_mont_native(p) for p in multiples(step, 2, 2 ** widths[j])]
        mont_tables.append((tuple(m[0] for m in ms), tuple(m[1] for m in ms)))
        offset = bj.add(offset, bj.double(step))
        step = bj.mul(step, 8)
    edw_tables = []
    minus_offset = bj.neg(offset)
    for j in range(n_mont, n_win):
        rows = multiples(step, 0, 2 ** widths[j])
        if j == n_mont:
            rows = [bj.add(p, minus_offset) for p in rows]
        edw_tables.append((tuple(p[0] for p in rows), tuple(p[1] for p in rows)))
        step = bj.mul(step, 8)
    return _FixedPlan(n_mont, tuple(mont_tables), tuple(edw_tables))


def scalar_mul_fixed(
    c: Circuit,
    bits: Sequence[LC | int],
    base: Sequence[int] = bj.BASE8,
    *,
    name: str = "mulfix",
) -> Point:
    """``e·base`` for a constant point ``base`` and the scalar ``e = Σ 2^i·bits[i]`` (LSB first).

    circomlib ``EscalarMulFix`` equivalent. Windows of 3 bits, each a lookup in a constant table
    (3 constraints) plus a Montgomery addition (3), with offsets that make every addition
    provably non-exceptional (see ``_fixed_plan``); the last window (and any window whose
    bound would reach the subgroup order l) uses the complete Edwards law instead.

    Cost for n = len(bits) ≥ 4 bits: about 2 per bit — 6 per full Montgomery window, 3 for the
    first, 2 for the conversion, and (lookup + 6) per Edwards window: **504 for n = 251**
    (S of an EdDSA signature), 512 for n = 253 (circomlib's ``EscalarMulFix(253, Base8)``:
    523). n ≤ 3: one lookup (≤ 3 constraints). Constant bits are folded (all-constant: 0).

    Assumes the bits are boolean (the caller's duty, e.g. :func:`~.basic.to_bits`). ``base``
    must be on the curve with order divisible by l (e.g. ``BASE8`` or ``GENERATOR``), checked at
    build time. Any n works; e may exceed l (the result is then ``(e mod ord)·base``).
    """
    base_t = (int(base[0]), int(base[1]))
    if not bj.is_on_curve(base_t) or bj.mul(base_t, 8) == bj.IDENTITY:
        raise ValueError("babyjub gadgets: fixed base must be on the curve and not of small order")
    bits = [LC.of(b) for b in bits]
    n = len(bits)
    if n == 0:
        return _ID
    if all(b.is_constant() for b in bits):
        e = sum(b.constant_value() << i for i, b in enumerate(bits))
        return constant_point(bj.mul(base_t, e))
    plan = _fixed_plan(base_t, n)
    windows = [bits[i : i + WINDOW] for i in range(0, n, WINDOW)]
    acc: Point | None = None
    if plan.n_mont:
        for j in range(plan.n_mont):
            u, v = _lookup(c, windows[j], plan.mont_tables[j], f"{name}.w{j}")
            acc = (u, v) if acc is None else _mont_add(c, acc, (u, v), f"{name}.add{j}")
        assert acc is not None
        acc = _from_mont(c, acc, f"{name}.edwards")
    for k, j in enumerate(range(plan.n_mont, len(windows))):
        x, y = _lookup(c, windows[j], plan.edw_tables[k], f"{name}.w{j}")
        acc = (x, y) if acc is None else point_add(c, acc, (x, y), name=f"{name}.add{j}")
    assert acc is not None
    return acc


# ---------------------------------------------------------------------------------------------
# Variable-base scalar multiplication
# ---------------------------------------------------------------------------------------------


def _mont_safe_steps() -> int:
    # Step j of scalar_mul starts from k_j·P with 1 ≤ k_j ≤ 2·4^j - 1 and adds digits |d| ≤ 3;
    # it is exception-free while 4·k_j + 3 < l (see scalar_mul), i.e. while 8·4^j - 1 < l.
    j = 0
    while 8 * 4**j - 1 < bj.SUB_ORDER:
        j += 1
    return j


MONT_SAFE_STEPS = _mont_safe_steps()
"""124: radix-4 steps of :func:`scalar_mul` that run in Montgomery coordinates (248 bits)."""


def _digit_mont(c: Circuit, hi: LC, lo: LC, p1: Point, p3: Point, name: str) -> Point:
    # d·P for d = 4·hi + 2·lo - 3 ∈ {-3, -1, 1, 3}, Montgomery: x depends on |d| (3 iff
    # hi == lo), y is linear in hi and lo with no hi·lo term (its interpolation coefficient
    # y3 - y1 - (-y1) + (-y3) vanishes). 4 constraints.
    (x1, y1), (x3, y3) = p1, p3
    hl = c.mul(hi, lo, name=f"{name}.hl")
    same = 1 - hi - lo + hl * 2  # hi XNOR lo
    x = x1 + c.mul(same, x3 - x1, name=f"{name}.x")
    y = -y3 + c.mul(lo, y3 - y1, name=f"{name}.ylo") + c.mul(hi, y1 + y3, name=f"{name}.yhi")
    return x, y


def _digit_edwards(c: Circuit, hi: LC, lo: LC, p1: Point, p3: Point, name: str) -> Point:
    # The same digit in Edwards coordinates, where negation flips x instead of y. 4 constraints.
    (x1, y1), (x3, y3) = p1, p3
    hl = c.mul(hi, lo, name=f"{name}.hl")
    same = 1 - hi - lo + hl * 2
    x = -x3 + c.mul(lo, x3 - x1, name=f"{name}.xlo") + c.mul(hi, x1 + x3, name=f"{name}.xhi")
    y = y1 + c.mul(same, y3 - y1, name=f"{name}.y")
    return x, y


def scalar_mul(
    c: Circuit, bits: Sequence[LC | int], p: PointLike, *, name: str = "mulany"
) -> Point:
    """``e·p`` for a variable point p and the scalar ``e = Σ 2^i·bits[i]`` (LSB first).

    circomlib ``EscalarMulAny`` equivalent, with its own algorithm: write ``e = 2·c + b0`` and
    read c's bits from the top in pairs (hi, lo) as signed radix-4 digits
    ``d = 4·hi + 2·lo - 3 ∈ {±1, ±3}``. Starting from ``acc = p``, each step does
    ``acc ← 4·acc + d·p`` as one Montgomery doubling then the fused ``2·D + T``; after all
    steps ``acc = (2·c + 1)·p``, and a final Edwards addition subtracts p when b0 = 0.

    Why no addition is exceptional: at step j, ``acc = k·p`` with ``k = 2·c_j + 1`` for the
    2j-bit prefix c_j of c, so ``1 ≤ k ≤ 2·4^j - 1`` — including k = 1 for leading zeros.
    The step adds ``D = 2k·p`` and ``T = d·p`` (2k is even, d odd: never equal or opposite,
    as integers below l), then ``(2k + d)·p`` and D (they differ by d ≠ 0; their sum
    ``4k + d ≥ 1`` is not 0). All these integers stay below l while ``8·4^j - 1 < l``, i.e. for
    the first :data:`MONT_SAFE_STEPS` = 124 steps; so modulo the order of p (a multiple of l)
    nothing coincides. Later steps (3 of them for a 254-bit scalar) run on the complete Edwards
    law: two doublings, a digit lookup and an addition.

    Cost: 9 (conversion, 2p, 3p) + 13 per Montgomery step (4 doubling + 4 digit + 5 fused;
    the first step reuses 2p: 9) + 2 (back to Edwards) + 2 (3p to Edwards, if any Edwards
    step) + 20 per Edwards step + 8 (the b0 correction), less 2 when c's bit count is odd (the
    padding zero folds two digit products): **1687 for 254 bits** (a full field element, e.g.
    a Poseidon hash from :func:`~.basic.to_bits_strict`), 1649 for 251; circomlib's
    ``EscalarMulAny(254)`` takes 2310. n ≤ 1: 2 constraints (a select).

    Assumes: the bits are boolean (caller's duty); **p is on the curve and not of small order**
    (8·p ≠ identity; its order is then a multiple of l). The identity makes the witness
    unsatisfiable, but the order-2 point (0, -1) would leave the Montgomery v of p free, so a
    caller that cannot rule small-order points out must check them (EdDSA checks 8·A ≠ 0).
    Any n works; e may exceed the group order.
    """
    p = _pt(p)
    bits = [LC.of(b) for b in bits]
    if not bits:
        return _ID
    b0, cbits = bits[0], bits[1:]
    if len(cbits) % 2:
        cbits.append(LC())  # a leading zero: the digits come in pairs
    n_steps = len(cbits) // 2
    if n_steps == 0:
        return point_select(c, b0, p, _ID, name=f"{name}.b0")
    # Digit j (j = 0 first) is made of bits (hi, lo) = (c_{2(J-1-j)+1}, c_{2(J-1-j)}).
    digits = [
        (cbits[2 * (n_steps - 1 - j) + 1], cbits[2 * (n_steps - 1 - j)]) for j in range(n_steps)
    ]
    n_mont = min(n_steps, MONT_SAFE_STEPS)
    pm = _to_mont(c, p, f"{name}.mont")
    p2 = _mont_double(c, pm, f"{name}.p2")
    p3m = _mont_add(c, p2, pm, f"{name}.p3")
    acc = pm
    for j in range(n_mont):
        hi, lo = digits[j]
        dbl = p2 if j == 0 else _mont_double(c, acc, f"{name}.s{j}.dbl")
        t = _digit_mont(c, hi, lo, pm, p3m, f"{name}.s{j}.digit")
        acc = _mont_double_add(c, dbl, t, f"{name}.s{j}")
    acc = _from_mont(c, acc, f"{name}.edwards")
    if n_steps > n_mont:
        p3 = _from_mont(c, p3m, f"{name}.p3e")
        for j in range(n_mont, n_steps):
            hi, lo = digits[j]
            acc = point_double(c, acc, name=f"{name}.s{j}.dbl1")
            acc = point_double(c, acc, name=f"{name}.s{j}.dbl2")
            t = _digit_edwards(c, hi, lo, p, p3, f"{name}.s{j}.digit")
            acc = point_add(c, acc, t, name=f"{name}.s{j}.add")
    # acc = (2c + 1)·p; subtract p when b0 = 0: add (b0 ? identity : -p).
    px, py = p
    fix = (
        -px + c.mul(b0, px, name=f"{name}.fix.bx"),
        py + c.mul(b0, 1 - py, name=f"{name}.fix.by"),
    )
    return point_add(c, acc, fix, name=f"{name}.fix")
