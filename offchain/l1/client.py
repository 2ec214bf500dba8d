"""A web3 client for one deployed Rollup: the sequencer's commit/prove/execute, users' deposits
and forced exits, and the reads the exit tool rebuilds the chain from (events and calldata only).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_utils import function_abi_to_4byte_selector
from hexbytes import HexBytes
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
        self._commit_trace_cache: dict[tuple[str, str], list[tuple[int, int, bytes]]] = {}

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
        header = commit_header(number, batch)
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
        calls' calldata (found through ``BatchCommitted`` events).

        A transaction sent straight to ``commit_batch`` is decoded from its input. A commit made
        through another contract (a multisig or batching sequencer) is read from the node's
        ``debug_traceTransaction`` call tree: the successful calls to this Rollup with the
        ``commit_batch`` selector, matched to the events by the header's batch number. Frames
        that reverted, or ran under a reverted parent, are ignored (they emitted nothing); a
        batch without exactly one matching frame raises L1Error rather than being guessed."""
        out: dict[int, tuple[int, bytes]] = {}
        for e in self.contract.events.BatchCommitted().get_logs(from_block=0):
            number = e.args["number"]
            tx = self.w3.eth.get_transaction(e.transactionHash)
            direct = self._direct_commit(tx, number)
            if direct is not None:
                out[number] = direct
                continue
            frames = [
                c
                for c in self._traced_commits(e.transactionHash, e.blockHash, number)
                if c[0] == number
            ]
            if not frames:
                raise L1Error(
                    f"batch {number}: no successful commit_batch call to {self.address} in "
                    f"transaction {_hex(e.transactionHash)}"
                )
            if len(frames) > 1:
                raise L1Error(
                    f"batch {number}: {len(frames)} successful commit_batch calls in transaction "
                    f"{_hex(e.transactionHash)}; cannot tell which one emitted the event"
                )
            _, new_root, pubdata = frames[0]
            if new_root != e.args["new_root"]:
                raise L1Error(
                    f"batch {number}: the traced commit_batch call's new root differs from the "
                    f"BatchCommitted event in transaction {_hex(e.transactionHash)}"
                )
            out[number] = (new_root, pubdata)
        return out

    def _decode_commit(self, data: bytes) -> tuple[int, int, bytes] | None:
        """``(number, new_root, pubdata)`` if ``data`` is a commit_batch call, else None."""
        if bytes(data[:4]) != _COMMIT_SELECTOR:
            return None
        try:
            fn, args = self.contract.decode_function_input(bytes(data))
        except Exception:  # malformed calldata: not a commit this Rollup accepted
            return None
        if fn.fn_name != "commit_batch":
            return None
        header = args["header"]
        if isinstance(header, dict):
            number, new_root = header["number"], header["new_root"]
        else:
            number, new_root = header[0], header[2]
        return number, new_root, bytes(args["pubdata"])

    def _direct_commit(self, tx: Any, number: int) -> tuple[int, bytes] | None:
        """The fast path: ``tx`` called this Rollup's commit_batch for batch ``number`` itself."""
        to = tx.get("to")
        if to is None or Web3.to_checksum_address(to) != self.address:
            return None
        decoded = self._decode_commit(HexBytes(tx["input"]))
        if decoded is None or decoded[0] != number:
            return None
        return decoded[1], decoded[2]

    def _traced_commits(
        self, tx_hash: Any, block_hash: Any, number: int
    ) -> list[tuple[int, int, bytes]]:
        """``(number, new_root, pubdata)`` of every successful commit_batch call to this Rollup
        inside transaction ``tx_hash``, in call order (traced once per transaction and block)."""
        key = (_hex(block_hash), _hex(tx_hash))
        if key not in self._commit_trace_cache:
            trace = self._call_trace(tx_hash, number)
            commits = []
            for frame in successful_calls_to(trace, self.address):
                decoded = self._decode_commit(HexBytes(frame.get("input") or "0x"))
                if decoded is not None:
                    commits.append(decoded)
            self._commit_trace_cache[key] = commits
        return self._commit_trace_cache[key]

    def _call_trace(self, tx_hash: Any, number: int) -> dict[str, Any]:
        """The callTracer tree of ``tx_hash``; L1Error naming what is needed if the node has no
        debug API."""
        need = (
            f"batch {number} was committed through another contract (transaction "
            f"{_hex(tx_hash)}); reading it needs a node with debug_traceTransaction "
            "(callTracer), e.g. an archive node or anvil"
        )
        try:
            resp = self.w3.provider.make_request(
                "debug_traceTransaction", [_hex(tx_hash), {"tracer": "callTracer"}]
            )
        except Exception as exc:
            raise L1Error(f"{need}: {exc}") from None
        error = resp.get("error") if isinstance(resp, dict) else None
        result = resp.get("result") if isinstance(resp, dict) else None
        if error or not isinstance(result, dict):
            detail = error.get("message", error) if isinstance(error, dict) else error
            raise L1Error(f"{need}: {detail or 'no trace returned'}")
        return result


HEADER_FIELDS = ("number", "prev_root", "new_root", "priority_hash", "message_root")
"""The fields of ``Rollup.commit_batch``'s header struct, in ABI order."""


def commit_header(number: int, batch: Any, /, **changes: Any) -> tuple:
    """``commit_batch``'s header tuple for ``batch`` (a BatchWitness) committed as ``number``.

    ``changes`` overrides fields by name (tests build wrong headers this way); an unknown name
    raises ``ValueError`` rather than silently producing a header the ABI would reject.
    """
    unknown = set(changes) - set(HEADER_FIELDS)
    if unknown:
        raise ValueError(f"commit_header: no header field(s) {sorted(unknown)}")
    values = {
        "number": number,
        "prev_root": batch.prev_root,
        "new_root": batch.new_root,
        "priority_hash": batch.priority_hash,
        "message_root": batch.message_root,
        **changes,
    }
    return tuple(values[f] for f in HEADER_FIELDS)


#: The 4-byte selector of ``commit_batch((uint256,uint256,uint256,bytes32,bytes32),bytes)``.
_COMMIT_SELECTOR = bytes(
    function_abi_to_4byte_selector(
        next(f for f in rollup_abi() if f.get("type") == "function" and f["name"] == "commit_batch")
    )
)

#: Call types whose frame runs the callee's code on the callee's own storage (and so can emit
#: its events); DELEGATECALL/CALLCODE run it in the caller's context, STATICCALL cannot log.
_STATE_CALLS = {"CALL"}


def _hex(value: Any) -> str:
    """A hash as 0x-prefixed hex (HexBytes, bytes or str)."""
    if isinstance(value, str):
        return value if value.startswith("0x") else "0x" + value
    return "0x" + bytes(value).hex()


def successful_calls_to(trace: dict[str, Any], address: str) -> list[dict[str, Any]]:
    """Depth-first, in call order: the CALL frames of a callTracer tree whose callee is
    ``address`` and whose effects stand — frames with an ``error`` (a revert) and every frame
    under a reverted one are skipped, since a reverted call's logs and writes are undone."""
    target = address.lower()
    out: list[dict[str, Any]] = []
    stack = [trace]
    while stack:
        frame = stack.pop()
        if frame.get("error"):
            continue  # reverted: neither it nor anything it called took effect
        if (frame.get("type") or "").upper() in _STATE_CALLS and (
            frame.get("to") or ""
        ).lower() == target:
            out.append(frame)
        stack.extend(reversed(frame.get("calls") or []))
    return out
