// BLAKE-512 oracle: the npm `blake-hash` package (the one circomlibjs uses for EdDSA key derivation).
//
// Request on stdin (JSON): {"inputs": ["<hex>", ...]}
// Reply on stdout (JSON):  {"digests": ["<hex>", ...], "digests_js": ["<hex>", ...]}
//   `digests` comes from `require("blake-hash")` exactly as circomlibjs loads it (the native
//   addon when it is built, otherwise the pure-JS build); `digests_js` always from the pure-JS
//   build, so a test also sees both of the package's implementations agree.

const blakeHash = require("blake-hash");
const blakeHashJs = require("blake-hash/js");

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
    const digests = [];
    const digestsJs = [];
    for (const hex of req.inputs) {
        const buf = Buffer.from(hex, "hex");
        digests.push(blakeHash("blake512").update(buf).digest("hex"));
        digestsJs.push(blakeHashJs("blake512").update(buf).digest("hex"));
    }
    process.stdout.write(JSON.stringify({ digests, digests_js: digestsJs }));
}

main().catch((e) => {
    console.error(e && e.stack ? e.stack : e);
    process.exit(1);
});
