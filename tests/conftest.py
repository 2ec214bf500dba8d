"""Shared pytest configuration: hypothesis profiles and the node-oracle fixture.

Profiles (select with HYPOTHESIS_PROFILE=<name>):
- ``default``: the fast profile `make test` runs in CI.
- ``audit``: deep fuzzing for `make audit`.
"""

import os

from hypothesis import HealthCheck, settings

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
