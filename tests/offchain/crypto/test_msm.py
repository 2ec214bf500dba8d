"""Pippenger MSM against independent references.

Points are built as known multiples ``Pᵢ = [aᵢ]G``, so the naive sum Σ kᵢ·Pᵢ equals
``[Σ kᵢ·aᵢ mod r]G``: one py-ecc multiplication per case, independent of the code under test.
The ffjavascript oracle (``tests/js/msm_oracle.js``) cross-checks the same inputs against snarkjs's
own MSM.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from py_ecc import optimized_bn128 as O
from py_ecc.fields import bn128_FQ2 as FQ2

from offchain.crypto import bn254 as C
from offchain.crypto import msm as M
from offchain.crypto.fq2 import fq2_from_ints, fq2_sqrt, fq2_to_ints
from tests.node_oracle import run_node_oracle

R = C.R
scalar = st.one_of(st.sampled_from([0, 1, 2, R - 1, R - 2, (R + 1) // 2]), st.integers(0, R - 1))


def _ref(g: str, logs, scalars):
    t = sum(a * k for a, k in zip(logs, scalars, strict=True)) % R
    if g == "g1":
        return C.g1_from_py_ecc(O.multiply(O.G1, t))
    return C.g2_from_py_ecc(O.multiply(O.G2, t))


@st.composite
def msm_case(draw, max_size: int):
    """Discrete logs of the points (0 = infinity), with duplicates and negations, and scalars."""
    n = draw(st.integers(0, max_size), label="n")
    logs: list[int] = []
    for _ in range(n):
        kind = draw(st.sampled_from(["fresh", "fresh", "dup", "neg", "inf"]))
        if kind == "inf" or not logs and kind in ("dup", "neg"):
            logs.append(0 if kind == "inf" else draw(st.integers(1, R - 1)))
        elif kind == "dup":
            logs.append(draw(st.sampled_from(logs)))
        elif kind == "neg":
            logs.append((R - draw(st.sampled_from(logs))) % R)
        else:
            logs.append(draw(st.integers(1, R - 1)))
    scalars = [draw(scalar) for _ in range(n)]
    if n and draw(st.booleans()):
        # Same scalar everywhere: duplicates collide in every window's bucket.
        scalars = [scalars[0]] * n
    return logs, scalars


def _points(g: str, logs):
    gen, mul = (C.G1_GENERATOR, C.g1_mul) if g == "g1" else (C.G2_GENERATOR, C.g2_mul)
    return [mul(gen, a) if a else None for a in logs]


@given(case=msm_case(max_size=40))
def test_msm_g1_matches_naive_sum(case):
    logs, scalars = case
    assert M.msm_g1(_points("g1", logs), scalars) == _ref("g1", logs, scalars)


@given(case=msm_case(max_size=12))
def test_msm_g2_matches_naive_sum(case):
    logs, scalars = case
    assert M.msm_g2(_points("g2", logs), scalars) == _ref("g2", logs, scalars)


@given(case=msm_case(max_size=24), c=st.integers(2, 10))
def test_every_window_size_agrees(case, c):
    logs, scalars = case
    arr, sc = C.g1_array(_points("g1", logs)), M.scalars_array(scalars)
    got = C.g1_points(M.msm_g1_arrays(arr, sc, window=c).reshape(1, 2, 4))[0]
    assert got == _ref("g1", logs, scalars)


@pytest.mark.parametrize("g", ["g1", "g2"])
def test_degenerate_inputs(g):
    msm, neg = (M.msm_g1, C.g1_neg) if g == "g1" else (M.msm_g2, C.g2_neg)
    p, q = _points(g, [5, 11])
    assert msm([], []) is None
    assert msm([p, q], [0, 0]) is None
    assert msm([None, None], [3, 4]) is None
    assert msm([p], [1]) == p
    assert msm([p], [R - 1]) == neg(p)
    assert msm([p, neg(p)], [7, 7]) is None  # cancels inside one bucket
    assert msm([p, p, neg(p)], [9, 9, 9]) == _ref(g, [5], [9])  # P + P, then − P
    assert msm([p] * 33, [3] * 33) == _ref(g, [5], [99])  # one bucket, log-depth doublings


def test_full_width_scalars_use_the_integer():
    # The array API takes scalars up to 2^256 as given (no reduction): [k]P = [k mod r]P in G1.
    logs = [3, 8, 3]
    ks = [(1 << 256) - 1, R, 2 * R + 5]
    limbs = np.array(
        [[(k >> (64 * i)) & ((1 << 64) - 1) for i in range(4)] for k in ks], dtype=np.uint64
    )
    got = M.msm_g1_arrays(C.g1_array(_points("g1", logs)), limbs)
    assert C.g1_points(got.reshape(1, 2, 4))[0] == _ref("g1", logs, ks)


def test_bad_inputs():
    p = C.G1_GENERATOR
    with pytest.raises(ValueError, match="2 points but 1 scalars"):
        M.msm_g1([p, p], [1])
    with pytest.raises(ValueError, match="not on the curve"):
        M.msm_g1([(1, 1)], [1])
    with pytest.raises(ValueError, match="shape"):
        M.msm_g1_arrays(np.zeros((2, 3, 4), np.uint64), np.zeros((2, 4), np.uint64))
    with pytest.raises(ValueError, match="shape"):
        M.msm_g1_arrays(np.zeros((2, 2, 4), np.uint64), np.zeros((3, 4), np.uint64))
    with pytest.raises(ValueError, match="uint64"):
        M.msm_g2_arrays(np.zeros((2, 2, 2, 4), np.int64), np.zeros((2, 4), np.uint64))
    with pytest.raises(ValueError, match="ints"):
        M.scalars_array([1.5])
    with pytest.raises(ValueError, match="subgroup"):
        M.msm_g2([C.G2_GENERATOR, _off_subgroup_twist_point()], [1, 1])


def _off_subgroup_twist_point():
    # The first twist point with x = x0 + u: on the curve, but (whp, and checked) not in G2.
    for x0 in range(1, 100):
        X = FQ2([x0, 1])
        rhs = X * X * X + FQ2(list(C.G2_B))
        raw = fq2_from_ints(tuple(int(c) for c in rhs.coeffs))
        ok, y = fq2_sqrt(tuple(tuple(np.uint64(v) for v in c) for c in raw))
        if ok:
            p = ((x0, 1), fq2_to_ints(y))
            assert C.g2_is_on_curve(p) and not C.g2_is_in_subgroup(p)
            return p
    raise AssertionError("no twist point found")


def test_choose_window_grows_with_size():
    cs = [M.choose_window(1 << k, 2) for k in (4, 10, 16, 20)]
    assert cs == sorted(cs) and cs[0] >= 2 and cs[-1] <= 20


@pytest.mark.node
@pytest.mark.parametrize("g", ["g1", "g2"])
def test_matches_ffjavascript(g):
    rng = np.random.default_rng(7)
    logs = [int(x) for x in rng.integers(1, 1 << 62, size=16)]
    logs += [logs[0], logs[1], (R - logs[2]) % R, 0]
    scalars = [int(x) * (1 << 190) + 3 for x in rng.integers(0, 1 << 62, size=len(logs))]
    scalars[5] = 0
    points = _points(g, logs)
    if g == "g1":
        req_points = [None if p is None else [str(p[0]), str(p[1])] for p in points]
    else:
        req_points = [
            None if p is None else [[str(c) for c in p[0]], [str(c) for c in p[1]]] for p in points
        ]
    reply = run_node_oracle(
        "msm_oracle.js",
        {
            "op": "msm",
            "group": g.upper(),
            "points": req_points,
            "scalars": [str(k) for k in scalars],
        },
    )
    res = reply["result"]
    if g == "g1":
        theirs = None if res is None else (int(res[0]), int(res[1]))
        assert M.msm_g1(points, scalars) == theirs
    else:
        theirs = None if res is None else tuple(tuple(int(c) for c in v) for v in res)
        assert M.msm_g2(points, scalars) == theirs
    assert theirs == _ref(g, logs, scalars)


@pytest.mark.slow
@pytest.mark.parametrize("log_n", [12, 16])
def test_large_g1(log_n):
    rng = np.random.default_rng(log_n)
    n = 1 << log_n
    # Points a·G, (a+d)·G, … by repeated addition: cheap, all distinct, discrete logs known.
    a0, d = int(rng.integers(1, 1 << 62)), int(rng.integers(1, 1 << 62))
    step = C.g1_mul(C.G1_GENERATOR, d)
    pts = [C.g1_mul(C.G1_GENERATOR, a0)]
    for _ in range(n - 1):
        pts.append(C.g1_add(pts[-1], step))
    logs = [(a0 + i * d) % R for i in range(n)]
    scalars = [int.from_bytes(rng.bytes(32), "little") % R for _ in range(n)]
    assert M.msm_g1(pts, scalars) == _ref("g1", logs, scalars)


@pytest.mark.slow
def test_large_g2():
    rng = np.random.default_rng(3)
    n = 1 << 10
    a0, d = 12345, 67891
    step = C.g2_mul(C.G2_GENERATOR, d)
    pts = [C.g2_mul(C.G2_GENERATOR, a0)]
    for _ in range(n - 1):
        pts.append(C.g2_add(pts[-1], step))
    logs = [(a0 + i * d) % R for i in range(n)]
    scalars = [int.from_bytes(rng.bytes(32), "little") % R for _ in range(n)]
    assert M.msm_g2(pts, scalars) == _ref("g2", logs, scalars)
