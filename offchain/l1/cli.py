"""``hatchway exit``: leave an escaped chain using L1 data only."""

from __future__ import annotations

import click


def _sender(w3, private_key: str | None) -> str:
    """The address that sends exit transactions: a private key's, or the node's first account."""
    if private_key:
        from eth_account import Account
        from web3.middleware import SignAndSendRawMiddlewareBuilder

        acct = Account.from_key(private_key)
        w3.middleware_onion.inject(SignAndSendRawMiddlewareBuilder.build(acct), layer=0)
        return acct.address
    accounts = w3.eth.accounts
    if not accounts:
        raise click.ClickException("the node has no unlocked account: pass --private-key")
    return accounts[0]


@click.command(name="exit")
@click.option("--rpc", required=True, help="L1 JSON-RPC URL.")
@click.option("--rollup", "rollup_address", required=True, help="The Rollup contract's address.")
@click.option("--account", "account_id", required=True, type=int, help="The L2 account id to exit.")
@click.option(
    "--token", "tokens", type=int, multiple=True, help="Only these token ids (default: all)."
)
@click.option(
    "--private-key",
    envvar="HATCHWAY_PRIVATE_KEY",
    default=None,
    help="Key that pays the exit transactions (env HATCHWAY_PRIVATE_KEY); default: the node's first account.",
)
def exit_command(
    rpc: str, rollup_address: str, account_id: int, tokens: tuple[int, ...], private_key: str | None
) -> None:
    """Rebuild the chain's state from L1 (no operator data), prove each balance of ACCOUNT with
    the exit circuit and submit the exits. Funds go to the account's owner, whoever sends."""
    from web3 import Web3

    from offchain.l1.client import L1Error, RollupClient
    from offchain.l1.exit_tool import ExitToolError, exit_account, rebuild_state

    w3 = Web3(Web3.HTTPProvider(rpc))
    if not w3.is_connected():
        raise click.ClickException(f"cannot reach the node at {rpc}")
    try:
        client = RollupClient(w3, rollup_address)
        sender = _sender(w3, private_key)
        click.echo("rebuilding the state from L1 calldata ...")
        state = rebuild_state(client)
        click.echo(f"  executed root {state.root:#x} matches the contract")
        results = exit_account(
            client, sender, account_id, tokens=list(tokens) or None, state=state, echo=click.echo
        )
    except (L1Error, ExitToolError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    if not results:
        click.echo(f"account {account_id}: nothing left to exit")
    for r in results:
        click.echo(
            f"exited account {r.account} token {r.token}: {r.amount} to {r.owner} "
            f"(tx {r.tx_hash}, {r.gas_used} gas)"
        )
