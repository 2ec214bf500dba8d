"""circom ``.r1cs`` and snarkjs ``.wtns`` files: round trips, corrupt inputs, and interop.

Pure-Python tests: our R1CS → bytes → R1CS is the identity on constraints; witnesses round-trip;
each kind of corruption is a ``ValueError`` naming the problem.

Node tests (``-m node``), artefacts made at test time under pytest's tmp dirs:
- circom2 compiles ``tests/circom/cube.circom`` and ``poseidon_hash.circom`` (circomlib copied
  beside it); we read the ``.r1cs`` and snarkjs ``wtns calculate``'s witness; the witness
  satisfies our ``R1CS.check_witness`` and a tampered one does not; re-serialising circom's file
  reproduces every section byte for byte (circom writes them in the order 2, 1, 3; we write
  1, 2, 3); our prover proves the circom circuit and our verifier accepts.
- ``snarkjs r1cs info`` reports our file's counts; ``snarkjs wtns check`` accepts our ``.r1cs`` +
  ``.wtns`` for a satisfied witness and rejects a tampered one.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
from pathlib import Path

import pytest

from offchain.crypto.poseidon import poseidon
from offchain.snark.gadgets.poseidon import poseidon_gadget
from offchain.snark.r1cs import R1CS, Circuit, R
from offchain.snark.r1cs_file import (
    parse_binfile,
    parse_r1cs,
    r1cs_to_bytes,
    read_r1cs,
    read_r1cs_file,
    write_r1cs,
)
from offchain.snark.wtns_file import parse_wtns, read_wtns, write_wtns, wtns_to_bytes
from tests.node_oracle import REPO_ROOT, node_binary, run_tool, snarkjs

CIRCOM2 = REPO_ROOT / "node_modules" / ".bin" / "circom2"
CIRCOMLIB = REPO_ROOT / "node_modules" / "circomlib" / "circuits"
CIRCUITS = REPO_ROOT / "tests" / "circom"


def _sample() -> tuple[Circuit, R1CS, list[int]]:
    """A small circuit with public inputs, an exposed output, a Poseidon and a big constant."""
    c = Circuit("sample")
    a = c.public_input("a")
    b = c.private_input("b")
    h = poseidon_gadget(c, [a, b])
    t = c.mul(h + (R - 5), b * 3 + 7, "t")
    c.expose(t, "out")
    r1cs = c.compile()
    return c, r1cs, c.witness({"a": 11, "b": 2**200 + 1})


def _terms(r1cs: R1CS) -> list[tuple[dict, dict, dict]]:
    return [(k.a, k.b, k.c) for k in r1cs.constraints]


# ------------------------------------------------------------------------------ .r1cs round trip


def test_r1cs_round_trip(tmp_path):
    _, r1cs, witness = _sample()
    path = tmp_path / "sample.r1cs"
    write_r1cs(path, r1cs, n_outputs=1, n_prv_inputs=1)
    info = read_r1cs_file(path)
    back = info.r1cs
    assert (back.n_wires, back.n_public, back.n_constraints) == (
        r1cs.n_wires,
        r1cs.n_public,
        r1cs.n_constraints,
    )
    assert _terms(back) == _terms(r1cs)
    assert (info.n_outputs, info.n_pub_inputs, info.n_prv_inputs) == (1, r1cs.n_public - 1, 1)
    assert info.wire_to_label == tuple(range(r1cs.n_wires))
    back.check_witness(witness)
    # Deterministic: writing what we read gives the same bytes.
    assert r1cs_to_bytes(back, n_outputs=1, n_prv_inputs=1) == path.read_bytes()


def test_r1cs_writer_rejects_bad_metadata():
    _, r1cs, _ = _sample()
    with pytest.raises(ValueError, match="n_outputs"):
        r1cs_to_bytes(r1cs, n_outputs=r1cs.n_public + 1)
    with pytest.raises(ValueError, match="wire_to_label"):
        r1cs_to_bytes(r1cs, wire_to_label=[0, 1])


# ------------------------------------------------------------------------------ .wtns round trip


def test_wtns_round_trip(tmp_path):
    _, _, witness = _sample()
    path = tmp_path / "w.wtns"
    write_wtns(path, witness)
    assert read_wtns(path) == witness
    assert path.read_bytes()[:8] == b"wtns" + struct.pack("<I", 2)


@pytest.mark.parametrize(
    "witness, message",
    [
        ([], "witness\\[0\\]"),
        ([2, 3], "witness\\[0\\]"),
        ([1, R], "witness\\[1\\]"),
        ([1, -1], "\\[1\\]"),
    ],
)
def test_wtns_writer_rejects_bad_witness(witness, message):
    with pytest.raises(ValueError, match=message):
        wtns_to_bytes(witness)


# ------------------------------------------------------------------------------ corrupt files


def _sections(data: bytes, magic: bytes) -> dict[int, bytes]:
    _, secs = parse_binfile(data, magic, (1, 2), "test")
    return {k: bytes(v) for k, v in secs.items()}


def _rebuild(magic: bytes, version: int, secs: list[tuple[int, bytes]]) -> bytes:
    out = magic + struct.pack("<II", version, len(secs))
    for kind, payload in secs:
        out += struct.pack("<IQ", kind, len(payload)) + payload
    return out


def _r1cs_variants() -> dict[str, tuple[bytes, str]]:
    """name → (corrupt .r1cs bytes, regex the error must match)."""
    c = Circuit("tiny")
    x = c.public_input("x")
    y = c.mul(x, x, "sq")
    c.expose(c.mul(y, x, "cube") + 5, "out")
    good = r1cs_to_bytes(c.compile())
    s = _sections(good, b"r1cs")
    h, body, labels = s[1], s[2], s[3]

    def r(secs, version=1):
        return _rebuild(b"r1cs", version, secs)

    def header_with(**fields):
        names = ["n_wires", "n_outputs", "n_pub", "n_prv", "n_labels", "n_constraints"]
        vals = dict(zip(names, struct.unpack_from("<IIIIQI", h, 36), strict=True))
        vals.update(fields)
        return h[:36] + struct.pack("<IIIIQI", *(vals[n] for n in names))

    # first term of constraint 0's A: n_terms u32 at 0, wire u32 at 4, coefficient at 8..40
    bad_wire = body[:4] + struct.pack("<I", 999) + body[8:]
    bad_coeff = body[:8] + R.to_bytes(32, "little") + body[40:]
    # one constraint whose A lists wire 1 twice (B and C empty)
    term = struct.pack("<I", 1) + (1).to_bytes(32, "little")
    dup_wire = struct.pack("<I", 2) + term + term + struct.pack("<I", 0) * 2
    other_prime = h[:4] + (R - 2).to_bytes(32, "little") + h[36:]
    bls_n8 = struct.pack("<I", 48) + h[4:]
    variants = {
        "empty": (b"", "truncated"),
        "magic": (b"wtns" + good[4:], "not a r1cs file"),
        "version": (b"r1cs" + struct.pack("<I", 2) + good[8:], "unsupported r1cs version 2"),
        "section table": (good[:12] + good[12:18], "truncated section table"),
        "section overrun": (good[:-1], "claims .* bytes but only"),
        "trailing": (good + b"\0", "trailing bytes"),
        "duplicate section": (r([(1, h), (2, body), (2, body)]), "section 2 appears twice"),
        "no header": (r([(2, body), (3, labels)]), "missing the header section"),
        "no constraints": (r([(1, h), (3, labels)]), "missing the constraints section"),
        "custom gates": (r([(1, h), (2, body), (3, labels), (4, b"")]), "custom gates"),
        "prime": (r([(1, other_prime), (2, body), (3, labels)]), "not BN254"),
        "n8": (r([(1, bls_n8), (2, body), (3, labels)]), "48 bytes"),
        "header size": (r([(1, h + b"\0"), (2, body), (3, labels)]), "header section is"),
        "counts": (r([(1, header_with(n_pub=99)), (2, body), (3, labels)]), "inconsistent"),
        "too many constraints": (
            r([(1, header_with(n_constraints=99)), (2, body), (3, labels)]),
            "truncated in constraint",
        ),
        "too few constraints": (
            r([(1, header_with(n_constraints=1)), (2, body), (3, labels)]),
            "bytes after constraint 0",
        ),
        "wire range": (r([(1, h), (2, bad_wire), (3, labels)]), "uses wire 999"),
        "coefficient": (r([(1, h), (2, bad_coeff), (3, labels)]), "coefficient ≥ r"),
        "label size": (r([(1, h), (2, body), (3, labels[:-8])]), "wire→label section"),
        "label range": (
            r([(1, header_with(n_labels=2)), (2, body), (3, labels)]),
            "names label",
        ),
    }
    variants["duplicate wire"] = (
        r([(1, header_with(n_constraints=1)), (2, dup_wire), (3, labels)]),
        "lists wire 1 twice",
    )
    return variants


R1CS_VARIANTS = _r1cs_variants()


@pytest.mark.parametrize("name", sorted(R1CS_VARIANTS))
def test_corrupt_r1cs_is_value_error(name, tmp_path):
    data, message = R1CS_VARIANTS[name]
    with pytest.raises(ValueError, match=message):
        parse_r1cs(data, "bad.r1cs")
    path = tmp_path / "bad.r1cs"
    path.write_bytes(data)
    with pytest.raises(ValueError, match=str(path)):
        read_r1cs(path)


def test_missing_file_is_value_error(tmp_path):
    with pytest.raises(ValueError, match="cannot read"):
        read_r1cs(tmp_path / "nope.r1cs")
    with pytest.raises(ValueError, match="cannot read"):
        read_wtns(tmp_path / "nope.wtns")


def _wtns_variants() -> dict[str, tuple[bytes, str]]:
    good = wtns_to_bytes([1, 2, 3])
    s = _sections(good, b"wtns")
    h, body = s[1], s[2]

    def w(secs, version=2):
        return _rebuild(b"wtns", version, secs)

    return {
        "magic": (b"r1cs" + good[4:], "not a wtns file"),
        "version": (b"wtns" + struct.pack("<I", 3) + good[8:], "unsupported wtns version 3"),
        "truncated": (good[:-5], "claims"),
        "no values": (w([(1, h)]), "missing the values section"),
        "count": (w([(1, h[:-4] + struct.pack("<I", 4)), (2, body)]), "declares 4 values"),
        "prime": (
            w([(1, h[:4] + (R + 2).to_bytes(32, "little") + h[36:]), (2, body)]),
            "not BN254",
        ),
        "unreduced": (
            w([(1, h), (2, body[:32] + R.to_bytes(32, "little") + body[64:])]),
            "value 1",
        ),
        "one wire": (w([(1, h), (2, (5).to_bytes(32, "little") + body[32:])]), "constant wire"),
    }


WTNS_VARIANTS = _wtns_variants()


@pytest.mark.parametrize("name", sorted(WTNS_VARIANTS))
def test_corrupt_wtns_is_value_error(name):
    data, message = WTNS_VARIANTS[name]
    with pytest.raises(ValueError, match=message):
        parse_wtns(data, "bad.wtns")


def test_version_1_wtns_is_read():
    good = wtns_to_bytes([1, 7])
    assert parse_wtns(b"wtns" + struct.pack("<I", 1) + good[8:]) == [1, 7]


# ------------------------------------------------------------------------------ node interop

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


CIRCOM_CASES = {"cube": {"x": 3}, "poseidon_hash": {"a": 1, "b": 2}}


@pytest.fixture(scope="module")
def compile_circom(tmp_path_factory):
    """``compile_circom(name)``: circom2 → .r1cs + wasm, then snarkjs ``wtns calculate`` →
    ``witness.wtns``; each circuit compiled once per module."""
    done: dict[str, Path] = {}

    def compile_one(name: str) -> Path:
        if name in done:
            return done[name]
        d = tmp_path_factory.mktemp(f"circom-{name}")
        shutil.copy(CIRCUITS / f"{name}.circom", d)
        for lib in ("poseidon.circom", "poseidon_constants.circom"):
            shutil.copy(CIRCOMLIB / lib, d)  # circom2's wasm sandbox cannot follow `..` includes
        run_tool(
            [node_binary(), str(CIRCOM2), f"{name}.circom", "--r1cs", "--wasm", "--O2", "-o", "."],
            d,
        )
        inputs = {k: str(v) for k, v in CIRCOM_CASES[name].items()}
        (d / "input.json").write_text(json.dumps(inputs))
        snarkjs("wtns", "calculate", f"{name}_js/{name}.wasm", "input.json", "witness.wtns", cwd=d)
        done[name] = d
        return d

    return compile_one


@pytest.fixture(params=sorted(CIRCOM_CASES))
def circom_compiled(request, compile_circom) -> tuple[str, Path]:
    return request.param, compile_circom(request.param)


@pytest.mark.node
def test_circom_r1cs_and_witness_satisfy_our_checker(circom_compiled):
    name, d = circom_compiled
    info = read_r1cs_file(d / f"{name}.r1cs")
    r1cs = info.r1cs
    witness = read_wtns(d / "witness.wtns")
    assert len(witness) == r1cs.n_wires
    r1cs.check_witness(witness)
    if name == "cube":
        assert (info.n_outputs, info.n_pub_inputs, info.n_prv_inputs) == (1, 0, 1)
        assert r1cs.public_signals(witness) == [3**3 + 3 + 5]
    else:
        assert (info.n_outputs, info.n_pub_inputs, info.n_prv_inputs) == (1, 1, 1)
        assert r1cs.public_signals(witness) == [poseidon([1, 2]), 1]
    # Tampering with any one non-constant wire (here: the last, and the public output) breaks it.
    for wire in (r1cs.n_wires - 1, 1):
        bad = list(witness)
        bad[wire] = (bad[wire] + 1) % R
        assert not r1cs.is_satisfied(bad)
        with pytest.raises(ValueError, match="not satisfied"):
            r1cs.check_witness(bad)
    # Our reader + writer reproduce every section of circom's file byte for byte.
    original = (d / f"{name}.r1cs").read_bytes()
    ours = r1cs_to_bytes(
        r1cs,
        n_outputs=info.n_outputs,
        n_prv_inputs=info.n_prv_inputs,
        wire_to_label=info.wire_to_label,
    )
    assert _sections(ours, b"r1cs") == _sections(original, b"r1cs")
    # And our witness writer reproduces snarkjs's .wtns exactly.
    assert wtns_to_bytes(witness) == (d / "witness.wtns").read_bytes()


@pytest.mark.node
@pytest.mark.filterwarnings("ignore::offchain.snark.setup.InsecureSetupWarning")
def test_we_prove_a_circom_circuit(compile_circom):
    from offchain.snark.prover import prove
    from offchain.snark.setup import dev_setup
    from offchain.snark.verifier import verify

    # One circuit is enough for the prover path (dev_setup keeps the suite slow otherwise).
    name = "cube"
    d = compile_circom(name)
    r1cs = read_r1cs(d / f"{name}.r1cs")
    witness = read_wtns(d / "witness.wtns")
    pk, vk = dev_setup(r1cs, seed="r1cs-file-test")
    proof = prove(pk, r1cs, witness)
    assert verify(vk, r1cs.public_signals(witness), proof)


@pytest.mark.node
def test_snarkjs_reads_our_files(tmp_path):
    _, r1cs, witness = _sample()
    write_r1cs(tmp_path / "c.r1cs", r1cs, n_outputs=1, n_prv_inputs=1)
    write_wtns(tmp_path / "ok.wtns", witness)

    info = _ANSI.sub("", snarkjs("r1cs", "info", "c.r1cs", cwd=tmp_path).stdout)
    expected = {
        "Wires": r1cs.n_wires,
        "Constraints": r1cs.n_constraints,
        "Private Inputs": 1,
        "Public Inputs": r1cs.n_public - 1,
        "Labels": r1cs.n_wires,
        "Outputs": 1,
    }
    for key, value in expected.items():
        assert re.search(rf"# of {key}: {value}\b", info), (key, info)

    ok = snarkjs("wtns", "check", "c.r1cs", "ok.wtns", cwd=tmp_path)
    assert "WITNESS IS CORRECT" in _ANSI.sub("", ok.stdout)

    bad = list(witness)
    bad[-1] = (bad[-1] + 1) % R
    write_wtns(tmp_path / "bad.wtns", bad)
    res = snarkjs("wtns", "check", "c.r1cs", "bad.wtns", cwd=tmp_path, check=False)
    out = _ANSI.sub("", res.stdout + res.stderr)
    assert "WITNESS IS CORRECT" not in out
    assert "WITNESS IS NOT CORRECT" in out or res.returncode != 0
