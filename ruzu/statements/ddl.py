"""CREATE NODE/REL TABLE, DROP TABLE, COPY … FROM and CALL: statements that go through the
Cypher parser but are carried out by the database's own methods."""

from __future__ import annotations

from ..errors import CatalogError, QueryError
from ..query import ast
from ..query.result import QueryResult
from .copy import LAST_COPY, run_copy, run_copy_to


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
        return run_copy(db, stmt)
    if isinstance(stmt, ast.CopyTo):
        return run_copy_to(db, stmt)
    if isinstance(stmt, ast.Call):
        return _call(db, stmt)
    raise QueryError(f"unsupported statement {type(stmt).__name__}")


def _message(text: str) -> QueryResult:
    return QueryResult.from_rows(["result"], [[text]])


_WARNING_COLUMNS = ["query_id", "message", "file_path", "line_number", "skipped_line_or_record"]


def _call(db, stmt: ast.Call) -> QueryResult:
    if stmt.procedure == "show_warnings":
        last = getattr(db, "last_import_result", None)
        rows = []
        for reject in last.rejects if last is not None else []:
            where = f" (column {reject.column}: {reject.column_name})" if reject.column else ""
            rows.append(
                [
                    LAST_COPY.get(db, 0),
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
