"""Property and fuzz tests (hypothesis, modest example counts).

Round trip: random tables (quotes, delimiters, CR/LF/CRLF inside fields, unicode, NUL, NULLs,
extreme integers and floats) written as RFC 4180 with a random delimiter, line ending, quoting
and batch size import exactly; Python's csv module, reading the same bytes, is the oracle
(differential), with ruzu's one convention on top: an empty *unquoted* field is NULL.

Fuzz: random bytes, and random sequences of CSV-ish tokens, under random configurations, end
in an ImportResult or a ruzu.RuzuError, never another exception, a hang or a crash; a failed
import leaves the database byte-identical, a successful one is readable and counts right, and
ignore mode reports the same first bad line that abort mode stopped at."""

from __future__ import annotations

import csv
import faulthandler
import io
import math
import os
import shutil
import tempfile

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import ruzu
from tests.reliability.relhelpers import snapshot

SHM = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
COMMON = {"deadline": None, "database": None, "derandomize": False,
          "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}


WATCHDOG_SECONDS = 180


@pytest.fixture(autouse=True)
def watchdog():
    """A hang (e.g. a parser loop that never advances) dumps the stacks and ends the run. The
    timer is re-armed for every example (``Scratch``): armed once per test, the 250 examples of
    a test on a machine at load 10+ could outlast it, and the whole pytest process exited with
    no test named (the "unidentified failure" of a targeted run)."""
    faulthandler.dump_traceback_later(WATCHDOG_SECONDS, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


class Scratch:
    """A directory for one hypothesis example (on tmpfs when there is one)."""

    def __enter__(self) -> str:
        faulthandler.dump_traceback_later(WATCHDOG_SECONDS, exit=True)  # per example
        self.path = tempfile.mkdtemp(prefix="ruzu-prop-", dir=SHM)
        return self.path

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


# ------------------------------------------------------------------------------------------
# Round trip, differential against the csv module
# ------------------------------------------------------------------------------------------
SPECIAL = [",", ";", "\t", "|", '"', '""', "\n", "\r\n", "\r", " ", "é", "🎉", "\x00", "\ufeff",
           "NULL", "'", "\\"]
texts = st.lists(st.one_of(st.sampled_from(SPECIAL), st.text(max_size=6)), max_size=6).map(
    "".join)
COLUMNS = [("id", "INT64"), ("a", "STRING"), ("n", "INT64"), ("b", "STRING"), ("x", "DOUBLE"),
           ("t", "BOOLEAN"), ("i8", "INT8")]


@st.composite
def tables(draw):
    n = draw(st.integers(0, 25))
    ids = draw(st.lists(st.integers(-(2**63), 2**63 - 1), min_size=n, max_size=n, unique=True))
    rows = []
    for key in ids:
        rows.append([
            key,
            draw(st.none() | texts),
            draw(st.none() | st.integers(-(2**63), 2**63 - 1)),
            draw(st.none() | texts),
            draw(st.none() | st.floats(allow_nan=False, allow_infinity=False)),
            draw(st.none() | st.booleans()),
            draw(st.none() | st.integers(-128, 127)),
        ])
    return rows


def render(value, quote: bool, delim: str) -> str:
    """RFC 4180 field: NULL = unquoted empty; strings quoted when they must be (or when asked)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float):
        text = repr(value)
    else:
        text = str(value)
    must = text == "" or any(c in text for c in (delim, '"', "\n", "\r"))
    if must or quote:
        return '"' + text.replace('"', '""') + '"'
    return text


@settings(max_examples=70, **COMMON)
@given(rows=tables(), delim=st.sampled_from([",", ";", "\t", "|"]),
       newline=st.sampled_from(["\n", "\r\n"]), data=st.data(),
       batch_size=st.sampled_from([1, 2, 3, 7, 42, 100_000]),
       final_newline=st.booleans(), threads=st.sampled_from([None, 1, 4]))
def test_round_trip_matches_the_csv_module(rows, delim, newline, data, batch_size,
                                           final_newline, threads):
    names = [c for c, _ in COLUMNS]
    lines = [delim.join(names)]
    for row in rows:
        quoting = data.draw(st.lists(st.booleans(), min_size=len(row), max_size=len(row)))
        lines.append(delim.join(render(v, q, delim) for v, q in zip(row, quoting, strict=True)))
    text = newline.join(lines) + (newline if final_newline or not rows else "")
    raw = text.encode("utf-8")

    # the oracle: Python's csv module on the same bytes
    parsed = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline=""), delimiter=delim))
    assert parsed[0] == names
    assert len(parsed) == len(rows) + 1
    expected = {c: [] for c in names}
    for row, fields in zip(rows, parsed[1:], strict=True):
        for (name, typ), original, field in zip(COLUMNS, row, fields, strict=True):
            if original is None:
                assert field == ""
                expected[name].append(None)
            elif typ == "STRING":
                expected[name].append(field)
            elif typ == "DOUBLE":
                expected[name].append(float(field))
            elif typ == "BOOLEAN":
                expected[name].append(field == "true")
            else:
                expected[name].append(int(field))

    with Scratch() as tmp:
        path = os.path.join(tmp, "in.csv")
        with open(path, "wb") as f:
            f.write(raw)
        with ruzu.Database(os.path.join(tmp, "db")) as db:
            db.create_node_table("R", COLUMNS, "id")
            r = db.import_nodes("R", path, config=ruzu.CsvImportConfig(
                delimiter=delim, batch_size=batch_size, threads=threads))
            assert (r.rows_imported, r.rows_skipped) == (len(rows), 0)
            t = db.table("R")
            got = {c: t.to_pylist(c) for c in names}
            for key in expected["id"]:
                assert got["id"][t.lookup(key)] == key
    for name in names:
        if name == "x":  # compare floats bit-exactly (-0.0 vs 0.0 too)
            pairs = zip(got[name], expected[name], strict=True)
            assert all(a == b and (a is None or math.copysign(1, a) == math.copysign(1, b))
                       for a, b in pairs), (got[name], expected[name])
        else:
            assert got[name] == expected[name], name


# ------------------------------------------------------------------------------------------
# Fuzz: random input, random configuration
# ------------------------------------------------------------------------------------------
TOKENS = [b",", b";", b'"', b"'", b"\\", b"\n", b"\r", b"\r\n", b"1", b"-", b"+", b"0", b"42",
          b"a", b"b c", b"\xff", b"\x00", b"\xef\xbb\xbf", b"\xc3\xa9", b"\xe2\x82", b"\xf0\x9f",
          b"9223372036854775808", b"-9223372036854775809", b"1e5", b"NULL", b" ",
          b"id,name,age\n", b"id,name,age\r\n", b"\"\"", b"\"x\"\"y\"",
          # whole rows, so that many inputs import something (and duplicate keys happen)
          b"1,a,2\n", b"2,b,3\n", b"3,\"c,d\",4\r\n", b"4,,\n", b"1,dup,1\n", b"5;e;5\n",
          b"6,'f,g',6\n", b"7,\"h\\\"i\",7\n"]
ROWS = [b"1,a,2\n", b"2,b,3\n", b"3,\"c,d\",4\r\n", b"4,,\n", b"1,dup,1\n", b"8,h,8",
        b"9,\"multi\nline\",9\n", b"10,\xc3\xa9,10\n", b"\n"]
tokens = st.lists(st.sampled_from(TOKENS), max_size=40).map(b"".join)
rowsy = st.lists(st.one_of(st.sampled_from(ROWS), st.sampled_from(TOKENS)), max_size=15).map(
    b"".join)
header_then = st.builds(lambda head, rest: head + rest,
                        st.sampled_from([b"id,name,age\n", b"age,id,name\r\n", b""]),
                        st.one_of(rowsy, rowsy, tokens, st.binary(max_size=120)))


@st.composite
def configs(draw):
    quote = draw(st.sampled_from(['"', "'"]))
    return {
        "delimiter": draw(st.sampled_from([",", ",", ";"])),
        "quote": quote,
        "escape": draw(st.sampled_from([quote, "\\"])),
        "header": draw(st.booleans()),
        "skip_rows": draw(st.sampled_from([0, 0, 0, 0, 1, 3])),
        "null_strings": draw(st.sampled_from([("",), ("", "NULL"), ("NULL",), ("", "1")])),
        "batch_size": draw(st.sampled_from([1, 2, 3, 7, 42, 100_000])),
        "bad_tolerance": draw(st.sampled_from([None, None, 0, 2])),
        "threads": draw(st.sampled_from([None, 1, 3])),
    }


def attempt(db, path, cfg: dict):
    """ImportResult, or the RuzuError; any other exception propagates (the finding)."""
    try:
        return db.import_nodes("Person", path, config=ruzu.CsvImportConfig(**cfg))
    except ruzu.RuzuError as e:
        return e


def first_parse_line(result) -> int | None:
    lines = [x.line for x in result.rejects if not x.reason.startswith("duplicate")]
    return min(lines) if lines else None


@st.composite
def fuzz_cases(draw):
    """(content, config): mostly a header that fits the config, then row-ish bytes."""
    cfg = draw(configs())
    if draw(st.integers(0, 9)) < 7:
        head = b""
        if cfg["header"]:
            head = draw(st.sampled_from([b"id,name,age\n", b"age,id,name\r\n", b"id,name\n"]))
        body = draw(st.one_of(rowsy, rowsy, tokens, st.binary(max_size=120)))
        if cfg["delimiter"] != ",":
            head, body = (x.replace(b",", cfg["delimiter"].encode()) for x in (head, body))
        return head + body, cfg
    return draw(st.one_of(header_then, st.binary(max_size=200), tokens)), cfg


@settings(max_examples=250, **COMMON)
@given(case=fuzz_cases())
def test_random_input_ends_in_success_or_a_ruzu_error(case):
    content, cfg = case
    with Scratch() as tmp:
        path = os.path.join(tmp, "in.csv")
        with open(path, "wb") as f:
            f.write(content)
        dbpath = os.path.join(tmp, "db")
        with ruzu.Database(dbpath) as db:
            db.create_node_table("Person", [("id", "INT64"), ("name", "STRING"),
                                            ("age", "INT64")], "id")
            before = snapshot(dbpath)
            outcomes = {}
            for ignore in (False, True):
                got = attempt(db, path, dict(cfg, ignore_errors=ignore))
                outcomes[ignore] = got
                mode = "ignore" if ignore else "abort"
                event(f"{mode}: {type(got).__name__}"
                      + (f" ({got.reason})" if isinstance(got, ruzu.CsvError) else
                         "" if isinstance(got, ruzu.RuzuError) else
                         f" {min(got.rows_imported, 3)}+ rows,"
                         f" {min(got.rows_skipped, 3)}+ skipped"))
                if isinstance(got, ruzu.RuzuError):
                    assert isinstance(got, ruzu.CsvError), repr(got)
                    assert snapshot(dbpath) == before, "a failed import changed the database"
                    assert str(got)
                else:
                    t = db.table("Person")
                    assert t.num_rows == got.rows_imported
                    assert len(t.to_pylist("name")) == t.num_rows
                    for key in t.to_pylist("id"):
                        assert t.to_pylist("id")[t.lookup(key)] == key
                    assert got.rows_skipped >= len(got.rejects) or len(got.rejects) >= 10_000
                    if not ignore:
                        assert got.rows_skipped == 0
                    db.drop_table("Person")  # back to an empty table for the next mode
                    db.create_node_table("Person", [("id", "INT64"), ("name", "STRING"),
                                                    ("age", "INT64")], "id")
                    before = snapshot(dbpath)
            strict, lenient = outcomes[False], outcomes[True]
            if isinstance(strict, ruzu.ImportResult) and isinstance(lenient, ruzu.ImportResult):
                assert lenient.rows_imported == strict.rows_imported
                assert lenient.rows_skipped == 0
            if (type(strict) is ruzu.CsvError and strict.column is not None
                    and isinstance(lenient, ruzu.ImportResult)):
                # abort stopped at a bad row: ignore mode rejects that same row first
                assert first_parse_line(lenient) == strict.line, (strict, lenient.rejects[:3])


@settings(max_examples=80, **COMMON)
@given(content=st.builds(lambda head, rest: head + rest,
                         st.sampled_from([b"from,to,since\n", b"to,from,since\n", b""]),
                         st.one_of(tokens, st.binary(max_size=100))),
       ignore=st.booleans(), batch_size=st.sampled_from([1, 3, 100_000]))
def test_random_relationship_input_ends_in_success_or_a_ruzu_error(content, ignore,
                                                                    batch_size):
    with Scratch() as tmp:
        nodes = os.path.join(tmp, "n.csv")
        with open(nodes, "w") as f:
            f.write("id,name,age\n0,z,0\n1,a,1\n42,b,2\n-1,c,3\n")
        path = os.path.join(tmp, "in.csv")
        with open(path, "wb") as f:
            f.write(content)
        dbpath = os.path.join(tmp, "db")
        with ruzu.Database(dbpath) as db:
            db.create_node_table("Person", [("id", "INT64"), ("name", "STRING"),
                                            ("age", "INT64")], "id")
            db.create_rel_table("Follows", [("Person", "Person")], [("since", "INT64")])
            db.import_nodes("Person", nodes)
            before = snapshot(dbpath)
            try:
                r = db.import_relationships("Follows", path, config=ruzu.CsvImportConfig(
                    ignore_errors=ignore, batch_size=batch_size))
            except ruzu.RuzuError as e:
                assert isinstance(e, ruzu.CsvError), repr(e)
                assert snapshot(dbpath) == before
                return
            rel = db.rel_table("Follows")
            assert rel.num_rels == r.rows_imported
            for d in ("fwd", "bwd"):
                indptr, nbr, eid = rel.csr(d)
                assert indptr[-1] == r.rows_imported
                assert sorted(eid.tolist()) == list(range(r.rows_imported))
                assert all(0 <= v < 4 for v in nbr.tolist())


@settings(max_examples=40, **COMMON)
@given(keys=st.lists(texts, min_size=1, max_size=30, unique=True),
       data=st.data(), batch_size=st.sampled_from([1, 3, 100_000]))
def test_string_keys_round_trip_through_index_and_endpoints(keys, data, batch_size):
    """Any unique strings (quotes, newlines, delimiters, unicode, NUL, "") work as primary
    keys: every key is found by lookup, and relationships between them resolve to the right
    nodes in both CSRs."""
    edges = data.draw(st.lists(st.tuples(st.integers(0, len(keys) - 1),
                                          st.integers(0, len(keys) - 1)), max_size=40))
    out = io.StringIO(newline="")
    w = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    w.writerow(["id", "v"])
    w.writerows([k, str(i)] for i, k in enumerate(keys))
    nodes_text = out.getvalue()
    out = io.StringIO(newline="")
    w = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    w.writerow(["from", "to"])
    w.writerows([keys[a], keys[b]] for a, b in edges)
    with Scratch() as tmp:
        nodes, rels = os.path.join(tmp, "n.csv"), os.path.join(tmp, "r.csv")
        with open(nodes, "w", encoding="utf-8", newline="") as f:
            f.write(nodes_text)
        with open(rels, "w", encoding="utf-8", newline="") as f:
            f.write(out.getvalue())
        with ruzu.Database(os.path.join(tmp, "db")) as db:
            db.create_node_table("K", [("id", "STRING"), ("v", "STRING")], "id")
            db.create_rel_table("E", [("K", "K")])
            cfg = ruzu.CsvImportConfig(batch_size=batch_size)
            db.import_nodes("K", nodes, config=cfg)
            db.import_relationships("E", rels, config=cfg)
            t = db.table("K")
            assert t.to_pylist("id") == keys
            assert [t.lookup(k) for k in keys] == list(range(len(keys)))
            rel = db.rel_table("E")
            indptr, nbr, eid = rel.csr("fwd")
            got = sorted((int(s), int(nbr[j]), int(eid[j]))
                         for s in range(len(keys)) for j in range(indptr[s], indptr[s + 1]))
            assert got == sorted((a, b, i) for i, (a, b) in enumerate(edges))
            indptr, nbr, eid = rel.csr("bwd")
            got = sorted((int(nbr[j]), int(d), int(eid[j]))
                         for d in range(len(keys)) for j in range(indptr[d], indptr[d + 1]))
            assert got == sorted((a, b, i) for i, (a, b) in enumerate(edges))
