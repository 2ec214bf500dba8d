// MSM oracle and benchmark peer: ffjavascript's BN254 `multiExpAffine` (WASM, worker threads).
//
// Request on stdin (JSON, big integers as decimal strings):
//   {"op": "msm", "group": "G1"|"G2", "points": [...], "scalars": ["..."]}
//       G1 point: ["x", "y"]; G2 point: [["x.c0","x.c1"], ["y.c0","y.c1"]]; infinity: null.
//       Reply: {"result": <affine point in the same shape, or null for infinity>}
//   {"op": "bench", "group": "G1"|"G2", "log_n": 16, "reps": 5, "single_thread": false}
//       Random bases and scalars generated here (multiExp cost does not depend on the bases' origin).
//       ffjavascript uses one worker per CPU unless single_thread is set.
//       Reply: {"n": ..., "threads": ..., "times_s": [...], "best_s": ...}
// Reply on stdout (JSON).

const ffj = require("ffjavascript");

function readStdin() {
    return new Promise((resolve) => {
        let data = "";
        process.stdin.setEncoding("utf8");
        process.stdin.on("data", (c) => (data += c));
        process.stdin.on("end", () => resolve(data));
    });
}

function randomScalarLE(n8) {
    const b = new Uint8Array(n8);
    for (let i = 0; i < n8; i++) b[i] = Math.floor(Math.random() * 256);
    b[n8 - 1] &= 0x1f; // keep below 2^253 < r
    return b;
}

function scalarToLE(s, n8) {
    let v = BigInt(s);
    const b = new Uint8Array(n8);
    for (let i = 0; i < n8; i++) {
        b[i] = Number(v & 0xffn);
        v >>= 8n;
    }
    return b;
}

// ffjavascript's fromObject wants BigInts (decimal strings are silently misread).
function big(v) {
    return Array.isArray(v) ? v.map(big) : BigInt(v);
}

async function msm(curve, req) {
    const G = curve[req.group];
    const sG = G.F.n8 * 2;
    const n = req.points.length;
    const bases = new Uint8Array(n * sG);
    for (let i = 0; i < n; i++) {
        const p = req.points[i];
        const a = p === null ? G.zeroAffine : G.fromObject([big(p[0]), big(p[1])]);
        bases.set(a, i * sG);
    }
    const n8r = curve.Fr.n8;
    const scalars = new Uint8Array(n * n8r);
    for (let i = 0; i < n; i++) scalars.set(scalarToLE(req.scalars[i], n8r), i * n8r);
    const r = await G.multiExpAffine(bases, scalars);
    if (G.isZero(r)) return { result: null };
    const obj = G.toObject(G.toAffine(r));
    const conv = (v) => (Array.isArray(v) ? v.map((c) => c.toString()) : v.toString());
    return { result: [conv(obj[0]), conv(obj[1])] };
}

async function bench(curve, req) {
    const G = curve[req.group];
    const sG = G.F.n8 * 2;
    const n = 1 << req.log_n;
    const n8r = curve.Fr.n8;
    // Bases: a random walk P_i = P_{i-1} + H (cheap to generate, all distinct, all in the group).
    const H = G.timesScalar(G.g, randomScalarLE(n8r));
    let P = G.timesScalar(G.g, randomScalarLE(n8r));
    const bases = new Uint8Array(n * sG);
    for (let i = 0; i < n; i++) {
        bases.set(G.toAffine(P), i * sG);
        P = G.add(P, H);
    }
    const scalars = new Uint8Array(n * n8r);
    for (let i = 0; i < n; i++) scalars.set(randomScalarLE(n8r), i * n8r);
    await G.multiExpAffine(bases, scalars); // warm-up (threads, wasm tiers)
    const times = [];
    for (let k = 0; k < (req.reps || 5); k++) {
        const t0 = process.hrtime.bigint();
        await G.multiExpAffine(bases, scalars);
        times.push(Number(process.hrtime.bigint() - t0) / 1e9);
    }
    const threads = req.single_thread ? 1 : curve.tm.concurrency;
    return { n, threads, times_s: times, best_s: Math.min(...times) };
}

async function main() {
    const req = JSON.parse(await readStdin());
    const curve = await ffj.buildBn128(Boolean(req.single_thread));
    let reply;
    try {
        if (req.op === "msm") reply = await msm(curve, req);
        else if (req.op === "bench") reply = await bench(curve, req);
        else throw new Error(`unknown op ${req.op}`);
    } finally {
        await curve.terminate();
    }
    process.stdout.write(JSON.stringify(reply));
}

main().catch((e) => {
    process.stderr.write(String(e && e.stack ? e.stack : e));
    process.exit(1);
});
