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
import time
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
from offchain.crypto.bn254 import aff_load, jac_add, jac_from_affine, pt_store
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


# ------------------------------------------------------------------------------------- curve


@njit(cache=True)
def _walk(ends, out):
    # out[i] = ends[0] + i·ends[1] (Jacobian): distinct points at one addition each, which makes
    # 2^18 benchmark bases cheap (scalar multiplications would take longer than the MSM).
    # Points are loaded inside numba: tuples boxed through Python come back as mixed int64/uint64.
    acc = jac_from_affine(aff_load(ends, 0))
    inc = jac_from_affine(aff_load(ends, 1))
    for i in range(out.shape[0]):
        pt_store(out, i, acc)
        acc = jac_add(acc, inc)


@njit(cache=True)
def _add_chain(ends, n):
    acc = jac_from_affine(aff_load(ends, 0))
    inc = jac_from_affine(aff_load(ends, 1))
    for _ in range(n):
        acc = jac_add(acc, inc)
    return acc[2][0]


def _bench_points(group: str, n: int, seed: int) -> np.ndarray:
    from offchain.crypto import bn254

    rng = random.Random(seed)
    k1, k2 = rng.randrange(1, bn254.R), rng.randrange(1, bn254.R)
    if group == "G1":
        ends = bn254.g1_array([bn254.g1_mul(bn254.G1_GENERATOR, k) for k in (k1, k2)])
        jac = np.empty((n, 3, 4), np.uint64)
        _walk(ends, jac)
        return bn254.g1_batch_to_affine(jac)
    ends = bn254.g2_array([bn254.g2_mul(bn254.G2_GENERATOR, k) for k in (k1, k2)])
    jac = np.empty((n, 3, 2, 4), np.uint64)
    _walk(ends, jac)
    return bn254.g2_batch_to_affine(jac)


def bench_g1_add() -> list[Row]:
    """ns per G1 Jacobian addition, vs py-ecc's optimized_bn128.add."""
    from py_ecc import optimized_bn128 as ob

    pts = _bench_points("G1", 2, seed=1)
    n = 1_000_000
    ours_ns = best_of(lambda: _add_chain(pts, n)) / n * 1e9
    p, q = ob.multiply(ob.G1, 12345), ob.multiply(ob.G1, 67890)
    m = 5_000

    def peer():
        acc = p
        for _ in range(m):
            acc = ob.add(acc, q)
        return acc

    peer_ns = best_of(peer) / m * 1e9
    return [Row("G1 add (Jacobian)", ours_ns, "ns", "py-ecc optimized_bn128.add", peer_ns)]


def bench_msm(group: str, log_sizes: list[int]) -> list[Row]:
    """MSM over G1 or G2 vs ffjavascript's multiExpAffine (snarkjs's engine), same inputs."""
    from offchain.crypto import bn254
    from offchain.crypto.msm import msm_g1_arrays, msm_g2_arrays, scalars_array

    msm, to_points = (
        (msm_g1_arrays, bn254.g1_points) if group == "G1" else (msm_g2_arrays, bn254.g2_points)
    )
    rows = []
    for log_n in log_sizes:
        n = 1 << log_n
        rng = random.Random(log_n)
        points = _bench_points(group, n, seed=log_n)
        scalars = scalars_array([rng.randrange(bn254.R) for _ in range(n)])
        ours_s = best_of(lambda points=points, scalars=scalars: msm(points, scalars), reps=3)
        ours = to_points(msm(points, scalars)[None])[0]
        paths = [write_temp(points), write_temp(scalars)]
        try:
            op = "msm_g1" if group == "G1" else "msm_g2"
            reply = node_peer(
                "ffjs_peer.js", {"op": op, "bases": paths[0], "scalars": paths[1], "reps": 3}
            )
        finally:
            for path in paths:
                os.unlink(path)
        theirs = reply["result"]
        if group == "G1":
            theirs_pt = (int(theirs[0]), int(theirs[1]))
        else:
            theirs_pt = (
                (int(theirs[0][0]), int(theirs[0][1])),
                (int(theirs[1][0]), int(theirs[1][1])),
            )
        if ours != theirs_pt:
            raise AssertionError(f"bench: MSM {group} 2^{log_n} disagrees with ffjavascript")
        name = f"MSM {group} 2^{log_n}"
        rows.append(Row(name, ours_s * 1e3, "ms", "ffjavascript multiExpAffine", min(reply["ms"])))
    return rows


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


# ------------------------------------------------------------------------------------- Poseidon


def bench_poseidon(n: int) -> list[Row]:
    """Poseidon(2) hashes/s: our numba batch (all cores, and one core) vs light-poseidon (Rust)."""
    import light_poseidon_python as rust_poseidon
    import numba

    from offchain.crypto.field import fr_ints
    from offchain.crypto.poseidon import poseidon_batch

    pairs = _random_fr_array(2 * n, seed=2).reshape(n, 2, 4)
    ints = fr_ints(pairs.reshape(2 * n, 4))
    rows_in = [ints[2 * i : 2 * i + 2] for i in range(n)]
    hasher = rust_poseidon.Hasher(2)
    m = min(n, 20_000)

    def peer():
        return [hasher.hash(r) for r in rows_in[:m]]

    # Same answers first: a fast wrong hash must not reach the table.
    ours_out = fr_ints(poseidon_batch(pairs[:m]))
    if [int(h) for h in peer()] != ours_out:
        raise AssertionError("bench: our Poseidon disagrees with light-poseidon")
    peer_rate = m / best_of(peer, reps=2)
    all_cores = n / best_of(lambda: poseidon_batch(pairs))
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        one_core = n / best_of(lambda: poseidon_batch(pairs))
    finally:
        numba.set_num_threads(threads)
    peer_name = "light-poseidon (Rust), 1 core"
    return [
        Row(f"Poseidon(2), {threads} cores", all_cores, "hash/s", peer_name, peer_rate, True),
        Row("Poseidon(2), 1 core", one_core, "hash/s", peer_name, peer_rate, True),
    ]


# ------------------------------------------------------------------------------------- SMT


def bench_smt(batch_log: int, prefill_log: int, depth: int = 32) -> list[Row]:
    """Batched sparse-Merkle-tree update throughput at depth 32 (memory and SQLite stores)."""
    import tempfile

    from offchain.crypto.field import FR_MODULUS
    from offchain.state.smt import SparseMerkleTree
    from offchain.state.store import MemoryNodeStore, SQLiteNodeStore

    def batch(rng: random.Random, n: int) -> dict[int, int]:
        return {rng.randrange(1 << depth): rng.randrange(1, FR_MODULUS) for _ in range(n)}

    SparseMerkleTree(4).update_many({1: 2, 3: 4})  # compile / load kernels outside the timing
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        stores = {"memory": MemoryNodeStore(), "SQLite": SQLiteNodeStore(Path(tmp) / "b.db")}
        for label, store in stores.items():
            rng = random.Random(2024)
            tree = SparseMerkleTree(depth, store)
            tree.update_many(batch(rng, 1 << prefill_log))
            best = float("inf")
            for _ in range(3):
                items = batch(rng, 1 << batch_log)
                t0 = time.perf_counter()
                tree.update_many(items)
                best = min(best, time.perf_counter() - t0)
            name = f"SMT depth {depth}, batch 2^{batch_log} on 2^{prefill_log} leaves ({label})"
            rows.append(Row(name, (1 << batch_log) / best, "leaf/s", higher_is_better=True))
        stores["SQLite"].close()
    return rows


# ------------------------------------------------------------------------------------- EdDSA


def bench_eddsa(n: int) -> list[Row]:
    """EdDSA-Poseidon verifies/s: our numba batch verifier vs circomlibjs verifyPoseidon."""
    import hashlib

    import numba

    from offchain.crypto.eddsa import public_key, sign, verify_batch

    distinct = 64  # signing is pure Python (ms each): reuse a few signatures to fill the batch
    prvs = [hashlib.sha256(b"bench-%d" % i).digest() for i in range(distinct)]
    pubs0 = [public_key(k) for k in prvs]
    msgs0 = [1000 + i for i in range(distinct)]
    sigs0 = [sign(k, m) for k, m in zip(prvs, msgs0, strict=True)]
    pubs = [pubs0[i % distinct] for i in range(n)]
    msgs = [msgs0[i % distinct] for i in range(n)]
    sigs = [sigs0[i % distinct] for i in range(n)]

    reply = node_peer(
        "eddsa_peer.js",
        {
            "pubs": [[str(c) for c in p] for p in pubs[: min(n, 2000)]],
            "msgs": [str(m) for m in msgs[: min(n, 2000)]],
            "sigs": [[str(c) for c in s] for s in sigs[: min(n, 2000)]],
        },
    )
    if not all(reply["valid"]) or not verify_batch(pubs, msgs, sigs).all():
        raise AssertionError("bench: a valid signature was rejected")
    peer_rate = len(reply["valid"]) / reply["seconds"]
    all_cores = n / best_of(lambda: verify_batch(pubs, msgs, sigs))
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        one_core = n / best_of(lambda: verify_batch(pubs, msgs, sigs))
    finally:
        numba.set_num_threads(threads)
    peer_name = "circomlibjs verifyPoseidon, 1 core"
    return [
        Row(
            f"EdDSA-Poseidon verify, {threads} cores",
            all_cores,
            "verify/s",
            peer_name,
            peer_rate,
            True,
        ),
        Row("EdDSA-Poseidon verify, 1 core", one_core, "verify/s", peer_name, peer_rate, True),
    ]


SECTIONS = {
    "field": lambda s: bench_field(),
    "g1": lambda s: bench_g1_add(),
    "msm": lambda s: bench_msm("G1", s["msm_g1"]) + bench_msm("G2", s["msm_g2"]),
    "ntt": lambda s: bench_ntt(s["ntt"]),
    "poseidon": lambda s: bench_poseidon(s["poseidon"]),
    "smt": lambda s: bench_smt(*s["smt"]),
    "eddsa": lambda s: bench_eddsa(s["eddsa"]),
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
