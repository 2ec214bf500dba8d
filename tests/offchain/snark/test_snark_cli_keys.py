"""``hatchway snark setup | prove | export-vk``: the whole file-based flow, and its refusals.

Files are circom's and snarkjs's formats, so the flow ends with ``snarkjs groth16 verify`` as well
as our own ``snark verify``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from offchain.snark.ceremony import contribute, new_accumulator
from offchain.snark.cli import snark
from offchain.snark.ptau import write_ptau
from offchain.snark.r1cs import Circuit, R
from offchain.snark.r1cs_file import write_r1cs
from offchain.snark.wtns_file import write_wtns
from tests.node_oracle import snarkjs


def _circuit(name: str, rounds: int) -> tuple[Circuit, object]:
    # out = x·k^rounds + 1 with x public, k private: a few constraints, 2 public signals.
    c = Circuit(name)
    x = c.public_input("x")
    k = c.private_input("k")
    acc = x
    for _ in range(rounds):
        acc = c.mul(acc, k)
    c.expose(acc + 1, "out")
    return c, c.compile()


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("cli-keys")
    c, r1cs = _circuit("cli-keys", 3)
    write_r1cs(d / "c.r1cs", r1cs)
    write_wtns(d / "good.wtns", c.witness({"x": 6, "k": 7}))
    bad = list(c.witness({"x": 6, "k": 7}))
    bad[-1] = (bad[-1] + 1) % R  # the last wire is constrained: now wrong
    write_wtns(d / "bad.wtns", bad)
    _, other = _circuit("other", 5)
    write_r1cs(d / "other.r1cs", other)
    # Power 4 (16 ≥ 2 × domain 8); one contribution so that τ ≠ 1.
    acc, _ = contribute(new_accumulator(4), b"cli test entropy", name="cli")
    write_ptau(d / "pot4.ptau", acc)
    acc_small, _ = contribute(new_accumulator(2), b"cli test entropy", name="cli")
    write_ptau(d / "pot2.ptau", acc_small)
    return {"dir": d}


def invoke(*args: object):
    return CliRunner(mix_stderr=False).invoke(snark, [str(a) for a in args])


def _setup(files, tag: str, *extra: object) -> tuple[Path, Path]:
    d = files["dir"]
    zkey, vk = d / f"{tag}.zkey", d / f"{tag}.vk.json"
    result = invoke("setup", "--r1cs", d / "c.r1cs", "--zkey", zkey, "--vk", vk, *extra)
    assert result.exit_code == 0, result.stderr
    return zkey, vk


@pytest.mark.parametrize("mode", ["dev", "ptau"])
def test_setup_prove_verify(files, mode, tmp_path):
    d = files["dir"]
    extra = ["--dev"] if mode == "dev" else ["--ptau", d / "pot4.ptau", "--entropy", "abc"]
    zkey, vk = _setup(files, mode, *extra)
    proof, public = tmp_path / "proof.json", tmp_path / "public.json"
    result = invoke(
        "prove", "--zkey", zkey, "--r1cs", d / "c.r1cs", "--wtns", d / "good.wtns",
        "--proof", proof, "--public", public,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(public.read_text()) == ["6", str(6 * 7**3 + 1)]
    ok = invoke("verify", "--vk", vk, "--public", public, "--proof", proof)
    assert ok.exit_code == 0, ok.stderr
    # snarkjs, an independent verifier, agrees.
    res = snarkjs("groth16", "verify", str(vk), str(public), str(proof), cwd=tmp_path, check=False)
    assert res.returncode == 0 and "OK" in res.stdout, res.stdout + res.stderr
    # A wrong public signal is refused by both.
    public.write_text(json.dumps(["6", str(6 * 7**3 + 2)]))
    assert invoke("verify", "--vk", vk, "--public", public, "--proof", proof).exit_code == 1


def test_dev_setup_warns_loudly(files):
    d = files["dir"]
    result = invoke("setup", "--r1cs", d / "c.r1cs", "--zkey", d / "w.zkey", "--dev")
    assert result.exit_code == 0
    assert "NOT FOR PRODUCTION" in result.stderr


def test_two_ptau_setups_differ_in_delta(files):
    # The phase-2 contribution is fresh each time: same ptau, different δ.
    d = files["dir"]
    _, vk1 = _setup(files, "p1", "--ptau", d / "pot4.ptau")
    _, vk2 = _setup(files, "p2", "--ptau", d / "pot4.ptau")
    a, b = json.loads(vk1.read_text()), json.loads(vk2.read_text())
    assert a["vk_alpha_1"] == b["vk_alpha_1"] and a["IC"] == b["IC"]
    assert a["vk_delta_2"] != b["vk_delta_2"]


def test_export_vk_equals_setup_vk(files, tmp_path):
    zkey, vk = _setup(files, "exp", "--dev")
    out = tmp_path / "vk.json"
    result = invoke("export-vk", "--zkey", zkey, "--out", out)
    assert result.exit_code == 0, result.stderr
    assert json.loads(out.read_text()) == json.loads(vk.read_text())


def test_setup_needs_exactly_one_source(files):
    d = files["dir"]
    neither = invoke("setup", "--r1cs", d / "c.r1cs", "--zkey", d / "x.zkey")
    both = invoke("setup", "--r1cs", d / "c.r1cs", "--zkey", d / "x.zkey", "--dev",
                  "--ptau", d / "pot4.ptau")  # fmt: skip
    for result in (neither, both):
        assert result.exit_code == 2
        assert "exactly one of --ptau FILE and --dev" in result.stderr
    assert not (d / "x.zkey").exists()


def test_setup_refuses_a_too_small_ptau(files):
    d = files["dir"]
    result = invoke(
        "setup", "--r1cs", d / "c.r1cs", "--zkey", d / "y.zkey", "--ptau", d / "pot2.ptau"
    )
    assert result.exit_code == 2
    assert "2^power" in result.stderr
    assert not (d / "y.zkey").exists()


@pytest.mark.parametrize(
    ("r1cs", "wtns", "reason"),
    [
        ("c.r1cs", "bad.wtns", "r1cs: constraint"),  # a witness that violates a constraint
        ("other.r1cs", "good.wtns", "zkey: "),  # the key was made for another circuit
    ],
)
def test_prove_refuses_bad_input_and_writes_nothing(files, tmp_path, r1cs, wtns, reason):
    d = files["dir"]
    zkey, _ = _setup(files, "neg", "--dev")
    proof, public = tmp_path / "proof.json", tmp_path / "public.json"
    result = invoke(
        "prove", "--zkey", zkey, "--r1cs", d / r1cs, "--wtns", d / wtns,
        "--proof", proof, "--public", public, "--quiet",
    )  # fmt: skip
    assert result.exit_code == 2
    assert reason in result.stderr
    assert not proof.exists() and not public.exists()


def test_prove_refuses_a_missing_output_directory(files, tmp_path):
    d = files["dir"]
    zkey, _ = _setup(files, "nodir", "--dev")
    result = invoke(
        "prove", "--zkey", zkey, "--r1cs", d / "c.r1cs", "--wtns", d / "good.wtns",
        "--proof", tmp_path / "missing" / "proof.json", "--public", tmp_path / "public.json",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    assert not (tmp_path / "public.json").exists()


def test_export_vk_refuses_a_non_zkey(files, tmp_path):
    d = files["dir"]
    out = tmp_path / "vk.json"
    result = invoke("export-vk", "--zkey", d / "c.r1cs", "--out", out)
    assert result.exit_code == 2
    assert "zkey" in result.stderr
    assert not out.exists()
