"""The exit circuit (offchain/rollup/circuits/exit.py) and the disk-cached circuit keys.

Real exit witnesses from :class:`RollupState` satisfy it with ``encoding.exit_commitment``;
claiming another amount, owner, token, account or root (with the commitment L1 would compute for
that claim) fails at the Merkle root, and a commitment for anything but the witness fails at the
commitment. End to end: keys made into an empty cache directory, reloaded from disk, one proof.
"""

from __future__ import annotations

import copy
import warnings
from functools import cache

import pytest

from offchain.crypto import eddsa
from offchain.rollup import encoding as enc
from offchain.rollup.circuits.exit import (
    EXIT_MESSAGE_BYTES,
    exit_circuit,
    exit_circuit_inputs,
)
from offchain.rollup.params import OP_TRANSFER, TEST_PARAMS, ChainParams
from offchain.rollup.state import ExitWitness, Op, RollupState, signed_op
from offchain.snark.gadgets.sha256 import sha256_block_count
from offchain.snark.r1cs import R1CS, Circuit

P = TEST_PARAMS
KEYS = [bytes([i + 1]) * 32 for i in range(3)]
OWNERS = [0xB0B0000 + i for i in range(3)]
LAST = (1 << P.account_depth) - 1


@cache
def system() -> tuple[Circuit, R1CS]:
    c = exit_circuit(P)
    return c, c.compile()


@cache
def state() -> RollupState:
    s = RollupState(P)
    kh = [enc.key_hash(*eddsa.public_key(k)) for k in KEYS]
    s.build_batch([Op.open(1, OWNERS[0], kh[0]), Op.open(LAST, OWNERS[1], kh[1])], bytes(32))
    s.build_batch([Op.deposit(1, 0, 1000), Op.deposit(1, 3, (1 << 128) - 1)], bytes(32))
    s.build_batch([Op.deposit(LAST, 2, 5)], bytes(32))
    transfer = signed_op(OP_TRANSFER, KEYS[0], P.chain_id, 0, 1, 0, 250, to=LAST)
    s.build_batch([transfer], bytes(32))
    return s


def label(w: ExitWitness | dict[str, int]) -> str | None:
    c, r = system()
    witness = c.witness(w if isinstance(w, dict) else exit_circuit_inputs(w))
    i = r.first_violation(witness)
    return None if i is None else r.constraints[i].label


def claim(w: ExitWitness, **changes) -> ExitWitness:
    """``w`` with fields replaced and the commitment L1 would compute for the new claim."""
    w = copy.deepcopy(w)
    for k, v in changes.items():
        setattr(w, k, v)
    w.commitment = enc.exit_commitment(w.root, w.account, w.owner, w.token, w.amount)
    return w


def test_size_and_lint():
    c, r = system()
    assert sha256_block_count(8 * EXIT_MESSAGE_BYTES) == 2
    assert r.n_public == 1 and r.wire_names[1] == "commitment"
    assert r.n_constraints + 2 <= 1 << 16
    print(f"exit circuit {P}: {r.n_constraints} constraints")
    assert c.lint() == []


@pytest.mark.parametrize("account,token", [(1, 0), (1, 3), (1, 1), (LAST, 0), (LAST, 2)])
def test_valid_exit(account, token):
    w = state().exit_witness(account, token)
    assert w.commitment == enc.exit_commitment(w.root, account, w.owner, token, w.amount)
    c, r = system()
    witness = c.witness(exit_circuit_inputs(w))
    r.check_witness(witness)
    assert r.public_signals(witness) == [w.commitment]


def test_wrong_claims_fail():
    w = state().exit_witness(1, 0)
    assert w.amount == 750
    assert label(claim(w, amount=751)) == "accounts.root"
    assert label(claim(w, amount=0)) == "accounts.root"
    assert label(claim(w, owner=OWNERS[1])) == "accounts.root"
    assert label(claim(w, token=2)) == "accounts.root"  # token 2 of account 1 is empty
    assert label(claim(w, token=3)) == "accounts.root"  # another token's balance, this path
    assert label(claim(w, account=LAST)) == "accounts.root"
    assert label(claim(w, account=2)) == "accounts.root"  # not open
    assert label(claim(w, root=(w.root + 1) % enc.R)) == "accounts.root"
    # The root of an earlier state, under which the account held less.
    old = RollupState(P)
    assert label(claim(w, root=old.root)) == "accounts.root"


def test_wrong_witness_parts_fail():
    w = state().exit_witness(LAST, 0)
    assert label(claim(w, key_hash=w.key_hash + 1)) == "accounts.root"
    assert label(claim(w, nonce=w.nonce + 1)) == "accounts.root"
    for path in ("balance_siblings", "account_siblings"):
        for level in (0, -1):
            sibs = list(getattr(w, path))
            sibs[level] = (sibs[level] + 1) % enc.R
            assert label(claim(w, **{path: sibs})) == "accounts.root"


def test_commitment_must_match():
    w = state().exit_witness(1, 3)
    for other in (
        enc.exit_commitment(w.root, w.account, w.owner, w.token, w.amount - 1),
        enc.exit_commitment(w.root, w.account, OWNERS[2], w.token, w.amount),
        w.commitment ^ 1,
    ):
        bad = copy.deepcopy(w)
        bad.commitment = other
        assert label(bad) == "commitment"


def test_out_of_range_fields_fail():
    w = state().exit_witness(1, 0)
    assert label(claim(w, account=1 + (1 << P.account_depth))) == "account.bit0"
    assert label(claim(w, token=1 << P.token_depth)) == "token.bit0"
    inputs = exit_circuit_inputs(w)
    inputs["owner"] += 1 << 160
    assert label(inputs) == "owner.bit0"
    inputs = exit_circuit_inputs(w)
    inputs["amount"] += 1 << 128
    assert label(inputs) == "amount.bit0"


def test_prove_verify_and_key_cache(tmp_path, monkeypatch):
    """Keys made into an empty cache (one file, named by the circuit digest), found there again
    by a fresh process-level cache, and one proof that verifies (~15 s in all)."""
    from offchain.rollup.circuits import keys as ck
    from offchain.snark.keys_io import load_keys
    from offchain.snark.qap import r1cs_digest
    from offchain.snark.setup import InsecureSetupWarning
    from offchain.snark.verifier import verify

    monkeypatch.setenv("HATCHWAY_KEYS_DIR", str(tmp_path))
    with pytest.warns(InsecureSetupWarning):  # made here: dev keys, and they say so
        r1cs, pk, vk = ck.circuit_keys("exit", P)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == [f"exit-{r1cs_digest(r1cs).hex()}.npz"]
    # Other slots / chain ids share the exit key (it depends on the depths only).
    assert ck.circuit_keys("exit", ChainParams(P.account_depth, P.token_depth, 7, 99))[2] is vk

    ck._keys.cache_clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error", InsecureSetupWarning)  # read from disk, not made again
        _, pk2, vk2 = ck.circuit_keys("exit", P)
    assert pk2 is not pk and vk2 == vk and pk2.r1cs_digest == pk.r1cs_digest
    assert (pk2.h_query == pk.h_query).all()

    w = state().exit_witness(1, 3)
    proof, public = ck.prove_exit(w)
    assert public == [w.commitment]
    assert verify(vk2, public, proof)
    assert not verify(vk2, [w.commitment ^ 1], proof)

    # A corrupt cache file is replaced by a freshly made (identical, seeded) key.
    path = tmp_path / files[0]
    path.write_bytes(b"not a key")
    ck._keys.cache_clear()
    with pytest.warns(InsecureSetupWarning):
        _, pk3, vk3 = ck.circuit_keys("exit", P)
    assert vk3 == vk and load_keys(path)[1] == vk
    ck._keys.cache_clear()
    with pytest.raises(ValueError, match="kind"):
        ck.circuit_keys("deposit", P)
