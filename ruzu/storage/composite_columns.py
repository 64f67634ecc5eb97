"""Column files of nested types (LIST, ARRAY, STRUCT, MAP, UNION) and Python values of every
composite type (layouts: ruzu/composite_types.py).

A nested column state is ``{"data": None, "offsets": id|None, "validity": id|None,
"child": state}`` (LIST/MAP: offsets int64[n + 1] from 0; ARRAY: no offsets) or ``{…,
"fields": [state, …]}`` (STRUCT/UNION). Leaves are ordinary columns (ruzu/storage/columns.py),
so every level keeps its own lazily created validity file.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

import numpy as np

from ..composite_types import CompositeType, is_composite, map_entry_type, union_storage_type
from ..types import LogicalType

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


def child_states(state: dict) -> list[dict]:
    if "child" in state:
        return [state["child"]]
    return list(state.get("fields", []))


def create_nested(txn, typ) -> dict:
    from .columns import create_column

    shape = storage_type(typ)
    state = {"data": None, "offsets": None, "validity": None}
    if shape.kind == "LIST":
        state["offsets"] = txn.new_file()
        txn.appender(state["offsets"]).append(np.zeros(1, _OFFSET_DTYPE))
    if shape.kind in ("LIST", "ARRAY"):
        state["child"] = create_column(txn, shape.child)
    else:
        state["fields"] = [create_column(txn, t) for _, t in shape.fields]
    return state


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
            flat = _ranges(starts, counts)
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


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenation of arange(s, s + c) for every (s, c)."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    ends = np.cumsum(counts)
    idx = np.arange(total, dtype=np.int64)
    return idx - np.repeat(ends - counts, counts) + np.repeat(starts, counts)


def open_nested(files, state: dict, typ, num_rows: int) -> NestedColumn:
    from .checks import check_offsets
    from .columns import open_column, open_validity

    shape = storage_type(typ)
    offsets = None
    if shape.kind == "LIST":
        offsets = files.map(state["offsets"], _OFFSET_DTYPE, num_rows + 1)
        check_offsets(offsets, int(offsets[-1]), files.path(state["offsets"]))
    n_child = child_rows(typ, offsets, num_rows)
    children, validity = [], []
    for cstate, ctyp in zip(child_states(state), child_types(typ), strict=True):
        children.append(open_column(files, cstate, ctyp, n_child))
        validity.append(open_validity(files, cstate, n_child))
    return NestedColumn(typ, offsets, children, validity, num_rows)


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


# -- appending -----------------------------------------------------------------------------------
class NestedAppender:
    """Appends ``Parsed`` trees (ruzu/csv/composite_values.py) to a nested column."""

    def __init__(self, txn, state: dict, typ, num_rows: int) -> None:
        from .columns import ColumnAppender, read_chunk

        self.shape = storage_type(typ)
        self.type = typ
        self._offsets = None
        n_child = child_rows(typ, None, num_rows) if self.shape.kind != "LIST" else 0
        if self.shape.kind == "LIST":
            self._offsets = txn.appender(state["offsets"])
            txn.drain()  # only the last offset is read: the child's row count
            n_child = int(read_chunk(txn.path(state["offsets"]), np.int64, num_rows, 1)[0])
        self.children = [ColumnAppender(txn, cs, ct, n_child)
                         for cs, ct in zip(child_states(state), child_types(typ), strict=True)]

    def append(self, parsed) -> None:
        if self.shape.kind == "LIST":
            base = self.children[0].num_rows
            self._offsets.append(parsed.offsets[1:] + base)
            self.children[0].append_parsed(parsed.child)
        elif self.shape.kind == "ARRAY":
            self.children[0].append_parsed(parsed.child)
        else:
            for app, part in zip(self.children, parsed.fields, strict=True):
                app.append_parsed(part)


def take_parsed(parsed, rows: np.ndarray):
    """The rows ``rows`` of a Parsed tree (for relationships whose endpoints resolved)."""
    from ..csv.composite_values import Parsed

    rows = np.asarray(rows, np.int64)
    out = Parsed(valid=parsed.valid[rows])
    if parsed.values is not None:
        out.values = parsed.values[rows]
    elif parsed.data is not None:
        starts, ends = parsed.offsets[rows], parsed.offsets[rows + 1]
        out.offsets = np.concatenate([[0], np.cumsum(ends - starts)]).astype(np.int64)
        out.data = parsed.data[_ranges(starts, ends - starts)]
    elif parsed.child is not None:
        if parsed.offsets is not None:
            starts, ends = parsed.offsets[rows], parsed.offsets[rows + 1]
            out.offsets = np.concatenate([[0], np.cumsum(ends - starts)]).astype(np.int64)
            out.child = take_parsed(parsed.child, _ranges(starts, ends - starts))
        else:
            size = len(parsed.child) // max(len(parsed.valid), 1)
            out.child = take_parsed(parsed.child, _ranges(rows * size,
                                                          np.full(len(rows), size, np.int64)))
    else:
        out.fields = [take_parsed(f, rows) for f in parsed.fields]
    return out


# -- cutting back --------------------------------------------------------------------------------
def truncate_nested(txn, state: dict, typ, num_rows: int) -> None:
    from .columns import read_chunk, truncate_rows
    from .transaction import finish_rewrite

    txn.drain()
    n_child = child_rows(typ, None, num_rows) if state["offsets"] is None else 0
    if state["offsets"] is not None:
        app = txn.appender(state["offsets"])
        n_child = int(read_chunk(app.path, np.int64, num_rows, 1)[0])
        finish_rewrite(app, (num_rows + 1) * 8)
    for cs, ct in zip(child_states(state), child_types(typ), strict=True):
        truncate_rows(txn, cs, ct, n_child)
    if state["validity"] is not None:
        vapp = txn.appender(state["validity"])
        finish_rewrite(vapp, min(vapp.size, num_rows))


def drop_nested(txn, state: dict, typ, first_row: int, num_rows: int, drop: np.ndarray) -> None:
    """Remove rows ``drop`` (sorted, absolute, all appended by this transaction)."""
    from . import io
    from .columns import drop_rows, read_chunk
    from .transaction import compact_tail, finish_rewrite

    txn.drain()
    drop = np.asarray(drop, np.int64)
    shape = storage_type(typ)
    n_child_first = n_child = None
    if shape.kind == "LIST":
        app = txn.appender(state["offsets"])
        # the offsets of this import's rows (already bounded by the rows just written)
        tail = read_chunk(app.path, np.int64, first_row, num_rows - first_row + 1)
        n_child_first, n_child = int(tail[0]), int(tail[-1])
        counts = np.diff(tail)
        child_drop = _ranges(tail[drop - first_row], counts[drop - first_row])
        keep = np.ones(num_rows - first_row, np.bool_)
        keep[drop - first_row] = False
        new_tail = tail[0] + np.cumsum(counts[keep])
        import os

        fd = os.open(app.path, os.O_RDWR)
        try:
            io.write_at(fd, new_tail.astype(np.int64), (first_row + 1) * 8)
        finally:
            os.close(fd)
        finish_rewrite(app, (first_row + 1 + len(new_tail)) * 8)
    elif shape.kind == "ARRAY":
        child_drop = _ranges(drop * shape.size, np.full(len(drop), shape.size, np.int64))
    else:
        child_drop = drop
    if n_child is None:
        n_child_first, n_child = child_rows(typ, None, first_row), child_rows(typ, None, num_rows)
    for cs, ct in zip(child_states(state), child_types(typ), strict=True):
        drop_rows(txn, cs, ct, n_child_first, n_child, child_drop)
    if state["validity"] is not None:
        local = drop - first_row

        def keeper(items: np.ndarray, first: int) -> np.ndarray:
            lo, hi = np.searchsorted(local, [first, first + len(items)])
            mask = np.ones(len(items), np.bool_)
            mask[local[lo:hi] - first] = False
            return items[mask]

        vapp = txn.appender(state["validity"])
        if vapp.size > first_row:
            compact_tail(vapp, first_row, 1, keeper)
