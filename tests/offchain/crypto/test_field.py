"""Fr / Fq Montgomery kernels against Python's exact integer arithmetic."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from offchain.crypto import field as F

FIELDS = {
    "fr": (F.FR_MODULUS, F.fr_from_int, F.fr_to_int, F.fr_array, F.fr_ints),
    "fq": (F.FQ_MODULUS, F.fq_from_int, F.fq_to_int, F.fq_array, F.fq_ints),
}


def _element(p: int) -> st.SearchStrategy[int]:
    # Bias towards the edges where carries and the final subtraction happen.
    edges = [0, 1, 2, p - 1, p - 2, (p - 1) // 2, (p + 1) // 2, 1 << 64, (1 << 64) - 1, 1 << 253]
    return st.one_of(st.sampled_from(edges), st.integers(0, p - 1))


def _ops(name: str):
    return {op: getattr(F, f"{name}_{op}") for op in ("add", "sub", "mul", "sqr", "neg", "inv")}


@pytest.mark.parametrize("name", ["fr", "fq"])
@given(data=st.data())
def test_scalar_ops_match_integers(name, data):
    p, from_int, to_int, _, _ = FIELDS[name]
    a = data.draw(_element(p), label="a")
    b = data.draw(_element(p), label="b")
    ops = _ops(name)
    A, B = from_int(a), from_int(b)
    assert to_int(ops["add"](A, B)) == (a + b) % p
    assert to_int(ops["sub"](A, B)) == (a - b) % p
    assert to_int(ops["mul"](A, B)) == a * b % p
    assert to_int(ops["sqr"](A)) == a * a % p
    assert to_int(ops["neg"](A)) == -a % p
    assert to_int(ops["inv"](A)) == (pow(a, -1, p) if a else 0)


@pytest.mark.parametrize("name", ["fr", "fq"])
@given(data=st.data())
def test_pow_eq_is_zero(name, data):
    p, from_int, to_int, _, _ = FIELDS[name]
    a = data.draw(_element(p), label="a")
    e = data.draw(st.integers(0, (1 << 256) - 1), label="e")
    e_limbs = tuple(np.uint64((e >> (64 * i)) & ((1 << 64) - 1)) for i in range(4))
    pow_ = getattr(F, f"{name}_pow")
    assert to_int(pow_(from_int(a), e_limbs)) == pow(a, e, p)
    assert getattr(F, f"{name}_eq")(from_int(a), from_int(a))
    assert getattr(F, f"{name}_is_zero")(from_int(a)) == (a == 0)
    if a != 1:
        assert not getattr(F, f"{name}_eq")(from_int(a), from_int(1))


@given(a=_element(F.FQ_MODULUS))
def test_fq_sqrt(a):
    q = F.FQ_MODULUS
    ok, s = F.fq_sqrt(F.fq_from_int(a))
    is_square = a == 0 or pow(a, (q - 1) // 2, q) == 1
    assert ok == is_square
    if ok:
        assert F.fq_to_int(s) ** 2 % q == a
    else:
        assert F.fq_to_int(s) == 0


@pytest.mark.parametrize("name", ["fr", "fq"])
@given(data=st.data())
def test_vector_kernels(name, data):
    p, _, _, to_arr, to_ints = FIELDS[name]
    xs = data.draw(st.lists(_element(p), min_size=0, max_size=40), label="xs")
    ys = data.draw(st.lists(_element(p), min_size=len(xs), max_size=len(xs)), label="ys")
    a, b = to_arr(xs), to_arr(ys)
    assert to_ints(a) == xs
    v = {op: getattr(F, f"{name}_{op}_vec") for op in ("add", "sub", "mul", "sqr", "neg", "inv")}
    assert to_ints(v["add"](a, b)) == [(x + y) % p for x, y in zip(xs, ys, strict=True)]
    assert to_ints(v["sub"](a, b)) == [(x - y) % p for x, y in zip(xs, ys, strict=True)]
    assert to_ints(v["mul"](a, b)) == [x * y % p for x, y in zip(xs, ys, strict=True)]
    assert to_ints(v["sqr"](a)) == [x * x % p for x in xs]
    assert to_ints(v["neg"](a)) == [-x % p for x in xs]
    inverses = [pow(x, -1, p) if x else 0 for x in xs]
    assert to_ints(v["inv"](a)) == inverses
    assert to_ints(getattr(F, f"{name}_batch_inverse")(a)) == inverses
    assert to_ints(getattr(F, f"{name}_pow_vec")(a, 7)) == [pow(x, 7, p) for x in xs]


@pytest.mark.parametrize("name", ["fr", "fq"])
def test_batch_inverse_with_zeros_everywhere(name):
    p, _, _, to_arr, to_ints = FIELDS[name]
    xs = [0, 5, 0, 0, p - 1, 0]
    assert to_ints(getattr(F, f"{name}_batch_inverse")(to_arr(xs))) == [
        pow(x, -1, p) if x else 0 for x in xs
    ]
    assert to_ints(getattr(F, f"{name}_batch_inverse")(to_arr([0, 0]))) == [0, 0]


@pytest.mark.parametrize("name", ["fr", "fq"])
def test_bad_input_is_rejected_with_a_reason(name):
    p, from_int, to_int, to_arr, _ = FIELDS[name]
    with pytest.raises(ValueError, match="canonical"):
        from_int(p)
    with pytest.raises(ValueError, match="canonical"):
        from_int(-1)
    with pytest.raises(ValueError, match="expected an int"):
        from_int(1.5)
    with pytest.raises(ValueError, match="canonical"):
        to_arr([1, 2, p + 7])
    with pytest.raises(ValueError, match="4 limbs"):
        to_int((1, 2, 3))
    limbs_of_p = tuple(np.uint64((p >> (64 * i)) & ((1 << 64) - 1)) for i in range(4))
    with pytest.raises(ValueError, match="not a reduced"):
        to_int(limbs_of_p)
    with pytest.raises(ValueError, match="shapes differ"):
        getattr(F, f"{name}_mul_vec")(to_arr([1, 2]), to_arr([1]))
    with pytest.raises(ValueError, match=r"\(N, 4\) uint64"):
        getattr(F, f"{name}_mul_vec")(np.zeros((2, 3), np.uint64), np.zeros((2, 3), np.uint64))
    with pytest.raises(ValueError, match="exponent"):
        getattr(F, f"{name}_pow_vec")(to_arr([1]), -1)


def test_moduli_are_the_bn254_ones():
    # Independent source: py-ecc's curve constants.
    from py_ecc.bn128 import curve_order, field_modulus

    assert F.FR_MODULUS == curve_order
    assert F.FQ_MODULUS == field_modulus
