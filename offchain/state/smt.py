"""Fixed-depth sparse Merkle tree over Poseidon(2) on BN254 Fr: the rollup's state tree.

Protocol semantics (the circuit's Merkle gadgets must match these exactly)
--------------------------------------------------------------------------
- **Field.** Every leaf and node is an element of BN254's scalar field Fr, an integer in
  ``[0, r)`` with
  ``r = 21888242871839275222246405745257275088548364400416034343698204186575808495617``.
- **Shape.** A tree has a fixed depth ``D`` with ``1 <= D <= 64`` and ``2**D`` leaves. Level 0 holds
  the leaves, level ``D`` the root. The node at ``(level, index)`` has children
  ``(level - 1, 2*index)`` (left) and ``(level - 1, 2*index + 1)`` (right).
- **Keys.** A leaf's key is its index, an integer in ``[0, 2**D)``.
- **Leaves.** A leaf value is one field element; callers hash structured leaves (account, balance,
  order) themselves. The empty leaf is ``0``: "absent" and "set to 0" are the same thing.
- **Internal nodes.** ``node = poseidon([left, right])`` with circomlib's Poseidon (t = 3).
- **Empty subtrees.** ``zero[0] = 0`` and ``zero[i + 1] = poseidon([zero[i], zero[i]])``; an empty
  tree of depth ``D`` has root ``zero[D]``.
- **Paths.** Bit ``i`` of the key (LSB first) says whether the path node at level ``i`` is the right
  child (1) or the left child (0) of its parent. A proof lists the ``D`` siblings leaf -> root::

      h = value
      for i in range(D):
          h = poseidon([sibling[i], h]) if (key >> i) & 1 else poseidon([h, sibling[i]])
      assert h == root

- **Non-membership** of a key is a membership proof of the value 0 at that key's slot.
- **Batches.** :meth:`SparseMerkleTree.update_many` applies a set of writes as if applied one by
  one in the given order: for a key written more than once, **the last write wins**. The resulting
  root does not depend on the order of writes to distinct keys.

Implementation notes
--------------------
The tree keeps only non-empty nodes (value != ``zero[level]``) in a :class:`NodeStore` (a
non-empty subtree hashing to ``zero[level]`` would be a Poseidon collision). A batch walks up level
by level: the touched nodes of one level are a sorted ``uint64`` index array and an array of
Montgomery-form elements; their parents are hashed in one ``poseidon_batch`` call per level
(levels of at most :attr:`PoseidonHasher.SERIAL_MAX` pairs use the serial ``poseidon2_mont``
kernel instead), so each touched internal node is hashed exactly once per batch, and siblings
outside the batch are read from the store once. Results are converted back to integers and
committed in a single atomic :meth:`NodeStore.commit`; any invalid input raises before anything is
hashed or written, so a failed batch leaves the tree and its store unchanged. One writer per tree.

The hash is injectable (:class:`PairHasher`) only so tests can run the same code against an
independent Poseidon; the protocol tree is always :class:`PoseidonHasher`.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from offchain.crypto.field import FR_MODULUS, fr_array, fr_from_int, fr_ints, fr_to_int
from offchain.crypto.poseidon import poseidon2_mont, poseidon_batch
from offchain.state.store import MemoryNodeStore, NodeKey, NodeStore

__all__ = [
    "FR_MODULUS",
    "MAX_DEPTH",
    "MIN_DEPTH",
    "MerkleProof",
    "PairHasher",
    "PoseidonHasher",
    "SparseMerkleTree",
    "default_hasher",
    "verify_proof",
    "zero_hashes",
]

MIN_DEPTH = 1
MAX_DEPTH = 64


# --------------------------------------------------------------------------------------------
# Hashing backend
# --------------------------------------------------------------------------------------------


@runtime_checkable
class PairHasher(Protocol):
    """The two-to-one hash of the tree, scalar and batched.

    The batched side works on opaque *element arrays* of shape ``(N, W)`` (for Poseidon: ``W = 4``
    uint64 limbs in Montgomery form) so a batch never leaves that representation between levels.
    The protocol tree always uses :class:`PoseidonHasher`; other implementations exist for tests.
    """

    def hash_pair(self, left: int, right: int) -> int:
        """Return ``H(left, right)`` for two canonical field elements."""
        ...

    def to_elements(self, values: Sequence[int]) -> np.ndarray:
        """Convert canonical field elements to an ``(N, W)`` element array."""
        ...

    def from_elements(self, elements: np.ndarray) -> list[int]:
        """Convert an ``(N, W)`` element array back to canonical field elements."""
        ...

    def hash_pairs(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Return ``H(left[i], right[i])`` as an ``(N, W)`` array, for two ``(N, W)`` arrays."""
        ...


class PoseidonHasher:
    """Poseidon(2) over BN254 Fr (circomlib constants), batched with the numba kernel."""

    SERIAL_MAX = 16
    """Largest level hashed pair by pair instead of with the parallel batch kernel."""

    def hash_pair(self, left: int, right: int) -> int:
        """Return ``poseidon([left, right])``."""
        # The numba kernel called once from Python is ~10x faster than the pure-Python reference.
        return fr_to_int(poseidon2_mont(fr_from_int(left), fr_from_int(right)))

    def to_elements(self, values: Sequence[int]) -> np.ndarray:
        """Canonical ints -> ``(N, 4)`` uint64 Montgomery limbs."""
        if len(values) == 0:
            return np.empty((0, 4), dtype=np.uint64)
        return fr_array(list(values))

    def from_elements(self, elements: np.ndarray) -> list[int]:
        """``(N, 4)`` uint64 Montgomery limbs -> canonical ints."""
        if len(elements) == 0:
            return []
        return fr_ints(np.ascontiguousarray(elements))

    def hash_pairs(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Hash ``N`` pairs: one ``poseidon_batch`` call over an ``(N, 2, 4)`` array.

        Levels of at most ``SERIAL_MAX`` pairs (the top of every batch, and every level of a
        single-key update) call the serial ``poseidon2_mont`` kernel per pair instead: waking the
        parallel kernel's thread pool costs more than a few hashes, and milliseconds when the
        CPUs are oversubscribed.
        """
        n = len(left)
        if n > self.SERIAL_MAX:
            return poseidon_batch(np.stack((left, right), axis=1))
        out = np.empty((n, 4), dtype=np.uint64)
        for i in range(n):
            out[i] = poseidon2_mont(tuple(left[i]), tuple(right[i]))
        return out


_POSEIDON_HASHER = PoseidonHasher()


def default_hasher() -> PairHasher:
    """Return the protocol hasher, the process-wide :class:`PoseidonHasher`."""
    return _POSEIDON_HASHER


def _ladder(hasher: PairHasher) -> tuple[int, ...]:
    ladder = [0]
    for _ in range(MAX_DEPTH):
        ladder.append(hasher.hash_pair(ladder[-1], ladder[-1]))
    return tuple(ladder)


_POSEIDON_ZEROS: tuple[int, ...] | None = None


def zero_hashes(depth: int = MAX_DEPTH, hasher: PairHasher | None = None) -> tuple[int, ...]:
    """Return the empty-subtree ladder ``(zero[0], ..., zero[depth])`` (last = empty root)."""
    global _POSEIDON_ZEROS
    depth = _check_depth(depth)
    if hasher is not None and hasher is not _POSEIDON_HASHER:
        return _ladder(hasher)[: depth + 1]
    if _POSEIDON_ZEROS is None:
        # Computed on first use, not at import, so importing the module stays cheap.
        _POSEIDON_ZEROS = _ladder(_POSEIDON_HASHER)
    return _POSEIDON_ZEROS[: depth + 1]


# --------------------------------------------------------------------------------------------
# Input validation
# --------------------------------------------------------------------------------------------


def _check_depth(depth: int) -> int:
    depth = operator.index(depth)
    if not MIN_DEPTH <= depth <= MAX_DEPTH:
        raise ValueError(f"smt: depth must be in [{MIN_DEPTH}, {MAX_DEPTH}], got {depth}")
    return depth


def _check_key(key: int, depth: int) -> int:
    key = operator.index(key)
    if not 0 <= key < (1 << depth):
        raise ValueError(f"smt: key {key} out of range [0, 2**{depth}) for a depth-{depth} tree")
    return key


def _check_element(value: int, what: str) -> int:
    value = operator.index(value)
    if not 0 <= value < FR_MODULUS:
        raise ValueError(f"smt: {what} {value} is not a field element (must be in [0, r))")
    return value


# --------------------------------------------------------------------------------------------
# Proofs
# --------------------------------------------------------------------------------------------


def _fold(key: int, value: int, siblings: Sequence[int], hasher: PairHasher) -> int:
    """Hash a leaf value up its path: the reference definition of the root (module docstring)."""
    h = value
    for level, sibling in enumerate(siblings):
        if (key >> level) & 1:
            h = hasher.hash_pair(sibling, h)
        else:
            h = hasher.hash_pair(h, sibling)
    return h


@dataclass(frozen=True)
class MerkleProof:
    """A Merkle path for one leaf slot: membership if ``value != 0``, else non-membership.

    ``siblings[i]`` is the sibling of the path node at level ``i`` (leaf level first, so
    ``len(siblings)`` is the tree depth); ``root`` is the root the proof was made against.
    """

    key: int
    value: int
    siblings: list[int]
    root: int

    @property
    def depth(self) -> int:
        """Depth of the tree the proof is for (the number of siblings)."""
        return len(self.siblings)

    @property
    def is_membership(self) -> bool:
        """True if the proof shows a present (non-zero) leaf, False if it shows an empty slot."""
        return self.value != 0

    def validate(self, depth: int | None = None) -> None:
        """Raise ``ValueError`` naming the problem if the proof is malformed.

        Malformed means: wrong sibling count (``depth`` given and ``!= len(siblings)``, or a count
        outside 1..64), key out of range, or a value, sibling or root that is not a field element.
        A well-formed proof may still be *false*; that is :func:`verify_proof`'s job.
        """
        n = len(self.siblings)
        if depth is not None:
            depth = _check_depth(depth)
            if n != depth:
                raise ValueError(f"smt: proof has {n} siblings, a depth-{depth} tree needs {depth}")
        elif not MIN_DEPTH <= n <= MAX_DEPTH:
            raise ValueError(f"smt: proof has {n} siblings, must be in [{MIN_DEPTH}, {MAX_DEPTH}]")
        _check_key(self.key, n)
        _check_element(self.value, "proof value")
        _check_element(self.root, "proof root")
        for i, s in enumerate(self.siblings):
            _check_element(s, f"proof sibling {i}")

    def computed_root(self, hasher: PairHasher | None = None) -> int:
        """Return the root that ``(key, value, siblings)`` hash to (ignores ``self.root``)."""
        self.validate()
        return _fold(self.key, self.value, self.siblings, hasher or default_hasher())

    def root_after(self, new_value: int, hasher: PairHasher | None = None) -> int:
        """Return the root after setting this leaf to ``new_value``, all other leaves unchanged.

        This is what the circuit's update gadget computes: it first checks the old path against the
        old root, then re-hashes the same siblings with the new leaf. Likewise this raises
        ``ValueError`` if the proof is malformed or does not hash to its own ``root``.
        """
        self.validate()
        new_value = _check_element(new_value, "new value")
        h = hasher or default_hasher()
        if _fold(self.key, self.value, self.siblings, h) != self.root:
            raise ValueError("smt: proof does not hash to its root; refusing to derive a new root")
        return _fold(self.key, new_value, self.siblings, h)


def verify_proof(
    proof: MerkleProof, root: int, depth: int, hasher: PairHasher | None = None
) -> bool:
    """Return True iff ``proof`` shows ``proof.value`` at ``proof.key`` in the tree with ``root``.

    Pure: needs no tree. ``proof.root`` must also equal ``root``. Raises ``ValueError`` for a
    malformed proof (see :meth:`MerkleProof.validate`) or a bad ``root``/``depth``; returns False
    for a well-formed proof that does not verify.
    """
    depth = _check_depth(depth)
    root = _check_element(root, "root")
    proof.validate(depth)
    if proof.root != root:
        return False
    return _fold(proof.key, proof.value, proof.siblings, hasher or default_hasher()) == root


# --------------------------------------------------------------------------------------------
# The tree
# --------------------------------------------------------------------------------------------


class SparseMerkleTree:
    """A depth-``D`` Poseidon sparse Merkle tree backed by a :class:`NodeStore`.

    Opening a store that already holds a committed tree resumes it (same root); its recorded depth
    must match ``depth``. One writer per store. See the module docstring for the exact semantics.
    """

    def __init__(
        self,
        depth: int,
        store: NodeStore | None = None,
        *,
        hasher: PairHasher | None = None,
    ) -> None:
        """Create (or reopen from ``store``) a tree of ``depth`` levels; default store: memory."""
        self.depth: int = _check_depth(depth)
        self.store: NodeStore = store if store is not None else MemoryNodeStore()
        self.hasher: PairHasher = hasher if hasher is not None else default_hasher()
        self._zero: tuple[int, ...] = zero_hashes(self.depth, self.hasher)
        # Element-array form of the ladder, used to pre-fill missing siblings in batches.
        self._zero_el: np.ndarray = self.hasher.to_elements(self._zero)
        meta = self.store.load_meta()
        if meta is None:
            self._root = self._zero[self.depth]
        else:
            stored_depth, stored_root = meta
            if stored_depth != self.depth:
                raise ValueError(
                    f"smt: store holds a depth-{stored_depth} tree, opened as depth {self.depth}"
                )
            self._root = stored_root

    @property
    def root(self) -> int:
        """The current root (``zero[depth]`` for an empty tree)."""
        return self._root

    @property
    def zero_hashes(self) -> tuple[int, ...]:
        """The empty-subtree ladder ``(zero[0], ..., zero[depth])`` of this tree."""
        return self._zero

    def get(self, key: int) -> int:
        """Return the leaf value at ``key`` (0 if absent)."""
        key = _check_key(key, self.depth)
        value = self.store.get_node(0, key)
        return 0 if value is None else value

    def update(self, key: int, value: int) -> int:
        """Set leaf ``key`` to ``value`` (0 deletes it) and return the new root."""
        return self.update_many([(key, value)])

    def update_many(self, items: Mapping[int, int] | Sequence[tuple[int, int]]) -> int:
        """Apply a batch of leaf writes atomically and return the new root.

        Equivalent to calling :meth:`update` for each ``(key, value)`` in order; for a key written
        more than once the **last write wins**. Every key and value is validated first, so a bad
        entry raises ``ValueError`` and nothing is hashed or written. Each internal node on a
        touched path is hashed exactly once, level by level, with one batched Poseidon call per
        level; the nodes and the root are committed to the store in one atomic commit.
        """
        writes = self._normalize(items)
        if not writes:
            return self._root
        keys = sorted(writes)
        leaf_values = [writes[k] for k in keys]
        hasher = self.hasher
        zero = self._zero
        store = self.store

        puts: dict[NodeKey, int] = {}
        deletes: list[NodeKey] = []

        def record(level: int, indices: Iterable[int], values: Iterable[int]) -> None:
            empty = zero[level]
            for i, v in zip(indices, values, strict=True):
                if v == empty:
                    deletes.append((level, i))
                else:
                    puts[(level, i)] = v

        record(0, keys, leaf_values)

        idx = np.array(keys, dtype=np.uint64)
        cur = hasher.to_elements(leaf_values)
        levels_idx: list[np.ndarray] = []
        levels_el: list[np.ndarray] = []
        one = np.uint64(1)
        for level in range(self.depth):
            # idx is sorted and unique, so siblings are adjacent and parents come out sorted.
            parent = idx >> one
            is_right = (idx & one).astype(bool)
            first = np.empty(len(idx), dtype=bool)
            first[0] = True
            np.not_equal(parent[1:], parent[:-1], out=first[1:])
            slot = np.cumsum(first) - 1  # position of each node's parent in pidx
            pidx = parent[first]
            n_parents = len(pidx)

            zero_row = self._zero_el[level]
            left = np.repeat(zero_row[None, :], n_parents, axis=0)
            right = left.copy()
            have_left = np.zeros(n_parents, dtype=bool)
            have_right = np.zeros(n_parents, dtype=bool)
            is_left = ~is_right
            left[slot[is_left]] = cur[is_left]
            have_left[slot[is_left]] = True
            right[slot[is_right]] = cur[is_right]
            have_right[slot[is_right]] = True

            # Siblings outside the batch come from the store; missing ones stay zero[level].
            self._fill_siblings(level, pidx, ~have_left, 0, left)
            self._fill_siblings(level, pidx, ~have_right, 1, right)

            cur = hasher.hash_pairs(left, right)
            idx = pidx
            levels_idx.append(pidx)
            levels_el.append(cur)

        # One conversion back to ints for every node hashed in this batch.
        flat = hasher.from_elements(np.concatenate(levels_el, axis=0))
        offset = 0
        for level, pidx in enumerate(levels_idx, start=1):
            n = len(pidx)
            record(level, pidx.tolist(), flat[offset : offset + n])
            offset += n
        new_root = flat[-1]

        store.commit(self.depth, new_root, puts, deletes)
        self._root = new_root
        return new_root

    def prove(self, key: int) -> MerkleProof:
        """Return a proof for ``key``: membership if its leaf is non-zero, else non-membership."""
        key = _check_key(key, self.depth)
        value = self.get(key)
        siblings: list[int] = []
        for level in range(self.depth):
            s = self.store.get_node(level, (key >> level) ^ 1)
            siblings.append(self._zero[level] if s is None else s)
        return MerkleProof(key=key, value=value, siblings=siblings, root=self._root)

    def verify(self, proof: MerkleProof) -> bool:
        """Return True iff ``proof`` verifies against this tree's current root and depth."""
        return verify_proof(proof, self._root, self.depth, self.hasher)

    # ---------------------------------------------------------------------------------------

    def _normalize(self, items: Mapping[int, int] | Sequence[tuple[int, int]]) -> dict[int, int]:
        """Validate a batch and collapse it to ``{key: last value}`` (last write wins)."""
        pairs = items.items() if isinstance(items, Mapping) else items
        writes: dict[int, int] = {}
        for n, pair in enumerate(pairs):
            try:
                key, value = pair
            except (TypeError, ValueError):
                raise ValueError(
                    f"smt: batch entry {n} is not a (key, value) pair: {pair!r}"
                ) from None
            key = _check_key(key, self.depth)
            writes[key] = _check_element(value, f"value for key {key}")
        return writes

    def _fill_siblings(
        self,
        level: int,
        pidx: np.ndarray,
        missing: np.ndarray,
        side: int,
        target: np.ndarray,
    ) -> None:
        """Load the ``side`` children (0 left, 1 right) of ``pidx[missing]`` into ``target``."""
        where = np.flatnonzero(missing)
        if len(where) == 0:
            return
        child = (pidx[where] << np.uint64(1)) | np.uint64(side)
        values = self.store.get_nodes(level, child.tolist())
        hits = [(w, v) for w, v in zip(where.tolist(), values, strict=True) if v is not None]
        if hits:
            rows, found = zip(*hits, strict=True)
            target[list(rows)] = self.hasher.to_elements(list(found))
