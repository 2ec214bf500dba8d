"""Shared benchmark plumbing: timing, the node peer, and the results table.

Every figure is the best of a few repetitions after a warm-up call (numba compiles on first use,
and the warm-up keeps compile time out of the figure). Peers run in the same process tree in the
same run, so ratios compare like with like on whatever machine runs the benchmark.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Row:
    """One benchmark line: our figure, and a peer's measured in the same run when one exists."""

    name: str
    ours: float
    unit: str
    peer_name: str = ""
    peer: float | None = None
    higher_is_better: bool = False
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """How many times better ours is than the peer (>1 means we win)."""
        if self.peer is None or self.ours == 0:
            return None
        return self.ours / self.peer if self.higher_is_better else self.peer / self.ours


def best_of(fn: Callable[[], object], reps: int = 3, warmup: int = 1) -> float:
    """Best wall time in seconds over ``reps`` calls, after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def node_peer(script: str, request: dict, timeout_s: float = 900.0) -> dict:
    """Run ``bench/js/<script>`` with a JSON request on stdin; return its JSON reply."""
    node = shutil.which("node")
    if node is None or not (REPO_ROOT / "node_modules").is_dir():
        raise RuntimeError("node peers need node and `make setup` (the locked npm tools)")
    proc = subprocess.run(
        [node, str(REPO_ROOT / "bench" / "js" / script)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=timeout_s,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"node peer {script} failed:\n{proc.stderr}")
    return json.loads(proc.stdout)


def write_temp(arr: np.ndarray) -> str:
    """Dump an array's raw bytes to a temp file (the node peers read the same bytes we compute on)."""
    fd, path = tempfile.mkstemp(suffix=".bin", prefix="hatchway-bench-")
    with os.fdopen(fd, "wb") as f:
        f.write(np.ascontiguousarray(arr).astype("<u8").tobytes())
    return path


def machine_description() -> str:
    """CPU model, core count and memory of this machine, for the results header."""
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{mem_kb / 2**20:.0f} GiB"
    except OSError:
        mem = "unknown memory"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{model}, {os.cpu_count()} cores, {mem}, Python {platform.python_version()}; "
        f"1-minute load average at start {load:.1f} (other processes share the cores when > 0)"
    )


def fmt(x: float | None) -> str:
    """Compact number formatting for the table."""
    if x is None:
        return "—"
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.3g}"


def markdown_table(rows: list[Row]) -> str:
    """The results as a markdown table (ours, peer, ratio where >1 means ours is better)."""
    lines = [
        "| benchmark | ours | peer (same run) | ours vs peer |",
        "|---|---|---|---|",
    ]
    for r in rows:
        peer = f"{fmt(r.peer)} {r.unit} ({r.peer_name})" if r.peer is not None else "—"
        ratio = f"{r.ratio:.2f}×" if r.ratio is not None else "—"
        note = f" {r.note}" if r.note else ""
        lines.append(f"| {r.name} | {fmt(r.ours)} {r.unit}{note} | {peer} | {ratio} |")
    return "\n".join(lines)
