"""Mutation check for the Restaking suites: a suite is trusted only once planted bugs make it fail.

Run (from the repository root):

    uv run python tests/mutation/restaking_mutants.py            # every mutant
    uv run python tests/mutation/restaking_mutants.py --only slash-rounds-down
    HYPOTHESIS_PROFILE=audit uv run python tests/mutation/restaking_mutants.py   # deeper

For each planted bug it copies ``contracts/`` to a temporary directory, applies one textual edit
(which must match exactly once, so a refactor that removes the target is reported, not silently
skipped), and runs the stateful suite (tests/fuzz/stateful/test_restaking_stateful.py) against
the copy via ``RESTAKING_SOURCE_DIR``. It reports, per mutant, CAUGHT with the tag of the first
property that failed (``[INV-...]`` invariants, ``[STEP-...]`` per-step checks) or NOT CAUGHT.
Exit status 0 only if every mutant is caught. Not collected by pytest (no ``test_`` prefix).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SUITE = "tests/fuzz/stateful/test_restaking_stateful.py"


@dataclass(frozen=True)
class Mutant:
    name: str
    file: str  # relative to contracts/
    find: str
    replace: str
    bug: str  # what the planted bug breaks


MUTANTS = [
    Mutant(
        name="slash-rounds-down",
        file="modules/allocations.vy",
        find="slashed: uint256 = restaking_math._mul_div_up(allocation.magnitude, wad, restaking_math.WAD)",
        replace="slashed: uint256 = restaking_math._mul_div_down(allocation.magnitude, wad, restaking_math.WAD)",
        bug="slashed magnitude rounds down: a small non-zero slash slashes nothing",
    ),
    Mutant(
        name="slash-keeps-max-magnitude",
        file="modules/allocations.vy",
        find="    magnitudes.max_magnitude -= slashed\n",
        replace="",
        bug="a slash does not lower the max magnitude: delegators keep their stake while the "
        "service is also paid (insolvency)",
    ),
    Mutant(
        name="pending-decrease-not-scaled",
        file="modules/allocations.vy",
        find="""        allocation.pending_magnitude = restaking_math._mul_div_down(
            allocation.pending_magnitude, restaking_math.WAD - wad, restaking_math.WAD
        )""",
        replace="        pass",
        bug="a slash leaves a pending decrease's target untouched: it can end above the slashed "
        "allocation, so allocations exceed the max magnitude",
    ),
    Mutant(
        name="queued-stake-not-slashable",
        file="modules/stake_ledger.vy",
        find="    return self._operator_shares[operator] + queued\n",
        replace="    return self._operator_shares[operator]\n",
        bug="queued withdrawals leave the slashable set at once instead of after WITHDRAWAL_DELAY",
    ),
    Mutant(
        name="withdrawal-paid-at-queue-time",
        file="modules/stake_ledger.vy",
        find="""    amount: uint256 = self._withdrawal_value(
        withdrawal, withdrawal.start_ts + WITHDRAWAL_DELAY - 1
    )""",
        replace="""    amount: uint256 = self._withdrawal_value(withdrawal, withdrawal.start_ts)""",
        bug="a completed withdrawal ignores slashes inside its window (paid at the magnitude when "
        "it was queued)",
    ),
    Mutant(
        name="deregistration-frees-at-once",
        file="modules/allocations.vy",
        find="            allocation.effect_ts = block.timestamp + DEALLOCATION_DELAY\n",
        replace="            allocation.effect_ts = block.timestamp\n",
        bug="deregistering drops the allocation immediately instead of after DEALLOCATION_DELAY",
    ),
]

TAG = re.compile(r"\[((?:INV|STEP)-[A-Z-]+)\]")


def apply(mutant: Mutant, tree: Path) -> None:
    path = tree / mutant.file
    source = path.read_text()
    count = source.count(mutant.find)
    if count != 1:
        raise SystemExit(
            f"{mutant.name}: target text found {count} times in {mutant.file}; update the mutant"
        )
    path.write_text(source.replace(mutant.find, mutant.replace))


def run(mutant: Mutant, timeout_s: int) -> tuple[str, str, float]:
    with tempfile.TemporaryDirectory(prefix="restaking_mutant_") as tmp:
        tree = Path(tmp) / "contracts"
        shutil.copytree(ROOT / "contracts", tree)
        apply(mutant, tree)
        env = dict(os.environ, RESTAKING_SOURCE_DIR=str(tree), RESTAKING_MUTATION_RUN="1")
        command = [
            sys.executable,
            "-m",
            "pytest",
            SUITE,
            "-x",
            "-q",
            "-m",
            "not slow",
            "-p",
            "no:cacheprovider",
        ]
        started = time.monotonic()
        try:
            result = subprocess.run(
                command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout_s
            )
        except subprocess.TimeoutExpired:
            return "NOT CAUGHT", f"timed out after {timeout_s}s", time.monotonic() - started
        elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    if result.returncode == 0:
        return "NOT CAUGHT", "suite passed", elapsed
    if "error" in output.lower() and "passed" not in output and "failed" not in output:
        return "ERROR", output[-2000:], elapsed
    # Only the error lines ("E   ..."): the traceback's source excerpt shows other tags too.
    errors = [line for line in output.splitlines() if line.startswith("E ")]
    tags = [tag for line in errors for tag in TAG.findall(line)]
    if tags:
        return "CAUGHT", tags[0], elapsed
    reason = errors[0] if errors else "failed"
    return "CAUGHT", f"unexpected failure: {reason[:160]}", elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run one mutant by name")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per mutant")
    args = parser.parse_args()
    mutants = [m for m in MUTANTS if args.only in (None, m.name)]
    if not mutants:
        raise SystemExit(
            f"no mutant named {args.only}; known: {', '.join(m.name for m in MUTANTS)}"
        )
    failures = 0
    for mutant in mutants:
        verdict, detail, elapsed = run(mutant, args.timeout)
        failures += verdict != "CAUGHT"
        print(f"{verdict:10s} {mutant.name:32s} {elapsed:6.1f}s  {detail}")
        print(f"{'':10s} bug: {mutant.bug}", flush=True)
    print(f"{len(mutants) - failures}/{len(mutants)} planted bugs caught")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
