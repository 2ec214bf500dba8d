"""L1 gas of the Rollup per op at production batch sizes (titanoboa, deterministic).

    uv run --frozen python -m bench.rollup_gas [SLOTS ...]     (default: 64 256 1024)

For each batch size N: a Rollup deployed for N slots commits a batch of N signed transfers (the
contract does not re-execute ops, so synthetic but well-formed pubdata gives the exact commit
cost), proves it and executes it. Transaction gas = 21,000 + calldata + execution, as a user
pays it. The proof is a real Groth16 proof of a one-public-input stand-in statement whose public
input is the batch's commitment: the verifier's cost depends only on the number of public inputs
(one), so it is exactly the batch verifier's cost; a real N = 1024 batch circuit is far beyond
what this machine can key.
"""

from __future__ import annotations

import random
import sys
import warnings

import boa

from offchain.rollup import encoding as enc
from offchain.rollup.params import OP_TRANSFER, R
from offchain.snark.prover import prove
from offchain.snark.r1cs import Circuit
from offchain.snark.setup import InsecureSetupWarning, dev_setup
from offchain.snark.vyper_verifier import generate_vyper_verifier, proof_calldata
from offchain.state.smt import zero_hashes

ACCOUNT_DEPTH, TOKEN_DEPTH = 24, 8


def _calldata_gas(data: bytes) -> int:
    return sum(16 if b else 4 for b in data)


def _stand_in():
    c = Circuit("gas_stand_in")
    x = c.public_input("x")
    w = c.private_input("w")
    c.enforce(w, 1, x, "w * 1 == x")
    r1cs = c.compile()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureSetupWarning)
        pk, vk = dev_setup(r1cs, seed="gas-bench")
    verifier = boa.loads(generate_vyper_verifier(vk), name="StandInVerifier")

    def proof_for(value: int):
        wit = c.witness({"x": value, "w": value})
        a, b, cc, _ = proof_calldata(prove(pk, r1cs, wit, rng=random.Random(1)), [value])
        return (a, b, cc)

    return verifier, proof_for


def _tx_gas(contract, fn_name: str, *args) -> int:
    fn = getattr(contract, fn_name)
    calldata = fn.prepare_calldata(*args)
    getattr(contract, fn_name)(*args)
    return 21_000 + _calldata_gas(calldata) + contract._computation.get_gas_used()


def measure(slots: int, verifier, proof_for) -> dict[str, float]:
    """Commit + prove + execute gas of one all-transfer batch of ``slots`` ops."""
    source = "contracts/Rollup.vy"
    sequencer = boa.env.generate_address()
    genesis = zero_hashes(ACCOUNT_DEPTH)[ACCOUNT_DEPTH]
    rollup = boa.load(
        source,
        verifier.address,
        verifier.address,
        genesis,
        slots,
        ACCOUNT_DEPTH,
        TOKEN_DEPTH,
        3 * 86_400,
        sequencer,
    )
    rng = random.Random(slots)
    pubdata = b"".join(
        enc.encode_slot(
            OP_TRANSFER,
            account=rng.randrange(1, 1 << 20),
            to=rng.randrange(1, 1 << 20),
            token=rng.randrange(4),
            amount=rng.randrange(10**15, 10**19),
        )
        for _ in range(slots)
    )
    new_root = rng.randrange(R)
    header = (1, genesis, new_root, bytes(32), bytes(32))
    commitment = enc.batch_commitment(genesis, new_root, bytes(32), bytes(32), pubdata)
    with boa.env.prank(sequencer):
        commit = _tx_gas(rollup, "commit_batch", header, pubdata)
        prove_gas = _tx_gas(rollup, "prove_batch", 1, proof_for(commitment))
        execute = _tx_gas(rollup, "execute_batch", 1, [])
    total = commit + prove_gas + execute
    return {
        "slots": slots,
        "commit": commit,
        "prove": prove_gas,
        "execute": execute,
        "per_transfer": total / slots,
        "calldata_per_transfer": _calldata_gas(pubdata) / slots,
    }


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [64, 256, 1024]
    verifier, proof_for = _stand_in()
    print(
        "| slots N | commit | prove | execute | L1 gas per transfer | of which pubdata calldata |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        m = measure(n, verifier, proof_for)
        print(
            f"| {n} | {m['commit']:,} | {m['prove']:,} | {m['execute']:,} | "
            f"{m['per_transfer']:,.0f} | {m['calldata_per_transfer']:,.0f} |"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
