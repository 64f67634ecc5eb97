"""The one small I/O layer every database file operation goes through.

Keeping every write, fsync, truncate, rename and unlink here lets the fault-injection tests make
the k-th operation fail (raise, or kill the process) and check that the database survives.
"""

from __future__ import annotations

import errno
import os
import threading
from collections.abc import Callable

import numpy as np

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
    _write_all(fd, data)


def _write_all(fd: int, data) -> None:
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


# -- direct I/O ----------------------------------------------------------------------------
# Bulk appends bypass the page cache (O_DIRECT): on this project's machine class (a VM whose
# free memory goes back to the host) every page-cache page a write allocates costs ~1.7 ns a
# byte of CPU to fault in (1 GB written: 1.7-2.0 s of system time buffered, 0.01-0.07 s direct,
# /work/prof/wmicro.py, 2026-12-05), and an import writes 1-2 GB that it never reads again.
# O_DIRECT needs the memory address, the file offset and the length aligned to the device's
# block size: data go through an aligned staging buffer, and the unaligned head and tail of
# each append are written buffered (they never share a block with a direct write).
ALIGN = 4096
DIRECT_MIN = 16 << 10  # smaller appends are written buffered: not worth a second syscall


def open_direct(path: str, access: int = os.O_WRONLY) -> int | None:
    """A descriptor of ``path`` for O_DIRECT I/O at explicit offsets (``access``: O_WRONLY or
    O_RDONLY), or None where the file system refuses O_DIRECT (then the I/O is buffered)."""
    flag = getattr(os, "O_DIRECT", 0)
    if not flag:
        return None
    try:
        return os.open(path, access | flag | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        if e.errno in (errno.EINVAL, errno.EOPNOTSUPP):
            return None
        raise


def aligned_empty(nbytes: int) -> np.ndarray:
    """An uninitialised uint8 array of ``nbytes`` starting at an ALIGN boundary."""
    raw = np.empty(nbytes + ALIGN, np.uint8)
    start = -raw.ctypes.data % ALIGN
    return raw[start : start + nbytes]


_local = threading.local()


def thread_staging() -> np.ndarray:
    """This thread's aligned staging buffer for O_DIRECT writes (1 MiB, made on first use, then
    reused)."""
    buf = getattr(_local, "staging", None)
    if buf is None:
        buf = _local.staging = aligned_empty(1 << 20)
    return buf


class AppendFile:
    """A new scratch file of an import (a spill, a bucket), appended to and read back once
    with ``read_direct`` after ``close``: neither direction fills the page cache.

    ``buffer_bytes`` (a multiple of ALIGN): appends gather in an aligned buffer written with one
    O_DIRECT request when full (many small appends, one request each, cost a VM exit each);
    0: each append is written at once (``append_direct``). The buffer is made at the first
    append and touched whole then: faulted in page by page as the file filled, the buffers of a
    spill showed as resident memory growing through the parse (12 MB over a 150 MB edge file
    with 16 MB of them), and a file never appended to costs none."""

    def __init__(self, path: str, buffer_bytes: int = 0) -> None:
        self.path = path
        # (scratch, not database state: no fault hook, as the Python files they replaced)
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL
                          | getattr(os, "O_CLOEXEC", 0), 0o644)
        self._written = 0  # bytes in the file (``size`` adds those in the buffer)
        self._buf: np.ndarray | None = None
        self._fill = 0
        try:
            self._direct = open_direct(path)
        except BaseException:
            close(self.fd)
            raise
        self._buffer_bytes = ((buffer_bytes // ALIGN * ALIGN or ALIGN)
                              if buffer_bytes and self._direct is not None else 0)

    @property
    def size(self) -> int:
        """Bytes appended so far (written or in the buffer)."""
        return self._written + self._fill

    def write(self, data) -> None:
        arr = np.frombuffer(_bytes_view(data), np.uint8)
        n = arr.nbytes
        if not n:
            return
        if not self._buffer_bytes:
            if not append_direct(self.fd, self._direct, arr, self._written, thread_staging(),
                                 hooked=False):
                self._close_direct()
            self._written += n
        else:
            if self._buf is None:
                self._buf = aligned_empty(self._buffer_bytes)
                self._buf.fill(0)
            buf, i = self._buf, 0
            while i < n:
                k = min(len(buf) - self._fill, n - i)
                buf[self._fill : self._fill + k] = arr[i : i + k]
                self._fill += k
                i += k
                if self._fill == len(buf):
                    self._flush()

    def _flush(self) -> None:
        """Write the buffer's bytes at the file's end: whole blocks direct, a tail buffered."""
        data, self._fill = self._buf[: self._fill], 0
        if not append_direct(self.fd, self._direct, data, self._written, thread_staging(),
                             hooked=False, aligned=True):
            self._close_direct()
        self._written += len(data)

    def _close_direct(self) -> None:
        if self._direct is not None:
            fd, self._direct = self._direct, None
            close(fd)

    def close(self) -> None:
        try:
            if self._buf is not None and self._fill and self.fd >= 0:
                self._flush()
        finally:
            self._buf = None
            self._buffer_bytes = 0
            self._close_direct()
            if self.fd >= 0:
                fd, self.fd = self.fd, -1
                close(fd)

    def __enter__(self) -> AppendFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def group_buffer_bytes(nfiles: int, total: int) -> int:
    """The ``AppendFile`` buffer of each of ``nfiles`` files written side by side, ``total``
    bytes among them: 16 KiB to 1 MiB, whole blocks."""
    return max(16 << 10, min(1 << 20, total // max(1, nfiles))) // ALIGN * ALIGN


def read_direct(path: str, dtype, start: int = 0, count: int | None = None) -> np.ndarray:
    """Items ``start … start+count`` (None: to the end) of a file written with ``AppendFile``,
    read around the page cache into a fresh array (buffered where O_DIRECT is refused)."""
    dtype = np.dtype(dtype)
    if count is None:
        count = os.path.getsize(path) // dtype.itemsize - start
    offset = start * dtype.itemsize
    need = count * dtype.itemsize
    first = offset // ALIGN * ALIGN  # O_DIRECT reads whole aligned blocks
    skip = offset - first
    buf = aligned_empty(-(-(skip + need) // ALIGN) * ALIGN)
    fd = open_direct(path, os.O_RDONLY)
    if fd is None:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        got = 0
        while got < skip + need:
            n = os.preadv(fd, [memoryview(buf)[got:]], first + got)
            if n == 0:
                raise OSError(f"{path}: unexpected end of file")
            got += n
    finally:
        os.close(fd)
    return buf[skip : skip + need].view(dtype)


def append_direct(fd: int, direct_fd: int | None, data: np.ndarray, pos: int,
                  staging: np.ndarray, *, hooked: bool = True, aligned: bool = False) -> bool:
    """Append the bytes of ``data`` (uint8) to the file open as ``fd`` (O_APPEND) whose end is
    ``pos``: the block-aligned middle through ``direct_fd`` (O_DIRECT, at explicit offsets,
    copied through the aligned ``staging`` array), the rest buffered. Returns False once
    ``direct_fd`` turned out unusable (the caller closes it and writes buffered from then on);
    the bytes are written either way. One operation for the fault hook (``hooked``), as one
    buffered write was. ``aligned``: ``data`` starts at an
    aligned address and ``pos`` is aligned: written from ``data`` itself, no staging copy."""
    if hooked:
        _check("write")
    n = data.nbytes
    head = min(n, -pos % ALIGN)
    end = head + (n - head) // ALIGN * ALIGN
    if direct_fd is None or (end - head < DIRECT_MIN and not aligned):
        _write_all(fd, data)
        return direct_fd is not None
    if head:
        _write_all(fd, data[:head])
    buf = staging
    done = head
    try:
        while done < end:
            if aligned and not head:
                k, buf = end - done, data[done:end]
            else:
                k = min(len(buf), end - done)
                buf[:k] = data[done : done + k]
            i = 0
            while i < k:  # (a short write of an aligned length stays aligned)
                written = os.pwrite(direct_fd, memoryview(buf)[i:k], pos + done)
                i += written
                done += written
    except OSError as e:
        if e.errno != errno.EINVAL:
            raise _named(e, fd) from None
        _write_all(fd, data[done:])  # the file system refused: the rest buffered (appended)
        return False
    if end < n:
        _write_all(fd, data[end:])
    return True


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
