"""ruzu's Cypher layer: ``execute(db, query, parameters)`` runs a read query, a DDL statement
(CREATE NODE/REL TABLE, DROP TABLE), COPY … FROM or CALL, and returns a ``QueryResult``.

Read queries: MATCH (node/rel patterns in any direction, labels or none, inline property maps,
chains, comma-separated patterns, several MATCH clauses, variable-length ``*min..max`` with
Kùzu's walk semantics, also across several rel tables), WHERE, WITH, UNWIND, RETURN with
DISTINCT, aggregates (count, sum, avg, min, max, collect, DISTINCT forms), ORDER BY, SKIP,
LIMIT and ``$parameters``.

Also OPTIONAL MATCH, EXISTS { … } / COUNT { … } subqueries (``optional``), UNION [ALL]
(``union``) and several ';'-separated statements (a list of results).

Named paths over fixed-length patterns (``exec.optional.with_paths``). Not supported: paths over
variable-length relationships, using a variable-length relationship variable (``length(r)``,
returning it, filtering on it), writes other than COPY.

How it runs, one folder per stage: ``syntax`` (text → tokens → AST, no catalog) → ``binder``
(names, labels, properties, functions checked; bound steps) → ``plan`` (how each MATCH is
walked) → ``exec`` (operators over frames of at most ``exec.tuning.CHUNK_ROWS`` rows:
matching, varlength, optional, projection, aggregation) → ``result``. ``values`` holds the
vectors and frames every stage after binding works on; ``functions`` the callable functions.
"""

from __future__ import annotations

import time

from ..errors import IntegerOverflowError, QueryError, QueryMemoryError
from .ddl import run_statement
from .exec.driver import planned, run_query
from .exec.union import run_union
from .graph import Graph
from .plan.explain import explain_text
from .result import QueryResult
from .syntax import ast
from .syntax.parser import parse
from .syntax.split import split_statements

__all__ = ["QueryResult", "execute", "explain", "parse"]


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
        elif isinstance(stmt, ast.Explain):
            result = QueryResult.from_rows(["explain result"], [[_plan_text(db, stmt, query)]])
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


def explain(db, query: str) -> str:
    """The plan of a read query as text: what ``EXPLAIN <query>`` returns in its one row."""
    stmt = parse(query)
    return _plan_text(db, stmt, query)


def _plan_text(db, stmt: ast.Statement, text: str) -> str:
    if isinstance(stmt, ast.Explain):
        stmt = stmt.statement
    graph = Graph(db)
    if isinstance(stmt, ast.Query):
        return explain_text(planned(graph, stmt, text))
    if isinstance(stmt, ast.Union):
        parts = [  # keyed as run_union keys them: one cached plan per branch
            explain_text(planned(graph, q, f"{text}\x00{i}")) for i, q in enumerate(stmt.queries)
        ]
        out = parts[0]
        for flag, part in zip(stmt.all_flags, parts[1:], strict=True):
            out += f"\nUNION{' ALL' if flag else ''}\n{part}"
        return out
    raise QueryError("EXPLAIN applies to read queries (MATCH … RETURN …), not to "
                     f"{type(stmt).__name__} statements")
