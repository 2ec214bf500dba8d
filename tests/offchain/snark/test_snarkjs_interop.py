"""Interop with snarkjs 0.7.6 and circom (circom2, wasm), both directions, artefacts made at test time.

(a) ``snarkjs groth16 verify`` accepts the vk/proof/public JSON that our setup + prover write for
    circuits from our builder (and rejects them with a changed public signal).
(b) Our verifier and ``hatchway snark verify`` accept proofs that snarkjs made for circom circuits
    (x³ + x + 5 and circomlib's Poseidon): circom2 → powers of tau (power 9, one dev contribution,
    phase 2 prepared) → ``groth16 setup`` → ``zkey contribute`` → ``zkey export verificationkey`` →
    ``groth16 fullprove``. Also: our JSON writer reproduces snarkjs's verification key byte for byte
    as a JSON value (``vk_alphabeta_12`` included) and its proof.

Everything is generated under pytest's tmp dirs; nothing binary is committed. A missing node or
node_modules is an error, not a skip (see tests/node_oracle.py).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from offchain.crypto.poseidon import poseidon
from offchain.snark.cli import snark
from offchain.snark.prover import prove
from offchain.snark.r1cs import Circuit, R
from offchain.snark.setup import dev_setup
from offchain.snark.snarkjs_json import (
    load_json,
    proof_to_json,
    read_proof,
    read_public,
    read_vk,
    vk_to_json,
    write_proof,
    write_public,
    write_vk,
)
from offchain.snark.verifier import verify
from tests.node_oracle import REPO_ROOT, node_binary, run_tool, snarkjs

pytestmark = [
    pytest.mark.node,
    pytest.mark.filterwarnings("ignore::offchain.snark.setup.InsecureSetupWarning"),
]

CIRCOM2 = REPO_ROOT / "node_modules" / ".bin" / "circom2"
CIRCOMLIB = REPO_ROOT / "node_modules" / "circomlib" / "circuits"
CIRCUITS = REPO_ROOT / "tests" / "circom"
# 2^9 = 2 × the Poseidon circuit's 256-row domain: `zkey new` reads the ptau's 2n Lagrange section.
PTAU_POWER = 9


@pytest.fixture(scope="module")
def ptau(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("ptau")
    snarkjs("powersoftau", "new", "bn128", str(PTAU_POWER), "pot0.ptau", cwd=d)
    # A dev contribution, so τ is not 1 (a fresh ceremony starts from τ = 1, which lies in every
    # evaluation domain and would make the Lagrange basis degenerate).
    snarkjs(
        "powersoftau",
        "contribute",
        "pot0.ptau",
        "pot1.ptau",
        "--name=dev",
        "-e=hatchway test entropy",
        cwd=d,
    )
    snarkjs("powersoftau", "prepare", "phase2", "pot1.ptau", "pot.ptau", cwd=d)
    return d / "pot.ptau"


def _circom_flow(name: str, inputs: dict, ptau: Path, d: Path) -> dict[str, Path]:
    shutil.copy(CIRCUITS / f"{name}.circom", d)
    for lib in ("poseidon.circom", "poseidon_constants.circom"):
        shutil.copy(CIRCOMLIB / lib, d)
    # circom2's wasm sandbox resolves includes only below the current directory.
    run_tool(
        [node_binary(), str(CIRCOM2), f"{name}.circom", "--r1cs", "--wasm", "--O2", "-o", "."], d
    )
    snarkjs("groth16", "setup", f"{name}.r1cs", str(ptau), f"{name}_0.zkey", cwd=d)
    snarkjs(
        "zkey",
        "contribute",
        f"{name}_0.zkey",
        f"{name}.zkey",
        "--name=dev",
        "-e=more test entropy",
        cwd=d,
    )
    snarkjs("zkey", "export", "verificationkey", f"{name}.zkey", "vk.json", cwd=d)
    (d / "input.json").write_text(json.dumps({k: str(v) for k, v in inputs.items()}))
    snarkjs(
        "groth16",
        "fullprove",
        "input.json",
        f"{name}_js/{name}.wasm",
        f"{name}.zkey",
        "proof.json",
        "public.json",
        cwd=d,
    )
    return {"vk": d / "vk.json", "proof": d / "proof.json", "public": d / "public.json"}


CIRCOM_CASES = {
    "cube": {"x": 3},
    "poseidon_hash": {"a": 1, "b": 2},
}


@pytest.fixture(scope="module", params=sorted(CIRCOM_CASES))
def circom_case(request, ptau, tmp_path_factory):
    name = request.param
    d = tmp_path_factory.mktemp(name)
    return name, _circom_flow(name, CIRCOM_CASES[name], ptau, d)


def _cli(vk: Path, public: Path, proof: Path):
    runner = CliRunner(mix_stderr=False)
    return runner.invoke(
        snark, ["verify", "--vk", str(vk), "--public", str(public), "--proof", str(proof)]
    )


# ---------------------------------------------------------------------------------------------
# (b) snarkjs proves, we verify
# ---------------------------------------------------------------------------------------------


def test_we_verify_snarkjs_proofs(circom_case, tmp_path):
    name, files = circom_case
    vk, proof, public = (
        read_vk(files["vk"]),
        read_proof(files["proof"]),
        read_public(files["public"]),
    )
    if name == "cube":
        assert public == [3**3 + 3 + 5]
    else:
        # public signals: outputs first, then public inputs — and circomlib's Poseidon is ours.
        assert public == [poseidon([1, 2]), 1]
    assert verify(vk, public, proof)
    result = _cli(files["vk"], files["public"], files["proof"])
    assert result.exit_code == 0, result.stderr

    tampered = list(public)
    tampered[0] = (tampered[0] + 1) % R
    bad_public = tmp_path / "public.json"
    write_public(bad_public, tampered)
    result = _cli(files["vk"], bad_public, files["proof"])
    assert result.exit_code == 1
    assert "INVALID" in result.stderr


def test_our_json_reproduces_snarkjs_files(circom_case):
    _, files = circom_case
    theirs_vk = load_json(files["vk"])
    assert vk_to_json(read_vk(files["vk"])) == theirs_vk  # vk_alphabeta_12 included
    assert proof_to_json(read_proof(files["proof"])) == load_json(files["proof"])


# ---------------------------------------------------------------------------------------------
# (a) we prove, snarkjs verifies
# ---------------------------------------------------------------------------------------------


def _our_circuits():
    c1 = Circuit("poly")
    x = c1.public_input("x")
    y = c1.public_input("y")
    k = c1.private_input("k")
    t = c1.mul(x, k)
    c1.expose(c1.mul(t, y + 7) + 1, "out")
    yield "poly", c1, {"x": 5, "y": 9, "k": 123456789}

    c2 = Circuit("chain")
    acc = c2.public_input("x")
    for i in range(40):
        acc = c2.mul(acc, acc + i, name=f"step{i}")
    c2.expose(acc, "y")
    yield "chain", c2, {"x": 2}

    c3 = Circuit("private-only")
    a = c3.private_input("a")
    b = c3.private_input("b")
    c3.assert_equal(c3.mul(a, b), 391)
    yield "private-only", c3, {"a": 17, "b": 23}


@pytest.mark.parametrize("case", list(_our_circuits()), ids=lambda c: c[0])
def test_snarkjs_verifies_our_proofs(case, tmp_path):
    _, circuit, inputs = case
    r1cs = circuit.compile()
    pk, vk = dev_setup(r1cs, seed=f"interop-{circuit.name}")
    w = circuit.witness(inputs)
    proof = prove(pk, r1cs, w)
    public = r1cs.public_signals(w)
    write_vk(tmp_path / "vk.json", vk)
    write_proof(tmp_path / "proof.json", proof)
    write_public(tmp_path / "public.json", public)
    ok = snarkjs(
        "groth16", "verify", "vk.json", "public.json", "proof.json", cwd=tmp_path, check=False
    )
    assert ok.returncode == 0 and "OK" in ok.stdout, ok.stdout + ok.stderr
    if public:
        write_public(tmp_path / "bad.json", [(public[0] + 1) % R, *public[1:]])
        bad = snarkjs(
            "groth16", "verify", "vk.json", "bad.json", "proof.json", cwd=tmp_path, check=False
        )
        assert bad.returncode != 0 and "Invalid proof" in (bad.stdout + bad.stderr)
