"""Groth16 keys on disk: one ``.npz`` (numpy) file per key pair, written atomically.

Format ``hatchway-groth16-keys/v1`` (every entry a numpy array; no pickles, so loading a file
cannot run code):

- ``format``: the format string as a 0-d unicode array.
- ``pk.meta``: int64 ``[n_wires, n_public, domain_size]``; ``pk.r1cs_digest``: 32 uint8.
- ``pk.alpha_1``, ``pk.beta_1``, ``pk.delta_1``: affine Montgomery G1 rows ``(1, 2, 4)``;
  ``pk.beta_2``, ``pk.delta_2``: G2 rows ``(1, 2, 2, 4)`` (a zero row is infinity).
- ``pk.a_query``, ``pk.b1_query``, ``pk.b2_query``, ``pk.l_query``, ``pk.h_query``: the query
  arrays exactly as :class:`~offchain.snark.keys.ProvingKey` holds them.
- ``vk.alpha_1`` (G1 row), ``vk.beta_2``, ``vk.gamma_2``, ``vk.delta_2`` (G2 rows), ``vk.ic``
  (``(n_public + 1, 2, 4)``).

A file holds a proving key, a verifying key, or both (:func:`save_keys` writes both).
:func:`write_atomically` writes to a temporary file in the target directory and renames it over
the target, so concurrent writers (e.g. parallel test workers making the same cached key) never
leave a torn file: a reader sees either no file or a complete one.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import numpy as np

from offchain.crypto.bn254 import G1Point, G2Point, g1_array, g1_points, g2_array, g2_points
from offchain.snark.keys import ProvingKey, VerifyingKey

__all__ = [
    "FORMAT",
    "load_keys",
    "load_proving_key",
    "load_verifying_key",
    "save_keys",
    "write_atomically",
]

FORMAT = "hatchway-groth16-keys/v1"
_PK_QUERIES = ("a_query", "b1_query", "b2_query", "l_query", "h_query")


def _g1_row(p: G1Point) -> np.ndarray:
    return g1_array([p], check_on_curve=False)


def _g2_row(p: G2Point) -> np.ndarray:
    return g2_array([p], check_on_curve=False)


def _pk_arrays(pk: ProvingKey) -> dict[str, np.ndarray]:
    out = {
        "pk.meta": np.array([pk.n_wires, pk.n_public, pk.domain_size], dtype=np.int64),
        "pk.r1cs_digest": np.frombuffer(pk.r1cs_digest, dtype=np.uint8).copy(),
        "pk.alpha_1": _g1_row(pk.alpha_1),
        "pk.beta_1": _g1_row(pk.beta_1),
        "pk.delta_1": _g1_row(pk.delta_1),
        "pk.beta_2": _g2_row(pk.beta_2),
        "pk.delta_2": _g2_row(pk.delta_2),
    }
    out.update({f"pk.{q}": getattr(pk, q) for q in _PK_QUERIES})
    return out


def _vk_arrays(vk: VerifyingKey) -> dict[str, np.ndarray]:
    return {
        "vk.alpha_1": _g1_row(vk.alpha_1),
        "vk.beta_2": _g2_row(vk.beta_2),
        "vk.gamma_2": _g2_row(vk.gamma_2),
        "vk.delta_2": _g2_row(vk.delta_2),
        "vk.ic": g1_array(list(vk.ic), check_on_curve=False),
    }


def write_atomically(path: str | Path, write: Callable[[BinaryIO], None]) -> None:
    """Call ``write(f)`` on a temporary file next to ``path``, then rename it onto ``path``
    (``os.replace``: atomic on POSIX). The directory is created if needed; on any error the
    temporary file is removed and ``path`` is untouched."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o644)  # mkstemp makes 0600; a key cache is shared, not secret
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def save_keys(
    path: str | Path, pk: ProvingKey | None = None, vk: VerifyingKey | None = None
) -> None:
    """Write ``pk`` and/or ``vk`` to ``path`` (an ``.npz`` file, atomically)."""
    if pk is None and vk is None:
        raise ValueError("keys_io: nothing to save")
    arrays: dict[str, np.ndarray] = {"format": np.array(FORMAT)}
    if pk is not None:
        if not isinstance(pk, ProvingKey):
            raise ValueError(f"keys_io: expected a ProvingKey, got {type(pk).__name__}")
        arrays.update(_pk_arrays(pk))
    if vk is not None:
        if not isinstance(vk, VerifyingKey):
            raise ValueError(f"keys_io: expected a VerifyingKey, got {type(vk).__name__}")
        arrays.update(_vk_arrays(vk))
    write_atomically(path, lambda f: np.savez(f, **arrays))


def _one(points: list) -> object:
    if len(points) != 1:
        raise ValueError("keys_io: a single point entry must hold exactly one row")
    return points[0]


def _array(data: np.lib.npyio.NpzFile, name: str, source: str) -> np.ndarray:
    if name not in data.files:
        raise ValueError(f"keys_io: {source} has no entry {name!r}")
    return data[name]


def _check_format(data: np.lib.npyio.NpzFile, source: str) -> None:
    if "format" not in data.files or str(data["format"]) != FORMAT:
        raise ValueError(f"keys_io: {source} is not a {FORMAT} file")


def _read_pk(data: np.lib.npyio.NpzFile, source: str) -> ProvingKey:
    meta = _array(data, "pk.meta", source)
    digest = _array(data, "pk.r1cs_digest", source)
    if meta.shape != (3,) or digest.shape != (32,) or digest.dtype != np.uint8:
        raise ValueError(f"keys_io: {source} has a malformed proving key header")
    n_wires, n_public, domain = (int(x) for x in meta)
    return ProvingKey(
        n_wires=n_wires,
        n_public=n_public,
        domain_size=domain,
        r1cs_digest=digest.tobytes(),
        alpha_1=_one(g1_points(_array(data, "pk.alpha_1", source))),
        beta_1=_one(g1_points(_array(data, "pk.beta_1", source))),
        beta_2=_one(g2_points(_array(data, "pk.beta_2", source))),
        delta_1=_one(g1_points(_array(data, "pk.delta_1", source))),
        delta_2=_one(g2_points(_array(data, "pk.delta_2", source))),
        **{q: np.ascontiguousarray(_array(data, f"pk.{q}", source)) for q in _PK_QUERIES},
    )


def _read_vk(data: np.lib.npyio.NpzFile, source: str) -> VerifyingKey:
    return VerifyingKey(
        alpha_1=_one(g1_points(_array(data, "vk.alpha_1", source))),
        beta_2=_one(g2_points(_array(data, "vk.beta_2", source))),
        gamma_2=_one(g2_points(_array(data, "vk.gamma_2", source))),
        delta_2=_one(g2_points(_array(data, "vk.delta_2", source))),
        ic=tuple(g1_points(_array(data, "vk.ic", source))),
    )


def load_keys(
    path: str | Path, *, proving: bool = True, verifying: bool = True, validate: bool = True
) -> tuple[ProvingKey | None, VerifyingKey | None]:
    """Read what :func:`save_keys` wrote: ``(pk or None, vk or None)`` (``proving=False`` /
    ``verifying=False`` skip reading that key).

    ``validate`` checks every single point (on the curve, G2 points in the subgroup), the
    verifying key's IC points and that the proving key's query rows lie on the curve; the
    per-wire G2 subgroup check of ``b2_query`` is skipped (see :meth:`ProvingKey.validate`; run
    it yourself for a key from an untrusted source). ``ValueError`` for a malformed file.
    """
    source = str(path)
    try:
        data = np.load(path, allow_pickle=False)
        if not isinstance(data, np.lib.npyio.NpzFile):
            raise ValueError("not an .npz archive")
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise ValueError(f"keys_io: cannot read {source}: {exc}") from exc
    with data:
        _check_format(data, source)
        try:
            pk = _read_pk(data, source) if proving and "pk.meta" in data.files else None
            vk = _read_vk(data, source) if verifying and "vk.ic" in data.files else None
        except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
            raise ValueError(f"keys_io: {source} is corrupt: {exc}") from exc
    if validate:
        if pk is not None:
            pk.validate(check_subgroup=False)
        if vk is not None:
            vk.validate()
    return pk, vk


def load_proving_key(path: str | Path, *, validate: bool = True) -> ProvingKey:
    """The proving key of a keys file (``ValueError`` if it holds none)."""
    pk, _ = load_keys(path, verifying=False, validate=validate)
    if pk is None:
        raise ValueError(f"keys_io: {path} holds no proving key")
    return pk


def load_verifying_key(path: str | Path, *, validate: bool = True) -> VerifyingKey:
    """The verifying key of a keys file (``ValueError`` if it holds none)."""
    _, vk = load_keys(path, proving=False, validate=validate)
    if vk is None:
        raise ValueError(f"keys_io: {path} holds no verifying key")
    return vk
