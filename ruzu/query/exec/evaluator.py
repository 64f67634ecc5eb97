"""Vectorised evaluation of expressions over a frame: one numpy operation per expression node,
never a Python loop per row for numbers, dates, booleans or strings read from a column.

NULL follows Cypher: arithmetic and comparisons with NULL give NULL, AND/OR/NOT use
three-valued logic, and WHERE keeps only rows whose predicate is true.
"""

from __future__ import annotations

import numpy as np

from ...errors import QueryError
from ..functions.nested import struct_field
from ..functions.scalar import AGGREGATES, call_function
from ..syntax import ast
from ..values import checked
from ..values.kinds import NUMERIC, TYPE_NAMES, common_kind, mixing_error
from ..values.ops import (
    arithmetic,
    cast_to_kind,
    compare,
    logical,
    logical_not,
    membership,
    regex_match,
    select,
    string_test,
    true_mask,
)
from ..values.output import to_python_list
from ..values.vectors import (
    AnyVec,
    Const,
    Frame,
    NodeVec,
    RelVec,
    Vec,
    broadcast,
    const_kind,
    from_python,
)


class Evaluator:
    """Evaluates AST expressions against one frame.

    ``computed`` maps expressions already evaluated (group keys and aggregates after a
    projection) to frame column names, so ``ORDER BY count(*)`` finds its column."""

    def __init__(
        self, graph, params: dict, frame: Frame, computed: dict[ast.Expr, str] | None = None
    ) -> None:
        self.graph = graph
        self.params = params
        self.frame = frame
        self.computed = computed or {}
        self._property_cache: dict[tuple[str, str], Vec] = {}

    def vector(self, expr: ast.Expr) -> AnyVec:
        """The value of ``expr`` for every row (constants broadcast)."""
        return broadcast(self.eval(expr), self.frame.n)

    def predicate(self, expr: ast.Expr) -> np.ndarray:
        """Boolean mask of rows where ``expr`` is true (NULL counts as false)."""
        value = self.eval(expr)
        if isinstance(value, Const):
            if value.value is not None and not isinstance(value.value, bool | np.bool_):
                raise QueryError(f"WHERE needs a boolean, got {TYPE_NAMES[value.kind]}")
            return np.full(self.frame.n, value.value is not None and bool(value.value))
        if value.kind == "null":
            return np.zeros(self.frame.n, np.bool_)
        if value.kind != "bool":
            raise QueryError(f"WHERE needs a boolean, got {TYPE_NAMES[value.kind]}")
        mask = np.asarray(value.values, np.bool_)
        return mask if value.valid is None else mask & value.valid

    # ------------------------------------------------------------------ dispatch

    def eval(self, expr: ast.Expr) -> AnyVec:
        name = self.computed.get(expr)
        if name is not None:
            return self.frame.columns[name]
        return _EVALUATE[type(expr)](self, expr)

    def _Literal(self, e: ast.Literal) -> AnyVec:
        return Const(e.value, const_kind(e.value))

    def _Parameter(self, e: ast.Parameter) -> AnyVec:
        if e.name not in self.params:
            raise QueryError(f"Parameter {e.name} not found.")
        value = self.params[e.name]
        if isinstance(value, tuple):
            value = list(value)
        return Const(value, const_kind(value))

    def _Variable(self, e: ast.Variable) -> AnyVec:
        try:
            return self.frame.columns[e.name]
        except KeyError:
            raise QueryError(f"Variable {e.name} is not in scope.") from None

    def _Property(self, e: ast.Property) -> AnyVec:
        key = None
        if isinstance(e.subject, ast.Variable):
            key = (e.subject.name, e.key)
            hit = self._property_cache.get(key)
            if hit is not None:
                return hit
        subject = self.eval(e.subject)
        if isinstance(subject, NodeVec):
            value = self.graph.node_property(subject, e.key)
        elif isinstance(subject, RelVec):
            value = self.graph.rel_property(subject, e.key)
        elif isinstance(subject, Const) and subject.value is None:
            return Const(None, "null")
        elif subject.kind == "any":  # a STRUCT value: s.field
            return struct_field(subject, e.key, self.frame.n)
        else:
            raise QueryError(
                f"{_describe(e.subject)} has data type {TYPE_NAMES[subject.kind]} but "
                "(NODE,REL) was expected."
            )
        if getattr(subject, "valid", None) is not None and isinstance(value, Vec):
            valid = subject.valid if value.valid is None else subject.valid & value.valid
            value = Vec(value.kind, value.values, valid)
        if key is not None:
            self._property_cache[key] = value
        return value

    def _ListLiteral(self, e: ast.ListLiteral) -> AnyVec:
        items = [self.eval(i) for i in e.items]
        kind = common_kind(i.kind for i in items)  # as Kùzu: [1, 2.5] is DOUBLE[]
        if kind is None:
            raise mixing_error([i.kind for i in items], "a list literal")
        items = [cast_to_kind(i, kind) for i in items]
        if all(isinstance(i, Const) for i in items):
            return Const([i.value for i in items], "list")
        n = self.frame.n
        cols = [broadcast(i, n) for i in items]
        pylists = [to_python_list(c, self.graph) for c in cols]
        out = np.empty(n, object)
        for r in range(n):
            out[r] = [col[r] for col in pylists]
        return Vec("list", out)

    def _Case(self, e: ast.Case) -> AnyVec:
        n = self.frame.n
        undecided = np.ones(n, np.bool_)
        choices: list[tuple[np.ndarray, AnyVec]] = []
        operand = None if e.operand is None else self.eval(e.operand)
        for cond, value in e.whens:
            if operand is None:
                mask = self.predicate(cond)
            else:
                eq = compare("=", operand, self.eval(cond), n)
                mask = true_mask(eq, n)
            mask = mask & undecided  # a new array: predicate() may return a read-only column
            undecided &= ~mask
            choices.append((mask, self.eval(value)))
        default = Const(None, "null") if e.default is None else self.eval(e.default)
        choices.append((undecided, default))
        return select(choices, n, "CASE", first_wins=True)

    def _Subquery(self, e: ast.Subquery) -> AnyVec:
        # A subquery runs a MATCH, whose operators evaluate expressions: the runner is the
        # graph's, set by the driver (optional.evaluate_subquery), so this module needs no
        # import of the operators above it.
        return self.graph.run_subquery(self, e)

    def _Subscript(self, e: ast.Subscript) -> AnyVec:
        subject = broadcast(self.eval(e.subject), self.frame.n)
        index = broadcast(self.eval(e.index), self.frame.n)
        if subject.kind != "list" or index.kind != "int":
            raise QueryError("[] needs a list and an integer index")
        lists = subject.objects()
        idx = index.values
        valid = subject.is_valid() & index.is_valid()
        out = np.empty(self.frame.n, object)
        for r in range(self.frame.n):  # lists are small, built by collect(); rarely large
            if valid[r] and 1 <= abs(idx[r]) <= len(lists[r]):
                # Cypher lists in Kùzu are 1-based; a negative index counts from the end
                out[r] = lists[r][idx[r] - 1 if idx[r] > 0 else idx[r]]
            else:
                valid[r] = False
        return from_python(out, valid)

    def _UnaryOp(self, e: ast.UnaryOp) -> AnyVec:
        value = self.eval(e.operand)
        if e.op == "NOT":
            return logical_not(value)
        if value.kind == "null":
            return value
        if value.kind not in NUMERIC:
            raise QueryError(f"cannot negate a value of type {TYPE_NAMES[value.kind]}")
        if isinstance(value, Const):
            if value.kind == "int":
                return Const(checked.python_int(-value.value), value.kind)
            return Const(-value.value, value.kind)
        if value.kind == "int" and np.asarray(value.values).dtype.kind == "i":
            return Vec(value.kind, checked.int_negate(value.values, value.valid), value.valid)
        return Vec(value.kind, -value.values, value.valid)

    def _IsNull(self, e: ast.IsNull) -> AnyVec:
        value = self.eval(e.operand)
        if isinstance(value, Const):
            return Const((value.value is None) != e.negated, "bool")
        if isinstance(value, NodeVec | RelVec):
            if value.valid is None:
                return Const(e.negated, "bool")
            return Vec("bool", value.valid.copy() if e.negated else ~value.valid)
        if value.kind == "null":
            return Const(not e.negated, "bool")
        if value.valid is None:
            return Const(e.negated, "bool")
        return Vec("bool", value.valid.copy() if e.negated else ~value.valid)

    def _BinaryOp(self, e: ast.BinaryOp) -> AnyVec:
        op = e.op
        if op in ("AND", "OR", "XOR"):
            return logical(op, self.eval(e.left), self.eval(e.right), self.frame.n)
        left = self.eval(e.left)
        right = self.eval(e.right)
        n = self.frame.n
        if op in ("=", "<>", "<", "<=", ">", ">="):
            return compare(op, left, right, n)
        if op in ("+", "-", "*", "/", "%", "^"):
            return arithmetic(op, left, right, n)
        if op in ("STARTS_WITH", "ENDS_WITH", "CONTAINS"):
            return string_test(op, left, right, n)
        if op == "IN":
            return membership(left, right, n)
        if op == "=~":
            return regex_match(left, right, n)
        raise QueryError(f"unsupported operator {op}")

    def _FunctionCall(self, e: ast.FunctionCall) -> AnyVec:
        if e.name in AGGREGATES:
            raise QueryError(f"aggregate {e.name.upper()}() is not allowed here")
        args = [self.eval(a) for a in e.args]
        return call_function(self, e.name, args)


# ----------------------------------------------------------------------------- helpers


# Which method evaluates each kind of expression.
_EVALUATE = {
    ast.Literal: Evaluator._Literal,
    ast.Parameter: Evaluator._Parameter,
    ast.Variable: Evaluator._Variable,
    ast.Property: Evaluator._Property,
    ast.ListLiteral: Evaluator._ListLiteral,
    ast.Case: Evaluator._Case,
    ast.Subquery: Evaluator._Subquery,
    ast.Subscript: Evaluator._Subscript,
    ast.UnaryOp: Evaluator._UnaryOp,
    ast.IsNull: Evaluator._IsNull,
    ast.BinaryOp: Evaluator._BinaryOp,
    ast.FunctionCall: Evaluator._FunctionCall,
}


def _describe(expr: ast.Expr) -> str:
    if isinstance(expr, ast.Variable):
        return expr.name
    if isinstance(expr, ast.Property):
        return f"{_describe(expr.subject)}.{expr.key}"
    return "expression"


