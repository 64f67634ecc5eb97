"""Value parsers: (array, start, end) -> code / value. Strict: no surrounding spaces.
``_convert`` dispatches on a field kind (``codes.KIND_*``)."""

from __future__ import annotations

import numpy as np

from ..._jit import kernel
from .._values_temporal import _date_prefix, _parse_date
from ._constants import (
    _I64_MAX_U,
    _NEG_NAN,
    _P10F,
    _P10I,
    _TWO53,
    _U63,
    _U64_0,
    _U64_10,
    _U64_MAX_DIV10,
    _US_PER_DAY,
    _W_FALSE,
    _W_INF,
    _W_INFINITY,
    _W_NAN,
    _W_TRUE,
)
from ._intrinsics import _strtod
from .codes import (
    E_BAD_BOOL,
    E_BAD_DATE,
    E_BAD_FLOAT,
    E_BAD_INT,
    E_BAD_TIMESTAMP,
    E_INT_RANGE,
    E_NONE,
    KIND_BOOL,
    KIND_DATE,
    KIND_FLOAT,
    KIND_INT,
    KIND_TIMESTAMP,
    KIND_UINT64,
)

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
