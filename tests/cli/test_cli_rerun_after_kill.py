"""Issue 16, finding 2: "a re-run after SIGKILL fails with ``duplicate primary key 0 … already in
the table``". ruzu-import is killed after its node file committed, while it reads the
relationship file (a FIFO that never ends, so the moment is exact); the same command then
refuses the committed file by name instead of failing on its keys, and ``--skip-existing``
finishes the run."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import ruzu
from tests.cli.conftest import FOLLOWS, PERSONS, SCHEMA
from tests.conftest import write

ROOT = Path(__file__).resolve().parents[2]


def _cli(*argv, **kwargs):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "ruzu", *map(str, argv)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def counts(db_path) -> tuple[int | None, int | None]:
    """(Person rows, Follows relationships) committed; None for a table not there (yet)."""
    try:
        with ruzu.Database(db_path, read_only=True) as db:
            people = db.table("Person").num_rows if "Person" in db.catalog.node_tables else None
            rels = (db.rel_table("Follows").num_rels if "Follows" in db.catalog.rel_tables
                    else None)
            return people, rels
    except ruzu.RuzuError:  # not created yet
        return None, None


def test_rerun_after_sigkill_skips_the_committed_file(tmp_path):
    schema = write(tmp_path / "schema.cypher", SCHEMA)
    persons = write(tmp_path / "persons.csv", PERSONS)
    follows = write(tmp_path / "follows.csv", FOLLOWS)
    fifo = tmp_path / "follows.fifo"
    os.mkfifo(fifo)
    db = tmp_path / "db"
    argv = [db, "--schema", schema, "--nodes", f"Person={persons}"]
    proc = _cli(*argv, "--relationships", f"Follows={fifo}")
    deadline = time.monotonic() + 600
    while True:  # the write end opens once the importer opened the read end
        try:
            writer = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError as e:
            if e.errno != errno.ENXIO:
                raise
        assert proc.poll() is None, proc.communicate()  # (failed before opening it: no hang)
        assert time.monotonic() < deadline, "the importer never opened the FIFO"
        time.sleep(0.05)
    os.set_blocking(writer, True)
    try:
        os.write(writer, b"from,to,since\n1,2,2010\n")  # then the pipe stays open: no EOF
        while counts(db)[0] != 3:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the node file never committed"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=600)
    finally:
        os.close(writer)
    assert counts(db) == (3, 0)  # the node file stayed; the killed relationship file did not

    # the same command: the committed file is named, nothing is written (it was a duplicate
    # primary key error after the rows went in again)
    again = _cli(*argv, "--relationships", f"Follows={follows}")
    out, err = again.communicate(timeout=600)
    assert again.returncode == 1, (out, err)
    assert "already imported into Person" in err and "--skip-existing" in err, err
    assert "duplicate primary key" not in err
    assert counts(db) == (3, 0)
    done = _cli(*argv, "--relationships", f"Follows={follows}", "--skip-existing")
    out, err = done.communicate(timeout=600)
    assert done.returncode == 0, (out, err)
    assert counts(db) == (3, 4)
