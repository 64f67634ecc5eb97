"""Operators over vectors: arithmetic, comparison, three-valued logic, string tests, IN,
CASE selection. One numpy operation per call; NULL follows Cypher (an operand NULL gives
NULL; AND/OR/NOT use three-valued logic)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np

from ...errors import QueryError
from . import _kernels, checked
from .kinds import NUMERIC, TYPE_NAMES, common_kind, first_kind, mixing_error
from .output import to_python_list
from .rows import compare_values
from .vectors import NUMPY_OF_KIND, AnyVec, Const, LazyStrings, Vec, broadcast


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


def true_mask(value: AnyVec, n: int) -> np.ndarray:
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


def select(
    choices: list[tuple[np.ndarray, AnyVec]], n: int, what: str = "CASE", first_wins: bool = False
) -> AnyVec:
    """Row-wise choice: the value of the first mask that is true (masks are disjoint). The
    result kind: ``kinds.first_kind`` of the choices (CASE: the first branch decides) or
    ``kinds.common_kind`` (COALESCE and the like)."""
    kinds = [c.kind for _, c in choices]
    kind = first_kind(kinds) if first_wins else common_kind(kinds)
    if kind is None:
        raise mixing_error(kinds, what)
    if kind == "null":
        return Const(None, "null")
    is_object = kind not in NUMPY_OF_KIND
    dtype = object if is_object else NUMPY_OF_KIND[kind]
    values = np.empty(n, object) if is_object else np.zeros(n, dtype)
    valid = np.zeros(n, np.bool_)
    for mask, choice in choices:
        if not mask.any() or choice.kind == "null":
            continue
        rounding = kind == "int" and choice.kind == "float"  # Kùzu: half to even
        if isinstance(choice, Const):
            values[mask] = int(np.rint(choice.value)) if rounding else choice.value
            valid[mask] = True
        else:
            vals = choice.objects()
            if rounding:
                vals = np.rint(np.asarray(vals, np.float64))
            values[mask] = vals[mask] if is_object else np.asarray(vals, dtype)[mask]
            valid[mask] = choice.is_valid()[mask]
    return Vec(kind, values, None if valid.all() else valid)


def cast_to_kind(value: AnyVec, kind: str) -> AnyVec:
    """``value`` as ``kind`` when ``kinds.common_kind`` or ``kinds.first_kind`` chose a kind
    it casts to implicitly: INT64 → DOUBLE, DOUBLE → INT64 (half to even, as Kùzu), DATE →
    TIMESTAMP. Any other value is returned as it is."""
    cast = (value.kind, kind)
    if cast not in (("int", "float"), ("float", "int"), ("date", "timestamp")):
        return value
    if isinstance(value, Const):
        v = value.value
        if kind == "float":
            return Const(float(v), kind)
        if kind == "int":
            return Const(int(np.rint(v)), kind)
        return Const(dt.datetime.combine(v, dt.time()), kind)
    values = np.asarray(value.values)
    if kind == "float":
        values = values.astype(np.float64)
    elif kind == "int":
        values = np.rint(np.nan_to_num(values.astype(np.float64))).astype(np.int64)
    else:
        values = values.astype(NUMPY_OF_KIND["timestamp"])
    return Vec(kind, values, value.valid)
