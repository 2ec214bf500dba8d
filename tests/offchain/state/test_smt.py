"""Sparse Merkle tree: proofs, batched updates, persistence and bad input.

The independent oracle is ``light_poseidon_python`` (a Rust Poseidon with circomlib constants): the
zero ladder and a naive dense recomputation of small trees are computed with it, never with the
code under test.
"""

from __future__ import annotations

import dataclasses
import random
import sqlite3
from pathlib import Path

import light_poseidon_python
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offchain.state.smt import (
    FR_MODULUS,
    MAX_DEPTH,
    MerkleProof,
    PairHasher,
    PoseidonHasher,
    SparseMerkleTree,
    default_hasher,
    verify_proof,
    zero_hashes,
)
from offchain.state.store import MemoryNodeStore, NodeStore, SQLiteNodeStore


def ref_poseidon2(left: int, right: int) -> int:
    """circomlib Poseidon of two inputs, from the independent Rust implementation."""
    return int(light_poseidon_python.poseidon_hash([left, right]))


class ReferenceHasher:
    """A :class:`PairHasher` over plain ints (object arrays, one hash at a time)."""

    def hash_pair(self, left: int, right: int) -> int:
        return ref_poseidon2(left, right)

    def to_elements(self, values):  # type: ignore[no-untyped-def]
        out = np.empty((len(values), 1), dtype=object)
        out[:, 0] = [int(v) for v in values]
        return out

    def from_elements(self, elements):  # type: ignore[no-untyped-def]
        return [int(v) for v in elements[:, 0]]

    def hash_pairs(self, left, right):  # type: ignore[no-untyped-def]
        return self.to_elements(
            [ref_poseidon2(a, b) for a, b in zip(left[:, 0], right[:, 0], strict=True)]
        )


REF = ReferenceHasher()


@pytest.fixture(scope="module")
def hasher() -> PairHasher:
    """The protocol hasher (numba Poseidon)."""
    return default_hasher()


def ref_zero_ladder(depth: int) -> list[int]:
    ladder = [0]
    for _ in range(depth):
        ladder.append(ref_poseidon2(ladder[-1], ladder[-1]))
    return ladder


def dense_root(depth: int, leaves: dict[int, int]) -> int:
    """Naive root: materialise all 2**depth leaves and hash every level in full."""
    level = [leaves.get(i, 0) for i in range(1 << depth)]
    while len(level) > 1:
        level = [ref_poseidon2(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


field_elements = st.one_of(
    st.just(0),
    st.integers(min_value=1, max_value=2**16),
    st.integers(min_value=0, max_value=FR_MODULUS - 1),
    st.just(FR_MODULUS - 1),
)


def key_value_lists(depth: int, min_size: int = 0, max_size: int = 40):  # type: ignore[no-untyped-def]
    return st.lists(
        st.tuples(st.integers(0, (1 << depth) - 1), field_elements),
        min_size=min_size,
        max_size=max_size,
    )


# ------------------------------------------------------------------------------------------------
# Empty tree and dense cross-check
# ------------------------------------------------------------------------------------------------


def test_known_zero1_matches_circomlib() -> None:
    """zero[1] = poseidon([0, 0]), the well-known circomlib value."""
    assert zero_hashes(1)[1] == (
        14744269619966411208579211824598458697587494354926760081771325075741142829156
    )


@pytest.mark.parametrize("depth", [1, 2, 5, 16, 32, MAX_DEPTH])
def test_empty_root_is_zero_ladder(depth: int, hasher: PairHasher) -> None:
    ladder = ref_zero_ladder(depth)
    tree = SparseMerkleTree(depth, hasher=hasher)
    assert tree.root == ladder[depth]
    assert list(tree.zero_hashes) == ladder
    assert list(zero_hashes(depth)) == ladder


@given(data=st.data())
@settings(max_examples=40)
def test_root_matches_dense_recomputation(data: st.DataObject, hasher: PairHasher) -> None:
    depth = data.draw(st.integers(1, 5), label="depth")
    items = data.draw(key_value_lists(depth, max_size=24), label="items")
    tree = SparseMerkleTree(depth, hasher=hasher)
    root = tree.update_many(items)
    expected_leaves = dict(items)  # last write wins
    assert root == tree.root == dense_root(depth, expected_leaves)
    for k in range(1 << depth):
        assert tree.get(k) == expected_leaves.get(k, 0)


def test_dense_cross_check_full_tree(hasher: PairHasher) -> None:
    """Every leaf of a depth-6 tree set to a distinct value, then half of them cleared."""
    depth = 6
    leaves = {k: (k * 7919 + 1) % FR_MODULUS for k in range(1 << depth)}
    tree = SparseMerkleTree(depth, hasher=hasher)
    assert tree.update_many(leaves) == dense_root(depth, leaves)
    cleared = {k: 0 for k in range(0, 1 << depth, 2)}
    tree.update_many(cleared)
    leaves.update(cleared)
    assert tree.root == dense_root(depth, leaves)


def test_reference_hasher_tree_agrees(hasher: PairHasher) -> None:
    """The batch path run with the reference hasher gives the same roots as the numba path."""
    rng = random.Random(7)
    items = [(rng.randrange(1 << 20), rng.randrange(FR_MODULUS)) for _ in range(200)]
    fast = SparseMerkleTree(20, hasher=hasher)
    slow = SparseMerkleTree(20, hasher=REF)
    assert fast.update_many(items) == slow.update_many(items)


class _AlwaysBatch(PoseidonHasher):
    SERIAL_MAX = 0


class _NeverBatch(PoseidonHasher):
    SERIAL_MAX = 1 << 62


@given(items=key_value_lists(16, min_size=1, max_size=60))
@settings(max_examples=20)
def test_serial_and_parallel_hash_paths_agree(items: list[tuple[int, int]]) -> None:
    """Small levels use the serial kernel, large ones poseidon_batch: both give the same tree."""
    roots = {
        SparseMerkleTree(16, hasher=h()).update_many(items) for h in (_AlwaysBatch, _NeverBatch)
    }
    assert len(roots) == 1


# ------------------------------------------------------------------------------------------------
# Proofs
# ------------------------------------------------------------------------------------------------


def _populated(
    depth: int, hasher: PairHasher, n: int, seed: int = 1
) -> tuple[SparseMerkleTree, dict]:
    rng = random.Random(seed)
    keys = rng.sample(range(1 << depth), n)
    # Distinct non-zero values: no two subtrees are equal, so every tamper must change the root.
    leaves = {k: 1000 + i for i, k in enumerate(keys)}
    tree = SparseMerkleTree(depth, hasher=hasher)
    tree.update_many(leaves)
    return tree, leaves


def test_membership_and_non_membership_proofs_verify(hasher: PairHasher) -> None:
    depth = 5
    tree, leaves = _populated(depth, hasher, 12)
    for key in range(1 << depth):
        proof = tree.prove(key)
        assert proof.key == key and proof.root == tree.root and proof.depth == depth
        assert proof.value == leaves.get(key, 0)
        assert proof.is_membership == (key in leaves)
        assert verify_proof(proof, tree.root, depth)
        assert tree.verify(proof)
        assert proof.computed_root() == tree.root


def test_proofs_on_empty_and_deep_tree(hasher: PairHasher) -> None:
    tree = SparseMerkleTree(32, hasher=hasher)
    proof = tree.prove(12345)
    assert proof.value == 0 and proof.siblings == list(tree.zero_hashes[:32])
    assert verify_proof(proof, tree.root, 32)
    tree.update(2**32 - 1, 5)
    for key in (0, 2**31, 2**32 - 1):
        assert verify_proof(tree.prove(key), tree.root, 32)


def test_tampered_proofs_rejected(hasher: PairHasher) -> None:
    depth = 6
    tree, leaves = _populated(depth, hasher, 20, seed=3)
    root = tree.root
    absent = next(k for k in range(1 << depth) if k not in leaves)
    for key in (*list(leaves)[:4], absent):
        proof = tree.prove(key)
        assert verify_proof(proof, root, depth)
        for i in range(depth):
            bad = list(proof.siblings)
            bad[i] = (bad[i] + 1) % FR_MODULUS
            assert not verify_proof(dataclasses.replace(proof, siblings=bad), root, depth), i
        assert not verify_proof(dataclasses.replace(proof, value=proof.value + 1), root, depth)
        for bit in range(depth):
            moved = dataclasses.replace(proof, key=key ^ (1 << bit))
            # The claim "value at moved key" is false unless both slots are empty.
            if not (proof.value == 0 and tree.get(moved.key) == 0):
                assert not verify_proof(moved, root, depth), bit
        other_root = (root + 1) % FR_MODULUS
        assert not verify_proof(proof, other_root, depth)
        assert not verify_proof(dataclasses.replace(proof, root=other_root), root, depth)
        assert not verify_proof(dataclasses.replace(proof, root=other_root), other_root, depth)


@given(data=st.data())
@settings(max_examples=30)
def test_verifying_proofs_are_true(data: st.DataObject, hasher: PairHasher) -> None:
    """Soundness: a proof that verifies (tampered or not) states a leaf value the tree has."""
    depth = 4
    items = data.draw(key_value_lists(depth, max_size=12), label="items")
    tree = SparseMerkleTree(depth, hasher=hasher)
    tree.update_many(items)
    proof = tree.prove(data.draw(st.integers(0, (1 << depth) - 1), label="key"))
    key = data.draw(st.integers(0, (1 << depth) - 1), label="claimed key")
    value = data.draw(st.sampled_from([proof.value, 0, 1, tree.get(key)]), label="claimed value")
    claim = dataclasses.replace(proof, key=key, value=value)
    if verify_proof(claim, tree.root, depth):
        assert tree.get(key) == value


def test_root_after_matches_tree_update(hasher: PairHasher) -> None:
    depth = 8
    tree, leaves = _populated(depth, hasher, 30, seed=5)
    rng = random.Random(11)
    for _ in range(20):
        key = rng.randrange(1 << depth)
        new_value = rng.choice([0, rng.randrange(FR_MODULUS)])
        proof = tree.prove(key)
        predicted = proof.root_after(new_value)
        assert tree.update(key, new_value) == predicted
        assert verify_proof(tree.prove(key), predicted, depth)


def test_root_after_rejects_inconsistent_proof(hasher: PairHasher) -> None:
    tree, _ = _populated(4, hasher, 5)
    proof = tree.prove(3)
    bad = dataclasses.replace(proof, value=proof.value + 1)
    with pytest.raises(ValueError, match="does not hash to its root"):
        bad.root_after(7)
    with pytest.raises(ValueError, match="new value"):
        proof.root_after(FR_MODULUS)


# ------------------------------------------------------------------------------------------------
# Batches
# ------------------------------------------------------------------------------------------------


@given(data=st.data())
def test_batch_equals_sequential_updates(data: st.DataObject, hasher: PairHasher) -> None:
    depth = data.draw(st.integers(1, 10), label="depth")
    # Few distinct keys so repeats (and writes of 0 over earlier values) are common.
    key_pool = data.draw(
        st.lists(st.integers(0, (1 << depth) - 1), min_size=1, max_size=8, unique=True),
        label="pool",
    )
    items = data.draw(
        st.lists(st.tuples(st.sampled_from(key_pool), field_elements), max_size=30), label="items"
    )
    prefix = data.draw(key_value_lists(depth, max_size=10), label="existing leaves")

    batched_store, seq_store = MemoryNodeStore(), MemoryNodeStore()
    batched = SparseMerkleTree(depth, batched_store, hasher=hasher)
    sequential = SparseMerkleTree(depth, seq_store, hasher=hasher)
    batched.update_many(prefix)
    sequential.update_many(prefix)

    root = batched.update_many(items)
    for key, value in items:
        sequential.update(key, value)
    assert root == batched.root == sequential.root
    # Same nodes, and no empty node left behind (only non-empty nodes are stored).
    assert batched_store.snapshot() == seq_store.snapshot()
    zero = batched.zero_hashes
    assert all(v != zero[level] for (level, _), v in batched_store.snapshot().items())


@given(data=st.data())
@settings(max_examples=30)
def test_root_independent_of_order_for_distinct_keys(
    data: st.DataObject, hasher: PairHasher
) -> None:
    depth = data.draw(st.integers(1, 12), label="depth")
    keys = data.draw(
        st.lists(st.integers(0, (1 << depth) - 1), min_size=1, max_size=30, unique=True),
        label="keys",
    )
    items = [(k, data.draw(field_elements, label=f"value {k}")) for k in keys]
    shuffled = data.draw(st.permutations(items), label="shuffled")
    a = SparseMerkleTree(depth, hasher=hasher)
    b = SparseMerkleTree(depth, hasher=hasher)
    c = SparseMerkleTree(depth, hasher=hasher)
    a.update_many(items)
    b.update_many(dict(shuffled))
    for k, v in shuffled:
        c.update(k, v)
    assert a.root == b.root == c.root


def test_last_write_wins_and_mapping_input(hasher: PairHasher) -> None:
    tree = SparseMerkleTree(4, hasher=hasher)
    tree.update_many([(3, 1), (5, 2), (3, 9)])
    assert tree.get(3) == 9 and tree.get(5) == 2
    other = SparseMerkleTree(4, hasher=hasher)
    assert other.update_many({3: 9, 5: 2}) == tree.root


def test_clearing_everything_returns_to_empty(hasher: PairHasher) -> None:
    store = MemoryNodeStore()
    tree = SparseMerkleTree(10, store, hasher=hasher)
    keys = random.Random(2).sample(range(1 << 10), 50)
    tree.update_many({k: k + 1 for k in keys})
    assert len(store) > 0
    assert tree.update_many({k: 0 for k in keys}) == tree.zero_hashes[10]
    assert len(store) == 0


def test_empty_batch_is_a_no_op(hasher: PairHasher) -> None:
    tree = SparseMerkleTree(4, hasher=hasher)
    assert tree.update_many([]) == tree.root == tree.zero_hashes[4]
    assert tree.store.load_meta() is None


def test_batch_writes_the_expected_nodes(hasher: PairHasher) -> None:
    """A single leaf in a depth-D tree stores exactly D + 1 nodes (leaf .. root)."""
    store = MemoryNodeStore()
    tree = SparseMerkleTree(16, store, hasher=hasher)
    tree.update(0xBEEF, 42)
    snap = store.snapshot()
    assert sorted(snap) == [(lv, 0xBEEF >> lv) for lv in range(17)]
    assert snap[(16, 0)] == tree.root


# ------------------------------------------------------------------------------------------------
# Bad input
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [0, -1, 65, 1000])
def test_depth_out_of_range(depth: int) -> None:
    with pytest.raises(ValueError, match="depth"):
        SparseMerkleTree(depth)


def test_bad_keys_and_values(hasher: PairHasher) -> None:
    tree = SparseMerkleTree(4, hasher=hasher)
    for key in (-1, 16, 2**64):
        with pytest.raises(ValueError, match="key"):
            tree.update(key, 1)
        with pytest.raises(ValueError, match="key"):
            tree.get(key)
        with pytest.raises(ValueError, match="key"):
            tree.prove(key)
    for value in (-1, FR_MODULUS, FR_MODULUS + 5, 2**256):
        with pytest.raises(ValueError, match="not a field element"):
            tree.update(1, value)
    with pytest.raises(ValueError, match="not a .key, value. pair"):
        tree.update_many([(1, 2, 3)])  # type: ignore[list-item]
    assert tree.root == tree.zero_hashes[4]


def test_malformed_proofs(hasher: PairHasher) -> None:
    tree, _ = _populated(5, hasher, 6)
    proof = tree.prove(2)
    with pytest.raises(ValueError, match="siblings"):
        verify_proof(dataclasses.replace(proof, siblings=proof.siblings[:-1]), tree.root, 5)
    with pytest.raises(ValueError, match="siblings"):
        verify_proof(dataclasses.replace(proof, siblings=[*proof.siblings, 0]), tree.root, 5)
    with pytest.raises(ValueError, match="siblings"):
        dataclasses.replace(proof, siblings=[]).root_after(1)
    with pytest.raises(ValueError, match="key"):
        verify_proof(dataclasses.replace(proof, key=32), tree.root, 5)
    with pytest.raises(ValueError, match="sibling 3"):
        bad = list(proof.siblings)
        bad[3] = FR_MODULUS
        verify_proof(dataclasses.replace(proof, siblings=bad), tree.root, 5)
    with pytest.raises(ValueError, match="proof value"):
        verify_proof(dataclasses.replace(proof, value=-1), tree.root, 5)
    with pytest.raises(ValueError, match="root"):
        verify_proof(proof, FR_MODULUS, 5)
    with pytest.raises(ValueError, match="depth"):
        verify_proof(proof, tree.root, 0)
    assert isinstance(proof, MerkleProof)


# ------------------------------------------------------------------------------------------------
# Persistence
# ------------------------------------------------------------------------------------------------


def _node_rows(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return sorted(conn.execute("SELECT tree, level, idx, value FROM smt_node").fetchall())


def test_sqlite_round_trip(tmp_path: Path, hasher: PairHasher) -> None:
    path = tmp_path / "state.db"
    rng = random.Random(4)
    batches = [
        [(rng.randrange(1 << 20), rng.choice([0, rng.randrange(FR_MODULUS)])) for _ in range(64)]
        for _ in range(4)
    ]
    mem = SparseMerkleTree(20, hasher=hasher)
    with SQLiteNodeStore(path) as store:
        assert isinstance(store, NodeStore)
        assert store.path == path
        tree = SparseMerkleTree(20, store, hasher=hasher)
        for batch in batches:
            assert tree.update_many(batch) == mem.update_many(batch)
        assert store.node_count() == len(mem.store)  # type: ignore[arg-type]
        assert str(store._db.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal"
    with SQLiteNodeStore(path) as store:
        reopened = SparseMerkleTree(20, store, hasher=hasher)
        assert reopened.root == mem.root
        for batch in batches:
            for key, _ in batch:
                assert reopened.get(key) == mem.get(key)
                assert reopened.prove(key) == mem.prove(key)
        # It keeps working after reopening.
        assert reopened.update(77, 88) == mem.update(77, 88)
        with pytest.raises(ValueError, match="depth-20 tree"):
            SparseMerkleTree(21, store, hasher=hasher)


def test_sqlite_several_trees_and_full_depth(tmp_path: Path, hasher: PairHasher) -> None:
    """Two trees share a file; depth 64 keys above 2**63 survive the signed-integer mapping."""
    path = tmp_path / "multi.db"
    high = [2**64 - 1, 2**63, 2**63 - 1, 0]
    with SQLiteNodeStore(path, tree="accounts") as s1, SQLiteNodeStore(path, tree="orders") as s2:
        t1 = SparseMerkleTree(64, s1, hasher=hasher)
        t2 = SparseMerkleTree(8, s2, hasher=hasher)
        t1.update_many({k: i + 1 for i, k in enumerate(high)})
        t2.update(5, 6)
        roots = (t1.root, t2.root)
    with SQLiteNodeStore(path, tree="accounts") as s1, SQLiteNodeStore(path, tree="orders") as s2:
        t1 = SparseMerkleTree(64, s1, hasher=hasher)
        t2 = SparseMerkleTree(8, s2, hasher=hasher)
        assert (t1.root, t2.root) == roots
        assert [t1.get(k) for k in high] == [1, 2, 3, 4]
        assert all(verify_proof(t1.prove(k), t1.root, 64) for k in high)
        assert t2.get(5) == 6


def test_failed_batch_writes_nothing(tmp_path: Path, hasher: PairHasher) -> None:
    path = tmp_path / "state.db"
    with SQLiteNodeStore(path) as store:
        tree = SparseMerkleTree(12, store, hasher=hasher)
        tree.update_many([(i * 37, i + 1) for i in range(40)])
        root, rows = tree.root, _node_rows(path)
        good = [(i, 5) for i in range(100)]
        for bad_batch in (
            [*good, (7, FR_MODULUS)],
            [*good, (7, -3)],
            [*good, (1 << 12, 1)],
            [*good[:50], (-1, 2), *good[50:]],
        ):
            with pytest.raises(ValueError):
                tree.update_many(bad_batch)
            assert tree.root == root
            assert _node_rows(path) == rows
    with SQLiteNodeStore(path) as store:
        assert SparseMerkleTree(12, store, hasher=hasher).root == root


def test_failure_inside_commit_rolls_back(tmp_path: Path, hasher: PairHasher) -> None:
    """A database error halfway through writing a batch's nodes leaves the old root and nodes."""
    path = tmp_path / "state.db"
    with SQLiteNodeStore(path) as store:
        tree = SparseMerkleTree(12, store, hasher=hasher)
        tree.update_many([(i, i + 1) for i in range(10)])
        root, rows = tree.root, _node_rows(path)
        # Fail the commit after some node rows (levels 0..4) have already been written.
        with sqlite3.connect(path) as conn:
            conn.execute(
                "CREATE TRIGGER boom BEFORE INSERT ON smt_node WHEN NEW.level = 5 "
                "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
            )
        with pytest.raises(sqlite3.DatabaseError, match="injected failure"):
            tree.update_many([(i, 1000 + i) for i in range(200)])
        assert tree.root == root
        assert _node_rows(path) == rows
        assert store.load_meta() == (12, root)
        with sqlite3.connect(path) as conn:
            conn.execute("DROP TRIGGER boom")
        # The store is usable again and the retried batch lands.
        expected = SparseMerkleTree(12, hasher=hasher)
        expected.update_many([(i, i + 1) for i in range(10)])
        expected.update_many([(i, 1000 + i) for i in range(200)])
        assert tree.update_many([(i, 1000 + i) for i in range(200)]) == expected.root
    with SQLiteNodeStore(path) as store:
        assert SparseMerkleTree(12, store, hasher=hasher).root == expected.root


def test_memory_and_sqlite_stores_agree_on_deletions(tmp_path: Path, hasher: PairHasher) -> None:
    with SQLiteNodeStore(tmp_path / "s.db") as store:
        tree = SparseMerkleTree(10, store, hasher=hasher)
        tree.update_many({k: k + 1 for k in range(0, 1024, 3)})
        tree.update_many({k: 0 for k in range(0, 1024, 3)})
        assert store.node_count() == 0
        assert tree.root == tree.zero_hashes[10]
