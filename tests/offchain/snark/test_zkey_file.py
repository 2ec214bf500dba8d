"""snarkjs Groth16 ``.zkey`` files (:mod:`offchain.snark.zkey_file`), both directions.

Without node: round trip of dev keys, and every malformed/foreign file refused with a message
naming the problem. With node (marked ``node``):

- snarkjs ``groth16 prove`` with our zkey → our verifier and ``groth16 verify`` accept, and
  ``zkey export verificationkey`` gives our vk;
- we prove with snarkjs's zkey (circom circuit, ``groth16 setup`` + ``zkey contribute``) and
  ``groth16 verify`` accepts with snarkjs's own vk;
- :func:`phase2_initial_keys` written by :func:`zkey_bytes` is byte-identical to ``snarkjs zkey
  new``'s file (all ten sections, csHash included), for a circuit of ours and a circom one —
  an independent check of our whole Lagrange/QAP convention;
- a PLONK zkey is refused.
"""

from __future__ import annotations

import struct

import numpy as np
import pytest

from offchain.crypto.bn254 import g2_array
from offchain.crypto.field import FQ_MODULUS
from offchain.snark.ceremony import phase2_initial_keys
from offchain.snark.prover import prove
from offchain.snark.ptau import read_ptau
from offchain.snark.r1cs import Circuit, R
from offchain.snark.r1cs_file import read_r1cs, write_r1cs
from offchain.snark.setup import dev_setup
from offchain.snark.snarkjs_json import read_proof, read_public, read_vk, write_proof, write_public
from offchain.snark.verifier import verify
from offchain.snark.wtns_file import read_wtns, write_wtns
from offchain.snark.zkey_file import (
    parse_zkey,
    read_zkey,
    read_zkey_verifying_key,
    write_zkey,
    zkey_bytes,
)
from tests.offchain.crypto.test_msm import _off_subgroup_twist_point
from tests.offchain.snark.test_snarkjs_interop import _circom_flow, ptau  # noqa: F401 (fixture)

pytestmark = pytest.mark.filterwarnings("ignore::offchain.snark.setup.InsecureSetupWarning")

QUERIES = ("a_query", "b1_query", "b2_query", "l_query", "h_query")


def _poly(const: int = 7) -> tuple[Circuit, dict]:
    c = Circuit("poly")
    x = c.public_input("x")
    y = c.public_input("y")
    k = c.private_input("k")
    t = c.mul(x, k)
    c.expose(c.mul(t, y + const) + 1, "out")
    return c, {"x": 5, "y": 9, "k": 123456789}


def _private_only() -> tuple[Circuit, dict]:
    c = Circuit("private-only")
    a = c.private_input("a")
    b = c.private_input("b")
    c.assert_equal(c.mul(a, b), 391)
    return c, {"a": 17, "b": 23}


@pytest.fixture(scope="module")
def poly():
    circuit, inputs = _poly()
    r1cs = circuit.compile()
    pk, vk = dev_setup(r1cs, seed="zkey-poly")
    return circuit, inputs, r1cs, pk, vk, zkey_bytes(pk, vk, r1cs)


def _table(data: bytes) -> list[tuple[int, int, int]]:
    """``[(id, body offset, size)]`` in file order (test-side, independent of the module)."""
    n = struct.unpack_from("<I", data, 8)[0]
    pos, out = 12, []
    for _ in range(n):
        sid, size = struct.unpack_from("<IQ", data, pos)
        out.append((sid, pos + 12, size))
        pos += 12 + size
    return out


def _section(data: bytes, sid: int) -> tuple[int, int]:
    for s, off, size in _table(data):
        if s == sid:
            return off, size
    raise AssertionError(f"no section {sid}")


def _patch(data: bytes, offset: int, new: bytes) -> bytes:
    return data[:offset] + new + data[offset + len(new) :]


def _assert_keys_equal(pk, vk, pk2, vk2) -> None:
    for name in QUERIES:
        assert np.array_equal(getattr(pk, name), getattr(pk2, name)), name
    for name in ("n_wires", "n_public", "domain_size", "r1cs_digest", "alpha_1", "beta_1",
                 "beta_2", "delta_1", "delta_2"):  # fmt: skip
        assert getattr(pk, name) == getattr(pk2, name), name
    assert vk == vk2


# ---------------------------------------------------------------------------------------------
# Round trip
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [_poly, _private_only], ids=["poly", "private-only"])
def test_round_trip(make, tmp_path):
    circuit, _ = make()
    r1cs = circuit.compile()
    pk, vk = dev_setup(r1cs, seed=f"zkey-rt-{circuit.name}")
    path = tmp_path / "k.zkey"
    write_zkey(path, pk, vk, r1cs)
    data = path.read_bytes()
    assert data[:4] == b"zkey"
    assert [s for s, _, _ in _table(data)] == [1, 2, 4, 3, 9, 8, 5, 6, 7, 10]
    # dev keys have γ ≠ 1: not an initial key, so csHash is written as zeros.
    off, size = _section(data, 10)
    assert data[off : off + size] == bytes(68)
    pk2, vk2 = read_zkey(path, r1cs)
    _assert_keys_equal(pk, vk, pk2, vk2)
    assert read_zkey_verifying_key(path) == vk
    # The key read back proves, and the proof verifies.
    w = circuit.witness(make()[1])
    assert verify(vk2, r1cs.public_signals(w), prove(pk2, r1cs, w))


def test_point_sections_are_our_arrays(poly):
    *_, pk, vk, data = poly
    for sid, name in ((5, "a_query"), (6, "b1_query"), (7, "b2_query"), (8, "l_query"),
                      (9, "h_query")):  # fmt: skip
        off, size = _section(data, sid)
        assert data[off : off + size] == getattr(pk, name).astype("<u8").tobytes(), name


def test_coefficients_are_r_squared_encoded(poly):
    # Independent of the module: decode section 4 by hand and compare with the r1cs as integers.
    _, _, r1cs, _, _, data = poly
    off, _ = _section(data, 4)
    (count,) = struct.unpack_from("<I", data, off)
    got = []
    for i in range(count):
        p = off + 4 + 44 * i
        m, c, s = struct.unpack_from("<III", data, p)
        v = int.from_bytes(data[p + 12 : p + 44], "little")
        got.append((m, c, s, v * pow(1 << 512, -1, R) % R))
    want = []
    for c, con in enumerate(r1cs.constraints):
        for m, lc in ((0, con.a), (1, con.b)):
            want += [(m, c, s, v % R) for s, v in sorted(lc.items()) if v % R]
    want += [(0, r1cs.n_constraints + s, s, 1) for s in range(r1cs.n_public + 1)]
    assert got == want


# ---------------------------------------------------------------------------------------------
# Negatives
# ---------------------------------------------------------------------------------------------


def test_truncated_and_bad_magic(poly):
    _, _, r1cs, *_, data = poly
    for bad, msg in (
        (data[:-1], "truncated"),
        (data[:100], "truncated"),
        (data[:8], "shorter than its 12-byte preamble"),
        (data + b"\0", "trailing"),
        (b"ptau" + data[4:], "bad magic"),
        (_patch(data, 4, struct.pack("<I", 2)), "unsupported version 2"),
    ):
        with pytest.raises(ValueError, match=f"^zkey: .*{msg}"):
            parse_zkey(bad, r1cs)


def test_missing_and_duplicate_sections(poly):
    _, _, r1cs, *_, data = poly
    # Drop section 9 (H): rebuild the file without it.
    parts = [(s, data[o : o + n]) for s, o, n in _table(data)]

    def build(secs):
        out = b"zkey" + struct.pack("<II", 1, len(secs))
        return out + b"".join(struct.pack("<IQ", s, len(b)) + b for s, b in secs)

    assert build(parts) == data  # the rebuilder itself is faithful
    with pytest.raises(ValueError, match="^zkey: missing section 9"):
        parse_zkey(build([p for p in parts if p[0] != 9]), r1cs)
    with pytest.raises(ValueError, match="^zkey: section 1 appears more than once"):
        parse_zkey(build([*parts, parts[0]]), r1cs)


def test_another_circuit_is_refused(poly):
    _, _, r1cs, *_, data = poly
    chain = Circuit("other")
    acc = chain.public_input("x")
    for i in range(5):
        acc = chain.mul(acc, acc + i)
    chain.expose(acc, "y")
    with pytest.raises(ValueError, match="^zkey: nVars is .*another circuit"):
        parse_zkey(data, chain.compile())
    # Same sizes, one coefficient different (y + 8 instead of y + 7).
    other, _ = _poly(const=8)
    with pytest.raises(ValueError, match="^zkey: coefficient section differs .*another circuit"):
        parse_zkey(data, other.compile())


def test_header_sizes_must_match_r1cs(poly):
    _, _, r1cs, pk, *_, data = poly
    off, _ = _section(data, 2)
    n_off = off + 4 + 32 + 4 + 32
    assert struct.unpack_from("<III", data, n_off) == (pk.n_wires, pk.n_public, pk.domain_size)
    with pytest.raises(ValueError, match=f"^zkey: nPublic is 1, the r1cs has {pk.n_public}"):
        parse_zkey(_patch(data, n_off + 4, struct.pack("<I", 1)), r1cs)
    with pytest.raises(ValueError, match=f"^zkey: domainSize is 16, the r1cs has {pk.domain_size}"):
        parse_zkey(_patch(data, n_off + 8, struct.pack("<I", 16)), r1cs)
    with pytest.raises(ValueError, match="^zkey: curve is not bn128"):
        parse_zkey(_patch(data, off + 4, (FQ_MODULUS + 2).to_bytes(32, "little")), r1cs)


def test_tampered_coefficient_is_refused(poly):
    _, _, r1cs, *_, data = poly
    off, _ = _section(data, 4)
    entry = off + 4 + 44 * 2  # the third entry's value
    v = int.from_bytes(data[entry + 12 : entry + 44], "little")
    bad = _patch(data, entry + 12, ((v + 1) % R).to_bytes(32, "little"))
    with pytest.raises(ValueError, match="^zkey: coefficient section differs"):
        parse_zkey(bad, r1cs)
    bad = _patch(data, entry + 12, R.to_bytes(32, "little"))
    with pytest.raises(ValueError, match="^zkey: coefficient 2 is not below r"):
        parse_zkey(bad, r1cs)
    bad = _patch(data, entry + 4, struct.pack("<I", 0))  # moved to row 0
    with pytest.raises(ValueError, match="^zkey: coefficient section"):
        parse_zkey(bad, r1cs)
    # A duplicated entry (count + 1, the first entry repeated at the end): the sum would differ.
    (count,) = struct.unpack_from("<I", data, off)
    first = data[off + 4 : off + 48]
    body = struct.pack("<I", count + 1) + data[off + 4 : off + 4 + 44 * count] + first
    secs = [(s, body if s == 4 else data[o : o + n]) for s, o, n in _table(data)]
    dup = b"zkey" + struct.pack("<II", 1, len(secs))
    dup += b"".join(struct.pack("<IQ", s, len(b)) + b for s, b in secs)
    with pytest.raises(ValueError, match="^zkey: coefficient section has a duplicate entry"):
        parse_zkey(dup, r1cs)


def test_bad_points_are_refused(poly):
    _, _, r1cs, pk, *_, data = poly
    off, _ = _section(data, 5)
    j = next(i for i in range(pk.n_wires) if pk.a_query[i].any())
    p = off + 64 * j
    flipped = bytes([data[p] ^ 1])
    with pytest.raises(
        ValueError, match=rf"^zkey: proving key: a_query\[{j}\] is not on the curve"
    ):
        parse_zkey(_patch(data, p, flipped), r1cs)
    with pytest.raises(ValueError, match=rf"^zkey: A\[{j}\] has a coordinate that is not below q"):
        parse_zkey(_patch(data, p, FQ_MODULUS.to_bytes(32, "little")), r1cs)
    # The vk's IC (section 3) and a header point.
    off3, _ = _section(data, 3)
    with pytest.raises(ValueError, match=r"^zkey: verifying key ic\[0\]: .*not on the curve"):
        parse_zkey(_patch(data, off3, bytes([data[off3] ^ 1])), r1cs)
    off2, _ = _section(data, 2)
    alpha = off2 + 4 + 32 + 4 + 32 + 12
    with pytest.raises(ValueError, match="^zkey: alpha_1.*not below q"):
        parse_zkey(_patch(data, alpha, b"\xff" * 32), r1cs)


def test_b2_outside_g2(poly, tmp_path):
    _, _, r1cs, pk, vk, data = poly
    off, _ = _section(data, 7)
    bad_point = g2_array([_off_subgroup_twist_point()]).astype("<u8").tobytes()
    bad = _patch(data, off + 128 * 1, bad_point)
    with pytest.raises(ValueError, match=r"^zkey: proving key: b2_query\[1\] is not in G2"):
        parse_zkey(bad, r1cs)
    pk2, _ = parse_zkey(bad, r1cs, check_subgroup=False)  # trusted file: skipped
    assert not np.array_equal(pk2.b2_query, pk.b2_query)
    # gamma_2 in the header is always subgroup-checked, also by read_zkey_verifying_key.
    off2, _ = _section(data, 2)
    gamma = off2 + 4 + 32 + 4 + 32 + 12 + 64 + 64 + 128
    bad = _patch(data, gamma, bad_point)
    (tmp_path / "bad.zkey").write_bytes(bad)
    with pytest.raises(ValueError, match="^zkey: verifying key gamma_2: .*not in the order-r"):
        read_zkey_verifying_key(tmp_path / "bad.zkey")
    with pytest.raises(ValueError, match="^zkey: verifying key gamma_2"):
        parse_zkey(bad, r1cs, check_subgroup=False)


def test_write_errors_leave_nothing(poly, tmp_path):
    _, _, r1cs, pk, vk, _ = poly
    target = tmp_path / "missing" / "k.zkey"
    with pytest.raises(ValueError, match="^zkey: cannot write .*does not exist"):
        write_zkey(target, pk, vk, r1cs)
    assert not (tmp_path / "missing").exists()
    other, _ = _poly(const=8)
    with pytest.raises(ValueError, match="^zkey: the proving key was made for another circuit"):
        write_zkey(tmp_path / "k.zkey", pk, vk, other.compile())
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="^zkey: cannot read"):
        read_zkey(tmp_path / "nope.zkey", r1cs)
    with pytest.raises(ValueError, match="^zkey: cannot read"):
        read_zkey_verifying_key(tmp_path / "nope.zkey")


# ---------------------------------------------------------------------------------------------
# snarkjs interop (node)
# ---------------------------------------------------------------------------------------------


@pytest.mark.node
def test_snarkjs_proves_with_our_zkey(poly, tmp_path):
    from tests.node_oracle import snarkjs

    circuit, inputs, r1cs, pk, vk, _ = poly
    write_zkey(tmp_path / "ours.zkey", pk, vk, r1cs)
    w = circuit.witness(inputs)
    write_wtns(tmp_path / "w.wtns", w)
    snarkjs("groth16", "prove", "ours.zkey", "w.wtns", "proof.json", "public.json", cwd=tmp_path)
    proof, public = read_proof(tmp_path / "proof.json"), read_public(tmp_path / "public.json")
    assert public == r1cs.public_signals(w)
    assert verify(vk, public, proof)
    assert not verify(vk, [(public[0] + 1) % R, *public[1:]], proof)
    snarkjs("zkey", "export", "verificationkey", "ours.zkey", "vk.json", cwd=tmp_path)
    assert read_vk(tmp_path / "vk.json") == vk
    ok = snarkjs(
        "groth16", "verify", "vk.json", "public.json", "proof.json", cwd=tmp_path, check=False
    )
    assert ok.returncode == 0 and "OK" in ok.stdout, ok.stdout + ok.stderr


@pytest.fixture(scope="module")
def cube(ptau, tmp_path_factory):  # noqa: F811 (ptau is the imported fixture)
    from tests.node_oracle import snarkjs

    d = tmp_path_factory.mktemp("cube")
    files = _circom_flow("cube", {"x": 3}, ptau, d)
    snarkjs("wtns", "calculate", "cube_js/cube.wasm", "input.json", "w.wtns", cwd=d)
    return d, files


@pytest.mark.node
def test_we_prove_with_snarkjs_zkey(cube, tmp_path):
    from tests.node_oracle import snarkjs

    d, files = cube
    r1cs = read_r1cs(d / "cube.r1cs")
    pk, vk = read_zkey(d / "cube.zkey", r1cs)
    assert vk == read_vk(files["vk"])
    assert read_zkey_verifying_key(d / "cube.zkey") == read_vk(files["vk"])
    w = read_wtns(d / "w.wtns")
    proof = prove(pk, r1cs, w)
    public = r1cs.public_signals(w)
    assert public == [3**3 + 3 + 5]
    write_proof(tmp_path / "proof.json", proof)
    write_public(tmp_path / "public.json", public)
    ok = snarkjs(
        "groth16", "verify", str(files["vk"]), "public.json", "proof.json", cwd=tmp_path,
        check=False,
    )  # fmt: skip
    assert ok.returncode == 0 and "OK" in ok.stdout, ok.stdout + ok.stderr
    write_public(tmp_path / "bad.json", [public[0] + 1])
    bad = snarkjs(
        "groth16", "verify", str(files["vk"]), "bad.json", "proof.json", cwd=tmp_path, check=False
    )
    assert bad.returncode != 0
    # And the contributed key is not an initial one: rewriting it zeroes csHash, nothing else.
    ours = zkey_bytes(pk, vk, r1cs)
    theirs = (d / "cube.zkey").read_bytes()
    for sid in range(1, 10):
        o1, n1 = _section(ours, sid)
        o2, n2 = _section(theirs, sid)
        assert ours[o1 : o1 + n1] == theirs[o2 : o2 + n2], sid


@pytest.mark.node
def test_zkey_new_byte_identical_ours(ptau, tmp_path):  # noqa: F811
    from tests.node_oracle import snarkjs

    circuit, _ = _poly()
    r1cs = circuit.compile()
    write_r1cs(tmp_path / "c.r1cs", r1cs)
    snarkjs("zkey", "new", "c.r1cs", str(ptau), "theirs.zkey", cwd=tmp_path)
    pk, vk = phase2_initial_keys(read_ptau(ptau), r1cs)
    ours = zkey_bytes(pk, vk, r1cs)
    theirs = (tmp_path / "theirs.zkey").read_bytes()
    assert [s for s, _, _ in _table(ours)] == [s for s, _, _ in _table(theirs)]
    for sid in range(1, 11):
        o1, n1 = _section(ours, sid)
        o2, n2 = _section(theirs, sid)
        assert ours[o1 : o1 + n1] == theirs[o2 : o2 + n2], f"section {sid}"
    assert ours == theirs
    _assert_keys_equal(pk, vk, *parse_zkey(theirs, r1cs))


@pytest.mark.node
def test_zkey_new_byte_identical_circom(cube, ptau):  # noqa: F811
    d, _ = cube
    r1cs = read_r1cs(d / "cube.r1cs")
    pk, vk = phase2_initial_keys(read_ptau(ptau), r1cs)
    assert zkey_bytes(pk, vk, r1cs) == (d / "cube_0.zkey").read_bytes()  # `groth16 setup`


@pytest.mark.node
def test_plonk_zkey_is_refused(cube, ptau, tmp_path):  # noqa: F811
    from tests.node_oracle import snarkjs

    d, _ = cube
    snarkjs("plonk", "setup", str(d / "cube.r1cs"), str(ptau), "plonk.zkey", cwd=tmp_path)
    r1cs = read_r1cs(d / "cube.r1cs")
    with pytest.raises(ValueError, match="^zkey: protocol is plonk, not groth16"):
        read_zkey(tmp_path / "plonk.zkey", r1cs)
    with pytest.raises(ValueError, match="^zkey: protocol is plonk, not groth16"):
        read_zkey_verifying_key(tmp_path / "plonk.zkey")
