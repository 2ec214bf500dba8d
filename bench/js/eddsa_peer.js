// Benchmark peer: circomlibjs verifyPoseidon (wasm field arithmetic, one thread) on the same
// signatures our batch verifier gets. Request: {pubs: [[x,y]...], msgs: [m...], sigs: [[R8x,R8y,S]...]}
// Reply: {seconds, valid: [bool...]} so the harness can check both sides agree.
const { buildEddsa } = require("circomlibjs");

async function main() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  const req = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const eddsa = await buildEddsa();
  const F = eddsa.babyJub.F;
  const point = (p) => [F.e(BigInt(p[0])), F.e(BigInt(p[1]))];
  const items = req.sigs.map((s, i) => ({
    msg: F.e(BigInt(req.msgs[i])),
    sig: { R8: point(s), S: BigInt(s[2]) },
    pub: point(req.pubs[i]),
  }));
  const t0 = process.hrtime.bigint();
  const valid = items.map((it) => eddsa.verifyPoseidon(it.msg, it.sig, it.pub));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(JSON.stringify({ seconds, valid }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
