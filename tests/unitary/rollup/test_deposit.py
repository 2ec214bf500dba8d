"""deposit: ETH and ERC-20, account opening rules, escrow cap, the priority chain and deadlines
against the Python reference (docs/protocol.md §4)."""

import boa
import pytest

from tests.unitary.rollup import protocol_ref as ref
from tests.unitary.rollup.conftest import (
    DEADLINE,
    ETH,
    KEY_A,
    KEY_B,
    ZERO_ADDRESS,
    assert_reverts,
    open_eth,
)

R = 21888242871839275222246405745257275088548364400416034343698204186575808495617


def test_eth_deposit_opens_the_account(rollup, alice):
    now = boa.env.evm.patch.timestamp
    rollup.deposit(alice, ZERO_ADDRESS, 3 * ETH, KEY_A, value=3 * ETH, sender=alice)
    logs = rollup.get_logs()
    assert rollup.account_of(alice) == 1 and rollup.account_owner(1) == alice
    assert rollup.account_count() == 1
    assert rollup.escrowed(0) == 3 * ETH == boa.env.get_balance(rollup.address)
    requests = [
        ref.open_slot(1, alice, KEY_A),
        ref.request(ref.generic(ref.DEPOSIT, 1, 0, 0, 3 * ETH)),
    ]
    assert len(requests[1]) == 27
    chain = ref.chain(requests)
    assert rollup.priority_count() == 2
    assert [rollup.priority_chain(i) for i in range(3)] == chain
    assert [rollup.priority_deadline_of(i) for i in range(2)] == [now + DEADLINE] * 2
    opened = [e for e in logs if type(e).__name__ == "AccountOpened"]
    queued = [e for e in logs if type(e).__name__ == "PriorityRequest"]
    assert [(e.account, e.owner, e.key_hash) for e in opened] == [(1, alice, KEY_A)]
    assert [(e.index, e.request, e.deadline) for e in queued] == [
        (i, req, now + DEADLINE) for i, req in enumerate(requests)
    ]


def test_second_deposit_queues_only_a_deposit_and_anyone_may_send_it(rollup, alice, bob):
    open_eth(rollup, alice, ETH, KEY_A)
    boa.env.time_travel(seconds=100)
    rollup.deposit(alice, ZERO_ADDRESS, 5, 0, value=5, sender=bob)
    assert rollup.account_count() == 1 and rollup.priority_count() == 3
    requests = [
        ref.open_slot(1, alice, KEY_A),
        ref.request(ref.generic(ref.DEPOSIT, 1, 0, 0, ETH)),
        ref.request(ref.generic(ref.DEPOSIT, 1, 0, 0, 5)),
    ]
    assert rollup.priority_chain(3) == ref.chain(requests)[3]
    assert rollup.priority_deadline_of(2) == rollup.priority_deadline_of(1) + 100
    assert rollup.escrowed(0) == ETH + 5


def test_ids_are_assigned_in_order(rollup, alice, bob):
    open_eth(rollup, alice, 1, KEY_A)
    open_eth(rollup, bob, 1, KEY_B)
    assert (rollup.account_of(alice), rollup.account_of(bob)) == (1, 2)
    assert rollup.account_owner(2) == bob


def test_erc20_deposit(rollup, token, alice):
    rollup.deposit(alice, token.address, 7 * ETH, KEY_A, sender=alice)
    assert rollup.escrowed(1) == 7 * ETH == token.balanceOf(rollup.address)
    requests = [
        ref.open_slot(1, alice, KEY_A),
        ref.request(ref.generic(ref.DEPOSIT, 1, 0, 1, 7 * ETH)),
    ]
    assert rollup.priority_chain(2) == ref.chain(requests)[2]


def test_only_the_owner_opens_its_account(rollup, alice, bob):
    assert_reverts(
        rollup,
        "Rollup: only the owner can open its account",
        rollup.deposit,
        alice,
        ZERO_ADDRESS,
        1,
        KEY_A,
        value=1,
        sender=bob,
        watch=(alice, bob),
    )


@pytest.mark.parametrize("key_hash", [0, R, 2**256 - 1])
def test_opening_needs_a_valid_key_hash(rollup, alice, key_hash):
    assert_reverts(
        rollup,
        "Rollup: invalid key hash",
        rollup.deposit,
        alice,
        ZERO_ADDRESS,
        1,
        key_hash,
        value=1,
        sender=alice,
        watch=(alice,),
    )


def test_key_hash_must_be_zero_for_an_existing_account(rollup, alice):
    open_eth(rollup, alice, 1, KEY_A)
    assert_reverts(
        rollup,
        "Rollup: account exists, key hash must be 0",
        rollup.deposit,
        alice,
        ZERO_ADDRESS,
        1,
        KEY_A,
        value=1,
        sender=alice,
        watch=(alice,),
    )


def test_value_checks(rollup, token, alice):
    assert_reverts(
        rollup,
        "Rollup: msg.value differs from amount",
        rollup.deposit,
        alice,
        ZERO_ADDRESS,
        2,
        KEY_A,
        value=1,
        sender=alice,
        watch=(alice,),
    )
    assert_reverts(
        rollup,
        "Rollup: ETH sent with an ERC-20 deposit",
        rollup.deposit,
        alice,
        token.address,
        1,
        KEY_A,
        value=1,
        sender=alice,
        watch=(alice,),
        token=token,
    )
    assert_reverts(
        rollup,
        "Rollup: zero amount",
        rollup.deposit,
        alice,
        ZERO_ADDRESS,
        0,
        KEY_A,
        sender=alice,
        watch=(alice,),
    )
    assert_reverts(
        rollup,
        "Rollup: deposit to the empty address",
        rollup.deposit,
        ZERO_ADDRESS,
        ZERO_ADDRESS,
        1,
        KEY_A,
        value=1,
        sender=alice,
    )


def test_unregistered_token(rollup, alice):
    other = boa.load_partial("tests/mocks/MockERC20.vy").deploy("Other", "OTH")
    other.mint(alice, 10)
    other.approve(rollup.address, 10, sender=alice)
    assert_reverts(
        rollup,
        "Rollup: token not registered",
        rollup.deposit,
        alice,
        other.address,
        10,
        KEY_A,
        sender=alice,
        watch=(alice,),
    )


def test_failing_erc20_transfer(rollup, token, alice):
    token.set_return_false(True)
    assert_reverts(
        rollup,
        "Rollup: token transfer failed",
        rollup.deposit,
        alice,
        token.address,
        10,
        KEY_A,
        sender=alice,
        watch=(alice,),
        token=token,
    )


FEE_TOKEN = """
# pragma version ~=0.4.3
balanceOf: public(HashMap[address, uint256])
@external
def mint(to: address, amount: uint256):
    self.balanceOf[to] += amount
@external
def transferFrom(owner: address, to: address, amount: uint256) -> bool:
    self.balanceOf[owner] -= amount
    self.balanceOf[to] += amount - amount // 100
    return True
"""


def test_fee_on_transfer_token_is_rejected(rollup, owner, alice):
    fee = boa.loads(FEE_TOKEN, name="FeeToken")
    rollup.register_token(fee.address, sender=owner)
    fee.mint(alice, 1000)
    assert_reverts(
        rollup,
        "Rollup: received amount differs",
        rollup.deposit,
        alice,
        fee.address,
        1000,
        KEY_A,
        sender=alice,
        watch=(alice,),
    )


def test_escrow_cap(rollup, token, alice, bob):
    cap = 2**128
    boa.env.set_balance(alice, cap)
    open_eth(rollup, alice, cap - 2, KEY_A)
    rollup.deposit(alice, ZERO_ADDRESS, 1, 0, value=1, sender=alice)
    assert rollup.escrowed(0) == cap - 1
    assert_reverts(
        rollup,
        "Rollup: escrow cap reached",
        rollup.deposit,
        alice,
        ZERO_ADDRESS,
        1,
        0,
        value=1,
        sender=alice,
        watch=(alice,),
    )
    # the cap is per token
    token.mint(bob, cap)
    rollup.deposit(bob, token.address, cap - 1, KEY_B, sender=bob)
    assert_reverts(
        rollup,
        "Rollup: escrow cap reached",
        rollup.deposit,
        bob,
        token.address,
        1,
        0,
        sender=bob,
        watch=(bob,),
        token=token,
    )


def test_account_tree_full(deployer, sequencer):
    rollup = deployer.deploy(sequencer, account_depth=1)
    first, second = boa.env.generate_address("first"), boa.env.generate_address("second")
    for who in (first, second):
        boa.env.set_balance(who, 10)
    open_eth(rollup, first, 1, KEY_A)
    assert rollup.account_of(first) == 1
    assert_reverts(
        rollup,
        "Rollup: account tree full",
        rollup.deposit,
        second,
        ZERO_ADDRESS,
        1,
        KEY_B,
        value=1,
        sender=second,
        watch=(second,),
    )


def test_no_deposit_in_escape_mode(rollup, alice):
    open_eth(rollup, alice, 1, KEY_A)
    boa.env.time_travel(seconds=DEADLINE + 1)
    rollup.activate_escape_mode()
    assert_reverts(
        rollup,
        "Rollup: escape mode",
        rollup.deposit,
        alice,
        ZERO_ADDRESS,
        1,
        0,
        value=1,
        sender=alice,
        watch=(alice,),
    )


def test_deadlines_across_packed_words(rollup, alice, bob):
    """Deadlines are packed four to a storage word: check nine of them, each at its own time."""
    open_eth(rollup, alice, 1, KEY_A)
    expected = [rollup.priority_deadline_of(0)] * 2
    requests = [ref.open_slot(1, alice, KEY_A), ref.request(ref.generic(ref.DEPOSIT, 1, 0, 0, 1))]
    for i in range(7):
        boa.env.time_travel(seconds=1000 + i)
        rollup.deposit(alice, ZERO_ADDRESS, i + 2, 0, value=i + 2, sender=bob)
        expected.append(boa.env.evm.patch.timestamp + DEADLINE)
        requests.append(ref.request(ref.generic(ref.DEPOSIT, 1, 0, 0, i + 2)))
    assert [rollup.priority_deadline_of(i) for i in range(10)] == expected + [0]
    assert [rollup.priority_chain(i) for i in range(10)] == ref.chain(requests)
