"""numba kernels that split Kùzu's nested CSV values into element spans, and convert spans.

Every kernel works on one byte buffer ``buf`` and per-value spans ``starts[i] … ends[i]`` (the
field text after CSV unquoting), fills caller-owned arrays and returns codes; none raises.
The syntax is Kùzu's (src/function/cast_from_string_functions.cpp):

* LIST ``[a, b, …]``: elements split at top-level commas; a ``[``…``]`` or ``{``…``}`` element
  is skipped as a whole (single quotes inside protected); an element starting with ``'`` or
  ``"`` runs to the matching quote; whitespace around elements is trimmed; ``[]`` is empty and
  a trailing comma adds an empty (NULL) element.
* STRUCT ``{name: value, …}``: names matched case-insensitively, surrounding quotes of names
  and values removed; fields not given are NULL.
* MAP ``{key=value, …}``.

Kernels: ``_split_lists`` (count or fill list elements), ``_split_structs``, ``_split_maps``,
``_convert_spans`` (classic scalar kinds through the record kernel's converters),
``_gather_spans`` (STRING elements), ``_decode_blobs`` (``\\xHH`` escapes).
"""

from __future__ import annotations

import numpy as np

from .._jit import kernel
from . import _kernels as K

OK = 0
BAD_SYNTAX = 1
TOO_DEEP = 2
UNKNOWN_FIELD = 3
BAD_VALUE = 4  # a converter's own code is returned separately

_MAX_DEPTH = 4096
_LBRACK, _RBRACK, _LBRACE, _RBRACE = 91, 93, 123, 125
_SQUOTE, _DQUOTE, _COMMA, _COLON, _EQ = 39, 34, 44, 58, 61


@kernel
def _isspace(c):
    return c == 32 or (9 <= c <= 13)


@kernel
def _skip_ws(buf, p, e):
    while p < e and _isspace(buf[p]):
        p += 1
    return p


@kernel
def _trim_right(buf, s, e):
    while e > s and _isspace(buf[e - 1]):
        e -= 1
    return e


@kernel
def _skip_quotes(buf, p, e):
    """``buf[p]`` is a quote: the position of the closing one, or -1."""
    ch = buf[p]
    p += 1
    while p < e:
        if buf[p] == ch:
            return p
        p += 1
    return -1


@kernel
def _skip_to_close(buf, p, e, target, stack):
    """``buf[p]`` opens a bracket closed by ``target``: the position of its closing bracket
    (nested ``[]``/``{}`` and single-quoted text skipped), or -1 (unclosed) / -2 (too deep)."""
    depth = 0
    stack[0] = target
    p += 1
    while p < e:
        c = buf[p]
        if c == _SQUOTE:
            q = _skip_quotes(buf, p, e)
            if q < 0:
                return -1
            p = q
        elif c == _LBRACE or c == _LBRACK:
            depth += 1
            if depth >= len(stack):
                return -2
            stack[depth] = _RBRACE if c == _LBRACE else _RBRACK
        elif c == stack[depth]:
            if depth == 0:
                return p
            depth -= 1
        p += 1
    return -1


COUNT, SPANS, VALUES = 0, 1, 2  # _split_lists modes


@kernel
def _split_lists(buf, starts, ends, present, mode, out_s, out_e, counts, kind, imin, imax,
                 out_i, out_f, out_valid):
    """Split each present value ``[…]``; counts[i] = its number of elements. Mode SPANS: the
    element spans go to out_s/out_e (sized by a COUNT pass); mode VALUES: elements of a
    classic scalar ``kind`` are converted straight into out_i/out_f/out_valid (no spans kept).
    -> (code, bad index, converter code)."""
    stack = np.empty(_MAX_DEPTH, np.uint8)
    scratch = np.empty(800, np.uint8)
    k = 0
    for i in range(len(starts)):
        counts[i] = 0
        if not present[i]:
            continue
        e = ends[i]
        p = _skip_ws(buf, starts[i], e)
        if p == e or buf[p] != _LBRACK:
            return BAD_SYNTAX, i, 0
        p = _skip_ws(buf, p + 1, e)
        just = True
        seen = False
        closed = False
        start = p
        n = 0
        while p < e:
            c = buf[p]
            if c == _LBRACK or c == _LBRACE:
                q = _skip_to_close(buf, p, e, _RBRACK if c == _LBRACK else _RBRACE, stack)
                if q == -2:
                    return TOO_DEEP, i, 0
                if q < 0:
                    return BAD_SYNTAX, i, 0
                p = q
            elif (c == _SQUOTE or c == _DQUOTE) and just:
                q = _skip_quotes(buf, p, e)
                if q >= 0:
                    p = q
            elif c == _COMMA or c == _RBRACK:
                if c != _RBRACK or start < p or seen:
                    if mode == SPANS:
                        out_s[k] = start
                        out_e[k] = _trim_right(buf, start, p)
                    elif mode == VALUES:
                        ee = _trim_right(buf, start, p)
                        if _kuzu_null(buf, start, ee):
                            out_valid[k] = False
                            out_i[k] = 0
                        else:
                            code, iv, fv = K._convert(buf, start, ee, kind, imin, imax, scratch)
                            if code != K.E_NONE:
                                return BAD_VALUE, i, code
                            out_valid[k] = True
                            if kind == K.KIND_FLOAT:
                                out_f[k] = fv
                            else:
                                out_i[k] = iv
                    k += 1
                    n += 1
                    seen = True
                if c == _RBRACK:
                    closed = True
                    break
                p = _skip_ws(buf, p + 1, e)
                start = p
                just = True
                continue
            just = False
            p += 1
        if not closed or _skip_ws(buf, p + 1, e) != e:
            return BAD_SYNTAX, i, 0
        counts[i] = n
    return OK, -1, 0


@kernel
def _strip_quotes(buf, s, e):
    if e - s >= 2 and (buf[s] == _SQUOTE or buf[s] == _DQUOTE) and buf[e - 1] == buf[s]:
        return s + 1, e - 1
    return s, e


@kernel
def _field_index(buf, s, e, names, name_offs):
    """Index of the (upper-case) name equal to buf[s:e] ignoring ASCII case, or -1."""
    for f in range(len(name_offs) - 1):
        a, b = name_offs[f], name_offs[f + 1]
        if b - a != e - s:
            continue
        same = True
        for j in range(b - a):
            c = buf[s + j]
            if 97 <= c <= 122:
                c -= 32
            if c != names[a + j]:
                same = False
                break
        if same:
            return f
    return -1


@kernel
def _struct_value_end(buf, p, e, stack):
    """End of a struct field value starting at p: the position of the ``,`` or ``}`` that
    ends it, or -1."""
    while p < e:
        c = buf[p]
        if c == _SQUOTE or c == _DQUOTE:
            q = _skip_quotes(buf, p, e)
            if q < 0:
                return -1
            p = q
        elif c == _LBRACE or c == _LBRACK:
            q = _skip_to_close(buf, p, e, _RBRACE if c == _LBRACE else _RBRACK, stack)
            if q < 0:
                return -1
            p = q
        elif c == _COMMA or c == _RBRACE:
            return p
        p += 1
    return -1


@kernel
def _brace_body(buf, s, e):
    """Where the content of the braced value ``buf[s:e]`` starts: e for an empty ``{}``, -1
    when it is not one ``{…}`` (shared by structs and maps)."""
    p = _skip_ws(buf, s, e)
    if p == e or buf[p] != _LBRACE:
        return -1
    p = _skip_ws(buf, p + 1, e)
    if p == e:
        return -1
    if buf[p] == _RBRACE:
        return e if _skip_ws(buf, p + 1, e) == e else -1
    return p


@kernel
def _split_structs(buf, starts, ends, present, names, name_offs, out_s, out_e, out_present):
    """Split each present value ``{name: value, …}`` into one span per field (row-major
    out_s/out_e [n, nfields]); out_present marks the fields given. -> (code, bad index)."""
    stack = np.empty(_MAX_DEPTH, np.uint8)
    nf = len(name_offs) - 1
    for i in range(len(starts)):
        for f in range(nf):
            out_present[i, f] = False
        if not present[i]:
            continue
        e = ends[i]
        p = _brace_body(buf, starts[i], e)
        if p < 0:
            return BAD_SYNTAX, i
        if p == e:  # {}
            continue
        done = False
        while p < e:
            ks = p
            while p < e and buf[p] != _COLON:
                p += 1
            if p == e:
                return BAD_SYNTAX, i
            ke = _trim_right(buf, ks, p)
            ks, ke = _strip_quotes(buf, ks, ke)
            f = _field_index(buf, ks, ke, names, name_offs)
            if f < 0:
                return UNKNOWN_FIELD, i
            vs = _skip_ws(buf, p + 1, e)
            p = _struct_value_end(buf, vs, e, stack)
            if p < 0:
                return BAD_SYNTAX, i
            ve = _trim_right(buf, vs, p)
            vs, ve = _strip_quotes(buf, vs, ve)
            out_s[i, f] = vs
            out_e[i, f] = ve
            out_present[i, f] = True
            closing = buf[p] == _RBRACE
            p = _skip_ws(buf, p + 1, e)
            if closing:
                if p != e:
                    return BAD_SYNTAX, i
                done = True
                break
        if not done:
            return BAD_SYNTAX, i
    return OK, -1


@kernel
def _map_part_end(buf, p, e, is_key, stack):
    while p < e:
        c = buf[p]
        if c == _SQUOTE or c == _DQUOTE:
            q = _skip_quotes(buf, p, e)
            if q < 0:
                return -1
            p = q
        elif c == _LBRACE or c == _LBRACK:
            q = _skip_to_close(buf, p, e, _RBRACE if c == _LBRACE else _RBRACK, stack)
            if q < 0:
                return -1
            p = q
        elif is_key and c == _EQ:
            return p
        elif not is_key and (c == _COMMA or c == _RBRACE):
            return p
        p += 1
    return -1


@kernel
def _split_maps(buf, starts, ends, present, fill, key_s, key_e, val_s, val_e, counts):
    """Split each present value ``{k=v, …}``; as _split_lists (count, then fill)."""
    stack = np.empty(_MAX_DEPTH, np.uint8)
    k = 0
    for i in range(len(starts)):
        counts[i] = 0
        if not present[i]:
            continue
        e = ends[i]
        p = _brace_body(buf, starts[i], e)
        if p < 0:
            return BAD_SYNTAX, i
        if p == e:  # {}
            continue
        done = False
        n = 0
        while p < e:
            ks = p
            p = _map_part_end(buf, p, e, True, stack)
            if p < 0:
                return BAD_SYNTAX, i
            ke = _trim_right(buf, ks, p)
            vs = _skip_ws(buf, p + 1, e)
            p = _map_part_end(buf, vs, e, False, stack)
            if p < 0:
                return BAD_SYNTAX, i
            ve = _trim_right(buf, vs, p)
            if fill:
                key_s[k] = ks
                key_e[k] = ke
                val_s[k] = vs
                val_e[k] = ve
            k += 1
            n += 1
            closing = buf[p] == _RBRACE
            p = _skip_ws(buf, p + 1, e)
            if closing:
                if p != e:
                    return BAD_SYNTAX, i
                done = True
                break
        if not done:
            return BAD_SYNTAX, i
        counts[i] = n
    return OK, -1


@kernel
def _kuzu_null(buf, s, e):
    """Kùzu's NULL test for a non-string element: blank, or ``null`` in any case."""
    p = _skip_ws(buf, s, e)
    if p == e:
        return True
    if e - p >= 4:
        w = (buf[p] | 32, buf[p + 1] | 32, buf[p + 2] | 32, buf[p + 3] | 32)
        if w == (110, 117, 108, 108):
            return _skip_ws(buf, p + 4, e) == e
    return False


@kernel
def _mark_nulls(buf, starts, ends, present, string_like, null_bytes, null_offs, valid):
    """valid[i] = present[i] and the element is not NULL (string elements: equal to one of the
    null strings; others: Kùzu's blank / ``null`` test)."""
    for i in range(len(starts)):
        if not present[i]:
            valid[i] = False
            continue
        s, e = starts[i], ends[i]
        is_null = False
        if string_like:
            for j in range(len(null_offs) - 1):
                a, b = null_offs[j], null_offs[j + 1]
                if b - a == e - s:
                    same = True
                    for t in range(b - a):
                        if buf[s + t] != null_bytes[a + t]:
                            same = False
                            break
                    if same:
                        is_null = True
                        break
        else:
            is_null = _kuzu_null(buf, s, e)
        valid[i] = not is_null


@kernel
def _convert_spans(buf, starts, ends, valid, kind, imin, imax, out_i, out_f):
    """Convert valid spans of a classic scalar kind (surrounding blanks ignored).
    -> (code, bad index)."""
    scratch = np.empty(800, np.uint8)
    for i in range(len(starts)):
        if not valid[i]:
            out_i[i] = 0
            continue
        s = _skip_ws(buf, starts[i], ends[i])
        e = _trim_right(buf, s, ends[i])
        code, iv, fv = K._convert(buf, s, e, kind, imin, imax, scratch)
        if code != K.E_NONE:
            return code, i
        if kind == K.KIND_FLOAT:  # out_i and out_f may share one buffer
            out_f[i] = fv
        else:
            out_i[i] = iv
    return K.E_NONE, -1


@kernel
def _gather_spans(buf, starts, ends, valid, offsets, out):
    """Copy the valid spans one after another (NULLs empty); offsets[0] must be 0.
    -> index of the first span that is not UTF-8, or -1."""
    w = 0
    for i in range(len(starts)):
        if valid[i]:
            s, e = starts[i], ends[i]
            if not K._utf8_ok(buf, s, e):
                return i
            for j in range(s, e):
                out[w] = buf[j]
                w += 1
        offsets[i + 1] = w
    return -1


@kernel
def _hex(c):
    if 48 <= c <= 57:
        return c - 48
    c |= 32
    if 97 <= c <= 102:
        return c - 87
    return -1


@kernel
def _decode_blobs(buf, starts, ends, valid, offsets, out):
    """Kùzu's BLOB text: ASCII bytes as they are, ``\\xHH`` one byte (other non-ASCII bytes
    must be escaped). -> bad index or -1."""
    w = 0
    for i in range(len(starts)):
        if valid[i]:
            p, e = starts[i], ends[i]
            while p < e:
                c = buf[p]
                if c == 92:  # backslash
                    if p + 4 > e or buf[p + 1] != 120:
                        return i
                    hi = _hex(buf[p + 2])
                    lo = _hex(buf[p + 3])
                    if hi < 0 or lo < 0:
                        return i
                    out[w] = hi * 16 + lo
                    w += 1
                    p += 4
                elif c > 127:
                    return i
                else:
                    out[w] = c
                    w += 1
                    p += 1
        offsets[i + 1] = w
    return -1


@kernel
def _parse_uuids(buf, starts, ends, valid, out):
    """UUIDs as Kùzu reads them: 32 hex digits, hyphens anywhere, optionally in braces;
    surrounding blanks ignored. out: uint8[n, 16]. -> bad index or -1."""
    for i in range(len(starts)):
        if not valid[i]:
            for j in range(16):
                out[i, j] = 0
            continue
        s = _skip_ws(buf, starts[i], ends[i])
        e = _trim_right(buf, s, ends[i])
        if e - s >= 2 and buf[s] == _LBRACE and buf[e - 1] == _RBRACE:
            s += 1
            e -= 1
        nd = 0
        for p in range(s, e):
            c = buf[p]
            if c == 45:
                continue
            h = _hex(c)
            if h < 0 or nd >= 32:
                return i
            if nd % 2 == 0:
                out[i, nd // 2] = h * 16
            else:
                out[i, nd // 2] += h
            nd += 1
        if nd != 32:
            return i
    return -1
