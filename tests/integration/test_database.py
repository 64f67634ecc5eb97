"""Database lifecycle: create, reopen, locking, read-only, and refusing foreign or damaged
directories with a clear error."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import ruzu
from ruzu.errors import CatalogError, ConfigError, CorruptDatabaseError, LockError, ReadOnlyError


def test_create_reopen_and_close_twice(tmp_path):
    path = tmp_path / "db"
    with ruzu.Database(path) as db:
        db.create_node_table("Person", [("id", "INT64"), ("name", "STRING")], "id")
        gen = db.generation
    db.close()  # a second close is harmless
    with ruzu.Database(path, read_only=True) as db:
        assert db.generation == gen
        assert db.catalog.node("Person").primary_key == "id"
        assert db.table("Person").num_rows == 0


def test_second_writer_in_same_process_is_refused_with_pid(tmp_path):
    with ruzu.Database(tmp_path / "db"):
        with pytest.raises(LockError, match=f"PID {os.getpid()}"):
            ruzu.Database(tmp_path / "db")
        with ruzu.Database(tmp_path / "db", read_only=True) as r1, \
                ruzu.Database(tmp_path / "db", read_only=True) as r2:
            assert r1.generation == r2.generation
    ruzu.Database(tmp_path / "db").close()  # the lock went away with close()


def test_second_writer_in_other_process_is_refused(tmp_path):
    path = tmp_path / "db"
    code = (
        "import ruzu, sys, time\n"
        f"db = ruzu.Database({str(path)!r})\n"
        "print('ready', flush=True)\n"
        "sys.stdin.readline()\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        with pytest.raises(LockError, match=f"PID {child.pid}"):
            ruzu.Database(path)
    finally:
        child.stdin.close()
        child.wait(timeout=30)
        child.stdout.close()
    ruzu.Database(path).close()


def test_read_only_refuses_writes(tmp_path):
    ruzu.Database(tmp_path / "db").close()
    with ruzu.Database(tmp_path / "db", read_only=True) as db:
        with pytest.raises(ReadOnlyError):
            db.create_node_table("T", [("id", "INT64")], "id")


def test_read_only_open_of_missing_database_fails(tmp_path):
    # Not "corrupt": there is nothing there (issue 16). Still an OSError, as before.
    with pytest.raises(ruzu.DatabaseNotFoundError, match="does not exist"):
        ruzu.Database(tmp_path / "nope", read_only=True)
    assert not (tmp_path / "nope").exists()


def test_foreign_directory_is_refused(tmp_path):
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("hello")
    with pytest.raises(CorruptDatabaseError, match="not a ruzu database"):
        ruzu.Database(tmp_path / "other")


def test_a_file_instead_of_a_directory_is_refused(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(CorruptDatabaseError, match="not a directory"):
        ruzu.Database(tmp_path / "f")


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda raw: raw[: len(raw) // 2], "unreadable, truncated or foreign"),
        (lambda raw: b"\x00\xff" * 40, "unreadable, truncated or foreign"),
        (lambda raw: raw.replace(b'"ruzu-database"', b'"other-thing"'), "wrong magic"),
        (lambda raw: raw.replace(b'"format_version": 2', b'"format_version": 99'), "newer"),
        (lambda raw: raw.replace(b"Person", b"Persom", 1), "checksum"),
    ],
)
def test_damaged_manifest_is_detected(tmp_path, damage, message):
    path = tmp_path / "db"
    with ruzu.Database(path) as db:
        db.create_node_table("Person", [("id", "INT64")], "id")
    manifest = path / "manifest.json"
    manifest.write_bytes(damage(manifest.read_bytes()))
    with pytest.raises(CorruptDatabaseError, match=message):
        ruzu.Database(path)
    with pytest.raises(CorruptDatabaseError, match=message):
        ruzu.Database(path, read_only=True)


def test_truncated_data_file_is_detected(tmp_path):
    path = tmp_path / "db"
    with ruzu.Database(path) as db:
        db.create_node_table("Person", [("id", "INT64"), ("name", "STRING")], "id")
    body = json.loads(json.loads((path / "manifest.json").read_text())["body"])
    sized = [int(k) for k, (size, _crc) in body["files"].items() if size > 0]
    victim = path / f"{sized[0]:06d}.dat"
    victim.write_bytes(victim.read_bytes()[:-1])
    with pytest.raises(CorruptDatabaseError, match="truncated"):
        ruzu.Database(path)


def test_leftover_staging_is_removed_on_writable_open(tmp_path):
    path = tmp_path / "db"
    ruzu.Database(path).close()
    (path / "999999.dat").write_bytes(b"junk")
    (path / "staging-1-2").mkdir()
    (path / "staging-1-2" / "x.spill").write_bytes(b"junk")
    (path / "manifest.json.tmp").write_bytes(b"junk")
    ruzu.Database(path).close()
    assert sorted(os.listdir(path)) == [".lock", "manifest.json"]


@pytest.mark.parametrize("name", ["", "x" * 65, "a`b", "a\nb", "\t"])
def test_invalid_names_are_refused(db, name):
    with pytest.raises(CatalogError, match="invalid"):
        db.create_node_table(name, [("id", "INT64")], "id")
    with pytest.raises(CatalogError, match="invalid"):
        db.create_node_table("T", [(name, "INT64"), ("id", "INT64")], "id")


def test_schema_errors(db):
    with pytest.raises(CatalogError, match="unknown type"):
        db.create_node_table("T", [("id", "GEOMETRY")], "id")
    with pytest.raises(CatalogError, match="primary key"):
        db.create_node_table("T", [("id", "INT64")], "nope")
    with pytest.raises(CatalogError, match="must be an integer, STRING or UUID"):
        db.create_node_table("T", [("id", "DOUBLE")], "id")
    db.create_node_table("T", [("id", "INT64")], "id")
    with pytest.raises(CatalogError, match="already exists"):
        db.create_node_table("T", [("id", "INT64")], "id")
    with pytest.raises(CatalogError, match="does not exist"):
        db.create_rel_table("R", [("T", "Nope")])
    db.create_rel_table("R", [("T", "T")])
    with pytest.raises(CatalogError, match="references it"):
        db.drop_table("T")
    db.drop_table("R")
    db.drop_table("T")
    assert not db.catalog.has("T")


def test_drop_table_removes_its_files(tmp_path):
    path = tmp_path / "db"
    with ruzu.Database(path) as db:
        before = set(os.listdir(path))
        db.create_node_table("T", [("id", "INT64"), ("s", "STRING")], "id")
        assert len(set(os.listdir(path)) - before) == 3
        db.drop_table("T")
        assert set(os.listdir(path)) == before


@pytest.mark.parametrize("bad", [0, -1, 10_000_001, 1.5, "100", True])
def test_batch_size_out_of_range_is_a_config_error(bad):
    with pytest.raises(ConfigError, match="batch_size"):
        ruzu.CsvImportConfig(batch_size=bad)


@pytest.mark.parametrize("good", [1, 7, 100_000, 10_000_000])
def test_batch_size_in_range(good):
    assert ruzu.CsvImportConfig(batch_size=good).batch_size == good


def test_other_config_errors():
    with pytest.raises(ConfigError, match="delimiter"):
        ruzu.CsvImportConfig(delimiter=";;")
    with pytest.raises(ConfigError, match="differ"):
        ruzu.CsvImportConfig(delimiter='"')
    with pytest.raises(ConfigError, match="memory_limit"):
        ruzu.CsvImportConfig(memory_limit=1000)
    with pytest.raises(ConfigError, match="on_duplicate"):
        ruzu.CsvImportConfig(on_duplicate="maybe")


def test_verify_detects_a_flipped_bit_in_a_data_file(tmp_path):
    path = tmp_path / "db"
    csv = tmp_path / "p.csv"
    csv.write_text("id,name\n1,ann\n2,bob\n")
    with ruzu.Database(path) as db:
        db.create_node_table("P", [("id", "INT64"), ("name", "STRING")], "id")
        db.import_nodes("P", csv)
        db.verify()
        body = json.loads(json.loads((path / "manifest.json").read_text())["body"])
        victim = max(body["files"], key=lambda k: body["files"][k][0])
    f = path / f"{int(victim):06d}.dat"
    raw = bytearray(f.read_bytes())
    raw[0] ^= 0x01
    f.write_bytes(bytes(raw))
    with ruzu.Database(path, read_only=True) as db:
        with pytest.raises(CorruptDatabaseError, match="checksum mismatch"):
            db.verify()
