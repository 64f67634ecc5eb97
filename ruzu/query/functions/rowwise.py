"""Kùzu's string, list, numeric, date and misc scalar functions that work on Python values row
by row (``starts_with``, ``list_sort``, ``ln``, ``make_date``, ``id``, ``properties`` …).

Each is a plain Python function of the argument values; ``rowwise`` turns it into a vector
function with Kùzu's NULL rule (a NULL argument gives NULL) and evaluates it once for
constant arguments. The vectorised hot paths stay in ``functions``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Callable

import numpy as np

from ...errors import QueryError
from ...types import interval_to_timedelta, parse_interval
from ..values.output import to_python_list
from ..values.vectors import NUMPY_OF_KIND, Const, NodeVec, RelVec, Vec, const_kind, from_python


def rowwise(fn: Callable, *, kind: str | None = None, nulls: bool = True):
    """A vector function applying ``fn`` to the Python values of each row. ``kind`` forces the
    result kind (``any`` for dicts); ``nulls=False`` passes NULLs to ``fn``."""

    def apply(ev, args):
        if all(isinstance(a, Const) for a in args):
            values = [a.value for a in args]
            if nulls and any(v is None for v in values):
                return Const(None, "null")
            out = _call(fn, values)
            if kind is not None and out is not None:
                return (
                    Vec(kind, _objects([out]), None)
                    if ev.frame.n == 1
                    else _broadcast(kind, out, ev.frame.n)
                )
            return Const(out, _kind_of(out))
        n = ev.frame.n
        columns = [
            [a.value] * n if isinstance(a, Const) else to_python_list(a, ev.graph) for a in args
        ]
        out = np.empty(n, object)
        valid = np.ones(n, np.bool_)
        for i in range(n):
            row = [c[i] for c in columns]
            if nulls and any(v is None for v in row):
                valid[i] = False
                continue
            value = _call(fn, row)
            out[i] = value
            valid[i] = value is not None
        if kind is not None:
            return Vec(kind, out, None if valid.all() else valid)
        return _vector(out, valid)

    return apply


def _call(fn, values):
    try:
        return fn(*values)
    except QueryError:
        raise
    except (TypeError, ValueError, OverflowError, ZeroDivisionError, IndexError) as e:
        raise QueryError(f"{fn.__name__.strip('_')}: {e}") from None


def _objects(items: list) -> np.ndarray:
    out = np.empty(len(items), object)
    for i, v in enumerate(items):
        out[i] = v
    return out


def _broadcast(kind: str, value, n: int) -> Vec:
    return Vec(kind, _objects([value] * n))


def _kind_of(value) -> str:
    try:
        return const_kind(value)
    except QueryError:
        return "any"


def _vector(values: np.ndarray, valid: np.ndarray):
    try:
        return from_python(values, valid)
    except QueryError:
        return Vec("any", values, None if valid.all() else valid)


# ----------------------------------------------------------------------------- strings


def _starts_with(s, prefix):
    return s.startswith(prefix)


def _ends_with(s, suffix):
    return s.endswith(suffix)


def _contains(s, part):
    return part in s


def _left(s, n):
    return s[:n] if n >= 0 else s[: len(s) + n]


def _right(s, n):
    return s[len(s) - n :] if n >= 0 else s[-n:]


def _lpad(s, n, fill):
    if n <= len(s):
        return s[:n]
    pad = (fill * n)[: n - len(s)] if fill else ""
    return pad + s


def _rpad(s, n, fill):
    if n <= len(s):
        return s[:n]
    pad = (fill * n)[: n - len(s)] if fill else ""
    return s + pad


def _repeat(s, n):
    return s * max(0, n)


def _substr(s, start, length=None):
    begin = max(start - 1, 0)  # 1-based, as Kùzu
    return s[begin:] if length is None else s[begin : begin + max(length, 0)]


def _split(s, sep):
    return s.split(sep) if sep else list(s)


def _regexp_matches(s, pattern):
    return re.search(pattern, s) is not None


def _regexp_replace(s, pattern, repl, options=""):
    count = 0 if "g" in (options or "") else 1
    return re.sub(pattern, _python_replacement(repl), s, count=count)


def _python_replacement(repl: str) -> str:
    return re.sub(r"\\(\d)", r"\\g<\1>", repl)


def _regexp_extract(s, pattern, group=0):
    m = re.search(pattern, s)
    return "" if m is None else (m.group(group) or "")


def _regexp_extract_all(s, pattern, group=0):
    return [m.group(group) for m in re.finditer(pattern, s)]


def _initcap(s):
    return s[:1].upper() + s[1:].lower() if s else s


def _levenshtein(a, b):
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _length(value):
    if isinstance(value, dict) and "_rels" in value:
        return len(value["_rels"])
    if isinstance(value, str | list):
        return len(value)
    raise QueryError(f"LENGTH does not accept {type(value).__name__}")


# ----------------------------------------------------------------------------- lists


def _sort_key(v):
    return (v is None, v)


def _list_sort(items, order="ASC", nulls="NULLS FIRST"):
    desc = str(order).upper().startswith("DESC")
    present = sorted((v for v in items if v is not None), reverse=desc)
    missing = [v for v in items if v is None]
    return missing + present if "FIRST" in str(nulls).upper() else present + missing


def _list_reverse_sort(items):
    return _list_sort(items, "DESC")


def _list_distinct(items):
    out = []
    for v in items:
        if v is not None and v not in out:
            out.append(v)
    return out


def _list_unique(items):
    return len(_list_distinct(items))


def _list_sum(items):
    present = [v for v in items if v is not None]
    return sum(present) if present else None


def _list_product(items):
    present = [v for v in items if v is not None]
    return math.prod(present) if present else None


def _list_contains(items, value):
    return value in items


def _list_position(items, value):
    for i, v in enumerate(items, 1):
        if v == value and type(v) is type(value):
            return i
    return 0


def _list_extract(items, index):
    if index == 0 or abs(index) > len(items):
        return None
    return items[index - 1] if index > 0 else items[index]


def _list_slice(items, begin, end):
    lo = begin - 1 if begin > 0 else (len(items) + begin if begin < 0 else 0)
    hi = end if end >= 0 else len(items) + end + 1
    return items[max(lo, 0) : hi]


def _list_append(items, value):
    return [*items, value]


def _list_prepend(items, value):
    # Kùzu's list_prepend(list, value) puts value first.
    if isinstance(items, list):
        return [value, *items]
    return [items, *value]


def _list_concat(a, b):
    return [*a, *b]


def _range(start, stop, step=1):
    if step == 0:
        raise QueryError("Step of range cannot be 0.")
    return list(range(start, stop + (1 if step > 0 else -1), step))


def _list_min(items):
    present = [v for v in items if v is not None]
    return min(present) if present else None


def _list_max(items):
    present = [v for v in items if v is not None]
    return max(present) if present else None


def _list_reverse(items):
    return list(reversed(items))


def _list_to_string(sep, items):
    return sep.join("" if v is None else _plain_string(v) for v in items)


def _plain_string(v) -> str:
    if isinstance(v, bool):
        return "True" if v else "False"
    return str(v)


# ----------------------------------------------------------------------------- numbers


def _sign(x):
    return (x > 0) - (x < 0)


def _ln(x):
    return math.log(x) if x > 0 else (float("-inf") if x == 0 else float("nan"))


def _log10(x):
    return math.log10(x) if x > 0 else (float("-inf") if x == 0 else float("nan"))


def _log2(x):
    return math.log2(x) if x > 0 else (float("-inf") if x == 0 else float("nan"))


def _power(x, y):
    return float(x) ** y


def _factorial(n):
    return math.factorial(n)


def _even(x):
    r = math.ceil(abs(x))
    r = r + 1 if r % 2 else r
    return float(r if x >= 0 else -r)


def _cbrt(x):
    return math.copysign(abs(x) ** (1 / 3), x)


def _float_fn(fn):
    def apply(x):
        return float(fn(x))

    apply.__name__ = fn.__name__
    return apply


def _atan2(y, x):
    return math.atan2(y, x)


# ----------------------------------------------------------------------------- dates


def _dayname(d):
    return calendar.day_name[d.weekday()]


def _monthname(d):
    return calendar.month_name[d.month]


def _last_day(d):
    day = calendar.monthrange(d.year, d.month)[1]
    return dt.date(d.year, d.month, day)


def _make_date(y, m, d):
    return dt.date(y, m, d)


def _greatest_date(a, b):
    return max(a, b)


# ----------------------------------------------------------------------------- graph values


def _id(ev, args):
    (value,) = args
    if getattr(value, "kind", None) == "any":  # a node or rel inside a path value: a dict
        return rowwise(_id_of_dict)(ev, args)
    if not isinstance(value, NodeVec | RelVec):
        raise QueryError("ID needs a node or a relationship")
    if isinstance(value, NodeVec):
        oids = [ev.graph.table_oid[t] for t in value.tables]
    else:
        oids = [ev.graph.pair_oid(k) for k in value.tables]
    tables = (
        np.zeros(len(value), np.int64)
        if value.table_idx is None
        else value.table_idx.astype(np.int64)
    )
    offsets = value.offsets if isinstance(value, NodeVec) else value.edge_ids
    out = np.empty(len(value), object)
    for i, (t, o) in enumerate(zip(tables.tolist(), offsets.tolist(), strict=True)):
        out[i] = {"offset": o, "table": oids[t]}
    return Vec("any", out, value.valid)


def _id_of_dict(value):
    if isinstance(value, dict) and "_id" in value:
        return value["_id"]
    raise QueryError("ID needs a node or a relationship")


def _offset(internal_id):
    if isinstance(internal_id, dict) and "offset" in internal_id:
        return internal_id["offset"]
    raise QueryError("OFFSET needs an internal id")


def _properties(items, key):
    return [None if item is None else _get_key(item, key) for item in items]


def _get_key(item: dict, key: str):
    if key in item:
        return item[key]
    lowered = key.lower()  # Kùzu matches property names without regard to case
    return next((v for k, v in item.items() if k.lower() == lowered), None)


def _struct_extract(value, key):
    if isinstance(value, dict):
        for k, v in value.items():
            if k.lower() == str(key).lower():
                return v
        raise QueryError(f"Invalid struct field name: {key}.")
    raise QueryError("STRUCT_EXTRACT needs a STRUCT")


def _nodes(path):
    return list(path["_nodes"])


def _rels(path):
    return list(path["_rels"])


def _path_field(ev, args, field: str, fn):
    """length(e) / cost(e) of a recursive rel column straight from its arrays (no dicts)."""
    values = getattr(args[0], field, None)
    if values is not None and len(values) == ev.frame.n:
        kind = "int" if field == "lengths" else "float"
        return Vec(kind, np.asarray(values, NUMPY_OF_KIND[kind]))
    return rowwise(fn)(ev, args)


def _cost(path):
    cost = getattr(path, "cost", None)
    if cost is None:
        raise QueryError("Cost function is defined for weighted shortest paths only")
    return cost


_INT_TYPES = {
    "INT8": (-(2**7), 2**7 - 1),
    "INT16": (-(2**15), 2**15 - 1),
    "INT32": (-(2**31), 2**31 - 1),
    "INT64": (-(2**63), 2**63 - 1),
    "INT128": (-(2**127), 2**127 - 1),
    "SERIAL": (-(2**63), 2**63 - 1),
    "UINT8": (0, 2**8 - 1),
    "UINT16": (0, 2**16 - 1),
    "UINT32": (0, 2**32 - 1),
    "UINT64": (0, 2**64 - 1),
    "INT": (-(2**31), 2**31 - 1),
    "INTEGER": (-(2**31), 2**31 - 1),
    "BIGINT": (-(2**63), 2**63 - 1),
    "SMALLINT": (-(2**15), 2**15 - 1),
    "TINYINT": (-(2**7), 2**7 - 1),
}


def _cast(value, type_name):
    """CAST(value AS type) for the scalar types (floats round to the nearest integer, ties to
    even, as Kùzu's)."""
    target = str(type_name).strip().upper()
    if target in _INT_TYPES:
        if isinstance(value, str):
            out = int(value.strip())
        elif isinstance(value, float):
            if math.isnan(value) or math.isinf(value):
                raise QueryError(f"Cast failed. {value} is not in {target} range.")
            out = round(value)  # to the nearest, ties to even (Kùzu's nearbyint)
        else:
            out = int(value)
        lo, hi = _INT_TYPES[target]
        if not lo <= out <= hi:
            raise QueryError(f"Cast failed. {value} is not in {target} range.")
        return out
    if target in ("DOUBLE", "FLOAT", "FLOAT64", "FLOAT32", "REAL"):
        return float(value.strip()) if isinstance(value, str) else float(value)
    if target in ("STRING", "VARCHAR"):
        return _to_kuzu_string(value)
    if target in ("BOOL", "BOOLEAN"):
        if isinstance(value, str):
            low = value.strip().lower()
            if low in ("true", "false"):
                return low == "true"
            raise QueryError(f"Conversion exception: Value {value} is not a valid boolean")
        return bool(value)
    if target == "DATE":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        return dt.date.fromisoformat(str(value).strip())
    if target == "TIMESTAMP":
        if isinstance(value, dt.datetime):
            return value
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day)
        return dt.datetime.fromisoformat(str(value).strip())
    if target == "INTERVAL":
        if isinstance(value, dt.timedelta):
            return value
        if not isinstance(value, str):
            given = {bool: "BOOL", int: "INT64", float: "DOUBLE"}.get(type(value), "ANY")
            raise QueryError(f"Conversion exception: Unsupported casting function from {given} "
                             "to INTERVAL.")
        try:
            return interval_to_timedelta(*parse_interval(value.strip()))
        except ValueError as e:
            raise QueryError(f"Conversion exception: Error occurred during parsing interval. "
                             f"Given: \"{value}\".") from e
    raise QueryError(f"CAST to {target} is not supported")


def _to_kuzu_string(value) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float):
        return f"{value:.6f}" if value == value else "nan"
    if isinstance(value, list):
        return "[" + ",".join(_to_kuzu_string(v) for v in value) + "]"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value)


FUNCTIONS: dict[str, tuple[Callable, tuple[int, int]]] = {
    "cast": (rowwise(_cast), (2, 2)),
    "starts_with": (rowwise(_starts_with), (2, 2)),
    "ends_with": (rowwise(_ends_with), (2, 2)),
    "suffix": (rowwise(_ends_with), (2, 2)),
    "prefix": (rowwise(_starts_with), (2, 2)),
    "contains": (rowwise(_contains), (2, 2)),
    "left": (rowwise(_left), (2, 2)),
    "right": (rowwise(_right), (2, 2)),
    "lpad": (rowwise(_lpad), (3, 3)),
    "rpad": (rowwise(_rpad), (3, 3)),
    "repeat": (rowwise(_repeat), (2, 2)),
    "substr": (rowwise(_substr), (2, 3)),
    "string_split": (rowwise(_split), (2, 2)),
    "split": (rowwise(_split), (2, 2)),
    "regexp_matches": (rowwise(_regexp_matches), (2, 2)),
    "regexp_replace": (rowwise(_regexp_replace), (3, 4)),
    "regexp_extract": (rowwise(_regexp_extract), (2, 3)),
    "regexp_extract_all": (rowwise(_regexp_extract_all), (2, 3)),
    "initcap": (rowwise(_initcap), (1, 1)),
    "levenshtein": (rowwise(_levenshtein), (2, 2)),
    "length": (lambda ev, args: _path_field(ev, args, "lengths", _length), (1, 1)),
    "list_sort": (rowwise(_list_sort), (1, 3)),
    "list_reverse_sort": (rowwise(_list_reverse_sort), (1, 1)),
    "list_distinct": (rowwise(_list_distinct), (1, 1)),
    "list_unique": (rowwise(_list_unique), (1, 1)),
    "list_sum": (rowwise(_list_sum), (1, 1)),
    "list_product": (rowwise(_list_product), (1, 1)),
    "list_contains": (rowwise(_list_contains), (2, 2)),
    "list_has": (rowwise(_list_contains), (2, 2)),
    "array_contains": (rowwise(_list_contains), (2, 2)),
    "list_position": (rowwise(_list_position), (2, 2)),
    "list_indexof": (rowwise(_list_position), (2, 2)),
    "list_extract": (rowwise(_list_extract), (2, 2)),
    "list_element": (rowwise(_list_extract), (2, 2)),
    "list_slice": (rowwise(_list_slice), (3, 3)),
    "list_append": (rowwise(_list_append, nulls=False), (2, 2)),
    "list_prepend": (rowwise(_list_prepend, nulls=False), (2, 2)),
    "list_concat": (rowwise(_list_concat), (2, 2)),
    "list_cat": (rowwise(_list_concat), (2, 2)),
    "array_concat": (rowwise(_list_concat), (2, 2)),
    "list_reverse": (rowwise(_list_reverse), (1, 1)),
    "list_min": (rowwise(_list_min), (1, 1)),
    "list_max": (rowwise(_list_max), (1, 1)),
    "list_to_string": (rowwise(_list_to_string), (2, 2)),
    "range": (rowwise(_range), (2, 3)),
    "sign": (rowwise(_sign), (1, 1)),
    "ln": (rowwise(_ln), (1, 1)),
    "log": (rowwise(_log10), (1, 1)),
    "log10": (rowwise(_log10), (1, 1)),
    "log2": (rowwise(_log2), (1, 1)),
    "sin": (rowwise(_float_fn(math.sin)), (1, 1)),
    "cos": (rowwise(_float_fn(math.cos)), (1, 1)),
    "tan": (rowwise(_float_fn(math.tan)), (1, 1)),
    "asin": (rowwise(_float_fn(math.asin)), (1, 1)),
    "acos": (rowwise(_float_fn(math.acos)), (1, 1)),
    "atan": (rowwise(_float_fn(math.atan)), (1, 1)),
    "atan2": (rowwise(_atan2), (2, 2)),
    "degrees": (rowwise(_float_fn(math.degrees)), (1, 1)),
    "radians": (rowwise(_float_fn(math.radians)), (1, 1)),
    "cbrt": (rowwise(_cbrt), (1, 1)),
    "pow": (rowwise(_power), (2, 2)),
    "factorial": (rowwise(_factorial), (1, 1)),
    "even": (rowwise(_even), (1, 1)),
    "dayname": (rowwise(_dayname), (1, 1)),
    "monthname": (rowwise(_monthname), (1, 1)),
    "last_day": (rowwise(_last_day), (1, 1)),
    "make_date": (rowwise(_make_date), (3, 3)),
    "id": (_id, (1, 1)),
    "properties": (rowwise(_properties), (2, 2)),
    "struct_extract": (rowwise(_struct_extract), (2, 2)),
    "nodes": (rowwise(_nodes, kind="list"), (1, 1)),
    "rels": (rowwise(_rels, kind="list"), (1, 1)),
    "cost": (lambda ev, args: _path_field(ev, args, "costs", _cost), (1, 1)),
    "offset": (rowwise(_offset), (1, 1)),
}
