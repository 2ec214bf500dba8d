"""``hatchway snark setup | prove | export-vk``: keys and proofs in snarkjs's file formats.

Mounted by the ``snark`` command group (:mod:`offchain.snark.cli`). The files are the ones snarkjs
and circom use, so the two tool chains mix freely:

- ``setup --r1cs C.r1cs --zkey C.zkey --ptau pot.ptau``: phase 2 for a circuit from a powers-of-tau
  file (snarkjs's ``.ptau``, e.g. a public ceremony's), plus one fresh contribution made in this
  process (like ``snarkjs groth16 setup`` followed by ``zkey contribute``). ``--dev`` instead
  makes development keys whose toxic waste this process draws itself (tests and demos only).
- ``prove --zkey C.zkey --r1cs C.r1cs --wtns W.wtns --proof proof.json --public public.json``:
  our numba prover on a circom or Hatchway circuit, with a ``.zkey`` from either tool.
- ``export-vk --zkey C.zkey --out vk.json``: the verifying key as snarkjs's JSON (input for
  ``snark verify`` and ``snark verifier``).

Exit status: 0 done; 2 malformed or inconsistent input — unreadable file, a ``.zkey`` made for
another circuit, a witness that does not satisfy the circuit — with a message naming the problem,
and no output file written; 1 any other failure.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import click

__all__ = ["export_vk_command", "prove_command", "setup_command"]

_IN_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
_OUT_FILE = click.Path(dir_okay=False, path_type=Path)


class _MalformedInput(click.ClickException):
    """Input that cannot be used as given: exit status 2, like ``snark verify`` on bad input."""

    exit_code = 2


def _check_out_dir(*paths: Path) -> None:
    # Refuse before any work (a 2^20 setup takes minutes) rather than fail at the final write.
    for p in paths:
        if not p.parent.is_dir():
            raise _MalformedInput(f"output directory {p.parent} does not exist (for {p})")


@click.command("setup")
@click.option(
    "--r1cs", "r1cs_path", required=True, type=_IN_FILE, help="circuit.r1cs (circom's format)."
)
@click.option(
    "--zkey",
    "zkey_path",
    required=True,
    type=_OUT_FILE,
    help="Where to write the proving key (.zkey).",
)
@click.option(
    "--ptau",
    "ptau_path",
    type=_IN_FILE,
    help="Powers of tau (.ptau) with 2^power ≥ 2 × the circuit's domain.",
)
@click.option(
    "--entropy",
    default="",
    help="Extra entropy for the phase-2 contribution (mixed with the OS CSPRNG).",
)
@click.option(
    "--dev", is_flag=True, help="Development keys from toxic waste drawn here: NOT FOR PRODUCTION."
)
@click.option(
    "--vk", "vk_path", type=_OUT_FILE, help="Also write the verifying key (snarkjs JSON)."
)
def setup_command(
    r1cs_path: Path,
    zkey_path: Path,
    ptau_path: Path | None,
    entropy: str,
    dev: bool,
    vk_path: Path | None,
) -> None:
    """Make Groth16 keys for a circuit: phase 2 from --ptau plus one fresh contribution, or --dev.

    With --ptau the keys are as trustworthy as the powers of tau and this machine's contribution
    (the toxic waste of phase 2 is δ, drawn and discarded here). More contributors can follow
    with the Python API (offchain.snark.ceremony.contribute_phase2 / verify_phase2). The .zkey
    has no snarkjs contribution records, so `snarkjs zkey verify` does not apply to it; snarkjs
    proves with it and exports its verifying key.
    """
    from offchain.snark.ceremony import contribute_phase2, phase2_initial_keys
    from offchain.snark.ptau import read_ptau
    from offchain.snark.r1cs_file import read_r1cs
    from offchain.snark.setup import InsecureSetupWarning, dev_setup
    from offchain.snark.snarkjs_json import write_vk
    from offchain.snark.zkey_file import write_zkey

    if dev == (ptau_path is not None):
        raise click.UsageError("give exactly one of --ptau FILE and --dev")
    _check_out_dir(zkey_path, *([vk_path] if vk_path else []))
    try:
        r1cs = read_r1cs(r1cs_path)
        if dev:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", InsecureSetupWarning)  # said below, louder
                pk, vk = dev_setup(r1cs)
            click.echo(
                "WARNING: development keys: this process knew the toxic waste. Anyone holding "
                "it can forge proofs. NOT FOR PRODUCTION.",
                err=True,
            )
        else:
            acc = read_ptau(ptau_path)
            pk, vk = phase2_initial_keys(acc, r1cs)
            pk, vk, contribution = contribute_phase2(pk, vk, entropy, name="hatchway snark setup")
            click.echo(
                f"phase 2: one contribution, new delta·G1 = {contribution.delta_after}", err=True
            )
    except ValueError as exc:
        raise _MalformedInput(str(exc)) from exc
    write_zkey(zkey_path, pk, vk, r1cs)
    if vk_path is not None:
        write_vk(vk_path, vk)
    click.echo(
        f"wrote {zkey_path} ({r1cs.n_constraints} constraints, {pk.n_public} public, domain "
        f"2^{pk.domain_size.bit_length() - 1})" + (f" and {vk_path}" if vk_path else "")
    )


@click.command("prove")
@click.option(
    "--zkey",
    "zkey_path",
    required=True,
    type=_IN_FILE,
    help="Proving key (.zkey, ours or snarkjs's).",
)
@click.option(
    "--r1cs",
    "r1cs_path",
    required=True,
    type=_IN_FILE,
    help="The circuit the key was made for (.r1cs).",
)
@click.option(
    "--wtns",
    "wtns_path",
    required=True,
    type=_IN_FILE,
    help="The witness (.wtns, e.g. from circom's witness generator).",
)
@click.option(
    "--proof", "proof_path", required=True, type=_OUT_FILE, help="Where to write proof.json."
)
@click.option(
    "--public", "public_path", required=True, type=_OUT_FILE, help="Where to write public.json."
)
@click.option("--quiet", is_flag=True, help="No progress line on stderr.")
def prove_command(
    zkey_path: Path,
    r1cs_path: Path,
    wtns_path: Path,
    proof_path: Path,
    public_path: Path,
    quiet: bool,
) -> None:
    """Prove with our numba Groth16 prover; writes snarkjs's proof.json and public.json."""
    from offchain.snark.prover import prove, stderr_progress
    from offchain.snark.r1cs_file import read_r1cs
    from offchain.snark.snarkjs_json import write_proof, write_public
    from offchain.snark.wtns_file import read_wtns
    from offchain.snark.zkey_file import read_zkey

    _check_out_dir(proof_path, public_path)
    try:
        r1cs = read_r1cs(r1cs_path)
        # A .zkey from outside is checked in full (every point on its curve, B2 in G2, the
        # coefficients equal to this circuit's) before a single MSM uses it.
        pk, _vk = read_zkey(zkey_path, r1cs)
        witness = read_wtns(wtns_path)
        proof = prove(pk, r1cs, witness, progress=None if quiet else stderr_progress())
    except ValueError as exc:
        if not quiet:
            click.echo("", err=True)  # end the progress line before the message
        raise _MalformedInput(str(exc)) from exc
    write_proof(proof_path, proof)
    write_public(public_path, r1cs.public_signals(witness))
    click.echo(f"wrote {proof_path} and {public_path}")


@click.command("export-vk")
@click.option("--zkey", "zkey_path", required=True, type=_IN_FILE, help="Proving key (.zkey).")
@click.option(
    "--out", "out_path", required=True, type=_OUT_FILE, help="Where to write verification_key.json."
)
def export_vk_command(zkey_path: Path, out_path: Path) -> None:
    """Write the verifying key of a .zkey as snarkjs's verification_key.json."""
    from offchain.snark.snarkjs_json import write_vk
    from offchain.snark.zkey_file import read_zkey_verifying_key

    _check_out_dir(out_path)
    try:
        vk = read_zkey_verifying_key(zkey_path)
    except ValueError as exc:
        raise _MalformedInput(str(exc)) from exc
    write_vk(out_path, vk)
    click.echo(f"wrote {out_path} ({vk.n_public} public signals)")
