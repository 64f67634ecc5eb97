"""Errors: one ``error: …`` line on stderr, exit code 1 (2 for usage errors), and the database
exactly as it was before (same generation, same files)."""

from __future__ import annotations

import os

import pytest

import ruzu
from tests.conftest import snapshot, write


@pytest.fixture
def loaded(run, files):
    """A database that already holds Person (3 rows) and Follows (4 rels)."""
    r = run(files["db"], "--schema", files["schema"], "--nodes", f"Person={files['persons']}",
            "--relationships", f"Follows={files['follows']}")
    assert r.code == 0, r.err
    return files


def state(path):
    with ruzu.Database(path, read_only=True) as db:
        return db.generation, snapshot(path)


def one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    return lines[0]


def test_missing_file(run, loaded, tmp_path):
    before = state(loaded["db"])
    missing = tmp_path / "nope.csv"
    r = run(loaded["db"], "--nodes", f"Person={missing}")
    assert r.code == 1
    assert one_error_line(r.err) == f"error: {missing}: file not found"
    assert state(loaded["db"]) == before


def test_missing_file_checked_before_any_import(run, loaded, tmp_path):
    before = state(loaded["db"])
    good = write(tmp_path / "good.csv", "id,name,age\n50,X,1\n")
    r = run(loaded["db"], "--nodes", f"Person={good}", "--relationships",
            f"Follows={tmp_path / 'missing.csv'}")
    assert r.code == 1
    assert "missing.csv: file not found" in one_error_line(r.err)
    assert state(loaded["db"]) == before


def test_bad_row_names_path_and_line(run, loaded, tmp_path):
    before = state(loaded["db"])
    bad = write(tmp_path / "bad.csv", "id,name,age\n10,A,1\n11,B,old\n12,C,3\n")
    r = run(loaded["db"], "--nodes", f"Person={bad}")
    assert r.code == 1
    line = one_error_line(r.err)
    assert line.startswith(f"error: {bad}:3:3 (age): invalid integer")
    assert "11,B,old" in line
    assert state(loaded["db"]) == before
    with ruzu.Database(loaded["db"], read_only=True) as db:
        assert db.table("Person").to_pylist("id") == [1, 2, 3]


def test_duplicate_key(run, loaded, tmp_path):
    before = state(loaded["db"])
    dup = write(tmp_path / "dup.csv", "id,name,age\n20,A,1\n2,B,2\n")
    r = run(loaded["db"], "--nodes", f"Person={dup}")
    assert r.code == 1
    assert "duplicate primary key" in one_error_line(r.err)
    assert f"{dup}:3" in r.err
    assert state(loaded["db"]) == before


def test_missing_endpoint(run, loaded, tmp_path):
    before = state(loaded["db"])
    rels = write(tmp_path / "rels.csv", "from,to,since\n1,2,1\n1,404,2\n")
    r = run(loaded["db"], "--relationships", f"Follows={rels}")
    assert r.code == 1
    line = one_error_line(r.err)
    assert f"{rels}:3" in line and "404" in line
    assert state(loaded["db"]) == before


def test_bad_tolerance_exceeded(run, loaded, tmp_path):
    before = state(loaded["db"])
    bad = write(tmp_path / "bad.csv", "id,name,age\n30,A,x\n31,B,y\n32,C,3\n")
    r = run(loaded["db"], "--nodes", f"Person={bad}", "--bad-tolerance", "1")
    assert r.code == 1
    assert "bad_tolerance" in one_error_line(r.err)
    assert state(loaded["db"]) == before
    r = run(loaded["db"], "--nodes", f"Person={bad}", "--bad-tolerance", "2")
    assert r.code == 0, r.err
    assert "3 rows read = 1 imported + 2 skipped" in r.out


def test_header_mismatch(run, loaded, tmp_path):
    before = state(loaded["db"])
    bad = write(tmp_path / "bad.csv", "id,nom,age\n40,A,1\n")
    r = run(loaded["db"], "--nodes", f"Person={bad}")
    assert r.code == 1
    assert f"error: {bad}:1: header" in one_error_line(r.err)
    assert state(loaded["db"]) == before


@pytest.mark.parametrize(("spec", "message"), [
    ("--nodes", "node table Nobody does not exist (tables: Person, Follows)"),
    ("--relationships", "rel table Nobody does not exist"),
])
def test_unknown_table(run, loaded, spec, message):
    before = state(loaded["db"])
    r = run(loaded["db"], spec, f"Nobody={loaded['persons']}")
    assert r.code == 1
    assert message in one_error_line(r.err)
    assert state(loaded["db"]) == before


def test_wrong_kind_of_table(run, loaded):
    r = run(loaded["db"], "--nodes", f"Follows={loaded['follows']}")
    assert r.code == 1
    assert "use --relationships" in one_error_line(r.err)
    r = run(loaded["db"], "--relationships", f"Person={loaded['persons']}")
    assert "use --nodes" in one_error_line(r.err)


def test_ambiguous_rel_pair(run, tmp_path):
    schema = write(tmp_path / "s.cypher", """
        CREATE NODE TABLE User(id INT64, PRIMARY KEY(id));
        CREATE NODE TABLE Post(id INT64, PRIMARY KEY(id));
        CREATE REL TABLE Likes(FROM User TO Post, FROM User TO User);""")
    likes = write(tmp_path / "likes.csv", "from,to\n1,1\n")
    db = tmp_path / "db"
    assert run(db, "--schema", schema).code == 0
    before = state(db)
    r = run(db, "--relationships", f"Likes={likes}")
    assert r.code == 1
    assert f"--relationships Likes:User:Post={likes}" in one_error_line(r.err)
    r = run(db, "--relationships", f"Likes:Post:User={likes}")
    assert "has no FROM Post TO User pair" in one_error_line(r.err)
    assert state(db) == before


def test_failed_run_drops_the_tables_it_created(run, files, tmp_path):
    os.makedirs(files["db"])
    with ruzu.Database(files["db"]) as db:
        db.create_node_table("Other", [("k", "INT64")], "k")
    before = snapshot(files["db"])
    bad = write(tmp_path / "bad.csv", "id,name,age\n1,A,x\n")
    argv = [files["db"], "--schema", files["schema"], "--nodes", f"Person={bad}"]
    r = run(*argv)
    assert r.code == 1
    assert "rolled back" in r.out
    with ruzu.Database(files["db"], read_only=True) as db:
        assert set(db.catalog.node_tables) == {"Other"} and not db.catalog.rel_tables
    assert set(snapshot(files["db"])) - {"manifest.json"} == set(before) - {"manifest.json"}
    write(bad, "id,name,age\n1,A,1\n")  # fixed: the same command now simply works
    r = run(*argv)
    assert r.code == 0, r.err


def test_failed_run_removes_the_database_it_created(run, files, tmp_path):
    bad = write(tmp_path / "bad.csv", "id,name,age\n1,A,x\n")
    r = run(files["db"], "--schema", files["schema"], "--nodes", f"Person={bad}")
    assert r.code == 1
    assert not os.path.exists(files["db"])


def test_committed_files_are_reported_when_a_later_one_fails(run, loaded, tmp_path):
    good = write(tmp_path / "good.csv", "id,name,age\n50,X,1\n")
    bad = write(tmp_path / "bad.csv", "id,name,age\n51,Y,z\n")
    r = run(loaded["db"], "--nodes", f"Person={good},{bad}")
    assert r.code == 1
    assert one_error_line(r.err).startswith(f"error: {bad}:2:3 (age)")
    assert f"kept: Person ← {good} (1 row) was committed before the error" in r.out
    with ruzu.Database(loaded["db"], read_only=True) as db:
        assert db.table("Person").to_pylist("id") == [1, 2, 3, 50]


def test_locked_database(run, loaded):
    with ruzu.Database(loaded["db"]):
        r = run(loaded["db"], "--nodes", f"Person={loaded['persons']}")
    assert r.code == 1
    assert "is locked for writing" in one_error_line(r.err)


def test_not_a_database(run, files, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    write(other / "notes.txt", "mine")
    r = run(other, "--schema", files["schema"])
    assert r.code == 1
    assert "not a ruzu database" in one_error_line(r.err)
    assert "notes.txt" in os.listdir(other)
    assert set(os.listdir(other)) <= {"notes.txt", ".lock"}  # left alone (the lock is empty)


@pytest.mark.parametrize(("text", "message"), [
    ("CREATE NODE TABLE P(id INT64);", "s.cypher:2:29: syntax error: node table P needs a "
                                       "PRIMARY KEY"),
    ("CREATE NODE TABLE P(id WIBBLE, PRIMARY KEY(id));", "s.cypher:2:24: unknown type 'WIBBLE'"),
    ("MATCH (n) RETURN n;", "s.cypher:2: expected CREATE NODE TABLE or CREATE REL TABLE"),
    ("CREATE REL TABLE R(FROM A TO B);", "s.cypher:2: rel table R: node table A does not exist"),
])
def test_bad_schema(run, files, tmp_path, text, message):
    schema = write(tmp_path / "s.cypher", "// a comment\n" + text)
    r = run(files["db"], "--schema", schema)
    assert r.code == 1
    assert message in one_error_line(r.err)
    assert not os.path.exists(files["db"])


def test_missing_schema_file(run, files, tmp_path):
    r = run(files["db"], "--schema", tmp_path / "nope.cypher")
    assert r.code == 1
    assert "nope.cypher: schema file not found" in one_error_line(r.err)
    assert not os.path.exists(files["db"])


@pytest.mark.parametrize("argv", [
    [],
    ["db"],
    ["db", "--nodes", "Person="],
    ["db", "--nodes", "Person:A:B=x.csv"],
    ["db", "--max-memory", "10M"],
    ["db", "--max-memory", "lots"],
    ["db", "--batch-size", "0"],
    ["db", "--delimiter", "ab"],
    ["db", "--bad-tolerance", "-1"],
    ["db", "--no-such-option"],
])
def test_usage_errors_exit_2(run, argv, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = run(*argv)
    assert r.code == 2
    assert "usage: ruzu-import" in r.err
    assert not os.path.exists(tmp_path / "db")


def test_config_error_is_one_line(run, files):
    r = run(files["db"], "--schema", files["schema"], "--delimiter", '"')
    assert r.code == 1
    assert one_error_line(r.err) == "error: delimiter and quote must differ"


def test_interrupt_rolls_back_and_exits_130(run, files, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(ruzu.Database, "import_nodes", interrupted)
    r = run(files["db"], "--schema", files["schema"], "--nodes", f"Person={files['persons']}",
            "--relationships", f"Follows={files['follows']}")
    assert r.code == 130
    assert one_error_line(r.err).startswith("error: interrupted")
    assert not os.path.exists(files["db"])  # it created the database, so it removed it


def test_interrupt_keeps_the_files_committed_before_it(run, files, monkeypatch):
    """Each file is its own transaction (issue 16: Person used to be dropped with Follows)."""
    real = ruzu.Database.import_relationships

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(ruzu.Database, "import_relationships", interrupted)
    argv = [files["db"], "--schema", files["schema"], "--nodes", f"Person={files['persons']}",
            "--relationships", f"Follows={files['follows']}"]
    r = run(*argv)
    assert r.code == 130
    assert one_error_line(r.err).startswith("error: interrupted")
    assert "kept: Person" in r.out and "--skip-existing" in r.out
    with ruzu.Database(files["db"], read_only=True) as db:
        assert db.table("Person").num_rows == 3
        assert "Follows" not in db.catalog.rel_tables  # created empty by this run: dropped
    monkeypatch.setattr(ruzu.Database, "import_relationships", real)
    r = run(*argv, "--skip-existing")
    assert r.code == 0, r.err
    assert "skipped: Person" in r.out
    with ruzu.Database(files["db"], read_only=True) as db:
        assert db.table("Person").num_rows == 3
        assert db.rel_table("Follows").num_rels == 4


def test_partial_keeps_the_tables_it_created(run, files, tmp_path):
    bad = write(tmp_path / "bad.csv", "id,name,age\n1,A,1\n2,B,x\n")
    r = run(files["db"], "--schema", files["schema"], "--nodes", f"Person={bad}", "--partial",
            "--batch-size", "1")
    assert r.code == 1
    line = one_error_line(r.err)
    assert f"{bad}:3:3 (age)" in line
    if "import stopped" in line:  # the loader supports partial imports
        assert line.endswith(f"resume with --nodes Person={bad} --skip-rows 1")
        with ruzu.Database(files["db"], read_only=True) as db:
            assert db.table("Person").to_pylist("id") == [1]
    with ruzu.Database(files["db"], read_only=True) as db:
        assert set(db.catalog.node_tables) == {"Person"}
