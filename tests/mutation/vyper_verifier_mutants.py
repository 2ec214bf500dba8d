"""Mutation check for the generated Vyper Groth16 verifier and its test suite.

Each mutant is one plausible bug planted in the *generated contract* (a text edit of the
generator's output). The runner reruns ``tests/offchain/snark/test_vyper_verifier.py`` once per
mutant, with ``HATCHWAY_VYPER_VERIFIER_MUTANT=<name>`` making the suite's fixtures deploy the
mutated contract, and expects the suite to FAIL. A mutant the suite does not notice means the
suite has a blind spot. The unmutated suite is run first and must pass (``--skip-baseline``
leaves it out); if it fails no mutant is run (exit 2).

Run it (about a minute; ``--with-node`` also runs the snarkjs interop tests per mutant)::

    uv run --frozen python tests/mutation/vyper_verifier_mutants.py [--with-node] [MUTANT ...]
    uv run --frozen python tests/mutation/vyper_verifier_mutants.py --only drop_ic0

The test module imports :func:`apply_mutant` from here; every edit checks that the text it
replaces occurs as declared (``MutantMismatch`` otherwise, reported as ERROR, not as caught), so a
generator change that silently turns a mutant into a no-op fails loudly. The machinery is shared
(tests/mutation/runner.py). Not collected by pytest (no ``test_`` prefix).
"""

import dataclasses
import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a file (python tests/mutation/x.py): sys.path[0] is this folder, and the installed
    # packages include an unrelated `tests`, so put the repository root first.
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.mutation.runner import Check, Mutant, NameInEnv, make_parser, plant, run  # noqa: E402

MUTANT_ENV = "HATCHWAY_VYPER_VERIFIER_MUTANT"

# Edits of the generated source (one range check per public input: count=None edits them all).
MUTANTS = [
    Mutant(
        name="skip_range_check",
        find=r"^    if pubSignals\[\d+\] >= R:\n        return False\n",
        replace="",
        count=None,
        regex=True,
        bug="public inputs are not checked against r (s and s + r would both verify)",
    ),
    Mutant(
        name="range_check_off_by_one",
        find="] >= R:",
        replace="] > R:",
        count=None,
        bug="public input == r is let through (aliases 0)",
    ),
    Mutant(
        name="drop_pairing_term",
        find="            pC[0], pC[1], NEG_DELTA_X1, NEG_DELTA_X0, NEG_DELTA_Y1, NEG_DELTA_Y0,\n",
        replace="",
        bug="the pairing product loses its e(C, -delta) term (three pairs instead of four)",
    ),
    Mutant(
        name="accept_on_precompile_failure",
        find="G2.\n        return False\n    return convert(res, uint256) == 1",
        replace="G2.\n        return True\n    return convert(res, uint256) == 1",
        bug="a failed pairing call (invalid point) reads as success",
    ),
    Mutant(
        name="b_not_swapped",
        find="pA[0], pA[1], pB[0][0], pB[0][1], pB[1][0], pB[1][1],",
        replace="pA[0], pA[1], pB[0][1], pB[0][0], pB[1][1], pB[1][0],",
        bug="pB forwarded with c0/c1 in proof.json order instead of the precompile's",
    ),
    Mutant(
        name="drop_ic0",
        find="vk_x: Bytes[64] = raw_call(EC_ADD, concat(IC0, p), max_outsize=64, "
        "is_static_call=True)",
        replace="vk_x: Bytes[64] = p",
        bug="vk_x forgets the constant term IC0",
    ),
    Mutant(
        name="gas_reserve_ignores_63_64",
        find="PAIRING_GAS * 64 // 63",
        replace="PAIRING_GAS",
        bug="the gas reserve forgets the 1/64 CALL withholds: a valid proof can read as False",
    ),
]

CHECK = Check(
    mutants=MUTANTS,
    suites=["tests/offchain/snark/test_vyper_verifier.py"],
    source=NameInEnv(MUTANT_ENV),
    pytest_args=["-m", "not node"],
    baseline=True,
)


def apply_mutant(name: str, source: str) -> str:
    """``source`` with mutant ``name`` planted (``KeyError`` for an unknown name)."""
    return plant(CHECK.mutant(name), source)


def main(argv: list[str] | None = None) -> int:
    """The common command line plus ``--with-node``."""
    parser = make_parser(CHECK, __doc__)
    parser.add_argument(
        "--with-node", action="store_true", help="also run the snarkjs interop tests (needs node)"
    )
    args = parser.parse_args(argv)
    pytest_args = [] if args.with_node else CHECK.pytest_args
    return run(dataclasses.replace(CHECK, pytest_args=pytest_args), args)


if __name__ == "__main__":
    sys.exit(main())
