"""Writes the bad-input corpus (tests/data/bad/, tests/data/good/) and its expectations
(tests/data/cases.json). The committed files are the source of truth; this script documents how
each one was made (exact bytes: invalid UTF-8, CRLF, NUL, BOM) and regenerates them:

    python tests/data/make_corpus.py

Each case names a target schema (see tests/reliability/relhelpers.py), the file, and what an
import must do in abort mode (the default) and in ignore mode (ignore_errors=True):

    {"error": class name, "line", "column", "column_name", "reason", "message"}
        an error; "message" is exact with {path} standing for the file's path
    {"rows_imported", "rows_skipped", "rejects": [{line, column, column_name, reason,
        record, byte_offset}], "values": [...]}
        success; "values" is the table afterwards (node tables: the "id" column then the
        "name" column when the schema has one; rel tables: the "since" column)

The messages are pinned on purpose (like Kùzu's test corpus): a change of wording must be a
deliberate change of this file.
"""

from __future__ import annotations

import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

P_HDR = b"id,name,age\n"
T_HDR = b"id,i8,i32,u8,f,b,d,ts,s\n"
T_GOOD1 = b"1,1,1,1,1.5,true,2020-01-01,2020-01-01 10:00:00,x\n"
T_GOOD3 = b"3,3,3,3,3.5,false,2020-01-03,2020-01-03 10:00:00,z\n"
R_HDR = b"from,to,since\n"

REASON = {
    "unterm": "unterminated quoted field",
    "stray": "quote character inside an unquoted field",
    "after": "unexpected character after a closing quote",
    "int": "invalid integer",
    "range": "integer out of range for the column type",
    "float": "invalid floating-point number",
    "bool": "invalid boolean (expected true/false/t/f/1/0)",
    "date": "invalid date (expected YYYY-MM-DD)",
    "ts": "invalid timestamp (expected YYYY-MM-DD[ T]HH:MM[:SS[.f]][Z|+HH:MM])",
    "utf8": "invalid UTF-8",
    "nullpk": "NULL not allowed (primary key)",
}

CASES: list[dict] = []


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "backslashreplace")


def err(data: bytes, line: int, column: int | None, column_name: str | None, reason: str,
        record: bytes | None = None, cls: str = "CsvError", message: str | None = None) -> dict:
    """A parse error: the message is ``{path}:line[:col (name)]: reason. Record: '…'``."""
    if message is None:
        where = "{path}" + f":{line}" + (f":{column} ({column_name})" if column else "")
        message = f"{where}: {reason}. Record: '{_text(record)}'"
    return {"error": cls, "line": line, "column": column, "column_name": column_name,
            "reason": reason, "message": message}


def rej(data: bytes, line: int, column: int | None, column_name: str | None, reason: str,
        record: bytes) -> dict:
    """A reject with its raw record and the record's byte offset (found in ``data``)."""
    assert data.count(record) == 1, record
    return {"line": line, "column": column, "column_name": column_name, "reason": reason,
            "record": _text(record).rstrip("\r\n"), "byte_offset": data.index(record)}


def ok(values, imported: int, skipped: int = 0, rejects=()) -> dict:
    return {"rows_imported": imported, "rows_skipped": skipped, "rejects": list(rejects),
            "values": values}


def case(name: str, kind: str, schema: str, data: bytes, abort: dict, ignore: dict, *,
         config: dict | None = None, preload: bool = False, note: str = "",
         bug: dict | None = None) -> None:
    """``bug``: {mode: "BUG: ..."} for a mode in which ruzu is known to be wrong (the test is
    then xfail(strict=True) with that reason)."""
    CASES.append({"name": name, "file": f"{kind}/{name}.csv", "schema": schema,
                  "preload": preload, "config": config or {}, "abort": abort,
                  "ignore": ignore, "note": note, "bug": bug or {}, "_data": data})


# ------------------------------------------------------------------------------------------
# Quoting
# ------------------------------------------------------------------------------------------
d = P_HDR + b'1,a,10\n2,"bob,20\n3,c,30\n'
case("unterminated_quote", "bad", "person", d,
     err(d, 3, 2, "name", REASON["unterm"], b'2,"bob,20'),
     ok([[1], ["a"]], 1, 1, [rej(d, 3, 2, "name", REASON["unterm"], b'2,"bob,20\n3,c,30\n')]),
     note="the open quote swallows the rest of the file: one bad record from line 3 to EOF")

d = P_HDR + b'1,a,10\n2,b,20\n3,"c,30'
case("unterminated_quote_at_eof", "bad", "person", d,
     err(d, 4, 2, "name", REASON["unterm"], b'3,"c,30'),
     ok([[1, 2], ["a", "b"]], 2, 1, [rej(d, 4, 2, "name", REASON["unterm"], b'3,"c,30')]))

d = P_HDR + b'1,a,10\n2,bo"b,20\n3,c,30\n'
case("stray_quote_in_unquoted_field", "bad", "person", d,
     err(d, 3, 2, "name", REASON["stray"], b'2,bo"b,20'),
     ok([[1, 3], ["a", "c"]], 2, 1, [rej(d, 3, 2, "name", REASON["stray"], b'2,bo"b,20\n')]))

d = P_HDR + b'1,a,10\n2,"bo"b,20\n3,c,30\n'
case("text_after_closing_quote", "bad", "person", d,
     err(d, 3, 2, "name", REASON["after"], b'2,"bo"b,20'),
     ok([[1, 3], ["a", "c"]], 2, 1, [rej(d, 3, 2, "name", REASON["after"], b'2,"bo"b,20\n')]))

# ------------------------------------------------------------------------------------------
# Field counts
# ------------------------------------------------------------------------------------------
d = P_HDR + b"1,a,10\n2,b\n3,c,30\n"
case("too_few_fields", "bad", "person", d,
     err(d, 3, None, None, "expected 3 values per row, but got 2", b"2,b"),
     ok([[1, 3], ["a", "c"]], 2, 1,
        [rej(d, 3, None, None, "expected 3 values per row, but got 2", b"2,b\n")]))

d = P_HDR + b"1,a,10\n2,b,20,extra\n3,c,30\n"
case("too_many_fields", "bad", "person", d,
     err(d, 3, None, None, "expected 3 values per row, but got 4", b"2,b,20,extra"),
     ok([[1, 3], ["a", "c"]], 2, 1,
        [rej(d, 3, None, None, "expected 3 values per row, but got 4", b"2,b,20,extra\n")]))

# ------------------------------------------------------------------------------------------
# Values that do not parse, integer overflow per column type
# ------------------------------------------------------------------------------------------
d = P_HDR + b"1,a,10\n2,b,2x0\n3,c,30\n"
case("unparseable_int", "bad", "person", d,
     err(d, 3, 3, "age", REASON["int"], b"2,b,2x0"),
     ok([[1, 3], ["a", "c"]], 2, 1, [rej(d, 3, 3, "age", REASON["int"], b"2,b,2x0\n")]))

d = P_HDR + b"1,a,10\n9223372036854775808,b,20\n3,c,30\n"
case("int64_overflow", "bad", "person", d,
     err(d, 3, 1, "id", REASON["range"], b"9223372036854775808,b,20"),
     ok([[1, 3], ["a", "c"]], 2, 1,
        [rej(d, 3, 1, "id", REASON["range"], b"9223372036854775808,b,20\n")]))

d = P_HDR + b"1,a,10\n2,b,2\x000\n3,c,30\n"
case("nul_in_int_field", "bad", "person", d,
     err(d, 3, 3, "age", REASON["int"], b"2,b,2\x000"),
     ok([[1, 3], ["a", "c"]], 2, 1, [rej(d, 3, 3, "age", REASON["int"], b"2,b,2\x000\n")]))

d = P_HDR + b'1,a,10\n"",b,20\n3,c,30\n'
case("quoted_empty_primary_key", "bad", "person", d,
     err(d, 3, 1, "id", REASON["int"], b'"",b,20'),
     ok([[1, 3], ["a", "c"]], 2, 1, [rej(d, 3, 1, "id", REASON["int"], b'"",b,20\n')]),
     note='a quoted "" is an empty string, never NULL: not an integer')

TYPED = [
    # name, column number, column, bad value, reason
    ("unparseable_float", 5, "f", b"1.5.1", "float"),
    ("unparseable_bool", 6, "b", b"yes", "bool"),
    ("unparseable_date", 7, "d", b"2021-02-29", "date"),
    ("unparseable_date_format", 7, "d", b"2020/01/02", "date"),
    ("unparseable_timestamp", 8, "ts", b"2020-01-02 24:00:00", "ts"),
    ("unparseable_timestamp_text", 8, "ts", b"yesterday", "ts"),
    ("int8_overflow", 2, "i8", b"128", "range"),
    ("int8_underflow", 2, "i8", b"-129", "range"),
    ("int32_overflow", 3, "i32", b"2147483648", "range"),
    ("uint8_overflow", 4, "u8", b"256", "range"),
    ("uint8_negative", 4, "u8", b"-1", "range"),
    ("int8_not_an_integer", 2, "i8", b"1.0", "int"),
]
for name, col, cname, bad, reason in TYPED:
    fields = b"2,2,2,2,2.5,true,2020-01-02,2020-01-02 10:00:00,y".split(b",")
    fields[col - 1] = bad
    row = b",".join(fields)
    d = T_HDR + T_GOOD1 + row + b"\n" + T_GOOD3
    case(name, "bad", "typed", d,
         err(d, 3, col, cname, REASON[reason], row),
         ok([[1, 3], ["x", "z"]], 2, 1, [rej(d, 3, col, cname, REASON[reason], row + b"\n")]))

# ------------------------------------------------------------------------------------------
# Invalid UTF-8 (several kinds), NUL
# ------------------------------------------------------------------------------------------
UTF8 = [
    ("utf8_invalid_byte", b"b\xffb"),
    ("utf8_overlong", b"\xc0\xaf"),
    ("utf8_surrogate", b"\xed\xa0\x80"),
    ("utf8_truncated_sequence", b"a\xe2\x82"),
    ("utf8_lone_continuation", b"\x80abc"),
    ("utf8_above_max_code_point", b"\xf4\x90\x80\x80"),
    ("utf8_latin1_in_quotes", b'"caf\xe9"'),
]
for name, bad in UTF8:
    row = b"2," + bad + b",20"
    d = P_HDR + b"1,a,10\n" + row + b"\n3,c,30\n"
    case(name, "bad", "person", d,
         err(d, 3, 2, "name", REASON["utf8"], row),
         ok([[1, 3], ["a", "c"]], 2, 1, [rej(d, 3, 2, "name", REASON["utf8"], row + b"\n")]))

d = b"id,age,name\n1,10,a\n2,20,b\n3,30,c\xe2\x82"
case("utf8_truncated_at_eof", "bad", "person", d,
     err(d, 4, 3, "name", REASON["utf8"], b"3,30,c\xe2\x82"),
     ok([[1, 2], ["a", "b"]], 2, 1, [rej(d, 4, 3, "name", REASON["utf8"], b"3,30,c\xe2\x82")]),
     note="header in another column order; the file ends inside a multi-byte sequence")

d = b"id,na\xffme,age\n1,a,10\n"
case("utf8_in_header", "bad", "person", d,
     err(d, 1, None, None, REASON["utf8"], message="{path}:1: header: invalid UTF-8"),
     err(d, 1, None, None, REASON["utf8"], message="{path}:1: header: invalid UTF-8"))

# ------------------------------------------------------------------------------------------
# Headers
# ------------------------------------------------------------------------------------------
HDRS = [
    ("header_mismatch", b"id,nam,age", "['id', 'nam', 'age']",
     "missing ['name']; unexpected ['nam']"),
    ("header_extra_column", b"id,name,age,extra", "['id', 'name', 'age', 'extra']",
     "unexpected ['extra']"),
    ("header_missing_column", b"id,name", "['id', 'name']", "missing ['age']"),
    ("header_duplicate_column", b"id,name,name", "['id', 'name', 'name']", "missing ['age']"),
]
for name, hdr, shown, detail in HDRS:
    d = hdr + b"\n1,a,10\n"
    msg = ("{path}:1: header " + shown + " does not match table Person columns "
           "['id', 'name', 'age'] (" + detail + ")")
    e = err(d, 1, None, None, "header mismatch", message=msg)
    case(name, "bad", "person", d, e, e, note="refused before any data is read")

d = b'id,"name,age\n1,a,10\n'
e = err(d, 1, None, None, REASON["unterm"], message="{path}:1: header: " + REASON["unterm"])
case("header_unterminated_quote", "bad", "person", d, e, e)

d = R_HDR.replace(b"since", b"sinse") + b"1,2,5\n"
e = err(d, 1, None, None, "header mismatch",
        message="{path}:1: header properties ['sinse'] do not match rel table Follows "
        "properties ['since']")
case("rel_header_mismatch", "bad", "follows", d, e, e)

# ------------------------------------------------------------------------------------------
# Keys and endpoints
# ------------------------------------------------------------------------------------------
d = P_HDR + b"1,a,10\n2,b,20\n1,c,30\n4,d,40\n"
case("duplicate_key_in_file", "bad", "person", d,
     err(d, 4, 1, "id", "duplicate primary key", cls="DuplicateKeyError",
         message="{path}:4:1 (id): duplicate primary key 1 in table Person "
         "(first at line 2, again at line 4). Record: '1,c,30'"),
     ok([[1, 2, 4], ["a", "b", "d"]], 3, 1,
        [rej(d, 4, 1, "id", "duplicate primary key 1 (first at line 2)", b"1,c,30\n")]))

d = P_HDR + b"10,j,10\n2,b,20\n11,k,30\n"
case("duplicate_key_vs_existing_rows", "bad", "person", d,
     err(d, 3, 1, "id", "duplicate primary key", cls="DuplicateKeyError",
         message="{path}:3:1 (id): duplicate primary key 2 in table Person "
         "(first at row 1 already in the table, again at line 3). Record: '2,b,20'"),
     ok([[1, 2, 3, 10, 11], ["p1", "p2", "p3", "j", "k"]], 2, 1,
        [rej(d, 3, 1, "id", "duplicate primary key 2 (first at row 1)", b"2,b,20\n")]),
     preload=True, note="the table holds ids 1, 2, 3 (names p1..p3) before the import")

d = P_HDR + b"3,c,30\n2,b,20\n"
case("duplicate_keys_all_vs_existing_rows", "bad", "person", d,
     err(d, 2, 1, "id", "duplicate primary key", cls="DuplicateKeyError",
         message="{path}:2:1 (id): duplicate primary key 3 in table Person "
         "(first at row 2 already in the table, again at line 2). Record: '3,c,30'"),
     ok([[1, 2, 3], ["p1", "p2", "p3"]], 0, 2,
        [rej(d, 2, 1, "id", "duplicate primary key 3 (first at row 2)", b"3,c,30\n"),
         rej(d, 3, 1, "id", "duplicate primary key 2 (first at row 1)", b"2,b,20\n")]),
     preload=True, note="every new row is a duplicate: keep_first keeps none of them "
     "(was a TypeError from an empty compaction)")

d = P_HDR + b"1,a,10\n,b,20\n3,c,30\n"
case("null_primary_key", "bad", "person", d,
     err(d, 3, 1, "id", REASON["nullpk"], b",b,20"),
     ok([[1, 3], ["a", "c"]], 2, 1, [rej(d, 3, 1, "id", REASON["nullpk"], b",b,20\n")]))

d = R_HDR + b"1,2,101\n1,9,102\n2,3,103\n"
case("missing_endpoint_to", "bad", "follows", d,
     err(d, 3, 2, "to", "TO key 9 not found in node table Person", b"1,9,102",
         cls="MissingEndpointError"),
     ok([101, 103], 2, 1, [rej(d, 3, 2, "to", "TO key 9 not found in node table Person",
                               b"1,9,102\n")]))

d = R_HDR + b"1,2,101\n8,1,102\n2,3,103\n"
case("missing_endpoint_from", "bad", "follows", d,
     err(d, 3, 1, "from", "FROM key 8 not found in node table Person", b"8,1,102",
         cls="MissingEndpointError"),
     ok([101, 103], 2, 1, [rej(d, 3, 1, "from", "FROM key 8 not found in node table Person",
                               b"8,1,102\n")]))

d = R_HDR + b"1,2,101\n1,,102\n2,3,103\n"
case("null_endpoint_to", "bad", "follows", d,
     err(d, 3, 2, "to", "NULL TO key (Person.id)", b"1,,102"),
     ok([101, 103], 2, 1, [rej(d, 3, 2, "to", "NULL TO key (Person.id)", b"1,,102\n")]))

d = R_HDR + b"1,2,101\n,1,102\n2,3,103\n"
case("null_endpoint_from", "bad", "follows", d,
     err(d, 3, 1, "from", "NULL FROM key (Person.id)", b",1,102"),
     ok([101, 103], 2, 1, [rej(d, 3, 1, "from", "NULL FROM key (Person.id)", b",1,102\n")]))

d = R_HDR + b"1,2,101\n2,3,1o2\n2,3,103\n"
case("rel_unparseable_property", "bad", "follows", d,
     err(d, 3, 3, "since", REASON["int"], b"2,3,1o2"),
     ok([101, 103], 2, 1, [rej(d, 3, 3, "since", REASON["int"], b"2,3,1o2\n")]))

# ------------------------------------------------------------------------------------------
# Errors exactly on a batch boundary (42 is a multiple of 1, 2, 3, 7 and 42)
# ------------------------------------------------------------------------------------------
rows41 = b"".join(b"%d,n%d,%d\n" % (i, i, i) for i in range(1, 42))
names = [f"n{i}" for i in range(1, 42)]
d = P_HDR + rows41 + b"42,n42,x42\n43,n43,43\n"
case("error_on_batch_boundary_last_row", "bad", "person", d,
     err(d, 43, 3, "age", REASON["int"], b"42,n42,x42"),
     ok([list(range(1, 42)) + [43], names + ["n43"]], 42, 1,
        [rej(d, 43, 3, "age", REASON["int"], b"42,n42,x42\n")]),
     note="data row 42 is the last row of a batch for batch sizes 1, 2, 3, 7 and 42")

d = P_HDR + rows41 + b"42,n42,42\n43,n43,x43\n44,n44,44\n"
case("error_on_batch_boundary_first_row", "bad", "person", d,
     err(d, 44, 3, "age", REASON["int"], b"43,n43,x43"),
     ok([list(range(1, 43)) + [44], names + ["n42", "n44"]], 43, 1,
        [rej(d, 44, 3, "age", REASON["int"], b"43,n43,x43\n")]),
     note="data row 43 is the first row of a batch for batch sizes 1, 2, 3, 7 and 42")

d = P_HDR + rows41 + b"42,n42,42\n42,dup,43\n44,n44,44\n"
case("duplicate_on_batch_boundary", "bad", "person", d,
     err(d, 44, 1, "id", "duplicate primary key", cls="DuplicateKeyError",
         message="{path}:44:1 (id): duplicate primary key 42 in table Person "
         "(first at line 43, again at line 44). Record: '42,dup,43'"),
     ok([list(range(1, 43)) + [44], names + ["n42", "n44"]], 43, 1,
        [rej(d, 44, 1, "id", "duplicate primary key 42 (first at line 43)", b"42,dup,43\n")]))

rels42 = b"".join(b"%d,%d,%d\n" % (1 + i % 5, 1 + (i + 1) % 5, i) for i in range(42))
d = R_HDR + rels42 + b"1,77,42\n2,3,43\n"
case("missing_endpoint_on_batch_boundary", "bad", "follows", d,
     err(d, 44, 2, "to", "TO key 77 not found in node table Person", b"1,77,42",
         cls="MissingEndpointError"),
     ok(list(range(42)) + [43], 43, 1,
        [rej(d, 44, 2, "to", "TO key 77 not found in node table Person", b"1,77,42\n")]))

# ------------------------------------------------------------------------------------------
# Line counting: multi-line fields, CRLF, lone CR, BOM; several errors; tolerance
# ------------------------------------------------------------------------------------------
d = P_HDR + b'1,"two\nlines",10\n2,"three\r\nline\rfield",20\n3,c,3o\n4,d,40\n'
case("error_after_multiline_fields", "bad", "person", d,
     err(d, 7, 3, "age", REASON["int"], b"3,c,3o"),
     ok([[1, 2, 4], ["two\nlines", "three\r\nline\rfield", "d"]], 3, 1,
        [rej(d, 7, 3, "age", REASON["int"], b"3,c,3o\n")]),
     note="a quoted field's \\n, \\r\\n and lone \\r each count as one line")

d = b"id,name,age\r\n1,a,10\r\n2,b,2o\r\n3,c,30\r\n"
case("crlf_with_error", "bad", "person", d,
     err(d, 3, 3, "age", REASON["int"], b"2,b,2o"),
     ok([[1, 3], ["a", "c"]], 2, 1, [rej(d, 3, 3, "age", REASON["int"], b"2,b,2o\r\n")]))

d = b"id,name,age\r\n1,a,10\r2,b,20\n3,c,3o\r\n4,d,40"
case("mixed_newlines_with_error", "bad", "person", d,
     err(d, 4, 3, "age", REASON["int"], b"3,c,3o"),
     ok([[1, 2, 4], ["a", "b", "d"]], 3, 1, [rej(d, 4, 3, "age", REASON["int"], b"3,c,3o\r\n")]))

d = b"\xef\xbb\xbf" + P_HDR + b"1,a,10\n2,b,2o\n"
case("bom_with_error", "bad", "person", d,
     err(d, 3, 3, "age", REASON["int"], b"2,b,2o"),
     ok([[1], ["a"]], 1, 1, [rej(d, 3, 3, "age", REASON["int"], b"2,b,2o\n")]),
     note="byte offsets count the BOM")

d = P_HDR + b'1,a,10\n2,b,x\n\n3,c\n4,d"d,40\n5,\xff,50\n6,f,60\n7,"g"g,70\n8,h,80,9\n'
case("several_errors", "bad", "person", d,
     err(d, 3, 3, "age", REASON["int"], b"2,b,x"),
     ok([[1, 6], ["a", "f"]], 2, 6, [
         rej(d, 3, 3, "age", REASON["int"], b"2,b,x\n"),
         rej(d, 5, None, None, "expected 3 values per row, but got 2", b"3,c\n"),
         rej(d, 6, 2, "name", REASON["stray"], b'4,d"d,40\n'),
         rej(d, 7, 2, "name", REASON["utf8"], b"5,\xff,50\n"),
         rej(d, 9, 2, "name", REASON["after"], b'7,"g"g,70\n'),
         rej(d, 10, None, None, "expected 3 values per row, but got 4", b"8,h,80,9\n"),
     ]),
     note="abort names the first; ignore lists every one (line 4 is blank and skipped)")

d = P_HDR + b"1,a,x\n2,b,20\n3,c,x\n4,d,x\n5,e,50\n"
case("too_many_errors", "bad", "person", d,
     err(d, 2, 3, "age", REASON["int"], b"1,a,x"),
     err(d, 4, None, None, REASON["int"], cls="TooManyErrorsError",
         message="{path}: more than 1 bad rows (bad_tolerance); the last: line 4: "
         + REASON["int"]),
     config={"bad_tolerance": 1})

# ------------------------------------------------------------------------------------------
# Accepted edge cases
# ------------------------------------------------------------------------------------------
GOOD_ROWS = b"1,a,10\n2,b,20\n"
two = ok([[1, 2], ["a", "b"]], 2)
for name, data, note in [
    ("bom", b"\xef\xbb\xbf" + P_HDR + GOOD_ROWS, "UTF-8 BOM at file start: stripped"),
    ("crlf", b"id,name,age\r\n1,a,10\r\n2,b,20\r\n", ""),
    ("mixed_newlines", b"id,name,age\r\n1,a,10\n2,b,20\r", "CRLF, LF and a lone CR"),
    ("cr_before_eof", P_HDR + b"1,a,10\n2,b,20\r", ""),
    ("no_final_newline", P_HDR + b"1,a,10\n2,b,20", ""),
    ("blank_lines", b"\n" + P_HDR + b"\n1,a,10\n\r\n\n2,b,20\n\n", "empty lines are skipped"),
    ("header_reordered", b"name,age,id\na,10,1\nb,20,2\n", "columns matched by name"),
    ("header_other_case", b"ID,Name,age\n1,a,10\n2,b,20\n",
     "names match in any letter case, as Kuzu's"),
    ("header_with_spaces", b"id , name,age \n1,a,10\n2,b,20\n", "header names are stripped"),
    ("quoted_numbers", b'id,name,age\n"1",a,"10"\n"2","b",20\n', ""),
]:
    case(name, "good", "person", data, two, two, note=note)

zero = ok([[], []], 0)
for name, data in [("empty", b""), ("header_only", P_HDR), ("header_only_no_newline", P_HDR[:-1]),
                   ("header_only_crlf", b"id,name,age\r\n"), ("bom_only", b"\xef\xbb\xbf"),
                   ("only_blank_lines", b"\n\r\n\n")]:
    case(name, "good", "person", data, zero, zero, note="0 rows, success")

d = P_HDR + b"1,a\x00b,10\n2,\"\x00\",20\n"
v = ok([[1, 2], ["a\x00b", "\x00"]], 2)
case("nul_in_string_field", "good", "person", d, v, v,
     note="NUL bytes are kept, never truncated")

d = (P_HDR + b'1,"comma, inside",10\n2,"quote "" inside",20\n3,"",30\n4,,40\n'
     + b'5,"line\nbreak",50\n6,"\xc3\xbcn\xc3\xafc\xc3\xb8d\xc3\xa9 \xf0\x9f\x8e\x89",60\n'
     + b"7, spaced ,70\n")
v = ok([[1, 2, 3, 4, 5, 6, 7],
        ["comma, inside", 'quote " inside', "", None, "line\nbreak", "ünïcødé 🎉", " spaced "]],
       7)
case("quoting_and_nulls", "good", "person", d, v, v,
     note='"" is the empty string, an empty unquoted field is NULL; spaces are kept')

d = (T_HDR + b"1,-128,-2147483648,0,-0.0,t,0001-01-01,1970-01-01T00:00:00Z,\n"
     + b"2,127,2147483647,255,1e308,F,9999-12-31,2262-04-11 23:47:16.854775,s\n"
     + b"3,,,,,,,,\n")
v = ok([[1, 2, 3], [None, "s", None]], 3)
case("typed_boundaries", "good", "typed", d, v, v, note="every type at its limits, and NULLs")

d = R_HDR + b"1,2,101\n2,3,102\n3,1,103\n5,5,\n"
v = ok([101, 102, 103, None], 4)
case("relationships", "good", "follows", d, v, v)


def main() -> None:
    for sub in ("bad", "good"):
        os.makedirs(os.path.join(HERE, sub), exist_ok=True)
    names = set()
    out = []
    for c in CASES:
        assert c["name"] not in names, c["name"]
        names.add(c["name"])
        with open(os.path.join(HERE, c["file"]), "wb") as f:
            f.write(c["_data"])
        out.append({k: v for k, v in c.items() if k != "_data"})
    with open(os.path.join(HERE, "cases.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"{len(out)} cases written")


if __name__ == "__main__":
    main()
