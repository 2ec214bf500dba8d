"""Mutation check for the Restaking suites: a suite is trusted only once planted bugs make it fail.

Run (from the repository root):

    uv run --frozen python tests/mutation/restaking_mutants.py            # every mutant
    uv run --frozen python tests/mutation/restaking_mutants.py --only slash-rounds-down
    HYPOTHESIS_PROFILE=audit uv run --frozen python tests/mutation/restaking_mutants.py   # deeper

For each planted bug it copies ``contracts/`` to a temporary directory, applies one textual edit
(which must match exactly once, so a refactor that removes the target is reported, not silently
skipped), and runs the stateful suite (tests/fuzz/stateful/test_restaking_stateful.py) against
the copy via ``RESTAKING_SOURCE_DIR``. It reports, per mutant, CAUGHT with the first failing
test and the tag of the first property that failed (``[INV-...]`` invariants, ``[STEP-...]``
per-step checks), NOT CAUGHT, or ERROR. Exit status 0 only if every mutant is caught. The
machinery is shared (tests/mutation/runner.py). Not collected by pytest (no ``test_`` prefix).
"""

import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a file (python tests/mutation/x.py): sys.path[0] is this folder, and the installed
    # packages include an unrelated `tests`, so put the repository root first.
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.mutation.runner import Check, CopyContracts, Mutant, main  # noqa: E402

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

CHECK = Check(
    mutants=MUTANTS,
    suites=["tests/fuzz/stateful/test_restaking_stateful.py"],
    source=CopyContracts("RESTAKING_SOURCE_DIR"),
    pytest_args=["-m", "not slow"],
    # Failures are neither shrunk nor stored under it: a verdict is wanted, not a minimal example.
    env={"RESTAKING_MUTATION_RUN": "1"},
)

if __name__ == "__main__":
    sys.exit(main(CHECK, __doc__))
