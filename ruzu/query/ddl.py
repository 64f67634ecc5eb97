"""CREATE NODE/REL TABLE, DROP TABLE, COPY … FROM and CALL: statements that go through the
Cypher parser but are carried out by the database's own methods."""

from __future__ import annotations

import itertools
import os
import weakref

from ..errors import CatalogError, QueryError
from . import ast
from .result import QueryResult

_COPY_OPTIONS = {
    "header": "header",
    "delim": "delimiter",
    "delimiter": "delimiter",
    "quote": "quote",
    "escape": "escape",
    "skip": "skip_rows",
    "ignore_errors": "ignore_errors",
    "null_strings": "null_strings",
}
_BOOL_WORDS = {"true": True, "false": False}


def run_statement(db, stmt: ast.Statement) -> QueryResult:
    if isinstance(stmt, ast.CreateNodeTable):
        if stmt.if_not_exists and db.catalog.has(stmt.name):
            return _message(f"Table {stmt.name} already exists.")
        db.create_node_table(stmt.name, list(stmt.columns), primary_key=stmt.primary_key)
        return _message(f"Table {stmt.name} has been created.")
    if isinstance(stmt, ast.CreateRelTable):
        if stmt.if_not_exists and db.catalog.has(stmt.name):
            return _message(f"Table {stmt.name} already exists.")
        db.create_rel_table(stmt.name, list(stmt.pairs), list(stmt.columns))
        return _message(f"Table {stmt.name} has been created.")
    if isinstance(stmt, ast.DropTable):
        if stmt.if_exists and not db.catalog.has(stmt.name):
            return _message(f"Table {stmt.name} does not exist.")
        db.drop_table(stmt.name)
        return _message(f"Table {stmt.name} has been dropped.")
    if isinstance(stmt, ast.Copy):
        return _copy(db, stmt)
    if isinstance(stmt, ast.Call):
        return _call(db, stmt)
    raise QueryError(f"unsupported statement {type(stmt).__name__}")


def _message(text: str) -> QueryResult:
    return QueryResult.from_rows(["result"], [[text]])


def _copy(db, stmt: ast.Copy) -> QueryResult:
    from ..csv.config import CsvImportConfig

    settings: dict = {}
    from_table = to_table = None
    for name, value in stmt.options:
        if name == "from":
            from_table = str(value)
            continue
        if name == "to":
            to_table = str(value)
            continue
        field = _COPY_OPTIONS.get(name)
        if field is None:
            raise QueryError(
                f"unknown COPY option {name.upper()}; known options: "
                + ", ".join(sorted(k.upper() for k in _COPY_OPTIONS))
                + ", FROM, TO"
            )
        settings[field] = _option_value(name, field, value)
    path = os.path.abspath(stmt.path)
    catalog = db.catalog
    CsvImportConfig(**settings)  # validate first: a bad DELIM is a ConfigError, not a TypeError
    if "header" not in settings and stmt.table in {**catalog.node_tables, **catalog.rel_tables}:
        settings["header"] = _sniff_header(db, stmt.table, path, settings, from_table, to_table)
    config = CsvImportConfig(**settings)
    if stmt.table in catalog.node_tables:
        if from_table or to_table:
            raise QueryError("FROM/TO options only apply to relationship tables")
        result = db.import_nodes(stmt.table, path, config=config)
    elif stmt.table in catalog.rel_tables:
        result = db.import_relationships(
            stmt.table, path, config=config, from_table=from_table, to_table=to_table
        )
    else:
        raise CatalogError(f"Table {stmt.table} does not exist.")
    copied = f"{result.rows_imported} tuples have been copied to the {stmt.table} table."
    warnings = len(result.rejects) or result.rows_skipped
    if not warnings:
        return _message(copied)
    query_id = next(_COPY_IDS)
    _LAST_COPY[db] = query_id
    return QueryResult.from_rows(
        ["result"],
        [
            [copied],
            [
                f"{warnings} warnings encountered during copy. Use 'CALL show_warnings() RETURN *' "
                f"to view the actual warnings. Query ID: {query_id}"
            ],
        ],
    )


_COPY_IDS = itertools.count(1)
_LAST_COPY: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _sniff_header(db, table: str, path: str, settings: dict, from_table, to_table) -> bool:
    """Kùzu detects a header line when HEADER is not given: the first record is a header
    when it names the columns or when one of its fields does not parse as its column's
    type. (A missing or unreadable file is left to the importer to report.)"""
    import csv

    catalog = db.catalog
    if table in catalog.node_tables:
        schema = catalog.node_tables[table]
        in_file = [c for c in schema.columns if c.type.value != "SERIAL"]  # not in files
        names = [c.name for c in in_file]
        types = [c.type for c in in_file]
    else:
        schema = catalog.rel_tables[table]
        pairs = [
            p for p in schema.pairs if (from_table in (None, p[0])) and (to_table in (None, p[1]))
        ] or schema.pairs
        src, dst = pairs[0]
        key_type = [
            catalog.node_tables[t].column(catalog.node_tables[t].primary_key).type
            for t in (src, dst)
        ]
        names = ["from", "to", *[c.name for c in schema.columns]]
        types = [*key_type, *[c.type for c in schema.columns]]
    try:
        with open(path, newline="", encoding="utf-8", errors="replace") as f:
            for _ in range(settings.get("skip_rows", 0)):
                f.readline()
            line = f.readline()
    except OSError:
        return False
    if not line.strip():
        return False
    delimiter = settings.get("delimiter", ",")
    quote = settings.get("quote", '"')
    first = next(csv.reader([line.lstrip("\ufeff")], delimiter=delimiter, quotechar=quote))
    if [v.strip().lower() for v in first] == [n.lower() for n in names]:
        return True
    return not all(_parses(v, t) for v, t in zip(first, types, strict=False))


def _parses(text: str, typ) -> bool:
    import datetime as dt

    from ..types import LogicalType

    text = text.strip()
    if text == "":
        return True
    try:
        if typ.is_integer:
            int(text)
        elif typ in (LogicalType.FLOAT, LogicalType.DOUBLE):
            float(text)
        elif typ is LogicalType.BOOLEAN:
            return text.lower() in ("true", "false", "t", "f", "1", "0")
        elif typ is LogicalType.DATE:
            dt.date.fromisoformat(text)
        elif typ is LogicalType.TIMESTAMP:
            dt.datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _option_value(name: str, field: str, value):
    if field in ("header", "ignore_errors"):
        if isinstance(value, str) and value.lower() in _BOOL_WORDS:
            return _BOOL_WORDS[value.lower()]
        if not isinstance(value, bool):
            raise QueryError(f"COPY option {name.upper()} needs true or false, got {value!r}")
        return value
    if field == "skip_rows":
        if not isinstance(value, int) or isinstance(value, bool):
            raise QueryError(f"COPY option {name.upper()} needs an integer, got {value!r}")
        return value
    if field == "null_strings":
        values = value if isinstance(value, tuple) else (value,)
        if not all(isinstance(v, str) for v in values):
            raise QueryError("COPY option NULL_STRINGS needs a list of strings")
        return tuple(values)
    if not isinstance(value, str):
        raise QueryError(f"COPY option {name.upper()} needs a one-character string")
    if value in ("\\t", "\\\\t"):
        return "\t"
    return value


_WARNING_COLUMNS = ["query_id", "message", "file_path", "line_number", "skipped_line_or_record"]


def _call(db, stmt: ast.Call) -> QueryResult:
    if stmt.procedure == "show_warnings":
        last = getattr(db, "last_import_result", None)
        rows = []
        for reject in last.rejects if last is not None else []:
            where = f" (column {reject.column}: {reject.column_name})" if reject.column else ""
            rows.append(
                [
                    _LAST_COPY.get(db, 0),
                    f"{reject.reason}{where}",
                    reject.path,
                    reject.line,
                    reject.record,
                ]
            )
        return _select(QueryResult.from_rows(_WARNING_COLUMNS, rows), stmt)
    if stmt.procedure == "show_tables":
        rows = []
        oid = 0
        for name in db.catalog.node_tables:
            rows.append([oid, name, "NODE", "local(ruzu)", ""])
            oid += 1
        for name in db.catalog.rel_tables:
            rows.append([oid, name, "REL", "local(ruzu)", ""])
            oid += 1
        return _select(
            QueryResult.from_rows(["id", "name", "type", "database name", "comment"], rows), stmt
        )
    if stmt.procedure == "table_info":
        if len(stmt.args) != 1 or not isinstance(stmt.args[0], ast.Literal):
            raise QueryError("table_info needs a table name, e.g. CALL table_info('Person')")
        name = stmt.args[0].value
        catalog = db.catalog
        if name in catalog.node_tables:
            schema = catalog.node_tables[name]
            rows = [
                [i, c.name, c.type.value, c.name == schema.primary_key]
                for i, c in enumerate(schema.columns)
            ]
            names = ["property id", "name", "type", "primary key"]
        elif name in catalog.rel_tables:
            schema = catalog.rel_tables[name]
            rows = [[i, c.name, c.type.value] for i, c in enumerate(schema.columns)]
            names = ["property id", "name", "type"]
        else:
            raise CatalogError(f"Table {name} does not exist.")
        return _select(QueryResult.from_rows(names, rows), stmt)
    raise QueryError(
        f"procedure {stmt.procedure.upper()} does not exist; known: "
        "show_warnings, show_tables, table_info"
    )


def _select(result: QueryResult, stmt: ast.Call) -> QueryResult:
    """CALL … RETURN *, or RETURN of some of the procedure's columns by name."""
    proj = stmt.projection
    if proj is None or (proj.star and not proj.items):
        return result
    names = result.get_column_names()
    rows = result.get_all()
    picked = []
    for item in proj.items:
        if not isinstance(item.expr, ast.Variable) or item.expr.name not in names:
            raise QueryError("CALL … RETURN can only name the procedure's columns")
        picked.append((item.alias or item.expr.name, names.index(item.expr.name)))
    return QueryResult.from_rows([p[0] for p in picked], [[r[i] for _, i in picked] for r in rows])
