"""Multi-party setup: phase 1 transcripts, Lagrange conversion + phase 2, and snarkjs ``.ptau`` files.

- With known secrets, the ceremony's keys equal ``dev_keys_from_toxic_waste`` for the same
  (τ, α, β, γ = 1, δ) point for point, and proofs made with them verify.
- Tampered transcripts are rejected with a reason (a wrong power, a contribution that does not
  build on the previous accumulator, a phase-2 δ change without rescaling L/H, ...).
- Malformed ``.ptau`` bytes raise ``ValueError``; node tests import real snarkjs files.
"""

from __future__ import annotations

import dataclasses
import json
import random
import struct
from pathlib import Path

import numpy as np
import pytest

from offchain.crypto.bn254 import G1_GENERATOR, G2_GENERATOR, g1_array, g1_mul, g1_points, g2_mul
from offchain.crypto.field import FQ_MODULUS
from offchain.snark.ceremony import (
    Accumulator,
    ContributionProof,
    check_powers,
    contribute,
    contribute_phase2,
    contribute_phase2_with_secret,
    contribute_with_secrets,
    explain_phase2,
    explain_transcript,
    new_accumulator,
    phase2_initial_keys,
    verify_phase2,
    verify_phase2_from_accumulator,
    verify_transcript,
)
from offchain.snark.prover import prove
from offchain.snark.ptau import parse_ptau, ptau_bytes, read_ptau
from offchain.snark.r1cs import Circuit, R
from offchain.snark.setup import ToxicWaste, dev_keys_from_toxic_waste
from offchain.snark.verifier import verify
from tests.node_oracle import snarkjs

pytestmark = pytest.mark.filterwarnings("ignore::offchain.snark.setup.InsecureSetupWarning")


# Two contributions with known secrets (tests only): the combined toxic waste is their product.
SECRETS = [(5, 7, 11), (13, 17, 19)]
TAU = 5 * 13
ALPHA = 7 * 17
BETA = 11 * 19
DELTAS = [23, 29]


def small_circuit() -> Circuit:
    """Public x, y, tag; private k, bit: out = (x·k)·(y + 3) + x + bit (domain 16)."""
    c = Circuit("ceremony-small")
    x = c.public_input("x")
    y = c.public_input("y")
    c.public_input("tag")
    k = c.private_input("k")
    bit = c.private_input("bit")
    c.assert_bool(bit)
    t = c.mul(x, k, name="t")
    u = c.mul(t, y + 3, name="u")
    c.expose(u + x + bit, "out")
    return c


def witness(c: Circuit) -> list[int]:
    return c.witness({"x": 3, "y": 5, "tag": 77, "k": 11, "bit": 1})


@pytest.fixture(scope="module")
def circuit():
    c = small_circuit()
    return c, c.compile()


@pytest.fixture(scope="module")
def phase1():
    """Power 5 (N = 32 ≥ 2·16): fresh → two known-secret contributions."""
    acc0 = new_accumulator(5)
    acc1, p1 = contribute_with_secrets(acc0, *SECRETS[0], name="first")
    acc2, p2 = contribute_with_secrets(acc1, *SECRETS[1], name="second")
    return acc0, acc1, acc2, p1, p2


@pytest.fixture(scope="module")
def phase2(phase1, circuit):
    _, r1cs = circuit
    acc2 = phase1[2]
    pk0, vk0 = phase2_initial_keys(acc2, r1cs)
    pk1, vk1, q1 = contribute_phase2_with_secret(pk0, vk0, DELTAS[0], name="p2-first")
    pk2, vk2, q2 = contribute_phase2_with_secret(pk1, vk1, DELTAS[1], name="p2-second")
    return pk0, vk0, pk1, vk1, q1, pk2, vk2, q2


def _replace_row(arr: np.ndarray, i: int, row: np.ndarray) -> np.ndarray:
    out = arr.copy()
    out[i] = row
    return out


# ---------------------------------------------------------------------------------------------
# Phase 1
# ---------------------------------------------------------------------------------------------


def test_new_accumulator_bounds():
    for bad in (0, 29, -1, True, 2.0):
        with pytest.raises(ValueError):
            new_accumulator(bad)  # type: ignore[arg-type]
    acc = new_accumulator(2)
    assert acc.tau_g1.shape == (7, 2, 4) and acc.tau_g2.shape == (4, 2, 2, 4)
    assert check_powers(acc) is None  # τ = α = β = 1 is consistent (and worthless)


def test_contributions_compute_the_powers(phase1):
    acc2 = phase1[2]
    pts = g1_points(acc2.tau_g1)
    for i in (0, 1, 2, 17, 2 * acc2.n - 2):
        assert pts[i] == g1_mul(G1_GENERATOR, pow(TAU, i, R))
    assert g1_points(acc2.alpha_tau_g1[3:4])[0] == g1_mul(G1_GENERATOR, ALPHA * TAU**3)
    assert g1_points(acc2.beta_tau_g1[5:6])[0] == g1_mul(G1_GENERATOR, BETA * TAU**5)
    assert acc2.beta_g2 == g2_mul(G2_GENERATOR, BETA)


def test_transcript_verifies(phase1):
    acc0, _, acc2, p1, p2 = phase1
    assert explain_transcript(acc0, [p1, p2], acc2) is None


def test_random_contribution_on_top_verifies(phase1):
    acc2 = phase1[2]
    acc3, p3 = contribute(acc2, b"operator entropy", name="third")
    assert acc3.digest() != acc2.digest()
    assert verify_transcript(acc2, [p3], acc3)


def test_tampered_power_rejected(phase1):
    acc0, _, acc2, p1, p2 = phase1
    wrong = g1_array([g1_mul(G1_GENERATOR, 123456789)])[0]
    bad = dataclasses.replace(acc2, tau_g1=_replace_row(acc2.tau_g1, 7, wrong))
    reason = explain_transcript(acc0, [p1, p2], bad)
    assert reason is not None and "tau_g1 powers" in reason, reason
    # The same relations alone (as for an imported file), on other sections and the last power.
    for section, i in (("tau_g1", 2 * acc2.n - 2), ("alpha_tau_g1", 4),
                       ("beta_tau_g1", acc2.n - 1)):  # fmt: skip
        bad = dataclasses.replace(acc2, **{section: _replace_row(getattr(acc2, section), i, wrong)})
        reason = check_powers(bad)
        assert reason is not None and section in reason, reason


@pytest.mark.slow
def test_tampered_power_rejected_full_transcripts(phase1):
    acc0, _, acc2, p1, p2 = phase1
    wrong = g1_array([g1_mul(G1_GENERATOR, 123456789)])[0]
    for section, i in (("tau_g1", 0), ("tau_g1", 2 * acc2.n - 2), ("alpha_tau_g1", 0),
                       ("alpha_tau_g1", 4), ("beta_tau_g1", acc2.n - 1)):  # fmt: skip
        bad = dataclasses.replace(acc2, **{section: _replace_row(getattr(acc2, section), i, wrong)})
        assert not verify_transcript(acc0, [p1, p2], bad)


def test_tampered_g2_power_rejected(phase1):
    acc2 = phase1[2]
    from offchain.crypto.bn254 import g2_array

    wrong = g2_array([g2_mul(G2_GENERATOR, 999)])[0]
    bad = dataclasses.replace(acc2, tau_g2=_replace_row(acc2.tau_g2, 9, wrong))
    reason = check_powers(bad)
    assert reason is not None and "tau_g2" in reason


def test_contribution_not_building_on_previous_rejected(phase1):
    acc0, acc1, acc2, p1, p2 = phase1
    # A valid contribution on another accumulator, spliced into the chain: its proof of
    # knowledge is bound to the accumulator it was made on.
    other1, q1 = contribute_with_secrets(acc0, 3, 3, 3, name="first")
    reason = explain_transcript(acc0, [q1, p2], acc2)
    assert reason is not None and "contribution 1" in reason
    # Same secrets as p2 but made on `other1`: the chain holds, but the final accumulator is not
    # what it produced.
    _, q2 = contribute_with_secrets(other1, *SECRETS[1], name="second")
    reason = explain_transcript(acc0, [q1, q2], acc2)
    assert reason is not None and "final accumulator" in reason
    # PoK valid for `other1`, but claiming acc2's key points: the pairing chain check fails.
    forged = dataclasses.replace(q2, after=acc2.key_points())
    reason = explain_transcript(acc0, [q1, forged], acc2)
    assert reason is not None and "does not build on the previous" in reason


@pytest.mark.slow
def test_more_broken_chains_rejected(phase1):
    acc0, acc1, acc2, p1, p2 = phase1
    # Dropping a contribution breaks the chain.
    assert not verify_transcript(acc0, [p2], acc2)
    # A mismatched [x]G2 publication.
    bad_tau = dataclasses.replace(p1.tau, x_g2=g2_mul(G2_GENERATOR, 6))
    bad = dataclasses.replace(p1, tau=bad_tau)
    assert not verify_transcript(acc0, [bad], acc1)


def test_transcript_malformed_input():
    acc = new_accumulator(1)
    with pytest.raises(ValueError):
        explain_transcript(acc, ["nope"], acc)  # type: ignore[list-item]
    with pytest.raises(ValueError):
        explain_transcript(acc, [], new_accumulator(2))
    with pytest.raises(ValueError):
        contribute_with_secrets(acc, 0, 1, 1)


# ---------------------------------------------------------------------------------------------
# Phase 2
# ---------------------------------------------------------------------------------------------


def _assert_keys_equal(pk, vk, dpk, dvk):
    for name in ("a_query", "b1_query", "b2_query", "l_query", "h_query"):
        assert np.array_equal(getattr(pk, name), getattr(dpk, name)), name
    for name in ("n_wires", "n_public", "domain_size", "r1cs_digest", "alpha_1", "beta_1",
                 "beta_2", "delta_1", "delta_2"):  # fmt: skip
        assert getattr(pk, name) == getattr(dpk, name), name
    assert vk == dvk


def test_initial_keys_equal_dev_keys(phase2, circuit):
    _, r1cs = circuit
    pk0, vk0 = phase2[:2]
    dpk, dvk = dev_keys_from_toxic_waste(r1cs, ToxicWaste(TAU, ALPHA, BETA, 1, 1))
    _assert_keys_equal(pk0, vk0, dpk, dvk)


def test_phase2_keys_equal_dev_keys_and_prove(phase1, phase2, circuit):
    c, r1cs = circuit
    pk0, vk0, pk1, vk1, q1, pk2, vk2, q2 = phase2
    dpk, dvk = dev_keys_from_toxic_waste(
        r1cs, ToxicWaste(TAU, ALPHA, BETA, 1, DELTAS[0] * DELTAS[1])
    )
    _assert_keys_equal(pk2, vk2, dpk, dvk)
    assert explain_phase2(pk0, vk0, [q1, q2], pk2, vk2) is None
    assert verify_phase2(pk1, vk1, [q2], pk2, vk2)
    assert verify_phase2_from_accumulator(phase1[2], r1cs, [q1, q2], pk2, vk2)
    w = witness(c)
    proof = prove(pk2, r1cs, w, rng=random.Random(7))
    assert verify(vk2, r1cs.public_signals(w), proof)


def test_phase2_random_contribution(phase2, circuit):
    c, r1cs = circuit
    pk2, vk2 = phase2[5], phase2[6]
    pk3, vk3, q3 = contribute_phase2(pk2, vk2, "more entropy", name="third")
    assert verify_phase2(pk2, vk2, [q3], pk3, vk3)
    w = witness(c)
    assert verify(vk3, r1cs.public_signals(w), prove(pk3, r1cs, w, rng=random.Random(8)))


def test_phase2_delta_without_rescaling_rejected(phase2):
    pk0, vk0, pk1, vk1, q1 = phase2[:5]
    # δ changed (with a valid proof of knowledge) but L and H kept: rejected.
    bad = dataclasses.replace(pk1, l_query=pk0.l_query, h_query=pk0.h_query)
    reason = explain_phase2(pk0, vk0, [q1], bad, vk1)
    assert reason is not None and "L/H" in reason
    # Only H rescaled wrongly (one row).
    h = _replace_row(pk1.h_query, 3, g1_array([g1_mul(G1_GENERATOR, 5)])[0])
    assert not verify_phase2(pk0, vk0, [q1], dataclasses.replace(pk1, h_query=h), vk1)
    # δ2 inconsistent with δ1.
    d2 = g2_mul(G2_GENERATOR, 77)
    bad = dataclasses.replace(pk1, delta_2=d2)
    assert not verify_phase2(pk0, vk0, [q1], bad, dataclasses.replace(vk1, delta_2=d2))
    # Another key component changed.
    bad = dataclasses.replace(pk1, a_query=pk1.b1_query)
    assert "a_query" in explain_phase2(pk0, vk0, [q1], bad, vk1)
    # No proof for the δ change.
    assert not verify_phase2(pk0, vk0, [], pk1, vk1)


@pytest.mark.slow
def test_bigger_ceremony_matches_dev_keys():
    """Power 8 (N = 256) and a 64-row circuit: the same identities at a less toy size."""
    c = Circuit("ceremony-chain")
    acc_w = c.public_input("x")
    k = c.private_input("k")
    for i in range(25):
        sq = c.mul(acc_w, acc_w, name=f"sq{i}")
        acc_w = c.mul(sq, acc_w + k, name=f"step{i}") + i
    c.expose(acc_w, "y")
    r1cs = c.compile()
    acc0 = new_accumulator(8)
    acc1, p1 = contribute_with_secrets(acc0, 1234567, 7654321, 13579, name="a")
    assert verify_transcript(acc0, [p1], acc1)
    pk0, vk0 = phase2_initial_keys(acc1, r1cs)
    pk, vk, q = contribute_phase2_with_secret(pk0, vk0, 2468, name="b")
    assert verify_phase2(pk0, vk0, [q], pk, vk)
    dpk, dvk = dev_keys_from_toxic_waste(r1cs, ToxicWaste(1234567, 7654321, 13579, 1, 2468))
    _assert_keys_equal(pk, vk, dpk, dvk)
    w = c.witness({"x": 2, "k": 9})
    assert verify(vk, r1cs.public_signals(w), prove(pk, r1cs, w, rng=random.Random(5)))


def test_phase2_needs_big_enough_accumulator(circuit):
    _, r1cs = circuit
    with pytest.raises(ValueError, match="2\\^power"):
        phase2_initial_keys(new_accumulator(4), r1cs)


# ---------------------------------------------------------------------------------------------
# .ptau files (format without node)
# ---------------------------------------------------------------------------------------------


def test_ptau_roundtrip(phase1):
    acc2 = phase1[2]
    acc, n_contrib = parse_ptau(ptau_bytes(acc2))
    assert acc.digest() == acc2.digest() and n_contrib == 0


def _section_offset(data: bytes, sid: int) -> int:
    pos = 12
    while True:
        s, size = struct.unpack_from("<IQ", data, pos)
        if s == sid:
            return pos + 12
        pos += 12 + size


def test_ptau_malformed_rejected():
    good = ptau_bytes(new_accumulator(2))
    q_le = FQ_MODULUS.to_bytes(32, "little")
    cases = {
        "truncated": good[:-10],
        "empty": b"",
        "magic": b"zkey" + good[4:],
        "version": good[:4] + struct.pack("<I", 2) + good[8:],
        "trailing": good + b"\x00",
    }
    hdr = _section_offset(good, 1)
    cases["curve"] = good[: hdr + 4] + (1).to_bytes(32, "little") + good[hdr + 36 :]
    t1 = _section_offset(good, 2)
    cases["non-canonical"] = good[:t1] + q_le + good[t1 + 32 :]
    off = bytearray(good)
    off[t1 + 40] ^= 1  # y of [τ^0]G1: off the curve
    cases["off-curve"] = bytes(off)
    t2 = _section_offset(good, 3)
    off = bytearray(good)
    off[t2 + 5] ^= 1
    cases["g2 off-curve"] = bytes(off)
    for name, data in cases.items():
        with pytest.raises(ValueError, match="ptau"):
            parse_ptau(data)
        assert name  # (for the failure message)


def test_ptau_missing_section():
    good = ptau_bytes(new_accumulator(1))
    # Rewrite section 6's id to 9: well-framed, but [β]G2 is missing.
    pos = 12
    data = bytearray(good)
    while True:
        sid, size = struct.unpack_from("<IQ", data, pos)
        if sid == 6:
            struct.pack_into("<I", data, pos, 9)
            break
        pos += 12 + size
    with pytest.raises(ValueError, match="missing section 6"):
        parse_ptau(bytes(data))


# ---------------------------------------------------------------------------------------------
# snarkjs interop (node)
# ---------------------------------------------------------------------------------------------


def _snarkjs(*args: str, cwd: Path) -> str:
    return snarkjs(*args, cwd=cwd).stdout


@pytest.mark.node
def test_snarkjs_ptau_import_contribute_prove(tmp_path, circuit):
    c, r1cs = circuit
    _snarkjs("powersoftau", "new", "bn128", "6", "pot.ptau", cwd=tmp_path)
    _snarkjs("powersoftau", "contribute", "pot.ptau", "pot1.ptau", "--name=x", "-e=entropy",
             cwd=tmp_path)  # fmt: skip
    acc, n_contrib = parse_ptau((tmp_path / "pot1.ptau").read_bytes())
    assert acc.power == 6 and n_contrib == 1
    assert check_powers(acc) is None
    # Our contribution on top, then phase 2 with one contribution; proofs verify here and in snarkjs.
    acc2, p = contribute(acc, b"hatchway", name="ours")
    assert verify_transcript(acc, [p], acc2)
    pk0, vk0 = phase2_initial_keys(acc2, r1cs)
    pk, vk, q = contribute_phase2(pk0, vk0, b"phase two")
    assert verify_phase2_from_accumulator(acc2, r1cs, [q], pk, vk)
    w = witness(c)
    proof = prove(pk, r1cs, w, rng=random.Random(3))
    signals = r1cs.public_signals(w)
    assert verify(vk, signals, proof)

    from offchain.snark.snarkjs_json import write_proof, write_public, write_vk

    write_vk(tmp_path / "vk.json", vk)
    write_proof(tmp_path / "proof.json", proof)
    write_public(tmp_path / "public.json", signals)
    out = _snarkjs("groth16", "verify", "vk.json", "public.json", "proof.json", cwd=tmp_path)
    assert "OK" in out
    bad = [str((signals[0] + 1) % R)] + [str(s) for s in signals[1:]]
    (tmp_path / "public.json").write_text(json.dumps(bad))
    with pytest.raises(RuntimeError):
        _snarkjs("groth16", "verify", "vk.json", "public.json", "proof.json", cwd=tmp_path)


@pytest.mark.node
def test_snarkjs_contributes_on_our_export(tmp_path, phase1):
    acc2 = phase1[2]
    (tmp_path / "ours.ptau").write_bytes(ptau_bytes(acc2))
    _snarkjs("powersoftau", "contribute", "ours.ptau", "theirs.ptau", "--name=y", "-e=e2",
             cwd=tmp_path)  # fmt: skip
    theirs = read_ptau(tmp_path / "theirs.ptau")
    assert theirs.digest() != acc2.digest()
    assert check_powers(theirs) is None


@pytest.mark.node
def test_snarkjs_corrupted_ptau_rejected(tmp_path):
    _snarkjs("powersoftau", "new", "bn128", "3", "pot.ptau", cwd=tmp_path)
    data = (tmp_path / "pot.ptau").read_bytes()
    assert isinstance(parse_ptau(data)[0], Accumulator)
    with pytest.raises(ValueError, match="truncated"):
        parse_ptau(data[: len(data) // 2])


def test_contribution_proof_type():
    assert dataclasses.is_dataclass(ContributionProof)
