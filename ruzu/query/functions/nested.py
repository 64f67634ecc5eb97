"""Functions over LIST, ARRAY, STRUCT and MAP values, as Kùzu defines them.

List values flow through queries as object arrays of Python lists (kind ``list``), structs and
maps as Python dicts (kind ``any``), so these functions work row by row; every one returns
NULL for a NULL argument. Lists are 1-based; a negative index counts from the end.
"""

from __future__ import annotations

import functools
import math
import uuid

import numpy as np

from ...errors import QueryError
from ..values.rows import row_function, rows_context, value_sort_key
from ..values.vectors import AnyVec, Const, Vec


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


def list_sort(values, order="ASC", nulls="NULLS FIRST"):
    order, nulls = str(order).upper(), str(nulls).upper()
    if order not in ("ASC", "DESC") or nulls not in ("NULLS FIRST", "NULLS LAST"):
        raise QueryError("list_sort: order must be 'ASC' or 'DESC' and nulls 'NULLS FIRST' or "
                         "'NULLS LAST'")
    present = sorted((v for v in values if v is not None), key=value_sort_key,
                     reverse=order == "DESC")
    missing = [None] * (len(values) - len(present))
    return missing + present if nulls == "NULLS FIRST" else present + missing


def list_reverse_sort(values, nulls="NULLS FIRST"):
    return list_sort(values, "DESC", nulls)


def _key(value):
    return repr(value_sort_key(value))


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
    "list_extract": (row_function(list_extract), (2, 2)),
    "list_element": (row_function(list_extract), (2, 2)),
    "array_extract": (row_function(list_extract), (2, 2)),
    "element_at": (row_function(list_extract), (2, 2)),
    "__slice__": (row_function(list_slice, null_args_ok=True), (3, 3)),  # l[a:b] syntax
    "list_slice": (row_function(list_slice, null_args_ok=True), (3, 3)),
    "array_slice": (row_function(list_slice, null_args_ok=True), (3, 3)),
    "list_sort": (row_function(list_sort), (1, 3)),
    "array_sort": (row_function(list_sort), (1, 3)),
    "list_reverse_sort": (row_function(list_reverse_sort), (1, 2)),
    "list_distinct": (row_function(list_distinct), (1, 1)),
    "array_distinct": (row_function(list_distinct), (1, 1)),
    "list_unique": (row_function(list_unique), (1, 1)),
    "list_contains": (row_function(list_contains), (2, 2)),
    "list_has": (row_function(list_contains), (2, 2)),
    "array_contains": (row_function(list_contains), (2, 2)),
    "array_has": (row_function(list_contains), (2, 2)),
    "list_position": (row_function(list_position), (2, 2)),
    "list_indexof": (row_function(list_position), (2, 2)),
    "list_concat": (row_function(lambda a, b: a + b), (2, 2)),
    "list_cat": (row_function(lambda a, b: a + b), (2, 2)),
    "array_concat": (row_function(lambda a, b: a + b), (2, 2)),
    "list_append": (row_function(lambda a, x: [*a, x]), (2, 2)),
    "list_prepend": (row_function(lambda a, x: [x, *a]), (2, 2)),
    "list_reverse": (row_function(lambda a: a[::-1]), (1, 1)),
    "list_sum": (row_function(list_sum), (1, 1)),
    "list_product": (row_function(list_product), (1, 1)),
    "struct_extract": (row_function(struct_extract), (2, 2)),
    "map_extract": (row_function(map_extract), (2, 2)),
    "map_keys": (row_function(lambda m: list(m.keys())), (1, 1)),
    "map_values": (row_function(lambda m: list(m.values())), (1, 1)),
    "cardinality": (row_function(len), (1, 1)),
}


def _uuid(text):
    try:
        return uuid.UUID(str(text))
    except ValueError:
        raise QueryError(f"Conversion exception: Invalid UUID: {text}") from None


def _blob(text):
    """Kùzu's BLOB(string): ASCII characters as they are, ``\\xHH`` one byte each."""
    if isinstance(text, bytes | bytearray):
        return bytes(text)
    text = str(text)
    out = bytearray()
    i = 0
    while i < len(text):
        if text.startswith("\\x", i):
            digits = text[i + 2 : i + 4]
            where = "Conversion exception: Invalid hex escape code encountered in string -> " \
                "blob conversion: "
            if len(digits) != 2:
                raise QueryError(where + "unterminated escape code at end of string")
            if any(c not in "0123456789abcdefABCDEF" for c in digits):
                raise QueryError(where + "\\x" + digits)
            out.append(int(digits, 16))
            i += 4
            continue
        if ord(text[i]) > 127:
            raise QueryError("Conversion exception: Invalid byte encountered in STRING -> "
                             "BLOB conversion. All non-ascii characters must be escaped with "
                             "hex codes (e.g. \\xAA)")
        out.append(ord(text[i]))
        i += 1
    return bytes(out)


NESTED_FUNCTIONS["blob"] = (row_function(_blob), (1, 1))
NESTED_FUNCTIONS["uuid"] = (row_function(_uuid), (1, 1))
NESTED_FUNCTIONS["to_uuid"] = (row_function(_uuid), (1, 1))


def _struct(*names_and_values):
    """``{a: 1, b: 'x'}`` (the parser passes names and values alternately)."""
    values = [v.item() if isinstance(v, np.generic) else v for v in names_and_values[1::2]]
    return dict(zip(names_and_values[::2], values, strict=True))


def _map(keys, values):
    if len(keys) != len(values):
        raise QueryError("MAP needs as many keys as values")
    return dict(zip(keys, values, strict=True))


def _random_uuids(ev, args: list[AnyVec]) -> AnyVec:
    out = np.empty(ev.frame.n, object)
    for i in range(ev.frame.n):
        out[i] = uuid.uuid4()
    return Vec("any", out)


NESTED_FUNCTIONS["__struct__"] = (row_function(_struct, null_args_ok=True), (0, 256))
NESTED_FUNCTIONS["struct_pack"] = NESTED_FUNCTIONS["__struct__"]
NESTED_FUNCTIONS["map"] = (row_function(_map), (2, 2))
NESTED_FUNCTIONS["gen_random_uuid"] = (_random_uuids, (0, 0))


def _array_function(name: str, combine):
    """Kùzu's ARRAY_* vector functions (float arrays of equal size)."""

    def apply(a, b):
        if len(a) != len(b):
            raise QueryError(f"Binder exception: {name.upper()} requires both arrays to have "
                             "the same element type and size.")
        if any(v is None for v in (*a, *b)):
            return None
        return combine([float(v) for v in a], [float(v) for v in b])

    return row_function(apply)


def _cosine(a, b):
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return sum(x * y for x, y in zip(a, b, strict=True)) / norm if norm else float("nan")


def _inner(a, b):
    return sum(x * y for x, y in zip(a, b, strict=True))


def _squared(a, b):
    return sum((x - y) ** 2 for x, y in zip(a, b, strict=True))


def _cross(a, b):
    if len(a) != 3:
        raise QueryError("ARRAY_CROSS_PRODUCT requires both arrays to have size 3.")
    return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]


for _name, _fn in (("array_cosine_similarity", _cosine), ("array_inner_product", _inner),
                   ("array_dot_product", _inner), ("array_squared_distance", _squared),
                   ("array_distance", lambda a, b: math.sqrt(_squared(a, b))),
                   ("array_cross_product", _cross)):
    NESTED_FUNCTIONS[_name] = (_array_function(_name, _fn), (2, 2))


def struct_field(value: AnyVec, field: str, n: int) -> AnyVec:
    """``s.field`` for a struct value (dicts)."""
    return row_function(struct_extract)(rows_context(n), [value, Const(field, "str")])


__all__ = ["NESTED_FUNCTIONS", "struct_field", "Vec"]
