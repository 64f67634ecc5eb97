"""Column files.

- Fixed-width column: one file of raw little-endian values, readable with ``np.memmap``.
- STRING column: an offsets file of int64 (n + 1 entries, starting with 0) and a bytes file of
  UTF-8; row i is ``data[offsets[i]:offsets[i + 1]]``.
- Validity: a file of one byte per row (1 = value, 0 = NULL), created only once a column holds
  its first NULL; a column without one has no NULLs.

The state of a column in the manifest is ``{"data": id, "offsets": id|None, "validity": id|None}``.
"""

from __future__ import annotations

import os

import numpy as np

from ..types import LogicalType
from .manifest import data_file_name
from .transaction import Transaction

_OFFSET_DTYPE = np.dtype(np.int64)
_VALIDITY_FILL_CHUNK = 1 << 20


def create_column(txn: Transaction, typ: LogicalType) -> dict:
    state = {"data": txn.new_file(), "offsets": None, "validity": None}
    if typ is LogicalType.STRING:
        state["offsets"] = txn.new_file()
        txn.appender(state["offsets"]).append(np.zeros(1, _OFFSET_DTYPE))
    return state


def column_file_ids(state: dict) -> list[int]:
    return [f for f in (state["data"], state["offsets"], state["validity"]) if f is not None]


class ColumnAppender:
    """Appends batches to one column inside a transaction."""

    def __init__(self, txn: Transaction, state: dict, typ: LogicalType, num_rows: int) -> None:
        self.txn = txn
        self.state = state
        self.type = typ
        self.num_rows = num_rows
        self._data = txn.appender(state["data"])
        self._offsets = txn.appender(state["offsets"]) if state["offsets"] is not None else None

    def append_values(self, values: np.ndarray) -> None:
        self._data.append(values.astype(self.type.dtype, copy=False))
        self.num_rows += len(values)

    def append_strings(self, offsets: np.ndarray, data: np.ndarray) -> None:
        """``offsets`` int64[k + 1] relative to ``data`` (offsets[0] == 0)."""
        base = self._data.size
        self._data.append(data[: offsets[-1]])
        self._offsets.append(offsets[1:] + base)
        self.num_rows += len(offsets) - 1

    def append_validity(self, valid: np.ndarray, first_row: int) -> None:
        """Record the validity of rows ``first_row …``; a file is only made at the first NULL."""
        vid = self.state["validity"]
        if vid is None:
            if valid.all():
                return
            vid = self.state["validity"] = self.txn.new_file()
            app = self.txn.appender(vid)
            ones = np.ones(min(first_row, _VALIDITY_FILL_CHUNK), np.uint8)
            left = first_row
            while left > 0:
                step = min(left, len(ones))
                app.append(ones[:step])
                left -= step
        self.txn.appender(vid).append(valid.astype(np.uint8, copy=False))


# -- reading ---------------------------------------------------------------------------------
def map_file(db_path: str, file_id: int, dtype, count: int, offset_items: int = 0) -> np.ndarray:
    """A read-only memmap of ``count`` items of ``dtype`` (an empty array when count is 0)."""
    dtype = np.dtype(dtype)
    if count == 0:
        return np.empty(0, dtype)
    return np.memmap(
        os.path.join(db_path, data_file_name(file_id)),
        dtype=dtype,
        mode="r",
        offset=offset_items * dtype.itemsize,
        shape=(count,),
    )


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


def open_column(db_path: str, state: dict, typ: LogicalType, num_rows: int):
    if typ is LogicalType.STRING:
        offsets = map_file(db_path, state["offsets"], _OFFSET_DTYPE, num_rows + 1)
        nbytes = int(offsets[-1]) if num_rows else 0
        return StringColumn(offsets, map_file(db_path, state["data"], np.uint8, nbytes))
    return map_file(db_path, state["data"], typ.dtype, num_rows)


def open_validity(db_path: str, state: dict, num_rows: int) -> np.ndarray | None:
    if state["validity"] is None:
        return None
    return map_file(db_path, state["validity"], np.uint8, num_rows).view(np.bool_)
