"""Vectorised evaluation of expressions over a frame: one numpy operation per expression node,
never a Python loop per row for numbers, dates, booleans or strings read from a column.

NULL follows Cypher: arithmetic and comparisons with NULL give NULL, AND/OR/NOT use
three-valued logic, and WHERE keeps only rows whose predicate is true.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from ..errors import QueryError
from . import _kernels, ast, checked
from .vectors import (
    NUMPY_OF_KIND,
    AnyVec,
    Const,
    Frame,
    LazyStrings,
    NodeVec,
    RelVec,
    Vec,
    broadcast,
    const_kind,
)

NUMERIC = ("int", "float")
TYPE_NAMES = {
    "int": "INT64",
    "float": "DOUBLE",
    "bool": "BOOL",
    "str": "STRING",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "list": "LIST",
    "node": "NODE",
    "rel": "REL",
    "null": "NULL",
    "any": "ANY",
}


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
        method = getattr(self, "_" + type(expr).__name__)
        return method(expr)

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
            from .nested_functions import struct_field

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
                mask = _true_mask(eq, n)
            mask = mask & undecided  # a new array: predicate() may return a read-only column
            undecided &= ~mask
            choices.append((mask, self.eval(value)))
        default = Const(None, "null") if e.default is None else self.eval(e.default)
        choices.append((undecided, default))
        return select(choices, n)

    def _Subquery(self, e: ast.Subquery) -> AnyVec:
        from .optional import evaluate_subquery

        return evaluate_subquery(self, e)

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
        from .functions import AGGREGATES, call_function

        if e.name in AGGREGATES:
            raise QueryError(f"aggregate {e.name.upper()}() is not allowed here")
        args = [self.eval(a) for a in e.args]
        return call_function(self, e.name, args)


# ----------------------------------------------------------------------------- helpers


def _describe(expr: ast.Expr) -> str:
    if isinstance(expr, ast.Variable):
        return expr.name
    if isinstance(expr, ast.Property):
        return f"{_describe(expr.subject)}.{expr.key}"
    return "expression"


def operand(value: AnyVec, strings: bool = True) -> tuple[Any, Any]:
    """(values, valid) with numpy broadcasting in mind: constants give scalars."""
    if isinstance(value, Const):
        v = value.value
        if value.kind == "date":
            v = np.datetime64(v, "D")
        elif value.kind == "timestamp":
            v = np.datetime64(v, "us")
        return v, v is not None
    values = value.objects() if strings else value.values
    return values, True if value.valid is None else value.valid


def result(kind: str, values: Any, valid: Any, n: int) -> AnyVec:
    """A vector from broadcast-able values/validity; scalar inputs give a Const."""
    if np.ndim(values) == 0 and np.ndim(valid) == 0:
        if not valid:
            return Const(None, "null")
        v = values.item() if isinstance(values, np.generic) else values
        if kind == "date" and isinstance(v, dt.datetime):
            v = v.date()
        return Const(v, kind)
    if np.ndim(values) == 0:
        dtype = NUMPY_OF_KIND.get(kind, object)
        values = np.full(n, values, dtype)
    if np.ndim(valid) == 0:
        valid = None if valid else np.zeros(n, np.bool_)
    elif valid is not None and valid.all():
        valid = None
    return Vec(kind, values, valid)


def _and_valid(a: Any, b: Any) -> Any:
    if a is True:
        return b
    if b is True:
        return a
    return np.logical_and(a, b)


def _true_mask(value: AnyVec, n: int) -> np.ndarray:
    if isinstance(value, Const):
        return np.full(n, value.value is True)
    mask = np.asarray(value.values, np.bool_).copy()
    if value.valid is not None:
        mask &= value.valid
    return mask


def _truth(value: AnyVec) -> tuple[Any, Any]:
    """(is true, is false) masks or scalars of a boolean value."""
    if isinstance(value, Const):
        if value.value is None:
            return False, False
        if not isinstance(value.value, bool):
            raise QueryError(f"expected a boolean, got {TYPE_NAMES[value.kind]}")
        return value.value, not value.value
    if value.kind == "null":
        return False, False
    if value.kind != "bool":
        raise QueryError(f"expected a boolean, got {TYPE_NAMES[value.kind]}")
    v = np.asarray(value.values, np.bool_)
    if value.valid is None:
        return v, ~v
    return v & value.valid, ~v & value.valid


def logical(op: str, left: AnyVec, right: AnyVec, n: int) -> AnyVec:
    lt, lf = _truth(left)
    rt, rf = _truth(right)
    if op == "AND":
        true = np.logical_and(lt, rt)
        false = np.logical_or(lf, rf)
    elif op == "OR":
        true = np.logical_or(lt, rt)
        false = np.logical_and(lf, rf)
    else:
        true = np.logical_or(np.logical_and(lt, rf), np.logical_and(lf, rt))
        false = np.logical_or(np.logical_and(lt, rt), np.logical_and(lf, rf))
    return result("bool", true, np.logical_or(true, false), n)


def logical_not(value: AnyVec) -> AnyVec:
    t, f = _truth(value)
    if np.ndim(t) == 0:
        return Const(None, "null") if not (t or f) else Const(bool(f), "bool")
    valid = np.logical_or(t, f)
    return Vec("bool", f, None if valid.all() else valid)


def _numeric_or_null(value: AnyVec, op: str) -> None:
    if value.kind not in (*NUMERIC, "null"):
        raise QueryError(f"operator {op} does not apply to {TYPE_NAMES[value.kind]}")


def arithmetic(op: str, left: AnyVec, right: AnyVec, n: int) -> AnyVec:
    if left.kind == "null" or right.kind == "null":
        return Const(None, "null")
    if op == "+" and (left.kind == "str" or right.kind == "str"):
        if left.kind != "str" or right.kind != "str":
            raise QueryError("+ needs two strings or two numbers")
        a, av = operand(left)
        b, bv = operand(right)
        return result(
            "str", np.add(np.asarray(a, object), np.asarray(b, object)), _and_valid(av, bv), n
        )
    if op in "+-" and "date" in (left.kind, right.kind):
        return _date_arithmetic(op, left, right, n)
    _numeric_or_null(left, op)
    _numeric_or_null(right, op)
    a, av = operand(left)
    b, bv = operand(right)
    valid = _and_valid(av, bv)
    both_int = left.kind == "int" and right.kind == "int"
    if op == "^":
        with np.errstate(all="ignore"):
            return result(
                "float", np.power(np.asarray(a, np.float64), np.asarray(b, np.float64)), valid, n
            )
    if not both_int:
        dtype = _float_dtype(left, right)
        a = np.asarray(a, dtype)
        b = np.asarray(b, dtype)
        with np.errstate(all="ignore"):
            if op == "+":
                values = a + b
            elif op == "-":
                values = a - b
            elif op == "*":
                values = a * b
            elif op == "/":
                values = np.true_divide(a, b)
            else:
                values = np.fmod(a, b)
        return result("float", values, valid, n)
    a = np.asarray(a, np.int64)
    b = np.asarray(b, np.int64)
    if op in ("+", "-", "*"):
        values = checked.int_binary(op, a, b, valid)
    else:
        zero = (b == 0) if np.ndim(valid) == 0 and valid is True else np.logical_and(b == 0, valid)
        if np.any(zero):
            raise QueryError("Divide by zero.")
        safe_b = np.where(b == 0, 1, b)
        if op == "/":
            checked.int_divide_check(a, safe_b, valid)
            values = _truncating_divide(a, safe_b)
        else:
            values = np.fmod(a, safe_b)
    return result("int", values, valid, n)


def _float_dtype(left: AnyVec, right: AnyVec):
    """FLOAT (float32) arithmetic stays FLOAT unless a DOUBLE takes part, as in Kùzu, where
    an integer operand is cast to the float's type and a float literal is a DOUBLE."""
    for v in (left, right):
        if v.kind == "float" and (isinstance(v, Const) or np.asarray(v.values).dtype != np.float32):
            return np.float64
    return np.float32


def _truncating_divide(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Integer division rounding toward zero (C, Kùzu), not toward -inf (Python, numpy)."""
    q = np.floor_divide(a, b)
    fix = (np.fmod(a, b) != 0) & ((a < 0) != (b < 0))
    return q + fix


def _date_arithmetic(op: str, left: AnyVec, right: AnyVec, n: int) -> AnyVec:
    a, av = operand(left)
    b, bv = operand(right)
    valid = _and_valid(av, bv)
    if left.kind == "date" and right.kind == "int":
        days = np.asarray(b, np.int64).astype("timedelta64[D]")
        return result("date", a + days if op == "+" else a - days, valid, n)
    if left.kind == "int" and right.kind == "date" and op == "+":
        return result("date", b + np.asarray(a, np.int64).astype("timedelta64[D]"), valid, n)
    if left.kind == "date" and right.kind == "date" and op == "-":
        return result("int", (np.asarray(a, "datetime64[D]") - b).astype(np.int64), valid, n)
    raise QueryError(
        f"operator {op} does not apply to {TYPE_NAMES[left.kind]} and {TYPE_NAMES[right.kind]}"
    )


def _comparable(a: str, b: str) -> bool:
    if a == b:
        return True
    return {a, b} <= {"int", "float"} or {a, b} <= {"date", "timestamp"}


_NUMPY_COMPARE = {
    "=": np.equal,
    "<>": np.not_equal,
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
}


def compare(op: str, left: AnyVec, right: AnyVec, n: int) -> AnyVec:
    if left.kind == "null" or right.kind == "null":
        return Const(None, "null")
    if not _comparable(left.kind, right.kind):
        raise QueryError(f"cannot compare {TYPE_NAMES[left.kind]} with {TYPE_NAMES[right.kind]}")
    if left.kind in ("node", "rel"):
        if op not in ("=", "<>"):
            raise QueryError(f"operator {op} does not apply to {TYPE_NAMES[left.kind]}")
        left = broadcast(left, n)
        right = broadcast(right, n)
        same = (left.identity() == right.identity()) & _same_tables(left, right)
        return Vec("bool", same if op == "=" else ~same)
    if left.kind == "str":
        fast = _compare_lazy_string(op, left, right)
        if fast is not None:
            return fast
    if left.kind in ("list", "any") or right.kind in ("list", "any"):
        from .nested_functions import compare_values

        return compare_values(op, left, right, n)
    if "timestamp" in (left.kind, right.kind) and left.kind != right.kind:
        left = _as_timestamp(left)
        right = _as_timestamp(right)
    a, av = operand(left)
    b, bv = operand(right)
    values = _NUMPY_COMPARE[op](a, b)
    return result("bool", values, _and_valid(av, bv), n)


def _same_tables(left, right) -> np.ndarray:
    if left.table_idx is None and right.table_idx is None:
        return np.bool_(left.tables[0] == right.tables[0])
    lt = np.asarray(left.tables, object)[left.table_idx if left.table_idx is not None else 0]
    rt = np.asarray(right.tables, object)[right.table_idx if right.table_idx is not None else 0]
    return np.asarray(lt == rt, np.bool_)


def _as_timestamp(value: AnyVec) -> AnyVec:
    if value.kind != "date":
        return value
    if isinstance(value, Const):
        return Const(dt.datetime.combine(value.value, dt.time()), "timestamp")
    return Vec("timestamp", value.values.astype("datetime64[us]"), value.valid)


_FLIP = {"=": "=", "<>": "<>", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _compare_lazy_string(op: str, left: AnyVec, right: AnyVec) -> AnyVec | None:
    """Column strings against a constant, compared as bytes without decoding."""
    if isinstance(left, Const) and isinstance(right, Vec):
        left, right, op = right, left, _FLIP[op]
    if not (
        isinstance(left, Vec) and isinstance(left.values, LazyStrings) and isinstance(right, Const)
    ):
        return None
    lazy = left.values
    needle = np.frombuffer(right.value.encode("utf-8"), np.uint8)
    rows = np.ascontiguousarray(lazy.rows, np.int64)
    if op in ("=", "<>"):
        out = np.empty(len(rows), np.bool_)
        _kernels._match_constant(lazy.column.offsets, lazy.column.data, rows, needle, 0, out)
        values = out if op == "=" else ~out
    else:
        order = np.empty(len(rows), np.int8)
        _kernels._compare_constant(lazy.column.offsets, lazy.column.data, rows, needle, order)
        values = _NUMPY_COMPARE[op](order, 0)
    return Vec("bool", values, left.valid)


_STRING_MODES = {"STARTS_WITH": 1, "ENDS_WITH": 2, "CONTAINS": 3}


def string_test(op: str, left: AnyVec, right: AnyVec, n: int) -> AnyVec:
    if left.kind == "null" or right.kind == "null":
        return Const(None, "null")
    if left.kind != "str" or right.kind != "str":
        raise QueryError(
            f"{op.replace('_', ' ')} needs strings, got "
            f"{TYPE_NAMES[left.kind]} and {TYPE_NAMES[right.kind]}"
        )
    if isinstance(left, Vec) and isinstance(left.values, LazyStrings) and isinstance(right, Const):
        lazy = left.values
        needle = np.frombuffer(right.value.encode("utf-8"), np.uint8)
        out = np.empty(len(lazy), np.bool_)
        _kernels._match_constant(
            lazy.column.offsets,
            lazy.column.data,
            np.ascontiguousarray(lazy.rows, np.int64),
            needle,
            _STRING_MODES[op],
            out,
        )
        return Vec("bool", out, left.valid)
    a, av = operand(left)
    b, bv = operand(right)
    test = {
        "STARTS_WITH": str.startswith,
        "ENDS_WITH": str.endswith,
        "CONTAINS": str.__contains__,
    }[op]
    values = np.frompyfunc(test, 2, 1)(a, b)
    if np.ndim(values) == 0:
        return result("bool", bool(values), _and_valid(av, bv), n)
    return result("bool", values.astype(np.bool_), _and_valid(av, bv), n)


def regex_match(left: AnyVec, right: AnyVec, n: int) -> AnyVec:
    import re

    if left.kind == "null" or right.kind == "null":
        return Const(None, "null")
    if not isinstance(right, Const) or right.kind != "str":
        raise QueryError("=~ needs a constant regular expression")
    pattern = re.compile(right.value)
    a, av = operand(left)
    values = np.frompyfunc(lambda s: pattern.fullmatch(s) is not None, 1, 1)(a)
    if np.ndim(values) == 0:
        return result("bool", bool(values), av, n)
    return result("bool", values.astype(np.bool_), av, n)


def membership(left: AnyVec, right: AnyVec, n: int) -> AnyVec:
    if left.kind == "null":
        return Const(None, "null")
    if isinstance(right, Const):
        if right.value is None:
            return Const(None, "null")
        if right.kind != "list":
            raise QueryError(f"IN needs a list, got {TYPE_NAMES[right.kind]}")
        items = list(right.value)
        has_null = any(v is None for v in items)
        items = [v for v in items if v is not None]
        if isinstance(left, Const):
            if left.value in items:
                return Const(True, "bool")
            return Const(None, "null") if has_null else Const(False, "bool")
        if left.kind == "str" and isinstance(left.values, LazyStrings) and len(items) <= 64:
            found = _strings_in(left.values, items)
        elif left.kind == "str":
            found = map_strings(left, lambda s, _items=frozenset(items): s in _items, np.bool_)
        elif left.kind in ("node", "rel"):
            raise QueryError("IN does not apply to nodes or relationships")
        else:
            a = left.values
            if left.kind in ("date", "timestamp"):
                items = [np.datetime64(v) for v in items]
            elif left.kind in NUMERIC:
                items = [v for v in items if isinstance(v, int | float) and not isinstance(v, bool)]
            found = (
                np.isin(a, np.asarray(items, dtype=a.dtype if a.dtype.kind == "M" else None))
                if items
                else np.zeros(len(a), np.bool_)
            )
        valid = left.is_valid() if not has_null else (left.is_valid() & found)
        return Vec("bool", found, None if valid.all() else valid)
    right = broadcast(right, n)
    left = broadcast(left, n)
    lists = right.objects()
    lvals = to_python_list(left)
    out = np.zeros(n, np.bool_)
    valid = right.is_valid() & left.is_valid()
    for r in range(n):  # per-row lists (e.g. from collect) are rare; kept simple
        if valid[r]:
            items = lists[r]
            if lvals[r] in items:
                out[r] = True
            elif None in items:
                valid[r] = False
    return Vec("bool", out, None if valid.all() else valid)


def _strings_in(lazy: LazyStrings, items: list) -> np.ndarray:
    """Column strings IN a short constant list: one byte comparison pass per item."""
    rows = np.ascontiguousarray(lazy.rows, np.int64)
    found = np.zeros(len(rows), np.bool_)
    hit = np.empty(len(rows), np.bool_)
    for item in items:
        if not isinstance(item, str):
            continue
        needle = np.frombuffer(item.encode("utf-8"), np.uint8)
        _kernels._match_constant(lazy.column.offsets, lazy.column.data, rows, needle, 0, hit)
        found |= hit
    return found


def map_strings(value: Vec, fn, dtype) -> np.ndarray:
    """Apply a Python function to the strings of a vector, once per distinct column row."""
    if isinstance(value.values, LazyStrings):
        lazy = value.values
        unique, inverse = np.unique(lazy.rows, return_inverse=True)
        decoded = LazyStrings(lazy.column, unique).materialize()
        mapped = (
            np.asarray([fn(s) for s in decoded], dtype=dtype) if len(unique) else np.empty(0, dtype)
        )
        return mapped[inverse]
    values = value.objects()
    out = np.empty(len(values), dtype)
    out[:] = [fn(s) if isinstance(s, str) else fn("") for s in values]
    return out


def select(choices: list[tuple[np.ndarray, AnyVec]], n: int) -> AnyVec:
    """Row-wise choice: the value of the first mask that is true (masks are disjoint)."""
    kinds = {c.kind for _, c in choices if c.kind != "null"}
    if not kinds:
        return Const(None, "null")
    if len(kinds) == 1:
        kind = kinds.pop()
    elif kinds <= {"int", "float"}:
        kind = "float"
    else:
        raise QueryError(
            "CASE branches have different types: " + ", ".join(sorted(TYPE_NAMES[k] for k in kinds))
        )
    is_object = kind not in NUMPY_OF_KIND
    dtype = object if is_object else NUMPY_OF_KIND[kind]
    values = np.empty(n, object) if is_object else np.zeros(n, dtype)
    valid = np.zeros(n, np.bool_)
    for mask, choice in choices:
        if not mask.any() or choice.kind == "null":
            continue
        if isinstance(choice, Const):
            values[mask] = choice.value
            valid[mask] = True
        else:
            vals = choice.objects()
            values[mask] = vals[mask] if is_object else np.asarray(vals, dtype)[mask]
            valid[mask] = choice.is_valid()[mask]
    return Vec(kind, values, None if valid.all() else valid)


def to_python_list(value: AnyVec, graph=None) -> list:
    """Python values of a vector (None for NULL): used for output and rare row-wise paths."""
    from .output import python_values

    return python_values(value, graph)


def from_python(values: np.ndarray, valid: np.ndarray) -> Vec:
    """A vector from an object array of Python values (kind inferred from the first value)."""
    kinds = {const_kind(v) for v, ok in zip(values, valid, strict=True) if ok and v is not None}
    if not kinds:
        return Vec("null", np.zeros(len(values), np.bool_), np.zeros(len(values), np.bool_))
    kind = kinds.pop() if len(kinds) == 1 else ("float" if kinds <= {"int", "float"} else "any")
    if kind in NUMPY_OF_KIND:
        out = np.zeros(len(values), NUMPY_OF_KIND[kind])
        for i in np.flatnonzero(valid):
            out[i] = values[i]
        return Vec(kind, out, None if valid.all() else valid)
    return Vec(kind, values, None if valid.all() else valid)
