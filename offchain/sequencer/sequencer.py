"""The sequencer: accepts signed L2 ops and L1 priority requests, and cuts them into batches.

Everything it accepts is written to its :class:`~offchain.sequencer.journal.Journal` before the
call returns; its in-memory state is a cache of the journal:

- ``state``: the :class:`RollupState` after the last *built* batch, rebuilt on open by replaying the
  journalled batches in order (each rebuilt commitment must equal the journalled one).
- ``_spec``: the speculative view, ``state`` + every unconsumed priority request (queue order) +
  every pending L2 op (acceptance order, skipping those that no longer apply). That is exactly
  the order :meth:`Sequencer.build_next_batch` will apply them in, so a new submission is checked
  against the state it will really meet (nonce and balance after the user's pending ops).

Batch order (docs/protocol.md §4–§5): priority requests first, in queue order, never skipped;
then pending L2 ops in acceptance order, up to ``params.slots``. An L2 op that became invalid
meanwhile (a forced exit took the funds, an earlier op of the account was rejected so its nonce
no longer matches) is journalled as ``rejected`` with the reason, in the same transaction as the
batch, and the batch is built without it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from offchain.rollup import encoding as enc
from offchain.rollup.params import (
    MAX_WITHDRAWALS_PER_BATCH,
    OP_DEPOSIT,
    OP_OPEN,
    PRIORITY_REQUEST_BYTES,
    SIGNED_OPS,
    SLOT_BYTES,
    WITHDRAWING_OPS,
    ChainParams,
)
from offchain.rollup.state import BatchWitness, Op, OpRejected, RollupState
from offchain.sequencer.journal import (
    BatchRecord,
    Journal,
    L2Request,
    PriorityRequest,
    PriorityRequestError,
)
from offchain.state.smt import default_hasher

_PAGE = 256  # pending L2 requests read per query while filling a batch


class SequencerError(RuntimeError):
    """The sequencer cannot go on safely (the journal does not replay, or the queue is stuck)."""


class ReplayMismatch(SequencerError):
    """Replaying the journalled batches did not reproduce a journalled root or commitment."""


@dataclass(frozen=True)
class Receipt:
    """What :meth:`Sequencer.submit` returns once the op is durably journalled."""

    seq: int
    """Acceptance number (the journal's key for the request)."""
    op_type: int
    account: int
    nonce: int
    """The account nonce the op was signed for (its position in the account's op sequence)."""


def _clone(state: RollupState) -> RollupState:
    """An independent copy of ``state`` (sharing only the process-wide Poseidon hasher)."""
    hasher = default_hasher()
    return copy.deepcopy(state, {id(hasher): hasher})


def priority_op(params: ChainParams, request: bytes) -> Op:
    """Decode L1 request bytes (docs/protocol.md §4) into the op that serves it.

    A FORCED_EXIT's amount is 0 here; the state fills in the balance when it is applied. Raises
    :class:`PriorityRequestError` for bytes that are not a well-formed request of this chain.
    """
    request = bytes(request)
    op_type = request[0] if request else None
    if op_type not in PRIORITY_REQUEST_BYTES:
        raise PriorityRequestError(f"not a priority request type: {request[:1].hex() or 'empty'}")
    if len(request) != PRIORITY_REQUEST_BYTES[op_type]:
        raise PriorityRequestError(
            f"a type-{op_type} request is {PRIORITY_REQUEST_BYTES[op_type]} bytes, "
            f"got {len(request)}"
        )
    try:
        f = enc.decode_slot(request.ljust(SLOT_BYTES, b"\0"))
    except ValueError as exc:
        raise PriorityRequestError(f"malformed priority request: {exc}") from None
    if not 1 <= f.account <= params.max_account:
        raise PriorityRequestError(
            f"request account {f.account} is outside 1..{params.max_account}"
        )
    if op_type == OP_OPEN:
        if f.key_hash == 0:
            raise PriorityRequestError("an open request needs a non-zero key_hash")
        return Op.from_slot(f)
    if f.token > params.max_token or f.to:
        raise PriorityRequestError(f"request token {f.token} / to {f.to} is not allowed")
    if op_type == OP_DEPOSIT:
        if f.amount == 0:
            raise PriorityRequestError("a deposit request must be non-zero")
    return Op.from_slot(f)


def _check_signed_shape(op: Op) -> None:
    """Reject, before any crypto, what the journal could not even store."""

    def ints(v: object, n: int) -> bool:
        return (
            isinstance(v, tuple)
            and len(v) == n
            and all(isinstance(x, int) and not isinstance(x, bool) and 0 <= x < 1 << 256 for x in v)
        )

    if op.pubkey is None or op.signature is None:
        raise OpRejected("missing signature")
    if not ints(op.pubkey, 2) or not ints(op.signature, 3):
        raise OpRejected("malformed signature or key: expected (ax, ay) and (r8x, r8y, s) ints")


class Sequencer:
    """The sequencer of one chain, backed by the journal at ``journal_path`` (see the module doc)."""

    def __init__(
        self, params: ChainParams, journal_path: str | Path, *, synchronous: str = "FULL"
    ) -> None:
        """Open (or create) the journal and rebuild the state by replaying it.

        Raises :class:`ReplayMismatch` if a journalled batch does not rebuild to its journalled
        commitment, and :class:`~offchain.sequencer.journal.JournalError` for an unusable file.
        """
        self.params = params
        self.journal = Journal(journal_path, params, synchronous=synchronous)
        try:
            self._load()
        except BaseException:
            self.journal.close()
            raise

    # ---- lifecycle ----------------------------------------------------------------------

    def _load(self) -> None:
        """Rebuild ``state`` (and the witnesses of unproven batches) from the journal."""
        state = RollupState(self.params)
        witnesses: dict[int, BatchWitness] = {}
        consumed = 0
        for b in self.journal.batches():
            if b.priority_start != self.journal.priority_chain(consumed):
                raise ReplayMismatch(f"batch {b.number}: priority_start is not chain[{consumed}]")
            try:
                # Signatures were verified when the batch was built and the commitment binds the
                # pubdata and both roots, so replay skips the (slow) signature checks.
                w = state.build_batch(b.ops, b.priority_start, verify_signatures=False)
            except OpRejected as exc:
                raise ReplayMismatch(f"batch {b.number} no longer applies: {exc}") from None
            if (w.commitment, w.prev_root, w.new_root, w.pubdata, w.priority_hash) != (
                b.commitment,
                b.prev_root,
                b.new_root,
                b.pubdata,
                b.priority_hash,
            ):
                raise ReplayMismatch(
                    f"batch {b.number}: rebuilt commitment {w.commitment:#x} (root {w.new_root:#x})"
                    f" != journalled {b.commitment:#x} (root {b.new_root:#x})"
                )
            consumed += w.priority_consumed
            if b.status in ("built", "committed"):
                witnesses[b.number] = w
        self.state = state
        self._witnesses = witnesses
        self._rebuild_spec()

    def _rebuild_spec(self) -> None:
        """``_spec`` = ``state`` + unconsumed priority requests + still-valid pending L2 ops."""
        spec = _clone(self.state)
        for p in self.journal.unconsumed_priority():
            try:
                spec.apply(priority_op(self.params, p.request), verify_signature=False)
            except OpRejected:
                # Building will stop on it loudly; the view just goes on without it.
                continue
        after = 0
        while page := self.journal.pending_l2(after=after, limit=_PAGE):
            for r in page:
                self._try_l2(spec, r)
            after = page[-1].seq
        self._spec = spec

    @staticmethod
    def _try_l2(state: RollupState, r: L2Request) -> str | None:
        """Apply a journalled L2 op to ``state``; None if applied, else why it no longer applies.

        Its signature was verified at submit for ``r.nonce`` and an account's key never changes,
        so a nonce match is all that is left of the signature check (build_batch re-verifies).
        """
        current = state.nonce(r.op.account)
        if current != r.nonce:
            return (
                f"stale nonce: signed for nonce {r.nonce}, account {r.op.account} is at "
                f"{current} (an earlier op of the account was rejected)"
            )
        try:
            state.apply(r.op, verify_signature=False)
        except OpRejected as exc:
            return str(exc)
        return None

    def close(self) -> None:
        """Close the journal (idempotent)."""
        self.journal.close()

    def __enter__(self) -> Sequencer:
        """Use the sequencer as a context manager that closes it."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the sequencer."""
        self.close()

    # ---- reads --------------------------------------------------------------------------

    @property
    def root(self) -> int:
        """The state root after the last built batch."""
        return self.state.root

    @property
    def speculative_root(self) -> int:
        """The root once every queued priority request and pending L2 op is applied."""
        return self._spec.root

    def pending(self) -> list[L2Request]:
        """Accepted L2 requests not yet batched or rejected, in acceptance order."""
        return self.journal.pending_l2()

    def request(self, seq: int) -> L2Request | None:
        """The journalled L2 request ``seq`` (its status, batch slot or rejection reason)."""
        return self.journal.l2_request(seq)

    def next_nonce(self, account: int) -> int:
        """The nonce the account's next op must be signed for (after its pending ops)."""
        return self._spec.nonce(account)

    def batches(self, status: str | None = None) -> list[BatchRecord]:
        """Journalled batches in order, optionally only those with ``status``."""
        return self.journal.batches(status)

    def witness(self, number: int) -> BatchWitness | None:
        """The circuit witness of a built batch not yet proven (kept in memory to prove it)."""
        return self._witnesses.get(number)

    # ---- L2 requests --------------------------------------------------------------------

    def submit(self, op: Op) -> Receipt:
        """Accept a signed TRANSFER or WITHDRAW; returns once it is durably journalled.

        The op is checked against the speculative view (the state after every queued priority
        request and already-accepted op), so its nonce must be the account's next one after its
        pending ops and its amount must be covered after them. Raises :class:`OpRejected` with the
        reason, in which case nothing is written.
        """
        if op.op_type not in SIGNED_OPS:
            raise OpRejected(
                f"op type {op.op_type} cannot be submitted: only signed transfers and withdrawals "
                "are L2 requests (opens, deposits and forced exits come from L1)"
            )
        _check_signed_shape(op)
        self._spec.validate(op)  # every protocol rule, including the signature at the next nonce
        nonce = self._spec.nonce(op.account)
        seq = self.journal.append_l2(op, nonce)
        # Durable from here on. Validated above, so applying cannot fail; the signature is not
        # checked twice.
        self._spec.apply(op, verify_signature=False)
        return Receipt(seq=seq, op_type=op.op_type, account=op.account, nonce=nonce)

    # ---- L1 priority requests -----------------------------------------------------------

    def add_priority_request(self, index: int, request: bytes, deadline: int) -> bool:
        """Journal L1 priority request ``index`` (its bytes per docs/protocol.md §4).

        Returns True if it is new, False if the same index and bytes (and deadline) were already
        journalled. Raises :class:`PriorityRequestError` for malformed bytes, a gap in indices or
        a different payload for a known index.
        """
        if not isinstance(index, int) or isinstance(index, bool) or index < 0:
            raise PriorityRequestError(f"queue index must be a non-negative integer, got {index!r}")
        if not isinstance(deadline, int) or isinstance(deadline, bool) or deadline < 0:
            raise PriorityRequestError(f"deadline must be a non-negative integer, got {deadline!r}")
        priority_op(self.params, request)  # raises on malformed bytes, before anything is written
        if not self.journal.append_priority(index, bytes(request), deadline):
            return False
        # Priority requests are served before every pending L2 op, so the speculative view must
        # put this one before them too: rebuild it (priority requests are rare next to L2 ops).
        self._rebuild_spec()
        return True

    def unconsumed_priority(self) -> list[PriorityRequest]:
        """Priority requests no built batch has consumed yet, in queue order."""
        return self.journal.unconsumed_priority()

    def deadline_pressure(self, now: int, margin: int) -> bool:
        """True when the oldest unserved priority request's deadline is within ``margin`` seconds
        of ``now`` (or past): the driver must then build, commit, prove and execute at once, or
        anyone may switch the chain to escape mode (docs/protocol.md §6). A request is served
        when the batch consuming it is executed, so built-but-unexecuted ones still count."""
        deadline = self.journal.oldest_unserved_deadline()
        return deadline is not None and deadline - now <= margin

    # ---- batches ------------------------------------------------------------------------

    def build_next_batch(self, now: int) -> BatchWitness | None:
        """Build, journal and return the next batch; None if there is nothing to put in it.

        Slots go to unconsumed priority requests first (queue order, never skipped), then to
        pending L2 ops in acceptance order. Pending ops that no longer apply are journalled as
        rejected with the reason (in the batch's transaction). ``now`` (L1 seconds) is recorded
        as the build time. Raises :class:`SequencerError` if a priority request cannot be
        applied: the queue cannot advance past it and the chain will go to escape mode.
        """
        slots = self.params.slots
        number = self.journal.last_batch_number() + 1
        consumed = self.journal.consumed_count()
        priority_start = self.journal.priority_chain(consumed)
        # Choose the ops on a scratch copy: build_batch is all-or-nothing, so it must only ever
        # see ops that apply in sequence.
        scratch = _clone(self.state)
        ops: list[Op] = []
        sources: list[tuple[str, int]] = []
        withdrawing = 0  # the contract takes at most MAX_WITHDRAWALS_PER_BATCH per batch
        full = False
        for p in self.journal.unconsumed_priority(limit=slots):
            op = priority_op(self.params, p.request)
            if op.op_type in WITHDRAWING_OPS:
                if withdrawing == MAX_WITHDRAWALS_PER_BATCH:
                    # The queue stays in order and ahead of L2 ops: the rest waits.
                    full = True
                    break
                withdrawing += 1
            try:
                scratch.apply(op, verify_signature=False)
            except OpRejected as exc:
                raise SequencerError(
                    f"priority request {p.index} cannot be applied ({exc}); the queue is stuck"
                ) from None
            ops.append(op)
            sources.append(("priority", p.index))
        rejected: list[tuple[int, str]] = []
        after = 0
        while (
            not full
            and len(ops) < slots
            and (page := self.journal.pending_l2(after=after, limit=_PAGE))
        ):
            for r in page:
                if r.op.op_type in WITHDRAWING_OPS and withdrawing == MAX_WITHDRAWALS_PER_BATCH:
                    full = True  # acceptance order is kept: later ops wait for the next batch
                    break
                reason = self._try_l2(scratch, r)
                if reason is None:
                    ops.append(r.op)
                    sources.append(("l2", r.seq))
                    withdrawing += r.op.op_type in WITHDRAWING_OPS
                else:
                    rejected.append((r.seq, reason))
                if len(ops) == slots:
                    break
            after = page[-1].seq
        if not ops:
            if rejected:
                self.journal.reject_l2(rejected)
                self._rebuild_spec()
            return None
        try:
            witness = self.state.build_batch(ops, priority_start)
        except OpRejected as exc:  # the scratch run said these apply: a bug, say so loudly
            raise SequencerError(f"batch {number} failed after selection: {exc}") from None
        try:
            expected = self.journal.priority_chain(consumed + witness.priority_consumed)
            if witness.priority_hash != expected:
                raise SequencerError(f"batch {number}: priority hash does not match the L1 chain")
            record = BatchRecord(
                number=number,
                ops=tuple(ops),
                prev_root=witness.prev_root,
                new_root=witness.new_root,
                priority_start=priority_start,
                priority_hash=witness.priority_hash,
                priority_consumed=witness.priority_consumed,
                pubdata=witness.pubdata,
                commitment=witness.commitment,
                built_at=now,
            )
            self.journal.record_batch(record, sources, rejected)
        except BaseException:
            # The in-memory state already holds the batch but the journal does not: go back to
            # what the journal says (replay), then let the error through.
            self._load()
            raise
        self._witnesses[number] = witness
        if rejected:
            # The spec view already skipped these ops, but rebuild it anyway: it is the one
            # place a divergence between the view and the real order would otherwise persist.
            self._rebuild_spec()
        return witness

    def mark_committed(self, number: int, tx_hash: str | bytes) -> bool:
        """Record that batch ``number`` was committed on L1 by ``tx_hash`` (False: already was)."""
        return self.journal.set_batch_status(number, "committed", tx_hash)

    def mark_proven(self, number: int, tx_hash: str | bytes) -> bool:
        """Record that batch ``number`` was proven on L1 by ``tx_hash`` (False: already was)."""
        changed = self.journal.set_batch_status(number, "proven", tx_hash)
        self._witnesses.pop(number, None)  # proven: the witness is no longer needed
        return changed

    def mark_executed(self, number: int, tx_hash: str | bytes) -> bool:
        """Record that batch ``number`` was executed on L1 by ``tx_hash`` (its priority requests
        now count as served). Returns False if it already was, with that hash."""
        return self.journal.set_batch_status(number, "executed", tx_hash)


__all__ = [
    "Receipt",
    "ReplayMismatch",
    "Sequencer",
    "SequencerError",
    "priority_op",
]
