"""SET n.p = value on stored nodes. ruzu's columns are append-only files, so a table whose
rows a statement changes is written anew inside the statement's transaction: its rows are
read in offset order (by the query engine, as Python values), the changed values put in,
and the whole table appended again to fresh storage by the importer. Node offsets stay the
same, so relationship tables need no change. The cost is the size of the table, per
statement; the database changes all or nothing, as for CREATE."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import QueryError
from ..query import run_query
from ..query.syntax.parser import parse
from ..types import LogicalType
from .write_values import arrow_rows, check_loaded, column_text, import_config


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


class Updates:
    """New values of stored nodes' properties, per table: key text → (key, {column: value})."""

    def __init__(self, db) -> None:
        self.db = db
        self.tables: dict[str, dict[str, tuple[object, dict]]] = {}

    def set(self, table: str, key, column: str, value) -> None:
        typ = self.db.catalog.node(table).column(column).type
        column_text(value, typ)  # the kind checks (and messages) of CREATE
        pk_type = self.db.catalog.node(table).column(self.db.catalog.node(table).primary_key)
        text = column_text(key, pk_type.type)
        entry = self.tables.setdefault(table, {}).setdefault(text, (key, {}))
        entry[1][column] = value

    def rewrite(self, txn) -> None:
        """Write every changed table anew in ``txn`` (before new rows are appended)."""
        from ..csv.node_loader import load_nodes
        from ..storage.node_table import create_node_storage, node_storage_files

        for table, changes in self.tables.items():
            schema = self.db.catalog.node(table)
            cols = [c for c in schema.columns if c.type is not LogicalType.SERIAL]
            rows = _stored_rows(self.db, table, [c.name for c in cols])
            where = {c.name: i for i, c in enumerate(cols)}
            index = self.db.table(table)
            for key, values in changes.values():
                offset = index.lookup(key)
                if offset is None:
                    raise QueryError(f"SET: node {key!r} of {table} is not stored")
                for column, value in values.items():
                    rows[offset][where[column]] = value
            state = txn.manifest.tables[table]
            for file_id in node_storage_files(state):
                txn.retire(file_id)
            txn.manifest.tables[table] = create_node_storage(txn, schema)
            names = [c.name for c in cols]
            with arrow_rows(names, [c.type for c in cols], rows) as name:
                check_loaded(load_nodes(txn, schema, name, import_config(tuple(names)), None,
                                        None), len(rows))


def _stored_rows(db, table: str, names: list[str]) -> list[list]:
    items = ", ".join(f"n.`{n}`" for n in names)
    query = f"MATCH (n:`{table}`) RETURN offset(id(n)) AS __o, {items} ORDER BY __o"
    rows = run_query(db, parse(query), {}, query).get_all()
    if [r[0] for r in rows] != list(range(len(rows))):
        raise QueryError(f"SET: the rows of {table} are not numbered 0…n-1")
    return [list(r[1:]) for r in rows]
