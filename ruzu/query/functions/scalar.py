"""Scalar functions (vectorised) and the names of the aggregate functions."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable

import numpy as np

from ...errors import QueryError
from ..values import _kernels, checked
from ..values.kinds import TYPE_NAMES, common_kind, mixing_error
from ..values.ops import arithmetic, cast_to_kind, compare, map_strings, result, select
from ..values.output import python_values
from ..values.vectors import (
    AnyVec,
    BytesColumn,
    Const,
    LazyStrings,
    NodeVec,
    RelVec,
    Vec,
    broadcast,
)
from .context import Evaluator
from .nested import NESTED_FUNCTIONS

AGGREGATES = frozenset({"count", "sum", "avg", "min", "max", "collect"})


def call_function(ev: Evaluator, name: str, args: list[AnyVec]) -> AnyVec:
    try:
        fn, _ = _FUNCTIONS[name]
    except KeyError:
        raise QueryError(f"function {name.upper()} does not exist.") from None
    check_arity(name, len(args))
    return fn(ev, args)


def check_arity(name: str, count: int) -> None:
    """A scalar function called with a number of arguments it does not take is an error (the
    binder checks every call before the query runs)."""
    low, high = _FUNCTIONS[name][1]
    if not low <= count <= high:
        want = str(low) if low == high else f"{low} to {high}"
        raise QueryError(f"function {name.upper()} takes {want} arguments, got {count}")


def _expect(name: str, value: AnyVec, *kinds: str) -> None:
    if value.kind not in (*kinds, "null"):
        raise QueryError(
            f"function {name.upper()} does not accept {TYPE_NAMES[value.kind]} "
            f"(expected {' or '.join(TYPE_NAMES[k] for k in kinds)})"
        )


def _string_function(name: str, fn: Callable[[str], object], kind: str):
    dtype = {"str": object, "int": np.int64, "bool": np.bool_}[kind]

    def apply(ev: Evaluator, args: list[AnyVec]) -> AnyVec:
        (value,) = args
        _expect(name, value, "str")
        if value.kind == "null" or (isinstance(value, Const) and value.value is None):
            return Const(None, "null")
        if isinstance(value, Const):
            return Const(fn(value.value), kind)
        return Vec(kind, map_strings(value, fn, dtype), value.valid)

    return apply


def _case_mapping(name: str, upper: bool):
    """upper()/lower(): ASCII mapped on bytes by a kernel, once per distinct column row; only
    strings with non-ASCII characters go through Python's str methods."""
    fallback = _string_function(name, str.upper if upper else str.lower, "str")

    def apply(ev: Evaluator, args: list[AnyVec]) -> AnyVec:
        (value,) = args
        if not (isinstance(value, Vec) and isinstance(value.values, LazyStrings)):
            return fallback(ev, args)
        lazy = value.values
        unique, inverse = np.unique(lazy.rows, return_inverse=True)
        offsets, data = lazy.column.offsets, lazy.column.data
        lengths = np.asarray(offsets[unique + 1] - offsets[unique])
        out_offsets = np.empty(len(unique) + 1, np.int64)
        out_data = np.empty(int(lengths.sum()), np.uint8)
        non_ascii = _kernels._gather_strings(
            offsets, data, unique, upper, not upper, out_offsets, out_data
        )
        column = BytesColumn(out_offsets, out_data)
        if non_ascii:
            mapped = LazyStrings(column, np.arange(len(unique))).materialize()
            fix = str.upper if upper else str.lower
            mapped = np.asarray([fix(s) for s in mapped], dtype=object)
            return Vec("str", mapped[inverse], value.valid)
        return Vec("str", LazyStrings(column, inverse.astype(np.int64)), value.valid)

    return apply


def _size(ev: Evaluator, args: list[AnyVec]) -> AnyVec:
    (value,) = args
    _expect("size", value, "str", "list")
    if isinstance(value, Const):
        return Const(None if value.value is None else len(value.value), "int")
    if value.kind == "null":
        return Const(None, "null")
    if isinstance(value.values, LazyStrings):
        lazy = value.values
        out = np.empty(len(lazy), np.int64)
        _kernels._utf8_lengths(
            lazy.column.offsets, lazy.column.data, np.ascontiguousarray(lazy.rows, np.int64), out
        )
        return Vec("int", out, value.valid)
    lengths = np.fromiter(
        (len(v) if v is not None else 0 for v in value.objects()), np.int64, len(value)
    )
    return Vec("int", lengths, value.valid)


def _abs(ev: Evaluator, args: list[AnyVec]) -> AnyVec:
    (value,) = args
    _expect("abs", value, "int", "float")
    if isinstance(value, Const):
        if value.value is None:
            return Const(None, value.kind)
        out = abs(value.value)
        return Const(checked.python_int(out, "Absolute value") if value.kind == "int" else out,
                     value.kind)
    if value.kind == "int" and np.asarray(value.values).dtype.kind == "i":
        checked.int_negate(value.values, value.valid)  # |INT64_MIN| does not fit
    return Vec(value.kind, np.abs(value.values), value.valid)


def _unary_math(name: str, fn, kind: str = "float"):
    def apply(ev: Evaluator, args: list[AnyVec]) -> AnyVec:
        (value,) = args
        _expect(name, value, "int", "float")
        if isinstance(value, Const):
            if value.value is None:
                return Const(None, "null")
            return Const(_scalar(fn(np.float64(value.value)), kind), kind)
        with np.errstate(all="ignore"):
            out = fn(np.asarray(value.values, np.float64))
        if kind == "int":
            out = out.astype(np.int64)
        return Vec(kind, out, value.valid)

    return apply


def _scalar(x, kind):
    return int(x) if kind == "int" else float(x)


def _round(ev: Evaluator, args: list[AnyVec]) -> AnyVec:
    value = args[0]
    digits = 0
    if len(args) == 2:
        if not isinstance(args[1], Const) or args[1].kind != "int":
            raise QueryError("ROUND needs a constant number of digits")
        digits = args[1].value
    _expect("round", value, "int", "float")
    if isinstance(value, Const):
        if value.value is None:
            return Const(None, "null")
        return Const(float(_round_half_away(np.float64(value.value), digits)), "float")
    return Vec("float", _round_half_away(np.asarray(value.values, np.float64), digits), value.valid)


def _round_half_away(x, digits: int):
    scale = 10.0**digits
    return np.sign(x) * np.floor(np.abs(x) * scale + 0.5) / scale


def _coalesce(ev: Evaluator, args: list[AnyVec]) -> AnyVec:
    """The first non-NULL argument, as the arguments' common type (as in Kùzu)."""
    kind = common_kind(a.kind for a in args)
    if kind is None:
        raise mixing_error([a.kind for a in args], "COALESCE")
    args = [cast_to_kind(a, kind) for a in args]
    n = ev.frame.n
    undecided = np.ones(n, np.bool_)
    choices = []
    for arg in args:
        if isinstance(arg, Const):
            if arg.value is None:
                continue
            choices.append((undecided.copy(), arg))
            undecided[:] = False
            break
        if isinstance(arg, NodeVec | RelVec):
            choices.append((undecided.copy(), arg))
            undecided[:] = False
            break
        take = undecided & arg.is_valid()
        choices.append((take, arg))
        undecided &= ~take
    if all(isinstance(c, Const) for _, c in choices) and len(choices) == 1:
        return choices[0][1]
    choices.append((undecided, Const(None, "null")))
    return select(choices, n, "COALESCE")


# ----------------------------------------------------------------------------- dates

_DATE_PARTS = (
    "year",
    "month",
    "day",
    "quarter",
    "decade",
    "century",
    "millennium",
    "dayofweek",
    "dow",
    "dayofyear",
    "doy",
    "week",
)
_TIME_PARTS = ("hour", "minute", "second", "millisecond", "microsecond")


def date_part(part: str, values: np.ndarray) -> np.ndarray:
    """One calendar field of datetime64 values, as int64."""
    days = values.astype("datetime64[D]")
    years = days.astype("datetime64[Y]").astype(np.int64) + 1970
    if part == "year":
        return years
    if part == "decade":
        return years // 10
    if part == "century":
        return (years - 1) // 100 + 1
    if part == "millennium":
        return (years - 1) // 1000 + 1
    months = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    if part == "month":
        return months
    if part == "quarter":
        return (months - 1) // 3 + 1
    if part == "day":
        return (days - days.astype("datetime64[M]")).astype(np.int64) + 1
    if part in ("dayofweek", "dow"):  # Sunday = 0, as Kùzu and Postgres
        return (days.astype(np.int64) + 4) % 7
    if part in ("dayofyear", "doy"):
        return (days - days.astype("datetime64[Y]")).astype(np.int64) + 1
    if part == "week":  # ISO week number
        d = days.astype(np.int64)
        weekday = (d + 3) % 7  # Monday = 0
        thursday = d - weekday + 3
        year_start = (
            thursday.astype("datetime64[D]")
            .astype("datetime64[Y]")
            .astype("datetime64[D]")
            .astype(np.int64)
        )
        return (thursday - year_start) // 7 + 1
    micros = values.astype("datetime64[us]").astype(np.int64) - days.astype(
        "datetime64[us]"
    ).astype(np.int64)
    if part == "hour":
        return micros // 3_600_000_000
    if part == "minute":
        return micros // 60_000_000 % 60
    if part == "second":
        return micros // 1_000_000 % 60
    if part == "millisecond":
        return micros // 1000 % 60_000
    if part == "microsecond":
        return micros % 60_000_000
    raise QueryError(f"unsupported date part {part!r}")


def _date_part(ev: Evaluator, args: list[AnyVec]) -> AnyVec:
    part_arg, value = args
    if not isinstance(part_arg, Const) or part_arg.kind != "str":
        raise QueryError("DATE_PART needs a constant part name such as 'year'")
    part = part_arg.value.lower()
    if part.endswith("s") and part[:-1] in (*_DATE_PARTS, *_TIME_PARTS):
        part = part[:-1]
    if part not in _DATE_PARTS + _TIME_PARTS:
        raise QueryError(f"unsupported date part {part_arg.value!r}")
    _expect("date_part", value, "date", "timestamp")
    if isinstance(value, Const):
        if value.value is None:
            return Const(None, "null")
        unit = "D" if value.kind == "date" else "us"
        return Const(int(date_part(part, np.asarray([np.datetime64(value.value, unit)]))[0]), "int")
    return Vec("int", date_part(part, value.values), value.valid)


def _part_function(part: str):
    def apply(ev: Evaluator, args: list[AnyVec]) -> AnyVec:
        return _date_part(ev, [Const(part, "str"), args[0]])

    return apply


def _parse_temporal(name: str, kind: str):
    def parse(text: str):
        try:
            if kind == "date":
                return dt.date.fromisoformat(text.strip())
            return dt.datetime.fromisoformat(text.strip())
        except ValueError:
            raise QueryError(f"{name.upper()}: cannot parse {text!r}") from None

    def apply(ev: Evaluator, args: list[AnyVec]) -> AnyVec:
        (value,) = args
        _expect(name, value, "str")
        if isinstance(value, Const):
            return Const(None if value.value is None else parse(value.value), kind)
        if value.kind == "null":
            return value
        strings = value.objects()
        valid = value.is_valid()
        out = np.zeros(len(strings), "datetime64[D]" if kind == "date" else "datetime64[us]")
        for i in np.flatnonzero(valid):
            out[i] = parse(strings[i])
        return Vec(kind, out, value.valid)

    return apply


# ----------------------------------------------------------------------------- misc


def _label(ev: Evaluator, args: list[AnyVec]) -> AnyVec:
    (value,) = args
    if isinstance(value, NodeVec):
        names = np.asarray(value.tables, object)
    elif isinstance(value, RelVec):
        names = np.asarray([k.name for k in value.tables], object)
    else:
        raise QueryError("LABEL needs a node or a relationship")
    if value.table_idx is None:
        return Const(str(names[0]), "str")
    return Vec("str", names[value.table_idx])


def _to_string(ev: Evaluator, args: list[AnyVec]) -> AnyVec:
    (value,) = args
    if isinstance(value, Const):
        return Const(None if value.value is None else _format(value.value), "str")
    vals = python_values(value, ev.graph)
    out = np.empty(len(vals), object)
    out[:] = [None if v is None else _format(v) for v in vals]
    valid = np.asarray([v is not None for v in vals], np.bool_)
    return Vec("str", out, None if valid.all() else valid)


def _format(v) -> str:
    if isinstance(v, bool):
        return "True" if v else "False"
    return str(v)


def _numeric_cast(name: str, kind: str):
    def apply(ev: Evaluator, args: list[AnyVec]) -> AnyVec:
        (value,) = args
        n = ev.frame.n
        if isinstance(value, Const):
            if value.value is None:
                return Const(None, "null")
            try:
                v = float(value.value) if kind == "float" else int(float(value.value))
            except ValueError:
                raise QueryError(f"{name.upper()}: cannot convert {value.value!r}") from None
            return Const(v, kind)
        value = broadcast(value, n)
        if value.kind == "str":
            strings = value.objects()
            out = np.zeros(n, np.float64 if kind == "float" else np.int64)
            for i in np.flatnonzero(value.is_valid()):
                try:
                    out[i] = float(strings[i]) if kind == "float" else int(strings[i])
                except ValueError:
                    raise QueryError(f"{name.upper()}: cannot convert {strings[i]!r}") from None
            return Vec(kind, out, value.valid)
        _expect(name, value, "int", "float", "bool")
        return Vec(
            kind,
            np.asarray(value.values).astype(np.float64 if kind == "float" else np.int64),
            value.valid,
        )

    return apply


def _substring(ev: Evaluator, args: list[AnyVec]) -> AnyVec:
    value, start, length = args
    if not (isinstance(start, Const) and isinstance(length, Const)):
        raise QueryError("SUBSTRING needs constant start and length")
    s0 = start.value - 1  # Kùzu counts from 1

    def cut(s: str) -> str:
        return s[max(s0, 0) : max(s0, 0) + length.value]

    return _string_function("substring", cut, "str")(ev, [value])


def _concat(ev: Evaluator, args: list[AnyVec]) -> AnyVec:
    out = args[0]
    for a in args[1:]:
        out = arithmetic("+", out, a, ev.frame.n)
    return out


def _greatest_least(want_max: bool):
    def apply(ev: Evaluator, args: list[AnyVec]) -> AnyVec:
        out = args[0]
        n = ev.frame.n
        for a in args[1:]:
            better = compare(">" if want_max else "<", a, out, n)
            if isinstance(better, Const):
                out = a if better.value else out
                continue
            mask = np.asarray(better.values, np.bool_) & better.is_valid()
            out = select([(mask, a), (~mask, out)], n, "GREATEST/LEAST")
        return out

    return apply


def _const_math(fn):
    def apply(ev: Evaluator, args: list[AnyVec]) -> AnyVec:
        return result("float", fn(), True, ev.frame.n)

    return apply


_FUNCTIONS: dict[str, tuple[Callable, tuple[int, int]]] = {
    "lower": (_case_mapping("lower", upper=False), (1, 1)),
    "upper": (_case_mapping("upper", upper=True), (1, 1)),
    "tolower": (_case_mapping("tolower", upper=False), (1, 1)),
    "toupper": (_case_mapping("toupper", upper=True), (1, 1)),
    "trim": (_string_function("trim", str.strip, "str"), (1, 1)),
    "ltrim": (_string_function("ltrim", str.lstrip, "str"), (1, 1)),
    "rtrim": (_string_function("rtrim", str.rstrip, "str"), (1, 1)),
    "reverse": (_string_function("reverse", lambda s: s[::-1], "str"), (1, 1)),
    "size": (_size, (1, 1)),
    "abs": (_abs, (1, 1)),
    "floor": (_unary_math("floor", np.floor), (1, 1)),
    "ceil": (_unary_math("ceil", np.ceil), (1, 1)),
    "sqrt": (_unary_math("sqrt", np.sqrt), (1, 1)),
    "round": (_round, (1, 2)),
    "coalesce": (_coalesce, (1, 64)),
    "date_part": (_date_part, (2, 2)),
    "datepart": (_date_part, (2, 2)),
    "date": (_parse_temporal("date", "date"), (1, 1)),
    "timestamp": (_parse_temporal("timestamp", "timestamp"), (1, 1)),
    "label": (_label, (1, 1)),
    "tostring": (_to_string, (1, 1)),
    "string": (_to_string, (1, 1)),
    "to_int64": (_numeric_cast("to_int64", "int"), (1, 1)),
    "to_double": (_numeric_cast("to_double", "float"), (1, 1)),
    "tointeger": (_numeric_cast("tointeger", "int"), (1, 1)),
    "tofloat": (_numeric_cast("tofloat", "float"), (1, 1)),
    "substring": (_substring, (3, 3)),
    "concat": (_concat, (1, 64)),
    "greatest": (_greatest_least(True), (1, 64)),
    "least": (_greatest_least(False), (1, 64)),
    "pi": (_const_math(lambda: math.pi), (0, 0)),
}
for _part in ("year", "month", "day", "quarter", "hour", "minute", "second"):
    _FUNCTIONS.setdefault(_part, (_part_function(_part), (1, 1)))
del _part

from .rowwise import FUNCTIONS as _ROWWISE  # noqa: E402 - after the vectorised ones

for _name, _entry in _ROWWISE.items():
    _FUNCTIONS.setdefault(_name, _entry)
for _name, _entry in NESTED_FUNCTIONS.items():  # map_*, list_* not in rowwise (nested_functions)
    _FUNCTIONS.setdefault(_name, _entry)
del _name, _entry

SCALAR_FUNCTIONS = frozenset(_FUNCTIONS)
