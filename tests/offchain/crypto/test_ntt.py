"""NTT over Fr: against a naive DFT, round trips, cosets, and bad input."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from offchain.crypto.field import FR_MODULUS, fr_array, fr_ints
from offchain.crypto.ntt import coset_intt, coset_ntt, intt, ntt, root_of_unity

R = FR_MODULUS


def naive_eval(coeffs: list[int], points: list[int]) -> list[int]:
    out = []
    for x in points:
        acc = 0
        for c in reversed(coeffs):
            acc = (acc * x + c) % R
        out.append(acc)
    return out


@st.composite
def polys(draw, max_log: int = 6):
    log_n = draw(st.integers(0, max_log), label="log_n")
    elem = st.one_of(st.sampled_from([0, 1, R - 1]), st.integers(0, R - 1))
    return draw(st.lists(elem, min_size=1 << log_n, max_size=1 << log_n), label="coeffs")


def test_roots_of_unity_have_exact_order():
    for log_n in (1, 2, 10, 28):
        n = 1 << log_n
        w = root_of_unity(n)
        assert pow(w, n, R) == 1
        assert pow(w, n // 2, R) != 1


@given(coeffs=polys())
def test_ntt_matches_naive_dft(coeffs):
    n = len(coeffs)
    w = root_of_unity(n)
    expected = naive_eval(coeffs, [pow(w, i, R) for i in range(n)])
    assert fr_ints(ntt(fr_array(coeffs))) == expected


@given(coeffs=polys(max_log=8))
def test_intt_inverts_ntt(coeffs):
    a = fr_array(coeffs)
    before = a.copy()
    assert fr_ints(intt(ntt(a))) == coeffs
    assert np.array_equal(a, before), "the input array must not be modified"


@given(coeffs=polys(), shift=st.integers(1, R - 1))
def test_coset_ntt_matches_naive_and_round_trips(coeffs, shift):
    n = len(coeffs)
    w = root_of_unity(n)
    expected = naive_eval(coeffs, [shift * pow(w, i, R) % R for i in range(n)])
    evals = coset_ntt(fr_array(coeffs), shift)
    assert fr_ints(evals) == expected
    assert fr_ints(coset_intt(evals, shift)) == coeffs


def test_large_round_trip_and_linearity():
    rng = np.random.default_rng(7)
    n = 1 << 12
    xs = [int(v) % R for v in rng.integers(0, 2**62, size=n)]
    ys = [(x * 3 + 11) % R for x in xs]
    ax, ay = ntt(fr_array(xs)), ntt(fr_array(ys))
    # NTT is linear, and the all-11 vector transforms to 11·n at index 0 and zero elsewhere
    # (the powers of a primitive root sum to zero): NTT(3x + 11) = 3·NTT(x) + 11·n·e_0.
    expected = [3 * v % R for v in fr_ints(ax)]
    expected[0] = (expected[0] + 11 * n) % R
    assert fr_ints(ay) == expected
    assert fr_ints(intt(ay)) == ys


def test_bad_input():
    with pytest.raises(ValueError, match="power of two"):
        ntt(fr_array([1, 2, 3]))
    with pytest.raises(ValueError, match="power of two"):
        root_of_unity(12)
    with pytest.raises(ValueError, match="two-adicity"):
        root_of_unity(1 << 29)
    with pytest.raises(ValueError, match=r"\(N, 4\) uint64"):
        ntt(np.zeros((4, 3), np.uint64))
    with pytest.raises(ValueError, match="coset shift"):
        coset_ntt(fr_array([1, 2]), 0)
    with pytest.raises(ValueError, match="coset shift"):
        coset_intt(fr_array([1, 2]), R)
