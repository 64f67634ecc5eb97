"""Driving the shortest-path kernels (``_shortest_kernels.py``): scratch sized to the graph and
counted against the query's memory budget, output buffers grown when one source's paths need
more, and a check of the budget, the timeout and the interrupt between kernel calls (each call
scans at most ``WORK_PER_CALL`` adjacency entries beyond the source it is in)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from . import _shortest_kernels as _k
from . import tuning

WORK_PER_CALL = 1 << 22  # adjacency entries scanned per kernel call (a few milliseconds)
# First sizes, grown when one source needs more (tests shrink them to exercise the growth)
FIRST_PATHS = 1 << 14  # output rows of a call
FIRST_HEAP, HEAP_PER_NODE = 1024, 2  # Dijkstra's heap entries
FIRST_PREDS, PREDS_PER_NODE = 1024, 1  # ALL SHORTEST predecessor entries


def shortest_paths(memory, indptr, nbrs, sources: np.ndarray, node_ok, edge_ok,
                   target_ok, high: int, all_paths: bool, weights: np.ndarray,
                   want_hops: bool) -> Iterator[tuple[np.ndarray, ...]]:
    """Yield (out_src, out_len, out_end, out_cost, out_hops) chunks of the shortest paths from
    every source (see ``_shortest_kernels``), in source order."""
    n = len(indptr) - 1
    weighted = len(weights) > 0
    targets = np.flatnonzero(target_ok[:n]) if n else np.zeros(0, np.int64)
    if len(targets) == 0 or len(sources) == 0:
        return
    stop_at = int(targets[0]) if len(targets) == 1 else -1
    per_node = 40 + (9 if weighted else 0) + (24 if all_paths else 0)
    heap_cap = max(HEAP_PER_NODE * n, FIRST_HEAP) if weighted else 0
    pred_cap = max(PREDS_PER_NODE * n, FIRST_PREDS) if all_paths else 0
    memory.check(extra=n * per_node + heap_cap * 16 + pred_cap * 16 + 24 * (high + 1))
    dist = np.full(n, np.inf)
    hops = np.full(n, -1, np.int64)
    parent = np.empty(n, np.int64)
    pnode = np.empty(n, np.int64)
    order = np.empty(n, np.int64)
    found = np.empty(n if weighted else 0, np.int64)
    settled = np.zeros(n if weighted else 0, np.bool_)
    count = np.zeros(n if all_paths else 0, np.int64)
    pred_lo = np.zeros(n if all_paths else 0, np.int64)
    pred_hi = np.zeros(n if all_paths else 0, np.int64)
    pred_entry = np.empty(pred_cap, np.int64)
    pred_from = np.empty(pred_cap, np.int64)
    heap_node = np.empty(heap_cap, np.int64)
    heap_key = np.empty(heap_cap, np.float64)
    stack_node = np.empty(high + 1, np.int64)
    stack_cur = np.empty(high + 1, np.int64)
    path = np.empty(high + 1, np.int64)
    pending = np.zeros(6, np.int64)
    cap_paths = max(1, min(FIRST_PATHS, tuning.CHUNK_ROWS))
    cap_hops = 4 * cap_paths if want_hops else 0
    si = 0
    while si < len(sources):
        memory.check(extra=cap_paths * 32 + cap_hops * 8)  # also the timeout and interrupt
        out = (np.empty(cap_paths, np.int64), np.empty(cap_paths, np.int64),
               np.empty(cap_paths, np.int64), np.empty(cap_paths, np.float64),
               np.empty(cap_hops, np.int64))
        nxt, n_paths, n_hops, status = _k._run(
            indptr, nbrs, sources, si, node_ok, edge_ok, target_ok, high, all_paths,
            weights, stop_at, WORK_PER_CALL, pending, dist, hops, parent, pnode, order, found,
            settled, count, heap_node, heap_key, pred_lo, pred_hi, pred_entry, pred_from,
            stack_node, stack_cur, path, want_hops, *out)
        if n_paths:
            yield (out[0][:n_paths], out[1][:n_paths], out[2][:n_paths], out[3][:n_paths],
                   out[4][:n_hops])
        if status == _k.FULL and n_paths == 0:  # this source alone needs bigger buffers
            cap_paths = max(cap_paths, int(pending[3]))
            cap_hops = max(cap_hops, int(pending[4])) if want_hops else 0
        elif status == _k.HEAP_FULL:
            heap_cap = max(2 * heap_cap, 1)
            memory.check(extra=heap_cap * 16)
            heap_node = np.empty(heap_cap, np.int64)
            heap_key = np.empty(heap_cap, np.float64)
        elif status == _k.PRED_FULL:
            pred_cap = max(2 * pred_cap, int(pending[5]))
            memory.check(extra=pred_cap * 16)
            pred_entry = np.empty(pred_cap, np.int64)
            pred_from = np.empty(pred_cap, np.int64)
        si = nxt
