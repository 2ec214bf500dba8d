"""Run ``nogil`` numba kernels on plain Python threads, one per core.

Kernels that scale (MSM windows, per-point scalar multiplications) are compiled ``nogil`` and
driven from a thread pool rather than with ``parallel=True``: the parallel build costs several
seconds of compile per kernel on a cold cache, and these kernels split naturally into a handful
of independent tasks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np


def run_parallel(fn: Callable[..., object], tasks: Sequence[tuple]) -> None:
    """Call ``fn(*task)`` for every task, one OS thread per task (inline when there is one)."""
    if len(tasks) == 1:
        fn(*tasks[0])
        return
    with ThreadPoolExecutor(len(tasks)) as pool:
        for f in [pool.submit(fn, *t) for t in tasks]:
            f.result()


def run_row_chunks(
    kernel: Callable[..., object], n_rows: int, min_rows_per_thread: int, first, second, out
) -> None:
    """Split rows ``[0, n_rows)`` over up to ``numba.get_num_threads()`` threads, calling
    ``kernel(first, second, lo, hi, out)`` for each contiguous range; a thread gets at least
    ``min_rows_per_thread`` rows so small inputs stay on one thread."""
    threads = max(1, min(numba.get_num_threads(), n_rows // min_rows_per_thread))
    bounds = np.linspace(0, n_rows, threads + 1).astype(np.int64)
    run_parallel(kernel, [(first, second, bounds[t], bounds[t + 1], out) for t in range(threads)])
