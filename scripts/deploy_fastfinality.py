"""ape script: deploy a Restaking pool and the FastFinality service on it.

    ape run deploy_fastfinality --network http://127.0.0.1:8545

Environment:
- ``HATCHWAY_STAKE_TOKEN``: the ERC-20 staked in the pool. Unset on a local network (chain id
  31337): a test token (tests/mocks/MockERC20.vy) is deployed and its address recorded — never
  on a public network, where the variable is required.
- ``HATCHWAY_DEPLOYER``: ape account alias (default: ape's first test account, local only).
- ``HATCHWAY_ALLOCATION_DELAY`` / ``HATCHWAY_DEALLOCATION_DELAY`` / ``HATCHWAY_WITHDRAWAL_DELAY``:
  seconds (defaults 1 day / 14 days / 14 days; the last two must cover the time from a
  signature to its batch's proof, or a lie escapes the slash).
- ``HATCHWAY_THRESHOLD``: "numerator/denominator" of stake that must sign (default 2/3; > 1/2).
- ``HATCHWAY_SLASH_WAD``: fraction slashed per fault, WAD (default 1e18 = all of the allocation).
- ``HATCHWAY_REDISTRIBUTION``: recipient of slashed stake (default: burned).
- ``HATCHWAY_DEPLOYMENT_NAME``: file name under deployments/ (default: the network's name).
"""

import os
from pathlib import Path

from ape import accounts, chain, compilers, project

from offchain.l1.deploy import write_deployment

DAY = 86_400
ZERO = "0x0000000000000000000000000000000000000000"
MOCK_ERC20 = Path(__file__).resolve().parents[1] / "tests" / "mocks" / "MockERC20.vy"


def main():
    alias = os.environ.get("HATCHWAY_DEPLOYER")
    deployer = accounts.load(alias) if alias else accounts.test_accounts[0]
    token = os.environ.get("HATCHWAY_STAKE_TOKEN")
    if not token:
        if chain.chain_id != 31337:
            raise SystemExit("HATCHWAY_STAKE_TOKEN is required outside a local dev chain")
        mock = compilers.compile_source("vyper", MOCK_ERC20.read_text(), contractName="MockERC20")
        token = mock.deploy("Hatchway Stake", "hSTK", sender=deployer).address
        print(f"local chain: deployed a test stake token at {token}")
    delays = [
        int(os.environ.get("HATCHWAY_ALLOCATION_DELAY", DAY)),
        int(os.environ.get("HATCHWAY_DEALLOCATION_DELAY", 14 * DAY)),
        int(os.environ.get("HATCHWAY_WITHDRAWAL_DELAY", 14 * DAY)),
    ]
    num, den = (int(x) for x in os.environ.get("HATCHWAY_THRESHOLD", "2/3").split("/"))
    slash_wad = int(os.environ.get("HATCHWAY_SLASH_WAD", 10**18))
    recipient = os.environ.get("HATCHWAY_REDISTRIBUTION", ZERO)

    restaking = project.Restaking.deploy(token, *delays, sender=deployer)
    ff = project.FastFinality.deploy(
        restaking.address, num, den, slash_wad, recipient, sender=deployer
    )
    network = os.environ.get("HATCHWAY_DEPLOYMENT_NAME") or chain.provider.network.name
    path = write_deployment(
        network,
        {
            "chain_id": chain.chain_id,
            "deployer": deployer.address,
            "block": chain.blocks.head.number,
            "stake_token": token,
            "delays": {"allocation": delays[0], "deallocation": delays[1], "withdrawal": delays[2]},
            "threshold": [num, den],
            "slash_wad": slash_wad,
            "redistribution_recipient": recipient,
            "contracts": {"Restaking": restaking.address, "FastFinality": ff.address},
        },
    )
    print(
        f"FastFinality deployed at {ff.address} on Restaking {restaking.address}; recorded in {path}"
    )
