"""Subqueries (EXISTS { … }, COUNT { … }) see the variables of the query around them: the
binder records which ones each subquery names."""

from __future__ import annotations

import dataclasses

from ..syntax import ast
from ..syntax.walk import has_subquery, mentioned


def with_outer(expr, scope) -> ast.Expr:
    """``expr`` with every subquery's ``outer`` set to the variables of ``scope`` it names."""
    if expr is None or not has_subquery(expr):
        return expr
    if isinstance(expr, ast.Subquery):
        names = set()
        for path in expr.patterns:
            names |= {n.variable for n in path.nodes} | {r.variable for r in path.rels}
        if expr.where is not None:
            names |= mentioned(expr.where)
        for path in expr.patterns:
            for item in (*path.nodes, *path.rels):
                for _, value in item.properties:
                    names |= mentioned(value)
        return dataclasses.replace(expr, outer=tuple(sorted(n for n in names if n in scope)))
    changes = {}
    for f in dataclasses.fields(expr):
        value = getattr(expr, f.name)
        new = _rewrite_field(value, scope)
        if new is not value:
            changes[f.name] = new
    return dataclasses.replace(expr, **changes) if changes else expr


def _rewrite_field(value, scope):
    if isinstance(value, ast.Expr):
        return with_outer(value, scope)
    if isinstance(value, tuple) and value:
        items = tuple(_rewrite_field(v, scope) for v in value)
        if any(a is not b for a, b in zip(items, value, strict=True)):
            return items
    return value
