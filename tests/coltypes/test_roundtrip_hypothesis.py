"""Hypothesis-generated values of every composite type, written in Kùzu's CSV text forms,
imported, and read back: the values must come back exactly (the oracle is the generator)."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ruzu
from ruzu import CsvImportConfig

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCXYZ0123456789_éß", min_size=1,
               max_size=8)
INTS = st.integers(-(2**63), 2**63 - 1)
INT_LIST = st.lists(st.one_of(st.none(), INTS), max_size=6)
NESTED = st.lists(st.lists(st.integers(-1000, 1000), max_size=3), max_size=3)
STRUCT = st.fixed_dictionaries({"a": st.one_of(st.none(), INTS),
                                "b": st.one_of(st.none(), WORD)})
MAP = st.dictionaries(WORD, st.one_of(st.none(), st.integers(-99, 99)), max_size=4)
INTERVAL = st.tuples(st.integers(0, 1000), st.integers(0, 1000), st.integers(0, 10**12))
DEC = st.decimals(min_value=-(10**7), max_value=10**7, places=3, allow_nan=False,
                  allow_infinity=False)

ROW = st.tuples(st.one_of(st.none(), INT_LIST), st.one_of(st.none(), st.lists(WORD, max_size=4)),
                st.one_of(st.none(), NESTED), st.one_of(st.none(), st.lists(INTS, min_size=3,
                                                                          max_size=3)),
                st.one_of(st.none(), STRUCT), st.one_of(st.none(), MAP),
                st.one_of(st.none(), st.uuids()),
                st.one_of(st.none(), st.binary(min_size=1, max_size=8)),
                st.one_of(st.none(), INTERVAL), st.one_of(st.none(), DEC),
                st.one_of(st.none(), st.integers(-(2**127), 2**127 - 1)))
COLUMNS = [("l", "INT64[]"), ("s", "STRING[]"), ("n", "INT64[][]"), ("a", "INT64[3]"),
           ("st", "STRUCT(a INT64, b STRING)"), ("m", "MAP(STRING, INT64)"), ("u", "UUID"),
           ("bl", "BLOB"), ("iv", "INTERVAL"), ("d", "DECIMAL(18, 3)"), ("h", "INT128")]


def _text(value, col: int) -> str:
    if value is None:
        return ""
    if col in (0, 1, 2, 3):
        return "[" + ",".join("null" if v is None else (_text(v, 0) if isinstance(v, list)
                                                    else str(v)) for v in value) + "]"
    if col == 4:
        return "{" + ", ".join(f"{k}: {'' if v is None else v}" for k, v in value.items()) + "}"
    if col == 5:
        return "{" + ", ".join(f"{k}={'' if v is None else v}" for k, v in value.items()) + "}"
    if col == 7:
        return "".join(f"\\x{b:02X}" if b < 32 or b > 126 or b == 92 else chr(b) for b in value)
    if col == 8:
        return f"{value[0]} months {value[1]} days {value[2]} us"
    return str(value)


def _expected(value, col: int):
    if value is None:
        return None
    if col == 5:
        return dict(value)
    if col == 8:
        return dt.timedelta(days=value[0] * 30 + value[1], microseconds=value[2])
    if col in (9, 10):
        return decimal.Decimal(value)
    if col == 6:
        return uuid.UUID(str(value))
    return value


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(ROW, min_size=1, max_size=6))
def test_values_round_trip(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("rt")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for i, row in enumerate(rows):
        writer.writerow([i, *(_text(v, c) for c, v in enumerate(row))])
    csv_path = path / "t.csv"
    csv_path.write_text(out.getvalue(), encoding="utf-8")
    db = ruzu.Database(path / "db")
    try:
        db.create_node_table("T", [("id", "INT64"), *COLUMNS], "id")
        db.import_nodes("T", csv_path, CsvImportConfig(header=False))
        table = db.table("T")
        for c, (name, _) in enumerate(COLUMNS):
            want = [_expected(row[c], c) for row in rows]
            assert table.to_pylist(name) == want, name
            assert table.to_arrow(name).to_pylist() is not None
    finally:
        db.close()
