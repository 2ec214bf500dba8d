"""circom's binary ``.r1cs`` format: write our :class:`R1CS` to it, and read circom's files into one.

Layout (iden3 "binfile" container, all integers little-endian)::

    magic "r1cs" | version u32 (= 1) | n_sections u32
    then n_sections × ( section_type u32 | section_size u64 | section bytes )

Sections (any order, each at most once):

1. **header**: ``n8 u32`` (bytes per field element, 32 for BN254), ``prime`` (n8 bytes),
   ``n_wires u32``, ``n_outputs u32``, ``n_pub_inputs u32``, ``n_prv_inputs u32``,
   ``n_labels u64``, ``n_constraints u32``.
2. **constraints**: for each constraint, the LCs A, B, C; each LC is ``n_terms u32`` then
   ``n_terms × (wire u32, coefficient n8 bytes)``; coefficients are canonical integers in [0, p)
   (not Montgomery form).
3. **wire → label**: ``n_wires × u64``, the circom label (signal id in the ``.sym`` file) of each
   wire; circom's optimiser removes signals, so labels are sparse.

Sections 4/5 (PLONK custom gates) cannot be represented in an :class:`R1CS`: such files are
rejected. Wire order is circom's: wire 0 = 1, then outputs, public inputs, private inputs,
internal signals; snarkjs's public signals are outputs then public inputs, i.e. wires
``1..n_outputs + n_pub_inputs`` — which is exactly our convention (wires ``1..n_public``), so wire
indices are used as they are, without renumbering, in both directions.

The iden3 container helpers (:func:`parse_binfile`, :func:`build_binfile`) are shared with
:mod:`offchain.snark.wtns_file`. Every malformed input raises ``ValueError`` naming the file and
the problem, never ``struct.error``/``IndexError``.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from offchain.snark.r1cs import R1CS, Constraint, R, Terms

__all__ = [
    "FIELD_BYTES",
    "R1CSFile",
    "build_binfile",
    "parse_binfile",
    "parse_r1cs",
    "r1cs_to_bytes",
    "read_r1cs",
    "read_r1cs_file",
    "write_r1cs",
]

FIELD_BYTES = 32
"""n8 for BN254 Fr: (⌊(bits(r) - 1) / 64⌋ + 1) · 8 = 32, as circom and snarkjs compute it."""

R1CS_MAGIC = b"r1cs"
R1CS_VERSION = 1
SECTION_HEADER = 1
SECTION_CONSTRAINTS = 2
SECTION_WIRE2LABEL = 3
SECTION_CUSTOM_GATES_LIST = 4
SECTION_CUSTOM_GATES_USES = 5

_HEADER_TAIL = struct.Struct("<IIIIQI")  # n_wires, n_outputs, n_pub, n_prv, n_labels, n_constraints
_U32 = struct.Struct("<I")


# ------------------------------------------------------------------------------ binfile container


def parse_binfile(
    data: bytes, magic: bytes, versions: Sequence[int], source: str
) -> tuple[int, dict[int, memoryview]]:
    """Split an iden3 binfile into ``(version, {section_type: bytes})``.

    ``ValueError`` for a wrong magic, an unsupported version, a truncated section table, a
    section running past the end of the file, bytes after the last section, or a duplicated
    section (none of the formats we read allows one).
    """
    view = memoryview(data)
    if len(view) < 12:
        raise ValueError(
            f"{source}: truncated ({len(view)} bytes, shorter than the 12-byte header)"
        )
    if bytes(view[:4]) != magic:
        raise ValueError(
            f"{source}: not a {magic.decode()} file (magic {bytes(view[:4])!r}, expected {magic!r})"
        )
    version, n_sections = struct.unpack_from("<II", view, 4)
    if version not in versions:
        raise ValueError(
            f"{source}: unsupported {magic.decode()} version {version} "
            f"(supported: {', '.join(map(str, versions))})"
        )
    pos = 12
    sections: dict[int, memoryview] = {}
    for i in range(n_sections):
        if pos + 12 > len(view):
            raise ValueError(
                f"{source}: truncated section table (section {i} of {n_sections} header "
                f"at byte {pos}, file is {len(view)} bytes)"
            )
        kind, size = struct.unpack_from("<IQ", view, pos)
        pos += 12
        if pos + size > len(view):
            raise ValueError(
                f"{source}: section {kind} claims {size} bytes but only {len(view) - pos} remain"
            )
        if kind in sections:
            raise ValueError(f"{source}: section {kind} appears twice")
        sections[kind] = view[pos : pos + size]
        pos += size
    if pos != len(view):
        raise ValueError(f"{source}: {len(view) - pos} trailing bytes after the last section")
    return version, sections


def build_binfile(magic: bytes, version: int, sections: Sequence[tuple[int, bytes]]) -> bytes:
    """Assemble an iden3 binfile from ``(section_type, payload)`` pairs, in the order given."""
    parts = [magic, struct.pack("<II", version, len(sections))]
    for kind, payload in sections:
        parts.append(struct.pack("<IQ", kind, len(payload)))
        parts.append(payload)
    return b"".join(parts)


def read_field_header(section: memoryview, source: str) -> int:
    """Check the ``n8 u32 | prime`` prefix of a header section is BN254 r; return its length."""
    if len(section) < 4:
        raise ValueError(f"{source}: header section truncated")
    (n8,) = _U32.unpack_from(section, 0)
    if n8 != FIELD_BYTES:
        raise ValueError(
            f"{source}: field elements are {n8} bytes; BN254 r needs {FIELD_BYTES} "
            "(is this circuit for another curve?)"
        )
    if len(section) < 4 + n8:
        raise ValueError(f"{source}: header section truncated inside the prime")
    prime = int.from_bytes(section[4 : 4 + n8], "little")
    if prime != R:
        raise ValueError(
            f"{source}: prime is {prime}, not BN254's scalar field r (compile with circom's "
            "default `-p bn128`)"
        )
    return 4 + n8


# ------------------------------------------------------------------------------------- .r1cs


@dataclass(frozen=True)
class R1CSFile:
    """An ``.r1cs`` file's content: the constraint system plus circom's header metadata.

    ``r1cs.n_public == n_outputs + n_pub_inputs`` (snarkjs's public signals).
    ``wire_to_label`` is empty when the file has no section 3.
    """

    r1cs: R1CS
    n_outputs: int
    n_pub_inputs: int
    n_prv_inputs: int
    n_labels: int
    wire_to_label: tuple[int, ...]


def _lc_bytes(terms: Terms, n_wires: int, where: str) -> bytes:
    out = [_U32.pack(len(terms))]
    # circom writes terms sorted by wire; doing the same makes files byte-comparable.
    for wire in sorted(terms):
        coeff = terms[wire] % R
        if not 0 <= wire < n_wires:
            raise ValueError(f"r1cs_file: {where} uses wire {wire}, the system has {n_wires}")
        out.append(_U32.pack(wire))
        out.append(coeff.to_bytes(FIELD_BYTES, "little"))
    return b"".join(out)


def r1cs_to_bytes(
    r1cs: R1CS,
    *,
    n_outputs: int = 0,
    n_prv_inputs: int = 0,
    wire_to_label: Sequence[int] | None = None,
) -> bytes:
    """Serialise ``r1cs`` as a circom ``.r1cs`` (version 1, sections 1, 2, 3).

    Our wires 1..n_public are all public; how many of them circom would call *outputs*
    (``n_outputs``) and how many private inputs follow (``n_prv_inputs``) only matters to tools
    that print them (``snarkjs r1cs info``), not to setup or proving. ``wire_to_label``
    defaults to the identity (every wire is its own label).
    """
    if not 0 <= n_outputs <= r1cs.n_public:
        raise ValueError(f"r1cs_file: n_outputs {n_outputs} not in [0, {r1cs.n_public}]")
    if not 0 <= n_prv_inputs <= r1cs.n_wires - 1 - r1cs.n_public:
        raise ValueError(f"r1cs_file: n_prv_inputs {n_prv_inputs} exceeds the private wires")
    labels = list(range(r1cs.n_wires)) if wire_to_label is None else list(wire_to_label)
    if len(labels) != r1cs.n_wires:
        raise ValueError(
            f"r1cs_file: wire_to_label has {len(labels)} entries, the system has {r1cs.n_wires}"
        )
    n_labels = max(labels, default=-1) + 1
    header = (
        _U32.pack(FIELD_BYTES)
        + R.to_bytes(FIELD_BYTES, "little")
        + _HEADER_TAIL.pack(
            r1cs.n_wires,
            n_outputs,
            r1cs.n_public - n_outputs,
            n_prv_inputs,
            n_labels,
            r1cs.n_constraints,
        )
    )
    n = r1cs.n_wires
    body = b"".join(
        _lc_bytes(k.a, n, f"constraint {i}.A")
        + _lc_bytes(k.b, n, f"constraint {i}.B")
        + _lc_bytes(k.c, n, f"constraint {i}.C")
        for i, k in enumerate(r1cs.constraints)
    )
    label_bytes = struct.pack(f"<{n}Q", *labels)
    return build_binfile(
        R1CS_MAGIC,
        R1CS_VERSION,
        [(SECTION_HEADER, header), (SECTION_CONSTRAINTS, body), (SECTION_WIRE2LABEL, label_bytes)],
    )


def write_r1cs(
    path: str | Path,
    r1cs: R1CS,
    *,
    n_outputs: int = 0,
    n_prv_inputs: int = 0,
    wire_to_label: Sequence[int] | None = None,
) -> None:
    """Write ``r1cs`` to ``path`` in circom's ``.r1cs`` format (see :func:`r1cs_to_bytes`)."""
    Path(path).write_bytes(
        r1cs_to_bytes(
            r1cs, n_outputs=n_outputs, n_prv_inputs=n_prv_inputs, wire_to_label=wire_to_label
        )
    )


def _parse_constraints(
    body: memoryview, n_constraints: int, n_wires: int, source: str
) -> list[Constraint]:
    # Hot at 2^18 constraints: local names and unpack_from on one memoryview, no slicing copies
    # except the 32-byte coefficient.
    unpack_u32 = _U32.unpack_from
    from_bytes = int.from_bytes
    size = len(body)
    step = 4 + FIELD_BYTES
    pos = 0
    out: list[Constraint] = []
    for i in range(n_constraints):
        lcs: list[Terms] = []
        for part in "ABC":
            if pos + 4 > size:
                raise ValueError(
                    f"{source}: constraints section truncated in constraint {i}.{part}"
                )
            (n_terms,) = unpack_u32(body, pos)
            pos += 4
            if pos + n_terms * step > size:
                raise ValueError(
                    f"{source}: constraints section truncated in constraint {i}.{part} "
                    f"({n_terms} terms announced)"
                )
            terms: Terms = {}
            for _ in range(n_terms):
                (wire,) = unpack_u32(body, pos)
                coeff = from_bytes(body[pos + 4 : pos + step], "little")
                pos += step
                if wire >= n_wires:
                    raise ValueError(
                        f"{source}: constraint {i}.{part} uses wire {wire}, the header "
                        f"declares {n_wires} wires"
                    )
                if coeff >= R:
                    raise ValueError(
                        f"{source}: constraint {i}.{part} has a coefficient ≥ r on wire {wire}"
                    )
                if wire in terms:
                    raise ValueError(f"{source}: constraint {i}.{part} lists wire {wire} twice")
                if coeff:
                    terms[wire] = coeff
            lcs.append(terms)
        out.append(Constraint(lcs[0], lcs[1], lcs[2], f"r1cs constraint {i}"))
    if pos != size:
        raise ValueError(
            f"{source}: constraints section has {size - pos} bytes after constraint "
            f"{n_constraints - 1} (header declares {n_constraints} constraints)"
        )
    return out


def parse_r1cs(data: bytes, source: str = "r1cs") -> R1CSFile:
    """Parse ``.r1cs`` bytes (see the module docstring); ``ValueError`` naming any problem."""
    _, sections = parse_binfile(data, R1CS_MAGIC, (R1CS_VERSION,), source)
    if SECTION_CUSTOM_GATES_LIST in sections or SECTION_CUSTOM_GATES_USES in sections:
        raise ValueError(f"{source}: uses PLONK custom gates (sections 4/5), not plain R1CS")
    for kind, what in ((SECTION_HEADER, "header"), (SECTION_CONSTRAINTS, "constraints")):
        if kind not in sections:
            raise ValueError(f"{source}: missing the {what} section ({kind})")
    header = sections[SECTION_HEADER]
    pos = read_field_header(header, source)
    if len(header) != pos + _HEADER_TAIL.size:
        raise ValueError(
            f"{source}: header section is {len(header)} bytes, expected {pos + _HEADER_TAIL.size}"
        )
    n_wires, n_outputs, n_pub, n_prv, n_labels, n_constraints = _HEADER_TAIL.unpack_from(
        header, pos
    )
    if n_wires < 1 or 1 + n_outputs + n_pub + n_prv > n_wires:
        raise ValueError(
            f"{source}: header counts are inconsistent: {n_wires} wires cannot hold the one-wire, "
            f"{n_outputs} outputs, {n_pub} public and {n_prv} private inputs"
        )
    constraints = _parse_constraints(sections[SECTION_CONSTRAINTS], n_constraints, n_wires, source)
    labels: tuple[int, ...] = ()
    if SECTION_WIRE2LABEL in sections:
        mapping = sections[SECTION_WIRE2LABEL]
        if len(mapping) != 8 * n_wires:
            raise ValueError(
                f"{source}: wire→label section is {len(mapping)} bytes, expected 8 × {n_wires}"
            )
        labels = struct.unpack_from(f"<{n_wires}Q", mapping, 0)
        if labels and max(labels) >= n_labels:
            raise ValueError(
                f"{source}: wire→label section names label {max(labels)}, the header declares "
                f"{n_labels} labels"
            )
    r1cs = R1CS(
        n_wires=n_wires,
        n_public=n_outputs + n_pub,
        constraints=tuple(constraints),
        # The .r1cs holds no names (those live in circom's .sym); name wires by label.
        wire_names=(
            "one",
            *(f"label{labels[w]}" if labels else f"wire{w}" for w in range(1, n_wires)),
        ),
    )
    return R1CSFile(r1cs, n_outputs, n_pub, n_prv, n_labels, labels)


def read_r1cs_file(path: str | Path) -> R1CSFile:
    """Read an ``.r1cs`` file with its metadata (see :func:`parse_r1cs`)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"{path}: cannot read: {exc}") from exc
    return parse_r1cs(data, str(path))


def read_r1cs(path: str | Path) -> R1CS:
    """Read an ``.r1cs`` file (circom's or ours) as an :class:`R1CS`."""
    return read_r1cs_file(path).r1cs
