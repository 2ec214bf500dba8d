"""Poseidon constants: regenerated with the Grain LFSR, compared with the committed data file and
with the constants circomlibjs ships."""

from __future__ import annotations

import numpy as np
import pytest

from offchain.crypto import poseidon_params as pp
from offchain.crypto.poseidon import poseidon_params_for
from offchain.crypto.poseidon_params import (
    DATA_PATH,
    MAX_WIDTH,
    MIN_WIDTH,
    PARTIAL_ROUNDS,
    GrainLFSR,
    build_mont_table,
    generate_params,
    limbs_to_ints,
    optimize_params,
)
from tests.node_oracle import run_node_oracle

ALL_WIDTHS = list(range(MIN_WIDTH, MAX_WIDTH + 1))
DEFAULT_WIDTHS = [2, 3]
SLOW_WIDTHS = [t for t in ALL_WIDTHS if t not in DEFAULT_WIDTHS]

widths = [
    *DEFAULT_WIDTHS,
    *(pytest.param(t, marks=pytest.mark.slow) for t in SLOW_WIDTHS),
]


def _stored() -> dict[str, np.ndarray]:
    with np.load(DATA_PATH) as npz:
        return {k: npz[k] for k in npz.files}


@pytest.mark.parametrize("t", widths)
def test_regenerated_plain_constants_match_data_file(t: int) -> None:
    """The Grain LFSR procedure reproduces the committed plain constants for width t."""
    fresh = pp.params_to_arrays(generate_params(t))
    stored = _stored()
    for key, arr in fresh.items():
        assert np.array_equal(stored[key], arr), key
    loaded = poseidon_params_for(t)
    assert loaded == generate_params(t)
    assert loaded.partial_rounds == PARTIAL_ROUNDS[t - MIN_WIDTH]
    assert len(loaded.round_constants) == 8 + loaded.partial_rounds


@pytest.mark.parametrize("t", widths)
def test_regenerated_mont_table_matches_data_file(t: int) -> None:
    """The kernels' Montgomery table blocks for width t equal a fresh derivation."""
    table, offsets = build_mont_table([optimize_params(generate_params(t))])
    stored = _stored()
    s_table, s_offsets = stored["mont_table"], stored["mont_offsets"]
    assert s_offsets[t, pp.OFF_NPARTIAL] == offsets[t, pp.OFF_NPARTIAL]
    ends = sorted(int(x) for x in offsets[t, : pp.OFF_NPARTIAL]) + [len(table)]
    for col in range(pp.OFF_NPARTIAL):
        start = int(offsets[t, col])
        size = ends[ends.index(start) + 1] - start
        s_start = int(s_offsets[t, col])
        assert np.array_equal(s_table[s_start : s_start + size], table[start : start + size]), col


def test_data_file_has_every_width_and_nothing_else() -> None:
    """All 16 widths are present; unused offset rows are -1; the table holds reduced values."""
    stored = _stored()
    expected = {f"t{t}_{k}" for t in ALL_WIDTHS for k in ("round_constants", "mds")}
    assert set(stored) == expected | {"mont_table", "mont_offsets"}
    offsets = stored["mont_offsets"]
    assert (offsets[:MIN_WIDTH] == -1).all()
    assert (offsets[MIN_WIDTH:] >= 0).all()
    assert max(limbs_to_ints(stored["mont_table"])) < pp.BN254_FR_MODULUS


@pytest.mark.node
def test_data_file_matches_circomlib_constants() -> None:
    """Our generated constants are exactly circomlib's, every width: round constants and the MDS
    matrix, in the orientation circomlib applies it (new[i] = sum_j M[i][j]·s[j])."""
    reply = run_node_oracle("poseidon_oracle.js", {"constants_for": ALL_WIDTHS})
    for t in ALL_WIDTHS:
        shipped = reply["constants"][str(t)]
        params = poseidon_params_for(t)
        flat = [x for row in params.round_constants for x in row]
        assert flat == [int(x, 16) for x in shipped["C"]], f"round constants differ for t={t}"
        assert [list(r) for r in params.mds] == [[int(x, 16) for x in r] for r in shipped["M"]], (
            f"MDS differs for t={t}"
        )


def test_mds_is_cauchy_and_invertible() -> None:
    """The matrix is a Cauchy matrix: every entry has a non-zero inverse and rows are distinct."""
    for t in DEFAULT_WIDTHS:
        mds = poseidon_params_for(t).mds
        assert len({row for row in mds}) == t
        assert all(0 < x < pp.BN254_FR_MODULUS for row in mds for x in row)
        inv = pp._mat_inv([list(r) for r in mds])
        prod = pp._mat_mul([list(r) for r in mds], inv)
        assert prod == [[int(i == j) for j in range(t)] for i in range(t)]


def test_grain_lfsr_bits_are_deterministic_and_chunk_independent() -> None:
    """Reading 254 bits at once or in odd-sized pieces gives the same stream (refills included)."""
    a = GrainLFSR(1, 0, 254, 3, 8, 57)
    b = GrainLFSR(1, 0, 254, 3, 8, 57)
    whole = [a.random_bits(254) for _ in range(300)]
    pieces = []
    for _ in range(300):
        hi = b.random_bits(101)
        lo = b.random_bits(153)
        pieces.append((hi << 153) | lo)
    assert whole == pieces
    assert all(0 <= x < 1 << 254 for x in whole)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((4, 0, 254, 3, 8, 57), "does not fit in 2 bits"),
        ((1, 0, 1 << 12, 3, 8, 57), "does not fit in 12 bits"),
        ((1, 0, 254, 3, 8, -1), "does not fit in 10 bits"),
    ],
)
def test_grain_lfsr_rejects_bad_parameters(args: tuple[int, ...], message: str) -> None:
    """Seed fields that do not fit their bit widths are rejected."""
    with pytest.raises(ValueError, match=message):
        GrainLFSR(*args)


def test_grain_lfsr_rejects_bad_bit_count() -> None:
    """Zero or negative bit counts are rejected."""
    with pytest.raises(ValueError, match="num_bits must be positive"):
        GrainLFSR(1, 0, 254, 3, 8, 57).random_bits(0)


@pytest.mark.parametrize("t", [0, 1, 18, True, 3.0])
def test_bad_width_rejected(t: object) -> None:
    """Widths outside 2..17 (or not ints) are ValueErrors in both modules."""
    with pytest.raises(ValueError, match="width t"):
        generate_params(t)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="width t"):
        poseidon_params_for(t)  # type: ignore[arg-type]


@pytest.mark.slow
def test_entry_point_writes_equivalent_file(tmp_path) -> None:
    """``python -m offchain.crypto.poseidon_params OUT`` regenerates the whole data file."""
    out = tmp_path / "poseidon.npz"
    assert pp.main([str(out)]) == 0
    stored = _stored()
    with np.load(out) as fresh:
        assert set(fresh.files) == set(stored)
        for key in fresh.files:
            assert np.array_equal(fresh[key], stored[key]), key
