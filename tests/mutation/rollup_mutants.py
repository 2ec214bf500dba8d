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
stopping at the first failure. Per mutant: CAUGHT with the first failing test and the tag of the
first failing property (``[INV-...]`` / ``[STEP-...]``) or its error, NOT CAUGHT, or ERROR. Exit
status 0 only if the baseline passes and every mutant is caught; a failing baseline stops the run
(exit 2). The machinery is shared (tests/mutation/runner.py). Not collected by pytest (no
``test_`` prefix).
"""

import dataclasses
import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a file (python tests/mutation/x.py): sys.path[0] is this folder, and the installed
    # packages include an unrelated `tests`, so put the repository root first.
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.mutation.runner import Check, CopyContracts, Mutant, make_parser, run  # noqa: E402

SUITES = {
    "real": ["tests/unitary/rollup/test_real_proofs.py"],
    "stateful": ["tests/fuzz/stateful/test_rollup_stateful.py"],
}
SUITES["both"] = SUITES["real"] + SUITES["stateful"]

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

CHECK = Check(
    mutants=MUTANTS,
    suites=SUITES["both"],
    source=CopyContracts("ROLLUP_SOURCE_DIR", default_file="Rollup.vy"),
    # Failures are neither shrunk nor stored under it: a verdict is wanted, not a minimal example.
    env={"ROLLUP_MUTATION_RUN": "1"},
    baseline=True,
)


def main(argv: list[str] | None = None) -> int:
    """The common command line plus ``--suite``."""
    parser = make_parser(CHECK, __doc__)
    parser.add_argument(
        "--suite",
        choices=("both", "real", "stateful"),
        default="both",
        help="the real-proof tests then the stateful suite (default), or only one of them",
    )
    args = parser.parse_args(argv)
    return run(dataclasses.replace(CHECK, suites=SUITES[args.suite]), args)


if __name__ == "__main__":
    sys.exit(main())
