"""What query execution sees of a database: schemas, property gathers and adjacency (CSR).

Opened tables and derived structures are cached per (database path, generation), so a second
query does not reopen files, and a database that changed is never served stale data.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from ..errors import CatalogError, QueryError
from ..types import LogicalType
from .memory import MemoryGuard
from .values.kinds import common_kind, kind_of_type
from .values.vectors import NUMPY_OF_KIND, LazyStrings, NodeVec, RelKey, RelVec, Vec

_CACHE_LOCK = threading.Lock()
_CACHES: OrderedDict[tuple, dict] = OrderedDict()
_MAX_CACHED_DATABASES = 4


def _shared_cache(db) -> dict:
    key = (db.path, getattr(db, "generation", 0), id(db))
    with _CACHE_LOCK:
        cache = _CACHES.get(key)
        if cache is None:
            cache = _CACHES[key] = {}
            while len(_CACHES) > _MAX_CACHED_DATABASES:
                _CACHES.popitem(last=False)
        else:
            _CACHES.move_to_end(key)
        return cache


def _no_subqueries(evaluator, subquery):
    raise QueryError("a subquery can only be evaluated while a query runs")


class Graph:
    """Read access for one query; cheap to build (the heavy objects live in a shared cache)."""

    def __init__(self, db) -> None:
        self.db = db
        self.catalog = db.catalog
        self.cache = _shared_cache(db)
        self.memory = MemoryGuard(db)
        # COUNT { … } / EXISTS { … } for every row of an evaluator's frame: set by the executor
        # (exec/driver.py), which runs MATCH operators that themselves evaluate expressions
        self.run_subquery = _no_subqueries
        self.table_oid = dict(self.catalog.oids)  # Kùzu's table ids (see Catalog.oids)

    def pair_oid(self, key: RelKey) -> int:
        """The table id the edges of one FROM/TO pair carry in ``_id`` (Kùzu's child table)."""
        pairs = [tuple(p) for p in self.catalog.rel_tables[key.name].pairs]
        return self.table_oid[key.name] + pairs.index((key.from_table, key.to_table))

    # ------------------------------------------------------------------ schemas

    def is_node_table(self, name: str) -> bool:
        return name in self.catalog.node_tables

    def is_rel_table(self, name: str) -> bool:
        return name in self.catalog.rel_tables

    def node_table_names(self) -> list[str]:
        return list(self.catalog.node_tables)

    def rel_keys(self, name: str) -> list[RelKey]:
        schema = self.catalog.rel_tables[name]
        return [RelKey(name, a, b) for a, b in schema.pairs]

    def node_columns(self, table: str) -> dict[str, LogicalType]:
        """Column name → type (cached per database generation, like the plans; do not edit)."""
        columns = self.cache.get(("node columns", table))
        if columns is None:
            columns = {c.name: c.type for c in self.catalog.node_tables[table].columns}
            self.cache[("node columns", table)] = columns
        return columns

    def rel_columns(self, table: str) -> dict[str, LogicalType]:
        columns = self.cache.get(("rel columns", table))
        if columns is None:
            columns = {c.name: c.type for c in self.catalog.rel_tables[table].columns}
            self.cache[("rel columns", table)] = columns
        return columns

    def primary_key(self, table: str) -> str:
        return self.catalog.node_tables[table].primary_key

    # ------------------------------------------------------------------ storage

    def node_table(self, name: str):
        key = ("node", name)
        table = self.cache.get(key)
        if table is None:
            table = self.cache[key] = self.db.table(name)
        return table

    def rel_table(self, key: RelKey):
        ckey = ("rel", key)
        table = self.cache.get(ckey)
        if table is None:
            schema = self.catalog.rel_tables[key.name]
            if len(schema.pairs) == 1:
                table = self.db.rel_table(key.name)
            else:
                table = self.db.rel_table(key.name, key.from_table, key.to_table)
            self.cache[ckey] = table
        return table

    def num_nodes(self, name: str) -> int:
        return self.node_table(name).num_rows

    def num_rels(self, key: RelKey) -> int:
        return self.rel_table(key).num_rels

    def csr(self, key: RelKey, direction: str):
        """(indptr int64[n+1], neighbours, edge ids) of one rel-table pair; "fwd" is indexed by
        the source offset, "bwd" by the destination offset."""
        ckey = ("csr", key, direction)
        csr = self.cache.get(ckey)
        if csr is None:
            indptr, nbr, eid = self.rel_table(key).csr(direction)
            csr = self.cache[ckey] = (np.asarray(indptr), np.asarray(nbr), np.asarray(eid))
        return csr

    def degrees(self, key: RelKey, direction: str) -> np.ndarray:
        ckey = ("deg", key, direction)
        deg = self.cache.get(ckey)
        if deg is None:
            deg = self.cache[ckey] = np.diff(self.csr(key, direction)[0])
        return deg

    def column(self, table, name: str, key) -> tuple[object, np.ndarray | None]:
        """(values, validity) of a node (key = table name) or rel (key = RelKey) column."""
        ckey = ("col", key, name)
        hit = self.cache.get(ckey)
        if hit is None:
            hit = self.cache[ckey] = (table.column(name), table.validity(name))
        return hit

    # ------------------------------------------------------------------ properties

    def node_property(self, nodes: NodeVec, key: str) -> Vec:
        kinds = {}
        for t in nodes.tables:
            typ = self.node_columns(t).get(key)
            if typ is not None:
                kinds[t] = kind_of_type(typ)
        parts = nodes.parts()
        if nodes.start is not None:  # a run of offsets: slice the columns, no gather
            parts = [(nodes.tables[0], None, slice(nodes.start, nodes.start + len(nodes)))]
        vec = self._gather(parts, len(nodes), key, kinds, lambda t: (self.node_table(t), t))
        return _with_type(vec, {self.node_columns(t).get(key) for t in kinds})

    def rel_property(self, rels: RelVec, key: str) -> Vec:
        kinds = {}
        for k in rels.tables:
            typ = self.rel_columns(k.name).get(key)
            if typ is not None:
                kinds[k] = kind_of_type(typ)
        vec = self._gather(rels.parts(), len(rels), key, kinds, lambda k: (self.rel_table(k), k))
        return _with_type(vec, {self.rel_columns(k.name).get(key) for k in kinds})

    def _gather(self, parts, n: int, key: str, kinds: dict, open_table) -> Vec:
        if not kinds:
            return Vec("null", np.zeros(n, np.bool_), np.zeros(n, np.bool_))
        kind_set = set(kinds.values())
        kind = common_kind(kind_set)
        if kind is None and "str" in kind_set:
            kind = "str"  # as Kùzu: an INT64 id in one table and a STRING id in another → STRING
        elif kind is None:
            raise CatalogError(f"property {key} has different types in different tables")
        pieces = []
        for table_key, rows, offsets in parts:
            if table_key not in kinds:
                pieces.append((rows, None, None))
                continue
            table, ckey = open_table(table_key)
            values, validity = self.column(table, key, ckey)
            if kinds[table_key] in ("list", "any"):  # composite types: Python values
                rows_of = (
                    np.arange(offsets.start, offsets.stop, dtype=np.int64)
                    if isinstance(offsets, slice)
                    else np.asarray(offsets, np.int64)
                )
                vals = np.empty(len(rows_of), object)
                vals[:] = values.values(rows_of) if len(rows_of) else []
            elif kinds[table_key] == "str":
                rows_of = (
                    np.arange(offsets.start, offsets.stop, dtype=np.int64)
                    if isinstance(offsets, slice)
                    else np.asarray(offsets, np.int64)
                )
                vals = LazyStrings(values, rows_of)
            else:
                # Narrow types (INT16, FLOAT, ...) keep their dtype, as Kùzu's results do;
                # arithmetic widens them. Only a property that is an integer in one table
                # and a float in another is converted.
                vals = np.asarray(values[offsets])
                if kind == "float" and vals.dtype.kind != "f":
                    vals = vals.astype(np.float64)
                elif kind == "timestamp" and kinds[table_key] == "date":
                    vals = vals.astype(NUMPY_OF_KIND["timestamp"])
            valid = None if validity is None else np.asarray(validity[offsets])
            pieces.append((rows, vals, valid))
        if len(pieces) == 1 and pieces[0][0] is None:
            _, vals, valid = pieces[0]
            if vals is None:
                return Vec("null", np.zeros(n, np.bool_), np.zeros(n, np.bool_))
            return Vec(kind, vals, valid)
        return _scatter(pieces, n, kind)


def _with_type(vec: Vec, types: set) -> Vec:
    """Remember a composite property's column type (its Arrow type depends on it)."""
    if len(types) == 1 and isinstance(vec, Vec):
        typ = next(iter(types))
        if typ is not None and typ.is_composite:
            vec.ltype = typ
    return vec


def _scatter(pieces, n: int, kind: str) -> Vec:
    valid = np.zeros(n, np.bool_)
    values = (np.empty(n, object) if kind in ("str", "list", "any")
              else np.zeros(n, NUMPY_OF_KIND[kind]))
    if kind == "str":
        values[:] = ""
    for rows, vals, vmask in pieces:
        if vals is None:
            continue
        if isinstance(vals, LazyStrings):
            vals = vals.materialize()
        elif kind == "str" and vals.dtype != object:
            vals = np.asarray([str(v) for v in vals.tolist()], dtype=object)
        values[rows] = vals
        valid[rows] = True if vmask is None else vmask
    return Vec(kind, values, None if valid.all() else valid)
