"""What a chain deployment consists of, independent of the tool that sends the transactions.

:func:`deployment_inputs` makes (or loads) the chain's circuit keys, generates the two Groth16
verifier contracts from their verifying keys and computes the genesis root; the ape script
``scripts/deploy_rollup.py`` deploys them and :func:`write_deployment` records the result in
``deployments/<network>.json``.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from offchain.rollup.params import DEMO_PARAMS, TEST_PARAMS, ChainParams
from offchain.rollup.state import RollupState
from offchain.snark.vyper_verifier import generate_vyper_verifier, vk_digest

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOYMENTS = REPO_ROOT / "deployments"
PROFILES = {"test": TEST_PARAMS, "demo": DEMO_PARAMS}
DEFAULT_PRIORITY_DEADLINE = 3 * 86_400


@dataclass
class DeploymentInputs:
    """Everything a deployer needs besides an account and a node."""

    params: ChainParams
    genesis_root: int
    batch_verifier_source: str
    exit_verifier_source: str
    batch_vk_digest: str
    exit_vk_digest: str


def chain_params_from_profile(name: str) -> ChainParams:
    """The named parameter profile ("test" or "demo")."""
    if name not in PROFILES:
        raise ValueError(f"unknown chain profile {name!r}; choose from {sorted(PROFILES)}")
    return PROFILES[name]


def deployment_inputs(params: ChainParams) -> DeploymentInputs:
    """Keys → verifier sources and the genesis root for ``params`` (keys cached on disk)."""
    from offchain.rollup.circuits.keys import circuit_keys

    _, _, batch_vk = circuit_keys("batch", params)
    _, _, exit_vk = circuit_keys("exit", params)
    return DeploymentInputs(
        params=params,
        genesis_root=RollupState.genesis_root(params),
        batch_verifier_source=generate_vyper_verifier(batch_vk),
        exit_verifier_source=generate_vyper_verifier(exit_vk),
        batch_vk_digest=vk_digest(batch_vk),
        exit_vk_digest=vk_digest(exit_vk),
    )


def _git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def write_deployment(network: str, record: dict[str, Any], directory: Path = DEPLOYMENTS) -> Path:
    """Write ``deployments/<network>.json`` (atomically) with the git commit added."""
    record = {**record, "commit": _git_commit()}
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{network}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    tmp.replace(path)
    return path


def read_deployment(path: Path) -> dict[str, Any]:
    """A deployment record written by :func:`write_deployment`."""
    record = json.loads(Path(path).read_text())
    record["params"] = ChainParams(**record["params"])
    return record


def params_record(params: ChainParams) -> dict[str, int]:
    """``params`` as JSON-ready ints."""
    return asdict(params)
