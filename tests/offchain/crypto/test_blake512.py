"""BLAKE-512 (original SHA-3-finalist BLAKE): spec test vectors and the npm `blake-hash` oracle."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from offchain.crypto.blake512 import BLOCK_BYTES, DIGEST_BYTES, blake512
from tests.node_oracle import run_node_oracle

# Lengths where the padding changes shape: the 0x80 and 0x01 markers share a byte at 111 mod 128,
# the 16-byte length no longer fits from 112 mod 128 on, a block boundary lands exactly at 128.
_EDGE_LENGTHS = [0, 1, 55, 56, 63, 64, 110, 111, 112, 113, 127, 128, 129, 239, 240, 255, 256, 257,
                 367, 368, 383, 384, 385, 1023, 1024, 1025]  # fmt: skip


def test_spec_vectors() -> None:
    """The two BLAKE-512 examples of the BLAKE specification (appendix A.4) and the empty input."""
    assert blake512(b"\x00").hex() == (
        "97961587f6d970faba6d2478045de6d1fabd09b61ae50932054d52bc29d31be4"
        "ff9102b9f69e2bbdb83be13d4b9c06091e5fa0b48bd081b634058be0ec49beb3"
    )
    assert blake512(bytes(144)).hex() == (
        "313717d608e9cf758dcb1eb0f0c3cf9fc150b2d500fb33f51c52afc99d358a2f"
        "1374b8a38bba7974e7f6ef79cab16f22ce1e649d6e01ad9589c213045d545dde"
    )
    assert blake512(b"").hex() == (
        "a8cfbbd73726062df0c6864dda65defe58ef0cc52a5625090fa17601e1eecd1b"
        "628e94f396ae402a00acc9eab77b4d4c2e852aaaa25a636d80af3fc7913ef5b8"
    )


def test_not_blake2b() -> None:
    """Guard against a mix-up with BLAKE2b, which shares the IV and permutations but not the digest."""
    import hashlib

    assert blake512(b"abc") != hashlib.blake2b(b"abc").digest()


@given(st.binary(max_size=3 * BLOCK_BYTES))
def test_digest_shape_and_determinism(data: bytes) -> None:
    """Always 64 bytes; accepts bytes-like input; one flipped bit changes the digest."""
    d = blake512(data)
    assert len(d) == DIGEST_BYTES
    assert blake512(bytearray(data)) == d
    if data:
        flipped = bytes([data[0] ^ 1]) + data[1:]
        assert blake512(flipped) != d


@pytest.mark.node
def test_matches_blake_hash_npm() -> None:
    """Every length 0..400, the padding edge cases, and random longer inputs, in one node call."""
    rng = random.Random(0xB1A4E)
    lengths = list(range(401)) + _EDGE_LENGTHS + [rng.randrange(401, 3000) for _ in range(40)]
    inputs = [rng.randbytes(n) for n in lengths]
    # Structured inputs too: all-zero and all-0xff blocks exercise carries in the additions.
    inputs += [bytes(n) for n in _EDGE_LENGTHS] + [b"\xff" * n for n in _EDGE_LENGTHS]
    reply = run_node_oracle("blake_oracle.js", {"inputs": [x.hex() for x in inputs]})
    assert reply["digests"] == reply["digests_js"]  # the package's native and JS builds agree
    for data, want in zip(inputs, reply["digests"], strict=True):
        assert blake512(data).hex() == want, f"mismatch at length {len(data)}"
