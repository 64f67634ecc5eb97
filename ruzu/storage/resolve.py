"""Resolving relationship endpoint keys to node offsets with bounded memory.

Three ways, chosen per endpoint table from its index and the memory budget:

- ``dense``: keys are ``first + offset`` (ids in file order): arithmetic, no I/O.
- ``memory``: the lookup structure fits the budget (the sorted key column, or the hash index's
  globally sorted h1 array with h2 and offsets) and is loaded once; batches resolve with one
  vectorised ``searchsorted``.
- ``partitioned``: too large to load. Keys are spilled into P partition files (hash
  partitions of the index, or key ranges of a sorted key column), in edge-id order within each,
  and the partition of every edge into a *partition map* (one byte an edge); each partition is
  then resolved against its own slice of the index, so only one slice is in memory at a time.
  Its offsets are written in the order of its keys, and ``ResultMerger`` puts them back in
  edge-id order with the map. No edge id is written or read: 1 GB of random-key edges spilled
  and read back 16 bytes an endpoint of (h1, edge id) and wrote and read 16 bytes of (edge id,
  offset); now 8 + 1 and 4 (int32 offsets).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from ..tuning import RESOLVE_BYTES_PER_EDGE, SPILL_BUFFERS_BYTES
from ..tuning import RESOLVE_BYTES_PER_ENTRY as BYTES_PER_ENTRY
from ..types import LogicalType
from . import _kernels as K
from . import io
from .columns import read_chunk
from .csr import index_dtype
from .key_spill import KeySpill, partition_dtype
from .manifest import data_file_name
from .ordered_map import WORKERS, ordered_map
from .pk_index import (
    hash_int_keys,
    hash_string_keys,
    hash_uuid_keys,
    hashed_in_pairs,
    own_keys,
    string_hash_version,
)
from .state import NodeTableState

MISSING = -1
READERS = 4  # reads of partition files in flight while results are merged


@dataclass
class ResolvedFiles:
    """Where the offsets of an endpoint's edges are, once resolved: ``parts[p]`` holds those of
    partition p (``dtype``, in edge-id order; None: no edge went there) and ``map_path`` the
    partition of every edge in edge-id order; without a map, ``parts`` is one file of every
    edge's offset."""

    parts: list[str | None]
    map_path: str | None
    dtype: np.dtype


class EndpointResolver:
    def __init__(self, db_path: str, node_state: NodeTableState, primary_key: str,
                 key_type: LogicalType, budget: int, staging: str, name: str, table_name: str = "",
                 share: EndpointResolver | None = None,
                 spill_buffers: int = SPILL_BUFFERS_BYTES) -> None:
        """``share``: the resolver of the other endpoint when both ends are the same node table;
        a lookup structure it loaded is used again instead of being loaded twice.
        ``spill_buffers``: the write buffers of the spilled keys' partition files."""
        self.db_path = db_path
        self.budget = budget
        self.spill_buffers = spill_buffers
        self.name_of_table = table_name
        self.key_type = key_type
        self.index = node_state.index
        self.num_rows = node_state.num_rows
        self._pk_data = node_state.columns[primary_key].data
        self.staging = staging
        self.name = name
        kind = self.index.kind
        strings = hashed_in_pairs(key_type)
        per_entry = BYTES_PER_ENTRY + (8 if strings else 0)
        if kind == "empty" or self.num_rows == 0:
            self.mode = "empty"
        elif kind == "sorted" and self.index.dense:
            self.mode = "dense"
        elif self.num_rows * per_entry <= budget:
            self.mode = "memory"
            if share is not None and share.mode == "memory":
                self.__dict__.update({k: v for k, v in share.__dict__.items()
                                      if k in ("_keys", "_h1", "_h2", "_offs")})
            else:
                self._load_all()
        else:
            self.mode = "partitioned"
            self._setup_partitions(budget, per_entry)

    def _path(self, file_id: int) -> str:
        return os.path.join(self.db_path, data_file_name(file_id))

    # -- hashing of batch keys -----------------------------------------------------------------
    def _hashes(self, keys) -> tuple[np.ndarray, np.ndarray | None]:
        if self.key_type is LogicalType.STRING:
            offs, data = keys
            return hash_string_keys(offs, data, string_hash_version(self.index))
        if self.key_type is LogicalType.UUID:
            return hash_uuid_keys(keys)
        return hash_int_keys(keys.astype(self.key_type.dtype)), None

    # -- in memory -----------------------------------------------------------------------------
    def _load_all(self) -> None:
        n = self.num_rows
        if self.index.kind == "sorted":
            pk_file = self._pk_file()
            self._keys = io.read_direct(self._path(pk_file), self.key_type.dtype, 0, n)
            return
        self._h1 = HashDirectory(io.read_direct(self._path(self.index.h1), np.uint64, 0, n))
        self._h2 = (io.read_direct(self._path(self.index.h2), np.uint64, 0, n)
                    if self.index.h2 else None)
        self._offs = io.read_direct(self._path(self.index.offsets), np.int64, 0, n)

    def _pk_file(self) -> int:
        return self._pk_data

    @property
    def result_dtype(self) -> np.dtype:
        """The type resolved offsets are written with (MISSING included)."""
        return index_dtype(self.num_rows)

    def resolve(self, keys) -> np.ndarray | None:
        """Offsets of a batch of keys (MISSING where absent); None in partitioned mode."""
        if self.mode == "partitioned":
            return None
        if self.mode == "empty":
            n = len(keys[0]) - 1 if isinstance(keys, tuple) else len(keys)
            return np.full(n, MISSING, np.int64)
        if self.mode == "dense":
            k = keys.astype(np.int64) if self.key_type is not LogicalType.UINT64 else keys
            first = self.index.first
            if self.key_type is LogicalType.UINT64:
                k = keys.view(np.uint64)
                off = k.astype(np.int64) - np.int64(first) if first < 2**63 else None
                if off is None:
                    off = (k - np.uint64(first)).astype(np.int64)
            else:
                off = k - first
            off = off.astype(np.int64, copy=False)
            off[(off < 0) | (off >= self.num_rows)] = MISSING
            return off
        if self.index.kind == "sorted":
            k = keys.view(np.uint64) if self.key_type is LogicalType.UINT64 else keys
            return _search(self._keys, k.astype(self._keys.dtype, copy=False), None, None,
                           np.arange(self.num_rows, dtype=np.int64))
        h1, h2 = self._hashes(keys)
        return _search(self._h1, h1, self._h2, h2, self._offs)

    # -- partitioned ---------------------------------------------------------------------------
    def _setup_partitions(self, budget: int, per_entry: int) -> None:
        n = self.num_rows
        if self.index.kind == "hash":  # (the directory is read when the spill is resolved)
            self.bits = self.index.bits
            self.nparts = 1 << self.bits
            # index partitions were sized for the index build; they fit here too.
            # (h1[, h2]) rows are grouped on a background thread: KeySpill
            self._hash_spill: KeySpill | None = None
            return
        self.nparts = max(2, -(-n * per_entry // budget))
        cuts = np.linspace(0, n, self.nparts + 1).astype(np.int64)
        self._cuts = cuts
        pk = self._path(self._pk_file())
        self._bounds = np.array(
            [read_chunk(pk, self.key_type.dtype, int(c), 1)[0] for c in cuts[1:-1]],
            dtype=self.key_type.dtype,
        )
        self._spills = []
        buffer = io.group_buffer_bytes(self.nparts, self.spill_buffers)
        for p in range(self.nparts):  # one by one, so close() can close those opened so far
            name = os.path.join(self.staging, f"ep-{self.name}-{p:05d}.spill")
            self._spills.append(io.AppendFile(name, buffer))
        self._map = io.AppendFile(os.path.join(self.staging, f"ep-{self.name}.map"), 1 << 20)

    @property
    def queued_bytes(self) -> int:
        """Bytes of keys waiting for the spill's thread (see ``KeySpill.queued_bytes``)."""
        spill = getattr(self, "_hash_spill", None)
        return spill.queued_bytes if spill is not None else 0

    def spill(self, keys, first_eid: int) -> None:
        """Partitioned mode: remember the keys of edges ``first_eid…`` (their hashes, or the
        keys themselves for a sorted key column) by partition, and each edge's partition."""
        if self.index.kind == "hash":  # hashed and grouped on the spill's thread
            if self._hash_spill is None:
                self._hash_spill = KeySpill(self.staging, self.bits, self.index.h2 is not None,
                                            prefix=f"ep-{self.name}", first=first_eid,
                                            numbered=False, buffer_bytes=self.spill_buffers)
            owned, count = own_keys(self.key_type, keys)
            self._hash_spill.add_keys(owned, count, self._hashes, first_eid)
            return
        k = keys.view(np.uint64) if self.key_type is LogicalType.UINT64 else keys
        k = k.astype(self.key_type.dtype, copy=False)
        part = np.searchsorted(self._bounds, k, side="right")
        words = k.view(np.uint64) if k.dtype.itemsize == 8 else k.astype(np.int64).view(np.uint64)
        # a counting sort by partition (np.argsort here took 0.31 s of a 3.6 s import of 6.7 M
        # random-key edges)
        bounds = np.empty(self.nparts + 1, np.int64)
        order = np.empty(len(part), np.int64)
        K._order_by_part(part.astype(np.int64, copy=False), bounds, order)
        grouped = words[order]
        for p in range(self.nparts):
            if bounds[p + 1] > bounds[p]:
                self._spills[p].write(grouped[bounds[p] : bounds[p + 1]])
        self._map.write(part.astype(partition_dtype(self.nparts)))

    def close(self) -> None:
        """Close the spill files (they live in the import's staging directory) and drop the
        loaded lookup arrays, so the CSR build that follows has their memory."""
        for f in getattr(self, "_spills", ()):
            f.close()
        if getattr(self, "_map", None) is not None:
            self._map.close()
        if getattr(self, "_hash_spill", None) is not None:
            self._hash_spill.discard()  # (after resolve_partitions: its files are gone)
            self._hash_spill = None
        for name in ("_keys", "_h1", "_h2", "_offs"):
            self.__dict__.pop(name, None)

    def resolve_partitions(self, also: EndpointResolver | None = None) -> list[ResolvedFiles]:
        """Resolve every spilled partition; returns, per endpoint, the files of the offsets
        (``ResolvedFiles``). Partitions are resolved two at a time when two index slices fit the
        budget (``ordered_map``); each partition's edges stream past its slice in chunks.

        ``also``: the other endpoint's resolver when both ends are this node table and both
        spilled (``can_share_slices``): its partition p is resolved against the same loaded
        slice p, so every slice is read and given its directory once, not twice (random 1 GB
        edges: 427 MB of slice reads and 0.14 s of directory builds saved). The result is then
        ``[this endpoint's files, also's files]``."""
        if self.index.kind == "hash":
            self._dir = read_chunk(self._path(self.index.dir), np.int64, 0, self.nparts + 1)
        ends = [self] if also is None else [self, also]
        words = 2 if (self.index.kind == "hash" and self.index.h2) else 1  # a spilled row's
        spills = [end._spill_files() for end in ends]
        workers = WORKERS if WORKERS * self._largest_slice_bytes(words) <= self.budget else 1
        chunk_rows = max(4096, self.budget // (RESOLVE_BYTES_PER_EDGE * workers))
        dtype = self.result_dtype

        def resolve_one(p: int) -> list[str]:
            lookup = None
            outs = []
            for end, files in zip(ends, spills, strict=True):
                spill = files[p]
                out = os.path.join(end.staging, f"ep-{end.name}-{p:05d}.resolved")
                total = os.path.getsize(spill) // (8 * words) if spill else 0
                if not total:
                    outs.append(None)
                    continue
                if lookup is None:
                    lookup = self._load_slice(p, words)
                with io.AppendFile(out, 1 << 20) as sink:
                    for start in range(0, total, chunk_rows):
                        count = min(chunk_rows, total - start)
                        rows = io.read_direct(spill, np.uint64, start * words,
                                              count * words).reshape(-1, words)
                        sink.write(lookup(rows).astype(dtype))
                os.unlink(spill)
                outs.append(out)
            return outs

        done = list(ordered_map(resolve_one, range(self.nparts), workers))
        return [ResolvedFiles([outs[i] for outs in done], end._map_path(), dtype)
                for i, end in enumerate(ends)]

    def _map_path(self) -> str | None:
        if self.index.kind == "hash":  # (no spill: no rows)
            return self._hash_spill.map_path if self._hash_spill is not None else None
        return self._map.path

    def can_share_slices(self, other: EndpointResolver) -> bool:
        """Both ends spilled against the same partitions of one node table's index."""
        if self.mode != "partitioned" or other.mode != "partitioned":
            return False
        if self.db_path != other.db_path or self.index != other.index:
            return False
        if self.nparts != other.nparts or self.key_type is not other.key_type:
            return False
        return self.index.kind == "hash" or np.array_equal(self._cuts, other._cuts)

    def _spill_files(self) -> list[str | None]:
        if self.index.kind == "hash":
            return (self._hash_spill.finish() if self._hash_spill is not None
                    else [None] * self.nparts)
        for f in [*self._spills, self._map]:
            f.close()
        return [f.path for f in self._spills]

    def _largest_slice_bytes(self, words: int) -> int:
        """Bytes of the largest index slice ``_load_slice`` loads (keys, offsets, directory)."""
        if self.index.kind == "hash":
            rows = int(np.diff(self._dir).max()) if len(self._dir) > 1 else 0
            return rows * (8 * (words + 1) + 2)
        return int(np.diff(self._cuts).max()) * 24

    def _load_slice(self, p: int, words: int):
        """Load partition ``p`` of the index; return a function resolving spilled rows
        (``words`` columns: h1[, h2] or the key)."""
        if self.index.kind == "hash":
            lo, hi = int(self._dir[p]), int(self._dir[p + 1])
            h1 = HashDirectory(io.read_direct(self._path(self.index.h1), np.uint64, lo, hi - lo),
                               p, self.bits)
            offs = io.read_direct(self._path(self.index.offsets), np.int64, lo, hi - lo)
            h2 = (io.read_direct(self._path(self.index.h2), np.uint64, lo, hi - lo)
                  if words == 2 else None)
            return lambda rows: _search(h1, rows[:, 0], h2, rows[:, 1] if words == 2 else None,
                                        offs)
        lo, hi = int(self._cuts[p]), int(self._cuts[p + 1])
        keys = io.read_direct(self._path(self._pk_file()), self.key_type.dtype, lo, hi - lo)
        offsets = np.arange(lo, hi, dtype=np.int64)

        def lookup(rows):
            wanted = rows[:, 0]
            if self.key_type.dtype.itemsize == 8:
                wanted = wanted.view(self.key_type.dtype)
            else:
                wanted = wanted.view(np.int64).astype(self.key_type.dtype)
            return _search(keys, wanted, None, None, offsets)

        return lookup


class HashDirectory:
    """Sorted hashes in [lo, lo + 2**(64 - bits)) with a directory of about one entry per
    four keys, for fast searches (see ``_search_radix``)."""

    def __init__(self, hashes: np.ndarray, partition: int = 0, bits: int = 0) -> None:
        self.keys = hashes
        width = 64 - bits
        self.lo = np.uint64(partition << width if bits else 0)
        dir_bits = max(1, min(width, max(1, len(hashes) // 4).bit_length()))
        self.shift = np.uint64(width - dir_bits)
        self.directory = np.empty((1 << dir_bits) + 1, np.int64)
        K._radix_directory(hashes, self.lo, self.shift, self.directory)

    def searchsorted(self, wanted: np.ndarray) -> np.ndarray:
        out = np.empty(len(wanted), np.int64)
        K._search_radix(self.keys, self.directory, self.lo, self.shift, wanted, out)
        return out


def _search(sorted_keys, wanted, sorted_h2, wanted_h2, offsets) -> np.ndarray:
    """Vectorised exact-match lookup in a sorted array (with an optional second hash);
    ``sorted_keys`` may be a HashDirectory."""
    if isinstance(sorted_keys, HashDirectory):
        d = sorted_keys
        out = np.empty(len(wanted), np.int64)
        use_h2 = sorted_h2 is not None
        K._lookup_hashes(d.keys, d.directory, d.lo, d.shift, wanted,
                         sorted_h2 if use_h2 else d.keys, wanted_h2 if use_h2 else wanted,
                         use_h2, offsets, out)
        return out
    pos = None
    n = len(sorted_keys)
    out = np.full(len(wanted), MISSING, np.int64)
    if n == 0 or len(wanted) == 0:
        return out
    if pos is None:
        pos = np.searchsorted(sorted_keys, wanted)
    inside = pos < n
    hit = np.zeros(len(wanted), np.bool_)
    hit[inside] = sorted_keys[pos[inside]] == wanted[inside]
    if sorted_h2 is not None:
        ok = hit.copy()
        ok[hit] = sorted_h2[pos[hit]] == wanted_h2[hit]
        # h1 equal but h2 not: another key with the same h1 may follow (rare); scan the run
        for i in np.flatnonzero(hit & ~ok):
            j = pos[i] + 1
            while j < n and sorted_keys[j] == wanted[i]:
                if sorted_h2[j] == wanted_h2[i]:
                    pos[i] = j
                    ok[i] = True
                    break
                j += 1
        hit = ok
    out[hit] = offsets[pos[hit]]
    return out


class ResultMerger:
    """Reads an endpoint's resolved offsets (``ResolvedFiles``) back in edge-id order.

    A range of edges takes a block from most partition files: the reads (~80 KiB each at 64
    partitions) are issued READERS at a time, since each O_DIRECT request waits ~64 us
    before its bytes move and the virtual disk serves several at once."""

    def __init__(self, files: ResolvedFiles) -> None:
        self.files = files
        self._row = 0  # edges taken so far
        nparts = len(files.parts)
        self._pos = [0] * nparts  # values read of each file
        self._sizes = [os.path.getsize(p) // files.dtype.itemsize if p else 0
                       for p in files.parts]
        self._carry: list[np.ndarray] = [np.empty(0, files.dtype)] * nparts  # read, not taken
        self._map_dtype = partition_dtype(nparts)
        self._pool: ThreadPoolExecutor | None = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def take(self, out: np.ndarray) -> None:
        """Fill ``out`` with the offsets of the next ``len(out)`` edges."""
        n = len(out)
        files = self.files
        if files.map_path is None:
            out[:] = self._read(0, n)
            self._row += n
            return
        parts = io.read_direct(files.map_path, self._map_dtype, self._row, n)
        self._row += n
        counts = np.bincount(parts, minlength=len(files.parts))
        starts = np.zeros(len(counts) + 1, np.int64)
        np.cumsum(counts, out=starts[1:])
        values = np.empty(n, files.dtype)
        # each file holds about 1/len(files) of a range: read in blocks a quarter over that
        # share, keeping what is left for the next range
        block = max(16384 // files.dtype.itemsize, n * 5 // (4 * len(files.parts)))
        short = [(int(p), max(block, int(counts[p]) - len(self._carry[p])))
                 for p in np.flatnonzero(counts) if counts[p] > len(self._carry[p])]
        if self._pool is None:
            self._pool = ThreadPoolExecutor(READERS, thread_name_prefix="ruzu-merge-read")
        reads = [(p, self._pool.submit(self._read, p, count)) for p, count in short]
        for p, read in reads:
            more = read.result()
            have = self._carry[p]
            self._carry[p] = np.concatenate([have, more]) if len(have) else more
        for p in np.flatnonzero(counts):
            have, count = self._carry[p], int(counts[p])
            if len(have) < count:
                raise RuntimeError(f"{self.files.parts[p]}: {len(have)} of {count} offsets")
            values[starts[p] : starts[p + 1]] = have[:count]
            self._carry[p] = have[count:]
        K._unpartition(parts, starts, values, out)

    def _read(self, p: int, count: int) -> np.ndarray:
        """The next ``count`` values of file p (fewer at its end); one read of p at a time."""
        start = self._pos[p]
        count = min(count, self._sizes[p] - start)
        self._pos[p] = start + count
        return io.read_direct(self.files.parts[p], self.files.dtype, start, count)
