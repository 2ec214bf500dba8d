"""SHA-256 gadget: the digest of ``hashlib.sha256`` (and of an independent bit-level reference
for lengths that are not whole bytes), at fewer constraints than circomlib, with no other
witness: a flipped message bit, a forged schedule or round word, a forged bit or product all
fail. Plus the batch commitment rule (top 3 bits cleared) and its circuit twin.

Witness generation and checking are pure Python (~0.1 s per block each), so the default tests
stay at one or two blocks; longer messages are ``slow``.
"""

from __future__ import annotations

import hashlib
import random
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offchain.snark.gadgets.sha256 import (
    COMMITMENT_BITS,
    bits_from_bytes,
    bytes_from_bits,
    commitment_from_digest,
    digest_to_commitment,
    sha256_block_count,
    sha256_compress,
    sha256_constraint_count,
    sha256_gadget,
    sha256_padding,
    uint256_bits,
)
from offchain.snark.r1cs import LC, R1CS, Circuit, R
from tests.offchain.snark.test_gadgets_babyjub import assert_single_wire_tampering_caught
from tests.offchain.snark.test_gadgets_basic import ForgingCircuit, violated_label

# Constraint counts (pinned; circomlib's re-derived by the node test).
ONE_BLOCK_256_COST = 25325  # a 256-bit message: one block, the padding constant
FULL_BLOCK_COST = 26282  # sha256_compress with a variable state and block
CIRCOMLIB_SHA256_256_COST = 29380  # circomlib Sha256(256), circom 2.2.3 --O2
BLOCK_TARGET = 30_000

# A block's witness takes ~0.25 s to build and check: a sixth of the profile's examples.
fewer = settings(max_examples=max(6, settings.default.max_examples // 6))


# ---------------------------------------------------------------------------------------------
# An independent reference that takes bit strings (FIPS 180-4, written from the standard)
# ---------------------------------------------------------------------------------------------

_K = [
    int(((p ** (1 / 3)) % 1) * (1 << 32)) for p in (
        2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83,
        89, 97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167, 173, 179,
        181, 191, 193, 197, 199, 211, 223, 227, 229, 233, 239, 241, 251, 257, 263, 269, 271,
        277, 281, 283, 293, 307, 311,
    )
]  # fmt: skip


def _ref_sha256_bits(bits: list[int]) -> bytes:
    def rotr(x: int, n: int) -> int:
        return ((x >> n) | (x << (32 - n))) & 0xFFFFFFFF

    n = len(bits)
    msg = list(bits) + [1]
    while len(msg) % 512 != 448:
        msg.append(0)
    msg += [(n >> (63 - i)) & 1 for i in range(64)]
    h = [
        0x6A09E667,
        0xBB67AE85,
        0x3C6EF372,
        0xA54FF53A,
        0x510E527F,
        0x9B05688C,
        0x1F83D9AB,
        0x5BE0CD19,
    ]
    for blk in range(len(msg) // 512):
        chunk = msg[512 * blk : 512 * blk + 512]
        w = [int("".join(map(str, chunk[32 * t : 32 * t + 32])), 2) for t in range(16)]
        for t in range(16, 64):
            s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
            s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
            w.append((w[t - 16] + s0 + w[t - 7] + s1) & 0xFFFFFFFF)
        a, b, c, d, e, f, g, hh = h
        for t in range(64):
            t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + _K[t] + w[t]
            t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))
            a, b, c, d, e, f, g, hh = (
                (t1 + t2) & 0xFFFFFFFF,
                a,
                b,
                c,
                (d + t1) & 0xFFFFFFFF,
                e,
                f,
                g,
            )
        h = [(x + y) & 0xFFFFFFFF for x, y in zip(h, (a, b, c, d, e, f, g, hh), strict=True)]
    return b"".join(x.to_bytes(4, "big") for x in h)


def test_reference_matches_hashlib():
    rng = random.Random(1)
    for n in (0, 1, 55, 56, 64, 119, 200):
        data = rng.randbytes(n)
        assert _ref_sha256_bits(bits_from_bytes(data)) == hashlib.sha256(data).digest()


# ---------------------------------------------------------------------------------------------
# Circuits: message bits and a claimed digest as private inputs
# ---------------------------------------------------------------------------------------------


@cache
def hash_circuit(n_bits: int) -> tuple[ForgingCircuit, list[LC], R1CS, int]:
    c = ForgingCircuit(f"sha256_{n_bits}")
    msg = [c.private_input(f"m{i}") for i in range(n_bits)]
    claimed = [c.private_input(f"d{j}") for j in range(256)]
    first = c.n_constraints
    out = sha256_gadget(c, msg)
    cost = c.n_constraints - first
    for j, (o, d) in enumerate(zip(out, claimed, strict=True)):
        c.assert_equal(o, d, label=f"claimed{j}")
    return c, out, c.compile_private(), cost


def _inputs(bits: list[int], digest: bytes) -> dict[str, int]:
    return {
        **{f"m{i}": b for i, b in enumerate(bits)},
        **{f"d{j}": b for j, b in enumerate(bits_from_bytes(digest))},
    }


def _check(bits: list[int], want: bytes) -> list[int]:
    c, out, system, _ = hash_circuit(len(bits))
    w = c.witness(_inputs(bits, want))
    system.check_witness(w)
    assert bytes_from_bits([o.evaluate(w) for o in out]) == want
    return w


ONE_BLOCK_BYTES = (0, 32, 55)


@fewer
@given(data=st.data(), n=st.sampled_from(ONE_BLOCK_BYTES))
def test_one_block_matches_hashlib(data, n):
    msg = data.draw(st.binary(min_size=n, max_size=n), label="msg")
    _check(bits_from_bytes(msg), hashlib.sha256(msg).digest())


@pytest.mark.parametrize(
    "msg",
    [b"abc" * 21 + b"d", pytest.param(b"\x00" * 56, marks=pytest.mark.slow)],
    ids=["64B", "56B"],
)
def test_two_blocks_match_hashlib(msg):
    assert sha256_block_count(8 * len(msg)) == 2
    _check(bits_from_bytes(msg), hashlib.sha256(msg).digest())


@pytest.mark.parametrize("n_bits", [7, 447])
def test_bit_lengths_that_are_not_bytes(n_bits):
    bits = [random.Random(n_bits).randrange(2) for _ in range(n_bits)]
    _check(bits, _ref_sha256_bits(bits))


@pytest.mark.slow
@pytest.mark.parametrize("n", [448 // 8 + 1, 119, 120, 200])
def test_longer_messages_match_hashlib(n):
    msg = random.Random(n).randbytes(n)
    _check(bits_from_bytes(msg), hashlib.sha256(msg).digest())


def test_costs_and_lint():
    c, _, _, cost = hash_circuit(256)
    assert cost == ONE_BLOCK_256_COST == sha256_constraint_count(256)
    assert cost <= BLOCK_TARGET and cost < CIRCOMLIB_SHA256_256_COST
    assert c.lint() == []
    full = Circuit()
    sha256_compress(
        full,
        [full.private_input(f"s{i}") for i in range(256)],
        [full.private_input(f"b{i}") for i in range(512)],
    )
    assert full.n_constraints == FULL_BLOCK_COST <= BLOCK_TARGET
    assert full.lint() == []


def test_constant_message_folds_to_nothing():
    c = Circuit()
    msg = b"hatchway"
    out = sha256_gadget(c, bits_from_bytes(msg))
    assert c.n_constraints == 0
    assert bytes_from_bits([o.constant_value() for o in out]) == hashlib.sha256(msg).digest()


def test_compress_is_one_block_of_the_hash():
    msg = b"one block"
    bits = bits_from_bytes(msg)
    padded = bits + sha256_padding(len(bits))
    c = Circuit()
    block = [c.private_input(f"b{i}") for i in range(512)]
    out = sha256_compress(c, None, block)
    w = c.witness({f"b{i}": v for i, v in enumerate(padded)})
    c.compile().check_witness(w)
    assert bytes_from_bits([o.evaluate(w) for o in out]) == hashlib.sha256(msg).digest()
    with pytest.raises(ValueError, match="512 bits"):
        sha256_compress(c, None, block[:-1])


@pytest.mark.slow
def test_compress_chains_with_a_variable_state():
    msg = random.Random(2).randbytes(100)
    bits = bits_from_bytes(msg)
    padded = bits + sha256_padding(len(bits))
    c = Circuit()
    block = [c.private_input(f"b{i}") for i in range(1024)]
    state = sha256_compress(c, None, block[:512])
    out = sha256_compress(c, state, block[512:], name="second")
    w = c.witness({f"b{i}": v for i, v in enumerate(padded)})
    c.compile().check_witness(w)
    assert bytes_from_bits([o.evaluate(w) for o in out]) == hashlib.sha256(msg).digest()


def test_padding_and_bit_helpers():
    for n in range(0, 1600, 7):
        pad = sha256_padding(n)
        assert (n + len(pad)) % 512 == 0 and 65 <= len(pad) <= 512 + 64
        assert sha256_block_count(n) == (n + len(pad)) // 512
    data = bytes(range(256))
    assert bytes_from_bits(bits_from_bytes(data)) == data
    assert bits_from_bytes(b"\x80\x01") == [1] + [0] * 14 + [1]
    with pytest.raises(ValueError, match="whole number of bytes"):
        bytes_from_bits([1, 0, 1])


# ---------------------------------------------------------------------------------------------
# Soundness
# ---------------------------------------------------------------------------------------------

MSG = b"hatchway: a 32-byte commitment!!"  # 256 bits: the circuit of the cost test


def _honest(msg: bytes = MSG) -> tuple[ForgingCircuit, list[LC], R1CS, dict[str, int], list[int]]:
    c, out, system, _ = hash_circuit(8 * len(msg))
    inputs = _inputs(bits_from_bytes(msg), hashlib.sha256(msg).digest())
    w = c.witness(inputs)
    system.check_witness(w)
    return c, out, system, inputs, w


@fewer
@given(i=st.integers(0, 8 * len(MSG) - 1))
def test_a_flipped_message_bit_fails(i):
    c, _, system, inputs, w = _honest()
    # The same witness with one message bit flipped: the first constraint reading it fails.
    bad = list(w)
    wire = 1 + i  # private inputs in declaration order after the one-wire
    assert system.wire_names[wire] == f"m{i}"
    bad[wire] ^= 1
    assert not system.is_satisfied(bad)
    # A prover who hashes the flipped message honestly cannot claim the original digest.
    flipped = {**inputs, f"m{i}": inputs[f"m{i}"] ^ 1}
    assert violated_label(system, c.witness(flipped)).startswith("claimed")


@given(
    word=st.sampled_from(["w16", "w18", "w40", "w61", "r1.e", "r5.a", "r33.e", "r63.a", "h2"]),
    delta=st.one_of(st.integers(1, (1 << 36)), st.integers(1, R - 1)),
)
@fewer
def test_a_tampered_intermediate_word_fails(word, delta):
    """Shift a pinned sum (schedule word, round word, or final state word) and recompute
    everything after it honestly: its own constraint, or its decomposition, must refuse."""
    c, _, system, inputs, _ = _honest()
    name = f"sha256.{word}.sum" if word.startswith("h") else f"sha256.b0.{word}.sum"
    forged = c.forged_witness(inputs, {name: lambda ev, v: v + delta})
    assert violated_label(system, forged).startswith(name.removesuffix(".sum"))


@given(
    sig=st.sampled_from(
        ["b0.r9.a.bit5", "b0.r20.e.bit31", "b0.w30.bit3", "b0.r7.ch4", "b0.r8.maj0",
         "b0.r3.axb7", "b0.r12.S1.9b", "b0.w20.s0.4a", "h7.bit2"]
    ),
    delta=st.sampled_from([1, R - 1, 2]),
)  # fmt: skip
@fewer
def test_a_forged_bit_or_product_fails(sig, delta):
    c, _, system, inputs, _ = _honest()
    forged = c.forged_witness(inputs, {f"sha256.{sig}": lambda ev, v: v + delta})
    label = violated_label(system, forged)
    assert label.startswith(f"sha256.{sig.rsplit('.', 1)[0]}") or label.startswith("claimed")


def test_every_signal_is_determined():
    """All ~26k signals of a one-block hash, each perturbed alone: none can move."""
    c, out, system, _, w = _honest()
    first = 1 + 8 * len(MSG) + 256
    assert_single_wire_tampering_caught(system, w, out, first_wire=first, deltas=(1, R - 1))


# ---------------------------------------------------------------------------------------------
# The batch commitment
# ---------------------------------------------------------------------------------------------


@given(digest=st.binary(min_size=32, max_size=32))
def test_commitment_rule(digest):
    value = commitment_from_digest(digest)
    assert value == int.from_bytes(digest, "big") % (1 << 253) < R
    assert value == int.from_bytes(bytes([digest[0] & 0x1F]) + digest[1:], "big")
    bits = bits_from_bytes(digest)
    assert digest_to_commitment(bits).constant_value() == value
    assert COMMITMENT_BITS == 253 and (1 << COMMITMENT_BITS) < R
    assert commitment_from_digest(b"\xff" * 32) == (1 << 253) - 1
    with pytest.raises(ValueError, match="32 bytes"):
        commitment_from_digest(digest[:31])


@cache
def batch_circuit(n_fields: int, n_pubdata_bytes: int) -> tuple[Circuit, LC, R1CS]:
    """A miniature of the batch commitment: sha256(field elements as uint256 ‖ pubdata)."""
    c = Circuit(f"commitment_{n_fields}_{n_pubdata_bytes}")
    fields = [c.private_input(f"f{i}") for i in range(n_fields)]
    pub = [c.private_input(f"p{i}") for i in range(8 * n_pubdata_bytes)]
    bits: list[LC] = []
    for i, f in enumerate(fields):
        bits += uint256_bits(c, f, name=f"uint256_{i}")
    bits += pub
    commitment = c.expose(digest_to_commitment(sha256_gadget(c, bits)), "commitment")
    return c, commitment, c.compile()


def _batch_check(n_fields: int, n_pub: int, seed: int) -> None:
    rng = random.Random(seed)
    values = [rng.randrange(R) for _ in range(n_fields - 1)] + [R - 1]
    pubdata = rng.randbytes(n_pub)
    c, _, system = batch_circuit(n_fields, n_pub)
    w = c.witness(
        {
            **{f"f{i}": v for i, v in enumerate(values)},
            **{f"p{i}": b for i, b in enumerate(bits_from_bytes(pubdata))},
        }
    )
    system.check_witness(w)
    data = b"".join(v.to_bytes(32, "big") for v in values) + pubdata
    assert system.public_signals(w) == [commitment_from_digest(hashlib.sha256(data).digest())]
    assert c.lint() == []


def test_batch_commitment_matches_native():
    _batch_check(2, 8, seed=3)


@pytest.mark.slow
def test_batch_commitment_full_header_matches_native():
    # prev_root ‖ new_root ‖ priority_hash ‖ message_root ‖ pubdata
    _batch_check(4, 90, seed=4)


def test_uint256_bits_cost_and_order():
    c = Circuit()
    x = c.private_input("x")
    bits = uint256_bits(c, x)
    assert c.n_constraints == 384 and len(bits) == 256
    for v in (0, 1, R - 1, 1 << 252):
        w = c.witness({"x": v})
        c.compile().check_witness(w)
        assert [b.evaluate(w) for b in bits] == bits_from_bytes(v.to_bytes(32, "big"))


# ---------------------------------------------------------------------------------------------
# circom2 + circomlib
# ---------------------------------------------------------------------------------------------


@pytest.mark.node
@pytest.mark.slow  # circom2 takes ~10-20 s on Sha256; the count is pinned above
def test_cost_against_circomlib(tmp_path):
    from tests.offchain.snark.test_gadgets_poseidon import circomlib_constraint_count

    theirs = circomlib_constraint_count(tmp_path, ["sha256/sha256"], "Sha256(256)")
    print(f"one block (256-bit message): ours {ONE_BLOCK_256_COST}, circomlib {theirs}")
    assert theirs == CIRCOMLIB_SHA256_256_COST
    assert ONE_BLOCK_256_COST <= FULL_BLOCK_COST <= BLOCK_TARGET < theirs + 1000
    assert FULL_BLOCK_COST < theirs
