"""64-bit limb primitives for numba: multiply-accumulate, add-with-carry and subtract-with-borrow.

numba has no 128-bit integer type, so these are LLVM intrinsics: each widens its 64-bit operands to
``i128``, does the arithmetic there and splits the result back into (low, high) 64-bit halves. LLVM
lowers the ``i128`` multiply to a single ``mul``/``mulx`` on x86-64, which is what makes a 4-limb
Montgomery multiplication cost a few nanoseconds instead of the ~100 ns of 32-bit-limb emulation.

All operands must already be ``uint64`` (numba silently promotes ``uint64`` mixed with ``int64`` to
``float64``); callers keep every literal wrapped in ``np.uint64``.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.extending import intrinsic

_I64 = ir.IntType(64)
_I128 = ir.IntType(128)
_PAIR = types.UniTuple(types.uint64, 2)


def _split(builder: ir.IRBuilder, wide: ir.Value) -> tuple[ir.Value, ir.Value]:
    lo = builder.trunc(wide, _I64)
    hi = builder.trunc(builder.lshr(wide, ir.Constant(_I128, 64)), _I64)
    return lo, hi


@intrinsic
def mac(typingctx, acc, x, y, carry):
    """``acc + x*y + carry`` as (low, high) 64-bit words; never overflows 128 bits."""
    sig = _PAIR(types.uint64, types.uint64, types.uint64, types.uint64)

    def codegen(context, builder, signature, args):
        acc_, x_, y_, c_ = (builder.zext(a, _I128) for a in args)
        wide = builder.add(builder.add(builder.mul(x_, y_), acc_), c_)
        return context.make_tuple(builder, signature.return_type, _split(builder, wide))

    return sig, codegen


@intrinsic
def mul_hilo(typingctx, x, y):
    """Full 128-bit product ``x*y`` as (low, high)."""
    sig = _PAIR(types.uint64, types.uint64)

    def codegen(context, builder, signature, args):
        x_, y_ = (builder.zext(a, _I128) for a in args)
        hilo = _split(builder, builder.mul(x_, y_))
        return context.make_tuple(builder, signature.return_type, hilo)

    return sig, codegen


@intrinsic
def adc(typingctx, x, y, carry):
    """``x + y + carry`` (carry 0 or 1) as (sum, carry_out)."""
    sig = _PAIR(types.uint64, types.uint64, types.uint64)

    def codegen(context, builder, signature, args):
        x_, y_, c_ = (builder.zext(a, _I128) for a in args)
        wide = builder.add(builder.add(x_, y_), c_)
        return context.make_tuple(builder, signature.return_type, _split(builder, wide))

    return sig, codegen


@intrinsic
def sbb(typingctx, x, y, borrow):
    """``x - y - borrow`` (borrow 0 or 1) as (difference mod 2^64, borrow_out in {0, 1})."""
    sig = _PAIR(types.uint64, types.uint64, types.uint64)

    def codegen(context, builder, signature, args):
        x_, y_, b_ = (builder.zext(a, _I128) for a in args)
        wide = builder.sub(builder.sub(x_, y_), b_)
        lo = builder.trunc(wide, _I64)
        # A negative i128 result has its top bit set: that bit is the borrow.
        out = builder.trunc(builder.lshr(wide, ir.Constant(_I128, 127)), _I64)
        return context.make_tuple(builder, signature.return_type, (lo, out))

    return sig, codegen
