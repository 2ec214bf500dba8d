"""``hatchway snark verify``: exit 0 valid, 1 invalid, 2 malformed (message on stderr)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from offchain.snark.cli import EXIT_INVALID, EXIT_MALFORMED, EXIT_VALID, snark
from offchain.snark.prover import prove
from offchain.snark.r1cs import Circuit, R
from offchain.snark.setup import dev_setup
from offchain.snark.snarkjs_json import proof_to_json, vk_to_json, write_public

pytestmark = pytest.mark.filterwarnings("ignore::offchain.snark.setup.InsecureSetupWarning")


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    c = Circuit("cli")
    x = c.public_input("x")
    k = c.private_input("k")
    c.expose(c.mul(x, k) + 1, "out")
    r1cs = c.compile()
    pk, vk = dev_setup(r1cs, seed="cli")
    w = c.witness({"x": 6, "k": 7})
    proof = prove(pk, r1cs, w)
    d = tmp_path_factory.mktemp("cli")
    out = {"vk": d / "vk.json", "proof": d / "proof.json", "public": d / "public.json"}
    out["vk"].write_text(json.dumps(vk_to_json(vk, include_alphabeta=False)))
    out["proof"].write_text(json.dumps(proof_to_json(proof)))
    write_public(out["public"], r1cs.public_signals(w))
    return out


def run(vk: Path, public: Path, proof: Path):
    runner = CliRunner(mix_stderr=False)
    return runner.invoke(
        snark, ["verify", "--vk", str(vk), "--public", str(public), "--proof", str(proof)]
    )


def test_valid_proof_exits_0(files):
    result = run(files["vk"], files["public"], files["proof"])
    assert result.exit_code == EXIT_VALID == 0, result.stderr
    assert "OK" in result.stdout


def test_invalid_proof_exits_1(files, tmp_path):
    public = json.loads(files["public"].read_text())
    assert public == ["6", "43"]
    write_public(tmp_path / "p.json", [6, 44])
    result = run(files["vk"], tmp_path / "p.json", files["proof"])
    assert result.exit_code == EXIT_INVALID == 1
    assert "INVALID" in result.stderr


def _edit(src: Path, dst: Path, fn) -> Path:
    obj = json.loads(src.read_text())
    fn(obj)
    dst.write_text(json.dumps(obj))
    return dst


@pytest.mark.parametrize(
    "which, edit, message",
    [
        (
            "proof",
            lambda o: o["pi_b"][1].__setitem__(0, "12x"),
            r"\$\.pi_b\[1\]\[0\]: expected a decimal string",
        ),
        ("proof", lambda o: o["pi_a"].__setitem__(1, "5"), r"\$\.pi_a: .*not on the curve"),
        ("proof", lambda o: o.pop("pi_c"), r"\$\.pi_c: missing"),
        ("proof", lambda o: o.__setitem__("protocol", "plonk"), r"\$\.protocol"),
        ("vk", lambda o: o["IC"].pop(), r"\$\.IC: expected a list of nPublic \+ 1"),
        ("vk", lambda o: o.__setitem__("curve", "bls12381"), r"\$\.curve"),
        (
            "vk",
            lambda o: o["vk_delta_2"][0].__setitem__(0, str(2**255)),
            r"\$\.vk_delta_2\[0\]\[0\]: .*not below",
        ),
        (
            "public",
            lambda o: o.__setitem__(0, str(R + 6)),
            r"\$\[0\]: .*not below the scalar field modulus r",
        ),
        ("public", lambda o: o.append("1"), r"expected 2 public signals, got 3"),
        ("public", lambda o: o.__setitem__(1, 43), r"\$\[1\]: expected a decimal string"),
    ],
)
def test_malformed_input_exits_2(files, tmp_path, which, edit, message):
    paths = dict(files)
    paths[which] = _edit(files[which], tmp_path / f"{which}.json", edit)
    result = run(paths["vk"], paths["public"], paths["proof"])
    assert result.exit_code == EXIT_MALFORMED == 2
    assert result.stderr.startswith("snark verify: malformed input:")
    assert str(paths[which]) in result.stderr or which == "public"
    assert re.search(message, result.stderr), result.stderr


def test_g2_point_outside_the_subgroup_exits_2(files, tmp_path):
    from tests.offchain.snark.test_groth16 import _twist_point_outside_g2

    (x0, x1), (y0, y1) = _twist_point_outside_g2()
    point = [[str(x0), str(x1)], [str(y0), str(y1)], ["1", "0"]]
    bad = _edit(files["proof"], tmp_path / "proof.json", lambda o: o.__setitem__("pi_b", point))
    result = run(files["vk"], files["public"], bad)
    assert result.exit_code == 2
    assert re.search(r"\$\.pi_b: .*not in the order-r subgroup", result.stderr), result.stderr


def test_unreadable_and_invalid_json_exit_2(files, tmp_path):
    result = run(tmp_path / "missing.json", files["public"], files["proof"])
    assert result.exit_code == 2 and "cannot read" in result.stderr
    (tmp_path / "junk.json").write_text("{not json")
    result = run(files["vk"], files["public"], tmp_path / "junk.json")
    assert result.exit_code == 2 and "invalid JSON" in result.stderr


def test_missing_option_is_a_usage_error():
    result = CliRunner(mix_stderr=False).invoke(snark, ["verify", "--vk", "x.json"])
    assert result.exit_code == 2
