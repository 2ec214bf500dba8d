"""ape script: register an operator with Restaking and FastFinality, BLS key included.

    ape run register_operator --network http://127.0.0.1:8545

Steps (each skipped if already done): ``register_as_operator``; ``register_for_service``
(FastFinality); ``allocate`` a magnitude of the operator's stake to it; then, once the allocation
is in effect, ``register_key`` with the operator's BLS keys and proof of
possession (derived from a seed: ``hatchway operator keygen`` uses the same derivation).

Environment:
- ``HATCHWAY_DEPLOYMENT``: path of the deploy_fastfinality record (deployments/<name>.json).
- ``HATCHWAY_OPERATOR``: ape account alias of the operator (default: ape's test account #1,
  local networks only).
- ``HATCHWAY_BLS_SEED``: hex seed of the operator's BLS key (required; keep it secret).
- ``HATCHWAY_MAGNITUDE``: WAD fraction of the operator's stake to allocate (default 1e18).
- ``HATCHWAY_REGISTER_KEY``: "0" to stop after allocating (register the key once the
  allocation delay has passed, by running the script again).
"""

import json
import os

from ape import accounts, chain, project

from offchain.operator import bls


def main():
    record = json.loads(open(os.environ["HATCHWAY_DEPLOYMENT"]).read())
    alias = os.environ.get("HATCHWAY_OPERATOR")
    operator = accounts.load(alias) if alias else accounts.test_accounts[1]
    seed = bytes.fromhex(os.environ["HATCHWAY_BLS_SEED"].removeprefix("0x"))
    magnitude = int(os.environ.get("HATCHWAY_MAGNITUDE", 10**18))
    restaking = project.Restaking.at(record["contracts"]["Restaking"])
    ff = project.FastFinality.at(record["contracts"]["FastFinality"])

    if not restaking.is_operator(operator.address):
        restaking.register_as_operator(sender=operator)
        print(f"{operator.address}: registered as an operator")
    if not restaking.is_registered(operator.address, ff.address):
        restaking.register_for_service(ff.address, sender=operator)
        print("registered for FastFinality")
    if restaking.allocation(operator.address, ff.address).pending_magnitude != magnitude:
        restaking.allocate(ff.address, magnitude, sender=operator)
        print(f"allocated magnitude {magnitude}")
    if os.environ.get("HATCHWAY_REGISTER_KEY", "1") == "0":
        return
    if ff.is_active(operator.address):
        print("BLS key already registered")
        return
    key = bls.keygen(seed)
    domain = bls.Domain(chain.chain_id, ff.address)
    pop = bls.prove_possession(key, operator.address, domain)
    ff.register_key(
        bls.g1_words(key.pk1), bls.g2_words(key.pk2), bls.g1_words(pop), sender=operator
    )
    print(f"BLS key registered: G1 {[hex(w) for w in bls.g1_words(key.pk1)]}")
