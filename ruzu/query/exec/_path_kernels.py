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

from ..._jit import kernel

WALK, TRAIL, ACYCLIC = 0, 1, 2


@kernel
def _walks(indptr, nbrs, edge_key, sources, node_ok, edge_ok, target_ok, low, high, mode,
           fill, out_src, out_len, out_hops, out_cost, weights, cap, state, path_nodes,
           path_pos, cursor, work):
    """Depth-first: every walk (or trail, or acyclic path) of low…high hops from each source.
    ``weights`` (per entry, may be empty) sums into ``out_cost``. Counting stops after the
    source whose paths pass ``cap`` (the caller then takes fewer sources at a time).

    Resumable: ``state`` is (source, depth or -2 before the source starts, paths, hops,
    finished) and ``path_nodes``/``path_pos``/``cursor`` (``high + 1`` each) hold the walk in
    progress; a call returns after examining about ``work`` adjacency entries, and the next
    call with the same state goes on (so a timeout or interrupt lands in between). Returns
    (paths, hops, finished)."""
    use_w = weights.shape[0] > 0
    si = state[0]
    depth = state[1]
    n_paths = state[2]
    n_hops = state[3]
    steps = 0
    while si < sources.shape[0]:
        if depth == -2:
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
                si += 1
                continue
            depth = 0
            cursor[0] = indptr[s]
        while depth >= 0:
            steps += 1
            if steps > work:
                state[0] = si
                state[1] = depth
                state[2] = n_paths
                state[3] = n_hops
                return n_paths, n_hops, False
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
        depth = -2
        si += 1
    state[4] = 1
    return n_paths, n_hops, True
