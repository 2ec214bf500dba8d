"""A Python circuit builder for rank-1 constraint systems over BN254 Fr.

A circuit is written once, as Python code that creates signals and constraints; the same code
records, for every signal it creates, how to compute that signal's value from earlier ones (a
*hint*). Witness generation replays those hints in creation order, so the constraints and the
witness come from one description and cannot drift apart.

Vocabulary
----------
- **Wire**: an index into the witness vector. Wire 0 is the constant 1.
- **LC** (linear combination): ``Σ coeff_i · wire_i`` with coefficients in Fr. Signals are LCs of
  one wire. LCs add, subtract and scale by ints freely; multiplying two LCs needs a constraint and
  so goes through :meth:`Circuit.mul`.
- **Constraint**: ``⟨A, w⟩ · ⟨B, w⟩ = ⟨C, w⟩`` for LCs A, B, C.
- **Public inputs** are wires 1..n_public of the compiled system, in declaration order (the
  Groth16 verifier's public signals, snarkjs order). Everything else is private.

``Circuit.compile()`` freezes the system into an :class:`R1CS` (wires renumbered: one, public,
private); ``Circuit.witness(inputs)`` computes the full witness in that numbering.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from offchain.crypto.field import FR_MODULUS

R = FR_MODULUS
ONE_WIRE = 0

Terms = dict[int, int]


class LC:
    """A linear combination of wires with Fr coefficients (zero coefficients are dropped)."""

    __slots__ = ("terms",)

    def __init__(self, terms: Terms | None = None):
        self.terms: Terms = terms if terms is not None else {}

    @staticmethod
    def constant(value: int) -> LC:
        """The constant ``value`` (mod r) as an LC on the one-wire."""
        value %= R
        return LC({ONE_WIRE: value} if value else {})

    @staticmethod
    def of(x: LC | int) -> LC:
        """Coerce an int or LC to an LC."""
        if isinstance(x, LC):
            return x
        if isinstance(x, int) and not isinstance(x, bool):
            return LC.constant(x)
        raise TypeError(f"r1cs: expected an LC or int, got {type(x).__name__}")

    def _combine(self, other: LC | int, sign: int) -> LC:
        out = dict(self.terms)
        for wire, coeff in LC.of(other).terms.items():
            c = (out.get(wire, 0) + sign * coeff) % R
            if c:
                out[wire] = c
            else:
                out.pop(wire, None)
        return LC(out)

    def __add__(self, other: LC | int) -> LC:
        return self._combine(other, 1)

    __radd__ = __add__

    def __sub__(self, other: LC | int) -> LC:
        return self._combine(other, -1)

    def __rsub__(self, other: LC | int) -> LC:
        return LC.of(other)._combine(self, -1)

    def __neg__(self) -> LC:
        return LC({w: (-c) % R for w, c in self.terms.items()})

    def __mul__(self, k: int) -> LC:
        if isinstance(k, LC):
            raise TypeError("r1cs: LC * LC is not linear; use circuit.mul(a, b)")
        if not isinstance(k, int) or isinstance(k, bool):
            raise TypeError(f"r1cs: an LC scales by an int, got {type(k).__name__}")
        k %= R
        if k == 0:
            return LC()
        return LC({w: c * k % R for w, c in self.terms.items()})

    __rmul__ = __mul__

    def is_constant(self) -> bool:
        """True when the LC involves no wire but the one-wire."""
        return all(w == ONE_WIRE for w in self.terms)

    def constant_value(self) -> int:
        """The value of a constant LC (raises if it involves a wire)."""
        if not self.is_constant():
            raise ValueError("r1cs: LC is not a constant")
        return self.terms.get(ONE_WIRE, 0)

    def evaluate(self, values: Sequence[int] | Mapping[int, int]) -> int:
        """⟨LC, values⟩ mod r, with ``values[wire]`` the witness value of each wire."""
        return sum(c * values[w] for w, c in self.terms.items()) % R

    def __repr__(self) -> str:
        return "LC(" + " + ".join(f"{c}·w{w}" for w, c in sorted(self.terms.items())) + ")"


@dataclass(frozen=True)
class Constraint:
    """``A · B = C``, with a label saying which gadget made it (for error messages)."""

    a: Terms
    b: Terms
    c: Terms
    label: str = ""


Hint = Callable[[Callable[[LC], int]], int]
"""Computes a new signal's value; receives ``ev``, which evaluates any LC over earlier signals."""


@dataclass(frozen=True)
class R1CS:
    """A compiled constraint system: wire 0 = 1, wires 1..n_public public, the rest private."""

    n_wires: int
    n_public: int
    constraints: tuple[Constraint, ...]
    wire_names: tuple[str, ...]

    @property
    def n_constraints(self) -> int:
        """Number of constraints."""
        return len(self.constraints)

    def first_violation(self, witness: Sequence[int]) -> int | None:
        """Index of the first unsatisfied constraint, or None when the witness satisfies all."""
        self._check_length(witness)
        for i, con in enumerate(self.constraints):
            a = sum(c * witness[w] for w, c in con.a.items())
            b = sum(c * witness[w] for w, c in con.b.items())
            cc = sum(c * witness[w] for w, c in con.c.items())
            if (a * b - cc) % R:
                return i
        return None

    def check_witness(self, witness: Sequence[int]) -> None:
        """Raise ``ValueError`` naming the first violated constraint (index and label)."""
        i = self.first_violation(witness)
        if i is not None:
            raise ValueError(
                f"r1cs: constraint {i} ({self.constraints[i].label or 'unlabelled'}) is not satisfied"
            )

    def is_satisfied(self, witness: Sequence[int]) -> bool:
        """True when every constraint holds for ``witness``."""
        return self.first_violation(witness) is None

    def public_signals(self, witness: Sequence[int]) -> list[int]:
        """The public inputs of a witness (wires 1..n_public), as snarkjs's public.json lists them."""
        self._check_length(witness)
        return list(witness[1 : 1 + self.n_public])

    def _check_length(self, witness: Sequence[int]) -> None:
        if len(witness) != self.n_wires:
            raise ValueError(
                f"r1cs: witness has {len(witness)} values, the system has {self.n_wires} wires"
            )
        if witness[0] != 1:
            raise ValueError("r1cs: witness[0] must be 1 (the constant wire)")


class Circuit:
    """Builder: declare inputs, create signals with hints, add constraints, then compile."""

    def __init__(self, name: str = "circuit"):
        self.name = name
        self._names: list[str] = ["one"]
        self._hints: list[Hint | None] = [None]
        self._public: list[int] = []
        self._inputs: dict[str, int] = {}
        self._constraints: list[Constraint] = []
        self.one = LC({ONE_WIRE: 1})

    # -- signals ----------------------------------------------------------------------------

    def _new_wire(self, name: str, hint: Hint | None) -> LC:
        self._names.append(name)
        self._hints.append(hint)
        return LC({len(self._names) - 1: 1})

    def _input(self, name: str, public: bool) -> LC:
        if name in self._inputs:
            raise ValueError(f"r1cs: input {name!r} declared twice")
        sig = self._new_wire(name, None)
        (wire,) = sig.terms
        self._inputs[name] = wire
        if public:
            self._public.append(wire)
        return sig

    def public_input(self, name: str) -> LC:
        """Declare a public input (supplied to :meth:`witness` by name)."""
        return self._input(name, public=True)

    def private_input(self, name: str) -> LC:
        """Declare a private input (supplied to :meth:`witness` by name)."""
        return self._input(name, public=False)

    def signal(self, name: str, hint: Hint) -> LC:
        """A new private signal whose witness value ``hint(ev)`` computes from earlier signals.

        The signal is unconstrained until the caller constrains it: that is the caller's duty
        (:meth:`lint` reports signals that no constraint mentions).
        """
        return self._new_wire(name, hint)

    def expose(self, value: LC | int, name: str) -> LC:
        """Make a computed value a public signal (e.g. a commitment), constrained equal to it."""
        value = LC.of(value)
        sig = self._new_wire(name, lambda ev: ev(value))
        (wire,) = sig.terms
        self._public.append(wire)
        self.assert_equal(sig, value, label=f"expose {name}")
        return sig

    # -- constraints ------------------------------------------------------------------------

    def enforce(self, a: LC | int, b: LC | int, c: LC | int, label: str = "") -> None:
        """Add the constraint a · b = c."""
        self._constraints.append(Constraint(LC.of(a).terms, LC.of(b).terms, LC.of(c).terms, label))

    def mul(self, a: LC | int, b: LC | int, name: str = "mul") -> LC:
        """A new signal constrained to a · b (no constraint when either side is constant)."""
        a, b = LC.of(a), LC.of(b)
        if a.is_constant():
            return b * a.constant_value()
        if b.is_constant():
            return a * b.constant_value()
        out = self.signal(name, lambda ev: ev(a) * ev(b) % R)
        self.enforce(a, b, out, label=name)
        return out

    def assert_equal(self, a: LC | int, b: LC | int, label: str = "equal") -> None:
        """Constrain a == b (one constraint: (a - b) · 1 = 0)."""
        self.enforce(LC.of(a) - LC.of(b), self.one, LC(), label=label)

    def assert_bool(self, x: LC, label: str = "bool") -> None:
        """Constrain x ∈ {0, 1} (x · (x - 1) = 0)."""
        self.enforce(x, x - 1, LC(), label=label)

    # -- compile ----------------------------------------------------------------------------

    @property
    def n_constraints(self) -> int:
        """Constraints added so far."""
        return len(self._constraints)

    def _order(self) -> list[int]:
        # New numbering: one, public (declaration order), then every other wire in creation order.
        public = set(self._public)
        return [
            ONE_WIRE,
            *self._public,
            *(w for w in range(1, len(self._names)) if w not in public),
        ]

    def compile(self) -> R1CS:
        """Freeze into an :class:`R1CS` with wires renumbered (one, public…, private…)."""
        order = self._order()
        new_index = {old: new for new, old in enumerate(order)}

        def remap(terms: Terms) -> Terms:
            return {new_index[w]: c for w, c in terms.items()}

        constraints = tuple(
            Constraint(remap(k.a), remap(k.b), remap(k.c), k.label) for k in self._constraints
        )
        return R1CS(
            n_wires=len(order),
            n_public=len(self._public),
            constraints=constraints,
            wire_names=tuple(self._names[w] for w in order),
        )

    def witness(self, inputs: Mapping[str, int]) -> list[int]:
        """Compute every wire's value from the named inputs, in the compiled numbering.

        Raises ``ValueError`` for a missing, unknown or out-of-range input, or when a hint fails.
        """
        unknown = set(inputs) - set(self._inputs)
        if unknown:
            raise ValueError(f"r1cs: unknown input(s) {sorted(unknown)} for {self.name}")
        missing = set(self._inputs) - set(inputs)
        if missing:
            raise ValueError(f"r1cs: missing input(s) {sorted(missing)} for {self.name}")
        values: list[int] = [0] * len(self._names)
        values[ONE_WIRE] = 1
        for name, wire in self._inputs.items():
            v = inputs[name]
            if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < R:
                raise ValueError(f"r1cs: input {name!r} must be an int in [0, r), got {v!r}")
            values[wire] = v

        def ev(lc: LC) -> int:
            return lc.evaluate(values)

        for wire, hint in enumerate(self._hints):
            if hint is None:
                continue
            try:
                v = hint(ev)
            except (ArithmeticError, ValueError) as exc:
                raise ValueError(
                    f"r1cs: hint for signal {self._names[wire]!r} failed: {exc}"
                ) from exc
            values[wire] = v % R
        return [values[w] for w in self._order()]

    def lint(self) -> list[str]:
        """Names of signals that no constraint mentions (each one is a soundness bug or dead)."""
        used: set[int] = set()
        for k in self._constraints:
            used.update(k.a)
            used.update(k.b)
            used.update(k.c)
        return [self._names[w] for w in range(1, len(self._names)) if w not in used]


def bits_of(value: int, n: int) -> list[int]:
    """The ``n`` low bits of ``value``, least significant first (a helper for hints)."""
    return [(value >> i) & 1 for i in range(n)]


def lc_sum(items: Iterable[LC | int]) -> LC:
    """Σ items as one LC."""
    total = LC()
    for x in items:
        total = total + x
    return total
