"""A web3 client for one deployed Rollup: the sequencer's commit/prove/execute, users' deposits
and forced exits, and the reads the exit tool rebuilds the chain from (events and calldata only).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractLogicError

from offchain.snark.vyper_verifier import proof_calldata

REPO_ROOT = Path(__file__).resolve().parents[2]
ROLLUP_ABI_PATH = REPO_ROOT / "interfaces" / "IRollup.json"


class L1Error(RuntimeError):
    """An L1 call that reverted or failed; the message carries the contract's revert reason."""


def rollup_abi() -> list[dict[str, Any]]:
    """The Rollup's exported ABI (interfaces/IRollup.json)."""
    data = json.loads(ROLLUP_ABI_PATH.read_text())
    return data["abi"] if isinstance(data, dict) else data


def proof_struct(proof: Any) -> tuple:
    """A prover Proof as the contract's ``Proof`` struct ``(a, b, c)`` in verifier calldata order."""
    pa, pb, pc, _ = proof_calldata(proof, [])
    return (pa, pb, pc)


@dataclass(frozen=True)
class PriorityRequestLog:
    """One ``PriorityRequest`` event: the queue index, the request bytes and the deadline."""

    index: int
    request: bytes
    deadline: int


class RollupClient:
    """Calls and reads of one Rollup deployment through web3."""

    def __init__(self, w3: Web3, address: str) -> None:
        """Bind to the Rollup at ``address`` on the node behind ``w3``."""
        self.w3 = w3
        self.address = Web3.to_checksum_address(address)
        if not w3.eth.get_code(self.address):
            raise L1Error(f"no contract at {self.address}")
        self.contract: Contract = w3.eth.contract(address=self.address, abi=rollup_abi())

    # ---- transactions -----------------------------------------------------------------

    def _send(self, fn: Any, sender: str, value: int = 0) -> dict[str, Any]:
        """Send ``fn`` from ``sender`` (an unlocked node account), wait, return the receipt.
        A revert raises L1Error with the contract's reason (checked by eth_call first, so a
        failing call never spends gas)."""
        tx = {"from": sender, "value": value}
        try:
            fn.call(tx)
            tx_hash = fn.transact(tx)
        except ContractLogicError as exc:
            raise L1Error(f"{fn.fn_name} reverted: {exc.message or exc}") from None
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash)
        if receipt["status"] != 1:
            raise L1Error(f"{fn.fn_name} failed in transaction {tx_hash.hex()}")
        return receipt

    def deposit(self, sender: str, to: str, token: str | None, amount: int, key_hash: int = 0):
        """Deposit ETH (``token`` None) or an ERC-20 for ``to``; opens ``to``'s account with
        ``key_hash`` if it has none (then ``sender`` must be ``to``)."""
        token_addr = token or "0x" + "00" * 20
        value = amount if token is None else 0
        fn = self.contract.functions.deposit(to, token_addr, amount, key_hash)
        return self._send(fn, sender, value)

    def request_forced_exit(self, sender: str, account: int, token: int):
        """Queue a FORCED_EXIT of the whole balance of ``token`` (only the account's owner)."""
        return self._send(self.contract.functions.request_forced_exit(account, token), sender)

    def commit_batch(self, sender: str, number: int, batch: Any):
        """Commit a built batch (a :class:`~offchain.rollup.state.BatchWitness`) as ``number``."""
        header = (number, batch.prev_root, batch.new_root, batch.priority_hash, batch.message_root)
        return self._send(self.contract.functions.commit_batch(header, batch.pubdata), sender)

    def prove_batch(self, sender: str, number: int, proof: Any):
        """Submit the Groth16 proof of committed batch ``number``."""
        return self._send(self.contract.functions.prove_batch(number, proof_struct(proof)), sender)

    def execute_batch(self, sender: str, number: int, withdrawals: list[tuple[int, int, int]]):
        """Execute proven batch ``number``, crediting its withdrawals."""
        return self._send(self.contract.functions.execute_batch(number, withdrawals), sender)

    def activate_escape_mode(self, sender: str):
        """Switch the chain into escape mode (only once a request is overdue)."""
        return self._send(self.contract.functions.activate_escape_mode(), sender)

    def exit(self, sender: str, account: int, owner: str, token: int, amount: int, proof: Any):
        """Submit an escape-mode exit with its exit proof."""
        fn = self.contract.functions.exit(account, owner, token, amount, proof_struct(proof))
        return self._send(fn, sender)

    def refund_deposit(self, sender: str, request: bytes):
        """Refund (or skip) the oldest unserved priority request in escape mode."""
        return self._send(self.contract.functions.refund_deposit(request), sender)

    def claim(self, sender: str, owner: str, token: int):
        """Pay ``owner``'s claimable balance of ``token`` out."""
        return self._send(self.contract.functions.claim(owner, token), sender)

    # ---- reads ------------------------------------------------------------------------

    def view(self, name: str, *args: Any) -> Any:
        """Call the view ``name``."""
        return getattr(self.contract.functions, name)(*args).call()

    def priority_requests(self, from_index: int = 0) -> list[PriorityRequestLog]:
        """Every ``PriorityRequest`` event with index ≥ ``from_index``, in queue order."""
        logs = self.contract.events.PriorityRequest().get_logs(from_block=0)
        out = [
            PriorityRequestLog(e.args["index"], bytes(e.args["request"]), e.args["deadline"])
            for e in logs
            if e.args["index"] >= from_index
        ]
        return sorted(out, key=lambda r: r.index)

    def committed_pubdata(self) -> dict[int, tuple[int, bytes]]:
        """``{number: (new_root, pubdata)}`` for every batch commit on L1, read from the commit
        transactions' calldata (found through ``BatchCommitted`` events)."""
        out: dict[int, tuple[int, bytes]] = {}
        for e in self.contract.events.BatchCommitted().get_logs(from_block=0):
            tx = self.w3.eth.get_transaction(e.transactionHash)
            fn, args = self.contract.decode_function_input(tx["input"])
            if fn.fn_name != "commit_batch":
                raise L1Error(f"batch {e.args['number']} was not committed by commit_batch")
            header = args["header"]
            new_root = header["new_root"] if isinstance(header, dict) else header[2]
            out[e.args["number"]] = (new_root, bytes(args["pubdata"]))
        return out
