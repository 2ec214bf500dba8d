# pragma version ~=0.4.3
"""
@title Restaking math
@notice Stateless helpers shared by the restaking modules: WAD fractions with an explicit rounding
        direction, and the packing of timestamped checkpoints into one storage word.
@dev Every caller names the rounding direction it needs and says why next to the call; the
     reasons are collected in docs/restaking.md ("Rounding").
"""


# 1e18 = 100%: the unit of magnitudes and of the `wad` a service slashes.
WAD: constant(uint256) = 10**18
# Delays are capped so that `block.timestamp + delay` stays far below 2**64.
MAX_DELAY: constant(uint256) = 10 * 365 * 86400
# Binary searches over checkpoint arrays of at most 2**64 entries.
MAX_SEARCH_STEPS: constant(uint256) = 64
# A checkpoint word is `timestamp << 192 | value`: 64 bits of time, 192 bits of value.
CHECKPOINT_VALUE_BITS: constant(uint256) = 192
CHECKPOINT_VALUE_MASK: constant(uint256) = (1 << 192) - 1


@pure
@internal
def _mul_div_down(x: uint256, y: uint256, denominator: uint256) -> uint256:
    """
    @notice `floor(x * y / denominator)`.
    @dev Reverts on overflow of `x * y` (checked arithmetic) and on a zero denominator.
    @param x First factor.
    @param y Second factor.
    @param denominator Divisor, non-zero.
    @return The quotient rounded down.
    """
    return x * y // denominator


@pure
@internal
def _mul_div_up(x: uint256, y: uint256, denominator: uint256) -> uint256:
    """
    @notice `ceil(x * y / denominator)`.
    @dev Reverts on overflow of `x * y` (checked arithmetic) and on a zero denominator.
    @param x First factor.
    @param y Second factor.
    @param denominator Divisor, non-zero.
    @return The quotient rounded up.
    """
    product: uint256 = x * y
    quotient: uint256 = product // denominator
    if quotient * denominator != product:
        quotient += 1
    return quotient


@pure
@internal
def _pack_checkpoint(timestamp: uint256, checkpointed: uint256) -> uint256:
    """
    @notice Packs a (timestamp, value) checkpoint into one storage word.
    @param timestamp Seconds since the epoch; below 2**64.
    @param checkpointed The checkpointed value; below 2**192.
    @return The packed word.
    """
    assert checkpointed <= CHECKPOINT_VALUE_MASK, "restaking: checkpoint value overflows 192 bits"
    assert timestamp < 1 << 64, "restaking: timestamp overflows 64 bits"
    return (timestamp << CHECKPOINT_VALUE_BITS) | checkpointed


@pure
@internal
def _checkpoint_timestamp(word: uint256) -> uint256:
    """
    @notice The timestamp of a packed checkpoint.
    @param word A word made by `_pack_checkpoint`.
    @return Its timestamp.
    """
    return word >> CHECKPOINT_VALUE_BITS


@pure
@internal
def _checkpoint_value(word: uint256) -> uint256:
    """
    @notice The value of a packed checkpoint.
    @param word A word made by `_pack_checkpoint`.
    @return Its value.
    """
    return word & CHECKPOINT_VALUE_MASK
