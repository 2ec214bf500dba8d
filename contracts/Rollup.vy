# pragma version ~=0.4.3
"""
@title Rollup
@notice L1 contract of the Hatchway ZK-rollup (docs/protocol.md, version 1): escrows ETH and
        registered ERC-20s, keeps the priority queue of L1 requests (OPEN, DEPOSIT, FORCED_EXIT)
        as a sha256 hash chain with a deadline per request, and runs the batch lifecycle
        commit -> prove (Groth16, one public input: the batch commitment) -> execute, crediting
        each executed batch's withdrawals to pull-payment balances (`claim`). If the oldest
        unserved request passes its deadline anyone can switch on escape mode, permanently: no
        more batches; every account owner can then `exit` its balances from the last executed
        root with an exit proof, and unserved deposits are refunded in queue order.
@dev One batch per call (`commit_batch`, `execute_batch`, singular on purpose): Vyper allocates
     memory statically for the maximum size of every Bytes and DynArray, so a "many batches"
     entry point taking DynArray[Bytes[58368], K] would pay memory expansion for K full batches
     on every call.
@custom:security Trust assumptions:
                 - The two verifiers (fixed at deployment) are sound: whoever holds the toxic
                   waste of their trusted setups can forge batches and exits.
                 - The sequencer is trusted for liveness only: it cannot move funds except as
                   proven batches allow; if it stops, escape mode becomes available at the
                   deadline of the oldest unserved request.
                 - The owner may only register tokens and set the sequencer (two-step ownership).
                   It cannot pause, upgrade, change verifiers, parameters, deadlines, balances or
                   escape mode. Nothing can block `exit`, `refund_deposit` or `claim`.
                 - Registered ERC-20s must be plain: deposits check the balance received and
                   reject any mismatch (fee on transfer); rebasing tokens are not supported.
                 - A payment that fails in `exit` or `refund_deposit` is credited to the
                   recipient's `claimable` balance instead, so no receiver can block a refund
                   queue or an exit; `claim` reverts on failure and keeps the balance.
"""


from ethereum.ercs import IERC20
# @dev Registered tokens.

from interfaces import IRollup
implements: IRollup
# @dev The published interface (interfaces/IRollup.json is its ABI); it declares the structs and events.


interface IVerifier:
    def verifyProof(
        pA: uint256[2], pB: uint256[2][2], pC: uint256[2], pubSignals: uint256[1]
    ) -> bool: view


# BN254 scalar field order r.
R: constant(uint256) = 21888242871839275222246405745257275088548364400416034343698204186575808495617
# fr(d) = uint256(d) & FR_MASK: a sha256 digest reduced into Fr by clearing its top three bits.
FR_MASK: constant(uint256) = 2**253 - 1
# Every amount, balance and escrow stays below this.
AMOUNT_LIMIT: constant(uint256) = 2**128

SLOT_SIZE: constant(uint256) = 57
# 2,048 slots (117 KB of pubdata, under the 128 KB transaction size nodes relay) is the size
# at which a transfer's amortised L1 cost falls under 1,000 gas (docs/benchmarks.md); the price is
# the static memory of the pubdata buffer, paid by every commit (~37k gas).
MAX_SLOTS: constant(uint256) = 2048
MAX_PUBDATA: constant(uint256) = 116736  # MAX_SLOTS * SLOT_SIZE
# Withdrawals (WITHDRAW and FORCED_EXIT slots) per batch: commit refuses more, so execute_batch's
# list always fits (and its memory stays half the size of a 2,048-entry list).
MAX_WITHDRAWALS: constant(uint256) = 1024

OP_NOOP: constant(uint256) = 0
OP_OPEN: constant(uint256) = 1
OP_DEPOSIT: constant(uint256) = 2
OP_TRANSFER: constant(uint256) = 3
OP_WITHDRAW: constant(uint256) = 4
OP_FORCED_EXIT: constant(uint256) = 5

# Priority request lengths L(type) (docs/protocol.md §4).
OPEN_LEN: constant(uint256) = 57
DEPOSIT_LEN: constant(uint256) = 27
FORCED_EXIT_LEN: constant(uint256) = 11

MIN_PRIORITY_DEADLINE: constant(uint256) = 3600
# Upper bound (~136 years), so that every deadline fits its packed 64 bits.
MAX_PRIORITY_DEADLINE: constant(uint256) = 2**32

# Account records pack the owner (low 160 bits) with the exited flags of tokens 0 .. 95 (bit
# 160 + token): an exit then writes a slot that is already non-zero (2.9k instead of 22.1k gas).
OWNER_MASK: constant(uint256) = 2**160 - 1
PACKED_EXIT_TOKENS: constant(uint16) = 96

# Deadlines are packed four to a slot (64 bits each; timestamps stay far below 2^64).
DEADLINE_BITS: constant(uint256) = 64
DEADLINE_MASK: constant(uint256) = 2**64 - 1


# ---------------------------------------------------------------- parameters (immutable)

BATCH_VERIFIER: public(immutable(address))
EXIT_VERIFIER: public(immutable(address))
GENESIS_ROOT: public(immutable(uint256))
SLOTS: public(immutable(uint256))
ACCOUNT_DEPTH: public(immutable(uint256))
TOKEN_DEPTH: public(immutable(uint256))
PRIORITY_DEADLINE: public(immutable(uint256))
# Largest account id (2^ACCOUNT_DEPTH - 1) and token id (2^TOKEN_DEPTH - 1).
MAX_ACCOUNT: immutable(uint256)
MAX_TOKEN: immutable(uint256)


# ---------------------------------------------------------------- governance

owner: public(address)
pending_owner: public(address)
sequencer: public(address)


# ---------------------------------------------------------------- batches

# number => batch (batch 0 is the genesis: only its new_root is set)
_batches: HashMap[uint256, IRollup.Batch]
_last_committed: uint256
_last_proven: uint256
_last_executed: uint256
# = _batches[_last_executed].new_root, kept apart so an exit reads one slot
_executed_root: uint256


# ---------------------------------------------------------------- priority queue

# chain[i] (chain[0] = 0); deadline[i] of request i is bits 64 * (i % 4) of _deadlines[i // 4]
_chain: HashMap[uint256, bytes32]
_deadlines: HashMap[uint256, uint256]
_priority_count: uint256
# requests consumed by committed batches / by executed batches (served)
_priority_committed: uint256
_priority_served: uint256
# account => queue index + 1 of its latest forced exit (0: never); pending while > served
_forced_exit_slot: HashMap[uint32, uint256]


# ---------------------------------------------------------------- accounts and tokens

# account => owner | exited flags of tokens < 96 << 160 (see OWNER_MASK)
_account_record: HashMap[uint32, uint256]
_account_of: HashMap[address, uint32]
_account_count: uint256
_token_address: HashMap[uint16, address]
_token_id: HashMap[address, uint16]
# token ids in use, ETH included
_token_count: uint256
# token id => amount held for L2 (deposited, not yet credited out, refunded or exited)
_escrowed: HashMap[uint16, uint256]
# owner => token id => amount it can `claim`
_claimable: HashMap[address, HashMap[uint16, uint256]]


# ---------------------------------------------------------------- escape mode

_escape_mode: bool
# exited flags of tokens >= 96 (the rest live in _account_record)
_exited_high: HashMap[uint32, HashMap[uint16, bool]]
# next queue index `refund_deposit` processes
_refund_next: uint256


@deploy
def __init__(
    batch_verifier: address,
    exit_verifier: address,
    genesis_root: uint256,
    slots: uint256,
    account_depth: uint256,
    token_depth: uint256,
    priority_deadline: uint256,
    sequencer: address,
):
    """
    @notice Deploys a chain with fixed parameters (docs/protocol.md §1); the deployer is the owner.
    @param batch_verifier Groth16 verifier of the batch circuit (one public input).
    @param exit_verifier Groth16 verifier of the exit circuit (one public input).
    @param genesis_root Root of the empty accounts tree of depth `account_depth` (< r).
    @param slots Op slots per batch, 1 ..= 1024.
    @param account_depth Depth of the accounts tree, 1 ..= 32.
    @param token_depth Depth of each balances tree, 1 ..= 16.
    @param priority_deadline Seconds an L1 request may wait, at least one hour, at most 2^32.
    @param sequencer The address allowed to commit, prove and execute batches.
    """
    assert batch_verifier.is_contract, "Rollup: batch verifier is not a contract"
    assert exit_verifier.is_contract, "Rollup: exit verifier is not a contract"
    assert genesis_root < R, "Rollup: genesis root not in field"
    assert slots >= 1 and slots <= MAX_SLOTS, "Rollup: slots out of range"
    assert account_depth >= 1 and account_depth <= 32, "Rollup: account depth out of range"
    assert token_depth >= 1 and token_depth <= 16, "Rollup: token depth out of range"
    assert priority_deadline >= MIN_PRIORITY_DEADLINE, "Rollup: priority deadline too short"
    assert priority_deadline <= MAX_PRIORITY_DEADLINE, "Rollup: priority deadline too long"
    assert sequencer != empty(address), "Rollup: sequencer is empty"
    BATCH_VERIFIER = batch_verifier
    EXIT_VERIFIER = exit_verifier
    GENESIS_ROOT = genesis_root
    SLOTS = slots
    ACCOUNT_DEPTH = account_depth
    TOKEN_DEPTH = token_depth
    PRIORITY_DEADLINE = priority_deadline
    MAX_ACCOUNT = (1 << account_depth) - 1
    MAX_TOKEN = (1 << token_depth) - 1
    self.owner = msg.sender
    self.sequencer = sequencer
    self._batches[0].new_root = genesis_root
    self._executed_root = genesis_root
    self._token_count = 1
    log IRollup.OwnershipTransferred(previous=empty(address), owner=msg.sender)
    log IRollup.SequencerSet(previous=empty(address), sequencer=sequencer)


# ---------------------------------------------------------------- L1 requests


@external
@payable
@nonreentrant
def deposit(to: address, token: address, amount: uint256, key_hash: uint256):
    """
    @notice Deposits `amount` of `token` (empty(address): ETH, sent as msg.value) to the L2
            account of `to`. If `to` has no account yet, only `to` itself may deposit, with its
            key hash, and the account is opened (OPEN then DEPOSIT are queued); otherwise only
            the DEPOSIT is queued and `key_hash` must be 0. ERC-20s need an approval first.
    @dev The amount received is measured (balance before/after) and must equal `amount`: tokens
         that charge a fee on transfer are rejected.
    @param to Owner of the credited account (receives its withdrawals and exits).
    @param token empty(address) for ETH, else a registered ERC-20.
    @param amount Amount to deposit, non-zero; escrow of the token stays below 2^128.
    @param key_hash H(ax, ay) of the new account's EdDSA key (non-zero, < r), or 0.
    """
    assert not self._escape_mode, "Rollup: escape mode"
    assert to != empty(address), "Rollup: deposit to the empty address"
    assert amount != 0, "Rollup: zero amount"
    token_id: uint16 = 0
    if token == empty(address):
        assert msg.value == amount, "Rollup: msg.value differs from amount"
    else:
        assert msg.value == 0, "Rollup: ETH sent with an ERC-20 deposit"
        token_id = self._token_id[token]
        assert token_id != 0, "Rollup: token not registered"
    escrow: uint256 = self._escrowed[token_id] + amount
    assert escrow < AMOUNT_LIMIT, "Rollup: escrow cap reached"

    account: uint32 = self._account_of[to]
    if account == 0:
        assert msg.sender == to, "Rollup: only the owner can open its account"
        assert key_hash != 0 and key_hash < R, "Rollup: invalid key hash"
        opened: uint256 = self._account_count + 1
        assert opened <= MAX_ACCOUNT, "Rollup: account tree full"
        account = convert(opened, uint32)
        self._account_count = opened
        self._account_of[to] = account
        self._account_record[account] = convert(to, uint256)
        log IRollup.AccountOpened(account=account, owner=to, key_hash=key_hash)
        self._enqueue(
            concat(
                convert(convert(OP_OPEN, uint8), bytes1),
                convert(account, bytes4),
                convert(to, bytes20),
                convert(key_hash, bytes32),
            )
        )
    else:
        assert key_hash == 0, "Rollup: account exists, key hash must be 0"
    self._enqueue(
        concat(
            convert(convert(OP_DEPOSIT, uint8), bytes1),
            convert(account, bytes4),
            convert(convert(0, uint32), bytes4),
            convert(token_id, bytes2),
            convert(convert(amount, uint128), bytes16),
        )
    )
    self._escrowed[token_id] = escrow

    if token != empty(address):
        before: uint256 = staticcall IERC20(token).balanceOf(self)
        assert extcall IERC20(token).transferFrom(
            msg.sender, self, amount, default_return_value=True
        ), "Rollup: token transfer failed"
        received: uint256 = staticcall IERC20(token).balanceOf(self) - before
        assert received == amount, "Rollup: received amount differs"


@external
@nonreentrant
def request_forced_exit(account: uint32, token: uint16):
    """
    @notice Queues a FORCED_EXIT of the whole balance of `token` in `account`: the sequencer
            must serve it before its deadline, or escape mode becomes available. At most one
            forced exit per account may be pending (queued and not yet executed).
    @param account The caller's account.
    @param token A token id in use (0 = ETH).
    """
    assert not self._escape_mode, "Rollup: escape mode"
    assert self._owner_of(account) == msg.sender, "Rollup: not the account owner"
    assert convert(token, uint256) < self._token_count, "Rollup: unknown token"
    assert self._forced_exit_slot[account] <= self._priority_served, "Rollup: forced exit already pending"
    self._forced_exit_slot[account] = self._priority_count + 1
    self._enqueue(
        concat(
            convert(convert(OP_FORCED_EXIT, uint8), bytes1),
            convert(account, bytes4),
            convert(convert(0, uint32), bytes4),
            convert(token, bytes2),
        )
    )


@internal
def _enqueue(request: Bytes[57]):
    """
    @notice Appends `request` to the priority queue: chain[i + 1] = sha256(chain[i] ‖ request).
    @param request The first L(type) bytes of the op's slot encoding.
    """
    index: uint256 = self._priority_count
    deadline: uint256 = block.timestamp + PRIORITY_DEADLINE
    assert deadline <= DEADLINE_MASK, "Rollup: deadline overflow"
    self._chain[index + 1] = sha256(concat(self._chain[index], request))
    word: uint256 = index >> 2
    self._deadlines[word] |= deadline << (DEADLINE_BITS * (index & 3))
    self._priority_count = index + 1
    log IRollup.PriorityRequest(index=index, request=request, deadline=deadline)


# ---------------------------------------------------------------- batch lifecycle


@internal
@view
def _check_sequencer():
    """
    @notice Reverts unless the caller is the sequencer and escape mode is off.
    """
    assert msg.sender == self.sequencer, "Rollup: not the sequencer"
    assert not self._escape_mode, "Rollup: escape mode"


@external
def commit_batch(header: IRollup.BatchHeader, pubdata: Bytes[MAX_PUBDATA]):
    """
    @notice Commits the next batch: checks its number, previous root, pubdata length and that
            its priority slots are the next requests of the queue in order, then stores its new
            root, commitment, queue position and withdrawals hash (docs/protocol.md §5).
    @dev One batch per call: Vyper allocates memory statically for every Bytes/DynArray at its
         maximum size, so a batched entry point would pay for K full batches on every call.
    @param header (number, prev_root, new_root, priority_hash, message_root); message_root must
           be zero in version 1.
    @param pubdata SLOTS × 57 bytes, one op per slot (unused slots all zero).
    """
    self._check_sequencer()
    number: uint256 = self._last_committed + 1
    assert header.number == number, "Rollup: wrong batch number"
    assert header.prev_root == self._batches[number - 1].new_root, "Rollup: wrong prev root"
    assert header.message_root == empty(bytes32), "Rollup: message root must be zero"
    assert len(pubdata) == SLOTS * SLOT_SIZE, "Rollup: wrong pubdata length"

    consumed: uint256 = self._priority_committed
    h: bytes32 = self._chain[consumed]
    w: bytes32 = empty(bytes32)
    n_withdrawals: uint256 = 0
    for i: uint256 in range(SLOTS, bound=MAX_SLOTS):
        offset: uint256 = unsafe_mul(i, SLOT_SIZE)  # i < MAX_SLOTS: cannot overflow
        op: uint256 = extract32(pubdata, offset, output_type=uint256) >> 248
        if op == OP_NOOP or op == OP_TRANSFER:
            continue
        assert op <= OP_FORCED_EXIT, "Rollup: unknown op type"
        if op == OP_OPEN:
            h = sha256(concat(h, slice(pubdata, offset, OPEN_LEN)))
            consumed += 1
        elif op == OP_DEPOSIT:
            h = sha256(concat(h, slice(pubdata, offset, DEPOSIT_LEN)))
            consumed += 1
        else:
            if op == OP_FORCED_EXIT:
                h = sha256(concat(h, slice(pubdata, offset, FORCED_EXIT_LEN)))
                consumed += 1
            # u32 account ‖ u16 token ‖ u128 amount
            w = sha256(concat(w, slice(pubdata, offset + 1, 4), slice(pubdata, offset + 9, 18)))
            n_withdrawals += 1
    assert n_withdrawals <= MAX_WITHDRAWALS, "Rollup: too many withdrawals in one batch"
    assert consumed <= self._priority_count, "Rollup: batch consumes unqueued requests"
    assert h == self._chain[consumed], "Rollup: priority requests mismatch"
    assert header.priority_hash == h, "Rollup: wrong priority hash"

    commitment: uint256 = convert(
        sha256(
            concat(
                convert(header.prev_root, bytes32),
                convert(header.new_root, bytes32),
                h,
                header.message_root,
                pubdata,
            )
        ),
        uint256,
    ) & FR_MASK
    self._batches[number] = IRollup.Batch(
        new_root=header.new_root,
        commitment=commitment,
        priority_end=consumed,
        withdrawals_hash=w,
    )
    self._last_committed = number
    self._priority_committed = consumed
    log IRollup.BatchCommitted(number=number, new_root=header.new_root, commitment=commitment)


@external
def prove_batch(number: uint256, proof: IRollup.Proof):
    """
    @notice Proves the next committed batch: the Groth16 proof must verify with the batch's
            commitment as its one public input.
    @param number last_proven + 1, at most last_committed.
    @param proof The batch proof (a, b, c in the generated verifier's calldata order).
    """
    self._check_sequencer()
    assert number == self._last_proven + 1, "Rollup: wrong batch number"
    assert number <= self._last_committed, "Rollup: batch not committed"
    assert staticcall IVerifier(BATCH_VERIFIER).verifyProof(
        proof.a, proof.b, proof.c, [self._batches[number].commitment]
    ), "Rollup: invalid proof"
    self._last_proven = number
    log IRollup.BatchProven(number=number)


@external
@nonreentrant
def execute_batch(number: uint256, withdrawals: DynArray[IRollup.Withdrawal, MAX_WITHDRAWALS]):
    """
    @notice Executes the next proven batch: credits each withdrawal to its account owner's
            claimable balance, makes the batch's root the executed root and marks its priority
            requests served.
    @dev One batch per call (see `commit_batch`). Pull payments: no receiver can block a batch.
    @param number last_executed + 1, at most last_proven.
    @param withdrawals The batch's WITHDRAW and FORCED_EXIT slots in order; they must fold to
           the stored withdrawals hash.
    """
    self._check_sequencer()
    assert number == self._last_executed + 1, "Rollup: wrong batch number"
    assert number <= self._last_proven, "Rollup: batch not proven"
    stored: IRollup.Batch = self._batches[number]
    w: bytes32 = empty(bytes32)
    for item: IRollup.Withdrawal in withdrawals:
        w = sha256(
            concat(
                w,
                convert(item.account, bytes4),
                convert(item.token, bytes2),
                convert(item.amount, bytes16),
            )
        )
    assert w == stored.withdrawals_hash, "Rollup: withdrawals mismatch"
    for item: IRollup.Withdrawal in withdrawals:
        if item.amount == 0:
            continue
        amount: uint256 = convert(item.amount, uint256)
        receiver: address = self._owner_of(item.account)
        self._claimable[receiver][item.token] += amount
        self._escrowed[item.token] -= amount
        log IRollup.WithdrawalCredited(owner=receiver, token=item.token, amount=amount)
    self._last_executed = number
    self._executed_root = stored.new_root
    self._priority_served = stored.priority_end
    log IRollup.BatchExecuted(
        number=number, new_root=stored.new_root, priority_served=stored.priority_end
    )


@external
@nonreentrant
def claim(owner: address, token: uint16):
    """
    @notice Pays `owner`'s whole claimable balance of `token` to `owner`. Anyone may call it.
            Reverts (and keeps the balance) if the transfer fails.
    @param owner The receiver of the balance.
    @param token The token id.
    """
    amount: uint256 = self._claimable[owner][token]
    assert amount != 0, "Rollup: nothing to claim"
    self._claimable[owner][token] = 0
    assert self._pay(owner, token, amount), "Rollup: transfer failed"
    log IRollup.Claimed(owner=owner, token=token, amount=amount)


# ---------------------------------------------------------------- escape mode


@external
def activate_escape_mode():
    """
    @notice Switches escape mode on, permanently, once the oldest unserved priority request is
            past its deadline (block.timestamp > deadline: at the deadline itself the sequencer
            is still on time). Anyone may call it. Deadlines never decrease along the queue, so
            the oldest unserved request is the first to expire.
    """
    assert not self._escape_mode, "Rollup: escape mode already active"
    served: uint256 = self._priority_served
    assert served < self._priority_count, "Rollup: no unserved request"
    assert block.timestamp > self._deadline_of(served), "Rollup: deadline not passed"
    self._escape_mode = True
    self._refund_next = served
    log IRollup.EscapeModeActivated(request_index=served)


@external
@nonreentrant
def exit(account: uint32, owner: address, token: uint16, amount: uint256, proof: IRollup.Proof):
    """
    @notice In escape mode, pays `amount` of `token` to `owner`, the owner of `account`, once:
            the exit proof must verify for
            fr(sha256(u256(executed_root) ‖ u32 account ‖ owner ‖ u16 token ‖ u128 amount)).
            If the transfer fails the amount is credited to `owner`'s claimable balance. Anyone
            may call it (the proof binds the receiver).
    @param account The account id.
    @param owner The account's owner.
    @param token The token id.
    @param amount The account's balance of `token` under the executed root (non-zero).
    @param proof The exit proof.
    """
    assert self._escape_mode, "Rollup: escape mode not active"
    assert amount != 0, "Rollup: zero amount"
    assert amount < AMOUNT_LIMIT, "Rollup: amount too large"
    record: uint256 = self._account_record[account]
    assert owner == convert(record & OWNER_MASK, address) and owner != empty(address), "Rollup: not the account owner"
    exit_bit: uint256 = 0
    if token < PACKED_EXIT_TOKENS:
        exit_bit = 1 << (160 + convert(token, uint256))
        assert record & exit_bit == 0, "Rollup: already exited"
    else:
        assert not self._exited_high[account][token], "Rollup: already exited"
    if token != 0:
        assert self._token_address[token] != empty(address), "Rollup: unknown token"
    commitment: uint256 = convert(
        sha256(
            concat(
                convert(self._executed_root, bytes32),
                convert(account, bytes4),
                convert(owner, bytes20),
                convert(token, bytes2),
                convert(convert(amount, uint128), bytes16),
            )
        ),
        uint256,
    ) & FR_MASK
    assert staticcall IVerifier(EXIT_VERIFIER).verifyProof(
        proof.a, proof.b, proof.c, [commitment]
    ), "Rollup: invalid proof"
    if exit_bit != 0:
        self._account_record[account] = record | exit_bit
    else:
        self._exited_high[account][token] = True
    self._escrowed[token] -= amount
    paid: bool = self._pay_or_credit(owner, token, amount)
    log IRollup.Exited(account=account, owner=owner, token=token, amount=amount, paid=paid)


@external
@nonreentrant
def refund_deposit(request: Bytes[57]):
    """
    @notice In escape mode, processes the oldest unprocessed unserved priority request: the
            caller supplies its bytes (from the `PriorityRequest` event), checked against the
            hash chain. A DEPOSIT is paid back to the account's owner (credited to its
            claimable balance if the transfer fails); OPEN and FORCED_EXIT are skipped.
    @param request The request's bytes, exactly as queued.
    """
    assert self._escape_mode, "Rollup: escape mode not active"
    index: uint256 = self._refund_next
    assert index < self._priority_count, "Rollup: no request left to refund"
    assert sha256(concat(self._chain[index], request)) == self._chain[index + 1], "Rollup: request does not match the queue"
    self._refund_next = index + 1
    if convert(slice(request, 0, 1), uint256) != OP_DEPOSIT:
        log IRollup.RequestRefunded(index=index, owner=empty(address), token=0, amount=0, paid=False)
        return
    account: uint32 = convert(slice(request, 1, 4), uint32)
    token: uint16 = convert(slice(request, 9, 2), uint16)
    amount: uint256 = convert(slice(request, 11, 16), uint256)
    receiver: address = self._owner_of(account)
    self._escrowed[token] -= amount
    paid: bool = self._pay_or_credit(receiver, token, amount)
    log IRollup.RequestRefunded(index=index, owner=receiver, token=token, amount=amount, paid=paid)


@internal
@view
def _owner_of(account: uint32) -> address:
    """
    @notice Owner of an account.
    @param account The account id.
    @return The owner (empty(address) if not opened).
    """
    return convert(self._account_record[account] & OWNER_MASK, address)


@internal
@view
def _deadline_of(index: uint256) -> uint256:
    """
    @notice Deadline of priority request `index` (unpacked from _deadlines).
    @param index The request index.
    @return The deadline (0 for a request not queued).
    """
    return (self._deadlines[index >> 2] >> (DEADLINE_BITS * (index & 3))) & DEADLINE_MASK


@internal
def _pay(receiver: address, token: uint16, amount: uint256) -> bool:
    """
    @notice Transfers `amount` of `token` to `receiver` without reverting.
    @param receiver The recipient.
    @param token The token id (0 = ETH).
    @param amount The amount.
    @return True if the transfer succeeded (ERC-20: call succeeded and returned nothing or true).
    """
    if token == 0:
        return raw_call(receiver, b"", value=amount, revert_on_failure=False)
    token_address: address = self._token_address[token]
    success: bool = False
    response: Bytes[32] = b""
    success, response = raw_call(
        token_address,
        abi_encode(receiver, amount, method_id=method_id("transfer(address,uint256)")),
        max_outsize=32,
        revert_on_failure=False,
    )
    if not success:
        return False
    if len(response) == 0:
        return token_address.is_contract
    return len(response) == 32 and extract32(response, 0, output_type=uint256) != 0


@internal
def _pay_or_credit(receiver: address, token: uint16, amount: uint256) -> bool:
    """
    @notice Pays `amount` of `token` to `receiver`, or credits it to `receiver`'s claimable
            balance if the transfer fails.
    @param receiver The recipient.
    @param token The token id.
    @param amount The amount.
    @return True if paid, False if credited.
    """
    if self._pay(receiver, token, amount):
        return True
    self._claimable[receiver][token] += amount
    return False


# ---------------------------------------------------------------- governance


@internal
@view
def _check_owner():
    """
    @notice Reverts unless the caller is the owner.
    """
    assert msg.sender == self.owner, "Rollup: not the owner"


@external
def transfer_ownership(new_owner: address):
    """
    @notice Starts a two-step ownership transfer; `new_owner` must call `accept_ownership`.
            empty(address) cancels a pending transfer.
    @param new_owner The proposed owner.
    """
    self._check_owner()
    self.pending_owner = new_owner
    log IRollup.OwnershipTransferStarted(owner=msg.sender, pending_owner=new_owner)


@external
def accept_ownership():
    """
    @notice Completes an ownership transfer; only the pending owner may call it.
    """
    assert msg.sender == self.pending_owner, "Rollup: not the pending owner"
    previous: address = self.owner
    self.owner = msg.sender
    self.pending_owner = empty(address)
    log IRollup.OwnershipTransferred(previous=previous, owner=msg.sender)


@external
def register_token(token: address) -> uint16:
    """
    @notice Registers an ERC-20 for deposits under the next token id.
    @param token The token contract (plain ERC-20: no fee on transfer, no rebasing).
    @return The token's id.
    """
    self._check_owner()
    assert token.is_contract, "Rollup: token is not a contract"
    assert self._token_id[token] == 0, "Rollup: token already registered"
    count: uint256 = self._token_count
    assert count <= MAX_TOKEN, "Rollup: token tree full"
    token_id: uint16 = convert(count, uint16)
    self._token_count = count + 1
    self._token_id[token] = token_id
    self._token_address[token_id] = token
    log IRollup.TokenRegistered(token=token, token_id=token_id)
    return token_id


@external
def set_sequencer(sequencer: address):
    """
    @notice Sets the address allowed to commit, prove and execute batches.
    @param sequencer The new sequencer, non-empty.
    """
    self._check_owner()
    assert sequencer != empty(address), "Rollup: sequencer is empty"
    log IRollup.SequencerSet(previous=self.sequencer, sequencer=sequencer)
    self.sequencer = sequencer


# ---------------------------------------------------------------- views


@external
@view
def last_committed() -> uint256:
    """
    @notice Number of the last committed batch (0: none).
    @return The batch number.
    """
    return self._last_committed


@external
@view
def last_proven() -> uint256:
    """
    @notice Number of the last proven batch (0: none).
    @return The batch number.
    """
    return self._last_proven


@external
@view
def last_executed() -> uint256:
    """
    @notice Number of the last executed batch (0: none).
    @return The batch number.
    """
    return self._last_executed


@external
@view
def batch(number: uint256) -> IRollup.Batch:
    """
    @notice A committed batch (batch 0: the genesis root only; uncommitted: all zero).
    @param number The batch number.
    @return new_root, commitment, priority_end, withdrawals_hash.
    """
    return self._batches[number]


@external
@view
def executed_root() -> uint256:
    """
    @notice The state root of the last executed batch (the genesis root before any); exits
            prove against it.
    @return The root.
    """
    return self._executed_root


@external
@view
def proven_root(number: uint256) -> uint256:
    """
    @notice The new root of batch `number` if it is proven, else 0. In escape mode, proven
            batches that were not executed never will be, so their roots read 0 too.
    @param number The batch number (>= 1).
    @return The root, or 0.
    """
    if number == 0 or number > self._last_proven:
        return 0
    if self._escape_mode and number > self._last_executed:
        return 0
    return self._batches[number].new_root


@external
@view
def priority_count() -> uint256:
    """
    @notice Number of priority requests ever queued.
    @return The count.
    """
    return self._priority_count


@external
@view
def priority_committed() -> uint256:
    """
    @notice Number of priority requests consumed by committed batches.
    @return The count.
    """
    return self._priority_committed


@external
@view
def priority_served() -> uint256:
    """
    @notice Number of priority requests consumed by executed batches (served).
    @return The count.
    """
    return self._priority_served


@external
@view
def priority_chain(index: uint256) -> bytes32:
    """
    @notice chain[index] of the priority hash chain (chain[0] = 0).
    @param index 0 ..= priority_count.
    @return The chain value.
    """
    return self._chain[index]


@external
@view
def priority_deadline_of(index: uint256) -> uint256:
    """
    @notice Deadline (timestamp) of priority request `index`.
    @param index The request index.
    @return The deadline (0 for a request not queued).
    """
    return self._deadline_of(index)


@external
@view
def forced_exit_pending(account: uint32) -> bool:
    """
    @notice Whether `account` has a forced exit queued and not yet served.
    @param account The account id.
    @return True if pending.
    """
    return self._forced_exit_slot[account] > self._priority_served


@external
@view
def refund_next() -> uint256:
    """
    @notice In escape mode, the queue index `refund_deposit` processes next.
    @return The index.
    """
    return self._refund_next


@external
@view
def account_owner(account: uint32) -> address:
    """
    @notice Owner of an account.
    @param account The account id.
    @return The owner (empty(address) if not opened).
    """
    return self._owner_of(account)


@external
@view
def account_of(owner: address) -> uint32:
    """
    @notice Account of an owner.
    @param owner The L1 address.
    @return The account id (0: none).
    """
    return self._account_of[owner]


@external
@view
def account_count() -> uint256:
    """
    @notice Number of accounts opened (the last id assigned).
    @return The count.
    """
    return self._account_count


@external
@view
def token_address(token_id: uint16) -> address:
    """
    @notice Address of a token id.
    @param token_id The token id.
    @return The ERC-20 (empty(address) for ETH and for ids not in use).
    """
    return self._token_address[token_id]


@external
@view
def token_id(token: address) -> uint16:
    """
    @notice Id of a token address.
    @param token The token (empty(address): ETH).
    @return The id (0 for ETH and for unregistered tokens).
    """
    return self._token_id[token]


@external
@view
def token_count() -> uint256:
    """
    @notice Number of token ids in use, ETH included.
    @return The count.
    """
    return self._token_count


@external
@view
def escrowed(token_id: uint16) -> uint256:
    """
    @notice Amount of a token held for L2 (deposited and not yet credited, refunded or exited).
    @param token_id The token id.
    @return The amount (< 2^128).
    """
    return self._escrowed[token_id]


@external
@view
def claimable(owner: address, token_id: uint16) -> uint256:
    """
    @notice Amount `owner` can `claim`.
    @param owner The receiver.
    @param token_id The token id.
    @return The amount.
    """
    return self._claimable[owner][token_id]


@external
@view
def escape_mode() -> bool:
    """
    @notice Whether escape mode is on (permanent).
    @return True if on.
    """
    return self._escape_mode


@external
@view
def exited(account: uint32, token: uint16) -> bool:
    """
    @notice Whether (account, token) has exited in escape mode.
    @param account The account id.
    @param token The token id.
    @return True if exited.
    """
    if token < PACKED_EXIT_TOKENS:
        return self._account_record[account] & (1 << (160 + convert(token, uint256))) != 0
    return self._exited_high[account][token]
