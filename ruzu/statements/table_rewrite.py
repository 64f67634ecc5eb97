"""Writing a table anew inside a transaction, for SET and DELETE (the columns are
append-only files): its rows are read in offset order by the query engine, as Python values,
changed by the caller, and appended again by the importer to fresh storage that replaces the
old files when the transaction commits."""

from __future__ import annotations

from ..errors import QueryError
from ..query import run_query
from ..query.syntax.parser import parse
from ..types import LogicalType, is_composite
from .write_values import arrow_rows, check_loaded, import_config

_INEXACT = (LogicalType.INTERVAL, LogicalType.TIMESTAMP_NS)


def check_rewritable(schema, what: str) -> None:
    """Refuse a table whose values do not survive the trip through Python exactly: an
    INTERVAL's months (read as 30 days), TIMESTAMP_NS's nanoseconds, a UNION's member."""
    for column in schema.columns:
        bad = _inexact(column.type)
        if bad is not None:
            raise QueryError(f"{what} on {schema.name} is not supported yet: its column "
                             f"{column.name} holds {bad}, which ruzu cannot write anew "
                             "exactly")


def _inexact(typ):
    if typ in _INEXACT:
        return typ.value
    if is_composite(typ):
        if typ.kind == "UNION":
            return "UNION"
        for child in [typ.child, *(t for _, t in typ.fields)]:
            if child is not None and _inexact(child) is not None:
                return _inexact(child)
    return None


def node_columns(schema) -> list:
    """The columns a node table's rows are written with (SERIAL ones are numbered anew)."""
    return [c for c in schema.columns if c.type is not LogicalType.SERIAL]


def stored_nodes(db, table: str) -> list[list]:
    """[offset, value of each ``node_columns`` column] per row, in offset order."""
    names = [c.name for c in node_columns(db.catalog.node(table))]
    items = "".join(f", n.`{n}`" for n in names)
    query = f"MATCH (n:`{table}`) RETURN offset(id(n)) AS __o{items} ORDER BY __o"
    return [list(r) for r in run_query(db, parse(query), {}, query).get_all()]


def stored_rels(db, name: str, pair: tuple[str, str]) -> list[list]:
    """[edge id, from offset, to offset, from key, to key, properties…] per relationship of
    one pair of rel table ``name``, in edge-id order."""
    schema = db.catalog.rel(name)
    ends = [db.catalog.node(t) for t in pair]
    items = "".join(f", r.`{c}`" for c in schema.column_names)
    query = (f"MATCH (a:`{pair[0]}`)-[r:`{name}`]->(b:`{pair[1]}`) RETURN "
             f"offset(id(r)) AS __o, offset(id(a)), offset(id(b)), "
             f"a.`{ends[0].primary_key}`, b.`{ends[1].primary_key}`{items} ORDER BY __o")
    return [list(r) for r in run_query(db, parse(query), {}, query).get_all()]


def reload_nodes(txn, db, table: str, rows: list[list]) -> None:
    """Replace node table ``table`` by ``rows`` (values of ``node_columns``)."""
    from ..csv.node_loader import load_nodes
    from ..storage.node_table import create_node_storage, node_storage_files

    schema = db.catalog.node(table)
    check_rewritable(schema, "writing a changed row")
    cols = node_columns(schema)
    for file_id in node_storage_files(txn.manifest.tables[table]):
        txn.retire(file_id)
    txn.manifest.tables[table] = create_node_storage(txn, schema)
    if rows:
        names = [c.name for c in cols]
        with arrow_rows(names, [c.type for c in cols], rows) as source:
            check_loaded(load_nodes(txn, schema, source, import_config(tuple(names)), None,
                                    None), len(rows))


def reload_rels(txn, db, name: str, pairs: dict[tuple[str, str], list[list]]) -> None:
    """Replace rel table ``name`` by ``pairs``: per pair, [from key, to key, properties…]."""
    from ..csv.rel_loader import load_relationships
    from ..storage.rel_table import create_rel_storage, rel_storage_files

    schema = db.catalog.rel(name)
    check_rewritable(schema, "writing a changed relationship")
    for file_id in rel_storage_files(txn.manifest.tables[name]):
        txn.retire(file_id)
    txn.manifest.tables[name] = create_rel_storage(txn, schema)
    catalog = db.catalog
    for pair, rows in pairs.items():
        if not rows:
            continue
        ends = [catalog.node(t) for t in pair]
        types = [e.column(e.primary_key).type for e in ends] + [c.type for c in schema.columns]
        with arrow_rows(["from", "to", *schema.column_names], types, rows) as source:
            check_loaded(load_relationships(txn, schema, pair, catalog, source,
                                            import_config(None), None, None), len(rows))
