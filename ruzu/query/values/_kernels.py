"""numba kernels of query execution: CSR expansion, neighbour sums (path counting without
materialising paths), walks of variable length, grouped reductions and byte-level string tests.

Conventions (as in ruzu.storage._kernels): kernels fill caller-owned arrays and return counts;
they never raise. Arrays: ``indptr`` int64[n+1]; ``nbrs``/``eids`` int32 or int64[E]; node
offsets and row indices int64.
"""

from __future__ import annotations

import numpy as np

from ..._jit import kernel

# ----------------------------------------------------------------------------- adjacency


@kernel
def _expand(indptr, nbrs, eids, sources, want_eids, out_row, out_nbr, out_eid):
    """For each source row i, one output per edge: (i, neighbour, edge id). The outputs are
    sized by the caller to the sum of the source degrees; returns the number written."""
    k = 0
    for i in range(sources.shape[0]):
        s = sources[i]
        for j in range(indptr[s], indptr[s + 1]):
            out_row[k] = i
            out_nbr[k] = nbrs[j]
            if want_eids:
                out_eid[k] = eids[j]
            k += 1
    return k


@kernel
def _sat_add(a, b):
    """a + b for non-negative counts, sticking at INT64_MAX instead of wrapping (the caller
    reports a count at INT64_MAX as an overflow)."""
    r = a + b
    if r < 0:
        return np.int64(9223372036854775807)
    return r


@kernel
def _sum_over_neighbours(indptr, nbrs, eids, weights, edge_mask, use_mask, sources, out):
    """out[i] += sum of weights[neighbour] over the (unmasked) edges of sources[i].

    This is one sparse matrix-vector product: the number of paths hanging off a node is the
    sum of the path counts of its neighbours, so paths are counted, never materialised."""
    for i in range(sources.shape[0]):
        s = sources[i]
        acc = 0
        for j in range(indptr[s], indptr[s + 1]):
            if use_mask and not edge_mask[eids[j]]:
                continue
            acc += weights[nbrs[j]]
        out[i] += acc


@kernel
def _count_edges_between(indptr, nbrs, eids, edge_mask, use_mask, xs, ys, out):
    """out[i] = number of (unmasked) edges from xs[i] to ys[i]; returns the total."""
    total = 0
    for i in range(xs.shape[0]):
        s = xs[i]
        t = ys[i]
        c = 0
        for j in range(indptr[s], indptr[s + 1]):
            if nbrs[j] == t and (not use_mask or edge_mask[eids[j]]):
                c += 1
        out[i] = c
        total += c
    return total


@kernel
def _count_edges_grouped(indptr, nbrs, eids, edge_mask, use_mask, xs, ys, marks, out):
    """Like ``_count_edges_between``, for rows grouped by xs: each distinct x marks its
    neighbours once in ``marks`` (int32[num nodes], zero on entry and on exit), and every row
    of the group is answered by one lookup. Work: sum of degrees of the runs + rows, with
    random access only into ``marks`` (small enough to stay in cache)."""
    total = 0
    n = xs.shape[0]
    i = 0
    while i < n:
        s = xs[i]
        for j in range(indptr[s], indptr[s + 1]):
            if not use_mask or edge_mask[eids[j]]:
                marks[nbrs[j]] += 1
        k = i
        while k < n and xs[k] == s:
            c = marks[ys[k]]
            out[k] = c
            total += c
            k += 1
        for j in range(indptr[s], indptr[s + 1]):
            marks[nbrs[j]] = 0
        i = k
    return total


@kernel
def _edges_between(indptr, nbrs, eids, edge_mask, use_mask, xs, ys, out_row, out_eid):
    """Every (unmasked) edge from xs[i] to ys[i] as (i, edge id); outputs sized by the caller
    from ``_count_edges_between``."""
    k = 0
    for i in range(xs.shape[0]):
        s = xs[i]
        t = ys[i]
        for j in range(indptr[s], indptr[s + 1]):
            if nbrs[j] == t and (not use_mask or edge_mask[eids[j]]):
                out_row[k] = i
                out_eid[k] = eids[j]
                k += 1
    return k


@kernel
def _grown(values, k, cap):
    """values[:k] in a new int64 array of ``cap`` elements. A loop, not ``grown[:k] =
    values[:k]``: a slice assignment compiles numba's shape-mismatch error formatting (issue
    16: 2.3 of the 3.5 s _walk_counts took to compile)."""
    grown = np.empty(cap, np.int64)
    for i in range(k):
        grown[i] = values[i]
    return grown


@kernel
def _walk_counts(indptr, nbrs, sources, node_mask, min_hops, max_hops, num_nodes):
    """Number of walks of min_hops…max_hops edges from each source to each node.

    Returns (row, node, count) arrays: one entry per (source i, reachable node) with a non-zero
    count; ``node_mask`` limits which intermediate/final nodes may be used (True = allowed).
    Per source, levels are expanded breadth-first with dense count arrays and touched lists,
    so the work is the size of the reached neighbourhoods, never the number of walks."""
    cur = np.zeros(num_nodes, np.int64)
    nxt = np.zeros(num_nodes, np.int64)
    tot = np.zeros(num_nodes, np.int64)
    seen = np.zeros(num_nodes, np.bool_)
    cur_list = np.empty(num_nodes, np.int64)
    nxt_list = np.empty(num_nodes, np.int64)
    tot_list = np.empty(num_nodes, np.int64)
    cap = max(16, 2 * sources.shape[0])
    out_row = np.empty(cap, np.int64)
    out_node = np.empty(cap, np.int64)
    out_count = np.empty(cap, np.int64)
    k = 0
    for i in range(sources.shape[0]):
        s = sources[i]
        ntot = 0
        ncur = 1
        cur_list[0] = s
        cur[s] = 1
        if min_hops == 0:
            seen[s] = True
            tot[s] = 1
            tot_list[0] = s
            ntot = 1
        for level in range(1, max_hops + 1):
            nn = 0
            for a_i in range(ncur):
                a = cur_list[a_i]
                c = cur[a]
                for j in range(indptr[a], indptr[a + 1]):
                    v = nbrs[j]
                    if not node_mask[v]:
                        continue
                    if nxt[v] == 0:
                        nxt_list[nn] = v
                        nn += 1
                    nxt[v] = _sat_add(nxt[v], c)
            for a_i in range(ncur):
                cur[cur_list[a_i]] = 0
            cur, nxt = nxt, cur
            cur_list, nxt_list = nxt_list, cur_list
            ncur = nn
            if level >= min_hops:
                for a_i in range(ncur):
                    v = cur_list[a_i]
                    if not seen[v]:
                        seen[v] = True
                        tot_list[ntot] = v
                        ntot += 1
                    tot[v] = _sat_add(tot[v], cur[v])
            if ncur == 0:
                break
        for a_i in range(ncur):
            cur[cur_list[a_i]] = 0
        if k + ntot > cap:
            while k + ntot > cap:
                cap *= 2
            out_row = _grown(out_row, k, cap)
            out_node = _grown(out_node, k, cap)
            out_count = _grown(out_count, k, cap)
        for a_i in range(ntot):
            v = tot_list[a_i]
            out_row[k] = i
            out_node[k] = v
            out_count[k] = tot[v]
            k += 1
            tot[v] = 0
            seen[v] = False
    return out_row[:k], out_node[:k], out_count[:k]


# ----------------------------------------------------------------------------- grouping


@kernel
def _group_min_max(codes, values, valid, num_groups, want_max, out, out_seen):
    """Per group: the minimum (or maximum) of the valid values; out_seen marks groups with one."""
    for i in range(codes.shape[0]):
        if valid[i]:
            g = codes[i]
            v = values[i]
            if not out_seen[g]:
                out[g] = v
                out_seen[g] = True
            elif want_max:
                if v > out[g]:
                    out[g] = v
            elif v < out[g]:
                out[g] = v


# ----------------------------------------------------------------------------- strings

_FNV_BASIS = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)


@kernel
def _hash_string_rows(offsets, data, rows, out):
    """64-bit FNV-1a of each string data[offsets[r]:offsets[r+1]] for r in rows."""
    for i in range(rows.shape[0]):
        r = rows[i]
        h = _FNV_BASIS
        for j in range(offsets[r], offsets[r + 1]):
            h = (h ^ np.uint64(data[j])) * _FNV_PRIME
        out[i] = h


@kernel
def _string_rows_equal(offsets, data, rows_a, rows_b, out):
    """out[i] = the strings at rows_a[i] and rows_b[i] are byte-equal; returns all equal."""
    all_equal = True
    for i in range(rows_a.shape[0]):
        a = rows_a[i]
        b = rows_b[i]
        la = offsets[a + 1] - offsets[a]
        eq = la == offsets[b + 1] - offsets[b]
        if eq:
            oa = offsets[a]
            ob = offsets[b]
            for j in range(la):
                if data[oa + j] != data[ob + j]:
                    eq = False
                    break
        out[i] = eq
        all_equal = all_equal and eq
    return all_equal


@kernel
def _match_constant(offsets, data, rows, needle, mode, out):
    """String test against a constant: mode 0 equal, 1 starts with, 2 ends with, 3 contains."""
    m = needle.shape[0]
    for i in range(rows.shape[0]):
        r = rows[i]
        lo = offsets[r]
        n = offsets[r + 1] - lo
        ok = False
        if mode == 0:
            if n == m:
                ok = True
                for j in range(m):
                    if data[lo + j] != needle[j]:
                        ok = False
                        break
        elif mode == 1 or mode == 2:
            if n >= m:
                base = lo if mode == 1 else lo + n - m
                ok = True
                for j in range(m):
                    if data[base + j] != needle[j]:
                        ok = False
                        break
        else:
            for start in range(n - m + 1):
                ok = True
                for j in range(m):
                    if data[lo + start + j] != needle[j]:
                        ok = False
                        break
                if ok:
                    break
        out[i] = ok


@kernel
def _compare_constant(offsets, data, rows, needle, out):
    """out[i] = -1, 0 or 1 as the string at rows[i] sorts before, equal to or after needle
    (UTF-8 byte order is code point order)."""
    m = needle.shape[0]
    for i in range(rows.shape[0]):
        r = rows[i]
        lo = offsets[r]
        n = offsets[r + 1] - lo
        c = 0
        for j in range(min(n, m)):
            a = data[lo + j]
            b = needle[j]
            if a != b:
                c = -1 if a < b else 1
                break
        if c == 0 and n != m:
            c = -1 if n < m else 1
        out[i] = c


@kernel
def _utf8_lengths(offsets, data, rows, out):
    """Number of code points of each string (bytes that are not continuation bytes)."""
    for i in range(rows.shape[0]):
        r = rows[i]
        c = 0
        for j in range(offsets[r], offsets[r + 1]):
            if (data[j] & 0xC0) != 0x80:
                c += 1
        out[i] = c


@kernel
def _group_add(codes, values, out):
    """out[codes[i]] += values[i] (int or float, exact for int64 unlike np.bincount)."""
    for i in range(codes.shape[0]):
        out[codes[i]] += values[i]


@kernel
def _first_occurrence(codes, out):
    """out[g] = the first row whose code is g (out pre-filled with -1)."""
    for i in range(codes.shape[0]):
        g = codes[i]
        if out[g] < 0:
            out[g] = i


@kernel
def _dense_codes(values, low, span, out):
    """Dense group codes of small-range integers by direct addressing: O(n + span), no sort.
    Returns the number of distinct values; out[i] is the code of values[i]."""
    slot = np.full(span, -1, np.int64)
    k = 0
    for i in range(values.shape[0]):
        j = values[i] - low
        if slot[j] < 0:
            slot[j] = k
            k += 1
        out[i] = slot[j]
    return k


@kernel
def _gather_strings(offsets, data, rows, upper, lower, out_offsets, out_data):
    """Copy the strings at ``rows`` into (out_offsets, out_data), mapping ASCII letters to
    upper (or lower) case when asked. Returns the number of strings holding non-ASCII bytes
    (their case mapping is left to the caller)."""
    k = 0
    non_ascii = 0
    out_offsets[0] = 0
    for i in range(rows.shape[0]):
        r = rows[i]
        seen_non_ascii = False
        for j in range(offsets[r], offsets[r + 1]):
            b = data[j]
            if b >= 128:
                seen_non_ascii = True
            elif upper and 97 <= b <= 122:
                b -= 32
            elif lower and 65 <= b <= 90:
                b += 32
            out_data[k] = b
            k += 1
        out_offsets[i + 1] = k
        if seen_non_ascii:
            non_ascii += 1
    return non_ascii


@kernel
def _extreme_over_neighbours(
    indptr, nbrs, eids, values, defined, edge_mask, use_mask, sources, want_max, out, out_defined
):
    """out[i] = min (or max) of values[neighbour] over the (unmasked) edges of sources[i]
    whose neighbour is ``defined``; combined with what out already holds (out_defined)."""
    for i in range(sources.shape[0]):
        s = sources[i]
        for j in range(indptr[s], indptr[s + 1]):
            if use_mask and not edge_mask[eids[j]]:
                continue
            y = nbrs[j]
            if not defined[y]:
                continue
            v = values[y]
            if not out_defined[i]:
                out[i] = v
                out_defined[i] = True
            elif want_max:
                if v > out[i]:
                    out[i] = v
            elif v < out[i]:
                out[i] = v


@kernel
def _expand_filtered(
    indptr,
    nbrs,
    eids,
    sources,
    node_mask,
    use_node_mask,
    edge_mask,
    use_edge_mask,
    left,
    left_valid,
    right,
    right_valid,
    op,
    use_compare,
    want_eids,
    out_row,
    out_nbr,
    out_eid,
):
    """``_expand`` keeping only edges whose neighbour passes ``node_mask``, whose edge passes
    ``edge_mask`` and, when ``use_compare``, for which ``left[i] op right[neighbour]`` holds
    (op: 0 =, 1 <>, 2 <, 3 <=, 4 >, 5 >=; NULL on either side fails). Filtering while
    expanding writes only the surviving rows. Returns the number written."""
    k = 0
    for i in range(sources.shape[0]):
        if use_compare and not left_valid[i]:
            continue
        s = sources[i]
        lv = left[i] if use_compare else left[0]
        for j in range(indptr[s], indptr[s + 1]):
            y = nbrs[j]
            if use_node_mask and not node_mask[y]:
                continue
            if use_edge_mask and not edge_mask[eids[j]]:
                continue
            ok = True
            if use_compare:
                rv = right[y]
                if op == 0:
                    ok = lv == rv
                elif op == 1:
                    ok = lv != rv
                elif op == 2:
                    ok = lv < rv
                elif op == 3:
                    ok = lv <= rv
                elif op == 4:
                    ok = lv > rv
                else:
                    ok = lv >= rv
                ok = ok and right_valid[y]
            # Written unconditionally and kept by advancing k: no unpredictable branch on the
            # comparison (2x faster when about half the candidates pass).
            out_row[k] = i
            out_nbr[k] = y
            if want_eids:
                out_eid[k] = eids[j]
            k += ok
    return k


@kernel
def _count_filtered(
    indptr,
    nbrs,
    eids,
    sources,
    node_mask,
    use_node_mask,
    edge_mask,
    use_edge_mask,
    left,
    left_valid,
    right,
    right_valid,
    op,
    out,
):
    """out[i] = how many edges ``_expand_filtered`` would keep for sources[i] (with the
    comparison on): when nothing downstream reads the new node, counting is enough."""
    for i in range(sources.shape[0]):
        if not left_valid[i]:
            out[i] = 0
            continue
        s = sources[i]
        lv = left[i]
        c = 0
        for j in range(indptr[s], indptr[s + 1]):
            y = nbrs[j]
            if use_node_mask and not node_mask[y]:
                continue
            if use_edge_mask and not edge_mask[eids[j]]:
                continue
            rv = right[y]
            if op == 0:
                ok = lv == rv
            elif op == 1:
                ok = lv != rv
            elif op == 2:
                ok = lv < rv
            elif op == 3:
                ok = lv <= rv
            elif op == 4:
                ok = lv > rv
            else:
                ok = lv >= rv
            c += ok and right_valid[y]
        out[i] = c


@kernel
def _counting_order(keys, num_keys, out):
    """A stable order of ``keys`` (ints in 0 … num_keys-1) by counting sort: O(n + keys)."""
    counts = np.zeros(num_keys + 1, np.int64)
    for i in range(keys.shape[0]):
        counts[keys[i] + 1] += 1
    for k in range(num_keys):
        counts[k + 1] += counts[k]
    for i in range(keys.shape[0]):
        k = keys[i]
        out[counts[k]] = i
        counts[k] += 1


@kernel
def _group_add_checked(codes, values, out):
    """out[codes[i]] += values[i] for int64; returns the first row whose addition left INT64
    (-1 when none): the caller raises instead of returning a wrapped sum."""
    for i in range(codes.shape[0]):
        a = out[codes[i]]
        b = values[i]
        r = a + b
        if ((a ^ r) & (b ^ r)) < 0:
            return i
        out[codes[i]] = r
    return -1


@kernel
def _sum_over_neighbours_int(indptr, nbrs, eids, weights, edge_mask, use_mask, sources, out):
    """_sum_over_neighbours for int64 with overflow detection: returns the first source whose
    sum left INT64 (-1 when none)."""
    for i in range(sources.shape[0]):
        s = sources[i]
        acc = out[i]
        for j in range(indptr[s], indptr[s + 1]):
            if use_mask and not edge_mask[eids[j]]:
                continue
            b = weights[nbrs[j]]
            r = acc + b
            if ((acc ^ r) & (b ^ r)) < 0:
                return i
            acc = r
        out[i] = acc
    return -1


@kernel
def _add_sub_wraps(a, b, subtract, out):
    """out = a + b (a - b when ``subtract``) over equal-length int64 arrays, wrapping; returns
    whether any row wrapped (the sign test of the checked operators, in one pass)."""
    flags = 0
    for i in range(a.shape[0]):
        x = a[i]
        y = b[i]
        if subtract:
            r = x - y
            flags |= (x ^ y) & (x ^ r)
        else:
            r = x + y
            flags |= (x ^ r) & (y ^ r)
        out[i] = r
    return flags < 0


@kernel
def _mul_may_wrap(a, b, out):
    """out = a * b over equal-length int64 arrays, wrapping; returns whether any row's product
    may leave INT64 (a float estimate of at least 2**62: candidates the caller checks exactly)."""
    candidates = False
    for i in range(a.shape[0]):
        x = a[i]
        y = b[i]
        out[i] = x * y
        candidates |= abs(float(x) * float(y)) >= 4611686018427387904.0
    return candidates
