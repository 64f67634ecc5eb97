"""Node tables on disk: one column per property plus the primary-key index.

Manifest state: a ``state.NodeTableState`` (``num_rows``, ``columns``, ``index``). ``NodeTable``
reads a committed table; ``NodeTableWriter`` is how an import changes one (the loaders never
touch the state themselves).
"""

from __future__ import annotations

import functools

import numpy as np

from ..catalog import NodeTableSchema
from ..tuning import SPILL_BUFFERS_BYTES
from ..types import LogicalType
from .arrow_columns import column_to_arrow
from .columns import (
    ColumnAppender,
    create_column,
    drop_rows,
    open_column,
    open_validity,
    read_chunk,
    to_pylist,
    truncate_rows,
)
from .files import FileSet
from .key_spill import KeySpill
from .pk_index import (
    KeyOrder,
    KeySource,
    PrimaryKeyIndex,
    build_hash_index,
    hash_keys,
    own_keys,
    start_key_spill,
)
from .state import IndexState, NodeTableState
from .transaction import Transaction


def create_node_storage(txn: Transaction, schema: NodeTableSchema) -> NodeTableState:
    return NodeTableState(0, {c.name: create_column(txn, c.type) for c in schema.columns},
                          IndexState("empty"))


def node_storage_files(state: NodeTableState) -> list[int]:
    return state.file_ids()


def key_lookup_files(state: NodeTableState, primary_key: str) -> list[int]:
    """The committed files a relationship import reads to find nodes by key: the hash index,
    or the key column where it is the index (sorted, not dense); none for dense keys."""
    index = state.index
    if index.kind == "sorted" and not index.dense:
        return [state.columns[primary_key].data]
    return index.file_ids()


class NodeTable:
    """Read access to a committed node table; arrays are memmaps of the column files."""

    def __init__(self, files: FileSet, schema: NodeTableSchema, state: NodeTableState) -> None:
        self.schema = schema
        self.name = schema.name
        self._files = files
        self._state = state
        self.num_rows: int = state.num_rows
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
                self._files, self._state.columns[name], typ, self.num_rows
            )
        return self._cache[name]

    def validity(self, name: str) -> np.ndarray | None:
        """Bool array, True where the value is not NULL; None when the column has no NULLs."""
        self.schema.column(name)
        return open_validity(self._files, self._state.columns[name], self.num_rows)

    def is_null(self, name: str) -> np.ndarray:
        v = self.validity(name)
        return np.zeros(self.num_rows, np.bool_) if v is None else ~v

    def lookup(self, key) -> int | None:
        """Node offset of the row whose primary key equals ``key``, or None."""
        if self._index is None:
            pk = self.schema.primary_key
            self._index = PrimaryKeyIndex(
                self._files,
                self._state.index,
                self.schema.column(pk).type,
                self.column(pk) if self._state.index.kind == "sorted" else None,
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


class NodeTableWriter:
    """Appends rows to a node table inside a transaction and sets up its primary-key index:
    the one place an import changes a node table's state. The caller appends through
    ``appenders()`` (one per schema column), may cut back (``truncate``) or drop rows
    (``drop_rows``), builds the index, and finally ``commit``s the new row count and index."""

    def __init__(self, txn: Transaction, schema: NodeTableSchema) -> None:
        self.txn = txn
        self.schema = schema
        self.state: NodeTableState = txn.manifest.tables[schema.name]
        self.old_rows = self.state.num_rows
        self.key_type: LogicalType = schema.column(schema.primary_key).type
        self._index = self.state.index  # the index the commit will record

    def appenders(self) -> list[ColumnAppender]:
        return [ColumnAppender(self.txn, self.state.columns[c.name], c.type, self.old_rows)
                for c in self.schema.columns]

    def key_order(self) -> KeyOrder:
        """Watches the keys as they arrive: strictly increasing integers need no hash index."""
        return KeyOrder(self.state.index, self.key_type)

    def truncate(self, num_rows: int) -> None:
        """Keep the first ``num_rows`` rows of every column (a partial import's complete
        batches)."""
        for c in self.schema.columns:
            truncate_rows(self.txn, self.state.columns[c.name], c.type, num_rows)

    def drop_rows(self, num_rows: int, drop: np.ndarray) -> None:
        """Remove rows ``drop`` (sorted, all appended by this import) of ``num_rows``."""
        for c in self.schema.columns:
            drop_rows(self.txn, self.state.columns[c.name], c.type, self.old_rows, num_rows,
                      drop)

    def use_sorted_index(self, keys: KeyOrder, num_rows: int) -> None:
        self._index = IndexState.sorted_keys(keys.first, keys.last, num_rows)

    def build_hash_index(self, num_rows: int, staging: str, budget: int,
                         spilled: KeySpill | None = None,
                         spill_buffers: int = SPILL_BUFFERS_BYTES) -> np.ndarray:
        """Replace the index by a hash index over the first ``num_rows`` rows; returns the
        duplicate keys as int64[k, 2] (first offset, later offset) pairs. ``spilled``: the
        keys spilled during the parse (``spill_keys``), used if they are exactly those rows;
        ``spill_buffers``: the write buffers of a spill of the key column."""
        for file_id in self._index.file_ids():
            self.txn.retire(file_id)
        self._index, dups = build_hash_index(self.txn, self._key_source(num_rows), staging,
                                             budget, spilled=spilled,
                                             spill_buffers=spill_buffers)
        return dups

    def _key_source(self, num_rows: int) -> KeySource:
        return KeySource(self.txn.db_path, self.key_type,
                         self.state.columns[self.schema.primary_key], num_rows)

    def spill_keys(self, spill: KeySpill | None, keys, first_row: int, staging: str,
                   budget: int, expected_rows: int,
                   buffer_bytes: int = SPILL_BUFFERS_BYTES) -> KeySpill:
        """Spill the hashes of one batch's keys (rows ``first_row…``) for the index build; the
        first call starts the spill with the rows stored before ``first_row`` (read back, after
        the pending writes are done). ``keys`` as the parser gives them: (offsets, bytes) for
        STRING, 16-byte values for UUID, the column's dtype for integers."""
        if spill is None:
            if first_row:
                self.txn.drain()
            spill = start_key_spill(self._key_source(first_row), staging, budget,
                                    expected_rows, buffer_bytes=buffer_bytes)
        owned, count = own_keys(self.key_type, keys)
        spill.add_keys(owned, count, functools.partial(hash_keys, self.key_type), first_row)
        return spill

    def key_at(self, offset: int):
        """The primary key of row ``offset`` (read back from the files: error paths only)."""
        pk = self.state.columns[self.schema.primary_key]
        path = self.txn.path
        if self.key_type is LogicalType.STRING:
            offs = read_chunk(path(pk.offsets), np.int64, offset, 2)
            start, end = int(offs[0]), int(offs[1])
            return bytes(read_chunk(path(pk.data), np.uint8, start, end - start)).decode("utf-8")
        if self.key_type is LogicalType.UUID:
            import uuid

            return str(uuid.UUID(bytes=bytes(read_chunk(path(pk.data), self.key_type.dtype,
                                                        offset, 1)[0])))
        return int(read_chunk(path(pk.data), self.key_type.dtype, offset, 1)[0])

    def commit(self, num_rows: int) -> None:
        """Record the table's new row count and index in the transaction's manifest."""
        self.state.num_rows = num_rows
        self.state.index = self._index
