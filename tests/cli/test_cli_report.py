"""--report-file: one JSON line per skipped row, and the skipped records byte for byte in a
.bad.csv (with the input's header) that can be fixed and imported again."""

from __future__ import annotations

import csv
import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ruzu
from ruzu.cli import raw_records
from tests.conftest import write

BAD_PERSONS = (
    'id,name,age\n'
    '1,Alice,30\n'
    '2,"Bob ""the builder""",forty\n'
    '3,"multi\nline, quoted",x\n'
    '4,Dan\n'
    '5,Eve,22\n'
)


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def test_report_and_bad_csv(run, files, tmp_path):
    persons = write(tmp_path / "p.csv", BAD_PERSONS)
    report = tmp_path / "rejects.jsonl"
    r = run(files["db"], "--schema", files["schema"], "--nodes", f"Person={persons}",
            "--ignore-errors", "--report-file", report)
    assert r.code == 0, r.err
    assert f"report: 3 skipped rows in {report}; records in {tmp_path / 'rejects.bad.csv'}" \
        in r.out
    rows = read_jsonl(report)
    assert [row["line"] for row in rows] == [3, 4, 6]
    assert rows[0]["file"] == persons and rows[0]["table"] == "Person"
    assert rows[0]["column"] == 3 and rows[0]["column_name"] == "age"
    assert set(rows[0]) >= {"file", "line", "byte_offset", "column", "column_name", "reason",
                            "record"}
    bad = (tmp_path / "rejects.bad.csv").read_bytes()
    assert bad == (b'id,name,age\n2,"Bob ""the builder""",forty\n'
                   b'3,"multi\nline, quoted",x\n4,Dan\n')

    # Fix the records and import them again with the same options.
    fixed = bad.replace(b"forty", b"40").replace(b",x\n", b",7\n").replace(b"4,Dan", b"4,Dan,1")
    (tmp_path / "rejects.bad.csv").write_bytes(fixed)
    r = run(files["db"], "--nodes", f"Person={tmp_path / 'rejects.bad.csv'}")
    assert r.code == 0, r.err
    with ruzu.Database(files["db"], read_only=True) as db:
        people = db.table("Person")
        assert people.to_pylist("id") == [1, 5, 2, 3, 4]
        assert people.to_pylist("name")[2:] == ['Bob "the builder"', "multi\nline, quoted", "Dan"]


def test_report_of_missing_endpoints_finds_records_by_line(run, files, tmp_path):
    follows = write(tmp_path / "f.csv", 'from,to,since\n1,2,1\n1,"99",2\n2,3,3\r\n77,1,4\n')
    report = tmp_path / "report.json"
    r = run(files["db"], "--schema", files["schema"], "--nodes", f"Person={files['persons']}",
            "--relationships", f"Follows={follows}", "--skip-bad-relationships",
            "--report-file", report)
    assert r.code == 0, r.err
    rows = read_jsonl(report)
    assert [(row["line"], row["column_name"]) for row in rows] == [(3, "to"), (5, "from")]
    assert (tmp_path / "report.bad.csv").read_bytes() == b'from,to,since\n1,"99",2\n77,1,4\n'


def test_one_bad_csv_per_input_file_when_several_have_rejects(run, files, tmp_path):
    p1 = write(tmp_path / "p1.csv", "id,name,age\n1,A,x\n2,B,2\n")
    p2 = write(tmp_path / "p2.csv", "id;name;age\n3;C;y\n")
    report = tmp_path / "rep.json"
    r = run(files["db"], "--schema", files["schema"], "--nodes", f"Person={p1}",
            "--ignore-errors", "--report-file", report)
    assert r.code == 0
    assert (tmp_path / "rep.bad.csv").read_bytes() == b"id,name,age\n1,A,x\n"
    p3 = write(tmp_path / "p3.csv", "id;name;age\n4;D;5\n5;E\n")
    r = run(files["db"], "--nodes", f"Person={p2}", "--nodes", f"Person={p3}",
            "--delimiter", ";", "--ignore-errors", "--report-file", report)
    assert r.code == 0, r.err
    assert (tmp_path / "rep.Person.p2.bad.csv").read_bytes() == b"id;name;age\n3;C;y\n"
    assert (tmp_path / "rep.Person.p3.bad.csv").read_bytes() == b"id;name;age\n5;E\n"
    assert len(read_jsonl(report)) == 2


def test_no_rejects_gives_an_empty_report(run, files, tmp_path):
    report = tmp_path / "rep.json"
    r = run(files["db"], "--schema", files["schema"], "--nodes", f"Person={files['persons']}",
            "--report-file", report)
    assert r.code == 0, r.err
    assert report.read_text() == ""
    assert not (tmp_path / "rep.bad.csv").exists()


def test_unwritable_report_is_one_error_line(run, files, tmp_path):
    persons = write(tmp_path / "p.csv", "id,name,age\n1,A,x\n")
    r = run(files["db"], "--schema", files["schema"], "--nodes", f"Person={persons}",
            "--ignore-errors", "--report-file", tmp_path / "no" / "such" / "dir" / "r.json")
    assert r.code == 1
    assert len(r.err.splitlines()) == 1 and "No such file or directory" in r.err


def test_raw_records_with_other_escape(tmp_path):
    path = write(tmp_path / "x.csv", 'a,b\n1,"x\\"y,\nz"\n2,3\n')
    cfg = ruzu.CsvImportConfig(escape="\\")
    rej = [ruzu.Reject(path, 2, 4, None, None, "r", ""), ruzu.Reject(path, 4, -1, None, None,
                                                                     "r", "")]
    assert raw_records(path, rej, cfg) == [b'1,"x\\"y,\nz"\n', b"2,3\n"]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(st.text(alphabet='ab,"\n\r é', max_size=6), min_size=1,
                              max_size=3), min_size=1, max_size=12),
       picks=st.lists(st.tuples(st.integers(0, 11), st.booleans()), max_size=6))
def test_raw_records_match_the_written_bytes(tmp_path, rows, picks):
    """Oracle: Python's csv writer, which records where each record starts."""
    records = []
    for row in rows:
        buf = io.StringIO()
        # Python's writer leaves a bare CR unquoted, but a CR ends a line for ruzu (CR-only
        # files): quote the rows that hold one, as a CR-aware writer would
        quoting = csv.QUOTE_ALL if any("\r" in f for f in row) else csv.QUOTE_MINIMAL
        csv.writer(buf, lineterminator="\n", quoting=quoting).writerow(row)
        records.append(buf.getvalue().encode("utf-8"))
    data = b"".join(records)
    path = str(tmp_path / "r.csv")
    with open(path, "wb") as f:
        f.write(data)
    starts = [sum(len(r) for r in records[:i]) for i in range(len(records))]
    rejects, expected = [], []
    for i, by_offset in picks:
        if i >= len(records) or b"\r" in data[: starts[i]]:
            continue  # lines count "\n" only; a bare CR before the record would not count
        line = data[: starts[i]].count(b"\n") + 1
        rejects.append(ruzu.Reject(path, line, starts[i] if by_offset else -1, None, None,
                                   "r", ""))
        expected.append(records[i])
    assert raw_records(path, rejects, ruzu.CsvImportConfig()) == expected
