"""Crypto benchmark: field, curve, MSM, NTT, Poseidon, sparse Merkle tree, EdDSA — each against a
peer measured in the same run where one exists.

Run: ``make bench`` (full sizes, writes ``bench/out/crypto.md``) or ``hatchway bench --quick``
(the smaller sizes ``make demo`` uses). Nothing here is a pass/fail test: targets are read off the
table by people, and correctness of every kernel is the test suite's job. Where a peer computes
the same quantity (MSM, hashes) the harness still checks both sides agree, so a fast wrong answer
cannot make it into the table.
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

import numpy as np
from numba import njit

from bench.common import (
    REPO_ROOT,
    Row,
    best_of,
    machine_description,
    markdown_table,
    node_peer,
    write_temp,
)
from offchain.crypto.field import fr_mul

SIZES = {
    "quick": {"msm_g1": [12], "msm_g2": [10], "ntt": [12], "poseidon": 1 << 14, "smt": (10, 12), "eddsa": 1 << 9},
    "full": {"msm_g1": [16, 18], "msm_g2": [16], "ntt": [16, 20], "poseidon": 1 << 17, "smt": (12, 16), "eddsa": 1 << 12},
}  # fmt: skip


def _random_fr_array(n: int, seed: int) -> np.ndarray:
    from offchain.crypto.field import FR_MODULUS, fr_array

    rng = random.Random(seed)
    return fr_array([rng.randrange(FR_MODULUS) for _ in range(n)])


# ------------------------------------------------------------------------------------- field


@njit(cache=True)
def _fr_mul_throughput(x, y, n):
    # Four independent dependency chains: measures throughput, not just latency.
    a, b, c, d = x, y, x, y
    for _ in range(n):
        a = fr_mul(a, y)
        b = fr_mul(b, x)
        c = fr_mul(c, y)
        d = fr_mul(d, x)
    return a, b, c, d


def bench_field() -> list[Row]:
    """ns per Fr Montgomery multiplication, vs py-ecc's field element multiply."""
    from py_ecc.fields import bn128_FQ as PyEccFQ

    from offchain.crypto.field import fr_from_int

    x, y = fr_from_int(3), fr_from_int(5)
    n = 2_000_000
    t = best_of(lambda: _fr_mul_throughput(x, y, n))
    ours_ns = t / (4 * n) * 1e9

    a, b = PyEccFQ(123456789), PyEccFQ(987654321)
    m = 20_000

    def peer():
        c = a
        for _ in range(m):
            c = c * b
        return c

    peer_ns = best_of(peer) / m * 1e9
    return [Row("Fr Montgomery mul", ours_ns, "ns", "py-ecc FQ mul", peer_ns)]


# ------------------------------------------------------------------------------------- NTT


def bench_ntt(log_sizes: list[int]) -> list[Row]:
    """Forward NTT over Fr, vs ffjavascript's Fr.fft (snarkjs's engine)."""
    from offchain.crypto.ntt import ntt

    rows = []
    for log_n in log_sizes:
        a = _random_fr_array(1 << log_n, seed=log_n)
        ours = best_of(lambda a=a: ntt(a))
        path = write_temp(a)
        try:
            peer = min(node_peer("ffjs_peer.js", {"op": "fft", "values": path, "reps": 3})["ms"])
        finally:
            os.unlink(path)
        rows.append(Row(f"NTT 2^{log_n} (Fr)", ours * 1e3, "ms", "ffjavascript Fr.fft", peer))
    return rows


SECTIONS = {
    "field": lambda s: bench_field(),
    "ntt": lambda s: bench_ntt(s["ntt"]),
}


def run(profile: str = "full", only: list[str] | None = None, out: Path | None = None) -> str:
    """Run the benchmark sections and return (and optionally write) the markdown report."""
    if profile not in SIZES:
        raise ValueError(f"bench: unknown profile {profile!r} (choose from {sorted(SIZES)})")
    sizes = SIZES[profile]
    rows: list[Row] = []
    for name, section in SECTIONS.items():
        if only and name not in only:
            continue
        print(f"[bench] {name} …", file=sys.stderr, flush=True)
        rows.extend(section(sizes))
    report = (
        f"Machine: {machine_description()}\n\n"
        f"Profile: `{profile}`. Ratio = how many times better ours is than the peer.\n\n"
        f"{markdown_table(rows)}\n"
    )
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(report)
    return report


def main() -> None:
    """Entry point for ``python -m bench.crypto [quick|full] [section ...]``."""
    args = sys.argv[1:]
    profile = args[0] if args else "full"
    only = args[1:] or None
    print(run(profile, only, REPO_ROOT / "bench" / "out" / f"crypto-{profile}.md"))


if __name__ == "__main__":
    main()
