"""Slow, obviously correct reference implementations: the oracle for the query kernels."""

from __future__ import annotations

from collections import Counter


def walk_counts(edges: list[tuple[int, int]], source: int, low: int, high: int) -> Counter:
    """Number of walks of low…high edges from source to each node."""
    total: Counter = Counter()
    level = Counter({source: 1})
    if low == 0:
        total[source] += 1
    for hop in range(1, high + 1):
        nxt: Counter = Counter()
        for node, count in level.items():
            for a, b in edges:
                if a == node:
                    nxt[b] += count
        level = nxt
        if hop >= low:
            total.update(level)
    return total


def neighbour_sums(edges, weights, sources) -> list[int]:
    return [sum(weights[b] for a, b in edges if a == s) for s in sources]


def edges_between(edges, xs, ys) -> list[int]:
    return [sum(1 for a, b in edges if a == x and b == y) for x, y in zip(xs, ys, strict=True)]
