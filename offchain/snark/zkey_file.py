"""snarkjs Groth16 ``.zkey`` files ↔ :class:`ProvingKey` / :class:`VerifyingKey`.

The QAP convention of :mod:`offchain.snark.keys` is snarkjs's, so a Groth16 ``.zkey`` maps onto our
keys one to one: every point section is byte for byte one of our affine Montgomery arrays.

Format (read from snarkjs 0.7.6's ``zkey_new.js``, ``zkey_utils.js`` and ``@iden3/binfileutils``;
all integers little-endian)
------------------------------------------------------------------------------------------------
- Preamble: ``"zkey"``, version ``u32`` (1), section count ``u32``; then each section: id ``u32``,
  byte size ``u64``, body. Sections may appear in any order; each id at most once. snarkjs's
  ``zkey new`` writes them in the order 1, 2, 4, 3, 9, 8, 5, 6, 7, 10, and so do we.
- Points are affine, x then y, each coordinate 32 bytes of little-endian **Montgomery** limbs
  (ffjavascript's ``toRprLEM``; Fq2 as c0 then c1), the point at infinity all zeros — exactly our
  ``uint64`` array rows.

1. **header**: protocol id ``u32`` — 1 Groth16 (2 is PLONK, 10 FFLONK: refused).
2. **Groth16 header**: ``n8q u32`` (32), q (32 bytes, plain LE), ``n8r u32`` (32), r, ``nVars
   u32`` (wires), ``nPublic u32`` (public signals, the constant wire not included), ``domainSize
   u32``, then α·G1, β·G1, β·G2, γ·G2, δ·G1, δ·G2 (in that order — the comment at the top of
   ``zkey_utils.js`` lists δ1 before β2, but both writers use this order).
3. **IC**: ``nPublic + 1`` G1 points (our ``VerifyingKey.ic``).
4. **coefficients**: ``count u32`` then ``count`` entries of ``matrix u32`` (0 = A, 1 = B),
   ``constraint u32`` (row), ``signal u32`` (wire), value (32 bytes). Only A and B are stored (the
   prover gets C's row evaluations as A·B pointwise), A's public-binding rows ``m + s`` included.
   ``zkey new`` writes, per constraint, its A terms then its B terms (in the ``.r1cs`` term order,
   circom's sorted by wire), then the binding rows. **Value encoding**: ``v·R² mod r`` as a plain
   LE integer, R = 2^256 (``zkey_new``: ``Fr.fromRprLE`` → ×R2r → ``toRprLE``; ``zkey_utils``:
   ``writeFr2``) — so that the prover's Montgomery product with a plain ``.wtns`` value yields
   ``v·w`` in Montgomery form. This is our Montgomery coefficient (``v·R``) times R once more.
5. **A**: ``nVars`` G1 points (``a_query``). 6. **B1**: ``nVars`` G1 (``b1_query``).
7. **B2**: ``nVars`` G2 (``b2_query``). 8. **C**: ``nVars − nPublic − 1`` G1 (``l_query``).
9. **H**: ``domainSize`` G1 (``h_query``).
10. **contributions**: the 64-byte ``csHash`` (BLAKE2b-512 of the circuit's initial key, see
    below), ``count u32`` and the phase-2 contribution records. We write ``count = 0``; on read the
    section is optional (``zkey_utils.writeZKey``'s files have none) and not interpreted.

csHash
------
``zkey new`` hashes, in ffjavascript's uncompressed form (big-endian standard coordinates, Fq2 as
c1 then c0, infinity all zeros): α1, β1, β2, γ2, δ1, δ2 of the *initial* key (γ = δ = 1), then for
IC, H, C, A, B1, B2 in that order a big-endian ``u32`` count followed by the points — where "H" is
not section 9 but ``[τ^i (τ^n − 1)]·G1`` for ``i < n − 1``. We compute it exactly when the key is
an initial one (γ2 = δ2 = G2, δ1 = G1, e.g. :func:`offchain.snark.ceremony.phase2_initial_keys`):
then ``τ^i (τ^n − 1)·G1 = −2·ω_2n^i · Σ_k ω_n^(ik)·h_k`` (the polynomial vanishes on ⟨ω_n⟩ and is
−2·x^i on the odd powers of ω_2n) is a group DFT of the H query. For any other key (after a
contribution, or from :func:`~offchain.snark.setup.dev_setup`, γ ≠ 1) the initial key cannot be
recovered and we write 64 zero bytes: ``snarkjs groth16 prove`` and ``zkey export
verificationkey`` ignore the field; ``snarkjs zkey verify`` would not accept such a file anyway.

What the reader checks
----------------------
Layout (magic, version, section table: missing, duplicated, overrunning sections, trailing bytes,
exact section sizes), protocol (Groth16), curve (BN254 q and r), ``nVars``/``nPublic``/
``domainSize`` against the given R1CS's QAP, the coefficient section equal — as a set of (matrix,
row, wire, value) entries, zero values ignored — to our A (binding rows included) and B matrices,
canonical coordinates (< q) and coefficients (< r), every point on its curve, the vk's G2 points
in G2, and (``check_subgroup``) every B2 point in G2. C is **not** in the file and so cannot be
checked: the returned key carries ``r1cs_digest = compile_qap(r1cs).digest`` because A and B (and
the sizes) match and the caller vouches that the R1CS (with its C) is the key's circuit. Nor is
the key checked to be *well-formed* against the circuit (points really being ``u_j(τ)``…): that
needs the ceremony transcript (``snarkjs zkey verify``); a bad key makes proofs that fail to
verify, it does not let anyone forge.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable
from pathlib import Path

import numpy as np

from offchain.crypto.bn254 import (
    G1_GENERATOR,
    G2_GENERATOR,
    g1_array,
    g1_points,
    g2_array,
    g2_points,
)
from offchain.crypto.field import FQ_MODULUS, FR_MODULUS, fq_ints
from offchain.snark.keys import ProvingKey, VerifyingKey
from offchain.snark.keys_io import write_atomically
from offchain.snark.qap import QAP, compile_qap, to_montgomery_limbs
from offchain.snark.r1cs import R1CS

__all__ = ["parse_zkey", "read_zkey", "read_zkey_verifying_key", "write_zkey", "zkey_bytes"]

_MAGIC = b"zkey"
_VERSION = 1
_GROTH16 = 1
_PROTOCOLS = {1: "groth16", 2: "plonk", 10: "fflonk"}
_N8 = 32
_G1_BYTES = 2 * _N8
_G2_BYTES = 4 * _N8
_HEADER_INTS = 4 + _N8 + 4 + _N8 + 12
_HEADER_BYTES = _HEADER_INTS + 3 * _G1_BYTES + 3 * _G2_BYTES
_COEF = np.dtype([("m", "<u4"), ("c", "<u4"), ("s", "<u4"), ("v", "<u8", (4,))])  # 44 bytes
_WRITE_ORDER = (1, 2, 4, 3, 9, 8, 5, 6, 7, 10)  # zkey_new.js's
_Q_LIMBS = np.array([(FQ_MODULUS >> (64 * i)) & ((1 << 64) - 1) for i in range(4)], np.uint64)
_R_LIMBS = np.array([(FR_MODULUS >> (64 * i)) & ((1 << 64) - 1) for i in range(4)], np.uint64)


def _err(msg: str) -> ValueError:
    return ValueError(f"zkey: {msg}")


# ---------------------------------------------------------------------------------------------
# Container
# ---------------------------------------------------------------------------------------------


def _table(read_at: Callable[[int, int], bytes], total: int) -> dict[int, tuple[int, int]]:
    """The section table ``{id: (offset, size)}`` of a zkey of ``total`` bytes."""
    if total < 12:
        raise _err("file is shorter than its 12-byte preamble (truncated)")
    pre = read_at(0, 12)
    if pre[:4] != _MAGIC:
        raise _err(f"bad magic {pre[:4]!r}, expected b'zkey'")
    version, n_sections = struct.unpack_from("<II", pre, 4)
    if version != _VERSION:
        raise _err(f"unsupported version {version} (only {_VERSION})")
    pos = 12
    out: dict[int, tuple[int, int]] = {}
    for k in range(n_sections):
        if pos + 12 > total:
            raise _err(f"truncated: section header {k} runs past the end of the file")
        sid, size = struct.unpack("<IQ", read_at(pos, 12))
        pos += 12
        if pos + size > total:
            raise _err(f"truncated: section {sid} claims {size} bytes, {total - pos} remain")
        if sid in out:
            raise _err(f"section {sid} appears more than once (duplicate section)")
        out[sid] = (pos, size)
        pos += size
    if pos != total:
        raise _err(f"{total - pos} trailing bytes after the last section")
    return out


def _below(limbs: np.ndarray, modulus_limbs: np.ndarray) -> np.ndarray:
    """Row-wise ``limbs < modulus`` for an ``(N, 4)`` little-endian limb array."""
    lt = np.zeros(limbs.shape[0], bool)
    eq = np.ones(limbs.shape[0], bool)
    for i in range(3, -1, -1):
        lt |= eq & (limbs[:, i] < modulus_limbs[i])
        eq &= limbs[:, i] == modulus_limbs[i]
    return lt


def _points(body: bytes | memoryview, offset: int, count: int, g2: bool, what: str) -> np.ndarray:
    """``count`` affine points from ``body[offset:]`` as a uint64 array, coordinates checked < q."""
    tail = (2, 2, 4) if g2 else (2, 4)
    words = count * (16 if g2 else 8)
    arr = np.frombuffer(body, dtype="<u8", count=words, offset=offset).astype(np.uint64)
    arr = np.ascontiguousarray(arr.reshape((count, *tail)))
    if count:
        ok = _below(arr.reshape(-1, 4), _Q_LIMBS)
        if not ok.all():
            bad = int(np.argmin(ok)) // (4 if g2 else 2)
            raise _err(f"{what}[{bad}] has a coordinate that is not below q (non-canonical)")
    return arr


def _parse_header(sec1: bytes | memoryview, sec2: bytes | memoryview) -> dict:
    if len(sec1) != 4:
        raise _err(f"header section (1) has {len(sec1)} bytes, expected 4")
    (protocol,) = struct.unpack("<I", sec1)
    if protocol != _GROTH16:
        name = _PROTOCOLS.get(protocol, f"unknown protocol id {protocol}")
        raise _err(f"protocol is {name}, not groth16 (only Groth16 zkeys are supported)")
    if len(sec2) < _HEADER_INTS:
        raise _err(f"groth16 header section (2) has {len(sec2)} bytes, expected {_HEADER_BYTES}")
    (n8q,) = struct.unpack_from("<I", sec2, 0)
    if n8q != _N8:
        raise _err(f"curve is not bn128: base field element size {n8q}, expected {_N8}")
    q = int.from_bytes(sec2[4 : 4 + _N8], "little")
    if q != FQ_MODULUS:
        raise _err("curve is not bn128: base field modulus q is not BN254's")
    (n8r,) = struct.unpack_from("<I", sec2, 4 + _N8)
    if n8r != _N8:
        raise _err(f"curve is not bn128: scalar field element size {n8r}, expected {_N8}")
    r = int.from_bytes(sec2[8 + _N8 : 8 + 2 * _N8], "little")
    if r != FR_MODULUS:
        raise _err("curve is not bn128: scalar field modulus r is not BN254's")
    if len(sec2) != _HEADER_BYTES:
        raise _err(f"groth16 header section (2) has {len(sec2)} bytes, expected {_HEADER_BYTES}")
    n_vars, n_public, domain = struct.unpack_from("<III", sec2, 8 + 2 * _N8)
    if n_vars < 1 or n_public >= n_vars:
        raise _err(f"nVars {n_vars} / nPublic {n_public}: need nPublic < nVars")
    if domain < 2 or domain & (domain - 1):
        raise _err(f"domainSize {domain} is not a power of two ≥ 2")
    pos = _HEADER_INTS
    out: dict = {"n_vars": n_vars, "n_public": n_public, "domain": domain}
    for name, g2 in (("alpha_1", False), ("beta_1", False), ("beta_2", True),
                     ("gamma_2", True), ("delta_1", False), ("delta_2", True)):  # fmt: skip
        arr = _points(sec2, pos, 1, g2, name)
        out[name] = (g2_points(arr) if g2 else g1_points(arr))[0]
        pos += _G2_BYTES if g2 else _G1_BYTES
    return out


def _vk(header: dict, ic_body: bytes | memoryview) -> VerifyingKey:
    n_ic = header["n_public"] + 1
    if len(ic_body) != n_ic * _G1_BYTES:
        raise _err(f"section 3 (IC) has {len(ic_body)} bytes, expected {n_ic * _G1_BYTES}")
    ic = tuple(g1_points(_points(ic_body, 0, n_ic, False, "IC")))
    vk = VerifyingKey(header["alpha_1"], header["beta_2"], header["gamma_2"], header["delta_2"], ic)
    try:
        vk.validate()
    except ValueError as exc:
        raise _err(str(exc)) from exc
    return vk


# ---------------------------------------------------------------------------------------------
# Coefficients
# ---------------------------------------------------------------------------------------------


def _qap_coefficients(qap: QAP) -> np.ndarray:
    """Section 4's entries for ``qap`` in ``zkey new``'s order: per row, A terms then B terms."""
    parts = []
    for matrix, mat in ((0, qap.a), (1, qap.b)):
        k = mat.cols.shape[0]
        e = np.zeros(k, _COEF)
        e["m"] = matrix
        e["c"] = np.repeat(np.arange(mat.n_rows, dtype=np.uint32), np.diff(mat.row_ptr))
        e["s"] = mat.cols.astype(np.uint32)
        if k:
            # Our coefficients are Montgomery (v·R); the file wants v·R², i.e. once more ×R.
            e["v"] = to_montgomery_limbs(mat.coeffs)
        parts.append(e)
    allc = np.concatenate(parts)
    order = np.lexsort((allc["m"], allc["c"]))  # stable: wire order kept within a row
    return allc[order]


def _sorted_entries(e: np.ndarray) -> np.ndarray:
    v = e["v"]
    return e[np.lexsort((v[:, 0], v[:, 1], v[:, 2], v[:, 3], e["s"], e["c"], e["m"]))]


def _check_coefficients(body: bytes | memoryview, qap: QAP) -> None:
    if len(body) < 4:
        raise _err("section 4 (coefficients) is shorter than its count")
    (count,) = struct.unpack_from("<I", body, 0)
    if len(body) != 4 + count * _COEF.itemsize:
        raise _err(
            f"section 4 (coefficients) has {len(body)} bytes, expected "
            f"{4 + count * _COEF.itemsize} for {count} entries"
        )
    got = np.frombuffer(body, dtype=_COEF, count=count, offset=4)
    if count:
        if int(got["m"].max()) > 1:
            i = int(np.argmax(got["m"] > 1))
            raise _err(f"coefficient {i} names matrix {int(got['m'][i])}, only A (0) and B (1)")
        ok = _below(np.ascontiguousarray(got["v"]), _R_LIMBS)
        if not ok.all():
            raise _err(f"coefficient {int(np.argmin(ok))} is not below r (non-canonical)")
        got = got[np.any(got["v"] != 0, axis=1)]  # zero terms do not change the matrices
    got = _sorted_entries(got)
    keys = got[["m", "c", "s"]]
    if got.shape[0] > 1 and np.any(keys[1:] == keys[:-1]):
        i = int(np.argmax(keys[1:] == keys[:-1]))
        raise _err(
            f"coefficient section has a duplicate entry (matrix {int(got['m'][i])}, "
            f"row {int(got['c'][i])}, wire {int(got['s'][i])})"
        )
    want = _sorted_entries(_qap_coefficients(qap))
    if got.shape != want.shape:
        raise _err(
            f"coefficient section has {got.shape[0]} nonzero A/B entries, the r1cs's QAP has "
            f"{want.shape[0]}: the zkey was made for another circuit"
        )
    diff = got.tobytes() != want.tobytes()
    if diff:
        g = np.frombuffer(got.tobytes(), np.uint8).reshape(-1, _COEF.itemsize)
        w = np.frombuffer(want.tobytes(), np.uint8).reshape(-1, _COEF.itemsize)
        i = int(np.argmax(np.any(g != w, axis=1)))
        raise _err(
            f"coefficient section differs from the r1cs's A/B matrices at entry (matrix "
            f"{int(want['m'][i])}, row {int(want['c'][i])}, wire {int(want['s'][i])}): "
            f"the zkey was made for another circuit or was tampered with"
        )


# ---------------------------------------------------------------------------------------------
# csHash
# ---------------------------------------------------------------------------------------------


def _u_bytes(arr: np.ndarray, g2: bool) -> bytes:
    """ffjavascript's uncompressed form of affine Montgomery points (``batchLEMtoU``)."""
    if arr.shape[0] == 0:
        return b""
    coords = fq_ints(np.ascontiguousarray(arr).reshape(-1, 4))
    per = 4 if g2 else 2
    out = bytearray()
    for i in range(arr.shape[0]):
        c = coords[per * i : per * i + per]
        if not any(c):
            out += bytes(per * _N8)
        elif g2:
            for v in (c[1], c[0], c[3], c[2]):
                out += v.to_bytes(_N8, "big")
        else:
            for v in c:
                out += v.to_bytes(_N8, "big")
    return bytes(out)


def _vanishing_multiples(h_query: np.ndarray) -> np.ndarray:
    """``[τ^i (τ^n − 1)]·G1`` for ``i < n − 1`` from ``h_k = [L^(2n)_(2k+1)(τ)]·G1`` (δ = 1)."""
    from offchain.crypto.ntt import root_of_unity
    from offchain.snark.ceremony import group_intt, scale_points
    from offchain.snark.r1cs import R

    n = h_query.shape[0]
    w = root_of_unity(n)
    twiddles = np.array(
        [[(pow(w, j, R) >> (64 * t)) & ((1 << 64) - 1) for t in range(4)] for j in range(n // 2)],
        np.uint64,
    ).reshape(n // 2, 4)
    one = np.array([1, 0, 0, 0], np.uint64)
    dft = group_intt(np.ascontiguousarray(h_query), twiddles, one)  # Σ_k ω_n^(ik)·h_k
    w2n = root_of_unity(2 * n)
    scal = [(-2 * pow(w2n, i, R)) % R for i in range(n - 1)]
    scal_arr = np.array(
        [[(s >> (64 * t)) & ((1 << 64) - 1) for t in range(4)] for s in scal], np.uint64
    ).reshape(n - 1, 4)
    return scale_points(dft[: n - 1], scal_arr)


def _cs_hash(pk: ProvingKey, vk: VerifyingKey) -> bytes:
    """snarkjs's circuit hash when ``pk`` is an initial (γ = δ = 1) key, else 64 zero bytes."""
    if not (
        vk.gamma_2 == G2_GENERATOR and pk.delta_2 == G2_GENERATOR and pk.delta_1 == G1_GENERATOR
    ):
        return bytes(64)
    h = hashlib.blake2b(digest_size=64)
    h.update(_u_bytes(g1_array([pk.alpha_1, pk.beta_1]), False))
    h.update(_u_bytes(g2_array([pk.beta_2, vk.gamma_2]), True))
    h.update(_u_bytes(g1_array([pk.delta_1]), False))
    h.update(_u_bytes(g2_array([pk.delta_2]), True))
    ic = g1_array(list(vk.ic), check_on_curve=False)
    h.update(struct.pack(">I", ic.shape[0]) + _u_bytes(ic, False))
    hp = _vanishing_multiples(pk.h_query)
    h.update(struct.pack(">I", hp.shape[0]) + _u_bytes(hp, False))
    for arr, g2 in ((pk.l_query, False), (pk.a_query, False), (pk.b1_query, False),
                    (pk.b2_query, True)):  # fmt: skip
        h.update(struct.pack(">I", arr.shape[0]) + _u_bytes(arr, g2))
    return h.digest()


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def _arr(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a).astype("<u8").tobytes()


def zkey_bytes(pk: ProvingKey, vk: VerifyingKey, r1cs: R1CS) -> bytes:
    """Serialise ``pk``/``vk`` (made for ``r1cs``) as a snarkjs Groth16 ``.zkey`` (sections 1–10).

    The layout and section order are ``snarkjs zkey new``'s; for an initial key (γ = δ = 1, e.g.
    :func:`~offchain.snark.ceremony.phase2_initial_keys`) the file is byte-identical to it, csHash
    included; otherwise csHash is written as zeros (see the module docstring). ``ValueError``
    (``zkey: ...``) when the keys do not belong together or to ``r1cs``.
    """
    if not isinstance(pk, ProvingKey):
        raise _err(f"expected a ProvingKey, got {type(pk).__name__}")
    if not isinstance(vk, VerifyingKey):
        raise _err(f"expected a VerifyingKey, got {type(vk).__name__}")
    qap = compile_qap(r1cs)
    if pk.r1cs_digest != qap.digest:
        raise _err("the proving key was made for another circuit (r1cs digest differs)")
    if (pk.n_wires, pk.n_public, pk.domain_size) != (qap.n_wires, qap.n_public, qap.domain_size):
        raise _err("the proving key's sizes do not match the r1cs")
    if vk.n_public != pk.n_public:
        raise _err(
            f"the verifying key has {vk.n_public} public signals, the proving key {pk.n_public}"
        )
    if (vk.alpha_1, vk.beta_2, vk.delta_2) != (pk.alpha_1, pk.beta_2, pk.delta_2):
        raise _err("the verifying key's α, β or δ differs from the proving key's")
    try:
        g1s = g1_array([pk.alpha_1, pk.beta_1])
        g2s = g2_array([pk.beta_2, vk.gamma_2])
        header = (
            struct.pack("<I", _N8) + FQ_MODULUS.to_bytes(_N8, "little")
            + struct.pack("<I", _N8) + FR_MODULUS.to_bytes(_N8, "little")
            + struct.pack("<III", pk.n_wires, pk.n_public, pk.domain_size)
            + _arr(g1s) + _arr(g2s) + _arr(g1_array([pk.delta_1])) + _arr(g2_array([pk.delta_2]))
        )  # fmt: skip
        ic = _arr(g1_array(list(vk.ic)))
    except ValueError as exc:
        raise _err(str(exc)) from exc
    coefs = _qap_coefficients(qap)
    bodies = {
        1: struct.pack("<I", _GROTH16),
        2: header,
        3: ic,
        4: struct.pack("<I", coefs.shape[0]) + coefs.tobytes(),
        5: _arr(pk.a_query),
        6: _arr(pk.b1_query),
        7: _arr(pk.b2_query),
        8: _arr(pk.l_query),
        9: _arr(pk.h_query),
        10: _cs_hash(pk, vk) + struct.pack("<I", 0),
    }
    out = bytearray(_MAGIC + struct.pack("<II", _VERSION, len(bodies)))
    for sid in _WRITE_ORDER:
        out += struct.pack("<IQ", sid, len(bodies[sid])) + bodies[sid]
    return bytes(out)


def write_zkey(path: str | Path, pk: ProvingKey, vk: VerifyingKey, r1cs: R1CS) -> None:
    """Write :func:`zkey_bytes` to ``path`` atomically (temporary file + rename).

    The whole file is built before anything is written, so on any error nothing appears at
    ``path``. ``ValueError`` when ``path``'s directory does not exist (it is not created).
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise _err(f"cannot write {path}: directory {path.parent} does not exist")
    data = zkey_bytes(pk, vk, r1cs)
    write_atomically(path, lambda f: f.write(data))


def parse_zkey(
    data: bytes, r1cs: R1CS, *, check_subgroup: bool = True
) -> tuple[ProvingKey, VerifyingKey]:
    """Parse Groth16 ``.zkey`` bytes made for ``r1cs`` into ``(proving_key, verifying_key)``.

    ``ValueError`` (``zkey: ...``) naming the problem: layout, protocol, curve, sizes or
    coefficients not those of ``r1cs``, non-canonical coordinates, points off their curves, G2
    points outside G2 (the per-wire B2 subgroup check is skipped with ``check_subgroup=False``,
    for trusted files). See the module docstring for what is and is not checked.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise _err("expected bytes")
    view = memoryview(data).cast("B")  # sections are read in place, not copied
    secs = _table(lambda p, n: bytes(view[p : p + n]), len(view))
    for sid in range(1, 10):
        if sid not in secs:
            raise _err(f"missing section {sid}")

    def body(sid: int) -> memoryview:
        p, s = secs[sid]
        return view[p : p + s]

    hdr = _parse_header(body(1), body(2))
    qap = compile_qap(r1cs)
    for name, got, want in (("nVars", hdr["n_vars"], qap.n_wires),
                            ("nPublic", hdr["n_public"], qap.n_public),
                            ("domainSize", hdr["domain"], qap.domain_size)):  # fmt: skip
        if got != want:
            raise _err(
                f"{name} is {got}, the r1cs has {want}: the zkey was made for another circuit"
            )
    vk = _vk(hdr, body(3))
    _check_coefficients(body(4), qap)
    n_vars, n_pub, n = hdr["n_vars"], hdr["n_public"], hdr["domain"]
    arrays = {}
    for sid, name, count, g2 in ((5, "A", n_vars, False), (6, "B1", n_vars, False),
                                 (7, "B2", n_vars, True), (8, "C", n_vars - n_pub - 1, False),
                                 (9, "H", n, False)):  # fmt: skip
        b = body(sid)
        expect = count * (_G2_BYTES if g2 else _G1_BYTES)
        if len(b) != expect:
            raise _err(f"section {sid} ({name}) has {len(b)} bytes, expected {expect}")
        arrays[name] = _points(b, 0, count, g2, name)
    if 10 in secs and secs[10][1] < 68:
        raise _err("section 10 (contributions) is shorter than its csHash and count")
    try:
        pk = ProvingKey(
            n_wires=n_vars,
            n_public=n_pub,
            domain_size=n,
            r1cs_digest=qap.digest,
            alpha_1=hdr["alpha_1"],
            beta_1=hdr["beta_1"],
            beta_2=hdr["beta_2"],
            delta_1=hdr["delta_1"],
            delta_2=hdr["delta_2"],
            a_query=arrays["A"],
            b1_query=arrays["B1"],
            b2_query=arrays["B2"],
            l_query=arrays["C"],
            h_query=arrays["H"],
        )
        pk.validate(check_subgroup=check_subgroup)
    except ValueError as exc:
        raise _err(str(exc)) from exc
    return pk, vk


def _read(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise _err(f"cannot read {path}: {exc}") from exc


def read_zkey(
    path: str | Path, r1cs: R1CS, *, check_subgroup: bool = True
) -> tuple[ProvingKey, VerifyingKey]:
    """Read a snarkjs Groth16 ``.zkey`` file made for ``r1cs`` (see :func:`parse_zkey`)."""
    return parse_zkey(_read(path), r1cs, check_subgroup=check_subgroup)


def read_zkey_verifying_key(path: str | Path) -> VerifyingKey:
    """The verifying key of a Groth16 ``.zkey`` (α1, β2, γ2, δ2 and IC from sections 1–3).

    Needs no R1CS and reads only the section table and sections 1–3 from disk (the proving key
    sections of a large file are skipped). Checks the layout, protocol, curve and the vk's points
    (canonical, on their curves, G2 points in G2); ``ValueError`` (``zkey: ...``) otherwise.
    """
    try:
        with open(path, "rb") as f:
            total = f.seek(0, 2)

            def read_at(pos: int, n: int) -> bytes:
                f.seek(pos)
                return f.read(n)

            secs = _table(read_at, total)
            for sid in (1, 2, 3):
                if sid not in secs:
                    raise _err(f"missing section {sid}")
            b1, b2, b3 = (read_at(*secs[sid]) for sid in (1, 2, 3))
    except OSError as exc:
        raise _err(f"cannot read {path}: {exc}") from exc
    return _vk(_parse_header(b1, b2), b3)
