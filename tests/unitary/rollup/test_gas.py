"""Gas of the Rollup entry points (test profile, N = 2 slots), measured like transactions: in a
private titanoboa Env, each measured call starts with storage changes locked in and access lists
reset; execution gas before refunds, plus 21,000 + calldata. Proofs are real (stand-in circuit:
same verifier shape and gas as the real one-public-input verifiers).

Print the table: ``uv run --frozen pytest -q -s tests/unitary/rollup/test_gas.py``. Ceilings are
regression guards ~10% above the measured values; exit must stay within 250k in total.
"""

import boa
from boa.environment import Env

from tests.unitary.rollup import protocol_ref as ref
from tests.unitary.rollup.conftest import (
    DEADLINE,
    ETH,
    KEY_A,
    KEY_B,
    ROOT_1,
    ROOT_2,
    ZERO_ADDRESS,
    header_for,
    pad,
)
from tests.utils.rollup_deployers import MOCK_ERC20_DEPLOYER

# total transaction gas ceilings (commits carry the ~25k of static memory of a 2,048-slot
# pubdata buffer: see MAX_SLOTS in contracts/Rollup.vy)
CEILINGS = {
    "deposit ETH (opens the account)": 160_000,
    "deposit ERC-20 (existing account)": 165_000,
    "commit_batch (N=2: OPEN + DEPOSIT)": 210_000,
    "commit_batch (N=2: WITHDRAW + TRANSFER)": 187_000,
    "prove_batch": 260_000,
    "execute_batch (1 withdrawal)": 125_000,
    "claim ETH": 45_000,
    "exit ETH": 250_000,
    "refund_deposit ETH": 62_000,
}


def _calldata_gas(calldata: bytes) -> int:
    return sum(16 if byte else 4 for byte in calldata)


def _measure(function, *args, **kwargs):
    boa.env.evm.vm.state._account_db.lock_changes()
    function(*args, **kwargs)
    execution = function.contract._computation.get_gas_used()
    return 21_000 + _calldata_gas(function.prepare_calldata(*args)) + execution


def measure_gas(deployer) -> dict:
    out = {}
    with boa.swap_env(Env()):
        seq, owner = boa.env.generate_address("seq"), boa.env.generate_address("owner")
        alice, bob = boa.env.generate_address("alice"), boa.env.generate_address("bob")
        for who in (alice, bob):
            boa.env.set_balance(who, 100 * ETH)
        # verifiers live in the fixture's env: redeploy them here
        batch_v = boa.loads(deployer.batch_prover.source)
        exit_v = boa.loads(deployer.exit_prover.source)
        rollup = deployer.deploy(
            seq, sender=owner, batch_verifier=batch_v.address, exit_verifier=exit_v.address
        )
        token = MOCK_ERC20_DEPLOYER.deploy("T", "T")
        rollup.register_token(token.address, sender=owner)
        token.mint(bob, 10**6)
        token.approve(rollup.address, 10**6, sender=bob)
        rollup.deposit(bob, ZERO_ADDRESS, ETH, KEY_B, value=ETH, sender=bob)

        out["deposit ETH (opens the account)"] = _measure(
            rollup.deposit, alice, ZERO_ADDRESS, 2 * ETH, KEY_A, value=2 * ETH, sender=alice
        )
        out["deposit ERC-20 (existing account)"] = _measure(
            rollup.deposit, bob, token.address, 500, 0, sender=bob
        )

        def commit(label, pubdata, root):
            header = header_for(rollup, pubdata, root)
            out[label] = _measure(rollup.commit_batch, header, pubdata, sender=seq)
            return header[0]

        def prove(number, label=None):
            proof = deployer.batch_prover.proof(rollup.batch(number)[1])
            gas = _measure(rollup.prove_batch, number, proof, sender=seq)
            if label:
                out[label] = gas

        n = commit(
            "commit_batch (N=2: OPEN + DEPOSIT)",
            pad(ref.open_slot(1, bob, KEY_B), ref.generic(ref.DEPOSIT, 1, 0, 0, ETH)),
            ROOT_1,
        )
        prove(n, "prove_batch")
        rollup.execute_batch(n, [], sender=seq)
        withdraw = ref.generic(ref.WITHDRAW, 1, 0, 0, ETH // 2)
        n = commit(
            "commit_batch (N=2: WITHDRAW + TRANSFER)",
            pad(withdraw, ref.generic(ref.TRANSFER, 1, 1, 0, 1)),
            ROOT_2,
        )
        prove(n)
        out["execute_batch (1 withdrawal)"] = _measure(
            rollup.execute_batch, n, [(1, 0, ETH // 2)], sender=seq
        )
        out["claim ETH"] = _measure(rollup.claim, bob, 0, sender=bob)

        boa.env.time_travel(seconds=DEADLINE + 1)
        rollup.activate_escape_mode()
        amount = ETH // 2 - 1
        proof = deployer.exit_prover.proof(ref.exit_commitment(ROOT_2, 1, bob, 0, amount))
        out["exit ETH"] = _measure(rollup.exit, 1, bob, 0, amount, proof, sender=bob)
        rollup.refund_deposit(ref.open_slot(2, alice, KEY_A))
        deposit = ref.request(ref.generic(ref.DEPOSIT, 2, 0, 0, 2 * ETH))
        out["refund_deposit ETH"] = _measure(rollup.refund_deposit, deposit, sender=bob)
    return out


def test_gas(deployer):
    gas = measure_gas(deployer)
    print()
    for label, value in gas.items():
        print(f"{label:45s} {value:>9,}")
    for label, value in gas.items():
        assert value <= CEILINGS[label], (label, value)
