"""Mutation check for the FastFinality suites: a suite is trusted only once planted bugs make it fail.

Run (from the repository root):

    uv run --frozen python tests/mutation/fastfinality_mutants.py            # every mutant
    uv run --frozen python tests/mutation/fastfinality_mutants.py --only skip-pop

For each planted bug it copies ``contracts/`` to a temporary directory, applies one textual edit
to ``FastFinality.vy`` (which must match exactly once, so a refactor that removes the target is
reported, not silently skipped), and runs the FastFinality unit suite (tests/unitary/fastfinality,
without the gas and end-to-end tests) and, when present, the stateful suite against the copy via
``FF_SOURCE_DIR``. It reports, per mutant, CAUGHT with the first failing test, NOT CAUGHT,
or ERROR. Exit status 0 only if every mutant is caught. The machinery is shared
(tests/mutation/runner.py). Not collected by pytest (no ``test_`` prefix).
"""

import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a file (python tests/mutation/x.py): sys.path[0] is this folder, and the installed
    # packages include an unrelated `tests`, so put the repository root first.
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.mutation.runner import ROOT, Check, CopyContracts, Mutant, main  # noqa: E402

SUITES = [
    "tests/unitary/fastfinality/test_register_key.py",
    "tests/unitary/fastfinality/test_certify.py",
    "tests/unitary/fastfinality/test_slash.py",
]
STATEFUL = "tests/fuzz/stateful/test_fastfinality_stateful.py"

MUTANTS = [
    Mutant(
        name="skip-sortedness",
        find='assert current > previous, "ff: non-signers not strictly ascending"',
        replace='assert current >= 0, "ff: non-signers not strictly ascending"',
        bug="non-signers need not be strictly ascending: duplicates and any order accepted",
    ),
    Mutant(
        name="skip-pop",
        find='    assert self._verify(pop, pubkey_g1, pubkey_g2, h), "ff: invalid proof of possession"\n',
        replace="",
        bug="no proof of possession: rogue keys (pk_attacker - sum of others) register",
    ),
    Mutant(
        name="threshold-strict",
        find="signed * THRESHOLD_DENOMINATOR >= total * THRESHOLD_NUMERATOR",
        replace="signed * THRESHOLD_DENOMINATOR > total * THRESHOLD_NUMERATOR",
        bug="wrong threshold comparison: exactly the threshold fraction is rejected",
    ),
    Mutant(
        name="gamma-zero",
        find="gamma: uint256 = convert(keccak256(abi_encode(h, pk1, pk2, sigma)), uint256) % FR",
        replace="gamma: uint256 = 0",
        bug="the G2 key is no longer bound to the G1 key: (t*H, t*G2) forges any certificate",
    ),
    Mutant(
        name="skip-record-check",
        find='assert record == keccak256(abi_encode(keccak256(abi_encode(key)), stake)), "ff: non-signer key or stake differs from its registration"',
        replace="pass",
        bug="non-signers' keys and stakes are taken from calldata unchecked: understated stakes pass",
    ),
    Mutant(
        name="skip-operator-set-check",
        find='assert keccak256(abi_encode(keccak256(abi_encode(operator_set.apk_g2)), total, epoch)) == self._set_hash, "ff: operator set differs from the registered one"',
        replace="pass",
        bug="the caller's total stake, epoch and aggregate G2 key are trusted",
    ),
    Mutant(
        name="skip-slope-check",
        find='), "ff: wrong slope for a non-signer"',
        replace=') or True, "ff: wrong slope for a non-signer"',
        bug="a chord slope is not checked: apk_g2 + non-signers no longer sums exactly",
    ),
    Mutant(
        name="skip-non-square-proof",
        find='assert rhs != 0 and uint256_mulmod(z, z, FQ) == unsafe_sub(FQ, rhs), "ff: bad hash_to_g1 hint"',
        replace="pass",
        bug="a hint may skip a square candidate: certify checks a point other than hash_to_g1",
    ),
    Mutant(
        name="slash-non-signers",
        find='assert j >= len(non_signers) or non_signers[j] != operator, "ff: operator did not sign the certificate"',
        replace="pass",
        bug="slash_contradicted also slashes operators that did not sign",
    ),
    Mutant(
        name="double-slash",
        find="        if self._slashed[operator][batch_key]:\n            continue\n",
        replace="",
        bug="a signer can be slashed again for the same contradicted certificate",
    ),
]

CHECK = Check(
    mutants=MUTANTS,
    suites=SUITES + ([STATEFUL] if (ROOT / STATEFUL).exists() else []),
    source=CopyContracts("FF_SOURCE_DIR", default_file="FastFinality.vy"),
    pytest_args=["-m", "not slow"],
)

if __name__ == "__main__":
    sys.exit(main(CHECK, __doc__))
