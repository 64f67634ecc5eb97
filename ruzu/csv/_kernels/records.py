"""The record parser: ``_parse_core`` (the hot loop, one batch of records into columns)
and ``_parse_records`` (its serial entry point)."""

from __future__ import annotations

import numpy as np

from ..._intrinsics import load8 as _load8
from ..._jit import kernel
from ._constants import (
    _I64_MAX_U,
    _M_06,
    _M_30,
    _M_CR,
    _M_F0,
    _M_HIGH,
    _M_LF,
    _M_ONES,
    _P10U,
    _Q_CLOSED,
    _Q_MORE,
    _Q_UNTERM,
    _U63,
    _U64_0,
    _U64_1E8,
    _U64_10,
)
from ._intrinsics import _copy_to_row, _ctz
from .codes import (
    E_AFTER_QUOTE,
    E_INT_RANGE,
    E_INVALID_UTF8,
    E_NULL_NOT_ALLOWED,
    E_STRAY_QUOTE,
    E_TOO_FEW_FIELDS,
    E_TOO_MANY_FIELDS,
    E_UNTERMINATED_QUOTE,
    KIND_FLOAT,
    KIND_INT,
    KIND_SKIP,
    KIND_STRING,
    KIND_UINT64,
    ST_BATCH_FULL,
    ST_ERROR,
    ST_NEED_MORE,
    ST_REJECTS_FULL,
    ST_ROW_TOO_LARGE,
)
from .fields import _byte_classes, _eight_digits, _haszero, _nulls_look_numeric, _unescape
from .values import _convert, _utf8_ok

# ---------------------------------------------------------------------------------------------
# The record parser
# ---------------------------------------------------------------------------------------------


@kernel
def _parse_core(buf, pos0, stop, n, is_final, delim, quote, escape, start_line,
                field_kind, field_slot, field_notnull, int_min, int_max,
                null_bytes, null_offs, ignore_errors, max_rows, row0, nrej0,
                ivals, fvals, valid, soffs, sbytes, row_line, rej, slimit):  # fmt: skip
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
        while p < stop:
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
                    if stray and alive:
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
                   ivals, fvals, valid, soffs, sbytes, row_line, rej):  # fmt: skip
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
                       sbytes.shape[1])  # fmt: skip
