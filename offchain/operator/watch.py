"""What an operator node watches: batches committed to a Rollup on L1, checked before signing.

:class:`ReplayChecker` re-executes each committed batch's pubdata (read from the commit
transaction's calldata, as the exit tool does) on its own copy of the chain state and accepts a
header only if the replay reaches exactly the committed root — so the node never signs a root it
has not derived itself. :func:`sign_new_batches` turns every newly committed batch into a signed
attestation for the aggregator.
"""

from __future__ import annotations

from eth_utils import to_checksum_address

from offchain.l1.client import RollupClient
from offchain.l1.exit_tool import chain_params
from offchain.operator import bls
from offchain.operator.node import Attestation, OperatorNode, SigningRefused
from offchain.rollup.state import RollupState


class ReplayChecker:
    """Replays a Rollup's committed batches in order; ``verify(header)`` is the node's
    ``verify_root`` hook."""

    def __init__(self, client: RollupClient) -> None:
        """Follow the Rollup behind ``client`` from its genesis."""
        self.client = client
        self.state = RollupState(chain_params(client))
        self.replayed = 0
        self.roots: dict[int, int] = {}
        self.broken_at: int | None = None

    def catch_up(self) -> None:
        """Replay every batch committed since the last call (stops at the first invalid one)."""
        commits = self.client.committed_pubdata()
        while self.broken_at is None and self.replayed + 1 in commits:
            number = self.replayed + 1
            new_root, pubdata = commits[number]
            try:
                self.state.replay_pubdata(pubdata)
            except ValueError:  # OpRejected included
                self.broken_at = number  # an invalid batch: never sign it or anything after
                return
            self.roots[number] = self.state.root
            self.replayed = number

    def verify(self, header: bls.Header) -> bool:
        """True iff ``header`` is for this Rollup and its root is the replayed root of its batch."""
        if to_checksum_address(header.rollup) != self.client.address:
            return False
        self.catch_up()
        return self.roots.get(header.batch_number) == header.state_root


def committed_headers(client: RollupClient, after: int = 0) -> list[bls.Header]:
    """Headers ``(rollup, number, new_root)`` of the batches committed after batch ``after``."""
    return [
        bls.Header(client.address, number, new_root)
        for number, (new_root, _) in sorted(client.committed_pubdata().items())
        if number > after
    ]


def sign_new_batches(node: OperatorNode, client: RollupClient, after: int = 0) -> list[Attestation]:
    """Sign every batch committed after ``after`` that the node accepts; refusals are skipped
    (the node's own rules: unfollowed rollup, conflicting root, unverified root)."""
    out = []
    for header in committed_headers(client, after):
        try:
            out.append(node.sign(header))
        except SigningRefused:
            continue
    return out
