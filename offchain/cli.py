"""``hatchway``: the one console entry point for every user-facing action.

Sub-commands: ``demo`` (the main job on an embedded default: a chain on a local anvil),
``exit`` (the escape hatch's exit tool), ``operator`` (BLS fast-finality signer and aggregator),
``bench`` (the crypto benchmark with peers measured in
the same run) and ``snark`` (Groth16 tools: ``snark verify``, ``snark verifier``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from offchain.l1.cli import exit_command
from offchain.operator.cli import operator
from offchain.snark.cli import snark


@click.group()
def main() -> None:
    """Hatchway: app-specific ZK-rollup chains on Ethereum."""


main.add_command(snark)
main.add_command(exit_command)
main.add_command(operator)


@main.command()
@click.option(
    "--state-walkthrough",
    is_flag=True,
    help="Run the older single-process state-tree walkthrough instead of the chain on anvil.",
)
def demo(state_walkthrough: bool) -> None:
    """Run one chain end to end on a local anvil: deploy with ape, deposits, signed transfers,
    proven and executed batches, then the operator stops, escape mode, and every user exits with
    the exit tool. Prints gas figures and checks every user recovers their balance."""
    if state_walkthrough:
        from offchain.demo import run_state_demo

        run_state_demo(echo=click.echo)
        return
    from offchain.chain_demo import run_chain_demo

    run_chain_demo(echo=click.echo)


@main.command()
@click.option(
    "--profile",
    type=click.Choice(["quick", "full"]),
    default="full",
    show_default=True,
    help="quick: small sizes (seconds); full: the sizes docs/benchmarks.md reports.",
)
@click.argument("sections", nargs=-1)
def bench(profile: str, sections: tuple[str, ...]) -> None:
    """Run the crypto benchmark (optionally only some SECTIONS: field ntt g1 msm poseidon smt eddsa)."""
    _run_bench(profile, sections)


def _run_bench(profile: str, sections: tuple[str, ...]) -> None:
    # bench/ lives beside the package in a source checkout (it is not installed with the wheel).
    repo_root = Path(__file__).resolve().parent.parent
    if not (repo_root / "bench" / "crypto.py").exists():
        raise click.ClickException("the benchmark needs a source checkout (bench/ not found)")
    sys.path.insert(0, str(repo_root))
    from bench.crypto import SECTIONS, run

    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        raise click.BadParameter(f"unknown section(s) {unknown}; choose from {list(SECTIONS)}")
    out = repo_root / "bench" / "out" / f"crypto-{profile}.md"
    click.echo(run(profile, list(sections) or None, out))
    click.echo(f"(written to {out.relative_to(repo_root)})")


if __name__ == "__main__":
    main()
