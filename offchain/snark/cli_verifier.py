"""``hatchway snark verifier``: write the Vyper Groth16 verifier contract for a verifying key.

A self-contained click command, mounted by the ``snark`` command group::

    from offchain.snark.cli_verifier import verifier_command
    snark.add_command(verifier_command)          # registers as "verifier"

Usage::

    hatchway snark verifier --vk verification_key.json --out contracts/Groth16Verifier.vy

``--vk`` is a snarkjs ``verification_key.json`` (Groth16, bn128), read and fully validated by
:func:`offchain.snark.snarkjs_json.read_vk`; our own keys are written in that format by
:func:`offchain.snark.snarkjs_json.write_vk`. The contract is compiled once with the pinned Vyper
before it is written (``--no-compile-check`` skips that), so a file on disk is always a contract
that builds. Exit status: 0 written; 2 unreadable or invalid key; 1 any other failure.
"""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["verifier_command"]


class _MalformedInput(click.ClickException):
    """A key that cannot be read or is not a valid Groth16 BN254 key: exit status 2, like
    ``hatchway snark verify`` on malformed input."""

    exit_code = 2


@click.command("verifier")
@click.option(
    "--vk",
    "vk_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Groth16 verifying key: a snarkjs verification_key.json (curve bn128).",
)
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False, writable=True, allow_dash=True, path_type=Path),
    help="Where to write the Vyper contract (e.g. contracts/Groth16Verifier.vy); '-' for stdout.",
)
@click.option(
    "--compile-check/--no-compile-check",
    default=True,
    show_default=True,
    help="Compile the generated contract with the pinned Vyper before writing it.",
)
def verifier_command(vk_path: Path, out_path: Path, compile_check: bool) -> None:
    """Write a Vyper 0.4 Groth16 verifier (snarkjs Solidity-verifier ABI) for the key at --vk.

    The contract exposes verifyProof(uint256[2] pA, uint256[2][2] pB, uint256[2] pC,
    uint256[N] pubSignals) -> bool and embeds the key as constants.
    """
    from offchain.snark.snarkjs_json import read_vk
    from offchain.snark.vyper_verifier import (
        generate_vyper_verifier,
        normalize_verifying_key,
        vk_digest,
    )

    try:
        # snarkjs_json.read_vk names the file and JSON path of any bad field, and checks every
        # point (on its curve; G2 points in the order-r subgroup).
        vk = normalize_verifying_key(read_vk(vk_path))
        source = generate_vyper_verifier(vk)
    except (OSError, ValueError) as exc:
        raise _MalformedInput(f"invalid verifying key {vk_path}: {exc}") from exc

    if compile_check:
        from vyper.compiler import compile_code

        try:
            bytecode = compile_code(source, output_formats=["bytecode_runtime"])
        except Exception as exc:  # a compiler error here is a generator bug: say so plainly
            raise click.ClickException(
                f"generated verifier does not compile (a generator bug, please report): {exc}"
            ) from exc
        code_size = (len(bytecode["bytecode_runtime"]) - 2) // 2
        if code_size > 24_576:
            raise click.ClickException(
                f"generated verifier is {code_size} bytes, above the 24,576-byte EIP-170 limit "
                f"({vk.n_public} public inputs): use fewer public inputs (hash them into one)"
            )

    if str(out_path) == "-":
        click.echo(source, nl=False)
        return
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(source)
    click.echo(
        f"wrote {out_path} (Groth16 verifier, {vk.n_public} public input"
        f"{'' if vk.n_public == 1 else 's'}, key sha256 {vk_digest(vk)})",
        err=True,
    )
