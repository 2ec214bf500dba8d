# pragma version ~=0.4.3
"""
@title MockERC20
@notice Test-only ERC-20 with an open `mint`, a hook that reverts every transfer to one
        configurable address (e.g. the burn address or a redistribution recipient), used to show
        that a hostile token can block `Restaking.release_slashed` but never `Restaking.slash`,
        and a switch that makes transfers return False instead of moving tokens.
@custom:security Not a shipped component: anyone can mint and set the hook.
"""


from ethereum.ercs import IERC20
implements: IERC20
# @dev The standard ERC-20 interface.


name: public(String[32])
symbol: public(String[8])
decimals: public(uint8)
totalSupply: public(uint256)
balanceOf: public(HashMap[address, uint256])
allowance: public(HashMap[address, HashMap[address, uint256]])
# Transfers to this address revert (empty(address): no hook).
blocked_recipient: public(address)
# When set, transfer and transferFrom move nothing and return False.
return_false: public(bool)


@deploy
def __init__(name: String[32], symbol: String[8]):
    """
    @notice Deploys an empty token.
    @param name Token name.
    @param symbol Token symbol.
    """
    self.name = name
    self.symbol = symbol
    self.decimals = 18


@external
def mint(to: address, amount: uint256):
    """
    @notice Mints `amount` to `to` (test-only, unrestricted).
    @param to Recipient.
    @param amount Amount to mint.
    """
    self.balanceOf[to] += amount
    self.totalSupply += amount
    log IERC20.Transfer(sender=empty(address), receiver=to, value=amount)


@external
def set_blocked_recipient(recipient: address):
    """
    @notice Makes every transfer to `recipient` revert (empty(address) disables the hook).
    @param recipient The address to block.
    """
    self.blocked_recipient = recipient


@external
def set_return_false(enabled: bool):
    """
    @notice Makes transfer and transferFrom return False without moving tokens.
    @param enabled True to fail silently, False for normal behaviour.
    """
    self.return_false = enabled


@external
def approve(spender: address, amount: uint256) -> bool:
    """
    @notice Sets `spender`'s allowance over the caller's tokens.
    @param spender The spender.
    @param amount The allowance.
    @return True.
    """
    self.allowance[msg.sender][spender] = amount
    log IERC20.Approval(owner=msg.sender, spender=spender, value=amount)
    return True


@external
def transfer(to: address, amount: uint256) -> bool:
    """
    @notice Transfers `amount` from the caller to `to`.
    @param to Recipient.
    @param amount Amount.
    @return True, or False when `return_false` is set (nothing moves then).
    """
    if self.return_false:
        return False
    self._transfer(msg.sender, to, amount)
    return True


@external
def transferFrom(owner: address, to: address, amount: uint256) -> bool:
    """
    @notice Transfers `amount` from `owner` to `to` using the caller's allowance.
    @param owner Token owner.
    @param to Recipient.
    @param amount Amount.
    @return True, or False when `return_false` is set (nothing moves then).
    """
    if self.return_false:
        return False
    assert self.allowance[owner][msg.sender] >= amount, "mock_erc20: allowance too low"
    self.allowance[owner][msg.sender] -= amount
    self._transfer(owner, to, amount)
    return True


@internal
def _transfer(sender: address, to: address, amount: uint256):
    """
    @notice Moves tokens, applying the blocking hook.
    @param sender Source.
    @param to Recipient.
    @param amount Amount.
    """
    assert to != self.blocked_recipient or to == empty(address), "mock_erc20: recipient blocked by hook"
    assert self.balanceOf[sender] >= amount, "mock_erc20: balance too low"
    self.balanceOf[sender] -= amount
    self.balanceOf[to] += amount
    log IERC20.Transfer(sender=sender, receiver=to, value=amount)
