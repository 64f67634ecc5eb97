"""SET n.p = value / SET r.p = value on stored rows. ruzu's columns are append-only files, so
a table whose rows a statement changes is written anew inside the statement's transaction
(``table_rewrite.py``): its rows read in offset order, the changed values put in, the whole
table appended again to fresh storage by the importer. Node offsets and edge ids stay the
same, so no other table changes. The cost is the size of the table, per statement; the
database changes all or nothing, as for CREATE."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import QueryError
from .table_rewrite import node_columns, reload_nodes, reload_rels, stored_nodes, stored_rels
from .write_values import column_text


@dataclass
class SetStep:
    var: str
    key: str
    value: str  # the evaluated column holding the new value


def check_target(catalog, table: str, key: str, var: str) -> str:
    """The column ``var.key`` of node table ``table`` that SET may change (Kùzu's errors)."""
    schema = catalog.node(table)
    if key not in schema.column_names:
        raise QueryError(f"Binder exception: Cannot find property {key} for {var}.")
    if key == schema.primary_key:
        raise QueryError(f"Binder exception: Cannot set property {key} in table {table} "
                         "because it is used as primary key. Try delete and then insert.")
    return key


def check_rel_target(catalog, table: str, key: str, var: str) -> str:
    if key not in catalog.rel(table).column_names:
        raise QueryError(f"Binder exception: Cannot find property {key} for {var}.")
    return key


class Updates:
    """New property values of stored rows: nodes per table (key text → (key, {column:
    value})), relationships per rel table and pair (edge id → {column: value})."""

    def __init__(self, db) -> None:
        self.db = db
        self.tables: dict[str, dict[str, tuple[object, dict]]] = {}
        self.rels: dict[str, dict[tuple[str, str], dict[int, dict]]] = {}

    def set(self, table: str, key, column: str, value) -> None:
        schema = self.db.catalog.node(table)
        column_text(value, schema.column(column).type)  # the kind checks (and messages) of CREATE
        text = column_text(key, schema.column(schema.primary_key).type)
        entry = self.tables.setdefault(table, {}).setdefault(text, (key, {}))
        entry[1][column] = value

    def set_rel(self, table: str, pair: tuple[str, str], offset: int, column: str,
                value) -> None:
        column_text(value, self.db.catalog.rel(table).column(column).type)
        self.rels.setdefault(table, {}).setdefault(pair, {}).setdefault(offset, {})[column] = \
            value

    @property
    def empty(self) -> bool:
        return not self.tables and not self.rels

    def rewrite(self, txn) -> None:
        """Write every changed table anew in ``txn`` (before new rows are appended); node
        offsets and edge ids stay as they were."""
        for table, changes in self.tables.items():
            schema = self.db.catalog.node(table)
            where = {c.name: i for i, c in enumerate(node_columns(schema))}
            rows = [r[1:] for r in stored_nodes(self.db, table)]
            index = self.db.table(table)
            for key, values in changes.values():
                offset = index.lookup(key)
                if offset is None:
                    raise QueryError(f"SET: node {key!r} of {table} is not stored")
                for column, value in values.items():
                    rows[offset][where[column]] = value
            reload_nodes(txn, self.db, table, rows)
        for name, changed_pairs in self.rels.items():
            schema = self.db.catalog.rel(name)
            where = {c: 2 + i for i, c in enumerate(schema.column_names)}
            pairs = {}
            for pair in [tuple(p) for p in schema.pairs]:
                rows = [r[3:] for r in stored_rels(self.db, name, pair)]
                for offset, values in changed_pairs.get(pair, {}).items():
                    for column, value in values.items():
                        rows[offset][where[column]] = value
                pairs[pair] = rows
            reload_rels(txn, self.db, name, pairs)
