"""The one small I/O layer every database file operation goes through.

Keeping every write, fsync, truncate, rename and unlink here lets the fault-injection tests make
the k-th operation fail (raise, or kill the process) and check that the database survives.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from .failures import fd_path

# Called with the operation name before every mutating file operation; tests install one.
_fault_hook: Callable[[str], None] | None = None


def set_fault_hook(hook: Callable[[str], None] | None) -> None:
    global _fault_hook
    _fault_hook = hook


def _check(op: str) -> None:
    if _fault_hook is not None:
        _fault_hook(op)


def open_write(path: str, *, create: bool) -> int:
    """Open for writing at the end (appends); ``create`` requires the file not to exist."""
    _check("open")
    flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)
    if create:
        flags |= os.O_CREAT | os.O_EXCL
    return os.open(path, flags, 0o644)


def _bytes_view(data) -> memoryview:
    view = memoryview(data)
    return view.cast("B") if view.nbytes else memoryview(b"")


def _named(error: OSError, fd: int) -> OSError:
    """The error with the file's name (os.write/fsync errors carry none)."""
    if error.filename is None:
        error.filename = fd_path(fd)
    return error


def write_all(fd: int, data) -> None:
    _check("write")
    view = _bytes_view(data)
    try:
        while view:
            written = os.write(fd, view)
            view = view[written:]
    except OSError as e:
        raise _named(e, fd) from None


def write_at(fd: int, data, offset: int) -> None:
    _check("write")
    view = _bytes_view(data)
    try:
        while view:
            written = os.pwrite(fd, view, offset)
            view = view[written:]
            offset += written
    except OSError as e:
        raise _named(e, fd) from None


def fsync(fd: int) -> None:
    _check("fsync")
    try:
        os.fsync(fd)
    except OSError as e:
        raise _named(e, fd) from None


def fdatasync(fd: int) -> None:
    _check("fsync")
    os.fdatasync(fd)


def close(fd: int) -> None:
    os.close(fd)


def truncate(path: str, size: int) -> None:
    _check("truncate")
    os.truncate(path, size)


def remove(path: str) -> None:
    _check("unlink")
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def replace(src: str, dst: str) -> None:
    _check("rename")
    os.replace(src, dst)


def fsync_dir(path: str) -> None:
    _check("fsync_dir")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_file_atomically(path: str, data: bytes) -> bool:
    """Write ``path`` whole or not at all: temp file, fsync, rename, fsync the directory.

    The rename is the commit point: once it happened, a failing directory fsync is not an
    error of the write (the new file is in place; only its durability on power loss is in
    doubt). Returns whether the directory fsync succeeded, so the caller can keep what a
    power loss would still need (the files the previous version names)."""
    tmp = path + ".tmp"
    remove(tmp)
    fd = open_write(tmp, create=True)
    try:
        write_all(fd, data)
        fsync(fd)
    finally:
        close(fd)
    replace(tmp, path)
    try:
        fsync_dir(os.path.dirname(path) or ".")
    except Exception:  # noqa: BLE001 - any failure here leaves the rename in place
        return False
    return True
