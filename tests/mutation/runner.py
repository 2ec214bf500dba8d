"""Shared machinery of the mutation checks here: plant a bug, rerun a suite, expect a failure.

A mutation check trusts a test suite only once planted bugs make it fail. Each script here
declares a :class:`Check` (its :class:`Mutant` list, the suites to rerun and how the planted bug
reaches them) and hands it to :func:`run`; this module does the rest: the optional baseline run
on the unmutated source, one pytest subprocess per mutant, the verdicts and the summary.

Two ways of reaching the suite, both driven by an environment variable the suite reads:

- :class:`CopyContracts`: ``contracts/`` is copied to a temporary directory, the edit is applied
  there, and the variable (e.g. ``RESTAKING_SOURCE_DIR``) points the suite's deployers at the copy.
- :class:`NameInEnv`: the variable holds the mutant's name and the suite plants it itself (for
  sources that exist only inside the test process, such as the generated Groth16 verifier); the
  suite calls :func:`plant` so the same exactly-as-declared rule applies.

Every edit must match as declared (by default exactly once): a refactor that removes the target
text makes the mutant an ERROR, never a silently skipped no-op that would read as "caught".
Verdicts: CAUGHT (pytest failed; the detail names the first failing test and, when the suite tags
its assertions ``[INV-...]`` / ``[STEP-...]``, the first tag), NOT CAUGHT (the suite passed or
timed out), ERROR (the mutant did not apply, or pytest did not get to judge it). Exit status 0
only if the baseline (when run) passes and every mutant is caught.

Not collected by pytest (no ``test_`` prefix).
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
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Tags the stateful suites put in their assertion messages, e.g. "[INV-SOLVENT]".
TAG = re.compile(r"\[((?:INV|STEP)-[A-Z-]+)\]")
# How a MutantMismatch reads in pytest's output (the suite planted the mutant) or ours.
MISMATCH = re.compile(r"MutantMismatch: (.*)")
# An exception line with its message: "ValueError: Did not revert", "boa...BoaError: x".
EXCEPTION = re.compile(r"[\w.]*(?:Error|Exception)\b: \S")
# pytest -q's short summary: "FAILED path::test - ..." (a test's own assertion or call failed).
# "ERROR path::test" lines (a fixture failed, e.g. a mutant that does not compile) do not count:
# a suite that never ran its checks has not caught anything.
FAILED = re.compile(r"^FAILED (\S+)", re.M)


class MutantMismatch(Exception):
    """A mutant's target text does not occur as declared: the mutant must be updated."""


@dataclass(frozen=True)
class Mutant:
    """One planted bug: replace ``find`` by ``replace`` in ``file``.

    ``count`` is how many times ``find`` must occur (all are replaced); ``None`` means at least
    once. With ``regex`` set, ``find`` is a multi-line regular expression (``re.M``).
    """

    name: str
    find: str
    replace: str
    bug: str  # what the planted bug breaks
    file: str = ""  # relative to contracts/; "" for the check's default file
    count: int | None = 1
    regex: bool = False


def plant(mutant: Mutant, source: str) -> str:
    """``source`` with ``mutant`` applied; :class:`MutantMismatch` unless it matches as declared."""
    if mutant.regex:
        found = len(re.findall(mutant.find, source, flags=re.M))
    else:
        found = source.count(mutant.find)
    if found == 0 or (mutant.count is not None and found != mutant.count):
        expected = "at least once" if mutant.count is None else f"{mutant.count} time(s)"
        raise MutantMismatch(
            f"{mutant.name}: target text found {found} times (expected {expected})"
            f"{f' in {mutant.file}' if mutant.file else ''}; update the mutant"
        )
    if mutant.regex:
        return re.sub(mutant.find, mutant.replace, source, flags=re.M)
    return source.replace(mutant.find, mutant.replace)


# Environment changes for one run: a value of None removes the variable.
EnvChanges = Mapping[str, str | None]


@dataclass(frozen=True)
class CopyContracts:
    """Plant the bug in a temporary copy of ``contracts/``; ``env_var`` points the suite at it."""

    env_var: str
    default_file: str = ""  # for mutants that name no file

    @contextmanager
    def prepare(self, mutant: Mutant | None) -> Iterator[EnvChanges]:
        """Copy, edit and yield ``{env_var: copy}`` (the real tree for the baseline)."""
        if mutant is None:
            yield {self.env_var: str(ROOT / "contracts")}
            return
        # The copy lives only for this run, so concurrent checks never see each other's bugs.
        with tempfile.TemporaryDirectory(prefix=f"{mutant.name}_") as tmp:
            tree = Path(tmp) / "contracts"
            shutil.copytree(ROOT / "contracts", tree)
            path = tree / (mutant.file or self.default_file)
            path.write_text(plant(mutant, path.read_text()))
            yield {self.env_var: str(tree)}


@dataclass(frozen=True)
class NameInEnv:
    """Pass the mutant's name in ``env_var``; the suite plants it (with :func:`plant`) itself."""

    env_var: str

    @contextmanager
    def prepare(self, mutant: Mutant | None) -> Iterator[EnvChanges]:
        """Yield ``{env_var: name}``; the baseline removes the variable (an inherited one too)."""
        yield {self.env_var: mutant.name if mutant else None}


@dataclass(frozen=True)
class Check:
    """A mutation check: the mutants, the suites that must catch them and how they get there."""

    mutants: Sequence[Mutant]
    suites: Sequence[str]  # pytest paths relative to the repository root
    source: CopyContracts | NameInEnv
    pytest_args: Sequence[str] = ()  # e.g. ("-m", "not slow")
    env: Mapping[str, str] = field(default_factory=dict)  # fixed extras, e.g. "*_MUTATION_RUN"
    baseline: bool = False  # run the unmutated suites first (``--skip-baseline`` leaves it out)

    def mutant(self, name: str) -> Mutant:
        """The mutant called ``name`` (``KeyError`` listing the known names otherwise)."""
        for mutant in self.mutants:
            if mutant.name == name:
                return mutant
        raise KeyError(f"unknown mutant {name!r}; known: {', '.join(self.names())}")

    def names(self) -> list[str]:
        """The mutants' names, in declaration order."""
        return [mutant.name for mutant in self.mutants]


@dataclass(frozen=True)
class Outcome:
    """One pytest run: exit code (``None`` on timeout), its output and how long it took."""

    code: int | None
    output: str
    seconds: float


def run_suites(check: Check, mutant: Mutant | None, timeout_s: int) -> Outcome:
    """Run ``check``'s suites once, against ``mutant`` (``None``: the unmutated source)."""
    started = time.monotonic()
    try:
        with check.source.prepare(mutant) as changes:
            env = dict(os.environ, **check.env)
            for key, value in changes.items():
                if value is None:
                    env.pop(key, None)
                else:
                    env[key] = value
            # -x: the first failure is the verdict; no cache so runs do not leak into each other.
            command = [sys.executable, "-m", "pytest", *check.suites, "-x", "-q"]
            command += [*check.pytest_args, "-p", "no:cacheprovider"]
            result = subprocess.run(
                command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout_s
            )
    except MutantMismatch as error:
        return Outcome(None, f"MutantMismatch: {error}", time.monotonic() - started)
    except subprocess.TimeoutExpired:
        return Outcome(None, f"timed out after {timeout_s}s", time.monotonic() - started)
    return Outcome(result.returncode, result.stdout + result.stderr, time.monotonic() - started)


def judge(outcome: Outcome) -> tuple[str, str]:
    """(verdict, detail) for a run against a mutant: CAUGHT, NOT CAUGHT or ERROR."""
    output = outcome.output
    # A mutant the suite plants itself (NameInEnv) fails inside pytest when it does not apply;
    # that failure must not read as "caught".
    mismatch = MISMATCH.search(output)
    if mismatch:
        return "ERROR", mismatch.group(1).strip()
    if outcome.code is None:
        return "NOT CAUGHT", output  # timed out
    if outcome.code == 0:
        return "NOT CAUGHT", "suites passed"
    failed = FAILED.findall(output)
    # Exit code 1 is "tests failed"; others (2 interrupted/collection error, 3 internal error,
    # 4 usage, 5 nothing collected) mean pytest never judged the mutant.
    if outcome.code != 1 or not failed:
        return "ERROR", f"pytest exit {outcome.code}:\n{output[-2000:]}"
    file, _, test = failed[0].partition("::")
    where = f"{Path(file).name}::{test}" if test else file
    # Only the error lines ("E   ..."): the traceback's source excerpt shows other tags too.
    errors = [line for line in output.splitlines() if line.startswith("E ")]
    tags = [tag for line in errors for tag in TAG.findall(line)]
    if tags:
        return "CAUGHT", f"{where}: [{tags[0]}]"
    lines = [line[1:].strip() for line in errors if line[1:].strip()] or ["failed"]
    # The last "SomeError: message" line is what the test raised (boa's "BoaError:" spreads a
    # trace with source excerpts over the lines before it); else pytest's rewritten "assert".
    raised = [x for x in lines if EXCEPTION.match(x)]
    asserts = [x for x in lines if x.startswith("assert ")]
    reason = raised[-1] if raised else asserts[0] if asserts else lines[-1]
    return "CAUGHT", f"{where}: {reason[:110]}"


def make_parser(check: Check, doc: str) -> argparse.ArgumentParser:
    """The common command line; a script may add its own options before parsing."""
    parser = argparse.ArgumentParser(
        description=doc.strip().splitlines()[0], epilog=f"mutants: {', '.join(check.names())}"
    )
    parser.add_argument("names", nargs="*", metavar="MUTANT", help="run only these mutants")
    parser.add_argument(
        "--only", action="append", default=[], metavar="MUTANT", help="run only this mutant"
    )
    parser.add_argument("--timeout", type=int, default=900, help="seconds per run")
    if check.baseline:
        parser.add_argument(
            "--skip-baseline", action="store_true", help="do not run the unmutated suites first"
        )
    return parser


def run(check: Check, args: argparse.Namespace) -> int:
    """Run the baseline (if any) and the selected mutants, print the report; the exit status.

    0: every mutant caught (and the baseline passed); 1: some mutant not caught or an error;
    2: the baseline failed, so no mutant was run (a suite that fails anyway proves nothing).
    """
    wanted = [*args.names, *args.only]
    try:
        mutants = [check.mutant(name) for name in wanted] if wanted else list(check.mutants)
    except KeyError as error:
        raise SystemExit(error.args[0]) from None
    width = max(len("(original)"), *(len(m.name) for m in check.mutants))
    print(f"{'verdict':10s} {'mutant':{width}s} {'time':>7s}  detail", flush=True)
    if check.baseline and not args.skip_baseline:
        outcome = run_suites(check, None, args.timeout)
        passed = outcome.code == 0
        detail = "suites pass" if passed else judge(outcome)[1]
        print(
            f"{'PASS' if passed else 'FAIL':10s} {'(original)':{width}s} "
            f"{outcome.seconds:6.1f}s  {detail}",
            flush=True,
        )
        if not passed:
            print("the unmutated suites fail; fix that first (no mutant was run)")
            return 2
    caught = 0
    for mutant in mutants:
        outcome = run_suites(check, mutant, args.timeout)
        verdict, detail = judge(outcome)
        caught += verdict == "CAUGHT"
        print(f"{verdict:10s} {mutant.name:{width}s} {outcome.seconds:6.1f}s  {detail}")
        print(f"{'':10s} bug: {mutant.bug}", flush=True)
    print(f"{caught}/{len(mutants)} planted bugs caught")
    return 0 if caught == len(mutants) else 1


def main(check: Check, doc: str, argv: Sequence[str] | None = None) -> int:
    """Parse the common command line and :func:`run` ``check`` (for scripts without options)."""
    return run(check, make_parser(check, doc).parse_args(argv))
