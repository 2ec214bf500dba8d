// EdDSA-Poseidon / Baby JubJub oracle: circomlibjs `eddsa` and `babyjub`.
//
// Request on stdin (JSON, big integers as decimal strings, bytes as hex):
//   {"ops": [op, ...]} with each op one of
//     {"op": "prv2pub", "prv": "<hex>"}                          -> ["Ax", "Ay"]
//     {"op": "sign", "prv": "<hex>", "msg": "m"}                  -> ["R8x", "R8y", "S"]
//     {"op": "verify", "pub": ["x","y"], "msg": "m", "sig": ["R8x","R8y","S"]} -> true/false
//     {"op": "pack", "point": ["x","y"]}                          -> "<hex>"
//     {"op": "unpack", "packed": "<hex>"}                         -> ["x","y"] or null
//     {"op": "in_subgroup", "point": ["x","y"]}                   -> true/false
//     {"op": "mul", "point": ["x","y"], "e": "k"}                 -> ["x","y"]
// Reply on stdout (JSON): {"results": [result, ...]} in request order.

const { buildEddsa, buildBabyjub } = require("circomlibjs");

function readStdin() {
    return new Promise((resolve) => {
        let data = "";
        process.stdin.setEncoding("utf8");
        process.stdin.on("data", (c) => (data += c));
        process.stdin.on("end", () => resolve(data));
    });
}

async function main() {
    const req = JSON.parse(await readStdin());
    const eddsa = await buildEddsa();
    const babyJub = await buildBabyjub();
    const F = babyJub.F;
    const point = (p) => [F.e(BigInt(p[0])), F.e(BigInt(p[1]))];
    const out = (p) => [F.toObject(p[0]).toString(), F.toObject(p[1]).toString()];

    const results = req.ops.map((op) => {
        switch (op.op) {
            case "prv2pub":
                return out(eddsa.prv2pub(Buffer.from(op.prv, "hex")));
            case "sign": {
                const sig = eddsa.signPoseidon(Buffer.from(op.prv, "hex"), F.e(BigInt(op.msg)));
                return [...out(sig.R8), sig.S.toString()];
            }
            case "verify": {
                const sig = { R8: point(op.sig), S: BigInt(op.sig[2]) };
                return eddsa.verifyPoseidon(F.e(BigInt(op.msg)), sig, point(op.pub));
            }
            case "pack":
                return Buffer.from(babyJub.packPoint(point(op.point))).toString("hex");
            case "unpack": {
                const p = babyJub.unpackPoint(Buffer.from(op.packed, "hex"));
                return p === null ? null : out(p);
            }
            case "in_subgroup":
                return babyJub.inSubgroup(point(op.point));
            case "mul":
                return out(babyJub.mulPointEscalar(point(op.point), BigInt(op.e)));
            default:
                throw new Error(`unknown op ${op.op}`);
        }
    });
    process.stdout.write(JSON.stringify({ results }));
}

main()
    .then(() => process.exit(0)) // circomlibjs keeps worker threads alive; end explicitly
    .catch((e) => {
        console.error(e && e.stack ? e.stack : e);
        process.exit(1);
    });
