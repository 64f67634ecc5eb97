"""The spill of the primary-key index build: ``(h1[, h2], offset)`` rows of every key, grouped
by hash partition into one staging file per partition, written on a background thread.

Endpoint resolution spills the keys of relationship endpoints the same way, unnumbered: rows
``(h1[, h2])`` and, in a *partition map* file, the partition of every row in row order (one
byte a row up to 256 partitions). The partitions keep row order, so the map is all it takes to
put their results back in row order (``resolve.ResultMerger``): 8 bytes a row fewer to write
and read back than a row number.

Two producers feed it the same way: the node import, batch by batch while the parse runs (the
keys are hashed while their bytes are still in the parser's buffers, and the grouping and the
writes overlap the parsing of the next batch on the other core), and ``build_hash_index``
reading a key column back (appends to a table, rebuilds after dropping duplicate rows).
Offsets must arrive in increasing order: duplicates are then found in row order.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..tuning import SPILL_BUFFERS_BYTES
from . import _kernels as K
from . import io

# Chunks handed to the writer thread and not written yet: bounds the memory it holds.
MAX_PENDING = 2


class KeySpill:
    def __init__(self, staging: str, bits: int, pairs: bool, prefix: str = "pk",
                 first: int = 0, numbered: bool = True,
                 buffer_bytes: int = SPILL_BUFFERS_BYTES) -> None:
        """``pairs``: keys hash to ``(h1, h2)`` (strings, UUIDs); else ``h1`` alone. Rows are
        numbered from ``first`` (node offsets from 0; edge ids for an endpoint spill); the
        number is the last column of a row when ``numbered``, else the spill writes the
        partition map ``map_path``. ``buffer_bytes``: the write buffers of all partitions."""
        self.bits = bits
        self.numbered = numbered
        self.width = (2 if pairs else 1) + (1 if numbered else 0)
        self.rows = first  # the number of the next row
        self.paths = [os.path.join(staging, f"{prefix}-{p:05d}.spill")
                      for p in range(1 << bits)]
        self.map_path = None if numbered else os.path.join(staging, f"{prefix}.map")
        self._files: list = []
        self._map: io.AppendFile | None = None
        buffer = io.group_buffer_bytes(len(self.paths), buffer_bytes)
        self._pool: ThreadPoolExecutor | None = None
        self._pending: deque = deque()
        try:
            for path in self.paths:
                self._files.append(io.AppendFile(path, buffer))
            if self.map_path is not None:
                self._map = io.AppendFile(self.map_path, 1 << 20)
        except BaseException:
            self._close()
            raise

    def add(self, h1: np.ndarray, h2: np.ndarray | None, first: int) -> None:
        """Spill the keys of rows ``first, first + 1, …`` (their hashes)."""
        self._submit(len(h1), first, _nbytes((h1, h2)), self._write, h1, h2, first)

    def add_keys(self, keys, count: int, hasher: Callable, first: int) -> None:
        """Spill ``count`` keys of rows ``first…``, hashed on the writer thread by
        ``hasher(keys) -> (h1, h2 or None)``: ``keys`` must not change afterwards (a copy of
        the parser's buffers; copying is ~10× cheaper than hashing 36-byte UUIDs)."""
        self._submit(count, first, _nbytes(keys), self._hash_and_write, keys, hasher, first)

    def _submit(self, count: int, first: int, nbytes: int, fn, *args) -> None:
        if first != self.rows:
            raise ValueError(f"key spill: rows {first}… added after {self.rows} rows")
        self.rows += count
        if not count:
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="ruzu-key-spill")
        while len(self._pending) >= MAX_PENDING:
            self._pending.popleft()[0].result()
        self._pending.append((self._pool.submit(fn, *args), nbytes))

    @property
    def queued_bytes(self) -> int:
        """Bytes of keys handed to the thread and not spilled yet (at most MAX_PENDING chunks:
        bounded, but they fill when the thread's core is busy)."""
        return sum(n for future, n in list(self._pending) if not future.done())

    def _hash_and_write(self, keys, hasher: Callable, first: int) -> None:
        h1, h2 = hasher(keys)
        self._write(h1, h2, first)

    def _write(self, h1: np.ndarray, h2: np.ndarray | None, first: int) -> None:
        bounds = np.empty((1 << self.bits) + 1, np.int64)
        rows = np.empty((len(h1), self.width), np.uint64)
        parts = np.empty(0 if self.numbered else len(h1), partition_dtype(1 << self.bits))
        K._partition_rows(h1, h1 if h2 is None else h2, first, self.numbered, self.bits,
                          bounds, rows, parts)
        for p in np.flatnonzero(np.diff(bounds)):
            self._files[p].write(rows[bounds[p] : bounds[p + 1]].data)
        if self._map is not None:
            self._map.write(parts.data)

    def finish(self) -> list[str]:
        """Wait for the writes and close the files; returns their paths, partition order."""
        try:
            while self._pending:
                self._pending.popleft()[0].result()
        finally:
            self._close()
        return self.paths

    def discard(self) -> None:
        """Stop and remove the staging files (the import failed or the spill cannot be used)."""
        try:
            for future, _ in self._pending:
                future.cancel()
            for future, _ in self._pending:
                if not future.cancelled():
                    future.exception()  # wait; the error, if any, is not this caller's
            self._pending.clear()
        finally:
            self._close()
            for path in [*self.paths, self.map_path]:
                try:
                    if path is not None:
                        os.unlink(path)
                except FileNotFoundError:
                    pass

    def _close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        for f in self._files:
            f.close()
        if self._map is not None:
            self._map.close()


def partition_dtype(nparts: int) -> np.dtype:
    """The type of a partition map's entries for ``nparts`` partitions."""
    for dtype in (np.uint8, np.uint16, np.uint32):
        if nparts <= 1 + int(np.iinfo(dtype).max):
            return np.dtype(dtype)
    raise ValueError(f"{nparts} partitions")


def _nbytes(keys) -> int:
    """Bytes of a chunk of keys: an array, or a tuple of arrays (string offsets and bytes)."""
    parts = keys if isinstance(keys, tuple) else (keys,)
    return sum(getattr(a, "nbytes", 0) for a in parts)


def load_partition(path: str, width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(h1, h2, offsets)`` of a whole partition file (h2 zeros for integer keys); the file is
    removed. Views into the rows, no copies: the sort writes fresh arrays anyway."""
    rows = io.read_direct(path, np.uint64).reshape(-1, width)
    os.unlink(path)
    h2 = rows[:, 1] if width == 3 else np.zeros(len(rows), np.uint64)
    return rows[:, 0], h2, rows.view(np.int64)[:, -1]
