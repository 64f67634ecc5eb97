"""The command line reads data as it arrives: globs of compressed parts, Parquet files and
directories, stdin, sniffed delimiters; the tables equal those of the plain CSV run."""

from __future__ import annotations

import gzip
import io
import sys

import pytest
import zstandard

from tests.cli.conftest import FOLLOWS, PERSONS
from tests.conftest import write


def _dump(db_path):
    import ruzu

    with ruzu.Database(db_path, read_only=True) as db:
        return (db.execute("MATCH (p:Person) RETURN p.id, p.name, p.age ORDER BY p.id").get_all(),
                db.execute("MATCH (a)-[f:Follows]->(b) RETURN a.id, b.id, f.since "
                           "ORDER BY a.id, b.id").get_all())


@pytest.fixture
def plain(run, files, tmp_path):
    r = run(tmp_path / "plain", "--schema", files["schema"], "--nodes",
            f"Person={files['persons']}", "--relationships", f"Follows={files['follows']}")
    assert r.code == 0, r.err
    return _dump(tmp_path / "plain")


def test_glob_of_gzip_parts(run, files, tmp_path, plain):
    header, *rows = PERSONS.splitlines(keepends=True)
    for i in range(2):
        (tmp_path / f"part-{i}.csv.gz").write_bytes(gzip.compress(
            (header + "".join(rows[i::2])).encode()))
    r = run(files["db"], "--schema", files["schema"], "--nodes",
            f"Person={tmp_path / 'part-*.csv.gz'}", "--relationships",
            f"Follows={files['follows']}")
    assert r.code == 0, r.err
    assert _dump(files["db"]) == plain


def test_sniffed_delimiter_and_explicit_one(run, files, tmp_path, plain):
    piped = write(tmp_path / "p.psv", PERSONS.replace(",", "|").replace('"Carol| Jr."',
                                                                         '"Carol, Jr."'))
    tabbed = write(tmp_path / "f.tsv", FOLLOWS.replace(",", "\t"))
    r = run(files["db"], "--schema", files["schema"], "--nodes", f"Person={piped}",
            "--relationships", f"Follows={tabbed}")
    assert r.code == 0, r.err
    assert _dump(files["db"]) == plain
    r = run(tmp_path / "db2", "--schema", files["schema"], "--nodes", f"Person={piped}",
            "--delimiter", ",")
    assert r.code != 0 and "header" in r.err


def test_parquet_file_and_directory(run, files, tmp_path, plain):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow.csv as pcsv

    persons = pcsv.read_csv(files["persons"])
    # columns by name, in another order and case
    persons = persons.select(["name", "age", "id"]).rename_columns(["NAME", "age", "Id"])
    pq.write_table(persons, tmp_path / "p.parquet")
    (tmp_path / "f").mkdir()
    follows = pcsv.read_csv(files["follows"])
    pq.write_table(follows.slice(0, 2), tmp_path / "f" / "part-0.parquet")
    pq.write_table(follows.slice(2), tmp_path / "f" / "part-1.parquet")
    r = run(files["db"], "--schema", files["schema"], "--nodes",
            f"Person={tmp_path / 'p.parquet'}", "--relationships", f"Follows={tmp_path / 'f'}",
            "--input-type", "parquet")
    assert r.code == 0, r.err
    assert _dump(files["db"]) == plain
    assert isinstance(pa.__version__, str)


def test_input_type_mismatch(run, files):
    r = run(files["db"], "--schema", files["schema"], "--nodes", f"Person={files['persons']}",
            "--input-type", "parquet")
    assert r.code != 0 and "--input-type parquet" in r.err


@pytest.mark.parametrize("compress", [gzip.compress,
                                      lambda b: zstandard.ZstdCompressor().compress(b)])
def test_stdin(run, files, plain, monkeypatch, compress):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(compress(PERSONS.encode()))))
    r = run(files["db"], "--schema", files["schema"], "--nodes", "Person=-",
            "--relationships", f"Follows={files['follows']}")
    assert r.code == 0, r.err
    assert _dump(files["db"]) == plain


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz", ".parquet"])
def test_export_and_import_again(run, files, tmp_path, plain, suffix):
    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    for table in ("Person", "Follows"):
        r = run("export", tmp_path / "plain", "--table", table, "--out",
                tmp_path / f"{table}{suffix}")
        assert r.code == 0, r.err
        assert "rows written" in r.out
    r = run(files["db"], "--schema", files["schema"], "--nodes",
            f"Person={tmp_path / ('Person' + suffix)}", "--relationships",
            f"Follows={tmp_path / ('Follows' + suffix)}")
    assert r.code == 0, r.err
    assert _dump(files["db"]) == plain


def test_export_query_and_errors(run, tmp_path, plain):
    out = tmp_path / "q.tsv"
    r = run("export", tmp_path / "plain", "--query",
            "MATCH (p:Person) WHERE p.age > 26 RETURN p.name, p.age ORDER BY p.age",
            "--out", out, "--delimiter", "tab")
    assert r.code == 0, r.err
    assert out.read_text() == "p.name\tp.age\nAlice\t30\nBob\t41\n"
    r = run("export", tmp_path / "plain", "--table", "Nope", "--out", out)
    assert r.code == 1 and "Nope" in r.err
