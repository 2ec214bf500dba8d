"""The escape hatch's exit tool: rebuild a chain's state from L1 alone and exit with a proof.

Nothing here reads the operator's database. The state is replayed from the pubdata in the
calldata of every executed batch's ``commit_batch`` call (found through ``BatchCommitted``
events; a commit made through a contract sequencer is read from the transaction's call trace,
see :meth:`RollupClient.committed_pubdata`), checked root by root against what the contract
recorded, and the exit proof is made with the exit circuit's proving key. This is what makes the
hatch real: if the operator vanishes, anyone with an RPC endpoint (with the debug API when the
sequencer was a contract) can run it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from offchain.rollup.params import (
    ChainParams,
)
from offchain.rollup.state import ExitWitness, RollupState

from .client import L1Error, RollupClient


class ExitToolError(RuntimeError):
    """The chain on L1 cannot be rebuilt or exited from (the message says what is wrong)."""


def chain_params(client: RollupClient, chain_id: int = 0) -> ChainParams:
    """The chain's sizes as the contract records them (the signing domain is not on L1 and
    not needed for replay)."""
    return ChainParams(
        account_depth=client.view("ACCOUNT_DEPTH"),
        token_depth=client.view("TOKEN_DEPTH"),
        slots=client.view("SLOTS"),
        chain_id=chain_id,
    )


def rebuild_state(client: RollupClient, params: ChainParams | None = None) -> RollupState:
    """Replay every executed batch from L1 calldata; the result's root is the executed root."""
    params = params or chain_params(client)
    state = RollupState(params)
    if state.root != client.view("GENESIS_ROOT"):
        raise ExitToolError("the contract's genesis root is not the empty tree of its depth")
    last = client.view("last_executed")
    commits = client.committed_pubdata()
    for number in range(1, last + 1):
        if number not in commits:
            raise ExitToolError(f"no commit transaction found for executed batch {number}")
        new_root, pubdata = commits[number]
        try:
            state.replay_pubdata(pubdata)
        except ValueError as exc:  # OpRejected included
            raise ExitToolError(f"batch {number} cannot be replayed: {exc}") from None
        if state.root != new_root:
            raise ExitToolError(f"batch {number}: replayed root differs from the committed one")
    if state.root != client.view("executed_root"):
        raise ExitToolError("replayed state does not match the contract's executed root")
    return state


@dataclass
class ExitResult:
    """One exit: what was proven and the transaction that paid it."""

    account: int
    token: int
    owner: str
    amount: int
    tx_hash: str
    gas_used: int


def exit_account(
    client: RollupClient,
    sender: str,
    account: int,
    *,
    tokens: list[int] | None = None,
    prove: Callable[[ExitWitness], Any] | None = None,
    state: RollupState | None = None,
    echo: Callable[[str], None] = lambda _m: None,
) -> list[ExitResult]:
    """Exit every non-zero balance of ``account`` (or just ``tokens``) in escape mode.

    ``prove`` maps an ExitWitness to a proof (default: the exit circuit's keys for this chain).
    Already-exited tokens are skipped. Returns one ExitResult per exit sent.
    """
    if not client.view("escape_mode"):
        raise ExitToolError("the chain is not in escape mode: exits are only possible after it")
    state = state or rebuild_state(client)
    if state.account(account) is None:
        raise ExitToolError(f"account {account} does not exist in the executed state")
    if prove is None:
        from offchain.rollup.circuits.keys import prove_exit

        def prove(w: ExitWitness) -> Any:
            return prove_exit(w)[0]

    results: list[ExitResult] = []
    for token in tokens if tokens is not None else range(state.params.max_token + 1):
        w = state.exit_witness(account, token)
        if w.amount == 0 or client.view("exited", account, token):
            continue
        echo(f"proving exit of account {account}, token {token}, amount {w.amount}")
        proof = prove(w)
        owner = client.w3.to_checksum_address(f"0x{w.owner:040x}")
        try:
            receipt = client.exit(sender, account, owner, token, w.amount, proof)
        except L1Error as exc:
            raise ExitToolError(str(exc)) from None
        results.append(
            ExitResult(
                account,
                token,
                owner,
                w.amount,
                receipt["transactionHash"].to_0x_hex(),
                receipt["gasUsed"],
            )
        )
    return results
