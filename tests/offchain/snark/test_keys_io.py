"""Groth16 keys to and from disk (offchain/snark/keys_io.py): exact round trips, keys that still
prove and verify after the trip, partial files, malformed files, atomic writes."""

from __future__ import annotations

import random
import warnings
from functools import cache

import numpy as np
import pytest

from offchain.snark import keys_io
from offchain.snark.keys import ProvingKey, VerifyingKey
from offchain.snark.keys_io import (
    load_keys,
    load_proving_key,
    load_verifying_key,
    save_keys,
    write_atomically,
)
from offchain.snark.prover import prove
from offchain.snark.r1cs import R1CS, Circuit
from offchain.snark.setup import dev_setup
from offchain.snark.verifier import verify


@cache
def small() -> tuple[Circuit, R1CS, ProvingKey, VerifyingKey]:
    """x · y = z, z and x + y public: two public signals, a few private wires."""
    c = Circuit("small")
    z = c.public_input("z")
    x, y = c.private_input("x"), c.private_input("y")
    c.enforce(x, y, z)
    c.expose(x + y, "sum")
    x2 = c.mul(x, x)
    c.enforce(x2, y, c.mul(x2, y))
    r1cs = c.compile()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pk, vk = dev_setup(r1cs, seed=7)
    return c, r1cs, pk, vk


PK_SCALARS = ("n_wires", "n_public", "domain_size", "r1cs_digest")
PK_POINTS = ("alpha_1", "beta_1", "beta_2", "delta_1", "delta_2")
PK_QUERIES = ("a_query", "b1_query", "b2_query", "l_query", "h_query")


def assert_same_pk(a: ProvingKey, b: ProvingKey) -> None:
    for name in PK_SCALARS + PK_POINTS:
        assert getattr(a, name) == getattr(b, name), name
    for name in PK_QUERIES:
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype == np.uint64 and x.shape == y.shape, name
        assert np.array_equal(x, y), name


def test_round_trip(tmp_path):
    c, r1cs, pk, vk = small()
    path = tmp_path / "k.npz"
    save_keys(path, pk, vk)
    pk2, vk2 = load_keys(path)
    assert_same_pk(pk, pk2)
    assert vk2 == vk
    assert_same_pk(load_proving_key(path), pk)
    assert load_verifying_key(path) == vk
    # The loaded keys prove and verify.
    witness = c.witness({"z": 12, "x": 3, "y": 4})
    proof = prove(pk2, r1cs, witness, rng=random.Random(1))
    assert verify(vk2, r1cs.public_signals(witness), proof)
    assert verify(vk, [12, 7], proof) and not verify(vk2, [12, 8], proof)


def test_infinity_points_survive(tmp_path):
    """Query rows of wires absent from a matrix are infinity (zero rows); single points too."""
    _, _, pk, vk = small()
    assert not pk.b2_query.any(axis=(1, 2, 3)).all()  # some rows are infinity already
    vk_inf = VerifyingKey(vk.alpha_1, vk.beta_2, vk.gamma_2, vk.delta_2, (*vk.ic[:-1], None))
    save_keys(tmp_path / "v.npz", vk=vk_inf)
    assert load_verifying_key(tmp_path / "v.npz") == vk_inf


def test_partial_files(tmp_path):
    _, _, pk, vk = small()
    save_keys(tmp_path / "pk.npz", pk=pk)
    save_keys(tmp_path / "vk.npz", vk=vk)
    assert load_keys(tmp_path / "vk.npz") == (None, vk)
    pk2, none = load_keys(tmp_path / "pk.npz")
    assert none is None
    assert_same_pk(pk, pk2)
    with pytest.raises(ValueError, match="no verifying key"):
        load_verifying_key(tmp_path / "pk.npz")
    with pytest.raises(ValueError, match="no proving key"):
        load_proving_key(tmp_path / "vk.npz")
    # Skipping a key skips reading it.
    assert load_keys(tmp_path / "pk.npz", proving=False) == (None, None)
    with pytest.raises(ValueError, match="nothing to save"):
        save_keys(tmp_path / "x.npz")
    with pytest.raises(ValueError, match="ProvingKey"):
        save_keys(tmp_path / "x.npz", pk=vk)  # type: ignore[arg-type]


def test_malformed_files(tmp_path):
    _, _, pk, vk = small()
    missing = tmp_path / "missing.npz"
    with pytest.raises(ValueError, match="cannot read"):
        load_keys(missing)
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"\x00" * 100)
    with pytest.raises(ValueError):
        load_keys(garbage)
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, x=np.arange(3))
    with pytest.raises(ValueError, match="not a hatchway"):
        load_keys(foreign)
    single = tmp_path / "single.npy"
    np.save(single, np.arange(3))
    with pytest.raises(ValueError, match="cannot read"):
        load_keys(single)
    # A truncated archive (a torn write without the atomic rename).
    good = tmp_path / "good.npz"
    save_keys(good, pk, vk)
    torn = tmp_path / "torn.npz"
    torn.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(ValueError):
        load_keys(torn)


def test_tampered_points_are_rejected(tmp_path):
    _, _, pk, vk = small()
    path = tmp_path / "k.npz"
    save_keys(path, pk, vk)
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["vk.ic"] = arrays["vk.ic"].copy()
    arrays["vk.ic"][0, 1, 0] ^= np.uint64(1)  # off the curve
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="ic"):
        load_keys(path)
    pk2, vk2 = load_keys(path, validate=False)  # a trusted cache may skip the checks
    assert vk2 is not None and vk2.ic[0] != vk.ic[0]
    arrays["pk.h_query"] = arrays["pk.h_query"][:-1]  # wrong shape
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="h_query"):
        load_keys(path, validate=False)


def test_write_atomically(tmp_path):
    target = tmp_path / "sub" / "t.bin"
    write_atomically(target, lambda f: f.write(b"one"))
    assert target.read_bytes() == b"one"

    def fail(f):
        f.write(b"partial")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomically(target, fail)
    assert target.read_bytes() == b"one"  # untouched
    assert [p.name for p in target.parent.iterdir()] == ["t.bin"]  # no temporary left over
    write_atomically(target, lambda f: f.write(b"two"))
    assert target.read_bytes() == b"two"
    assert keys_io.FORMAT.startswith("hatchway-groth16-keys/")
