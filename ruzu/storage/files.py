"""Where a database's data files are read from, checked before their bytes are trusted.

A read-only open *pins* its generation: it opens every data file the manifest names once, at
open time, and maps from those descriptors. A writer that commits later and retires files
(an index or CSR it rebuilt, a dropped table) unlinks only names; the pinned reader keeps
reading the generation it opened. A writable open reads by path.

Every file is checked on its first mapping: the range mapped must lie inside the committed
size, and the committed bytes must match the checksum the manifest recorded at commit (one
sequential read, ~2.5 GB/s; a file appended to since is checked again). A mismatch is a
``CorruptDatabaseError`` naming the file, never a segfault or a wrong row.
"""

from __future__ import annotations

import os
import threading

import numpy as np

from ..errors import CorruptDatabaseError
from . import io
from .checksum import CRC32, LABELS, updater
from .manifest import FileEntry, Manifest, data_file_name

_CRC_BLOCK = 8 << 20


class FileSet:
    def __init__(self, db_path: str, pin: Manifest | None = None, *,
                 manifest: Manifest | None = None) -> None:
        self.db_path = db_path
        self.manifest = manifest if manifest is not None else pin
        self._pinned: dict = {}
        self._verified: dict[int, FileEntry] = {}
        self._verify_lock = threading.Lock()
        if pin is not None:
            try:
                for file_id in pin.files:
                    self._pinned[file_id] = open(self.path(file_id), "rb")  # noqa: SIM115
            except FileNotFoundError as e:
                self.close()
                raise CorruptDatabaseError(f"{e.filename}: data file missing") from None
            except OSError as e:
                self.close()
                raise CorruptDatabaseError(
                    f"{e.filename}: data file cannot be opened ({e.strerror})") from None

    def path(self, file_id: int) -> str:
        return os.path.join(self.db_path, data_file_name(file_id))

    def entry(self, file_id) -> FileEntry:
        """The committed size and CRC of a file the table state names."""
        entry = None
        if self.manifest is not None and isinstance(file_id, int):
            entry = self.manifest.files.get(file_id)
        if entry is None:
            raise CorruptDatabaseError(
                f"{self.db_path}: the manifest's table state names data file {file_id!r}, "
                "which the manifest does not list (damaged manifest)"
            )
        return entry

    def expect_size(self, file_id: int, nbytes: int, what: str) -> None:
        """The committed size of ``file_id`` must be exactly ``nbytes`` (what the table state
        implies); anything else means the manifest and the files disagree."""
        size = self.entry(file_id).size
        if size != nbytes:
            raise CorruptDatabaseError(
                f"{self.path(file_id)}: {what} should hold {nbytes} bytes, the manifest "
                f"commits {size} (damaged manifest)"
            )

    def map(self, file_id: int, dtype, count: int, offset_items: int = 0) -> np.ndarray:
        """A read-only memmap of ``count`` items of ``dtype`` (empty when count is 0), after
        checking the range lies inside the committed bytes and those match their checksum."""
        dtype = np.dtype(dtype)
        if count == 0:
            return np.empty(0, dtype)
        entry = self.entry(file_id) if self.manifest is not None else None
        if entry is not None:
            end = (offset_items + count) * dtype.itemsize
            if count < 0 or offset_items < 0 or end > entry.size:
                raise CorruptDatabaseError(
                    f"{self.path(file_id)}: reading bytes up to {end} but the manifest commits "
                    f"{entry.size} (damaged manifest)"
                )
            self.verify(file_id)
        return np.memmap(self._pinned.get(file_id) or self.path(file_id), dtype=dtype,
                         mode="r", offset=offset_items * dtype.itemsize, shape=(count,))

    def verify(self, file_id: int, *, direct: bool = False) -> None:
        """Check the committed bytes of one file against the manifest's checksum (once per
        committed state of the file). ``direct``: read around the page cache (an import checks
        what it reads back with ``io.read_direct``; a query maps what it checks)."""
        entry = self.entry(file_id)
        if self._verified.get(file_id) == entry:
            return
        with self._verify_lock:
            if self._verified.get(file_id) == entry:
                return
            check_crc(self.path(file_id), entry, self._pinned.get(file_id),
                      self.manifest.file_checksum, direct=direct)
            self._verified[file_id] = FileEntry(entry.size, entry.crc32)

    def close(self) -> None:
        for f in self._pinned.values():
            f.close()
        self._pinned.clear()


def check_crc(path: str, entry: FileEntry, pinned=None, algorithm: str = CRC32, *,
              direct: bool = False) -> None:
    """Raise CorruptDatabaseError unless the first ``entry.size`` bytes of the file (read from
    the pinned descriptor when given) have checksum ``entry.crc32`` (``algorithm``).
    ``direct``: with O_DIRECT where the file system allows it (not the page cache)."""
    update = updater(algorithm)
    crc = 0
    pos = 0
    buf = None
    try:
        if pinned is not None:
            fd = pinned.fileno()
        else:
            fd = io.open_direct(path, os.O_RDONLY) if direct else None
            if fd is not None:
                buf = io.aligned_empty(_CRC_BLOCK)
            else:
                fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        raise CorruptDatabaseError(f"{path}: data file missing") from None
    except OSError as e:
        raise CorruptDatabaseError(f"{path}: data file cannot be opened ({e.strerror})") from None
    try:
        while pos < entry.size:
            if buf is not None:  # whole blocks; the last read stops at the end of the file
                got = os.preadv(fd, [buf], pos)
                block = buf[: min(got, entry.size - pos)]
            else:
                block = os.pread(fd, min(_CRC_BLOCK, entry.size - pos), pos)
            if not len(block):
                break
            crc = update(block, crc)
            pos += len(block)
    except OSError as e:
        raise CorruptDatabaseError(
            f"{path}: read error at byte {pos} ({e.strerror}): the file or disk is damaged"
        ) from None
    finally:
        if pinned is None:
            os.close(fd)
    if pos < entry.size:
        raise CorruptDatabaseError(
            f"{path}: data file truncated ({pos} bytes, manifest says {entry.size})")
    if crc != entry.crc32:
        raise CorruptDatabaseError(
            f"{path}: checksum mismatch in bytes 0…{entry.size} ({LABELS[algorithm]} {crc:08x}, "
            f"the manifest recorded {entry.crc32:08x} at commit): the file is damaged"
        )
