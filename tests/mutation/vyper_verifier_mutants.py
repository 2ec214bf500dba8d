"""Mutation check for the generated Vyper Groth16 verifier and its test suite.

Each mutant is one plausible bug planted in the *generated contract* (a text edit of the
generator's output). The runner reruns ``tests/offchain/snark/test_vyper_verifier.py`` once per
mutant, with ``HATCHWAY_VYPER_VERIFIER_MUTANT=<name>`` making the suite's fixtures deploy the
mutated contract, and expects the suite to FAIL. A mutant the suite does not notice means the
suite has a blind spot. The unmutated suite is run first and must pass.

Run it (about a minute; ``--with-node`` also runs the snarkjs interop tests per mutant)::

    uv run python tests/mutation/vyper_verifier_mutants.py [--with-node] [MUTANT ...]

The test module imports :func:`apply_mutant` from here; every edit asserts that the text it
replaces is present, so a generator change that silently turns a mutant into a no-op fails loudly.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
TEST_FILE = "tests/offchain/snark/test_vyper_verifier.py"
MUTANT_ENV = "HATCHWAY_VYPER_VERIFIER_MUTANT"


def _replace(old: str, new: str, *, count: int | None = None) -> Callable[[str], str]:
    """An edit replacing every (or exactly ``count``) occurrence of ``old``; ``old`` must occur."""

    def edit(src: str) -> str:
        n = src.count(old)
        assert n >= 1, f"mutant pattern not found in the generated source: {old!r}"
        assert count is None or n == count, f"expected {count} occurrence(s) of {old!r}, got {n}"
        return src.replace(old, new)

    return edit


def _regex(pattern: str, new: str) -> Callable[[str], str]:
    """An edit substituting a regular expression (multi-line); it must match at least once."""

    def edit(src: str) -> str:
        out, n = re.subn(pattern, new, src, flags=re.M)
        assert n >= 1, f"mutant pattern not found in the generated source: {pattern!r}"
        return out

    return edit


#: name -> (what the bug is, the edit that plants it)
MUTANTS: dict[str, tuple[str, Callable[[str], str]]] = {
    "skip_range_check": (
        "public inputs are not checked against r (s and s + r would both verify)",
        _regex(r"^    if pubSignals\[\d+\] >= R:\n        return False\n", ""),
    ),
    "range_check_off_by_one": (
        "public input == r is let through (aliases 0)",
        _replace("] >= R:", "] > R:"),
    ),
    "drop_pairing_term": (
        "the pairing product loses its e(C, -delta) term (three pairs instead of four)",
        _replace(
            "            pC[0], pC[1], NEG_DELTA_X1, NEG_DELTA_X0, NEG_DELTA_Y1, NEG_DELTA_Y0,\n",
            "",
            count=1,
        ),
    ),
    "accept_on_precompile_failure": (
        "a failed pairing call (invalid point) reads as success",
        _replace(
            "G2.\n        return False\n    return convert(res, uint256) == 1",
            "G2.\n        return True\n    return convert(res, uint256) == 1",
            count=1,
        ),
    ),
    "b_not_swapped": (
        "pB forwarded with c0/c1 in proof.json order instead of the precompile's",
        _replace(
            "pA[0], pA[1], pB[0][0], pB[0][1], pB[1][0], pB[1][1],",
            "pA[0], pA[1], pB[0][1], pB[0][0], pB[1][1], pB[1][0],",
            count=1,
        ),
    ),
    "drop_ic0": (
        "vk_x forgets the constant term IC0",
        _replace(
            "vk_x: Bytes[64] = raw_call(EC_ADD, concat(IC0, p), max_outsize=64, "
            "is_static_call=True)",
            "vk_x: Bytes[64] = p",
            count=1,
        ),
    ),
    "gas_reserve_ignores_63_64": (
        "the gas reserve forgets the 1/64 CALL withholds: a valid proof can read as False",
        _replace("PAIRING_GAS * 64 // 63", "PAIRING_GAS", count=1),
    ),
}


def apply_mutant(name: str, source: str) -> str:
    """``source`` with mutant ``name`` planted (``KeyError`` for an unknown name)."""
    if name not in MUTANTS:
        raise KeyError(f"unknown mutant {name!r}; known: {', '.join(MUTANTS)}")
    return MUTANTS[name][1](source)


def _run_suite(mutant: str | None, with_node: bool) -> tuple[int, str, float]:
    env = dict(os.environ)
    env.pop(MUTANT_ENV, None)
    if mutant:
        env[MUTANT_ENV] = mutant
    cmd = [sys.executable, "-m", "pytest", TEST_FILE, "-x", "-q", "-p", "no:cacheprovider"]
    if not with_node:
        cmd += ["-m", "not node"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    return proc.returncode, proc.stdout + proc.stderr, time.perf_counter() - t0


def main(argv: list[str]) -> int:
    """Run the baseline and every (or each named) mutant; exit 1 if a mutant survives."""
    with_node = "--with-node" in argv
    names = [a for a in argv if not a.startswith("--")] or list(MUTANTS)
    rc, out, secs = _run_suite(None, with_node)
    if rc != 0:
        print(out)
        print(f"baseline: the unmutated suite FAILS ({secs:.0f}s); fix that first")
        return 2
    print(f"baseline: suite passes on the unmutated contract ({secs:.0f}s)")
    survivors = []
    for name in names:
        what, _ = MUTANTS[name]
        rc, out, secs = _run_suite(name, with_node)
        caught = re.findall(r"^(?:FAILED|ERROR) (\S+)", out, re.M)
        if rc == 1 and caught:
            print(f"  caught   {name:30s} by {caught[0]}  ({secs:.0f}s)  [{what}]")
        else:
            survivors.append(name)
            print(f"  SURVIVED {name:30s} (pytest exit {rc}, {secs:.0f}s)  [{what}]")
            if rc not in (0, 1):
                print(out[-3000:])
    print(f"{len(names) - len(survivors)}/{len(names)} mutants caught")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
