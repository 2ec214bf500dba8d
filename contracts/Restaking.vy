# pragma version ~=0.4.3
"""
@title Restaking
@notice Stakers deposit one ERC-20 stake token and delegate it to an operator; operators register
        for services and allocate a WAD fraction (magnitude) of their stake to each; a service
        slashes a fraction of an operator's allocation to it. Allocations are exclusive (their sum
        never exceeds the operator's max magnitude), so each service has attributable security:
        what it can slash is guaranteed even if every other service slashes at the same time.
        Allocation increases take effect after ALLOCATION_DELAY; decreases, deregistrations and
        withdrawals stay slashable for DEALLOCATION_DELAY / WITHDRAWAL_DELAY. Slashed stake waits
        in the service's pending balance until anyone calls `release_slashed`, which burns it or
        sends it to the recipient the service fixed at registration, so no token hook can make a
        slash revert. Spec: docs/restaking.md.
@custom:security Trust assumptions:
                 - A service is any contract that called `register_service`; operators opt in to
                   being slashed by it (`register_for_service` + `allocate`) and must audit its
                   slashing conditions: this contract enforces only how much it may slash.
                 - STAKE_TOKEN is a plain ERC-20 (no fee on transfer, no rebasing, no callbacks
                   into this contract); it is fixed at deployment, one token per deployment. A
                   token that blocks transfers to the burn address or to a recipient only blocks
                   `release_slashed`, never `slash`.
                 - A service must slash within min(DEALLOCATION_DELAY, WITHDRAWAL_DELAY) of the
                   fault it punishes; stake is only guaranteed slashable for that long.
                 - No owner, no pause, no upgrade. Rounding always favours the contract's solvency
                   (docs/restaking.md, "Rounding").
"""


from ethereum.ercs import IERC20
# @dev The stake token.

from interfaces import IRestaking
implements: IRestaking
# @dev The published interface (interfaces/IRestaking.json is its ABI); it also declares the events.

from .modules import restaking_math
# @dev WAD arithmetic with an explicit rounding direction (stateless).

from .modules import allocations
initializes: allocations
# @dev Registries, registrations, magnitudes and allocations.

from .modules import stake_ledger
initializes: stake_ledger[allocations := allocations]
# @dev Staker shares, delegations and the withdrawal queue; reads operators' max magnitudes.


exports: (
    allocations.ALLOCATION_DELAY,
    allocations.DEALLOCATION_DELAY,
    allocations.is_operator,
    allocations.is_service,
    allocations.is_registered,
    allocations.redistribution_recipient,
    allocations.max_magnitude,
    allocations.max_magnitude_at,
    allocations.encumbered_magnitude,
    allocations.allocation,
    allocations.allocated_magnitude,
    allocations.allocated_services,
    stake_ledger.WITHDRAWAL_DELAY,
    stake_ledger.delegated_to,
    stake_ledger.staker_shares,
    stake_ledger.withdrawable_stake,
    stake_ledger.operator_shares,
    stake_ledger.operator_stake,
    stake_ledger.slashable_shares,
    stake_ledger.withdrawal_count,
    stake_ledger.withdrawal_root,
    stake_ledger.is_withdrawal_pending,
    stake_ledger.withdrawal_amount,
)


# Where burned stake goes: tokens commonly refuse transfers to empty(address).
BURN_ADDRESS: constant(address) = 0x000000000000000000000000000000000000dEaD


# The one ERC-20 staked in this deployment.
STAKE_TOKEN: public(immutable(address))


# service => slashed stake not yet released to its recipient (or burned)
_pending_slashed: HashMap[address, uint256]


@deploy
def __init__(
    stake_token: address,
    allocation_delay: uint256,
    deallocation_delay: uint256,
    withdrawal_delay: uint256,
):
    """
    @notice Deploys a restaking pool for one stake token.
    @param stake_token The ERC-20 stakers deposit (plain: no fee on transfer, no rebasing).
    @param allocation_delay Seconds before an allocation increase becomes slashable (may be 0).
    @param deallocation_delay Seconds an allocation decrease or deregistration stays slashable.
    @param withdrawal_delay Seconds a queued withdrawal stays slashable.
    """
    assert stake_token.is_contract, "restaking: stake token is not a contract"
    STAKE_TOKEN = stake_token
    allocations.__init__(allocation_delay, deallocation_delay)
    stake_ledger.__init__(withdrawal_delay)


# ---------------------------------------------------------------- stakers


@external
@nonreentrant
def deposit(amount: uint256) -> uint256:
    """
    @notice Deposits `amount` of the stake token for the caller (approve this contract first).
            The stake is slashable at once if the caller delegates to an operator.
    @param amount Stake to deposit, non-zero.
    @return The shares credited (stake one for one when undelegated).
    """
    assert amount != 0, "restaking: deposit amount is zero"
    shares: uint256 = stake_ledger._deposit(msg.sender, amount)
    assert extcall IERC20(STAKE_TOKEN).transferFrom(
        msg.sender, self, amount, default_return_value=True
    ), "restaking: stake token transferFrom failed; check allowance and balance"
    return shares


@external
@nonreentrant
def delegate(operator: address) -> uint256:
    """
    @notice Delegates all of the caller's stake to `operator`, making it slashable by the
            services `operator` allocates to.
    @param operator A registered operator that is not fully slashed.
    @return The caller's shares in `operator`'s units.
    """
    return stake_ledger._delegate(msg.sender, operator)


@external
@nonreentrant
def undelegate() -> IRestaking.Withdrawal:
    """
    @notice Undelegates the caller and queues all of its stake for withdrawal; it stays
            slashable for WITHDRAWAL_DELAY.
    @return The queued withdrawal (keep it for `complete_withdrawal`); all fields empty when the
            caller had no shares.
    """
    return stake_ledger._undelegate(msg.sender)


@external
@nonreentrant
def queue_withdrawal(amount: uint256) -> IRestaking.Withdrawal:
    """
    @notice Queues `amount` of the caller's stake for withdrawal; it stays slashable for
            WITHDRAWAL_DELAY and is then paid by `complete_withdrawal`.
    @param amount Stake to withdraw, 0 < amount <= withdrawable_stake(caller).
    @return The queued withdrawal (keep it for `complete_withdrawal`).
    """
    return stake_ledger._queue_withdrawal(msg.sender, amount)


@external
@nonreentrant
def complete_withdrawal(withdrawal: IRestaking.Withdrawal) -> uint256:
    """
    @notice Pays out a queued withdrawal of the caller once WITHDRAWAL_DELAY has elapsed.
    @param withdrawal The withdrawal as returned by `queue_withdrawal` / `undelegate`.
    @return The stake paid: the queued shares at the max magnitude after every slash in the
            withdrawal's slashable window.
    """
    amount: uint256 = stake_ledger._complete_withdrawal(msg.sender, withdrawal)
    if amount != 0:
        assert extcall IERC20(STAKE_TOKEN).transfer(
            withdrawal.staker, amount, default_return_value=True
        ), "restaking: stake token transfer to the staker failed"
    return amount


# ---------------------------------------------------------------- operators


@external
@nonreentrant
def register_as_operator():
    """
    @notice Registers the caller as an operator stakers can delegate to. Permanent.
    """
    allocations._register_operator(msg.sender)


@external
@nonreentrant
def register_for_service(service: address):
    """
    @notice Registers the caller (an operator) for `service`, so it can allocate magnitude to it.
    @param service A registered service.
    """
    allocations._register_for_service(msg.sender, service)


@external
@nonreentrant
def deregister_from_service(service: address) -> uint256:
    """
    @notice Deregisters the caller from `service`; its allocation drops to zero after
            DEALLOCATION_DELAY and stays slashable until then.
    @param service A service the caller is registered for.
    @return The timestamp from which `service` can no longer slash the caller.
    """
    return allocations._deregister_from_service(msg.sender, service)


@external
@nonreentrant
def allocate(service: address, magnitude: uint256) -> uint256:
    """
    @notice Sets the caller's allocation to `service` to `magnitude` (a WAD fraction of its
            original stake). An increase becomes slashable after ALLOCATION_DELAY; a decrease
            takes effect after DEALLOCATION_DELAY and stays slashable until then.
    @param service A service the caller is registered for.
    @param magnitude The target magnitude; the sum over services may not exceed max_magnitude.
    @return The timestamp at which `magnitude` takes effect.
    """
    return allocations._allocate(msg.sender, service, magnitude)


# ---------------------------------------------------------------- services


@external
@nonreentrant
def register_service(redistribution_recipient: address):
    """
    @notice Registers the caller as a service that may slash operators allocated to it.
    @param redistribution_recipient Receives the caller's slashed stake; empty(address) burns
           it. Fixed forever.
    """
    assert redistribution_recipient != self, "restaking: recipient cannot be the restaking contract"
    allocations._register_service(msg.sender, redistribution_recipient)


@external
@nonreentrant
def slash(operator: address, wad: uint256) -> uint256:
    """
    @notice Slashes `wad` of `operator`'s current allocation to the calling service. Every
            delegator's stake (and every withdrawal still in its window) shrinks pro rata; no
            other service's slashable stake changes. Makes no external call, so it cannot be
            blocked by the token; the stake is released by `release_slashed`.
    @param operator A registered operator.
    @param wad Fraction of the allocation to slash, 0 < wad <= WAD (1e18 = all of it).
    @return The stake slashed (0 when `operator` has nothing allocated to the caller now).
    """
    assert allocations._services[msg.sender], "restaking: caller is not a registered service"
    assert wad != 0, "restaking: wad is zero"
    assert wad <= restaking_math.WAD, "restaking: wad above WAD (100%)"
    assert allocations._operators[operator], "restaking: not a registered operator"
    magnitude_slashed: uint256 = allocations._slash(operator, msg.sender, wad)
    if magnitude_slashed == 0:
        return 0
    # Rounds DOWN: shares * magnitude_slashed / WAD is the real stake those shares lose; paying
    # its floor keeps the tokens held >= every remaining claim (docs/restaking.md, "Rounding").
    amount: uint256 = restaking_math._mul_div_down(
        stake_ledger._slashable_shares(operator), magnitude_slashed, restaking_math.WAD
    )
    self._pending_slashed[msg.sender] += amount
    log IRestaking.OperatorSlashed(
        operator=operator,
        service=msg.sender,
        wad=wad,
        magnitude_slashed=magnitude_slashed,
        amount=amount,
    )
    return amount


@external
@nonreentrant
def release_slashed(service: address) -> uint256:
    """
    @notice Sends `service`'s pending slashed stake to its redistribution recipient, or burns it
            (to 0x...dEaD). Anyone may call; if the token refuses the transfer, the stake stays
            pending and the call can be retried.
    @param service A service with pending slashed stake.
    @return The stake released.
    """
    amount: uint256 = self._pending_slashed[service]
    assert amount != 0, "restaking: no slashed stake pending for this service"
    self._pending_slashed[service] = 0
    recipient: address = allocations._redistribution_recipient[service]
    if recipient == empty(address):
        recipient = BURN_ADDRESS
    assert extcall IERC20(STAKE_TOKEN).transfer(
        recipient, amount, default_return_value=True
    ), "restaking: stake token transfer to the recipient failed"
    log IRestaking.SlashedReleased(service=service, recipient=recipient, amount=amount)
    return amount


# ---------------------------------------------------------------- views


@view
@external
def slashable_stake(operator: address, service: address) -> uint256:
    """
    @notice The stake `service` can slash from `operator` now: `slash(operator, WAD)` takes
            exactly this. Unchanged by other services' slashes.
    @param operator The operator.
    @param service The service.
    @return floor(slashable_shares(operator) * allocated_magnitude(operator, service) / WAD).
    """
    magnitude: uint256 = allocations._effective_magnitude(
        allocations._load_allocation(operator, service)
    )
    if magnitude == 0:
        return 0
    return restaking_math._mul_div_down(
        stake_ledger._slashable_shares(operator), magnitude, restaking_math.WAD
    )


@view
@external
def guaranteed_slashable_stake(operator: address, service: address, until_ts: uint256) -> uint256:
    """
    @notice The stake `service` can slash from `operator` at every moment from now to `until_ts`
            inclusive, whatever the operator and its stakers do meanwhile (deallocate,
            deregister, queue withdrawals, undelegate); only slashes can lower it. Use it to size
            what a signature from `operator` can be trusted for until a fault can be proven.
    @dev min(magnitude now, magnitude at until_ts) times the shares still slashable at until_ts:
         no allocation change requested from now on can take effect before now +
         DEALLOCATION_DELAY, and no share queued from now on leaves the window before now +
         WITHDRAWAL_DELAY.
    @param operator The operator.
    @param service The service.
    @param until_ts now <= until_ts < now + min(DEALLOCATION_DELAY, WITHDRAWAL_DELAY).
    @return The guaranteed slashable stake (<= slashable_stake(operator, service)).
    """
    assert until_ts >= block.timestamp, "restaking: until_ts is in the past"
    assert until_ts < block.timestamp + min(allocations.DEALLOCATION_DELAY, stake_ledger.WITHDRAWAL_DELAY), "restaking: until_ts beyond now + min(DEALLOCATION_DELAY, WITHDRAWAL_DELAY)"
    allocation: IRestaking.Allocation = allocations._load_allocation(operator, service)
    magnitude: uint256 = min(
        allocations._effective_magnitude(allocation),
        allocations._effective_magnitude_at(allocation, until_ts),
    )
    if magnitude == 0:
        return 0
    return restaking_math._mul_div_down(
        stake_ledger._slashable_shares_at(operator, until_ts), magnitude, restaking_math.WAD
    )


@view
@external
def pending_slashed(service: address) -> uint256:
    """
    @notice Slashed stake of `service` not yet released.
    @param service The service.
    @return The pending amount (held by this contract).
    """
    return self._pending_slashed[service]
