"""Node tables on disk: one column per property plus the primary-key index.

Manifest state: ``{"num_rows": n, "columns": {name: column state}, "index": index state}``.
"""

from __future__ import annotations

import numpy as np

from ..catalog import NodeTableSchema
from .arrow_columns import column_to_arrow
from .columns import column_file_ids, create_column, open_column, open_validity, to_pylist
from .files import FileSet
from .pk_index import PrimaryKeyIndex, index_file_ids
from .transaction import Transaction


def create_node_storage(txn: Transaction, schema: NodeTableSchema) -> dict:
    return {
        "num_rows": 0,
        "columns": {c.name: create_column(txn, c.type) for c in schema.columns},
        "index": {"kind": "empty"},
    }


def node_storage_files(state: dict) -> list[int]:
    ids = [f for col in state["columns"].values() for f in column_file_ids(col)]
    return ids + index_file_ids(state["index"])


class NodeTable:
    """Read access to a committed node table; arrays are memmaps of the column files."""

    def __init__(self, files: FileSet, schema: NodeTableSchema, state: dict) -> None:
        self.schema = schema
        self.name = schema.name
        self._files = files
        self._state = state
        self.num_rows: int = state["num_rows"]
        self._cache: dict[str, object] = {}
        self._index: PrimaryKeyIndex | None = None

    def __len__(self) -> int:
        return self.num_rows

    @property
    def column_names(self) -> list[str]:
        return self.schema.column_names

    def column(self, name: str):
        """The column as a numpy array (zero-copy memmap) or a StringColumn for STRING
        (BlobColumn for BLOB); composite types give a ScalarColumn (UUID, INT128, DECIMAL,
        INTERVAL, TIMESTAMP_*: ``.data`` is the memmap) or a NestedColumn (LIST, ARRAY, STRUCT,
        MAP, UNION: ``.offsets`` + ``.children``); ``[i]`` and ``tolist()`` give Python values.
        NULL entries hold 0 / "" — see ``validity``."""
        if name not in self._cache:
            typ = self.schema.column(name).type
            self._cache[name] = open_column(
                self._files, self._state["columns"][name], typ, self.num_rows
            )
        return self._cache[name]

    def validity(self, name: str) -> np.ndarray | None:
        """Bool array, True where the value is not NULL; None when the column has no NULLs."""
        self.schema.column(name)
        return open_validity(self._files, self._state["columns"][name], self.num_rows)

    def is_null(self, name: str) -> np.ndarray:
        v = self.validity(name)
        return np.zeros(self.num_rows, np.bool_) if v is None else ~v

    def lookup(self, key) -> int | None:
        """Node offset of the row whose primary key equals ``key``, or None."""
        if self._index is None:
            pk = self.schema.primary_key
            self._index = PrimaryKeyIndex(
                self._files,
                self._state["index"],
                self.schema.column(pk).type,
                self.column(pk) if self._state["index"]["kind"] == "sorted" else None,
                self.num_rows,
            )
        return self._index.lookup(key)

    def to_pylist(self, name: str) -> list:
        """Values of a column as Python objects with None for NULL (for tests and small tables)."""
        return to_pylist(self.column(name), self.validity(name))

    def to_arrow(self, name: str):
        """The column as a pyarrow Array wrapping the column files (no copy of the values
        where Arrow's layout is ruzu's: numbers, strings, lists, structs, decimals)."""
        typ = self.schema.column(name).type
        return column_to_arrow(self.column(name), self.validity(name), typ, self.num_rows)
