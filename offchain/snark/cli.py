"""``hatchway snark``: command-line access to our Groth16 (snarkjs's file formats).

``verify`` (below), ``verifier`` (:mod:`offchain.snark.cli_verifier`), and ``setup``, ``prove``,
``export-vk`` (:mod:`offchain.snark.cli_keys`).

Mount on the top-level CLI with ``main.add_command(snark)`` (``from offchain.snark.cli import
snark``). Exit codes of ``verify`` follow snarkjs's scripts' expectations and are stable:

- 0: the proof is valid for the public signals under the verifying key;
- 1: the input is well-formed but the proof is invalid;
- 2: malformed input (unreadable file, invalid JSON, a bad field — the message on stderr names the
  file and the JSON path — wrong number of public signals, a signal ≥ r, a point off its curve or
  outside G2). Click's own usage errors (a missing option) also exit with 2.
"""

from __future__ import annotations

import sys

import click

from offchain.snark.cli_keys import export_vk_command, prove_command, setup_command
from offchain.snark.cli_verifier import verifier_command

__all__ = ["snark", "EXIT_VALID", "EXIT_INVALID", "EXIT_MALFORMED"]

EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_MALFORMED = 2


@click.group("snark")
def snark() -> None:
    """Groth16 over BN254 in snarkjs's file formats: setup, prove, verify, export keys and verifiers."""


@snark.command("verify")
@click.option(
    "--vk",
    "vk_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="verification_key.json (snarkjs format).",
)
@click.option(
    "--public",
    "public_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="public.json: the public signals as decimal strings.",
)
@click.option(
    "--proof",
    "proof_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="proof.json (snarkjs format).",
)
def verify_cmd(vk_path: str, public_path: str, proof_path: str) -> None:
    """Verify a Groth16 proof: exit 0 valid, 1 invalid, 2 malformed input."""
    # Imported here so that `hatchway --help` does not pay for py-ecc and numba imports.
    from offchain.snark.snarkjs_json import read_proof, read_public, read_vk
    from offchain.snark.verifier import verify

    try:
        vk = read_vk(vk_path)
        public = read_public(public_path)
        proof = read_proof(proof_path)
        ok = verify(vk, public, proof)
    except ValueError as exc:
        click.echo(f"snark verify: malformed input: {exc}", err=True)
        sys.exit(EXIT_MALFORMED)
    if ok:
        click.echo("snark verify: OK")
        sys.exit(EXIT_VALID)
    click.echo("snark verify: INVALID proof", err=True)
    sys.exit(EXIT_INVALID)


# `hatchway snark verifier` (the Vyper verifier generator) and the key/proof commands live in
# their own modules.
snark.add_command(verifier_command)
snark.add_command(setup_command)
snark.add_command(prove_command)
snark.add_command(export_vk_command)
