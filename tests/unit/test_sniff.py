"""The dialect sniffer against files written by Python's csv module in a known dialect (the
oracle): every unambiguous file must come back with the dialect it was written in."""

from __future__ import annotations

import csv
import io
import random

import pytest

from ruzu.csv.sniff import Dialect, detect_header, first_record, read_sample, sniff_dialect
from ruzu.types import LogicalType

WORDS = ["ann", "bob smith", "a,b", "x|y", "tab\there", "semi;colon", 'say "hi"', "it's",
         "", "[1, 2]", "é", "12", "3.5", "it's, a|b\t;c \"q\""]


def _write(rows, dialect: Dialect) -> str:
    out = io.StringIO()
    doubled = dialect.escape == dialect.quote
    writer = csv.writer(out, delimiter=dialect.delimiter, quotechar=dialect.quote,
                        doublequote=doubled, escapechar=None if doubled else dialect.escape,
                        quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    writer.writerows(rows)
    return out.getvalue()


def _dialects():
    for d in (",", "|", "\t", ";"):
        for q in ('"', "'"):
            for e in (q, "\\"):
                yield Dialect(d, q, e)


def _unambiguous(text: str, rows, dialect: Dialect) -> bool:
    """Only the writer's dialect gives the rows back (else several answers are right)."""
    from ruzu.csv.sniff import parse_sample

    for other in _dialects():
        if other != dialect and parse_sample(text, other, 1000) == rows:
            return False
    # a quote the writer never had to use cannot be told apart from the other quote
    if dialect.quote not in text:
        return False
    # Kùzu's rule: an escape counts only inside quotes, and csv's writer quotes a field (and
    # escapes the quote in it) only when it holds the delimiter too
    return dialect.escape == dialect.quote or any(
        dialect.delimiter in f and dialect.quote in f for row in rows for f in row)


@pytest.mark.parametrize("dialect", list(_dialects()), ids=repr)
@pytest.mark.parametrize("seed", range(6))
def test_sniffer_finds_the_writers_dialect(dialect, seed):
    rng = random.Random(seed)
    width = rng.randint(2, 6)
    rows = [[f"id{i}"] + [rng.choice(WORDS) for _ in range(width - 1)] for i in range(40)]
    text = _write(rows, dialect)
    if not _unambiguous(text, rows, dialect):
        pytest.skip("ambiguous sample")
    assert sniff_dialect(text, expected_fields=width) == dialect
    assert sniff_dialect(text) == dialect  # without knowing the width too


@pytest.mark.parametrize("delimiter", [",", "|", "\t", ";"])
def test_plain_files_without_quotes(delimiter):
    text = "".join(delimiter.join([str(i), f"name{i}", str(i * 2)]) + "\n" for i in range(20))
    assert sniff_dialect(text).delimiter == delimiter
    assert sniff_dialect(text, expected_fields=3).delimiter == delimiter


def test_given_options_are_kept():
    text = "a;b\n1;2\n"
    assert sniff_dialect(text, delimiter=",") == Dialect(",", '"', '"')


def test_one_column_file_keeps_the_comma():
    assert sniff_dialect("1\n2\n3\n", expected_fields=1).delimiter == ","


def test_sample_is_bounded_and_long_fields_are_fine(tmp_path):
    path = tmp_path / "big.csv"
    long = "x" * (300 << 10)  # over csv's default 128 KiB field limit
    path.write_text("id|s\n" + "".join(f"{i}|{long}\n" for i in range(8)))
    text, complete = read_sample(lambda: open(path, "rb"), max_bytes=1 << 20)
    assert not complete and len(text) <= 1 << 20
    assert sniff_dialect(text, expected_fields=2).delimiter == "|"
    assert first_record(text, Dialect("|")) == ["id", "s"]


def test_header_detection():
    ints = [LogicalType.INT64, LogicalType.INT64]
    assert detect_header(["a", "b"], ["x", "y"], ints)
    assert not detect_header(["1", "2"], ["x", "y"], ints)
    strings = [LogicalType.STRING, LogicalType.STRING]
    assert not detect_header(["x", "y"], ["x", "y"], strings)  # data, as in Kùzu
    assert not detect_header(["a", "b"], ["x", "y"], strings)


def test_a_quoted_line_break_is_not_two_rows():
    # Kùzu's csv-multiline-quote-tests/basic.csv: one field across two lines
    assert sniff_dialect('"abc\ndef"\n', expected_fields=1) == Dialect(",", '"', '"')


def test_a_few_bad_rows_do_not_decide():
    text = "id,name,age\n1,A,1\n2,B,x\n3,C\n4,D,4\n"  # one row too short
    assert sniff_dialect(text, expected_fields=3).delimiter == ","
    assert sniff_dialect(text).delimiter == ","


def test_header_detection_of_composite_columns():
    from ruzu.types import parse_composite

    floats = parse_composite("FLOAT[3]")
    assert detect_header(["text", "embedding"], ["text", "embedding"],
                         [LogicalType.STRING, floats])
    assert not detect_header(["a", "[1, 2, 3]"], ["text", "embedding"],
                             [LogicalType.STRING, floats])
    pair = parse_composite("STRUCT(a INT64)")
    assert detect_header(["pair"], ["pair"], [pair])
    assert not detect_header(["{a: 1}"], ["pair"], [pair])


KUZU_DIALECT_FILES = {  # Kùzu's dataset/csv-dialect-detection (test/test_files/csv/...)
    "eStudyAt_delim1.csv": Dialect("|", '"', '"'),
    "eStudyAt_delim2.csv": Dialect(";", '"', '"'),
    "eStudyAt_escape1.csv": Dialect(";", '"', "\\"),
    "eStudyAt_escape2.csv": Dialect(";", '"', '"'),
    "eStudyAt_escape3.csv": Dialect(";", "'", "\\"),
    "eStudyAt_quote1.csv": Dialect(";", "'", "'"),
    "list.csv": Dialect(",", '"', '"'),
    "list_delim1.csv": Dialect("|", "'", "'"),
    "list_delim2.csv": Dialect("\t", "'", "'"),
    "list_quote1.csv": Dialect(",", "'", "'"),
}


@pytest.mark.parametrize("name", sorted(KUZU_DIALECT_FILES))
def test_kuzu_dialect_detection_corpus(name):
    import os

    base = os.environ.get("KUZU_SOURCE", "/work/kuzu-src")
    path = os.path.join(base, "dataset", "csv-dialect-detection", name)
    if not os.path.exists(path):
        pytest.skip("Kùzu's source checkout is not here (set KUZU_SOURCE)")
    text, _ = read_sample(lambda: open(path, "rb"))
    assert sniff_dialect(text) == KUZU_DIALECT_FILES[name]
