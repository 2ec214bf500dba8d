"""The certificate aggregator: collects operators' attestations on one header and builds the
arguments of ``FastFinality.certify``: the sorted non-signers with their G2 keys and stake
snapshots, the signers' aggregate G2 key, the aggregate sigma, the chord slopes that let the
contract check ``apk_g2 + Σ non-signer keys == operator_set.apk_g2`` without inversions, the
operator set (aggregate G2 key of every active operator, total stake, epoch) and the
hash-to-G1 hint.

It mirrors the contract's view of the operator set: every *active* operator (key registered, not
deregistered) with its G1/G2 keys and stake snapshot, as read from ``KeyRegistered`` /
``KeyDeregistered`` / ``StakeUpdated`` events or the views, and the current ``epoch``. The
arguments are valid for that state only: a key registration or deregistration, a stake refresh
or a slash in between makes ``certify`` revert (``operator set differs`` / ``key or stake
differs``); rebuild them from the new state. Attestations are verified
before the certificate is built: the aggregate is checked with one pairing and, only if it fails,
each attestation on its own, dropping the bad ones, so one bad signature cannot spoil the
certificate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from eth_utils import to_checksum_address

from offchain.operator import bls
from offchain.operator.node import Attestation


class AggregationError(Exception):
    pass


@dataclass(frozen=True)
class RegisteredOperator:
    address: str
    pk1: tuple[int, int]
    pk2: tuple
    stake: int


@dataclass(frozen=True)
class Certificate:
    """``certify(header, non_signers, non_signer_keys, non_signer_stakes, apk_g2, sigma, slopes,
    operator_set, hash_hint)`` and what the contract will compute."""

    header: bls.Header
    non_signers: list[str]
    non_signer_keys: list[list[int]]
    non_signer_stakes: list[int]
    apk_g2: list[int]
    sigma: list[int]
    slopes: list[list[int]]
    active_apk_g2: list[int]
    epoch: int
    hash_hint: list[int]
    signed_stake: int
    total_stake: int

    def operator_set(self) -> tuple:
        """The ``OperatorSet`` struct: (aggregate G2 key of the active operators, total, epoch)."""
        return (self.active_apk_g2, self.total_stake, self.epoch)

    def args(self) -> tuple:
        return (
            self.header.as_tuple(),
            self.non_signers,
            self.non_signer_keys,
            self.non_signer_stakes,
            self.apk_g2,
            self.sigma,
            self.slopes,
            self.operator_set(),
            self.hash_hint,
        )

    def to_json(self) -> dict:
        def hexes(words):
            return [hex(v) for v in words]

        return {
            "header": self.header.to_json(),
            "non_signers": self.non_signers,
            "non_signer_keys": [hexes(k) for k in self.non_signer_keys],
            "non_signer_stakes": [str(v) for v in self.non_signer_stakes],
            "apk_g2": hexes(self.apk_g2),
            "sigma": hexes(self.sigma),
            "slopes": [hexes(v) for v in self.slopes],
            "operator_set": {
                "apk_g2": hexes(self.active_apk_g2),
                "total_stake": str(self.total_stake),
                "epoch": self.epoch,
            },
            "hash_hint": hexes(self.hash_hint),
            "signed_stake": str(self.signed_stake),
            "total_stake": str(self.total_stake),
        }


def sort_addresses(addresses: Iterable[str]) -> list[str]:
    """Strictly ascending as uint160, as ``certify`` requires (duplicates removed)."""
    return sorted({to_checksum_address(a) for a in addresses}, key=lambda a: int(a, 16))


def signers_of(active_at_epoch: Iterable[str], non_signers: Iterable[str]) -> list[str]:
    """The signers of a certificate (for ``slash_contradicted``): the operators active at its
    epoch minus its non-signers, sorted."""
    excluded = {to_checksum_address(a) for a in non_signers}
    return [a for a in sort_addresses(active_at_epoch) if a not in excluded]


@dataclass
class Aggregator:
    domain: bls.Domain
    operators: dict[str, RegisteredOperator]
    threshold: tuple[int, int] = (2, 3)
    epoch: int = 0  # the contract's epoch() for this operator set
    attestations: dict[bls.Header, dict[str, tuple[int, int]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.operators = {to_checksum_address(a): o for a, o in self.operators.items()}

    def add(self, att: Attestation) -> None:
        """Records one attestation (checked later, see :meth:`certificate`)."""
        operator = to_checksum_address(att.operator)
        if operator not in self.operators:
            raise AggregationError(f"{operator} is not an active operator")
        self.attestations.setdefault(att.header, {})[operator] = att.sigma

    def _drop_invalid(self, header: bls.Header) -> list[str]:
        """Optimistic verification: one pairing check of the aggregate; only when it fails is
        each attestation checked on its own and the bad ones dropped. Returns the dropped."""
        sigs = self.attestations.get(header, {})
        if not sigs:
            return []
        sigma = bls.aggregate_g1(sigs.values())
        apk2 = bls.aggregate_g2(self.operators[a].pk2 for a in sigs)
        if bls.verify_header(apk2, header, self.domain, sigma):
            return []
        bad = [
            a
            for a, sig in sigs.items()
            if not bls.verify_header(self.operators[a].pk2, header, self.domain, sig)
        ]
        for a in bad:
            del sigs[a]
        return bad

    def certificate(self, header: bls.Header, check_threshold: bool = True) -> Certificate:
        """The certify() arguments from the valid attestations on ``header`` (invalid ones are
        dropped, see :meth:`_drop_invalid`); ``AggregationError`` below the threshold."""
        self._drop_invalid(header)
        sigs = self.attestations.get(header, {})
        if not sigs:
            raise AggregationError("no attestation for this header")
        signers = set(sigs)
        non_signers = sort_addresses(a for a in self.operators if a not in signers)
        total = sum(o.stake for o in self.operators.values())
        signed = sum(self.operators[a].stake for a in signers)
        num, den = self.threshold
        if check_threshold and (signed == 0 or signed * den < total * num):
            raise AggregationError(f"signed stake {signed} of {total} is below {num}/{den}")
        sigma = bls.aggregate_g1(sigs.values())
        apk2 = bls.aggregate_g2(self.operators[a].pk2 for a in signers)
        keys = [self.operators[a].pk2 for a in non_signers]
        return Certificate(
            header=header,
            non_signers=non_signers,
            non_signer_keys=[bls.g2_words(k) for k in keys],
            non_signer_stakes=[self.operators[a].stake for a in non_signers],
            apk_g2=bls.g2_words(apk2),
            sigma=bls.g1_words(sigma),
            slopes=bls.g2_chord_slopes(apk2, keys),
            active_apk_g2=bls.g2_words(bls.aggregate_g2(o.pk2 for o in self.operators.values())),
            epoch=self.epoch,
            hash_hint=bls.hash_to_g1_hint(bls.header_hash(header, self.domain)),
            signed_stake=signed,
            total_stake=total,
        )
