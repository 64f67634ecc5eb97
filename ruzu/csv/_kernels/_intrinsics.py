"""LLVM intrinsics the CSV kernels call: C strtod, bit counts,
memcpy/memmove into row buffers."""

from __future__ import annotations

from llvmlite import ir
from numba.core import cgutils, types
from numba.extending import intrinsic

# ---------------------------------------------------------------------------------------------
# C strtod, for the decimal strings the exact fast path cannot convert
# ---------------------------------------------------------------------------------------------


@intrinsic
def _strtod(typingctx, arr):
    """``strtod((char*)arr.data, NULL)``; arr is a NUL-terminated uint8 array.

    Declared as an external symbol (resolved by the JIT linker), not a ctypes pointer, so the
    calling kernels stay cacheable. glibc's strtod is correctly rounded, like Python's float().
    """
    sig = types.float64(arr)

    def codegen(context, builder, signature, args):
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        ptr = builder.bitcast(ary.data, ir.IntType(8).as_pointer())
        charpp = ir.IntType(8).as_pointer().as_pointer()
        fnty = ir.FunctionType(ir.DoubleType(), [ir.IntType(8).as_pointer(), charpp])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "strtod")
        return builder.call(fn, [ptr, ir.Constant(charpp, None)])

    return sig, codegen


@intrinsic
def _ctz(typingctx, x):
    """Count of trailing zero bits of a non-zero uint64 (llvm.cttz)."""
    sig = types.int64(x)

    def codegen(context, builder, signature, args):
        i64 = ir.IntType(64)
        fnty = ir.FunctionType(i64, [i64, ir.IntType(1)])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.cttz.i64")
        return builder.call(fn, [args[0], ir.Constant(ir.IntType(1), 1)])

    return sig, codegen


@intrinsic
def _popcount(typingctx, x):
    """Number of set bits of a uint64 (llvm.ctpop)."""
    sig = types.int64(x)

    def codegen(context, builder, signature, args):
        i64 = ir.IntType(64)
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(i64, [i64]),
                                            "llvm.ctpop.i64")  # fmt: skip
        return builder.call(fn, [args[0]])

    return sig, codegen


@intrinsic
def _copy_to_row(typingctx, dst, row, off, src, soff, ln):
    """memcpy(&dst[row, off], &src[soff], ln) for a C-contiguous 2-D and a 1-D uint8 array.

    One call instead of numba's byte loop, which kept negative-index wraparound per byte.
    """
    sig = types.none(dst, row, off, src, soff, ln)

    def codegen(context, builder, signature, args):
        i8p = ir.IntType(8).as_pointer()
        d = context.make_array(signature.args[0])(context, builder, args[0])
        sarr = context.make_array(signature.args[3])(context, builder, args[3])
        stride0 = cgutils.unpack_tuple(builder, d.strides, 2)[0]
        row_v = context.cast(builder, args[1], signature.args[1], types.intp)
        off_v = context.cast(builder, args[2], signature.args[2], types.intp)
        soff_v = context.cast(builder, args[4], signature.args[4], types.intp)
        ln_v = context.cast(builder, args[5], signature.args[5], types.intp)
        dptr = builder.gep(builder.bitcast(d.data, i8p), [builder.add(builder.mul(row_v, stride0),
                                                                      off_v)])  # fmt: skip
        sptr = builder.gep(builder.bitcast(sarr.data, i8p), [soff_v])
        cgutils.raw_memcpy(builder, dptr, sptr, ln_v, 1)
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def _move_in_row(typingctx, arr, row, dst, src, count):
    """memmove(&arr[row, dst], &arr[row, src], count items) in a 2-D array with contiguous
    rows; or, for a 1-D array (row ignored), memmove(&arr[dst], &arr[src], count items)."""
    sig = types.none(arr, row, dst, src, count)

    def codegen(context, builder, signature, args):
        aty = signature.args[0]
        a = context.make_array(aty)(context, builder, args[0])
        intp = context.get_value_type(types.intp)
        itemsize = context.get_abi_sizeof(context.get_data_type(aty.dtype))
        row_v, dst_v, src_v, cnt_v = (
            context.cast(builder, v, t, types.intp)
            for v, t in zip(args[1:], signature.args[1:], strict=True)
        )
        base = builder.ptrtoint(a.data, intp)
        if aty.ndim == 2:
            stride0 = cgutils.unpack_tuple(builder, a.strides, 2)[0]
            base = builder.add(base, builder.mul(row_v, stride0))
        size = ir.Constant(intp, itemsize)
        i8p = ir.IntType(8).as_pointer()
        dptr = builder.inttoptr(builder.add(base, builder.mul(dst_v, size)), i8p)
        sptr = builder.inttoptr(builder.add(base, builder.mul(src_v, size)), i8p)
        cgutils.raw_memmove(builder, dptr, sptr, cnt_v, itemsize)
        return context.get_dummy_value()

    return sig, codegen
