"""Functions over LIST, ARRAY, STRUCT and MAP values, as Kùzu defines them.

List values flow through queries as object arrays of Python lists (kind ``list``), structs and
maps as Python dicts (kind ``any``), so these functions work row by row; every one returns
NULL for a NULL argument. Lists are 1-based; a negative index counts from the end.
"""

from __future__ import annotations

import functools

import numpy as np

from ..errors import QueryError
from .expressions import from_python
from .vectors import AnyVec, Const, Vec, broadcast


def _rows(ev, args: list[AnyVec]):
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


def _row_function(fn, null_args_ok: bool = False):
    """A function of one row's Python values, applied to every row."""

    def apply(ev, args: list[AnyVec]) -> AnyVec:
        n, values, valid, const = _rows(ev, args)
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


def _position(length: int, index: int) -> int | None:
    """0-based position of Kùzu's 1-based (negative: from the end) index, or None."""
    if index == 0:
        raise QueryError("List extract takes 1-based position.")
    pos = index - 1 if index > 0 else length + index
    return pos if 0 <= pos < length else None


def list_extract(values, index):
    if isinstance(values, dict):  # element_at(map, key)
        return map_extract(values, index)
    pos = _position(len(values), int(index))
    if pos is None:
        raise QueryError(f"list_extract(list, index): index={index} is out of range.")
    return values[pos]


def list_slice(values, begin, end):
    """Elements ``begin … end`` (1-based, inclusive; None: open; negative: from the end)."""
    n = len(values)
    lo = 0 if begin is None else (begin - 1 if begin > 0 else max(n + begin, 0))
    hi = n if end is None else (end if end > 0 else n + end + 1 if end < 0 else 0)
    return values[lo:hi] if isinstance(values, list) else values[lo:hi]


def _sort_key(value):
    """Kùzu's ordering of values inside lists: NULL last, lists and structs element-wise."""
    if value is None:
        return (3,)
    if isinstance(value, list):
        return (1, tuple(_sort_key(v) for v in value))
    if isinstance(value, dict):
        return (2, tuple((k, _sort_key(v)) for k, v in value.items()))
    return (0, value)


def list_sort(values, order="ASC", nulls="NULLS FIRST"):
    order, nulls = str(order).upper(), str(nulls).upper()
    if order not in ("ASC", "DESC") or nulls not in ("NULLS FIRST", "NULLS LAST"):
        raise QueryError("list_sort: order must be 'ASC' or 'DESC' and nulls 'NULLS FIRST' or "
                         "'NULLS LAST'")
    present = sorted((v for v in values if v is not None), key=_sort_key,
                     reverse=order == "DESC")
    missing = [None] * (len(values) - len(present))
    return missing + present if nulls == "NULLS FIRST" else present + missing


def list_reverse_sort(values, nulls="NULLS FIRST"):
    return list_sort(values, "DESC", nulls)


def _key(value):
    return repr(_sort_key(value))


def list_distinct(values):
    seen, out = set(), []
    for v in values:
        if v is None:
            continue
        k = _key(v)
        if k not in seen:
            seen.add(k)
            out.append(v)
    return out


def list_unique(values):
    return len(list_distinct(values))


def list_contains(values, item):
    return any(v == item for v in values if v is not None)


def list_position(values, item):
    for i, v in enumerate(values):
        if v is not None and v == item:
            return i + 1
    return 0


def list_sum(values):
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def list_product(values):
    present = [v for v in values if v is not None]
    return functools.reduce(lambda a, b: a * b, present) if present else None


def struct_extract(value, field):
    for key in value:
        if key.lower() == str(field).lower():
            return value[key]
    raise QueryError(f"Invalid struct field name: {field}.")


def map_extract(value, key):
    return [v for k, v in value.items() if k == key]


NESTED_FUNCTIONS = {
    "list_extract": (_row_function(list_extract), (2, 2)),
    "list_element": (_row_function(list_extract), (2, 2)),
    "array_extract": (_row_function(list_extract), (2, 2)),
    "element_at": (_row_function(list_extract), (2, 2)),
    "__slice__": (_row_function(list_slice, null_args_ok=True), (3, 3)),  # l[a:b] syntax
    "list_slice": (_row_function(list_slice, null_args_ok=True), (3, 3)),
    "array_slice": (_row_function(list_slice, null_args_ok=True), (3, 3)),
    "list_sort": (_row_function(list_sort), (1, 3)),
    "array_sort": (_row_function(list_sort), (1, 3)),
    "list_reverse_sort": (_row_function(list_reverse_sort), (1, 2)),
    "list_distinct": (_row_function(list_distinct), (1, 1)),
    "array_distinct": (_row_function(list_distinct), (1, 1)),
    "list_unique": (_row_function(list_unique), (1, 1)),
    "list_contains": (_row_function(list_contains), (2, 2)),
    "list_has": (_row_function(list_contains), (2, 2)),
    "array_contains": (_row_function(list_contains), (2, 2)),
    "array_has": (_row_function(list_contains), (2, 2)),
    "list_position": (_row_function(list_position), (2, 2)),
    "list_indexof": (_row_function(list_position), (2, 2)),
    "list_concat": (_row_function(lambda a, b: a + b), (2, 2)),
    "list_cat": (_row_function(lambda a, b: a + b), (2, 2)),
    "array_concat": (_row_function(lambda a, b: a + b), (2, 2)),
    "list_append": (_row_function(lambda a, x: [*a, x]), (2, 2)),
    "list_prepend": (_row_function(lambda a, x: [x, *a]), (2, 2)),
    "list_reverse": (_row_function(lambda a: a[::-1]), (1, 1)),
    "list_sum": (_row_function(list_sum), (1, 1)),
    "list_product": (_row_function(list_product), (1, 1)),
    "struct_extract": (_row_function(struct_extract), (2, 2)),
    "map_extract": (_row_function(map_extract), (2, 2)),
    "map_keys": (_row_function(lambda m: list(m.keys())), (1, 1)),
    "map_values": (_row_function(lambda m: list(m.values())), (1, 1)),
    "cardinality": (_row_function(len), (1, 1)),
}


def _uuid(text):
    import uuid

    try:
        return uuid.UUID(str(text))
    except ValueError:
        raise QueryError(f"Conversion exception: Invalid UUID: {text}") from None


NESTED_FUNCTIONS["uuid"] = (_row_function(_uuid), (1, 1))
NESTED_FUNCTIONS["to_uuid"] = (_row_function(_uuid), (1, 1))


def _struct(*names_and_values):
    """``{a: 1, b: 'x'}`` (the parser passes names and values alternately)."""
    values = [v.item() if isinstance(v, np.generic) else v for v in names_and_values[1::2]]
    return dict(zip(names_and_values[::2], values, strict=True))


def _map(keys, values):
    if len(keys) != len(values):
        raise QueryError("MAP needs as many keys as values")
    return dict(zip(keys, values, strict=True))


def _random_uuids(ev, args: list[AnyVec]) -> AnyVec:
    import uuid

    out = np.empty(ev.frame.n, object)
    for i in range(ev.frame.n):
        out[i] = uuid.uuid4()
    return Vec("any", out)


NESTED_FUNCTIONS["__struct__"] = (_row_function(_struct, null_args_ok=True), (0, 256))
NESTED_FUNCTIONS["struct_pack"] = NESTED_FUNCTIONS["__struct__"]
NESTED_FUNCTIONS["map"] = (_row_function(_map), (2, 2))
NESTED_FUNCTIONS["gen_random_uuid"] = (_random_uuids, (0, 0))

_OPS = {"=": lambda c: c == 0, "<>": lambda c: c != 0, "<": lambda c: c < 0,
        "<=": lambda c: c <= 0, ">": lambda c: c > 0, ">=": lambda c: c >= 0}


def compare_values(op: str, left: AnyVec, right: AnyVec, n: int) -> AnyVec:
    """Comparison of list / struct / map / other Python values, row by row: equal when equal
    element by element (a NULL element equals a NULL element, as in Kùzu), ordered
    lexicographically."""
    fn = _OPS[op]

    def cmp(a, b):
        ka, kb = _sort_key(a), _sort_key(b)
        try:
            return fn((ka > kb) - (ka < kb))
        except TypeError:
            if op in ("=", "<>"):
                return fn(0 if a == b else 1)
            raise QueryError(f"cannot order {type(a).__name__} and {type(b).__name__}") from None

    return _row_function(cmp)(_Frame(n), [left, right])


def struct_field(value: AnyVec, field: str, n: int) -> AnyVec:
    """``s.field`` for a struct value (dicts)."""
    return _row_function(struct_extract)(_Frame(n), [value, Const(field, "str")])


class _Frame:
    def __init__(self, n: int) -> None:
        self.frame = self
        self.n = n


__all__ = ["NESTED_FUNCTIONS", "struct_field", "Vec"]
