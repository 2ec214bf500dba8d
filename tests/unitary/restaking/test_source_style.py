"""House rules (STYLE.md) for the restaking sources: pragma, NatSpec on every function, and
revert reasons prefixed with the contract name."""

import re

import pytest

from tests.utils.deployers import ROOT

SOURCES = [
    "contracts/Restaking.vy",
    "contracts/modules/allocations.vy",
    "contracts/modules/stake_ledger.vy",
    "contracts/modules/restaking_math.vy",
]
FUNCTION = re.compile(r"^def (\w+)\((.*?)\)\s*(->\s*[^:]+)?:\n(\s+\"\"\"(.*?)\"\"\")?", re.M | re.S)


@pytest.mark.parametrize("path", SOURCES)
def test_pragma_and_contract_docstring(path):
    source = (ROOT / path).read_text()
    assert source.startswith("# pragma version ~=0.4.3\n")
    header = source.split('"""')[1]
    assert "@title" in header and "@notice" in header
    if path == "contracts/Restaking.vy":
        assert "@custom:security" in header


@pytest.mark.parametrize("path", SOURCES)
def test_every_function_has_natspec(path):
    source = (ROOT / path).read_text()
    functions = FUNCTION.findall(source)
    assert functions
    for name, params, returns, docstring, _ in functions:
        assert docstring, f"{path}:{name} has no docstring"
        assert "@notice" in docstring, f"{path}:{name} lacks @notice"
        for param in re.findall(r"(\w+)\s*:", params):
            assert f"@param {param} " in docstring, f"{path}:{name} lacks @param {param}"
        if returns:
            assert "@return" in docstring, f"{path}:{name} lacks @return"


@pytest.mark.parametrize("path", SOURCES)
def test_revert_reasons_are_prefixed(path):
    source = (ROOT / path).read_text()
    reasons = re.findall(r'^\s*(?:assert\b.*?|\),\s*)"([^"]*)"\s*$', source, re.M)
    assert all(reason.startswith("restaking: ") for reason in reasons), reasons
    bare = re.findall(r"^\s*assert [^\"\n]*$", source, re.M)
    multiline = [line for line in bare if line.rstrip().endswith("(")]
    assert len(bare) == len(multiline), f"assert without a reason in {path}: {bare}"
