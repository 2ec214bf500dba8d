"""An operator node following a real Rollup on anvil signs only roots it re-derived from L1.

One honest batch is committed, proven and executed by the operator loop; the node's
ReplayChecker replays its pubdata from the commit calldata and accepts its root. A second batch
is committed by the sequencer with a forged new root (commit does not check roots; only the
proof would): the node refuses to sign it; the root its replay derives is the honest one.
"""

from __future__ import annotations

import dataclasses

import pytest
from web3 import Web3

from offchain.chain_demo import deploy_with_ape
from offchain.crypto import eddsa
from offchain.l1.anvil import running_anvil
from offchain.l1.client import RollupClient
from offchain.l1.driver import ChainDriver
from offchain.operator import bls
from offchain.operator.node import OperatorNode
from offchain.operator.watch import ReplayChecker, committed_headers, sign_new_batches
from offchain.rollup import encoding as enc
from offchain.rollup.params import OP_TRANSFER
from offchain.rollup.state import signed_op
from offchain.sequencer import Sequencer

pytestmark = pytest.mark.node


def test_node_signs_replayed_roots_and_refuses_a_forged_one(tmp_path):
    with running_anvil() as rpc:
        dep = deploy_with_ape(rpc, "local-e2e-watch", profile="test")
        params = dep["params"]
        w3 = Web3(Web3.HTTPProvider(rpc))
        client = RollupClient(w3, dep["contracts"]["Rollup"])
        user, other = w3.eth.accounts[1], w3.eth.accounts[2]
        prv = b"\x07" * 32
        kh = enc.key_hash(*eddsa.public_key(prv))
        client.deposit(user, user, None, 10**18, kh)
        client.deposit(other, other, None, 10**17, enc.key_hash(*eddsa.public_key(b"\x08" * 32)))
        seq = Sequencer(params, tmp_path / "journal.sqlite")
        driver = ChainDriver(seq, client, w3.eth.accounts[0])
        while driver.run_batch(now=w3.eth.get_block("latest")["timestamp"]) is not None:
            pass
        honest = client.view("last_committed")
        assert honest == 2

        key = bls.keygen(b"\x05" * 32)
        node = OperatorNode(
            operator=w3.eth.accounts[3],
            key=key,
            domain=bls.Domain(w3.eth.chain_id, "0x" + "44" * 20),
            rollups=[client.address],
            verify_root=ReplayChecker(client).verify,
        )
        atts = sign_new_batches(node, client)
        assert [a.header.batch_number for a in atts] == [1, 2]
        assert all(
            a.header.state_root == seq.state.root or a.header.batch_number == 1 for a in atts
        )

        # The sequencer commits batch 3 with a forged root (a transfer whose root it lies about).
        seq.submit(
            signed_op(OP_TRANSFER, prv, params.chain_id, 0, account=1, to=2, token=0, amount=5)
        )
        batch = seq.build_next_batch(0)
        forged = dataclasses.replace(batch, new_root=(batch.new_root + 1) % enc.R)
        client.commit_batch(w3.eth.accounts[0], 3, forged)
        headers = committed_headers(client, after=2)
        assert [h.batch_number for h in headers] == [3]
        assert sign_new_batches(node, client, after=2) == []
        # What the replay accepts is the root the pubdata really leads to, not the committed claim.
        checker = ReplayChecker(client)
        assert checker.verify(bls.Header(client.address, 3, batch.new_root))
        assert not checker.verify(bls.Header(client.address, 3, forged.new_root))
