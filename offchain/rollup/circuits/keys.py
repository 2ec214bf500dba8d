"""Keys of the chain's circuits, made once and cached on disk, and proving helpers.

**DEVELOPMENT KEYS.** :func:`circuit_keys` runs :func:`offchain.snark.setup.dev_setup` seeded
from the compiled circuit's digest: anyone can recompute the toxic waste and forge proofs. They
exist for tests, the demo and benchmarks; a deployment guarding value uses ceremony keys.

Cache: ``$HATCHWAY_KEYS_DIR`` (default ``$XDG_CACHE_HOME/hatchway/keys/``, i.e. ``~/.cache/hatchway/keys/``), one file per circuit named
``<kind>-<r1cs digest>.npz`` (:mod:`offchain.snark.keys_io` format). The digest
(:func:`offchain.snark.qap.r1cs_digest`) covers every constraint, so a changed circuit gets a new
file and a stale key is never picked up. Files are written atomically (temporary file + rename),
so parallel test workers that miss the cache together each make the same key and the last rename
wins; a file that fails to load is made again and replaced.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from offchain.rollup.params import ChainParams
from offchain.rollup.state import BatchWitness, ExitWitness
from offchain.snark.keys import Proof, ProvingKey, VerifyingKey
from offchain.snark.keys_io import load_keys, save_keys
from offchain.snark.prover import prove
from offchain.snark.qap import r1cs_digest
from offchain.snark.r1cs import R1CS, Circuit
from offchain.snark.setup import dev_setup

from .batch import batch_circuit, batch_circuit_inputs
from .exit import exit_circuit, exit_circuit_inputs

__all__ = [
    "KINDS",
    "circuit_keys",
    "compiled_circuit",
    "exit_params",
    "keys_dir",
    "prove_batch",
    "prove_exit",
]

KINDS = ("batch", "exit")
_SEED_PREFIX = b"hatchway/rollup-circuit-keys/v1|"


def keys_dir() -> Path:
    """The key cache directory: ``$HATCHWAY_KEYS_DIR``, else ``$XDG_CACHE_HOME/hatchway/keys``
    (default ``~/.cache/hatchway/keys``), beside the numba cache."""
    env = os.environ.get("HATCHWAY_KEYS_DIR")
    if env:
        return Path(env)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "hatchway" / "keys"


def _canonical(kind: str, params: ChainParams) -> ChainParams:
    # The exit circuit depends on the tree depths only: share its key across slots/chain ids.
    if kind == "exit":
        return ChainParams(params.account_depth, params.token_depth, slots=1, chain_id=0)
    return params


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"circuit keys: kind must be one of {KINDS}, got {kind!r}")
    return kind


@cache
def _compiled(kind: str, params: ChainParams) -> tuple[Circuit, R1CS]:
    circuit = batch_circuit(params) if kind == "batch" else exit_circuit(params)
    return circuit, circuit.compile()


def compiled_circuit(kind: str, params: ChainParams) -> tuple[Circuit, R1CS]:
    """The circuit of ``kind`` for ``params`` and its compiled R1CS, built once per process."""
    return _compiled(_check_kind(kind), _canonical(kind, params))


@cache
def _keys(kind: str, params: ChainParams, directory: Path) -> tuple[ProvingKey, VerifyingKey]:
    _, r1cs = _compiled(kind, params)
    digest = r1cs_digest(r1cs)
    path = directory / f"{kind}-{digest.hex()}.npz"
    if path.exists():
        try:
            pk, vk = load_keys(path)
        except ValueError:
            pk = vk = None  # torn or foreign file: make the key again and replace it
        if pk is not None and vk is not None and pk.r1cs_digest == digest:
            return pk, vk
    pk, vk = dev_setup(r1cs, seed=_SEED_PREFIX + kind.encode() + b"|" + digest)
    save_keys(path, pk, vk)
    return pk, vk


def circuit_keys(kind: str, params: ChainParams) -> tuple[R1CS, ProvingKey, VerifyingKey]:
    """``(r1cs, proving key, verifying key)`` of circuit ``kind`` ("batch" or "exit") for
    ``params``: from the disk cache, else made with a dev setup seeded by the circuit digest (and
    saved). Memoised per process. INSECURE development keys — see the module docstring."""
    kind = _check_kind(kind)
    params = _canonical(kind, params)
    _, r1cs = _compiled(kind, params)
    pk, vk = _keys(kind, params, keys_dir())
    return r1cs, pk, vk


def prove_batch(w: BatchWitness) -> tuple[Proof, list[int]]:
    """A Groth16 proof for a batch and its public signals (``[commitment]``).

    ``ValueError`` (from the prover, naming the first violated constraint) for a witness the
    circuit rejects."""
    r1cs, pk, _ = circuit_keys("batch", w.params)
    circuit, _ = compiled_circuit("batch", w.params)
    witness = circuit.witness(batch_circuit_inputs(w))
    return prove(pk, r1cs, witness), r1cs.public_signals(witness)


def exit_params(w: ExitWitness) -> ChainParams:
    """The (depth-only) parameters an exit witness is for, from its path lengths."""
    return ChainParams(len(w.account_siblings), len(w.balance_siblings), slots=1, chain_id=0)


def prove_exit(w: ExitWitness, params: ChainParams | None = None) -> tuple[Proof, list[int]]:
    """A Groth16 proof for an exit and its public signals (``[commitment]``). ``params`` default
    to the depths of the witness's paths."""
    params = exit_params(w) if params is None else params
    r1cs, pk, _ = circuit_keys("exit", params)
    circuit, _ = compiled_circuit("exit", params)
    witness = circuit.witness(exit_circuit_inputs(w))
    return prove(pk, r1cs, witness), r1cs.public_signals(witness)
