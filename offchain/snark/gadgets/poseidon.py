"""Poseidon in R1CS, identical to circomlib's ``Poseidon(n)`` and :func:`offchain.crypto.poseidon.poseidon`.

The circuit runs the same optimised round schedule as the native hash
(:class:`offchain.crypto.poseidon_params.OptimizedParams`): full rounds, then partial rounds with
sparse matrices, then full rounds. In R1CS every linear step (round constants, matrices) is free —
it only grows LCs — so the cost is the S-boxes: ``x^5`` takes three products (x², x⁴, x⁵), i.e.
3 constraints per S-box, and there are ``8·t + p`` S-boxes for width t with p partial rounds.
The capacity element starts as the constant 0, so the first round's S-box on it is a constant and
free: ``3·(8·t + p) - 3`` constraints, 240 for two inputs (t = 3, p = 57).

The optimised schedule is what keeps the constraint *matrices* sparse: with the plain dense
partial-round matrix every state element would become an LC over all earlier partial-round S-box
outputs; with the sparse factorisation only element 0 mixes the whole state and the others gain
one term per round.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from offchain.crypto.poseidon import MAX_INPUTS, poseidon_params_for
from offchain.crypto.poseidon_params import OptimizedParams, optimize_params
from offchain.snark.r1cs import LC, Circuit, lc_sum

__all__ = ["poseidon_constraint_count", "poseidon_gadget"]


@cache
def _params(t: int) -> OptimizedParams:
    return optimize_params(poseidon_params_for(t))


def poseidon_constraint_count(n_inputs: int) -> int:
    """Constraints :func:`poseidon_gadget` adds for ``n_inputs`` variable inputs:
    ``3·(8·t + p) - 3`` with t = n_inputs + 1 and p the partial rounds of width t."""
    o = _params(_check_count(n_inputs) + 1)
    return 3 * (o.full_rounds * o.t + o.partial_rounds) - 3


def _check_count(n: int) -> int:
    if not 1 <= n <= MAX_INPUTS:
        raise ValueError(f"poseidon_gadget: takes 1..{MAX_INPUTS} inputs, got {n}")
    return n


def _sbox(c: Circuit, x: LC, name: str) -> LC:
    # x^5 with three products; a constant x costs nothing (Circuit.mul folds constants).
    x2 = c.mul(x, x, name=f"{name}.x2")
    x4 = c.mul(x2, x2, name=f"{name}.x4")
    return c.mul(x4, x, name=f"{name}.x5")


def _mix(matrix: Sequence[Sequence[int]], state: Sequence[LC]) -> list[LC]:
    return [lc_sum(s * m for m, s in zip(row, state, strict=True)) for row in matrix]


def _full_round(
    c: Circuit,
    state: list[LC],
    constants: Sequence[int],
    matrix: Sequence[Sequence[int]] | None,
    name: str,
) -> list[LC]:
    boxed = [
        _sbox(c, s + k, f"{name}.s{i}")
        for i, (s, k) in enumerate(zip(state, constants, strict=True))
    ]
    return boxed if matrix is None else _mix(matrix, boxed)


def poseidon_gadget(c: Circuit, inputs: Sequence[LC | int], *, name: str = "poseidon") -> LC:
    """Poseidon hash of 1..16 field elements, equal to circomlib ``Poseidon(len(inputs))``.

    Returns the hash as an LC (linear in the last round's S-box outputs; expose or constrain it
    as needed). Cost: ``poseidon_constraint_count(len(inputs))`` constraints — 240 for 2 inputs,
    213 for 1, 609 for 16 — fewer when some inputs are constants (a round whose S-box input is
    constant is folded). Inputs are arbitrary field elements; nothing is assumed.
    """
    o = _params(_check_count(len(inputs)) + 1)
    half = o.full_rounds // 2
    state: list[LC] = [LC(), *(LC.of(x) for x in inputs)]
    for r in range(half):
        matrix = o.pre_sparse if r == half - 1 else o.mds
        state = _full_round(c, state, o.first_constants[r], matrix, f"{name}.f{r}")
    for k, (const, row, col) in enumerate(
        zip(o.partial_constants, o.sparse_row, o.sparse_col, strict=True)
    ):
        s0 = _sbox(c, state[0] + const, f"{name}.p{k}")
        rest = state[1:]
        state = [
            s0 * row[0] + lc_sum(s * m for m, s in zip(row[1:], rest, strict=True)),
            *(s + s0 * m for s, m in zip(rest, col, strict=True)),
        ]
    for r in range(half):
        matrix = o.mds if r < half - 1 else None
        state = _full_round(c, state, o.last_constants[r], matrix, f"{name}.f{half + r}")
    # Only state[0] is the output: one row of the matrix the last round skipped.
    return _mix(o.mds[:1], state)[0]
