"""Unit tests of the commit point (storage/manifest.py) and write transactions
(storage/transaction.py), straight against the modules: the oracle is the CRC-32C (crc32c
package; new databases checksum with it) of the bytes written and the directory listing, not an
import end to end."""

from __future__ import annotations

import json
import os
import zlib

import crc32c
import numpy as np
import pytest

from ruzu.errors import CorruptDatabaseError
from ruzu.storage.manifest import (
    FORMAT_VERSION,
    MANIFEST_NAME,
    FileEntry,
    Manifest,
    data_file_name,
    read_manifest,
    verify_files,
    write_manifest,
)
from ruzu.storage.state import ColumnState, IndexState, NodeTableState
from ruzu.storage.transaction import Transaction, compact_tail, restore_files


@pytest.fixture
def db(tmp_path):
    path = str(tmp_path / "db")
    os.makedirs(path)
    write_manifest(path, Manifest(catalog={"tables": []}))
    return path


def _bytes(path: str, file_id: int) -> bytes:
    with open(os.path.join(path, data_file_name(file_id)), "rb") as f:
        return f.read()


# -- manifest ---------------------------------------------------------------------------------
def test_manifest_round_trips_every_field():
    m = Manifest(generation=7, next_file_id=12, catalog={"x": [1, 2]},
                 tables={"T": NodeTableState(num_rows=3, columns={"id": ColumnState(data=1)},
                                             index=IndexState("sorted", first=0, last=2,
                                                              dense=True))},
                 files={1: FileEntry(24, 0xDEADBEEF)}, imports=[{"table": "T"}])
    back = Manifest.from_bytes(m.to_bytes(), "here")
    assert back == m
    copy = m.copy()
    copy.files[1].size = 0
    assert m.files[1].size == 24  # a deep copy


@pytest.mark.parametrize("edit, reason", [
    (lambda doc: doc.update(magic="other"), "wrong magic"),
    (lambda doc: doc.update(format_version=FORMAT_VERSION + 1), "newer than this ruzu"),
    (lambda doc: doc.update(format_version="1"), "no valid format version"),
    (lambda doc: doc.update(body=doc["body"].replace("7", "8")), "checksum mismatch"),
])
def test_a_damaged_manifest_is_refused_with_the_reason(edit, reason):
    doc = json.loads(Manifest(generation=7).to_bytes())
    edit(doc)
    with pytest.raises(CorruptDatabaseError, match=reason):
        Manifest.from_bytes(json.dumps(doc).encode(), "where")


def test_a_malformed_body_with_a_good_checksum_is_refused():
    body = json.dumps({"db_id": "x", "generation": 1, "next_file_id": 1, "catalog": {},
                       "tables": {}, "files": {"1": [-5, 0]}})
    doc = {"magic": "ruzu-database", "format_version": 1, "checksum": zlib.crc32(body.encode()),
           "body": body}
    with pytest.raises(CorruptDatabaseError, match="malformed"):
        Manifest.from_bytes(json.dumps(doc).encode(), "where")


def test_read_manifest_checks_the_data_files_exist_and_are_long_enough(db):
    m = read_manifest(db)
    m.files[1] = FileEntry(10, 0)
    m.next_file_id = 2
    write_manifest(db, m)
    with pytest.raises(CorruptDatabaseError, match="data file missing"):
        read_manifest(db)
    with open(os.path.join(db, data_file_name(1)), "wb") as f:
        f.write(b"123")
    with pytest.raises(CorruptDatabaseError, match="truncated"):
        read_manifest(db)
    with open(os.path.join(db, data_file_name(1)), "ab") as f:
        f.write(b"4567890abc")  # longer is fine: an uncommitted tail
    assert read_manifest(db).files[1].size == 10


# -- transactions -----------------------------------------------------------------------------
def test_commit_records_sizes_and_crcs_and_a_new_generation(db):
    committed = read_manifest(db)
    txn = Transaction(db, committed)
    a, b = txn.new_file(), txn.new_file()
    chunks = [np.arange(10, dtype=np.int64), np.arange(3, dtype=np.int32)]
    for chunk in chunks:
        txn.appender(a).append(chunk)
    txn.appender(b).append(np.frombuffer(b"hello", np.uint8))
    assert txn.size(a) == 80 + 12 and txn.bytes_written() == 97
    new = txn.commit()
    assert new.generation == committed.generation + 1 and txn.durable
    raw_a = b"".join(c.tobytes() for c in chunks)
    assert _bytes(db, a) == raw_a and _bytes(db, b) == b"hello"
    assert new.files[a] == FileEntry(len(raw_a), crc32c.crc32c(raw_a))
    assert new.files[b] == FileEntry(5, crc32c.crc32c(b"hello"))
    assert read_manifest(db) == new
    verify_files(db, new)
    with open(os.path.join(db, data_file_name(a)), "r+b") as f:  # a flipped byte
        f.seek(3)
        f.write(b"\xff")
    with pytest.raises(CorruptDatabaseError, match="checksum mismatch"):
        verify_files(db, new)


def test_appends_extend_the_crc_of_the_committed_prefix(db):
    txn = Transaction(db, read_manifest(db))
    f = txn.new_file()
    txn.appender(f).append(np.frombuffer(b"abc", np.uint8))
    txn.commit()
    txn = Transaction(db, read_manifest(db))
    txn.write_behind(1 << 20)  # through the background writer: same bytes, same CRC
    txn.appender(f).append(np.frombuffer(b"defg", np.uint8))
    new = txn.commit()
    assert _bytes(db, f) == b"abcdefg"
    assert new.files[f] == FileEntry(7, crc32c.crc32c(b"abcdefg"))


def test_rollback_leaves_the_directory_as_committed(db):
    txn = Transaction(db, read_manifest(db))
    kept = txn.new_file()
    txn.appender(kept).append(np.frombuffer(b"committed", np.uint8))
    txn.commit()
    before = sorted(os.listdir(db)), read_manifest(db)
    txn = Transaction(db, read_manifest(db))
    txn.appender(kept).append(np.frombuffer(b" and more", np.uint8))
    txn.new_file()
    txn.rollback()
    assert (sorted(os.listdir(db)), read_manifest(db)) == before
    assert _bytes(db, kept) == b"committed"


def test_retired_files_leave_only_with_the_commit(db):
    txn = Transaction(db, read_manifest(db))
    old = txn.new_file()
    txn.commit()
    txn = Transaction(db, read_manifest(db))
    txn.retire(old)
    assert os.path.exists(os.path.join(db, data_file_name(old)))
    new = txn.commit()
    assert old not in new.files and not os.path.exists(os.path.join(db, data_file_name(old)))


def test_restore_files_removes_staging_and_cuts_tails(db):
    txn = Transaction(db, read_manifest(db))
    f = txn.new_file()
    txn.appender(f).append(np.frombuffer(b"12345", np.uint8))
    m = txn.commit()
    with open(os.path.join(db, data_file_name(f)), "ab") as out:
        out.write(b"tail")
    for stray in (data_file_name(99), "x.tmp"):
        open(os.path.join(db, stray), "wb").close()
    os.makedirs(os.path.join(db, "staging-1", "deep"))
    open(os.path.join(db, "staging-1", "deep", "spill"), "wb").close()
    restore_files(db, m)
    assert sorted(os.listdir(db)) == sorted([MANIFEST_NAME, data_file_name(f)])
    assert _bytes(db, f) == b"12345"


def test_compact_tail_keeps_the_selected_items_of_the_uncommitted_tail(db, monkeypatch):
    txn = Transaction(db, read_manifest(db))
    f = txn.new_file()
    committed = np.arange(5, dtype=np.int64)
    txn.appender(f).append(committed)
    txn.commit()
    txn = Transaction(db, read_manifest(db))
    app = txn.appender(f)
    tail = np.arange(100, 160, dtype=np.int64)
    app.append(tail)
    drop = {103, 110, 111, 159}

    def keep(items, first):
        values = items.copy().view(np.int64).ravel()
        return items[[int(v) not in drop for v in values]]

    compact_tail(app, 40, 8, keep)
    new = txn.commit()
    expect = np.concatenate([committed, [v for v in tail if int(v) not in drop]]).astype(np.int64)
    assert np.array_equal(np.frombuffer(_bytes(db, f), np.int64), expect)
    assert new.files[f] == FileEntry(expect.nbytes, crc32c.crc32c(expect.tobytes()))
