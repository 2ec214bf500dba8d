"""L1 side of the off-chain stack: a local anvil node, the Rollup client, deployment and the exit tool."""
