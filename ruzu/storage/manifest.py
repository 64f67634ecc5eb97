"""The manifest: the single commit point of a database directory.

``manifest.json`` holds the magic, format version, database id, generation, the catalog, the
storage state of every table, and the size and checksum of every data file (CRC-32C; CRC-32 in
format version 1, see ``checksum.py``). A new generation is
written to a temporary file, fsynced, renamed over the old one and the directory fsynced; a
crash before the rename leaves the previous generation in force. Data files are named by numeric
id (``000017.dat``), never by a user-supplied name.
"""

from __future__ import annotations

import json
import os
import uuid
import zlib
from dataclasses import dataclass, field

from ..errors import CorruptDatabaseError
from . import checksum, io
from .checksum import CRC32, LABELS, updater
from .state import TableState, table_state_from_dict

MAGIC = "ruzu-database"
FORMAT_VERSION = 2  # 2: data files checksummed with CRC-32C (1: CRC-32)
MANIFEST_NAME = "manifest.json"


def data_file_name(file_id: int) -> str:
    return f"{file_id:06d}.dat"


@dataclass
class FileEntry:
    size: int
    crc32: int


@dataclass
class Manifest:
    db_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    generation: int = 0
    next_file_id: int = 1
    catalog: dict = field(default_factory=dict)  # serialised Catalog
    tables: dict[str, TableState] = field(default_factory=dict)  # name -> state (state.py)
    files: dict[int, FileEntry] = field(default_factory=dict)
    imports: list = field(default_factory=list)  # one dict per committed CSV import
    # the data files' checksum algorithm: the newest for a new database (checksum.py)
    file_checksum: str = field(default_factory=lambda: checksum.NEWEST)

    def body(self) -> dict:
        extra = {"imports": self.imports} if self.imports else {}
        return {
            **extra,
            "db_id": self.db_id,
            "generation": self.generation,
            "next_file_id": self.next_file_id,
            "catalog": self.catalog,
            "tables": {name: state.to_dict() for name, state in self.tables.items()},
            "files": {str(k): [v.size, v.crc32] for k, v in sorted(self.files.items())},
            **({} if self.file_checksum == CRC32 else {"file_checksum": self.file_checksum}),
        }

    def to_bytes(self) -> bytes:
        body = json.dumps(self.body(), sort_keys=True, separators=(",", ":"))
        doc = {
            "magic": MAGIC,
            "format_version": 1 if self.file_checksum == CRC32 else FORMAT_VERSION,
            "checksum": zlib.crc32(body.encode()),
            "body": body,
        }
        return (json.dumps(doc, indent=1) + "\n").encode()

    @classmethod
    def from_bytes(cls, raw: bytes, where: str) -> Manifest:
        def bad(reason: str) -> CorruptDatabaseError:
            return CorruptDatabaseError(f"{where}: {reason}")

        try:
            doc = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            raise bad("not a ruzu manifest (unreadable, truncated or foreign file)") from None
        if not isinstance(doc, dict) or doc.get("magic") != MAGIC:
            raise bad("not a ruzu manifest (wrong magic)")
        version = doc.get("format_version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise bad(f"manifest has no valid format version ({version!r})")
        if version > FORMAT_VERSION:
            raise bad(
                f"format version {version} is newer than this ruzu supports ({FORMAT_VERSION});"
                " upgrade ruzu"
            )
        body_text = doc.get("body")
        if not isinstance(body_text, str) or zlib.crc32(body_text.encode()) != doc.get("checksum"):
            raise bad("manifest checksum mismatch (damaged file)")
        try:
            body = json.loads(body_text)
            if not all(isinstance(body.get(k), dict) for k in ("catalog", "tables", "files")):
                raise ValueError("catalog, tables and files must be objects")
            files = {int(k): FileEntry(int(s), int(c)) for k, (s, c) in body["files"].items()}
            if any(e.size < 0 or k < 0 for k, e in files.items()):
                raise ValueError("negative file id or size")
            return cls(
                db_id=str(body["db_id"]),
                generation=int(body["generation"]),
                next_file_id=int(body["next_file_id"]),
                catalog=body["catalog"],
                tables={str(name): table_state_from_dict(state)
                        for name, state in body["tables"].items()},
                files=files,
                imports=list(body.get("imports", [])),
                file_checksum=_file_checksum(version, body),
            )
        except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as e:
            raise bad(f"manifest is malformed ({e})") from None

    def copy(self) -> Manifest:
        return Manifest.from_bytes(self.to_bytes(), "<copy>")


def _file_checksum(version: int, body: dict) -> str:
    if version == 1:
        return CRC32
    algorithm = body.get("file_checksum")
    if algorithm not in LABELS:
        raise ValueError(f"unknown data file checksum {algorithm!r}")
    return algorithm


def read_manifest_bytes(db_path: str) -> bytes:
    path = os.path.join(db_path, MANIFEST_NAME)
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        raise CorruptDatabaseError(f"{db_path}: not a ruzu database (no {MANIFEST_NAME})") from None
    except OSError as e:
        raise CorruptDatabaseError(f"{path}: cannot be read ({e.strerror})") from None


def read_manifest(db_path: str, raw: bytes | None = None) -> Manifest:
    path = os.path.join(db_path, MANIFEST_NAME)
    if raw is None:
        raw = read_manifest_bytes(db_path)
    manifest = Manifest.from_bytes(raw, path)
    for file_id, entry in manifest.files.items():
        fpath = os.path.join(db_path, data_file_name(file_id))
        try:
            actual = os.path.getsize(fpath)
        except FileNotFoundError:
            raise CorruptDatabaseError(f"{fpath}: data file missing") from None
        except OSError as e:
            raise CorruptDatabaseError(f"{fpath}: data file unreadable ({e.strerror})") from None
        # Longer is fine (uncommitted appends are cut on the next writable open); shorter is not.
        if actual < entry.size:
            raise CorruptDatabaseError(
                f"{fpath}: data file truncated ({actual} bytes, manifest says {entry.size})"
            )
    return manifest


def write_manifest(db_path: str, manifest: Manifest) -> bool:
    """Commit ``manifest``; returns False when the directory fsync after the rename failed."""
    return io.write_file_atomically(os.path.join(db_path, MANIFEST_NAME), manifest.to_bytes())


def verify_files(db_path: str, manifest: Manifest) -> None:
    """Re-read every data file and compare its size and checksum with the manifest."""
    update = updater(manifest.file_checksum)
    label = LABELS[manifest.file_checksum]
    for file_id, entry in sorted(manifest.files.items()):
        path = os.path.join(db_path, data_file_name(file_id))
        crc = 0
        left = entry.size
        try:
            with open(path, "rb") as f:
                while left > 0:
                    block = f.read(min(8 << 20, left))
                    if not block:
                        break
                    crc = update(block, crc)
                    left -= len(block)
        except FileNotFoundError:
            raise CorruptDatabaseError(f"{path}: data file missing") from None
        if left > 0:
            raise CorruptDatabaseError(f"{path}: data file truncated")
        if crc != entry.crc32:
            raise CorruptDatabaseError(
                f"{path}: checksum mismatch ({label} {crc:08x}, manifest says "
                f"{entry.crc32:08x}): the file is damaged"
            )
