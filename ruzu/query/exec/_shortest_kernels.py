"""numba kernels for SHORTEST / ALL SHORTEST / weighted shortest paths (``shortest.py`` drives
them) over the CSR of ``recursive.PathGraph`` (global node ids; masks as in ``_path_kernels``).

``_run`` settles sources one at a time (breadth-first, or Dijkstra when ``weights`` is not
empty), counts each source's paths and writes them to the output buffers, until the buffers
are full, the sources run out or the call has scanned ``work`` adjacency entries (so that a
timeout or an interrupt lands between calls). Nothing is settled twice: when a source's paths
do not fit, its settled state stays in the scratch arrays (``pending[0] == 1``) and the next
call, given bigger buffers, writes them.

Scratch (allocated by the caller after a memory-budget check, reused by every source): per
node ``dist``, ``hops``, ``parent`` (the first entry of a shortest path into the node, for a
single path) and ``pnode`` (the node that entry comes from), ``order`` (nodes in settle
order), ``found`` (nodes discovered, to reset them), ``settled``, ``count`` (ALL SHORTEST path
counts) and ``pred_lo``/``pred_hi`` with ``pred_entry``/``pred_from`` (ALL SHORTEST
predecessor lists; status ``PRED_FULL`` asks for more, ``pending[5]`` entries); Dijkstra's lazy
heap ``heap_node``/``heap_key`` (status ``HEAP_FULL``: the source is dropped and redone with a
bigger heap).

With a single target (``stop_at`` ≥ 0) the search stops as soon as that target's shortest
paths are known. Per path the kernels write ``out_src`` (index into ``sources``), ``out_len``
(hops), ``out_end`` (last node), ``out_cost`` (weighted length, or hops) and, when
``want_hops``, ``out_hops`` (the path's adjacency entries, laid end to end).
"""

from __future__ import annotations

import numpy as np

from ..._jit import kernel

DONE, FULL, HEAP_FULL, PRED_FULL = 0, 1, 2, 3
_COUNT_CAP = 1 << 60  # ALL SHORTEST path counts saturate here (far beyond any memory budget)


@kernel
def _bfs(indptr, nbrs, s, node_ok, edge_ok, high, stop_at, all_paths, dist, hops, parent,
         pnode, order, count):
    """Breadth-first from ``s``: ``order`` lists every discovered node in settle order; with
    ``all_paths`` ``count`` the number of shortest paths to each node. Returns (discovered,
    expanded, entries scanned)."""
    if all_paths:
        count[s] = 1
    dist[s] = 0.0
    hops[s] = 0
    parent[s] = -1
    order[0] = s
    n_q = 1
    head = 0
    scanned = 0
    while head < n_q:
        u = order[head]
        if stop_at >= 0 and hops[stop_at] >= 0 and (not all_paths or hops[u] >= hops[stop_at]):
            break  # the target's level is complete
        head += 1
        if hops[u] >= high or (u != s and not node_ok[u]):
            continue
        hu = hops[u] + 1
        du = dist[u] + 1.0
        lo = indptr[u]
        hi = indptr[u + 1]
        scanned += hi - lo
        for c in range(lo, hi):
            if edge_ok[c]:
                v = nbrs[c]
                if hops[v] < 0:
                    hops[v] = hu
                    dist[v] = du
                    parent[v] = c
                    pnode[v] = u
                    order[n_q] = v
                    n_q += 1
                    if all_paths:
                        count[v] = count[u]
                elif all_paths and hops[v] == hu:
                    count[v] = min(count[v] + count[u], _COUNT_CAP)
    return n_q, head, scanned


@kernel
def _dijkstra(indptr, nbrs, s, node_ok, edge_ok, high, weights, stop_at, all_paths, dist,
              hops, parent, pnode, order, found, settled, heap_node, heap_key):
    """Dijkstra from ``s`` (hops still at most ``high``). Returns (status, discovered,
    settled, entries scanned): ``found[:discovered]``, ``order[:settled]`` in settle order."""
    cap = heap_node.shape[0]
    dist[s] = 0.0
    hops[s] = 0
    parent[s] = -1
    found[0] = s
    n_found = 1
    n_done = 0
    scanned = 0
    heap_key[0] = 0.0
    heap_node[0] = s
    n_heap = 1
    limit = np.inf
    while n_heap > 0:
        u = heap_node[0]
        key = heap_key[0]
        n_heap -= 1
        if n_heap > 0:  # sift the last entry down from the root
            lk = heap_key[n_heap]
            ln = heap_node[n_heap]
            i = 0
            while True:
                ch = 2 * i + 1
                if ch >= n_heap:
                    break
                if ch + 1 < n_heap and heap_key[ch + 1] < heap_key[ch]:
                    ch += 1
                if heap_key[ch] >= lk:
                    break
                heap_key[i] = heap_key[ch]
                heap_node[i] = heap_node[ch]
                i = ch
            heap_key[i] = lk
            heap_node[i] = ln
        if settled[u] or key > dist[u]:
            continue
        if key > limit:
            break
        settled[u] = True
        order[n_done] = u
        n_done += 1
        if u == stop_at:
            if not all_paths:
                break
            limit = key  # nodes at the same distance (zero weights) may still lead to it
        if hops[u] >= high or (u != s and not node_ok[u]):
            continue
        lo = indptr[u]
        hi = indptr[u + 1]
        scanned += hi - lo
        for c in range(lo, hi):
            if not edge_ok[c]:
                continue
            v = nbrs[c]
            nd = dist[u] + weights[c]
            if nd < dist[v]:
                if hops[v] < 0:
                    found[n_found] = v
                    n_found += 1
                dist[v] = nd
                hops[v] = hops[u] + 1
                parent[v] = c
                pnode[v] = u
                if n_heap >= cap:
                    return HEAP_FULL, n_found, n_done, scanned
                i = n_heap  # push and sift up
                n_heap += 1
                while i > 0:
                    par = (i - 1) // 2
                    if heap_key[par] <= nd:
                        break
                    heap_key[i] = heap_key[par]
                    heap_node[i] = heap_node[par]
                    i = par
                heap_key[i] = nd
                heap_node[i] = v
    return DONE, n_found, n_done, scanned


@kernel
def _preds(indptr, nbrs, s, node_ok, edge_ok, high, weights, order, n_done, discovered,
           n_found, dist, hops, pred_lo, pred_hi, pred_entry, pred_from, fill):
    """The entries on some shortest path, grouped by their far node (in settle order of the
    near node, then entry order). Without ``fill`` only counts them (returned). Expects
    ``pred_lo``/``pred_hi`` zero for every discovered node."""
    weighted = weights.shape[0] > 0
    total = 0
    for oi in range(n_done):
        u = order[oi]
        if hops[u] >= high or (u != s and not node_ok[u]):
            continue
        for c in range(indptr[u], indptr[u + 1]):
            v = nbrs[c]
            if edge_ok[c] and v != s and dist[u] + (weights[c] if weighted else 1.0) == dist[v]:
                total += 1
                if fill:
                    pred_hi[v] += 1
    if not fill:
        return total
    total = 0
    for i in range(n_found):
        v = discovered[i]
        k = pred_hi[v]
        pred_lo[v] = total
        pred_hi[v] = total  # the fill cursor, then the end
        total += k
    for oi in range(n_done):
        u = order[oi]
        if hops[u] >= high or (u != s and not node_ok[u]):
            continue
        for c in range(indptr[u], indptr[u + 1]):
            v = nbrs[c]
            if edge_ok[c] and v != s and dist[u] + (weights[c] if weighted else 1.0) == dist[v]:
                pred_entry[pred_hi[v]] = c
                pred_from[pred_hi[v]] = u
                pred_hi[v] += 1
    return total


@kernel
def _enumerate(s, si, t, high, dist, pred_lo, pred_hi, pred_entry, pred_from, stack_node,
               stack_cur, path, fill, want_hops, n_paths, n_hops, out_src, out_len, out_end,
               out_cost, out_hops):
    """Every shortest path from ``s`` to ``t``, walking predecessors back to the source.
    Returns the totals (paths, hops) after them."""
    depth = 0
    stack_node[0] = t
    stack_cur[0] = pred_lo[t]
    while depth >= 0:
        x = stack_node[depth]
        if x == s:
            if fill:
                out_src[n_paths] = si
                out_len[n_paths] = depth
                out_end[n_paths] = t
                out_cost[n_paths] = dist[t]
                if want_hops:
                    for k in range(depth):
                        out_hops[n_hops + k] = path[depth - 1 - k]
            n_paths += 1
            n_hops += depth
            depth -= 1
            continue
        cur = stack_cur[depth]
        if cur >= pred_hi[x] or depth >= high:
            depth -= 1
            continue
        stack_cur[depth] = cur + 1
        path[depth] = pred_entry[cur]
        u = pred_from[cur]
        depth += 1
        stack_node[depth] = u
        stack_cur[depth] = pred_lo[u]
    return n_paths, n_hops


@kernel
def _run(indptr, nbrs, sources, start, node_ok, edge_ok, target_ok, high, all_paths,
         weights, stop_at, work, pending, dist, hops, parent, pnode, order, found, settled, count,
         heap_node, heap_key, pred_lo, pred_hi, pred_entry, pred_from, stack_node, stack_cur,
         path, want_hops, out_src, out_len, out_end, out_cost, out_hops):
    """Shortest paths from ``sources[start:]`` (see the module docstring). Returns (next
    source, paths written, hops written, status)."""
    weighted = weights.shape[0] > 0
    n_paths = 0
    n_hops = 0
    scanned = 0
    si = start
    while si < sources.shape[0]:
        s = sources[si]
        if pending[0] == 1:
            n_found = pending[1]
            n_done = pending[2]
        elif weighted:
            status, n_found, n_done, sc = _dijkstra(
                indptr, nbrs, s, node_ok, edge_ok, high, weights, stop_at, all_paths, dist,
                hops, parent, pnode, order, found, settled, heap_node, heap_key)
            scanned += sc
            if status == HEAP_FULL:
                for i in range(n_found):
                    v = found[i]
                    dist[v] = np.inf
                    hops[v] = -1
                    settled[v] = False
                return si, n_paths, n_hops, HEAP_FULL
        else:
            n_found, n_done, sc = _bfs(indptr, nbrs, s, node_ok, edge_ok, high, stop_at,
                                       all_paths, dist, hops, parent, pnode, order, count)
            scanned += sc
        n_targets = n_done if weighted else n_found
        # ---- how many paths and hops this source gives
        p = 0
        h = 0
        enumerate_paths = all_paths and (weighted or want_hops)
        if enumerate_paths:
            discovered = found if weighted else order
            need = _preds(indptr, nbrs, s, node_ok, edge_ok, high, weights, order, n_done,
                          discovered, n_found, dist, hops, pred_lo, pred_hi, pred_entry,
                          pred_from, False)
            if need > pred_entry.shape[0]:
                pending[0] = 1
                pending[1] = n_found
                pending[2] = n_done
                pending[5] = need
                return si, n_paths, n_hops, PRED_FULL
            _preds(indptr, nbrs, s, node_ok, edge_ok, high, weights, order, n_done, discovered,
                   n_found, dist, hops, pred_lo, pred_hi, pred_entry, pred_from, True)
        if all_paths and weighted:
            for i in range(1, n_targets):
                t = order[i]
                if target_ok[t] and pred_hi[t] > pred_lo[t]:
                    p, h = _enumerate(s, si, t, high, dist, pred_lo, pred_hi, pred_entry,
                                      pred_from, stack_node, stack_cur, path, False, False,
                                      p, h, out_src, out_len, out_end, out_cost, out_hops)
        elif all_paths:  # breadth-first counted the paths
            for i in range(1, n_targets):
                t = order[i]
                if target_ok[t]:
                    p = min(p + count[t], _COUNT_CAP)
                    if count[t] > _COUNT_CAP // max(hops[t], 1):
                        h = _COUNT_CAP
                    else:
                        h = min(h + count[t] * hops[t], _COUNT_CAP)
        else:
            for i in range(1, n_targets):
                t = order[i]
                if target_ok[t]:
                    p += 1
                    h += hops[t]
        if n_paths + p > out_src.shape[0] or (want_hops and n_hops + h > out_hops.shape[0]):
            if enumerate_paths:  # the lists are rebuilt when the source resumes
                discovered = found if weighted else order
                for i in range(n_found):
                    pred_lo[discovered[i]] = 0
                    pred_hi[discovered[i]] = 0
            pending[0] = 1
            pending[1] = n_found
            pending[2] = n_done
            pending[3] = p
            pending[4] = h
            return si, n_paths, n_hops, FULL
        pending[0] = 0
        # ---- write them, target by target in settle order
        for i in range(1, n_targets):
            t = order[i]
            if not target_ok[t]:
                continue
            if all_paths and not enumerate_paths:  # the same row once per path
                for _ in range(count[t]):
                    out_src[n_paths] = si
                    out_len[n_paths] = hops[t]
                    out_end[n_paths] = t
                    out_cost[n_paths] = dist[t]
                    n_paths += 1
                n_hops += count[t] * hops[t]  # (not written: hops are not wanted)
                continue
            if all_paths:
                if pred_hi[t] > pred_lo[t]:
                    n_paths, n_hops = _enumerate(
                        s, si, t, high, dist, pred_lo, pred_hi, pred_entry, pred_from,
                        stack_node, stack_cur, path, True, want_hops, n_paths, n_hops,
                        out_src, out_len, out_end, out_cost, out_hops)
                continue
            d = hops[t]
            out_src[n_paths] = si
            out_len[n_paths] = d
            out_end[n_paths] = t
            out_cost[n_paths] = dist[t]
            if want_hops:
                x = t
                for k in range(d - 1, -1, -1):
                    out_hops[n_hops + k] = parent[x]
                    x = pnode[x]
            n_paths += 1
            n_hops += d
        # ---- reset what this source touched
        discovered = found if weighted else order
        for i in range(n_found):
            v = discovered[i]
            dist[v] = np.inf
            hops[v] = -1
            if weighted:
                settled[v] = False
            if all_paths:
                count[v] = 0
                pred_lo[v] = 0
                pred_hi[v] = 0
        si += 1
        if scanned >= work:
            break
    return si, n_paths, n_hops, DONE
