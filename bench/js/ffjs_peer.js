// Benchmark peer: times snarkjs's arithmetic engine (ffjavascript, wasm + worker threads) on the
// exact inputs our numba code gets, and returns its result so the harness can check both agree.
// Request (JSON on stdin): {op: "msm_g1" | "msm_g2" | "fft", bases?: path, scalars?: path,
//                           values?: path, reps: int}
// Bases are affine points as little-endian Montgomery limbs (ffjavascript's "LEM" layout, which is
// our (N, 2, 4) / (N, 2, 2, 4) uint64 layout byte for byte); scalars are 32-byte little-endian
// standard form; FFT values are 32-byte LEM Fr elements.
import { readFileSync } from "node:fs";
import { buildBn128 } from "ffjavascript";

const req = JSON.parse(readFileSync(0, "utf8"));
const curve = await buildBn128();
const times = [];
let result = null;

function toDec(obj) {
  if (Array.isArray(obj)) return obj.map(toDec);
  return obj.toString();
}

if (req.op === "msm_g1" || req.op === "msm_g2") {
  const G = req.op === "msm_g1" ? curve.G1 : curve.G2;
  const bases = new Uint8Array(readFileSync(req.bases));
  const scalars = new Uint8Array(readFileSync(req.scalars));
  for (let i = 0; i < req.reps; i++) {
    const t0 = process.hrtime.bigint();
    const r = await G.multiExpAffine(bases, scalars);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    result = toDec(G.toObject(G.toAffine(r)));
  }
} else if (req.op === "fft") {
  const values = new Uint8Array(readFileSync(req.values));
  for (let i = 0; i < req.reps; i++) {
    const t0 = process.hrtime.bigint();
    await curve.Fr.fft(values);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
} else {
  throw new Error(`unknown op ${req.op}`);
}
await curve.terminate();
process.stdout.write(JSON.stringify({ ms: times, result }));
