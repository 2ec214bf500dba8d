"""An operator node: signs batch headers for the FastFinality service, with slashing protection.

The node refuses to sign what would get it slashed by an honest rollup:

- a header whose rollup is not in its allowlist (the rollup named in a header decides, through
  ``proven_root``, whether its signers are slashed);
- a second, different state root for a (rollup, batch) it already signed (``slash_double_sign``).

It should also sign only roots it has checked (re-executed the batch, or seen the proof); that
check is the caller's ``verify_root`` hook, which by default accepts everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from eth_utils import to_checksum_address

from offchain.operator import bls


class SigningRefused(Exception):
    """The node will not sign this header (it would be slashable or is not checked)."""


@dataclass(frozen=True)
class Attestation:
    """One operator's signature on one header."""

    operator: str
    header: bls.Header
    sigma: tuple[int, int]

    def to_json(self) -> dict:
        return {
            "operator": self.operator,
            "header": self.header.to_json(),
            "sigma": [hex(v) for v in bls.g1_words(self.sigma)],
        }

    @classmethod
    def from_json(cls, obj: dict) -> Attestation:
        sigma = bls.g1_from_words(int(v, 0) if isinstance(v, str) else v for v in obj["sigma"])
        return cls(to_checksum_address(obj["operator"]), bls.Header.from_json(obj["header"]), sigma)


@dataclass
class OperatorNode:
    """Signs headers with ``key`` for ``operator`` on one FastFinality deployment (``domain``)."""

    operator: str
    key: bls.KeyPair
    domain: bls.Domain
    rollups: Iterable[str]
    verify_root: Callable[[bls.Header], bool] = lambda header: True
    signed: dict[tuple[str, int], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.operator = to_checksum_address(self.operator)
        self.rollups = {to_checksum_address(r) for r in self.rollups}

    def registration_args(self) -> tuple[list[int], list[int], list[int]]:
        """``register_key`` arguments: G1 key, G2 key (EIP-197 order), proof of possession."""
        pop = bls.prove_possession(self.key, self.operator, self.domain)
        return bls.g1_words(self.key.pk1), bls.g2_words(self.key.pk2), bls.g1_words(pop)

    def sign(self, header: bls.Header) -> Attestation:
        rollup = to_checksum_address(header.rollup)
        if rollup not in self.rollups:
            raise SigningRefused(f"rollup {rollup} is not followed by this node")
        if header.state_root == 0:
            raise SigningRefused("state root is zero")
        slot = (rollup, header.batch_number)
        previous = self.signed.get(slot)
        if previous is not None and previous != header.state_root:
            raise SigningRefused(
                f"already signed root {previous:#x} for batch {header.batch_number} of {rollup}"
            )
        if not self.verify_root(header):
            raise SigningRefused("state root not verified")
        self.signed[slot] = header.state_root
        return Attestation(self.operator, header, bls.sign_header(self.key.sk, header, self.domain))
