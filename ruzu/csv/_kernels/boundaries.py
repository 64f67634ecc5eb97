"""Kernels that find records without converting them: blank-line skipping, header split,
record skipping, record starts for parallel parsing."""

from __future__ import annotations

import numpy as np

from ..._intrinsics import load8 as _load8
from ..._jit import kernel
from ._constants import _M_CR, _M_LF, _M_LOW7, _M_LOW63, _M_ONES, _Q_MORE, _Q_UNTERM, _U64_0
from ._intrinsics import _popcount
from .codes import (
    E_AFTER_QUOTE,
    E_INVALID_UTF8,
    E_NONE,
    E_STRAY_QUOTE,
    E_UNTERMINATED_QUOTE,
    ST_BATCH_FULL,
    ST_ERROR,
    ST_NEED_MORE,
    ST_ROW_TOO_LARGE,
)
from .fields import _byte_classes, _scan_quoted, _scan_unquoted, _unescape
from .values import _utf8_ok

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
