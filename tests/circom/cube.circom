pragma circom 2.0.0;

// x³ + x + 5 == out, with x private: the classic smallest Groth16 example.
template Cube() {
    signal input x;
    signal output out;
    signal x2;
    x2 <== x * x;
    out <== x2 * x + x + 5;
}

component main = Cube();
