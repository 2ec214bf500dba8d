"""EdDSA-Poseidon over Baby JubJub, identical to circomlibjs ``eddsa`` and circomlib's
``EdDSAPoseidonVerifier``.

Scheme (circomlibjs ``prv2pub`` / ``signPoseidon`` / ``verifyPoseidon``)
------------------------------------------------------------------------
* Key: ``h = BLAKE-512(prv)`` (the original BLAKE, see ``offchain.crypto.blake512``); the low 32
  bytes are pruned (clear the 3 low bits, clear bit 255, set bit 254) and read little-endian as s.
  The public key is ``A = (s >> 3)·Base8``.
* Sign ``msg`` (a field element): ``r = BLAKE-512(h[32:64] ‖ msg as 32 bytes LE) mod l`` read
  little-endian, ``R8 = r·Base8``, ``hm = Poseidon(R8x, R8y, Ax, Ay, msg)``,
  ``S = (r + hm·s) mod l``. The signature is (R8x, R8y, S). (s is a multiple of 8, so
  ``hm·s·Base8 = 8·hm·A``.)
* Verify: S < l, R8 and A on the curve, then ``S·Base8 == R8 + 8·hm·A``. Multiplying A by the
  cofactor makes the check independent of A's small-order component; R8 gets no cofactor, so an
  R8 outside the subgroup never verifies.

Where we differ from circomlibjs, and why
-----------------------------------------
* A public key of small order (8·A = identity) is rejected, as circomlib's circuit does
  (``isZero(dbl3.x)`` with ``enabled``). circomlibjs's ``verifyPoseidon`` has no such check and
  accepts, for such a key, any (R8 = S·Base8, S) on any message: a signature we could never prove.
* Ill-typed input raises ``ValueError`` instead of returning false or being silently reduced:
  a private key that is not 32 bytes, a message or coordinate outside [0, r), a negative S,
  a public key off the curve. Well-typed but invalid signatures (S ≥ l, R8 off the curve, a
  wrong equation) return False, as in circomlibjs.

Batch verification (``verify_batch``) checks every signature on its own (one result per
signature, no random linear combination), in parallel over signatures with numba: the Poseidon
hashes with ``offchain.crypto.poseidon.poseidon_batch``, then one ``prange`` kernel that checks
the ranges and curve membership and computes ``S·Base8 - hm·(8A)`` by a joint (Shamir)
double-scalar multiplication (width-8 wNAF over a precomputed Base8 table, width-5 wNAF over 8A,
shared doublings) and compares it with R8 projectively, without an inversion.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numba import get_num_threads, njit, prange

from offchain.crypto.babyjub import (
    BASE8,
    BASE8_TABLE,
    NAF_LEN,
    SUB_ORDER,
    SUB_ORDER_LIMBS,
    VAR_TABLE_LEN,
    add,
    double_mul_base8,
    ext_dbl,
    ext_eq_affine,
    ext_from_affine,
    ext_is_identity_x,
    ext_neg,
    fr_to_plain,
    is_on_curve,
    is_on_curve_mont,
    limbs_lt,
    mul,
    plain_limbs,
    reduce_sub_order,
)
from offchain.crypto.blake512 import blake512
from offchain.crypto.field import FR_MODULUS, fr_array, load4
from offchain.crypto.poseidon import poseidon, poseidon_batch

__all__ = [
    "PRIVATE_KEY_BYTES",
    "private_scalar",
    "public_key",
    "sign",
    "verify",
    "verify_batch",
]

PRIVATE_KEY_BYTES = 32
_R = FR_MODULUS

# Kernel verdicts. PUB_OFF_CURVE is ill-typed input: verify_batch turns it into a ValueError.
_INVALID = 0
_VALID = 1
_PUB_OFF_CURVE = 2


# ---------------------------------------------------------------------------------------------
# Input validation (Python edge)
# ---------------------------------------------------------------------------------------------


def _is_int(v: object) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _check_prv(prv: bytes) -> bytes:
    if not isinstance(prv, (bytes, bytearray, memoryview)):
        raise ValueError(f"eddsa: private key must be bytes, got {type(prv).__name__}")
    prv = bytes(prv)
    if len(prv) != PRIVATE_KEY_BYTES:
        raise ValueError(f"eddsa: private key must be {PRIVATE_KEY_BYTES} bytes, got {len(prv)}")
    return prv


def _check_field(v: object, what: str, where: str = "") -> int:
    # `where` (" (entry i)" in batches) goes at the end of every message.
    if not _is_int(v):
        raise ValueError(f"eddsa: {what} must be an int, got {type(v).__name__}{where}")
    v = int(v)  # type: ignore[call-overload]
    if v < 0:
        raise ValueError(f"eddsa: {what} is negative{where}")
    if v >= _R:
        raise ValueError(f"eddsa: {what} is not below the field modulus r{where}")
    return v


def _check_pub_shape(pub: Sequence[int], where: str = "") -> tuple[int, int]:
    if isinstance(pub, (str, bytes)) or not isinstance(pub, Sequence) or len(pub) != 2:
        raise ValueError(f"eddsa: public key must be an (x, y) pair{where}")
    return _check_field(pub[0], "public key x", where), _check_field(pub[1], "public key y", where)


def _check_sig_shape(sig: Sequence[int], where: str = "") -> tuple[int, int, int]:
    if isinstance(sig, (str, bytes)) or not isinstance(sig, Sequence) or len(sig) != 3:
        raise ValueError(f"eddsa: signature must be an (R8x, R8y, S) triple{where}")
    r8x = _check_field(sig[0], "signature R8x", where)
    r8y = _check_field(sig[1], "signature R8y", where)
    s = sig[2]
    if not _is_int(s):
        raise ValueError(f"eddsa: signature S must be an int, got {type(s).__name__}{where}")
    s = int(s)
    if s < 0:
        raise ValueError(f"eddsa: signature S is negative{where}")
    return r8x, r8y, s


# ---------------------------------------------------------------------------------------------
# Keys and signing (Python ints)
# ---------------------------------------------------------------------------------------------


def _expand(prv: bytes) -> tuple[int, bytes]:
    # (pruned secret scalar s, the 32-byte nonce prefix) from BLAKE-512(prv).
    digest = blake512(_check_prv(prv))
    low = bytearray(digest[:32])
    low[0] &= 0xF8  # multiple of the cofactor 8
    low[31] &= 0x7F
    low[31] |= 0x40  # fixed top bit: constant-length scalar
    return int.from_bytes(low, "little"), digest[32:]


def private_scalar(prv: bytes) -> int:
    """The pruned secret scalar s of circomlibjs (``pruneBuffer(blake512(prv))[0:32]``, LE).

    The public key is ``(s >> 3)·Base8``; a circuit that derives the key in-circuit needs this.
    """
    return _expand(prv)[0]


def public_key(prv: bytes) -> tuple[int, int]:
    """The public key (Ax, Ay) of a 32-byte private key (circomlibjs ``prv2pub``)."""
    s, _ = _expand(prv)
    return mul(BASE8, s >> 3)


def sign(prv: bytes, msg: int) -> tuple[int, int, int]:
    """Sign the field element ``msg`` (in [0, r)) with a 32-byte private key.

    Returns (R8x, R8y, S), identical to circomlibjs ``signPoseidon(prv, F.e(msg))``:
    deterministic, the nonce derived from the key and the message.
    """
    msg = _check_field(msg, "message")
    s, prefix = _expand(prv)
    ax, ay = mul(BASE8, s >> 3)
    r = int.from_bytes(blake512(prefix + msg.to_bytes(32, "little")), "little") % SUB_ORDER
    r8x, r8y = mul(BASE8, r)
    hm = poseidon([r8x, r8y, ax, ay, msg])
    return r8x, r8y, (r + hm * s) % SUB_ORDER


def verify(pub: Sequence[int], msg: int, sig: Sequence[int]) -> bool:
    """Check an EdDSA-Poseidon signature (R8x, R8y, S) on ``msg`` by public key ``pub``.

    Python-int reference with circomlibjs ``verifyPoseidon`` semantics (plus the circuit's
    rejection of small-order keys, see the module docstring). Returns False for S ≥ l, R8 off
    the curve, a small-order key or a failed equation; raises ``ValueError`` for ill-typed input
    (coordinates or msg outside [0, r), negative S, a public key off the curve).
    """
    ax, ay = _check_pub_shape(pub)
    msg = _check_field(msg, "message")
    r8x, r8y, s = _check_sig_shape(sig)
    if not is_on_curve((ax, ay)):
        raise ValueError("eddsa: public key is not on the Baby JubJub curve")
    if s >= SUB_ORDER:
        return False
    if not is_on_curve((r8x, r8y)):
        return False
    a8 = mul((ax, ay), 8)
    if a8[0] == 0:
        return False  # small-order key: 8·A is the identity (the circuit's isZero check)
    hm = poseidon([r8x, r8y, ax, ay, msg])
    return mul(BASE8, s) == add((r8x, r8y), mul(a8, hm))


# ---------------------------------------------------------------------------------------------
# Batch verification (numba)
# ---------------------------------------------------------------------------------------------


@njit(cache=True)
def _verify_chunk(coords, hashes, s_plain, table, out, lo, hi):
    # Signatures lo..hi-1. coords[i] rows: R8x, R8y, Ax, Ay (Montgomery); hashes[i]: Poseidon
    # (R8x, R8y, Ax, Ay, msg) (Montgomery); s_plain[i]: S as plain limbs.
    var_table = np.empty((VAR_TABLE_LEN, 4, 4), np.uint64)
    naf_s = np.empty(NAF_LEN, np.int16)
    naf_k = np.empty(NAF_LEN, np.int16)
    for i in range(lo, hi):
        r8x = load4(coords[i], 0)
        r8y = load4(coords[i], 1)
        ax = load4(coords[i], 2)
        ay = load4(coords[i], 3)
        s = load4(s_plain, i)
        if not is_on_curve_mont(ax, ay):
            out[i] = _PUB_OFF_CURVE
            continue
        out[i] = _INVALID
        if not limbs_lt(s, SUB_ORDER_LIMBS) or not is_on_curve_mont(r8x, r8y):
            continue
        a8 = ext_dbl(ext_dbl(ext_dbl(ext_from_affine(ax, ay), False), False), True)
        if ext_is_identity_x(a8):
            continue  # small-order key
        # 8A has order l, so hm can be reduced mod l first (251 instead of 254 bits).
        hm = reduce_sub_order(fr_to_plain(load4(hashes, i)))
        # S·Base8 - hm·8A must equal R8.
        p = double_mul_base8(s, hm, ext_neg(a8), table, var_table, naf_s, naf_k)
        if ext_eq_affine(p, r8x, r8y):
            out[i] = _VALID


@njit(cache=True, parallel=True)
def _verify_kernel(coords, hashes, s_plain, table, out, n_chunks):
    # Chunks rather than single signatures per prange step, so the scratch arrays are allocated
    # once per chunk.
    n = coords.shape[0]
    for c in prange(n_chunks):
        _verify_chunk(
            coords, hashes, s_plain, table, out, c * n // n_chunks, (c + 1) * n // n_chunks
        )


def verify_batch(
    pubs: Sequence[Sequence[int]], msgs: Sequence[int], sigs: Sequence[Sequence[int]]
) -> np.ndarray:
    """Verify many signatures at once: ``result[i] == verify(pubs[i], msgs[i], sigs[i])``.

    Each signature is checked individually (a per-signature verdict, not an all-or-nothing
    combination), in parallel over signatures with numba. Same validation as ``verify``:
    ``ValueError`` naming the first ill-typed entry (index included). Returns a bool array.
    """
    n = len(pubs)
    if not n == len(msgs) == len(sigs):
        raise ValueError(
            f"eddsa: pubs, msgs and sigs differ in length ({n}, {len(msgs)}, {len(sigs)})"
        )
    values: list[int] = []
    s_values: list[int] = []
    for i in range(n):
        pub, m, sig = pubs[i], msgs[i], sigs[i]
        # Fast path for the common well-formed case; anything unusual goes through the
        # validating helpers, which name the problem.
        if (
            type(pub) is tuple and len(pub) == 2 and type(sig) is tuple and len(sig) == 3
            and type(m) is int and 0 <= m < _R
        ):  # fmt: skip
            ax, ay = pub
            r8x, r8y, s = sig
            if not (
                type(ax) is int and type(ay) is int and type(r8x) is int and type(r8y) is int
                and type(s) is int and 0 <= ax < _R and 0 <= ay < _R and 0 <= r8x < _R
                and 0 <= r8y < _R and s >= 0
            ):  # fmt: skip
                ax, ay = _check_pub_shape(pub, f" (entry {i})")
                r8x, r8y, s = _check_sig_shape(sig, f" (entry {i})")
        else:
            ax, ay = _check_pub_shape(pub, f" (entry {i})")
            m = _check_field(m, "message", f" (entry {i})")
            r8x, r8y, s = _check_sig_shape(sig, f" (entry {i})")
        values += (r8x, r8y, ax, ay, m)
        # Any S ≥ l is rejected by the kernel; clamping keeps it within four limbs.
        s_values.append(s if s < SUB_ORDER else SUB_ORDER)
    out = np.zeros(n, np.uint8)
    if n == 0:
        return out.astype(bool)
    hash_in = fr_array(values).reshape(n, 5, 4)
    # Poseidon's own parallel batch kernel; the curve kernel then reads the first four columns.
    hashes = poseidon_batch(hash_in)
    s_plain = plain_limbs(s_values, "S")
    n_chunks = min(n, 8 * get_num_threads())
    _verify_kernel(hash_in, hashes, s_plain, BASE8_TABLE, out, n_chunks)
    bad = np.flatnonzero(out == _PUB_OFF_CURVE)
    if bad.size:
        raise ValueError(f"eddsa: public key is not on the Baby JubJub curve (entry {int(bad[0])})")
    return out == _VALID
