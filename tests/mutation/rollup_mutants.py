"""Mutation check for the Rollup suites with real proofs: a suite is trusted only once planted bugs
make it fail.

Run (from the repository root):

    uv run --frozen python -m tests.mutation.rollup_mutants                 # every mutant
    uv run --frozen python -m tests.mutation.rollup_mutants --only deadline-off-by-one
    uv run --frozen python -m tests.mutation.rollup_mutants --suite stateful   # fuzzing alone
    HYPOTHESIS_PROFILE=audit uv run --frozen python -m tests.mutation.rollup_mutants   # deeper

First the suites run against the original contract (they must pass: a suite that fails anyway
proves nothing; ``--skip-baseline`` leaves this out). Then, for each planted bug, ``contracts/``
is copied to a temporary directory, one textual edit is applied to ``Rollup.vy`` (it must match
exactly once, so a refactor that removes the target is reported, not silently skipped) and the
real-proof negative tests (tests/unitary/rollup/test_real_proofs.py) then the stateful suite
(tests/fuzz/stateful/test_rollup_stateful.py) run against the copy via ``ROLLUP_SOURCE_DIR``,
stopping at the first failure. Per mutant: CAUGHT with the tag of the first failing property
(``[INV-...]`` / ``[STEP-...]``) or the first failing test, or NOT CAUGHT. Exit status 0 only if
the baseline passes and every mutant is caught. Not collected by pytest (no ``test_`` prefix).
"""

from __future__ import annotations

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
SUITES = [
    "tests/unitary/rollup/test_real_proofs.py",
    "tests/fuzz/stateful/test_rollup_stateful.py",
]


@dataclass(frozen=True)
class Mutant:
    name: str
    find: str
    replace: str
    bug: str  # what the planted bug breaks


MUTANTS = [
    Mutant(
        name="exit-flag-not-set",
        find="        self._account_record[account] = record | exit_bit\n",
        replace="        self._account_record[account] = record\n",
        bug="an exit does not set the exited flag: the same balance can be exited again",
    ),
    Mutant(
        name="deadline-off-by-one",
        find='assert block.timestamp > self._deadline_of(served), "Rollup: deadline not passed"',
        replace='assert block.timestamp >= self._deadline_of(served), "Rollup: deadline not passed"',
        bug="escape mode can be activated at the deadline itself, while the sequencer is on time",
    ),
    Mutant(
        name="priority-chain-unchecked",
        find='    assert h == self._chain[consumed], "Rollup: priority requests mismatch"\n',
        replace="",
        bug="batches' priority slots are not compared with the L1 queue: a sequencer can mint "
        "deposits nobody made (the circuit cannot see the queue)",
    ),
    Mutant(
        name="header-priority-hash-unchecked",
        find='    assert header.priority_hash == h, "Rollup: wrong priority hash"\n',
        replace="",
        bug="the header's priority hash is not checked against the slots",
    ),
    Mutant(
        name="withdrawals-hash-unchecked",
        find='    assert w == stored.withdrawals_hash, "Rollup: withdrawals mismatch"\n',
        replace="",
        bug="execute_batch credits any withdrawal list: the sequencer can pay itself anything",
    ),
    Mutant(
        name="execute-unproven",
        find='assert number <= self._last_proven, "Rollup: batch not proven"',
        replace='assert number <= self._last_committed, "Rollup: batch not proven"',
        bug="a committed batch can be executed before it is proven",
    ),
    Mutant(
        name="exit-keeps-escrow",
        find="    self._escrowed[token] -= amount\n"
        "    paid: bool = self._pay_or_credit(owner, token, amount)\n",
        replace="    paid: bool = self._pay_or_credit(owner, token, amount)\n",
        bug="exits pay without lowering the escrow: escrow no longer equals what L2 holds",
    ),
    Mutant(
        name="served-is-committed",
        find="    self._priority_served = stored.priority_end\n",
        replace="    self._priority_served = self._priority_committed\n",
        bug="executing a batch marks every committed request served, also those of later, "
        "unexecuted batches (their deposits can then never be refunded)",
    ),
    Mutant(
        name="refund-unchecked",
        find="    assert sha256(concat(self._chain[index], request)) == self._chain[index + 1], "
        '"Rollup: request does not match the queue"\n',
        replace="",
        bug="refund_deposit trusts the caller's bytes: any amount to any account",
    ),
]

TAG = re.compile(r"\[((?:INV|STEP)-[A-Z-]+)\]")
FAILED = re.compile(r"^FAILED (\S+)", re.M)


def apply(mutant: Mutant, tree: Path) -> None:
    path = tree / "Rollup.vy"
    source = path.read_text()
    count = source.count(mutant.find)
    if count != 1:
        raise SystemExit(
            f"{mutant.name}: target text found {count} times in Rollup.vy; update the mutant"
        )
    path.write_text(source.replace(mutant.find, mutant.replace))


def run_suites(
    source_dir: Path, timeout_s: int, suites: list[str]
) -> tuple[int | None, str, float]:
    """(pytest exit code or None on timeout, output, seconds) for ``suites`` on ``source_dir``."""
    env = dict(os.environ, ROLLUP_SOURCE_DIR=str(source_dir), ROLLUP_MUTATION_RUN="1")
    command = [sys.executable, "-m", "pytest", *suites, "-x", "-q", "-p", "no:cacheprovider"]
    started = time.monotonic()
    try:
        result = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout_s
        )
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout_s}s", time.monotonic() - started
    return result.returncode, result.stdout + result.stderr, time.monotonic() - started


def verdict(code: int | None, output: str) -> tuple[str, str]:
    if code is None:
        return "NOT CAUGHT", output
    if code == 0:
        return "NOT CAUGHT", "suites passed"
    if "passed" not in output and "failed" not in output:
        return "ERROR", output[-2000:]
    failed = FAILED.findall(output)
    test = failed[0].split("::")[-1] if failed else "?"
    # Only the error lines ("E   ..."): the traceback's source excerpt shows other tags too.
    errors = [line for line in output.splitlines() if line.startswith("E ")]
    tags = [tag for line in errors for tag in TAG.findall(line)]
    if tags:
        return "CAUGHT", f"{test}: [{tags[0]}]"
    reason = next(
        (line[1:].strip() for line in errors if "Error" in line or "assert" in line),
        errors[-1][1:].strip() if errors else "failed",
    )
    return "CAUGHT", f"{test}: {reason[:110]}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run one mutant by name")
    parser.add_argument("--skip-baseline", action="store_true", help="do not run the original")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per run")
    parser.add_argument(
        "--suite",
        choices=("both", "real", "stateful"),
        default="both",
        help="the real-proof tests then the stateful suite (default), or only one of them",
    )
    args = parser.parse_args()
    suites = {"both": SUITES, "real": SUITES[:1], "stateful": SUITES[1:]}[args.suite]
    mutants = [m for m in MUTANTS if args.only in (None, m.name)]
    if not mutants:
        raise SystemExit(
            f"no mutant named {args.only}; known: {', '.join(m.name for m in MUTANTS)}"
        )
    print(f"{'verdict':10s} {'mutant':32s} {'time':>7s}  detail", flush=True)
    baseline_ok = True
    if not args.skip_baseline:
        code, output, elapsed = run_suites(ROOT / "contracts", args.timeout, suites)
        baseline_ok = code == 0
        detail = "suites pass" if baseline_ok else verdict(code, output)[1]
        print(
            f"{'PASS' if baseline_ok else 'FAIL':10s} {'(original)':32s} {elapsed:6.1f}s  {detail}"
        )
    caught = 0
    for mutant in mutants:
        with tempfile.TemporaryDirectory(prefix="rollup_mutant_") as tmp:
            tree = Path(tmp) / "contracts"
            shutil.copytree(ROOT / "contracts", tree)
            apply(mutant, tree)
            code, output, elapsed = run_suites(tree, args.timeout, suites)
        result, detail = verdict(code, output)
        caught += result == "CAUGHT"
        print(f"{result:10s} {mutant.name:32s} {elapsed:6.1f}s  {detail}")
        print(f"{'':10s} bug: {mutant.bug}", flush=True)
    print(
        f"{caught}/{len(mutants)} planted bugs caught; original suites {'pass' if baseline_ok else 'FAIL'}"
    )
    return 0 if baseline_ok and caught == len(mutants) else 1


if __name__ == "__main__":
    sys.exit(main())
