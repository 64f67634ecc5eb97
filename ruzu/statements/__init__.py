"""Statements on a Database: where Cypher meets the importer. ``execute(db, text, parameters)``
parses ``text`` and runs a read query (``ruzu.query``), a write query (CREATE, MERGE, SET,
DELETE: ``writes``, appending through ``ruzu.csv``), a DDL statement (CREATE NODE/REL TABLE,
DROP TABLE), COPY … FROM/TO (``copy``, ``copy_to``, driving ``ruzu.csv``) or CALL (``ddl``), and
returns a ``QueryResult``. This package sits above both ``ruzu.query`` and ``ruzu.csv``."""

from __future__ import annotations

import time

from ..errors import IntegerOverflowError, QueryError, QueryMemoryError
from ..query import (
    QueryResult,
    ast,
    parse,
    plan_text,
    run_query,
    run_union,
    split_statements,
)
from ..query.parameters import kuzu_parameters
from .ddl import run_statement

__all__ = ["execute", "run_statement"]


def execute(db, query: str, parameters: dict | None = None):
    """Run a Cypher statement against ``db`` with ``$name`` parameters. Several statements
    separated by ';' run in order and give a list of results, as in Kùzu."""
    if parameters is not None and not isinstance(parameters, dict):
        raise QueryError(f"Parameters must be a dict, not {type(parameters).__name__}")
    for name in parameters or ():
        if not isinstance(name, str):  # Kùzu's words
            raise QueryError(f"Parameter name must be of type string but got {type(name)}")
    parameters = kuzu_parameters(parameters)
    if isinstance(query, str) and ";" in query:
        parts = split_statements(query)
        if len(parts) > 1:
            return [execute(db, part, parameters) for part in parts]
    started = time.perf_counter()
    try:
        stmt = parse(query)
    except RecursionError:
        raise QueryError(
            "query is nested too deeply to parse (parentheses, operators or list literals "
            "thousands of levels deep)") from None
    parsed = time.perf_counter()
    try:
        if ast.is_write(stmt):
            from .writes import run_write

            result = run_write(db, stmt, dict(parameters or {}), query)
        elif isinstance(stmt, ast.Query):
            result = run_query(db, stmt, dict(parameters or {}), query)
        elif isinstance(stmt, ast.Union):
            result = run_union(db, stmt, dict(parameters or {}), query)
        elif isinstance(stmt, ast.Explain):
            result = QueryResult.from_rows(["explain result"], [[plan_text(db, stmt, query)]])
        else:
            result = run_statement(db, stmt)
    except RecursionError:
        raise QueryError(
            "query is nested too deeply to run (e.g. thousands of chained OR/AND); use "
            "IN [...] for long alternatives") from None
    except OverflowError as e:
        if isinstance(e, IntegerOverflowError):
            raise
        raise IntegerOverflowError(
            f"Overflow exception: a value of the query is not within INT64 range ({e})"
        ) from None
    except MemoryError as e:
        if isinstance(e, QueryMemoryError):
            raise
        raise QueryMemoryError(
            f"query stopped: an allocation failed ({e or 'out of memory'}); narrow the query "
            "or lower query_memory_limit so it stops before the system runs out") from None
    if isinstance(result, QueryResult):
        result.compiling_ms = (parsed - started) * 1000.0
        result.execution_ms = (time.perf_counter() - parsed) * 1000.0
    return result
