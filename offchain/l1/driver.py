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
