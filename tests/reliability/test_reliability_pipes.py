"""Inputs readable only once — FIFOs, pipes, process substitution (issue 15, finding 5). They
are spooled as they are read (``ruzu/csv/once.py``), so every error and reject path works as
for a file: a duplicate key names both lines and shows its record, a missing endpoint or a
rejected value shows its record, ``--report-file`` writes the ``.bad.csv``, and COPY sniffs
the header and delimiter of a FIFO (the sample is replayed in front of the stream) — instead of
a KeyError, ``Record: ''``, "(not shown …)", a refusal or a hang."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest

import ruzu
from ruzu.cli import main
from ruzu.csv.once import in_scope, open_one_shot
from ruzu.errors import InputNotRereadableError
from tests.conftest import snapshot, write

TIMEOUT = 300  # a hang, not a slow first compile on a loaded machine


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


def pipe_of(text: str) -> tuple[str, subprocess.Popen]:
    """A real pipe from another process, named as bash's process substitution names it
    (``<(printf …)`` is ``/dev/fd/N``)."""
    proc = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdout.write(sys.argv[1])",
                             text], stdout=subprocess.PIPE)
    return f"/dev/fd/{proc.stdout.fileno()}", proc


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


def test_duplicate_key_from_a_fifo_names_both_lines_and_its_record(db, tmp_path):
    before = snapshot(db.path)
    path, _ = fifo_with(tmp_path, "dup.fifo", "id,name\n1,a\n2,b\n1,c\n")
    with pytest.raises(ruzu.DuplicateKeyError) as info:
        run_bounded(lambda: db.import_nodes("P", path))
    assert str(info.value) == (f"{path}:4:1 (id): duplicate primary key 1 in table P (first at "
                               "line 2, again at line 4). Record: '1,c'")
    assert info.value.line == 4 and info.value.record == "1,c"
    assert snapshot(db.path) == before
    assert not in_scope()  # the spool was dropped with the import


def test_duplicates_from_a_pipe_are_rejected_with_lines_and_records(db):
    path, proc = pipe_of("id,name\n1,a\n2,b\n1,c\n3,d\n2,e\n")
    result = run_bounded(lambda: db.import_nodes(
        "P", path, config=ruzu.CsvImportConfig(ignore_errors=True)))
    proc.wait()
    proc.stdout.close()
    assert result.rows_imported == 3
    assert [(r.line, r.record) for r in result.rejects] == [(4, "1,c"), (6, "2,e")]
    assert "first at line 2" in result.rejects[0].reason
    assert db.table("P").to_pylist("name") == ["a", "b", "d"]


def test_missing_endpoint_from_a_fifo_names_line_key_and_record(db, tmp_path):
    db.import_nodes("P", write(tmp_path / "p.csv", "id,name\n1,a\n2,b\n"))
    path, _ = fifo_with(tmp_path, "k.fifo", "from,to\n1,2\n2,9\n")
    with pytest.raises(ruzu.MissingEndpointError) as info:
        run_bounded(lambda: db.import_relationships("K", path))
    assert str(info.value) == (f"{path}:3:2 (to): TO key 9 not found in node table P. "
                               "Record: '2,9'")
    # ignore mode: the row is skipped and reported with its record, the rest imports
    path, _ = fifo_with(tmp_path, "k2.fifo", "from,to\n1,2\n2,9\n2,1\n")
    result = run_bounded(lambda: db.import_relationships(
        "K", path, config=ruzu.CsvImportConfig(ignore_errors=True)))
    assert result.rows_imported == 2
    assert [(r.line, r.record) for r in result.rejects] == [(3, "2,9")]


def test_missing_endpoints_resolved_after_the_parse_from_a_pipe(db, tmp_path, monkeypatch):
    """The spilled path (an index over the resolve budget) locates bad rows by parsing the
    input again after it was drained."""
    from ruzu.csv.config import Budgets

    keys = "".join(f"{i},n{i}\n" for i in range(200))
    db.import_nodes("P", write(tmp_path / "p.csv", "id,name\n" + keys))
    monkeypatch.setattr(ruzu.CsvImportConfig, "budgets", property(
        lambda self: Budgets(parse=1 << 20, index=64 * 64, resolve=16 * 50, csr=48 * 40)))
    rows = [f"{i},{(i * 7) % 200}\n" for i in range(100)]
    rows[60] = "60,5000\n"
    path, proc = pipe_of("from,to\n" + "".join(rows))
    result = run_bounded(lambda: db.import_relationships(
        "K", path, config=ruzu.CsvImportConfig(ignore_errors=True, batch_size=10)))
    proc.wait()
    proc.stdout.close()
    assert result.rows_imported == 99
    assert [(r.line, r.record) for r in result.rejects] == [(62, "60,5000")]


def test_rejected_list_value_from_a_fifo_shows_its_record(tmp_path):
    with ruzu.Database(tmp_path / "db") as db:
        db.create_node_table("L", [("id", "INT64"), ("xs", "INT64[]")], "id")
        path, _ = fifo_with(tmp_path, "l.fifo", 'id,xs\n1,"[1,2]"\n2,"[1,x]"\n3,[]\n')
        result = run_bounded(lambda: db.import_nodes(
            "L", path, config=ruzu.CsvImportConfig(ignore_errors=True)))
        assert result.rows_imported == 2
        assert [(r.line, r.record) for r in result.rejects] == [(3, '2,"[1,x]"')]


def test_copy_from_a_fifo_sniffs_header_and_delimiter(db, tmp_path):
    path, _ = fifo_with(tmp_path, "p.fifo", "id;name\n1;a\n2;b\n")
    run_bounded(lambda: db.execute(f"COPY P FROM '{path}'"))
    assert db.table("P").to_pylist("name") == ["a", "b"]


def test_report_file_with_a_fifo_writes_the_bad_csv(tmp_path, capsys):
    schema = write(tmp_path / "s.cypher",
                   "CREATE NODE TABLE P(id INT64, name STRING, PRIMARY KEY(id));\n")
    path, _ = fifo_with(tmp_path, "p.fifo", "id,name\n1,a\nx,b\n1,c\n2,d\n")
    report = tmp_path / "r.jsonl"
    code = run_bounded(lambda: main([str(tmp_path / "db"), "--schema", schema, "--nodes",
                                     f"P={path}", "--ignore-errors", "--report-file",
                                     str(report)]))
    assert code == 0, capsys.readouterr()
    lines = [json.loads(x) for x in report.read_text().splitlines()]
    assert [(r["line"], r["record"]) for r in lines] == [(3, "x,b"), (4, "1,c")]
    assert (tmp_path / "r.bad.csv").read_text() == "id,name\nx,b\n1,c\n"


def test_a_spooled_reader_replays_what_a_sniff_read(tmp_path):
    """The sniff's sample and the import's stream are one read of the FIFO."""
    from ruzu.csv.once import one_shot_scope

    text = "".join(f"{i},{i * i}\n" for i in range(50_000))
    path, _ = fifo_with(tmp_path, "big.fifo", text)

    def read_twice():
        with one_shot_scope():
            with open_one_shot(path) as f:
                head = f.read(1000)
            with open_one_shot(path) as f:
                whole = f.read()
            with open_one_shot(path) as f:
                f.seek(len(text) - 10)
                tail = f.read()
            return head, whole, tail

    head, whole, tail = run_bounded(read_twice)
    assert head == text[:1000].encode() and whole == text.encode()
    assert tail == text[-10:].encode()
    with pytest.raises(InputNotRereadableError):  # outside a scope: refused, not hung
        from ruzu.csv.rereadable import require_rereadable

        require_rereadable(path, "a test")
