"""ruzu's Cypher layer: ``parse`` turns text into a statement; ``run_query``/``run_union`` run
a read query and return a ``QueryResult``; ``explain`` gives a read query's plan as text.
Statements that change the database (DDL, COPY, CALL, and CREATE / MERGE / SET / DELETE,
whose reading part this layer runs) and the ``execute`` entry point live one layer up, in
``ruzu.statements``.

Read queries: MATCH (node/rel patterns in any direction, labels or none, inline property maps,
chains, comma-separated patterns, several MATCH clauses, variable-length ``*min..max`` with
Kùzu's walk semantics, also across several rel tables, recursive patterns and paths), WHERE,
WITH, UNWIND, RETURN with DISTINCT, aggregates (count, sum, avg, min, max, collect, DISTINCT
forms), ORDER BY, SKIP, LIMIT and ``$parameters``; OPTIONAL MATCH, EXISTS { … } / COUNT { … }
subqueries, UNION [ALL].

How it runs, one folder per stage: ``syntax`` (text → tokens → AST, no catalog) → ``binder``
(names, labels, properties, functions checked; bound steps) → ``plan`` (a whole-query plan:
how each MATCH is walked, rewrites, first-rows and parallel decisions; ``EXPLAIN`` prints it)
→ ``exec`` (operators over frames of at most ``exec.tuning.CHUNK_ROWS`` rows: scan, fold,
expand, close, varlength, recursive, optional, projection, aggregation) → ``result``.
``values`` holds the vectors, their kinds and the operators on them; ``functions`` the
callable functions; ``graph`` is what execution reads of the storage.
"""

from __future__ import annotations

from ..errors import QueryError
from .exec.driver import planned, run_query
from .exec.union import run_union
from .graph import Graph
from .plan.explain import explain_text
from .result import QueryResult
from .syntax import ast
from .syntax.parser import parse
from .syntax.split import split_statements

__all__ = [
    "QueryResult", "ast", "explain", "parse", "plan_text", "run_query", "run_union",
    "split_statements",
]


def explain(db, query: str) -> str:
    """The plan of a read query as text: what ``EXPLAIN <query>`` returns in its one row."""
    return plan_text(db, parse(query), query)


def plan_text(db, stmt: ast.Statement, text: str) -> str:
    """The plan of a parsed read query (``EXPLAIN`` unwrapped) as text."""
    if isinstance(stmt, ast.Explain):
        stmt = stmt.statement
    if ast.is_write(stmt):
        raise QueryError("EXPLAIN of a write statement (CREATE, MERGE, SET, DELETE) is not "
                         "supported: it shows the plan of read queries")
    graph = Graph(db)
    if isinstance(stmt, ast.Query):
        return explain_text(planned(graph, stmt, text), graph)
    if isinstance(stmt, ast.Union):
        parts = [  # keyed as run_union keys them: one cached plan per branch
            explain_text(planned(graph, q, f"{text}\x00{i}"), graph)
            for i, q in enumerate(stmt.queries)
        ]
        out = parts[0]
        for flag, part in zip(stmt.all_flags, parts[1:], strict=True):
            out += f"\nUNION{' ALL' if flag else ''}\n{part}"
        return out
    raise QueryError("EXPLAIN applies to read queries (MATCH … RETURN …), not to "
                     f"{type(stmt).__name__} statements")
