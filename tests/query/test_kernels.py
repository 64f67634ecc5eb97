"""The query kernels agree with the naive reference implementations on random graphs."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ruzu.query.values import _kernels

from . import naive


def csr(n: int, edges: list[tuple[int, int]]):
    src = np.asarray([a for a, _ in edges], np.int64)
    dst = np.asarray([b for _, b in edges], np.int64)
    order = np.argsort(src, kind="stable")
    indptr = np.zeros(n + 1, np.int64)
    indptr[1:] = np.cumsum(np.bincount(src, minlength=n))
    return indptr, dst[order].astype(np.int32), order.astype(np.int32)


graphs = st.integers(1, 8).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=25),
    )
)


@settings(max_examples=60, deadline=None)
@given(graphs, st.integers(0, 2), st.integers(0, 3))
def test_walk_counts(graph, low, extra):
    n, edges = graph
    high = max(low, 1) + extra
    indptr, nbrs, _ = csr(n, edges)
    sources = np.arange(n, dtype=np.int64)
    rows, nodes, counts = _kernels._walk_counts(
        indptr, nbrs, sources, np.ones(n, np.bool_), low, high, n
    )
    for s in range(n):
        got = {int(v): int(c) for r, v, c in zip(rows, nodes, counts, strict=True) if r == s}
        assert got == dict(naive.walk_counts(edges, s, low, high))


@settings(max_examples=60, deadline=None)
@given(graphs, st.data())
def test_neighbour_sums_and_edges_between(graph, data):
    n, edges = graph
    indptr, nbrs, eids = csr(n, edges)
    weights = np.asarray(data.draw(st.lists(st.integers(0, 5), min_size=n, max_size=n)), np.int64)
    sources = np.arange(n, dtype=np.int64)
    out = np.zeros(n, np.int64)
    _kernels._sum_over_neighbours(
        indptr, nbrs, eids, weights, np.zeros(1, np.bool_), False, sources, out
    )
    assert out.tolist() == naive.neighbour_sums(edges, weights.tolist(), range(n))
    pairs = data.draw(
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=20)
    )
    xs = np.asarray(sorted(p[0] for p in pairs), np.int64)  # grouped by x
    ys = np.asarray([p[1] for p in sorted(pairs)], np.int64)
    expected = naive.edges_between(edges, xs.tolist(), ys.tolist())
    scanned = np.empty(len(xs), np.int64)
    _kernels._count_edges_between(indptr, nbrs, eids, np.zeros(1, np.bool_), False, xs, ys, scanned)
    grouped = np.empty(len(xs), np.int64)
    marks = np.zeros(n, np.int32)
    _kernels._count_edges_grouped(
        indptr, nbrs, eids, np.zeros(1, np.bool_), False, xs, ys, marks, grouped
    )
    assert scanned.tolist() == expected == grouped.tolist()
    assert not marks.any()
