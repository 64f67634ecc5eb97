"""Column vectors flowing through query execution.

- ``Vec``: values of one logical kind with an optional validity mask (True = not NULL). Kinds:
  ``int`` (int64), ``float`` (float64), ``bool``, ``str`` (object array of str, or
  ``LazyStrings`` still pointing into a string column), ``date`` (datetime64[D]), ``timestamp``
  (datetime64[us]), ``list`` (object array of Python lists), ``null`` (all NULL).
- ``NodeVec``: node identities, (table, offset) per row.
- ``RelVec``: relationship identities, (rel table pair, edge id) per row, with both endpoints.
- ``Const``: one value broadcast over every row (literals and parameters stay scalar).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from .checked import INT64_MAX, INT64_MIN, checked_count_product, exact_sum, python_int
from .kinds import NUMPY_OF_KIND, common_kind, const_kind


class BytesColumn:
    """Strings computed during a query, laid out like a STRING column (offsets + UTF-8)."""

    def __init__(self, offsets: np.ndarray, data: np.ndarray) -> None:
        self.offsets = offsets
        self.data = data

    def __len__(self) -> int:
        return len(self.offsets) - 1


class LazyStrings:
    """Rows of a string column not yet decoded: decoding waits until a value is really needed
    (output, Python string functions), so filters, grouping and sorting can work on bytes."""

    __slots__ = ("column", "rows")

    def __init__(self, column, rows: np.ndarray) -> None:
        self.column = column  # has .offsets int64[n+1] and .data uint8
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def take(self, idx: np.ndarray) -> LazyStrings:
        return LazyStrings(self.column, self.rows[idx])

    def materialize(self) -> np.ndarray:
        return decode_rows(self.column.offsets, self.column.data, self.rows)


def decode_rows(offsets: np.ndarray, data: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Object array of the strings at ``rows``; each distinct row is decoded once."""
    out = np.empty(len(rows), dtype=object)
    if len(rows) == 0:
        return out
    unique, inverse = np.unique(rows, return_inverse=True)
    starts = np.asarray(offsets[unique])
    ends = np.asarray(offsets[unique + 1])
    lo, hi = int(starts.min()), int(ends.max())
    raw = bytes(np.asarray(data[lo:hi]))
    starts = (starts - lo).tolist()
    ends = (ends - lo).tolist()
    decoded = np.empty(len(unique), dtype=object)
    decoded[:] = [raw[s:e].decode("utf-8") for s, e in zip(starts, ends, strict=True)]
    out[:] = decoded[inverse]
    return out


@dataclass(eq=False)
class Const:
    value: Any
    kind: str

    def take(self, idx: np.ndarray) -> Const:
        return self


@dataclass(eq=False)
class Vec:
    kind: str
    values: Any  # np.ndarray or LazyStrings
    valid: np.ndarray | None = None
    ltype: Any = None  # the column type of a composite property (for Arrow output), if known

    def __len__(self) -> int:
        return len(self.values)

    def take(self, idx: np.ndarray) -> Vec:
        valid = None if self.valid is None else self.valid[idx]
        return Vec(
            self.kind,
            self.values.take(idx) if isinstance(self.values, LazyStrings) else self.values[idx],
            valid,
            self.ltype,
        )

    def objects(self) -> np.ndarray:
        """Values as an object/typed numpy array (strings decoded)."""
        if isinstance(self.values, LazyStrings):
            return self.values.materialize()
        return self.values

    def is_valid(self) -> np.ndarray:
        return np.ones(len(self), np.bool_) if self.valid is None else self.valid


@dataclass(eq=False)
class NodeVec:
    """Node identities. ``table_idx`` is None when every row is in ``tables[0]``."""

    tables: tuple[str, ...]
    offsets: np.ndarray
    table_idx: np.ndarray | None = None
    kind: str = "node"
    start: int | None = None  # set when offsets are start, start+1, …: gathers become slices
    valid: np.ndarray | None = None  # False: NULL (an OPTIONAL MATCH that found nothing)
    # Tables the variable's labels named (all tables when unlabelled), set on returned
    # columns: a returned node has every one of their keys, as in Kùzu.
    label_tables: tuple[str, ...] | None = None

    @classmethod
    def range(cls, table: str, lo: int, hi: int) -> NodeVec:
        return cls((table,), np.arange(lo, hi, dtype=np.int64), start=lo)

    def __len__(self) -> int:
        return len(self.offsets)

    def take(self, idx: np.ndarray) -> NodeVec:
        ti = None if self.table_idx is None else self.table_idx[idx]
        valid = None if self.valid is None else self.valid[idx]
        return NodeVec(self.tables, self.offsets[idx], ti, valid=valid)

    def is_valid(self) -> np.ndarray:
        return np.ones(len(self), np.bool_) if self.valid is None else self.valid

    def table_indices(self) -> np.ndarray:
        if self.table_idx is None:
            return np.zeros(len(self.offsets), np.int16)
        return self.table_idx

    def parts(self):
        """(table name, row positions or None for all rows, offsets) per table present."""
        if self.table_idx is None:
            yield self.tables[0], None, self.offsets
            return
        for i, name in enumerate(self.tables):
            rows = np.flatnonzero(self.table_idx == i)
            if len(rows):
                yield name, rows, self.offsets[rows]

    def identity(self) -> np.ndarray:
        """One int64 per row, equal exactly when the nodes are equal (NULL: -1)."""
        if self.table_idx is None:
            ident = self.offsets.astype(np.int64, copy=False)
        else:
            ident = (self.table_idx.astype(np.int64) << 48) | self.offsets
        return ident if self.valid is None else np.where(self.valid, ident, -1)


@dataclass(frozen=True)
class RelKey:
    """One (FROM, TO) pair of a rel table: edge ids are numbered per pair."""

    name: str
    from_table: str
    to_table: str


@dataclass(eq=False)
class RelVec:
    tables: tuple[RelKey, ...]
    edge_ids: np.ndarray
    src: NodeVec
    dst: NodeVec
    table_idx: np.ndarray | None = None
    kind: str = "rel"
    valid: np.ndarray | None = None  # False: NULL (an OPTIONAL MATCH that found nothing)

    def __len__(self) -> int:
        return len(self.edge_ids)

    def take(self, idx: np.ndarray) -> RelVec:
        ti = None if self.table_idx is None else self.table_idx[idx]
        valid = None if self.valid is None else self.valid[idx]
        return RelVec(
            self.tables, self.edge_ids[idx], self.src.take(idx), self.dst.take(idx), ti, valid=valid
        )

    def is_valid(self) -> np.ndarray:
        return np.ones(len(self), np.bool_) if self.valid is None else self.valid

    def parts(self):
        if self.table_idx is None:
            yield self.tables[0], None, self.edge_ids
            return
        for i, key in enumerate(self.tables):
            rows = np.flatnonzero(self.table_idx == i)
            if len(rows):
                yield key, rows, self.edge_ids[rows]

    def identity(self) -> np.ndarray:
        if self.table_idx is None:
            ident = self.edge_ids.astype(np.int64, copy=False)
        else:
            ident = (self.table_idx.astype(np.int64) << 48) | self.edge_ids
        return ident if self.valid is None else np.where(self.valid, ident, -1)


AnyVec = Vec | NodeVec | RelVec | Const


def concat_vecs(parts: list) -> Any:
    """Concatenate vectors of the same kind (node/rel parts may name different tables)."""
    first = parts[0]
    if len(parts) == 1:
        return first
    if isinstance(first, NodeVec):
        return _concat_nodes(parts)
    if isinstance(first, RelVec):
        keys = tuple(dict.fromkeys(k for p in parts for k in p.tables))
        index = {k: i for i, k in enumerate(keys)}
        idx = [
            np.asarray([index[k] for k in p.tables], np.int16)[p.table_idx]
            if p.table_idx is not None
            else np.full(len(p), index[p.tables[0]], np.int16)
            for p in parts
        ]
        ti = np.concatenate(idx)
        return RelVec(
            keys,
            np.concatenate([p.edge_ids for p in parts]),
            _concat_nodes([p.src for p in parts]),
            _concat_nodes([p.dst for p in parts]),
            None if len(keys) == 1 else ti,
            valid=_concat_valid(parts),
        )
    kinds = {p.kind for p in parts if p.kind != "null"}
    if not kinds:
        return Vec(
            "null",
            np.zeros(sum(len(p) for p in parts), np.bool_),
            np.zeros(sum(len(p) for p in parts), np.bool_),
        )
    kind = common_kind(kinds) or "any"  # mixed chunks keep their Python values
    values = []
    same_kind = all(p.kind == kind for p in parts)
    for p in parts:
        if p.kind == "null":
            values.append(np.zeros(len(p), NUMPY_OF_KIND.get(kind, object)))
        elif kind in ("str", "list", "any"):
            values.append(p.objects().astype(object, copy=False))
        elif same_kind:
            values.append(np.asarray(p.values))  # keeps a shared narrow dtype (INT16, FLOAT)
        else:
            values.append(np.asarray(p.values).astype(NUMPY_OF_KIND[kind], copy=False))
    if all(p.valid is None for p in parts):
        valid = None
    else:
        valid = np.concatenate([p.is_valid() for p in parts])
    if (
        kind == "str"
        and all(isinstance(p.values, LazyStrings) for p in parts)
        and len({id(p.values.column) for p in parts}) == 1
    ):
        return Vec(
            kind,
            LazyStrings(parts[0].values.column, np.concatenate([p.values.rows for p in parts])),
            valid,
        )
    return Vec(kind, np.concatenate(values), valid)


def _concat_nodes(parts: list[NodeVec]) -> NodeVec:
    tables = tuple(dict.fromkeys(t for p in parts for t in p.tables))
    offsets = np.concatenate([p.offsets for p in parts])
    valid = _concat_valid(parts)
    if len(tables) == 1:
        return NodeVec(tables, offsets, valid=valid)
    index = {t: i for i, t in enumerate(tables)}
    idx = []
    for p in parts:
        remap = np.asarray([index[t] for t in p.tables], np.int16)
        idx.append(
            remap[p.table_idx] if p.table_idx is not None else np.full(len(p), remap[0], np.int16)
        )
    return NodeVec(tables, offsets, np.concatenate(idx), valid=valid)


def _concat_valid(parts: list) -> np.ndarray | None:
    if all(p.valid is None for p in parts):
        return None
    return np.concatenate([p.is_valid() for p in parts])


def broadcast(value: AnyVec, n: int) -> Vec:
    """A Const as a Vec of n rows (other vectors are returned as they are)."""
    if not isinstance(value, Const):
        return value
    if value.value is None:
        return Vec("null", np.zeros(n, np.bool_), np.zeros(n, np.bool_))
    if value.kind in NUMPY_OF_KIND:
        v = value.value
        if value.kind == "date" and isinstance(v, dt.date):
            v = np.datetime64(v, "D")
        elif value.kind == "timestamp":
            v = np.datetime64(v, "us")
        return Vec(value.kind, np.full(n, v, NUMPY_OF_KIND[value.kind]))
    arr = np.empty(n, dtype=object)
    for i in range(n):
        arr[i] = value.value
    return Vec(value.kind, arr)


FOLDED = "#fold:"  # prefix of the columns holding aggregates computed inside folds


@dataclass(eq=False)
class Frame:
    """A chunk of rows: named vectors of equal length, plus an optional multiplicity per row
    (``weights``) standing for identical rows that were counted instead of materialised."""

    columns: dict[str, Any]
    n: int
    weights: np.ndarray | None = None

    def take(self, idx: np.ndarray) -> Frame:
        weights = None if self.weights is None else self.weights[idx]
        return Frame({k: v.take(idx) for k, v in self.columns.items()}, len(idx), weights)

    def filter(self, mask: np.ndarray) -> Frame:
        if mask.all():
            return self
        return self.take(np.flatnonzero(mask))

    def with_columns(self, **columns: Any) -> Frame:
        return Frame({**self.columns, **columns}, self.n, self.weights)

    def only(self, names) -> Frame:
        """The named columns (folded aggregate columns always travel with the rows)."""
        return Frame(
            {k: v for k, v in self.columns.items() if k in names or k.startswith(FOLDED)},
            self.n,
            self.weights,
        )

    def scaled(self, factor: np.ndarray | int) -> Frame:
        """Every row standing for ``factor`` times as many matches: weights and folded sums
        and counts are multiplied (folded minima and maxima are not)."""
        if self.weights is not None:
            weights = checked_count_product(self.weights, factor)
        elif isinstance(factor, np.ndarray) and factor.dtype == np.int64:
            weights = factor.copy()  # 1 * factor: one array, nothing to check
        elif isinstance(factor, int) and INT64_MIN <= factor <= INT64_MAX:
            weights = np.full(self.n, factor, np.int64)
        else:
            weights = checked_count_product(np.ones(self.n, np.int64), factor)
        columns = dict(self.columns)
        for name, vec in columns.items():
            if name.startswith(FOLDED) and not name.endswith(":ext"):
                product = (checked_count_product(vec.values, factor) if vec.kind == "int"
                           else vec.values * factor)
                columns[name] = Vec(vec.kind, product, vec.valid)
        return Frame(columns, self.n, None if (weights == 1).all() else weights)

    def multiplicities(self) -> np.ndarray:
        if self.weights is None:
            return np.ones(self.n, np.int64)
        return self.weights

    def expanded(self) -> Frame:
        """The same rows with every multiplicity written out as repeated rows."""
        if self.weights is None:
            return self
        python_int(exact_sum(self.weights), "the number of rows")
        idx = np.repeat(np.arange(self.n), self.weights)
        frame = self.take(idx)
        frame.weights = None
        return frame


def single_row_frame() -> Frame:
    return Frame({}, 1)


def concat_frames(frames: list[Frame]) -> Frame:
    frames = [f for f in frames if f.n] or frames[:1]
    if len(frames) == 1:
        return frames[0]
    names = list(frames[0].columns)
    columns = {k: concat_vecs([f.columns[k] for f in frames]) for k in names}
    if all(f.weights is None for f in frames):
        weights = None
    else:
        weights = np.concatenate([f.multiplicities() for f in frames])
    return Frame(columns, sum(f.n for f in frames), weights)


def from_python(values: np.ndarray, valid: np.ndarray) -> Vec:
    """A vector from an object array of Python values (kind inferred from the first value)."""
    kinds = {const_kind(v) for v, ok in zip(values, valid, strict=True) if ok and v is not None}
    if not kinds:
        return Vec("null", np.zeros(len(values), np.bool_), np.zeros(len(values), np.bool_))
    kind = common_kind(kinds) or "any"  # no common type: the values keep their own
    if kind in NUMPY_OF_KIND:
        out = np.zeros(len(values), NUMPY_OF_KIND[kind])
        for i in np.flatnonzero(valid):
            out[i] = values[i]
        return Vec(kind, out, None if valid.all() else valid)
    return Vec(kind, values, None if valid.all() else valid)
