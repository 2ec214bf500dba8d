"""interfaces/IRollup.vyi and its exported JSON ABI match the contract; house style (pragma,
NatSpec on every function, revert reasons prefixed "Rollup: ")."""

import json
import re

from vyper.compiler.output import build_abi_output

from tests.utils.rollup_deployers import ROLLUP_DEPLOYER, ROOT

SOURCE = ROOT / "contracts" / "Rollup.vy"
FUNCTION = re.compile(r"^def (\w+)\((.*?)\)\s*(->\s*[^:]+)?:\n(\s+\"\"\"(.*?)\"\"\")?", re.M | re.S)


def _normalise(abi: list) -> set:
    return {json.dumps(entry, sort_keys=True) for entry in abi if entry["type"] != "constructor"}


def test_json_abi_matches_the_contract():
    exported = json.loads((ROOT / "interfaces" / "IRollup.json").read_text())
    assert _normalise(exported) == _normalise(build_abi_output(ROLLUP_DEPLOYER.compiler_data))


def test_contract_implements_the_interface():
    assert re.search(r"^implements: IRollup$", SOURCE.read_text(), re.M)


def test_pragma_and_docstring():
    source = SOURCE.read_text()
    assert source.startswith("# pragma version ~=0.4.3\n")
    header = source.split('"""')[1]
    assert "@title" in header and "@notice" in header and "@custom:security" in header


def test_every_function_has_natspec():
    functions = FUNCTION.findall(SOURCE.read_text())
    assert len(functions) > 30
    for name, params, returns, docstring, _ in functions:
        assert docstring and "@notice" in docstring, name
        for param in re.findall(r"(\w+)\s*:", params):
            assert f"@param {param} " in docstring, f"{name} lacks @param {param}"
        if returns:
            assert "@return" in docstring, f"{name} lacks @return"


def test_revert_reasons_are_prefixed():
    source = SOURCE.read_text()
    reasons = re.findall(r'"(Rollup:[^"]*|[^"]*)"\s*$', source, re.M)
    asserts = re.findall(r'^\s*(?:assert\b.*?|\),\s*)"([^"]*)"\s*$', source, re.M)
    assert asserts and all(reason.startswith("Rollup: ") for reason in asserts), asserts
    assert reasons
    bare = [
        line
        for line in re.findall(r"^\s*assert [^\"\n]*$", source, re.M)
        if not line.rstrip().endswith("(")
    ]
    assert not bare, bare
