"""Checked INT64 arithmetic (ruzu/query/values/checked.py) against Python's exact integers: the
one-pass kernels for two columns, the range proof for a column and a scalar, and the exact
per-row test behind both, on operands near the limits and on ordinary ones."""

from __future__ import annotations

import numpy as np
import pytest

from ruzu.errors import IntegerOverflowError
from ruzu.query.values import checked

MIN, MAX = -(2**63), 2**63 - 1
OPS = {"+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y}


def _operands(rng, n: int, near_limits: bool) -> np.ndarray:
    if not near_limits:
        return rng.integers(-10**6, 10**6, n, dtype=np.int64)
    pool = np.array([MIN, MIN + 1, -(2**62), -3037000500, -1, 0, 1, 2, 3037000499,
                     3037000500, 2**62, MAX - 1, MAX], np.int64)
    return rng.choice(pool, n)


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("near_limits", [False, True])
@pytest.mark.parametrize("shape", ["columns", "scalar", "strided"])
def test_int_binary_matches_python_integers(op, near_limits, shape):
    rng = np.random.default_rng(len(op) + 7 * near_limits)
    for trial in range(40):
        a = _operands(rng, 1 + trial % 9, near_limits)
        b = _operands(rng, len(a), near_limits)
        if shape == "scalar":
            b = b[0]
        elif shape == "strided":  # non-contiguous columns take the range proof
            a = np.repeat(a, 2)[::2]
            b = np.repeat(b, 2)[::2]
        valid = rng.random(len(a)) < 0.8 if trial % 2 else True
        keep = np.broadcast_to(valid, a.shape)
        bb = np.broadcast_to(b, a.shape)
        exact = [OPS[op](int(x), int(y)) for x, y in zip(a, bb, strict=True)]
        overflows = any(not MIN <= v <= MAX for v, k in zip(exact, keep, strict=True) if k)
        if overflows:
            with pytest.raises(IntegerOverflowError, match="Overflow exception"):
                checked.int_binary(op, a, b, valid)
            continue
        got = checked.int_binary(op, a, b, valid)
        for g, v, k in zip(np.broadcast_to(got, a.shape), exact, keep, strict=True):
            if k:
                assert int(g) == v


@pytest.mark.parametrize("sources", ["all", "few"])
@pytest.mark.parametrize("big", [False, True])
def test_sum_over_neighbours_matches_python_integers(sources, big):
    rng = np.random.default_rng(3 + big)
    n = 300
    degree = rng.integers(0, 6, n)
    indptr = np.concatenate([[0], np.cumsum(degree)]).astype(np.int64)
    nbrs = rng.integers(0, n, int(indptr[-1])).astype(np.int32)
    eids = np.arange(len(nbrs), dtype=np.int32)
    weights = rng.integers(0, 2**61 if big else 1000, n).astype(np.int64)
    src = (np.arange(n, dtype=np.int64) if sources == "all"
           else np.asarray([3, 17, 150], np.int64))
    exact = [sum(int(weights[nbrs[j]]) for j in range(indptr[s], indptr[s + 1])) for s in src]
    out = np.zeros(len(src), np.int64)
    mask = np.zeros(1, np.bool_)
    if any(v > MAX for v in exact):
        with pytest.raises(IntegerOverflowError, match="number of paths"):
            checked.sum_over_neighbours(indptr, nbrs, eids, weights, mask, False, src, out)
        return
    checked.sum_over_neighbours(indptr, nbrs, eids, weights, mask, False, src, out)
    assert [int(v) for v in out] == exact


def test_exact_sum_past_int64():
    values = np.full(4, 2**62, np.int64)
    assert checked.exact_sum(values) == 2**64
    assert checked.exact_sum(np.asarray([MAX, -5, 5], np.int64)) == MAX
