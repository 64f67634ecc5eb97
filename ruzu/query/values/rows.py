"""Row-by-row application of a Python function to vectors (for values kept as Python objects:
lists, structs, maps), the ordering of such values, and their comparison."""

from __future__ import annotations

import numpy as np

from ...errors import QueryError
from .vectors import AnyVec, Const, broadcast, from_python


def rows_of(ev, args: list[AnyVec]):
    """(n, per-argument Python values with None for NULL, all-valid mask, all constant)."""
    n = ev.frame.n
    if all(isinstance(a, Const) for a in args):
        n = 1
    values, valid = [], np.ones(n, np.bool_)
    for a in args:
        if isinstance(a, Const):
            values.append([a.value] * n)
            valid &= a.value is not None
            continue
        col = broadcast(a, n)
        ok = col.is_valid()
        objs = col.objects()
        values.append([objs[r] if ok[r] else None for r in range(n)])
        valid &= ok
    return n, values, valid, all(isinstance(a, Const) for a in args)


def row_function(fn, null_args_ok: bool = False):
    """A function of one row's Python values, applied to every row."""

    def apply(ev, args: list[AnyVec]) -> AnyVec:
        n, values, valid, const = rows_of(ev, args)
        out = np.empty(n, object)
        ok = np.zeros(n, np.bool_)
        for r in range(n):
            if not valid[r] and not null_args_ok:
                continue
            result = fn(*[v[r] for v in values])
            if result is not None:
                out[r] = result
                ok[r] = True
        vec = from_python(out, ok)
        if const:
            return Const(vec.objects()[0] if ok[0] else None, vec.kind)
        return vec

    return apply


def value_sort_key(value):
    """Kùzu's ordering of values inside lists: NULL last, lists and structs element-wise."""
    if value is None:
        return (3,)
    if isinstance(value, list):
        return (1, tuple(value_sort_key(v) for v in value))
    if isinstance(value, dict):
        return (2, tuple((k, value_sort_key(v)) for k, v in value.items()))
    return (0, value)


_OPS = {"=": lambda c: c == 0, "<>": lambda c: c != 0, "<": lambda c: c < 0,
        "<=": lambda c: c <= 0, ">": lambda c: c > 0, ">=": lambda c: c >= 0}


def compare_values(op: str, left: AnyVec, right: AnyVec, n: int) -> AnyVec:
    """Comparison of list / struct / map / other Python values, row by row: equal when equal
    element by element (a NULL element equals a NULL element, as in Kùzu), ordered
    lexicographically."""
    fn = _OPS[op]

    def cmp(a, b):
        ka, kb = value_sort_key(a), value_sort_key(b)
        try:
            return fn((ka > kb) - (ka < kb))
        except TypeError:
            if op in ("=", "<>"):
                return fn(0 if a == b else 1)
            raise QueryError(f"cannot order {type(a).__name__} and {type(b).__name__}") from None

    return row_function(cmp)(_Frame(n), [left, right])


class _Frame:
    def __init__(self, n: int) -> None:
        self.frame = self
        self.n = n


def rows_context(n: int) -> _Frame:
    """What ``row_function``'s result wants as its first argument, for ``n`` rows."""
    return _Frame(n)
