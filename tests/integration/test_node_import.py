"""Node import: create → import → close → reopen → read back equals the input (oracle: the
Python values the CSV was written from), for every type, NULLs, unicode, quoting and batch
sizes; plus the errors, each naming path:line:column and leaving the database unchanged."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random

import numpy as np
import pytest

import ruzu
from ruzu.errors import CsvError, DuplicateKeyError
from tests.conftest import snapshot, write

ALL_TYPES = [
    ("id", "INT64"), ("i8", "INT8"), ("i16", "INT16"), ("i32", "INT32"), ("u8", "UINT8"),
    ("u16", "UINT16"), ("u32", "UINT32"), ("u64", "UINT64"), ("f32", "FLOAT"),
    ("f64", "DOUBLE"), ("b", "BOOLEAN"), ("s", "STRING"), ("d", "DATE"), ("ts", "TIMESTAMP"),
]
TEXTS = ["plain", "with,comma", 'with "quotes"', "multi\nline", "crlf\r\nline", "ünïcødé ✓",
         "emoji 🎉", "", " spaced ", "tab\there"]


def random_value(rng: random.Random, typ: str):
    if rng.random() < 0.15:
        return None
    lo_hi = {"INT8": 7, "INT16": 15, "INT32": 31, "INT64": 63}
    if typ in lo_hi:
        b = lo_hi[typ]
        return rng.choice([-(2**b), 2**b - 1, 0, rng.randint(-(2**b), 2**b - 1)])
    if typ.startswith("UINT"):
        b = int(typ[4:])
        return rng.choice([0, 2**b - 1, rng.randint(0, 2**b - 1)])
    if typ == "DOUBLE":
        return rng.choice([0.0, -1.5, 1e300, 5e-324, rng.uniform(-1e6, 1e6)])
    if typ == "FLOAT":
        return float(np.float32(rng.uniform(-1e3, 1e3)))
    if typ == "BOOLEAN":
        return rng.random() < 0.5
    if typ == "STRING":
        return rng.choice(TEXTS) + str(rng.randint(0, 9))
    if typ == "DATE":
        return dt.date(1970, 1, 1) + dt.timedelta(days=rng.randint(-300_000, 2_900_000))
    if typ == "TIMESTAMP":
        return dt.datetime(2000, 1, 1) + dt.timedelta(microseconds=rng.randint(0, 10**16))
    raise AssertionError(typ)


def to_field(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def csv_field(value) -> str:
    """NULL → empty unquoted field; text always quoted (so "" is the empty string)."""
    value = to_field(value)
    if value is None:
        return ""
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    return repr(value) if isinstance(value, float) else str(value)


def write_rows(path, header, rows) -> str:
    lines = [",".join(header)] if header else []
    lines += [",".join(csv_field(v) for v in row) for row in rows]
    text = "\n".join(lines) + "\n"
    # the oracle agrees: Python's csv module reads the same fields back
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    assert len(parsed) == len(lines)
    return write(path, text)


def make_rows(n: int, seed: int = 1):
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        row = [i * 3 + 1] + [random_value(rng, t) for _, t in ALL_TYPES[1:]]
        rows.append(row)
    return rows


def read_back(table, names):
    return [list(r) for r in zip(*[table.to_pylist(n) for n in names], strict=True)]


@pytest.mark.parametrize("batch_size", [1, 7, 100_000])
def test_every_type_round_trips(tmp_path, batch_size):
    rows = make_rows(300)
    names = [n for n, _ in ALL_TYPES]
    path = write_rows(tmp_path / "all.csv", names, rows)
    with ruzu.Database(tmp_path / "db") as db:
        db.create_node_table("T", ALL_TYPES, "id")
        result = db.import_nodes("T", path, ruzu.CsvImportConfig(batch_size=batch_size))
        assert result.rows_imported == 300
        assert result.batch_count >= -(-300 // batch_size)
    with ruzu.Database(tmp_path / "db", read_only=True) as db:
        table = db.table("T")
        assert table.num_rows == 300
        got = read_back(table, names)
        assert got == rows
        for i in (0, 17, 299):
            assert table.lookup(rows[i][0]) == i
        assert table.lookup(2) is None


def test_columns_are_zero_copy_numpy_arrays(person_db, tmp_path):
    path = write(tmp_path / "p.csv", "id,name,age\n1,Ann,30\n2,Bob,\n")
    person_db.import_nodes("Person", path)
    t = person_db.table("Person")
    ages = t.column("age")
    assert isinstance(ages, np.memmap) and ages.dtype == np.int64
    assert t.validity("age").tolist() == [True, False]
    assert t.validity("id") is None  # no NULLs: no validity file
    names = t.column("name")
    assert isinstance(names, ruzu.StringColumn)
    assert names.offsets.tolist() == [0, 3, 6] and bytes(names.data) == b"AnnBob"
    assert list(names) == ["Ann", "Bob"]


def test_header_columns_matched_by_name_in_any_order(person_db, tmp_path):
    path = write(tmp_path / "p.csv", "age,id,name\n30,1,Ann\n40,2,Bob\n")
    person_db.import_nodes("Person", path)
    t = person_db.table("Person")
    assert read_back(t, ["id", "name", "age"]) == [[1, "Ann", 30], [2, "Bob", 40]]


def test_no_header_matches_by_position(person_db, tmp_path):
    path = write(tmp_path / "p.csv", "1,Ann,30\n2,Bob,40\n")
    person_db.import_nodes("Person", path, ruzu.CsvImportConfig(header=False))
    assert person_db.table("Person").to_pylist("name") == ["Ann", "Bob"]


def test_dialect_bom_crlf_mixed_newlines_and_no_final_newline(person_db, tmp_path):
    raw = b'\xef\xbb\xbfid;name;age\r\n1;"a;b";1\r2;"x\r\ny";2\n\n3;c;3'
    path = write(tmp_path / "p.csv", raw)
    person_db.import_nodes("Person", path, ruzu.CsvImportConfig(delimiter=";"))
    t = person_db.table("Person")
    assert read_back(t, ["id", "name", "age"]) == [[1, "a;b", 1], [2, "x\r\ny", 2], [3, "c", 3]]


def test_custom_null_strings_and_quoted_empty_string(person_db, tmp_path):
    path = write(tmp_path / "p.csv", 'id,name,age\n1,NA,NA\n2,"",\n3,"NA",5\n')
    person_db.import_nodes("Person", path, ruzu.CsvImportConfig(null_strings=("NA", "")))
    t = person_db.table("Person")
    assert t.to_pylist("name") == [None, "", "NA"]
    assert t.to_pylist("age") == [None, None, 5]


def test_skip_rows(person_db, tmp_path):
    path = write(tmp_path / "p.csv", "id,name,age\n1,a,1\n2,b,2\n3,c,3\n")
    person_db.import_nodes("Person", path, ruzu.CsvImportConfig(skip_rows=2))
    assert person_db.table("Person").to_pylist("id") == [3]


def test_empty_and_header_only_files_import_zero_rows(person_db, tmp_path):
    for text in ["", "id,name,age\n", "id,name,age"]:
        path = write(tmp_path / "p.csv", text)
        assert person_db.import_nodes("Person", path).rows_imported == 0
    assert person_db.table("Person").num_rows == 0


@pytest.mark.parametrize("batch_size", [1, 3, 100_000])
def test_second_copy_appends_and_checks_keys(person_db, tmp_path, batch_size):
    cfg = ruzu.CsvImportConfig(batch_size=batch_size)
    person_db.import_nodes("Person", write(tmp_path / "a.csv", "id,name,age\n5,a,1\n9,b,2\n"), cfg)
    person_db.import_nodes("Person", write(tmp_path / "b.csv", "id,name,age\n1,c,3\n7,d,4\n"), cfg)
    t = person_db.table("Person")
    assert t.to_pylist("id") == [5, 9, 1, 7]
    assert [t.lookup(k) for k in (5, 9, 1, 7, 3)] == [0, 1, 2, 3, None]
    before = snapshot(person_db.path)
    expected = r"b2\.csv:3:1 \(id\): duplicate primary key 9 .*row 1"
    with pytest.raises(DuplicateKeyError, match=expected):
        person_db.import_nodes("Person", write(tmp_path / "b2.csv", "id,name,age\n2,x,1\n9,y,2\n"),
                               cfg)
    assert snapshot(person_db.path) == before


@pytest.mark.parametrize("batch_size", [1, 2, 100_000])
def test_duplicate_key_in_file_names_key_and_both_lines(person_db, tmp_path, batch_size):
    path = write(tmp_path / "p.csv", "id,name,age\n1,a,1\n2,\"multi\nline\",2\n3,c,3\n2,d,4\n")
    before = snapshot(person_db.path)
    with pytest.raises(DuplicateKeyError) as e:
        person_db.import_nodes("Person", path, ruzu.CsvImportConfig(batch_size=batch_size))
    assert str(e.value).startswith(f"{path}:6:1 (id): duplicate primary key 2")
    assert "line 3" in str(e.value) and e.value.line == 6
    assert str(e.value).endswith("Record: '2,d,4'") and e.value.record == "2,d,4"
    assert snapshot(person_db.path) == before


def test_duplicate_keep_first_skips_and_reports(person_db, tmp_path):
    path = write(tmp_path / "p.csv", "id,name,age\n1,a,1\n2,b,2\n1,c,3\n3,d,4\n2,e,5\n")
    r = person_db.import_nodes("Person", path, ruzu.CsvImportConfig(on_duplicate="keep_first"))
    assert (r.rows_imported, r.rows_skipped) == (3, 2)
    assert [(x.line, x.record, x.byte_offset) for x in r.rejects] == [(4, "1,c,3", 24),
                                                                     (6, "2,e,5", 36)]
    t = person_db.table("Person")
    assert read_back(t, ["id", "name", "age"]) == [[1, "a", 1], [2, "b", 2], [3, "d", 4]]
    assert [t.lookup(k) for k in (1, 2, 3)] == [0, 1, 2]


@pytest.mark.parametrize("key_type", ["STRING", "INT64", "UINT64", "INT16"])
def test_unsorted_and_string_keys_use_the_hash_index(tmp_path, key_type, monkeypatch):
    # a tiny index budget forces several spilled partitions
    budgets = ruzu.csv.config.Budgets(parse=1 << 20, index=64 * 100, resolve=4096, csr=4096)
    monkeypatch.setattr(ruzu.CsvImportConfig, "budgets", property(lambda self: budgets))
    rng = np.random.default_rng(3)
    if key_type == "STRING":
        keys = [f"k{v}" for v in rng.permutation(2000)]
    elif key_type == "INT16":
        keys = [int(v) for v in rng.permutation(np.arange(-1000, 1000))]
    elif key_type == "UINT64":
        keys = [int(v) for v in rng.integers(0, 2**64 - 1, 2000, dtype=np.uint64, endpoint=True)]
    else:
        keys = [int(v) for v in rng.integers(-(2**63), 2**63 - 1, 2000)]
    keys = list(dict.fromkeys(keys))
    path = write(tmp_path / "k.csv", "k,v\n" + "".join(f"{k},{i}\n" for i, k in enumerate(keys)))
    with ruzu.Database(tmp_path / "db") as db:
        db.create_node_table("K", [("k", key_type), ("v", "INT64")], "k")
        db.import_nodes("K", path)
        t = db.table("K")
        assert t.to_pylist("k") == keys
        assert all(t.lookup(k) == i for i, k in enumerate(keys))
        assert t.lookup("nope" if key_type == "STRING" else 12345678) is None
        dup = write(tmp_path / "d.csv", f"k,v\n{keys[5]},1\n")
        with pytest.raises(DuplicateKeyError, match="row 5 already in the table"):
            db.import_nodes("K", dup)


BAD_CASES = [
    # (csv text, line, column, reason fragment)
    ("id,name,age\n1,a,1\n2,b\n", 3, None, "expected 3 values per row, but got 2"),
    ("id,name,age\n1,a,1,9\n", 2, None, "expected 3 values per row, but got 4"),
    ("id,name,age\n1,a,x\n", 2, 3, "age"),
    ("id,name,age\n1,a,99999999999999999999\n", 2, 3, "range"),
    ("id,name,age\n1,\"abc\n", 2, 2, "unterminated"),
    ("id,name,age\n1,a\"b,3\n", 2, 2, "quote"),
    ("id,name,age\n,a,3\n", 2, 1, "NULL"),
    (b"id,name,age\n1,\xff\xfe,3\n", 2, 2, "UTF-8"),
]


@pytest.mark.parametrize("text, line, column, reason", BAD_CASES)
@pytest.mark.parametrize("batch_size", [1, 7, 100_000])
def test_bad_rows_abort_with_location_and_leave_db_unchanged(person_db, tmp_path, text, line,
                                                             column, reason, batch_size):
    person_db.import_nodes("Person", write(tmp_path / "ok.csv", "id,name,age\n100,z,1\n"))
    path = write(tmp_path / "bad.csv", text)
    before = snapshot(person_db.path)
    with pytest.raises(CsvError) as e:
        person_db.import_nodes("Person", path, ruzu.CsvImportConfig(batch_size=batch_size))
    assert e.value.line == line and e.value.column == column
    assert str(e.value).startswith(f"{path}:{line}" + (f":{column} (" if column else ":"))
    assert reason in str(e.value)
    assert snapshot(person_db.path) == before
    assert person_db.table("Person").num_rows == 1


def test_ignore_errors_skips_and_reports_bad_rows(person_db, tmp_path):
    text = "id,name,age\n1,a,1\n2,b\n3,c,x\n4,d,4\n,e,5\n"
    path = write(tmp_path / "bad.csv", text)
    r = person_db.import_nodes("Person", path, ruzu.CsvImportConfig(ignore_errors=True))
    assert (r.rows_imported, r.rows_skipped) == (2, 3)
    assert [(x.line, x.column) for x in r.rejects] == [(3, None), (4, 3), (6, 1)]
    assert r.rejects[1].record == "3,c,x" and r.rejects[1].column_name == "age"
    assert person_db.table("Person").to_pylist("id") == [1, 4]


def test_header_mismatch_is_an_error_before_any_data(person_db, tmp_path):
    path = write(tmp_path / "p.csv", "id,nom,age\n1,a,1\n")
    before = snapshot(person_db.path)
    expected = r"p\.csv:1: header .*missing \['name'\].*unexpected \['nom'\]"
    with pytest.raises(CsvError, match=expected):
        person_db.import_nodes("Person", path)
    assert snapshot(person_db.path) == before


def test_missing_file(person_db, tmp_path):
    with pytest.raises(CsvError, match="file not found"):
        person_db.import_nodes("Person", tmp_path / "nope.csv")


def test_interrupt_rolls_back(person_db, tmp_path):
    rows = "".join(f"{i},n{i},{i}\n" for i in range(50_000))
    path = write(tmp_path / "p.csv", "id,name,age\n" + rows)
    before = snapshot(person_db.path)

    def interrupt(p: ruzu.ImportProgress):
        if p.rows > 20_000:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        person_db.import_nodes("Person", path, ruzu.CsvImportConfig(batch_size=1000),
                               progress=interrupt)
    assert snapshot(person_db.path) == before
    assert person_db.import_nodes("Person", path).rows_imported == 50_000


def test_progress_is_monotonic_and_frequent(person_db, tmp_path):
    rows = "".join(f"{i},n{i},{i}\n" for i in range(350_000))
    path = write(tmp_path / "p.csv", "id,name,age\n" + rows)
    seen: list[ruzu.ImportProgress] = []
    r = person_db.import_nodes("Person", path, ruzu.CsvImportConfig(batch_size=10_000_000),
                               progress=seen.append)
    node_rows = [p.rows for p in seen if p.stage == "nodes"]
    assert node_rows == sorted(node_rows) and node_rows[-1] == 350_000
    assert max(np.diff([0] + node_rows)) <= 100_000
    assert [p.bytes_read for p in seen] == sorted(p.bytes_read for p in seen)
    assert seen[-1].batch_count == r.batch_count >= 1


@pytest.mark.parametrize("batch_size", [1, 4, 100_000])
def test_partial_mode_commits_complete_batches_and_says_where_to_resume(person_db, tmp_path,
                                                                       batch_size):
    rows = [f"{i},n{i},{i}" for i in range(10)]
    rows[6] = "6,n6,oops"
    path = write(tmp_path / "p.csv", "id,name,age\n" + "\n".join(rows) + "\n")
    cfg = ruzu.CsvImportConfig(batch_size=batch_size, partial=True)
    with pytest.raises(ruzu.ImportInterrupted) as e:
        person_db.import_nodes("Person", path, cfg)
    assert isinstance(e.value.__cause__, CsvError) and e.value.__cause__.line == 8
    committed = person_db.table("Person").to_pylist("id")
    expected = (6 // batch_size) * batch_size if batch_size < 10 else 0
    assert committed == list(range(expected))
    assert e.value.result.rows_imported == expected
    assert e.value.resume_skip_rows == expected and e.value.resume_line == expected + 2
    # fix the row, resume where it stopped
    rows[6] = "6,n6,6"
    write(tmp_path / "p.csv", "id,name,age\n" + "\n".join(rows) + "\n")
    person_db.import_nodes("Person", path,
                           ruzu.CsvImportConfig(skip_rows=e.value.resume_skip_rows))
    assert person_db.table("Person").to_pylist("id") == list(range(10))


def test_on_reject_sees_every_rejected_row(person_db, tmp_path, monkeypatch):
    monkeypatch.setattr(ruzu.csv.parser, "MAX_KEPT_REJECTS", 3)
    rows = "".join(f"{i},n{i},{'x' if i % 2 else i}\n" for i in range(20))
    path = write(tmp_path / "p.csv", "id,name,age\n" + rows)
    seen = []
    r = person_db.import_nodes("Person", path, ruzu.CsvImportConfig(ignore_errors=True),
                               on_reject=seen.append)
    assert r.rows_skipped == 10 and len(r.rejects) == 3
    assert [x.line for x in seen] == [i + 2 for i in range(1, 20, 2)]
