"""Shapes of nested types (LIST, ARRAY, STRUCT, MAP, UNION), reading their columns, Python values
of every composite type (layouts: ruzu/types.py), and ``Parsed``, the column-shaped
batch a column appender takes. Creating, appending and cutting nested column files is in
``columns.py`` (a nested column's children are columns again).

A nested column's state (``state.ColumnState``) has no ``data``, ``offsets`` (LIST/MAP: int64[n +
1] from 0; ARRAY: none) and ``child`` (LIST/MAP/ARRAY) or ``fields`` (STRUCT/UNION). Leaves are
ordinary columns, so every level keeps its own lazily created validity file.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from dataclasses import dataclass, field

import numpy as np

from ..types import CompositeType, LogicalType, is_composite, map_entry_type, union_storage_type

_OFFSET_DTYPE = np.dtype(np.int64)


def storage_type(typ):
    """The shape a type is stored in: MAP → LIST(STRUCT(key, value)), UNION → STRUCT(tag, …)."""
    if is_composite(typ) and typ.kind == "MAP":
        return CompositeType("LIST", child=map_entry_type(typ))
    if is_composite(typ) and typ.kind == "UNION":
        return union_storage_type(typ)
    return typ


def is_nested(typ) -> bool:
    return is_composite(typ) and typ.kind in ("LIST", "ARRAY", "STRUCT", "MAP", "UNION")


def is_bytes(typ) -> bool:
    """Stored as offsets + bytes."""
    return typ is LogicalType.STRING or typ is LogicalType.BLOB


def child_types(typ) -> list:
    shape = storage_type(typ)
    if shape.kind in ("LIST", "ARRAY"):
        return [shape.child]
    return [t for _, t in shape.fields]



def child_rows(typ, offsets_or_none, num_rows: int) -> int:
    """Rows of the child column(s) of a nested column of ``num_rows`` rows."""
    shape = storage_type(typ)
    if shape.kind == "LIST":
        return int(offsets_or_none[num_rows]) if num_rows else 0
    if shape.kind == "ARRAY":
        return num_rows * shape.size
    return num_rows


# -- reading -------------------------------------------------------------------------------------
class NestedColumn:
    """A committed nested column: ``offsets`` (LIST/MAP), ``children`` (columns as
    ``open_column`` returns them), ``child_validity``; values come out as Kùzu's Python API
    gives them (list, dict, member value)."""

    def __init__(self, typ, offsets, children: list, child_validity: list, num_rows: int):
        self.type = typ
        self.shape = storage_type(typ)
        self.offsets = offsets
        self.children = children
        self.child_validity = child_validity
        self.num_rows = num_rows

    def __len__(self) -> int:
        return self.num_rows

    def __getitem__(self, i: int):
        return self.values(np.array([i], np.int64))[0]

    def tolist(self) -> list:
        return self.values(np.arange(self.num_rows, dtype=np.int64))

    to_list = tolist

    def values(self, rows: np.ndarray) -> list:
        """Python values of ``rows`` (NULL-ness of the rows themselves is the caller's)."""
        rows = np.asarray(rows, np.int64)
        kind = self.shape.kind
        if kind in ("LIST", "ARRAY"):
            if kind == "LIST":
                starts = np.asarray(self.offsets[rows]) if len(rows) else rows
                ends = np.asarray(self.offsets[rows + 1]) if len(rows) else rows
            else:
                starts = rows * self.shape.size
                ends = starts + self.shape.size
            counts = ends - starts
            flat = concat_ranges(starts, counts)
            items = python_values(self.children[0], self.child_validity[0], flat,
                                  self.shape.child)
            out, pos = [], 0
            for c in counts.tolist():
                out.append(items[pos : pos + c])
                pos += c
            if self.type.kind == "MAP":
                return [{e["key"]: e["value"] for e in entries} for entries in out]
            return out
        names = [n for n, _ in self.shape.fields]
        columns = [python_values(col, valid, rows, t)
                   for col, valid, (_, t) in zip(self.children, self.child_validity,
                                                 self.shape.fields, strict=True)]
        if self.type.kind == "UNION":
            tags = columns[0]
            return [columns[1 + (tag or 0)][j] for j, tag in enumerate(tags)]
        return [dict(zip(names, vals, strict=True)) for vals in zip(*columns, strict=True)] \
            if columns else [{} for _ in rows]


def concat_ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenation of arange(s, s + c) for every (s, c)."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    ends = np.cumsum(counts)
    idx = np.arange(total, dtype=np.int64)
    return idx - np.repeat(ends - counts, counts) + np.repeat(starts, counts)



class ScalarColumn:
    """A fixed-width composite scalar column (UUID, INT128, DECIMAL, INTERVAL, TIMESTAMP_*):
    ``data`` is the zero-copy memmap; indexing gives Python values."""

    def __init__(self, typ, data) -> None:
        self.type = typ
        self.data = data

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, i: int):
        return self.values(np.array([i], np.int64))[0]

    def tolist(self) -> list:
        return self.values(np.arange(len(self.data), dtype=np.int64))

    to_list = tolist

    def values(self, rows: np.ndarray) -> list:
        return scalar_values(self.type, np.asarray(self.data[np.asarray(rows, np.int64)]))


def scalar_values(typ, raw: np.ndarray) -> list:
    """Python values (as Kùzu's API) of an array of a composite scalar's storage dtype."""
    if typ is LogicalType.UUID:
        return [uuid.UUID(bytes=bytes(v)) for v in raw.tolist()]
    if typ is LogicalType.INT128 or (is_composite(typ) and typ.kind == "DECIMAL"):
        scale = typ.scale if is_composite(typ) else 0
        ints = [(int(h) << 64) | int(lo) for lo, h in zip(raw["lo"].tolist(),
                                                          raw["hi"].tolist(), strict=True)]
        exact = decimal.Context(prec=100)
        return [decimal.Decimal(v).scaleb(-scale, context=exact) for v in ints]
    if typ is LogicalType.INTERVAL:
        return [dt.timedelta(days=m * 30 + d, microseconds=us)
                for m, d, us in raw.tolist()]
    if typ is LogicalType.TIMESTAMP_TZ:
        return [v.replace(tzinfo=dt.UTC) if v is not None else None
                for v in raw.astype("datetime64[us]").tolist()]
    if typ in (LogicalType.TIMESTAMP_NS, LogicalType.TIMESTAMP_MS, LogicalType.TIMESTAMP_SEC):
        return raw.astype("datetime64[us]").tolist()
    return raw.tolist()


def python_values(column, valid, rows: np.ndarray, typ) -> list:
    """Python values of ``rows`` of any column (None where ``valid`` is False)."""
    rows = np.asarray(rows, np.int64)
    if isinstance(column, (NestedColumn, ScalarColumn)):
        out = column.values(rows)
    elif hasattr(column, "offsets"):  # STRING / BLOB
        offs = column.offsets
        out = []
        for r in rows.tolist():
            raw = bytes(column.data[offs[r] : offs[r + 1]])
            out.append(raw if typ is LogicalType.BLOB else raw.decode("utf-8"))
    else:
        out = np.asarray(column[rows]).tolist() if len(rows) else []
    if valid is not None and len(rows):
        ok = np.asarray(valid[rows])
        for j in np.flatnonzero(~ok).tolist():
            out[j] = None
    return out


# -- what a column appender takes ------------------------------------------------------------
@dataclass
class Parsed:
    """One level of parsed values: ``valid`` per value, then by type ``values`` (fixed width),
    ``offsets`` + ``data`` (STRING/BLOB), ``offsets`` + ``child`` (LIST/MAP), ``child``
    (ARRAY), ``fields`` (STRUCT/UNION)."""

    valid: np.ndarray
    values: np.ndarray | None = None
    offsets: np.ndarray | None = None
    data: np.ndarray | None = None
    child: Parsed | None = None
    fields: list = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.valid)


def take_parsed(parsed: Parsed, rows: np.ndarray) -> Parsed:
    """The rows ``rows`` of a Parsed tree (for relationships whose endpoints resolved)."""
    rows = np.asarray(rows, np.int64)
    out = Parsed(valid=parsed.valid[rows])
    if parsed.values is not None:
        out.values = parsed.values[rows]
    elif parsed.data is not None:
        starts, ends = parsed.offsets[rows], parsed.offsets[rows + 1]
        out.offsets = np.concatenate([[0], np.cumsum(ends - starts)]).astype(np.int64)
        out.data = parsed.data[concat_ranges(starts, ends - starts)]
    elif parsed.child is not None:
        if parsed.offsets is not None:
            starts, ends = parsed.offsets[rows], parsed.offsets[rows + 1]
            out.offsets = np.concatenate([[0], np.cumsum(ends - starts)]).astype(np.int64)
            out.child = take_parsed(parsed.child, concat_ranges(starts, ends - starts))
        else:
            size = len(parsed.child) // max(len(parsed.valid), 1)
            out.child = take_parsed(parsed.child, concat_ranges(rows * size,
                                                          np.full(len(rows), size, np.int64)))
    else:
        out.fields = [take_parsed(f, rows) for f in parsed.fields]
    return out


