"""Gas of the Restaking entry points, measured like transactions: in a private titanoboa Env, each
measured call starts with storage changes locked in and access lists reset (cold accounts and
slots, EIP-2200 original values = state before the call); execution gas before refunds, plus the
21,000 + calldata of a transaction.

Print the table: ``uv run python -m tests.unitary.restaking.test_gas``. The test only guards the
figures against regressions (ceilings ~20% above the measured values).
"""

import boa
from boa.environment import Env

from tests.utils.deployers import DAY, WAD, deploy_restaking

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"

# execution gas ceilings (measured values in docs/restaking.md, "Gas")
CEILINGS = {
    "deposit (first, delegated)": 110_000,
    "deposit (again)": 48_000,
    "delegate (with stake)": 44_000,
    "allocate (new service, increase)": 73_000,
    "allocate (decrease)": 14_000,
    "queue_withdrawal (first of the operator)": 130_000,
    "queue_withdrawal (again, other block)": 92_000,
    "slash (first slash of the operator)": 119_000,
    "slash (again, other block)": 80_000,
    "complete_withdrawal": 37_000,
    "undelegate": 94_000,
    "release_slashed": 53_000,
}


def _calldata_gas(calldata: bytes) -> int:
    return sum(16 if byte else 4 for byte in calldata)


def _measure(function, *args, sender):
    """Execution gas of one call as a transaction (see the module docstring); and the full
    transaction gas."""
    boa.env.evm.vm.state._account_db.lock_changes()  # what the end of a transaction does
    function(*args, sender=sender)
    execution = function.contract._computation.get_gas_used()
    calldata = function.prepare_calldata(*args)
    return execution, 21_000 + _calldata_gas(calldata) + execution


def measure_gas() -> dict:
    """Runs one realistic lifecycle and measures each entry point."""
    with boa.swap_env(Env()):  # locking changes must not touch the test's snapshots
        system = deploy_restaking(1 * DAY, 7 * DAY, 10 * DAY)
        token, restaking = system.token, system.restaking
        staker = boa.env.generate_address("staker")
        co_staker = boa.env.generate_address("co_staker")
        operator = boa.env.generate_address("operator")
        service = boa.env.generate_address("service")
        other_service = boa.env.generate_address("other_service")
        restaking.register_as_operator(sender=operator)
        restaking.register_service(ZERO_ADDRESS, sender=service)
        restaking.register_service(other_service, sender=other_service)
        restaking.register_for_service(service, sender=operator)
        restaking.register_for_service(other_service, sender=operator)
        for who in (staker, co_staker):
            token.mint(who, 10**24)
            token.approve(restaking.address, 2**256 - 1, sender=who)
        restaking.allocate(other_service, WAD // 4, sender=operator)

        gas = {}
        restaking.delegate(operator, sender=staker)
        gas["deposit (first, delegated)"] = _measure(restaking.deposit, 10**21, sender=staker)
        gas["deposit (again)"] = _measure(restaking.deposit, 10**21, sender=staker)
        restaking.deposit(10**21, sender=co_staker)
        gas["delegate (with stake)"] = _measure(restaking.delegate, operator, sender=co_staker)
        gas["allocate (new service, increase)"] = _measure(
            restaking.allocate, service, WAD // 2, sender=operator
        )
        boa.env.time_travel(seconds=DAY)
        gas["allocate (decrease)"] = _measure(
            restaking.allocate, other_service, WAD // 8, sender=operator
        )
        gas["queue_withdrawal (first of the operator)"] = _measure(
            restaking.queue_withdrawal, 10**20, sender=staker
        )
        boa.env.time_travel(seconds=60)
        gas["queue_withdrawal (again, other block)"] = _measure(
            restaking.queue_withdrawal, 10**20, sender=staker
        )
        gas["slash (first slash of the operator)"] = _measure(
            restaking.slash, operator, WAD // 10, sender=service
        )
        boa.env.time_travel(seconds=60)
        gas["slash (again, other block)"] = _measure(
            restaking.slash, operator, WAD // 10, sender=service
        )
        withdrawal = restaking.queue_withdrawal(10**20, sender=staker)
        boa.env.time_travel(seconds=10 * DAY)
        gas["complete_withdrawal"] = _measure(
            restaking.complete_withdrawal, withdrawal, sender=staker
        )
        gas["undelegate"] = _measure(restaking.undelegate, sender=co_staker)
        gas["release_slashed"] = _measure(restaking.release_slashed, service, sender=staker)
        return gas


def test_gas_within_ceilings():
    gas = measure_gas()
    for name, (execution, _) in gas.items():
        assert execution <= CEILINGS[name], f"{name}: {execution} gas > ceiling {CEILINGS[name]}"


if __name__ == "__main__":
    print("| entry point | execution gas | tx gas (21k + calldata + execution) |")
    print("| --- | ---: | ---: |")
    for name, (execution, total) in measure_gas().items():
        print(f"| {name} | {execution:,} | {total:,} |")
