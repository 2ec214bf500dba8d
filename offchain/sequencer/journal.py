"""The sequencer's durable journal: one SQLite file that is the sequencer's only source of truth.

It holds three things, and the in-memory :class:`~offchain.rollup.state.RollupState` is only ever a
cache rebuilt from them (see :mod:`offchain.sequencer.sequencer`):

- **L2 requests** accepted by ``submit`` (signed TRANSFER/WITHDRAW with key and signature), in
  acceptance order (``seq``), each ``pending`` → ``batched`` (into a batch slot) or ``rejected``
  (with the reason, when it became invalid before it could be batched).
- **L1 priority requests** as seen on chain: queue index, request bytes, deadline and the hash
  chain value after it (``chain[i + 1]``, docs/protocol.md §4), ``pending`` → ``batched``.
- **Batches** as built: the ops in slot order (enough to replay the state), pubdata, roots,
  commitment, priority chain values and the L1 lifecycle ``built`` → ``committed`` → ``proven``
  → ``executed`` with the L1 transaction hash of each step.

Durability: WAL mode, ``synchronous=FULL`` and exactly one ``BEGIN IMMEDIATE … COMMIT`` per
logical step, so each method that writes returns only once its step is on disk, and a crash leaves
either all of a step or none of it. One process at a time: a ``<journal>.lock`` file is held with
``flock`` while the journal is open (the kernel drops it when the process dies, even on SIGKILL).

Schema (version 1; ``PRAGMA application_id`` = :data:`APPLICATION_ID`, ``PRAGMA user_version`` =
:data:`SCHEMA_VERSION`, and ``meta`` repeats both together with the chain parameters)::

    meta(key TEXT PRIMARY KEY, value TEXT)           -- format, schema_version, params (JSON)
    l2_request(seq PK, op_type, account, nonce, slot BLOB(57), pubkey BLOB(64),
               signature BLOB(96), status, batch, slot_index, reason)
    priority_request(idx PK, request BLOB, deadline, chain_after BLOB(32), status, batch)
    batch(number PK, prev_root, new_root, priority_start, priority_hash, priority_consumed,
          pubdata, commitment, status, built_at, commit_tx, prove_tx, execute_tx)
    batch_op(batch, slot_index, slot BLOB(57), pubkey, signature, l2_seq, priority_idx)

Field elements and hashes are 32-byte big-endian blobs (amounts reach 2^128, beyond SQLite's
64-bit integers); an op is stored as its 57-byte pubdata slot plus, for signed ops, the public key
(ax ‖ ay) and signature (r8x ‖ r8y ‖ s), 32 bytes per integer.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from offchain.rollup import encoding as enc
from offchain.rollup.params import SIGNED_OPS, ChainParams
from offchain.rollup.state import Op

FORMAT = "hatchway-sequencer-journal"
SCHEMA_VERSION = 1
APPLICATION_ID = 0x48415457  # "HATW": marks the file as ours before any table is read
_SQLITE_MAGIC = b"SQLite format 3\x00"

L2_STATUSES = ("pending", "batched", "rejected")
PRIORITY_STATUSES = ("pending", "batched")
BATCH_STATUSES = ("built", "committed", "proven", "executed")
_TX_COLUMN = {"committed": "commit_tx", "proven": "prove_tx", "executed": "execute_tx"}

_SCHEMA = f"""
CREATE TABLE meta (
    key   TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE l2_request (
    seq        INTEGER PRIMARY KEY,
    op_type    INTEGER NOT NULL,
    account    INTEGER NOT NULL,
    nonce      INTEGER NOT NULL,
    slot       BLOB    NOT NULL,
    pubkey     BLOB    NOT NULL,
    signature  BLOB    NOT NULL,
    status     TEXT    NOT NULL CHECK (status IN {L2_STATUSES}),
    batch      INTEGER,
    slot_index INTEGER,
    reason     TEXT
);
CREATE INDEX l2_request_status ON l2_request (status, seq);
CREATE TABLE priority_request (
    idx         INTEGER PRIMARY KEY,
    request     BLOB    NOT NULL,
    deadline    INTEGER NOT NULL,
    chain_after BLOB    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN {PRIORITY_STATUSES}),
    batch       INTEGER
);
CREATE TABLE batch (
    number            INTEGER PRIMARY KEY,
    prev_root         BLOB    NOT NULL,
    new_root          BLOB    NOT NULL,
    priority_start    BLOB    NOT NULL,
    priority_hash     BLOB    NOT NULL,
    priority_consumed INTEGER NOT NULL,
    pubdata           BLOB    NOT NULL,
    commitment        BLOB    NOT NULL,
    status            TEXT    NOT NULL CHECK (status IN {BATCH_STATUSES}),
    built_at          INTEGER NOT NULL,
    commit_tx         TEXT,
    prove_tx          TEXT,
    execute_tx        TEXT
);
CREATE TABLE batch_op (
    batch        INTEGER NOT NULL,
    slot_index   INTEGER NOT NULL,
    slot         BLOB    NOT NULL,
    pubkey       BLOB,
    signature    BLOB,
    l2_seq       INTEGER,
    priority_idx INTEGER,
    PRIMARY KEY (batch, slot_index)
) WITHOUT ROWID;
"""


class JournalError(RuntimeError):
    """The journal file cannot be used: foreign, corrupt, newer schema, other chain, or locked."""


class PriorityRequestError(ValueError):
    """An L1 priority request that contradicts the queue already journalled (gap or conflict)."""


@dataclass(frozen=True)
class L2Request:
    """One accepted L2 request. ``nonce`` is the account nonce the op was signed for."""

    seq: int
    op: Op
    nonce: int
    status: str
    batch: int | None = None
    slot_index: int | None = None
    reason: str | None = None


@dataclass(frozen=True)
class PriorityRequest:
    """One L1 priority request; ``chain_after`` is ``chain[index + 1]``."""

    index: int
    request: bytes
    deadline: int
    chain_after: bytes
    status: str
    batch: int | None = None


@dataclass(frozen=True)
class BatchRecord:
    """One built batch as journalled; ``ops`` are the non-noop ops in slot order."""

    number: int
    ops: tuple[Op, ...]
    prev_root: int
    new_root: int
    priority_start: bytes
    priority_hash: bytes
    priority_consumed: int
    pubdata: bytes
    commitment: int
    status: str = "built"
    built_at: int = 0
    commit_tx: str | None = None
    prove_tx: str | None = None
    execute_tx: str | None = None


# ---- encoding helpers -------------------------------------------------------------------------


def _u256(value: int) -> bytes:
    return int(value).to_bytes(32, "big")


def _int(blob: bytes) -> int:
    return int.from_bytes(blob, "big")


def _ints_blob(values: Sequence[int] | None) -> bytes | None:
    return None if values is None else b"".join(_u256(v) for v in values)


def _blob_ints(blob: bytes | None) -> tuple[int, ...] | None:
    if blob is None:
        return None
    return tuple(_int(blob[i : i + 32]) for i in range(0, len(blob), 32))


def op_to_blobs(op: Op) -> tuple[bytes, bytes | None, bytes | None]:
    """``(slot, pubkey, signature)`` of an op as stored (key/signature None for unsigned ops)."""
    return op.slot(), _ints_blob(op.pubkey), _ints_blob(op.signature)


def op_from_blobs(slot: bytes, pubkey: bytes | None, signature: bytes | None) -> Op:
    """Inverse of :func:`op_to_blobs`."""
    f = enc.decode_slot(bytes(slot))
    return Op(
        f.op_type,
        account=f.account,
        to=f.to,
        token=f.token,
        amount=f.amount,
        owner=f.owner,
        key_hash=f.key_hash,
        pubkey=_blob_ints(pubkey),  # type: ignore[arg-type]
        signature=_blob_ints(signature),  # type: ignore[arg-type]
    )


def normalize_tx_hash(tx_hash: str | bytes) -> str:
    """An L1 transaction hash as lowercase ``0x`` + 64 hex digits (accepts that form or 32 bytes)."""
    if isinstance(tx_hash, bytes | bytearray) and len(tx_hash) == 32:
        return "0x" + bytes(tx_hash).hex()
    if isinstance(tx_hash, str) and tx_hash[:2] in ("0x", "0X") and len(tx_hash) == 66:
        try:
            bytes.fromhex(tx_hash[2:])
        except ValueError:
            pass
        else:
            return tx_hash.lower()
    raise ValueError(f"journal: a tx hash is 32 bytes or 0x + 64 hex digits, got {tx_hash!r}")


def _params_json(params: ChainParams) -> str:
    return json.dumps(
        {
            "account_depth": params.account_depth,
            "token_depth": params.token_depth,
            "slots": params.slots,
            "chain_id": params.chain_id,
        },
        sort_keys=True,
    )


# ---- the journal ------------------------------------------------------------------------------


class Journal:
    """The durable record of one sequencer (see the module docstring). One process at a time."""

    def __init__(self, path: str | Path, params: ChainParams, *, synchronous: str = "FULL") -> None:
        """Open the journal at ``path`` for chain ``params``, creating it if absent or empty.

        Raises :class:`JournalError` if the file is not a journal (another SQLite database or not
        SQLite at all), is corrupt, has another schema version, belongs to other chain parameters,
        or is open in another process.
        """
        if synchronous.upper() not in ("NORMAL", "FULL", "EXTRA"):
            raise ValueError(
                f"journal: synchronous must be NORMAL, FULL or EXTRA, not {synchronous!r}"
            )
        self.path = Path(path)
        self.params = params
        self._lock_fd: int | None = None
        self._conn: sqlite3.Connection | None = None
        self._lock()
        try:
            self._open(synchronous.upper())
        except BaseException:
            self.close()
            raise

    def _lock(self) -> None:
        # flock on a side file, not on the database: SQLite's own POSIX locks on the database
        # are per-process and would not stop a second sequencer in the same or another process.
        fd = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise JournalError(
                f"journal {self.path} is open in another process or object"
            ) from None
        self._lock_fd = fd

    def _open(self, synchronous: str) -> None:
        if self.path.exists() and self.path.stat().st_size > 0:
            with open(self.path, "rb") as fh:
                if fh.read(len(_SQLITE_MAGIC)) != _SQLITE_MAGIC:
                    raise JournalError(f"{self.path} is not a SQLite database (foreign file)")
        try:
            # isolation_level=None: we write BEGIN/COMMIT ourselves, one transaction per step.
            self._conn = sqlite3.connect(str(self.path), isolation_level=None)
            db = self._conn
            # Identify the file before changing anything in it (WAL mode is persistent).
            tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables:
                self._check_identity()
            mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise JournalError(f"could not enable WAL mode on {self.path} (got {mode})")
            db.execute(f"PRAGMA synchronous={synchronous}")
            check = db.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise JournalError(f"{self.path} is corrupt: {check}")
            if not tables:
                self._create()
        except sqlite3.DatabaseError as exc:
            raise JournalError(f"{self.path}: unreadable journal ({exc})") from exc

    def _create(self) -> None:
        with self._tx() as db:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)",
                [
                    ("format", FORMAT),
                    ("schema_version", str(SCHEMA_VERSION)),
                    ("params", _params_json(self.params)),
                ],
            )
            db.execute(f"PRAGMA application_id={APPLICATION_ID}")
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def _check_identity(self) -> None:
        db = self._db
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        has_meta = db.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
        ).fetchone()[0]
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall()) if has_meta else {}
        if app_id != APPLICATION_ID or meta.get("format") != FORMAT:
            raise JournalError(f"{self.path} is a SQLite database but not a sequencer journal")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA_VERSION or meta.get("schema_version") != str(SCHEMA_VERSION):
            raise JournalError(
                f"{self.path} has journal schema version {version} "
                f"(meta: {meta.get('schema_version')}); this code reads version {SCHEMA_VERSION}"
            )
        if meta.get("params") != _params_json(self.params):
            raise JournalError(
                f"{self.path} belongs to chain parameters {meta.get('params')}, "
                f"opened with {_params_json(self.params)}"
            )

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise JournalError("journal is closed")
        return self._conn

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One logical step: BEGIN IMMEDIATE … COMMIT, rolled back on any error."""
        db = self._db
        # IMMEDIATE takes the write lock first, so the checks read inside see what gets written.
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Close the database and release the lock (idempotent)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing the descriptor releases the flock
            self._lock_fd = None

    def __enter__(self) -> Journal:
        """Use the journal as a context manager that closes it."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the journal."""
        self.close()

    # ---- L2 requests --------------------------------------------------------------------

    def append_l2(self, op: Op, nonce: int) -> int:
        """Journal an accepted signed op (status ``pending``); returns its ``seq`` after COMMIT."""
        if op.op_type not in SIGNED_OPS or op.pubkey is None or op.signature is None:
            raise ValueError("journal: only signed transfers/withdrawals are L2 requests")
        slot, pubkey, signature = op_to_blobs(op)
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO l2_request (op_type, account, nonce, slot, pubkey, signature, status)"
                " VALUES (?, ?, ?, ?, ?, ?, 'pending')",
                (op.op_type, op.account, nonce, slot, pubkey, signature),
            )
            seq = cur.lastrowid
        assert seq is not None
        return seq

    _L2_COLUMNS = "seq, nonce, slot, pubkey, signature, status, batch, slot_index, reason"

    @staticmethod
    def _l2_row(row: tuple) -> L2Request:
        seq, nonce, slot, pubkey, signature, status, batch, slot_index, reason = row
        return L2Request(
            seq, op_from_blobs(slot, pubkey, signature), nonce, status, batch, slot_index, reason
        )

    def l2_request(self, seq: int) -> L2Request | None:
        """The L2 request with this ``seq``, or None."""
        row = self._db.execute(
            f"SELECT {self._L2_COLUMNS} FROM l2_request WHERE seq = ?", (seq,)
        ).fetchone()
        return None if row is None else self._l2_row(row)

    def pending_l2(self, *, after: int = 0, limit: int = -1) -> list[L2Request]:
        """Pending L2 requests with ``seq > after`` in acceptance order (``limit`` -1: all)."""
        rows = self._db.execute(
            f"SELECT {self._L2_COLUMNS} FROM l2_request WHERE status = 'pending' AND seq > ? "
            "ORDER BY seq LIMIT ?",
            (after, limit),
        )
        return [self._l2_row(r) for r in rows]

    def l2_requests(self) -> list[L2Request]:
        """Every L2 request ever accepted, in acceptance order (tools and tests)."""
        rows = self._db.execute(f"SELECT {self._L2_COLUMNS} FROM l2_request ORDER BY seq")
        return [self._l2_row(r) for r in rows]

    def reject_l2(self, rejected: Sequence[tuple[int, str]]) -> None:
        """Mark pending L2 requests ``rejected`` with their reasons, in one transaction."""
        with self._tx() as db:
            self._reject(db, rejected, None)

    @staticmethod
    def _reject(db: sqlite3.Connection, rejected: Sequence[tuple[int, str]], batch: int | None):
        for seq, reason in rejected:
            cur = db.execute(
                "UPDATE l2_request SET status = 'rejected', reason = ?, batch = ? "
                "WHERE seq = ? AND status = 'pending'",
                (reason, batch, seq),
            )
            if cur.rowcount != 1:
                raise ValueError(f"journal: L2 request {seq} is not pending")

    # ---- priority requests --------------------------------------------------------------

    def priority_count(self) -> int:
        """How many priority requests are journalled (the next expected queue index)."""
        return int(self._db.execute("SELECT count(*) FROM priority_request").fetchone()[0])

    def consumed_count(self) -> int:
        """How many priority requests built batches have consumed (a prefix of the queue)."""
        return int(
            self._db.execute(
                "SELECT count(*) FROM priority_request WHERE status = 'batched'"
            ).fetchone()[0]
        )

    def priority_chain(self, n: int) -> bytes:
        """``chain[n]``: 32 zero bytes for 0, else the chain value after request ``n - 1``."""
        if n == 0:
            return enc.ZERO32
        row = self._db.execute(
            "SELECT chain_after FROM priority_request WHERE idx = ?", (n - 1,)
        ).fetchone()
        if row is None:
            raise ValueError(f"journal: chain[{n}] is beyond the {self.priority_count()} requests")
        return bytes(row[0])

    _P_COLUMNS = "idx, request, deadline, chain_after, status, batch"

    def priority_request(self, index: int) -> PriorityRequest | None:
        """The priority request at queue ``index``, or None."""
        row = self._db.execute(
            f"SELECT {self._P_COLUMNS} FROM priority_request WHERE idx = ?", (index,)
        ).fetchone()
        return None if row is None else PriorityRequest(*row)

    def unconsumed_priority(self, limit: int = -1) -> list[PriorityRequest]:
        """Priority requests no batch has consumed yet, in queue order."""
        rows = self._db.execute(
            f"SELECT {self._P_COLUMNS} FROM priority_request WHERE status = 'pending' "
            "ORDER BY idx LIMIT ?",
            (limit,),
        )
        return [PriorityRequest(*r) for r in rows]

    def append_priority(self, index: int, request: bytes, deadline: int) -> bool:
        """Journal L1 request ``index``; True if new, False if already journalled identically.

        Raises :class:`PriorityRequestError` for a gap (index beyond the next one) or for a known
        index whose bytes or deadline differ (the L1 queue is append-only, so that is a bug or a
        reorg the caller must handle).
        """
        request = bytes(request)
        with self._tx() as db:
            row = db.execute(
                "SELECT request, deadline FROM priority_request WHERE idx = ?", (index,)
            ).fetchone()
            if row is not None:
                if bytes(row[0]) != request or row[1] != deadline:
                    raise PriorityRequestError(
                        f"priority request {index} is journalled as {bytes(row[0]).hex()} "
                        f"(deadline {row[1]}), now seen as {request.hex()} (deadline {deadline})"
                    )
                return False
            count = db.execute("SELECT count(*) FROM priority_request").fetchone()[0]
            if index != count:
                raise PriorityRequestError(
                    f"priority request {index} leaves a gap: the next expected index is {count}"
                )
            prev = enc.ZERO32 if index == 0 else self.priority_chain(index)
            db.execute(
                "INSERT INTO priority_request (idx, request, deadline, chain_after, status) "
                "VALUES (?, ?, ?, ?, 'pending')",
                (index, request, deadline, enc.fold_priority(prev, request)),
            )
        return True

    def oldest_unserved_deadline(self) -> int | None:
        """The earliest deadline among requests not yet served (their batch is not executed)."""
        row = self._db.execute(
            "SELECT min(p.deadline) FROM priority_request p LEFT JOIN batch b "
            "ON p.batch = b.number WHERE b.status IS NULL OR b.status != 'executed'"
        ).fetchone()
        return None if row[0] is None else int(row[0])

    # ---- batches ------------------------------------------------------------------------

    def last_batch_number(self) -> int:
        """The number of the last built batch (0 before the first)."""
        return int(self._db.execute("SELECT coalesce(max(number), 0) FROM batch").fetchone()[0])

    def record_batch(
        self,
        record: BatchRecord,
        sources: Sequence[tuple[str, int]],
        rejected: Sequence[tuple[int, str]] = (),
    ) -> None:
        """Journal a built batch and, in the same transaction, everything it consumed.

        ``sources[i]`` says where ``record.ops[i]`` came from: ``("priority", index)`` or
        ``("l2", seq)``; those requests become ``batched``. ``rejected`` lists ``(seq, reason)``
        of pending L2 requests found invalid while building; they become ``rejected``.
        """
        if len(sources) != len(record.ops):
            raise ValueError("journal: one source per op")
        with self._tx() as db:
            last = db.execute("SELECT coalesce(max(number), 0) FROM batch").fetchone()[0]
            if record.number != last + 1:
                raise ValueError(f"journal: batch {record.number} is not the next ({last + 1})")
            db.execute(
                "INSERT INTO batch (number, prev_root, new_root, priority_start, priority_hash, "
                "priority_consumed, pubdata, commitment, status, built_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'built', ?)",
                (
                    record.number,
                    _u256(record.prev_root),
                    _u256(record.new_root),
                    record.priority_start,
                    record.priority_hash,
                    record.priority_consumed,
                    record.pubdata,
                    _u256(record.commitment),
                    record.built_at,
                ),
            )
            next_priority = db.execute(
                "SELECT count(*) FROM priority_request WHERE status = 'batched'"
            ).fetchone()[0]
            for i, (op, (kind, ref)) in enumerate(zip(record.ops, sources, strict=True)):
                slot, pubkey, signature = op_to_blobs(op)
                if kind == "priority":
                    # The queue is consumed strictly in order (the contract checks the chain).
                    cur = db.execute(
                        "UPDATE priority_request SET status = 'batched', batch = ? "
                        "WHERE idx = ? AND status = 'pending'",
                        (record.number, ref),
                    )
                    if ref != next_priority or cur.rowcount != 1:
                        raise ValueError(f"journal: priority request {ref} is not next in queue")
                    next_priority += 1
                elif kind == "l2":
                    cur = db.execute(
                        "UPDATE l2_request SET status = 'batched', batch = ?, slot_index = ? "
                        "WHERE seq = ? AND status = 'pending'",
                        (record.number, i, ref),
                    )
                    if cur.rowcount != 1:
                        raise ValueError(f"journal: L2 request {ref} is not pending")
                else:
                    raise ValueError(f"journal: unknown op source {kind!r}")
                db.execute(
                    "INSERT INTO batch_op (batch, slot_index, slot, pubkey, signature, l2_seq, "
                    "priority_idx) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        record.number,
                        i,
                        slot,
                        pubkey,
                        signature,
                        ref if kind == "l2" else None,
                        ref if kind == "priority" else None,
                    ),
                )
            self._reject(db, rejected, record.number)

    def _batch_row(self, row: tuple) -> BatchRecord:
        (number, prev_root, new_root, p_start, p_hash, consumed, pubdata, commitment) = row[:8]
        (status, built_at, commit_tx, prove_tx, execute_tx) = row[8:]
        ops = tuple(
            op_from_blobs(slot, pubkey, signature)
            for slot, pubkey, signature in self._db.execute(
                "SELECT slot, pubkey, signature FROM batch_op WHERE batch = ? ORDER BY slot_index",
                (number,),
            )
        )
        return BatchRecord(
            number=number,
            ops=ops,
            prev_root=_int(prev_root),
            new_root=_int(new_root),
            priority_start=bytes(p_start),
            priority_hash=bytes(p_hash),
            priority_consumed=consumed,
            pubdata=bytes(pubdata),
            commitment=_int(commitment),
            status=status,
            built_at=built_at,
            commit_tx=commit_tx,
            prove_tx=prove_tx,
            execute_tx=execute_tx,
        )

    _B_COLUMNS = (
        "number, prev_root, new_root, priority_start, priority_hash, priority_consumed, pubdata, "
        "commitment, status, built_at, commit_tx, prove_tx, execute_tx"
    )

    def batch(self, number: int) -> BatchRecord | None:
        """The journalled batch ``number``, or None."""
        row = self._db.execute(
            f"SELECT {self._B_COLUMNS} FROM batch WHERE number = ?", (number,)
        ).fetchone()
        return None if row is None else self._batch_row(row)

    def batches(self, status: str | None = None) -> list[BatchRecord]:
        """Every journalled batch in number order (only those with ``status`` if given)."""
        rows = self._db.execute(
            f"SELECT {self._B_COLUMNS} FROM batch WHERE ? IS NULL OR status = ? ORDER BY number",
            (status, status),
        ).fetchall()
        return [self._batch_row(r) for r in rows]

    def set_batch_status(self, number: int, status: str, tx_hash: str | bytes) -> bool:
        """Advance batch ``number`` to ``status`` (committed/proven/executed) with its L1 tx.

        Steps happen in order, batch by batch, as on L1: a batch must be in the previous status
        and the batch before it must already have reached ``status``. Repeating a step with the
        same tx hash is a no-op (returns False: a driver restarted after a crash may re-report);
        with another hash it is an error.
        """
        if status not in _TX_COLUMN:
            raise ValueError(f"journal: cannot set a batch to {status!r}")
        tx = normalize_tx_hash(tx_hash)
        col = _TX_COLUMN[status]
        target = BATCH_STATUSES.index(status)
        with self._tx() as db:
            row = db.execute(f"SELECT status, {col} FROM batch WHERE number = ?", (number,))
            row = row.fetchone()
            if row is None:
                raise ValueError(f"journal: no batch {number}")
            current = BATCH_STATUSES.index(row[0])
            if current >= target:
                if row[1] == tx:
                    return False
                raise ValueError(f"journal: batch {number} is already {status} by tx {row[1]}")
            if current != target - 1:
                raise ValueError(f"journal: batch {number} is {row[0]}; it cannot become {status}")
            if number > 1:
                prev = db.execute("SELECT status FROM batch WHERE number = ?", (number - 1,))
                if BATCH_STATUSES.index(prev.fetchone()[0]) < target:
                    raise ValueError(
                        f"journal: batch {number - 1} must be {status} before batch {number}"
                    )
            db.execute(
                f"UPDATE batch SET status = ?, {col} = ? WHERE number = ?", (status, tx, number)
            )
        return True
