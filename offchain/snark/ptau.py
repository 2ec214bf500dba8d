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
  12–15 Lagrange forms after ``preparephase2`` (ignored on import: we compute our own; written by
  :func:`prepared_ptau_bytes`, see below).
- Points are affine, x then y, each coordinate 32 bytes of little-endian **Montgomery** limbs
  (ffjavascript's "LEM"; Fq2 as c0 then c1) — byte for byte our ``uint64`` array layout, so
  sections map onto arrays without conversion. Infinity is all zeros, as in our arrays.

Prepared (phase-2) files
------------------------
snarkjs's ``powersoftau prepare phase2`` (``powersoftau_preparephase2.js``) copies sections 1–7 and
appends, for every p = 0..power, the inverse group FFT (``G.lagrangeEvaluations`` = ``G.ifft``
for p ≤ 28, natural order) of the first 2^p points of sections 2/3/4/5 as sections 12/13/14/15;
section 12 also gets p = power + 1 on the 2N − 1 τ G1 powers padded with one zero point. That is
a group FFT of 2^(power+2) points in G1 plus 2^(power+1) in G2 — hours at 2^18 on two cores.
When the secrets τ, α, β behind the file are known (a dev accumulator, or a snarkjs ``beacon``
contribution whose beacon is public), :func:`prepared_ptau_bytes` computes the same sections as
``[s_i]·G`` with s_i the field-side inverse FFT in closed form — ``L_i(τ) = ω^i (τ^m − 1) /
(m (τ − ω^i))``, minus ``τ^(m−1) ω^i / m`` for the zero-padded block — and a fixed-base
multiplication (numba), byte-identical to snarkjs's output.
"""

from __future__ import annotations

import hashlib
import struct
from pathlib import Path

import numpy as np

from offchain.crypto.bn254 import (
    G1_GENERATOR,
    G2_GENERATOR,
    aff_array_on_curve,
    g1_array,
    g1_mul,
    g2_array,
    g2_mul,
    g2_points,
)
from offchain.crypto.field import FQ_MODULUS, FR_MODULUS
from offchain.crypto.msm import scalars_array
from offchain.crypto.ntt import root_of_unity
from offchain.snark.ceremony import MAX_POWER, Accumulator

__all__ = [
    "read_ptau",
    "write_ptau",
    "parse_ptau",
    "ptau_bytes",
    "prepared_ptau_bytes",
    "beacon_secrets",
    "write_prepared_ptau",
]

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


# ---------------------------------------------------------------------------------------------
# Prepared (phase-2) files: sections 12–15 from known secrets
# ---------------------------------------------------------------------------------------------

_R = FR_MODULUS


def _lagrange_scalars(tau: int, m: int, pad_last: bool = False) -> list[int]:
    """The inverse FFT over ⟨ω_m⟩ of (τ^0, …, τ^(m−1)): ``L_i(τ)`` for i < m, natural order.

    ``pad_last``: of (τ^0, …, τ^(m−2), 0) instead (snarkjs's last τ G1 block).
    """
    w = root_of_unity(m)
    ws = [1] * m
    for i in range(1, m):
        ws[i] = ws[i - 1] * w % _R
    den = [(tau - x) * m % _R for x in ws]
    if any(d == 0 for d in den):
        raise _err("τ is a root of unity of the domain: its Lagrange basis is degenerate")
    # Batch inversion (Montgomery's trick).
    prefix = [1] * m
    acc = 1
    for i in range(m):
        prefix[i] = acc
        acc = acc * den[i] % _R
    inv = pow(acc, -1, _R)
    num = (pow(tau, m, _R) - 1) % _R
    out = [0] * m
    for i in range(m - 1, -1, -1):
        out[i] = num * ws[i] % _R * inv % _R * prefix[i] % _R
        inv = inv * den[i] % _R
    if pad_last:
        c = pow(tau, m - 1, _R) * pow(m, -1, _R) % _R
        out = [(o - c * x) % _R for o, x in zip(out, ws, strict=True)]
    return out


def _lagrange_points(power: int, tau: int, alpha: int, beta: int) -> dict[int, bytes]:
    """Bodies of sections 12–15 (see the module docstring) for secrets τ, α, β."""
    from offchain.snark.setup import _fixed_base_many  # numba kernels; imported on use

    base: list[int] = []
    for p in range(power + 1):
        base += _lagrange_scalars(tau, 1 << p)
    top = _lagrange_scalars(tau, 1 << (power + 1), pad_last=True)
    nb = len(base)
    g1_scalars = base + top + [alpha * s % _R for s in base] + [beta * s % _R for s in base]
    g1 = _fixed_base_many(g1_array([G1_GENERATOR]), scalars_array(g1_scalars))
    g2 = _fixed_base_many(g2_array([G2_GENERATOR]), scalars_array(base))
    n12 = nb + len(top)
    return {
        12: g1[:n12].astype("<u8").tobytes(),
        13: g2.astype("<u8").tobytes(),
        14: g1[n12 : n12 + nb].astype("<u8").tobytes(),
        15: g1[n12 + nb :].astype("<u8").tobytes(),
    }


def prepared_ptau_bytes(data: bytes, tau: int, alpha: int, beta: int) -> bytes:
    """A phase-2-prepared ``.ptau`` (snarkjs ``powersoftau prepare phase2``'s output, byte for byte)
    from an unprepared one (sections 1–7, e.g. snarkjs's or :func:`ptau_bytes`) and its secrets.

    The secrets are the products of every contribution's τ, α, β — known for a dev accumulator or
    a single public-beacon contribution; the file's [τ]G1, [τ]G2, [α]G1, [β]G1 must match them
    (``ValueError`` otherwise). Sections 1–7 (contribution history included) are copied as they
    are, so ``snarkjs powersoftau verify`` judges the result as it would snarkjs's own. Only the
    key points are checked, not the whole file: use :func:`parse_ptau` for that.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise _err("expected bytes")
    data = bytes(data)
    for what, v in (("tau", tau), ("alpha", alpha), ("beta", beta)):
        if isinstance(v, bool) or not isinstance(v, int) or not 0 < v < _R:
            raise _err(f"secret {what} must be an int in (0, r)")
    secs = _sections(data)
    for sid in (1, 2, 3, 4, 5, 6, 7):
        if sid not in secs:
            raise _err(f"missing section {sid}")
    pos, size = secs[1]
    if size != 4 + _N8 + 8 or int.from_bytes(data[pos + 4 : pos + 4 + _N8], "little") != FQ_MODULUS:
        raise _err("header is not a BN254 one")
    (power,) = struct.unpack_from("<I", data, pos + 4 + _N8)
    if not 1 <= power <= MAX_POWER - 1:
        raise _err(f"power {power} outside [1, {MAX_POWER - 1}] (the τ G1 block needs 2^(power+1))")
    n = 1 << power
    for sid, count, pb in ((2, 2 * n - 1, _G1_BYTES), (3, n, _G2_BYTES), (4, n, _G1_BYTES),
                           (5, n, _G1_BYTES), (6, 1, _G2_BYTES)):  # fmt: skip
        if secs[sid][1] != count * pb:
            raise _err(f"section {sid} has {secs[sid][1]} bytes, expected {count * pb}")

    def point(sid: int, i: int, pb: int) -> bytes:
        p = secs[sid][0] + i * pb
        return data[p : p + pb]

    expected = (
        (2, 1, _G1_BYTES, g1_array([g1_mul(G1_GENERATOR, tau)]), "[τ]G1"),
        (3, 1, _G2_BYTES, g2_array([g2_mul(G2_GENERATOR, tau)]), "[τ]G2"),
        (4, 0, _G1_BYTES, g1_array([g1_mul(G1_GENERATOR, alpha)]), "[α]G1"),
        (5, 0, _G1_BYTES, g1_array([g1_mul(G1_GENERATOR, beta)]), "[β]G1"),
    )
    for sid, i, pb, arr, what in expected:
        if point(sid, i, pb) != arr.astype("<u8").tobytes():
            raise _err(f"the file's {what} does not match the given secrets")

    bodies = [(sid, data[secs[sid][0] : secs[sid][0] + secs[sid][1]]) for sid in range(1, 8)]
    bodies += sorted(_lagrange_points(power, tau, alpha, beta).items())
    out = bytearray(_MAGIC + struct.pack("<II", 1, len(bodies)))
    for sid, body in bodies:
        out += struct.pack("<IQ", sid, len(body)) + body
    return bytes(out)


def write_prepared_ptau(
    path: str | Path, source: str | Path, tau: int, alpha: int, beta: int
) -> None:
    """Write :func:`prepared_ptau_bytes` of the ``.ptau`` at ``source`` to ``path``."""
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        raise _err(f"cannot read {source}: {exc}") from exc
    Path(path).write_bytes(prepared_ptau_bytes(data, tau, alpha, beta))


def _chacha_words(seed: tuple[int, ...]):
    """ffjavascript's ``ChaCha`` (20 rounds, 32-bit block counter in word 12): its u32 stream."""
    m = 0xFFFFFFFF

    def qr(st: list[int], a: int, b: int, c: int, d: int) -> None:
        st[a] = (st[a] + st[b]) & m
        st[d] ^= st[a]
        st[d] = ((st[d] << 16) | (st[d] >> 16)) & m
        st[c] = (st[c] + st[d]) & m
        st[b] ^= st[c]
        st[b] = ((st[b] << 12) | (st[b] >> 20)) & m
        st[a] = (st[a] + st[b]) & m
        st[d] ^= st[a]
        st[d] = ((st[d] << 8) | (st[d] >> 24)) & m
        st[c] = (st[c] + st[d]) & m
        st[b] ^= st[c]
        st[b] = ((st[b] << 7) | (st[b] >> 25)) & m

    state = [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574, *seed, 0, 0, 0, 0]
    while True:
        x = list(state)
        for _ in range(10):
            qr(x, 0, 4, 8, 12)
            qr(x, 1, 5, 9, 13)
            qr(x, 2, 6, 10, 14)
            qr(x, 3, 7, 11, 15)
            qr(x, 0, 5, 10, 15)
            qr(x, 1, 6, 11, 12)
            qr(x, 2, 7, 8, 13)
            qr(x, 3, 4, 9, 14)
        yield from ((a + b) & m for a, b in zip(x, state, strict=True))
        for i in range(12, 16):  # carry through the counter words
            state[i] = (state[i] + 1) & m
            if state[i]:
                break


def beacon_secrets(beacon_hash: bytes, num_iterations_exp: int) -> tuple[int, int, int]:
    """The (τ, α, β) of ``snarkjs powersoftau beacon <in> <out> <hash hex> <exp>``.

    snarkjs (``misc.rngFromBeaconParams`` + ``keypair.createPTauKey``): SHA-256 applied
    2^exp times to the beacon, its 8 big-endian words seed ffjavascript's ChaCha, and each secret
    is ``Fr.fromRng``: four u64 (high u32 first) little-endian, masked to 254 bits, rejected
    while ≥ r — a value snarkjs then treats as Montgomery form, so the secret is ``v·2^-256``.
    A beacon contribution on a fresh ``powersoftau new`` file therefore has public secrets: a
    dev/bench accumulator whose :func:`prepared_ptau_bytes` can be computed without a group FFT.
    """
    if not isinstance(beacon_hash, (bytes, bytearray)) or not beacon_hash:
        raise _err("beacon hash must be non-empty bytes")
    if isinstance(num_iterations_exp, bool) or not 1 <= num_iterations_exp <= 31:
        raise _err("num_iterations_exp must be an int in [1, 31]")
    h = bytes(beacon_hash)
    for _ in range(1 << num_iterations_exp):
        h = hashlib.sha256(h).digest()
    words = _chacha_words(struct.unpack(">8I", h))
    r_inv = pow(1 << 256, -1, _R)
    out = []
    for _ in range(3):
        while True:
            v = 0
            for i in range(4):
                hi = next(words)
                v += ((hi << 32) | next(words)) << (64 * i)
            v &= (1 << 254) - 1
            if v < _R:
                break
        out.append(v * r_inv % _R)
    return out[0], out[1], out[2]
