"""Groth16 prover benchmark: our prover vs snarkjs 0.7.6 on the same circuit and witness, same run.

Circuit: a chain of Poseidon(2) gadgets (``offchain.snark.gadgets.poseidon``, 240 constraints
each, identical to circomlib's ``Poseidon(2)``): ``x_{i+1} = Poseidon(x_i, k)`` with ``x_0``
public, ``k`` private and the last hash exposed, sized to just under 2^K constraints (so the QAP
domain is 2^K on both sides). Built once with our builder, written as ``circuit.r1cs`` +
``witness.wtns``; both provers read those same artefacts' content.

Per size:

- **ours**: ``dev_setup`` keys for the R1CS, one warm-up proof, then ``prove_timed`` best of 2;
  the proof is checked with our verifier.
- **snarkjs**: the same keys written as a ``.zkey`` by :func:`offchain.snark.zkey_file.write_zkey`
  (snarkjs's own ``zkey export verificationkey`` must give our verifying key back); then (a)
  ``snarkjs groth16 prove circuit.zkey witness.wtns …`` as a CLI, wall time of the node process,
  best of 2 — this includes node startup and reading/parsing the zkey; (b)
  ``snarkjs.groth16.prove`` called in one node process on in-memory zkey/witness buffers
  (``bench/js/snarkjs_prove_peer.js``), best of 3 — closer to prover-only time (still parses the
  zkey each call). Its proof is checked with ``snarkjs groth16 verify`` and with our verifier, and
  its public signals must equal ours. snarkjs's prover does the same work for a key of the same
  shape whoever made it; using ours skips snarkjs's ``groth16 setup`` (≈20 min at 2^16, ≈80 min
  at 2^18 on two shared cores), which is not part of what is compared.

Run: ``python -m bench.prover [quick|full] [K ...]`` (quick: 2^12; full: 2^16 and 2^18; K …
overrides the sizes). Writes ``bench/out/prover-<profile>[-kK…].md``. Set ``NUMBA_NUM_THREADS``
as for the other benchmarks.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from bench.common import REPO_ROOT, fmt, machine_description, node_peer

SIZES = {"quick": [12], "full": [16, 18]}
OUT_DIR = REPO_ROOT / "bench" / "out"
SNARKJS = REPO_ROOT / "node_modules" / "snarkjs" / "build" / "cli.cjs"
POSEIDON2_CONSTRAINTS = 240


@dataclass
class ProverRow:
    """One circuit size: our timings split, and snarkjs's two figures."""

    log_domain: int
    n_constraints: int
    n_hashes: int
    ours_total_s: float
    witness_s: float
    qap_s: float
    ntt_s: float
    msm_s: float
    assemble_s: float
    snarkjs_cli_s: float
    snarkjs_inproc_s: float
    snarkjs_read_s: float


def _node() -> str:
    node = shutil.which("node")
    if node is None or not SNARKJS.exists():
        raise RuntimeError("the prover benchmark needs node and `make setup` (snarkjs)")
    return node


def _snarkjs(*args: str, cwd: Path, timeout_s: float = 3600) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [_node(), str(SNARKJS), *args], cwd=cwd, capture_output=True, text=True, timeout=timeout_s
    )
    if proc.returncode != 0:
        raise RuntimeError(f"snarkjs {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


def _log(msg: str) -> None:
    print(f"[bench prover] {msg}", file=sys.stderr, flush=True)


def poseidon_chain(log_domain: int):
    """The benchmark circuit for a 2^log_domain QAP domain: (circuit, r1cs, witness, n_hashes)."""
    from offchain.snark.gadgets.poseidon import poseidon_gadget
    from offchain.snark.r1cs import Circuit

    # Our QAP (and snarkjs's) needs n_constraints + n_public + 1 rows; 2 public signals.
    n_hashes = max(1, ((1 << log_domain) - 3) // POSEIDON2_CONSTRAINTS)
    c = Circuit(f"poseidon-chain-{n_hashes}")
    x = c.public_input("x0")
    k = c.private_input("k")
    for i in range(n_hashes):
        x = poseidon_gadget(c, [x, k], name=f"h{i}")
    c.expose(x, "out")
    r1cs = c.compile()
    witness = c.witness({"x0": 1, "k": 2})
    return c, r1cs, witness, n_hashes


def bench_size(log_domain: int, work: Path) -> ProverRow:
    """Prove one Poseidon-chain circuit with both provers; check both proofs verify."""
    from offchain.snark.prover import prove_timed
    from offchain.snark.qap import compile_qap
    from offchain.snark.r1cs_file import write_r1cs
    from offchain.snark.setup import InsecureSetupWarning, dev_setup
    from offchain.snark.snarkjs_json import read_proof, read_public, read_vk
    from offchain.snark.verifier import verify
    from offchain.snark.wtns_file import write_wtns
    from offchain.snark.zkey_file import write_zkey

    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    _, r1cs, witness, n_hashes = poseidon_chain(log_domain)
    _log(
        f"2^{log_domain}: {r1cs.n_constraints} constraints ({n_hashes} Poseidon(2)), "
        f"built + witness in {time.perf_counter() - t0:.1f}s"
    )
    domain = compile_qap(r1cs).domain_size
    if domain != 1 << log_domain:
        raise AssertionError(f"bench: domain {domain} is not 2^{log_domain}")
    write_r1cs(work / "circuit.r1cs", r1cs, n_outputs=1)
    write_wtns(work / "witness.wtns", witness)
    public = r1cs.public_signals(witness)

    # ---- ours
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureSetupWarning)
        t0 = time.perf_counter()
        pk, vk = dev_setup(r1cs, seed=f"bench-{log_domain}")
    _log(f"2^{log_domain}: dev_setup {time.perf_counter() - t0:.1f}s; proving (warm-up + 2)")
    prove_timed(pk, r1cs, witness)  # warm-up: numba compilation and caches stay out of the figure
    best = None
    for _ in range(2):
        proof, timings = prove_timed(pk, r1cs, witness)
        if best is None or timings.total_s < best.total_s:
            best = timings
        if not verify(vk, public, proof):
            raise AssertionError("bench: our proof does not verify")
    assert best is not None
    _log(f"2^{log_domain}: ours {best.summary()}")

    # ---- snarkjs, proving with the same keys written as a .zkey (offchain.snark.zkey_file): its
    # prover reads only the header, coefficients and point sections, which have the same sizes
    # whoever made them, so the timing is the one a snarkjs-made key gives (checked at 2^16:
    # docs/benchmarks.md) — without snarkjs's setup, ≈80 min at 2^18 on two shared cores.
    t0 = time.perf_counter()
    write_zkey(work / "circuit.zkey", pk, vk, r1cs)
    _snarkjs("zkey", "export", "verificationkey", "circuit.zkey", "vk.json", cwd=work)
    if read_vk(work / "vk.json") != vk:
        raise AssertionError("bench: snarkjs exports a different verifying key from our zkey")
    _log(
        f"2^{log_domain}: zkey written + vk exported by snarkjs in {time.perf_counter() - t0:.1f}s"
    )
    cli_best = float("inf")
    for _ in range(2):
        t0 = time.perf_counter()
        _snarkjs(
            "groth16", "prove", "circuit.zkey", "witness.wtns", "proof.json", "public.json",
            cwd=work,
        )  # fmt: skip
        cli_best = min(cli_best, time.perf_counter() - t0)
    _snarkjs("groth16", "verify", "vk.json", "public.json", "proof.json", cwd=work)
    if read_public(work / "public.json") != public:
        raise AssertionError("bench: snarkjs's public signals differ from ours")
    # Cross-check: snarkjs's proof also verifies under our verifier with its vk.
    if not verify(read_vk(work / "vk.json"), public, read_proof(work / "proof.json")):
        raise AssertionError("bench: our verifier rejects snarkjs's proof")
    reply = node_peer(
        "snarkjs_prove_peer.js",
        {"zkey": str(work / "circuit.zkey"), "wtns": str(work / "witness.wtns"), "reps": 3},
        timeout_s=3600,
    )
    if [int(s) for s in reply["publicSignals"]] != public:
        raise AssertionError("bench: in-process snarkjs public signals differ from ours")
    inproc = min(reply["ms"]) / 1e3
    _log(f"2^{log_domain}: snarkjs CLI {cli_best:.2f}s, in-process {inproc:.2f}s")
    return ProverRow(
        log_domain, r1cs.n_constraints, n_hashes, best.total_s, best.witness_check_s,
        best.qap_eval_s, best.ntt_s, best.msm_s, best.assemble_s, cli_best, inproc,
        reply["read_ms"] / 1e3,
    )  # fmt: skip


def markdown(rows: list[ProverRow]) -> str:
    """The results table: ours (with split) vs snarkjs CLI and in-process; ratio > 1 = ours faster."""
    lines = [
        "| constraints (domain) | ours total | ours constraints/s | ours split: witness check / "
        "QAP eval / NTT / MSM / assemble | snarkjs CLI (wall) | snarkjs in-process | "
        "snarkjs in-process constraints/s | ours vs CLI | ours vs in-process |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        split = " / ".join(
            f"{fmt(x)}" for x in (r.witness_s, r.qap_s, r.ntt_s, r.msm_s, r.assemble_s)
        )
        lines.append(
            f"| {r.n_constraints:,} (2^{r.log_domain}, {r.n_hashes} × Poseidon(2)) "
            f"| {fmt(r.ours_total_s)} s | {r.n_constraints / r.ours_total_s:,.0f} "
            f"| {split} s | {fmt(r.snarkjs_cli_s)} s "
            f"| {fmt(r.snarkjs_inproc_s)} s | {r.n_constraints / r.snarkjs_inproc_s:,.0f} "
            f"| {r.snarkjs_cli_s / r.ours_total_s:.2f}× "
            f"| {r.snarkjs_inproc_s / r.ours_total_s:.2f}× |"
        )
    return "\n".join(lines)


NOTE = (
    "Circuit: a chain of Poseidon(2) gadgets built with our R1CS builder, written as `.r1cs` + "
    "`.wtns` for snarkjs. Ours: `prove_timed` on `dev_setup` keys, best of 2 after a warm-up; "
    '"witness check" is checking every constraint (the witness itself is computed beforehand, '
    "as snarkjs's is by `wtns calculate`). snarkjs proves with the same keys, written as a "
    "`.zkey` by `offchain.snark.zkey_file.write_zkey` (snarkjs's `zkey export verificationkey` "
    "gives our verifying key back). snarkjs CLI: wall time of `snarkjs groth16 prove "
    "circuit.zkey witness.wtns proof.json public.json`, best of 2 — **includes node startup and "
    "reading + parsing the zkey from disk**. snarkjs in-process: `snarkjs.groth16.prove` on "
    "in-memory zkey/witness buffers in one node process, best of 3 (the first call also builds "
    "the wasm curve) — excludes node startup and disk reads, still includes zkey parsing. "
    "All proofs verified (ours with our verifier; snarkjs's with `snarkjs groth16 verify` and "
    "ours). Ratio = snarkjs time / our time (> 1: ours faster)."
)


def run(profile: str = "full", out: Path | None = None, sizes: list[int] | None = None) -> str:
    """Run the sizes of ``profile`` (or ``sizes``) and return (and optionally write) the report."""
    if profile not in SIZES:
        raise ValueError(f"bench: unknown profile {profile!r} (choose from {sorted(SIZES)})")
    sizes = sizes or SIZES[profile]
    header = f"Machine: {machine_description()}\n\nProfile: `{profile}`, sizes 2^{sizes}.\n\n"
    rows = []
    for k in sizes:
        rows.append(bench_size(k, OUT_DIR / "prover-work" / f"k{k}"))
        # Write after every size so a long full run leaves its finished rows behind.
        report = f"{header}{markdown(rows)}\n\n{NOTE}\n"
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(report)
    return report


def main() -> None:
    """Entry point for ``python -m bench.prover [quick|full] [K ...]`` (K: override the sizes)."""
    args = sys.argv[1:]
    profile = args[0] if args else "full"
    sizes = [int(a) for a in args[1:]]
    name = f"prover-{profile}" + "".join(f"-k{k}" for k in sizes)
    print(run(profile, OUT_DIR / f"{name}.md", sizes or None))


if __name__ == "__main__":
    main()
