"""numba kernels that enumerate paths of recursive relationships (``recursive.py`` drives them).

The graph is one CSR over global node ids (every node table laid end to end): per adjacency
entry ``c`` the neighbour ``nbrs[c]`` and the edge's identity ``edge_key[c]`` (the same for
both directions of one edge, for TRAIL). Masks: ``edge_ok`` per entry, ``node_ok`` per node for
the nodes a path passes through, ``target_ok`` per node for its last node.

Every kernel runs in two passes with the same arguments: ``fill`` False only counts (returns
(paths, hops)), ``fill`` True writes ``out_src`` (index into ``sources``), ``out_len`` (hops)
and ``out_hops`` (the adjacency entries of all paths, laid end to end). The caller checks the
memory budget between the passes. Kernels never raise.
"""

from __future__ import annotations

import numpy as np

from ..._jit import kernel

WALK, TRAIL, ACYCLIC = 0, 1, 2


@kernel
def _walks(indptr, nbrs, edge_key, sources, node_ok, edge_ok, target_ok, low, high, mode,
           fill, out_src, out_len, out_hops, out_cost, weights, cap):
    """Depth-first: every walk (or trail, or acyclic path) of low…high hops from each source.
    ``weights`` (per entry, may be empty) sums into ``out_cost``. Counting stops after the
    source whose paths pass ``cap`` (the caller then takes fewer sources at a time)."""
    path_nodes = np.empty(high + 1, np.int64)
    path_pos = np.empty(high + 1, np.int64)
    cursor = np.empty(high + 1, np.int64)
    use_w = weights.shape[0] > 0
    n_paths = 0
    n_hops = 0
    for si in range(sources.shape[0]):
        if not fill and n_paths > cap:
            break
        s = sources[si]
        path_nodes[0] = s
        if low == 0 and target_ok[s]:
            if fill:
                out_src[n_paths] = si
                out_len[n_paths] = 0
                out_cost[n_paths] = 0.0
            n_paths += 1
        if high == 0:
            continue
        depth = 0
        cursor[0] = indptr[s]
        while depth >= 0:
            u = path_nodes[depth]
            c = cursor[depth]
            if c >= indptr[u + 1]:
                depth -= 1
                continue
            cursor[depth] = c + 1
            if not edge_ok[c]:
                continue
            v = nbrs[c]
            if mode == TRAIL:
                repeated = False
                for k in range(depth):
                    if edge_key[path_pos[k]] == edge_key[c]:
                        repeated = True
                        break
                if repeated:
                    continue
            inner_repeat = False  # ACYCLIC (as Kùzu): the nodes between the ends differ
            if mode == ACYCLIC:
                for k in range(1, depth + 1):
                    if path_nodes[k] == v:
                        inner_repeat = True
                        break
            d = depth + 1
            path_pos[depth] = c
            path_nodes[d] = v
            if d >= low and target_ok[v]:
                if fill:
                    out_src[n_paths] = si
                    out_len[n_paths] = d
                    cost = 0.0
                    for k in range(d):
                        out_hops[n_hops + k] = path_pos[k]
                        if use_w:
                            cost += weights[path_pos[k]]
                    out_cost[n_paths] = cost
                n_paths += 1
                n_hops += d
            if d < high and node_ok[v] and not inner_repeat:
                depth = d
                cursor[d] = indptr[v]
    return n_paths, n_hops


@kernel
def _shortest(indptr, nbrs, sources, node_ok, edge_ok, target_ok, high, all_paths, weights,
              fill, out_src, out_len, out_hops, out_cost):
    """Shortest paths of 1…high hops from each source to every target it reaches: one per
    target, or every one of equal length (``all_paths``). With ``weights`` (per entry, not
    empty) the length is the sum of the weights (Dijkstra; hops still at most ``high``),
    otherwise the number of hops (breadth-first)."""
    n = indptr.shape[0] - 1
    weighted = weights.shape[0] > 0
    dist = np.full(n, np.inf)
    hops = np.full(n, -1, np.int64)
    order = np.empty(n, np.int64)  # nodes in the order they were settled
    settled = np.zeros(n, np.bool_)
    heap_key = np.empty(indptr[n] + 1, np.float64)
    heap_node = np.empty(indptr[n] + 1, np.int64)
    pred_cnt = np.zeros(n, np.int64)
    pred_lo = np.zeros(n, np.int64)
    pred_hi = np.zeros(n, np.int64)
    pred_entry = np.empty(indptr[n] + 1, np.int64)
    pred_from = np.empty(indptr[n] + 1, np.int64)
    stack_node = np.empty(high + 1, np.int64)
    stack_cur = np.empty(high + 1, np.int64)
    path = np.empty(high + 1, np.int64)
    n_paths = 0
    n_hops = 0
    for si in range(sources.shape[0]):
        s = sources[si]
        # ---- settle nodes in order of distance
        n_order = 0
        dist[s] = 0.0
        hops[s] = 0
        heap_key[0] = 0.0
        heap_node[0] = s
        n_heap = 1
        head = 0  # unweighted: heap_node is a FIFO queue
        while (n_heap > 0) if weighted else (head < n_heap):
            if weighted:
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
            else:
                u = heap_node[head]
                head += 1
                if settled[u]:
                    continue
            settled[u] = True
            order[n_order] = u
            n_order += 1
            if hops[u] >= high or (u != s and not node_ok[u]):
                continue
            for c in range(indptr[u], indptr[u + 1]):
                if not edge_ok[c]:
                    continue
                v = nbrs[c]
                nd = dist[u] + (weights[c] if weighted else 1.0)
                if nd < dist[v]:
                    dist[v] = nd
                    hops[v] = hops[u] + 1
                    if weighted:  # push and sift up
                        i = n_heap
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
                    else:
                        heap_node[n_heap] = v
                        n_heap += 1
        # ---- predecessors: entries on some shortest path, grouped by their far node
        for oi in range(n_order):
            pred_cnt[order[oi]] = 0
        for oi in range(n_order):
            u = order[oi]
            if hops[u] >= high or (u != s and not node_ok[u]):
                continue
            for c in range(indptr[u], indptr[u + 1]):
                v = nbrs[c]
                if edge_ok[c] and v != s and dist[u] + (weights[c] if weighted else 1.0) == dist[v]:
                    pred_cnt[v] += 1
        total = 0
        for oi in range(n_order):
            u = order[oi]
            pred_lo[u] = total
            total += pred_cnt[u]
            pred_hi[u] = pred_lo[u]  # the fill cursor, then the end
        for oi in range(n_order):
            u = order[oi]
            if hops[u] >= high or (u != s and not node_ok[u]):
                continue
            for c in range(indptr[u], indptr[u + 1]):
                v = nbrs[c]
                if edge_ok[c] and v != s and dist[u] + (weights[c] if weighted else 1.0) == dist[v]:
                    pred_entry[pred_hi[v]] = c
                    pred_from[pred_hi[v]] = u
                    pred_hi[v] += 1
        # ---- paths, target by target, walking predecessors back to the source
        for oi in range(1, n_order):
            t = order[oi]
            if not target_ok[t] or pred_hi[t] == pred_lo[t]:
                continue
            depth = 0
            stack_node[0] = t
            stack_cur[0] = pred_lo[t]
            while depth >= 0:
                x = stack_node[depth]
                if x == s:
                    if fill:
                        out_src[n_paths] = si
                        out_len[n_paths] = depth
                        out_cost[n_paths] = dist[t]
                        for k in range(depth):
                            out_hops[n_hops + k] = path[depth - 1 - k]
                    n_paths += 1
                    n_hops += depth
                    if not all_paths:
                        break
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
        # ---- reset what this source touched
        for oi in range(n_order):
            u = order[oi]
            dist[u] = np.inf
            hops[u] = -1
            settled[u] = False
    return n_paths, n_hops
