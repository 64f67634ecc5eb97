"""The numba CSV kernels against naive oracles (tests/naive.py, Python's csv module)."""

from __future__ import annotations

import csv
import io
import math
import struct
from dataclasses import dataclass, field

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ruzu.csv import _kernels as K
from tests.naive import (
    SKIPPED,
    count_newlines,
    naive_date,
    naive_float,
    naive_parse,
    naive_split,
    naive_timestamp,
)

CHUNKS = [1, 7, 64, 4096]
INT_RANGES = {
    "INT8": (-(2**7), 2**7 - 1),
    "INT16": (-(2**15), 2**15 - 1),
    "INT32": (-(2**31), 2**31 - 1),
    "INT64": (-(2**63), 2**63 - 1),
    "UINT8": (0, 2**8 - 1),
    "UINT16": (0, 2**16 - 1),
    "UINT32": (0, 2**32 - 1),
}
INT, U64, FLT, BOOL = K.KIND_INT, K.KIND_UINT64, K.KIND_FLOAT, K.KIND_BOOL
DATE, TS, STR, SKIP = K.KIND_DATE, K.KIND_TIMESTAMP, K.KIND_STRING, K.KIND_SKIP


# ---------------------------------------------------------------------------------------------
# Harness: drive _parse_records over an input fed in chunks, the way a reader would
# ---------------------------------------------------------------------------------------------


@dataclass
class Run:
    rows: list = field(default_factory=list)  # (line, values)
    rejects: list = field(default_factory=list)  # (line, start, end, field, code, got)
    error: tuple | None = None  # (code, field, line, absolute pos, got)
    statuses: set = field(default_factory=set)
    records: int = 0
    lines: int = 0  # newlines consumed in total
    consumed: int = 0
    calls: list = field(default_factory=list)  # every kernel result tuple, in order


def _value(kind, ivals, fvals, soffs, sbytes, valid, f, slot, r):
    if kind == K.KIND_SKIP:
        return SKIPPED
    if not valid[f, r]:
        return None
    if kind == K.KIND_STRING:
        return bytes(sbytes[slot, soffs[slot, r] : soffs[slot, r + 1]])
    if kind == K.KIND_FLOAT:
        return float(fvals[slot, r])
    v = int(ivals[slot, r])
    if kind == K.KIND_UINT64:
        return v & (2**64 - 1)
    if kind == K.KIND_BOOL:
        return bool(v)
    return v


def slots_for(kinds):
    slots = np.zeros(len(kinds), np.int32)
    counts = {"i": 0, "f": 0, "s": 0}
    for i, k in enumerate(kinds):
        g = "f" if k == K.KIND_FLOAT else "s" if k == K.KIND_STRING else "i"
        if k != K.KIND_SKIP:
            slots[i] = counts[g]
            counts[g] += 1
    return slots, counts


def null_arrays(nulls):
    nb = np.frombuffer(b"".join(nulls) or b"\0", np.uint8).copy()
    no = np.array([0, *np.cumsum([len(x) for x in nulls])], np.int64)
    return nb, no


def run_kernel(data: bytes, kinds, *, chunk=None, nulls=(b"",), notnull=None, ranges=None,
               ignore=False, max_rows=64, scap=64, rejcap=8, delim=44, quote=34,
               escape=None, start_line=1, grow_limit=1 << 20, nblocks=None) -> Run:  # fmt: skip
    """Feed ``data`` ``chunk`` bytes at a time (None: all at once) and collect everything.

    nblocks: drive _parse_records_parallel with that many blocks instead of _parse_records.
    """
    escape = quote if escape is None else escape
    nf = len(kinds)
    kinds_a = np.array(kinds, np.int8)
    slots, counts = slots_for(kinds)
    notnull_a = np.array(notnull or [0] * nf, np.uint8)
    ranges = ranges or [(-(2**63), 2**63 - 1)] * nf
    imin = np.array([lo for lo, _ in ranges], np.int64)
    imax = np.array([hi for _, hi in ranges], np.int64)
    nb, no = null_arrays(nulls)
    cap = max_rows
    ivals = np.zeros((max(counts["i"], 1), cap), np.int64)
    fvals = np.zeros((max(counts["f"], 1), cap), np.float64)
    valid = np.zeros((max(nf, 1), cap), np.uint8)
    soffs = np.zeros((max(counts["s"], 1), cap + 1), np.int64)
    sbytes = np.zeros((max(counts["s"], 1), scap), np.uint8)
    row_line = np.zeros(cap, np.int64)
    rej = np.zeros((rejcap, 6), np.int64)

    out = Run()
    chunk = chunk or max(len(data), 1)
    fed = 0
    buf = bytearray()
    base = 0  # absolute offset of buf[0]
    line = start_line
    for _ in range(100 * (len(data) + 10)):  # a hang is a failure, not a timeout
        eof = fed >= len(data)
        arr = np.frombuffer(bytes(buf) + b"\0", np.uint8).copy()  # +1: n < len(buf) too
        n = len(buf)
        soffs[:, 0] = 0
        args = (
            arr,
            n,
            eof,
            delim,
            quote,
            escape,
            line,
            kinds_a,
            slots,
            notnull_a,
            imin,
            imax,
            nb,
            no,
            int(ignore),
            max_rows,
            ivals,
            fvals,
            valid,
            soffs,
            sbytes,
            row_line,
            rej,
        )
        if nblocks is None:
            result = K._parse_records(*args)
        else:
            result = K._parse_records_parallel(*args, nblocks)
        (status, rows, consumed, lines, records, nrej, ecode, efield, eline, epos,
         egot) = result  # fmt: skip
        out.calls.append(tuple(int(x) for x in result))
        out.statuses.add(int(status))
        assert 0 <= consumed <= n and 0 <= rows <= max_rows and 0 <= nrej <= rejcap
        assert count_newlines(bytes(buf[:consumed])) == lines, "lines != newlines consumed"
        for r in range(rows):
            vals = tuple(_value(k, ivals, fvals, soffs, sbytes, valid, f, slots[f], r)
                         for f, k in enumerate(kinds))  # fmt: skip
            out.rows.append((int(row_line[r]), vals))
        for j in range(nrej):
            ln, s, e, fld, code, got = (int(x) for x in rej[j])
            out.rejects.append((ln, base + s, base + e, fld, code, got))
        out.records += records
        out.lines += lines
        if status == K.ST_ERROR:
            assert epos == consumed
            out.error = (int(ecode), int(efield), int(eline), base + int(epos), int(egot))
            return out
        del buf[:consumed]
        base += consumed
        line += lines
        out.consumed = base
        if status == K.ST_ROW_TOO_LARGE:
            assert rows == 0
            assert sbytes.shape[1] < grow_limit, "row too large for every buffer size"
            sbytes = np.zeros((sbytes.shape[0], sbytes.shape[1] * 2), np.uint8)
        elif status == K.ST_NEED_MORE:
            if eof:
                assert not buf, "final call left bytes unconsumed"
                return out
            buf += data[fed : fed + chunk]
            fed += chunk
        else:
            assert status in (K.ST_BATCH_FULL, K.ST_REJECTS_FULL)
    raise AssertionError("kernel driver did not finish (hang)")


def check_against_naive(data: bytes, kinds, chunks=CHUNKS, **kw):
    """Run the kernel at several chunk sizes; every run must match the naive parser."""
    naive_kw = {k: v for k, v in kw.items()
                if k in ("nulls", "notnull", "ranges", "delim", "quote", "escape",
                         "start_line")}  # fmt: skip
    want = naive_parse(data, kinds, ignore_errors=kw.get("ignore", False), **naive_kw)
    for chunk in chunks:
        got = run_kernel(data, kinds, chunk=chunk, **kw)
        assert same_rows(got.rows, want.rows), (chunk, got.rows, want.rows)
        assert got.rejects == want.rejects, (chunk, got.rejects, want.rejects)
        assert got.error == want.error, (chunk, got.error, want.error)
        if want.error is None:
            assert got.consumed == len(data)
            assert got.lines == count_newlines(data)
            assert got.records == len(want.rows) + len(want.rejects)
    return want


def _bits(v):
    return struct.pack("<d", v) if isinstance(v, float) else v


def same_rows(a, b):
    """Row lists equal, floats compared bit for bit (so nan == nan, 0.0 != -0.0)."""
    if len(a) != len(b):
        return False
    return all(la == lb and tuple(map(_bits, va)) == tuple(map(_bits, vb))
               for (la, va), (lb, vb) in zip(a, b, strict=True))  # fmt: skip


def values(data: bytes, kinds, **kw):
    r = run_kernel(data, kinds, **kw)
    assert r.error is None and not r.rejects, (r.error, r.rejects)
    return [v for _, v in r.rows]


def first_error(data: bytes, kinds, **kw):
    """(code, field, line) of the abort-mode error; also checks ignore mode rejects it."""
    r = run_kernel(data, kinds, **kw)
    assert r.error is not None, r.rows
    code, fld, line, pos, got = r.error
    ri = run_kernel(data, kinds, ignore=True, **kw)
    assert (line, pos, fld, code, got) in [(a, b, d, e, f) for a, b, c, d, e, f in ri.rejects]
    return code, fld, line


# ---------------------------------------------------------------------------------------------
# Record syntax
# ---------------------------------------------------------------------------------------------

RFC_CASES = {
    "plain": b"a,b,c\n1,2,3\n",
    "quoted_delim": b'"a,b",c,"d"\n"1","2,3",4\n',
    "doubled_quotes": b'"say ""hi""",x,""""\n"",y,z\n',
    "quoted_newlines": b'"line1\nline2",b,"x\r\ny"\nc,"\r",e\n',
    "crlf": b"a,b,c\r\n1,2,3\r\n",
    "lone_cr": b"a,b,c\r1,2,3\r",
    "mixed_newlines": b"a,b,c\r\n1,2,3\n4,5,6\r7,8,9",
    "no_final_newline": b"a,b,c\n1,2,3",
    "blank_lines": b"\n\r\n\ra,b,c\n\n\n1,2,3\r\n\r\n",
    "unicode": 'é,日本,🎉\n"ü, ß",x,"€"\n'.encode(),
    "empty_fields": b',,\n"",,""\n',
    "spaces": b" a , b ,c \n",
}


@pytest.mark.parametrize("name", sorted(RFC_CASES))
def test_records_match_csv_module(name):
    data = RFC_CASES[name]
    expect = [row for row in csv.reader(io.StringIO(data.decode("latin-1"), newline="")) if row]
    kinds = [STR, STR, STR]
    for chunk in CHUNKS:
        r = run_kernel(data, kinds, chunk=chunk, nulls=(b"\x00NONE",))
        got = [[v.decode("latin-1") for v in vals] for _, vals in r.rows]
        assert got == expect, chunk
    want = check_against_naive(data, kinds, nulls=(b"\x00NONE",))
    assert [line for line, _ in want.rows] == [rec.line for rec in naive_split(data)]


def test_line_numbers_count_every_newline():
    data = b'a,"x\ny"\r\n\r\nb,"1\r2"\rc,3\n\nd,4'
    r = run_kernel(data, [STR, STR], start_line=10)
    assert [line for line, _ in r.rows] == [10, 13, 15, 17]
    assert r.lines == 7


def test_cr_at_buffer_end_is_not_consumed_until_known():
    args = (44, 34, 34, 1) + tuple(run_args([STR]))
    arr = np.frombuffer(b"ab\r", np.uint8).copy()
    res = K._parse_records(arr, 3, False, *args)
    assert (res[0], res[1], res[2], res[3]) == (K.ST_NEED_MORE, 0, 0, 0)
    arr = np.frombuffer(b"ab\r\ncd\r", np.uint8).copy()
    res = K._parse_records(arr, 7, False, *args)
    assert (res[0], res[1], res[2], res[3]) == (K.ST_NEED_MORE, 1, 4, 1)
    res = K._parse_records(arr, 7, True, *args)
    assert (res[0], res[1], res[2], res[3]) == (K.ST_NEED_MORE, 2, 7, 2)
    # an empty line made of a lone \r at the end of a non-final buffer waits too
    arr = np.frombuffer(b"ab\n\r", np.uint8).copy()
    res = K._parse_records(arr, 4, False, *args)
    assert (res[0], res[1], res[2], res[3]) == (K.ST_NEED_MORE, 1, 3, 1)


def run_args(kinds, nulls=(b"",), cap=8, scap=64):
    """The arguments after start_line, for direct kernel calls."""
    nf = len(kinds)
    slots, counts = slots_for(kinds)
    nb, no = null_arrays(nulls)
    return (np.array(kinds, np.int8), slots, np.zeros(nf, np.uint8),
            np.full(nf, -(2**63), np.int64), np.full(nf, 2**63 - 1, np.int64), nb, no, 0, cap,
            np.zeros((max(counts["i"], 1), cap), np.int64),
            np.zeros((max(counts["f"], 1), cap)), np.zeros((nf, cap), np.uint8),
            np.zeros((max(counts["s"], 1), cap + 1), np.int64),
            np.zeros((max(counts["s"], 1), scap), np.uint8), np.zeros(cap, np.int64),
            np.zeros((4, 6), np.int64))  # fmt: skip


def test_null_versus_empty_string():
    data = b',"",x\n"",,""\n'
    assert values(data, [STR, STR, STR]) == [(None, b"", b"x"), (b"", None, b"")]
    # quoted fields are never NULL, whatever the null strings
    data = b'NULL,"NULL",\\N\n'
    assert values(data, [STR, STR, STR], nulls=(b"NULL", b"\\N")) == [(None, b"NULL", None)]
    assert values(data, [STR, STR, STR], nulls=()) == [(b"NULL", b"NULL", b"\\N")]
    # NULL for every kind: valid=0 and a zero value slot
    kinds = [INT, U64, FLT, BOOL, DATE, TS, STR]
    data = b",,,,,,\n"
    assert values(data, kinds) == [(None,) * 7]
    # a NULL string that looks numeric disables nothing but the fused integer path
    assert values(b"0,5\n-1,0\n", [INT, INT], nulls=(b"0",)) == [(None, 5), (-1, None)]
    assert values(b"-,+\n", [INT, STR], nulls=(b"-",)) == [(None, b"+")]


def test_nul_bytes_are_kept():
    assert values(b'a\0b,"\0"\n', [STR, STR]) == [(b"a\0b", b"\0")]


def test_escape_character():
    esc = ord("\\")
    data = b'"a\\"b",\\x,"c\\\\d","e\\\nf"\n'
    assert values(data, [STR, STR, STR, STR], escape=esc) == [(b'a"b', b"\\x", b"c\\d", b"e\nf")]
    check_against_naive(data, [STR, STR, STR, STR], escape=esc)
    # with a separate escape char a doubled quote closes the field
    r = run_kernel(b'"a""b"\n', [STR], escape=esc)
    assert r.error[:3] == (K.E_AFTER_QUOTE, 0, 1)


def test_other_delimiters():
    data = b'a\t"b\tc"\n1\t2\n'
    assert values(data, [STR, STR], delim=9) == [(b"a", b"b\tc"), (b"1", b"2")]
    assert values(b"a|'b|c'|'it''s'\n", [STR, STR, STR], delim=124, quote=39) == [
        (b"a", b"b|c", b"it's")
    ]


# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(INT_RANGES))
def test_int_range_edges(name):
    lo, hi = INT_RANGES[name]
    good = [lo, hi, 0, lo + 1, hi - 1]
    data = "".join(f"{v}\n" for v in good).encode()
    assert values(data, [INT], ranges=[(lo, hi)]) == [(v,) for v in good]
    assert values(f'"{hi}"\n'.encode(), [INT], ranges=[(lo, hi)]) == [(hi,)]
    for bad in (lo - 1, hi + 1, 2**63, -(2**63) - 1, 10**30, -(10**30)):
        if lo <= bad <= hi:
            continue
        for text in (f"{bad}", f'"{bad}"'):
            code, fld, line = first_error(f"{text}\n".encode(), [INT], ranges=[(lo, hi)])
            assert (code, fld, line) == (K.E_INT_RANGE, 0, 1), text


def test_int64_and_uint64_limits():
    big = 2**64 - 1
    data = f"{2**63 - 1},{big}\n{-(2**63)},0\n-0,-0\n+7,+7\n000123,0000\n".encode()
    assert values(data, [INT, U64]) == [(2**63 - 1, big), (-(2**63), 0), (0, 0), (7, 7), (123, 0)]
    for text, kind in [
        (f"{2**63}", INT),
        (f"{-(2**63) - 1}", INT),
        (f"{2**64}", U64),
        ("-1", U64),
        ("99999999999999999999999", INT),
        ("18446744073709551616", U64),
    ]:
        assert first_error(f"{text}\n".encode(), [kind])[:2] == (K.E_INT_RANGE, 0), text


def test_ints_of_every_length_and_offset():
    """The 8-digits-at-a-time integer path: every length, sign, terminator and alignment."""
    nums = [0, 7, -7, 10**19 - 1, -(10**18)] + [int("9" * k) for k in range(1, 20)]
    nums += [int("1" + "0" * k) for k in range(19)] + [-int("12345678901234567"[:k]) for k in
                                                       range(1, 18)]  # fmt: skip
    nums = [v for v in nums if -(2**63) <= v < 2**63]
    for pad in range(9):
        data = b"x" * pad + b",0\n"
        for i, v in enumerate(nums):
            sep = [b"\n", b"\r\n", b"\r"][i % 3]
            if i % 2 or v < 0:
                data += b"%d,%d%s" % (v, v, sep)
            else:  # a plus sign, leading zeros
                data += b"+%d,0%d%s" % (v, v, sep)
        data += b"0,0\n" * 3
        got = check_against_naive(data, [STR, INT], chunks=[None])
        assert len(got.rows) == len(nums) + 4
        check_against_naive(data, [SKIP, U64], ignore=True, chunks=[None])
    for text in [b"12a45678901", b"1234567a", b"123456789012345678x", b"9" * 30, b"1-2345678901"]:
        data = b"1," + text + b",3456789012345\n"
        check_against_naive(data, [INT, INT, INT], ignore=True, chunks=[None])


def test_nineteen_digit_ints_take_the_fused_path_exactly():
    """19 digits (most random 63-bit keys) are converted in the fused uint64 path: values on
    both sides of each limit, at every alignment, in INT64, UINT64 and narrower columns."""
    edge = [2**63 - 1, 2**63, 2**63 + 1, -(2**63), -(2**63) - 1, 10**18, 10**19 - 1,
            -(10**19 - 1), 1844674407370955161, 9999999999999999999]
    rng = np.random.default_rng(19)
    edge += [int(x) for x in rng.integers(10**18, 2**63 - 1, 40, dtype=np.int64)]
    for pad in range(9):
        rows = [b"x" * pad + b",0,0"] + [b"%d,%d,%d" % (v, v, v) for v in edge] + [b"0,0,0"]
        data = b"\n".join(rows) + b"\n"
        check_against_naive(data, [STR, INT, U64], ignore=True, chunks=[None, 7])
    for v in edge:
        for kind, (lo, hi) in ((INT, (-(2**63), 2**63 - 1)), (U64, (0, 2**64 - 1)),
                               (INT, INT_RANGES["INT32"])):
            data = f"{v}\n".encode()
            kw = {"ranges": [(lo, hi)]} if kind == INT else {}  # UINT64 has no range to pass
            if lo <= v <= hi:
                assert values(data, [kind], **kw) == [(v,)], (v, kind)
            else:
                assert first_error(data, [kind], **kw)[:2] == (K.E_INT_RANGE, 0), (v, kind)


@pytest.mark.parametrize("text", ["", " 1", "1 ", "1.0", "1e3", "0x10", "1_000", "-", "+", "--1",
                                  "١٢", "12a", "a12", "+-1"])  # fmt: skip
def test_bad_ints(text):
    data = f'"{text}"\n'.encode()
    for kind in (INT, U64):
        assert first_error(data, [kind])[:2] == (K.E_BAD_INT, 0), text


FLOATS = ["0", "-0", "0.0", "-0.0", "1", "1.5", "-2.25", ".5", "5.", "-.5e3", "1e10", "1E-10",
          "1e+300", "1e308", "1.7976931348623157e308", "1.8e308", "1e400", "-1e400", "5e-324",
          "2.4703282292062328e-324", "2.4703282292062327e-324", "1e-400", "4.9e-324",
          "2.2250738585072011e-308", "0.1", "0.30000000000000004", "123456789012345678901234",
          "9007199254740993", "9007199254740992.5", "1.00000000000000011102230246251565404",
          "0000000000000000000000001.5", "1.500000000000000000000000000", "3.14159265358979",
          "inf", "-inf", "+inf", "Infinity", "-INFINITY", "nan", "NaN", "-nan", "+nan",
          "1e0000000000000000000000000001", "0e999999999999999999", "1" + "0" * 400,
          "0." + "0" * 400 + "1", "1" * 800 + "e-700", "123.456e-7", "1e22", "1e23", "8e22",
          "9007199254740993e22", "4503599627370497e22"]  # fmt: skip


def test_float_values_match_python():
    data = "".join(f"{t}\n" for t in FLOATS).encode()
    got = values(data, [FLT])
    for text, (v,) in zip(FLOATS, got, strict=True):
        assert struct.pack("<d", v) == struct.pack("<d", float(text)), text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1.2.3",
        "e5",
        "1e",
        "1e+",
        ".",
        "-",
        "+.e1",
        " 1",
        "1 ",
        "infinit",
        "nana",
        "1,5",
        "0x1p3",
        "1_0",
        "--1",
        "1e5.5",
    ],
)
def test_bad_floats(text):
    assert first_error(f'"{text}"\n'.encode(), [FLT])[:2] == (K.E_BAD_FLOAT, 0), text
    assert naive_float(text.encode())[0] == K.E_BAD_FLOAT


@settings(max_examples=400, deadline=None)
@given(st.floats(allow_nan=False))
def test_float_repr_roundtrip(x):
    text = repr(x).encode()
    (v,) = values(text + b"\n", [FLT])[0]
    assert struct.pack("<d", v) == struct.pack("<d", x)


DECIMAL = st.builds(
    lambda sign, intp, frac, exp: f"{sign}{intp}{frac}{exp}",
    st.sampled_from(["", "-", "+"]),
    st.text("0123456789", min_size=1, max_size=25),
    st.one_of(st.just(""), st.text("0123456789", max_size=25).map(lambda s: "." + s)),
    st.one_of(st.just(""), st.integers(-400, 400).map(lambda e: f"e{e}")),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(DECIMAL, min_size=1, max_size=20))
def test_float_decimal_strings(texts):
    data = "".join(f"{t}\n" for t in texts).encode()
    got = values(data, [FLT])
    for text, (v,) in zip(texts, got, strict=True):
        assert struct.pack("<d", v) == struct.pack("<d", float(text)), text


def test_bools():
    texts = ["true", "TRUE", "True", "t", "T", "1", "false", "False", "FALSE", "f", "F", "0"]
    got = values("".join(f"{t}\n" for t in texts).encode(), [BOOL])
    assert [v for (v,) in got] == [True] * 6 + [False] * 6
    for bad in ["yes", "no", "2", "tru", "", " true", "truee", "on"]:
        assert first_error(f'"{bad}"\n'.encode(), [BOOL])[:2] == (K.E_BAD_BOOL, 0), bad


DATES = ["1970-01-01", "1969-12-31", "0001-01-01", "9999-12-31", "2000-02-29", "2024-02-29",
         "2023-12-31", "1900-03-01", "1600-02-29", "2023-1-01", "1950-7-3"]  # fmt: skip
BAD_DATES = ["1900-02-29", "2023-02-29", "2023-13-01", "2023-00-10", "2023-01-00", "2023-04-31",
             "0000-01-01", "2023-123-01", "23-01-01", "2023/01/01", "20230101", "2023-01-01 ",
             "2023-01-01T00:00", "", "2023-01-0a", "+202-01-01"]  # fmt: skip


def test_dates():
    got = values("".join(f"{t}\n" for t in DATES).encode(), [DATE])
    assert [v for (v,) in got] == [naive_date(t.encode())[1] for t in DATES]
    assert got[0] == (0,) and got[1] == (-1,)
    for bad in BAD_DATES:
        assert naive_date(bad.encode())[0] == K.E_BAD_DATE, bad
        assert first_error(f'"{bad}"\n'.encode(), [DATE])[:2] == (K.E_BAD_DATE, 0), bad


TIMESTAMPS = ["1970-01-01", "1970-01-01 00:00", "1970-01-01T00:00:01",
              "2024-02-29 23:59:59.999999", "2024-02-29 23:59:59.9999999",
              "2024-02-29T12:00:00.5", "2024-02-29T12:00:00.123456789",
              "2024-01-01T00:00:00Z", "2024-01-01T00:00:00+01:00", "2024-01-01T00:00:00-0530",
              "2024-01-01T00:00+02", "2024-01-01 10:20:30-23:59", "0001-01-01 00:00:00",
              "9999-12-31 23:59:59.999999", "2024-1-2 03:04", "2011-08-20 11:25:30Z+00:00",
              "1969-12-31 23:59:59.5"]  # fmt: skip
BAD_TIMESTAMPS = ["2024-01-01 24:00", "2024-01-01 23:60", "2024-01-01 23:59:60", "2024-01-01 1:00",
                  "2024-01-01 10:00:00.", "2024-01-01 10:00:00.1234567890", "2024-01-01 10:00:0",
                  "2024-01-01X10:00", "2024-01-01 10:00+24:00", "2024-01-01 10:00+01:60",
                  "2024-01-01 10:00+1", "2024-01-01 10:00z", "2024-01-01 10", "2024-02-30 10:00",
                  "2024-01-01 10:00:00 ", "2024-01-01Z", "2024-01-01 10:00+01:", ""]  # fmt: skip


def test_timestamps():
    got = values("".join(f"{t}\n" for t in TIMESTAMPS).encode(), [TS])
    assert [v for (v,) in got] == [naive_timestamp(t.encode())[1] for t in TIMESTAMPS]
    assert got[2] == (1_000_000,) and got[-1] == (-500_000,)
    assert got[8][0] == got[7][0] - 3600 * 10**6
    for bad in BAD_TIMESTAMPS:
        assert naive_timestamp(bad.encode())[0] == K.E_BAD_TIMESTAMP, bad
        assert first_error(f'"{bad}"\n'.encode(), [TS])[:2] == (K.E_BAD_TIMESTAMP, 0), bad


UTF8_BAD = [b"\x80", b"\xc0\xaf", b"\xc1\xbf", b"\xe0\x80\xaf", b"\xed\xa0\x80",
            b"\xf0\x80\x80\xaf", b"\xf4\x90\x80\x80", b"\xf5\x80\x80\x80", b"\xff", b"\xc3",
            b"\xe2\x82", b"a\xe2\x82", b"\xf0\x9f\x98", b"\xc3\x28", b"\xe2\x28\xa1"]  # fmt: skip
UTF8_GOOD = ["é", "€", "𝄞", "\U0010ffff", "\ud7ff", "\ue000", "日本語", "a\x7fb"]


def test_utf8_validation():
    for text in UTF8_GOOD:
        raw = text.encode()
        assert values(raw + b',"' + raw + b'"\n', [STR, STR]) == [(raw, raw)], text
    for raw in UTF8_BAD:
        for field_text in (raw, b'"' + raw + b'"', b"x" + raw + b"y"):
            assert first_error(b"ok," + field_text + b"\n", [STR, STR]) == (K.E_INVALID_UTF8, 1, 1)
    # non-string kinds reject such bytes with their own error; skipped fields do not care
    assert first_error(b"\xff\n", [INT])[:2] == (K.E_BAD_INT, 0)
    assert values(b"\xff,1\n", [SKIP, INT]) == [(SKIPPED, 1)]


def test_long_fields_every_offset():
    """The 8-bytes-at-a-time scanner: special and non-ASCII bytes at every offset in a word."""
    for off in range(20):
        pre = b"a" * off
        data = b"".join(
            [pre + b",x\n", pre + b"," + pre + b"\r", pre + b"," + pre + b"\r\n",
             pre + b'"q",y\n', b'"q"' + pre + b",y\n", pre + b"\xc3\xa9" + pre + b",\n",
             pre + b"\xff" + pre + b",z\n", b"-" * 30 + b"\n"]
        )  # fmt: skip
        want = check_against_naive(data, [STR, STR], nulls=(), ignore=True, chunks=[None, 7])
        assert len(want.rows) + len(want.rejects) == 8
        assert want.rows[0][1] == (pre, b"x")
        bad = pre + b"\xff" + b"b" * 9 + b",x\n"
        assert first_error(bad, [STR, STR]) == (K.E_INVALID_UTF8, 0, 1)
        good = pre + "é".encode() + b"b" * 9 + b",x\n"
        assert values(good, [STR, STR]) == [(pre + "é".encode() + b"b" * 9, b"x")]


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------

ERROR_CASES = [
    # (data, kinds, code, field, line)
    (b'ok,1\n"abc,2\n', [STR, INT], K.E_UNTERMINATED_QUOTE, 0, 2),
    (b'ok,1\nab"c,2\n', [STR, INT], K.E_STRAY_QUOTE, 0, 2),
    (b'ok,1\n"ab"c,2\n', [STR, INT], K.E_AFTER_QUOTE, 0, 2),
    (b"ok,1\n\nonly\n", [STR, INT], K.E_TOO_FEW_FIELDS, -1, 3),
    (b"ok,1\nx,2,3\n", [STR, INT], K.E_TOO_MANY_FIELDS, -1, 2),
    (b"ok,1\nx,1.5\n", [STR, INT], K.E_BAD_INT, 1, 2),
    (b"ok,1\nx,300\n", [STR, INT], K.E_INT_RANGE, 1, 2),
    (b"1,1.0\n2,x\n", [INT, FLT], K.E_BAD_FLOAT, 1, 2),
    (b"1,t\n2,x\n", [INT, BOOL], K.E_BAD_BOOL, 1, 2),
    (b"1,2020-01-01\n2,2020-02-30\n", [INT, DATE], K.E_BAD_DATE, 1, 2),
    (b"1,2020-01-01\n2,2020-01-01 25:00\n", [INT, TS], K.E_BAD_TIMESTAMP, 1, 2),
    (b"1,a\n2,\xff\n", [INT, STR], K.E_INVALID_UTF8, 1, 2),
    (b"1,a\n,b\n", [INT, STR], K.E_NULL_NOT_ALLOWED, 0, 2),
    (b'a,"x\ny"\n"q\n\n', [STR, STR], K.E_UNTERMINATED_QUOTE, 0, 3),
    (b'a,b\r\n"x""\r\n', [STR, STR], K.E_UNTERMINATED_QUOTE, 0, 2),
]


@pytest.mark.parametrize("case", range(len(ERROR_CASES)))
def test_error_codes(case):
    data, kinds, code, fld, line = ERROR_CASES[case]
    kw = {"ranges": [(-(2**63), 2**63 - 1), (0, 255)], "notnull": [1, 0]}
    for chunk in CHUNKS:
        r = run_kernel(data, kinds, chunk=chunk, **kw)
        assert r.error[:3] == (code, fld, line), (chunk, r.error)
        assert r.rows and r.rows[0][0] == 1  # the good first record was stored
    check_against_naive(data, kinds, **kw)
    check_against_naive(data, kinds, ignore=True, **kw)
    assert code in K.ERROR_REASONS


def test_error_reasons_format():
    assert set(K.ERROR_REASONS) == set(range(14))
    msg = K.ERROR_REASONS[K.E_TOO_FEW_FIELDS].format(expected=3, got=2)
    assert msg == "expected 3 values per row, but got 2"
    assert K.ERROR_REASONS[K.E_INVALID_UTF8] == "invalid UTF-8"


def test_first_error_in_field_order_and_count():
    kinds = [INT, INT, INT]
    assert first_error(b"x,y,z\n", kinds) == (K.E_BAD_INT, 0, 1)
    assert first_error(b"1,y,z,4\n", kinds) == (K.E_BAD_INT, 1, 1)
    assert first_error(b'1,2,3,"4\n', kinds) == (K.E_TOO_MANY_FIELDS, -1, 1)
    assert first_error(b'1,2"x,"3\n', kinds) == (K.E_STRAY_QUOTE, 1, 1)
    r = run_kernel(b"1,2,3,4,5\n", kinds)
    assert r.error == (K.E_TOO_MANY_FIELDS, -1, 1, 0, 5)
    r = run_kernel(b"1,2,3\n1\n", kinds)
    assert r.error == (K.E_TOO_FEW_FIELDS, -1, 2, 6, 1)
    r = run_kernel(b"1,2,3\nx,\n", kinds, notnull=[0, 1, 0])
    assert r.error == (K.E_BAD_INT, 0, 2, 6, 0)


def test_ignore_mode_rejects_and_rolls_back():
    data = b'a,1\n"bb",x\n"c\nc",2\nd,3,4\n\ne,5\n"f,6\n'
    r = run_kernel(data, [STR, INT], ignore=True)
    assert [v for _, v in r.rows] == [(b"a", 1), (b"c\nc", 2), (b"e", 5)]
    assert [line for line, _ in r.rows] == [1, 3, 7]
    assert r.rejects == [
        (2, 4, 10, 1, K.E_BAD_INT, 0),
        (5, 19, 24, -1, K.E_TOO_MANY_FIELDS, 3),
        (8, 30, 35, 0, K.E_UNTERMINATED_QUOTE, 0),
    ]
    assert data[4:10] == b'"bb",x' and data[19:24] == b"d,3,4"
    assert r.records == 6 and r.consumed == len(data)
    check_against_naive(data, [STR, INT], ignore=True)
    # rejects never leave string bytes behind
    data = b"ok,1\nbad,x\nok2,2\n"
    r = run_kernel(data, [STR, INT], ignore=True, scap=8)
    assert [v for _, v in r.rows] == [(b"ok", 1), (b"ok2", 2)]


def test_rejects_full():
    data = b"".join(b"x%d,bad\n" % i if i % 2 else b"x%d,%d\n" % (i, i) for i in range(20))
    for rejcap in (1, 2, 3):
        r = run_kernel(data, [STR, INT], ignore=True, rejcap=rejcap)
        assert K.ST_REJECTS_FULL in r.statuses
        assert len(r.rejects) == 10 and len(r.rows) == 10
        check_against_naive(data, [STR, INT], ignore=True, rejcap=rejcap, chunks=[1, 64])


def test_batch_full_and_max_rows():
    data = b"".join(b"%d,name%d\n" % (i, i) for i in range(50))
    want = [(i, b"name%d" % i) for i in range(50)]
    for max_rows in (1, 2, 3, 7, 42):
        r = run_kernel(data, [INT, STR], max_rows=max_rows)
        assert [v for _, v in r.rows] == want
        assert K.ST_BATCH_FULL in r.statuses
    # a string buffer that fills up ends the batch early (not an error)
    r = run_kernel(data, [INT, STR], scap=20)
    assert [v for _, v in r.rows] == want
    assert K.ST_BATCH_FULL in r.statuses and K.ST_ROW_TOO_LARGE not in r.statuses


def test_row_too_large():
    long = b"x" * 100
    data = b"1," + long + b'\n2,short\n3,"' + long + b'""' + long + b'"\n'
    r = run_kernel(data, [INT, STR], scap=8)
    assert [v for _, v in r.rows] == [(1, long), (2, b"short"), (3, long + b'"' + long)]
    assert K.ST_ROW_TOO_LARGE in r.statuses
    # NULL and empty strings fit in an empty buffer of size 0
    r = run_kernel(b'1,\n2,""\n', [INT, STR], scap=0)
    assert [v for _, v in r.rows] == [(1, None), (2, b"")]
    assert r.statuses == {K.ST_NEED_MORE}


def test_error_before_a_string_overflow_wins():
    data = b"x,aaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
    r = run_kernel(data, [INT, STR], scap=4)
    assert r.error[:3] == (K.E_BAD_INT, 0, 1)
    r = run_kernel(b"aaaaaaaaaaaaaaaaaaaaa,x\n", [STR, INT], scap=4)
    assert r.error[:3] == (K.E_BAD_INT, 1, 1)
    assert K.ST_ROW_TOO_LARGE in r.statuses


def test_malformed_quoting_recovery():
    """After a syntax error the record still ends where the naive splitter says."""
    cases = [b'"a"b"c,d\n1,2\n', b'a"b"c,"d\n1,2\n', b'"a"x\n"y,2\n1,2\n', b'a,"b"  \n1,2\n',
             b'"a"\r"b",2\n1,2\n', b'x"\n"\n1,2\n']  # fmt: skip
    for data in cases:
        check_against_naive(data, [STR, INT], ignore=True)
        check_against_naive(data, [STR, INT], ignore=False)
    r = run_kernel(b'"a"b"c,d\n1,2\n', [STR, INT], ignore=True)
    assert r.rejects == [(1, 0, 8, 0, K.E_AFTER_QUOTE, 0)] and r.rows == [(2, (b"1", 2))]


def test_skip_fields_store_nothing():
    r = run_kernel(b'1,"sk,ip",2\n', [INT, SKIP, INT])
    assert [v for _, v in r.rows] == [(1, SKIPPED, 2)]
    # the syntax of skipped fields is still checked
    assert first_error(b'1,sk"ip,2\n', [INT, SKIP, INT])[:2] == (K.E_STRAY_QUOTE, 1)


def test_empty_and_blank_inputs():
    for data in (b"", b"\n", b"\r\n\r\n", b"\r", b"\n\n\n"):
        r = run_kernel(data, [INT, STR])
        assert r.rows == [] and r.error is None and r.lines == count_newlines(data)


# ---------------------------------------------------------------------------------------------
# Helper kernels
# ---------------------------------------------------------------------------------------------


def split(data: bytes, is_final=True, maxf=8, cap=64, escape=34):
    arr = np.frombuffer(data + b"\0", np.uint8).copy()
    out_bytes = np.zeros(cap, np.uint8)
    out_offs = np.zeros(maxf + 1, np.int64)
    status, nf, consumed, lines, err = K._split_record(arr, len(data), is_final, 44, 34, escape,
                                                       out_bytes, out_offs)  # fmt: skip
    fields = [bytes(out_bytes[out_offs[i] : out_offs[i + 1]]) for i in range(nf)]
    return status, fields, consumed, lines, err


def test_split_record():
    assert split(b'\n\r\nid,"na,me",age\r\nrest') == (K.ST_BATCH_FULL, [b"id", b"na,me", b"age"],
                                                      19, 3, 0)  # fmt: skip
    assert split(b'"a""b",\xc3\xa9') == (K.ST_BATCH_FULL, [b'a"b', b"\xc3\xa9"], 9, 0, 0)
    assert split(b"a,b", is_final=False)[0] == K.ST_NEED_MORE
    assert split(b"a,b\r", is_final=False)[0] == K.ST_NEED_MORE
    assert split(b'a,"b\n', is_final=False)[0] == K.ST_NEED_MORE
    assert split(b"\n\n", is_final=True)[:3] == (K.ST_NEED_MORE, [], 2)
    assert split(b"a,b,c\n", maxf=2)[0] == K.ST_ROW_TOO_LARGE
    assert split(b"abcdef,ghi\n", cap=8)[0] == K.ST_ROW_TOO_LARGE
    assert split(b"a,b,c\n", maxf=3)[1] == [b"a", b"b", b"c"]
    assert split(b'a,"b\n')[::4] == (K.ST_ERROR, K.E_UNTERMINATED_QUOTE)
    assert split(b'a,b"c\n')[::4] == (K.ST_ERROR, K.E_STRAY_QUOTE)
    assert split(b'a,"b"c\n')[::4] == (K.ST_ERROR, K.E_AFTER_QUOTE)
    assert split(b"a,\xff\n")[::4] == (K.ST_ERROR, K.E_INVALID_UTF8)
    assert split(b'"a\\"b"\n', escape=92)[1] == [b'a"b']


def skip(data: bytes, nrec: int, is_final=True):
    arr = np.frombuffer(data + b"\0", np.uint8).copy()
    return K._skip_records(arr, len(data), is_final, 44, 34, 34, nrec)


def test_skip_records():
    data = b'\nh1,h2\r\n"a\nb",c\n\nd,e'
    assert skip(data, 0) == (K.ST_BATCH_FULL, 0, 0, 0)
    assert skip(data, 1) == (K.ST_BATCH_FULL, 1, 8, 2)
    assert skip(data, 2) == (K.ST_BATCH_FULL, 2, 16, 4)
    assert skip(data, 3) == (K.ST_BATCH_FULL, 3, len(data), 5)
    assert skip(data, 4) == (K.ST_NEED_MORE, 3, len(data), 5)
    assert skip(data, 3, is_final=False) == (K.ST_NEED_MORE, 2, 17, 5)
    assert skip(b'a\n"b\nc', 5, is_final=False) == (K.ST_NEED_MORE, 1, 2, 1)
    assert skip(b'a\n"b\nc', 5) == (K.ST_NEED_MORE, 2, 6, 2)  # unterminated: to the end
    assert skip(b'a"b\n"c"d,e\nf', 3) == (K.ST_BATCH_FULL, 3, 12, 2)  # bad quoting skipped too
    assert skip(b"a\r", 1, is_final=False) == (K.ST_NEED_MORE, 0, 0, 0)


def block_starts(data: bytes, nblocks: int):
    arr = np.frombuffer(data + b"\0", np.uint8).copy()
    out = np.zeros(nblocks + 1, np.int64)
    m = K._find_block_starts(arr, len(data), 34, nblocks, out)
    return [int(x) for x in out[: m + 1]]


def test_find_block_starts_simple():
    assert block_starts(b"", 4) == [0, 0]
    assert block_starts(b"abc", 4) == [0, 3]
    data = b'a,"x\ny\nz"\nb,c\r\nd,e\n'
    starts = block_starts(data, 8)
    record_starts = {rec.start for rec in naive_split(data)} | {len(data)}
    blank_ends = set(range(len(data) + 1))  # a start may be before blank lines
    assert starts[0] == 0 and starts[-1] == len(data)
    assert starts == sorted(set(starts))
    for s in starts[1:-1]:
        assert s in record_starts or s in blank_ends and data[s - 1 : s] in (b"\n", b"\r")


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------

TEXT = st.text(st.sampled_from(list("ab ,\"\n\r\t'é日🎉\\x") + ["\0"]), max_size=12)
KIND_VALUES = {
    INT: st.integers(-(2**63), 2**63 - 1).map(str),
    U64: st.integers(0, 2**64 - 1).map(str),
    FLT: st.floats().map(repr),
    BOOL: st.sampled_from(["true", "false", "T", "f", "1", "0"]),
    DATE: st.dates().map(lambda d: d.isoformat()),
    TS: st.datetimes().map(lambda t: t.isoformat(sep=" ")),
    STR: TEXT,
}


@st.composite
def tables(draw):
    kinds = draw(st.lists(st.sampled_from(list(KIND_VALUES)), min_size=1, max_size=5))
    nrows = draw(st.integers(0, 12))
    lines = []
    for _ in range(nrows):
        cells = []
        for k in kinds:
            # (a lone NULL would be an empty line, which is no record)
            v = draw(KIND_VALUES[k] if len(kinds) == 1 else st.none() | KIND_VALUES[k])
            if v is None:
                cells.append("")
            elif v == "" or any(c in v for c in ',"\r\n') or draw(st.booleans()):
                cells.append('"' + v.replace('"', '""') + '"')
            else:
                cells.append(v)
        lines.append(",".join(cells))
        lines.append(draw(st.sampled_from(["\n", "\r\n", "\r", "\n\n", "\r\n\r\n"])))
    if lines and draw(st.booleans()):
        lines.pop()  # no final newline
    return kinds, "".join(lines).encode()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), st.sampled_from([1, 3, 17, 4096]), st.sampled_from([1, 2, 5, 64]),
       st.sampled_from([4, 64, 4096]))  # fmt: skip
def test_random_tables_roundtrip(table, chunk, max_rows, scap):
    kinds, data = table
    want = naive_parse(data, kinds)
    assert want.error is None
    got = run_kernel(data, kinds, chunk=chunk, max_rows=max_rows, scap=scap)
    assert got.error is None and same_rows(got.rows, want.rows)
    # and the oracle itself agrees with the csv module on the values
    rows = [r for r in csv.reader(io.StringIO(data.decode("utf-8"), newline="")) if r]
    assert len(rows) == len(want.rows)
    for row, (_, vals) in zip(rows, want.rows, strict=True):
        for text, k, v in zip(row, kinds, vals, strict=True):
            if v is None:
                assert text == ""
            elif k == STR:
                assert v == text.encode()
            elif k == FLT:
                assert struct.pack("<d", v) == struct.pack("<d", float(text))


TOKENS = [b",", b'"', b"\n", b"\r", b"\r\n", b"1", b"-", b"9" * 19, b"x", b"\xc3", b"\xa9",
          b"\xff", b"t", b"2020-01-01", b" 12:00", b".5", b"e3", b"\\", b"NULL", b""]  # fmt: skip
NOISE = st.one_of(
    st.binary(max_size=60),
    st.lists(st.sampled_from(TOKENS), max_size=30).map(b"".join),
    st.text('",\r\n\\1x', max_size=40).map(str.encode),  # dense in quotes and separators
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    NOISE,
    st.lists(st.sampled_from([SKIP, INT, U64, FLT, BOOL, DATE, TS, STR]), min_size=1, max_size=4),
    st.booleans(),
    st.sampled_from([1, 5, 4096]),
    st.sampled_from([1, 3, 64]),
    st.sampled_from([(b"",), (b"", b"NULL"), (b"1",), ()]),
    st.sampled_from([34, 92]),
)
def test_random_bytes_match_naive(data, kinds, ignore, chunk, max_rows, nulls, escape):
    notnull = [i % 2 for i in range(len(kinds))]
    ranges = [(-128, 127)] * len(kinds)
    want = naive_parse(data, kinds, nulls=nulls, notnull=notnull, ranges=ranges,
                       ignore_errors=ignore, escape=escape)  # fmt: skip
    got = run_kernel(data, kinds, chunk=chunk, max_rows=max_rows, nulls=nulls, notnull=notnull,
                     ranges=ranges, ignore=ignore, escape=escape, scap=8, rejcap=2)  # fmt: skip
    assert same_rows(got.rows, want.rows)
    assert got.rejects == want.rejects
    assert got.error == want.error


@settings(max_examples=100, deadline=None)
@given(NOISE, st.integers(1, 9))
def test_random_bytes_helpers_never_fail(data, k):
    split(data)
    split(data, is_final=False, maxf=3, cap=5)
    status, skipped, consumed, lines = skip(data, k)
    assert 0 <= consumed <= len(data) and lines == count_newlines(data[:consumed])
    recs = naive_split(data)
    if status == K.ST_BATCH_FULL:
        assert consumed == recs[k - 1].next and skipped == k
    else:
        assert skipped == len(recs) and consumed == len(data)
    starts = block_starts(data, k)
    assert starts[0] == 0 and starts[-1] == len(data) and len(starts) <= k + 1
    assert data == b"" or all(a < b for a, b in zip(starts, starts[1:], strict=False))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), st.integers(1, 16))
def test_block_starts_are_record_starts(table, nblocks):
    _, data = table
    recs = naive_split(data)
    ok = {rec.start for rec in recs} | {len(data)}
    # a block may also start on an empty line (before the next record)
    for p0 in [0] + [rec.next for rec in recs]:
        p = p0
        while p < len(data) and data[p] in b"\r\n":
            ok.add(p)
            p += 1
    for s in block_starts(data, nblocks)[1:-1]:
        assert s in ok, (s, data)


def test_nan_sign_like_python():
    (a,), (b,) = values(b"nan\n-nan\n", [FLT])
    assert math.isnan(a) and math.isnan(b)
    assert math.copysign(1, a) == 1 and math.copysign(1, b) == -1


# ---------------------------------------------------------------------------------------------
# The parallel kernel gives exactly the serial results
# ---------------------------------------------------------------------------------------------


def same_as_serial(data, kinds, nblocks_list=(2, 3, 8), **kw):
    want = run_kernel(data, kinds, **kw)
    for nblocks in nblocks_list:
        got = run_kernel(data, kinds, nblocks=nblocks, **kw)
        assert got.calls == want.calls, (nblocks, got.calls, want.calls)
        assert same_rows(got.rows, want.rows) and got.rejects == want.rejects
        assert got.error == want.error
    return want


def test_parallel_matches_serial_cases():
    for data in list(RFC_CASES.values()) + [b"".join(b"%d,n%d\n" % (i, i) for i in range(300))]:
        same_as_serial(data, [STR, STR, STR], nulls=(b"\x00",), ignore=True)
        same_as_serial(data, [STR, STR, STR], nulls=(b"\x00",), max_rows=512, scap=1 << 14)
    for data, kinds, *_ in ERROR_CASES:
        kw = {"ranges": [(-(2**63), 2**63 - 1), (0, 255)], "notnull": [1, 0]}
        data = b"".join(b"%d,%d\n" % (i, i % 200) for i in range(50)) + data + b"7,7\n" * 40
        for ignore in (False, True):
            same_as_serial(data, kinds, ignore=ignore, max_rows=512, scap=1 << 14, **kw)
    # a quoted newline right at a block boundary, a backslash escape (serial fallback)
    data = b'a,"' + b"x\n" * 40 + b'"\n' + b"b,c\n" * 40
    same_as_serial(data, [STR, STR], nblocks_list=range(2, 12), max_rows=512, scap=1 << 14)
    same_as_serial(b'"a\\"b",x\n' * 50, [STR, STR], escape=92, max_rows=512, scap=1 << 14)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tables(),
    st.sampled_from([None, 64]),
    st.sampled_from([3, 512]),
    st.sampled_from([4, 4096]),
    st.sampled_from([2, 3, 5]),
)
def test_parallel_random_tables(table, chunk, max_rows, scap, nblocks):
    kinds, data = table
    same_as_serial(data, kinds, nblocks_list=[nblocks], chunk=chunk, max_rows=max_rows,
                   scap=scap)  # fmt: skip


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    NOISE,
    st.lists(st.sampled_from([SKIP, INT, U64, FLT, BOOL, DATE, TS, STR]), min_size=1, max_size=4),
    st.booleans(),
    st.sampled_from([2, 3, 7]),
    st.sampled_from([2, 64]),
    st.sampled_from([34, 92]),
)
def test_parallel_random_bytes(data, kinds, ignore, nblocks, max_rows, escape):
    same_as_serial(data * 3, kinds, nblocks_list=[nblocks], ignore=ignore, max_rows=max_rows,
                   escape=escape, rejcap=3, scap=16)  # fmt: skip


def test_views_that_continue_a_batch():
    """Callers may pass column views (buf[k:], ivals[:, k:]) to append to a batch."""
    data = b'1,"a,b",2.5\n2,,-1\n3,"\xc3\xa9",1e3\n'
    kinds = np.array([INT, STR, FLT], np.int8)
    slots = np.zeros(3, np.int32)
    cap = 8
    ivals = np.zeros((1, cap), np.int64)
    fvals = np.zeros((1, cap))
    valid = np.zeros((3, cap), np.uint8)
    soffs = np.zeros((1, cap + 1), np.int64)
    sbytes = np.zeros((1, 64), np.uint8)
    row_line = np.zeros(cap, np.int64)
    rej = np.zeros((4, 6), np.int64)
    nb, no = null_arrays([b""])
    full = np.frombuffer(b"xx" + data, np.uint8).copy()
    common = (kinds, slots, np.zeros(3, np.uint8), np.full(3, -(2**63)), np.full(3, 2**63 - 1),
              nb, no, 0)  # fmt: skip
    # first call: one record; second call: the rest, appended through views
    first = data.index(b"\n") + 1
    r1 = K._parse_records(full[2:], first, False, 44, 34, 34, 1, *common, cap, ivals, fvals,
                          valid, soffs, sbytes, row_line, rej)  # fmt: skip
    assert r1[:3] == (K.ST_NEED_MORE, 1, first)
    k = r1[1]
    view = full[2 + first :]
    r2 = K._parse_records(view, len(view), True, 44, 34, 34, 2, *common, cap - k,
                          ivals[:, k:], fvals[:, k:], valid[:, k:], soffs[:, k:], sbytes,
                          row_line[k:], rej)  # fmt: skip
    assert r2[:2] == (K.ST_NEED_MORE, 2)
    rows = k + r2[1]
    assert list(ivals[0, :rows]) == [1, 2, 3] and list(fvals[0, :rows]) == [2.5, -1.0, 1000.0]
    assert list(valid[1, :rows]) == [1, 0, 1] and list(row_line[:rows]) == [1, 2, 3]
    strings = [bytes(sbytes[0, soffs[0, i] : soffs[0, i + 1]]) for i in range(rows)]
    assert strings == [b"a,b", b"", "é".encode()]
