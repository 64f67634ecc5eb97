"""Default column names for unaliased RETURN items, written the way Kùzu writes them
(``a.name``, ``COUNT_STAR()``, ``SUM(a.age)``, ``+(a.age,1)``) so result columns line up."""

from __future__ import annotations

from ..syntax import ast

_OPERATOR_NAMES = {
    "=": "EQUALS",
    "<>": "NOT_EQUALS",
    "<": "LESS_THAN",
    "<=": "LESS_THAN_EQUALS",
    ">": "GREATER_THAN",
    ">=": "GREATER_THAN_EQUALS",
    "AND": "AND",
    "OR": "OR",
    "XOR": "XOR",
    "STARTS_WITH": "STARTS_WITH",
    "ENDS_WITH": "ENDS_WITH",
    "CONTAINS": "CONTAINS",
    "=~": "REGEXP_FULL_MATCH",
}


def column_name(expr: ast.Expr, graph=None, scope=None) -> str:
    scope = scope or {}
    return _name(expr, scope)


def _name(expr: ast.Expr, scope) -> str:
    if isinstance(expr, ast.Variable):
        return expr.name
    if isinstance(expr, ast.Property):
        subject = expr.subject
        info = scope.get(subject.name) if isinstance(subject, ast.Variable) else None
        if isinstance(subject, ast.Variable) and (info is None or info.kind != "value"):
            return f"{subject.name}.{expr.key}"
        return f"STRUCT_EXTRACT({_name(subject, scope)},{expr.key})"  # a field of a value
    if isinstance(expr, ast.Literal):
        return _literal(expr.value)
    if isinstance(expr, ast.Parameter):
        return f"${expr.name}"
    if isinstance(expr, ast.FunctionCall):
        if expr.star:
            return "COUNT_STAR()"
        args = ",".join(_arg_name(a, scope) for a in expr.args)
        if expr.name.lower() == "cast" and len(expr.args) == 2:  # Kùzu: CAST(x, INT64)
            args = f"{_arg_name(expr.args[0], scope)}, {_name(expr.args[1], scope)}"
        distinct = "DISTINCT " if expr.distinct else ""
        return f"{expr.name.upper()}({distinct}{args})"
    if isinstance(expr, ast.BinaryOp):
        if expr.op == "IN":
            return f"LIST_CONTAINS({_name(expr.right, scope)},{_name(expr.left, scope)})"
        op = _OPERATOR_NAMES.get(expr.op, expr.op)
        return f"{op}({_name(expr.left, scope)},{_name(expr.right, scope)})"
    if isinstance(expr, ast.UnaryOp):
        if expr.op == "NOT":
            return f"NOT({_name(expr.operand, scope)})"
        return f"-({_name(expr.operand, scope)})"
    if isinstance(expr, ast.IsNull):
        return f"{'IS_NOT_NULL' if expr.negated else 'IS_NULL'}({_name(expr.operand, scope)})"
    if isinstance(expr, ast.ListLiteral):
        return f"LIST_CREATION({','.join(_name(i, scope) for i in expr.items)})"
    if isinstance(expr, ast.Subscript):
        return f"LIST_EXTRACT({_name(expr.subject, scope)},{_name(expr.index, scope)})"
    if isinstance(expr, ast.Case):
        return "CASE"
    return "?"


def _arg_name(expr: ast.Expr, scope) -> str:
    # count(a) on a node is written COUNT(a._ID) by Kùzu.
    if isinstance(expr, ast.Variable):
        info = scope.get(expr.name)
        if info is not None and info.kind in ("node", "rel"):
            return f"{expr.name}._ID"
    return _name(expr, scope)


def _literal(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float):
        return f"{value:.6f}"
    return str(value)
