// Poseidon oracle: circomlibjs's `poseidon` (the WASM build every circom user calls) and its pure-JS
// reference implementation, plus the constants circomlibjs ships.
//
// Request on stdin (JSON):
//   {"inputs": [["<decimal>", ...], ...],   // each row 1..16 field elements
//    "reference": true|false,                // also hash with buildPoseidonReference (slower)
//    "constants_for": [t, ...]}              // optional: widths whose shipped C and M to return
// Reply on stdout (JSON):
//   {"hashes": ["<decimal>", ...],           // buildPoseidon (WASM)
//    "hashes_reference": ["<decimal>", ...], // only when "reference" is true
//    "constants": {"<t>": {"C": ["0x..", ...], "M": [["0x..", ...], ...]}}}
//   C is flat, round r element i at index r*t + i; M is applied as new[i] = sum_j M[i][j]*s[j].

const fs = require("fs");
const path = require("path");
const { buildPoseidon, buildPoseidonReference } = require("circomlibjs");

function readStdin() {
    return new Promise((resolve) => {
        let data = "";
        process.stdin.setEncoding("utf8");
        process.stdin.on("data", (c) => (data += c));
        process.stdin.on("end", () => resolve(data));
    });
}

function shippedConstants() {
    // The package's "exports" map hides src/, so locate the file next to the CJS build.
    const main = require.resolve("circomlibjs");
    const file = path.join(path.dirname(main), "..", "src", "poseidon_constants.json");
    return JSON.parse(fs.readFileSync(file, "utf8"));
}

async function main() {
    const req = JSON.parse(await readStdin());
    const reply = {};
    const rows = (req.inputs || []).map((row) => row.map((x) => BigInt(x)));

    const poseidon = await buildPoseidon();
    reply.hashes = rows.map((row) => poseidon.F.toString(poseidon(row), 10));

    if (req.reference) {
        const reference = await buildPoseidonReference();
        reply.hashes_reference = rows.map((row) => reference.F.toString(reference(row), 10));
    }

    if (req.constants_for) {
        const shipped = shippedConstants();
        reply.constants = {};
        for (const t of req.constants_for) {
            reply.constants[String(t)] = { C: shipped.C[t - 2], M: shipped.M[t - 2] };
        }
    }
    return JSON.stringify(reply);
}

main().then(
    // ffjavascript keeps worker threads alive: exit explicitly once stdout is flushed.
    (out) => process.stdout.write(out, () => process.exit(0)),
    (e) => {
        console.error(e && e.stack ? e.stack : e);
        process.exit(1);
    },
);
