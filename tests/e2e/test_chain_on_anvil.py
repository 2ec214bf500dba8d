"""The demo flow on a real node: anvil from npm, deployment through the ape script, real proofs.

Deploy (ape) → deposits → batches committed, proven and executed → signed transfers and a
withdrawal → the operator stops → escape mode → every user exits with the exit tool, which
rebuilds the state from L1 calldata only → the unserved deposit is refunded. The assertions are
the hatch's promise: each user gets exactly their last executed balance and the escrow empties.
"""

from __future__ import annotations

import pytest

from offchain.chain_demo import ETH, run_chain_demo

pytestmark = pytest.mark.node


def test_demo_flow_recovers_every_balance(tmp_path):
    lines: list[str] = []
    figures = run_chain_demo(echo=lines.append, workdir=tmp_path)
    text = "\n".join(lines)
    assert figures["final_balances"] == {
        "alice": 4 * ETH,
        "bob": 5 * ETH // 2,
        "carol": 5 * ETH // 4,
    }
    assert text.count(": ok") == 3, text
    assert "MISMATCH" not in text
    assert "dave's unserved deposit refunded: +0.3000 ETH" in text
    assert "escrow left: 0.0000 ETH" in text
    assert figures["gas"]["exit"] <= 250_000
    assert len(figures["prove_seconds"]) == 5
