"""``operator``: the FastFinality operator's tools, JSON in / JSON out.

- ``operator keygen --seed HEX [--operator ADDR --chain-id N --contract ADDR]``: a key pair from a
  seed; with the deployment and operator address, also the proof of possession and the
  ``register_key`` arguments.
- ``operator sign [FILE]``: ``{"sk", "operator", "chain_id", "contract", "header"}`` → an
  attestation ``{"operator", "header", "sigma"}``.
- ``operator aggregate [FILE]``: ``{"chain_id", "contract", "threshold"?, "epoch", "operators":
  [{"address", "pk_g1", "pk_g2", "stake"}], "attestations": [...], "header"}`` → the ``certify``
  arguments (``operators`` must be every active operator, ``epoch`` the contract's ``epoch()``).

FILE defaults to stdin. Integers may be decimal numbers or ``0x`` strings; G1 points are
``[x, y]``, G2 points ``[x.c1, x.c0, y.c1, y.c0]`` (EIP-197 order, as the contract takes them).
Secret keys are printed: redirect to a protected file.
"""

from __future__ import annotations

import json
from typing import Any

import click

from offchain.operator import bls
from offchain.operator.aggregator import AggregationError, Aggregator, RegisteredOperator
from offchain.operator.node import Attestation


def _int(v: Any) -> int:
    return int(v, 0) if isinstance(v, str) else int(v)


def _hexes(words: list[int]) -> list[str]:
    return [hex(w) for w in words]


def _domain(obj: dict) -> bls.Domain:
    return bls.Domain(_int(obj["chain_id"]), obj["contract"])


def _emit(obj: dict) -> None:
    click.echo(json.dumps(obj, indent=2))


@click.group()
def operator() -> None:
    """FastFinality operator tools: BLS keys, header signatures, certificates."""


@operator.command()
@click.option("--seed", required=True, help="hex seed, at least 32 bytes of entropy")
@click.option("--operator", "operator_address", help="operator address (for the PoP)")
@click.option("--chain-id", type=int, help="chain id of the FastFinality deployment")
@click.option("--contract", help="FastFinality contract address")
def keygen(seed: str, operator_address: str | None, chain_id: int | None, contract: str | None):
    """Derive a BLS key pair from SEED (and its proof of possession when the deployment is given)."""
    try:
        key = bls.keygen(bytes.fromhex(seed.removeprefix("0x")))
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--seed") from e
    out: dict[str, Any] = {
        "sk": hex(key.sk),
        "pk_g1": _hexes(bls.g1_words(key.pk1)),
        "pk_g2": _hexes(bls.g2_words(key.pk2)),
    }
    given = [operator_address, chain_id, contract]
    if any(v is not None for v in given):
        if not all(v is not None for v in given):
            raise click.UsageError("--operator, --chain-id and --contract go together")
        pop = bls.prove_possession(key, operator_address, bls.Domain(chain_id, contract))
        out["pop"] = _hexes(bls.g1_words(pop))
        out["register_key_args"] = [out["pk_g1"], out["pk_g2"], out["pop"]]
    _emit(out)


@operator.command()
@click.argument("input_file", type=click.File("r"), default="-")
def sign(input_file) -> None:
    """Sign the header in the JSON request (see the module help)."""
    req = json.load(input_file)
    key = bls.keypair(_int(req["sk"]))
    header = bls.Header.from_json(req["header"])
    sigma = bls.sign_header(key.sk, header, _domain(req))
    _emit(Attestation(req["operator"], header, sigma).to_json())


@operator.command()
@click.argument("input_file", type=click.File("r"), default="-")
def aggregate(input_file) -> None:
    """Verify attestations and build the certify() arguments (see the module help)."""
    req = json.load(input_file)
    operators = {}
    for o in req["operators"]:
        operators[o["address"]] = RegisteredOperator(
            o["address"],
            bls.g1_from_words(_int(v) for v in o["pk_g1"]),
            bls.g2_from_words(_int(v) for v in o["pk_g2"]),
            _int(o["stake"]),
        )
    threshold = tuple(_int(v) for v in req.get("threshold", (2, 3)))
    agg = Aggregator(_domain(req), operators, threshold, _int(req.get("epoch", 0)))
    header = bls.Header.from_json(req["header"])
    try:
        for a in req["attestations"]:
            att = Attestation.from_json(a)
            if att.header != header:
                raise AggregationError(f"attestation from {att.operator} is for another header")
            agg.add(att)
        cert = agg.certificate(header)
    except AggregationError as e:
        raise click.ClickException(str(e)) from e
    out = cert.to_json()
    out["certify_args"] = [
        list(header.as_tuple()[:2]) + [hex(header.state_root)],
        out["non_signers"],
        out["non_signer_keys"],
        out["non_signer_stakes"],
        out["apk_g2"],
        out["sigma"],
        out["slopes"],
        [out["operator_set"]["apk_g2"], out["operator_set"]["total_stake"], cert.epoch],
        out["hash_hint"],
    ]
    _emit(out)


@operator.command()
@click.option("--rpc", required=True, help="L1 JSON-RPC URL")
@click.option("--rollup", "rollup_address", required=True, help="the Rollup to follow")
@click.option("--contract", required=True, help="FastFinality contract address (signing domain)")
@click.option("--operator", "operator_address", required=True, help="the operator's address")
@click.option(
    "--seed", envvar="HATCHWAY_BLS_SEED", required=True, help="hex BLS seed (env HATCHWAY_BLS_SEED)"
)
@click.option("--after", type=int, default=0, show_default=True, help="sign batches after this one")
def watch(
    rpc: str, rollup_address: str, contract: str, operator_address: str, seed: str, after: int
):
    """Replay the Rollup's committed batches from L1 and print an attestation (JSON lines) for
    every batch after AFTER whose committed root the replay reproduces; refuse the rest."""
    from web3 import Web3

    from offchain.l1.client import L1Error, RollupClient
    from offchain.operator.node import OperatorNode
    from offchain.operator.watch import ReplayChecker, sign_new_batches

    w3 = Web3(Web3.HTTPProvider(rpc))
    try:
        client = RollupClient(w3, rollup_address)
    except L1Error as exc:
        raise click.ClickException(str(exc)) from None
    node = OperatorNode(
        operator=operator_address,
        key=bls.keygen(bytes.fromhex(seed.removeprefix("0x"))),
        domain=bls.Domain(w3.eth.chain_id, contract),
        rollups=[client.address],
        verify_root=ReplayChecker(client).verify,
    )
    for att in sign_new_batches(node, client, after):
        click.echo(json.dumps(att.to_json()))
