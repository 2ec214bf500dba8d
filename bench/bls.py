"""BLS (BN254) throughput of the FastFinality operator stack (offchain/operator/bls.py).

Run: ``uv run --frozen python -m bench.bls [N]`` (N signatures to aggregate, default 64).

- sign: ``bls.sign_header`` = hash-to-G1 (keccak + modular square roots in Python) + one G1
  scalar multiplication with our numba curve code (offchain/crypto/bn254.py);
- aggregate: ``bls.aggregate_g1`` of N signatures (G1 additions, numba) and ``aggregate_g2`` of the
  N G2 keys (G2 additions), what the aggregator does per certificate;
- verify: ``bls.verify_header``, one two-pair pairing product with py-ecc (pure Python), what the
  aggregator does once per certificate (and per attestation only when the aggregate fails);
- certify args: ``Aggregator.certificate`` for N operators, N/4 of them non-signers (aggregates,
  one verification, the chord slopes and the hash-to-G1 hint).

Every figure is the best of a few repetitions after a warm-up call (numba compiles on first use).
"""

from __future__ import annotations

import sys

from bench.common import best_of, machine_description
from offchain.operator import bls
from offchain.operator.aggregator import Aggregator, RegisteredOperator
from offchain.operator.node import Attestation

DOMAIN = bls.Domain(1, "0x" + "11" * 20)
ROLLUP = "0x" + "33" * 20


def main(n: int = 64) -> None:
    keys = [bls.keygen(i.to_bytes(32, "big")) for i in range(1, n + 1)]
    headers = [bls.Header(ROLLUP, b, 0x1234 + b) for b in range(1, 9)]
    header = headers[0]

    signs = 16
    t_sign = best_of(lambda: [bls.sign_header(keys[0].sk, h, DOMAIN) for h in headers * 2])
    sigs = [bls.sign_header(k.sk, header, DOMAIN) for k in keys]
    t_agg1 = best_of(lambda: bls.aggregate_g1(sigs))
    t_agg2 = best_of(lambda: bls.aggregate_g2(k.pk2 for k in keys))
    sigma = bls.aggregate_g1(sigs)
    apk2 = bls.aggregate_g2(k.pk2 for k in keys)
    assert bls.verify_header(apk2, header, DOMAIN, sigma)
    t_verify = best_of(lambda: bls.verify_header(apk2, header, DOMAIN, sigma), reps=3)

    addresses = ["0x" + f"{i:040x}" for i in range(1, n + 1)]
    registry = {
        a: RegisteredOperator(a, k.pk1, k.pk2, 100) for a, k in zip(addresses, keys, strict=True)
    }

    def certificate():
        agg = Aggregator(DOMAIN, dict(registry), (2, 3), 1)
        for a, sig in list(zip(addresses, sigs, strict=True))[: n - n // 4]:
            agg.add(Attestation(a, header, sig))
        return agg.certificate(header)

    t_cert = best_of(certificate, reps=2)

    print(f"# BLS (BN254) operator stack — {machine_description()}")
    print("| operation | time | throughput |")
    print("| --- | ---: | ---: |")
    print(
        f"| sign a header (hash-to-G1 + G1 mul) | {t_sign / signs * 1e3:.2f} ms | "
        f"{signs / t_sign:,.0f} signatures/s |"
    )
    print(
        f"| aggregate {n} signatures (G1 adds) | {t_agg1 * 1e3:.2f} ms | "
        f"{n / t_agg1:,.0f} signatures/s |"
    )
    print(f"| aggregate {n} G2 keys (G2 adds) | {t_agg2 * 1e3:.2f} ms | {n / t_agg2:,.0f} keys/s |")
    print(
        f"| verify an aggregate (py-ecc pairing, 2 pairs) | {t_verify * 1e3:.0f} ms | "
        f"{1 / t_verify:.2f} verifications/s |"
    )
    print(f"| certify args, {n} operators, {n // 4} non-signers | {t_cert * 1e3:.0f} ms | |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 64)
