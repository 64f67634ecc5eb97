"""numba kernels of the storage layer: key hashing, hash partitioning, CSR counting sort.

Conventions: kernels fill caller-owned arrays and return counts; they never raise."""

from __future__ import annotations

import numpy as np

from .._intrinsics import load8, prefetch
from .._jit import kernel

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLD = np.uint64(0x9E3779B97F4A7C15)
_FNV_PRIME = np.uint64(0x100000001B3)
_FNV_BASIS = np.uint64(0xCBF29CE484222325)


@kernel
def _mix64(x):
    """splitmix64 finalizer: a bijection on uint64, so equal hashes mean equal integer keys."""
    z = x
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


@kernel
def _hash_ints(keys, out):
    for i in range(keys.shape[0]):
        out[i] = _mix64(np.uint64(keys[i]))


@kernel
def _hash_strings(offsets, data, out1, out2):
    """Two independent 64-bit hashes of each string ``data[offsets[i]:offsets[i+1]]``.
    Together they identify a string key (collisions among node keys are checked byte-wise)."""
    for i in range(offsets.shape[0] - 1):
        h = _FNV_BASIS
        g = _GOLD
        for j in range(offsets[i], offsets[i + 1]):
            b = np.uint64(data[j])
            h = (h ^ b) * _FNV_PRIME
            g = (g + b) * _M1
            g ^= g >> np.uint64(29)
        n = np.uint64(offsets[i + 1] - offsets[i])
        out1[i] = _mix64(h ^ n)
        out2[i] = _mix64(g + n * _GOLD)


@kernel
def _word_at(data, j, end):
    """The little-endian 64-bit word of ``data[j:min(j + 8, end)]``, zero-padded above."""
    if end - j >= 8:
        return load8(data, j)
    if end >= 8:  # the last 8 bytes of the string, shifted down: one load
        return load8(data, end - 8) >> np.uint64(8 * (8 - (end - j)))
    w = np.uint64(0)
    for t in range(end - j):
        w |= np.uint64(data[j + t]) << np.uint64(8 * t)
    return w


@kernel
def _hash_strings_v2(offsets, data, out1, out2):
    """Two independent 64-bit hashes of each string, 8 bytes a step (version 2 of the string
    hash; version 1, ``_hash_strings``, goes a byte a step). Measured on 3 M UUID keys: 59 ns
    a key for version 1, 33 ns for this (loaded machine, CPU time)."""
    for i in range(offsets.shape[0] - 1):
        start = offsets[i]
        end = offsets[i + 1]
        h = _FNV_BASIS
        g = _GOLD
        for j in range(start, end, 8):
            w = _word_at(data, j, end)
            h = (h ^ w) * _M1
            h ^= h >> np.uint64(32)
            g = (g + w) * _M2
            g ^= g >> np.uint64(29)
        n = np.uint64(end - start)
        out1[i] = _mix64(h ^ n)
        out2[i] = _mix64(g + n * _GOLD)


@kernel
def _partition_rows(h1, h2, first, numbered, bits, bounds, rows, parts):
    """Rows ``(h1[, h2][, first + i])`` of a chunk grouped by partition (the top ``bits`` of
    ``h1``), stable: partition p gets ``rows[bounds[p]:bounds[p + 1]]``. ``rows`` has a column
    for h2 unless there is none (integer keys: 2 columns numbered, 1 not), and the row number
    last when ``numbered``. ``parts[i]`` is set to the partition of row ``i`` when ``parts`` is
    not empty. One pass to count, one to place: a spill writes each group with one ``write``."""
    nparts = bounds.shape[0] - 1
    shift = np.uint64(64 - bits) if bits > 0 else np.uint64(0)
    width = rows.shape[1]
    with_h2 = width - (1 if numbered else 0) == 2
    mark = parts.shape[0] > 0
    bounds[:] = 0
    for i in range(h1.shape[0]):
        p = np.int64(h1[i] >> shift) if bits > 0 else 0
        bounds[p + 1] += 1
        if mark:
            parts[i] = p
    for p in range(nparts):
        bounds[p + 1] += bounds[p]
    fill = bounds[:nparts].copy()
    for i in range(h1.shape[0]):
        p = np.int64(h1[i] >> shift) if bits > 0 else 0
        j = fill[p]
        fill[p] = j + 1
        rows[j, 0] = h1[i]
        if with_h2:
            rows[j, 1] = h2[i]
        if numbered:
            rows[j, width - 1] = np.uint64(first + i)


@kernel
def _find_duplicates(h1, h2, offsets, out_first, out_dup):
    """``h1/h2`` sorted (by h1, then h2) with their row ``offsets``. For each run of equal keys
    report (first offset of the run, each later offset). Returns the number of pairs."""
    k = 0
    i = 0
    n = h1.shape[0]
    while i < n:
        j = i + 1
        lo = offsets[i]
        while j < n and h1[j] == h1[i] and h2[j] == h2[i]:
            if offsets[j] < lo:
                lo = offsets[j]
            j += 1
        if j - i > 1:
            for t in range(i, j):
                if offsets[t] != lo:
                    out_first[k] = lo
                    out_dup[k] = offsets[t]
                    k += 1
        i = j
    return k


@kernel
def _is_strictly_increasing(keys, prev):
    """Whether ``prev < keys[0] < keys[1] < …``; returns (ok, last)."""
    last = prev
    for i in range(keys.shape[0]):
        if keys[i] <= last:
            return False, last
        last = keys[i]
    return True, last


@kernel
def _bucket_counts(keys, bucket_shift, counts):
    """Edges per bucket (bucket = node >> bucket_shift: a shift, not a 64-bit division)."""
    counts[:] = 0
    for i in range(keys.shape[0]):
        counts[keys[i] >> bucket_shift] += 1


@kernel
def _scatter_triples(keys, others, eids, bucket_shift, starts, out):
    """Stable scatter of (key, other, eid) rows into ``out`` [n, 3] grouped by bucket."""
    for i in range(keys.shape[0]):
        b = keys[i] >> bucket_shift
        j = starts[b]
        out[j, 0] = keys[i]
        out[j, 1] = others[i]
        out[j, 2] = eids[i]
        starts[b] += 1


@kernel
def _csr_from_triples(triples, lo, indptr, nbr, eid):
    """Counting sort of (key, other, eid) rows with keys in [lo, lo + len(indptr) - 1) into a
    CSR segment; stable, so each node's edges keep their input (edge-id) order. ``indptr``
    gets segment-local starts (indptr[0] == 0)."""
    n = indptr.shape[0] - 1
    indptr[:] = 0
    for i in range(triples.shape[0]):
        indptr[triples[i, 0] - lo + 1] += 1
    for v in range(n):
        indptr[v + 1] += indptr[v]
    fill = indptr[:-1].copy()
    for i in range(triples.shape[0]):
        v = triples[i, 0] - lo
        j = fill[v]
        nbr[j] = triples[i, 1]
        eid[j] = triples[i, 2]
        fill[v] = j + 1


@kernel
def _radix_directory(keys, lo, shift, out):
    """``out[d]`` = first index j with ``(keys[j] - lo) >> shift >= d``, for sorted keys >= lo:
    the start of each of the len(out) - 1 key ranges (one pass, keys are sorted)."""
    j = 0
    n = keys.shape[0]
    for d in range(out.shape[0]):
        while j < n and ((keys[j] - lo) >> shift) < d:
            j += 1
        out[d] = j


@kernel
def _radix_range(directory, lo, shift, n, x):
    """(left, right): the index range of the sorted keys (hashes) >= ``lo`` that shares the
    directory slot of ``x``; the first key >= ``x`` lies in it (``x`` below ``lo``: (0, 0))."""
    if x < lo:
        return 0, 0
    last = directory.shape[0] - 2
    d = (x - lo) >> shift
    if d > last:
        return directory[last + 1], n
    return directory[d], directory[d + 1]


@kernel
def _binary_lower_bound(keys, x, left, right):
    """First index j in [left, right) with ``keys[j] >= x`` (``right`` if none)."""
    while left < right:
        mid = (left + right) // 2
        if keys[mid] < x:
            left = mid + 1
        else:
            right = mid
    return left


@kernel
def _radix_lower_bound(keys, directory, lo, shift, x):
    """First index j with ``keys[j] >= x`` for sorted, evenly spread keys (hashes) >= ``lo``:
    the directory narrows the binary search to the few keys sharing the top bits of ``x``."""
    left, right = _radix_range(directory, lo, shift, keys.shape[0], x)
    return _binary_lower_bound(keys, x, left, right)


@kernel
def _search_radix(keys, directory, lo, shift, wanted, out):
    """``out[i]`` = first index j with ``keys[j] >= wanted[i]`` (numpy's searchsorted, left)
    for sorted, evenly spread keys (hashes). Measured on 4 M random probes into 4 M keys:
    np.searchsorted ~1.6 µs a probe (22 scattered cache misses); this: a directory read and a
    short search."""
    for i in range(wanted.shape[0]):
        out[i] = _radix_lower_bound(keys, directory, lo, shift, wanted[i])


_BUCKET_LIMIT = 64  # longest bucket the insertion sort takes; longer means skewed input


@kernel
def _sort_by_hash(h1, h2, offsets, skip_bits, out_h1, out_h2, out_offsets):
    """Stable sort of the rows ``(h1, h2, offsets)`` by ``(h1, h2)`` into ``out_*``, for uniform
    hashes whose top ``skip_bits`` are all equal (one partition of the index).

    One counting-sort pass on the next bits (about four keys a bucket) and an insertion sort of
    each bucket: two passes over the data instead of numpy's comparison sort (measured on 8.2 M
    random 63-bit keys: 0.74 s in ``argsort`` → see the commit). Returns False, with ``out_*``
    unspecified, when a bucket holds more than ``_BUCKET_LIMIT`` rows (many duplicate keys): the
    caller then sorts with numpy, so the worst case stays O(n log n)."""
    n = h1.shape[0]
    bits = 1
    while (1 << bits) < n // 4 + 1 and bits < 24 and skip_bits + bits < 64:
        bits += 1
    nb = 1 << bits
    shift = np.uint64(64 - skip_bits - bits)
    mask = np.uint64(nb - 1)
    starts = np.zeros(nb + 1, np.int64)
    for i in range(n):
        starts[np.int64((h1[i] >> shift) & mask) + 1] += 1
    for b in range(nb):
        if starts[b + 1] > _BUCKET_LIMIT:
            return False
        starts[b + 1] += starts[b]
    fill = starts[:nb].copy()
    for i in range(n):
        b = np.int64((h1[i] >> shift) & mask)
        j = fill[b]
        out_h1[j] = h1[i]
        out_h2[j] = h2[i]
        out_offsets[j] = offsets[i]
        fill[b] = j + 1
    for b in range(nb):
        lo = starts[b]
        for i in range(lo + 1, starts[b + 1]):
            a1 = out_h1[i]
            a2 = out_h2[i]
            ao = out_offsets[i]
            j = i - 1
            while j >= lo and (out_h1[j] > a1 or (out_h1[j] == a1 and out_h2[j] > a2)):
                out_h1[j + 1] = out_h1[j]
                out_h2[j + 1] = out_h2[j]
                out_offsets[j + 1] = out_offsets[j]
                j -= 1
            out_h1[j + 1] = a1
            out_h2[j + 1] = a2
            out_offsets[j + 1] = ao
    return True


@kernel
def _unpartition(parts, starts, values, out):
    """The inverse of a stable grouping by partition: ``values`` holds the next rows of each
    partition p at ``values[starts[p]:starts[p + 1]]``, in row order; row i of ``out`` takes
    the next value of its partition ``parts[i]``."""
    fill = starts[:-1].copy()
    for i in range(parts.shape[0]):
        p = parts[i]
        out[i] = values[fill[p]]
        fill[p] += 1


@kernel
def _order_by_part(part, bounds, order):
    """Stable counting-sort ``order`` of rows by partition number ``part[i]`` in
    [0, len(bounds) - 1): rows of partition p are ``order[bounds[p]:bounds[p + 1]]``."""
    nparts = bounds.shape[0] - 1
    bounds[:] = 0
    for i in range(part.shape[0]):
        bounds[part[i] + 1] += 1
    for p in range(nparts):
        bounds[p + 1] += bounds[p]
    fill = bounds[:nparts].copy()
    for i in range(part.shape[0]):
        j = fill[part[i]]
        order[j] = i
        fill[part[i]] = j + 1


_PROBE_AHEAD = 8  # probes between a directory prefetch and its use (the keys: half of it)
_SCAN_LIMIT = 16  # keys scanned linearly in a directory range before a binary search


@kernel
def _lookup_hashes(keys, directory, lo, shift, wanted, keys_h2, wanted_h2, use_h2, offsets, out):
    """Exact-match lookup of ``wanted`` (h1, and h2 when ``use_h2``) among the sorted hashes
    ``keys`` (with ``keys_h2``) of one index partition: ``out[i]`` = ``offsets`` of the match or
    -1. ``_search_radix`` plus the comparisons and the gather in one pass (the numpy version
    spent 0.25 s in temporaries on 13 M probes).

    A partition's slice is larger than the cache, so each probe costs dependent misses
    (directory, then keys, then offsets). Software pipelining overlaps them: the directory
    entry of probe ``i + 2A`` and the keys and offsets of probe ``i + A`` are prefetched while
    probe ``i`` is resolved, and the ~4 keys of a directory range are scanned linearly (no
    mispredicted binary-search branches). Measured on 4 M random probes, thread CPU time:
    208 K keys 36 → 17 ns a probe, 1 M keys 65 → 27 ns, 4 M keys 114 → 44 ns. The h2 of
    string and UUID keys is prefetched too: 440 K keys 21 → 16 ns, 1 M 34-48 → 26-33 ns."""
    n = keys.shape[0]
    m = wanted.shape[0]
    last = directory.shape[0] - 2
    ahead = _PROBE_AHEAD
    for i in range(m):
        if i + 2 * ahead < m:
            x2 = wanted[i + 2 * ahead]
            if x2 >= lo and ((x2 - lo) >> shift) <= last:
                prefetch(directory, (x2 - lo) >> shift)
        if i + ahead < m:
            x1 = wanted[i + ahead]
            if x1 >= lo and ((x1 - lo) >> shift) <= last:
                s = directory[(x1 - lo) >> shift]
                prefetch(keys, s)
                prefetch(offsets, s)
                if use_h2:
                    prefetch(keys_h2, s)
        x = wanted[i]
        out[i] = -1
        j, right = _radix_range(directory, lo, shift, n, x)
        stop = min(right, j + _SCAN_LIMIT)
        while j < stop and keys[j] < x:
            j += 1
        if j == stop:  # a crowded range (skewed hashes): binary search the rest
            j = _binary_lower_bound(keys, x, j, right)
        while j < n and keys[j] == x:  # a run of equal h1 (rare for strings): match h2
            if not use_h2 or keys_h2[j] == wanted_h2[i]:
                out[i] = offsets[j]
                break
            j += 1


@kernel
def _count_degrees(triples, lo, degrees):
    """``degrees[v - lo] += 1`` for the node ``v`` of every (node, other, eid) triple."""
    for i in range(triples.shape[0]):
        degrees[triples[i, 0] - lo] += 1


@kernel
def _scatter_by_range(triples, lo, range_of, nparts, bounds, out):
    """Stable scatter of triples into ``out`` grouped by the node range they fall in
    (``range_of[v - lo]``: the range of node v); ``bounds`` gets the group starts. (A binary
    search of the range starts per triple took 0.82 s of CPU on the 14 M hub-bucket edges of a
    1 GB powerlaw file.)"""
    bounds[:] = 0
    for i in range(triples.shape[0]):
        bounds[range_of[triples[i, 0] - lo] + 1] += 1
    for p in range(nparts):
        bounds[p + 1] += bounds[p]
    fill = bounds[:nparts].copy()
    for i in range(triples.shape[0]):
        p = range_of[triples[i, 0] - lo]
        j = fill[p]
        out[j, 0] = triples[i, 0]
        out[j, 1] = triples[i, 1]
        out[j, 2] = triples[i, 2]
        fill[p] = j + 1
