"""Poseidon over BN254 Fr: circomlibjs (node), light-poseidon, a plain-schedule reference, and the
agreement of the Python, batch and numba-callable forms."""

from __future__ import annotations

import light_poseidon_python
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit

from offchain.crypto.field import FR_MODULUS, fr_array, fr_from_int, fr_ints, fr_to_int
from offchain.crypto.poseidon import (
    MAX_INPUTS,
    poseidon,
    poseidon2_mont,
    poseidon_batch,
    poseidon_batch_ints,
    poseidon_mont,
    poseidon_params_for,
)
from offchain.crypto.poseidon_params import PoseidonParams
from tests.node_oracle import run_node_oracle

R = FR_MODULUS
_EDGES = [0, 1, 2, R - 1, R - 2, (R - 1) // 2, 1 << 253, (1 << 64) - 1, 1 << 64]

field_elements = st.one_of(st.sampled_from(_EDGES), st.integers(min_value=0, max_value=R - 1))


def rows_of(k: int, min_size: int = 1, max_size: int = 6) -> st.SearchStrategy[list[list[int]]]:
    """Lists of k-input rows."""
    return st.lists(
        st.lists(field_elements, min_size=k, max_size=k), min_size=min_size, max_size=max_size
    )


any_row = st.integers(min_value=1, max_value=MAX_INPUTS).flatmap(
    lambda k: st.lists(field_elements, min_size=k, max_size=k)
)


def plain_poseidon(params: PoseidonParams, inputs: list[int]) -> int:
    """The textbook schedule (constants, S-boxes, full matrix every round), as circomlibjs's
    ``poseidon_reference.js``; independent of the optimised schedule the module runs."""
    t, half = params.t, params.full_rounds // 2
    s = [0, *inputs]
    for r, c in enumerate(params.round_constants):
        s = [(x + k) % R for x, k in zip(s, c, strict=True)]
        if r < half or r >= half + params.partial_rounds:
            s = [pow(x, 5, R) for x in s]
        else:
            s[0] = pow(s[0], 5, R)
        s = [sum(params.mds[i][j] * s[j] for j in range(t)) % R for i in range(t)]
    return s[0]


# Values printed by circomlibjs 0.1.7 (`buildPoseidon`); [1, 2] is also circomlib's own test vector.
_KNOWN = [
    ([1], 18586133768512220936620570745912940619677854269274689475585506675881198879027),
    ([1, 2], 7853200120776062878684798364095072458815029376092732009249414926327459813530),
    (
        [0, 0, 0, 0, 0],
        14655542659562014735865511769057053982292279840403315552050801315682099828156,
    ),
    (
        list(range(1, 17)),
        9989051620750914585850546081941653841776809718687451684622678807385399211877,
    ),
]


@pytest.mark.parametrize(("inputs", "want"), _KNOWN)
def test_known_vectors(inputs: list[int], want: int) -> None:
    """Fixed circomlibjs outputs, so a regression shows up even without node."""
    assert poseidon(inputs) == want
    assert poseidon_batch_ints([inputs]) == [want]


@given(row=any_row)
def test_matches_plain_schedule(row: list[int]) -> None:
    """The optimised schedule (folded constants, sparse matrices) is the same permutation."""
    assert poseidon(row) == plain_poseidon(poseidon_params_for(len(row) + 1), row)


@given(a=field_elements, b=field_elements)
def test_two_inputs_match_light_poseidon(a: int, b: int) -> None:
    """light-poseidon (Rust, circomlib constants) agrees with every two-input form."""
    want = int(light_poseidon_python.poseidon_hash([a, b]))
    assert poseidon([a, b]) == want
    assert fr_to_int(poseidon2_mont(fr_from_int(a), fr_from_int(b))) == want
    assert fr_to_int(poseidon_mont(fr_array([a, b]))) == want


def test_two_input_batch_matches_light_poseidon() -> None:
    """A larger two-input batch (several threads' worth) against light-poseidon."""
    rng = np.random.default_rng(0x9053)
    rows = [[int(x) % R for x in rng.integers(0, 1 << 62, size=2)] for _ in range(500)]
    rows += [[a, b] for a in _EDGES for b in _EDGES]
    want = [int(light_poseidon_python.poseidon_hash(r)) for r in rows]
    assert poseidon_batch_ints(rows) == want


@given(data=st.data(), k=st.integers(min_value=1, max_value=MAX_INPUTS))
def test_batch_matches_scalar(data: st.DataObject, k: int) -> None:
    """poseidon_batch (Montgomery arrays), poseidon_mont and the Python path agree for every k."""
    rows = data.draw(rows_of(k, max_size=5), label="rows")
    want = [poseidon(r) for r in rows]
    arr = fr_array([x for r in rows for x in r]).reshape(len(rows), k, 4)
    assert fr_ints(poseidon_batch(arr)) == want
    assert fr_to_int(poseidon_mont(arr[0])) == want[0]


def test_batch_ints_mixed_lengths_keep_order() -> None:
    """Rows of different lengths are grouped for the kernel but come back in input order."""
    rows = [[1], [1, 2], [3], list(range(16)), [5, 6], [R - 1] * 7]
    assert poseidon_batch_ints(rows) == [poseidon(r) for r in rows]
    assert poseidon_batch_ints([]) == []
    assert poseidon_batch(np.zeros((0, 3, 4), np.uint64)).shape == (0, 4)


@njit(cache=True)
def _merkle_fold(leaves):
    # A numba caller: folds a power-of-two leaf array to its root with poseidon2_mont, and also
    # hashes the first three leaves with the generic entry point.
    level = leaves.copy()
    n = level.shape[0]
    while n > 1:
        for i in range(n // 2):
            a = (level[2 * i, 0], level[2 * i, 1], level[2 * i, 2], level[2 * i, 3])
            b = (level[2 * i + 1, 0], level[2 * i + 1, 1], level[2 * i + 1, 2], level[2 * i + 1, 3])
            h = poseidon2_mont(a, b)
            for j in range(4):
                level[i, j] = h[j]
        n //= 2
    root = (level[0, 0], level[0, 1], level[0, 2], level[0, 3])
    return root, poseidon_mont(leaves[:3])


def test_callable_from_numba() -> None:
    """poseidon2_mont / poseidon_mont work inside other njit code (the Merkle-tree use)."""
    leaves = list(range(10, 18))
    level = leaves
    while len(level) > 1:
        level = [poseidon(level[i : i + 2]) for i in range(0, len(level), 2)]
    root, first3 = _merkle_fold(fr_array(leaves))
    assert fr_to_int(root) == level[0]
    assert fr_to_int(first3) == poseidon(leaves[:3])


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ([], "takes 1..16 inputs, got 0"),
        ([0] * 17, "takes 1..16 inputs, got 17"),
        ([1, R], "input 1 is >= the BN254 scalar field modulus"),
        ([1, 2, R + 5], "input 2 is >= the BN254 scalar field modulus"),
        ([-1], "input 0 is negative"),
        ([1, "2"], "input 1 is not an int"),
        ([1.0], "input 0 is not an int"),
        ([True], "input 0 is not an int"),
        ("12", "inputs must be a sequence of ints"),
        (7, "inputs must be a sequence of ints"),
    ],
)
def test_bad_inputs_raise(inputs: object, message: str) -> None:
    """Every rejected input names the problem."""
    with pytest.raises(ValueError, match=message):
        poseidon(inputs)  # type: ignore[arg-type]
    if isinstance(inputs, list):
        with pytest.raises(ValueError, match=f"row 0: {message}"):
            poseidon_batch_ints([inputs])


def test_numpy_ints_accepted() -> None:
    """numpy integers are ints for this purpose."""
    assert poseidon([np.uint64(1), np.int64(2)]) == _KNOWN[1][1]


@pytest.mark.parametrize(
    ("arr", "message"),
    [
        ([[[0, 0, 0, 0]]], "expected a numpy array"),
        (np.zeros((2, 2, 4), np.int64), r"expected an \(N, k, 4\) uint64 array"),
        (np.zeros((2, 4), np.uint64), r"expected an \(N, k, 4\) uint64 array"),
        (np.zeros((2, 2, 3), np.uint64), r"expected an \(N, k, 4\) uint64 array"),
        (np.zeros((2, 0, 4), np.uint64), "got k=0"),
        (np.zeros((2, 17, 4), np.uint64), "got k=17"),
    ],
)
def test_batch_bad_arrays_raise(arr: object, message: str) -> None:
    """Shape, dtype and width problems are ValueErrors."""
    with pytest.raises(ValueError, match=message):
        poseidon_batch(arr)  # type: ignore[arg-type]


@pytest.mark.parametrize("limb_value", [R, R + 1, (1 << 256) - 1])
def test_batch_unreduced_limbs_raise(limb_value: int) -> None:
    """Limbs holding a value >= r are not a field element."""
    arr = fr_array([1, 2, 3, 4, 5, 6]).reshape(3, 2, 4)
    arr[2, 1] = [(limb_value >> (64 * i)) & ((1 << 64) - 1) for i in range(4)]
    with pytest.raises(ValueError, match="row 2 input 1 is not a reduced Montgomery element"):
        poseidon_batch(arr)
    arr[2, 1] = [(R - 1 >> (64 * i)) & ((1 << 64) - 1) for i in range(4)]  # largest valid limbs
    poseidon_batch(arr)


def _edge_rows() -> list[list[int]]:
    rows = []
    for k in range(1, MAX_INPUTS + 1):
        rows += [[0] * k, [1] * k, [R - 1] * k, [(i * 7919) % R for i in range(k)]]
        rows.append([R - 1 if i % 2 else i for i in range(k)])
    return rows


@pytest.mark.node
def test_matches_circomlibjs() -> None:
    """Every width 1..16: edge rows plus hypothesis-drawn rows, hashed by circomlibjs in one call.

    Hypothesis draws the rows (one node start per example would dominate the suite), each is
    checked in-process on the Python and batch paths, and all go to node together at the end.
    """
    rows = _edge_rows()

    @settings(database=None)
    @given(batch=st.lists(any_row, min_size=1, max_size=8))
    def collect(batch: list[list[int]]) -> None:
        rows.extend(batch)

    collect()
    want = run_node_oracle("poseidon_oracle.js", {"inputs": [[str(x) for x in r] for r in rows]})
    want_ints = [int(h) for h in want["hashes"]]
    assert len(want_ints) == len(rows)
    got_python = [poseidon(r) for r in rows]
    got_batch = poseidon_batch_ints(rows)
    for row, w, gp, gb in zip(rows, want_ints, got_python, got_batch, strict=True):
        assert gp == w, f"python path differs from circomlibjs on {row}"
        assert gb == w, f"batch path differs from circomlibjs on {row}"
    assert {len(r) for r in rows} == set(range(1, MAX_INPUTS + 1))


@pytest.mark.node
def test_circomlibjs_reference_and_wasm_agree() -> None:
    """circomlibjs's WASM build and its textbook JS reference agree on our edge rows (the oracle
    itself is consistent), and we match both."""
    rows = _edge_rows()[::4]
    reply = run_node_oracle(
        "poseidon_oracle.js", {"inputs": [[str(x) for x in r] for r in rows], "reference": True}
    )
    assert reply["hashes"] == reply["hashes_reference"]
    assert [poseidon(r) for r in rows] == [int(h) for h in reply["hashes"]]
