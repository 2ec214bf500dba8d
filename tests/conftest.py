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
