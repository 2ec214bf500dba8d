"""Deployer for ``contracts/Rollup.vy`` and an honest stand-in for the rollup's circuits.

Until the real batch and exit circuits exist (``offchain/rollup/``), contract-level tests use a
tiny REAL Groth16 statement with one public input ``x``: "I know ``w`` with ``w * 1 == x``". It is
keyed with :func:`offchain.snark.setup.dev_setup`, proved with :func:`offchain.snark.prover.prove`
and checked on chain by the verifier :func:`offchain.snark.vyper_verifier.generate_vyper_verifier`
writes. A proof for ``x`` verifies only for ``x``, so a test that proves the commitment it computed
in Python shows that the contract computes exactly the same commitment.

The source is compiled once, here (``boa.load_partial``); ``ROLLUP_SOURCE_DIR`` points it at
another copy of the contracts tree (as ``RESTAKING_SOURCE_DIR`` does for Restaking).

:class:`RealProver` is the other kind: the chain's REAL circuits (``offchain/rollup/circuits``),
their disk-cached dev keys, the verifiers generated from those keys and real batch / exit proofs
(memoised per commitment), for the real-proof negative tests and the stateful suite.
"""

from __future__ import annotations

import functools
import os
import random
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import boa

from offchain.rollup.params import TEST_PARAMS, ChainParams
from offchain.rollup.state import BatchWitness, ExitWitness
from offchain.snark.prover import prove
from offchain.snark.r1cs import Circuit
from offchain.snark.setup import InsecureSetupWarning, dev_setup
from offchain.snark.vyper_verifier import generate_vyper_verifier, proof_calldata
from offchain.state.smt import zero_hashes

ROOT = Path(__file__).resolve().parents[2]
ROLLUP_SOURCE_DIR = Path(os.environ.get("ROLLUP_SOURCE_DIR", ROOT / "contracts"))

DAY = 86_400

#: The test profile of docs/protocol.md §1.
TEST_PROFILE = {"account_depth": 4, "token_depth": 2, "slots": 2, "priority_deadline": 3 * DAY}

ROLLUP_DEPLOYER = boa.load_partial(str(ROLLUP_SOURCE_DIR / "Rollup.vy"))
MOCK_ERC20_DEPLOYER = boa.load_partial(str(ROOT / "tests" / "mocks" / "MockERC20.vy"))

#: (a, b, c) exactly as the Rollup's Proof struct takes them.
ProofArgs = tuple[list[int], list[list[int]], list[int]]


@dataclass
class StandInProver:
    """A real one-public-input Groth16 statement (``w * 1 == x``) with its deployed verifier.

    ``proof(x)`` is a real proof that verifies for public input ``x`` only (memoised per ``x``).
    Two provers with different seeds have different keys: one's proofs fail on the other's
    verifier (the batch and exit verifiers of a test deployment differ like the real ones).
    """

    seed: str
    verifier: object = None
    _cache: dict[int, ProofArgs] = field(default_factory=dict)

    def __post_init__(self) -> None:
        circuit = Circuit(f"rollup_stand_in_{self.seed}")
        x = circuit.public_input("x")
        w = circuit.private_input("w")
        circuit.enforce(w, 1, x, "w * 1 == x")
        self._circuit = circuit
        self._r1cs = circuit.compile()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", InsecureSetupWarning)
            self._pk, self.vk = dev_setup(self._r1cs, seed=self.seed)
        self.source = generate_vyper_verifier(self.vk)
        self.verifier = boa.loads(self.source, name=f"Groth16Verifier_{self.seed}")

    def proof(self, x: int) -> ProofArgs:
        """A real proof for public input ``x`` (< r), as the Rollup's ``Proof`` tuple."""
        if x not in self._cache:
            witness = self._circuit.witness({"x": x, "w": x})
            proof = prove(self._pk, self._r1cs, witness, rng=random.Random(x))
            a, b, c, signals = proof_calldata(proof, self._r1cs.public_signals(witness))
            assert signals == [x]
            self._cache[x] = (a, b, c)
        a, b, c = self._cache[x]
        return ([*a], [[*b[0]], [*b[1]]], [*c])


@dataclass
class RollupDeployer:
    """Deploys Rollup contracts over a pair of stand-in verifiers (built once per deployer)."""

    batch_prover: StandInProver = None
    exit_prover: StandInProver = None

    def __post_init__(self) -> None:
        if self.batch_prover is None:
            self.batch_prover = StandInProver("rollup-batch")
        if self.exit_prover is None:
            self.exit_prover = StandInProver("rollup-exit")

    @staticmethod
    def genesis_root(account_depth: int) -> int:
        """Root of the empty accounts tree (docs/protocol.md §2)."""
        return zero_hashes(account_depth)[account_depth]

    def deploy(self, sequencer, *, sender=None, **overrides):
        """A Rollup with the test profile (``overrides`` replace any constructor argument)."""
        params = dict(TEST_PROFILE)
        params.update(overrides)
        args = dict(
            batch_verifier=self.batch_prover.verifier.address,
            exit_verifier=self.exit_prover.verifier.address,
            genesis_root=self.genesis_root(min(max(params["account_depth"], 1), 32)),
            slots=params["slots"],
            account_depth=params["account_depth"],
            token_depth=params["token_depth"],
            priority_deadline=params["priority_deadline"],
            sequencer=sequencer,
        )
        for key in args:
            if key in overrides:
                args[key] = overrides[key]
        kwargs = {} if sender is None else {"sender": sender}
        return ROLLUP_DEPLOYER.deploy(*args.values(), **kwargs)


# ---------------------------------------------------------------------------------------------
# The real circuits
# ---------------------------------------------------------------------------------------------

#: Real proofs already made, per (kind, params, commitment): a Groth16 proof verifies for its
#: statement only, so one made earlier in the process serves every later identical statement.
_REAL_PROOFS: dict[tuple[str, ChainParams, int], ProofArgs] = {}


def _proof_args(proof, public: list[int], commitment: int) -> ProofArgs:
    a, b, c, signals = proof_calldata(proof, public)
    assert signals == [commitment], "the circuit's public input is not the commitment"
    return ([*a], [[*b[0]], [*b[1]]], [*c])


@functools.cache
def real_verifier_sources(params: ChainParams = TEST_PARAMS) -> tuple[str, str]:
    """Vyper sources of the batch and exit verifiers of ``params``'s real circuits (from the
    verifying keys :func:`offchain.rollup.circuits.keys.circuit_keys` makes or loads)."""
    from offchain.rollup.circuits.keys import circuit_keys

    return tuple(generate_vyper_verifier(circuit_keys(k, params)[2]) for k in ("batch", "exit"))


@dataclass
class RealProver:
    """The real batch and exit circuits of ``params``: their verifiers (deployed in the current
    boa environment when made) and real proofs of :class:`BatchWitness` / :class:`ExitWitness`.
    ``TEST_PARAMS`` match :data:`TEST_PROFILE`."""

    params: ChainParams = TEST_PARAMS
    batch_verifier: object = None
    exit_verifier: object = None

    def __post_init__(self) -> None:
        batch_source, exit_source = real_verifier_sources(self.params)
        if self.batch_verifier is None:
            self.batch_verifier = boa.loads(batch_source, name="BatchVerifier")
        if self.exit_verifier is None:
            self.exit_verifier = boa.loads(exit_source, name="ExitVerifier")

    def batch_proof(self, w: BatchWitness) -> ProofArgs:
        """A real proof of ``w`` (its one public input: ``w.commitment``)."""
        key = ("batch", self.params, w.commitment)
        if key not in _REAL_PROOFS:
            from offchain.rollup.circuits.keys import prove_batch

            proof, public = prove_batch(w)
            _REAL_PROOFS[key] = _proof_args(proof, public, w.commitment)
        return _REAL_PROOFS[key]

    def exit_proof(self, w: ExitWitness) -> ProofArgs:
        """A real exit proof of ``w`` (its one public input: ``w.commitment``)."""
        key = ("exit", self.params, w.commitment)
        if key not in _REAL_PROOFS:
            from offchain.rollup.circuits.keys import prove_exit

            proof, public = prove_exit(w, self.params)
            _REAL_PROOFS[key] = _proof_args(proof, public, w.commitment)
        return _REAL_PROOFS[key]

    def deploy(self, sequencer, *, sender=None, priority_deadline=None):
        """A Rollup for ``params`` over the real verifiers."""
        p = self.params
        deadline = (
            TEST_PROFILE["priority_deadline"] if priority_deadline is None else priority_deadline
        )
        kwargs = {} if sender is None else {"sender": sender}
        return ROLLUP_DEPLOYER.deploy(
            self.batch_verifier.address,
            self.exit_verifier.address,
            RollupDeployer.genesis_root(p.account_depth),
            p.slots,
            p.account_depth,
            p.token_depth,
            deadline,
            sequencer,
            **kwargs,
        )
