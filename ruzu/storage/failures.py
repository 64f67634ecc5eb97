"""File-system failures during a write, as ruzu errors: a full disk is ``DiskFullError`` (with
the file, how much the import had written and how much space is free), any other I/O failure
``StorageError``; both keep the errno and the original error as ``__cause__``."""

from __future__ import annotations

import errno
import os
import shutil

from ..errors import DiskFullError, StorageError

_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def _mb(n: int) -> str:
    return f"{n / 2**20:,.1f} MB"


def storage_error(db_path: str, error: OSError, written: int) -> StorageError:
    where = error.filename or db_path
    reason = error.strerror or str(error)
    if error.errno in _FULL:
        try:
            free = f"{_mb(shutil.disk_usage(db_path).free)} free now"
        except OSError:
            free = "free space unknown"
        return DiskFullError(
            error.errno,
            f"{where}: disk full ({reason}) after the import wrote {_mb(written)} to "
            f"{db_path} ({free}); it was rolled back and the database is unchanged — it needs "
            "at least that much more space (about the size of the input) to succeed",
            error.filename,
        )
    return StorageError(
        error.errno,
        f"{where}: {reason} while writing to {db_path}; the write was rolled back and the "
        "database is unchanged",
        error.filename,
    )


def fd_path(fd: int) -> str | None:
    """The path behind a descriptor (Linux), for messages of errors that lack one."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return None
