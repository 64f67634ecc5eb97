"""Dense integer codes for vectors: the basis of GROUP BY, DISTINCT and ORDER BY.

``value_codes`` maps equal values (NULL included, as one value) to equal codes without a sort
when it can: small-range integers and node identities by direct addressing, column strings by
hashing their bytes once per distinct row (collisions checked byte-wise).
"""

from __future__ import annotations

import numpy as np

from ..values import _kernels
from ..values.output import python_values
from ..values.vectors import Const, LazyStrings, NodeVec, RelVec, Vec

_DIRECT_SPAN_FACTOR = 4  # direct addressing when max - min < 4 n (+ 1 M)


def int_codes(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Dense codes of int64 values (order of first occurrence, or sorted when sort-based)."""
    n = len(values)
    if n == 0:
        return np.zeros(0, np.int64), 0
    low = int(values.min())
    high = int(values.max())
    span = high - low + 1
    if span <= _DIRECT_SPAN_FACTOR * n + (1 << 20):
        out = np.empty(n, np.int64)
        k = _kernels._dense_codes(np.ascontiguousarray(values, np.int64), low, span, out)
        return out, int(k)
    uniq, inverse = np.unique(values, return_inverse=True)
    return inverse.astype(np.int64, copy=False), len(uniq)


def _with_nulls(codes: np.ndarray, card: int, valid: np.ndarray | None) -> tuple[np.ndarray, int]:
    if valid is None or valid.all():
        return codes, card
    codes = np.where(valid, codes, card)
    return codes, card + 1


def string_codes(value: Vec) -> tuple[np.ndarray, int]:
    values = value.values
    if isinstance(values, LazyStrings):
        codes, card = lazy_string_codes(values)
    else:
        objs = values
        if value.valid is not None:
            objs = np.where(value.valid, objs, "")
        uniq, inverse = np.unique(objs.astype(object), return_inverse=True)
        codes, card = inverse.astype(np.int64, copy=False), len(uniq)
    return _with_nulls(codes, card, value.valid)


def lazy_string_codes(lazy: LazyStrings) -> tuple[np.ndarray, int]:
    """Codes of column strings: distinct rows first (integers), then the bytes of each distinct
    row hashed once; a hash collision (checked) falls back to comparing decoded strings."""
    rows = np.ascontiguousarray(lazy.rows, np.int64)
    row_codes, n_rows = int_codes(rows)
    if n_rows == 0:
        return row_codes, 0
    first = np.full(n_rows, -1, np.int64)
    _kernels._first_occurrence(row_codes, first)
    unique_rows = rows[first]
    offsets, data = lazy.column.offsets, lazy.column.data
    hashes = np.empty(n_rows, np.uint64)
    _kernels._hash_string_rows(offsets, data, unique_rows, hashes)
    uniq, inverse = np.unique(hashes, return_inverse=True)
    representative = np.full(len(uniq), -1, np.int64)
    _kernels._first_occurrence(inverse.astype(np.int64), representative)
    same = np.empty(n_rows, np.bool_)
    if not _kernels._string_rows_equal(
        offsets, data, unique_rows, unique_rows[representative[inverse]], same
    ):
        decoded = lazy.take(first).materialize()
        uniq, inverse = np.unique(decoded, return_inverse=True)
    return inverse.astype(np.int64)[row_codes], len(uniq)


def value_codes(value) -> tuple[np.ndarray, int]:
    """(codes int64[n], number of codes): equal values ↔ equal codes; NULL is one code."""
    if isinstance(value, NodeVec | RelVec):
        return int_codes(value.identity())
    if value.kind == "null":
        return np.zeros(len(value), np.int64), 1
    if value.kind == "str":
        return string_codes(value)
    if value.kind in ("list", "any"):
        return _object_codes(value)
    values = np.asarray(value.values)
    if value.kind == "float":
        values = values.astype(np.float64, copy=False)
        if value.valid is not None:
            values = np.where(value.valid, values, 0.0)
        uniq, inverse = np.unique(values, return_inverse=True)
        codes, card = inverse.astype(np.int64, copy=False), len(uniq)
    else:
        ints = values.view(np.int64) if values.dtype.kind == "M" else values.astype(np.int64)
        if value.valid is not None:
            ints = np.where(value.valid, ints, ints[value.valid][0] if value.valid.any() else 0)
        codes, card = int_codes(ints)
    return _with_nulls(codes, card, value.valid)


def _object_codes(value: Vec) -> tuple[np.ndarray, int]:
    seen: dict = {}
    values = python_values(value)
    codes = np.empty(len(values), np.int64)
    for i, v in enumerate(values):  # lists as group keys are rare and small
        key = _hashable(v)
        codes[i] = seen.setdefault(key, len(seen))
    return codes, len(seen)


def _hashable(v):
    if isinstance(v, list):
        return tuple(_hashable(x) for x in v)
    if isinstance(v, dict):
        return tuple(sorted((k, _hashable(x)) for k, x in v.items()))
    return v


def factorize(vectors: list, n: int) -> tuple[np.ndarray, int]:
    """Group codes of rows over several key vectors (dense, 0 … groups-1)."""
    if not vectors:
        return np.zeros(n, np.int64), 1 if n else 0
    codes, card = value_codes(vectors[0])
    for vec in vectors[1:]:
        more, more_card = value_codes(vec)
        if card * more_card < (1 << 62):
            codes = codes * more_card + more
        else:
            codes = np.unique(np.stack([codes, more]), axis=1, return_inverse=True)[1]
        codes, card = int_codes(codes)
    return codes, card


def first_rows(codes: np.ndarray, groups: int) -> np.ndarray:
    first = np.full(groups, -1, np.int64)
    _kernels._first_occurrence(codes, first)
    return first


def sort_key(value, n: int) -> np.ndarray:
    """A numeric array ordered like the values (strings become ranks); NULL rows arbitrary."""
    if isinstance(value, Const):
        return np.zeros(n, np.int64)
    if isinstance(value, NodeVec | RelVec):
        return value.identity()
    if value.kind == "null":
        return np.zeros(len(value), np.int64)
    if value.kind == "str":
        return string_ranks(value)
    if value.kind in ("list", "any"):
        objs = value.objects()
        order = sorted(
            range(len(objs)), key=lambda i: _hashable(objs[i]) if objs[i] is not None else ()
        )
        ranks = np.empty(len(objs), np.int64)
        ranks[np.asarray(order, np.int64)] = np.arange(len(objs))
        return ranks
    values = np.asarray(value.values)
    if values.dtype.kind == "M":
        return values.view(np.int64)
    if values.dtype == np.bool_:
        return values.astype(np.int64)
    return values


def string_ranks(value: Vec) -> np.ndarray:
    """Ranks of strings in code point order; each distinct column row is decoded once."""
    values = value.values
    if isinstance(values, LazyStrings):
        rows = np.ascontiguousarray(values.rows, np.int64)
        row_codes, n_rows = int_codes(rows)
        first = first_rows(row_codes, n_rows)
        decoded = values.take(first).materialize()
        _, rank = np.unique(decoded, return_inverse=True)
        return rank.astype(np.int64)[row_codes]
    objs = values
    if value.valid is not None:
        objs = np.where(value.valid, objs, "")
    _, rank = np.unique(objs.astype(object), return_inverse=True)
    return rank.astype(np.int64)
