"""Damaged databases are detected on open with CorruptDatabaseError (never another exception, a
crash or wrong data): every single-bit flip and every truncation of manifest.json, truncated,
missing and extended data files, foreign manifests. Data-file bit flips are covered only by the
manifest's per-file CRC-32, so they need a verification API (skipped while there is none)."""

from __future__ import annotations

import json
import os
import zlib

import pytest

import ruzu
from ruzu.errors import CorruptDatabaseError
from tests.reliability.relhelpers import content, copy_db, manifest_files, snapshot

PERSON = [("id", "INT64"), ("name", "STRING"), ("age", "INT64")]


@pytest.fixture(scope="module")
def original(fast_tmp_factory):
    """A small database with nodes (hash index), NULLs and relationships: (path, content)."""
    root = fast_tmp_factory("corruption")
    path = os.path.join(root, "db")
    with open(os.path.join(root, "n.csv"), "w") as f:
        f.write("id,name,age\n3,c,3\n1,a,\n2,\"b b\",2\n")
    with open(os.path.join(root, "r.csv"), "w") as f:
        f.write("from,to,since\n1,2,1\n2,3,\n3,1,3\n")
    with ruzu.Database(path) as db:
        db.create_node_table("Person", PERSON, "id")
        db.create_rel_table("Follows", [("Person", "Person")], [("since", "INT64")])
        db.import_nodes("Person", os.path.join(root, "n.csv"))
        db.import_relationships("Follows", os.path.join(root, "r.csv"))
        state = content(db)
    return path, state


@pytest.fixture
def victim(original, fast_tmp):
    """A fresh copy of the database to damage."""
    path = str(fast_tmp / "victim")
    copy_db(original[0], path)
    return path


def open_outcome(path, read_only: bool):
    """'corrupt' (CorruptDatabaseError), the content when it opened, or the other exception."""
    try:
        db = ruzu.Database(path, read_only=read_only)
    except CorruptDatabaseError:
        return "corrupt"
    except Exception as e:  # noqa: BLE001 - any other exception is a finding
        return e
    try:
        return content(db)
    except Exception as e:  # noqa: BLE001
        return e
    finally:
        db.close()


def read(path) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def manifest_path(path) -> str:
    return os.path.join(path, "manifest.json")


def version_digit(raw: bytes) -> int:
    return raw.index(b'"format_version": ') + len(b'"format_version": ')


# ------------------------------------------------------------------------------------------
# manifest.json
# ------------------------------------------------------------------------------------------
def test_every_manifest_bit_flip_is_detected(victim):
    raw = read(manifest_path(victim))
    missed, other = [], []
    for i in range(len(raw)):
        for bit in range(8):
            bad = bytearray(raw)
            bad[i] ^= 1 << bit
            with open(manifest_path(victim), "wb") as f:
                f.write(bad)
            modes = (True, False) if (i * 8 + bit) % 5 == 0 else (True,)
            for read_only in modes:
                got = open_outcome(victim, read_only)
                if isinstance(got, dict):
                    missed.append((i, bit, raw[max(0, i - 15): i + 5]))
                elif got != "corrupt":
                    other.append((i, bit, repr(got)))
    assert not missed, f"{len(missed)} undetected flips, e.g. {missed[:5]}"
    assert not other, f"{len(other)} flips raised something else, e.g. {other[:5]}"


@pytest.mark.parametrize("version", [b"0", b"-1", b"true"])
def test_format_version_below_one_is_refused(victim, version):
    """Was a bug: "format_version": 0 (one bit flip away from 1) opened normally."""
    raw = read(manifest_path(victim))
    i = version_digit(raw)
    with open(manifest_path(victim), "wb") as f:
        f.write(raw[:i] + version + raw[i + 1:])
    assert open_outcome(victim, True) == "corrupt"
    assert open_outcome(victim, False) == "corrupt"


def test_every_manifest_truncation_is_detected(victim, original):
    raw = read(manifest_path(victim))
    for n in range(len(raw)):
        with open(manifest_path(victim), "wb") as f:
            f.write(raw[:n])
        for read_only in (True, False) if n % 7 == 0 else (True,):
            got = open_outcome(victim, read_only)
            if raw[:n].rstrip() == raw.rstrip():  # only trailing whitespace gone: harmless
                assert got == original[1], n
            else:
                assert got == "corrupt", f"truncated to {n} of {len(raw)} bytes: {got!r}"


FOREIGN = {
    "empty": b"",
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
    "binary": bytes(range(256)) * 4,
    "utf16 json": '{"magic": "ruzu-database"}'.encode("utf-16"),
    "json array": b"[1, 2, 3]",
    "json string": b'"ruzu-database"',
    "other magic": b'{"magic": "kuzu", "format_version": 1}',
    "no version": b'{"magic": "ruzu-database"}',
    "version string": b'{"magic": "ruzu-database", "format_version": "1"}',
    "newer version": b'{"magic": "ruzu-database", "format_version": 3, "checksum": 0, '
                     b'"body": "{}"}',
    "no body": b'{"magic": "ruzu-database", "format_version": 1, "checksum": 0}',
}


@pytest.mark.parametrize("name", list(FOREIGN))
def test_foreign_manifest_is_refused(victim, name):
    with open(manifest_path(victim), "wb") as f:
        f.write(FOREIGN[name])
    assert open_outcome(victim, True) == "corrupt"
    assert open_outcome(victim, False) == "corrupt"
    assert FOREIGN[name] == read(manifest_path(victim))  # never "repaired"


def crafted(raw: bytes, change) -> bytes:
    """The manifest with its body changed by ``change(body)`` and a matching checksum."""
    doc = json.loads(raw)
    body = change(json.loads(doc["body"]))
    text = json.dumps(body)
    doc["body"] = text
    doc["checksum"] = zlib.crc32(text.encode())
    return json.dumps(doc).encode()


def test_structurally_wrong_manifest_with_valid_checksum_is_refused(victim):
    raw = read(manifest_path(victim))
    for label, change in [
        ("body is a list", lambda b: []),
        ("file entry too short", lambda b: {**b, "files": {"1": [5]}}),
        ("generation not a number", lambda b: {**b, "generation": "x"}),
        ("catalog tables not a list", lambda b: {**b, "catalog": {"tables": "x"}}),
        ("file larger than on disk", lambda b: {**b, "files": {
            k: [s + 1, c] for k, (s, c) in b["files"].items()}}),
        ("file missing", lambda b: {**b, "files": {**b["files"], "999": [0, 0]}}),
    ]:
        with open(manifest_path(victim), "wb") as f:
            f.write(crafted(raw, change))
        for read_only in (True, False):
            assert open_outcome(victim, read_only) == "corrupt", label


@pytest.mark.parametrize("label", ["deeply nested json", "files is a list", "catalog is a list",
                                   "negative file size"])
def test_malformed_manifest_never_raises_another_exception(victim, label):
    """Was a bug: RecursionError, AttributeError and OSError(EINVAL) escaped from open."""
    raw = read(manifest_path(victim))
    data = {
        "deeply nested json": b"[" * 100_000 + b"]" * 100_000,
        "files is a list": crafted(raw, lambda b: {**b, "files": []}),
        "catalog is a list": crafted(raw, lambda b: {**b, "catalog": [1]}),
        "negative file size": crafted(raw, lambda b: {**b, "files": {
            k: [-5, c] for k, (s, c) in b["files"].items()}}),
    }[label]
    with open(manifest_path(victim), "wb") as f:
        f.write(data)
    assert open_outcome(victim, True) == "corrupt"
    assert open_outcome(victim, False) == "corrupt"


# ------------------------------------------------------------------------------------------
# Data files
# ------------------------------------------------------------------------------------------
def data_files(path) -> list[str]:
    return sorted(manifest_files(path))


def test_truncated_or_missing_data_files_are_detected(victim):
    before = snapshot(victim)
    sized = [n for n in data_files(victim) if os.path.getsize(os.path.join(victim, n)) > 0]
    assert len(sized) >= 8
    for name in sized:
        full = os.path.join(victim, name)
        data = read(full)
        for cut in sorted({len(data) - 1, len(data) // 2, 0}):
            with open(full, "wb") as f:
                f.write(data[:cut])
            for read_only in (True, False):
                assert open_outcome(victim, read_only) == "corrupt", (name, cut)
        os.remove(full)
        for read_only in (True, False):
            assert open_outcome(victim, read_only) == "corrupt", (name, "removed")
        with open(full, "wb") as f:
            f.write(data)
    assert snapshot(victim) == before  # detection never modified anything


def test_uncommitted_tails_are_ignored_then_cut(victim, original):
    """Bytes beyond a file's committed size (an append that never committed) are invisible
    to readers and cut by the next writable open."""
    before = snapshot(victim)
    for name in data_files(victim):
        with open(os.path.join(victim, name), "ab") as f:
            f.write(b"\xde\xad\xbe\xef" * 3)
    assert open_outcome(victim, True) == original[1]
    assert open_outcome(victim, False) == original[1]
    assert snapshot(victim) == before


def test_garbage_lock_file_is_harmless(victim, original):
    with open(os.path.join(victim, ".lock"), "wb") as f:
        f.write(b"\x00\xffnot a pid\n" * 100)
    assert open_outcome(victim, False) == original[1]


def test_data_file_bit_flips_are_detected_by_verification(victim):
    verify = getattr(ruzu.Database, "verify", None) or getattr(ruzu.Database, "check", None)
    if verify is None:
        pytest.skip("no verification API: ruzu.Database has no verify()/check(), so a bit "
                    "flip inside a data file (covered only by the manifest's per-file CRC-32) "
                    "cannot be detected; open checks sizes only")
    for name in data_files(victim):
        full = os.path.join(victim, name)
        data = bytearray(read(full))
        if not data:
            continue
        for pos in range(len(data)):  # every byte, a different bit each time
            data[pos] ^= 1 << (pos % 8)
            with open(full, "wb") as f:
                f.write(data)
            with ruzu.Database(victim, read_only=True) as db, \
                    pytest.raises(CorruptDatabaseError):
                db.verify()
            data[pos] ^= 1 << (pos % 8)
        with open(full, "wb") as f:
            f.write(data)
    with ruzu.Database(victim, read_only=True) as db:
        db.verify()  # the intact database verifies
