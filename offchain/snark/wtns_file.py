"""snarkjs's binary witness format ``.wtns``: write our witnesses, read circom/snarkjs ones.

Layout (iden3 binfile, little-endian; see :mod:`offchain.snark.r1cs_file`)::

    magic "wtns" | version u32 (= 2) | n_sections u32 (= 2)
    section 1 (header):  n8 u32 | prime (n8 bytes) | n_values u32
    section 2 (values):  n_values × n8-byte canonical integers in [0, p)

Values are in circom's wire order (``witness[0] == 1``), which is also ours, so a witness read
from snarkjs ``wtns calculate`` goes straight into :meth:`R1CS.check_witness` and the prover.
Version 1 files (older snarkjs) have the same two sections and are read too.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from pathlib import Path

from offchain.snark.r1cs import R
from offchain.snark.r1cs_file import FIELD_BYTES, build_binfile, parse_binfile, read_field_header

__all__ = ["parse_wtns", "read_wtns", "write_wtns", "wtns_to_bytes"]

WTNS_MAGIC = b"wtns"
WTNS_VERSION = 2
SECTION_HEADER = 1
SECTION_VALUES = 2


def wtns_to_bytes(witness: Sequence[int]) -> bytes:
    """Serialise a full witness (``witness[0] == 1``, every value an int in [0, r))."""
    if len(witness) == 0 or witness[0] != 1:
        raise ValueError("wtns_file: witness[0] must be 1 (the constant wire)")
    parts = []
    for i, v in enumerate(witness):
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < R:
            raise ValueError(f"wtns_file: witness[{i}] must be an int in [0, r), got {v!r}")
        parts.append(v.to_bytes(FIELD_BYTES, "little"))
    header = (
        struct.pack("<I", FIELD_BYTES) + R.to_bytes(FIELD_BYTES, "little")
        + struct.pack("<I", len(witness))
    )  # fmt: skip
    return build_binfile(
        WTNS_MAGIC, WTNS_VERSION, [(SECTION_HEADER, header), (SECTION_VALUES, b"".join(parts))]
    )


def write_wtns(path: str | Path, witness: Sequence[int]) -> None:
    """Write ``witness`` to ``path`` as snarkjs ``.wtns`` (version 2)."""
    Path(path).write_bytes(wtns_to_bytes(witness))


def parse_wtns(data: bytes, source: str = "wtns") -> list[int]:
    """Parse ``.wtns`` bytes into the witness list; ``ValueError`` naming any problem."""
    _, sections = parse_binfile(data, WTNS_MAGIC, (1, WTNS_VERSION), source)
    for kind, what in ((SECTION_HEADER, "header"), (SECTION_VALUES, "values")):
        if kind not in sections:
            raise ValueError(f"{source}: missing the {what} section ({kind})")
    header = sections[SECTION_HEADER]
    pos = read_field_header(header, source)
    if len(header) != pos + 4:
        raise ValueError(f"{source}: header section is {len(header)} bytes, expected {pos + 4}")
    (n_values,) = struct.unpack_from("<I", header, pos)
    body = sections[SECTION_VALUES]
    if len(body) != n_values * FIELD_BYTES:
        raise ValueError(
            f"{source}: values section is {len(body)} bytes, the header declares {n_values} "
            f"values of {FIELD_BYTES} bytes"
        )
    raw = bytes(body)
    from_bytes = int.from_bytes
    values = [
        from_bytes(raw[i : i + FIELD_BYTES], "little") for i in range(0, len(raw), FIELD_BYTES)
    ]
    for i, v in enumerate(values):
        if v >= R:
            raise ValueError(f"{source}: value {i} is not reduced mod r")
    if values and values[0] != 1:
        raise ValueError(f"{source}: value 0 is {values[0]}, the constant wire must be 1")
    return values


def read_wtns(path: str | Path) -> list[int]:
    """Read a ``.wtns`` file (ours, or snarkjs ``wtns calculate``'s) as a witness list."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"{path}: cannot read: {exc}") from exc
    return parse_wtns(data, str(path))
