"""FastFinality.register_key / deregister_key / update_stake: proof of possession, no rogue keys."""

import boa
import pytest
from eth_abi import encode
from eth_utils import keccak

from offchain.crypto.bn254 import G1_GENERATOR, Q, g1_add, g1_neg, g2_add, g2_neg
from offchain.operator import bls
from tests.utils import ff_deployers as F
from tests.utils.deployers import WAD, fund_and_deposit

SLASHABLE = F.STAKE * F.MAGNITUDE // WAD


@pytest.fixture
def newcomer(s):
    """An operator registered in Restaking for the service, with stake, but no BLS key yet."""
    return F.add_operator(s, 100, register_key=False, append=False)


def _args(s, op, key=None, operator=None):
    key = key or op.key
    pop = bls.prove_possession(key, operator or op.address, s.domain)
    return bls.g1_words(key.pk1), bls.g2_words(key.pk2), bls.g1_words(pop)


def test_registers_key_stake_and_aggregate(s, ff, ops, newcomer):
    pk2_words = bls.g2_words(newcomer.key.pk2)
    apk_before, total_before, epoch_before = ff.apk_g1(), ff.total_stake(), ff.epoch()
    ff.register_key(*_args(s, newcomer), sender=newcomer.address)
    event = ff.get_logs()[-1]
    assert (event.operator, event.stake, event.epoch) == (
        newcomer.address,
        SLASHABLE,
        epoch_before + 1,
    )
    assert ff.is_active(newcomer.address)
    assert tuple(ff.registration(newcomer.address)) == (epoch_before + 1, 0)
    assert ff.operator_stake(newcomer.address) == SLASHABLE
    assert ff.total_stake() == total_before + SLASHABLE
    assert tuple(ff.apk_g1()) == g1_add(tuple(apk_before), newcomer.key.pk1)
    assert ff.key_owner(bls.g1_words(newcomer.key.pk1)) == newcomer.address
    assert ff.operator_at(ff.operator_count() - 1) == newcomer.address
    assert tuple(ff.pubkey_g2(newcomer.address)) == tuple(bls.g2_words(newcomer.key.pk2))
    all_pk2 = [o.key.pk2 for o in ops] + [newcomer.key.pk2]
    assert list(ff.apk_g2()) == bls.g2_words(bls.aggregate_g2(all_pk2))
    assert ff.operator_record(newcomer.address) == keccak(
        encode(["bytes32", "uint256"], [keccak(encode(["uint256[4]"], [pk2_words])), SLASHABLE])
    )


def test_aggregate_key_is_the_sum_of_the_operators_keys(ff, ops):
    assert tuple(ff.apk_g1()) == bls.aggregate_g1(o.key.pk1 for o in ops)
    apk2 = bls.g2_words(bls.aggregate_g2(o.key.pk2 for o in ops))
    assert list(ff.apk_g2()) == apk2
    assert (list(ff.operator_set()[0]), ff.operator_set()[1:]) == (apk2, (5 * SLASHABLE, 5))
    assert ff.total_stake() == 5 * SLASHABLE
    assert ff.epoch() == 5


def test_rejects_rogue_key(s, ff, ops, newcomer, state):
    # pk_rogue = pk_attacker - sum(others): its aggregate with the others is the attacker's key,
    # but the attacker does not know its secret, so it cannot produce the proof of possession.
    attacker = F.operator_key(999)
    others = bls.aggregate_g1(o.key.pk1 for o in ops)
    others2 = bls.aggregate_g2(o.key.pk2 for o in ops)
    rogue1 = g1_add(attacker.pk1, g1_neg(others))
    rogue2 = g2_add(attacker.pk2, g2_neg(others2))
    # the best it can sign: a PoP with its own secret over the rogue key's digest
    pop = bls.sign_digest(attacker.sk, bls.pop_digest(newcomer.address, rogue1, s.domain))
    before = state()
    with boa.reverts("ff: invalid proof of possession"):
        ff.register_key(
            bls.g1_words(rogue1), bls.g2_words(rogue2), bls.g1_words(pop), sender=newcomer.address
        )
    assert state() == before


def test_rejects_pop_made_for_another_operator(s, ff, newcomer, state):
    before = state()
    with boa.reverts("ff: invalid proof of possession"):
        ff.register_key(
            *_args(s, newcomer, operator=s.operators[0].address), sender=newcomer.address
        )
    assert state() == before


def test_rejects_g2_key_of_another_secret(s, ff, newcomer, state):
    pk1, _, pop = _args(s, newcomer)
    other = F.operator_key(555)
    before = state()
    with boa.reverts("ff: invalid proof of possession"):
        ff.register_key(pk1, bls.g2_words(other.pk2), pop, sender=newcomer.address)
    assert state() == before


def test_rejects_g1_and_g2_keys_of_different_secrets(s, ff, newcomer, state):
    # a valid PoP under the G2 key, but the G1 key has another secret: only the gamma term of the
    # pairing check ties the two keys together
    other = F.operator_key(556)
    pop = bls.sign_digest(other.sk, bls.pop_digest(newcomer.address, newcomer.key.pk1, s.domain))
    before = state()
    with boa.reverts("ff: invalid proof of possession"):
        ff.register_key(
            bls.g1_words(newcomer.key.pk1),
            bls.g2_words(other.pk2),
            bls.g1_words(pop),
            sender=newcomer.address,
        )
    assert state() == before


def test_last_key_leaving_empties_the_aggregate():
    s = F.deploy_with_operators(2)
    for o in s.operators:
        s.ff.deregister_key(sender=o.address)
    assert list(s.ff.apk_g2()) == [0, 0, 0, 0]
    assert tuple(s.ff.operator_set()[1:]) == (0, 4)
    F.register(s, F.add_operator(s, 3, register_key=False))
    assert list(s.ff.apk_g2()) == bls.g2_words(s.operators[-1].key.pk2)


def test_rejects_g2_key_off_the_twist(s, ff, newcomer, state):
    pk1, pk2, pop = _args(s, newcomer)
    pk2 = [pk2[0], pk2[1], pk2[2], (pk2[3] + 1) % Q]
    before = state()
    with boa.reverts("ff: G2 point not on the twist or not in G2"):
        ff.register_key(pk1, pk2, pop, sender=newcomer.address)
    assert state() == before


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (
            lambda a: ([a[0][0], (a[0][1] + 1) % Q], a[1], a[2]),
            "ff: G1 key is not a point on the curve",
        ),
        (lambda a: ([a[0][0] + Q, a[0][1]], a[1], a[2]), "ff: G1 key is not a point on the curve"),
        (lambda a: ([0, 0], a[1], a[2]), "ff: G1 key is the point at infinity"),
        (lambda a: (a[0], [0, 0, 0, 0], a[2]), "ff: G2 key is the point at infinity"),
        (lambda a: (a[0], a[1], [1, 3]), "ff: proof of possession is not a G1 point"),
        (lambda a: (a[0], a[1], list(G1_GENERATOR)), "ff: invalid proof of possession"),
    ],
)
def test_rejects_malformed_inputs(s, ff, newcomer, state, mutate, reason):
    before = state()
    with boa.reverts(reason):
        ff.register_key(*mutate(_args(s, newcomer)), sender=newcomer.address)
    assert state() == before


def test_rejects_operator_not_registered_for_the_service(s, ff, state):
    outsider = boa.env.generate_address("ff_outsider")
    s.restaking.register_as_operator(sender=outsider)
    key = F.operator_key(777)
    before = state()
    with boa.reverts("ff: caller is not registered for this service in Restaking"):
        ff.register_key(*_args(s, F.Operator(outsider, key, outsider)), sender=outsider)
    assert state() == before


def test_rejects_second_key_of_an_operator(s, ff, ops, state):
    op = ops[0]
    before = state()
    with boa.reverts("ff: operator already registered a key"):
        ff.register_key(*_args(s, op, key=F.operator_key(321)), sender=op.address)
    assert state() == before


def test_rejects_key_registered_by_another_operator(s, ff, ops, newcomer, state):
    # even with a valid PoP for the newcomer's address (it knows the secret: same entity)
    before = state()
    with boa.reverts("ff: key already registered"):
        ff.register_key(*_args(s, newcomer, key=ops[0].key), sender=newcomer.address)
    assert state() == before


def test_zero_stake_operator_registers_with_zero_weight(s, ff):
    op = F.add_operator(s, 101, stake=0, register_key=False, append=False)
    total = ff.total_stake()
    F.register(s, op)
    assert ff.operator_stake(op.address) == 0
    assert ff.total_stake() == total


def test_deregister_removes_key_and_stake(s, ff, ops):
    op = ops[2]
    total, epoch = ff.total_stake(), ff.epoch()
    ff.deregister_key(sender=op.address)
    assert not ff.is_active(op.address)
    assert tuple(ff.registration(op.address)) == (3, epoch + 1)
    assert ff.total_stake() == total - SLASHABLE
    assert ff.operator_stake(op.address) == 0
    assert tuple(ff.apk_g1()) == bls.aggregate_g1(o.key.pk1 for o in ops if o is not op)
    assert list(ff.apk_g2()) == bls.g2_words(
        bls.aggregate_g2(o.key.pk2 for o in ops if o is not op)
    )
    assert ff.operator_record(op.address) == bytes(32)
    with boa.reverts("ff: operator already registered a key"):
        F.register(s, op)


def test_deregister_rejects_inactive(ff, ops, state):
    outsider = boa.env.generate_address("ff_nobody")
    before = state()
    with boa.reverts("ff: caller has no active BLS key"):
        ff.deregister_key(sender=outsider)
    assert state() == before
    ff.deregister_key(sender=ops[1].address)
    before = state()
    with boa.reverts("ff: caller has no active BLS key"):
        ff.deregister_key(sender=ops[1].address)
    assert state() == before


def test_update_stake_follows_restaking(s, ff, ops):
    op = ops[0]
    pool = F._pool(s)
    fund_and_deposit(pool, op.staker, F.STAKE)  # doubles the operator's stake
    total = ff.total_stake()
    assert ff.update_stake(op.address, sender=boa.env.generate_address("anyone")) == 2 * SLASHABLE
    event = ff.get_logs()[-1]
    pk2_hash = keccak(encode(["uint256[4]"], [bls.g2_words(op.key.pk2)]))
    assert ff.operator_record(op.address) == keccak(
        encode(["bytes32", "uint256"], [pk2_hash, 2 * SLASHABLE])
    )
    assert ff.operator_set()[1] == total + SLASHABLE
    assert ff.operator_stake(op.address) == 2 * SLASHABLE
    assert ff.total_stake() == total + SLASHABLE
    assert (event.old_stake, event.new_stake, event.total_stake) == (
        SLASHABLE,
        2 * SLASHABLE,
        total + SLASHABLE,
    )
    s.restaking.queue_withdrawal(2 * F.STAKE, sender=op.staker)  # still slashable in its window
    assert ff.update_stake(op.address) == 2 * SLASHABLE
    s.restaking.allocate(ff.address, 0, sender=op.address)
    boa.env.time_travel(seconds=14 * 86_400)
    assert ff.update_stake(op.address) == 0
    assert ff.total_stake() == total - SLASHABLE


def test_update_stake_rejects_inactive(ff, ops, state):
    ff.deregister_key(sender=ops[0].address)
    before = state()
    with boa.reverts("ff: operator has no active BLS key"):
        ff.update_stake(ops[0].address)
    assert state() == before


def test_views_reject_index_out_of_range(ff):
    with boa.reverts("ff: index out of range"):
        ff.operator_at(ff.operator_count())


def test_hash_to_g1_and_digests_match_offchain(s, ff, ops, hdr):
    for digest in (bls.header_hash(hdr, s.domain), bytes(32), b"\xff" * 32):
        assert tuple(ff.hash_to_g1(digest)) == bls.hash_to_g1(digest)
    assert ff.header_hash(hdr.as_tuple()) == bls.header_hash(hdr, s.domain)
    pk = ops[0].key.pk1
    assert ff.pop_digest(ops[0].address, bls.g1_words(pk)) == bls.pop_digest(
        ops[0].address, pk, s.domain
    )
