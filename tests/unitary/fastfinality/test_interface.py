"""interfaces/IFastFinality.vyi and its exported JSON ABI match the contract."""

import json
import re

from vyper.compiler.output import build_abi_output

from tests.utils.ff_deployers import FF_DEPLOYER, ROOT


def _normalise(abi: list) -> set:
    return {json.dumps(entry, sort_keys=True) for entry in abi if entry["type"] != "constructor"}


def test_json_abi_matches_the_contract():
    exported = json.loads((ROOT / "interfaces" / "IFastFinality.json").read_text())
    assert _normalise(exported) == _normalise(build_abi_output(FF_DEPLOYER.compiler_data))


def test_contract_implements_the_interface():
    source = (ROOT / "contracts" / "FastFinality.vy").read_text()
    assert re.search(r"^implements: IFastFinality$", source, re.M)
