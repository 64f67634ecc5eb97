"""Streaming input: a fixed-size byte buffer refilled with ``readinto``; never maps the file.

The buffer holds ``buf[pos:n]`` unparsed bytes; ``line`` is the line number at ``pos`` and
``offset`` the file offset of ``buf[0]``. A record longer than the buffer makes it grow (up to
``max_record_bytes``), so very long fields are read whole but still within a known bound; once
such a record is consumed the buffer shrinks back to its normal size.
"""

from __future__ import annotations

import io
import os
import stat

import numpy as np

from ..errors import CsvError, InputChangedError
from ..tuning import READ_AHEAD_BYTES, READ_BUFFER_BYTES
from .sources import (
    DECOMPRESS_ERRORS,
    compressed_position,
    estimated_size,
    input_size,
    open_binary,
)

BOM = b"\xef\xbb\xbf"


def max_record_bytes(memory_limit: int) -> int:
    """The longest record an import reads whole: 3/8 of its ``memory_limit`` (60 MB at the
    default 160 MB). Such a record is parsed as a batch of its own (ruzu/csv/parser.py); with
    its copy in the parse buffer and its parsed elements (composite_batch.py) the whole process
    stays below 500 MB at the default."""
    return memory_limit * 3 // 8


class CsvSource:
    @classmethod
    def for_config(cls, path: str, cfg) -> CsvSource:
        """A source with the read buffer and record limit that ``cfg.memory_limit`` allows."""
        return cls(path, min(READ_BUFFER_BYTES, cfg.memory_limit // 16),
                   max_record_bytes=max_record_bytes(cfg.memory_limit))

    def __init__(self, path: str, buffer_bytes: int, max_record_bytes: int) -> None:
        self.path = os.fspath(path)
        try:
            self._file = open_binary(self.path, unbuffered=True, native=True)  # closed in close()
        except FileNotFoundError:
            raise CsvError(f"{self.path}: file not found", path=self.path) from None
        except IsADirectoryError:
            raise CsvError(f"{self.path}: is a directory, not a CSV file", path=self.path) from None
        except OSError as e:
            raise CsvError(f"{self.path}: cannot be opened ({e.strerror})", path=self.path,
                           reason=str(e.strerror)) from None
        except ValueError:  # a NUL byte in the path
            raise CsvError(f"{self.path!r}: not a valid file name (it contains a NUL byte)",
                           path=self.path) from None
        self.size = input_size(self.path)
        self._stat = os.stat(self.path) if os.path.isfile(self.path) else None
        self.size_bound = self.size  # bytes the input can hold at most (edge-id width)
        compressed = not isinstance(self._file, io.FileIO)
        self._compressed = compressed
        # a regular file is read ahead by the kernel while the buffer is parsed (see fill)
        self._advised = 0 if (not compressed and self._stat is not None
                              and stat.S_ISREG(self._stat.st_mode)
                              and hasattr(os, "posix_fadvise")) else None
        self.buf = np.empty(buffer_bytes, np.uint8)
        self._normal_bytes = buffer_bytes
        self.max_record_bytes = max(max_record_bytes, buffer_bytes)
        self.n = 0
        self.pos = 0
        self.offset = 0  # file offset of buf[0]
        self.line = 1
        self.eof = False
        self.bytes_read = 0
        self.fill()
        if compressed:  # sizes are of the decompressed bytes, estimated from the first read
            self.size_bound = 1 << 62
            self.size = estimated_size(self.path, self.size, self.n, self.eof,
                                       compressed_position(self._file))
        if self.n >= 3 and bytes(self.buf[:3]) == BOM:
            self.pos = 3

    @property
    def native(self):
        """The nested columns of an Arrow input as Arrow arrays (arrow_values.NativeColumns),
        or None."""
        return getattr(self._file, "native", None)

    @property
    def file_pos(self) -> int:
        """File offset of the next unparsed byte."""
        return self.offset + self.pos

    def advance(self, consumed: int, lines: int) -> None:
        self.pos += consumed
        self.line += lines

    def fill(self) -> None:
        """Move the unparsed tail to the front and read more after it."""
        if self.eof:
            return
        tail = self.n - self.pos
        if self.pos:
            self.buf[:tail] = self.buf[self.pos : self.n]
            self.offset += self.pos
            self.pos = 0
        self.n = tail
        if self.n == len(self.buf):
            self._grow()
        if self._advised is not None:
            self._read_ahead()
        elif len(self.buf) > self._normal_bytes and tail <= self._normal_bytes // 2:
            self._shrink()
        view = memoryview(self.buf)[self.n :]
        while len(view) and not self.eof:
            try:
                got = self._file.readinto(view)
            except DECOMPRESS_ERRORS as e:
                raise CsvError(f"{self.path}: cannot decompress ({e})", path=self.path,
                               reason="corrupt compressed data") from None
            except OSError as e:
                raise CsvError(f"{self.path}: read error at byte {self.offset + self.n:,} "
                               f"({e.strerror})", path=self.path, reason=str(e.strerror)) from None
            if not got:
                self.eof = True
                self._check_unchanged()
                break
            self.n += got
            self.bytes_read += got
            view = view[got:]

    def _read_ahead(self) -> None:
        """Ask the kernel to read the next READ_AHEAD_BYTES of the file into the page cache in
        the background (POSIX_FADV_WILLNEED), so a file not cached is read from the disk
        while the buffer before it is parsed, not between buffers. (1 GB UUID node file
        evicted from the page cache: see the commit for the figures.)"""
        want = self.bytes_read + READ_AHEAD_BYTES
        if want - self._advised < READ_AHEAD_BYTES // 2:
            return
        start = max(self._advised, self.bytes_read)
        try:
            os.posix_fadvise(self._file.fileno(), start, want - start, os.POSIX_FADV_WILLNEED)
        except OSError:
            self._advised = None  # advice is optional: never an error
            return
        self._advised = want

    def _check_unchanged(self) -> None:
        """At the end of a regular file: it must still be the file that was opened, whole.
        A file that shrank, grew or was rewritten while being read would otherwise import as
        a silent part of itself (issue 15: 1,500,000 of 3,000,000 rows committed)."""
        if self._stat is None or not stat.S_ISREG(self._stat.st_mode):
            return
        try:
            now = os.stat(self.path)
        except OSError:
            return  # removed meanwhile: what was read is the whole file the descriptor held
        before = self._stat
        if (now.st_size, now.st_mtime_ns) != (before.st_size, before.st_mtime_ns) \
                or (not self._compressed and self.bytes_read != now.st_size):
            raise InputChangedError(
                f"{self.path}: the file changed while it was being read (size {before.st_size:,}"
                f" → {now.st_size:,} bytes, {self.bytes_read:,} read); nothing "
                "was imported from it — import it again once it is complete",
                path=self.path, reason="input changed while being read",
            )

    def _grow(self) -> None:
        if len(self.buf) >= self.max_record_bytes:
            raise CsvError(
                f"{self.path}:{self.line}: record longer than the {self.max_record_bytes:,}-byte "
                "limit (an unterminated quote? else raise memory_limit: a record may take 3/8 "
                "of it)",
                path=self.path,
                line=self.line,
                reason="record too long",
            )
        bigger = np.empty(min(len(self.buf) * 2, self.max_record_bytes), np.uint8)
        bigger[: self.n] = self.buf[: self.n]
        self.buf = bigger

    def _shrink(self) -> None:
        """Back to the normal buffer once a long record is consumed (its pages are freed)."""
        smaller = np.empty(self._normal_bytes, np.uint8)
        smaller[: self.n] = self.buf[: self.n]
        self.buf = smaller

    def need_more(self) -> None:
        """The kernel consumed every complete record: read on (growing if nothing fit)."""
        before = self.n - self.pos
        if self.pos == 0 and self.n == len(self.buf):
            self._grow()
        self.fill()
        if not self.eof and self.n - self.pos == before and before == len(self.buf):
            self._grow()

    def text(self, start: int, end: int, limit: int = 200) -> str:
        """Buffer bytes ``start:end`` as text for messages (truncated, undecodable escaped)."""
        raw = bytes(self.buf[start : min(end, start + limit)])
        text = raw.decode("utf-8", "backslashreplace").rstrip("\r\n")
        return text + ("…" if end - start > limit else "")

    def record_text(self, start: int, limit: int = 200) -> str:
        """The record starting at buffer position ``start`` up to its first line end."""
        end = min(self.n, start + limit)
        chunk = bytes(self.buf[start:end])
        cut = len(chunk)
        for nl in (b"\n", b"\r"):
            i = chunk.find(nl)
            if i != -1:
                cut = min(cut, i)
        return chunk[:cut].decode("utf-8", "backslashreplace") + ("…" if cut == limit else "")

    def close(self) -> None:
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
