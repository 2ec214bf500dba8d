"""Node stores for :class:`offchain.state.smt.SparseMerkleTree`: in memory and SQLite.

A store is a map ``(level, index) -> node value`` plus one metadata record ``(depth, root)``.
Level 0 holds the leaves (index = the leaf key), level ``depth`` holds the root (index 0); the
node at ``(level, index)`` has children ``(level - 1, 2*index)`` and ``(level - 1, 2*index + 1)``.

**Only non-empty nodes are stored.** A node is *empty* when its value equals the empty-subtree hash
of its level (``zero[level]``, see :mod:`offchain.state.smt`); a missing entry therefore means
"empty", and setting a leaf back to 0 deletes every node that became empty. The tree decides what
is empty; a store just applies the puts and deletes it is given.

**Atomicity.** :meth:`NodeStore.commit` applies one batch (all node puts and deletes plus the new
root) as a single unit: either all of it becomes visible or none of it does. The tree never writes
to a store any other way, so a store never holds a root whose nodes are missing.

SQLite schema (:class:`SQLiteNodeStore`; several trees may share one file, told apart by ``tree``)::

    CREATE TABLE smt_meta (
        tree  TEXT    NOT NULL PRIMARY KEY,  -- tree name chosen by the caller
        depth INTEGER NOT NULL,              -- 1..64
        root  BLOB    NOT NULL               -- 32 bytes, big-endian canonical Fr element
    );
    CREATE TABLE smt_node (
        tree  TEXT    NOT NULL,
        level INTEGER NOT NULL,              -- 0 = leaves .. depth = root
        idx   INTEGER NOT NULL,              -- node index, signed 64-bit two's complement
        value BLOB    NOT NULL,              -- 32 bytes big-endian canonical Fr, != zero[level]
        PRIMARY KEY (tree, level, idx)
    ) WITHOUT ROWID;

``idx`` is two's complement because SQLite integers are signed 64-bit and a depth-64 tree has leaf
indices up to ``2**64 - 1``. The file runs in WAL mode (readers never block the single writer) with
``synchronous=FULL`` by default, and each commit is one ``BEGIN IMMEDIATE ... COMMIT`` transaction,
so a crash leaves either the previous root with all of its nodes or the new one with all of its.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Protocol, runtime_checkable

NodeKey = tuple[int, int]
"""``(level, index)`` of a tree node; level 0 = leaves, level ``depth`` = root."""

# SQLite caps the number of bound parameters per statement (999 before 3.32); stay well below it.
_SQL_CHUNK = 900
_U64 = 1 << 64
_I64_MAX = (1 << 63) - 1


@runtime_checkable
class NodeStore(Protocol):
    """Where a sparse Merkle tree keeps its non-empty nodes and its current root.

    Implementations must make :meth:`commit` atomic. Reads see the last committed state.
    """

    def load_meta(self) -> tuple[int, int] | None:
        """Return ``(depth, root)`` of the last commit, or ``None`` if there was none."""
        ...

    def get_node(self, level: int, index: int) -> int | None:
        """Return the stored value of node ``(level, index)``, or ``None`` if it is empty."""
        ...

    def get_nodes(self, level: int, indices: Sequence[int]) -> list[int | None]:
        """Return the value of node ``(level, i)`` for each ``i``, in order (``None`` = empty)."""
        ...

    def commit(
        self,
        depth: int,
        root: int,
        puts: Mapping[NodeKey, int],
        deletes: Iterable[NodeKey],
    ) -> None:
        """Atomically write ``puts``, remove ``deletes`` and record ``(depth, root)`` as the meta.

        A key never appears in both ``puts`` and ``deletes``. On any error nothing is applied.
        """
        ...

    def close(self) -> None:
        """Release resources (files, connections); the store is unusable afterwards."""
        ...


class MemoryNodeStore:
    """A :class:`NodeStore` in process memory: one ``dict`` per level. Not persistent."""

    def __init__(self) -> None:
        """Create an empty store."""
        # Per-level dicts keep the hot sibling lookups to one hash of a plain int each.
        self._levels: dict[int, dict[int, int]] = {}
        self._meta: tuple[int, int] | None = None

    def load_meta(self) -> tuple[int, int] | None:
        """Return ``(depth, root)`` of the last commit, or ``None`` if there was none."""
        return self._meta

    def get_node(self, level: int, index: int) -> int | None:
        """Return the stored value of node ``(level, index)``, or ``None`` if it is empty."""
        nodes = self._levels.get(level)
        return None if nodes is None else nodes.get(index)

    def get_nodes(self, level: int, indices: Sequence[int]) -> list[int | None]:
        """Return the value of node ``(level, i)`` for each ``i``, in order (``None`` = empty)."""
        nodes = self._levels.get(level)
        if nodes is None:
            return [None] * len(indices)
        get = nodes.get
        return [get(i) for i in indices]

    def commit(
        self,
        depth: int,
        root: int,
        puts: Mapping[NodeKey, int],
        deletes: Iterable[NodeKey],
    ) -> None:
        """Apply a batch; atomic since nothing below can fail once the inputs are materialised."""
        deletes = list(deletes)
        levels = self._levels
        for (level, index), value in puts.items():
            nodes = levels.get(level)
            if nodes is None:
                nodes = levels[level] = {}
            nodes[index] = value
        for level, index in deletes:
            nodes = levels.get(level)
            if nodes is not None:
                nodes.pop(index, None)
        self._meta = (depth, root)

    def close(self) -> None:
        """Drop all nodes (a closed memory store holds nothing)."""
        self._levels.clear()

    def snapshot(self) -> dict[NodeKey, int]:
        """Return a copy of every stored node as ``{(level, index): value}`` (tests, tools)."""
        return {(lv, i): v for lv, nodes in self._levels.items() for i, v in nodes.items()}

    def __len__(self) -> int:
        """Number of stored (non-empty) nodes."""
        return sum(len(nodes) for nodes in self._levels.values())


def _to_sql_index(index: int) -> int:
    """Map an unsigned 64-bit node index to the signed integer SQLite stores (two's complement)."""
    return index - _U64 if index > _I64_MAX else index


def _from_sql_index(stored: int) -> int:
    """Inverse of :func:`_to_sql_index`."""
    return stored + _U64 if stored < 0 else stored


def _encode(value: int) -> bytes:
    """A field element as 32 big-endian bytes."""
    return value.to_bytes(32, "big")


def _decode(blob: bytes) -> int:
    """Inverse of :func:`_encode`."""
    return int.from_bytes(blob, "big")


_SCHEMA = """
CREATE TABLE IF NOT EXISTS smt_meta (
    tree  TEXT    NOT NULL PRIMARY KEY,
    depth INTEGER NOT NULL,
    root  BLOB    NOT NULL
);
CREATE TABLE IF NOT EXISTS smt_node (
    tree  TEXT    NOT NULL,
    level INTEGER NOT NULL,
    idx   INTEGER NOT NULL,
    value BLOB    NOT NULL,
    PRIMARY KEY (tree, level, idx)
) WITHOUT ROWID;
"""


class SQLiteNodeStore:
    """A persistent :class:`NodeStore` in a SQLite file (WAL mode); see the module docstring schema.

    One writer at a time (the tree that owns the store). ``tree`` names the tree inside the file so
    the account, balance and order trees can share one database.
    """

    def __init__(
        self,
        path: str | Path,
        tree: str = "state",
        *,
        synchronous: str = "FULL",
    ) -> None:
        """Open (creating if needed) the database at ``path`` and select the tree named ``tree``.

        ``synchronous`` is SQLite's durability knob: ``FULL`` (default) makes every commit survive a
        power loss; ``NORMAL`` may lose the latest commits on power loss but never corrupts or
        half-applies one.
        """
        if synchronous.upper() not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ValueError(f"store: unknown synchronous mode {synchronous!r}")
        self.path = Path(path)
        self.tree = tree
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, so the transaction boundary is
        # exactly one commit() call and nothing is implicitly opened by a read.
        self._conn: sqlite3.Connection | None = sqlite3.connect(
            str(self.path), isolation_level=None
        )
        conn = self._conn
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal" and str(self.path) != ":memory:":
            raise RuntimeError(f"store: could not enable WAL mode on {self.path} (got {mode})")
        conn.execute(f"PRAGMA synchronous={synchronous.upper()}")
        conn.executescript(_SCHEMA)

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ValueError("store: the SQLite store is closed")
        return self._conn

    def load_meta(self) -> tuple[int, int] | None:
        """Return ``(depth, root)`` of the last commit, or ``None`` if there was none."""
        row = self._db.execute(
            "SELECT depth, root FROM smt_meta WHERE tree = ?", (self.tree,)
        ).fetchone()
        return None if row is None else (int(row[0]), _decode(row[1]))

    def get_node(self, level: int, index: int) -> int | None:
        """Return the stored value of node ``(level, index)``, or ``None`` if it is empty."""
        row = self._db.execute(
            "SELECT value FROM smt_node WHERE tree = ? AND level = ? AND idx = ?",
            (self.tree, level, _to_sql_index(index)),
        ).fetchone()
        return None if row is None else _decode(row[0])

    def get_nodes(self, level: int, indices: Sequence[int]) -> list[int | None]:
        """Return the value of node ``(level, i)`` for each ``i``, in order (``None`` = empty)."""
        found: dict[int, int] = {}
        db = self._db
        sql_indices = [_to_sql_index(i) for i in indices]
        for start in range(0, len(sql_indices), _SQL_CHUNK):
            chunk = sql_indices[start : start + _SQL_CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = db.execute(
                "SELECT idx, value FROM smt_node WHERE tree = ? AND level = ? "
                f"AND idx IN ({marks})",
                (self.tree, level, *chunk),
            )
            for idx, blob in rows:
                found[idx] = _decode(blob)
        return [found.get(i) for i in sql_indices]

    def commit(
        self,
        depth: int,
        root: int,
        puts: Mapping[NodeKey, int],
        deletes: Iterable[NodeKey],
    ) -> None:
        """Write one batch in a single transaction; on any error roll back and re-raise."""
        db = self._db
        tree = self.tree
        # Encode everything before BEGIN so an encoding error cannot happen inside the transaction.
        put_rows = [
            (tree, level, _to_sql_index(index), _encode(value))
            for (level, index), value in puts.items()
        ]
        del_rows = [(tree, level, _to_sql_index(index)) for level, index in deletes]
        root_blob = _encode(root)
        # IMMEDIATE takes the write lock up front, so a concurrent writer fails here, not mid-batch.
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany(
                "INSERT INTO smt_node (tree, level, idx, value) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (tree, level, idx) DO UPDATE SET value = excluded.value",
                put_rows,
            )
            db.executemany(
                "DELETE FROM smt_node WHERE tree = ? AND level = ? AND idx = ?", del_rows
            )
            db.execute(
                "INSERT INTO smt_meta (tree, depth, root) VALUES (?, ?, ?) "
                "ON CONFLICT (tree) DO UPDATE SET depth = excluded.depth, root = excluded.root",
                (tree, depth, root_blob),
            )
            db.execute("COMMIT")
        except BaseException:
            # COMMIT itself can fail (disk full, I/O error); the transaction is then still open.
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def node_count(self) -> int:
        """Number of stored (non-empty) nodes of this tree."""
        return int(
            self._db.execute(
                "SELECT COUNT(*) FROM smt_node WHERE tree = ?", (self.tree,)
            ).fetchone()[0]
        )

    def close(self) -> None:
        """Close the connection (idempotent)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> SQLiteNodeStore:
        """Use the store as a context manager that closes it on exit."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the store."""
        self.close()
