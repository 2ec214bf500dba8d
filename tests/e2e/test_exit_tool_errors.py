"""The exit tool's refusals on a real node: clear errors, nothing sent.

A freshly deployed chain (ape script on anvil) is not in escape mode and has no accounts; the
tool must say so instead of proving or sending anything, and the CLI must exit non-zero with the
reason. Rebuilding the state of a chain with no executed batch gives the genesis root.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from web3 import Web3

from offchain.chain_demo import deploy_with_ape
from offchain.l1.anvil import running_anvil
from offchain.l1.cli import exit_command
from offchain.l1.client import L1Error, RollupClient
from offchain.l1.exit_tool import ExitToolError, exit_account, rebuild_state
from offchain.rollup.params import TEST_PARAMS
from offchain.rollup.state import RollupState

pytestmark = pytest.mark.node


@pytest.fixture(scope="module")
def chain():
    with running_anvil() as rpc:
        dep = deploy_with_ape(rpc, "local-e2e-errors", profile="test")
        w3 = Web3(Web3.HTTPProvider(rpc))
        yield rpc, w3, dep["contracts"]["Rollup"]


def test_rebuild_of_a_fresh_chain_is_the_genesis_state(chain):
    _, w3, address = chain
    state = rebuild_state(RollupClient(w3, address))
    assert state.root == RollupState.genesis_root(TEST_PARAMS)
    assert state.params.account_depth == TEST_PARAMS.account_depth


def test_exit_before_escape_mode_is_refused_and_sends_nothing(chain):
    _, w3, address = chain
    client = RollupClient(w3, address)
    nonce = w3.eth.get_transaction_count(w3.eth.accounts[0])
    with pytest.raises(ExitToolError, match="not in escape mode"):
        exit_account(client, w3.eth.accounts[0], 1)
    assert w3.eth.get_transaction_count(w3.eth.accounts[0]) == nonce


def test_client_refuses_an_address_without_code(chain):
    _, w3, _ = chain
    with pytest.raises(L1Error, match="no contract"):
        RollupClient(w3, "0x" + "11" * 20)


def test_reverts_surface_with_the_contract_reason(chain):
    _, w3, address = chain
    client = RollupClient(w3, address)
    with pytest.raises(L1Error, match="Rollup: no unserved request"):
        client.activate_escape_mode(w3.eth.accounts[1])


def test_cli_exits_nonzero_with_the_reason(chain):
    rpc, _, address = chain
    result = CliRunner().invoke(exit_command, ["--rpc", rpc, "--rollup", address, "--account", "1"])
    assert result.exit_code == 1
    assert "not in escape mode" in result.output
    bad = CliRunner().invoke(
        exit_command, ["--rpc", rpc, "--rollup", "0x" + "22" * 20, "--account", "1"]
    )
    assert bad.exit_code == 1 and "no contract" in bad.output
