"""Start and stop a local anvil node (installed from npm as ``@foundry-rs/anvil`` by ``make setup``).

Used by ``make demo`` and the end-to-end test: a real EVM node, not a simulator.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

DEV_MNEMONIC = "test test test test test test test test test test test junk"
"""anvil's default mnemonic: its first accounts are public, funded dev keys (never use elsewhere)."""


def anvil_binary() -> str:
    """The anvil executable: node_modules/.bin/anvil, else one on PATH."""
    local = REPO_ROOT / "node_modules" / ".bin" / "anvil"
    if local.exists():
        return str(local)
    found = shutil.which("anvil")
    if found is None:
        raise RuntimeError(
            "anvil not found: run `make setup` (installs @foundry-rs/anvil from npm)"
        )
    return found


def free_port() -> int:
    """An unused localhost TCP port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_anvil(port: int | None = None, *, block_time: int | None = None):
    """Run anvil on ``port`` (a free one by default) and yield its RPC URL; stop it afterwards."""
    port = port or free_port()
    cmd = [anvil_binary(), "--port", str(port), "--silent", "--chain-id", "31337"]
    if block_time:
        cmd += ["--block-time", str(block_time)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                err = proc.stderr.read().decode() if proc.stderr else ""
                raise RuntimeError(f"anvil exited with {proc.returncode}: {err.strip()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("anvil did not start within 30 s") from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
