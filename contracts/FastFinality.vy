# pragma version ~=0.4.3
"""
@title FastFinality
@notice A service on Restaking: operators sign rollup batch headers with BLS on BN254; an
        aggregate signature from operators holding at least THRESHOLD_NUMERATOR /
        THRESHOLD_DENOMINATOR of the registered stake makes a certificate, recorded here before
        the batch's validity proof lands. Signers of a certificate that the proven root later
        contradicts, and operators that sign two different roots for one batch, are slashed by
        anyone who submits the evidence. Spec: docs/fastfinality.md.
@custom:security Trust assumptions:
                 - Operators register their key with a proof of possession (a BLS signature over
                   the G1 key and the operator address), so no rogue key can cancel others in
                   the aggregate.
                 - Stake weights are snapshots of Restaking.slashable_stake taken at key
                   registration and refreshed by anyone through `update_stake`; between two
                   refreshes a certificate may count stake that has since been deallocated or
                   withdrawn (docs/fastfinality.md, "Stake snapshot").
                 - `header.rollup` is whatever the signers signed: an operator must sign only
                   headers of rollups it follows, because the rollup named in a header decides
                   (through `proven_root`) whether its signers are slashed.
                 - `certify` takes the non-signers' G2 keys and stakes and the operator set
                   (aggregate G2 key, total stake, epoch) from its caller and checks them against
                   one stored word per non-signer and one for the set, so its arguments are valid
                   for the current state only: any registration, deregistration, stake refresh
                   or slash in between makes it revert (rebuild and resubmit).
                 - No owner, no pause, no veto, no upgrade.
"""

from interfaces import IRestaking
from interfaces import IProvenRoots
from interfaces import IFastFinality
implements: IFastFinality


# ---------------------------------------------------------------- constants

# BN254 base field modulus q and group order r.
FQ: constant(uint256) = 21888242871839275222246405745257275088696311157297823662689037894645226208583
FR: constant(uint256) = 21888242871839275222246405745257275088548364400416034343698204186575808495617
# (q + 1) / 4: q = 3 mod 4, so a square a has the root a^((q+1)/4).
SQRT_EXPONENT: constant(uint256) = 5472060717959818805561601436314318772174077789324455915672259473661306552146
# -G2 (the negated standard generator), EIP-197 order [x.c1, x.c0, y.c1, y.c0].
NEG_G2_X1: constant(uint256) = 11559732032986387107991004021392285783925812861821192530917403151452391805634
NEG_G2_X0: constant(uint256) = 10857046999023057135944570762232829481370756359578518086990519993285655852781
NEG_G2_Y1: constant(uint256) = 17805874995975841540914202342111839520379459829704422454583296818431106115052
NEG_G2_Y0: constant(uint256) = 13392588948715843804641432497768002650278120570034223513918757245338268106653

# Domain tags (keccak256 of ASCII strings; offchain/operator/bls.py uses the same strings).
HEADER_TAG: constant(bytes32) = keccak256("hatchway.fastfinality.header.v1")
POP_TAG: constant(bytes32) = keccak256("hatchway.fastfinality.pop.v1")
HASH_TO_G1_TAG: constant(bytes32) = keccak256("hatchway.fastfinality.hash_to_g1.v1")
# try-and-increment gives up after this many candidates (probability 2**-256 to get there).
HASH_TO_G1_TRIES: constant(uint256) = 256
# most candidates a `certify` hint can cover (2 words for the point, one per earlier candidate)
MAX_HASH_HINT: constant(uint256) = 16

ECADD: constant(address) = 0x0000000000000000000000000000000000000006
ECMUL: constant(address) = 0x0000000000000000000000000000000000000007
PAIRING: constant(address) = 0x0000000000000000000000000000000000000008
MODEXP: constant(address) = 0x0000000000000000000000000000000000000005

WAD: constant(uint256) = 10**18
# keeps `stake * denominator` (stake < 2**192) far from overflowing
MAX_DENOMINATOR: constant(uint256) = 2**32
WORD: constant(uint256) = 32
MAX_NON_SIGNERS: constant(uint256) = 64

# Packed words: `_meta[op]` = stake (192 bits) | registered_epoch << 192 | deregistered_epoch << 224;
# `_totals` = total stake (192 bits) | epoch << 192.
STAKE_BITS: constant(uint256) = 192
STAKE_MASK: constant(uint256) = (1 << 192) - 1
EPOCH_MASK: constant(uint256) = (1 << 32) - 1

FAULT_CONTRADICTED: constant(uint256) = 1
FAULT_DOUBLE_SIGN: constant(uint256) = 2


# ---------------------------------------------------------------- storage

RESTAKING: public(immutable(address))
THRESHOLD_NUMERATOR: public(immutable(uint256))
THRESHOLD_DENOMINATOR: public(immutable(uint256))
SLASH_WAD: public(immutable(uint256))

# aggregate G1 key of every active operator
_apk: uint256[2]
# aggregate G2 key of every active operator (affine, EIP-197 order; zeros when none) and
# keccak256(abi_encode(_apk_g2))
_apk_g2: uint256[4]
_apk_g2_hash: bytes32
# keccak256(abi_encode(_apk_g2_hash, total stake, epoch)): the one word `certify` reads to check
# the operator set (aggregate G2 key, total stake, epoch) its caller passes
_set_hash: bytes32
_totals: uint256
_meta: HashMap[address, uint256]
_pk_g1: HashMap[address, uint256[2]]
_pk_g2: HashMap[address, uint256[4]]
# keccak256(abi_encode(pubkey_g2))
_pk2_hash: HashMap[address, bytes32]
# operator => keccak256(abi_encode(_pk2_hash, stake snapshot)) while its key is active, else
# empty: the one word `certify` reads per non-signer to check the key and stake it is given
_record: HashMap[address, bytes32]
# keccak256(abi_encode(pubkey_g1)) => operator (a key is registered at most once, ever)
_key_owner: HashMap[bytes32, address]
_operators: HashMap[uint256, address]
_operator_count: uint256
# header hash => certificate_commitment(epoch, non_signers)
_certificates: HashMap[bytes32, bytes32]
# operator => keccak256(abi_encode(rollup, batch_number)) => slashed for that batch
_slashed: HashMap[address, HashMap[bytes32, bool]]


@deploy
def __init__(
    restaking: address,
    threshold_numerator: uint256,
    threshold_denominator: uint256,
    slash_wad: uint256,
    redistribution_recipient: address,
):
    """
    @notice Deploys the service and registers it with `restaking`.
    @param restaking The Restaking pool whose stake backs the certificates.
    @param threshold_numerator Certificates need signed * denominator >= total * numerator.
           The denominator is at most 2**32.
    @param threshold_denominator Must satisfy denominator / 2 < numerator <= denominator, so two
           conflicting certificates always share a signer (who double signed).
    @param slash_wad Fraction of an operator's allocation slashed per fault, 0 < slash_wad <= WAD.
    @param redistribution_recipient Receives slashed stake (empty(address) burns it).
    """
    assert restaking.is_contract, "ff: restaking is not a contract"
    assert threshold_denominator != 0, "ff: threshold denominator is zero"
    assert threshold_denominator <= MAX_DENOMINATOR, "ff: threshold denominator above 2**32"
    assert threshold_numerator <= threshold_denominator, "ff: threshold above 100%"
    assert 2 * threshold_numerator > threshold_denominator, "ff: threshold must exceed 1/2"
    assert slash_wad != 0 and slash_wad <= WAD, "ff: slash_wad outside (0, WAD]"
    RESTAKING = restaking
    THRESHOLD_NUMERATOR = threshold_numerator
    THRESHOLD_DENOMINATOR = threshold_denominator
    SLASH_WAD = slash_wad
    extcall IRestaking(restaking).register_service(redistribution_recipient)


# ---------------------------------------------------------------- curve helpers


@view
@internal
def _is_g1(p: uint256[2]) -> bool:
    # canonical coordinates on y^2 = x^3 + 3, or the point at infinity (0, 0)
    if p[0] >= FQ or p[1] >= FQ:
        return False
    if p[0] == 0 and p[1] == 0:
        return True
    x3: uint256 = uint256_mulmod(uint256_mulmod(p[0], p[0], FQ), p[0], FQ)
    return uint256_mulmod(p[1], p[1], FQ) == uint256_addmod(x3, 3, FQ)


@pure
@internal
def _neg(p: uint256[2]) -> uint256[2]:
    if p[1] == 0:
        return p
    return [p[0], FQ - p[1]]


@view
@internal
def _ec_add(a: uint256[2], b: uint256[2]) -> uint256[2]:
    return abi_decode(
        raw_call(ECADD, abi_encode(a, b), max_outsize=64, is_static_call=True), uint256[2]
    )


@view
@internal
def _ec_mul(a: uint256[2], k: uint256) -> uint256[2]:
    return abi_decode(
        raw_call(ECMUL, abi_encode(a, k), max_outsize=64, is_static_call=True), uint256[2]
    )


@view
@internal
def _hash_to_g1(digest: bytes32) -> uint256[2]:
    # try-and-increment: x_i = keccak256(abi_encode(HASH_TO_G1_TAG, digest, i)) mod q for
    # i = 0, 1, ...; the first x_i with x^3 + 3 a square gives (x_i, (x^3 + 3)^((q+1)/4)).
    for i: uint256 in range(HASH_TO_G1_TRIES):
        x: uint256 = convert(keccak256(abi_encode(HASH_TO_G1_TAG, digest, i)), uint256) % FQ
        rhs: uint256 = uint256_addmod(
            uint256_mulmod(uint256_mulmod(x, x, FQ), x, FQ), 3, FQ
        )
        out: Bytes[32] = raw_call(
            MODEXP,
            abi_encode(WORD, WORD, WORD, rhs, SQRT_EXPONENT, FQ),
            max_outsize=32,
            is_static_call=True,
        )
        y: uint256 = convert(out, uint256)
        if uint256_mulmod(y, y, FQ) == rhs:
            return [x, y]
    raise "ff: hash_to_g1 found no point"


# `certify` checks hash_to_g1(digest) from square roots the caller supplies instead of computing
# them (no modexp): hint = [z_0, .., z_(k-1), y, w] where candidate x_k is the first whose
# rhs = x^3 + 3 is a square. For j < k, z_j^2 == -rhs_j != 0 proves rhs_j is not a square
# (q = 3 mod 4, so -1 is not a square); y^2 == rhs_k with y < q, and w^2 == y picks the root
# rhs^((q+1)/4) that `_hash_to_g1` returns (that root is itself a square, its negation is not).
# An empty hint falls back to `_hash_to_g1`.


@view
@internal
def _verify(sigma: uint256[2], pk1: uint256[2], pk2: uint256[4], h: uint256[2]) -> bool:
    """
    @dev e(sigma + g*pk1, -G2) * e(h + g*G1, pk2) == 1 with g = keccak(h, pk1, pk2, sigma) mod r:
         one pairing call checks both e(sigma, G2) == e(h, pk2) (the signature) and
         e(pk1, G2) == e(G1, pk2) (the G1 and G2 keys share their secret), except with
         probability ~1/r over g. `sigma` and `pk1` must already be valid G1 points; the
         precompile rejects a `pk2` off the twist or outside G2.
    """
    gamma: uint256 = convert(keccak256(abi_encode(h, pk1, pk2, sigma)), uint256) % FR
    a: uint256[2] = self._ec_add(sigma, self._ec_mul(pk1, gamma))
    g1: uint256[2] = [1, 2]
    b: uint256[2] = self._ec_add(h, self._ec_mul(g1, gamma))
    return self._pairing_check(a, b, pk2)


@view
@internal
def _pairing_check(sigma: uint256[2], h: uint256[2], pk2: uint256[4]) -> bool:
    """
    @dev e(sigma, -G2) * e(h, pk2) == 1, i.e. sigma is a signature on h under pk2 (one pairing
         call with two pairs). `sigma` must be a G1 point; the precompile rejects a `pk2` off the
         twist or outside G2.
    """
    neg_g2: uint256[4] = [NEG_G2_X1, NEG_G2_X0, NEG_G2_Y1, NEG_G2_Y0]
    ok: bool = False
    out: Bytes[32] = b""
    ok, out = raw_call(
        PAIRING,
        abi_encode(sigma, neg_g2, h, pk2),
        max_outsize=32,
        is_static_call=True,
        revert_on_failure=False,
    )
    assert ok and len(out) == 32, "ff: G2 point not on the twist or not in G2"
    return convert(out, uint256) == 1


# ---------------------------------------------------------------- G2 arithmetic
# Fp2 = Fp[u] / (u^2 + 1); an element is (c0, c1) = c0 + c1*u. G2 points are affine
# uint256[4] words in EIP-197 order [x.c1, x.c0, y.c1, y.c0], zeros = infinity.


@view
@internal
def _fp_inv(a: uint256) -> uint256:
    # a^(q-2) mod q (a != 0)
    out: Bytes[32] = raw_call(
        MODEXP,
        abi_encode(WORD, WORD, WORD, a, unsafe_sub(FQ, 2), FQ),
        max_outsize=32,
        is_static_call=True,
    )
    return convert(out, uint256)


@pure
@internal
def _fp2_mul(a0: uint256, a1: uint256, b0: uint256, b1: uint256) -> (uint256, uint256):
    return (
        uint256_addmod(uint256_mulmod(a0, b0, FQ), unsafe_sub(FQ, uint256_mulmod(a1, b1, FQ)), FQ),
        uint256_addmod(uint256_mulmod(a0, b1, FQ), uint256_mulmod(a1, b0, FQ), FQ),
    )


@view
@internal
def _g2_add(p: uint256[4], q: uint256[4]) -> uint256[4]:
    """
    @dev Affine p + q on the twist (both valid G2 points or infinity); used when keys join or
         leave the aggregate, not in `certify`.
    """
    if p[0] | p[1] | p[2] | p[3] == 0:
        return q
    if q[0] | q[1] | q[2] | q[3] == 0:
        return p
    px0: uint256 = p[1]
    px1: uint256 = p[0]
    py0: uint256 = p[3]
    py1: uint256 = p[2]
    if px0 == q[1] and px1 == q[0]:
        # q = -p (the last key leaves); q = p would need a key whose secret is the sum of the
        # others' secrets, which a proof of possession rules out for keys of honest operators
        assert py0 != q[3] or py1 != q[2], "ff: key equals the aggregate key"
        return [0, 0, 0, 0]
    # lambda = (qy - py) / (qx - px)
    n0: uint256 = uint256_addmod(q[3], unsafe_sub(FQ, py0), FQ)
    n1: uint256 = uint256_addmod(q[2], unsafe_sub(FQ, py1), FQ)
    d0: uint256 = uint256_addmod(q[1], unsafe_sub(FQ, px0), FQ)
    d1: uint256 = uint256_addmod(q[0], unsafe_sub(FQ, px1), FQ)
    # 1 / (d0 + d1 u) = (d0 - d1 u) / (d0^2 + d1^2)
    t: uint256 = self._fp_inv(
        uint256_addmod(uint256_mulmod(d0, d0, FQ), uint256_mulmod(d1, d1, FQ), FQ)
    )
    l0: uint256 = 0
    l1: uint256 = 0
    l0, l1 = self._fp2_mul(n0, n1, uint256_mulmod(d0, t, FQ), uint256_mulmod(unsafe_sub(FQ, d1), t, FQ))
    # x = lambda^2 - px - qx; y = lambda (px - x) - py
    x0: uint256 = 0
    x1: uint256 = 0
    x0, x1 = self._fp2_mul(l0, l1, l0, l1)
    x0 = uint256_addmod(x0, unsafe_sub(FQ, uint256_addmod(px0, q[1], FQ)), FQ)
    x1 = uint256_addmod(x1, unsafe_sub(FQ, uint256_addmod(px1, q[0], FQ)), FQ)
    y0: uint256 = 0
    y1: uint256 = 0
    y0, y1 = self._fp2_mul(
        l0, l1, uint256_addmod(px0, unsafe_sub(FQ, x0), FQ), uint256_addmod(px1, unsafe_sub(FQ, x1), FQ)
    )
    y0 = uint256_addmod(y0, unsafe_sub(FQ, py0), FQ)
    y1 = uint256_addmod(y1, unsafe_sub(FQ, py1), FQ)
    return [x1, x0, y1, y0]


@pure
@internal
def _g2_neg(p: uint256[4]) -> uint256[4]:
    return [p[0], p[1], (FQ - p[2]) % FQ, (FQ - p[3]) % FQ]


@internal
def _set_apk_g2(apk: uint256[4], totals: uint256):
    # the aggregate G2 key and the totals word changed (a key joined or left)
    apk_hash: bytes32 = keccak256(abi_encode(apk))
    self._apk_g2 = apk
    self._apk_g2_hash = apk_hash
    self._set_hash = keccak256(abi_encode(apk_hash, totals & STAKE_MASK, totals >> 192))


# ---------------------------------------------------------------- packing helpers


@pure
@internal
def _meta_stake(meta: uint256) -> uint256:
    return meta & STAKE_MASK


@pure
@internal
def _meta_registered(meta: uint256) -> uint256:
    return (meta >> 192) & EPOCH_MASK


@pure
@internal
def _meta_deregistered(meta: uint256) -> uint256:
    return meta >> 224


@pure
@internal
def _pack_meta(stake: uint256, registered: uint256, deregistered: uint256) -> uint256:
    return stake | (registered << 192) | (deregistered << 224)


@view
@internal
def _header_hash(header: IFastFinality.Header) -> bytes32:
    return keccak256(abi_encode(HEADER_TAG, chain.id, self, header))


@pure
@internal
def _batch_key(rollup: address, batch_number: uint256) -> bytes32:
    return keccak256(abi_encode(rollup, batch_number))


@view
@internal
def _stake_of(operator: address) -> uint256:
    stake: uint256 = staticcall IRestaking(RESTAKING).slashable_stake(operator, self)
    assert stake <= STAKE_MASK, "ff: stake above 2**192"
    return stake


@internal
def _set_stake(operator: address, meta: uint256, new_stake: uint256) -> uint256:
    # rewrites the operator's snapshot and the running total; returns the old snapshot
    old: uint256 = meta & STAKE_MASK
    totals: uint256 = self._totals
    total: uint256 = (totals & STAKE_MASK) - old + new_stake
    assert total <= STAKE_MASK, "ff: total stake above 2**192"
    self._totals = (totals & ~STAKE_MASK) | total
    self._set_hash = keccak256(abi_encode(self._apk_g2_hash, total, totals >> 192))
    self._meta[operator] = (meta & ~STAKE_MASK) | new_stake
    self._record[operator] = keccak256(abi_encode(self._pk2_hash[operator], new_stake))
    log IFastFinality.StakeUpdated(
        operator=operator, old_stake=old, new_stake=new_stake, total_stake=total
    )
    return old


# ---------------------------------------------------------------- operators


@external
@nonreentrant
def register_key(pubkey_g1: uint256[2], pubkey_g2: uint256[4], pop: uint256[2]):
    """
    @notice Registers the caller's BLS key (once per operator address, ever). The caller must be
            registered for this service in Restaking. Its weight is its current slashable stake.
    @param pubkey_g1 sk*G1 (not infinity; not registered before by anyone).
    @param pubkey_g2 sk*G2, EIP-197 order [x.c1, x.c0, y.c1, y.c0].
    @param pop Proof of possession: sk * hash_to_g1(pop_digest(caller, pubkey_g1)).
    """
    assert staticcall IRestaking(RESTAKING).is_registered(msg.sender, self), "ff: caller is not registered for this service in Restaking"
    assert self._meta_registered(self._meta[msg.sender]) == 0, "ff: operator already registered a key"
    assert self._is_g1(pubkey_g1), "ff: G1 key is not a point on the curve"
    assert pubkey_g1[0] != 0 or pubkey_g1[1] != 0, "ff: G1 key is the point at infinity"
    assert pubkey_g2[0] | pubkey_g2[1] | pubkey_g2[2] | pubkey_g2[3] != 0, "ff: G2 key is the point at infinity"
    key_hash: bytes32 = keccak256(abi_encode(pubkey_g1))
    assert self._key_owner[key_hash] == empty(address), "ff: key already registered"
    assert self._is_g1(pop), "ff: proof of possession is not a G1 point"
    h: uint256[2] = self._hash_to_g1(self._pop_digest(msg.sender, pubkey_g1))
    assert self._verify(pop, pubkey_g1, pubkey_g2, h), "ff: invalid proof of possession"

    stake: uint256 = self._stake_of(msg.sender)
    totals: uint256 = self._totals
    epoch: uint256 = (totals >> 192) + 1
    assert epoch <= EPOCH_MASK, "ff: epoch overflow"
    total: uint256 = (totals & STAKE_MASK) + stake
    assert total <= STAKE_MASK, "ff: total stake above 2**192"
    self._totals = (epoch << 192) | total
    self._meta[msg.sender] = self._pack_meta(stake, epoch, 0)
    self._pk_g1[msg.sender] = pubkey_g1
    self._pk_g2[msg.sender] = pubkey_g2
    pk2_hash: bytes32 = keccak256(abi_encode(pubkey_g2))
    self._pk2_hash[msg.sender] = pk2_hash
    self._record[msg.sender] = keccak256(abi_encode(pk2_hash, stake))
    self._key_owner[key_hash] = msg.sender
    count: uint256 = self._operator_count
    self._operators[count] = msg.sender
    self._operator_count = count + 1
    self._apk = self._ec_add(self._apk, pubkey_g1)
    self._set_apk_g2(self._g2_add(self._apk_g2, pubkey_g2), (epoch << 192) | total)
    log IFastFinality.KeyRegistered(
        operator=msg.sender, pubkey_g1=pubkey_g1, pubkey_g2=pubkey_g2, stake=stake, epoch=epoch
    )


@external
@nonreentrant
def deregister_key():
    """
    @notice Removes the caller's key and stake from the aggregate from the next epoch on. The
            operator stays slashable (through Restaking's delays) for what it signed before. A
            deregistered address cannot register again.
    """
    meta: uint256 = self._meta[msg.sender]
    assert self._meta_registered(meta) != 0 and self._meta_deregistered(meta) == 0, "ff: caller has no active BLS key"
    totals: uint256 = self._totals
    epoch: uint256 = (totals >> 192) + 1
    assert epoch <= EPOCH_MASK, "ff: epoch overflow"
    totals = (epoch << 192) | ((totals & STAKE_MASK) - self._meta_stake(meta))
    self._totals = totals
    self._meta[msg.sender] = self._pack_meta(0, self._meta_registered(meta), epoch)
    self._record[msg.sender] = empty(bytes32)
    self._apk = self._ec_add(self._apk, self._neg(self._pk_g1[msg.sender]))
    self._set_apk_g2(self._g2_add(self._apk_g2, self._g2_neg(self._pk_g2[msg.sender])), totals)
    log IFastFinality.KeyDeregistered(operator=msg.sender, epoch=epoch)


@external
@nonreentrant
def update_stake(operator: address) -> uint256:
    """
    @notice Anyone: refreshes `operator`'s stake snapshot to Restaking.slashable_stake(operator,
            this service) now, and the total by the difference.
    @param operator An operator with an active key.
    @return The new snapshot.
    """
    meta: uint256 = self._meta[operator]
    assert self._meta_registered(meta) != 0 and self._meta_deregistered(meta) == 0, "ff: operator has no active BLS key"
    stake: uint256 = self._stake_of(operator)
    self._set_stake(operator, meta, stake)
    return stake


# ---------------------------------------------------------------- certificates


@external
@nonreentrant
def certify(
    header: IFastFinality.Header,
    non_signers: DynArray[address, MAX_NON_SIGNERS],
    non_signer_keys: DynArray[uint256[4], MAX_NON_SIGNERS],
    non_signer_stakes: DynArray[uint256, MAX_NON_SIGNERS],
    apk_g2: uint256[4],
    sigma: uint256[2],
    slopes: DynArray[uint256[2], MAX_NON_SIGNERS],
    operator_set: IFastFinality.OperatorSet,
    hash_hint: DynArray[uint256, MAX_HASH_HINT],
) -> bytes32:
    """
    @notice Records a certificate for `header`: every active operator except `non_signers`
            signed it, and they hold at least the threshold fraction of the total stake.
    @param header The batch header (rollup non-empty, state_root non-zero).
    @param non_signers Active operators that did not sign, strictly ascending by address.
    @param non_signer_keys Their registered G2 keys (EIP-197 order), one per non-signer.
    @param non_signer_stakes Their current stake snapshots, one per non-signer (keys and stakes
           are checked against one stored word per operator, `operator_record`).
    @param apk_g2 The signers' aggregate G2 key, EIP-197 order (checked on chain to equal
           `operator_set.apk_g2` minus the non-signers' keys).
    @param sigma The aggregate signature on hash_to_g1(header_hash(header)).
    @param slopes For each non-signer, the slope (Fp2, [c1, c0]) of the chord adding its key to
           apk_g2 + the keys of the non-signers before it (`bls.g2_chord_slopes`).
    @param operator_set The current aggregate G2 key of every active operator, total stake and
           epoch, as `operator_set()` returns (checked against one stored hash).
    @param hash_hint Square roots that let the contract check hash_to_g1(header hash) without
           modexp (`hash_to_g1_hint`); empty computes it instead (same point either way).
    @return The header hash (the certificate's key).
    """
    assert header.rollup != empty(address), "ff: header rollup is empty"
    assert header.state_root != 0, "ff: header state root is zero"
    hh: bytes32 = keccak256(abi_encode(HEADER_TAG, chain.id, self, header))
    assert self._certificates[hh] == empty(bytes32), "ff: header already certified"
    total: uint256 = operator_set.total_stake
    epoch: uint256 = operator_set.epoch
    assert keccak256(abi_encode(keccak256(abi_encode(operator_set.apk_g2)), total, epoch)) == self._set_hash, "ff: operator set differs from the registered one"

    assert apk_g2[0] | apk_g2[1] | apk_g2[2] | apk_g2[3] != 0, "ff: apk_g2 is the point at infinity"
    # apk_g2 + the non-signers' keys must be operator_set.apk_g2. Affine additions checked, not
    # computed: the caller gives each chord's slope l, the contract checks
    # l * (qx - px) == qy - py with qx != px (so l is the slope and the sum exact) and derives
    # x = l^2 - px - qx, y = l (px - x) - py with a few multiplications and no inversion.
    count: uint256 = len(non_signers)
    assert len(non_signer_keys) == count and len(non_signer_stakes) == count and len(slopes) == count, "ff: non-signer keys, stakes or slopes not one per non-signer"
    px0: uint256 = apk_g2[1]
    px1: uint256 = apk_g2[0]
    py0: uint256 = apk_g2[3]
    py1: uint256 = apk_g2[2]
    missing_stake: uint256 = 0
    previous: uint256 = 0
    for i: uint256 in range(count, bound=MAX_NON_SIGNERS):
        operator: address = non_signers[i]
        current: uint256 = convert(operator, uint256)
        assert current > previous, "ff: non-signers not strictly ascending"
        previous = current
        record: bytes32 = self._record[operator]
        assert record != empty(bytes32), "ff: non-signer has no active BLS key"
        stake: uint256 = non_signer_stakes[i]
        key: uint256[4] = non_signer_keys[i]
        assert record == keccak256(abi_encode(keccak256(abi_encode(key)), stake)), "ff: non-signer key or stake differs from its registration"
        missing_stake = unsafe_add(missing_stake, stake)
        slope: uint256[2] = slopes[i]
        l0: uint256 = slope[1]
        l1: uint256 = slope[0]
        # d = qx - px != 0, e = qy - py; check l * d == e
        d0: uint256 = uint256_addmod(key[1], unsafe_sub(FQ, px0), FQ)
        d1: uint256 = uint256_addmod(key[0], unsafe_sub(FQ, px1), FQ)
        assert d0 | d1 != 0, "ff: non-signer keys sum to a degenerate point"
        assert (
            l0 < FQ
            and l1 < FQ
            and uint256_addmod(uint256_mulmod(l0, d0, FQ), unsafe_sub(FQ, uint256_mulmod(l1, d1, FQ)), FQ)
            == uint256_addmod(key[3], unsafe_sub(FQ, py0), FQ)
            and uint256_addmod(uint256_mulmod(l0, d1, FQ), uint256_mulmod(l1, d0, FQ), FQ)
            == uint256_addmod(key[2], unsafe_sub(FQ, py1), FQ)
        ), "ff: wrong slope for a non-signer"
        # x = l^2 - px - qx  (px + qx < 2q)
        x0: uint256 = uint256_addmod(
            uint256_mulmod(unsafe_add(l0, l1), unsafe_sub(unsafe_add(l0, FQ), l1), FQ),
            unsafe_sub(unsafe_add(FQ, FQ), unsafe_add(px0, key[1])),
            FQ,
        )
        x1: uint256 = uint256_addmod(
            uint256_mulmod(unsafe_add(l0, l0), l1, FQ),
            unsafe_sub(unsafe_add(FQ, FQ), unsafe_add(px1, key[0])),
            FQ,
        )
        # y = l (px - x) - py
        d0 = unsafe_sub(unsafe_add(px0, FQ), x0)
        d1 = unsafe_sub(unsafe_add(px1, FQ), x1)
        py0 = uint256_addmod(
            uint256_mulmod(l0, d0, FQ),
            unsafe_sub(unsafe_add(FQ, FQ), unsafe_add(uint256_mulmod(l1, d1, FQ), py0)),
            FQ,
        )
        py1 = uint256_addmod(
            uint256_addmod(uint256_mulmod(l0, d1, FQ), uint256_mulmod(l1, d0, FQ), FQ),
            unsafe_sub(FQ, py1),
            FQ,
        )
        px0 = x0
        px1 = x1
    assert px0 == operator_set.apk_g2[1] and px1 == operator_set.apk_g2[0] and py0 == operator_set.apk_g2[3] and py1 == operator_set.apk_g2[2], "ff: apk_g2 is not the aggregate key of the signers"

    signed: uint256 = total - missing_stake
    assert signed != 0 and signed * THRESHOLD_DENOMINATOR >= total * THRESHOLD_NUMERATOR, "ff: signed stake below threshold"
    assert self._is_g1(sigma), "ff: sigma is not a G1 point"

    # h = hash_to_g1(hh), checked from the hint (see `_hash_to_g1_hinted`)
    h: uint256[2] = [0, 0]
    n: uint256 = len(hash_hint)
    if n == 0:
        h = self._hash_to_g1(hh)
    else:
        assert n >= 2, "ff: bad hash_to_g1 hint"
        k: uint256 = unsafe_sub(n, 2)
        for j: uint256 in range(k + 1, bound=MAX_HASH_HINT):
            x: uint256 = convert(keccak256(abi_encode(HASH_TO_G1_TAG, hh, j)), uint256) % FQ
            rhs: uint256 = uint256_addmod(uint256_mulmod(uint256_mulmod(x, x, FQ), x, FQ), 3, FQ)
            z: uint256 = hash_hint[j]
            if j < k:
                assert rhs != 0 and uint256_mulmod(z, z, FQ) == unsafe_sub(FQ, rhs), "ff: bad hash_to_g1 hint"
            else:
                w: uint256 = hash_hint[n - 1]
                assert z < FQ and uint256_mulmod(z, z, FQ) == rhs and uint256_mulmod(w, w, FQ) == z, "ff: bad hash_to_g1 hint"
                h = [x, z]

    neg_g2: uint256[4] = [NEG_G2_X1, NEG_G2_X0, NEG_G2_Y1, NEG_G2_Y0]
    ok: bool = False
    out: Bytes[32] = b""
    ok, out = raw_call(
        PAIRING,
        abi_encode(sigma, neg_g2, h, apk_g2),
        max_outsize=32,
        is_static_call=True,
        revert_on_failure=False,
    )
    assert ok and len(out) == 32, "ff: G2 point not on the twist or not in G2"
    assert convert(out, uint256) == 1, "ff: invalid aggregate signature"

    self._certificates[hh] = keccak256(abi_encode(epoch, non_signers))
    log IFastFinality.HeaderCertified(
        header_hash=hh,
        rollup=header.rollup,
        batch_number=header.batch_number,
        state_root=header.state_root,
        epoch=epoch,
        signed_stake=signed,
        total_stake=total,
        non_signers=non_signers,
    )
    return hh


# ---------------------------------------------------------------- slashing


@internal
def _slash(operator: address, rollup: address, batch_number: uint256, fault: uint256) -> uint256:
    self._slashed[operator][self._batch_key(rollup, batch_number)] = True
    amount: uint256 = extcall IRestaking(RESTAKING).slash(operator, SLASH_WAD)
    meta: uint256 = self._meta[operator]
    if self._meta_deregistered(meta) == 0:
        # the snapshot must not keep counting stake that was just slashed away
        self._set_stake(operator, meta, self._stake_of(operator))
    log IFastFinality.FaultSlashed(
        operator=operator, rollup=rollup, batch_number=batch_number, fault=fault, amount=amount
    )
    return amount


@external
@nonreentrant
def slash_contradicted(
    header: IFastFinality.Header,
    epoch: uint256,
    non_signers: DynArray[address, MAX_NON_SIGNERS],
    operators: DynArray[address, MAX_NON_SIGNERS],
) -> uint256:
    """
    @notice Anyone: slashes signers of a certificate whose state root differs from the root the
            rollup proved for that batch. Call as often as needed to cover every signer (the
            signers are the operators active at `epoch` minus `non_signers`).
    @param header The certified header.
    @param epoch As in the HeaderCertified event of the certificate.
    @param non_signers As in the HeaderCertified event of the certificate.
    @param operators Signers to slash, strictly ascending; those already slashed for this batch
           are skipped.
    @return The stake slashed in total.
    """
    hh: bytes32 = self._header_hash(header)
    stored: bytes32 = self._certificates[hh]
    assert stored != empty(bytes32), "ff: header is not certified"
    assert stored == self._commitment(epoch, non_signers), "ff: epoch or non-signers do not match the certificate"
    proven: uint256 = staticcall IProvenRoots(header.rollup).proven_root(header.batch_number)
    assert proven != 0, "ff: batch not proven yet"
    assert proven != header.state_root, "ff: certificate agrees with the proven root"
    assert len(operators) != 0, "ff: no operators to slash"

    batch_key: bytes32 = self._batch_key(header.rollup, header.batch_number)
    total: uint256 = 0
    slashed_any: bool = False
    previous: uint256 = 0
    j: uint256 = 0
    for operator: address in operators:
        current: uint256 = convert(operator, uint256)
        assert current > previous, "ff: operators not strictly ascending"
        previous = current
        meta: uint256 = self._meta[operator]
        registered: uint256 = self._meta_registered(meta)
        deregistered: uint256 = self._meta_deregistered(meta)
        assert registered != 0 and registered <= epoch and (deregistered == 0 or deregistered > epoch), "ff: operator was not active at the certificate's epoch"
        # both lists ascend: advance through non_signers to the first entry >= operator
        for _: uint256 in range(MAX_NON_SIGNERS):
            if j >= len(non_signers) or convert(non_signers[j], uint256) >= current:
                break
            j += 1
        assert j >= len(non_signers) or non_signers[j] != operator, "ff: operator did not sign the certificate"
        if self._slashed[operator][batch_key]:
            continue
        slashed_any = True
        total += self._slash(operator, header.rollup, header.batch_number, FAULT_CONTRADICTED)
    assert slashed_any, "ff: every listed operator is already slashed for this batch"
    return total


@external
@nonreentrant
def slash_double_sign(
    operator: address,
    header1: IFastFinality.Header,
    sigma1: uint256[2],
    header2: IFastFinality.Header,
    sigma2: uint256[2],
) -> uint256:
    """
    @notice Anyone: slashes `operator` for signing two different state roots for one batch.
    @param operator An operator that registered a key (active or not).
    @param header1 One header.
    @param sigma1 The operator's own signature on header1.
    @param header2 A header for the same rollup and batch with another state root.
    @param sigma2 The operator's own signature on header2.
    @return The stake slashed.
    """
    assert header1.rollup == header2.rollup and header1.batch_number == header2.batch_number, "ff: headers are for different batches"
    assert header1.state_root != header2.state_root, "ff: headers agree"
    assert self._meta_registered(self._meta[operator]) != 0, "ff: operator has no BLS key"
    assert not self._slashed[operator][self._batch_key(header1.rollup, header1.batch_number)], "ff: operator already slashed for this batch"
    assert self._is_g1(sigma1) and self._is_g1(sigma2), "ff: signature is not a G1 point"
    pk2: uint256[4] = self._pk_g2[operator]
    assert self._pairing_check(sigma1, self._hash_to_g1(self._header_hash(header1)), pk2), "ff: first signature invalid"
    assert self._pairing_check(sigma2, self._hash_to_g1(self._header_hash(header2)), pk2), "ff: second signature invalid"
    return self._slash(operator, header1.rollup, header1.batch_number, FAULT_DOUBLE_SIGN)


# ---------------------------------------------------------------- views


@pure
@internal
def _commitment(epoch: uint256, non_signers: DynArray[address, MAX_NON_SIGNERS]) -> bytes32:
    return keccak256(abi_encode(epoch, non_signers))


@view
@internal
def _pop_digest(operator: address, pubkey_g1: uint256[2]) -> bytes32:
    return keccak256(abi_encode(POP_TAG, chain.id, self, operator, pubkey_g1))


@view
@external
def header_hash(header: IFastFinality.Header) -> bytes32:
    """
    @notice The digest operators sign (through hash_to_g1) and the certificate's key:
            keccak256(abi_encode(HEADER_TAG, chain.id, this contract, rollup, batch, root)).
    """
    return self._header_hash(header)


@view
@external
def pop_digest(operator: address, pubkey_g1: uint256[2]) -> bytes32:
    """
    @notice What a proof of possession signs: keccak256(abi_encode(POP_TAG, chain.id, this
            contract, operator, pubkey_g1)).
    """
    return self._pop_digest(operator, pubkey_g1)


@view
@external
def hash_to_g1(digest: bytes32) -> uint256[2]:
    """
    @notice The G1 point a digest is signed as (try-and-increment, see docs/fastfinality.md).
    """
    return self._hash_to_g1(digest)


@pure
@external
def certificate_commitment(epoch: uint256, non_signers: DynArray[address, MAX_NON_SIGNERS]) -> bytes32:
    """
    @notice What a certificate stores: keccak256(abi_encode(epoch, non_signers)).
    """
    return self._commitment(epoch, non_signers)


@view
@external
def certificate(header_hash: bytes32) -> bytes32:
    """
    @notice The stored commitment of the certificate of `header_hash` (empty if none).
    """
    return self._certificates[header_hash]


@view
@external
def is_certified(header: IFastFinality.Header) -> bool:
    return self._certificates[self._header_hash(header)] != empty(bytes32)


@view
@external
def apk_g1() -> uint256[2]:
    """
    @notice The sum of every active operator's G1 key ((0, 0) when none).
    """
    return self._apk


@view
@external
def apk_g2() -> uint256[4]:
    """
    @notice The sum of every active operator's G2 key (zeros when none).
    """
    return self._apk_g2


@view
@external
def operator_set() -> IFastFinality.OperatorSet:
    """
    @notice `certify`'s `operator_set`: the aggregate G2 key of the active operators, their total
            stake and the epoch. Any key registration or deregistration, stake refresh or slash
            changes it.
    """
    totals: uint256 = self._totals
    return IFastFinality.OperatorSet(
        apk_g2=self._apk_g2, total_stake=totals & STAKE_MASK, epoch=totals >> 192
    )


@view
@external
def operator_record(operator: address) -> bytes32:
    """
    @notice What `certify` checks a non-signer against: keccak256(abi_encode(keccak256(
            abi_encode(pubkey_g2)), stake snapshot)) while the operator's key is active, else empty.
    """
    return self._record[operator]


@view
@external
def total_stake() -> uint256:
    """
    @notice The sum of the active operators' stake snapshots.
    """
    return self._totals & STAKE_MASK


@view
@external
def epoch() -> uint256:
    """
    @notice Increments at every key registration and deregistration.
    """
    return self._totals >> 192


@view
@external
def operator_stake(operator: address) -> uint256:
    return self._meta[operator] & STAKE_MASK


@view
@external
def pubkey_g1(operator: address) -> uint256[2]:
    return self._pk_g1[operator]


@view
@external
def pubkey_g2(operator: address) -> uint256[4]:
    return self._pk_g2[operator]


@view
@external
def key_owner(pubkey_g1: uint256[2]) -> address:
    return self._key_owner[keccak256(abi_encode(pubkey_g1))]


@view
@external
def registration(operator: address) -> (uint256, uint256):
    """
    @notice (epoch the key was registered at, epoch it was deregistered at); 0 = never.
    """
    meta: uint256 = self._meta[operator]
    return self._meta_registered(meta), self._meta_deregistered(meta)


@view
@external
def is_active(operator: address) -> bool:
    meta: uint256 = self._meta[operator]
    return self._meta_registered(meta) != 0 and self._meta_deregistered(meta) == 0


@view
@external
def operator_count() -> uint256:
    return self._operator_count


@view
@external
def operator_at(index: uint256) -> address:
    assert index < self._operator_count, "ff: index out of range"
    return self._operators[index]


@view
@external
def is_slashed(operator: address, rollup: address, batch_number: uint256) -> bool:
    return self._slashed[operator][self._batch_key(rollup, batch_number)]
