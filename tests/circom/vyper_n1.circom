pragma circom 2.0.0;

// Test circuit for the Vyper Groth16 verifier: ONE public input, like the Rollup's batch
// commitment. Statement: "I know w, v with x = (w·v)·w + v". w = v = 0 gives x = 0, which the
// tests use to tell `pubSignals[i] >= r` from `> r` (a planted off-by-one).
template VyperN1() {
    signal input x;  // public
    signal input w;
    signal input v;
    signal t;
    t <== w * v;
    x === t * w + v;
}

component main {public [x]} = VyperN1();
