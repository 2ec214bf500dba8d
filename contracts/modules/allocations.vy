# pragma version ~=0.4.3
"""
@title Allocations (restaking module)
@notice Who may slash whom, and by how much: the operator and service registries, operator-service
        registrations, each operator's max magnitude (with its history) and its per-service
        allocations. A magnitude is a WAD fraction of the operator's original stake; slashing a
        service's allocation lowers that allocation and the operator's max magnitude by the same
        amount, so no other service's fraction of the remaining stake changes.
@dev Invariant kept by every function here, per operator:
         sum over services of the slashable magnitude now
           <= encumbered (= sum over services of max(magnitude, pending_magnitude) as stored)
           <= max magnitude <= WAD.
     Pending changes are applied lazily (`_settle`); a matured decrease keeps counting towards
     `encumbered` until it is settled, which only makes `encumbered` an over-estimate.
@custom:security Holds no tokens. Trusts nothing but `block.timestamp`; amounts of stake live in
                 `stake_ledger`. See docs/restaking.md.
"""


from interfaces import IRestaking
# @dev The Allocation struct and the events are declared once, in the interface.

from . import restaking_math
# @dev WAD arithmetic with an explicit rounding direction and checkpoint packing (stateless).


# An operator may hold non-zero allocations to at most this many services at once; this bounds
# the loop that frees matured deallocations in `_allocate`.
MAX_ALLOCATED_SERVICES: constant(uint256) = 16
# Packed allocation word: magnitude | pending_magnitude << 64 | effect_ts << 128.
# Packed magnitude word: max_magnitude | encumbered << 64. All fields are below 2**64.
FIELD_BITS: constant(uint256) = 64
FIELD_MASK: constant(uint256) = (1 << 64) - 1


# Seconds before an allocation increase becomes slashable.
ALLOCATION_DELAY: public(immutable(uint256))
# Seconds an allocation decrease (or a deregistration) stays slashable before it takes effect.
DEALLOCATION_DELAY: public(immutable(uint256))


# An operator's magnitudes, unpacked.
struct Magnitudes:
    max_magnitude: uint256
    encumbered: uint256


_operators: HashMap[address, bool]
_services: HashMap[address, bool]
# service => where its slashed stake goes (empty(address): burned); fixed at registration
_redistribution_recipient: HashMap[address, address]
# operator => service => registered
_registered: HashMap[address, HashMap[address, bool]]
# operator => service => packed Allocation
_allocation_words: HashMap[address, HashMap[address, uint256]]
# operator => packed Magnitudes
_magnitude_words: HashMap[address, uint256]
# operator => index => packed (timestamp, max magnitude after the last slash at that timestamp)
_max_magnitude_history: HashMap[address, HashMap[uint256, uint256]]
_max_magnitude_history_length: HashMap[address, uint256]
# operator => services whose stored allocation (magnitude or pending magnitude) is non-zero
_allocated_services: HashMap[address, DynArray[address, MAX_ALLOCATED_SERVICES]]


@deploy
def __init__(allocation_delay: uint256, deallocation_delay: uint256):
    """
    @notice Fixes the allocation delays.
    @param allocation_delay Seconds before an allocation increase becomes slashable (may be 0).
    @param deallocation_delay Seconds an allocation decrease stays slashable; at least 1.
    """
    assert deallocation_delay != 0, "restaking: deallocation delay must be at least 1 second"
    assert allocation_delay <= restaking_math.MAX_DELAY, "restaking: allocation delay above 10 years"
    assert deallocation_delay <= restaking_math.MAX_DELAY, "restaking: deallocation delay above 10 years"
    ALLOCATION_DELAY = allocation_delay
    DEALLOCATION_DELAY = deallocation_delay


# ---------------------------------------------------------------- views


@view
@external
def is_operator(operator: address) -> bool:
    """
    @notice Whether `operator` registered as an operator.
    @param operator The address to check.
    @return True once `register_as_operator` was called by it.
    """
    return self._operators[operator]


@view
@external
def is_service(service: address) -> bool:
    """
    @notice Whether `service` registered as a service (and may call `slash`).
    @param service The address to check.
    @return True once `register_service` was called by it.
    """
    return self._services[service]


@view
@external
def is_registered(operator: address, service: address) -> bool:
    """
    @notice Whether `operator` is currently registered for `service`.
    @dev A deregistered operator may still be slashable until its allocation's `effect_ts`.
    @param operator The operator.
    @param service The service.
    @return True between `register_for_service` and `deregister_from_service`.
    """
    return self._registered[operator][service]


@view
@external
def redistribution_recipient(service: address) -> address:
    """
    @notice Where `service`'s slashed stake is sent by `release_slashed`.
    @param service The service.
    @return The recipient fixed at registration; empty(address) means the stake is burned.
    """
    return self._redistribution_recipient[service]


@view
@external
def max_magnitude(operator: address) -> uint256:
    """
    @notice The operator's max magnitude: the WAD fraction of its original stake not yet slashed.
    @param operator The operator.
    @return WAD for a never-slashed operator, 0 for a non-operator.
    """
    return self._load_magnitudes(operator).max_magnitude


@view
@external
def max_magnitude_at(operator: address, timestamp: uint256) -> uint256:
    """
    @notice The operator's max magnitude after every slash with a timestamp <= `timestamp`.
    @param operator The operator.
    @param timestamp A past or present timestamp.
    @return The historical max magnitude (WAD before the first slash).
    """
    return self._max_magnitude_at(operator, timestamp)


@view
@external
def encumbered_magnitude(operator: address) -> uint256:
    """
    @notice Magnitude the operator has allocated or reserved (pending increases included;
            decreases that matured but were not settled yet included).
    @param operator The operator.
    @return The encumbered magnitude; never above `max_magnitude(operator)`.
    """
    return self._load_magnitudes(operator).encumbered


@view
@external
def allocation(operator: address, service: address) -> IRestaking.Allocation:
    """
    @notice The stored allocation of `operator` to `service` (a pending change may have matured).
    @param operator The operator.
    @param service The service.
    @return (magnitude, pending_magnitude, effect_ts); see `allocated_magnitude` for the value now.
    """
    return self._load_allocation(operator, service)


@view
@external
def allocated_magnitude(operator: address, service: address) -> uint256:
    """
    @notice The magnitude `service` can slash from `operator` now.
    @param operator The operator.
    @param service The service.
    @return The WAD fraction of the operator's original stake allocated to `service` now.
    """
    return self._effective_magnitude(self._load_allocation(operator, service))


@view
@external
def allocated_services(operator: address) -> DynArray[address, MAX_ALLOCATED_SERVICES]:
    """
    @notice Services to which `operator` holds a non-zero stored allocation or pending increase.
    @param operator The operator.
    @return The services, in no particular order.
    """
    return self._allocated_services[operator]


# ---------------------------------------------------------------- registries


@internal
def _register_operator(operator: address):
    """
    @notice Registers `operator` with a full (WAD) max magnitude and nothing allocated.
    @param operator The new operator.
    """
    assert not self._operators[operator], "restaking: already registered as an operator"
    self._operators[operator] = True
    self._store_magnitudes(operator, Magnitudes(max_magnitude=restaking_math.WAD, encumbered=0))
    log IRestaking.OperatorRegistered(operator=operator)


@internal
def _register_service(service: address, redistribution_recipient: address):
    """
    @notice Registers `service`, fixing where its slashed stake goes.
    @param service The new service (the caller of `register_service`).
    @param redistribution_recipient Recipient of slashed stake; empty(address) burns it.
    """
    assert not self._services[service], "restaking: service already registered"
    self._services[service] = True
    self._redistribution_recipient[service] = redistribution_recipient
    log IRestaking.ServiceRegistered(
        service=service, redistribution_recipient=redistribution_recipient
    )


@internal
def _register_for_service(operator: address, service: address):
    """
    @notice Registers `operator` for `service`, which lets it allocate magnitude to the service.
    @param operator The operator (the caller).
    @param service A registered service.
    """
    assert self._operators[operator], "restaking: caller is not a registered operator"
    assert self._services[service], "restaking: service is not registered"
    assert not self._registered[operator][service], "restaking: already registered for this service"
    self._registered[operator][service] = True
    log IRestaking.OperatorRegisteredForService(operator=operator, service=service)


@internal
def _deregister_from_service(operator: address, service: address) -> uint256:
    """
    @notice Deregisters `operator` from `service` and queues its allocation's drop to zero.
    @dev The current magnitude stays slashable for DEALLOCATION_DELAY, even if a shorter pending
         decrease existed (a later drop only keeps more stake slashable). A pending increase that
         never became slashable is cancelled at once.
    @param operator The operator (the caller).
    @param service The service.
    @return The timestamp from which nothing is slashable for `service` any more.
    """
    assert self._registered[operator][service], "restaking: not registered for this service"
    self._registered[operator][service] = False

    allocation: IRestaking.Allocation = self._settle(operator, service)
    slashable_until_ts: uint256 = block.timestamp
    if allocation.magnitude != 0 or allocation.pending_magnitude != 0:
        magnitudes: Magnitudes = self._load_magnitudes(operator)
        # A pending increase is reserved in `encumbered`; only the current magnitude stays.
        magnitudes.encumbered -= max(allocation.magnitude, allocation.pending_magnitude) - allocation.magnitude
        self._store_magnitudes(operator, magnitudes)
        allocation.pending_magnitude = 0
        if allocation.magnitude == 0:
            allocation.effect_ts = 0
            self._remove_allocated_service(operator, service)
        else:
            allocation.effect_ts = block.timestamp + DEALLOCATION_DELAY
            slashable_until_ts = allocation.effect_ts
        self._store_allocation(operator, service, allocation)
        log IRestaking.AllocationUpdated(
            operator=operator, service=service, magnitude=0, effect_ts=slashable_until_ts
        )
    log IRestaking.OperatorDeregisteredFromService(
        operator=operator, service=service, slashable_until_ts=slashable_until_ts
    )
    return slashable_until_ts


# ---------------------------------------------------------------- allocations


@internal
def _allocate(operator: address, service: address, magnitude: uint256) -> uint256:
    """
    @notice Queues a change of `operator`'s allocation to `service` to `magnitude`.
    @dev An increase is reserved in `encumbered` at once and becomes slashable after
         ALLOCATION_DELAY; a decrease stays slashable (and encumbered) for DEALLOCATION_DELAY.
         One change at a time per (operator, service).
    @param operator The operator (the caller).
    @param service A service the operator is registered for.
    @param magnitude The target magnitude (WAD fraction of the operator's original stake).
    @return The timestamp from which `magnitude` is the slashable magnitude.
    """
    assert self._registered[operator][service], "restaking: operator is not registered for this service"
    assert magnitude <= restaking_math.WAD, "restaking: magnitude above WAD (100%)"
    allocation: IRestaking.Allocation = self._settle(operator, service)
    assert allocation.pending_magnitude == allocation.magnitude, "restaking: an allocation change is pending; retry after its effect_ts"
    assert magnitude != allocation.magnitude, "restaking: magnitude unchanged"

    effect_ts: uint256 = 0
    if magnitude > allocation.magnitude:
        increase: uint256 = magnitude - allocation.magnitude
        magnitudes: Magnitudes = self._load_magnitudes(operator)
        if magnitudes.encumbered + increase > magnitudes.max_magnitude:
            # Free decreases that matured on other services before giving up.
            self._settle_all(operator)
            magnitudes = self._load_magnitudes(operator)
        assert magnitudes.encumbered + increase <= magnitudes.max_magnitude, "restaking: not enough unallocated magnitude; lower another allocation first"
        magnitudes.encumbered += increase
        self._store_magnitudes(operator, magnitudes)
        if allocation.magnitude == 0:
            assert len(self._allocated_services[operator]) < MAX_ALLOCATED_SERVICES, "restaking: operator already allocates to the maximum number of services"
            self._allocated_services[operator].append(service)
        effect_ts = block.timestamp + ALLOCATION_DELAY
    else:
        effect_ts = block.timestamp + DEALLOCATION_DELAY

    allocation.pending_magnitude = magnitude
    allocation.effect_ts = effect_ts
    self._store_allocation(operator, service, allocation)
    log IRestaking.AllocationUpdated(
        operator=operator, service=service, magnitude=magnitude, effect_ts=effect_ts
    )
    return effect_ts


@internal
def _settle(operator: address, service: address) -> IRestaking.Allocation:
    """
    @notice Applies a pending allocation change whose effect_ts has passed.
    @dev A matured decrease releases its magnitude from `encumbered`; an increase was reserved
         when it was queued. Removes the service from the allocated list once nothing is left.
    @param operator The operator.
    @param service The service.
    @return The allocation as now stored.
    """
    allocation: IRestaking.Allocation = self._load_allocation(operator, service)
    if allocation.pending_magnitude == allocation.magnitude or allocation.effect_ts > block.timestamp:
        return allocation
    if allocation.pending_magnitude < allocation.magnitude:
        magnitudes: Magnitudes = self._load_magnitudes(operator)
        magnitudes.encumbered -= allocation.magnitude - allocation.pending_magnitude
        self._store_magnitudes(operator, magnitudes)
    allocation.magnitude = allocation.pending_magnitude
    allocation.effect_ts = 0
    self._store_allocation(operator, service, allocation)
    if allocation.magnitude == 0:
        self._remove_allocated_service(operator, service)
    return allocation


@internal
def _settle_all(operator: address):
    """
    @notice Settles every allocation of `operator` (bounded by MAX_ALLOCATED_SERVICES).
    @param operator The operator.
    """
    services: DynArray[address, MAX_ALLOCATED_SERVICES] = self._allocated_services[operator]
    for service: address in services:
        self._settle(operator, service)


@internal
def _slash(operator: address, service: address, wad: uint256) -> uint256:
    """
    @notice Slashes `wad` of `operator`'s slashable allocation to `service`.
    @dev The slashed magnitude is rounded UP (`ceil(magnitude * wad / WAD)`): a non-zero slash of
         a non-zero allocation never rounds to zero, and since wad <= WAD it never exceeds the
         allocation. Max magnitude and `encumbered` drop by the same amount, so every other
         service keeps the same magnitude out of the same shares (attributable security).
         A pending decrease's target is scaled by (1 - wad), rounded down, so it stays below the
         new magnitude; a pending increase keeps its size.
    @param operator A registered operator.
    @param service The slashing service.
    @param wad The fraction of the allocation to slash, 0 < wad <= WAD.
    @return The magnitude slashed (0 when nothing is allocated to `service` now).
    """
    allocation: IRestaking.Allocation = self._settle(operator, service)
    if allocation.magnitude == 0:
        return 0
    slashed: uint256 = restaking_math._mul_div_up(allocation.magnitude, wad, restaking_math.WAD)
    previous: uint256 = allocation.magnitude
    allocation.magnitude = previous - slashed
    if allocation.pending_magnitude >= previous:
        # No change pending, or an increase pending: it keeps its size above the new magnitude.
        allocation.pending_magnitude -= slashed
    else:
        # Decrease pending: floor(pending * (WAD - wad) / WAD) <= floor(previous * (WAD - wad) / WAD)
        # = previous - slashed, so the target stays at or below the new magnitude.
        allocation.pending_magnitude = restaking_math._mul_div_down(
            allocation.pending_magnitude, restaking_math.WAD - wad, restaking_math.WAD
        )
    if allocation.pending_magnitude == allocation.magnitude:
        allocation.effect_ts = 0

    # max(magnitude, pending) dropped by exactly `slashed` in every branch above.
    magnitudes: Magnitudes = self._load_magnitudes(operator)
    magnitudes.max_magnitude -= slashed
    magnitudes.encumbered -= slashed
    self._store_magnitudes(operator, magnitudes)
    self._store_allocation(operator, service, allocation)
    self._push_max_magnitude(operator, magnitudes.max_magnitude)
    if allocation.pending_magnitude == 0 and allocation.magnitude == 0:
        self._remove_allocated_service(operator, service)
    log IRestaking.AllocationUpdated(
        operator=operator,
        service=service,
        magnitude=allocation.pending_magnitude,
        effect_ts=max(allocation.effect_ts, block.timestamp),
    )
    return slashed


# ---------------------------------------------------------------- internal helpers


@view
@internal
def _effective_magnitude(allocation: IRestaking.Allocation) -> uint256:
    """
    @notice The slashable magnitude of a stored allocation at the current timestamp.
    @param allocation A stored allocation.
    @return `pending_magnitude` once `effect_ts` is reached, else `magnitude`.
    """
    return self._effective_magnitude_at(allocation, block.timestamp)


@pure
@internal
def _effective_magnitude_at(allocation: IRestaking.Allocation, timestamp: uint256) -> uint256:
    """
    @notice The slashable magnitude of a stored allocation at `timestamp`, if nothing changes it
            before then.
    @param allocation A stored allocation.
    @param timestamp The timestamp.
    @return `pending_magnitude` if `timestamp` >= `effect_ts`, else `magnitude`.
    """
    if timestamp >= allocation.effect_ts:
        return allocation.pending_magnitude
    return allocation.magnitude


@view
@internal
def _max_magnitude(operator: address) -> uint256:
    """
    @notice The operator's current max magnitude.
    @param operator The operator.
    @return Its max magnitude (0 for a non-operator).
    """
    return self._magnitude_words[operator] & FIELD_MASK


@view
@internal
def _max_magnitude_at(operator: address, timestamp: uint256) -> uint256:
    """
    @notice The operator's max magnitude after all slashes at or before `timestamp`.
    @dev Binary search for the last checkpoint with checkpoint timestamp <= `timestamp`.
    @param operator The operator.
    @param timestamp The timestamp to look up.
    @return The max magnitude then; WAD before the operator's first slash.
    """
    length: uint256 = self._max_magnitude_history_length[operator]
    if length == 0:
        return restaking_math.WAD
    latest: uint256 = self._max_magnitude_history[operator][length - 1]
    if restaking_math._checkpoint_timestamp(latest) <= timestamp:
        return restaking_math._checkpoint_value(latest)
    low: uint256 = 0
    high: uint256 = length - 1  # the answer's index is below `high`
    for _: uint256 in range(restaking_math.MAX_SEARCH_STEPS):
        if low >= high:
            break
        middle: uint256 = (low + high) // 2
        if restaking_math._checkpoint_timestamp(self._max_magnitude_history[operator][middle]) > timestamp:
            high = middle
        else:
            low = middle + 1
    if high == 0:
        return restaking_math.WAD
    return restaking_math._checkpoint_value(self._max_magnitude_history[operator][high - 1])


@internal
def _push_max_magnitude(operator: address, max_magnitude: uint256):
    """
    @notice Records the operator's max magnitude at the current timestamp.
    @dev Several slashes in one block overwrite the block's checkpoint with the last value.
    @param operator The operator.
    @param max_magnitude Its max magnitude after the slash.
    """
    length: uint256 = self._max_magnitude_history_length[operator]
    word: uint256 = restaking_math._pack_checkpoint(block.timestamp, max_magnitude)
    if length != 0:
        latest: uint256 = self._max_magnitude_history[operator][length - 1]
        if restaking_math._checkpoint_timestamp(latest) == block.timestamp:
            self._max_magnitude_history[operator][length - 1] = word
            return
    self._max_magnitude_history[operator][length] = word
    self._max_magnitude_history_length[operator] = length + 1


@internal
def _remove_allocated_service(operator: address, service: address):
    """
    @notice Drops `service` from the operator's list of allocated services, if present.
    @param operator The operator.
    @param service The service.
    """
    services: DynArray[address, MAX_ALLOCATED_SERVICES] = self._allocated_services[operator]
    for index: uint256 in range(MAX_ALLOCATED_SERVICES):
        if index >= len(services):
            break
        if services[index] == service:
            last: uint256 = len(services) - 1
            if index != last:
                self._allocated_services[operator][index] = services[last]
            self._allocated_services[operator].pop()
            break


@view
@internal
def _load_allocation(operator: address, service: address) -> IRestaking.Allocation:
    """
    @notice Unpacks the stored allocation of `operator` to `service`.
    @param operator The operator.
    @param service The service.
    @return The allocation.
    """
    word: uint256 = self._allocation_words[operator][service]
    return IRestaking.Allocation(
        magnitude=word & FIELD_MASK,
        pending_magnitude=(word >> FIELD_BITS) & FIELD_MASK,
        effect_ts=word >> (2 * FIELD_BITS),
    )


@internal
def _store_allocation(operator: address, service: address, allocation: IRestaking.Allocation):
    """
    @notice Packs and stores an allocation.
    @dev Magnitudes are <= WAD < 2**64 and effect_ts <= now + restaking_math.MAX_DELAY < 2**64.
    @param operator The operator.
    @param service The service.
    @param allocation The allocation to store.
    """
    self._allocation_words[operator][service] = (
        allocation.magnitude
        | (allocation.pending_magnitude << FIELD_BITS)
        | (allocation.effect_ts << (2 * FIELD_BITS))
    )


@view
@internal
def _load_magnitudes(operator: address) -> Magnitudes:
    """
    @notice Unpacks the operator's max and encumbered magnitudes.
    @param operator The operator.
    @return The magnitudes (both 0 for a non-operator).
    """
    word: uint256 = self._magnitude_words[operator]
    return Magnitudes(max_magnitude=word & FIELD_MASK, encumbered=word >> FIELD_BITS)


@internal
def _store_magnitudes(operator: address, magnitudes: Magnitudes):
    """
    @notice Packs and stores the operator's max and encumbered magnitudes.
    @param operator The operator.
    @param magnitudes The magnitudes (both <= WAD).
    """
    self._magnitude_words[operator] = magnitudes.max_magnitude | (magnitudes.encumbered << FIELD_BITS)
