"""numba kernels that turn CSV bytes into caller-owned column buffers.

Every kernel here is private and verb-named, fills numpy buffers the caller allocated and returns
status / error codes; none of them raises. The Python reader owns the buffers, reads the file in
chunks, and turns the codes into typed errors (``ERROR_REASONS`` has the reason texts).

Kernels: ``_parse_records`` (a batch of records into columns), ``_parse_records_parallel`` (the
same on several threads, same results), ``_split_record`` (one record into fields, e.g. the
header), ``_skip_records`` (skip n records), ``_find_block_starts`` (record starts for
parallel parsing).

Record syntax (RFC 4180 plus the usual extensions):

* records end at ``\\n``, ``\\r\\n`` or a lone ``\\r`` (mixed is fine); a ``\\r`` that is the last
  byte of a non-final buffer is left unconsumed because a ``\\n`` may follow;
* completely empty lines are skipped (they still count as lines); a record never comes from one;
* a field starting with the quote char is quoted: it may hold delimiters, newlines and quotes
  (doubled when ``escape == quote``; otherwise ``escape`` makes the next byte literal); after the
  closing quote only a delimiter, a newline or the end of input may follow;
* line numbers count every newline, also the ones inside quoted fields; CRLF counts once.
* malformed quoting is an error of that field, and the record still ends predictably: a quote
  inside an unquoted field is kept literally, text after a closing quote runs on (unquoted) to
  the next delimiter or newline, an unterminated quote runs to the end of the input.

Values: an unquoted field equal to a null string is NULL (a quoted one never is, so with the
default null string "" an empty field is NULL and ``""`` the empty string). Numbers are strict
(no spaces, no ``_``): integers ``[+-]?[0-9]+`` range-checked; floats as Python's ``float()``
reads them, bit for bit (Clinger's exact fast path, else C strtod), plus inf/infinity/nan;
booleans true/false/t/f/1/0 in any case; dates ``YYYY-MM-DD``; timestamps
``YYYY-MM-DD[ T]HH:MM[:SS[.f{1,9}]][Z|+-HH[[:]MM]]`` to UTC microseconds (a date alone is
midnight); strings must be valid UTF-8 as Python decodes it (NUL bytes are kept).

A kernel never decides on a record it has not seen completely (or, in abort mode, on a field it has
not seen completely), so the answer never depends on where the caller's chunks happen to end.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import prange
from numba.core import cgutils, types
from numba.extending import intrinsic

from .._jit import kernel
from ._values_temporal import _date_prefix, _days_from_civil, _parse_date  # noqa: F401

# ---------------------------------------------------------------------------------------------
# Public constants
# ---------------------------------------------------------------------------------------------

KIND_SKIP = 0
KIND_INT = 1
KIND_UINT64 = 2
KIND_FLOAT = 3
KIND_BOOL = 4
KIND_DATE = 5
KIND_TIMESTAMP = 6
KIND_STRING = 7

ST_NEED_MORE = 0
ST_BATCH_FULL = 1
ST_ERROR = 2
ST_REJECTS_FULL = 3
ST_ROW_TOO_LARGE = 4

E_NONE = 0
E_UNTERMINATED_QUOTE = 1
E_STRAY_QUOTE = 2
E_AFTER_QUOTE = 3
E_TOO_FEW_FIELDS = 4
E_TOO_MANY_FIELDS = 5
E_BAD_INT = 6
E_INT_RANGE = 7
E_BAD_FLOAT = 8
E_BAD_BOOL = 9
E_BAD_DATE = 10
E_BAD_TIMESTAMP = 11
E_INVALID_UTF8 = 12
E_NULL_NOT_ALLOWED = 13

ERROR_REASONS = {
    E_NONE: "no error",
    E_UNTERMINATED_QUOTE: "unterminated quoted field",
    E_STRAY_QUOTE: "quote character inside an unquoted field",
    E_AFTER_QUOTE: "unexpected character after a closing quote",
    E_TOO_FEW_FIELDS: "expected {expected} values per row, but got {got}",
    E_TOO_MANY_FIELDS: "expected {expected} values per row, but got {got}",
    E_BAD_INT: "invalid integer",
    E_INT_RANGE: "integer out of range for the column type",
    E_BAD_FLOAT: "invalid floating-point number",
    E_BAD_BOOL: "invalid boolean (expected true/false/t/f/1/0)",
    E_BAD_DATE: "invalid date (expected YYYY-MM-DD)",
    E_BAD_TIMESTAMP: "invalid timestamp (expected YYYY-MM-DD[ T]HH:MM[:SS[.f]][Z|+HH:MM])",
    E_INVALID_UTF8: "invalid UTF-8",
    E_NULL_NOT_ALLOWED: "NULL not allowed (primary key)",
}

# Width of one row of the reject array: (line, record_start, record_end, field, code, got).
REJECT_WIDTH = 6

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
def _load8(typingctx, arr, idx):
    """Unaligned little-endian uint64 load of arr[idx:idx+8] (uint8 array; caller checks
    idx + 8 <= len). Lets the scanners test 8 bytes per step."""
    sig = types.uint64(arr, idx)

    def codegen(context, builder, signature, args):
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        ptr = builder.gep(builder.bitcast(ary.data, ir.IntType(8).as_pointer()), [args[1]])
        return builder.load(builder.bitcast(ptr, ir.IntType(64).as_pointer()), align=1)

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


# ---------------------------------------------------------------------------------------------
# Value parsers: (array, start, end) -> code / value.  Strict: no surrounding spaces.
# ---------------------------------------------------------------------------------------------


@kernel
def _parse_int(a, s, e):
    """Parse ``[+-]?[0-9]+`` from a[s:e] -> (code, negative, magnitude as uint64)."""
    mag = _U64_0
    if s >= e:
        return E_BAD_INT, False, mag
    i = s
    neg = False
    c = a[i]
    if c == 45 or c == 43:
        neg = c == 45
        i += 1
        if i >= e:
            return E_BAD_INT, neg, mag
    over = False
    while i < e:
        d = np.int64(a[i]) - 48
        if d < 0 or d > 9:
            return E_BAD_INT, neg, mag
        du = np.uint64(d)
        if not over:
            if mag > _U64_MAX_DIV10 or (mag == _U64_MAX_DIV10 and d > 5):
                over = True
            else:
                mag = mag * _U64_10 + du
        i += 1
    if over:
        return E_INT_RANGE, neg, mag
    return E_NONE, neg, mag


@kernel
def _lower_eq(a, s, e, word):
    """a[s:e] equals the lower-case ASCII letters in ``word`` (a uint8 array), ignoring case."""
    if e - s != word.shape[0]:
        return False
    for k in range(e - s):
        if (a[s + k] | 0x20) != word[k]:
            return False
    return True


@kernel
def _parse_float(a, s, e, scratch):
    """Parse a decimal float from a[s:e] -> (ok, value), bit-identical to Python's float().

    Accepts ``[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?`` and inf, infinity, nan
    (any case, optional sign). Fast path (Clinger): a mantissa <= 2**53 times an exact power of
    ten is one correctly rounded IEEE operation. Everything else goes to strtod on the digit
    string written as ``DIGITSe[-]EXP`` (no decimal point, so the C locale does not matter).
    ``scratch`` is a uint8 work array (64 bytes suffice for up to 40 significant digits).
    """
    if s >= e:
        return False, 0.0
    i = s
    neg = False
    c = a[i]
    if c == 45 or c == 43:
        neg = c == 45
        i += 1
        if i >= e:
            return False, 0.0
    sign = -1.0 if neg else 1.0
    c = a[i] | 0x20
    if c == 105 or c == 110:  # i / n
        if _lower_eq(a, i, e, _W_INF) or _lower_eq(a, i, e, _W_INFINITY):
            return True, sign * np.inf
        if _lower_eq(a, i, e, _W_NAN):
            return True, (_NEG_NAN if neg else np.nan)
        return False, 0.0
    int_s = i
    while i < e and a[i] >= 48 and a[i] <= 57:
        i += 1
    int_e = i
    frac_s = i
    frac_e = i
    if i < e and a[i] == 46:
        i += 1
        frac_s = i
        while i < e and a[i] >= 48 and a[i] <= 57:
            i += 1
        frac_e = i
    if int_e - int_s + frac_e - frac_s == 0:
        return False, 0.0
    exp = 0
    if i < e and (a[i] | 0x20) == 101:
        i += 1
        eneg = False
        if i < e and (a[i] == 45 or a[i] == 43):
            eneg = a[i] == 45
            i += 1
        exp_s = i
        while i < e and a[i] >= 48 and a[i] <= 57:
            if exp < 1_000_000_000_000:  # clamp: anything beyond is 0 or inf anyway
                exp = exp * 10 + (np.int64(a[i]) - 48)
            i += 1
        if i == exp_s:
            return False, 0.0
        if eneg:
            exp = -exp
    if i != e:
        return False, 0.0
    # Significant digits: skip leading zeros, count trailing zeros, keep the first 18 in m.
    nsig = 0
    tz = 0
    m = 0
    for j in range(int_s, frac_e):
        if j == int_e and frac_s > int_e:  # the decimal point
            continue
        d = np.int64(a[j]) - 48
        if nsig == 0 and d == 0:
            continue
        nsig += 1
        if nsig <= 18:
            m = m * 10 + d
        if d == 0:
            tz += 1
        else:
            tz = 0
    if nsig == 0:
        return True, sign * 0.0
    ns = nsig - tz
    e10 = exp - (frac_e - frac_s) + tz
    if ns <= 18:
        m //= _P10I[min(nsig, 18) - ns]
        if m <= _TWO53:
            if 0 <= e10 <= 22:
                return True, sign * (np.float64(m) * _P10F[e10])
            if -22 <= e10 < 0:
                return True, sign * (np.float64(m) / _P10F[-e10])
            if 22 < e10 <= 22 + 16:
                k = _P10I[e10 - 22]
                if m <= _TWO53 // k:
                    return True, sign * (np.float64(m * k) * _P10F[22])
    lead = ns - 1 + e10  # value is in [10**lead, 10**(lead+1))
    if lead > 309:
        return True, sign * np.inf
    if lead < -325:
        return True, sign * 0.0
    need = ns + 24
    out = scratch if scratch.shape[0] >= need else np.empty(need, np.uint8)
    w = 0
    started = False
    for j in range(int_s, frac_e):
        if w >= ns:
            break
        if j == int_e and frac_s > int_e:
            continue
        ch = a[j]
        if not started:
            if ch == 48:
                continue
            started = True
        out[w] = ch
        w += 1
    out[w] = 101  # 'e'
    w += 1
    x = e10
    if x < 0:
        out[w] = 45
        w += 1
        x = -x
    nd = 1
    t = x
    while t >= 10:
        t //= 10
        nd += 1
    for k in range(nd):
        out[w + nd - 1 - k] = 48 + x % 10
        x //= 10
    w += nd
    out[w] = 0
    return True, sign * _strtod(out)


@kernel
def _parse_bool(a, s, e):
    """true/false/t/f/1/0, any case -> (ok, 0/1)."""
    ln = e - s
    if ln == 1:
        c = a[s] | 0x20
        if c == 116 or c == 49:  # t 1
            return True, 1
        if c == 102 or c == 48:  # f 0
            return True, 0
        return False, 0
    if _lower_eq(a, s, e, _W_TRUE):
        return True, 1
    if _lower_eq(a, s, e, _W_FALSE):
        return True, 0
    return False, 0


@kernel
def _digits(a, i, k):
    """Value of the k ASCII digits at a[i:i+k], or -1."""
    v = 0
    for j in range(i, i + k):
        d = np.int64(a[j]) - 48
        if d < 0 or d > 9:
            return -1
        v = v * 10 + d
    return v


@kernel
def _parse_timestamp(a, s, e):
    """``YYYY-MM-DD[( |T)HH:MM[:SS[.f{1,9}]][Z|(+|-)HH[[:]MM]]]`` -> (ok, microseconds UTC).

    Fractions beyond microseconds are truncated; an offset is subtracted to get UTC.
    """
    ok, days, i = _date_prefix(a, s, e)
    if not ok:
        return False, 0
    if i == e:
        return True, days * _US_PER_DAY
    if (a[i] != 32 and a[i] != 84) or i + 6 > e or a[i + 3] != 58:
        return False, 0
    hh = _digits(a, i + 1, 2)
    mi = _digits(a, i + 4, 2)
    i += 6
    ss = 0
    frac = 0
    if i < e and a[i] == 58:
        if i + 3 > e:
            return False, 0
        ss = _digits(a, i + 1, 2)
        i += 3
        if i < e and a[i] == 46:
            i += 1
            nd = 0
            while i < e and a[i] >= 48 and a[i] <= 57:
                if nd < 6:
                    frac = frac * 10 + (np.int64(a[i]) - 48)
                nd += 1
                i += 1
            if nd == 0 or nd > 9:
                return False, 0
            for _ in range(nd, 6):
                frac *= 10
    off = 0
    if i < e and a[i] == 90:  # Z, optionally followed by an offset (Kùzu: "…Z+00:00")
        i += 1
    if i < e:
        c = a[i]
        if c == 43 or c == 45:
            i += 1
            if i + 2 > e:
                return False, 0
            oh = _digits(a, i, 2)
            i += 2
            om = 0
            if i < e:
                if a[i] == 58:
                    i += 1
                if i + 2 > e:
                    return False, 0
                om = _digits(a, i, 2)
                i += 2
            if oh < 0 or oh > 23 or om < 0 or om > 59:
                return False, 0
            off = oh * 60 + om
            if c == 45:
                off = -off
        else:
            return False, 0
    if i != e:
        return False, 0
    if hh < 0 or hh > 23 or mi < 0 or mi > 59 or ss < 0 or ss > 59:
        return False, 0
    secs = ((days * 24 + hh) * 60 + mi) * 60 + ss - off * 60
    return True, secs * 1_000_000 + frac


@kernel
def _utf8_ok(a, s, e):
    """True when a[s:e] is valid UTF-8 by Python's rules (no overlongs, surrogates, > U+10FFFF)."""
    i = s
    while i < e:
        c = a[i]
        if c < 0x80:
            i += 1
            continue
        if c < 0xC2:
            return False
        if c < 0xE0:
            if i + 1 >= e or (a[i + 1] & 0xC0) != 0x80:
                return False
            i += 2
        elif c < 0xF0:
            if i + 2 >= e:
                return False
            c1 = a[i + 1]
            lo = 0xA0 if c == 0xE0 else 0x80
            hi = 0x9F if c == 0xED else 0xBF
            if c1 < lo or c1 > hi or (a[i + 2] & 0xC0) != 0x80:
                return False
            i += 3
        elif c < 0xF5:
            if i + 3 >= e:
                return False
            c1 = a[i + 1]
            lo = 0x90 if c == 0xF0 else 0x80
            hi = 0x8F if c == 0xF4 else 0xBF
            if c1 < lo or c1 > hi or (a[i + 2] & 0xC0) != 0x80 or (a[i + 3] & 0xC0) != 0x80:
                return False
            i += 4
        else:
            return False
    return True


@kernel
def _convert(a, s, e, kind, imin, imax, scratch):
    """Convert the non-null field a[s:e] of a non-string kind -> (code, int value, float value).

    imin/imax: the inclusive range of a KIND_INT column. UINT64 values come back bit-cast.
    """
    if kind == KIND_INT or kind == KIND_UINT64:
        code, neg, mag = _parse_int(a, s, e)
        if code != E_NONE:
            return code, 0, 0.0
        if kind == KIND_INT:
            if neg:
                if mag > _U63:
                    return E_INT_RANGE, 0, 0.0
                v = np.int64(_U64_0 - mag)
            else:
                if mag > _I64_MAX_U:
                    return E_INT_RANGE, 0, 0.0
                v = np.int64(mag)
            if v < imin or v > imax:
                return E_INT_RANGE, 0, 0.0
        else:
            if neg and mag != _U64_0:
                return E_INT_RANGE, 0, 0.0
            v = np.int64(mag)  # bit-cast: UINT64 values live in int64 slots
        return E_NONE, v, 0.0
    if kind == KIND_FLOAT:
        ok, x = _parse_float(a, s, e, scratch)
        return (E_NONE if ok else E_BAD_FLOAT), 0, x
    if kind == KIND_BOOL:
        ok, v = _parse_bool(a, s, e)
        return (E_NONE if ok else E_BAD_BOOL), v, 0.0
    if kind == KIND_DATE:
        ok, v = _parse_date(a, s, e)
        return (E_NONE if ok else E_BAD_DATE), v, 0.0
    if kind == KIND_TIMESTAMP:
        ok, v = _parse_timestamp(a, s, e)
        return (E_NONE if ok else E_BAD_TIMESTAMP), v, 0.0
    return E_NONE, 0, 0.0


# ---------------------------------------------------------------------------------------------
# Field scanners
# ---------------------------------------------------------------------------------------------


@kernel
def _byte_classes(delim, quote, escape):
    """(cls, qcls): 256-entry tables marking the bytes that stop an unquoted / quoted scan."""
    cls = np.zeros(256, np.uint8)
    cls[delim] = 1
    cls[10] = 1
    cls[13] = 1
    cls[quote] = 1
    qcls = np.zeros(256, np.uint8)
    qcls[quote] = 1
    qcls[escape] = 1
    qcls[10] = 1
    qcls[13] = 1
    return cls, qcls


@kernel
def _scan_unquoted(buf, p, n, cls, quote):
    """Scan an unquoted field from p -> (end, saw_quote, OR of its bytes).

    end is the position of the delimiter / newline that ends it, or n. A quote char inside is a
    syntax error for the caller to report, but is kept as a literal so the scan can go on.
    """
    orb = 0
    stray = False
    while p < n:
        c = buf[p]
        if cls[c] != 0:
            if c != quote:
                break
            stray = True
        orb |= c
        p += 1
    return p, stray, orb


@kernel
def _scan_quoted(buf, p, n, is_final, quote, escape, qcls):
    """Scan a quoted field whose opening quote is at p -> (state, close, nesc, nl, orb).

    state is _Q_CLOSED (close = position of the closing quote), _Q_MORE (need more bytes) or
    _Q_UNTERM (final input ended inside the quotes). nesc = escape sequences inside (each
    removes one byte when unescaping), nl = newlines inside, orb = OR of the content bytes.
    """
    q = p + 1
    nesc = 0
    nl = 0
    orb = 0
    while True:
        while q < n and qcls[buf[q]] == 0:
            orb |= buf[q]
            q += 1
        if q >= n:
            return (_Q_UNTERM if is_final else _Q_MORE), n, nesc, nl, orb
        c = buf[q]
        if c == quote:
            if escape == quote:
                if q + 1 < n:
                    if buf[q + 1] == quote:
                        nesc += 1
                        q += 2
                        continue
                elif not is_final:
                    return _Q_MORE, n, nesc, nl, orb  # "" or " at the buffer end?
            return _Q_CLOSED, q, nesc, nl, orb
        if c == 10:
            nl += 1
            q += 1
        elif c == 13:
            if q + 1 >= n or buf[q + 1] != 10:
                nl += 1
            q += 1
        else:  # escape char (!= quote): the next byte is literal
            if q + 1 >= n:
                return (_Q_UNTERM if is_final else _Q_MORE), n, nesc, nl, orb
            b = buf[q + 1]
            orb |= b
            nesc += 1
            if b == 10 or (b == 13 and (q + 2 >= n or buf[q + 2] != 10)):
                nl += 1
            q += 2


@kernel
def _unescape(buf, s, e, quote, escape, out, w):
    """Copy quoted content buf[s:e] to out[w:] removing escapes -> new w."""
    i = s
    if escape == quote:
        while i < e:
            c = buf[i]
            out[w] = c
            w += 1
            i += 2 if c == quote else 1
    else:
        while i < e:
            c = buf[i]
            if c == escape:
                i += 1
                c = buf[i]
            out[w] = c
            w += 1
            i += 1
    return w


@kernel
def _eight_digits(x):
    """Value of 8 ASCII digits packed little-endian in x (first char = most significant);
    zero bytes count as leading zeros. (simdjson's parse_eight_digits_unrolled.)"""
    x = ((x & _M_0F) * np.uint64(2561)) >> np.uint64(8)
    x = ((x & _M_00FF) * np.uint64(6553601)) >> np.uint64(16)
    return np.int64(((x & _M_0000FFFF) * np.uint64(42949672960001)) >> np.uint64(32))


@kernel
def _haszero(v):
    """High bit set in each zero byte of v (and maybe in bytes above the first zero one)."""
    return (v - _M_ONES) & ~v & _M_HIGH


@kernel
def _nulls_look_numeric(null_bytes, null_offs):
    """True if some non-empty null string is made of digits and signs only (it could then be
    mistaken for an integer by the fused integer path)."""
    for k in range(null_offs.shape[0] - 1):
        a = null_offs[k]
        b = null_offs[k + 1]
        if b == a:
            continue
        numeric = True
        for j in range(a, b):
            c = null_bytes[j]
            if not ((c >= 48 and c <= 57) or c == 43 or c == 45):
                numeric = False
        if numeric:
            return True
    return False


# ---------------------------------------------------------------------------------------------
# The record parser
# ---------------------------------------------------------------------------------------------


@kernel
def _parse_core(buf, pos0, stop, n, is_final, delim, quote, escape, start_line,
                field_kind, field_slot, field_notnull, int_min, int_max,
                null_bytes, null_offs, ignore_errors, max_rows, row0, nrej0,
                ivals, fvals, valid, soffs, sbytes, row_line, rej, slimit,
                kuzu_rows):  # fmt: skip
    """Parse records that start in buf[pos0:stop] (they may run on up to n); store rows from row
    ``row0`` and rejects from ``nrej0``, string bytes below ``slimit``. Returns the
    _parse_records tuple with ``rows`` and ``nrej`` as absolute indices (row0 + stored,
    nrej0 + rejected).

    ``stop`` < n is only used by the parallel kernel: a block stops at the first record start
    at or after ``stop`` (blank lines from ``stop`` on belong to the next block).

    The hot paths (unquoted and quoted scans, NULL check, string copy, integers) are written
    out here rather than called: passing arrays to helper kernels costs atomic NRT reference
    count updates that numba could not prune here, and halved the speed (measured).
    """
    nf = field_kind.shape[0]
    cap = min(max_rows, row_line.shape[0])
    rejcap = rej.shape[0]
    scap = min(sbytes.shape[1], slimit)
    cls, qcls = _byte_classes(delim, quote, escape)
    nnull = null_offs.shape[0] - 1
    null_max = -1
    for k in range(nnull):
        null_max = max(null_max, null_offs[k + 1] - null_offs[k])
    # The fused integer path skips the NULL check for digit strings; only valid if no null
    # string looks like one.
    fast_int = not _nulls_look_numeric(null_bytes, null_offs)
    esc_is_quote = escape == quote
    # Kùzu's COPY (kuzu_rows): an empty line of a one-column file is a NULL row, not skipped
    blank_rows = kuzu_rows != 0 and nf == 1
    # The 8-byte loads and memcpy need unit strides (always so for the arrays callers make).
    flat = buf.strides[0] == 1 and sbytes.strides[1] == 1
    m_delim = _M_ONES * np.uint64(delim)
    m_quote = _M_ONES * np.uint64(quote)
    scratch = np.empty(64, np.uint8)
    zero = np.int64(0)

    p = pos0
    line = start_line
    rows = row0
    nrej = nrej0
    records = 0
    while True:
        # ---- skip empty lines ----
        while p < stop and not blank_rows:
            c = buf[p]
            if c == 10:
                p += 1
                line += 1
            elif c == 13:
                if p + 1 < n:
                    p += 2 if buf[p + 1] == 10 else 1
                elif is_final:
                    p += 1
                else:
                    return (ST_NEED_MORE, rows, p, line - start_line, records, nrej,
                            0, -1, 0, 0, 0)  # fmt: skip
                line += 1
            else:
                break
        if p >= stop:
            return (ST_NEED_MORE, rows, p, line - start_line, records, nrej, 0, -1, 0, 0, 0)
        if rows >= cap:
            return (ST_BATCH_FULL, rows, p, line - start_line, records, nrej, 0, -1, 0, 0, 0)

        # ---- one record ----
        rs = p
        rline = line
        row = rows
        # Unsigned indices below: numba skips the negative-index wraparound for them (measured
        # +30% on the hot loops).
        ur = np.uint64(row)
        ur1 = np.uint64(row + 1)
        f = zero
        err = 0
        errf = -1
        alive = True  # False after the first error or a string overflow: only scan on
        ovf = False  # a string did not fit into sbytes
        ovf_empty = False  # ... although its slot was empty: flushing cannot help
        rend = n
        while True:
            uf = np.uint64(f)
            kind = KIND_SKIP
            if f < nf:
                kind = field_kind[uf]
            elif kuzu_rows != 0 and f == nf and (p >= n or buf[p] == 10 or buf[p] == 13):
                pass  # Kùzu's COPY skips one trailing empty field (a delimiter at line end)
            elif alive:
                err = E_TOO_MANY_FIELDS
                alive = False
            if not alive:
                kind = KIND_SKIP
            slot = 0
            if kind != KIND_SKIP:
                slot = field_slot[uf]
            us = np.uint64(slot)
            code = 0  # > 0: error code of this field; -1: its string does not fit
            if p < n and buf[np.uint64(p)] == quote:
                # ---- quoted field: find the closing quote ----
                q = p + 1
                nesc = 0
                nl = 0
                orb = 0
                qstate = _Q_CLOSED
                while True:
                    while q < n:
                        c = buf[np.uint64(q)]  # unsigned index: no negative-index wraparound
                        if qcls[c] != 0:
                            break
                        orb |= c
                        q += 1
                    if q >= n:
                        qstate = _Q_UNTERM if is_final else _Q_MORE
                        break
                    c = buf[q]
                    if c == quote:
                        if esc_is_quote:
                            if q + 1 < n:
                                if buf[q + 1] == quote:
                                    nesc += 1
                                    q += 2
                                    continue
                            elif not is_final:
                                qstate = _Q_MORE  # "" or " at the buffer end?
                        break
                    if c == 10:
                        nl += 1
                        q += 1
                    elif c == 13:
                        if q + 1 >= n or buf[q + 1] != 10:
                            nl += 1
                        q += 1
                    else:  # escape char (!= quote): the next byte is literal
                        if q + 1 >= n:
                            qstate = _Q_UNTERM if is_final else _Q_MORE
                            break
                        b = buf[q + 1]
                        orb |= b
                        nesc += 1
                        if b == 10 or (b == 13 and (q + 2 >= n or buf[q + 2] != 10)):
                            nl += 1
                        q += 2
                if qstate == _Q_MORE:
                    return (ST_NEED_MORE, rows, rs, rline - start_line, records, nrej,
                            0, -1, 0, 0, 0)  # fmt: skip
                line += nl
                if qstate == _Q_UNTERM:
                    if alive:
                        err = E_UNTERMINATED_QUOTE
                        errf = f
                        alive = False
                    p = n
                else:
                    cs = p + 1
                    qe = q
                    p = q + 1
                    if p < n:
                        c = buf[p]
                        if c != delim and c != 10 and c != 13:
                            if alive:
                                err = E_AFTER_QUOTE
                                errf = f
                                alive = False
                                kind = KIND_SKIP
                            while p < n:  # recover: the rest is unquoted text
                                c = buf[p]
                                if cls[c] != 0 and c != quote:
                                    break
                                p += 1
                            if p >= n and not is_final:
                                return (ST_NEED_MORE, rows, rs, rline - start_line, records,
                                        nrej, 0, -1, 0, 0, 0)  # fmt: skip
                    elif not is_final:
                        return (ST_NEED_MORE, rows, rs, rline - start_line, records, nrej,
                                0, -1, 0, 0, 0)  # fmt: skip
                    # A quoted field is never NULL.
                    if kind == KIND_STRING:
                        cur = soffs[us, ur]
                        ln = qe - cs - nesc
                        if cur + ln > scap:
                            code = -1
                        else:
                            if nesc == 0 and flat:
                                _copy_to_row(sbytes, slot, cur, buf, cs, ln)
                            elif nesc == 0:
                                for k in range(ln):
                                    sbytes[us, cur + k] = buf[cs + k]
                            else:
                                i = cs
                                w = cur
                                while i < qe:
                                    c = buf[i]
                                    if c == quote or (c == escape and not esc_is_quote):
                                        i += 1  # doubled quote / escape: keep the next byte
                                        c = buf[i]
                                    sbytes[us, np.uint64(w)] = c
                                    w += 1
                                    i += 1
                            if orb >= 0x80 and not _utf8_ok(sbytes[slot], cur, cur + ln):
                                code = E_INVALID_UTF8
                            else:
                                soffs[us, ur1] = cur + ln
                                valid[uf, ur] = 1
                    elif kind != KIND_SKIP:
                        if nesc == 0:
                            code, iv, fv = _convert(buf, cs, qe, kind, int_min[uf], int_max[uf],
                                                    scratch)  # fmt: skip
                        else:
                            tmp = np.empty(qe - cs, np.uint8)
                            w = _unescape(buf, cs, qe, quote, escape, tmp, zero)
                            code, iv, fv = _convert(tmp, zero, w, kind, int_min[uf], int_max[uf],
                                                    scratch)  # fmt: skip
                        if code == 0:
                            if kind == KIND_FLOAT:
                                fvals[us, ur] = fv
                            else:
                                ivals[us, ur] = iv
                            valid[uf, ur] = 1
            else:
                # ---- unquoted field ----
                done = False
                if fast_int and (kind == KIND_INT or kind == KIND_UINT64):
                    # Fused scan + convert for plain integers (the common case): one pass.
                    q = p
                    neg = False
                    if q < n:
                        c = buf[q]
                        if c == 45:
                            neg = True
                            q += 1
                        elif c == 43:
                            q += 1
                    ds = q
                    # uint64 accumulator: up to 19 digits never wrap (10**19 - 1 < 2**64), so
                    # random 63-bit keys (89 % have 19 digits) stay on this path (measured on
                    # 8.2 M of them: parse 1.24 s → see the commit; 18 digits sent them to the
                    # scan + _parse_int path).
                    acc = _U64_0
                    tail = True
                    # 8 bytes per step (SWAR): flag the non-digit bytes, convert the digits
                    # before the first flagged one with three multiplies; no per-digit branch.
                    while flat and q + 8 <= n:
                        x = _load8(buf, q)
                        nondig = ((x & _M_F0) ^ _M_30) | (((x + _M_06) & _M_F0) ^ _M_30)
                        if nondig == _U64_0:
                            acc = acc * _U64_1E8 + np.uint64(_eight_digits(x))
                            q += 8
                            if q - ds > 19:
                                tail = False
                                break
                            continue
                        k = _ctz(nondig) >> 3
                        if k > 0:
                            acc = acc * _P10U[k] + np.uint64(
                                _eight_digits(x << np.uint64(64 - 8 * k)))
                            q += k
                        tail = False
                        break
                    while tail and q < n:
                        d = np.int64(buf[np.uint64(q)]) - 48
                        if d < 0 or d > 9:
                            break
                        acc = acc * _U64_10 + np.uint64(d)
                        q += 1
                    nd = q - ds
                    if nd > 0 and nd <= 19:
                        if q < n:
                            c = buf[np.uint64(q)]
                            done = c == delim or c == 10 or c == 13
                        else:
                            done = is_final
                    if done:
                        v = 0
                        if kind == KIND_INT:
                            if acc > (_U63 if neg else _I64_MAX_U):
                                code = E_INT_RANGE
                            else:
                                v = np.int64(_U64_0 - acc) if neg else np.int64(acc)
                                if v < int_min[uf] or v > int_max[uf]:
                                    code = E_INT_RANGE
                        elif neg and acc != _U64_0:
                            code = E_INT_RANGE
                        else:
                            v = np.int64(acc)  # bit-cast: UINT64 values live in int64 slots
                        if code == 0:
                            ivals[us, ur] = v
                            valid[uf, ur] = 1
                        p = q
                if not done:
                    e = p
                    stray = False
                    orb = 0
                    # 8 bytes per step until a delimiter / quote / newline shows up: a byte b is
                    # special where (x ^ pattern) has a zero byte; the lowest flagged byte of the
                    # classic has-zero test is exact.
                    while flat and e + 8 <= n:
                        x = _load8(buf, e)
                        t = (_haszero(x ^ m_delim) | _haszero(x ^ m_quote) | _haszero(x ^ _M_LF)
                             | _haszero(x ^ _M_CR))  # fmt: skip
                        if t != _U64_0:
                            k = _ctz(t) >> 3
                            if k > 0 and (x << np.uint64(64 - 8 * k)) & _M_HIGH != _U64_0:
                                orb = 0x80
                            e += k
                            break
                        if x & _M_HIGH != _U64_0:
                            orb = 0x80
                        e += 8
                    while e < n:
                        c = buf[np.uint64(e)]
                        if cls[c] != 0:
                            if c != quote:
                                break
                            stray = True  # kept as a literal so the scan can go on
                        orb |= c
                        e += 1
                    if e >= n and not is_final:
                        return (ST_NEED_MORE, rows, rs, rline - start_line, records, nrej,
                                0, -1, 0, 0, 0)  # fmt: skip
                    if stray and alive and kuzu_rows == 0:  # Kùzu: a quote is text
                        err = E_STRAY_QUOTE
                        errf = f
                        alive = False
                        kind = KIND_SKIP
                    if kind != KIND_SKIP:
                        ln = e - p
                        isnull = False
                        if ln <= null_max:
                            for k in range(nnull):
                                a0 = null_offs[k]
                                if null_offs[k + 1] - a0 == ln:
                                    j = 0
                                    while j < ln and buf[p + j] == null_bytes[a0 + j]:
                                        j += 1
                                    if j == ln:
                                        isnull = True
                                        break
                        if isnull:
                            if field_notnull[uf] != 0:
                                code = E_NULL_NOT_ALLOWED
                            else:
                                valid[uf, ur] = 0
                                if kind == KIND_STRING:
                                    soffs[us, ur1] = soffs[us, ur]
                                elif kind == KIND_FLOAT:
                                    fvals[us, ur] = 0.0
                                else:
                                    ivals[us, ur] = 0
                        elif kind == KIND_STRING:
                            cur = soffs[us, ur]
                            if cur + ln > scap:
                                code = -1
                            else:
                                if flat:
                                    _copy_to_row(sbytes, slot, cur, buf, p, ln)
                                else:
                                    for k in range(ln):
                                        sbytes[us, cur + k] = buf[p + k]
                                if orb >= 0x80 and not _utf8_ok(sbytes[slot], cur, cur + ln):
                                    code = E_INVALID_UTF8
                                else:
                                    soffs[us, ur1] = cur + ln
                                    valid[uf, ur] = 1
                        else:
                            code, iv, fv = _convert(buf, p, e, kind, int_min[uf], int_max[uf],
                                                    scratch)  # fmt: skip
                            if code == 0:
                                if kind == KIND_FLOAT:
                                    fvals[us, ur] = fv
                                else:
                                    ivals[us, ur] = iv
                                valid[uf, ur] = 1
                    p = e
            if code > 0:
                err = code
                errf = f
                alive = False
            elif code < 0:
                ovf = True
                ovf_empty = soffs[us, ur] == 0
                alive = False
            f += 1
            if err != 0 and err != E_TOO_MANY_FIELDS and ignore_errors == 0:
                # The first error in field order is certain once its field is complete.
                return (ST_ERROR, rows, rs, rline - start_line, records, nrej,
                        err, errf, rline, rs, 0)  # fmt: skip
            # ---- what ends the field ----
            if p < n:
                c = buf[np.uint64(p)]
                if c == delim:
                    p += 1
                    continue
                rend = p
                if c == 10:
                    p += 1
                elif p + 1 < n:
                    p += 2 if buf[p + 1] == 10 else 1
                elif is_final:
                    p += 1
                else:
                    return (ST_NEED_MORE, rows, rs, rline - start_line, records, nrej,
                            0, -1, 0, 0, 0)  # fmt: skip
                line += 1
            else:
                rend = n
            break

        # ---- the record is complete ----
        if alive and f < nf:
            err = E_TOO_FEW_FIELDS
            alive = False
        if err == 0:
            if ovf:
                # Too large only if flushing cannot help: nothing stored by this call and the
                # slot holds no bytes (the caller may pass views that continue a batch).
                st = ST_ROW_TOO_LARGE if ovf_empty and rows == 0 else ST_BATCH_FULL
                return (st, rows, rs, rline - start_line, records, nrej, 0, -1, 0, 0, 0)
            row_line[row] = rline
            rows += 1
            records += 1
            if rows >= cap:
                return (ST_BATCH_FULL, rows, p, line - start_line, records, nrej,
                        0, -1, 0, 0, 0)  # fmt: skip
            continue
        got = f if (err == E_TOO_FEW_FIELDS or err == E_TOO_MANY_FIELDS) else 0
        if ignore_errors == 0:
            return (ST_ERROR, rows, rs, rline - start_line, records, nrej,
                    err, errf, rline, rs, got)  # fmt: skip
        if nrej >= rejcap:
            return (ST_REJECTS_FULL, rows, rs, rline - start_line, records, nrej,
                    0, -1, 0, 0, 0)  # fmt: skip
        rej[nrej, 0] = rline
        rej[nrej, 1] = rs
        rej[nrej, 2] = rend
        rej[nrej, 3] = errf
        rej[nrej, 4] = err
        rej[nrej, 5] = got
        nrej += 1
        records += 1
        # Roll the half-stored row back (string bytes beyond soffs[us, ur] are free again).
        for k in range(nf):
            if field_kind[k] != KIND_SKIP:
                valid[k, row] = 0
                if field_kind[k] == KIND_STRING:
                    soffs[field_slot[k], row + 1] = soffs[field_slot[k], row]
        if nrej >= rejcap:
            return (ST_REJECTS_FULL, rows, p, line - start_line, records, nrej,
                    0, -1, 0, 0, 0)  # fmt: skip


@kernel
def _parse_records(buf, n, is_final, delim, quote, escape, start_line,
                   field_kind, field_slot, field_notnull, int_min, int_max,
                   null_bytes, null_offs, ignore_errors, max_rows,
                   ivals, fvals, valid, soffs, sbytes, row_line, rej, kuzu_rows=0):  # fmt: skip
    """Parse the complete records in buf[:n] into column buffers (one batch).

    Buffers (caller-owned; B = row capacity; rows of the 2-D arrays contiguous):
      buf uint8[>=n]; field_kind int8[nf]; field_slot int32[nf] (row of ivals / fvals / the
      string arrays for that field); field_notnull uint8[nf]; int_min/int_max int64[nf]
      (inclusive range of a KIND_INT field); null_bytes uint8[*] + null_offs int64[k+1] (the
      null strings); ivals int64[nint, B] (INT, bit-cast UINT64, BOOL 0/1, DATE days,
      TIMESTAMP microseconds, all UTC since 1970-01-01); fvals float64[nflt, B];
      valid uint8[nf, B] (by field; 0 = NULL, value slot 0 / empty string; untouched for
      KIND_SKIP); soffs int64[nstr, B+1] (caller sets soffs[:, 0]; row r of slot s is
      sbytes[s, soffs[s, r]:soffs[s, r+1]]); sbytes uint8[nstr, CAP]; row_line int64[B]
      (1-based line of each row's first line); rej int64[R, 6] (line, record_start,
      record_end, field, code, got) per rejected record, record_end excluding its newline.
    Rows are stored from row 0 on every call. Flags: pass is_final as bool and ignore_errors
    and max_rows as ints (each distinct argument type is another compiled specialization).
    kuzu_rows (int, 1 for Kùzu's COPY): one empty field after the last column is dropped (a
    delimiter at the line end), in a one-column file an empty line is a NULL row, and a quote
    inside an unquoted field is text (``5'10"``).

    Returns (status, rows, consumed, lines, records, nrej, err_code, err_field, err_line,
    err_pos, err_got): rows stored; bytes consumed (the caller's next call starts there);
    newlines in buf[:consumed]; records consumed (stored + rejected); rejects stored. For
    ST_ERROR: the first error of the first bad record in field order (err_field -1 when not
    field-specific), the line and byte position where that record starts (= consumed), and
    err_got = fields seen for E_TOO_FEW_FIELDS / E_TOO_MANY_FIELDS (0 otherwise).
    ST_ROW_TOO_LARGE: a record's string does not fit although nothing was stored by this call
    and its slot was empty; ST_BATCH_FULL also covers "the next record's strings do not fit".

    Speed (AMD EPYC VM, 2.6 GHz, one thread, 100 MB of ``123456,Person123456,42`` rows in
    1 M-row batches): 720-840 MB/s wall, ~755 MB/s thread CPU time (33 M rows/s); all-int
    ``int,int,int`` rows ~650 MB/s (38 M rows/s). The machine was shared and busy, so these
    are best-of-N figures.
    """
    zero = np.int64(0)  # not a literal 0: numba would compile a separate specialization
    return _parse_core(buf, zero, n, n, is_final, delim, quote, escape, start_line,
                       field_kind, field_slot, field_notnull, int_min, int_max,
                       null_bytes, null_offs, ignore_errors, max_rows, zero, zero,
                       ivals, fvals, valid, soffs, sbytes, row_line, rej,
                       sbytes.shape[1], kuzu_rows)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Helper kernels: header split, record skipping, block starts
# ---------------------------------------------------------------------------------------------


@kernel
def _skip_blank(buf, p, n, is_final):
    """Skip empty lines from p -> (p, newlines, more) where more means a trailing \\r of a
    non-final buffer stopped the skip."""
    nl = 0
    while p < n:
        c = buf[p]
        if c == 10:
            p += 1
        elif c == 13:
            if p + 1 < n:
                p += 2 if buf[p + 1] == 10 else 1
            elif is_final:
                p += 1
            else:
                return p, nl, True
        else:
            break
        nl += 1
    return p, nl, False


@kernel
def _split_record(buf, n, is_final, delim, quote, escape, out_bytes, out_offs):
    """Split ONE record (after skipping empty lines) into unescaped fields, e.g. a header.

    out_bytes uint8[CAP]; out_offs int64[maxfields+1]: field k is out_bytes[out_offs[k]:
    out_offs[k+1]]. Returns (status, nfields, consumed, lines, err_code):
    ST_BATCH_FULL = got the record (consumed/lines include its newline); ST_NEED_MORE = no
    complete record yet (consumed = its start; at the end of final input: no record at all);
    ST_ROW_TOO_LARGE = more than maxfields fields or out_bytes too small; ST_ERROR = a syntax
    error or invalid UTF-8 (err_code; consumed/lines point to the record start).
    """
    maxf = out_offs.shape[0] - 1
    cap = out_bytes.shape[0]
    cls, qcls = _byte_classes(delim, quote, escape)
    zero = np.int64(0)
    p, line, more = _skip_blank(buf, zero, n, is_final)
    if more or p >= n:
        return ST_NEED_MORE, 0, p, line, E_NONE
    rs = p
    rline = line
    f = zero
    w = zero
    if maxf >= 0:
        out_offs[0] = 0
    while True:
        if f >= maxf:
            return ST_ROW_TOO_LARGE, f, rs, rline, E_NONE
        if p < n and buf[p] == quote:
            st, qe, nesc, nl, orb = _scan_quoted(buf, p, n, is_final, quote, escape, qcls)
            if st == _Q_MORE:
                return ST_NEED_MORE, f, rs, rline, E_NONE
            if st == _Q_UNTERM:
                return ST_ERROR, f, rs, rline, E_UNTERMINATED_QUOTE
            line += nl
            ln = qe - p - 1 - nesc
            if w + ln > cap:
                return ST_ROW_TOO_LARGE, f, rs, rline, E_NONE
            _unescape(buf, p + 1, qe, quote, escape, out_bytes, w)
            p = qe + 1
            if p < n:
                c = buf[p]
                if c != delim and c != 10 and c != 13:
                    return ST_ERROR, f, rs, rline, E_AFTER_QUOTE
            elif not is_final:
                return ST_NEED_MORE, f, rs, rline, E_NONE
        else:
            e, stray, orb = _scan_unquoted(buf, p, n, cls, quote)
            if e >= n and not is_final:
                return ST_NEED_MORE, f, rs, rline, E_NONE
            if stray:
                return ST_ERROR, f, rs, rline, E_STRAY_QUOTE
            ln = e - p
            if w + ln > cap:
                return ST_ROW_TOO_LARGE, f, rs, rline, E_NONE
            for k in range(ln):
                out_bytes[w + k] = buf[p + k]
            p = e
        if orb >= 0x80 and not _utf8_ok(out_bytes, w, w + ln):
            return ST_ERROR, f, rs, rline, E_INVALID_UTF8
        w += ln
        f += 1
        out_offs[f] = w
        if p < n:
            c = buf[p]
            if c == delim:
                p += 1
                continue
            if c == 10:
                p += 1
            elif p + 1 < n:
                p += 2 if buf[p + 1] == 10 else 1
            elif is_final:
                p += 1
            else:
                return ST_NEED_MORE, f, rs, rline, E_NONE
            line += 1
        return ST_BATCH_FULL, f, p, line, E_NONE


@kernel
def _walk_record(buf, p, n, is_final, delim, quote, escape, cls, qcls):
    """Syntax-only walk over the record starting at p (not on an empty line).

    Returns (complete, next_p, newlines): next_p is just past the record's newline (or n).
    Malformed quoting is walked over with the same recovery rules as _parse_core.
    """
    nl = 0
    while True:
        if p < n and buf[p] == quote:
            st, qe, nesc, qnl, orb = _scan_quoted(buf, p, n, is_final, quote, escape, qcls)
            if st == _Q_MORE:
                return False, p, nl
            nl += qnl
            if st == _Q_UNTERM:
                return True, n, nl
            p = qe + 1
            if p < n:
                c = buf[p]
                if c != delim and c != 10 and c != 13:
                    p, _s, _o = _scan_unquoted(buf, p, n, cls, quote)
        else:
            p, _s, _o = _scan_unquoted(buf, p, n, cls, quote)
        if p >= n:
            return is_final, n, nl
        c = buf[p]
        if c == delim:
            p += 1
            continue
        if c == 10:
            p += 1
        elif p + 1 < n:
            p += 2 if buf[p + 1] == 10 else 1
        elif is_final:
            p += 1
        else:
            return False, p, nl
        return True, p, nl + 1


@kernel
def _skip_records(buf, n, is_final, delim, quote, escape, nrec):
    """Skip up to nrec complete records (and the empty lines before them).

    Returns (status, skipped, consumed, lines): ST_BATCH_FULL when nrec records were skipped
    (consumed is just past the last one's newline), else ST_NEED_MORE (consumed = where the
    first incomplete record starts, or n). Malformed records are skipped like good ones.
    """
    cls, qcls = _byte_classes(delim, quote, escape)
    p = np.int64(0)
    line = 0
    k = 0
    while k < nrec:
        p2, nl, more = _skip_blank(buf, p, n, is_final)
        if more or p2 >= n:
            return ST_NEED_MORE, k, p2, line + nl
        complete, q, rnl = _walk_record(buf, p2, n, is_final, delim, quote, escape, cls, qcls)
        if not complete:
            return ST_NEED_MORE, k, p2, line + nl
        p = q
        line += nl + rnl
        k += 1
    return ST_BATCH_FULL, k, p, line


@kernel
def _zero_bytes(v):
    """High bit set in exactly the zero bytes of v."""
    t = ((v & _M_LOW7) + _M_LOW7) | v
    return ~(t | _M_LOW7)


@kernel
def _count_quotes_lines(buf, s, e, n, quote):
    """(quote chars, line breaks) in buf[s:e], 8 bytes per step. A line break is a \\n or a
    \\r not followed by \\n (looking past e, up to n): counts add up over adjacent ranges."""
    mq = _M_ONES * np.uint64(quote)
    nq = 0
    nl = 0
    i = s
    while buf.strides[0] == 1 and i + 8 <= e:
        x = _load8(buf, i)
        nq += _popcount(_zero_bytes(x ^ mq))
        lf = _zero_bytes(x ^ _M_LF)
        cr = _zero_bytes(x ^ _M_CR) & ~(lf >> np.uint64(8))
        if (cr >> np.uint64(63)) != _U64_0 and i + 8 < n and buf[i + 8] == 10:
            cr &= _M_LOW63
        nl += _popcount(lf) + _popcount(cr)
        i += 8
    while i < e:
        c = buf[np.uint64(i)]
        nq += c == quote
        if c == 10 or (c == 13 and (i + 1 >= n or buf[i + 1] != 10)):
            nl += 1
        i += 1
    return nq, nl


@kernel
def _next_record_start(buf, p, n, quote, inq):
    """(position just past the first line break outside quotes at or after p, or n if none;
    line breaks in between, counted like _count_quotes_lines). inq: p is inside quotes."""
    nl = 0
    while p < n:
        c = buf[np.uint64(p)]
        if c == quote:
            inq ^= 1
        elif c == 10 or c == 13:
            crlf = c == 13 and p + 1 < n and buf[p + 1] == 10
            if inq == 0:
                return (p + 2 if crlf else p + 1), nl + 1
            if not crlf:
                nl += 1
        p += 1
    return n, nl


@kernel
def _find_block_starts(buf, n, quote, nblocks, out_starts):
    """Split buf[:n] into <= nblocks blocks that each start at a record start.

    The in-quote state at a nominal boundary is the parity of the quote chars before it (a
    prefix XOR of per-block parities; exact for doubled-quote escaping); the block then starts
    after the first newline outside quotes. out_starts int64[nblocks+1]: out_starts[0] = 0,
    out_starts[m] = n. Returns m, the number of blocks.
    """
    if nblocks < 1:
        nblocks = 1
    out_starts[0] = 0
    m = 0
    parity = 0
    prev = 0
    for i in range(1, nblocks):
        b = i * n // nblocks
        parity ^= _count_quotes_lines(buf, prev, b, n, quote)[0] & 1
        prev = b
        start = _next_record_start(buf, b, n, quote, parity)[0]
        if start >= n:
            break
        if start > out_starts[m]:
            m += 1
            out_starts[m] = start
    m += 1
    out_starts[m] = n
    return m


# Blocks smaller than this are not worth a thread (a caller's rule of thumb for nblocks).
MIN_PARALLEL_BLOCK = 1 << 16


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


@kernel(parallel=True)
def _parse_records_parallel(buf, n, is_final, delim, quote, escape, start_line,
                            field_kind, field_slot, field_notnull, int_min, int_max,
                            null_bytes, null_offs, ignore_errors, max_rows,
                            ivals, fvals, valid, soffs, sbytes, row_line, rej,
                            nblocks, kuzu_rows=0):  # fmt: skip
    """_parse_records on up to ``nblocks`` threads: same arguments (plus nblocks), same result.

    buf[:n] is cut into blocks at record starts (_find_block_starts' quote parity, counted in
    parallel together with the line breaks of each block). Every block is parsed by _parse_core
    straight into the caller's buffers, block b at row R[b] (the line breaks of the blocks
    before it, + 2 each, bound their records) and, for strings, at byte offset S[b] (a share of
    the free string room proportional to the block's length); then the blocks are moved down in
    order to close the gaps. A block is used only if it ended exactly at the next block's start
    and fits the caller's remaining capacity; from the first one that does not (an error, a
    full buffer or string share, a boundary that was not a real record start because of
    malformed quoting) the rest of the buffer is parsed serially. So results, statuses and the
    reported error (the earliest) are the same as _parse_records'. Blocks beyond the row
    capacity (sum of R) are left to the serial continuation: worth it when the batch capacity
    covers the read buffer (rows and string bytes) and blocks are >= MIN_PARALLEL_BLOCK bytes
    (the caller picks nblocks).
    """
    zero = np.int64(0)
    cap = min(max_rows, row_line.shape[0])
    rows = zero
    nrej = zero
    records = zero
    line = start_line
    consumed = zero
    resume = zero  # where the serial parse takes over
    finished = False
    nb = min(nblocks, n // 2)
    # (the block moves below need rows with unit strides, as arrays callers make have)
    flat = (ivals.strides[1] == 8 and fvals.strides[1] == 8 and valid.strides[1] == 1
            and sbytes.strides[1] == 1)  # fmt: skip
    if nb >= 2 and escape == quote and cap >= 2 and flat:
        # ---- block starts: per-block quote parities in parallel, then a prefix XOR ----
        counts = np.zeros(nb, np.int64)
        lines_n = np.zeros(nb, np.int64)
        for b in prange(nb):
            counts[b], lines_n[b] = _count_quotes_lines(buf, b * n // nb, (b + 1) * n // nb, n,
                                                        quote)  # fmt: skip
        parity = np.zeros(nb, np.int64)
        for b in range(1, nb):
            parity[b] = parity[b - 1] ^ (counts[b - 1] & 1)
        cand = np.zeros(nb, np.int64)
        skipped = np.zeros(nb, np.int64)  # line breaks between nominal start and block start
        for b in prange(1, nb):
            cand[b], skipped[b] = _next_record_start(buf, b * n // nb, n, quote, parity[b])
        starts = np.zeros(nb + 1, np.int64)
        bound = np.zeros(nb, np.int64)  # line breaks in each block: >= its records - 1
        m = 0
        acc = lines_n[0]
        for b in range(1, nb):
            if cand[b] < n and cand[b] > starts[m]:
                bound[m] = acc + skipped[b]
                m += 1
                starts[m] = cand[b]
                acc = -skipped[b]
            acc += lines_n[b]
        bound[m] = acc
        m += 1
        starts[m] = n

        # ---- where each block goes; how many blocks fit ----
        nint = 0
        nflt = 0
        nstr = 0
        for f in range(field_kind.shape[0]):
            kind = field_kind[f]
            if kind == KIND_STRING:
                nstr = max(nstr, field_slot[f] + 1)
            elif kind == KIND_FLOAT:
                nflt = max(nflt, field_slot[f] + 1)
            elif kind != KIND_SKIP:
                nint = max(nint, field_slot[f] + 1)
        cursor0 = np.zeros(nstr, np.int64)
        maxcur = 0
        for k in range(nstr):
            cursor0[k] = soffs[k, 0]
            maxcur = max(maxcur, cursor0[k])
        R = np.zeros(m + 1, np.int64)
        mp = 0  # blocks parsed in parallel
        for b in range(m):
            # + 2: the final record may lack a line break; and a gap, so that a block that runs
            # over its rows (and is not used) cannot touch the next block's first string offset.
            R[b + 1] = R[b] + bound[b] + 2
            if R[b + 1] > cap:
                break
            mp += 1
        # String bytes: block b >= 1 writes from base + S[b] up to base + S[b + 1], a share of
        # the free room proportional to its length (block 0 from the slots' own cursors);
        # a block whose strings outgrow its share stops, and the serial parse takes over.
        base = maxcur
        free = sbytes.shape[1] - base
        S = np.zeros(m + 1, np.int64)
        if mp >= 1:
            for b in range(1, mp + 1):
                S[b] = free * (starts[b] - starts[0]) // (starts[mp] - starts[0])
        if mp >= 2:
            for b in range(1, mp):
                for k in range(nstr):
                    soffs[k, R[b]] = base + S[b]

            # ---- parse the blocks in parallel, in place ----
            rej_t = np.empty((mp, rej.shape[0], rej.shape[1]), np.int64)
            res = np.empty((mp, 11), np.int64)
            for b in prange(mp):
                r = _parse_core(buf, starts[b], starts[b + 1], n, is_final, delim, quote, escape,
                                zero, field_kind, field_slot, field_notnull, int_min, int_max,
                                null_bytes, null_offs, ignore_errors, R[b + 1], R[b], zero,
                                ivals, fvals, valid, soffs, sbytes, row_line, rej_t[b],
                                base + S[b + 1], kuzu_rows)  # fmt: skip
                for j in range(11):
                    res[b, j] = r[j]

            # ---- keep the blocks the serial parse would have produced the same way ----
            rejcap = rej.shape[0]
            cur = cursor0.copy()
            nclean = 0
            nf = field_kind.shape[0]
            for b in range(mp):
                r0 = R[b]
                rows_b = res[b, 1] - r0
                nrej_b = res[b, 5]
                if res[b, 0] != ST_NEED_MORE or (b < m - 1 and res[b, 2] != starts[b + 1]):
                    break
                if rows + rows_b >= cap or (nrej_b > 0 and nrej + nrej_b >= rejcap):
                    break
                # close the gap: rows [r0, r0 + rows_b) move down to [rows, ...)
                if r0 != rows:
                    for f in range(nf):
                        if field_kind[f] != KIND_SKIP:
                            _move_in_row(valid, f, rows, r0, rows_b)
                    for k in range(nint):
                        _move_in_row(ivals, k, rows, r0, rows_b)
                    for k in range(nflt):
                        _move_in_row(fvals, k, rows, r0, rows_b)
                for i in range(rows_b):  # block lines count from 0
                    row_line[rows + i] = row_line[r0 + i] + line
                for k in range(nstr):
                    src = cursor0[k] if b == 0 else base + S[b]
                    nbytes = soffs[k, r0 + rows_b] - src
                    if src != cur[k]:
                        _move_in_row(sbytes, k, cur[k], src, nbytes)
                    for i in range(rows_b):
                        soffs[k, rows + i + 1] = soffs[k, r0 + i + 1] - src + cur[k]
                    cur[k] += nbytes
                for j in range(nrej_b):
                    for c in range(rej.shape[1]):
                        rej[nrej + j, c] = rej_t[b, j, c]
                    rej[nrej + j, 0] += line
                rows += rows_b
                nrej += nrej_b
                records += res[b, 4]
                line += res[b, 3]
                consumed = res[b, 2]
                nclean += 1
            for k in range(nstr):
                soffs[k, rows] = cur[k]
            if nclean == m:
                finished = True
            else:
                resume = starts[nclean]
    if finished:
        return (ST_NEED_MORE, rows, consumed, line - start_line, records, nrej,
                0, -1, 0, 0, 0)  # fmt: skip
    # ---- the rest (or everything) serially, continuing the batch ----
    r = _parse_core(buf, resume, n, n, is_final, delim, quote, escape, line,
                    field_kind, field_slot, field_notnull, int_min, int_max, null_bytes,
                    null_offs, ignore_errors, max_rows, rows, nrej, ivals, fvals, valid, soffs,
                    sbytes, row_line, rej, sbytes.shape[1], kuzu_rows)  # fmt: skip
    return (r[0], r[1], r[2], line - start_line + r[3], records + r[4], r[5], r[6], r[7], r[8],
            r[9], r[10])  # fmt: skip
