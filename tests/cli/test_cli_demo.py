"""Demo mode and the sample-graph generator."""

from __future__ import annotations

import csv
import os

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ruzu
from ruzu import demo
from ruzu.testing import graphs


def test_demo_small(run, tmp_path):
    db, data = tmp_path / "demo-db", tmp_path / "data"
    r = run("demo", db, "--persons", "2000", "--out", data, "--quiet")
    assert r.code == 0, r.err
    assert r.err == ""
    assert "generating 2,000 persons and 6,000 follows" in r.out
    assert "importing: ruzu-import" in r.out
    assert "Person: 2,000 nodes (id, name, age); Follows: 6,000 relationships" in r.out
    assert "most followed:" in r.out
    assert sorted(os.listdir(data)) == ["follows.csv", "persons.csv", "schema.cypher"]
    with ruzu.Database(db, read_only=True) as d:
        people = d.table("Person")
        assert people.num_rows == 2000
        assert np.array_equal(np.asarray(people.column("id")), np.arange(2000))
        follows = d.rel_table("Follows")
        assert follows.num_rels == 6000
        assert follows.degrees("fwd").sum() == 6000

    # Running it again needs --overwrite; a foreign directory is never replaced.
    r = run("demo", db, "--persons", "2000", "--out", data)
    assert r.code == 1
    assert r.err == f"error: {db} already exists; pass --overwrite to replace it\n"
    r = run("demo", db, "--persons", "1000", "--follows", "10", "--out", data, "--overwrite")
    assert r.code == 0, r.err
    with ruzu.Database(db, read_only=True) as d:
        assert d.table("Person").num_rows == 1000
        assert d.rel_table("Follows").num_rels == 10
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("x")
    r = run("demo", foreign, "--persons", "10", "--overwrite")
    assert r.code == 1 and "not a ruzu database" in r.err
    assert (foreign / "keep.txt").exists()


def test_demo_default_paths(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = run("demo", "--persons", "50")
    assert r.code == 0, r.err
    assert sorted(os.listdir(tmp_path)) == ["demo-data", "demo-db"]
    (tmp_path / "sub").mkdir()
    r = run("demo", tmp_path / "sub" / "db", "--persons", "50")
    assert r.code == 0, r.err
    assert sorted(os.listdir(tmp_path / "sub")) == ["db", "demo-data"]


def test_generated_files_are_valid_csv(tmp_path):
    files = demo.generate(tmp_path, persons=3000, follows=7000, seed=3)
    with open(files.persons, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["id", "name", "age"]
    assert [int(r[0]) for r in rows[1:]] == list(range(3000))
    assert all(18 <= int(r[2]) < 90 and " " in r[1] for r in rows[1:])
    with open(files.follows, newline="") as f:
        rels = list(csv.reader(f))
    assert rels[0] == ["from", "to", "since"] and len(rels) == 7001
    assert all(0 <= int(a) < 3000 and 0 <= int(b) < 3000 and a != b for a, b, _ in rels[1:])
    assert files.bytes_written == os.path.getsize(files.persons) + os.path.getsize(files.follows)
    again = demo.generate(tmp_path / "again", persons=3000, follows=7000, seed=3)
    with open(again.follows, "rb") as a, open(files.follows, "rb") as b:
        assert a.read() == b.read()  # deterministic for a seed


def test_chunks_cover_every_row(tmp_path):
    graphs.write_persons(tmp_path / "p.csv", 2500, chunk_rows=1000)
    graphs.write_follows(tmp_path / "f.csv", 10, 2500, chunk_rows=999)
    for name in ("p.csv", "f.csv"):
        with open(tmp_path / name, newline="") as f:
            assert len(list(csv.reader(f))) == 2501


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)  # a loaded CI machine
@given(st.lists(st.tuples(st.integers(0, 2**62), st.binary(max_size=8).filter(
    lambda b: not any(c in b for c in b'\0,"\n\r'))), min_size=1, max_size=50))
def test_format_rows_matches_naive(rows):
    ints = np.array([a for a, _ in rows], np.int64)
    width = max(1, max(len(b) for _, b in rows))
    strings = np.array([b for _, b in rows], dtype=f"S{width}")
    expected = b"".join(b"%d,%s,%d\n" % (a, b, a) for a, b in rows)
    assert graphs.format_rows([ints, strings, ints]) == expected
