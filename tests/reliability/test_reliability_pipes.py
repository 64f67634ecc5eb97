"""Inputs readable only once — FIFOs and pipes (issue 15, finding 5). Good data imports; a
duplicate key or a missing endpoint gives its typed error (key, line where it can be known,
no record re-read) instead of a KeyError, ``Record: ''`` or a hang; ``--report-file`` with
such an input is refused before anything is imported."""

from __future__ import annotations

import os
import threading

import pytest

import ruzu
from ruzu.cli import main
from ruzu.errors import InputNotRereadableError
from tests.conftest import snapshot, write

TIMEOUT = 60


def fifo_with(tmp_path, name: str, text: str) -> tuple[str, threading.Thread]:
    """A FIFO and a thread that writes ``text`` into it once a reader opens it."""
    path = str(tmp_path / name)
    os.mkfifo(path)

    def feed():
        with open(path, "w") as f:
            f.write(text)

    thread = threading.Thread(target=feed, daemon=True)
    thread.start()
    return path, thread


def run_bounded(fn):
    """fn() on a thread; fails the test (instead of hanging it) when it does not return."""
    box = {}

    def target():
        try:
            box["value"] = fn()
        except BaseException as e:  # noqa: BLE001
            box["error"] = e

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(TIMEOUT)
    assert not t.is_alive(), "the import hung on a FIFO"
    if "error" in box:
        raise box["error"]
    return box.get("value")


@pytest.fixture
def db(tmp_path):
    database = ruzu.Database(tmp_path / "db")
    database.create_node_table("P", [("id", "INT64"), ("name", "STRING")], "id")
    database.create_rel_table("K", [("P", "P")])
    yield database
    database.close()


def test_good_data_from_a_fifo_imports(db, tmp_path):
    path, _ = fifo_with(tmp_path, "p.fifo", "id,name\n1,a\n2,b\n")
    result = run_bounded(lambda: db.import_nodes("P", path))
    assert result.rows_imported == 2
    assert db.table("P").to_pylist("name") == ["a", "b"]


def test_duplicate_key_from_a_fifo_is_a_duplicate_key_error(db, tmp_path):
    before = snapshot(db.path)
    path, _ = fifo_with(tmp_path, "dup.fifo", "id,name\n1,a\n2,b\n1,c\n")
    with pytest.raises(ruzu.DuplicateKeyError, match="duplicate primary key 1 .*pipe or FIFO"):
        run_bounded(lambda: db.import_nodes("P", path))
    assert snapshot(db.path) == before


def test_missing_endpoint_from_a_fifo_names_line_and_key(db, tmp_path):
    db.import_nodes("P", write(tmp_path / "p.csv", "id,name\n1,a\n2,b\n"))
    path, _ = fifo_with(tmp_path, "k.fifo", "from,to\n1,2\n2,9\n")
    with pytest.raises(ruzu.MissingEndpointError) as info:
        run_bounded(lambda: db.import_relationships("K", path))
    message = str(info.value)
    assert f"{path}:3:2" in message and "key 9 not found" in message
    assert "Record: ''" not in message and "read only once" in message
    # ignore mode: the row is skipped and reported, the rest imports
    path, _ = fifo_with(tmp_path, "k2.fifo", "from,to\n1,2\n2,9\n2,1\n")
    result = run_bounded(lambda: db.import_relationships(
        "K", path, config=ruzu.CsvImportConfig(ignore_errors=True)))
    assert result.rows_imported == 2 and [r.line for r in result.rejects] == [3]


def test_report_file_with_a_fifo_is_refused_up_front(tmp_path, capsys):
    schema = write(tmp_path / "s.cypher",
                   "CREATE NODE TABLE P(id INT64, name STRING, PRIMARY KEY(id));\n")
    path = str(tmp_path / "p.fifo")
    os.mkfifo(path)
    code = run_bounded(lambda: main([str(tmp_path / "db"), "--schema", schema, "--nodes",
                                     f"P={path}", "--ignore-errors", "--report-file",
                                     str(tmp_path / "r.jsonl")]))
    err = capsys.readouterr().err
    assert code == 1
    assert "--report-file" in err and "read only once" in err
    assert len(err.strip().splitlines()) == 1
    assert isinstance(InputNotRereadableError("x"), ruzu.CsvError)
