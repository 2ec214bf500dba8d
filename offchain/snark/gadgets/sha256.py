"""SHA-256 in R1CS (FIPS 180-4), bit-exact with :func:`hashlib.sha256` and circomlib's ``Sha256``,
and the batch commitment that packs a digest into one field element.

Bit order (as circomlib and as a byte string read bit by bit): message and digest are lists of
bits **big-endian** — ``bits[0]`` is the most significant bit of the first byte.
:func:`bits_from_bytes` / :func:`bytes_from_bits` convert. The message length is fixed when the
circuit is built, so the padding (a 1, zeros, the 64-bit length) is made of constants and costs
nothing: :func:`sha256_gadget` pads in-circuit.

How a block is computed (inside, words are 32 LCs, least significant bit first):

* **Bitwise functions** on bits: ``p ⊕ q = p + q - 2·p·q`` (1 product), so the three-way XORs
  of Σ0, Σ1, σ0, σ1 cost 2 per bit (1 where a shifted-in bit is the constant 0);
  ``Ch(e, f, g) = g + e·(f - g)`` costs 1; ``Maj(a, b, c) = b + (b ⊕ c)·(a - b)`` costs 1 given
  ``b ⊕ c``, which is the previous round's ``a ⊕ b`` (1 more per bit). Constants fold (the IV
  makes the first rounds of the first block cheaper).
* **Additions mod 2^32** on packed values: a sum of words is a linear combination; it becomes a
  word again by decomposing it into 32 bits plus as many carry bits as its bound needs (35 for
  the 7-term round sum), after pinning the sum to one new wire (1 constraint) so that later
  sums stay short. A sum is decomposed only when its bits are used (the last schedule words,
  the last round's a and e, and the mid-message state words d and h are used only in further
  sums, whose decomposition reduces them anyway).

Cost: 26,282 constraints per 512-bit block with a variable chaining state (circomlib's
``Sha256`` ≈ 29.4k per block): per round 64 + 32 + 64 + 64 (Σ1, Ch, Σ0, Maj) + 2 × 36 (new e,
new a); per schedule word 61 + 54 + 35; plus the final state addition.
:func:`sha256_constraint_count` gives exact figures for a message length.
"""

from __future__ import annotations

from collections.abc import Sequence

from offchain.snark.gadgets.basic import from_bits, to_bits, to_bits_strict
from offchain.snark.r1cs import LC, Circuit, lc_sum

__all__ = [
    "COMMITMENT_BITS",
    "bits_from_bytes",
    "bytes_from_bits",
    "commitment_from_digest",
    "digest_to_commitment",
    "sha256_block_count",
    "sha256_compress",
    "sha256_constraint_count",
    "sha256_gadget",
    "sha256_padding",
    "uint256_bits",
]

_IV = (
    0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19,
)  # fmt: skip
_K = (
    0x428A2F98, 0x71374491, 0xB5C0FBCF, 0xE9B5DBA5, 0x3956C25B, 0x59F111F1, 0x923F82A4, 0xAB1C5ED5,
    0xD807AA98, 0x12835B01, 0x243185BE, 0x550C7DC3, 0x72BE5D74, 0x80DEB1FE, 0x9BDC06A7, 0xC19BF174,
    0xE49B69C1, 0xEFBE4786, 0x0FC19DC6, 0x240CA1CC, 0x2DE92C6F, 0x4A7484AA, 0x5CB0A9DC, 0x76F988DA,
    0x983E5152, 0xA831C66D, 0xB00327C8, 0xBF597FC7, 0xC6E00BF3, 0xD5A79147, 0x06CA6351, 0x14292967,
    0x27B70A85, 0x2E1B2138, 0x4D2C6DFC, 0x53380D13, 0x650A7354, 0x766A0ABB, 0x81C2C92E, 0x92722C85,
    0xA2BFE8A1, 0xA81A664B, 0xC24B8B70, 0xC76C51A3, 0xD192E819, 0xD6990624, 0xF40E3585, 0x106AA070,
    0x19A4C116, 0x1E376C08, 0x2748774C, 0x34B0BCB5, 0x391C0CB3, 0x4ED8AA4A, 0x5B9CCA4F, 0x682E6FF3,
    0x748F82EE, 0x78A5636F, 0x84C87814, 0x8CC70208, 0x90BEFFFA, 0xA4506CEB, 0xBEF9A3F7, 0xC67178F2,
)  # fmt: skip

_MASK32 = (1 << 32) - 1

COMMITMENT_BITS = 253
"""The batch commitment keeps the low 253 bits of the digest (2^253 < r, so it is a field
element as it stands and ``mod r`` changes nothing)."""


# ---------------------------------------------------------------------------------------------
# Native helpers (bit order, padding, the commitment rule)
# ---------------------------------------------------------------------------------------------


def bits_from_bytes(data: bytes) -> list[int]:
    """The bits of ``data``, big-endian: byte 0's most significant bit first."""
    return [(byte >> (7 - i)) & 1 for byte in data for i in range(8)]


def bytes_from_bits(bits: Sequence[int]) -> bytes:
    """Inverse of :func:`bits_from_bytes` (the length must be a multiple of 8)."""
    if len(bits) % 8:
        raise ValueError(f"sha256: {len(bits)} bits is not a whole number of bytes")
    return bytes(
        sum(int(b) << (7 - i) for i, b in enumerate(bits[k : k + 8]))
        for k in range(0, len(bits), 8)
    )


def sha256_padding(n_bits: int) -> list[int]:
    """The constant bits FIPS 180-4 appends to an ``n_bits``-bit message: a 1, zeros up to
    448 mod 512, then n_bits as a 64-bit big-endian integer."""
    if not 0 <= n_bits < 1 << 64:
        raise ValueError(f"sha256: message length {n_bits} bits is out of range")
    zeros = (447 - n_bits) % 512
    return [1] + [0] * zeros + [(n_bits >> (63 - i)) & 1 for i in range(64)]


def sha256_block_count(n_bits: int) -> int:
    """512-bit blocks that an ``n_bits``-bit message takes once padded."""
    return (n_bits + len(sha256_padding(n_bits))) // 512


def commitment_from_digest(digest: bytes) -> int:
    """The batch commitment of a SHA-256 digest: the digest read as a big-endian uint256 with
    its top 3 bits cleared, ``int(digest) & (2^253 - 1)``.

    That is ``sha256(...) mod r with the top bits cleared`` made exact: the masked value is
    below 2^253 < r, so it is already reduced. On L1 (Vyper):
    ``convert(sha256(data), uint256) & (2**253 - 1)``. :func:`digest_to_commitment` is the
    circuit twin.
    """
    if len(digest) != 32:
        raise ValueError(f"sha256: a digest is 32 bytes, got {len(digest)}")
    return int.from_bytes(digest, "big") & ((1 << COMMITMENT_BITS) - 1)


# ---------------------------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------------------------


class _Word:
    """A 32-bit word: its bits (LSB first), and/or its packed value with an upper bound.

    A fresh sum has only ``packed`` (possibly ≥ 2^32: not yet reduced mod 2^32); ``_bits``
    decomposes it on first use and replaces ``packed`` by the reduced, short value.
    """

    __slots__ = ("bits", "packed", "bound")

    def __init__(self, bits: list[LC] | None, packed: LC, bound: int):
        self.bits = bits
        self.packed = packed
        self.bound = bound

    @staticmethod
    def of_bits(bits: Sequence[LC]) -> _Word:
        bits = list(bits)
        packed = from_bits(bits)
        return _Word(bits, packed, packed.constant_value() if packed.is_constant() else _MASK32)

    @staticmethod
    def constant(v: int) -> _Word:
        return _Word.of_bits([LC.constant((v >> i) & 1) for i in range(32)])


def _bound(x: LC, bound: int) -> int:
    return x.constant_value() if x.is_constant() else bound


def _sum(terms: Sequence[tuple[LC, int]]) -> _Word:
    # terms: (packed LC, bound) pairs.
    return _Word(None, lc_sum(t for t, _ in terms), sum(_bound(t, b) for t, b in terms))


def _bits(c: Circuit, w: _Word, name: str) -> list[LC]:
    if w.bits is not None:
        return w.bits
    if w.packed.is_constant():
        v = w.packed.constant_value() & _MASK32
        w.bits = [LC.constant((v >> i) & 1) for i in range(32)]
    else:
        x = w.packed
        if len(x.terms) > 1 or next(iter(x.terms.values())) != 1:
            # Pin the sum to one wire: the bits (and the reduced packed value) then refer to
            # it instead of repeating the whole sum in every constraint that uses them.
            total = x
            x = c.signal(f"{name}.sum", lambda ev: ev(total))
            c.assert_equal(x, total, label=f"{name}.sum")
        n = max(32, w.bound.bit_length())
        w.bits = to_bits(c, x, n, name=name)[:32]
    w.packed = from_bits(w.bits)
    w.bound = _MASK32
    return w.bits


def _xor(c: Circuit, p: LC, q: LC, name: str) -> LC:
    return p + q - c.mul(p, q, name=name) * 2


def _xor3_word(c: Circuit, x: list[LC], y: list[LC], z: list[LC], name: str) -> LC:
    # Bitwise x ⊕ y ⊕ z, returned packed (the bits feed only a sum). 2 constraints per bit.
    return from_bits(
        [_xor(c, _xor(c, x[i], y[i], f"{name}.{i}a"), z[i], f"{name}.{i}b") for i in range(32)]
    )


def _rotr(x: list[LC], n: int) -> list[LC]:
    return [x[(i + n) % 32] for i in range(32)]


def _shr(x: list[LC], n: int) -> list[LC]:
    return [x[i + n] if i + n < 32 else LC() for i in range(32)]


# ---------------------------------------------------------------------------------------------
# Compression
# ---------------------------------------------------------------------------------------------


def _compress(c: Circuit, state: list[_Word], block: Sequence[LC], name: str) -> list[_Word]:
    # Message schedule. Block bits are big-endian; word t's bits LSB first.
    w: list[_Word] = [_Word.of_bits([block[32 * t + 31 - i] for i in range(32)]) for t in range(16)]
    for t in range(16, 64):
        x2 = _bits(c, w[t - 2], f"{name}.w{t - 2}")
        x15 = _bits(c, w[t - 15], f"{name}.w{t - 15}")
        s1 = _xor3_word(c, _rotr(x2, 17), _rotr(x2, 19), _shr(x2, 10), f"{name}.w{t}.s1")
        s0 = _xor3_word(c, _rotr(x15, 7), _rotr(x15, 18), _shr(x15, 3), f"{name}.w{t}.s0")
        w.append(
            _sum(
                [
                    (s1, _MASK32),
                    (w[t - 7].packed, w[t - 7].bound),
                    (s0, _MASK32),
                    (w[t - 16].packed, w[t - 16].bound),
                ]
            )
        )

    a, b, cc, d, e, f, g, h = state
    # b ⊕ c, bitwise, for Maj; thereafter each round's a ⊕ b.
    rn = f"{name}.r0"
    b_xor_c = [
        _xor(c, bi, ci, f"{rn}.bxc{i}")
        for i, (bi, ci) in enumerate(
            zip(_bits(c, b, f"{name}.b_in"), _bits(c, cc, f"{name}.c_in"), strict=True)
        )
    ]
    for t in range(64):
        rn = f"{name}.r{t}"
        ab, bb = _bits(c, a, f"{rn}.a"), _bits(c, b, f"{rn}.b")
        eb, fb, gb = _bits(c, e, f"{rn}.e"), _bits(c, f, f"{rn}.f"), _bits(c, g, f"{rn}.g")
        big_s1 = _xor3_word(c, _rotr(eb, 6), _rotr(eb, 11), _rotr(eb, 25), f"{rn}.S1")
        ch = from_bits([gb[i] + c.mul(eb[i], fb[i] - gb[i], name=f"{rn}.ch{i}") for i in range(32)])
        big_s0 = _xor3_word(c, _rotr(ab, 2), _rotr(ab, 13), _rotr(ab, 22), f"{rn}.S0")
        maj = from_bits(
            [bb[i] + c.mul(b_xor_c[i], ab[i] - bb[i], name=f"{rn}.maj{i}") for i in range(32)]
        )
        if t < 63:
            b_xor_c = [_xor(c, ab[i], bb[i], f"{rn}.axb{i}") for i in range(32)]
        t1 = [
            (h.packed, h.bound),
            (big_s1, _MASK32),
            (ch, _MASK32),
            (LC.constant(_K[t]), _K[t]),
            (w[t].packed, w[t].bound),
        ]
        new_e = _sum([(d.packed, d.bound), *t1])
        new_a = _sum([*t1, (big_s0, _MASK32), (maj, _MASK32)])
        a, b, cc, d, e, f, g, h = new_a, a, b, cc, new_e, e, f, g
    return [
        _sum([(s.packed, s.bound), (v.packed, v.bound)])
        for s, v in zip(state, (a, b, cc, d, e, f, g, h), strict=True)
    ]


def _state_bits(c: Circuit, state: list[_Word], name: str) -> list[LC]:
    out: list[LC] = []
    for i, word in enumerate(state):
        out.extend(reversed(_bits(c, word, f"{name}.h{i}")))
    return out


def _check_bits(bits: Sequence[LC | int], n: int, what: str) -> list[LC]:
    if len(bits) != n:
        raise ValueError(f"sha256: {what} must be {n} bits, got {len(bits)}")
    return [LC.of(b) for b in bits]


def sha256_compress(
    c: Circuit,
    state: Sequence[LC | int] | None,
    block: Sequence[LC | int],
    *,
    name: str = "sha256_compress",
) -> list[LC]:
    """One SHA-256 compression: the 256-bit chaining state after ``block`` (512 bits), both
    big-endian like digests. ``state=None`` is the initial hash value (the IV, constants).

    For hashing whole messages use :func:`sha256_gadget` (it pads, and skips decompositions
    that a chain of compressions does not need). Cost: 26,282 constraints with a variable
    state, 25,927 from the IV. Assumes every input bit is boolean (the caller's duty: e.g. from
    :func:`~.basic.to_bits`, or constants).
    """
    words = (
        [_Word.constant(v) for v in _IV]
        if state is None
        else [
            _Word.of_bits(list(reversed(ws[32 * i : 32 * i + 32])))
            for ws in [_check_bits(state, 256, "state")]
            for i in range(8)
        ]
    )
    out = _compress(c, words, _check_bits(block, 512, "block"), name)
    return _state_bits(c, out, name)


def sha256_gadget(c: Circuit, bits: Sequence[LC | int], *, name: str = "sha256") -> list[LC]:
    """SHA-256 of a message of ``len(bits)`` bits (big-endian order); returns the 256 digest
    bits, big-endian (``bytes_from_bits`` of their values is ``hashlib.sha256(msg).digest()``).

    The padding is appended as constants (the length is fixed at build time), so it is free,
    and constant message bits fold too. Cost: :func:`sha256_constraint_count` — about 26.3k
    per 512-bit block (26,282 for a block with a variable chaining state, 25,325 for a 256-bit
    message: one block from the constant IV; circomlib's ``Sha256(256)`` takes 29,380). Each
    digest bit is constrained boolean.

    Assumes every message bit is boolean — the caller's duty (bits from
    :func:`~.basic.to_bits` — LSB first, so reverse them for a big-endian field —,
    :func:`uint256_bits` or constants are); a non-boolean "bit" silently changes the hash.
    """
    msg = [LC.of(b) for b in bits]
    padded = msg + [LC.constant(b) for b in sha256_padding(len(msg))]
    state = [_Word.constant(v) for v in _IV]
    for k in range(len(padded) // 512):
        state = _compress(c, state, padded[512 * k : 512 * (k + 1)], f"{name}.b{k}")
    return _state_bits(c, state, name)


def sha256_constraint_count(n_bits: int) -> int:
    """Constraints :func:`sha256_gadget` adds for an ``n_bits``-bit message of variable bits
    (found by building it: the cost depends on the padding through constant folding)."""
    c = Circuit("sha256_count")
    bits = [c.private_input(f"m{i}") for i in range(n_bits)]
    sha256_gadget(c, bits)
    return c.n_constraints


# ---------------------------------------------------------------------------------------------
# Field elements in and out
# ---------------------------------------------------------------------------------------------


def uint256_bits(c: Circuit, x: LC | int, *, name: str = "uint256") -> list[LC]:
    """The 256 bits of a field element as a big-endian uint256 (``x.to_bytes(32, "big")``),
    ready to concatenate into a SHA-256 message (e.g. a state root in the batch commitment).

    Cost: 384 constraints (:func:`~.basic.to_bits_strict`: the bits are unique, x < r); 0 for a
    constant. The two top bits are the constant 0. Assumes nothing on x.
    """
    return [LC(), LC(), *reversed(to_bits_strict(c, x, name=name))]


def digest_to_commitment(digest_bits: Sequence[LC | int]) -> LC:
    """The batch commitment from the 256 digest bits (big-endian) of :func:`sha256_gadget`:
    their low 253 bits packed into one field element, the top 3 bits dropped.

    Cost: 0 constraints (linear). The circuit twin of :func:`commitment_from_digest`; the
    result is below 2^253 < r, so it equals ``digest mod 2^253`` as an integer. Assumes the
    bits are boolean (sha256_gadget's are constrained).
    """
    d = _check_bits(digest_bits, 256, "digest")
    return from_bits(list(reversed(d))[:COMMITMENT_BITS])
