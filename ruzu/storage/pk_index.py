"""The primary-key index of a node table, built with bounded memory.

Two forms, recorded in the table's manifest state under ``"index"``:

- ``sorted``: the key column itself is strictly increasing (ids in file order, the common case),
  so it *is* the index: ``lookup`` is a binary search, and when ``dense`` (key == first + offset)
  plain arithmetic. Nothing extra is written.
- ``hash``: keys are hashed (integers by a bijective mix, strings by two independent 64-bit
  hashes, UUIDs to two words that identify them) and split by the top ``bits`` of the hash
  into 2**bits partitions, each sized to fit the memory budget. Partitions are spilled to
  staging files (while the keys are parsed, see ``key_spill``), then sorted two at a time and
  written as ``h1`` (uint64), ``h2`` (uint64, strings and UUIDs only) and ``offsets`` (int64)
  files plus a directory ``dir`` of partition starts. Duplicates are adjacent after the sort.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

import numpy as np

from ..errors import CorruptDatabaseError
from ..tuning import INDEX_CHUNK_ROWS as CHUNK_ROWS
from ..tuning import INDEX_ENTRY_BYTES as ENTRY_BYTES
from ..tuning import INDEX_STRING_CHUNK_ROWS as STRING_CHUNK_ROWS
from ..tuning import SPILL_BUFFERS_BYTES
from ..types import LogicalType
from . import _kernels as K
from .checks import check_offsets, check_range
from .columns import read_chunk
from .files import FileSet
from .key_spill import KeySpill, load_partition
from .manifest import data_file_name
from .ordered_map import WORKERS, ordered_map
from .state import ColumnState, IndexState
from .transaction import Transaction


def hash_int_keys(keys: np.ndarray) -> np.ndarray:
    out = np.empty(len(keys), np.uint64)
    K._hash_ints(keys, out)
    return out


def hash_uuid_keys(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(h1, h2) of 16-byte UUID keys: h2 is the second 8 bytes, h1 a bijective mix of both,
    so the pair identifies the key exactly (no collisions to check)."""
    words = np.ascontiguousarray(keys).view(np.uint64).reshape(-1, 2)
    h2 = words[:, 1].copy()
    return hash_int_keys(words[:, 0] ^ hash_int_keys(h2)), h2


def hashed_in_pairs(key_type: LogicalType) -> bool:
    """Keys hashed to (h1, h2): STRING and UUID (integers are one bijective h1)."""
    return key_type is LogicalType.STRING or key_type is LogicalType.UUID


# Which string hash an index was built with, recorded in its state as "string_hash" (absent:
# version 1, the byte-at-a-time hash of indexes built before version 2). Every build uses the
# newest; lookups use the one the index records.
STRING_HASH_VERSION = 2
_STRING_HASHES = {1: K._hash_strings, 2: K._hash_strings_v2}


def string_hash_version(state: IndexState) -> int:
    return state.string_hash or 1


def hash_string_keys(offsets: np.ndarray, data: np.ndarray,
                     version: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of ``data[offsets[i]:offsets[i + 1]]`` (``version`` None: the newest)."""
    n = len(offsets) - 1
    h1 = np.empty(n, np.uint64)
    h2 = np.empty(n, np.uint64)
    _STRING_HASHES[version or STRING_HASH_VERSION](offsets, data, h1, h2)
    return h1, h2


# -- building ---------------------------------------------------------------------------------
@dataclass
class KeySource:
    """Reads the key column of a table in chunks, as hashes (h2 is zeros for integer keys)."""

    db_path: str
    key_type: LogicalType
    state: ColumnState  # of the key column
    num_rows: int

    def _path(self, file_id: int) -> str:
        return os.path.join(self.db_path, data_file_name(file_id))

    def chunks(self):
        step = STRING_CHUNK_ROWS if self.key_type is LogicalType.STRING else CHUNK_ROWS
        for start in range(0, self.num_rows, step):
            count = min(step, self.num_rows - start)
            if self.key_type is LogicalType.STRING:
                offs = read_chunk(self._path(self.state.offsets), np.int64, start, count + 1)
                base = int(offs[0])
                data = read_chunk(self._path(self.state.data), np.uint8, base,
                                  int(offs[-1]) - base)
                h1, h2 = hash_string_keys(offs - base, data)
            elif self.key_type is LogicalType.UUID:
                h1, h2 = hash_uuid_keys(read_chunk(self._path(self.state.data),
                                                   self.key_type.dtype, start, count))
            else:
                keys = read_chunk(self._path(self.state.data), self.key_type.dtype, start,
                                  count)
                h1 = hash_int_keys(keys)
                h2 = np.zeros(count, np.uint64)
            yield start, h1, h2


def partition_bits(num_rows: int, budget_bytes: int) -> int:
    per_partition = max(1, budget_bytes // ENTRY_BYTES)
    bits = 0
    while (num_rows >> bits) > per_partition and bits < 16:
        bits += 1
    return bits


def build_hash_index(
    txn: Transaction, source: KeySource, staging: str, budget_bytes: int,
    workers: int = WORKERS, spilled: KeySpill | None = None,
    spill_buffers: int = SPILL_BUFFERS_BYTES,
) -> tuple[IndexState, np.ndarray]:
    """Build the hash index over all rows of ``source``. Returns (state, duplicates) where
    duplicates is an int64[k, 2] array of (first offset, later offset) pairs.

    ``spilled``: the keys already spilled while they were parsed (``KeySpill``); used when it
    holds exactly the rows of ``source`` in partitions small enough for the budget, else
    discarded and the key column is read back. Partitions are sorted ``workers`` at a time
    (each sized for its share of the budget). ``spill_buffers``: the write buffers of a spill
    of the key column."""
    n = source.num_rows
    bits = partition_bits(n, budget_bytes // max(1, workers))
    if spilled is not None and (spilled.rows != n or spilled.bits < bits):
        spilled.discard()
        spilled = None
    if spilled is not None:
        bits = spilled.bits
    nparts = 1 << bits
    strings = hashed_in_pairs(source.key_type)
    state = IndexState("hash", bits=bits, h1=txn.new_file(),
                       h2=txn.new_file() if strings else None, offsets=txn.new_file(),
                       dir=txn.new_file(),
                       string_hash=(STRING_HASH_VERSION if source.key_type is LogicalType.STRING
                                    else None))
    dups: list[np.ndarray] = []
    if spilled is not None:
        parts = [functools.partial(load_partition, p, spilled.width) for p in spilled.finish()]
    elif bits == 0:
        parts = [_gather_all(source)]
    else:
        spill = KeySpill(staging, bits, strings, buffer_bytes=spill_buffers)
        try:
            for start, h1, h2 in source.chunks():
                spill.add(h1, h2 if strings else None, start)
            parts = [functools.partial(load_partition, p, spill.width) for p in spill.finish()]
        except BaseException:
            spill.discard()
            raise

    def sort_partition(part):
        h1, h2, offs = sort_by_hash(*(part() if callable(part) else part), bits)
        first = np.empty(len(h1), np.int64)
        dup = np.empty(len(h1), np.int64)
        k = K._find_duplicates(h1, h2, offs, first, dup)
        return h1, h2, offs, (np.stack([first[:k], dup[:k]], axis=1) if k else None)

    starts = np.zeros(nparts + 1, np.int64)
    written = 0
    for p, (h1, h2, offs, found) in enumerate(ordered_map(sort_partition, parts, workers)):
        if found is not None:
            dups.append(found)
        # (fresh arrays of the sort: handed to the write-behind thread without a copy)
        txn.appender(state.h1).append(h1, owned=True)
        if strings:
            txn.appender(state.h2).append(h2, owned=True)
        txn.appender(state.offsets).append(offs, owned=True)
        written += len(h1)
        starts[p + 1] = written
    txn.appender(state.dir).append(starts)
    found = np.concatenate(dups) if dups else np.empty((0, 2), np.int64)
    if len(found):
        found = found[np.argsort(found[:, 1], kind="stable")]
    return state, found


def start_key_spill(source: KeySource, staging: str, budget_bytes: int,
                    expected_rows: int, workers: int = WORKERS,
                    buffer_bytes: int = SPILL_BUFFERS_BYTES) -> KeySpill:
    """A ``KeySpill`` sized for about ``expected_rows`` keys in all (an estimate made during
    the parse; ``build_hash_index`` falls back if it was too low), holding the ``source`` rows
    stored so far."""
    bits = partition_bits(max(expected_rows, source.num_rows),
                          budget_bytes // max(1, workers))
    pairs = hashed_in_pairs(source.key_type)
    spill = KeySpill(staging, bits, pairs, buffer_bytes=buffer_bytes)
    try:
        for start, h1, h2 in source.chunks():
            spill.add(h1, h2 if pairs else None, start)
    except BaseException:
        spill.discard()
        raise
    return spill


def hash_keys(key_type: LogicalType, keys) -> tuple[np.ndarray, np.ndarray | None]:
    """Hashes of parsed keys as the index stores them: ``(offsets, bytes)`` for STRING, 16-byte
    values for UUID, the column's dtype for integers (h2 None)."""
    if key_type is LogicalType.STRING:
        return hash_string_keys(*keys)
    if key_type is LogicalType.UUID:
        return hash_uuid_keys(keys)
    return hash_int_keys(keys), None


def own_keys(key_type: LogicalType, keys) -> tuple[object, int]:
    """(a copy of a batch's parsed keys that outlives the parser's buffers, their count)."""
    if key_type is LogicalType.STRING:
        offs, data = keys
        return (offs.copy(), data[: offs[-1]].copy()), len(offs) - 1
    return keys.copy(), len(keys)


def sort_by_hash(h1: np.ndarray, h2: np.ndarray, offs: np.ndarray, skip_bits: int):
    """``(h1, h2, offs)`` stably sorted by ``(h1, h2)``; all ``h1`` share their top ``skip_bits``.
    A bucket pass plus insertion sorts (O(n): hashes are uniform); numpy's sort when a bucket
    overflows, which only many duplicate keys cause."""
    out = np.empty_like(h1), np.empty_like(h2), np.empty_like(offs)
    if K._sort_by_hash(h1, h2, offs, skip_bits, *out):
        return out
    del out
    order = np.lexsort((h2, h1))
    return h1[order], h2[order], offs[order]


def _gather_all(source: KeySource):
    h1s, h2s, offs = [], [], []
    for start, h1, h2 in source.chunks():
        h1s.append(h1)
        h2s.append(h2)
        offs.append(np.arange(start, start + len(h1), dtype=np.int64))
    if not h1s:
        return np.empty(0, np.uint64), np.empty(0, np.uint64), np.empty(0, np.int64)
    return np.concatenate(h1s), np.concatenate(h2s), np.concatenate(offs)


# -- reading -----------------------------------------------------------------------------------
class PrimaryKeyIndex:
    """Key → node offset for one node table (read side)."""

    def __init__(self, files: FileSet, state: IndexState, key_type: LogicalType, keys,
                 num_rows: int):
        self.state = state
        self.key_type = key_type
        self.keys = keys  # the key column (array or StringColumn)
        self.num_rows = num_rows
        if state.kind == "hash":
            nparts = 1 << state.bits
            self._dir = files.map(state.dir, np.int64, nparts + 1)
            self._h1 = files.map(state.h1, np.uint64, num_rows)
            self._h2 = (
                files.map(state.h2, np.uint64, num_rows) if state.h2 else None
            )
            self._offs = files.map(state.offsets, np.int64, num_rows)
            check_offsets(self._dir, num_rows, files.path(state.dir))
            check_range(self._offs, num_rows, files.path(state.offsets))
        elif state.kind == "sorted" and num_rows and (
                int(keys[0]) != state.first or int(keys[-1]) > state.last
                or (state.dense and int(keys[-1]) != state.first + num_rows - 1)):
            # (``last`` may lie beyond the keys: a partial import keeps a prefix of a batch)
            raise CorruptDatabaseError(
                f"{files.db_path}: the sorted key index says keys {state.first}…"
                f"{state.last}{' dense' if state.dense else ''}, the key column holds "
                f"{int(keys[0])}…{int(keys[-1])} (damaged manifest)")

    def lookup(self, key) -> int | None:
        if self.num_rows == 0:
            return None
        kind = self.state.kind
        if self.key_type is LogicalType.STRING:
            if not isinstance(key, str):
                return None
            raw = np.frombuffer(key.encode("utf-8"), np.uint8)
            h1, h2 = hash_string_keys(np.array([0, len(raw)], np.int64), raw,
                                      string_hash_version(self.state))
            return self._probe(h1[0], h2[0])
        if self.key_type is LogicalType.UUID:
            import uuid

            try:
                raw = (key if isinstance(key, uuid.UUID) else uuid.UUID(str(key))).bytes
            except ValueError:
                return None
            h1, h2 = hash_uuid_keys(np.frombuffer(raw, "V16"))
            return self._probe(h1[0], h2[0])
        try:
            key = int(key)
            lo, hi = self.key_type.int_range
        except (TypeError, ValueError):
            return None
        if not lo <= key <= hi:
            return None
        if kind == "sorted":
            first = self.state.first
            if self.state.dense:
                off = key - first
                return off if 0 <= off < self.num_rows else None
            arr = self.keys
            i = int(np.searchsorted(arr, np.array(key, dtype=arr.dtype)))
            return i if i < self.num_rows and int(arr[i]) == key else None
        h = hash_int_keys(np.array([key], dtype=self.key_type.dtype))
        return self._probe(h[0], np.uint64(0))

    def _probe(self, h1, h2) -> int | None:
        bits = self.state.bits
        p = 0 if bits == 0 else int(h1 >> np.uint64(64 - bits))
        lo, hi = int(self._dir[p]), int(self._dir[p + 1])
        seg = self._h1[lo:hi]
        i = int(np.searchsorted(seg, h1))
        while i < len(seg) and seg[i] == h1:
            if self._h2 is None or self._h2[lo + i] == h2:
                return int(self._offs[lo + i])
            i += 1
        return None



class KeyOrder:
    """Tracks whether integer keys arrive strictly increasing during an import (then the key
    column is the index: ``IndexState.sorted_keys``). String keys always use the hash index."""

    def __init__(self, old_index: IndexState, key_type: LogicalType) -> None:
        self.key_type = key_type
        self.sorted = (not hashed_in_pairs(key_type)  # STRING and UUID keys: hash index
                       and old_index.kind in ("empty", "sorted"))
        self.first = old_index.first
        self.last = old_index.last

    def observe(self, keys: np.ndarray | None) -> None:
        if not self.sorted or keys is None or not len(keys):
            return
        if self.key_type is LogicalType.UINT64:
            keys = keys.view(np.uint64)
        if self.last is None:
            self.first = int(keys[0])
            ok, last = K._is_strictly_increasing(keys[1:], keys[0])
        else:
            if int(keys[0]) <= self.last:
                self.sorted = False
                return
            ok, last = K._is_strictly_increasing(keys[1:], keys[0])
        self.sorted = bool(ok)
        self.last = int(last)
