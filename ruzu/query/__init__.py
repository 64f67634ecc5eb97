"""ruzu's Cypher layer: ``execute(db, query, parameters)`` runs a read query, a DDL statement
(CREATE NODE/REL TABLE, DROP TABLE), COPY … FROM or CALL, and returns a ``QueryResult``."""

from __future__ import annotations

from ..errors import QueryError
from . import ast
from .ddl import run_statement
from .executor import run_query
from .parser import parse
from .result import QueryResult

__all__ = ["QueryResult", "execute", "parse"]


def execute(db, query: str, parameters: dict | None = None) -> QueryResult:
    """Run one Cypher statement against ``db`` with ``$name`` parameters."""
    if parameters is not None and not isinstance(parameters, dict):
        raise QueryError(f"parameters must be a dict, not {type(parameters).__name__}")
    stmt = parse(query)
    if isinstance(stmt, ast.Query):
        return run_query(db, stmt, dict(parameters or {}), query)
    return run_statement(db, stmt)
