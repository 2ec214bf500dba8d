"""Poseidon parameters for BN254 Fr, generated with the reference Grain LFSR procedure.

This reproduces the Poseidon authors' ``generate_parameters_grain.sage`` (field=1 prime, sbox=0
x^5, n=254, R_F=8) for the widths circomlib uses (t = 2..17, i.e. 1..16 inputs), so our constants
are derived, not copied: an 80-bit Grain LFSR seeded from the parameters, self-shrinking output,
round constants by rejection sampling n-bit values below r, then a Cauchy MDS matrix
``M[i][j] = 1 / (x_i + y_j)`` from 2t further samples. The result is what circomlib ships.

Besides the plain constants it derives the "optimised" form (partial-round constants folded into
the next full round and the partial-round MDS factored into sparse matrices, as in the Poseidon
paper's appendix B and filecoin's neptune); the hash functions use that form.

``python -m offchain.crypto.poseidon_params`` writes ``offchain/crypto/data/poseidon_bn254.npz``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from offchain.crypto.field import FR_MODULUS

BN254_FR_MODULUS = FR_MODULUS
FIELD_BITS = 254
FULL_ROUNDS = 8
# Partial rounds for t = 2..17 (circomlib's N_ROUNDS_P: the paper's security bound for x^5 at
# 128 bits, rounded up).
PARTIAL_ROUNDS = (56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68)
MIN_WIDTH = 2
MAX_WIDTH = MIN_WIDTH + len(PARTIAL_ROUNDS) - 1

DATA_PATH = Path(__file__).resolve().parent / "data" / "poseidon_bn254.npz"

_P = BN254_FR_MODULUS
# Tap positions of the Grain LFSR: b[i+80] = b[i+62] ^ b[i+51] ^ b[i+38] ^ b[i+23] ^ b[i+13] ^ b[i].
# The nearest tap is 18 positions behind the new bit, so 18 bits can be produced per step.
_LFSR_STEP_BITS = 18
_LFSR_MASK = (1 << _LFSR_STEP_BITS) - 1
_LFSR_WARMUP_BITS = 160
# Raw bits per refill: a multiple of 18 (whole steps) and even (keeps the self-shrinking pairs
# aligned).
_LFSR_BLOCK_STEPS = 4096


class GrainLFSR:
    """The self-shrinking Grain LFSR of the Poseidon reference parameter script.

    The 80-bit state is seeded with field(2) ‖ sbox(4) ‖ n(12) ‖ t(12) ‖ R_F(10) ‖ R_P(10) ‖ 1^30
    (most significant bit of each field first), clocked 160 times with the output discarded, and
    then read in pairs (a, b): b is emitted when a == 1, the pair dropped otherwise.
    """

    def __init__(self, field: int, sbox: int, n: int, t: int, r_f: int, r_p: int) -> None:
        fields = ((field, 2), (sbox, 4), (n, 12), (t, 12), (r_f, 10), (r_p, 10))
        bits: list[int] = []
        for value, width in fields:
            if not 0 <= value < (1 << width):
                raise ValueError(f"GrainLFSR: parameter {value} does not fit in {width} bits")
            bits.extend(int(c) for c in format(value, f"0{width}b"))
        bits.extend([1] * 30)
        # Bit k of the integer is sequence position k (the oldest bit is bit 0).
        self._state = sum(b << k for k, b in enumerate(bits))
        self._out = np.zeros(0, dtype=np.uint8)
        self._pos = 0
        self._skip = _LFSR_WARMUP_BITS

    def _raw_block(self) -> np.ndarray:
        """Clock the LFSR for one block and return the raw bits in sequence order."""
        st = self._state
        chunks = []
        for _ in range(_LFSR_BLOCK_STEPS):
            new = ((st >> 62) ^ (st >> 51) ^ (st >> 38) ^ (st >> 23) ^ (st >> 13) ^ st) & _LFSR_MASK
            chunks.append(new)
            st = (st >> _LFSR_STEP_BITS) | (new << 62)
        self._state = st
        words = np.array(chunks, dtype=np.uint32)
        shifts = np.arange(_LFSR_STEP_BITS, dtype=np.uint32)
        return ((words[:, None] >> shifts) & 1).astype(np.uint8).ravel()

    def _refill(self) -> None:
        raw = self._raw_block()
        if self._skip:
            raw = raw[self._skip :]
            self._skip = 0
        pairs = raw.reshape(-1, 2)
        fresh = pairs[pairs[:, 0] == 1, 1]
        self._out = np.concatenate([self._out[self._pos :], fresh])
        self._pos = 0

    def random_bits(self, num_bits: int) -> int:
        """Return the next ``num_bits`` output bits as an integer, first bit most significant."""
        if num_bits <= 0:
            raise ValueError(f"GrainLFSR: num_bits must be positive, got {num_bits}")
        while len(self._out) - self._pos < num_bits:
            self._refill()
        bits = self._out[self._pos : self._pos + num_bits]
        self._pos += num_bits
        pad = (-num_bits) % 8
        return int.from_bytes(np.packbits(bits).tobytes(), "big") >> pad


@dataclass(frozen=True)
class PoseidonParams:
    """Plain Poseidon constants for one width ``t``.

    ``round_constants[r][i]`` is added to state element i at the start of round r;
    ``mds[i][j]`` is the matrix applied as ``new[i] = sum_j mds[i][j] * state[j]`` (how circomlib
    applies it).
    """

    t: int
    full_rounds: int
    partial_rounds: int
    round_constants: tuple[tuple[int, ...], ...]
    mds: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class OptimizedParams:
    """Equivalent constants for the fast round schedule used by the hash functions.

    Schedule (p = partial_rounds, h = full_rounds // 2):
      1. rounds 0..h-1: ``state += first_constants[r]``, x^5 on all, then multiply by
         ``mds`` for r < h-1 and by ``pre_sparse`` for r = h-1;
      2. p partial rounds k: ``s0 = (s0 + partial_constants[k])^5``, then the sparse matrix:
         ``s0' = sum_j sparse_row[k][j] * s_j`` and ``s_i' = s_i + sparse_col[k][i-1] * s0``
         for i >= 1 (both using the S-boxed s0);
      3. rounds 0..h-1: ``state += last_constants[r]``, x^5 on all, multiply by ``mds``.
    """

    t: int
    full_rounds: int
    partial_rounds: int
    first_constants: tuple[tuple[int, ...], ...]
    partial_constants: tuple[int, ...]
    last_constants: tuple[tuple[int, ...], ...]
    mds: tuple[tuple[int, ...], ...]
    pre_sparse: tuple[tuple[int, ...], ...]
    sparse_row: tuple[tuple[int, ...], ...]
    sparse_col: tuple[tuple[int, ...], ...]


def _check_width(t: int) -> None:
    if not isinstance(t, int) or isinstance(t, bool):
        raise ValueError(f"poseidon_params: width t must be an int, got {type(t).__name__}")
    if not MIN_WIDTH <= t <= MAX_WIDTH:
        raise ValueError(
            f"poseidon_params: width t={t} outside the supported {MIN_WIDTH}..{MAX_WIDTH}"
        )


def _cauchy_mds(lfsr: GrainLFSR, t: int) -> list[list[int]]:
    """Sample a Cauchy matrix the way the reference script's ``create_mds_p`` does."""
    while True:
        rand = [lfsr.random_bits(FIELD_BITS) % _P for _ in range(2 * t)]
        # The reference redraws the whole list until all 2t elements are distinct.
        while len(set(rand)) != len(rand):
            rand = [lfsr.random_bits(FIELD_BITS) % _P for _ in range(2 * t)]
        xs, ys = rand[:t], rand[t:]
        if any((x + y) % _P == 0 for x in xs for y in ys):
            continue
        return [[pow(x + y, -1, _P) for y in ys] for x in xs]


def generate_params(t: int) -> PoseidonParams:
    """Generate the round constants and MDS matrix for width ``t`` (2..17) from the Grain LFSR.

    Follows ``generate_parameters_grain.sage 1 0 254 t 8 R_P p``. The reference script also
    runs three subspace-trail checks on the matrix and redraws it if one fails; they are not
    reimplemented here (they pass on the first draw for all of circomlib's widths, which the
    tests confirm by comparing with circomlib's matrices).
    """
    _check_width(t)
    r_p = PARTIAL_ROUNDS[t - MIN_WIDTH]
    lfsr = GrainLFSR(1, 0, FIELD_BITS, t, FULL_ROUNDS, r_p)
    flat: list[int] = []
    for _ in range((FULL_ROUNDS + r_p) * t):
        value = lfsr.random_bits(FIELD_BITS)
        while value >= _P:
            value = lfsr.random_bits(FIELD_BITS)
        flat.append(value)
    mds = _cauchy_mds(lfsr, t)
    rounds = tuple(tuple(flat[r * t : (r + 1) * t]) for r in range(FULL_ROUNDS + r_p))
    return PoseidonParams(
        t=t,
        full_rounds=FULL_ROUNDS,
        partial_rounds=r_p,
        round_constants=rounds,
        mds=tuple(tuple(row) for row in mds),
    )


def _mat_mul(a: list[list[int]], b: list[list[int]]) -> list[list[int]]:
    n, m, k = len(a), len(b[0]), len(b)
    return [[sum(a[i][x] * b[x][j] for x in range(k)) % _P for j in range(m)] for i in range(n)]


def _mat_vec(a: list[list[int]] | tuple[tuple[int, ...], ...], v: list[int]) -> list[int]:
    return [sum(row[j] * v[j] for j in range(len(v))) % _P for row in a]


def _mat_inv(a: list[list[int]]) -> list[list[int]]:
    """Gauss-Jordan inverse mod r (raises ValueError if singular)."""
    n = len(a)
    aug = [[x % _P for x in row] + [int(i == j) for j in range(n)] for i, row in enumerate(a)]
    for col in range(n):
        pivot = next((r for r in range(col, n) if aug[r][col]), None)
        if pivot is None:
            raise ValueError("poseidon_params: singular matrix")
        aug[col], aug[pivot] = aug[pivot], aug[col]
        inv = pow(aug[col][col], -1, _P)
        aug[col] = [x * inv % _P for x in aug[col]]
        for r in range(n):
            if r != col and aug[r][col]:
                f = aug[r][col]
                aug[r] = [(x - f * y) % _P for x, y in zip(aug[r], aug[col], strict=True)]
    return [row[n:] for row in aug]


def _mat_pow(a: list[list[int]], e: int) -> list[list[int]]:
    n = len(a)
    result = [[int(i == j) for j in range(n)] for i in range(n)]
    base = a
    while e:
        if e & 1:
            result = _mat_mul(result, base)
        e >>= 1
        if e:
            base = _mat_mul(base, base)
    return result


def optimize_params(params: PoseidonParams) -> OptimizedParams:
    """Derive the fast-schedule constants (see :class:`OptimizedParams`) from plain ones.

    Two rewrites, both exact:

    * Constants: in a partial round only element 0 meets the S-box, so the constants added to
      elements 1..t-1 pass linearly through ``M`` and are pushed into the next round's constants;
      after the last partial round they land in the first full round of the second half.
    * Matrices: write ``M = [[m00, v], [w, M_hat]]``. Then ``M = S · D`` with
      ``D = diag(1, M_hat)`` and ``S = [[m00, v·M_hat⁻¹], [w, I]]`` sparse. ``D`` commutes with a
      partial round (it leaves element 0 alone and is linear on the rest), so, working from the
      last partial round backwards, each dense factor moves one round earlier and merges with that
      round's ``M``. Unrolled, partial round k (counting j = p - k from the end) uses
      ``S_k = [[m00, v·M_hat^-j], [M_hat^(j-1)·w, I]]`` and the leftover ``diag(1, M_hat^p)``
      is folded into the last first-half full round's matrix: ``pre_sparse = diag(1, M_hat^p)·M``.
      Only vector-matrix products per round, so deriving every width takes milliseconds.
    """
    t, h, r_p = params.t, params.full_rounds // 2, params.partial_rounds
    mds = [list(row) for row in params.mds]
    rc = [list(row) for row in params.round_constants]

    # Constants: carry the non-S-boxed part of each partial round's constant forward.
    carry = [0] * t
    partial_constants = []
    for k in range(r_p):
        c = [(x + y) % _P for x, y in zip(rc[h + k], carry, strict=True)]
        partial_constants.append(c[0])
        carry = _mat_vec(mds, [0] + c[1:])
    last_constants = [list(row) for row in rc[h + r_p :]]
    last_constants[0] = [(x + y) % _P for x, y in zip(last_constants[0], carry, strict=True)]

    # Matrices.
    n = t - 1
    m_hat = [row[1:] for row in mds[1:]]
    m_hat_inv = _mat_inv(m_hat)
    row_vec = mds[0][1:]  # v · M_hat^-j
    col_vec = [mds[i][0] for i in range(1, t)]  # M_hat^(j-1) · w
    sparse_row: list[list[int]] = [[] for _ in range(r_p)]
    sparse_col: list[list[int]] = [[] for _ in range(r_p)]
    for k in range(r_p - 1, -1, -1):
        row_vec = [sum(row_vec[i] * m_hat_inv[i][j] for i in range(n)) % _P for j in range(n)]
        sparse_row[k] = [mds[0][0]] + row_vec
        sparse_col[k] = col_vec
        col_vec = _mat_vec(m_hat, col_vec)
    m_hat_p = _mat_pow(m_hat, r_p)
    pre_sparse = [mds[0]] + _mat_mul(m_hat_p, mds[1:])

    def tup(rows: list[list[int]]) -> tuple[tuple[int, ...], ...]:
        return tuple(tuple(row) for row in rows)

    return OptimizedParams(
        t=t,
        full_rounds=params.full_rounds,
        partial_rounds=r_p,
        first_constants=tup(rc[:h]),
        partial_constants=tuple(partial_constants),
        last_constants=tup(last_constants),
        mds=tup(mds),
        pre_sparse=tup(pre_sparse),
        sparse_row=tup(sparse_row),
        sparse_col=tup(sparse_col),
    )


def ints_to_limbs(values: list[int] | tuple[int, ...]) -> np.ndarray:
    """Pack field elements (canonical ints < 2^256) into an (N, 4) little-endian uint64 array."""
    out = np.zeros((len(values), 4), dtype=np.uint64)
    raw = b"".join(int(v).to_bytes(32, "little") for v in values)
    if values:
        out[:] = np.frombuffer(raw, dtype="<u8").reshape(-1, 4)
    return out


def limbs_to_ints(arr: np.ndarray) -> list[int]:
    """Inverse of :func:`ints_to_limbs`."""
    raw = np.ascontiguousarray(arr, dtype="<u8").tobytes()
    return [int.from_bytes(raw[i : i + 32], "little") for i in range(0, len(raw), 32)]


def _flatten(rows: tuple[tuple[int, ...], ...]) -> list[int]:
    return [x for row in rows for x in row]


# Column layout of the Montgomery table index (``table_offsets[t]``): where each block of width
# t's fast-schedule constants starts in ``table`` (in rows), plus the partial-round count. The
# numba kernels in ``offchain.crypto.poseidon`` read these blocks directly.
OFF_FIRST = 0  # (full_rounds/2) × t   first-half round constants, row-major
OFF_PRE = 1  # t × t                  pre_sparse matrix, row-major [i][j]
OFF_PARTIAL = 2  # p                  partial-round constants
OFF_SROW = 3  # p × t                 sparse first rows
OFF_SCOL = 4  # p × (t-1)             sparse first columns (below row 0)
OFF_LAST = 5  # (full_rounds/2) × t   second-half round constants
OFF_MDS = 6  # t × t                  the MDS matrix, row-major [i][j]
OFF_NPARTIAL = 7  # number of partial rounds p
TABLE_COLUMNS = 8


def to_montgomery(x: int) -> int:
    """x·2^256 mod r: the Montgomery representation the numba field kernels use."""
    return (x << 256) % _P


def build_mont_table(opts: list[OptimizedParams]) -> tuple[np.ndarray, np.ndarray]:
    """Pack the fast-schedule constants of several widths into one Montgomery limb table.

    Returns ``(table, offsets)``: ``table`` is ``(N, 4) uint64`` (Montgomery form) and
    ``offsets`` is ``(MAX_WIDTH + 1, TABLE_COLUMNS) int64`` indexed by t (rows of absent widths
    are -1), columns as the ``OFF_*`` constants.
    """
    offsets = np.full((MAX_WIDTH + 1, TABLE_COLUMNS), -1, dtype=np.int64)
    values: list[int] = []
    for o in opts:
        blocks = (
            (OFF_FIRST, _flatten(o.first_constants)),
            (OFF_PRE, _flatten(o.pre_sparse)),
            (OFF_PARTIAL, list(o.partial_constants)),
            (OFF_SROW, _flatten(o.sparse_row)),
            (OFF_SCOL, _flatten(o.sparse_col)),
            (OFF_LAST, _flatten(o.last_constants)),
            (OFF_MDS, _flatten(o.mds)),
        )
        for column, block in blocks:
            offsets[o.t, column] = len(values)
            values.extend(block)
        offsets[o.t, OFF_NPARTIAL] = o.partial_rounds
    return ints_to_limbs([to_montgomery(v) for v in values]), offsets


def params_to_arrays(params: PoseidonParams) -> dict[str, np.ndarray]:
    """The data-file arrays holding one width's plain constants (canonical (N, 4) uint64 limbs)."""
    t = params.t
    return {
        f"t{t}_round_constants": ints_to_limbs(_flatten(params.round_constants)),
        f"t{t}_mds": ints_to_limbs(_flatten(params.mds)),
    }


def build_data_arrays(widths: range | None = None) -> dict[str, np.ndarray]:
    """Everything the data file holds, generated from scratch.

    * ``t{t}_round_constants`` ((R_F+R_P)·t, 4) and ``t{t}_mds`` (t·t, 4): the plain reference
      constants, canonical little-endian limbs (row-major; round r, element i at row r·t + i).
    * ``mont_table`` / ``mont_offsets``: the fast-schedule constants of every width in
      Montgomery form, laid out for the numba kernels (see :func:`build_mont_table`). Stored,
      not derived on import, so importing the hash costs one file read.
    """
    widths = widths if widths is not None else range(MIN_WIDTH, MAX_WIDTH + 1)
    arrays: dict[str, np.ndarray] = {}
    opts = []
    for t in widths:
        params = generate_params(t)
        arrays.update(params_to_arrays(params))
        opts.append(optimize_params(params))
    arrays["mont_table"], arrays["mont_offsets"] = build_mont_table(opts)
    return arrays


def write_data_file(path: Path = DATA_PATH) -> Path:
    """Generate the constants for every width and write them to ``path`` (``.npz``).

    The numba kernels freeze the table into their on-disk cache, which numba keys on
    ``poseidon.py``'s timestamp, not on this file: after regenerating, clear the ``__pycache__``
    numba entries (or touch ``poseidon.py``). The output is deterministic, so this only matters
    if the procedure itself changes.
    """
    arrays = build_data_arrays()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)
    return path


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python -m offchain.crypto.poseidon_params [OUTPUT.npz]``."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) > 1:
        raise SystemExit("usage: python -m offchain.crypto.poseidon_params [OUTPUT.npz]")
    out = write_data_file(Path(argv[0]) if argv else DATA_PATH)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
