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
