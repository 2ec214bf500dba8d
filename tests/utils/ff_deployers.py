"""Deployers and fixtures-as-functions for the FastFinality tests.

``FF_SOURCE_DIR`` (default: ``contracts/``) points the FastFinality deployer at another copy of
the contracts tree; the mutation check (``tests/mutation/fastfinality_mutants.py``) uses it.
"""

import os
from dataclasses import dataclass, field
from pathlib import Path

import boa

from offchain.operator import bls
from tests.utils.deployers import DAY, WAD, deploy_restaking, fund_and_deposit

ROOT = Path(__file__).resolve().parents[2]
FF_SOURCE_DIR = Path(os.environ.get("FF_SOURCE_DIR", ROOT / "contracts"))

FF_DEPLOYER = boa.load_partial(str(FF_SOURCE_DIR / "FastFinality.vy"))
PROVEN_ROOTS_DEPLOYER = boa.load_partial(str(ROOT / "tests" / "mocks" / "MockProvenRoots.vy"))

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
THRESHOLD = (2, 3)
SLASH_WAD = WAD // 2
ALLOCATION_DELAY = 1 * DAY
STAKE = 1_000 * WAD
MAGNITUDE = WAD // 2


@dataclass
class Operator:
    address: str
    key: bls.KeyPair
    staker: str


@dataclass
class FFSystem:
    token: object
    restaking: object
    ff: object
    rollup: object
    domain: bls.Domain
    operators: list[Operator] = field(default_factory=list)

    def by_address(self) -> dict:
        return {o.address: o for o in self.operators}


def deploy_ff(
    threshold: tuple[int, int] = THRESHOLD,
    slash_wad: int = SLASH_WAD,
    recipient: str = ZERO_ADDRESS,
) -> FFSystem:
    """Restaking pool + FastFinality (registered as its service) + a MockProvenRoots rollup."""
    system = deploy_restaking(ALLOCATION_DELAY, 14 * DAY, 14 * DAY)
    ff = FF_DEPLOYER.deploy(
        system.restaking.address, threshold[0], threshold[1], slash_wad, recipient
    )
    rollup = PROVEN_ROOTS_DEPLOYER.deploy()
    domain = bls.Domain(boa.env.evm.patch.chain_id, ff.address)
    return FFSystem(system.token, system.restaking, ff, rollup, domain)


def operator_key(i: int) -> bls.KeyPair:
    return bls.keygen(i.to_bytes(32, "big"))


def add_operator(
    s: FFSystem, i: int, stake: int = STAKE, register_key: bool = True, append: bool = True
) -> Operator:
    """Operator ``i``: registers in Restaking and for the service, gets ``stake`` delegated,
    allocates MAGNITUDE (in effect after ALLOCATION_DELAY, travelled here) and registers its key."""
    address = boa.env.generate_address(f"ff_operator_{i}")
    staker = boa.env.generate_address(f"ff_staker_{i}")
    s.restaking.register_as_operator(sender=address)
    s.restaking.register_for_service(s.ff.address, sender=address)
    s.restaking.delegate(address, sender=staker)
    if stake:
        fund_and_deposit(_pool(s), staker, stake)
    s.restaking.allocate(s.ff.address, MAGNITUDE, sender=address)
    boa.env.time_travel(seconds=ALLOCATION_DELAY)
    op = Operator(address, operator_key(i), staker)
    if register_key:
        register(s, op)
    if append:
        s.operators.append(op)
    return op


def register(s: FFSystem, op: Operator) -> None:
    pop = bls.prove_possession(op.key, op.address, s.domain)
    s.ff.register_key(
        bls.g1_words(op.key.pk1), bls.g2_words(op.key.pk2), bls.g1_words(pop), sender=op.address
    )


def _pool(s: FFSystem):
    from tests.utils.deployers import RestakingSystem

    return RestakingSystem(token=s.token, restaking=s.restaking)


def deploy_with_operators(n: int, **kwargs) -> FFSystem:
    s = deploy_ff(**kwargs)
    for i in range(n):
        add_operator(s, i + 1)
    return s


def header(s: FFSystem, batch: int = 1, root: int = 0xABC) -> bls.Header:
    return bls.Header(s.rollup.address, batch, root)


def certify_args(s: FFSystem, hdr: bls.Header, signers: list[Operator]):
    """(header, non_signers, non_signer_keys, non_signer_stakes, apk_g2, sigma, slopes,
    operator_set, hash_hint) for ``certify``: every active operator not in ``signers`` is a non-signer (its G2
    key and stake read from the contract's views)."""
    signer_set = {o.address for o in signers}
    active = [o for o in s.operators if s.ff.is_active(o.address)]
    non_signers = sorted(
        (o.address for o in active if o.address not in signer_set), key=lambda a: int(a, 16)
    )
    sigma = bls.aggregate_g1(bls.sign_header(o.key.sk, hdr, s.domain) for o in signers)
    apk2 = bls.aggregate_g2(o.key.pk2 for o in signers)
    keys = [list(s.ff.pubkey_g2(a)) for a in non_signers]
    slopes = bls.g2_chord_slopes(apk2, (bls.g2_from_words(k) for k in keys)) if apk2 else []
    return (
        hdr.as_tuple(),
        non_signers,
        keys,
        [s.ff.operator_stake(a) for a in non_signers],
        bls.g2_words(apk2),
        bls.g1_words(sigma),
        slopes,
        tuple(s.ff.operator_set()),
        bls.hash_to_g1_hint(bls.header_hash(hdr, s.domain)),
    )


# positions in certify_args
NON_SIGNERS, KEYS, STAKES, APK_G2, SIGMA, SLOPES, OPERATOR_SET, HASH_HINT = range(1, 9)


def with_args(args: tuple, **changes) -> tuple:
    """``args`` with some positions replaced, e.g. ``with_args(args, SIGMA=[1, 2])``."""
    out = list(args)
    for name, value in changes.items():
        out[globals()[name]] = value
    return tuple(out)
