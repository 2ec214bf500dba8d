"""The embedded default behind ``make demo`` / ``hatchway demo``: a small state-tree walkthrough.

It exercises the foundation end to end with deterministic keys (so every run prints the same
roots): EdDSA-Poseidon accounts in a depth-32 Poseidon sparse Merkle tree persisted in SQLite,
a batch of signed transfers verified in one parallel call (one forged transfer among them is
rejected), the surviving transfers applied as one batched tree update, membership and
non-membership proofs, and a reopen from disk that must reproduce the root.

The leaf encoding here, ``poseidon([pub_x, pub_y, balance, nonce])``, is illustrative; the
protocol's account/balance/order trees are specified in ``docs/protocol.md`` with the chain.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from offchain.crypto.eddsa import public_key, sign, verify_batch
from offchain.crypto.poseidon import poseidon
from offchain.state.smt import SparseMerkleTree, verify_proof
from offchain.state.store import SQLiteNodeStore

DEPTH = 32
ACCOUNTS = 16
TRANSFERS = 48
INITIAL_BALANCE = 1_000_000


@dataclass
class Account:
    """One demo account: its key pair, balance and next nonce."""

    prv: bytes
    pub: tuple[int, int]
    balance: int
    nonce: int = 0

    def leaf(self) -> int:
        """The account's leaf value in the state tree."""
        return poseidon([self.pub[0], self.pub[1], self.balance, self.nonce])


def _key(i: int) -> bytes:
    return hashlib.sha256(b"hatchway-demo-account-%d" % i).digest()


def _transfer_message(sender: int, recipient: int, amount: int, nonce: int) -> int:
    return poseidon([sender, recipient, amount, nonce])


def run_state_demo(echo: Callable[[str], None] = print, workdir: Path | None = None) -> str:
    """Run the walkthrough, echoing each step; returns the final state root (hex)."""
    with tempfile.TemporaryDirectory(prefix="hatchway-demo-") as tmp:
        db_path = (workdir or Path(tmp)) / "state.sqlite"
        return _run(echo, db_path)


def _run(echo: Callable[[str], None], db_path: Path) -> str:
    echo(f"== Hatchway state demo: depth-{DEPTH} Poseidon tree in {db_path.name} (SQLite, WAL)")
    accounts = [Account(_key(i), public_key(_key(i)), INITIAL_BALANCE) for i in range(ACCOUNTS)]

    with SQLiteNodeStore(db_path) as store:
        tree = SparseMerkleTree(DEPTH, store)
        t0 = time.perf_counter()
        genesis_root = tree.update_many({i: a.leaf() for i, a in enumerate(accounts)})
        echo(f"genesis: {ACCOUNTS} accounts, root {genesis_root:#066x} ({_ms(t0)})")

        # Signed transfers; the last one is forged (signed by the wrong key).
        transfers, pubs, msgs, sigs = [], [], [], []
        t0 = time.perf_counter()
        for n in range(TRANSFERS):
            sender, recipient = n % ACCOUNTS, (3 * n + 1) % ACCOUNTS
            amount = 1_000 + 17 * n
            nonce = n // ACCOUNTS
            msg = _transfer_message(sender, recipient, amount, nonce)
            signer = accounts[(sender + 1) % ACCOUNTS] if n == TRANSFERS - 1 else accounts[sender]
            transfers.append((sender, recipient, amount, nonce))
            pubs.append(accounts[sender].pub)
            msgs.append(msg)
            sigs.append(sign(signer.prv, msg))
        echo(f"signed {TRANSFERS} transfers with EdDSA-Poseidon ({_ms(t0)})")

        t0 = time.perf_counter()
        valid = verify_batch(pubs, msgs, sigs)
        rejected = [i for i, ok in enumerate(valid) if not ok]
        echo(f"batch-verified {TRANSFERS} signatures ({_ms(t0)}): rejected {rejected} (forged)")

        for i, (sender, recipient, amount, nonce) in enumerate(transfers):
            if not valid[i] or accounts[sender].nonce != nonce:
                continue
            accounts[sender].balance -= amount
            accounts[sender].nonce += 1
            accounts[recipient].balance += amount
        t0 = time.perf_counter()
        root = tree.update_many({i: a.leaf() for i, a in enumerate(accounts)})
        echo(
            f"applied {TRANSFERS - len(rejected)} transfers as one batch: root {root:#066x} ({_ms(t0)})"
        )
        total = sum(a.balance for a in accounts)
        assert total == ACCOUNTS * INITIAL_BALANCE, "transfers must conserve the total balance"

        member = tree.prove(3)
        absent = tree.prove((1 << 31) + 5)
        ok_member = verify_proof(member, root, DEPTH) and member.value == accounts[3].leaf()
        ok_absent = verify_proof(absent, root, DEPTH) and absent.value == 0
        echo(f"proof that account 3 is in the tree: {'valid' if ok_member else 'INVALID'}")
        echo(f"proof that slot 2^31+5 is empty:      {'valid' if ok_absent else 'INVALID'}")
        if not (ok_member and ok_absent):
            raise RuntimeError("demo: a state proof failed to verify")

    with SQLiteNodeStore(db_path) as store:
        reopened = SparseMerkleTree(DEPTH, store)
        if reopened.root != root:
            raise RuntimeError("demo: the tree reopened from SQLite has a different root")
        echo(f"reopened from SQLite: same root; total balance conserved ({total:,})")
    return f"{root:#066x}"


def _ms(t0: float) -> str:
    return f"{(time.perf_counter() - t0) * 1e3:.0f} ms"
