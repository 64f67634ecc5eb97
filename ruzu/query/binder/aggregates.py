"""Finding aggregate calls in expressions (with their arity and nesting checks)."""

from __future__ import annotations

from ...errors import QueryError
from ..functions.scalar import AGGREGATES
from ..syntax import ast


def find_aggregates(expr: ast.Expr, out: list[ast.FunctionCall]) -> None:
    """Collect the aggregate calls inside an expression (nested aggregates are an error)."""
    if isinstance(expr, ast.FunctionCall) and expr.name in AGGREGATES:
        for a in expr.args:
            inner: list[ast.FunctionCall] = []
            find_aggregates(a, inner)
            if inner:
                raise QueryError(
                    f"aggregate {inner[0].name.upper()}() cannot be nested inside "
                    f"{expr.name.upper()}()"
                )
        if expr.name != "count" and len(expr.args) != 1:
            raise QueryError(f"{expr.name.upper()}() takes one argument")
        if expr.name == "count" and not expr.star and len(expr.args) != 1:
            raise QueryError("COUNT() takes one argument or *")
        if expr not in out:
            out.append(expr)
        return
    for child in ast.children(expr):
        find_aggregates(child, out)



def contains_aggregate(expr: ast.Expr) -> bool:
    found: list[ast.FunctionCall] = []
    find_aggregates(expr, found)
    return bool(found)
