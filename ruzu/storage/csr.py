"""Building the forward and backward CSR of a rel-table pair with bounded memory.

Edges arrive as (src, dst, edge id) batches in edge-id order. Each direction scatters them into
node-range *bucket files* (bucket = node // nodes_per_bucket) sized so one bucket fits the
budget; then every bucket is counting-sorted on its own and appended to the CSR files. Buckets
are processed in node order, so the CSR files are written strictly sequentially.

Appending to a pair that already has edges streams the old CSR into the buckets first: the
result equals the CSR built from all edges at once (each node's edges in edge-id order).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from . import _kernels as K
from .columns import read_chunk
from .manifest import data_file_name
from .transaction import Transaction

STREAM_CHUNK = 1 << 20
# Edges are scattered to the bucket files in groups of this many: one write per bucket per group
# instead of per parse batch (1 GB of edges: 130 K small writes took 5.3 s; grouped, far fewer).
SCATTER_GROUP = 1 << 20


def sort_bytes_per_edge(dtype: np.dtype) -> int:
    """Memory per edge while a bucket is sorted: the triple, nbr + eid outputs, indptr share."""
    return 5 * dtype.itemsize + 8


def index_dtype(max_value: int) -> np.dtype:
    return np.dtype(np.int32) if max_value < 2**31 - 1 else np.dtype(np.int64)


class _Direction:
    def __init__(self, staging: str, name: str, num_nodes: int, nbuckets: int,
                 dtype: np.dtype) -> None:
        self.num_nodes = num_nodes
        self.nbuckets = max(1, min(nbuckets, max(num_nodes, 1)))
        self.per_bucket = max(1, -(-num_nodes // self.nbuckets))
        self.nbuckets = max(1, -(-num_nodes // self.per_bucket))
        self.dtype = dtype
        self.paths = [os.path.join(staging, f"csr-{name}-{b:05d}.spill")
                      for b in range(self.nbuckets)]
        self.files = []
        try:
            for p in self.paths:
                self.files.append(open(p, "wb"))  # noqa: SIM115 - closed in close()
        except BaseException:
            self.close()
            raise
        self.counts = np.zeros(self.nbuckets, np.int64)
        self._out = np.empty((0, 3), dtype)  # reused scatter buffer (fresh 24 MB arrays
        # per group cost more in page faults than the scatter itself)

    def add(self, keys: np.ndarray, others: np.ndarray, eids: np.ndarray) -> None:
        counts = np.empty(self.nbuckets, np.int64)
        K._bucket_counts(keys, self.per_bucket, counts)
        starts = np.zeros(self.nbuckets + 1, np.int64)
        np.cumsum(counts, out=starts[1:])
        if len(self._out) < len(keys):
            self._out = np.empty((len(keys), 3), self.dtype)
        out = self._out
        K._scatter_triples(keys, others, eids, self.per_bucket, starts[:-1].copy(), out)
        for b in np.flatnonzero(counts):
            self.files[b].write(memoryview(out[starts[b] : starts[b + 1]]).cast("B"))
        self.counts += counts

    def close(self) -> None:
        for f in self.files:
            f.close()

    def create_files(self, txn: Transaction) -> dict:
        self.close()
        state = {"indptr": txn.new_file(), "nbr": txn.new_file(), "eid": txn.new_file(),
                 "num_nodes": self.num_nodes, "dtype": self.dtype.name}
        self._apps = [txn.appender(state[k]) for k in ("indptr", "nbr", "eid")]
        return state

    def build(self, budget: int) -> None:
        """Counting-sort every bucket into the files made by ``create_files`` (may run on a
        thread of its own: the kernels and the appends release the GIL)."""
        indptr_app, nbr_app, eid_app = self._apps
        base = 0
        indptr_app.append(np.zeros(1, np.int64))
        for b, path in enumerate(self.paths):
            lo = b * self.per_bucket
            hi = min(self.num_nodes, lo + self.per_bucket)
            count = int(self.counts[b])
            # A bucket larger than the budget (skewed degrees) is sorted in node sub-ranges,
            # each read back by streaming the bucket file and keeping its own edges.
            parts = max(1, -(-count * sort_bytes_per_edge(self.dtype) // budget))
            step = max(1, -(-(hi - lo) // parts))
            for sub_lo in range(lo, hi, step):
                sub_hi = min(hi, sub_lo + step)
                triples = (self._load(path, count) if parts == 1
                           else self._load_range(path, count, sub_lo, sub_hi))
                indptr = np.empty(sub_hi - sub_lo + 1, np.int64)
                nbr = np.empty(len(triples), self.dtype)
                eid = np.empty(len(triples), self.dtype)
                K._csr_from_triples(triples, sub_lo, indptr, nbr, eid)
                indptr_app.append(indptr[1:] + base)
                nbr_app.append(nbr)
                eid_app.append(eid)
                base += len(triples)
            os.unlink(path)

    def _load(self, path: str, count: int) -> np.ndarray:
        return np.fromfile(path, dtype=self.dtype, count=count * 3).reshape(count, 3)

    def _load_range(self, path: str, count: int, lo: int, hi: int) -> np.ndarray:
        keep = []
        for start in range(0, count, STREAM_CHUNK):
            n = min(STREAM_CHUNK, count - start)
            chunk = read_chunk(path, self.dtype, start * 3, n * 3).reshape(n, 3)
            sel = (chunk[:, 0] >= lo) & (chunk[:, 0] < hi)
            keep.append(chunk[sel])
        return np.concatenate(keep) if keep else np.empty((0, 3), self.dtype)


class CsrBuilder:
    """Collects a pair's edges (old ones first, then new ones in edge-id order) and writes the
    forward and backward CSR. ``max_edges`` bounds the edge ids (it picks int32 or int64);
    ``expected_edges`` sizes the buckets."""

    def __init__(self, staging: str, n_src: int, n_dst: int, max_edges: int,
                 expected_edges: int, budget: int) -> None:
        self.dtype = index_dtype(max(n_src, n_dst, max_edges))
        self.budget = budget
        # two buckets (one per direction) are sorted at once: each gets half the budget
        nbuckets = max(1, -(-expected_edges * sort_bytes_per_edge(self.dtype) * 2 // budget))
        self.fwd = _Direction(staging, "fwd", n_src, nbuckets, self.dtype)
        try:
            self.bwd = _Direction(staging, "bwd", n_dst, nbuckets, self.dtype)
        except BaseException:
            self.fwd.close()
            raise
        # Edges are gathered into a group buffer; a full group is scattered to the bucket files
        # by a worker thread while the parser fills the other buffer (kernels and writes
        # release the GIL).
        self._groups = [np.empty((3, SCATTER_GROUP), self.dtype) for _ in range(2)]
        self._fill = 0
        self._current = 0
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ruzu-scatter")
        self._job = None
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
        if self._job is not None:
            job, self._job = self._job, None
            try:
                job.result()
            except BaseException:
                self.broken = True
                raise

    def _scatter(self) -> None:
        self._wait()
        if self._fill == 0:
            return
        src, dst, eids = self._groups[self._current][:, : self._fill]
        self._job = self._worker.submit(self._scatter_both, src, dst, eids)
        self._current ^= 1
        self._fill = 0

    def _scatter_both(self, src, dst, eids) -> None:
        self.fwd.add(src, dst, eids)
        self.bwd.add(dst, src, eids)

    def add_existing(self, db_path: str, fwd: dict | None, bwd: dict | None) -> None:
        """Stream the committed CSRs into their own direction's buckets (each node's old edges
        stay in edge-id order, ahead of the new ones)."""
        if fwd is not None:
            _stream_csr(db_path, fwd, self.fwd)
        if bwd is not None:
            _stream_csr(db_path, bwd, self.bwd)
        # (old edges go straight to their own direction; new ones are grouped in add())

    def build(self, txn: Transaction) -> tuple[dict, dict]:
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


def _stream_csr(db_path: str, state: dict, into: _Direction) -> None:
    def path(key: str) -> str:
        return os.path.join(db_path, data_file_name(state[key]))

    dt = np.dtype(state["dtype"])
    n = state["num_nodes"]
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
