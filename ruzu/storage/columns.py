"""Column files.

- Fixed-width column: one file of raw little-endian values, readable with ``np.memmap``.
- STRING column: an offsets file of int64 (n + 1 entries, starting with 0) and a bytes file of
  UTF-8; row i is ``data[offsets[i]:offsets[i + 1]]``.
- Validity: a file of one byte per row (1 = value, 0 = NULL), created only once a column holds
  its first NULL; a column without one has no NULLs.

The state of a column in the manifest is a ``state.ColumnState``: the ``data``, ``offsets`` and
``validity`` file ids (None when absent), and the children of a nested column.
"""

from __future__ import annotations

import os

import numpy as np

from ..types import LogicalType
from . import io
from .checks import check_offsets
from .composite_columns import (
    NestedColumn,
    ScalarColumn,
    child_rows,
    child_types,
    concat_ranges,
    is_bytes,
    is_nested,
    storage_type,
)
from .files import FileSet
from .state import ColumnState
from .transaction import Transaction, compact_tail, finish_rewrite

_OFFSET_DTYPE = np.dtype(np.int64)
_VALIDITY_FILL_CHUNK = 1 << 20


def create_column(txn: Transaction, typ: LogicalType) -> ColumnState:
    if is_nested(typ):
        return create_nested(txn, typ)
    state = ColumnState(data=txn.new_file())
    if is_bytes(typ):
        state.offsets = txn.new_file()
        txn.appender(state.offsets).append(np.zeros(1, _OFFSET_DTYPE))
    return state


class ColumnAppender:
    """Appends batches to one column inside a transaction."""

    def __init__(self, txn: Transaction, state: ColumnState, typ: LogicalType,
                 num_rows: int) -> None:
        self.txn = txn
        self.state = state
        self.type = typ
        self.num_rows = num_rows
        self._nested = NestedAppender(txn, state, typ, num_rows) if is_nested(typ) else None
        if self._nested is not None:
            return
        self._data = txn.appender(state.data)
        self._offsets = txn.appender(state.offsets) if state.offsets is not None else None

    @property
    def is_nested(self) -> bool:
        return self._nested is not None

    def append_nulls(self, rows: int) -> None:
        """``rows`` NULLs (a column of a flat type the input does not hold)."""
        first_row = self.num_rows
        if self.state.offsets is not None:  # STRING and other variable-size values
            self.append_strings(np.zeros(rows + 1, np.int64), np.zeros(0, np.uint8))
        else:
            self.append_values(np.zeros(rows, self.type.dtype))
        self.append_validity(np.zeros(rows, np.uint8), first_row)

    def append_parsed(self, parsed) -> None:
        """Append a batch parsed by ruzu/csv/composite_values.py (any type), with validity."""
        first_row = self.num_rows
        if self._nested is not None:
            self._nested.append(parsed)
            self.num_rows += len(parsed.valid)
        elif parsed.data is not None:
            self.append_strings(parsed.offsets, parsed.data)
        else:
            self.append_values(parsed.values)
        self.append_validity(parsed.valid, first_row)

    def append_values(self, values: np.ndarray) -> None:
        self._data.append(values.astype(self.type.dtype, copy=False))
        self.num_rows += len(values)

    def append_strings(self, offsets: np.ndarray, data: np.ndarray) -> None:
        """``offsets`` int64[k + 1] relative to ``data`` (offsets[0] == 0)."""
        base = self._data.size
        self._data.append(data[: offsets[-1]])
        self._offsets.append(offsets[1:] + base, owned=True)
        self.num_rows += len(offsets) - 1

    def append_validity(self, valid: np.ndarray, first_row: int) -> None:
        """Record the validity of rows ``first_row …``; a file is only made at the first NULL."""
        vid = self.state.validity
        if vid is None:
            if valid.all():
                return
            vid = self.state.validity = self.txn.new_file()
            app = self.txn.appender(vid)
            ones = np.ones(min(first_row, _VALIDITY_FILL_CHUNK), np.uint8)
            left = first_row
            while left > 0:
                step = min(left, len(ones))
                app.append(ones[:step])
                left -= step
        self.txn.appender(vid).append(valid.astype(np.uint8, copy=False))


# -- reading ---------------------------------------------------------------------------------
def read_chunk(path: str, dtype, start: int, count: int, out: np.ndarray | None = None):
    """Read items ``start … start+count`` with a plain pread (no mapping: RSS stays flat)."""
    dtype = np.dtype(dtype)
    if out is None:
        out = np.empty(count, dtype)
    view = out[:count].view(np.uint8)
    fd = os.open(path, os.O_RDONLY)
    try:
        got = 0
        while got < view.nbytes:
            n = os.preadv(fd, [view[got:]], start * dtype.itemsize + got)
            if n == 0:
                raise OSError(f"{path}: unexpected end of file")
            got += n
    finally:
        os.close(fd)
    return out[:count]


class StringColumn:
    """A STRING column backed by its files: ``offsets`` int64[n + 1], ``data`` uint8 UTF-8."""

    def __init__(self, offsets: np.ndarray, data: np.ndarray) -> None:
        self.offsets = offsets
        self.data = data

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> str:
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(i)
        return bytes(self.data[self.offsets[i] : self.offsets[i + 1]]).decode("utf-8")

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def to_numpy(self) -> np.ndarray:
        out = np.empty(len(self), dtype=object)
        raw = bytes(self.data[: self.offsets[-1]]) if len(self) else b""
        offs = self.offsets.tolist()
        for i in range(len(self)):
            out[i] = raw[offs[i] : offs[i + 1]].decode("utf-8")
        return out

    def to_list(self) -> list[str]:
        return self.to_numpy().tolist()


class BlobColumn(StringColumn):
    """A BLOB column: as a STRING column, values are ``bytes``."""

    def __getitem__(self, i: int) -> bytes:
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(i)
        return bytes(self.data[self.offsets[i] : self.offsets[i + 1]])

    def to_numpy(self) -> np.ndarray:
        out = np.empty(len(self), dtype=object)
        out[:] = [self[i] for i in range(len(self))]
        return out

    def values(self, rows: np.ndarray) -> list:
        return [self[int(r)] for r in np.asarray(rows).tolist()]


def open_column(files: FileSet, state: ColumnState, typ: LogicalType, num_rows: int):
    if is_nested(typ):
        return open_nested(files, state, typ, num_rows)
    if is_bytes(typ):
        files.expect_size(state.offsets, (num_rows + 1) * 8, "string offsets")
        offsets = files.map(state.offsets, _OFFSET_DTYPE, num_rows + 1)
        nbytes = files.entry(state.data).size
        check_offsets(offsets, nbytes, files.path(state.offsets))
        cls = StringColumn if typ is LogicalType.STRING else BlobColumn
        return cls(offsets, files.map(state.data, np.uint8, nbytes))
    files.expect_size(state.data, num_rows * typ.dtype.itemsize, "column")
    data = files.map(state.data, typ.dtype, num_rows)
    if getattr(typ, "is_composite", False):
        return ScalarColumn(typ, data)
    return data


def to_pylist(column, valid: np.ndarray | None) -> list:
    """A column's values as Python objects, None where ``valid`` is False."""
    if isinstance(column, (StringColumn, NestedColumn, ScalarColumn)):
        values = column.to_list()
    else:
        values = column.tolist()
    if valid is None:
        return values
    return [v if ok else None for v, ok in zip(values, valid.tolist(), strict=True)]


def open_validity(files: FileSet, state: ColumnState, num_rows: int) -> np.ndarray | None:
    if state.validity is None:
        return None
    return files.map(state.validity, np.uint8, num_rows).view(np.bool_)



def drop_rows(txn: Transaction, state: ColumnState, typ: LogicalType, first_row: int, num_rows: int,
              drop: np.ndarray) -> None:
    """Remove rows ``drop`` (sorted, absolute row numbers in ``first_row … num_rows-1``, all
    appended by this transaction) from a column, in place and in bounded chunks. Used when rows
    turn out bad only after they were written (a duplicate key kept-first, a relationship whose
    endpoint is missing)."""
    if not len(drop):
        return
    if is_nested(typ):
        drop_nested(txn, state, typ, first_row, num_rows, drop)
        return
    txn.drain()
    local = np.asarray(drop, np.int64) - first_row

    def keeper(items: np.ndarray, first: int) -> np.ndarray:
        lo, hi = np.searchsorted(local, [first, first + len(items)])
        mask = np.ones(len(items), np.bool_)
        mask[local[lo:hi] - first] = False
        return items[mask]

    if is_bytes(typ):
        _drop_string_rows(txn, state, first_row, num_rows, keeper)
    else:
        width = typ.dtype.itemsize
        compact_tail(txn.appender(state.data), first_row * width, width, keeper)
    if state.validity is not None:
        vapp = txn.appender(state.validity)
        if vapp.size > first_row:
            compact_tail(vapp, first_row, 1, keeper)


def _drop_string_rows(txn: Transaction, state: ColumnState, first_row: int, num_rows: int,
                      keeper) -> None:
    offs_app = txn.appender(state.offsets)
    data_app = txn.appender(state.data)
    chunk = 1 << 18
    fd_o = os.open(offs_app.path, os.O_RDWR)
    fd_d = os.open(data_app.path, os.O_RDWR)
    try:
        prev_end = int(read_chunk(offs_app.path, np.int64, first_row, 1)[0])
        w_bytes, w_row = prev_end, first_row + 1
        for r0 in range(first_row, num_rows, chunk):
            r1 = min(num_rows, r0 + chunk)
            ends = read_chunk(offs_app.path, np.int64, r0 + 1, r1 - r0)
            lengths = np.diff(ends, prepend=prev_end)
            data = np.frombuffer(os.pread(fd_d, int(ends[-1]) - prev_end, prev_end), np.uint8)
            prev_end = int(ends[-1])
            rows = np.arange(r0 - first_row, r1 - first_row)
            keep = np.zeros(r1 - r0, np.bool_)
            keep[keeper(rows.reshape(-1, 1), r0 - first_row)[:, 0] - (r0 - first_row)] = True
            kept = data[np.repeat(keep, lengths)]
            io.write_at(fd_d, kept, w_bytes)
            new_ends = w_bytes + np.cumsum(lengths[keep])
            io.write_at(fd_o, new_ends.astype(np.int64), w_row * 8)
            w_bytes += len(kept)
            w_row += int(keep.sum())
    finally:
        os.close(fd_o)
        os.close(fd_d)
    finish_rewrite(data_app, w_bytes)
    finish_rewrite(offs_app, w_row * 8)


def truncate_rows(txn: Transaction, state: ColumnState, typ: LogicalType, num_rows: int) -> None:
    """Cut a column back to its first ``num_rows`` rows (all rows after them were appended by
    this transaction): used to keep only the complete batches of an interrupted import."""
    if is_nested(typ):
        truncate_nested(txn, state, typ, num_rows)
        return
    txn.drain()
    if is_bytes(typ):
        offs = txn.appender(state.offsets)
        end = int(read_chunk(offs.path, np.int64, num_rows, 1)[0])
        finish_rewrite(txn.appender(state.data), end)
        finish_rewrite(offs, (num_rows + 1) * 8)
    else:
        finish_rewrite(txn.appender(state.data), num_rows * typ.dtype.itemsize)
    if state.validity is not None:
        vapp = txn.appender(state.validity)
        finish_rewrite(vapp, min(vapp.size, num_rows))


# -- nested columns (LIST, ARRAY, STRUCT, MAP, UNION): a level of offsets/validity over child
# columns, which are columns again (so these recurse through the functions above) --------------
def create_nested(txn, typ) -> ColumnState:
    shape = storage_type(typ)
    state = ColumnState(data=None)
    if shape.kind == "LIST":
        state.offsets = txn.new_file()
        txn.appender(state.offsets).append(np.zeros(1, _OFFSET_DTYPE))
    if shape.kind in ("LIST", "ARRAY"):
        state.child = create_column(txn, shape.child)
    else:
        state.fields = [create_column(txn, t) for _, t in shape.fields]
    return state


def open_nested(files, state: ColumnState, typ, num_rows: int) -> NestedColumn:
    shape = storage_type(typ)
    offsets = None
    if shape.kind == "LIST":
        offsets = files.map(state.offsets, _OFFSET_DTYPE, num_rows + 1)
        check_offsets(offsets, int(offsets[-1]), files.path(state.offsets))
    n_child = child_rows(typ, offsets, num_rows)
    children, validity = [], []
    for cstate, ctyp in zip(state.children, child_types(typ), strict=True):
        children.append(open_column(files, cstate, ctyp, n_child))
        validity.append(open_validity(files, cstate, n_child))
    return NestedColumn(typ, offsets, children, validity, num_rows)


class NestedAppender:
    """Appends ``Parsed`` trees (``composite_columns.Parsed``) to a nested column."""

    def __init__(self, txn, state: ColumnState, typ, num_rows: int) -> None:
        self.shape = storage_type(typ)
        self.type = typ
        self._offsets = None
        n_child = child_rows(typ, None, num_rows) if self.shape.kind != "LIST" else 0
        if self.shape.kind == "LIST":
            self._offsets = txn.appender(state.offsets)
            txn.drain()  # only the last offset is read: the child's row count
            n_child = int(read_chunk(txn.path(state.offsets), np.int64, num_rows, 1)[0])
        self.children = [ColumnAppender(txn, cs, ct, n_child)
                         for cs, ct in zip(state.children, child_types(typ), strict=True)]

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


def truncate_nested(txn, state: ColumnState, typ, num_rows: int) -> None:
    txn.drain()
    n_child = child_rows(typ, None, num_rows) if state.offsets is None else 0
    if state.offsets is not None:
        app = txn.appender(state.offsets)
        n_child = int(read_chunk(app.path, np.int64, num_rows, 1)[0])
        finish_rewrite(app, (num_rows + 1) * 8)
    for cs, ct in zip(state.children, child_types(typ), strict=True):
        truncate_rows(txn, cs, ct, n_child)
    if state.validity is not None:
        vapp = txn.appender(state.validity)
        finish_rewrite(vapp, min(vapp.size, num_rows))


def drop_nested(txn, state: ColumnState, typ, first_row: int, num_rows: int,
                drop: np.ndarray) -> None:
    """Remove rows ``drop`` (sorted, absolute, all appended by this transaction)."""
    txn.drain()
    drop = np.asarray(drop, np.int64)
    shape = storage_type(typ)
    n_child_first = n_child = None
    if shape.kind == "LIST":
        app = txn.appender(state.offsets)
        # the offsets of this import's rows (already bounded by the rows just written)
        tail = read_chunk(app.path, np.int64, first_row, num_rows - first_row + 1)
        n_child_first, n_child = int(tail[0]), int(tail[-1])
        counts = np.diff(tail)
        child_drop = concat_ranges(tail[drop - first_row], counts[drop - first_row])
        keep = np.ones(num_rows - first_row, np.bool_)
        keep[drop - first_row] = False
        new_tail = tail[0] + np.cumsum(counts[keep])
        fd = os.open(app.path, os.O_RDWR)
        try:
            io.write_at(fd, new_tail.astype(np.int64), (first_row + 1) * 8)
        finally:
            os.close(fd)
        finish_rewrite(app, (first_row + 1 + len(new_tail)) * 8)
    elif shape.kind == "ARRAY":
        child_drop = concat_ranges(drop * shape.size, np.full(len(drop), shape.size, np.int64))
    else:
        child_drop = drop
    if n_child is None:
        n_child_first, n_child = child_rows(typ, None, first_row), child_rows(typ, None, num_rows)
    for cs, ct in zip(state.children, child_types(typ), strict=True):
        drop_rows(txn, cs, ct, n_child_first, n_child, child_drop)
    if state.validity is not None:
        local = drop - first_row

        def keeper(items: np.ndarray, first: int) -> np.ndarray:
            lo, hi = np.searchsorted(local, [first, first + len(items)])
            mask = np.ones(len(items), np.bool_)
            mask[local[lo:hi] - first] = False
            return items[mask]

        vapp = txn.appender(state.validity)
        if vapp.size > first_row:
            compact_tail(vapp, first_row, 1, keeper)
