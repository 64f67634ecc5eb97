"""Rel tables on disk. A rel table connects one or more (FROM, TO) node-table pairs; each pair
has its own storage: property columns addressed by edge id (0 … num_rels-1, in import order) and
two CSRs, forward (by source offset) and backward (by destination offset).

Manifest state: a ``state.RelTableState`` (``pairs``: ``"A|B"`` → ``RelPairState`` with
``num_rels``, ``columns``, ``fwd`` and ``bwd`` ``CsrState`` or None). In a CSR, ``indptr`` is
int64[num_nodes + 1]; ``nbr`` (neighbour offsets) and ``eid`` (edge ids) use int32 while the
counts allow it (half the bytes written and read per edge). ``RelTable`` reads a committed pair;
``RelPairWriter`` is how an import changes one.
"""

from __future__ import annotations

import numpy as np

from ..catalog import RelTableSchema
from ..errors import CatalogError, CorruptDatabaseError
from .arrow_columns import column_to_arrow
from .checks import check_offsets, check_range
from .columns import (
    ColumnAppender,
    create_column,
    drop_rows,
    open_column,
    open_validity,
    to_pylist,
    truncate_rows,
)
from .csr import CsrBuilder
from .files import FileSet
from .state import CsrState, NodeTableState, RelPairState, RelTableState
from .transaction import Transaction

DIRECTIONS = ("fwd", "bwd")


def pair_key(from_table: str, to_table: str) -> str:
    return f"{from_table}|{to_table}"


def create_pair_storage(txn: Transaction, schema: RelTableSchema) -> RelPairState:
    return RelPairState(0, {c.name: create_column(txn, c.type) for c in schema.columns})


def create_rel_storage(txn: Transaction, schema: RelTableSchema) -> RelTableState:
    return RelTableState({pair_key(a, b): create_pair_storage(txn, schema)
                          for a, b in schema.pairs})


def rel_storage_files(state: RelTableState) -> list[int]:
    return state.file_ids()


class RelTable:
    """Read access to one (FROM, TO) pair of a committed rel table."""

    def __init__(self, files: FileSet, schema: RelTableSchema, state: RelTableState,
                 from_table: str | None, to_table: str | None, all_tables: dict) -> None:
        matches = [p for p in schema.pairs
                   if (from_table is None or p[0] == from_table)
                   and (to_table is None or p[1] == to_table)]
        if len(matches) != 1:
            raise CatalogError(
                f"rel table {schema.name}: "
                + ("no such FROM/TO pair" if not matches else
                   "connects several node-table pairs; pass from_table and to_table")
            )
        self.schema = schema
        self.name = schema.name
        self.from_table, self.to_table = matches[0]
        self._files = files
        self._state = state.pairs[pair_key(*matches[0])]
        self.num_rels: int = self._state.num_rels
        self._num_nodes = {
            "fwd": all_tables[self.from_table].num_rows,
            "bwd": all_tables[self.to_table].num_rows,
        }
        self._csr: dict[str, tuple] = {}

    def __len__(self) -> int:
        return self.num_rels

    def csr(self, direction: str = "fwd") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(indptr, neighbors, edge_ids)``: the edges of node v are
        ``neighbors[indptr[v]:indptr[v+1]]`` with ids ``edge_ids[…]``, in edge-id order."""
        if direction not in DIRECTIONS:
            raise ValueError(f"direction must be 'fwd' or 'bwd', got {direction!r}")
        if direction not in self._csr:
            self._csr[direction] = self._open_csr(direction)
        return self._csr[direction]

    def _open_csr(self, direction: str):
        n = self._num_nodes[direction]
        st = self._state.csr(direction)
        if st is None:
            return np.zeros(n + 1, np.int64), np.empty(0, np.int64), np.empty(0, np.int64)
        files = self._files
        if not 0 <= st.num_nodes <= n:
            raise CorruptDatabaseError(
                f"{files.path(st.indptr)}: CSR of {self.name} covers {st.num_nodes} "
                f"nodes, the node table has {n} (damaged manifest)")
        files.expect_size(st.indptr, (st.num_nodes + 1) * 8, "CSR indptr")
        width = np.dtype(st.dtype).itemsize
        files.expect_size(st.nbr, self.num_rels * width, "CSR neighbours")
        files.expect_size(st.eid, self.num_rels * width, "CSR edge ids")
        indptr = files.map(st.indptr, np.int64, st.num_nodes + 1)
        check_offsets(indptr, self.num_rels, files.path(st.indptr))
        if st.num_nodes < n:  # nodes added after the last rel import have no edges
            indptr = np.concatenate([indptr, np.full(n - st.num_nodes, indptr[-1])])
        nbr = files.map(st.nbr, st.dtype, self.num_rels)
        eid = files.map(st.eid, st.dtype, self.num_rels)
        other = self._num_nodes["bwd" if direction == "fwd" else "fwd"]
        check_range(nbr, other, files.path(st.nbr))
        check_range(eid, self.num_rels, files.path(st.eid))
        return indptr, nbr, eid

    def degrees(self, direction: str = "fwd") -> np.ndarray:
        return np.diff(self.csr(direction)[0])

    def neighbors(self, offset: int, direction: str = "fwd") -> np.ndarray:
        indptr, nbr, _ = self.csr(direction)
        return np.asarray(nbr[indptr[offset] : indptr[offset + 1]])

    def column(self, name: str):
        typ = self.schema.column(name).type
        return open_column(self._files, self._state.columns[name], typ, self.num_rels)

    def validity(self, name: str) -> np.ndarray | None:
        self.schema.column(name)
        return open_validity(self._files, self._state.columns[name], self.num_rels)

    def to_pylist(self, name: str) -> list:
        """Values of a column as Python objects with None for NULL (for tests and small tables)."""
        return to_pylist(self.column(name), self.validity(name))

    def to_arrow(self, name: str):
        """The column as a pyarrow Array wrapping the column files (no copy of the values
        where Arrow's layout is ruzu's: numbers, strings, lists, structs, decimals)."""
        typ = self.schema.column(name).type
        return column_to_arrow(self.column(name), self.validity(name), typ, self.num_rels)


class RelPairWriter:
    """Appends relationships to one (FROM, TO) pair of a rel table inside a transaction: the one
    place an import changes a pair's state. The caller appends property columns through
    ``appenders()``, feeds the CSR builder (``add_existing_edges`` first), may cut back or drop
    rows, and finally ``commit``s the new CSRs and edge count."""

    def __init__(self, txn: Transaction, schema: RelTableSchema, pair: tuple[str, str]) -> None:
        self.txn = txn
        self.schema = schema
        self.state: RelPairState = txn.manifest.tables[schema.name].pairs[pair_key(*pair)]
        self.old_rels = self.state.num_rels

    def node_table(self, name: str) -> NodeTableState:
        """The (uncommitted, as this transaction sees it) state of an endpoint node table."""
        return self.txn.manifest.tables[name]

    def appenders(self) -> list[ColumnAppender]:
        return [ColumnAppender(self.txn, self.state.columns[c.name], c.type, self.old_rels)
                for c in self.schema.columns]

    def add_existing_edges(self, csr: CsrBuilder) -> None:
        """Stream the committed CSRs into ``csr`` (an append rebuilds them with the new edges)."""
        csr.add_existing(self.txn.db_path, self.state.fwd, self.state.bwd)

    def truncate(self, num_rels: int) -> None:
        """Keep the first ``num_rels`` rows of every property column."""
        for c in self.schema.columns:
            truncate_rows(self.txn, self.state.columns[c.name], c.type, num_rels)

    def drop_rows(self, num_rels: int, drop: np.ndarray) -> None:
        """Remove rows ``drop`` (sorted, all appended by this import) of ``num_rels``."""
        for c in self.schema.columns:
            drop_rows(self.txn, self.state.columns[c.name], c.type, self.old_rels, num_rels,
                      drop)

    def commit(self, fwd: CsrState, bwd: CsrState, num_rels: int) -> None:
        """Replace the pair's CSRs (the old files are retired) and record its edge count."""
        for old in (self.state.fwd, self.state.bwd):
            if old is not None:
                for file_id in old.file_ids():
                    self.txn.retire(file_id)
        self.state.fwd, self.state.bwd = fwd, bwd
        self.state.num_rels = num_rels
