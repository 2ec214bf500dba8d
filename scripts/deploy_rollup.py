"""ape script: deploy one Hatchway chain (batch verifier, exit verifier, Rollup).

    ape run deploy_rollup --network http://127.0.0.1:8545

Environment:
- ``HATCHWAY_CHAIN_PROFILE``: parameter profile, "demo" (default) or "test" (offchain/l1/deploy.py).
- ``HATCHWAY_DEPLOYER``: ape account alias to deploy from (default: ape's first test account,
  which on anvil is the node's funded dev account — local networks only).
- ``HATCHWAY_SEQUENCER``: the sequencer's address (default: the deployer).
- ``HATCHWAY_PRIORITY_DEADLINE``: seconds an L1 request may wait (default 3 days).
- ``HATCHWAY_DEPLOYMENT_NAME``: file name under deployments/ (default: the network's name).

The verifiers are generated from the circuits' verifying keys (DEVELOPMENT keys from a seeded
dev setup: see offchain/rollup/circuits/keys.py) and compiled by ape's Vyper compiler.
"""

import os

from ape import accounts, chain, compilers, project

from offchain.l1.deploy import (
    DEFAULT_PRIORITY_DEADLINE,
    chain_params_from_profile,
    deployment_inputs,
    params_record,
    write_deployment,
)


def main():
    params = chain_params_from_profile(os.environ.get("HATCHWAY_CHAIN_PROFILE", "demo"))
    alias = os.environ.get("HATCHWAY_DEPLOYER")
    deployer = accounts.load(alias) if alias else accounts.test_accounts[0]
    sequencer = os.environ.get("HATCHWAY_SEQUENCER", deployer.address)
    deadline = int(os.environ.get("HATCHWAY_PRIORITY_DEADLINE", DEFAULT_PRIORITY_DEADLINE))

    print(f"building circuit keys and verifiers for {params} ...")
    inputs = deployment_inputs(params)
    batch_verifier = compilers.compile_source(
        "vyper", inputs.batch_verifier_source, contractName="BatchVerifier"
    ).deploy(sender=deployer)
    exit_verifier = compilers.compile_source(
        "vyper", inputs.exit_verifier_source, contractName="ExitVerifier"
    ).deploy(sender=deployer)
    rollup = project.Rollup.deploy(
        batch_verifier.address,
        exit_verifier.address,
        inputs.genesis_root,
        params.slots,
        params.account_depth,
        params.token_depth,
        deadline,
        sequencer,
        sender=deployer,
    )
    network = os.environ.get("HATCHWAY_DEPLOYMENT_NAME") or chain.provider.network.name
    path = write_deployment(
        network,
        {
            "chain_id": chain.chain_id,
            "deployer": deployer.address,
            "block": chain.blocks.head.number,
            "params": params_record(params),
            "priority_deadline": deadline,
            "sequencer": sequencer,
            "genesis_root": hex(inputs.genesis_root),
            "batch_vk_digest": inputs.batch_vk_digest,
            "exit_vk_digest": inputs.exit_vk_digest,
            "contracts": {
                "Rollup": rollup.address,
                "BatchVerifier": batch_verifier.address,
                "ExitVerifier": exit_verifier.address,
            },
        },
    )
    print(f"Rollup deployed at {rollup.address}; recorded in {path}")
