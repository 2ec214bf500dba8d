"""Groth16 end to end: dev setup → prove → verify, against independent references.

- The proof and the keys of a tiny circuit are recomputed "by the textbook" with Python ints:
  naive Lagrange products, polynomial long division by Z, py-ecc scalar multiplication — sharing
  no code with the numba prover, the QAP module or the setup.
- Every accepted proof is re-checked with the pairing equation written out directly with py-ecc.
- Tampering (each coordinate, each public input, swapped or shifted points, a proof for other
  inputs) is rejected: malformed input → ValueError, a well-formed wrong proof → False.
- The prover refuses witnesses that do not satisfy the circuit.
"""

from __future__ import annotations

import random
import warnings

import pytest
from py_ecc import optimized_bn128 as ecc
from py_ecc.fields import optimized_bn128_FQ as FQ
from py_ecc.fields import optimized_bn128_FQ2 as FQ2

from offchain.crypto.bn254 import G1_GENERATOR, G2_GENERATOR, g1_add, g1_neg, g2_add
from offchain.snark.keys import Proof, ProvingKey, VerifyingKey
from offchain.snark.prover import ProverTimings, prove, prove_timed, stderr_progress
from offchain.snark.qap import domain_size_for, r1cs_digest
from offchain.snark.r1cs import Circuit, R
from offchain.snark.setup import (
    InsecureSetupWarning,
    ToxicWaste,
    dev_keys_from_toxic_waste,
    dev_setup,
)
from offchain.snark.verifier import final_exponentiation, verify

pytestmark = pytest.mark.filterwarnings("ignore::offchain.snark.setup.InsecureSetupWarning")

Q = ecc.field_modulus


# ---------------------------------------------------------------------------------------------
# Circuits
# ---------------------------------------------------------------------------------------------


def small_circuit() -> Circuit:
    """Public x, y, tag; private k, bit. out = (x·k)·(y + 3) + x; tag is in no constraint."""
    c = Circuit("small")
    x = c.public_input("x")
    y = c.public_input("y")
    c.public_input("tag")  # bound only by the QAP's public-binding rows
    k = c.private_input("k")
    bit = c.private_input("bit")
    c.assert_bool(bit)
    t = c.mul(x, k, name="t")
    u = c.mul(t, y + 3, name="u")
    c.expose(u + x + bit, "out")
    return c


def small_witness(c: Circuit, x: int = 3, y: int = 5, tag: int = 77, k: int = 11) -> list[int]:
    return c.witness({"x": x, "y": y, "tag": tag, "k": k, "bit": 1})


def chain_circuit(n: int) -> Circuit:
    """2n + 1 constraints: acc ← acc² · (acc + k) + i, n times; public x and the result."""
    c = Circuit(f"chain{n}")
    acc = c.public_input("x")
    k = c.private_input("k")
    for i in range(n):
        sq = c.mul(acc, acc, name=f"sq{i}")
        acc = c.mul(sq, acc + k, name=f"step{i}") + i
    c.expose(acc, "y")
    return c


@pytest.fixture(scope="module")
def small():
    c = small_circuit()
    r1cs = c.compile()
    pk, vk = dev_setup(r1cs, seed="test-groth16-small")
    w = small_witness(c)
    proof = prove(pk, r1cs, w, rng=random.Random(1))
    return c, r1cs, pk, vk, w, proof


# ---------------------------------------------------------------------------------------------
# Independent references
# ---------------------------------------------------------------------------------------------


def _e1(p):
    return (FQ.one(), FQ.one(), FQ.zero()) if p is None else (FQ(p[0]), FQ(p[1]), FQ.one())


def _e2(p):
    if p is None:
        return (FQ2.one(), FQ2.one(), FQ2.zero())
    return (FQ2(list(p[0])), FQ2(list(p[1])), FQ2.one())


def _aff1(pt):
    if pt[2] == FQ.zero():
        return None
    x, y = ecc.normalize(pt)
    return (int(x), int(y))


def _aff2(pt):
    if pt[2] == FQ2.zero():
        return None
    x, y = ecc.normalize(pt)
    return ((int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1])))


def _g1_times(k: int):
    return _aff1(ecc.multiply(ecc.G1, k % R))


def _g2_times(k: int):
    return _aff2(ecc.multiply(ecc.G2, k % R))


def reference_pairing_check(vk: VerifyingKey, public: list[int], proof: Proof) -> bool:
    """e(A, B) == e(α, β) · e(IC₀ + Σ xᵢ·ICᵢ, γ) · e(C, δ), four full py-ecc pairings."""
    vk_x = _e1(vk.ic[0])
    for x, p in zip(public, vk.ic[1:], strict=True):
        vk_x = ecc.add(vk_x, ecc.multiply(_e1(p), x))
    lhs = ecc.pairing(_e2(proof.b), _e1(proof.a))
    rhs = (
        ecc.pairing(_e2(vk.beta_2), _e1(vk.alpha_1))
        * ecc.pairing(_e2(vk.gamma_2), vk_x)
        * ecc.pairing(_e2(vk.delta_2), _e1(proof.c))
    )
    return lhs == rhs


def _poly_mul(a: list[int], b: list[int]) -> list[int]:
    out = [0] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            out[i + j] = (out[i + j] + x * y) % R
    return out


def _poly_eval(p: list[int], x: int) -> int:
    acc = 0
    for c in reversed(p):
        acc = (acc * x + c) % R
    return acc


def _interpolate(xs: list[int], ys: list[int]) -> list[int]:
    """Naive Lagrange interpolation to coefficients (O(n²) products)."""
    out = [0] * len(xs)
    for i, (xi, yi) in enumerate(zip(xs, ys, strict=True)):
        basis, denom = [1], 1
        for k, xk in enumerate(xs):
            if k != i:
                basis = _poly_mul(basis, [-xk % R, 1])
                denom = denom * (xi - xk) % R
        scale = yi * pow(denom, -1, R) % R
        for d, c in enumerate(basis):
            out[d] = (out[d] + c * scale) % R
    return out


def _lagrange_naive(points: list[int], i: int, tau: int) -> int:
    num, den = 1, 1
    for k, xk in enumerate(points):
        if k != i:
            num = num * (tau - xk) % R
            den = den * (points[i] - xk) % R
    return num * pow(den, -1, R) % R


def test_keys_and_proof_match_textbook_groth16():
    """Keys and proof of a tiny circuit equal a from-scratch Python-int Groth16 (snarkjs QAP)."""
    c = small_circuit()
    r1cs = c.compile()
    w = small_witness(c)
    waste = ToxicWaste(tau=123456789, alpha=1111, beta=2222, gamma=3333, delta=4444)
    pk, vk = dev_keys_from_toxic_waste(r1cs, waste)
    tau, al, be, ga, de = waste.tau, waste.alpha, waste.beta, waste.gamma, waste.delta

    # Rows: the constraints, then A[m+s][s] = 1 for s = 0..ℓ (snarkjs's public-binding rows).
    m, ell, nw = r1cs.n_constraints, r1cs.n_public, r1cs.n_wires
    rows_a = [dict(k.a) for k in r1cs.constraints] + [{s: 1} for s in range(ell + 1)]
    rows_b = [dict(k.b) for k in r1cs.constraints] + [{} for _ in range(ell + 1)]
    rows_c = [dict(k.c) for k in r1cs.constraints] + [{} for _ in range(ell + 1)]
    n = 1
    while n < m + ell + 1:
        n *= 2
    assert pk.domain_size == n == 16
    omega = pow(5, (R - 1) // n, R)
    dom = [pow(omega, i, R) for i in range(n)]
    lag = [_lagrange_naive(dom, i, tau) for i in range(n)]

    def at_tau(rows):
        out = [0] * nw
        for i, row in enumerate(rows):
            for j, coeff in row.items():
                out[j] = (out[j] + coeff * lag[i]) % R
        return out

    u, v, ww = at_tau(rows_a), at_tau(rows_b), at_tau(rows_c)
    kk = [(be * u[j] + al * v[j] + ww[j]) % R for j in range(nw)]
    gi, di = pow(ga, -1, R), pow(de, -1, R)

    # Key contents.
    assert pk.query_points("a_query") == [_g1_times(x) for x in u]
    assert pk.query_points("b1_query") == [_g1_times(x) for x in v]
    assert pk.query_points("l_query") == [_g1_times(kk[j] * di) for j in range(ell + 1, nw)]
    assert list(vk.ic) == [_g1_times(kk[j] * gi) for j in range(ell + 1)]
    dom2 = [pow(omega_2n := pow(5, (R - 1) // (2 * n), R), i, R) for i in range(2 * n)]
    assert omega_2n * omega_2n % R == omega
    h_expect = [_g1_times(_lagrange_naive(dom2, 2 * i + 1, tau) * di) for i in range(n)]
    assert pk.query_points("h_query") == h_expect
    assert vk.alpha_1 == pk.alpha_1 == _g1_times(al)
    assert vk.beta_2 == pk.beta_2 == _g2_times(be)
    assert vk.gamma_2 == _g2_times(ga)
    assert vk.delta_2 == pk.delta_2 == _g2_times(de)

    # Proof: A(X)B(X) − C(X) = h(X)·(X^n − 1) by long division, then the Groth16 formulas.
    def poly(rows):
        return _interpolate(dom, [sum(cf * w[j] for j, cf in row.items()) % R for row in rows]
                            + [0] * (n - len(rows)))  # fmt: skip

    pa, pb, pc = poly(rows_a), poly(rows_b), poly(rows_c)
    num = _poly_mul(pa, pb)
    for i, x in enumerate(pc):
        num[i] = (num[i] - x) % R
    quot = [0] * (len(num) - n)
    rem = list(num)
    for d in range(len(num) - 1, n - 1, -1):  # divide by X^n − 1
        q = rem[d]
        quot[d - n] = q
        rem[d] = 0
        rem[d - n] = (rem[d - n] + q) % R
    assert not any(rem), "the witness must make A·B − C divisible by Z"
    h_tau = _poly_eval(quot, tau)
    z_tau = (pow(tau, n, R) - 1) % R

    rng = random.Random(2024)
    r, s = rng.randrange(R), rng.randrange(R)  # the prover draws r first, then s
    a_s = (al + sum(w[j] * u[j] for j in range(nw)) + r * de) % R
    b_s = (be + sum(w[j] * v[j] for j in range(nw)) + s * de) % R
    priv = sum(w[j] * kk[j] for j in range(ell + 1, nw))
    c_s = ((priv + h_tau * z_tau) * di + s * a_s + r * b_s - r * s * de) % R
    proof = prove(pk, r1cs, w, rng=random.Random(2024))
    assert proof.a == _g1_times(a_s)
    assert proof.b == _g2_times(b_s)
    assert proof.c == _g1_times(c_s)
    assert verify(vk, r1cs.public_signals(w), proof)


def test_domain_size_matches_snarkjs():
    """snarkjs: 2^(log2(m + ℓ + 1 − 1) + 1) with log2 the floor (log2(0) = 0)."""

    def snarkjs(m, ell):
        v = m + ell + 1 - 1
        return 2 ** ((v.bit_length() - 1 if v else 0) + 1)

    for m in [0, 1, 2, 3, 5, 6, 13, 14, 15, 16, 100, 4093, 4094, 4095, 16380]:
        for ell in [0, 1, 2, 3]:
            assert domain_size_for(m, ell) == snarkjs(m, ell), (m, ell)
    with pytest.raises(ValueError):
        domain_size_for(-1, 0)
    with pytest.raises(ValueError):
        domain_size_for(1 << 27, 0)


def test_final_exponentiation_matches_py_ecc():
    """The verifier's Frobenius-split final exponentiation equals py-ecc's plain power."""
    from py_ecc.fields import optimized_bn128_FQ12 as FQ12

    rnd = random.Random(7)
    samples = [FQ12([rnd.randrange(Q) for _ in range(12)]) for _ in range(2)]
    samples.append(ecc.pairing(ecc.G2, ecc.G1, final_exponentiate=False))
    for f in samples:
        assert final_exponentiation(f) == ecc.final_exponentiate(f)
    assert final_exponentiation(FQ12.zero()) == FQ12.zero()


# ---------------------------------------------------------------------------------------------
# Round trips
# ---------------------------------------------------------------------------------------------


def test_dev_setup_is_loud():
    r1cs = small_circuit().compile()
    with pytest.warns(InsecureSetupWarning, match="INSECURE"):
        dev_setup(r1cs, seed=1)
    assert "NOT FOR PRODUCTION" in (dev_setup.__doc__ or "")
    assert "hidden" in repr(ToxicWaste(1, 2, 3, 4, 5))


def test_dev_setup_seed_is_reproducible():
    r1cs = small_circuit().compile()
    pk1, vk1 = dev_setup(r1cs, seed=b"same")
    pk2, vk2 = dev_setup(r1cs, seed=b"same")
    _, vk3 = dev_setup(r1cs, seed=b"other")
    assert vk1 == vk2 and vk1 != vk3
    assert (pk1.h_query == pk2.h_query).all()
    pk1.validate()
    vk1.validate()


def test_prove_verify_and_reference_pairing(small):
    _, r1cs, pk, vk, w, proof = small
    public = r1cs.public_signals(w)
    assert public == [3, 5, 77, (3 * 11) * (5 + 3) + 3 + 1]
    assert verify(vk, public, proof)
    assert reference_pairing_check(vk, public, proof)


def test_blinding_is_reproducible_with_rng_and_random_without(small):
    _, r1cs, pk, vk, w, proof = small
    assert prove(pk, r1cs, w, rng=random.Random(1)) == proof
    fresh = prove(pk, r1cs, w)  # OS randomness
    assert fresh != proof
    assert verify(vk, r1cs.public_signals(w), fresh)


def test_zero_public_inputs():
    c = Circuit("private-only")
    a = c.private_input("a")
    b = c.private_input("b")
    c.assert_equal(c.mul(a, b), 42)
    r1cs = c.compile()
    pk, vk = dev_setup(r1cs, seed=3)
    w = c.witness({"a": 6, "b": 7})
    proof = prove(pk, r1cs, w)
    assert vk.n_public == 0
    assert verify(vk, [], proof)
    with pytest.raises(ValueError, match="expected 0 public signals"):
        verify(vk, [1], proof)


def test_no_private_wires():
    """Only public wires: an empty L query (0 points) and an empty L MSM."""
    c = Circuit("public-only")
    x = c.public_input("x")
    y = c.public_input("y")
    c.enforce(x, x, y, label="square")
    r1cs = c.compile()
    assert r1cs.n_wires == r1cs.n_public + 1
    pk, vk = dev_setup(r1cs, seed=4)
    assert pk.l_query.shape == (0, 2, 4)
    proof = prove(pk, r1cs, c.witness({"x": 9, "y": 81}))
    assert verify(vk, [9, 81], proof)
    assert verify(vk, [9, 82], proof) is False


def test_progress_and_timings(small, capsys):
    _, r1cs, pk, vk, w, _ = small
    seen = []
    proof, timings = prove_timed(pk, r1cs, w, progress=lambda *a: seen.append(a))
    assert [s[1] for s in seen] == list(range(9))
    assert seen[0][0] == "check witness" and seen[-1][0] == "assemble"
    assert isinstance(timings, ProverTimings)
    assert set(timings.msm_breakdown_s) == {"A", "B1", "B2", "L", "H"}
    assert timings.total_s >= timings.msm_s + timings.ntt_s
    assert "constraints/s" in timings.summary()
    prove(pk, r1cs, w, progress=stderr_progress(label="t"))
    err = capsys.readouterr().err
    assert "t: [9/9] assemble" in err and err.endswith("\n")


# ---------------------------------------------------------------------------------------------
# Tampering: malformed → ValueError, well-formed but wrong → False
# ---------------------------------------------------------------------------------------------


def _bump1(p, i):
    c = list(p)
    c[i] = (c[i] + 1) % Q
    return tuple(c)


def _bump2(p, i, k):
    c = [list(p[0]), list(p[1])]
    c[i][k] = (c[i][k] + 1) % Q
    return (tuple(c[0]), tuple(c[1]))


def test_each_proof_coordinate_tampered_is_malformed(small):
    _, r1cs, _, vk, w, proof = small
    public = r1cs.public_signals(w)
    variants = [
        Proof(_bump1(proof.a, 0), proof.b, proof.c),
        Proof(_bump1(proof.a, 1), proof.b, proof.c),
        Proof(proof.a, proof.b, _bump1(proof.c, 0)),
        Proof(proof.a, proof.b, _bump1(proof.c, 1)),
    ] + [Proof(proof.a, _bump2(proof.b, i, k), proof.c) for i in (0, 1) for k in (0, 1)]
    for bad in variants:
        with pytest.raises(ValueError, match="not on the"):
            verify(vk, public, bad)
    with pytest.raises(ValueError, match="not in \\[0, q\\)"):
        verify(vk, public, Proof((Q, proof.a[1]), proof.b, proof.c))


def test_well_formed_wrong_proofs_are_rejected(small):
    c, r1cs, pk, vk, w, proof = small
    public = r1cs.public_signals(w)
    wrong = [
        Proof(proof.c, proof.b, proof.a),  # A and C swapped
        Proof(g1_neg(proof.a), proof.b, proof.c),
        Proof(g1_add(proof.a, G1_GENERATOR), proof.b, proof.c),
        Proof(proof.a, g2_add(proof.b, G2_GENERATOR), proof.c),
        Proof(proof.a, proof.b, g1_add(proof.c, G1_GENERATOR)),
        Proof(None, proof.b, proof.c),  # infinity is well-formed, and wrong here
    ]
    for bad in wrong:
        assert verify(vk, public, bad) is False
    # every public input, the unconstrained `tag` included (bound by the extra QAP rows)
    for i in range(len(public)):
        changed = list(public)
        changed[i] = (changed[i] + 1) % R
        assert verify(vk, changed, proof) is False, f"public input {i} is not bound"
    # a valid proof for other inputs does not verify these, and vice versa
    w2 = small_witness(c, x=4, y=9, tag=1, k=2)
    proof2 = prove(pk, r1cs, w2)
    assert verify(vk, r1cs.public_signals(w2), proof2)
    assert verify(vk, public, proof2) is False
    assert verify(vk, r1cs.public_signals(w2), proof) is False


def _fq2_sqrt(a):
    """A square root in Fq2 = Fq[u]/(u² + 1) (q ≡ 3 mod 4), or None."""
    a0, a1 = a
    norm = (a0 * a0 + a1 * a1) % Q
    s = pow(norm, (Q + 1) // 4, Q)
    if s * s % Q != norm:
        return None
    for t in (s, -s % Q):
        half = (a0 + t) * pow(2, -1, Q) % Q
        x0 = pow(half, (Q + 1) // 4, Q)
        if x0 * x0 % Q == half and x0:
            x1 = a1 * pow(2 * x0, -1, Q) % Q
            return (x0, x1)
    return None


def _twist_point_outside_g2():
    b2 = ecc.b2
    for x0 in range(1, 100):
        x = FQ2([x0, 1])
        rhs = x * x * x + b2
        y = _fq2_sqrt(tuple(int(c) for c in rhs.coeffs))
        if y is None:
            continue
        pt = (FQ2([x0, 1]), FQ2(list(y)), FQ2.one())
        assert ecc.is_on_curve(pt, b2)
        if ecc.multiply(pt, R)[2] != FQ2.zero():
            return ((x0, 1), y)
    raise AssertionError("no twist point found")


def test_malformed_inputs_raise(small):
    _, r1cs, _, vk, w, proof = small
    public = r1cs.public_signals(w)
    with pytest.raises(ValueError, match="expected 4 public signals"):
        verify(vk, public[:-1], proof)
    with pytest.raises(ValueError, match="expected 4 public signals"):
        verify(vk, public + [0], proof)
    with pytest.raises(ValueError, match="public signal 1 is not in"):
        verify(vk, [public[0], public[1] + R, *public[2:]], proof)
    with pytest.raises(ValueError, match="public signal 0 is not in"):
        verify(vk, [-1, *public[1:]], proof)
    with pytest.raises(ValueError, match="must be an int"):
        verify(vk, [True, *public[1:]], proof)
    with pytest.raises(ValueError, match="must be an int"):
        verify(vk, [str(public[0]), *public[1:]], proof)
    outside = _twist_point_outside_g2()
    with pytest.raises(ValueError, match="proof B.*subgroup"):
        verify(vk, public, Proof(proof.a, outside, proof.c))
    bad_vk = VerifyingKey(vk.alpha_1, vk.beta_2, outside, vk.delta_2, vk.ic)
    with pytest.raises(ValueError, match="gamma_2.*subgroup"):
        verify(bad_vk, public, proof)
    with pytest.raises(ValueError, match="gamma_2.*subgroup"):
        bad_vk.validate()
    # A key built with lists (unhashable, so not cached) is validated and used all the same.
    assert verify(VerifyingKey(*[list(p) for p in (vk.alpha_1,)], vk.beta_2, vk.gamma_2,
                               vk.delta_2, list(vk.ic)), public, proof)  # fmt: skip
    with pytest.raises(ValueError, match="expected a Proof"):
        verify(vk, public, (proof.a, proof.b, proof.c))


# ---------------------------------------------------------------------------------------------
# The prover refuses what it must not prove
# ---------------------------------------------------------------------------------------------


def test_prover_refuses_unsatisfying_witness(small):
    _, r1cs, pk, _, w, _ = small
    names = list(r1cs.wire_names)
    # A wrong private value: the first constraint it breaks is named.
    bad = list(w)
    bad[names.index("t")] = (bad[names.index("t")] + 1) % R
    with pytest.raises(ValueError, match=r"constraint \d+ \(t\) is not satisfied"):
        prove(pk, r1cs, bad)
    # A wrong public output.
    bad = list(w)
    bad[names.index("out")] += 1
    with pytest.raises(ValueError, match=r"\(expose out\) is not satisfied"):
        prove(pk, r1cs, bad)
    # A non-boolean bit.
    bad = list(w)
    bad[names.index("bit")] = 2
    with pytest.raises(ValueError, match=r"\(bool\) is not satisfied"):
        prove(pk, r1cs, bad)


def test_prover_refuses_malformed_witness_and_foreign_key(small):
    c, r1cs, pk, _, w, _ = small
    with pytest.raises(ValueError, match="witness has"):
        prove(pk, r1cs, w[:-1])
    with pytest.raises(ValueError, match=r"witness\[0\] must be 1"):
        prove(pk, r1cs, [2, *w[1:]])
    # Congruent mod r, so every constraint would hold: still refused (non-canonical signal).
    with pytest.raises(ValueError, match=r"witness\[1\] = .* not an int in \[0, r\)"):
        prove(pk, r1cs, [w[0], w[1] + R, *w[2:]])
    with pytest.raises(ValueError, match="not an int"):
        prove(pk, r1cs, [w[0], 3.0, *w[2:]])
    # A key for a different circuit with the same shape.
    other = small_circuit()
    other.enforce(other.one, other.one, other.one, label="extra")
    r1cs_other = other.compile()
    assert r1cs_digest(r1cs_other) != pk.r1cs_digest
    pk_other, _ = dev_setup(r1cs_other, seed=5)
    with pytest.raises(ValueError, match="different circuit|does not match"):
        prove(pk_other, r1cs, w)
    with pytest.raises(ValueError, match="expected a ProvingKey"):
        prove("pk", r1cs, w)  # type: ignore[arg-type]


def test_proving_key_shape_checks(small):
    _, _, pk, _, _, _ = small
    fields = {f: getattr(pk, f) for f in pk.__dataclass_fields__}
    with pytest.raises(ValueError, match="h_query"):
        ProvingKey(**{**fields, "h_query": pk.h_query[:-1]})
    with pytest.raises(ValueError, match="power of two"):
        ProvingKey(**{**fields, "domain_size": 12})
    with pytest.raises(ValueError, match="r1cs_digest"):
        ProvingKey(**{**fields, "r1cs_digest": b"short"})
    assert not pk.a_query.flags.writeable


# ---------------------------------------------------------------------------------------------
# Heavier sizes (make audit): ~2^12 and ~2^14 constraints, with the timing split
# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("log_domain", [12, 14])
def test_prove_large(log_domain, capsys):
    # Largest chain that fits the domain: 2n + 1 constraints + 2 public + 1 binding rows ≤ 2^k.
    n = ((1 << log_domain) - 4) // 2
    c = chain_circuit(n)
    r1cs = c.compile()
    pk, vk = dev_setup(r1cs, seed=log_domain)
    assert pk.domain_size == 1 << log_domain
    w = c.witness({"x": 3, "k": 7})
    prove(pk, r1cs, w)  # warm-up: thread pools, first-call overheads
    proof, timings = prove_timed(pk, r1cs, w)
    with capsys.disabled():
        print(f"\n[groth16 2^{log_domain}] {timings.summary()}")
    assert verify(vk, r1cs.public_signals(w), proof)
    bad = list(w)
    bad[-1] = (bad[-1] + 1) % R
    with warnings.catch_warnings(), pytest.raises(ValueError, match="not satisfied"):
        prove(pk, r1cs, bad)
