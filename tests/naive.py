"""Slow, obviously correct reference implementations used as test oracles.

Each function here favours clarity over speed; the fast numba kernels are tested against them.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field

# ---------------------------------------------------------------------------------------------
# CSV (ruzu.csv._kernels)
# ---------------------------------------------------------------------------------------------

# Mirrors of the kernel constants (kept literal so the oracle does not import what it checks).
KIND_SKIP, KIND_INT, KIND_UINT64, KIND_FLOAT = 0, 1, 2, 3
KIND_BOOL, KIND_DATE, KIND_TIMESTAMP, KIND_STRING = 4, 5, 6, 7
E_UNTERMINATED_QUOTE, E_STRAY_QUOTE, E_AFTER_QUOTE = 1, 2, 3
E_TOO_FEW_FIELDS, E_TOO_MANY_FIELDS = 4, 5
E_BAD_INT, E_INT_RANGE, E_BAD_FLOAT, E_BAD_BOOL = 6, 7, 8, 9
E_BAD_DATE, E_BAD_TIMESTAMP, E_INVALID_UTF8, E_NULL_NOT_ALLOWED = 10, 11, 12, 13

SKIPPED = "<skipped>"  # value reported for a KIND_SKIP field

_INT_RE = re.compile(rb"[+-]?[0-9]+")
_FLOAT_RE = re.compile(rb"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_FLOAT_SPECIAL_RE = re.compile(rb"[+-]?(inf|infinity|nan)", re.IGNORECASE)
_DATE_RE = re.compile(rb"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")  # Kùzu: 1950-7-23 too
_TS_RE = re.compile(
    rb"([0-9]{4}-[0-9]{1,2}-[0-9]{1,2})"
    rb"(?:[ T]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?"
    rb"(Z?[+-][0-9]{2}(?::?[0-9]{2})?|Z)?)?"
)
_NEWLINE_RE = re.compile(rb"\r\n|\r|\n")
_EPOCH = _dt.datetime(1970, 1, 1)


def count_newlines(raw: bytes) -> int:
    """Newlines in raw bytes: \\n, \\r\\n (once) and lone \\r."""
    return len(_NEWLINE_RE.findall(raw))


def naive_int(text: bytes, lo: int, hi: int) -> tuple[int, int | None]:
    """(error code or 0, value) for a strict ``[+-]?digits`` integer in [lo, hi]."""
    if not _INT_RE.fullmatch(text):
        return E_BAD_INT, None
    v = int(text)
    if not lo <= v <= hi:
        return E_INT_RANGE, None
    return 0, v


def naive_float(text: bytes) -> tuple[int, float | None]:
    if _FLOAT_RE.fullmatch(text) or _FLOAT_SPECIAL_RE.fullmatch(text):
        return 0, float(text)
    return E_BAD_FLOAT, None


def naive_bool(text: bytes) -> tuple[int, bool | None]:
    low = text.lower()
    if low in (b"true", b"t", b"1"):
        return 0, True
    if low in (b"false", b"f", b"0"):
        return 0, False
    return E_BAD_BOOL, None


def naive_date(text: bytes) -> tuple[int, int | None]:
    """Days since 1970-01-01 of a YYYY-M[M]-D[D] date (as Kùzu reads them)."""
    m = _DATE_RE.fullmatch(text)
    if not m:
        return E_BAD_DATE, None
    try:
        d = _dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return E_BAD_DATE, None
    return 0, (d - _dt.date(1970, 1, 1)).days


def naive_timestamp(text: bytes) -> tuple[int, int | None]:
    """Microseconds since the epoch (UTC) of an ISO-8601 timestamp (see the kernel docs)."""
    m = _TS_RE.fullmatch(text)
    if not m:
        return E_BAD_TIMESTAMP, None
    y, mo, d = (int(x) for x in m[1].split(b"-"))
    hh = int(m[2]) if m[2] else 0
    mi = int(m[3]) if m[3] else 0
    ss = int(m[4]) if m[4] else 0
    us = int(m[5][:6].ljust(6, b"0")) if m[5] else 0
    try:
        t = _dt.datetime(y, mo, d, hh, mi, ss, us)
    except ValueError:
        return E_BAD_TIMESTAMP, None
    offset_min = 0
    tz = m[6][1:] if m[6] and m[6][:1] == b"Z" else m[6]  # Kùzu: "…Z+00:00"
    if tz:
        digits = tz[1:].replace(b":", b"")
        oh, om = int(digits[:2]), int(digits[2:] or 0)
        if oh > 23 or om > 59:
            return E_BAD_TIMESTAMP, None
        offset_min = (oh * 60 + om) * (-1 if tz[:1] == b"-" else 1)
    micros = (t - _EPOCH) // _dt.timedelta(microseconds=1)
    return 0, micros - offset_min * 60_000_000


def naive_string(content: bytes) -> tuple[int, bytes | None]:
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return E_INVALID_UTF8, None
    return 0, content


def naive_value(kind: int, text: bytes, lo: int = -(2**63), hi: int = 2**63 - 1):
    """(error code or 0, python value) of a non-null field."""
    if kind == KIND_INT:
        return naive_int(text, lo, hi)
    if kind == KIND_UINT64:
        return naive_int(text, 0, 2**64 - 1)
    if kind == KIND_FLOAT:
        return naive_float(text)
    if kind == KIND_BOOL:
        return naive_bool(text)
    if kind == KIND_DATE:
        return naive_date(text)
    if kind == KIND_TIMESTAMP:
        return naive_timestamp(text)
    if kind == KIND_STRING:
        return naive_string(text)
    return 0, SKIPPED


@dataclass
class NaiveField:
    raw: bytes  # unquoted text, or the unescaped content of a quoted field
    quoted: bool
    syntax_error: int = 0


@dataclass
class NaiveRecord:
    line: int  # 1-based line where the record starts
    start: int  # byte offset of its first byte
    end: int  # byte offset where its content ends (its newline, or the end of input)
    next: int  # byte offset just past its newline
    fields: list[NaiveField]


def naive_split(data: bytes, delim: int = 44, quote: int = 34, escape: int | None = None,
                start_line: int = 1) -> list[NaiveRecord]:  # fmt: skip
    """Split CSV bytes into records (empty lines skipped), char by char.

    ``escape`` None means RFC 4180 doubled quotes. Malformed quoting is recovered like the
    kernel does: a quote inside an unquoted field is literal; text after a closing quote runs
    on (unquoted) to the next delimiter or newline; an unterminated quote runs to the end.
    """
    if escape == quote:
        escape = None
    records = []
    n = len(data)
    pos = 0
    line = start_line
    while pos < n:
        c = data[pos]
        if c in (10, 13):  # an empty line
            step = 2 if data[pos : pos + 2] == b"\r\n" else 1
            pos += step
            line += 1
            continue
        start = pos
        fields: list[NaiveField] = []
        while True:
            if pos < n and data[pos] == quote:
                content = bytearray()
                j = pos + 1
                closed = False
                while j < n:
                    ch = data[j]
                    if ch == quote:
                        if escape is None and j + 1 < n and data[j + 1] == quote:
                            content.append(quote)
                            j += 2
                            continue
                        closed = True
                        break
                    if escape is not None and ch == escape:
                        if j + 1 >= n:
                            break
                        content.append(data[j + 1])
                        j += 2
                        continue
                    content.append(ch)
                    j += 1
                if not closed:
                    fields.append(NaiveField(bytes(content), True, E_UNTERMINATED_QUOTE))
                    pos = n
                    break
                fld = NaiveField(bytes(content), True)
                pos = j + 1
                if pos < n and data[pos] not in (delim, 10, 13):
                    fld.syntax_error = E_AFTER_QUOTE
                    while pos < n and data[pos] not in (delim, 10, 13):
                        pos += 1
                fields.append(fld)
            else:
                j = pos
                while j < n and data[j] not in (delim, 10, 13):
                    j += 1
                raw = data[pos:j]
                fields.append(NaiveField(raw, False, E_STRAY_QUOTE if quote in raw else 0))
                pos = j
            if pos < n and data[pos] == delim:
                pos += 1
                continue
            break
        end = pos
        if pos < n:  # a newline
            pos += 2 if data[pos : pos + 2] == b"\r\n" else 1
        records.append(NaiveRecord(line, start, end, pos, fields))
        line += count_newlines(data[start:pos])
    return records


@dataclass
class NaiveResult:
    rows: list[tuple[int, tuple]] = field(default_factory=list)  # (line, values)
    rejects: list[tuple[int, int, int, int, int, int]] = field(default_factory=list)
    error: tuple[int, int, int, int, int] | None = None  # (code, field, line, pos, got)


def naive_check_record(rec: NaiveRecord, kinds, nulls, notnull, ranges):
    """-> (code, field, got, values) for one record: the first error in field order."""
    nf = len(kinds)
    values = []
    for i, fld in enumerate(rec.fields):
        if i >= nf:
            return E_TOO_MANY_FIELDS, -1, len(rec.fields), None
        if fld.syntax_error:
            return fld.syntax_error, i, 0, None
        kind = kinds[i]
        if kind == KIND_SKIP:
            values.append(SKIPPED)
            continue
        if not fld.quoted and fld.raw in nulls:
            if notnull[i]:
                return E_NULL_NOT_ALLOWED, i, 0, None
            values.append(None)
            continue
        code, v = naive_value(kind, fld.raw, *ranges[i])
        if code:
            return code, i, 0, None
        values.append(v)
    if len(rec.fields) < nf:
        return E_TOO_FEW_FIELDS, -1, len(rec.fields), None
    return 0, -1, 0, tuple(values)


def naive_parse(data: bytes, kinds, *, nulls=(b"",), notnull=None, ranges=None,
                ignore_errors=False, delim=44, quote=34, escape=None,
                start_line=1) -> NaiveResult:  # fmt: skip
    """Everything _parse_records promises, on the whole input at once."""
    nf = len(kinds)
    notnull = notnull or [0] * nf
    ranges = ranges or [(-(2**63), 2**63 - 1)] * nf
    res = NaiveResult()
    for rec in naive_split(data, delim, quote, escape, start_line):
        code, fld, got, values = naive_check_record(rec, kinds, set(nulls), notnull, ranges)
        if code == 0:
            res.rows.append((rec.line, values))
        elif ignore_errors:
            res.rejects.append((rec.line, rec.start, rec.end, fld, code, got))
        else:
            res.error = (code, fld, rec.line, rec.start, got)
            break
    return res
