"""A write transaction: stage file changes, then commit them with one manifest rename.

Existing data files are only ever appended to (their committed size is in the manifest, so a
rollback or the next open cuts any uncommitted tail); replaced structures (an index, a CSR) are
written to new files and the old ones retired after the commit.
"""

from __future__ import annotations

import os
import zlib

import numpy as np

from . import io
from .checksum import Update, updater
from .manifest import FileEntry, Manifest, data_file_name, write_manifest
from .writer import WriteBehind


class FileAppender:
    """Appends bytes to one data file, keeping its size and running checksum (``crc32``:
    the database's algorithm, see ``checksum.py``)."""

    def __init__(self, path: str, entry: FileEntry, *, create: bool,
                 writer: WriteBehind | None = None, update: Update = zlib.crc32) -> None:
        self.path = path
        self.writer = writer
        self.update = update
        self.initial = FileEntry(entry.size, entry.crc32)
        self.size = entry.size
        self.crc32 = entry.crc32
        self.unsynced = 0  # bytes written since the last (background) fdatasync
        self.fd = io.open_write(path, create=create)
        # the file's end, where the next write lands (``size`` counts the queued bytes too)
        self.written = os.fstat(self.fd).st_size
        try:  # the O_DIRECT descriptor of the write-behind thread's writes (None: refused)
            self._direct = io.open_direct(path)
        except BaseException:
            io.close(self.fd)
            raise

    def append(self, data, *, owned: bool = False) -> None:
        """Append the bytes of ``data``. ``owned``: the caller hands the array over and never
        changes it again (a fresh result, not a reused buffer), so the write-behind thread may
        write it as it is; otherwise it gets a copy."""
        arr = np.ascontiguousarray(data).view(np.uint8)  # raw bytes (datetime64 has no buffer)
        if arr.nbytes == 0:
            return
        if self.writer is not None and arr.nbytes <= self.writer.max_pending:
            # the caller may reuse its buffer right away: the writer gets its own copy
            self.writer.submit(self, arr if owned else arr.copy())
        else:  # (a write larger than the write-behind budget, e.g. one 50 MB field: no copy)
            if self.writer is not None:
                self.writer.drain()  # the queued appends of this file go first
            io.write_all(self.fd, arr)
            self.written += arr.nbytes
            self.crc32 = self.update(arr, self.crc32)
        self.size += arr.nbytes

    def write_out(self, data: np.ndarray, staging: np.ndarray) -> None:
        """Write queued bytes at the file's end (the write-behind thread): the aligned middle
        bypasses the page cache (see ``io.append_direct``)."""
        if not io.append_direct(self.fd, self._direct, data, self.written, staging):
            self._close_direct()
        self.written += data.nbytes

    def finish(self) -> FileEntry:
        io.fsync(self.fd)
        self.close()
        return FileEntry(self.size, self.crc32)

    def close(self) -> None:
        self._close_direct()
        if self.fd >= 0:
            fd, self.fd = self.fd, -1
            io.close(fd)

    def _close_direct(self) -> None:
        if self._direct is not None:
            fd, self._direct = self._direct, None
            io.close(fd)


class Transaction:
    def __init__(self, db_path: str, committed: Manifest) -> None:
        self.db_path = db_path
        self.committed = committed
        self.manifest = committed.copy()
        self._update = updater(self.manifest.file_checksum)
        self.manifest.generation += 1
        self._appenders: dict[int, FileAppender] = {}
        self._created: list[int] = []
        self._retired: set[int] = set()
        self.done = False
        self.durable = False  # the commit's directory fsync succeeded
        self._writer: WriteBehind | None = None

    def write_behind(self, max_pending: int) -> None:
        """From now on, appends are written by a background thread (see writer.py) holding at
        most ``max_pending`` bytes not yet written."""
        if self._writer is None:
            self._writer = WriteBehind(max_pending)
            for app in self._appenders.values():
                app.writer = self._writer

    @property
    def pending_write_bytes(self) -> int:
        """Bytes handed to the write-behind thread and not yet written."""
        return self._writer.pending_bytes if self._writer is not None else 0

    def drain(self) -> None:
        """Make every append so far visible in the files (before reading them back)."""
        if self._writer is not None:
            self._writer.drain()

    def _stop_writer(self) -> None:
        if self._writer is not None:
            writer, self._writer = self._writer, None
            writer.close()

    # -- files -------------------------------------------------------------------------------
    def path(self, file_id: int) -> str:
        return os.path.join(self.db_path, data_file_name(file_id))

    def new_file(self) -> int:
        file_id = self.manifest.next_file_id
        self.manifest.next_file_id += 1
        entry = FileEntry(0, 0)
        self.manifest.files[file_id] = entry
        self._created.append(file_id)
        self._appenders[file_id] = FileAppender(self.path(file_id), entry, create=True,
                                                writer=self._writer, update=self._update)
        return file_id

    def appender(self, file_id: int) -> FileAppender:
        app = self._appenders.get(file_id)
        if app is None:
            entry = self.manifest.files[file_id]
            app = FileAppender(self.path(file_id), entry, create=False, writer=self._writer,
                               update=self._update)
            self._appenders[file_id] = app
        return app

    def size(self, file_id: int) -> int:
        app = self._appenders.get(file_id)
        return app.size if app is not None else self.manifest.files[file_id].size

    def bytes_written(self) -> int:
        """Bytes this transaction appended to data files so far (for disk-full messages)."""
        return sum(max(0, app.size - app.initial.size) for app in self._appenders.values())

    def retire(self, file_id: int | None) -> None:
        """Drop a file from the database once this transaction commits."""
        if file_id is not None:
            self._retired.add(file_id)

    # -- outcome -----------------------------------------------------------------------------
    def commit(self) -> Manifest:
        try:
            self.drain()
        finally:
            self._stop_writer()
        for file_id, app in self._appenders.items():
            self.manifest.files[file_id] = app.finish()
        self._appenders.clear()
        for file_id in self._retired:
            self.manifest.files.pop(file_id, None)
        # write_manifest raises only before its rename (the commit point); a failing directory
        # fsync after it is reported as durable=False: the new generation stands either way
        durable = write_manifest(self.db_path, self.manifest)
        self.done = True
        self.durable = durable
        if not durable:
            # the rename may not survive a power loss, and the previous manifest names the
            # retired files: keep them (the next writable open removes them)
            return self.manifest
        for file_id in self._retired:
            try:
                io.remove(self.path(file_id))
            except OSError:
                pass  # unreferenced now; removed by the next writable open
        return self.manifest

    def rollback(self) -> None:
        self._stop_writer()
        for app in self._appenders.values():
            app.close()
        self._appenders.clear()
        self.done = True
        restore_files(self.db_path, self.committed)


def restore_files(db_path: str, manifest: Manifest) -> None:
    """Make the directory hold exactly the files of ``manifest``: cut uncommitted appends and
    remove every file it does not name (staging left by a failed or killed import)."""
    for file_id, entry in manifest.files.items():
        path = os.path.join(db_path, data_file_name(file_id))
        if os.path.getsize(path) > entry.size:
            io.truncate(path, entry.size)
    known = {data_file_name(f) for f in manifest.files}
    for name in os.listdir(db_path):
        if (name.endswith(".dat") and name not in known) or name.endswith(".tmp"):
            io.remove(os.path.join(db_path, name))
        elif name.startswith("staging-"):
            _remove_tree(os.path.join(db_path, name))


def _remove_tree(path: str) -> None:
    for root, dirs, files in os.walk(path, topdown=False):
        for f in files:
            io.remove(os.path.join(root, f))
        for d in dirs:
            os.rmdir(os.path.join(root, d))
    os.rmdir(path)



def compact_tail(app: FileAppender, start: int, item_bytes: int, keep_chunks) -> None:
    """Rewrite the uncommitted tail of ``app``'s file from byte ``start`` in place, keeping only
    the items that ``keep_chunks`` selects, then cut the file. ``keep_chunks(items, first)`` gets
    successive chunks of the tail (uint8 [k, item_bytes], starting at item ``first``) and returns
    the items to keep. Writing never overtakes reading, so this is safe in place."""
    if app.writer is not None:
        app.writer.drain()
    end = app.size
    fd = os.open(app.path, os.O_RDWR)
    try:
        read_at = write_at = start
        chunk_items = max(1, (4 << 20) // item_bytes)
        first = 0
        while read_at < end:
            nbytes = min(chunk_items * item_bytes, end - read_at)
            data = np.frombuffer(os.pread(fd, nbytes, read_at), np.uint8)
            kept = keep_chunks(data.reshape(-1, item_bytes), first)
            io.write_at(fd, np.ascontiguousarray(kept), write_at)
            write_at += kept.nbytes
            read_at += nbytes
            first += nbytes // item_bytes
    finally:
        os.close(fd)
    finish_rewrite(app, write_at)


def finish_rewrite(app: FileAppender, new_size: int) -> None:
    """After an in-place rewrite of the uncommitted tail: cut the file at ``new_size`` and
    recompute the running CRC from the committed prefix's CRC."""
    io.truncate(app.path, new_size)
    crc = app.initial.crc32
    pos = app.initial.size
    with open(app.path, "rb") as f:
        f.seek(pos)
        while pos < new_size:
            block = f.read(min(8 << 20, new_size - pos))
            crc = app.update(block, crc)
            pos += len(block)
    app.size = app.written = new_size
    app.crc32 = crc
