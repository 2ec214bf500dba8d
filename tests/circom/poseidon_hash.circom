pragma circom 2.0.0;

// Poseidon(a, b) from circomlib, with `a` public too: public signals are [out, a].
// The test copies circomlib's poseidon.circom and poseidon_constants.circom beside this file
// (circom2's wasm sandbox cannot follow `..` includes).
include "poseidon.circom";

template PoseidonHash() {
    signal input a;
    signal input b;
    signal output out;
    component h = Poseidon(2);
    h.inputs[0] <== a;
    h.inputs[1] <== b;
    out <== h.out;
}

component main {public [a]} = PoseidonHash();
