// Benchmark peer: snarkjs's own Groth16 prover, timed inside one node process, so the figure
// excludes node startup and reading the files from disk (the CLI's wall time includes both; the
// harness reports that too). The zkey and witness are read into memory once; every repetition
// then runs snarkjs.groth16.prove on the in-memory buffers (which still parses the zkey).
// Request (JSON on stdin): {zkey: path, wtns: path, reps: int}
// Reply: {ms: [per-rep prove ms], read_ms, proof, publicSignals} (proof of the last rep).
import { readFileSync } from "node:fs";
import * as snarkjs from "snarkjs";

const req = JSON.parse(readFileSync(0, "utf8"));
const t0 = process.hrtime.bigint();
const zkey = { type: "mem", data: new Uint8Array(readFileSync(req.zkey)) };
const wtns = { type: "mem", data: new Uint8Array(readFileSync(req.wtns)) };
const readMs = Number(process.hrtime.bigint() - t0) / 1e6;
const times = [];
let out = null;
for (let i = 0; i < req.reps; i++) {
  const t = process.hrtime.bigint();
  out = await snarkjs.groth16.prove(zkey, wtns);
  times.push(Number(process.hrtime.bigint() - t) / 1e6);
}
process.stdout.write(
  JSON.stringify({ ms: times, read_ms: readMs, proof: out.proof, publicSignals: out.publicSignals }),
);
// snarkjs keeps the curve's worker threads alive; end explicitly once the reply is written.
process.exit(0);
