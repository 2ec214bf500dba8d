# pragma version ~=0.4.0
"""
@title CommitForwarder
@notice A test sequencer that is a contract: it forwards its owner's calldata to the Rollup, as a
        multisig or a batching contract would, so the Rollup sees it (not the owner) as msg.sender.
        Test-only (tests/e2e/test_contract_sequencer.py).
"""

MAX_CALL: constant(uint256) = 4096

ROLLUP: public(immutable(address))
OWNER: public(immutable(address))


@deploy
def __init__(rollup: address):
    ROLLUP = rollup
    OWNER = msg.sender


@external
def forward(data: Bytes[MAX_CALL]):
    """
    @notice One call to the Rollup (commit, prove or execute); reverts if it reverts.
    """
    assert msg.sender == OWNER, "forwarder: not the owner"
    raw_call(ROLLUP, data)


@external
def forward_two(first: Bytes[MAX_CALL], second: Bytes[MAX_CALL]):
    """
    @notice Two calls to the Rollup in one transaction (e.g. two commits).
    """
    assert msg.sender == OWNER, "forwarder: not the owner"
    raw_call(ROLLUP, first)
    raw_call(ROLLUP, second)


@external
def forward_after_failures(
    reverting: Bytes[MAX_CALL], undone: Bytes[MAX_CALL], good: Bytes[MAX_CALL]
):
    """
    @notice Three commits in one transaction, only the last of which stands: `reverting` is sent
            as a try-call that must revert; `undone` is sent from a self-call that then reverts
            (the inner Rollup call succeeds, its parent frame reverts); `good` is forwarded.
    """
    assert msg.sender == OWNER, "forwarder: not the owner"
    ok: bool = raw_call(ROLLUP, reverting, revert_on_failure=False)
    assert not ok, "forwarder: the reverting call succeeded"
    ok = raw_call(
        self,
        abi_encode(undone, method_id=method_id("forward_and_revert(bytes)")),
        revert_on_failure=False,
    )
    assert not ok, "forwarder: the undone call was not undone"
    raw_call(ROLLUP, good)


@external
def forward_and_revert(data: Bytes[MAX_CALL]):
    """
    @notice Forwards `data`, then reverts, undoing it (only callable by this contract).
    """
    assert msg.sender == self, "forwarder: self only"
    raw_call(ROLLUP, data)
    raise "forwarder: undone"
