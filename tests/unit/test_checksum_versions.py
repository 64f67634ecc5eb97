"""Data-file checksums: new databases record CRC-32C (manifest format version 2); a database
made with CRC-32 (format version 1) still opens, verifies, takes appends with CRC-32 and stays
version 1; damage is detected under both (oracle: zlib.crc32 and crc32c over the file bytes)."""

from __future__ import annotations

import json
import os
import zlib

import crc32c
import pytest

import ruzu
from ruzu.errors import CorruptDatabaseError
from ruzu.storage import checksum, manifest
from tests.conftest import write


def load(db_path):
    with open(os.path.join(db_path, "manifest.json"), "rb") as f:
        doc = json.loads(f.read())
    return doc, json.loads(doc["body"])


def file_bytes(db_path, file_id):
    with open(os.path.join(db_path, manifest.data_file_name(int(file_id))), "rb") as f:
        return f.read()


def build(db_path, tmp_path, name="a"):
    with ruzu.Database(db_path) as db:
        if "P" not in db.catalog.node_tables:
            db.create_node_table("P", [("id", "STRING"), ("v", "INT64")], "id")
        db.import_nodes("P", write(tmp_path / f"{name}.csv",
                                   "id,v\n" + "".join(f"{name}{i},{i}\n" for i in range(500))))


@pytest.mark.parametrize("algorithm", [checksum.CRC32C, checksum.CRC32])
def test_recorded_checksums_are_the_algorithms_over_the_bytes(tmp_path, monkeypatch,
                                                              algorithm):
    monkeypatch.setattr(checksum, "NEWEST", algorithm)  # what a new database gets
    db_path = tmp_path / "db"
    build(db_path, tmp_path)
    monkeypatch.undo()  # reopened by today's ruzu: the database keeps its algorithm
    build(db_path, tmp_path, "b")  # appends continue the recorded checksums
    doc, body = load(db_path)
    assert doc["format_version"] == (2 if algorithm == checksum.CRC32C else 1)
    assert body.get("file_checksum", checksum.CRC32) == algorithm
    oracle = zlib.crc32 if algorithm == checksum.CRC32 else crc32c.crc32c
    assert body["files"]
    for file_id, (size, crc) in body["files"].items():
        data = file_bytes(db_path, file_id)
        assert len(data) == size and oracle(data) == crc
    with ruzu.Database(db_path) as db:
        db.verify()
        assert db.table("P").lookup("b499") == 999
    # one flipped byte in a data file is found
    file_id = next(iter(body["files"]))
    path = os.path.join(db_path, manifest.data_file_name(int(file_id)))
    data = bytearray(file_bytes(db_path, file_id))
    data[len(data) // 2] ^= 0x10
    with open(path, "wb") as f:
        f.write(data)
    label = checksum.LABELS[algorithm]
    with ruzu.Database(db_path) as db, pytest.raises(CorruptDatabaseError,
                                                     match=f"checksum mismatch.*{label} "):
        db.verify()


def test_an_unknown_checksum_name_is_refused(tmp_path):
    db_path = tmp_path / "db"
    build(db_path, tmp_path)
    doc, body = load(db_path)
    body["file_checksum"] = "md5"
    text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    doc.update(body=text, checksum=zlib.crc32(text.encode()))
    with open(os.path.join(db_path, "manifest.json"), "w") as f:
        json.dump(doc, f)
    with pytest.raises(CorruptDatabaseError, match="unknown data file checksum"):
        ruzu.Database(db_path)
