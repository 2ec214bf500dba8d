# pragma version ~=0.4.3
"""
@title Stake ledger (restaking module)
@notice Stakers' shares, their delegation to operators, and the withdrawal queue.
@dev Shares are stake normalised by the operator's max magnitude: a staker delegated to `operator`
     with `s` shares can withdraw `floor(s * max_magnitude(operator) / WAD)` of stake. A slash
     lowers the max magnitude, which scales every delegator's stake down pro rata without touching
     any per-staker storage; shares themselves never change on a slash. Undelegated shares are
     stake one for one (never slashable).
     A queued withdrawal keeps its shares slashable for WITHDRAWAL_DELAY: the operator's cumulative
     queued shares are checkpointed by timestamp, so the shares queued within the window are
     `cumulative(now) - cumulative(now - WITHDRAWAL_DELAY)`, and a completed withdrawal is paid at
     the max magnitude in force at the last second of its window.
@custom:security Holds no tokens; the parent contract moves them. Trusts `allocations` for max
                 magnitudes. See docs/restaking.md.
"""


from interfaces import IRestaking
# @dev The Withdrawal struct and the events are declared once, in the interface.

from . import restaking_math
# @dev WAD arithmetic with an explicit rounding direction and checkpoint packing (stateless).

from . import allocations
uses: allocations
# @dev Reads the operator registry and operators' current and historical max magnitudes.


# Seconds a queued withdrawal stays slashable before it can be completed.
WITHDRAWAL_DELAY: public(immutable(uint256))


# staker => operator (empty(address): undelegated)
_delegated_to: HashMap[address, address]
# staker => shares (in its operator's shares, or stake when undelegated); active, not queued
_staker_shares: HashMap[address, uint256]
# operator => sum of its delegators' active shares
_operator_shares: HashMap[address, uint256]
# operator => index => packed (timestamp, cumulative shares queued up to that timestamp)
_queue_history: HashMap[address, HashMap[uint256, uint256]]
_queue_history_length: HashMap[address, uint256]
# keccak256(abi_encode(Withdrawal)) => queued and not completed
_pending_withdrawals: HashMap[bytes32, bool]
_withdrawal_count: uint256


@deploy
def __init__(withdrawal_delay: uint256):
    """
    @notice Fixes the withdrawal delay.
    @param withdrawal_delay Seconds a queued withdrawal stays slashable; at least 1.
    """
    assert withdrawal_delay != 0, "restaking: withdrawal delay must be at least 1 second"
    assert withdrawal_delay <= restaking_math.MAX_DELAY, "restaking: withdrawal delay above 10 years"
    WITHDRAWAL_DELAY = withdrawal_delay


# ---------------------------------------------------------------- views


@view
@external
def delegated_to(staker: address) -> address:
    """
    @notice The operator `staker` delegates to.
    @param staker The staker.
    @return The operator, or empty(address) when undelegated.
    """
    return self._delegated_to[staker]


@view
@external
def staker_shares(staker: address) -> uint256:
    """
    @notice The staker's active (not queued) shares.
    @param staker The staker.
    @return Shares in its operator's units, or stake when undelegated.
    """
    return self._staker_shares[staker]


@view
@external
def withdrawable_stake(staker: address) -> uint256:
    """
    @notice The stake `staker` could queue for withdrawal now.
    @param staker The staker.
    @return floor(shares * max_magnitude / WAD), or the shares when undelegated.
    """
    return self._shares_to_stake(self._staker_shares[staker], self._delegated_to[staker])


@view
@external
def operator_shares(operator: address) -> uint256:
    """
    @notice The sum of the active shares delegated to `operator`.
    @param operator The operator.
    @return Shares (queued withdrawals excluded).
    """
    return self._operator_shares[operator]


@view
@external
def operator_stake(operator: address) -> uint256:
    """
    @notice The active stake delegated to `operator`.
    @param operator The operator.
    @return floor(operator_shares * max_magnitude / WAD).
    """
    return self._shares_to_stake(self._operator_shares[operator], operator)


@view
@external
def slashable_shares(operator: address) -> uint256:
    """
    @notice Shares a slash of `operator` applies to now: active shares plus shares queued for
            withdrawal less than WITHDRAWAL_DELAY seconds ago.
    @param operator The operator.
    @return The slashable shares; a service's slashable stake is this times its magnitude / WAD.
    """
    return self._slashable_shares(operator)


@view
@external
def withdrawal_count() -> uint256:
    """
    @notice How many withdrawals were ever queued (the last nonce used).
    @return The count.
    """
    return self._withdrawal_count


@pure
@external
def withdrawal_root(withdrawal: IRestaking.Withdrawal) -> bytes32:
    """
    @notice The key under which a queued withdrawal is stored.
    @param withdrawal The withdrawal, as returned by `queue_withdrawal` or `undelegate`.
    @return keccak256(abi_encode(withdrawal)).
    """
    return self._withdrawal_root(withdrawal)


@view
@external
def is_withdrawal_pending(withdrawal: IRestaking.Withdrawal) -> bool:
    """
    @notice Whether `withdrawal` is queued and not yet completed.
    @param withdrawal The withdrawal.
    @return True while it can still be completed.
    """
    return self._pending_withdrawals[self._withdrawal_root(withdrawal)]


@view
@external
def withdrawal_amount(withdrawal: IRestaking.Withdrawal) -> uint256:
    """
    @notice The stake `withdrawal` is worth now; final once its delay has elapsed.
    @param withdrawal The withdrawal.
    @return The amount `complete_withdrawal` would pay (after later slashes in its window, less);
            0 when it is not pending.
    """
    if not self._pending_withdrawals[self._withdrawal_root(withdrawal)]:
        return 0
    window_end: uint256 = withdrawal.start_ts + WITHDRAWAL_DELAY - 1
    return self._withdrawal_value(withdrawal, min(block.timestamp, window_end))


# ---------------------------------------------------------------- stakers


@internal
def _deposit(staker: address, amount: uint256) -> uint256:
    """
    @notice Credits `amount` of stake to `staker` (the caller moves the tokens).
    @dev Shares round DOWN: the staker is credited at most the stake it brought.
    @param staker The staker.
    @param amount Stake received, non-zero.
    @return The shares credited.
    """
    operator: address = self._delegated_to[staker]
    shares: uint256 = amount
    if operator != empty(address):
        max_magnitude: uint256 = allocations._max_magnitude(operator)
        assert max_magnitude != 0, "restaking: operator is fully slashed; undelegate before depositing"
        shares = restaking_math._mul_div_down(amount, restaking_math.WAD, max_magnitude)
        self._operator_shares[operator] += shares
    self._staker_shares[staker] += shares
    log IRestaking.Deposited(staker=staker, operator=operator, amount=amount, shares=shares)
    return shares


@internal
def _delegate(staker: address, operator: address) -> uint256:
    """
    @notice Delegates all of `staker`'s (undelegated) stake to `operator`.
    @dev Shares round DOWN: the staker's stake can only lose dust, never gain.
    @param staker The staker.
    @param operator A registered operator that is not fully slashed.
    @return The staker's shares after delegation.
    """
    assert self._delegated_to[staker] == empty(address), "restaking: already delegated; undelegate first"
    assert allocations._operators[operator], "restaking: not a registered operator"
    max_magnitude: uint256 = allocations._max_magnitude(operator)
    assert max_magnitude != 0, "restaking: operator is fully slashed"
    shares: uint256 = restaking_math._mul_div_down(
        self._staker_shares[staker], restaking_math.WAD, max_magnitude
    )
    self._staker_shares[staker] = shares
    self._operator_shares[operator] += shares
    self._delegated_to[staker] = operator
    log IRestaking.Delegated(staker=staker, operator=operator, shares=shares)
    return shares


@internal
def _undelegate(staker: address) -> IRestaking.Withdrawal:
    """
    @notice Undelegates `staker`, queueing all its active shares for withdrawal.
    @param staker The staker.
    @return The queued withdrawal (all fields empty when the staker had no shares).
    """
    operator: address = self._delegated_to[staker]
    assert operator != empty(address), "restaking: not delegated"
    withdrawal: IRestaking.Withdrawal = empty(IRestaking.Withdrawal)
    shares: uint256 = self._staker_shares[staker]
    if shares != 0:
        withdrawal = self._queue(staker, operator, shares)
    self._delegated_to[staker] = empty(address)
    log IRestaking.Undelegated(staker=staker, operator=operator)
    return withdrawal


@internal
def _queue_withdrawal(staker: address, amount: uint256) -> IRestaking.Withdrawal:
    """
    @notice Queues `amount` of `staker`'s stake for withdrawal.
    @dev Shares to queue round UP: the staker gives up at least `amount` of stake, and
         ceil(amount * WAD / m) <= shares whenever amount <= floor(shares * m / WAD).
    @param staker The staker.
    @param amount Stake to withdraw, 0 < amount <= withdrawable_stake(staker).
    @return The queued withdrawal.
    """
    assert amount != 0, "restaking: withdrawal amount is zero"
    operator: address = self._delegated_to[staker]
    shares: uint256 = self._staker_shares[staker]
    assert amount <= self._shares_to_stake(shares, operator), "restaking: amount exceeds withdrawable stake"
    if operator != empty(address):
        # amount > 0 and amount <= withdrawable imply max magnitude > 0.
        shares = restaking_math._mul_div_up(
            amount, restaking_math.WAD, allocations._max_magnitude(operator)
        )
    else:
        shares = amount
    return self._queue(staker, operator, shares)


@internal
def _complete_withdrawal(caller: address, withdrawal: IRestaking.Withdrawal) -> uint256:
    """
    @notice Marks `withdrawal` completed and returns the stake to pay (the caller pays it).
    @dev Paid at the max magnitude after every slash with timestamp <= start_ts + delay - 1, i.e.
         after exactly the slashes that counted the withdrawal as slashable.
    @param caller Must be the withdrawal's staker.
    @param withdrawal The withdrawal.
    @return The stake owed to the staker.
    """
    root: bytes32 = self._withdrawal_root(withdrawal)
    assert self._pending_withdrawals[root], "restaking: withdrawal unknown or already completed"
    assert caller == withdrawal.staker, "restaking: only the withdrawal's staker can complete it"
    assert block.timestamp >= withdrawal.start_ts + WITHDRAWAL_DELAY, "restaking: withdrawal delay has not elapsed"
    self._pending_withdrawals[root] = False
    amount: uint256 = self._withdrawal_value(
        withdrawal, withdrawal.start_ts + WITHDRAWAL_DELAY - 1
    )
    log IRestaking.WithdrawalCompleted(withdrawal_root=root, staker=withdrawal.staker, amount=amount)
    return amount


# ---------------------------------------------------------------- internal helpers


@internal
def _queue(staker: address, operator: address, shares: uint256) -> IRestaking.Withdrawal:
    """
    @notice Moves `shares` of `staker` from active to a new queued withdrawal.
    @dev Shares queued under an operator are checkpointed so they stay slashable for the delay.
    @param staker The staker.
    @param operator Its operator (empty(address) when undelegated).
    @param shares Shares to queue, at most the staker's active shares.
    @return The queued withdrawal.
    """
    self._staker_shares[staker] -= shares
    if operator != empty(address):
        self._operator_shares[operator] -= shares
        self._push_queued_shares(operator, shares)
    nonce: uint256 = self._withdrawal_count + 1
    self._withdrawal_count = nonce
    withdrawal: IRestaking.Withdrawal = IRestaking.Withdrawal(
        staker=staker, operator=operator, shares=shares, start_ts=block.timestamp, nonce=nonce
    )
    root: bytes32 = self._withdrawal_root(withdrawal)
    self._pending_withdrawals[root] = True
    log IRestaking.WithdrawalQueued(withdrawal_root=root, withdrawal=withdrawal)
    return withdrawal


@view
@internal
def _slashable_shares(operator: address) -> uint256:
    """
    @notice Active shares of `operator` plus shares queued from it within the delay window.
    @dev A withdrawal queued at `start_ts` is slashable at `t` iff t < start_ts + WITHDRAWAL_DELAY,
         i.e. iff start_ts > t - WITHDRAWAL_DELAY.
    @param operator The operator.
    @return The slashable shares.
    """
    return self._slashable_shares_at(operator, block.timestamp)


@view
@internal
def _slashable_shares_at(operator: address, timestamp: uint256) -> uint256:
    """
    @notice Shares of `operator` that stay slashable until `timestamp` (>= now) whatever its
            stakers do: today's active shares (queued from now on, they stay slashable for
            WITHDRAWAL_DELAY) plus the queued shares whose window is still open at `timestamp`.
    @dev Only meaningful for now <= timestamp < now + WITHDRAWAL_DELAY.
    @param operator The operator.
    @param timestamp The timestamp the shares must still be slashable at.
    @return The shares.
    """
    length: uint256 = self._queue_history_length[operator]
    if length == 0:
        return self._operator_shares[operator]
    queued: uint256 = restaking_math._checkpoint_value(self._queue_history[operator][length - 1])
    if timestamp >= WITHDRAWAL_DELAY:
        queued -= self._queued_shares_at(operator, timestamp - WITHDRAWAL_DELAY)
    return self._operator_shares[operator] + queued


@view
@internal
def _queued_shares_at(operator: address, timestamp: uint256) -> uint256:
    """
    @notice Cumulative shares queued from `operator` at or before `timestamp`.
    @dev Binary search for the last checkpoint with checkpoint timestamp <= `timestamp`.
    @param operator The operator.
    @param timestamp The cut-off.
    @return The cumulative queued shares then (0 before the first withdrawal).
    """
    low: uint256 = 0
    high: uint256 = self._queue_history_length[operator]  # first index after `timestamp`
    for _: uint256 in range(restaking_math.MAX_SEARCH_STEPS):
        if low >= high:
            break
        middle: uint256 = (low + high) // 2
        if restaking_math._checkpoint_timestamp(self._queue_history[operator][middle]) > timestamp:
            high = middle
        else:
            low = middle + 1
    if high == 0:
        return 0
    return restaking_math._checkpoint_value(self._queue_history[operator][high - 1])


@internal
def _push_queued_shares(operator: address, shares: uint256):
    """
    @notice Adds `shares` to the operator's cumulative queued shares at the current timestamp.
    @param operator The operator.
    @param shares Shares just queued.
    """
    length: uint256 = self._queue_history_length[operator]
    cumulative: uint256 = shares
    if length != 0:
        latest: uint256 = self._queue_history[operator][length - 1]
        cumulative += restaking_math._checkpoint_value(latest)
        if restaking_math._checkpoint_timestamp(latest) == block.timestamp:
            self._queue_history[operator][length - 1] = restaking_math._pack_checkpoint(
                block.timestamp, cumulative
            )
            return
    self._queue_history[operator][length] = restaking_math._pack_checkpoint(
        block.timestamp, cumulative
    )
    self._queue_history_length[operator] = length + 1


@view
@internal
def _withdrawal_value(withdrawal: IRestaking.Withdrawal, timestamp: uint256) -> uint256:
    """
    @notice The stake a withdrawal is worth at the operator's max magnitude at `timestamp`.
    @dev Rounds DOWN: never pays more than the shares are backed by.
    @param withdrawal The withdrawal.
    @param timestamp The timestamp whose max magnitude applies.
    @return The stake.
    """
    if withdrawal.operator == empty(address):
        return withdrawal.shares
    return restaking_math._mul_div_down(
        withdrawal.shares,
        allocations._max_magnitude_at(withdrawal.operator, timestamp),
        restaking_math.WAD,
    )


@view
@internal
def _shares_to_stake(shares: uint256, operator: address) -> uint256:
    """
    @notice Converts `operator`'s shares to stake at its current max magnitude.
    @dev Rounds DOWN: stake shown or paid is never more than the shares are backed by.
    @param shares The shares.
    @param operator The operator (empty(address): shares are stake).
    @return The stake.
    """
    if operator == empty(address):
        return shares
    return restaking_math._mul_div_down(
        shares, allocations._max_magnitude(operator), restaking_math.WAD
    )


@pure
@internal
def _withdrawal_root(withdrawal: IRestaking.Withdrawal) -> bytes32:
    """
    @notice The storage key of a withdrawal.
    @param withdrawal The withdrawal.
    @return keccak256(abi_encode(withdrawal)).
    """
    return keccak256(abi_encode(withdrawal))
