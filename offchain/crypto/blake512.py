"""BLAKE-512: the SHA-3 finalist (Aumasson, Henzen, Meier, Phan; final round version, 16 rounds).

This is the *original* BLAKE, not BLAKE2: circomlibjs derives Baby JubJub EdDSA keys with the npm
``blake-hash`` package's ``blake512``, so EdDSA key derivation needs exactly this function. It is a
pure-Python implementation; EdDSA hashes one or two short blocks per signature, so speed is not a
concern here (signing is not on a hot path; verification never hashes with BLAKE).

Spec: "SHA-3 proposal BLAKE", version 1.3, section 2.2 (BLAKE-64, whose 512-bit digest variant is
BLAKE-512): 64-bit words, big-endian, 1024-bit blocks, a 128-bit bit counter, rotations 32/25/16/11.
"""

from __future__ import annotations

__all__ = ["blake512", "BLOCK_BYTES", "DIGEST_BYTES"]

BLOCK_BYTES = 128
DIGEST_BYTES = 64

_MASK64 = (1 << 64) - 1

# Initial value: the same words as SHA-512's IV.
_IV = (
    0x6A09E667F3BCC908, 0xBB67AE8584CAA73B, 0x3C6EF372FE94F82B, 0xA54FF53A5F1D36F1,
    0x510E527FADE682D1, 0x9B05688C2B3E6C1F, 0x1F83D9ABFB41BD6B, 0x5BE0CD19137E2179,
)  # fmt: skip

# The 16 constants c_0..c_15: the first 1024 fractional bits of pi.
_C = (
    0x243F6A8885A308D3, 0x13198A2E03707344, 0xA4093822299F31D0, 0x082EFA98EC4E6C89,
    0x452821E638D01377, 0xBE5466CF34E90C6C, 0xC0AC29B7C97C50DD, 0x3F84D5B5B5470917,
    0x9216D5D98979FB1B, 0xD1310BA698DFB5AC, 0x2FFD72DBD01ADFB7, 0xB8E1AFED6A267E96,
    0xBA7C9045F12C7F99, 0x24A19947B3916CF7, 0x0801F2E2858EFC16, 0x636920D871574E69,
)  # fmt: skip

# Message-word permutations; round r uses _SIGMA[r % 10].
_SIGMA = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
    (14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3),
    (11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4),
    (7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8),
    (9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13),
    (2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9),
    (12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11),
    (13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10),
    (6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5),
    (10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0),
)

_ROUNDS = 16  # BLAKE-64 (512-bit digest) uses 16 rounds; BLAKE-32 uses 14.

# The eight G applications of one round: four columns, then four diagonals of the 4x4 state.
_G_INDICES = (
    (0, 4, 8, 12), (1, 5, 9, 13), (2, 6, 10, 14), (3, 7, 11, 15),
    (0, 5, 10, 15), (1, 6, 11, 12), (2, 7, 8, 13), (3, 4, 9, 14),
)  # fmt: skip

# For each round, the (message word, constant) index pairs of each G's two additions, precomputed
# so the compression loop does no permutation lookups.
_SCHEDULE = tuple(
    tuple(
        (
            _SIGMA[r % 10][2 * i],
            _SIGMA[r % 10][2 * i + 1],
        )
        for i in range(8)
    )
    for r in range(_ROUNDS)
)


def _compress(h: list[int], block: bytes, t: int) -> None:
    """Compress one 128-byte block into the chain value ``h`` in place (salt is zero).

    ``t`` is the counter: the number of *message* bits hashed up to and including this block, or 0
    for a block holding padding only (spec section 2.2.1).
    """
    m = [int.from_bytes(block[8 * i : 8 * i + 8], "big") for i in range(16)]
    t0 = t & _MASK64
    t1 = (t >> 64) & _MASK64
    # Salt s = 0, so v8..v11 are plain constants.
    v = [
        *h,
        _C[0], _C[1], _C[2], _C[3],
        t0 ^ _C[4], t0 ^ _C[5], t1 ^ _C[6], t1 ^ _C[7],
    ]  # fmt: skip
    for sched in _SCHEDULE:
        for (ia, ib, ic, id_), (s0, s1) in zip(_G_INDICES, sched, strict=True):
            a, b, c, d = v[ia], v[ib], v[ic], v[id_]
            a = (a + b + (m[s0] ^ _C[s1])) & _MASK64
            d ^= a
            d = ((d >> 32) | (d << 32)) & _MASK64
            c = (c + d) & _MASK64
            b ^= c
            b = ((b >> 25) | (b << 39)) & _MASK64
            a = (a + b + (m[s1] ^ _C[s0])) & _MASK64
            d ^= a
            d = ((d >> 16) | (d << 48)) & _MASK64
            c = (c + d) & _MASK64
            b ^= c
            b = ((b >> 11) | (b << 53)) & _MASK64
            v[ia], v[ib], v[ic], v[id_] = a, b, c, d
    for i in range(8):
        h[i] ^= v[i] ^ v[i + 8]  # salt is zero, so the s_{i mod 4} term vanishes


def blake512(data: bytes) -> bytes:
    """Return the 64-byte BLAKE-512 digest of ``data`` (original BLAKE, zero salt).

    Matches the npm ``blake-hash`` package's ``createBlakeHash("blake512")``, which circomlibjs uses
    for EdDSA key derivation.
    """
    data = bytes(data)
    n_bits = 8 * len(data)
    if n_bits >= 1 << 128:
        raise ValueError("blake512: message longer than 2^128 - 1 bits")
    h = list(_IV)

    # Every full block carries message bits only; the padding always starts a new (possibly
    # message-free) block after them.
    n_full = len(data) // BLOCK_BYTES
    for i in range(n_full):
        _compress(h, data[i * BLOCK_BYTES : (i + 1) * BLOCK_BYTES], 8 * BLOCK_BYTES * (i + 1))

    # Padding: a 1 bit, zeros, a 1 bit (marks the 512-bit digest), then the 128-bit big-endian bit
    # length, so the message occupies <= 111 bytes of the final block (the 0x80/0x01 markers may
    # share one byte: 0x81). If the tail does not fit, an extra padding-only block follows.
    tail = data[n_full * BLOCK_BYTES :]
    length = n_bits.to_bytes(16, "big")
    if len(tail) <= BLOCK_BYTES - 17:
        pad = bytearray(tail)
        pad.append(0x80)
        pad.extend(b"\x00" * (BLOCK_BYTES - 16 - len(pad)))
        pad[-1] |= 0x01
        pad.extend(length)
        # A final block with no message bits (empty input, or a length that is a multiple of 128
        # bytes) gets counter 0.
        _compress(h, bytes(pad), n_bits if tail else 0)
    else:
        pad = bytearray(tail)
        pad.append(0x80)
        pad.extend(b"\x00" * (BLOCK_BYTES - len(pad)))
        _compress(h, bytes(pad), n_bits)
        last = bytearray(BLOCK_BYTES - 16)
        last[-1] = 0x01
        _compress(h, bytes(last) + length, 0)  # padding-only block: counter 0

    return b"".join(x.to_bytes(8, "big") for x in h)
