pragma circom 2.0.0;

// Test circuit for the Vyper Groth16 verifier: THREE public signals, in snarkjs order
// [out, a, b] (outputs first, then public inputs). Statement: "I know w with
// out = (a·w)·b + w". a = 0 gives a zero public input in the middle of the vector.
template VyperN3() {
    signal input a;  // public
    signal input b;  // public
    signal input w;
    signal output out;
    signal t;
    t <== a * w;
    out <== t * b + w;
}

component main {public [a, b]} = VyperN3();
