"""The restaking deployer's and operator's ape scripts on a real node (anvil).

deploy_fastfinality (Restaking + FastFinality + a local test stake token) → register_operator
(operator, service registration, allocation) → a staker delegates and deposits → the allocation
delay passes → register_operator again registers the BLS key with its proof of possession, which
the contract checks with the pairing precompile. Rerunning the script changes nothing.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest
import vyper
from web3 import Web3

from offchain.chain_demo import _ape
from offchain.l1.anvil import REPO_ROOT, running_anvil

pytestmark = pytest.mark.node
DAY = 86_400


def _abi(name: str) -> list:
    data = json.loads((REPO_ROOT / "interfaces" / f"{name}.json").read_text())
    return data["abi"] if isinstance(data, dict) else data


def _ape_run(script: str, rpc: str, **env: str) -> str:
    full = dict(os.environ)
    full.update(env)
    full["VVM_BINARY_PATH"] = str(REPO_ROOT / ".vvm")
    full["PATH"] = f"{REPO_ROOT / 'node_modules' / '.bin'}:{full.get('PATH', '')}"
    proc = subprocess.run(
        [_ape(), "run", script, "--network", rpc],
        cwd=REPO_ROOT,
        env=full,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


def test_deploy_and_register_an_operator_with_the_ape_scripts():
    with running_anvil() as rpc:
        _ape_run("deploy_fastfinality", rpc, HATCHWAY_DEPLOYMENT_NAME="local-e2e-ff")
        record_path = REPO_ROOT / "deployments" / "local-e2e-ff.json"
        record = json.loads(record_path.read_text())
        w3 = Web3(Web3.HTTPProvider(rpc))
        operator, staker = w3.eth.accounts[1], w3.eth.accounts[2]
        restaking = w3.eth.contract(
            address=record["contracts"]["Restaking"], abi=_abi("IRestaking")
        )
        ff = w3.eth.contract(address=record["contracts"]["FastFinality"], abi=_abi("IFastFinality"))
        mock = REPO_ROOT / "tests" / "mocks" / "MockERC20.vy"
        token_abi = vyper.compile_code(mock.read_text(), output_formats=["abi"])["abi"]
        token = w3.eth.contract(address=record["stake_token"], abi=token_abi)

        env = dict(HATCHWAY_DEPLOYMENT=str(record_path), HATCHWAY_BLS_SEED="11" * 32)
        out = _ape_run("register_operator", rpc, HATCHWAY_REGISTER_KEY="0", **env)
        assert "registered as an operator" in out and "allocated" in out
        assert restaking.functions.is_registered(operator, ff.address).call()

        stake = 10**21
        for fn in (
            restaking.functions.delegate(operator),
            token.functions.mint(staker, stake),
            token.functions.approve(restaking.address, stake),
            restaking.functions.deposit(stake),
        ):
            w3.eth.wait_for_transaction_receipt(fn.transact({"from": staker}))
        w3.provider.make_request("evm_increaseTime", [DAY + 1])
        w3.provider.make_request("evm_mine", [])

        out = _ape_run("register_operator", rpc, **env)
        assert "BLS key registered" in out
        assert ff.functions.is_active(operator).call()
        assert ff.functions.operator_count().call() == 1
        again = _ape_run("register_operator", rpc, **env)
        assert "already registered" in again and "allocated" not in again
        record_path.unlink()
