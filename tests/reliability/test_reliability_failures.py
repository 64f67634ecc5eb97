"""Failed imports leave no trace: the same failing import run again and again (bad rows, too many
rejects, duplicate keys, missing endpoints, an injected I/O error, an interrupt, a full disk)
leaves the database directory byte-identical and the generation unchanged, and the database
keeps working afterwards."""

from __future__ import annotations

import errno
import os
import resource
import signal

import pytest

import ruzu
from tests.reliability.relhelpers import (
    InjectedFault,
    OpCounter,
    content,
    hooked,
    leftovers,
    serial_parsing_in_forked_child,
    snapshot,
)

PERSON = [("id", "INT64"), ("name", "STRING"), ("age", "INT64")]
REPEAT = 4


def write(path, text: str) -> str:
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    return str(path)


@pytest.fixture
def loaded(fast_tmp):
    """A database with nodes (hash index: unsorted keys) and relationships already in it."""
    path = fast_tmp / "db"
    with ruzu.Database(path) as db:
        db.create_node_table("Person", PERSON, "id")
        db.create_rel_table("Follows", [("Person", "Person")], [("since", "INT64")])
        db.import_nodes("Person", write(fast_tmp / "n.csv", "id,name,age\n" + "".join(
            f"{i},n{i},{i}\n" for i in (5, 1, 4, 2, 3))))
        db.import_relationships("Follows", write(fast_tmp / "r.csv",
                                                 "from,to,since\n1,2,1\n2,3,2\n5,1,3\n"))
    return path


def many_rows(n: int, bad_at: int | None = None) -> str:
    rows = [f"{i},name{i},{i % 90}\n" for i in range(100, 100 + n)]
    if bad_at is not None:
        rows[bad_at] = f"{100 + bad_at},x,not-a-number\n"
    return "id,name,age\n" + "".join(rows)


def failing_imports(tmp):
    """(label, callable(db), expected exception type) — each fails part-way through."""
    bad_late = write(tmp / "bad_late.csv", many_rows(3000, bad_at=2900))
    dup_old = write(tmp / "dup_old.csv", many_rows(2000) + "4,again,4\n")
    dup_new = write(tmp / "dup_new.csv", many_rows(2000) + "150,again,4\n")
    tol = write(tmp / "tol.csv", many_rows(500, bad_at=10).replace(",7\n", ",x7\n"))
    missing = write(tmp / "missing.csv", "from,to,since\n" + "1,2,5\n" * 500 + "1,99,6\n")
    good = write(tmp / "good.csv", many_rows(3000))
    small = ruzu.CsvImportConfig(batch_size=100)

    def interrupt(db):
        def stop(p):
            if p.rows >= 1000:
                raise KeyboardInterrupt

        cfg = ruzu.CsvImportConfig(batch_size=100)
        db.import_nodes("Person", good, config=cfg, progress=stop)

    def io_error(db):
        def fail(op, k):
            raise InjectedFault(errno.EIO, f"injected at {k} ({op})")

        with hooked(OpCounter(at=25, action=fail)):
            db.import_nodes("Person", good, config=small)

    return [
        ("bad row near the end", lambda db: db.import_nodes("Person", bad_late, config=small),
         ruzu.CsvError),
        ("duplicate of an existing key",
         lambda db: db.import_nodes("Person", dup_old, config=small), ruzu.DuplicateKeyError),
        ("duplicate within the file",
         lambda db: db.import_nodes("Person", dup_new, config=small), ruzu.DuplicateKeyError),
        ("too many rejects", lambda db: db.import_nodes(
            "Person", tol, config=ruzu.CsvImportConfig(ignore_errors=True, bad_tolerance=3,
                                                       batch_size=50)),
         ruzu.TooManyErrorsError),
        ("missing endpoint", lambda db: db.import_relationships("Follows", missing, config=small),
         ruzu.MissingEndpointError),
        ("KeyboardInterrupt from the progress callback", interrupt, KeyboardInterrupt),
        ("injected I/O error", io_error, ruzu.StorageError),  # caused by the InjectedFault
    ]


def test_repeated_failing_imports_leave_the_directory_byte_identical(loaded, fast_tmp):
    before = snapshot(loaded)
    with ruzu.Database(loaded) as db:
        state = content(db)
        for label, run, exc in failing_imports(fast_tmp):
            for attempt in range(REPEAT):
                with pytest.raises(exc):
                    run(db)
                assert snapshot(loaded) == before, f"{label}, attempt {attempt + 1}"
                assert db.generation == state["generation"], label
        assert content(db) == state
    with ruzu.Database(loaded) as db:  # a reopen changes nothing either
        assert snapshot(loaded) == before
        assert content(db) == state
        # and the database still takes a good import
        r = db.import_nodes("Person", write(fast_tmp / "ok.csv", many_rows(100)))
        assert r.rows_imported == 100
        assert db.table("Person").num_rows == 105


def test_failing_imports_with_reopen_in_between(loaded, fast_tmp):
    before = snapshot(loaded)
    for label, run, exc in failing_imports(fast_tmp):
        for _ in range(2):
            with ruzu.Database(loaded) as db:
                with pytest.raises(exc):
                    run(db)
            assert snapshot(loaded) == before, label
            assert not leftovers(loaded), label


# ------------------------------------------------------------------------------------------
# Disk full: a child process whose file-size limit (RLIMIT_FSIZE) stops the column writes
# ------------------------------------------------------------------------------------------
def _child(fn) -> int:
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            code = fn()
        except BaseException:  # noqa: BLE001
            code = 71
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status), f"child died: wait status {status}"
    return os.WEXITSTATUS(status)


@pytest.mark.parametrize("limit_kb", [16, 200])
def test_disk_full_gives_a_clean_error_and_an_unchanged_database(loaded, fast_tmp, limit_kb):
    big = write(fast_tmp / "big.csv", many_rows(60_000))
    before = snapshot(loaded)

    def run() -> int:
        serial_parsing_in_forked_child()
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a signal
        db = ruzu.Database(loaded)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_kb << 10, limit_kb << 10))
        try:
            db.import_nodes("Person", big)
        except OSError as e:
            return 10 if e.errno in (errno.EFBIG, errno.ENOSPC) else 11
        except ruzu.RuzuError:
            return 12
        return 0

    code = _child(run)
    assert code == 10, f"child exit code {code} (10: a clean EFBIG/ENOSPC OSError)"
    assert snapshot(loaded) == before
    with ruzu.Database(loaded) as db:
        assert not leftovers(loaded)
        assert db.table("Person").num_rows == 5
        assert db.import_nodes("Person", big).rows_imported == 60_000


def test_forked_child_can_import(loaded, fast_tmp):
    """A process that has imported — even with the block-parallel parser — can fork workers
    that import with the default configuration (multiprocessing forks on Linux). (Found a
    bug, since fixed by making the serial parser the default: after a parallel parse, numba's
    GNU OpenMP layer terminated every forked child that parsed in parallel, as all did.)"""
    rows = write(fast_tmp / "rows.csv", many_rows(300_000))  # several batches
    with ruzu.Database(loaded) as db:  # the parent parses in parallel (OpenMP starts)
        db.import_nodes("Person", rows, config=ruzu.CsvImportConfig(threads=2))

    def run() -> int:
        with ruzu.Database(fast_tmp / "child") as db:
            db.create_node_table("Person", PERSON, "id")
            return 0 if db.import_nodes("Person", rows).rows_imported == 300_000 else 1

    assert _child(run) == 0
