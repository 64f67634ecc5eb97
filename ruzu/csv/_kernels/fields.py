"""Field scanners: byte classes, unquoted and quoted field scans, unescaping, SWAR helpers."""

from __future__ import annotations

import numpy as np

from ..._jit import kernel
from ._constants import _M_0F, _M_00FF, _M_0000FFFF, _M_HIGH, _M_ONES, _Q_CLOSED, _Q_MORE, _Q_UNTERM

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
