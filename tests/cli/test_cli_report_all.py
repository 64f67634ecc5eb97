"""Every skipped row reaches the report (issue 16, item 3): past the 10,000 rejects an
``ImportResult`` keeps, ``--report-file`` and ``on_reject`` still get every one — bad values,
duplicate keys, missing endpoints resolved after the parse — and COPY's warning count is the
number of skipped rows, not of kept rejects. The oracle is the input itself: the rows known to
be bad by construction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ruzu
from ruzu.csv.config import Budgets
from ruzu.csv.parser import MAX_KEPT_REJECTS
from tests.conftest import write

N_BAD = MAX_KEPT_REJECTS + 1_500


def persons_with_bad_rows(tmp_path) -> tuple[str, list[int]]:
    """N_BAD rows with a bad age, N_BAD duplicate ids, and good rows between."""
    lines = ["id,name,age"]
    bad_lines = []
    for i in range(N_BAD):
        lines.append(f"{i},p{i},{i % 90}")
        lines.append(f"{10**9 + i},q{i},old")  # a bad INT64
        bad_lines.append(len(lines))
        lines.append(f"{i},dup{i},1")  # a duplicate of the row two lines up
        bad_lines.append(len(lines))
    return write(tmp_path / "p.csv", "\n".join(lines) + "\n"), bad_lines


def test_report_file_lists_every_skipped_row(run, files, tmp_path):
    persons, bad_lines = persons_with_bad_rows(tmp_path)
    report = tmp_path / "rejects.jsonl"
    r = run(files["db"], "--schema", files["schema"], "--nodes", f"Person={persons}",
            "--ignore-errors", "--bad-tolerance", "unlimited", "--report-file", report)
    assert r.code == 0, r.err
    rows = [json.loads(x) for x in report.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 2 * N_BAD > 2 * MAX_KEPT_REJECTS
    assert sorted(row["line"] for row in rows) == bad_lines
    assert f"report: {2 * N_BAD:,} skipped rows in {report}" in r.out
    assert sum("duplicate primary key" in row["reason"] for row in rows) == N_BAD
    last = max(rows, key=lambda row: row["line"])
    assert last["record"] == f"{N_BAD - 1},dup{N_BAD - 1},1"
    assert f"first at line {last['line'] - 2}" in last["reason"]
    bad_csv = (tmp_path / "rejects.bad.csv").read_text(encoding="utf-8").splitlines()
    source = Path(persons).read_text(encoding="utf-8").splitlines()
    assert sorted(bad_csv[1:]) == sorted(source[n - 1] for n in bad_lines)
    with ruzu.Database(files["db"], read_only=True) as db:
        assert db.table("Person").num_rows == N_BAD


def test_on_reject_gets_every_missing_endpoint_resolved_after_the_parse(tmp_path, monkeypatch):
    monkeypatch.setattr(ruzu.CsvImportConfig, "budgets", property(
        lambda self: Budgets(parse=1 << 20, index=64 * 64, resolve=16 * 50, csr=48 * 40)))
    with ruzu.Database(tmp_path / "db") as db:
        db.create_node_table("P", [("id", "INT64")], "id")
        db.create_rel_table("K", [("P", "P")])
        db.import_nodes("P", write(tmp_path / "p.csv",
                                   "id\n" + "".join(f"{i * 3}\n" for i in range(300))))
        edges = [(i % 900, (i * 7) % 900) for i in range(3 * N_BAD)]
        path = write(tmp_path / "k.csv", "from,to\n" + "".join(f"{a},{b}\n" for a, b in edges))
        missing = [n + 2 for n, (a, b) in enumerate(edges) if a % 3 or b % 3]
        seen = []
        result = db.import_relationships(
            "K", path, config=ruzu.CsvImportConfig(ignore_errors=True, bad_tolerance=None),
            on_reject=seen.append)
        assert len(missing) > MAX_KEPT_REJECTS
        assert [r.line for r in seen] == missing
        assert result.rows_skipped == len(missing)
        assert len(result.rejects) == MAX_KEPT_REJECTS
        assert result.rows_imported == len(edges) - len(missing)


def test_copy_counts_every_skipped_row(tmp_path):
    persons, bad_lines = persons_with_bad_rows(tmp_path)
    with ruzu.Database(tmp_path / "db") as db:
        db.execute("CREATE NODE TABLE Person(id INT64, name STRING, age INT64, "
                   "PRIMARY KEY (id))")
        message = db.execute(f"COPY Person FROM '{persons}' (IGNORE_ERRORS=true)").get_all()
        assert f"{len(bad_lines)} warnings encountered during copy" in message[1][0]
        warnings = db.execute("CALL show_warnings() RETURN *").get_all()
        assert len(warnings) == MAX_KEPT_REJECTS


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__])


@pytest.mark.parametrize("codec", ["gzip", "zstd"])
def test_bad_csv_of_a_compressed_input_holds_its_records(run, files, tmp_path, codec):
    """The rejects' byte offsets are of the decompressed text: the .bad.csv used to copy
    compressed bytes. A duplicate is reported after the parse rejects, at an earlier offset,
    so a forward-only (zstd) stream is read again."""
    text = "id,name,age\n1,a,30\n1,dup,31\nx,bad,32\n2,b,33\n3,c,old\n"
    raw = text.encode()
    if codec == "gzip":
        import gzip

        data = gzip.compress(raw)
    else:
        import zstandard

        data = zstandard.ZstdCompressor().compress(raw)
    persons = write(tmp_path / f"p.csv.{codec}", data)
    report = tmp_path / "rejects.jsonl"
    r = run(files["db"], "--schema", files["schema"], "--nodes", f"Person={persons}",
            "--ignore-errors", "--report-file", report)
    assert r.code == 0, r.err
    bad = (tmp_path / "rejects.bad.csv").read_text(encoding="utf-8").splitlines()
    assert bad[0] == "id,name,age"
    assert sorted(bad[1:]) == ["1,dup,31", "3,c,old", "x,bad,32"]
