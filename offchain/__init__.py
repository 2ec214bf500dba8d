"""Hatchway off-chain stack: crypto, state trees, SNARK prover, sequencer and L1 client."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def _configure_numba_cache() -> None:
    """Key numba's on-disk cache by a hash of this package's sources and data.

    numba invalidates a cached kernel only when *its own* file changes, but our kernels inline
    code from other modules (every curve kernel inlines ``field.py``): after an edit to the field,
    a stale cache would keep serving the old arithmetic. A cache directory per source hash makes
    that impossible. Only the kernel layers that other kernels inline are hashed (``crypto`` and
    ``state``, with their data files), so an edit elsewhere does not recompile everything; a
    kernel's own file is still tracked by numba itself. An explicit ``NUMBA_CACHE_DIR`` wins.
    """
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    import numba

    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    layers = [root / "crypto", root / "state"]
    for path in sorted(
        p for layer in layers for p in layer.rglob("*") if p.suffix in {".py", ".npz"}
    ):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    cache_home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    numba.config.CACHE_DIR = str(cache_home / "hatchway" / "numba" / digest.hexdigest()[:16])


_configure_numba_cache()
