"""ruzu's Cypher layer: ``parse`` turns text into a statement; ``run_query``/``run_union`` run
a read query and return a ``QueryResult``. Statements that change the database (DDL, COPY, CALL)
and the ``execute`` entry point live one layer up, in ``ruzu.statements``.

Read queries: MATCH (node/rel patterns in any direction, labels or none, inline property maps,
chains, comma-separated patterns, several MATCH clauses, variable-length ``*min..max`` with
Kùzu's walk semantics, also across several rel tables), WHERE, WITH, UNWIND, RETURN with
DISTINCT, aggregates (count, sum, avg, min, max, collect, DISTINCT forms), ORDER BY, SKIP,
LIMIT and ``$parameters``.

Also OPTIONAL MATCH, EXISTS { … } / COUNT { … } subqueries (``optional``), UNION [ALL]
(``union``) and several ';'-separated statements (a list of results).

Named paths over fixed-length patterns (``optional.with_paths``). Not supported: paths over
variable-length relationships, using a variable-length relationship variable (``length(r)``,
returning it, filtering on it), writes other than COPY.

How it runs (see the module docstrings for details): ``parser`` → ``planner`` (binding,
liveness) → ``match_plan`` (spanning tree, folds vs expansions) → ``matching``/``varlength``
(vectorised steps over frames of at most ``matching.CHUNK_ROWS`` rows) → ``projection``
(grouping, ordering) → ``result``.
"""

from __future__ import annotations

from . import ast
from .executor import run_query
from .parser import parse
from .result import QueryResult
from .union import run_union, split_statements

__all__ = ["QueryResult", "ast", "parse", "run_query", "run_union", "split_statements"]
