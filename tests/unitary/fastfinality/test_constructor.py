"""FastFinality.__init__: parameters, and registration as a Restaking service."""

import boa
import pytest

from tests.utils import ff_deployers as F
from tests.utils.deployers import WAD, deploy_restaking


def test_registers_as_a_service():
    s = F.deploy_ff(threshold=(3, 4), slash_wad=WAD, recipient="0x" + "12" * 20)
    assert s.restaking.is_service(s.ff.address)
    assert s.restaking.redistribution_recipient(s.ff.address) == "0x" + "12" * 20
    assert (s.ff.THRESHOLD_NUMERATOR(), s.ff.THRESHOLD_DENOMINATOR()) == (3, 4)
    assert (s.ff.SLASH_WAD(), s.ff.RESTAKING()) == (WAD, s.restaking.address)
    assert (s.ff.total_stake(), s.ff.epoch(), s.ff.operator_count()) == (0, 0, 0)
    assert list(s.ff.apk_g1()) == [0, 0]


@pytest.mark.parametrize(
    ("num", "den", "slash_wad", "reason"),
    [
        (0, 0, WAD, "ff: threshold denominator is zero"),
        (2**33, 2**33, WAD, "ff: threshold denominator above 2**32"),
        (4, 3, WAD, "ff: threshold above 100%"),
        (1, 2, WAD, "ff: threshold must exceed 1/2"),
        (2, 3, 0, "ff: slash_wad outside (0, WAD]"),
        (2, 3, WAD + 1, "ff: slash_wad outside (0, WAD]"),
    ],
)
def test_rejects_bad_parameters(num, den, slash_wad, reason):
    restaking = deploy_restaking().restaking
    with boa.reverts(reason):
        F.FF_DEPLOYER.deploy(restaking.address, num, den, slash_wad, F.ZERO_ADDRESS)


def test_rejects_non_contract_restaking():
    with boa.reverts("ff: restaking is not a contract"):
        F.FF_DEPLOYER.deploy("0x" + "34" * 20, 2, 3, WAD, F.ZERO_ADDRESS)
