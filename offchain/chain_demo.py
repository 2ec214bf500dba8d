"""``make demo``: one Hatchway chain, end to end, on a local anvil node it starts and stops.

1. Deploy the batch verifier, the exit verifier and the Rollup with the ape script
   (``scripts/deploy_rollup.py``), exactly as a deployer would.
2. Three users deposit ETH on L1 (opening their L2 accounts); the operator (sequencer + prover)
   serves the priority queue, proves and executes batches.
3. Signed L2 transfers and a withdrawal; the withdrawal is claimed on L1.
4. The operator stops. A new deposit and a forced exit go unserved; time passes the deadline;
   anyone switches the chain into escape mode.
5. Each user leaves with the exit tool (``hatchway exit``), which rebuilds the state from L1
   calldata only and proves the exit; the unserved deposit is refunded.

Every user must end with exactly what the last executed state gave them; the demo checks it and
prints the gas of every L1 call.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from web3 import Web3

from offchain.crypto import eddsa
from offchain.l1.anvil import REPO_ROOT, running_anvil
from offchain.l1.client import RollupClient
from offchain.l1.deploy import read_deployment
from offchain.l1.driver import ChainDriver
from offchain.rollup import encoding as enc
from offchain.rollup.params import OP_TRANSFER, OP_WITHDRAW
from offchain.rollup.state import signed_op
from offchain.sequencer import Sequencer

ETH = 10**18


@dataclass
class User:
    """A demo user: an L1 account (anvil dev account) and an L2 EdDSA key."""

    name: str
    address: str
    prv: bytes

    @property
    def key_hash(self) -> int:
        return enc.key_hash(*eddsa.public_key(self.prv))


def _ape() -> str:
    exe = Path(sys.executable).with_name("ape")
    return str(exe) if exe.exists() else "ape"


def deploy_with_ape(rpc: str, name: str, profile: str = "demo") -> dict:
    """Run ``ape run deploy_rollup`` against ``rpc`` and return the deployment record."""
    env = dict(os.environ)
    env.update(
        HATCHWAY_CHAIN_PROFILE=profile,
        HATCHWAY_DEPLOYMENT_NAME=name,
        VVM_BINARY_PATH=str(REPO_ROOT / ".vvm"),
        PATH=f"{REPO_ROOT / 'node_modules' / '.bin'}:{env.get('PATH', '')}",
    )
    proc = subprocess.run(
        [_ape(), "run", "deploy_rollup", "--network", rpc],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"ape deploy failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return read_deployment(REPO_ROOT / "deployments" / f"{name}.json")


def _eth(wei: int) -> str:
    return f"{wei / ETH:.4f} ETH"


def run_chain_demo(echo: Callable[[str], None] = print, workdir: Path | None = None) -> dict:
    """Run the whole scenario; returns the figures it printed (gas, proving seconds, balances)."""
    figures: dict = {"gas": {}, "prove_seconds": []}
    with tempfile.TemporaryDirectory() as tmp, running_anvil() as rpc:
        workdir = Path(workdir or tmp)
        w3 = Web3(Web3.HTTPProvider(rpc))
        echo(f"anvil running at {rpc} (chain id {w3.eth.chain_id})")

        t0 = time.perf_counter()
        echo("deploying with ape (scripts/deploy_rollup.py; first run builds the circuit keys) ...")
        dep = deploy_with_ape(rpc, "local-demo")
        params = dep["params"]
        rollup_address = dep["contracts"]["Rollup"]
        echo(f"  Rollup {rollup_address}  ({params}, {time.perf_counter() - t0:.0f} s)")
        client = RollupClient(w3, rollup_address)
        operator = w3.eth.accounts[0]
        users = [
            User(
                name,
                w3.eth.accounts[i + 1],
                hashlib.sha256(f"hatchway demo {name}".encode()).digest(),
            )
            for i, name in enumerate(("alice", "bob", "carol", "dave"))
        ]
        alice, bob, carol, dave = users

        # -- 1. deposits ---------------------------------------------------------------
        for user, amount in ((alice, 5 * ETH), (bob, 2 * ETH), (carol, 1 * ETH)):
            rc = client.deposit(user.address, user.address, None, amount, user.key_hash)
            figures["gas"].setdefault("deposit (opens the account)", rc["gasUsed"])
            echo(
                f"{user.name} deposits {_eth(amount)} (account {client.view('account_of', user.address)})"
            )
        ids = {u.name: client.view("account_of", u.address) for u in users[:3]}

        seq = Sequencer(params, workdir / "journal.sqlite")
        driver = ChainDriver(seq, client, operator)

        def settle_all(label: str) -> None:
            while (
                report := driver.run_batch(now=w3.eth.get_block("latest")["timestamp"])
            ) is not None:
                figures["prove_seconds"].append(report.prove_seconds)
                figures["gas"]["commit_batch"] = report.commit_gas
                figures["gas"]["prove_batch"] = report.prove_gas
                figures["gas"]["execute_batch"] = max(
                    figures["gas"].get("execute_batch", 0), report.execute_gas
                )
                echo(
                    f"  batch {report.number}: {report.ops} ops ({label}); proved in "
                    f"{report.prove_seconds:.1f} s; gas commit {report.commit_gas:,} / prove "
                    f"{report.prove_gas:,} / execute {report.execute_gas:,}"
                )

        echo("operator serves the priority queue:")
        settle_all("L1 requests")

        # -- 2. L2 activity ------------------------------------------------------------
        def submit(op_type: int, user: User, amount: int, to: User | None = None) -> None:
            a = ids[user.name]
            op = signed_op(
                op_type,
                user.prv,
                params.chain_id,
                seq.next_nonce(a),
                account=a,
                token=0,
                amount=amount,
                to=ids[to.name] if to else 0,
            )
            seq.submit(op)

        submit(OP_TRANSFER, alice, 1 * ETH, bob)
        submit(OP_TRANSFER, bob, ETH // 2, carol)
        submit(OP_WITHDRAW, carol, ETH // 4)
        echo("L2: alice → bob 1 ETH, bob → carol 0.5 ETH, carol withdraws 0.25 ETH")
        settle_all("signed transfers and a withdrawal")
        before = w3.eth.get_balance(carol.address)
        rc = client.claim(operator, carol.address, 0)
        figures["gas"]["claim"] = rc["gasUsed"]
        echo(
            f"  carol's withdrawal claimed on L1: +{_eth(w3.eth.get_balance(carol.address) - before)}"
        )
        final = {u.name: seq_balance(seq, ids[u.name]) for u in users[:3]}
        for name, bal in final.items():
            echo(f"  L2 balance of {name}: {_eth(bal)}")

        # -- 3. the operator stops ------------------------------------------------------
        seq.close()
        echo(
            "the operator stops. dave deposits 0.3 ETH and bob requests a forced exit — nobody serves them"
        )
        rc = client.deposit(dave.address, dave.address, None, 3 * ETH // 10, dave.key_hash)
        rc = client.request_forced_exit(bob.address, ids["bob"], 0)
        figures["gas"]["request_forced_exit"] = rc["gasUsed"]
        deadline = dep["priority_deadline"]
        w3.provider.make_request("evm_increaseTime", [deadline + 1])
        w3.provider.make_request("evm_mine", [])
        rc = client.activate_escape_mode(carol.address)
        figures["gas"]["activate_escape_mode"] = rc["gasUsed"]
        echo(f"{deadline // 86400} days later: carol activates escape mode (permanent)")

        # -- 4. exits with the exit tool -----------------------------------------------
        from offchain.l1.cli import exit_command

        for user in users[:3]:
            before = w3.eth.get_balance(user.address)
            args = ["--rpc", rpc, "--rollup", rollup_address, "--account", str(ids[user.name])]
            echo(f"$ hatchway exit {' '.join(args)}")
            exit_command.main(args, standalone_mode=False)  # the CLI entry point, in process
            gained = w3.eth.get_balance(user.address) - before
            ok = "ok" if gained == final[user.name] else "MISMATCH"
            echo(
                f"  {user.name} received {_eth(gained)} (last executed L2 balance {_eth(final[user.name])}): {ok}"
            )
            if gained != final[user.name]:
                raise RuntimeError(f"{user.name} recovered {gained}, expected {final[user.name]}")
        exits = client.contract.events.Exited().get_logs(from_block=0)
        figures["gas"]["exit"] = w3.eth.get_transaction_receipt(exits[0].transactionHash)["gasUsed"]

        # -- 5. refunds ------------------------------------------------------------------
        before = w3.eth.get_balance(dave.address)
        for r in client.priority_requests(from_index=client.view("refund_next")):
            rc = client.refund_deposit(operator, r.request)
            if r.request[0] == 2:
                figures["gas"]["refund_deposit"] = rc["gasUsed"]
        echo(
            f"dave's unserved deposit refunded: +{_eth(w3.eth.get_balance(dave.address) - before)}"
        )
        echo(f"escrow left: {_eth(w3.eth.get_balance(rollup_address))}")
        figures["escrow_left"] = w3.eth.get_balance(rollup_address)

        echo("\nL1 gas (whole transactions):")
        for k, v in figures["gas"].items():
            echo(f"  {k:<28} {v:>10,}")
        figures["final_balances"] = final
    return figures


def seq_balance(seq: Sequencer, account: int) -> int:
    """An account's ETH balance in the sequencer's executed state."""
    return seq.state.balance(account, 0)


if __name__ == "__main__":
    print(json.dumps(run_chain_demo(), default=str, indent=2))
