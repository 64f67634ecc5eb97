"""Prepared statements as in Kùzu's Python API: ``conn.prepare(query)`` parses the query once
and ``conn.execute(prepared, parameters)`` runs it. As in Kùzu, a query that does not parse
gives a statement whose ``is_success()`` is False; executing it raises the error."""

from __future__ import annotations

from ..errors import QueryError
from .syntax.parser import parse
from .syntax.split import split_statements


class PreparedStatement:
    def __init__(self, query: str) -> None:
        if not isinstance(query, str):
            raise TypeError(f"query must be a str, not {type(query).__name__}")
        self.query = query
        self._error: QueryError | None = None
        try:
            if len(split_statements(query)) > 1:
                raise QueryError("We do not support prepare multiple statements.")
            parse(query)
        except QueryError as e:
            self._error = e

    def is_success(self) -> bool:
        return self._error is None

    def get_error_message(self) -> str:
        return "" if self._error is None else str(self._error)

    def check(self) -> None:
        if self._error is not None:
            raise self._error
