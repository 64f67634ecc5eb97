"""Opening the committed generation of a database directory, consistently.

A read-only open races with a writer that may commit meanwhile: the manifest it read can be
replaced and the files only that manifest names removed before they are pinned. Such an open
reads the manifest again; when it changed, it simply tries the new generation. Only a problem
that persists with the same manifest bytes is reported as corruption.

The manifest is also checked against the generation record the writer keeps in the lock file
(see lock.py): a manifest older than the last commit (an old copy put back) or of another
database is refused before any file is trusted or cut.
"""

from __future__ import annotations

import os

from ..errors import CorruptDatabaseError
from .files import FileSet
from .lock import read_generation_record
from .manifest import MANIFEST_NAME, Manifest, read_manifest, read_manifest_bytes

MAX_ATTEMPTS = 200


def open_committed(db_path: str, *, read_only: bool) -> tuple[Manifest, FileSet]:
    """The committed manifest and the FileSet to read its files (pinned when read-only)."""
    raw = read_manifest_bytes(db_path)
    for _ in range(MAX_ATTEMPTS):
        try:
            manifest = read_manifest(db_path, raw)
            check_generation_record(db_path, manifest)
            files = FileSet(db_path, pin=manifest if read_only else None, manifest=manifest)
            return manifest, files
        except CorruptDatabaseError:
            again = read_manifest_bytes(db_path)
            if again == raw:
                raise  # the same manifest: real damage, not a commit in between
            raw = again
    raise CorruptDatabaseError(
        f"{db_path}: the manifest kept changing while opening ({MAX_ATTEMPTS} attempts)")


def check_generation_record(db_path: str, manifest: Manifest) -> None:
    record = read_generation_record(db_path)
    if record is None:
        return
    db_id, generation = record
    where = os.path.join(db_path, MANIFEST_NAME)
    if db_id != manifest.db_id:
        raise CorruptDatabaseError(
            f"{where}: belongs to another database (id {manifest.db_id}, this directory's last "
            f"commit was database {db_id}): a manifest was copied in from elsewhere"
        )
    if manifest.generation < generation:
        raise CorruptDatabaseError(
            f"{where}: generation {manifest.generation} is older than the last commit "
            f"(generation {generation}): an old copy of the manifest was put back; restore the "
            "whole directory from one backup"
        )
