"""Fixtures for the FastFinality unit tests.

One Restaking pool + FastFinality + MockProvenRoots rollup with five keyed operators is deployed
per module (equal stake: each holds 1/5 of the total, so 4 signers pass the 2/3 threshold and 3
do not); titanoboa's pytest plugin reverts the chain around every test. ``state`` reads every view
so a test can assert that a rejected call changed nothing.
"""

import pytest

from tests.utils import ff_deployers as F


@pytest.fixture(scope="module")
def s():
    return F.deploy_with_operators(5)


@pytest.fixture(scope="module")
def ff(s):
    return s.ff


@pytest.fixture(scope="module")
def ops(s):
    return list(s.operators)


@pytest.fixture(scope="module")
def hdr(s):
    return F.header(s, batch=7, root=0xABC)


@pytest.fixture(scope="module")
def state(s, ops):
    """Every FastFinality view (and the Restaking figures it moves) for every operator."""
    ff, restaking = s.ff, s.restaking
    addresses = [o.address for o in ops]

    def read() -> dict:
        views = {
            "apk": tuple(ff.apk_g1()),
            "total": ff.total_stake(),
            "epoch": ff.epoch(),
            "count": ff.operator_count(),
            "pending": restaking.pending_slashed(ff.address),
        }
        for a in addresses:
            views[a] = (
                ff.is_active(a),
                tuple(ff.registration(a)),
                ff.operator_stake(a),
                tuple(ff.pubkey_g1(a)),
                tuple(ff.pubkey_g2(a)),
                restaking.max_magnitude(a),
                tuple(ff.is_slashed(a, s.rollup.address, b) for b in range(1, 9)),
            )
        return views

    return read


@pytest.fixture
def certified(s, ops, hdr):
    """`hdr` certified by operators 0-3, operator 4 a non-signer; returns (epoch, non_signers)."""
    args = F.certify_args(s, hdr, ops[:4])
    s.ff.certify(*args)
    return s.ff.epoch(), args[1]
