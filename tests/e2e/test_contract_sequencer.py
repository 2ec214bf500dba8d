"""A sequencer that is a contract: the chain stays readable and the hatch still works.

``Rollup.set_sequencer`` accepts any address, so the sequencer may be a multisig or a batching
contract; then the commit transactions call that contract, not ``commit_batch``, and the commit
calldata is only visible in the call tree. Here the sequencer is ``tests/e2e/contracts/CommitForwarder.vy``: the real operator flow (sequencer journal, real batch proofs) commits through
it, once per transaction, two in one transaction, and once after a commit that reverted and a
commit whose parent call reverted. ``RollupClient.committed_pubdata`` must return exactly what the
sequencer journalled (tracing each transaction once), and after escape mode the exit tool must
pay a user exactly their executed balance. Doctored traces and a node without the debug API must
give L1Error, never a guess.
"""

from __future__ import annotations

import copy
from pathlib import Path
from types import SimpleNamespace

import pytest
from vyper.compiler import compile_code
from web3 import Web3

from offchain.chain_demo import deploy_with_ape
from offchain.crypto import eddsa
from offchain.l1.anvil import running_anvil
from offchain.l1.client import L1Error, RollupClient, commit_header, successful_calls_to
from offchain.l1.driver import ChainDriver
from offchain.l1.exit_tool import exit_account, rebuild_state
from offchain.rollup import encoding as enc
from offchain.rollup.params import OP_TRANSFER
from offchain.rollup.state import signed_op
from offchain.sequencer import Sequencer

FORWARDER_SOURCE = Path(__file__).parent / "contracts" / "CommitForwarder.vy"
ETH = 10**18
FORWARDED = {"commit_batch", "prove_batch", "execute_batch"}


class ForwardingClient(RollupClient):
    """A RollupClient whose sequencer calls go through the forwarder (the owner signs them)."""

    def __init__(self, w3: Web3, address: str, forwarder) -> None:
        super().__init__(w3, address)
        self.forwarder = forwarder

    def _send(self, fn, sender, value=0):
        if fn.fn_name in FORWARDED:
            fn = self.forwarder.functions.forward(fn._encode_transaction_data())
        return super()._send(fn, sender, value)


def commit_calldata(client: RollupClient, number: int, batch, **header) -> bytes:
    """commit_batch calldata for ``batch`` as ``number`` (``header`` overrides fields)."""
    h = commit_header(number, batch, **header)
    return bytes.fromhex(client.contract.encode_abi("commit_batch", [h, batch.pubdata])[2:])


def _send(w3: Web3, fn, sender: str) -> dict:
    receipt = w3.eth.wait_for_transaction_receipt(fn.transact({"from": sender}))
    assert receipt["status"] == 1
    return receipt


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """A test-profile deployment on anvil whose sequencer is a CommitForwarder owned by the
    operator's EOA; the operator commits, proves and executes every batch through it (see the
    module docstring)."""
    tmp = tmp_path_factory.mktemp("contract-sequencer")
    with running_anvil() as rpc:
        dep = deploy_with_ape(rpc, "local-e2e-contract-sequencer", profile="test")
        params = dep["params"]
        w3 = Web3(Web3.HTTPProvider(rpc))
        rollup = dep["contracts"]["Rollup"]
        operator, alice, bob, carol = w3.eth.accounts[:4]
        out = compile_code(FORWARDER_SOURCE.read_text(), output_formats=["abi", "bytecode"])
        factory = w3.eth.contract(abi=out["abi"], bytecode=out["bytecode"])
        receipt = _send(w3, factory.constructor(rollup), operator)
        forwarder = w3.eth.contract(address=receipt["contractAddress"], abi=out["abi"])
        plain = RollupClient(w3, rollup)
        plain._send(plain.contract.functions.set_sequencer(forwarder.address), operator)
        assert plain.view("sequencer") == forwarder.address
        client = ForwardingClient(w3, rollup, forwarder)

        keys = {alice: b"\x0a" * 32, bob: b"\x0b" * 32}
        for user in (alice, bob):
            kh = enc.key_hash(*eddsa.public_key(keys[user]))
            client.deposit(user, user, None, 3 * ETH, kh)
        ids = {u: client.view("account_of", u) for u in (alice, bob)}
        seq = Sequencer(params, tmp / "journal.sqlite")
        driver = ChainDriver(seq, client, operator)

        def now() -> int:
            return w3.eth.get_block("latest")["timestamp"]

        def transfer(sender: str, to: str, amount: int) -> None:
            a = ids[sender]
            seq.submit(
                signed_op(
                    OP_TRANSFER,
                    keys[sender],
                    params.chain_id,
                    seq.next_nonce(a),
                    account=a,
                    to=ids[to],
                    token=0,
                    amount=amount,
                )
            )

        # The accounts' opens and deposits: one forwarded commit per transaction.
        while driver.run_batch(now=now()) is not None:
            pass
        n = client.view("last_executed")
        assert n >= 1

        # Batches n+1 and n+2 committed in ONE transaction (forward_two), then proven and executed.
        for amount in (1, 2, 3):
            transfer(alice, bob, amount * ETH // 10)
        first, second = seq.build_next_batch(now()), seq.build_next_batch(now())
        assert second is not None and seq.build_next_batch(now()) is None
        rc = _send(
            w3,
            forwarder.functions.forward_two(
                commit_calldata(client, n + 1, first), commit_calldata(client, n + 2, second)
            ),
            operator,
        )
        for k in (n + 1, n + 2):
            seq.mark_committed(k, rc["transactionHash"].to_0x_hex())
        assert [r.number for r in driver.finish_pending()] == [n + 1, n + 2]

        # Batch n+3: a reverted try-call commit (wrong prev root, another forged root), a commit
        # with a forged root that succeeds in a call whose parent then reverts, and the honest one.
        transfer(bob, alice, ETH // 4)
        last = n + 3
        b = seq.build_next_batch(now())
        forged_root = (b.new_root + 1) % enc.R
        rc = _send(
            w3,
            forwarder.functions.forward_after_failures(
                commit_calldata(client, last, b, prev_root=12345, new_root=forged_root + 1),
                commit_calldata(client, last, b, new_root=forged_root),
                commit_calldata(client, last, b),
            ),
            operator,
        )
        seq.mark_committed(last, rc["transactionHash"].to_0x_hex())
        assert [r.number for r in driver.finish_pending()] == [last]
        assert client.view("last_executed") == last

        yield SimpleNamespace(
            w3=w3,
            rollup=rollup,
            forwarder=forwarder,
            seq=seq,
            ids=ids,
            users=(alice, bob, carol),
            n=n,
            last=last,
            failure_tx=rc["transactionHash"],
            forged_root=forged_root,
        )
        seq.close()


def _counting(original, methods: list[str], rewrite=None):
    """Wrap ``original`` (a provider's make_request): record method names, optionally rewrite
    responses."""

    def make_request(method, params):
        methods.append(method)
        resp = original(method, params)
        return rewrite(method, params, resp) if rewrite else resp

    return make_request


@pytest.mark.node
def test_a_chain_with_a_contract_sequencer_is_read_and_exited(chain, monkeypatch):
    """One test (so pytest-xdist never builds the chain twice), three checks in order."""
    check_commits_read_as_journalled(chain, monkeypatch)
    monkeypatch.undo()
    check_doctored_traces_and_missing_debug_api_are_refused(chain, monkeypatch)
    monkeypatch.undo()
    check_exit_tool_pays_the_executed_balance_after_escape_mode(chain)


def check_commits_read_as_journalled(chain, monkeypatch):
    """committed_pubdata equals the sequencer's journal, tracing each commit transaction once."""
    w3 = chain.w3
    client = RollupClient(w3, chain.rollup)
    methods: list[str] = []
    monkeypatch.setattr(w3.provider, "make_request", _counting(w3.provider.make_request, methods))
    got = client.committed_pubdata()
    journalled = {r.number: (r.new_root, r.pubdata) for r in chain.seq.batches()}
    assert set(journalled) == set(range(1, chain.last + 1))
    assert got == journalled
    assert got[chain.last][0] not in (chain.forged_root, chain.forged_root + 1)
    # One trace per commit transaction: one each for batches 1..n, one shared by n+1 and n+2,
    # one for the last.
    traces = chain.n + 2
    assert methods.count("debug_traceTransaction") == traces
    # A second read of the same client traces nothing again.
    client.committed_pubdata()
    assert methods.count("debug_traceTransaction") == traces
    assert rebuild_state(client).root == client.view("executed_root") == chain.seq.state.root


def check_doctored_traces_and_missing_debug_api_are_refused(chain, monkeypatch):
    """The real trace of the last batch's transaction, with its honest frame marked reverted or the
    reverted frames marked successful, must not be read; nor may a node without the debug API."""
    w3 = chain.w3
    real = w3.provider.make_request
    raw = real("debug_traceTransaction", [chain.failure_tx.to_0x_hex(), {"tracer": "callTracer"}])[
        "result"
    ]
    rollup = chain.rollup.lower()
    # Anvil's callTracer: forwarder → [rollup (error), forwarder self-call (error) → [rollup],
    # rollup]; addresses in lower case.
    top = raw["calls"]
    assert [c["to"].lower() for c in top] == [rollup, chain.forwarder.address.lower(), rollup]
    assert "error" in top[0] and "error" in top[1] and "error" not in top[1]["calls"][0]
    assert "error" not in top[2]
    assert [f["input"] for f in successful_calls_to(raw, rollup)] == [top[2]["input"]]

    def serve(trace):
        def rewrite(method, params, resp):
            if method == "debug_traceTransaction" and params[0] == chain.failure_tx.to_0x_hex():
                return {"jsonrpc": "2.0", "id": resp.get("id"), "result": trace}
            return resp

        return rewrite

    honest_reverted = copy.deepcopy(raw)
    honest_reverted["calls"][2]["error"] = "execution reverted"
    parent_ok = copy.deepcopy(raw)
    del parent_ok["calls"][1]["error"]
    all_ok = copy.deepcopy(raw)
    for c in all_ok["calls"]:
        c.pop("error", None)
    cases = [
        (honest_reverted, f"batch {chain.last}: no successful commit_batch call"),
        (parent_ok, f"batch {chain.last}: 2 successful commit_batch calls"),
        (all_ok, f"batch {chain.last}: 3 successful commit_batch calls"),
    ]
    for trace, message in cases:
        monkeypatch.setattr(w3.provider, "make_request", _counting(real, [], serve(trace)))
        with pytest.raises(L1Error, match=message):
            RollupClient(w3, chain.rollup).committed_pubdata()

    def no_debug(method, params, resp):
        if method == "debug_traceTransaction":
            return {
                "jsonrpc": "2.0",
                "id": resp.get("id"),
                "error": {
                    "code": -32601,
                    "message": "the method debug_traceTransaction does not exist",
                },
            }
        return resp

    monkeypatch.setattr(w3.provider, "make_request", _counting(real, [], no_debug))
    with pytest.raises(
        L1Error,
        match=r"batch 1 was committed through another contract.*"
        r"needs a node with debug_traceTransaction \(callTracer\)",
    ):
        RollupClient(w3, chain.rollup).committed_pubdata()


def check_exit_tool_pays_the_executed_balance_after_escape_mode(chain):
    """Escape mode (so this runs last), then the exit tool pays bob his executed balance."""
    w3 = chain.w3
    alice, bob, carol = chain.users
    client = RollupClient(w3, chain.rollup)
    # An unserved deposit, its deadline passed, escape mode.
    client.deposit(carol, carol, None, ETH // 10, enc.key_hash(*eddsa.public_key(b"\x0c" * 32)))
    w3.provider.make_request("evm_increaseTime", [client.view("PRIORITY_DEADLINE") + 1])
    w3.provider.make_request("evm_mine", [])
    client.activate_escape_mode(carol)
    expected = chain.seq.state.balance(chain.ids[bob], 0)
    assert expected == 3 * ETH + 6 * ETH // 10 - ETH // 4
    before = w3.eth.get_balance(bob)
    results = exit_account(client, carol, chain.ids[bob])  # anyone may send it; bob is paid
    assert [(r.token, r.amount) for r in results] == [(0, expected)]
    assert w3.eth.get_balance(bob) - before == expected


def test_successful_calls_to_skips_reverted_frames_and_their_children():
    r, other = "0x" + "aa" * 20, "0x" + "bb" * 20

    def call(to, inp, calls=(), error=None, kind="CALL"):
        f = {"type": kind, "to": to, "input": inp, "calls": list(calls)}
        if error:
            f["error"] = error
        return f

    tree = call(
        other,
        "0x00",
        [
            call(r, "0x01"),
            call(r, "0x02", error="execution reverted"),
            call(other, "0x03", [call(r, "0x04")], error="execution reverted"),
            call(
                other,
                "0x05",
                [call(r.upper().replace("0X", "0x"), "0x06"), call(r, "0x07", kind="DELEGATECALL")],
            ),
            call(r, "0x08", kind="STATICCALL"),
            call(r, "0x09"),
        ],
    )
    assert [f["input"] for f in successful_calls_to(tree, r)] == ["0x01", "0x06", "0x09"]
    assert successful_calls_to(call(r, "0x0a", error="out of gas"), r) == []
