"""Building the forward and backward CSR of a rel-table pair with bounded memory.

Edges arrive as (src, dst, edge id) batches in edge-id order. Each direction scatters them into
node-range *bucket files* (bucket = node >> shift) sized so one bucket fits the
budget; then every bucket is counting-sorted on its own and appended to the CSR files. Buckets
are processed in node order, so the CSR files are written strictly sequentially.

Appending to a pair that already has edges streams the old CSR into the buckets first: the
result equals the CSR built from all edges at once (each node's edges in edge-id order).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..tuning import CSR_BUCKET_NODES, CSR_MAX_BUCKETS, SPILL_BUFFERS_BYTES
from ..tuning import CSR_SCATTER_GROUP as SCATTER_GROUP
from ..tuning import CSR_STREAM_CHUNK as STREAM_CHUNK
from . import _kernels as K
from . import io
from .columns import read_chunk
from .manifest import data_file_name
from .state import CsrState
from .transaction import Transaction


def sort_bytes_per_edge(dtype: np.dtype) -> int:
    """Memory per edge while a bucket is sorted: the triple, nbr + eid outputs, indptr share."""
    return 5 * dtype.itemsize + 8


def index_dtype(max_value: int) -> np.dtype:
    return np.dtype(np.int32) if max_value < 2**31 - 1 else np.dtype(np.int64)


def bucket_shift(num_nodes: int, nbuckets: int) -> int:
    """log2 of the nodes per bucket (bucket = node >> shift). At most what the budget allows
    (``nbuckets`` buckets), and at most CSR_BUCKET_NODES so that a bucket's counting sort works
    in the cache, unless that would open more than CSR_MAX_BUCKETS bucket files.
    Measured (thread CPU, random targets): 810 K nodes / 680 K edges 23 ns an edge, 200 K nodes
    / 300 K edges 6 ns."""
    budget_nodes = max(1, -(-max(num_nodes, 1) // max(1, nbuckets)))
    per = max(min(budget_nodes, CSR_BUCKET_NODES), -(-num_nodes // CSR_MAX_BUCKETS))
    per = min(per, budget_nodes)
    return max(0, per.bit_length() - 1)  # rounded down to a power of two: within both bounds


class _Direction:
    def __init__(self, staging: str, name: str, num_nodes: int, nbuckets: int,
                 dtype: np.dtype, buffer_bytes: int) -> None:
        self.num_nodes = num_nodes
        self.shift = bucket_shift(num_nodes, nbuckets)
        self.per_bucket = 1 << self.shift
        self.nbuckets = max(1, -(-num_nodes // self.per_bucket))
        self.dtype = dtype
        self.paths = [os.path.join(staging, f"csr-{name}-{b:05d}.spill")
                      for b in range(self.nbuckets)]
        self.files = []
        self.buffer_bytes = buffer_bytes
        buffer = io.group_buffer_bytes(len(self.paths), buffer_bytes)
        try:
            for p in self.paths:
                self.files.append(io.AppendFile(p, buffer))
        except BaseException:
            self.close()
            raise
        self.counts = np.zeros(self.nbuckets, np.int64)
        self._out = np.empty((0, 3), dtype)  # reused scatter buffer (fresh 24 MB arrays
        # per group cost more in page faults than the scatter itself)

    def add(self, keys: np.ndarray, others: np.ndarray, eids: np.ndarray) -> None:
        counts = np.empty(self.nbuckets, np.int64)
        K._bucket_counts(keys, self.shift, counts)
        starts = np.zeros(self.nbuckets + 1, np.int64)
        np.cumsum(counts, out=starts[1:])
        if len(self._out) < len(keys):
            self._out = np.empty((len(keys), 3), self.dtype)
        out = self._out
        K._scatter_triples(keys, others, eids, self.shift, starts[:-1].copy(), out)
        for b in np.flatnonzero(counts):
            self.files[b].write(out[starts[b] : starts[b + 1]])
        self.counts += counts

    def close(self) -> None:
        for f in self.files:
            f.close()

    def create_files(self, txn: Transaction) -> CsrState:
        self.close()
        state = CsrState(indptr=txn.new_file(), nbr=txn.new_file(), eid=txn.new_file(),
                         num_nodes=self.num_nodes, dtype=self.dtype.name)
        self._apps = [txn.appender(f) for f in (state.indptr, state.nbr, state.eid)]
        return state

    def build(self, budget: int) -> None:
        """Counting-sort every bucket into the files made by ``create_files`` (may run on a
        thread of its own: the kernels and the appends release the GIL)."""
        self._base = 0
        self._apps[0].append(np.zeros(1, np.int64))
        cap = max(1, budget // sort_bytes_per_edge(self.dtype))
        for b, path in enumerate(self.paths):
            lo = b * self.per_bucket
            hi = min(self.num_nodes, lo + self.per_bucket)
            count = int(self.counts[b])
            if count <= cap:
                self._sort_segment(self._load(path, count), lo, hi)
            else:
                self._build_skewed(path, count, lo, hi, cap)
            os.unlink(path)

    def _sort_segment(self, triples: np.ndarray, lo: int, hi: int) -> None:
        """Append the CSR of nodes [lo, hi) from their (node, other, eid) triples."""
        indptr = np.empty(hi - lo + 1, np.int64)
        nbr = np.empty(len(triples), self.dtype)
        eid = np.empty(len(triples), self.dtype)
        K._csr_from_triples(triples, lo, indptr, nbr, eid)
        self._apps[0].append(indptr[1:] + self._base, owned=True)
        self._apps[1].append(nbr, owned=True)
        self._apps[2].append(eid, owned=True)
        self._base += len(triples)

    def _build_skewed(self, path: str, count: int, lo: int, hi: int, cap: int) -> None:
        """A bucket over the budget (hubs: skewed degrees). Its degrees give node sub-ranges of
        at most ``cap`` edges each, or single nodes of more; one pass scatters the bucket file
        into one file per sub-range, then each is sorted within the budget, and a single node
        of more than ``cap`` edges (already in edge-id order) is copied through in chunks.
        Measured: powerlaw edges of 1 GB (a hub-heavy bucket of ~70 % of the edges) peaked at
        1,017 MB when such a bucket was cut into equal node ranges."""
        step = max(4096, cap // 2)  # this pass holds a chunk and its scattered copy
        degrees = np.zeros(hi - lo, np.int64)
        for chunk in self._chunks(path, count, step):
            K._count_degrees(chunk, lo, degrees)
        starts = _cut_by_edges(degrees, cap) + lo
        sub_paths = [f"{path}.{k:05d}" for k in range(len(starts) - 1)]
        files = []
        try:
            buffer = io.group_buffer_bytes(len(sub_paths), self.buffer_bytes)
            for sp in sub_paths:
                files.append(io.AppendFile(sp, buffer))
            bounds = np.empty(len(starts), np.int64)
            rows = np.empty((step, 3), self.dtype)
            range_of = np.repeat(np.arange(len(starts) - 1, dtype=np.int32), np.diff(starts))
            for chunk in self._chunks(path, count, step):
                K._scatter_by_range(chunk, lo, range_of, len(starts) - 1, bounds, rows)
                for k in np.flatnonzero(bounds[1:] - bounds[:-1]):
                    files[k].write(rows[bounds[k] : bounds[k + 1]])
        finally:
            for f in files:
                f.close()
        for k, sp in enumerate(sub_paths):
            sub_lo, sub_hi = int(starts[k]), int(starts[k + 1])
            n = int(degrees[sub_lo - lo : sub_hi - lo].sum())
            if n > cap:  # one node (a hub): its triples are in edge-id order already
                self._apps[0].append(np.array([self._base + n], np.int64))
                for chunk in self._chunks(sp, n, step):
                    self._apps[1].append(np.ascontiguousarray(chunk[:, 1]), owned=True)
                    self._apps[2].append(np.ascontiguousarray(chunk[:, 2]), owned=True)
                self._base += n
            else:
                self._sort_segment(self._load(sp, n), sub_lo, sub_hi)
            os.unlink(sp)

    def _chunks(self, path: str, count: int, step: int = STREAM_CHUNK):
        for start in range(0, count, step):
            n = min(step, count - start)
            yield io.read_direct(path, self.dtype, start * 3, n * 3).reshape(n, 3)

    def _load(self, path: str, count: int) -> np.ndarray:
        return io.read_direct(path, self.dtype, 0, count * 3).reshape(count, 3)


def _cut_by_edges(degrees: np.ndarray, cap: int) -> np.ndarray:
    """Starts (relative node numbers, ending with len(degrees)) of consecutive node ranges that
    each hold at most ``cap`` edges, or are one node holding more."""
    starts = [0]
    total = 0
    ends = np.cumsum(degrees)
    i, n = 0, len(degrees)
    while i < n:
        # the furthest end j with edges(i..j) <= cap, at least one node
        j = int(np.searchsorted(ends, total + cap, side="right"))
        j = max(j, i + 1)
        starts.append(j)
        total = int(ends[j - 1])
        i = j
    return np.array(starts, np.int64)


class CsrBuilder:
    """Collects a pair's edges (old ones first, then new ones in edge-id order) and writes the
    forward and backward CSR. ``max_edges`` bounds the edge ids (it picks int32 or int64);
    ``expected_edges`` sizes the buckets; ``spill_buffers``: the write buffers of each
    direction's bucket files."""

    def __init__(self, staging: str, n_src: int, n_dst: int, max_edges: int,
                 expected_edges: int, budget: int,
                 spill_buffers: int = SPILL_BUFFERS_BYTES) -> None:
        self.dtype = index_dtype(max(n_src, n_dst, max_edges))
        self.budget = budget
        # two buckets (one per direction) are sorted at once: each gets half the budget
        nbuckets = max(1, -(-expected_edges * sort_bytes_per_edge(self.dtype) * 2 // budget))
        self.fwd = _Direction(staging, "fwd", n_src, nbuckets, self.dtype, spill_buffers)
        try:
            self.bwd = _Direction(staging, "bwd", n_dst, nbuckets, self.dtype, spill_buffers)
        except BaseException:
            self.fwd.close()
            raise
        # Edges are gathered into a group buffer; a full group is scattered to the bucket files
        # by a worker thread while the parser fills the other buffer (kernels and writes
        # release the GIL).
        self._groups = [np.empty((3, SCATTER_GROUP), self.dtype) for _ in range(2)]
        self._fill = 0
        self._current = 0
        # one worker per direction: the two scatters are independent (files, buffers)
        self._worker = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ruzu-scatter")
        self._jobs: list = []
        self.broken = False  # a scatter failed part-way: the bucket files are inconsistent

    def add(self, src: np.ndarray, dst: np.ndarray, eids: np.ndarray) -> None:
        done = 0
        while done < len(src):
            group = self._groups[self._current]
            take = min(len(src) - done, SCATTER_GROUP - self._fill)
            part = slice(self._fill, self._fill + take)
            group[0, part] = src[done : done + take]
            group[1, part] = dst[done : done + take]
            group[2, part] = eids[done : done + take]
            self._fill += take
            done += take
            if self._fill == SCATTER_GROUP:
                self._scatter()

    def _wait(self) -> None:
        jobs, self._jobs = self._jobs, []
        failure = None
        for job in jobs:  # both, even when the first failed: no scatter left running
            try:
                job.result()
            except BaseException as e:
                self.broken = True
                failure = failure or e
        if failure is not None:
            raise failure

    def _scatter(self) -> None:
        self._wait()
        if self._fill == 0:
            return
        src, dst, eids = self._groups[self._current][:, : self._fill]
        self._jobs = [self._worker.submit(self.fwd.add, src, dst, eids),
                      self._worker.submit(self.bwd.add, dst, src, eids)]
        self._current ^= 1
        self._fill = 0

    def add_existing(self, db_path: str, fwd: CsrState | None, bwd: CsrState | None) -> None:
        """Stream the committed CSRs into their own direction's buckets (each node's old edges
        stay in edge-id order, ahead of the new ones)."""
        if fwd is not None:
            _stream_csr(db_path, fwd, self.fwd)
        if bwd is not None:
            _stream_csr(db_path, bwd, self.bwd)
        # (old edges go straight to their own direction; new ones are grouped in add())

    def build(self, txn: Transaction) -> tuple[CsrState, CsrState]:
        """Write both CSRs, the two directions on two threads (each within half the budget):
        measured 1 GB of edges: the single-threaded build was ~40 % of the import."""
        self._scatter()
        self._wait()
        self._groups = []  # the sort below gets their memory
        self.fwd._out = self.bwd._out = None
        states = self.fwd.create_files(txn), self.bwd.create_files(txn)
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="ruzu-csr") as pool:
            jobs = [pool.submit(d.build, self.budget // 2) for d in (self.fwd, self.bwd)]
            for job in jobs:
                job.result()
        return states

    def close(self) -> None:
        try:
            self._wait()
        except BaseException:  # already reported by the failing import
            pass
        self._worker.shutdown()
        self.fwd.close()
        self.bwd.close()


def _stream_csr(db_path: str, state: CsrState, into: _Direction) -> None:
    def path(key: str) -> str:
        return os.path.join(db_path, data_file_name(getattr(state, key)))

    dt = np.dtype(state.dtype)
    n = state.num_nodes
    step = max(1, STREAM_CHUNK // 4)
    for v0 in range(0, n, step):
        v1 = min(n, v0 + step)
        indptr = read_chunk(path("indptr"), np.int64, v0, v1 - v0 + 1)
        e0, e1 = int(indptr[0]), int(indptr[-1])
        for s in range(e0, e1, STREAM_CHUNK):
            t = min(e1, s + STREAM_CHUNK)
            nbr = read_chunk(path("nbr"), dt, s, t - s).astype(np.int64)
            eid = read_chunk(path("eid"), dt, s, t - s).astype(np.int64)
            keys = np.searchsorted(indptr, np.arange(s, t), side="right") - 1 + v0
            into.add(keys.astype(np.int64), nbr, eid)
