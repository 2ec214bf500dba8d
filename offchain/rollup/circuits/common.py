"""Small pieces both chain circuits use: big-endian wire fields and a switchable Merkle update."""

from __future__ import annotations

from collections.abc import Sequence

from offchain.snark.gadgets.merkle import merkle_root_from_path
from offchain.snark.r1cs import LC, Circuit


def be_field(lsb_bits: Sequence[LC], width: int) -> list[LC]:
    """A field of ``width`` bits, big-endian (as it sits in pubdata), from its low bits LSB first;
    the bits above ``len(lsb_bits)`` are the constant 0 (that is how a width-``width`` field
    carries a value the circuit has proven to be below ``2^len(lsb_bits)``). Cost: 0."""
    if len(lsb_bits) > width:
        raise ValueError(f"circuits: {len(lsb_bits)} bits do not fit a {width}-bit field")
    return [LC() for _ in range(width - len(lsb_bits))] + [LC.of(b) for b in reversed(lsb_bits)]


def switched_root(c: Circuit, enabled: LC, prev: LC, computed: LC, *, name: str) -> LC:
    """``enabled ? computed : prev`` as ONE new wire (1 constraint:
    ``enabled · (computed - prev) = out - prev``). ``enabled`` assumed boolean.

    Unlike :func:`~offchain.snark.gadgets.basic.select`, whose result is the LC ``prev + m``,
    the output is a single wire, so a root threaded through many slots stays one term wide."""
    out = c.signal(f"{name}", lambda ev: ev(computed) if ev(enabled) else ev(prev))
    c.enforce(enabled, computed - prev, out - prev, label=name)
    return out


def conditional_merkle_update(
    c: Circuit,
    enabled: LC,
    old_leaf: LC,
    new_leaf: LC,
    key_bits: Sequence[LC],
    siblings: Sequence[LC],
    root: LC,
    *,
    name: str,
) -> LC:
    """When ``enabled`` (assumed boolean): ``old_leaf`` sits at ``key_bits`` under ``root``, and
    the result is the root with ``new_leaf`` there instead. When not: nothing is checked (the
    path may be anything, e.g. zeros) and the result is ``root`` unchanged.

    Cost: 2·D·241 (the two path folds; the key bits must already be constrained boolean, e.g.
    from ``to_bits``) + 1 (``enabled · (old_root - root) = 0``) + 1 (:func:`switched_root`)."""
    old = merkle_root_from_path(
        c, old_leaf, key_bits, siblings, bits_checked=True, name=f"{name}.old"
    )
    c.enforce(enabled, old - root, LC(), label=f"{name}.old_root")
    new = merkle_root_from_path(
        c, new_leaf, key_bits, siblings, bits_checked=True, name=f"{name}.new"
    )
    return switched_root(c, enabled, root, new, name=f"{name}.root")
