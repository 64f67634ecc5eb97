"""Query parameters as Kùzu's Python API reads them: a dict ``{"key": [...], "value": [...]}``
with lists of equal length is a MAP (returned as ``{k: v}``), any other dict a STRUCT; a list
whose items are of types that do not mix (a number and a timestamp; anything mixes with a
string) is refused with Kùzu's message."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

from ..errors import QueryError


def kuzu_parameters(parameters: dict | None) -> dict | None:
    if not parameters:
        return parameters
    return {name: _value(v) for name, v in parameters.items()}


def _value(v):
    if isinstance(v, dict):
        if list(v) == ["key", "value"] and isinstance(v["key"], list | tuple) and isinstance(
                v["value"], list | tuple) and len(v["key"]) == len(v["value"]):
            try:
                return {k: _value(x) for k, x in zip(v["key"], v["value"], strict=True)}
            except TypeError:  # keys that cannot be dict keys: keep it a STRUCT
                pass
        return {k: _value(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        items = [_value(x) for x in v]
        _check_mixable(items)
        return items if isinstance(v, list) else tuple(items)
    return v


def _type_name(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "BOOL"
    if isinstance(v, int):
        for bits in (8, 16, 32, 64):
            if -(2 ** (bits - 1)) <= v < 2 ** (bits - 1):
                return f"INT{bits}"
        return "INT128"
    if isinstance(v, float | decimal.Decimal):
        return "DOUBLE"
    if isinstance(v, str):
        return "STRING"
    if isinstance(v, dt.datetime):
        return "TIMESTAMP"
    if isinstance(v, dt.date):
        return "DATE"
    if isinstance(v, dt.timedelta):
        return "INTERVAL"
    if isinstance(v, uuid.UUID):
        return "UUID"
    return "NESTED"  # lists, dicts, bytes: not checked here


def _family(name: str) -> str:
    return "number" if name.startswith("INT") or name == "DOUBLE" else name


def _check_mixable(items: list) -> None:
    first = None
    for item in items:
        name = _type_name(item)
        if name is None or name == "NESTED":
            continue
        if first is None:
            first = name
        elif _family(name) != _family(first) and "STRING" not in (name, first):
            raise QueryError("Runtime exception: Cannot convert Python object to Kuzu value : "
                             f"{first}  is incompatible with {name}")
