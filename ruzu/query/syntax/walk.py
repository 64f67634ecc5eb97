"""Walks over expression trees that need no catalog: the conjuncts of a WHERE, the variables an
expression names."""

from __future__ import annotations

from . import ast


def conjuncts(expr: ast.Expr | None) -> list[ast.Expr]:
    if expr is None:
        return []
    if isinstance(expr, ast.BinaryOp) and expr.op == "AND":
        return conjuncts(expr.left) + conjuncts(expr.right)
    return [expr]


def free_variables(expr: ast.Expr) -> set[str]:
    out: set[str] = set()
    _free(expr, out)
    return out


def _free(expr: ast.Expr, out: set[str]) -> None:
    if isinstance(expr, ast.Variable):
        out.add(expr.name)
        return
    for child in ast.children(expr):
        _free(child, out)


def has_subquery(expr) -> bool:
    if isinstance(expr, ast.Subquery):
        return True
    if isinstance(expr, ast.Case):
        parts = [expr.operand, expr.default, *(x for w in expr.whens for x in w)]
        return any(p is not None and has_subquery(p) for p in parts)
    return any(has_subquery(c) for c in ast.children(expr))


def mentioned(expr) -> set[str]:
    """Every variable an expression names, inside nested subqueries too."""
    out: set[str] = set()
    if isinstance(expr, ast.Variable):
        out.add(expr.name)
    elif isinstance(expr, ast.Subquery):
        for path in expr.patterns:
            out |= {n.variable for n in path.nodes if n.variable}
            out |= {r.variable for r in path.rels if r.variable}
        if expr.where is not None:
            out |= mentioned(expr.where)
    for child in ast.children(expr):
        out |= mentioned(child)
    return out
