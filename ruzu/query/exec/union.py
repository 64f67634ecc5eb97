"""UNION / UNION ALL of read queries."""

from __future__ import annotations

import datetime as dt

from ...errors import QueryError
from ..result import QueryResult
from ..syntax import ast
from ..values.kinds import TYPE_NAMES
from .driver import run_query


def run_union(db, stmt: ast.Union, params: dict, text: str) -> QueryResult:
    """The rows of every query, in order; UNION (without ALL) removes duplicate rows."""
    names = None
    rows: list[list] = []
    for i, query in enumerate(stmt.queries):
        result = run_query(db, query, params, f"{text}\x00{i}")
        if names is None:
            names = result.get_column_names()
            kinds = result.column_kinds()
        elif len(result.get_column_names()) != len(names):
            raise QueryError("The number of columns to union/union all must be the same.")
        else:
            _check_same_kinds(names, kinds, result.column_kinds())
        rows.extend(result.get_all())
    if not all(stmt.all_flags):
        seen = set()
        unique = []
        for row in rows:
            key = _hashable(row)
            if key not in seen:
                seen.add(key)
                unique.append(row)
        rows = unique
    return QueryResult.from_rows(names, rows, kinds)


def _check_same_kinds(names: list[str], first: list[str], other: list[str]) -> None:
    """Kùzu's UNION rule: every query gives each column the type of the first query's column
    (no implicit cast, not even INT64 to DOUBLE). An untyped NULL column goes with any."""
    for i, (name, want, got) in enumerate(zip(names, first, other, strict=True)):
        if want == "null":
            first[i] = got
        elif got not in ("null", want):
            raise QueryError(
                f"{name} has data type {TYPE_NAMES[got]} but {TYPE_NAMES[want]} was expected."
            )


def _hashable(value):
    if isinstance(value, list | tuple):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    if isinstance(value, float) and value == int(value) and abs(value) < 2**53:
        return value
    if isinstance(value, dt.date | int | str | bool | float) or value is None:
        return (type(value).__name__ == "bool", value)
    return repr(value)


