"""ruzu's Cypher layer: ``execute(db, query, parameters)`` runs a read query, a DDL statement
(CREATE NODE/REL TABLE, DROP TABLE), COPY … FROM or CALL, and returns a ``QueryResult``.

Read queries: MATCH (node/rel patterns in any direction, labels or none, inline property maps,
chains, comma-separated patterns, several MATCH clauses, variable-length ``*min..max`` with
Kùzu's walk semantics, also across several rel tables), WHERE, WITH, UNWIND, RETURN with
DISTINCT, aggregates (count, sum, avg, min, max, collect, DISTINCT forms), ORDER BY, SKIP,
LIMIT and ``$parameters``.

Also OPTIONAL MATCH, EXISTS { … } / COUNT { … } subqueries (``optional``), UNION [ALL]
(``union``) and several ';'-separated statements (a list of results).

Named paths (``optional.with_paths``); variable-length rel variables, per-hop filters,
TRAIL / ACYCLIC, SHORTEST / ALL SHORTEST / weighted shortest paths (``recursive``, kernels in
``_path_kernels``). Not supported: writes other than COPY.

How it runs (see the module docstrings for details): ``parser`` → ``planner`` (binding,
liveness) → ``match_plan`` (spanning tree, folds vs expansions) → ``matching``/``varlength``
(vectorised steps over frames of at most ``matching.CHUNK_ROWS`` rows) → ``projection``
(grouping, ordering) → ``result``.
"""

from __future__ import annotations

import time

from ..errors import IntegerOverflowError, QueryError, QueryMemoryError
from . import ast
from .ddl import run_statement
from .executor import run_query
from .parser import parse
from .result import QueryResult
from .union import run_union, split_statements

__all__ = ["QueryResult", "execute", "parse"]


def execute(db, query: str, parameters: dict | None = None):
    """Run a Cypher statement against ``db`` with ``$name`` parameters. Several statements
    separated by ';' run in order and give a list of results, as in Kùzu."""
    if parameters is not None and not isinstance(parameters, dict):
        raise QueryError(f"parameters must be a dict, not {type(parameters).__name__}")
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
        if isinstance(stmt, ast.Query):
            result = run_query(db, stmt, dict(parameters or {}), query)
        elif isinstance(stmt, ast.Union):
            result = run_union(db, stmt, dict(parameters or {}), query)
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
