"""Issue 16, "the first hour of a Kùzu or neo4j-admin user": per-file commits and reruns,
refusing a file imported twice, the default bad tolerance, the exit code when nothing was
imported, and the usage rules of the command line."""

from __future__ import annotations

import os

import pytest

import ruzu
from tests.cli.test_cli_errors import one_error_line, state
from tests.conftest import write


def counts(path):
    with ruzu.Database(path, read_only=True) as db:
        people = db.table("Person").num_rows if "Person" in db.catalog.node_tables else None
        rels = (db.rel_table("Follows").num_rels if "Follows" in db.catalog.rel_tables
                else None)
        return people, rels


@pytest.fixture
def argv(files):
    return [files["db"], "--schema", files["schema"], "--nodes", f"Person={files['persons']}",
            "--relationships", f"Follows={files['follows']}"]


def test_failing_relationship_file_keeps_the_committed_node_file(run, files, argv, tmp_path):
    bad = write(tmp_path / "follows.csv", "from,to,since\n1,2,2010\n2,3,x\n")
    argv = argv[:-1] + [f"Follows={bad}"]
    r = run(*argv)
    assert r.code == 1
    assert "bad.csv" not in r.err and f"{bad}:3:3 (since)" in one_error_line(r.err)
    assert "kept: Person" in r.out
    assert "dropped the empty tables this run created (Follows)" in r.out
    assert counts(files["db"]) == (3, None)
    with ruzu.Database(files["db"], read_only=True) as db:
        (rec,) = db.imports
    assert rec["table"] == "Person" and rec["kind"] == "nodes"
    assert rec["path"] == os.path.abspath(files["persons"]) and rec["rows_imported"] == 3
    assert rec["size"] == os.path.getsize(files["persons"]) and rec["complete"]
    # The same command without --skip-existing is refused before anything is written.
    before = state(files["db"])
    r = run(*argv)
    assert r.code == 1
    assert "already imported into Person" in one_error_line(r.err)
    assert "--skip-existing" in r.err
    assert state(files["db"]) == before
    write(bad, "from,to,since\n1,2,2010\n2,3,2011\n")  # fixed
    r = run(*argv, "--skip-existing")
    assert r.code == 0, r.err
    assert counts(files["db"]) == (3, 2)


def test_relationship_file_is_not_imported_twice(run, files, argv):
    assert run(*argv).code == 0
    before = state(files["db"])
    r = run(files["db"], "--relationships", f"Follows={files['follows']}")
    assert r.code == 1
    line = one_error_line(r.err)
    assert "already imported into Follows" in line and "edges would be added a second" in line
    assert state(files["db"]) == before
    r = run(*argv, "--skip-existing")
    assert r.code == 0, r.err
    assert r.out.count("skipped:") == 2
    assert state(files["db"]) == before
    r = run(files["db"], "--relationships", f"Follows={files['follows']}", "--reimport")
    assert r.code == 0, r.err
    assert counts(files["db"]) == (3, 8)  # asked for: the edges twice


def test_a_changed_file_is_a_new_file(run, files, argv):
    assert run(*argv).code == 0
    write(files["follows"], "from,to,since\n3,2,2020\n")
    r = run(files["db"], "--relationships", f"Follows={files['follows']}")
    assert r.code == 0, r.err
    assert counts(files["db"]) == (3, 5)
    with ruzu.Database(files["db"], read_only=True) as db:
        assert [r["table"] for r in db.imports] == ["Person", "Follows", "Follows"]
        db_imports = db.imports
    with ruzu.Database(files["db"]) as db:
        db.drop_table("Follows")
        assert [r["table"] for r in db.imports] == ["Person"]
    assert len(db_imports) == 3


def test_default_bad_tolerance_is_1000(run, files, tmp_path):
    rows = "".join(f"{i},{i + 10_000},1\n" for i in range(1, 1002))  # 1,001 TO keys missing
    rows += "".join(f"{i},{i + 1},1\n" for i in range(1, 6))
    persons = write(tmp_path / "p.csv", "id,name,age\n" + "".join(
        f"{i},P{i},1\n" for i in range(1, 1003)))
    follows = write(tmp_path / "f.csv", "from,to,since\n" + rows)
    r = run(files["db"], "--schema", files["schema"], "--nodes", f"Person={persons}",
            "--relationships", f"Follows={follows}", "--skip-bad-relationships")
    assert r.code == 1
    assert "more than 1000 bad rows" in one_error_line(r.err)
    r = run(files["db"], "--schema", files["schema"], "--nodes", f"Person={persons}",
            "--relationships", f"Follows={follows}", "--skip-bad-relationships",
            "--bad-tolerance", "unlimited", "--skip-existing")
    assert r.code == 0, r.err
    assert counts(files["db"]) == (1002, 5)


def test_nothing_imported_exits_1(run, files, tmp_path):
    bad = write(tmp_path / "p.csv", "id,name,age\n1,A,x\n2,B,y\n")
    r = run(files["db"], "--schema", files["schema"], "--nodes", f"Person={bad}",
            "--ignore-errors")
    assert r.code == 1
    assert one_error_line(r.err) == ("error: nothing was imported: all 2 rows read were "
                                     "skipped (see the summary above, --report-file lists "
                                     "them)")
    assert "2 rows read = 0 imported + 2 skipped" in r.out


def test_no_peak_memory_when_nothing_was_read(run, files):
    r = run(files["db"], "--schema", files["schema"])
    assert r.code == 0, r.err
    assert "peak memory" not in r.out and "done: 0 file(s)" in r.out


@pytest.mark.parametrize("value", ["0", "-5", "x", "10000001"])
def test_batch_size_has_one_rule(run, value, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = run("db", "--schema", "s.cypher", "--batch-size", value)
    assert r.code == 2
    assert "argument --batch-size: must be a whole number of at least 1" in r.err
    assert not os.path.exists(tmp_path / "db")


@pytest.mark.parametrize("prefix", ["--node", "--relationship", "--skip-dup"])
def test_no_prefix_matching(run, prefix, files):
    r = run(files["db"], "--schema", files["schema"], prefix, f"Person={files['persons']}")
    assert r.code == 2
    assert f"unrecognized arguments: {prefix}" in r.err
    assert not os.path.exists(files["db"])


def test_overwrite_replaces_a_database(run, files, argv):
    assert run(*argv).code == 0
    r = run(*argv, "--overwrite")
    assert r.code == 0, r.err
    assert "overwrite: removed the database" in r.out
    assert counts(files["db"]) == (3, 4)


def test_overwrite_refuses_what_is_not_a_database(run, files, argv):
    os.makedirs(files["db"])
    write(os.path.join(files["db"], "notes.txt"), "mine")
    r = run(*argv, "--overwrite")
    assert r.code == 1
    assert "is not a ruzu database; --overwrite only replaces one" in one_error_line(r.err)
    assert os.listdir(files["db"]) == ["notes.txt"]


def test_read_only_open_of_a_missing_database(tmp_path):
    with pytest.raises(ruzu.DatabaseNotFoundError, match="does not exist"):
        ruzu.Database(tmp_path / "nope", read_only=True)
    with pytest.raises(FileNotFoundError):  # the standard library's class too
        ruzu.Database(tmp_path / "nope", read_only=True)


# ------------------------------------------------------------------ messages (issue 16, item 7)
NODE_SCHEMA = "CREATE NODE TABLE P(id INT64, name STRING, PRIMARY KEY (id));\n"


def test_semicolon_file_gets_a_delimiter_hint(run, tmp_path):
    schema = write(tmp_path / "s.cypher", NODE_SCHEMA)
    semi = write(tmp_path / "semi.csv", "id;name\n1;a\n")
    # The default (--delimiter auto) sniffs it; a delimiter given by hand that does not split
    # the header gets the hint.
    r = run(tmp_path / "db", "--schema", schema, "--nodes", f"P={semi}", "--delimiter", ",")
    assert r.code == 1
    line = one_error_line(r.err)
    assert "header ['id;name'] does not match" in line
    assert "the header looks ';'-separated: pass --delimiter ';'" in line
    r = run(tmp_path / "db", "--schema", schema, "--nodes", f"P={semi}")
    assert r.code == 0, r.err
    with ruzu.Database(tmp_path / "db", read_only=True) as db:
        assert db.table("P").num_rows == 1


def test_no_header_on_a_file_with_a_header_says_so(run, tmp_path):
    schema = write(tmp_path / "s.cypher", NODE_SCHEMA)
    csv = write(tmp_path / "p.csv", "id,name\n1,a\n")
    r = run(tmp_path / "db", "--schema", schema, "--nodes", f"P={csv}", "--no-header")
    assert r.code == 1
    assert one_error_line(r.err) == (
        f"error: {csv}:1:1 (id): invalid integer (line 1 looks like a header: the import was "
        "told there is none, e.g. --no-header or HEADER=false). Record: 'id,name'")
    bad = write(tmp_path / "q.csv", "x,name\n1,a\n")  # an ordinary bad first row: no hint
    r = run(tmp_path / "db", "--schema", schema, "--nodes", f"P={bad}", "--no-header")
    assert "looks like a header" not in r.err


def test_unknown_type_has_a_position_and_a_suggestion(run, tmp_path):
    schema = write(tmp_path / "s.cypher", "\nCREATE NODE TABLE P(id INT64,\n  name STRNG, "
                                          "PRIMARY KEY (id));\n")
    r = run(tmp_path / "db", "--schema", schema)
    assert r.code == 1
    assert one_error_line(r.err) == (f"error: {schema}:3:8: unknown type 'STRNG' (did you "
                                     "mean STRING?)")
    with pytest.raises(ruzu.CatalogError, match=r"unknown type 'INT46' \(did you mean INT64"):
        ruzu.LogicalType.parse("INT46")
    with pytest.raises(ruzu.CatalogError, match=r"^unknown type 'QWERTY'$"):
        ruzu.LogicalType.parse("QWERTY")


def test_missing_semicolon_in_a_schema(run, tmp_path):
    schema = write(tmp_path / "s.cypher", "CREATE NODE TABLE A(id INT64, PRIMARY KEY (id))\n"
                                          "CREATE NODE TABLE B(id INT64, PRIMARY KEY (id));\n")
    r = run(tmp_path / "db", "--schema", schema)
    assert r.code == 1
    line = one_error_line(r.err)
    assert line.startswith(f"error: {schema}:2:1: syntax error: unexpected 'CREATE'")
    assert line.endswith("(is the ';' that ends the statement before it missing?)")


def test_summary_groups_reasons_with_balanced_parentheses(run, tmp_path):
    schema = write(tmp_path / "s.cypher", "CREATE NODE TABLE T(id INT64, t TIMESTAMP, "
                                          "d DATE, PRIMARY KEY (id));\n")
    csv = write(tmp_path / "t.csv", "id,t,d\n1,2020-01-01,2020-01-01\n2,noon,2020-01-01\n"
                                   "3,2020-01-01,never\n")
    r = run(tmp_path / "db", "--schema", schema, "--nodes", f"T={csv}", "--ignore-errors")
    assert r.code == 0, r.err
    (summary,) = [x for x in r.out.splitlines() if x.startswith("T ← ")]
    assert "1 invalid timestamp (expected YYYY-MM-DD[ T]HH:MM[:SS[.f]][Z|+HH:MM])" in summary
    depth = 0
    for ch in summary:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        assert depth >= 0, summary
    assert depth == 0, summary
