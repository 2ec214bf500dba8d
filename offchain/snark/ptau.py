"""snarkjs ``.ptau`` (powers of tau) files ↔ :class:`offchain.snark.ceremony.Accumulator`.

TRUST: importing a ``.ptau`` checks that the file is well-formed (layout, sizes, BN254 modulus,
canonical coordinates, points on their curves, τ G2 powers in G2) — and nothing about who made it.
Its snarkjs contribution history (section 7) is NOT verified here (snarkjs hashes challenges with
BLAKE2b and its own hash-to-G2); run :func:`offchain.snark.ceremony.check_powers` on the result to
check that the powers are internally consistent, and contribute on top with
:func:`offchain.snark.ceremony.contribute` to add an honest party you know of.

Format (read from snarkjs 0.7's ``powersoftau_new.js``/``powersoftau_utils.js`` and
``@iden3/binfileutils``; all integers little-endian)
-----------------------------------------------------------------------------------------------
- ``"ptau"``, version ``u32`` (1), section count ``u32``; then each section: id ``u32``, byte size
  ``u64``, body. Sections may appear in any order; each id used here must appear once.
- 1 header: ``n8`` ``u32`` (32), the base field modulus q (``n8`` bytes), ``power`` ``u32``,
  ``ceremonyPower`` ``u32``.
- 2 ``[τ^i]G1`` for i < 2·2^power − 1; 3 ``[τ^i]G2`` for i < 2^power; 4 ``[ατ^i]G1``;
  5 ``[βτ^i]G1`` (2^power each); 6 ``[β]G2``; 7 contributions (count ``u32`` then records);
  12–15 Lagrange forms after ``preparephase2`` (ignored here: we compute our own).
- Points are affine, x then y, each coordinate 32 bytes of little-endian **Montgomery** limbs
  (ffjavascript's "LEM"; Fq2 as c0 then c1) — byte for byte our ``uint64`` array layout, so
  sections map onto arrays without conversion. Infinity is all zeros, as in our arrays.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from offchain.crypto.bn254 import aff_array_on_curve, g2_array, g2_points
from offchain.crypto.field import FQ_MODULUS
from offchain.snark.ceremony import MAX_POWER, Accumulator

__all__ = ["read_ptau", "write_ptau", "parse_ptau", "ptau_bytes"]

_MAGIC = b"ptau"
_N8 = 32
_G1_BYTES = 2 * _N8
_G2_BYTES = 4 * _N8
_Q_LIMBS = np.array([(FQ_MODULUS >> (64 * i)) & ((1 << 64) - 1) for i in range(4)], np.uint64)


def _err(msg: str) -> ValueError:
    return ValueError(f"ptau: {msg}")


def _sections(data: bytes) -> dict[int, tuple[int, int]]:
    if len(data) < 12:
        raise _err("file is shorter than its 12-byte preamble")
    if data[:4] != _MAGIC:
        raise _err(f"bad magic {data[:4]!r}, expected b'ptau'")
    version, n_sections = struct.unpack_from("<II", data, 4)
    if version != 1:
        raise _err(f"unsupported version {version} (only 1)")
    pos = 12
    out: dict[int, tuple[int, int]] = {}
    for k in range(n_sections):
        if pos + 12 > len(data):
            raise _err(f"truncated: section header {k} runs past the end of the file")
        sid, size = struct.unpack_from("<IQ", data, pos)
        pos += 12
        if pos + size > len(data):
            raise _err(f"truncated: section {sid} claims {size} bytes, {len(data) - pos} remain")
        if sid in out:
            raise _err(f"section {sid} appears more than once")
        out[sid] = (pos, size)
        pos += size
    if pos != len(data):
        raise _err(f"{len(data) - pos} trailing bytes after the last section")
    return out


def _canonical(arr: np.ndarray, what: str) -> None:
    # Every coordinate's Montgomery limbs must be < q: the kernels assume reduced inputs.
    limbs = arr.reshape(-1, 4)
    lt = np.zeros(limbs.shape[0], bool)
    eq = np.ones(limbs.shape[0], bool)
    for i in range(3, -1, -1):
        lt |= eq & (limbs[:, i] < _Q_LIMBS[i])
        eq &= limbs[:, i] == _Q_LIMBS[i]
    if not lt.all():
        bad = int(np.argmin(lt)) // (limbs.shape[0] // arr.shape[0])
        raise _err(f"{what}[{bad}] has a coordinate that is not below q")


def parse_ptau(data: bytes) -> tuple[Accumulator, int]:
    """Parse ``.ptau`` bytes into ``(accumulator, number_of_snarkjs_contributions)``.

    ``ValueError`` (message starting ``ptau:``) for anything malformed: magic, version, truncation,
    missing or duplicated sections, wrong sizes, another curve, non-canonical coordinates, points
    off their curves or (τ G2 powers) outside G2. Does not check the powers' consistency (see the
    module docstring).
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise _err("expected bytes")
    data = bytes(data)
    secs = _sections(data)
    for sid in (1, 2, 3, 4, 5, 6, 7):
        if sid not in secs:
            raise _err(f"missing section {sid}")
    pos, size = secs[1]
    if size != 4 + _N8 + 8:
        raise _err(f"header section has {size} bytes, expected {4 + _N8 + 8} (BN254)")
    (n8,) = struct.unpack_from("<I", data, pos)
    if n8 != _N8:
        raise _err(f"field element size {n8}, expected {_N8} (only BN254 is supported)")
    q = int.from_bytes(data[pos + 4 : pos + 4 + _N8], "little")
    if q != FQ_MODULUS:
        raise _err("the file is for another curve (base field modulus is not BN254's q)")
    power, _ceremony_power = struct.unpack_from("<II", data, pos + 4 + _N8)
    if not 1 <= power <= MAX_POWER:
        raise _err(f"power {power} outside [1, {MAX_POWER}]")
    n = 1 << power

    def section(sid: int, count: int, point_bytes: int, tail: tuple[int, ...], what: str):
        p, s = secs[sid]
        if s != count * point_bytes:
            raise _err(f"section {sid} ({what}) has {s} bytes, expected {count * point_bytes}")
        arr = np.frombuffer(data, dtype="<u8", count=s // 8, offset=p)
        arr = np.ascontiguousarray(arr.astype(np.uint64).reshape((count, *tail)))
        _canonical(arr, what)
        return arr

    tau_g1 = section(2, 2 * n - 1, _G1_BYTES, (2, 4), "tau_g1")
    tau_g2 = section(3, n, _G2_BYTES, (2, 2, 4), "tau_g2")
    alpha = section(4, n, _G1_BYTES, (2, 4), "alpha_tau_g1")
    beta = section(5, n, _G1_BYTES, (2, 4), "beta_tau_g1")
    beta_g2_arr = section(6, 1, _G2_BYTES, (2, 2, 4), "beta_g2")
    p7, s7 = secs[7]
    if s7 < 4:
        raise _err("contributions section is shorter than its count")
    (n_contrib,) = struct.unpack_from("<I", data, p7)

    if aff_array_on_curve(beta_g2_arr) >= 0:
        raise _err("beta_g2 is not on the twist curve")
    try:
        acc = Accumulator(power, tau_g1, tau_g2, alpha, beta, g2_points(beta_g2_arr)[0])
        acc.validate()
    except ValueError as exc:
        raise _err(str(exc)) from exc
    return acc, n_contrib


def read_ptau(path: str | Path) -> Accumulator:
    """Read a snarkjs ``.ptau`` file into an :class:`Accumulator` (see :func:`parse_ptau`)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise _err(f"cannot read {path}: {exc}") from exc
    return parse_ptau(data)[0]


def ptau_bytes(acc: Accumulator) -> bytes:
    """Serialise an accumulator as a ``.ptau`` (sections 1–7, an empty contribution list).

    snarkjs can read it (``powersoftau contribute``, ``prepare phase2``); its ``verify`` will
    not accept it unless the accumulator is the fresh one, since our contribution history is not
    written in snarkjs's format.
    """
    if not isinstance(acc, Accumulator):
        raise _err(f"expected an Accumulator, got {type(acc).__name__}")
    header = struct.pack("<I", _N8) + FQ_MODULUS.to_bytes(_N8, "little")
    header += struct.pack("<II", acc.power, acc.power)
    bodies = [
        (1, header),
        (2, acc.tau_g1.astype("<u8").tobytes()),
        (3, acc.tau_g2.astype("<u8").tobytes()),
        (4, acc.alpha_tau_g1.astype("<u8").tobytes()),
        (5, acc.beta_tau_g1.astype("<u8").tobytes()),
        (6, g2_array([acc.beta_g2]).astype("<u8").tobytes()),
        (7, struct.pack("<I", 0)),
    ]
    out = bytearray(_MAGIC + struct.pack("<II", 1, len(bodies)))
    for sid, body in bodies:
        out += struct.pack("<IQ", sid, len(body)) + body
    return bytes(out)


def write_ptau(path: str | Path, acc: Accumulator) -> None:
    """Write :func:`ptau_bytes` of ``acc`` to ``path``."""
    Path(path).write_bytes(ptau_bytes(acc))
