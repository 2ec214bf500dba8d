"""Run an independent JavaScript implementation (circomlibjs, snarkjs, ffjavascript) as a test oracle.

Each oracle is a script under ``tests/js/`` that reads one JSON request on stdin and writes one JSON
reply on stdout. Big integers travel as decimal strings. The npm packages are installed by the
project's own ``package.json`` (``make setup``); a missing install is an error, not a skip, so CI can
never pass without actually running the cross-checks.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
JS_DIR = REPO_ROOT / "tests" / "js"
SNARKJS = REPO_ROOT / "node_modules" / "snarkjs" / "build" / "cli.cjs"


def node_binary() -> str:
    """Path of ``node``, after checking the locked npm tools are installed (else RuntimeError)."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not on PATH: install Node.js (see README, `make setup`)")
    if not (REPO_ROOT / "node_modules").is_dir():
        raise RuntimeError(
            "node_modules missing: run `make setup` (installs the locked npm tools) before the node oracles"
        )
    return node


def node_tool(name: str) -> Path:
    """Path of an npm-installed command (``node_modules/.bin/<name>``: circom2, snarkjs, anvil)."""
    node_binary()
    path = REPO_ROOT / "node_modules" / ".bin" / name
    if not path.exists():
        raise RuntimeError(f"{path} missing: run `make setup`")
    return path


def run_tool(
    cmd: list[str | Path], cwd: Path, check: bool = True, timeout_s: float = 300.0
) -> subprocess.CompletedProcess:
    """Run a command in ``cwd``; with ``check``, a non-zero exit raises with its output."""
    proc = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=timeout_s
    )
    if check and proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )
    return proc


def snarkjs(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    """Run the snarkjs CLI from node_modules with ``args`` in ``cwd``."""
    return run_tool([node_binary(), SNARKJS, *args], cwd, check)


def run_node_oracle(script: str, request: Any, timeout_s: float = 300.0) -> Any:
    """Send ``request`` (JSON-serialisable) to ``tests/js/<script>`` and return its decoded reply."""
    proc = subprocess.run(
        [node_binary(), str(JS_DIR / script)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=timeout_s,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"node oracle {script} failed ({proc.returncode}):\n{proc.stderr}")
    return json.loads(proc.stdout)
