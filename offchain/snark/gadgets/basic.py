"""Basic circuit gadgets: bits, range checks, comparisons, zero tests, selection, boolean logic.

Every gadget takes the :class:`~offchain.snark.r1cs.Circuit` first and returns LCs. Conventions:

- **Cost** in each docstring is the number of R1CS constraints the gadget adds for non-constant
  inputs. Gadgets fold constant inputs where that is free (a constant input costs at most as much
  as a variable one, usually nothing).
- **Booleans** are LCs whose value is 0 or 1. Outputs documented as boolean are *constrained*
  boolean (a prover cannot make them anything else); inputs documented as "assumed boolean" are
  the caller's duty (use :func:`to_bits` or ``Circuit.assert_bool``): the gadget adds no check.
- **Ranges**: "x < 2^n" means the integer in [0, r) that the field element x denotes.
- Hints never raise for a bad witness: they compute the honest value where one exists and
  otherwise something the constraints reject, so a wrong input shows up as an unsatisfied
  constraint (with the gadget's label) rather than an exception deep inside witness generation.
- ``name`` (keyword) prefixes the names of the signals and constraint labels a gadget creates,
  which is what :meth:`R1CS.check_witness` and :meth:`Circuit.lint` report.

``from_bits`` is linear and needs no circuit; ``boolean_not`` is linear too but takes the circuit
like the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from offchain.snark.r1cs import LC, Circuit, Hint, R, bits_of, lc_sum

__all__ = [
    "FIELD_BITS",
    "MAX_BITS",
    "assert_not_zero",
    "boolean_and",
    "boolean_not",
    "boolean_or",
    "boolean_xor",
    "from_bits",
    "is_equal",
    "is_zero",
    "less_eq",
    "less_than",
    "range_check",
    "select",
    "to_bits",
    "to_bits_strict",
]

FIELD_BITS = R.bit_length()
"""254: bits of the BN254 scalar field modulus r (every field element fits)."""

MAX_BITS = FIELD_BITS - 1
"""253: the widest :func:`to_bits` decomposition. 2^253 < r, so an n-bit decomposition with
n ≤ 253 is unique and proves x < 2^n; at 254 bits both x and x + r may fit (an *alias*), which is
why full-width decomposition is :func:`to_bits_strict`."""

MAX_COMPARE_BITS = MAX_BITS - 1
"""252: the widest :func:`less_than` operands (it decomposes a value of n + 1 bits)."""


def _check_width(n: int, limit: int, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= limit:
        raise ValueError(f"gadgets: {what} needs a bit width in 1..{limit}, got {n!r}")
    return n


# ---------------------------------------------------------------------------------------------
# Bits
# ---------------------------------------------------------------------------------------------


def from_bits(bits: Sequence[LC | int]) -> LC:
    """Σ 2^i · bits[i] (LSB first) as one LC. Cost: 0 constraints (linear).

    Assumes nothing; the result is only "the number with these bits" when the bits are boolean
    and fewer than 254 of them (otherwise it wraps mod r).
    """
    return lc_sum(LC.of(b) * (1 << i) for i, b in enumerate(bits))


def to_bits(c: Circuit, x: LC | int, n: int, *, name: str = "to_bits") -> list[LC]:
    """The n low bits of x, LSB first, each constrained boolean, recomposing to x.

    Cost: n constraints and n - 1 new signals; 0 for a constant x. Requires 1 ≤ n ≤ 253
    (:data:`MAX_BITS`), so the decomposition is unique; as a side effect the witness is only
    satisfiable when x < 2^n (this *is* :func:`range_check`). A constant x that does not fit
    raises ``ValueError`` at build time. For all 254 bits use :func:`to_bits_strict`.

    Bit 0 is not a new signal but the LC ``x - Σ_{i≥1} 2^i·bit_i`` (what circom's ``--O2``
    gets by substituting the recomposition constraint away): its booleanity constraint then
    also proves the recomposition, saving one constraint and one wire. The price is that bit 0
    is an LC of up to n + |x| terms, which only makes the constraints that use it denser.
    """
    _check_width(n, MAX_BITS, "to_bits")
    return _decompose(c, LC.of(x), n, name)


def _decompose(c: Circuit, x: LC, n: int, name: str) -> list[LC]:
    if x.is_constant():
        v = x.constant_value()
        if v >> n:
            raise ValueError(f"gadgets: constant {v} does not fit in {n} bits")
        return [LC.constant(b) for b in bits_of(v, n)]
    high = [c.signal(f"{name}.bit{i}", _bit_hint(x, i)) for i in range(1, n)]
    # If x ≥ 2^n the honest hint (x's low bits) makes bit 0 non-boolean, so the witness fails.
    bits = [x - from_bits([LC(), *high]), *high]
    for i, b in enumerate(bits):
        c.assert_bool(b, label=f"{name}.bit{i}")
    return bits


def _bit_hint(x: LC, i: int) -> Hint:
    return lambda ev: (ev(x) >> i) & 1


def range_check(c: Circuit, x: LC | int, n: int, *, name: str = "range_check") -> None:
    """Constrain x < 2^n. Cost: n constraints (it is :func:`to_bits` with the bits dropped).

    Requires 1 ≤ n ≤ 253. A constant x is checked at build time (``ValueError``), free.
    """
    to_bits(c, x, n, name=name)


@cache
def _modulus_runs() -> tuple[tuple[int, int, int], ...]:
    # The bits of r - 1, MSB first, as runs (bit value, index of the run's lowest bit, length).
    top = R - 1
    runs: list[tuple[int, int, int]] = []
    i = FIELD_BITS - 1
    while i >= 0:
        bit = (top >> i) & 1
        j = i
        while j - 1 >= 0 and (top >> (j - 1)) & 1 == bit:
            j -= 1
        runs.append((bit, j, i - j + 1))
        i = j - 1
    return tuple(runs)


def to_bits_strict(c: Circuit, x: LC | int, *, name: str = "to_bits_strict") -> list[LC]:
    """All 254 bits of x (LSB first), boolean, recomposing to x, *and* read as an integer < r.

    Without the last check a prover could answer with the bits of x + r (also < 2^254, and equal
    to x mod r) whenever x < 2^254 - r: the decomposition of a full-width field element is not
    unique. Use this wherever the bit pattern itself matters (hashing bits, comparing scalars).

    Cost: 254 constraints for the bits plus 130 for the "< r" check (384 in all; circomlib's
    ``Num2Bits_strict`` takes more, see the tests). 0 for a constant x. Assumes nothing on x.

    The "< r" check compares the bits with those of r - 1 from the top. ``eq`` tracks "every bit
    so far equals r - 1's"; it starts at 1. A run of zeros in r - 1 costs one constraint,
    ``eq · Σ run bits = 0`` (while equal, those bits must be 0 too; ``eq`` is unchanged). A run of
    k ones updates ``eq ← eq ∧ all bits of the run`` with 1..2 constraints (a product chain for
    k ≤ 2, else one :func:`is_zero` of ``k + 1 - eq - Σ bits``, which is 0 only when all k+1 are
    1). Together: B ≤ r - 1 exactly.
    """
    x = LC.of(x)
    if x.is_constant():
        return [LC.constant(b) for b in bits_of(x.constant_value(), FIELD_BITS)]
    # 254 bits of an element always recompose to it mod r; booleanity + recomposition as in
    # to_bits (254 constraints), then the alias check.
    bits = _decompose(c, x, FIELD_BITS, name)
    _assert_bits_below_modulus(c, bits, name=f"{name}.alias")
    return bits


def _assert_bits_below_modulus(c: Circuit, bits: Sequence[LC], *, name: str) -> None:
    # See to_bits_strict's docstring for the scheme. bits are boolean (the caller constrained it).
    eq: LC = c.one
    runs = _modulus_runs()
    for n_run, (bit, low, length) in enumerate(runs):
        run = bits[low : low + length]
        if bit == 0:
            c.enforce(eq, lc_sum(run), LC(), label=f"{name}.zeros{n_run}")
            continue
        if n_run == len(runs) - 1:
            break  # a trailing run of ones constrains nothing: any bits there keep B ≤ r - 1
        # While eq is the constant 1 a product chain costs k - 1; otherwise k.
        chain_cost = length - 1 if eq.is_constant() else length
        if chain_cost <= 2:
            for j, b in enumerate(reversed(run)):
                eq = c.mul(eq, b, name=f"{name}.eq{n_run}_{j}")
        else:
            eq = is_zero(c, (length + 1) - eq - lc_sum(run), name=f"{name}.eq{n_run}")


# ---------------------------------------------------------------------------------------------
# Zero and equality
# ---------------------------------------------------------------------------------------------


def is_zero(c: Circuit, x: LC | int, *, name: str = "is_zero") -> LC:
    """1 if x == 0 else 0, constrained boolean. Cost: 2 constraints; 0 for a constant x.

    Signals: ``inv`` (1/x, or 0 when x = 0) and ``out``. Constraints ``x · inv = 1 - out`` and
    ``x · out = 0``: if x ≠ 0 the second forces out = 0; if x = 0 the first forces out = 1, and
    ``inv`` is then free but cannot change ``out``. Assumes nothing on x.
    """
    x = LC.of(x)
    if x.is_constant():
        return LC.constant(int(x.constant_value() == 0))
    inv = c.signal(f"{name}.inv", lambda ev: pow(ev(x), -1, R) if ev(x) else 0)
    out = c.signal(f"{name}.out", lambda ev: int(ev(x) == 0))
    c.enforce(x, inv, c.one - out, label=f"{name}.inv")
    c.enforce(x, out, LC(), label=f"{name}.out")
    return out


def is_equal(c: Circuit, a: LC | int, b: LC | int, *, name: str = "is_equal") -> LC:
    """1 if a == b else 0, constrained boolean. Cost: 2 constraints (:func:`is_zero` of a - b)."""
    return is_zero(c, LC.of(a) - LC.of(b), name=name)


def assert_not_zero(c: Circuit, x: LC | int, *, name: str = "assert_not_zero") -> None:
    """Constrain x ≠ 0. Cost: 1 constraint (``x · inv = 1``: only a non-zero x has an inverse).

    A constant zero raises ``ValueError`` at build time; a non-zero constant is free.
    """
    x = LC.of(x)
    if x.is_constant():
        if x.constant_value() == 0:
            raise ValueError("gadgets: assert_not_zero of the constant 0")
        return
    # pow(0, -1, R) would raise; 0 makes the constraint fail with a label instead.
    inv = c.signal(f"{name}.inv", lambda ev: pow(ev(x), -1, R) if ev(x) else 0)
    c.enforce(x, inv, c.one, label=name)


# ---------------------------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------------------------


def less_than(
    c: Circuit,
    a: LC | int,
    b: LC | int,
    n: int,
    *,
    check_range: bool = False,
    name: str = "less_than",
) -> LC:
    """1 if a < b else 0, constrained boolean, for operands **assumed** < 2^n (1 ≤ n ≤ 252).

    Cost: n + 1 constraints (the n + 1 bits of ``a - b + 2^n``; the top bit is 0 exactly when
    a < b). With ``check_range=True`` also range-checks both operands: 3n + 1 in all.

    The assumption matters: the gadget alone is *not* sound for larger operands — e.g. a = r - 1
    ("-1") and b = 0 give ``a - b + 2^n = 2^n - 1`` and so claim a < b. Operands that come from
    :func:`to_bits`/:func:`range_check` (or are otherwise known small) are fine; anything a
    prover chooses freely needs ``check_range=True``.
    """
    _check_width(n, MAX_COMPARE_BITS, "less_than")
    a, b = LC.of(a), LC.of(b)
    if check_range:
        range_check(c, a, n, name=f"{name}.range_a")
        range_check(c, b, n, name=f"{name}.range_b")
    diff = a - b + (1 << n)
    if diff.is_constant():
        av, bv = a.constant_value(), b.constant_value()
        if av >> n or bv >> n:
            raise ValueError(f"gadgets: less_than constant operand does not fit in {n} bits")
        return LC.constant(int(av < bv))
    bits = to_bits(c, diff, n + 1, name=f"{name}.diff")
    return c.one - bits[n]


def less_eq(
    c: Circuit,
    a: LC | int,
    b: LC | int,
    n: int,
    *,
    check_range: bool = False,
    name: str = "less_eq",
) -> LC:
    """1 if a ≤ b else 0, constrained boolean, operands assumed < 2^n (1 ≤ n ≤ 252).

    Cost: n + 1 constraints (3n + 1 with ``check_range``). It is ``1 - less_than(b, a)``, with
    the same caveat on unchecked operands as :func:`less_than`.
    """
    return c.one - less_than(c, b, a, n, check_range=check_range, name=name)


# ---------------------------------------------------------------------------------------------
# Selection and boolean logic (operands assumed boolean where named cond / p / q)
# ---------------------------------------------------------------------------------------------


def select(c: Circuit, cond: LC | int, a: LC | int, b: LC | int, *, name: str = "select") -> LC:
    """``cond ? a : b`` as ``b + cond · (a - b)``. Cost: 1 constraint (0 if cond or a - b is
    constant). cond is **assumed boolean** (a cond of 2 gives 2a - b)."""
    a, b = LC.of(a), LC.of(b)
    return b + c.mul(cond, a - b, name=name)


def boolean_not(c: Circuit, p: LC | int) -> LC:
    """``1 - p``. Cost: 0 (linear; ``c`` is taken for a uniform signature). p assumed boolean
    (then so is the result)."""
    return c.one - LC.of(p)


def boolean_and(c: Circuit, p: LC | int, q: LC | int, *, name: str = "and") -> LC:
    """``p ∧ q = p · q``. Cost: 1 constraint. p, q assumed boolean (then so is the result)."""
    return c.mul(p, q, name=name)


def boolean_or(c: Circuit, p: LC | int, q: LC | int, *, name: str = "or") -> LC:
    """``p ∨ q = p + q - p·q``. Cost: 1 constraint. p, q assumed boolean (so is the result)."""
    p, q = LC.of(p), LC.of(q)
    return p + q - c.mul(p, q, name=name)


def boolean_xor(c: Circuit, p: LC | int, q: LC | int, *, name: str = "xor") -> LC:
    """``p ⊕ q = p + q - 2·p·q``. Cost: 1 constraint. p, q assumed boolean (so is the result)."""
    p, q = LC.of(p), LC.of(q)
    return p + q - c.mul(p, q, name=name) * 2
