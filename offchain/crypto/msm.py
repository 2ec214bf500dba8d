"""Multi-scalar multiplication Σ kᵢ·Pᵢ on BN254 G1 and G2: Pippenger with batch-affine buckets.

Algorithm
---------
1. **Signed-digit windows.** Each scalar is cut into ``nwin`` windows of ``c`` bits and recoded to
   digits in ``[−2^(c−1), 2^(c−1)]`` (a digit above half borrows from the next window), so a window
   needs only ``2^(c−1)`` buckets and a negative digit adds ``−P`` (negating y is free).
2. **Bucket accumulation in affine coordinates** (the batch-affine idea of gnark-crypto and arkworks,
   here in its "sort, then reduce pairwise" form): the points of a window are counting-sorted by
   bucket into a scratch array; then, round after round, every bucket's list is added pairwise in
   place. All additions of a round are independent, so their slope denominators are inverted
   together with Montgomery's trick — one field inversion per round, ~6 multiplications per affine
   addition instead of ~11 for a mixed Jacobian addition. A pair with equal x is either the same
   point (the slope becomes the tangent: doubling) or opposite points (the pair vanishes), so
   duplicate points, P and −P, and zero scalars need no special casing by callers.
3. **Bucket reduction** Σ j·Bⱼ by the running-sum trick in Jacobian coordinates, and the windows
   are combined with ``c`` doublings each (Horner).
4. **Parallelism**: windows are independent, so they are dealt round-robin to ``T`` threads
   (``T = numba.get_num_threads()``, i.e. ``NUMBA_NUM_THREADS``, the core count by default); the
   scalar recoding is split by point chunks the same way. The kernels are ``nogil`` and the threads
   are plain Python threads rather than a numba ``prange``: each ``parallel=True`` specialisation
   costs several seconds of extra compile time per group, and the split is this coarse anyway. The
   window size comes from a cost model that accounts for ``T`` (``ceil(nwin / T)`` rounds of
   windows), e.g. c = 12 for 2^16 points on 2 threads.

Array layouts (``uint64``, C-contiguous)
----------------------------------------
- points: affine Montgomery ``(N, 2, 4)`` for G1, ``(N, 2, 2, 4)`` for G2 (``[x, y]``, Fq2 as
  ``[c0, c1]``); infinity is an all-zero row — see :mod:`offchain.crypto.bn254`.
- scalars: ``(N, 4)`` little-endian limbs in **plain** (non-Montgomery) form, any value < 2^256
  (the integer itself is used: reduce mod r first if that is what you mean; the Python wrappers do).
- result: affine, ``(2, 4)`` for G1 or ``(2, 2, 4)`` for G2, all zeros for infinity.

Points must be on the curve (and in G2 for ``msm_g2`` when scalars were reduced mod r); the array
kernels do not re-validate what :func:`~offchain.crypto.bn254.g1_array` already checked.
"""

from __future__ import annotations

from collections.abc import Sequence

import numba
import numpy as np
from numba import njit

from offchain.crypto.bn254 import (
    G1Point,
    G2Point,
    R,
    aff_load,
    fe_add,
    fe_dbl,
    fe_eq,
    fe_inv,
    fe_is_zero,
    fe_load,
    fe_mul,
    fe_neg,
    fe_one,
    fe_sqr,
    fe_store,
    fe_sub,
    g1_array,
    g1_points,
    g2_array,
    g2_points,
    jac_add,
    jac_double,
    jac_infinity,
    jac_madd,
    jac_to_affine,
    pt_load,
    pt_store,
)
from offchain.crypto.threads import run_parallel

_MASK64 = (1 << 64) - 1


# ---------------------------------------------------------------------------------------------
# Scalar recoding
# ---------------------------------------------------------------------------------------------


@njit(cache=True, nogil=True)
def _signed_digits(scalars, skip, c, lo, hi, digits):
    # digits[w, i] for lo <= i < hi: the w-th signed c-bit digit of scalar i (0 where skip[i]).
    # Window w covers bits [w·c, w·c + c); a digit above 2^(c−1) becomes digit − 2^c with a carry
    # into window w + 1. The caller picks nwin = digits.shape[0] so the last carry is absorbed.
    nwin = digits.shape[0]
    half = 1 << (c - 1)
    full = 1 << c
    mask = np.uint64(full - 1)
    for i in range(lo, hi):
        if skip[i]:
            for w in range(nwin):
                digits[w, i] = 0
            continue
        carry = 0
        for w in range(nwin):
            bit = w * c
            limb = bit >> 6
            off = bit & 63
            v = np.uint64(0)
            if limb < 4:
                v = scalars[i, limb] >> np.uint64(off)
                if off + c > 64 and limb + 1 < 4:
                    v |= scalars[i, limb + 1] << np.uint64(64 - off)
            d = np.int64(v & mask) + carry
            if d > half:
                d -= full
                carry = 1
            else:
                carry = 0
            digits[w, i] = d


# ---------------------------------------------------------------------------------------------
# One window: batch-affine bucket accumulation, then bucket reduction
# ---------------------------------------------------------------------------------------------


@njit(cache=True)
def _sort_into_buckets(points, dig, nb, work, cnt, start):
    # Counting sort of the window's (signed) points by bucket |digit| ∈ [1, nb]; bucket b's points
    # land in work[start[b] : start[b] + cnt[b]], already negated for negative digits.
    n = points.shape[0]
    cnt[:] = 0
    for i in range(n):
        d = dig[i]
        if d != 0:
            cnt[abs(d)] += 1
    acc = 0
    for b in range(nb + 1):
        start[b] = acc
        acc += cnt[b]
    fill = start.copy()
    for i in range(n):
        d = dig[i]
        if d == 0:
            continue
        b = abs(d)
        j = fill[b]
        fill[b] += 1
        x, y = aff_load(points, i)
        if d < 0:
            y = fe_neg(y)
        pt_store(work, j, (x, y))


@njit(cache=True)
def _reduce_buckets_pairwise(work, nb, cnt, start, dens, invs):
    # Rounds of independent affine additions until every bucket holds at most one point.
    while True:
        # Pass 1: slope denominators of every pair, and their prefix products. Two interleaved
        # product chains (even and odd pairs) so consecutive multiplications are independent and
        # the CPU can overlap them: the chains are latency-bound otherwise.
        m = 0
        one = fe_one(pt_load(work, 0)[0])
        acc0 = one
        acc1 = one
        for b in range(1, nb + 1):
            k = cnt[b]
            if k < 2:
                continue
            s = start[b]
            for j in range(k // 2):
                p = aff_load(work, s + 2 * j)
                q = aff_load(work, s + 2 * j + 1)
                den = fe_sub(q[0], p[0])
                if fe_is_zero(den):
                    if fe_eq(p[1], q[1]):
                        den = fe_dbl(p[1])  # P + P: tangent slope 3x²/2y (y ≠ 0 on these curves)
                    else:
                        den = one  # P + (−P): nothing to invert; the pair vanishes
                fe_store(dens, m, den)
                if m & 1:
                    fe_store(invs, m, acc1)
                    acc1 = fe_mul(acc1, den)
                else:
                    fe_store(invs, m, acc0)
                    acc0 = fe_mul(acc0, den)
                m += 1
        if m == 0:
            return
        # Pass 2: one inversion for both chains, then walk each back to its individual inverses
        # (Montgomery's trick): invs[t] = (prefix before t) / (prefix through t).
        inv_both = fe_inv(fe_mul(acc0, acc1))
        inv0 = fe_mul(inv_both, acc1)  # 1 / acc0
        inv1 = fe_mul(inv_both, acc0)  # 1 / acc1
        for t in range(m - 1, -1, -1):
            den = fe_load(dens, t)
            if t & 1:
                fe_store(invs, t, fe_mul(inv1, fe_load(invs, t)))
                inv1 = fe_mul(inv1, den)
            else:
                fe_store(invs, t, fe_mul(inv0, fe_load(invs, t)))
                inv0 = fe_mul(inv0, den)
        # Pass 3: finish each addition, compacting every bucket's list in place. Output slot
        # s + out never overtakes the pair being read (s + 2j), so nothing unread is overwritten.
        t = 0
        for b in range(1, nb + 1):
            k = cnt[b]
            if k < 2:
                continue
            s = start[b]
            out = 0
            for j in range(k // 2):
                p = aff_load(work, s + 2 * j)
                q = aff_load(work, s + 2 * j + 1)
                dinv = fe_load(invs, t)
                t += 1
                if fe_eq(p[0], q[0]):
                    if not fe_eq(p[1], q[1]):
                        continue
                    xx = fe_sqr(p[0])
                    num = fe_add(fe_dbl(xx), xx)
                else:
                    num = fe_sub(q[1], p[1])
                lam = fe_mul(num, dinv)
                x3 = fe_sub(fe_sub(fe_sqr(lam), p[0]), q[0])
                y3 = fe_sub(fe_mul(lam, fe_sub(p[0], x3)), p[1])
                pt_store(work, s + out, (x3, y3))
                out += 1
            if k & 1:
                pt_store(work, s + out, aff_load(work, s + k - 1))
                out += 1
            cnt[b] = out


@njit(cache=True)
def _window_sum(points, dig, c, work, dens, invs, cnt, start):
    # Σ_i dig[i]·P_i for one window, as a Jacobian point.
    nb = 1 << (c - 1)
    like = pt_load(points, 0)[0]
    _sort_into_buckets(points, dig, nb, work, cnt, start)
    _reduce_buckets_pairwise(work, nb, cnt, start, dens, invs)
    # Σ_b b·B_b = Σ_b (B_nb + … + B_b): a running sum from the top bucket down.
    running = jac_infinity(like)
    total = jac_infinity(like)
    for b in range(nb, 0, -1):
        if cnt[b] == 1:
            running = jac_madd(running, aff_load(work, start[b]))
        total = jac_add(total, running)
    return total


@njit(cache=True, nogil=True)
def _window_sums(points, digits, c, windows, out):
    # The windows listed in `windows`, one after the other, sharing one set of scratch arrays;
    # out[w] receives window w's Jacobian sum. Runs without the GIL so threads can share the work.
    n = points.shape[0]
    nb = 1 << (c - 1)
    work = np.empty((n,) + points.shape[1:], np.uint64)
    dens = np.empty((n // 2 + 1,) + points.shape[2:], np.uint64)
    invs = np.empty((n // 2 + 1,) + points.shape[2:], np.uint64)
    cnt = np.zeros(nb + 1, np.int64)
    start = np.zeros(nb + 1, np.int64)
    for t in range(windows.shape[0]):
        w = windows[t]
        pt_store(out, w, _window_sum(points, digits[w], c, work, dens, invs, cnt, start))


@njit(cache=True)
def _combine_windows(wins, c, out):
    # Horner over windows: acc = (…(W_top·2^c + W_top−1)·2^c + …) + W_0; affine into out[0].
    nwin = wins.shape[0]
    acc = pt_load(wins, nwin - 1)
    for w in range(nwin - 2, -1, -1):
        for _ in range(c):
            acc = jac_double(acc)
        acc = jac_add(acc, pt_load(wins, w))
    pt_store(out, 0, jac_to_affine(acc))


# ---------------------------------------------------------------------------------------------
# Window choice and array entry points
# ---------------------------------------------------------------------------------------------


def _num_windows(c: int, bits: int) -> int:
    # Digits of windows below bit `bits` plus one: the top window then holds fewer than c − 1
    # bits, so its digit plus the incoming carry is at most 2^(c−1) and produces no carry out.
    return bits // c + 1


def choose_window(n: int, threads: int, bits: int = 254) -> int:
    """Window size c minimising a cost model of the parallel MSM, in field multiplications.

    Per window: ~7 multiplications per point (batch-affine add plus the sort), ~30 per bucket
    (reduction: one mixed and one full Jacobian add); windows run ``threads`` at a time.
    """
    best_c, best_cost = 2, float("inf")
    for c in range(2, 21):
        nwin = _num_windows(c, bits)
        per_window = 7 * n + 30 * (1 << (c - 1)) + 2000  # + per-window fixed cost (inversions)
        cost = -(-nwin // max(threads, 1)) * per_window
        if cost < best_cost:
            best_c, best_cost = c, cost
    return best_c


def _check_msm_arrays(
    points: np.ndarray, scalars: np.ndarray, tail: tuple[int, ...], g: str
) -> None:
    if not isinstance(points, np.ndarray) or points.dtype != np.uint64:
        raise ValueError(f"msm_{g}: points must be a uint64 array")
    if points.ndim != 1 + len(tail) or points.shape[1:] != tail:
        raise ValueError(f"msm_{g}: points must have shape (N, {', '.join(map(str, tail))})")
    if not isinstance(scalars, np.ndarray) or scalars.dtype != np.uint64:
        raise ValueError(f"msm_{g}: scalars must be a uint64 array")
    if scalars.shape != (points.shape[0], 4):
        raise ValueError(f"msm_{g}: scalars must have shape ({points.shape[0]}, 4)")


def _msm_arrays(points: np.ndarray, scalars: np.ndarray, window: int | None) -> np.ndarray:
    points = np.ascontiguousarray(points)
    scalars = np.ascontiguousarray(scalars)
    n = points.shape[0]
    out = np.zeros((1, 2) + points.shape[2:], np.uint64)
    if n == 0:
        return out[0]
    threads = max(1, numba.get_num_threads())
    bits = 256 if np.any(scalars[:, 3] >> np.uint64(62)) else 254
    c = window if window is not None else choose_window(n, threads, bits)
    if not 2 <= c <= 24:
        raise ValueError("msm: window size must be in [2, 24]")
    nwin = _num_windows(c, bits)
    # Small inputs are not worth a thread hand-off.
    threads = min(threads, nwin) if n >= 1024 else 1
    skip = ~points.reshape(n, -1).any(axis=1)  # all-zero rows are the point at infinity
    digits = np.empty((nwin, n), np.int32)
    bounds = np.linspace(0, n, threads + 1).astype(np.int64)
    run_parallel(
        _signed_digits,
        [(scalars, skip, c, bounds[t], bounds[t + 1], digits) for t in range(threads)],
    )
    wins = np.empty((nwin, 3) + points.shape[2:], np.uint64)
    # Windows are independent and cost about the same: deal them round-robin to the threads.
    run_parallel(
        _window_sums,
        [(points, digits, c, np.arange(t, nwin, threads), wins) for t in range(threads)],
    )
    _combine_windows(wins, c, out)
    return out[0]


def msm_g1_arrays(points: np.ndarray, scalars: np.ndarray, window: int | None = None) -> np.ndarray:
    """Σ kᵢ·Pᵢ over G1 on arrays: points ``(N, 2, 4)`` affine Montgomery (zero row = infinity),
    scalars ``(N, 4)`` plain little-endian limbs. Returns the affine ``(2, 4)`` result (zeros for
    infinity). ``window`` overrides the chosen window size (tests, tuning).
    """
    _check_msm_arrays(points, scalars, (2, 4), "g1")
    return _msm_arrays(points, scalars, window)


def msm_g2_arrays(points: np.ndarray, scalars: np.ndarray, window: int | None = None) -> np.ndarray:
    """Σ kᵢ·Pᵢ over G2 on arrays: points ``(N, 2, 2, 4)`` affine Montgomery (zero row = infinity),
    scalars ``(N, 4)`` plain limbs. Returns the affine ``(2, 2, 4)`` result (zeros for infinity).
    """
    _check_msm_arrays(points, scalars, (2, 2, 4), "g2")
    return _msm_arrays(points, scalars, window)


# ---------------------------------------------------------------------------------------------
# Python edges
# ---------------------------------------------------------------------------------------------


def scalars_array(scalars: Sequence[int]) -> np.ndarray:
    """Python ints → ``(N, 4)`` plain little-endian uint64 limbs, each reduced mod r."""
    raw = bytearray()
    for k in scalars:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
            raise ValueError(f"msm: scalars must be ints, got {type(k).__name__}")
        raw += (int(k) % R).to_bytes(32, "little")
    return np.frombuffer(bytes(raw), dtype="<u8").astype(np.uint64).reshape(len(scalars), 4)


def _check_lengths(points: Sequence[object], scalars: Sequence[int], g: str) -> None:
    if len(points) != len(scalars):
        raise ValueError(f"msm_{g}: {len(points)} points but {len(scalars)} scalars")


def msm_g1(points: Sequence[G1Point], scalars: Sequence[int]) -> G1Point:
    """Σ kᵢ·Pᵢ in G1 for affine int points (``None`` = infinity) and int scalars (taken mod r).

    Points are validated (coordinates < q, on the curve); ``ValueError`` otherwise.
    """
    _check_lengths(points, scalars, "g1")
    res = msm_g1_arrays(g1_array(points), scalars_array(scalars))
    return g1_points(res.reshape(1, 2, 4))[0]


def msm_g2(
    points: Sequence[G2Point], scalars: Sequence[int], check_subgroup: bool = True
) -> G2Point:
    """Σ kᵢ·Pᵢ in G2 for affine int points (``None`` = infinity) and int scalars (taken mod r).

    Points are validated for coordinates and twist membership, and, with ``check_subgroup``, for
    G2 membership (a point outside G2 would make the mod-r reduction of scalars wrong). That check
    costs a 127-bit scalar multiplication per point (~0.3 ms): pass ``False`` for points already
    validated (a proving key), or use :func:`msm_g2_arrays`. ``ValueError`` on a bad point.
    """
    _check_lengths(points, scalars, "g2")
    res = msm_g2_arrays(g2_array(points, check_subgroup=check_subgroup), scalars_array(scalars))
    return g2_points(res.reshape(1, 2, 2, 4))[0]
