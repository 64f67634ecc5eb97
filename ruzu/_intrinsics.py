"""LLVM-level helpers for numba kernels that numba does not offer; shared by every layer."""

from __future__ import annotations

from llvmlite import ir
from numba.core import types
from numba.extending import intrinsic


@intrinsic
def load8(typingctx, arr, idx):
    """Unaligned little-endian uint64 load of arr[idx:idx+8] (uint8 array; the caller checks
    idx + 8 <= len): 8 bytes a step for scanners and hashes."""
    sig = types.uint64(arr, idx)

    def codegen(context, builder, signature, args):
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        ptr = builder.gep(builder.bitcast(ary.data, ir.IntType(8).as_pointer()), [args[1]])
        return builder.load(builder.bitcast(ptr, ir.IntType(64).as_pointer()), align=1)

    return sig, codegen


@intrinsic
def prefetch(typingctx, arr, idx):
    """Ask the CPU to fetch the cache line of ``arr[idx]`` (a hint: no load, no fault, no bounds
    check needed). Lookups into tables larger than the cache issue it a few probes ahead, so the
    misses of several probes overlap instead of following one another."""
    sig = types.void(arr, idx)

    def codegen(context, builder, signature, args):
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        ptr = builder.bitcast(builder.gep(ary.data, [args[1]]), ir.IntType(8).as_pointer())
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [ptr.type, i32, i32, i32])
        fn = builder.module.declare_intrinsic("llvm.prefetch", [ptr.type], fnty)
        builder.call(fn, [ptr, i32(0), i32(3), i32(1)])  # read, keep in all levels, data
        return context.get_dummy_value()

    return sig, codegen
