"""EdDSA-Poseidon signature verification in R1CS, equivalent to circomlib's ``EdDSAPoseidonVerifier``.

The statement, for public key A = (Ax, Ay), signature (R8, S) and message M (a field element),
is :func:`offchain.crypto.eddsa.verify`'s::

    S < l,   R8 on the curve,   8·A ≠ identity,   S·B8 == R8 + hm·(8·A),
    hm = Poseidon(R8x, R8y, Ax, Ay, M)

with l the prime subgroup order and B8 = ``BASE8``. Beyond circomlib's template the gadget also
constrains A and R8 to lie on the curve: the native verifier rejects an R8 off the curve (and
refuses an A off the curve), while circomlib leaves both to the caller. With that, for
``enabled = 1`` the constraints are satisfiable exactly when ``verify`` returns True (and, for
an A off the curve, where ``verify`` raises, they are unsatisfiable).

**Disabling.** ``enabled = 0`` turns the check off *for any inputs* — the batch circuit's noop
slots pass whatever (typically zeros). The gadget substitutes the valid point B8 for A and R8
and 0 for S when disabled, so every intermediate computation (curve arithmetic, range checks,
divisions) has an honest witness, and only the final equality is conditional on ``enabled``.
"""

from __future__ import annotations

from offchain.crypto import babyjub as bj
from offchain.snark.gadgets.babyjub import (
    assert_on_curve,
    assert_points_equal,
    constant_point,
    point_add,
    point_double,
    point_select,
    scalar_mul,
    scalar_mul_fixed,
)
from offchain.snark.gadgets.basic import (
    assert_not_zero,
    range_check,
    to_bits,
    to_bits_strict,
)
from offchain.snark.gadgets.poseidon import poseidon_gadget
from offchain.snark.r1cs import LC, Circuit

__all__ = ["EDDSA_VERIFY_COST", "S_BITS", "eddsa_poseidon_verify"]

S_BITS = bj.SUB_ORDER.bit_length()
"""251: l < 2^251, so a valid S fits in 251 bits (circomlib decomposes 253)."""

EDDSA_VERIFY_COST = 3434
"""Constraints of :func:`eddsa_poseidon_verify` with every input a variable (the test pins it)."""


def eddsa_poseidon_verify(
    c: Circuit,
    enabled: LC | int,
    ax: LC | int,
    ay: LC | int,
    s: LC | int,
    r8x: LC | int,
    r8y: LC | int,
    msg: LC | int,
    *,
    name: str = "eddsa",
) -> None:
    """Constrain (R8, S) to be a valid EdDSA-Poseidon signature on ``msg`` by ``(ax, ay)`` when
    ``enabled`` is 1; constrain nothing about the inputs when it is 0.

    Exactly :func:`offchain.crypto.eddsa.verify` (see the module docstring): S < l checked, the
    small-order key rejection (8·A ≠ identity) of circomlib, and A, R8 on the curve.

    Cost: **3434 constraints** (:data:`EDDSA_VERIFY_COST`; circomlib's template compiles to 4217
    with circom ``--O2``):

    ====================================================  =====
    enabled boolean; substitute B8/0 when disabled          1 + 5
    A, R8 on the curve                                      6
    S < l: 251 bits of S, 251 bits of l - 1 - S             502
    hm = Poseidon(R8x, R8y, Ax, Ay, M)                      321
    hm's 254 bits, strict (< r: the bits are unique)        384
    8·A (three doublings), 8·A ≠ identity (x ≠ 0)          15 + 1
    hm·(8·A) (:func:`~.babyjub.scalar_mul`, 254 bits)      1687
    S·B8 (:func:`~.babyjub.scalar_mul_fixed`, 251 bits)    504
    R8 + hm·8A, and the conditional equality                6 + 2
    ====================================================  =====

    A constant ``enabled`` is checked at build time (0 adds no constraint at all; 1 saves the
    substitutions). All other inputs are arbitrary field elements; nothing is assumed of them.
    """
    enabled = LC.of(enabled)
    if enabled.is_constant():
        if enabled.constant_value() not in (0, 1):
            raise ValueError("eddsa gadget: constant enabled must be 0 or 1")
        if enabled.constant_value() == 0:
            return
    else:
        c.assert_bool(enabled, label=f"{name}.enabled")
    b8 = constant_point(bj.BASE8)
    # Disabled: verify a well-formed dummy instead (nothing below can fail to have a witness),
    # and ignore its outcome.
    a = point_select(c, enabled, (ax, ay), b8, name=f"{name}.a")
    r8 = point_select(c, enabled, (r8x, r8y), b8, name=f"{name}.r8")
    s_used = c.mul(enabled, s, name=f"{name}.s")
    assert_on_curve(c, a, name=f"{name}.a_on_curve")
    assert_on_curve(c, r8, name=f"{name}.r8_on_curve")

    # S < l: S fits in 251 bits and so does l - 1 - S (which wraps to ~r when S ≥ l).
    s_bits = to_bits(c, s_used, S_BITS, name=f"{name}.s_bits")
    range_check(c, bj.SUB_ORDER - 1 - s_used, S_BITS, name=f"{name}.s_lt_l")

    hm = poseidon_gadget(c, [r8[0], r8[1], a[0], a[1], LC.of(msg)], name=f"{name}.hm")
    # Strict bits: with loose 254-bit bits a prover could use hm + r, a different scalar
    # modulo l.
    hm_bits = to_bits_strict(c, hm, name=f"{name}.hm_bits")

    # 8·A: A is on the curve (constrained above), so the doubling formulas apply; the result
    # lies in the order-l subgroup, and x ≠ 0 excludes the identity — which makes it a valid
    # base for scalar_mul (order l, not small).
    a8 = a
    for i in range(3):
        a8 = point_double(c, a8, name=f"{name}.a{2 << i}")
    assert_not_zero(c, a8[0], name=f"{name}.a8_not_small")

    right = point_add(c, r8, scalar_mul(c, hm_bits, a8, name=f"{name}.hm_a8"), name=f"{name}.right")
    left = scalar_mul_fixed(c, s_bits, bj.BASE8, name=f"{name}.s_b8")
    assert_points_equal(c, left, right, enabled=enabled, name=f"{name}.check")
