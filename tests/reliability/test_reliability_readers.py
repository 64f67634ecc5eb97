"""One writer, many readers. A second writer is refused at once with the holder's PID; the lock
vanishes with a killed holder; a read-only open made while a writer commits sees one whole
generation; a reader keeps the generation it opened even after the writer commits more."""

from __future__ import annotations

import os
import signal
import time

import pytest

import ruzu
from tests.reliability.relhelpers import content, serial_parsing_in_forked_child

PERSON = [("id", "INT64"), ("name", "STRING"), ("age", "INT64")]


def write(path, text: str) -> str:
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    return str(path)


def test_readers_during_commits_see_whole_generations(fast_tmp):
    """A child appends 30 batches of nodes (30 commits) while the parent keeps opening the
    database read-only: every open shows exactly one of the 31 committed states."""
    path = fast_tmp / "db"
    with ruzu.Database(path) as db:
        db.create_node_table("Person", PERSON, "id")
    batches = [write(fast_tmp / f"b{i}.csv", "id,name,age\n" + "".join(
        f"{k},name {k},{k % 7}\n" for k in range(i * 200, (i + 1) * 200))) for i in range(30)]
    ready_r, ready_w = os.pipe()
    go_r, go_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 3
        try:
            serial_parsing_in_forked_child()
            os.close(ready_r)
            os.close(go_w)
            db = ruzu.Database(path)
            os.write(ready_w, b"locked\n")
            os.read(go_r, 1)  # holds the lock until the parent was refused (EOF)
            for b in batches:
                db.import_nodes("Person", b)
            db.close()
            code = 0
        finally:
            os._exit(code)
    os.close(ready_w)
    os.close(go_r)
    assert os.read(ready_r, 16) == b"locked\n"
    os.close(ready_r)
    # the writer holds the lock and waits for us: a second writer is refused at once, naming
    # the holder (waiting for the lock would never end; this was a wall-clock bound, < 1 s,
    # before: flaky under load)
    try:
        with pytest.raises(ruzu.LockError, match=f"PID {pid}"):
            ruzu.Database(path)
    finally:
        os.close(go_w)  # the writer goes on
    seen = []
    problems = []
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        try:
            with ruzu.Database(path, read_only=True) as db:
                g = db.generation
                t = db.table("Person")
                ids = t.to_pylist("id")
                names = t.to_pylist("name")
                n = t.num_rows
        except Exception as e:  # noqa: BLE001
            problems.append(repr(e))
            continue
        batches_in = g - 1  # generation 1 created the table
        if ids != list(range(n)) or n != 200 * batches_in or names != [
                f"name {k}" for k in range(n)]:
            problems.append(f"generation {g}: {n} rows")
        seen.append(g)
        if done:
            break
    assert status == 0
    assert not problems, problems[:5]
    assert seen == sorted(seen) and seen[-1] == 31
    print(f"\nreaders saw {len(set(seen))} of 31 generations over {len(seen)} opens")


def test_reader_keeps_its_generation_after_the_writer_commits(fast_tmp):
    """(Found a bug, since fixed: the commit unlinked retired index/CSR files that an open
    reader's generation still named: FileNotFoundError.)"""
    path = fast_tmp / "db"
    writer = ruzu.Database(path)
    writer.create_node_table("Person", PERSON, "id")
    writer.create_rel_table("Follows", [("Person", "Person")], [("since", "INT64")])
    writer.import_nodes("Person", write(fast_tmp / "n.csv", "id,name,age\n3,c,3\n1,a,1\n2,b,\n"))
    writer.import_relationships("Follows", write(fast_tmp / "r.csv",
                                                 "from,to,since\n1,2,1\n2,3,2\n"))
    before = content(writer)
    reader = ruzu.Database(path, read_only=True)
    try:
        # unsorted keys again: a new hash index replaces the old; the CSR is rebuilt
        writer.import_nodes("Person", write(fast_tmp / "n2.csv", "id,name,age\n9,x,3\n7,y,1\n"))
        writer.import_relationships("Follows", write(fast_tmp / "r2.csv",
                                                     "from,to,since\n9,7,1\n"))
        assert reader.generation == before["generation"]
        assert content(reader) == before
    finally:
        reader.close()
        writer.close()


def test_lock_vanishes_with_a_killed_holder(fast_tmp):
    path = fast_tmp / "db"
    ruzu.Database(path).close()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            db = ruzu.Database(path)  # held until the kill
            os.write(w, b"x")
            time.sleep(60)
            db.close()
        finally:
            os._exit(3)
    try:
        os.close(w)
        assert os.read(r, 1) == b"x"
        os.close(r)
        with pytest.raises(ruzu.LockError, match=f"PID {pid}"):
            ruzu.Database(path)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    ruzu.Database(path).close()  # no stale lock
