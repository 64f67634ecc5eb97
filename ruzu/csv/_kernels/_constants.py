"""Private constants of the CSV kernels: powers of ten, SWAR byte masks, literal words."""

from __future__ import annotations

import numpy as np

# ---------------------------------------------------------------------------------------------
# Private constants
# ---------------------------------------------------------------------------------------------

# _scan_quoted states
_Q_CLOSED = 0
_Q_MORE = 1  # ran out of bytes in a non-final buffer
_Q_UNTERM = 2  # ran out of bytes in the final buffer: unterminated quote

_U64_MAX_DIV10 = np.uint64(1844674407370955161)  # (2**64 - 1) // 10
_U64_10 = np.uint64(10)
_U64_0 = np.uint64(0)
_U63 = np.uint64(2**63)
_I64_MAX_U = np.uint64(2**63 - 1)

# Exact powers of ten as doubles (10**22 is the largest one that is exact) and as int64.
_P10F = np.array([10.0**k for k in range(23)], dtype=np.float64)
_P10I = np.array([10**k for k in range(19)], dtype=np.int64)
_P10U = np.array([10**k for k in range(20)], dtype=np.uint64)
_U64_1E8 = np.uint64(100_000_000)
_TWO53 = 2**53
_NEG_NAN = -float("nan")  # sign bit set, like Python's float("-nan"); x * nan keeps nan's sign

_US_PER_DAY = 86_400_000_000
_M_ONES = np.uint64(0x0101010101010101)
_M_LOW7 = np.uint64(0x7F7F7F7F7F7F7F7F)
_M_LOW63 = np.uint64(0x7FFFFFFFFFFFFFFF)
_M_F0 = np.uint64(0xF0F0F0F0F0F0F0F0)
_M_0F = np.uint64(0x0F0F0F0F0F0F0F0F)
_M_30 = np.uint64(0x3030303030303030)
_M_06 = np.uint64(0x0606060606060606)
_M_00FF = np.uint64(0x00FF00FF00FF00FF)
_M_0000FFFF = np.uint64(0x0000FFFF0000FFFF)
_M_HIGH = np.uint64(0x8080808080808080)
_M_LF = np.uint64(0x0A0A0A0A0A0A0A0A)
_M_CR = np.uint64(0x0D0D0D0D0D0D0D0D)
_W_INF = np.frombuffer(b"inf", np.uint8)
_W_INFINITY = np.frombuffer(b"infinity", np.uint8)
_W_NAN = np.frombuffer(b"nan", np.uint8)
_W_TRUE = np.frombuffer(b"true", np.uint8)
_W_FALSE = np.frombuffer(b"false", np.uint8)

# Numba compiles a separate specialization of a kernel for every literal argument it sees
# (and for literal-typed variables during type inference), so values passed between kernels
# start from np.int64(...) rather than a bare literal. This halves the cold compile time.
