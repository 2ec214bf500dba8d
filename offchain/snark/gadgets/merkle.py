"""Sparse-Merkle-tree gadgets matching :mod:`offchain.state.smt` exactly.

The tree semantics (the module docstring of ``offchain.state.smt`` is the spec): a path from a
leaf at level 0 to the root at level D; ``key_bits[i]`` (bit i of the key, LSB first) is 1 when the
path node at level i is the *right* child; its parent is ``poseidon([left, right])``::

    h = leaf
    for i in range(D):
        h = poseidon([sibling[i], h]) if key_bits[i] else poseidon([h, sibling[i]])

One level in R1CS: the ordered pair is ``left = h + b·(s - h)`` (one product) and
``right = h + s - left`` (linear), then a 240-constraint Poseidon(2); plus one booleanity
constraint per path bit unless the caller vouches for the bits (``bits_checked=True``, e.g. when
they come from :func:`~offchain.snark.gadgets.basic.to_bits`). Without booleanity a bit of 2 would
hash ``(2s - h, 2h - s)``: a different, prover-chosen pair — exactly the kind of hole the negative
tests probe.

Depth is ``len(key_bits)`` (= ``len(siblings)``), 1..64 like the native tree. The key itself is
not range-checked here: a path of D bits *is* a key in [0, 2^D).
"""

from __future__ import annotations

from collections.abc import Sequence

from offchain.snark.gadgets.poseidon import poseidon_constraint_count, poseidon_gadget
from offchain.snark.r1cs import LC, Circuit

__all__ = [
    "LEVEL_COST",
    "assert_merkle_membership",
    "merkle_root_from_path",
    "merkle_update",
]

LEVEL_COST = poseidon_constraint_count(2) + 1
"""Constraints per level of one path fold: Poseidon(2) (240) + the left/right swap (1)."""

MIN_DEPTH = 1
MAX_DEPTH = 64


def _check_path(key_bits: Sequence[LC | int], siblings: Sequence[LC | int]) -> int:
    depth = len(key_bits)
    if depth != len(siblings):
        raise ValueError(
            f"merkle: {len(key_bits)} key bits but {len(siblings)} siblings (one per level)"
        )
    if not MIN_DEPTH <= depth <= MAX_DEPTH:
        raise ValueError(f"merkle: depth must be in [{MIN_DEPTH}, {MAX_DEPTH}], got {depth}")
    return depth


def _assert_path_bits(c: Circuit, key_bits: Sequence[LC | int], name: str) -> None:
    for i, b in enumerate(key_bits):
        b = LC.of(b)
        if b.is_constant():
            if b.constant_value() not in (0, 1):
                raise ValueError(f"merkle: constant path bit {i} is not 0 or 1")
            continue
        c.assert_bool(b, label=f"{name}.bit{i}")


def _fold(
    c: Circuit,
    leaf: LC | int,
    key_bits: Sequence[LC | int],
    siblings: Sequence[LC | int],
    name: str,
) -> LC:
    h = LC.of(leaf)
    for i, (b, s) in enumerate(zip(key_bits, siblings, strict=True)):
        s = LC.of(s)
        # left = b ? s : h; right is whatever of {h, s} left is not (h + s - left, linear).
        left = h + c.mul(b, s - h, name=f"{name}.swap{i}")
        right = h + s - left
        h = poseidon_gadget(c, [left, right], name=f"{name}.h{i}")
    return h


def merkle_root_from_path(
    c: Circuit,
    leaf: LC | int,
    key_bits: Sequence[LC | int],
    siblings: Sequence[LC | int],
    *,
    bits_checked: bool = False,
    name: str = "merkle",
) -> LC:
    """The root that ``leaf`` at the path ``key_bits`` (LSB first) with ``siblings`` (leaf level
    first) hashes to, exactly as ``MerkleProof.computed_root``. Returned as an LC.

    Cost: D · 241 constraints for depth D = len(key_bits), plus D booleanity constraints unless
    ``bits_checked=True`` (the caller promises the bits are constrained boolean already). Leaf
    and siblings are arbitrary field elements. Constant bits/siblings are folded where free.
    """
    _check_path(key_bits, siblings)
    if not bits_checked:
        _assert_path_bits(c, key_bits, name)
    return _fold(c, leaf, key_bits, siblings, name)


def assert_merkle_membership(
    c: Circuit,
    leaf: LC | int,
    key_bits: Sequence[LC | int],
    siblings: Sequence[LC | int],
    root: LC | int,
    *,
    bits_checked: bool = False,
    name: str = "merkle",
) -> None:
    """Constrain ``leaf`` to sit at ``key_bits`` in the tree with ``root`` (``verify_proof``).

    Cost: D · 241 + 1 constraints (+ D booleanity unless ``bits_checked``). A leaf of 0 proves
    non-membership, as in ``offchain.state.smt``.
    """
    computed = merkle_root_from_path(
        c, leaf, key_bits, siblings, bits_checked=bits_checked, name=name
    )
    c.assert_equal(computed, root, label=f"{name}.root")


def merkle_update(
    c: Circuit,
    old_leaf: LC | int,
    new_leaf: LC | int,
    key_bits: Sequence[LC | int],
    siblings: Sequence[LC | int],
    old_root: LC | int,
    *,
    bits_checked: bool = False,
    name: str = "merkle_update",
) -> LC:
    """Check ``old_leaf`` at ``key_bits`` under ``old_root``, return the root with ``new_leaf``
    there instead (same siblings): ``MerkleProof.root_after``. The state-transition step.

    Cost: D · 482 + 1 constraints (+ D booleanity unless ``bits_checked``; the bits are checked
    once for both paths). Leaves, siblings and root are arbitrary field elements.
    """
    _check_path(key_bits, siblings)
    if not bits_checked:
        _assert_path_bits(c, key_bits, name)
    old = _fold(c, old_leaf, key_bits, siblings, f"{name}.old")
    c.assert_equal(old, old_root, label=f"{name}.old_root")
    return _fold(c, new_leaf, key_bits, siblings, f"{name}.new")
