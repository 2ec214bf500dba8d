"""The operator's loop: feed L1 priority requests to the sequencer, then build, commit, prove and
execute batches on L1, journalling every step (so a restarted operator resumes where it was).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from offchain.rollup.state import BatchWitness
from offchain.sequencer import Sequencer

from .client import RollupClient


@dataclass
class BatchReport:
    """What one batch cost on L1 and off it."""

    number: int
    ops: int
    commit_gas: int
    prove_gas: int
    execute_gas: int
    prove_seconds: float
    withdrawals: list[tuple[int, int, int]] = field(default_factory=list)


def _default_prover(w: BatchWitness) -> Any:
    from offchain.rollup.circuits.keys import prove_batch

    return prove_batch(w)[0]


class ChainDriver:
    """Drives one chain: ``sequencer`` (journal + state), ``client`` (the Rollup on L1),
    ``sender`` (the sequencer's L1 account) and ``prove`` (BatchWitness → Groth16 proof)."""

    def __init__(
        self,
        sequencer: Sequencer,
        client: RollupClient,
        sender: str,
        prove: Callable[[BatchWitness], Any] | None = None,
    ) -> None:
        """Bind the parts; nothing is sent until :meth:`sync_priority` / :meth:`run_batch`."""
        self.sequencer = sequencer
        self.client = client
        self.sender = sender
        self.prove = prove or _default_prover

    def sync_priority(self) -> int:
        """Hand every new ``PriorityRequest`` event to the sequencer; returns how many were new."""
        new = 0
        for r in self.client.priority_requests():
            if self.sequencer.add_priority_request(r.index, r.request, r.deadline):
                new += 1
        return new

    def should_build(
        self, now: int, *, margin: int, max_wait: int, oldest_pending_at: int | None
    ) -> bool:
        """The batching policy: serve L1 requests at once (a priority request never waits for a
        batch to fill, so no deadline can pass while the operator runs), always act under
        deadline pressure, and otherwise build when pending L2 ops fill a batch or the oldest has
        waited ``max_wait`` seconds."""
        if self.sequencer.unconsumed_priority() or self.sequencer.deadline_pressure(now, margin):
            return True
        pending = self.sequencer.pending()
        if len(pending) >= self.sequencer.params.slots:
            return True
        return (
            bool(pending) and oldest_pending_at is not None and now - oldest_pending_at >= max_wait
        )

    def run(
        self,
        *,
        poll_seconds: float = 2.0,
        margin: int = 3600,
        max_wait: int = 10,
        should_stop: Callable[[], bool] = lambda: False,
        on_report: Callable[[BatchReport], None] = lambda _r: None,
    ) -> None:
        """The operator loop: settle unfinished batches from the journal, then poll L1 and build
        batches by :meth:`should_build` until ``should_stop()``; a deadline within ``margin``
        seconds forces a batch, full or not."""
        for report in self.finish_pending():
            on_report(report)
        first_seen: dict[int, int] = {}
        while not should_stop():
            self.sync_priority()
            now = int(self.client.w3.eth.get_block("latest")["timestamp"])
            pending = self.sequencer.pending()
            for r in pending:
                first_seen.setdefault(r.seq, now)
            oldest = min((first_seen[r.seq] for r in pending), default=None)
            if self.should_build(now, margin=margin, max_wait=max_wait, oldest_pending_at=oldest):
                report = self.run_batch(now)
                if report is not None:
                    on_report(report)
                    continue
            time.sleep(poll_seconds)

    def finish_pending(self) -> list[BatchReport]:
        """Commit/prove/execute batches the journal holds but L1 has not finished (after a restart)."""
        reports = []
        for record in self.sequencer.batches():
            if record.status != "executed":
                reports.append(self._settle(record.number, self.sequencer.witness(record.number)))
        return reports

    def run_batch(self, now: int | None = None) -> BatchReport | None:
        """Build the next batch (priority requests first) and settle it on L1; None if idle."""
        self.sync_priority()
        now = int(time.time()) if now is None else now
        batch = self.sequencer.build_next_batch(now)
        if batch is None:
            return None
        number = self.sequencer.batches()[-1].number
        return self._settle(number, batch)

    def _settle(self, number: int, batch: BatchWitness) -> BatchReport:
        status = next(r.status for r in self.sequencer.batches() if r.number == number)
        commit_gas = prove_gas = execute_gas = 0
        prove_seconds = 0.0
        if status == "built":
            rc = self.client.commit_batch(self.sender, number, batch)
            self.sequencer.mark_committed(number, rc["transactionHash"].to_0x_hex())
            commit_gas = rc["gasUsed"]
            status = "committed"
        if status == "committed":
            t0 = time.perf_counter()
            proof = self.prove(batch)
            prove_seconds = time.perf_counter() - t0
            rp = self.client.prove_batch(self.sender, number, proof)
            self.sequencer.mark_proven(number, rp["transactionHash"].to_0x_hex())
            prove_gas = rp["gasUsed"]
            status = "proven"
        withdrawals = batch.withdrawals()
        if status == "proven":
            re = self.client.execute_batch(self.sender, number, withdrawals)
            self.sequencer.mark_executed(number, re["transactionHash"].to_0x_hex())
            execute_gas = re["gasUsed"]
        ops = sum(1 for s in batch.slots if s.op_type != 0)
        return BatchReport(
            number, ops, commit_gas, prove_gas, execute_gas, prove_seconds, withdrawals
        )
