"""``.bad.csv`` of inputs with CR-only and CRLF line ends (issue 15, finding 7): it holds
exactly the rejected records, byte for byte with their line ends, so importing it again
rejects the same rows — before the fix a CR-only file's records ran on to the file's end
(re-importing rejected 8 rows, not 2)."""

from __future__ import annotations

import pytest

import ruzu
from ruzu.cli import raw_records
from tests.conftest import write

ROWS = ["id,name,age", "1,Alice,30", "2,Bob,forty", '3,"q, r",31', "4,Dan,x", "5,Eve,22",
        "6,Fay,23"]


@pytest.mark.parametrize("eol", ["\r", "\r\n", "\n"])
def test_bad_csv_holds_exactly_the_rejected_records(run, files, tmp_path, eol):
    persons = write(tmp_path / "p.csv", eol.join(ROWS) + eol)
    report = tmp_path / "rejects.jsonl"
    r = run(files["db"], "--schema", files["schema"], "--nodes", f"Person={persons}",
            "--ignore-errors", "--report-file", report)
    assert r.code == 0, r.err
    bad = (tmp_path / "rejects.bad.csv").read_bytes()
    assert bad == (eol.join([ROWS[0], ROWS[2], ROWS[4]]) + eol).encode()
    # importing the .bad.csv again rejects the same two rows and nothing else
    db2 = tmp_path / "db2"
    r = run(db2, "--schema", files["schema"], "--nodes", f"Person={tmp_path / 'rejects.bad.csv'}",
            "--ignore-errors")
    assert r.code == 0, r.err
    with ruzu.Database(db2, read_only=True) as db:
        assert db.table("Person").num_rows == 0


def test_raw_record_of_a_cr_only_file(tmp_path):
    path = write(tmp_path / "x.csv", 'a,b\r1,"x\ry"\r2,3\r4,5')
    rej = [ruzu.Reject(path, 2, 4, None, None, "r", ""),
           ruzu.Reject(path, 4, -1, None, None, "r", ""),
           ruzu.Reject(path, 5, -1, None, None, "r", "")]
    assert raw_records(path, rej, ruzu.CsvImportConfig()) == [b'1,"x\ry"\r', b"2,3\r",
                                                                b"4,5\n"]
