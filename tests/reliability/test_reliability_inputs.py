"""Inputs that change while they are read (issue 15, finding 6): a file that shrinks, grows or
is rewritten during the import fails with InputChangedError and the database stays exactly as
it was — before the fix, a file cut in half mid-import committed half its rows as a success."""

from __future__ import annotations

import os

import pytest

import ruzu
from ruzu.errors import InputChangedError
from tests.conftest import snapshot

ROWS = 400_000  # ~5.5 MB: larger than the 4 MB read buffer at the smallest memory_limit
CONFIG = ruzu.CsvImportConfig(memory_limit=64 << 20)


@pytest.fixture
def setup(tmp_path):
    csv = tmp_path / "p.csv"
    with open(csv, "w") as f:
        f.write("id,name\n")
        f.writelines(f"{i},n{i}\n" for i in range(ROWS))
    db = ruzu.Database(tmp_path / "db")
    db.create_node_table("P", [("id", "INT64"), ("name", "STRING")], "id")
    yield db, str(csv), str(tmp_path / "db")
    db.close()


def change_once(action):
    done = []

    def progress(_):
        if not done:
            done.append(True)
            action()

    return progress


@pytest.mark.parametrize("change", ["shrinks", "grows", "rewritten"])
def test_file_changing_during_import_fails_and_changes_nothing(setup, change):
    db, csv, path = setup
    before = snapshot(path)
    size = os.path.getsize(csv)

    def act():
        if change == "shrinks":
            os.truncate(csv, size // 2)
        elif change == "grows":
            with open(csv, "a") as f:
                f.write(f"{ROWS},late\n")
        else:  # same size, new content and mtime
            with open(csv, "r+b") as f:
                f.seek(size - 4)
                f.write(b"zzz\n")
            st = os.stat(csv)
            os.utime(csv, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))

    with pytest.raises(InputChangedError, match="changed while it was being read"):
        db.import_nodes("P", csv, CONFIG, progress=change_once(act))
    assert db.table("P").num_rows == 0
    assert snapshot(path) == before


def test_unchanged_file_imports(setup):
    db, csv, _ = setup
    calls = []
    db.import_nodes("P", csv, CONFIG, progress=calls.append)
    assert len(calls) > 1  # the callback ran while the file was being read
    assert db.table("P").num_rows == ROWS


@pytest.mark.parametrize("content", [b"PAR1", b"PAR1\x00\x01garbage PAR1"])
def test_a_file_that_only_looks_like_parquet_is_a_csv_error(tmp_path, content):
    """Found by the random-input property test: the magic bytes alone made pyarrow's
    ArrowInvalid escape as a raw exception."""
    path = tmp_path / "fake.parquet"
    path.write_bytes(content)
    with ruzu.Database(tmp_path / "db") as db:
        db.create_node_table("P", [("id", "INT64")], "id")
        before = snapshot(db.path)
        with pytest.raises(ruzu.CsvError, match="not a readable Parquet file"):
            db.import_nodes("P", str(path))
        assert snapshot(db.path) == before
