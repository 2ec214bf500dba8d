"""Shared pytest configuration: hypothesis profiles and the node-oracle fixture.

Profiles (select with HYPOTHESIS_PROFILE=<name>):
- ``default``: the fast profile `make test` runs in CI.
- ``audit``: deep fuzzing for `make audit`.
"""

import os

# Under pytest-xdist every worker is already one busy core; numba's OpenMP pool on top of that
# oversubscribes the machine and its spin-waiting threads slow parallel kernels 10x or more.
# Must be set before numba is first imported.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")

from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "default",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "audit",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def _harden_boa_contract_repr() -> None:
    """Keep titanoboa's revert path from crashing on its own storage dump.

    When a call reverts, titanoboa 0.2.8 saves ``repr(contract)`` for its error message, and that
    repr dumps the contract's storage by decoding HashMap keys through the process-wide keccak
    trace. With traces left by earlier tests in the same xdist worker it can decode a key path
    longer than the map's nesting and raise ``AttributeError`` ('IntegerT' has no 'key_type'),
    turning an expected, correctly-reasoned revert into a crash (seen in a fresh-clone CI run,
    not reproducible in isolation). Only the debugging aid is affected, so fall back to the
    storage-less repr; revert reasons and state checks are untouched.
    """
    from boa.contracts.vyper import vyper_contract

    original = vyper_contract.VyperContract.__repr__

    def repr_without_failing_dump(self: vyper_contract.VyperContract) -> str:
        try:
            return original(self)
        except (AttributeError, KeyError, IndexError, TypeError, ValueError):
            return f"<{self.compiler_data.contract_path} at {self.address} (storage dump failed)>"

    vyper_contract.VyperContract.__repr__ = repr_without_failing_dump


_harden_boa_contract_repr()
