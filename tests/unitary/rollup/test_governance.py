"""Governance (docs/protocol.md §7): two-step owner who may only register tokens and set the
sequencer."""

from vyper.compiler.output import build_abi_output

from tests.unitary.rollup.conftest import ZERO_ADDRESS, assert_reverts
from tests.utils.rollup_deployers import MOCK_ERC20_DEPLOYER, ROLLUP_DEPLOYER


def test_two_step_ownership(rollup, owner, alice, bob):
    rollup.transfer_ownership(alice, sender=owner)
    (log,) = rollup.get_logs()
    assert (log.owner, log.pending_owner) == (owner, alice)
    assert rollup.owner() == owner and rollup.pending_owner() == alice
    assert_reverts(rollup, "Rollup: not the pending owner", rollup.accept_ownership, sender=bob)
    assert_reverts(rollup, "Rollup: not the pending owner", rollup.accept_ownership, sender=owner)
    rollup.accept_ownership(sender=alice)
    (log,) = rollup.get_logs()
    assert (log.previous, log.owner) == (owner, alice)
    assert rollup.owner() == alice and rollup.pending_owner() == ZERO_ADDRESS
    assert_reverts(rollup, "Rollup: not the owner", rollup.transfer_ownership, bob, sender=owner)
    assert_reverts(rollup, "Rollup: not the pending owner", rollup.accept_ownership, sender=alice)


def test_cancel_transfer(rollup, owner, alice):
    rollup.transfer_ownership(alice, sender=owner)
    rollup.transfer_ownership(ZERO_ADDRESS, sender=owner)
    assert_reverts(rollup, "Rollup: not the pending owner", rollup.accept_ownership, sender=alice)


def test_only_owner(rollup, alice, sequencer):
    t = MOCK_ERC20_DEPLOYER.deploy("T", "T")
    assert_reverts(rollup, "Rollup: not the owner", rollup.transfer_ownership, alice, sender=alice)
    assert_reverts(rollup, "Rollup: not the owner", rollup.register_token, t.address, sender=alice)
    assert_reverts(rollup, "Rollup: not the owner", rollup.set_sequencer, alice, sender=sequencer)


def test_register_tokens_in_order_until_full(rollup, owner):
    tokens = [MOCK_ERC20_DEPLOYER.deploy(f"T{i}", "T") for i in range(4)]
    for i, t in enumerate(tokens[:3], start=1):
        assert rollup.register_token(t.address, sender=owner) == i
        (log,) = rollup.get_logs()
        assert (log.token, log.token_id) == (t.address, i)
        assert rollup.token_id(t.address) == i and rollup.token_address(i) == t.address
    assert rollup.token_count() == 4  # 2^token_depth: ETH + 3
    assert_reverts(
        rollup, "Rollup: token tree full", rollup.register_token, tokens[3].address, sender=owner
    )
    assert_reverts(
        rollup,
        "Rollup: token already registered",
        rollup.register_token,
        tokens[0].address,
        sender=owner,
    )
    assert_reverts(
        rollup, "Rollup: token is not a contract", rollup.register_token, owner, sender=owner
    )
    assert_reverts(
        rollup, "Rollup: token is not a contract", rollup.register_token, ZERO_ADDRESS, sender=owner
    )


def test_set_sequencer(rollup, owner, sequencer, alice):
    rollup.set_sequencer(alice, sender=owner)
    (log,) = rollup.get_logs()
    assert (log.previous, log.sequencer) == (sequencer, alice)
    assert rollup.sequencer() == alice
    assert_reverts(
        rollup, "Rollup: sequencer is empty", rollup.set_sequencer, ZERO_ADDRESS, sender=owner
    )


def test_the_mutating_surface_is_exactly_the_protocol():
    """No pause, upgrade, verifier, parameter or escape-mode setter exists."""
    abi = build_abi_output(ROLLUP_DEPLOYER.compiler_data)
    mutating = {
        e["name"]
        for e in abi
        if e["type"] == "function" and e["stateMutability"] not in ("view", "pure")
    }
    assert mutating == {
        "deposit",
        "request_forced_exit",
        "commit_batch",
        "prove_batch",
        "execute_batch",
        "claim",
        "activate_escape_mode",
        "exit",
        "refund_deposit",
        "transfer_ownership",
        "accept_ownership",
        "register_token",
        "set_sequencer",
    }
