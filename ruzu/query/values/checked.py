"""Checked INT64 arithmetic: an overflow raises ``IntegerOverflowError`` (as Kùzu's "Overflow
exception: Value a + b is not within INT64 range."), never a wrapped number.

numpy's int64 operations wrap silently; each operation here computes the wrapped result and
then finds the rows whose true result lies outside INT64 (sign tests for + and -, a float
estimate refined with Python integers for *), ignoring NULL rows. Path and match counts, which
are sums and products of non-negative counts, use ``checked_count_*``.
"""

from __future__ import annotations

import numpy as np

from ...errors import IntegerOverflowError
from . import _kernels

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
# a count kernel stores this when a sum would pass INT64 (it saturates instead of wrapping)
SATURATED = INT64_MAX


def _raise(op: str, a, b, bad: np.ndarray) -> None:
    i = int(np.flatnonzero(bad)[0]) if np.ndim(bad) else 0
    x = int(np.broadcast_to(a, np.shape(bad))[i]) if np.ndim(bad) else int(a)
    y = int(np.broadcast_to(b, np.shape(bad))[i]) if np.ndim(bad) else int(b)
    raise IntegerOverflowError(
        f"Overflow exception: Value {x} {op} {y} is not within INT64 range.")


def _bounds(x: np.ndarray) -> tuple[int, int]:
    if x.ndim == 0:
        v = int(x)
        return v, v
    return int(x.min()), int(x.max())


def _cannot_overflow(op: str, a: np.ndarray, b: np.ndarray) -> bool:
    """True when the operands' ranges alone prove that no row of ``a op b`` leaves INT64:
    two reductions per operand instead of the per-row test's temporaries (the usual case)."""
    if not a.size or not b.size:
        return True
    (a_lo, a_hi), (b_lo, b_hi) = _bounds(a), _bounds(b)
    if op == "+":
        lo, hi = a_lo + b_lo, a_hi + b_hi
    elif op == "-":
        lo, hi = a_lo - b_hi, a_hi - b_lo
    else:
        hi = max(-a_lo, a_hi) * max(-b_lo, b_hi)
        lo = -hi
    return INT64_MIN <= lo and hi <= INT64_MAX


def int_binary(op: str, a, b, valid) -> np.ndarray:
    """``a op b`` for op in + - * with int64 operands (arrays or scalars), checked."""
    a = np.asarray(a, np.int64)
    b = np.asarray(b, np.int64)
    if a.ndim == 1 and a.shape == b.shape and a.flags.c_contiguous and b.flags.c_contiguous:
        # two columns: one pass computes the result and whether any row may have left INT64
        r = np.empty(a.shape, np.int64)
        if op == "*":
            suspect = _kernels._mul_may_wrap(a, b, r)
        else:
            suspect = _kernels._add_sub_wraps(a, b, op == "-", r)
        if not suspect:
            return r
    elif _cannot_overflow(op, a, b):
        return a + b if op == "+" else a - b if op == "-" else a * b
    with np.errstate(over="ignore"):
        if op == "+":
            r = a + b
            bad = ((a ^ r) & (b ^ r)) < 0
        elif op == "-":
            r = a - b
            bad = ((a ^ b) & (a ^ r)) < 0
        else:
            r = a * b
            approx = np.abs(a.astype(np.float64) * b.astype(np.float64))
            bad = approx >= 2.0**62  # candidates only: checked exactly below
            if np.any(bad):
                bad = _exact_product_overflows(a, b, bad)
    if valid is not True and valid is not None:
        bad = np.logical_and(bad, valid)
    if np.any(bad):
        _raise(op, a, b, bad)
    return r


def _exact_product_overflows(a, b, candidates) -> np.ndarray:
    shape = np.broadcast_shapes(np.shape(a), np.shape(b))
    out = np.zeros(shape, np.bool_)
    aa = np.broadcast_to(a, shape)
    bb = np.broadcast_to(b, shape)
    cand = np.broadcast_to(candidates, shape)
    flat = np.flatnonzero(cand) if shape else ([0] if bool(cand) else [])
    view = out.reshape(-1)
    for i in flat:
        p = int(aa.reshape(-1)[i]) * int(bb.reshape(-1)[i])
        view[i] = not INT64_MIN <= p <= INT64_MAX
    return out


def int_divide_check(a, b, valid) -> None:
    """INT64_MIN / -1 is the one quotient outside INT64."""
    a = np.asarray(a, np.int64)
    b = np.asarray(b, np.int64)
    bad = (a == INT64_MIN) & (b == -1)
    if valid is not True and valid is not None:
        bad = np.logical_and(bad, valid)
    if np.any(bad):
        _raise("/", a, b, bad)


def int_negate(values, valid=None):
    bad = np.asarray(values) == INT64_MIN
    if valid is not None:
        bad = np.logical_and(bad, valid)
    if np.any(bad):
        raise IntegerOverflowError(
            f"Overflow exception: Value {INT64_MIN} cannot be negated within INT64 range.")
    return -np.asarray(values, np.int64)


def python_int(value: int, what: str = "Value") -> int:
    """A Python integer result that must fit INT64."""
    if not INT64_MIN <= value <= INT64_MAX:
        raise IntegerOverflowError(
            f"Overflow exception: {what} {value} is not within INT64 range.")
    return value


def checked_count_product(a: np.ndarray, b) -> np.ndarray:
    """Product of non-negative counts (match multiplicities), checked."""
    return int_binary("*", a, b, True)


def check_saturated(counts: np.ndarray, what: str) -> None:
    """Counts from a saturating kernel: SATURATED marks a count beyond INT64."""
    if len(counts) and int(np.max(counts)) >= SATURATED:
        raise IntegerOverflowError(
            f"Overflow exception: the number of {what} is not within INT64 range "
            f"(more than {INT64_MAX:,}).")


def sum_over_neighbours(indptr, nbrs, eids, weights, edge_mask, use_mask, sources, out,
                        what: str = "paths") -> None:
    """``_kernels._sum_over_neighbours``, checked for INT64 overflow when the sums are ints."""
    # The overflow test costs the kernel 25-35% (~0.4 ns per edge); bounds, which usually prove
    # it unnecessary, cost a min and a max over weights and out (~0.17 ns a value each): taken
    # unless the edges are fewer than half as many as those values.
    if out.dtype == np.int64 and (2 * _edges_of(indptr, nbrs, sources) <= len(weights) + len(out)
                                  or not _sums_fit(indptr, nbrs, weights, out)):
        bad = _kernels._sum_over_neighbours_int(indptr, nbrs, eids, weights.astype(
            np.int64, copy=False), edge_mask, use_mask, sources, out)
        if bad >= 0:
            raise IntegerOverflowError(
                f"Overflow exception: the number of {what} is not within INT64 range "
                f"(more than {INT64_MAX:,}).")
        return
    _kernels._sum_over_neighbours(indptr, nbrs, eids, weights, edge_mask, use_mask, sources,
                                  out)


def _edges_of(indptr, nbrs, sources) -> int:
    """How many edges the sources have (all of them when every node is a source)."""
    if len(sources) == len(indptr) - 1:
        return len(nbrs)
    return int((indptr[sources + 1] - indptr[sources]).sum())


def _sums_fit(indptr, nbrs, weights, out) -> bool:
    """True when no sum of ``sum_over_neighbours`` can leave INT64, from bounds alone: the
    largest weight times the edge count (or the largest degree), plus the largest start."""
    if not len(weights) or not len(nbrs):
        return True
    w_lo, w_hi = _bounds(weights)
    o_lo, o_hi = _bounds(out) if len(out) else (0, 0)
    w = max(-w_lo, w_hi)
    o = max(-o_lo, o_hi)
    if o + w * len(nbrs) <= INT64_MAX:
        return True
    return o + w * int(np.diff(indptr).max()) <= INT64_MAX


def exact_sum(values: np.ndarray) -> int:
    """The sum of an int64 array as a Python integer (numpy's sum wraps)."""
    values = np.asarray(values)
    if not len(values):
        return 0
    lo, hi = _bounds(values)
    if max(-lo, hi) * len(values) <= INT64_MAX:
        return int(values.sum())
    return sum(int(v) for v in values.tolist())
