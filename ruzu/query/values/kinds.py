"""The kinds of query vectors, derived from the column types (``ruzu.types.LogicalType``),
their Cypher type names, and the one rule for values of several kinds that must share a type.

A kind is how a vector holds its values (see ``values.vectors``): ``int`` (any integer
width), ``float``, ``bool``, ``date``, ``timestamp`` in numpy arrays; ``str``,
``list`` and ``any`` (STRUCT, MAP, UUID, BLOB, DECIMAL, INTERVAL values) as Python
objects; ``node`` and ``rel`` as table offsets; ``null`` for an untyped NULL.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

import numpy as np

from ...errors import QueryError
from ...types import LogicalType

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

NUMPY_OF_KIND = {
    "int": np.dtype(np.int64),
    "float": np.dtype(np.float64),
    "bool": np.dtype(np.bool_),
    "date": np.dtype("datetime64[D]"),
    "timestamp": np.dtype("datetime64[us]"),
}


KIND_OF_TYPE = {
    LogicalType.FLOAT: "float",
    LogicalType.DOUBLE: "float",
    LogicalType.BOOLEAN: "bool",
    LogicalType.STRING: "str",
    LogicalType.DATE: "date",
    LogicalType.TIMESTAMP: "timestamp",
}


def kind_of_type(typ: LogicalType) -> str:
    if typ.is_composite:  # LIST/ARRAY: Python lists; others: Python values (uuid.UUID, …)
        return "list" if getattr(typ, "kind", "") in ("LIST", "ARRAY") else "any"
    return "int" if typ.is_integer else KIND_OF_TYPE[typ]


def const_kind(value: Any) -> str:
    """The kind of a Python value given as a literal or a parameter."""
    if value is None:
        return "null"
    if isinstance(value, bool | np.bool_):
        return "bool"
    if isinstance(value, int | np.integer):
        return "int"
    if isinstance(value, float | np.floating):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, dt.datetime):
        return "timestamp"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, list | tuple):
        return "list"
    if isinstance(value, dict | uuid.UUID | bytes | decimal.Decimal | dt.timedelta):
        return "any"  # STRUCT / MAP / UUID / BLOB / DECIMAL / INTERVAL values
    raise QueryError(f"unsupported parameter value of type {type(value).__name__}")


def common_kind(kinds: Iterable[str]) -> str | None:
    """The one kind values of these kinds take together, by Kùzu's implicit casts (list
    elements, COALESCE arguments, UNWIND items, chunks of one column): NULL takes any kind;
    INT64 and DOUBLE give DOUBLE; DATE and TIMESTAMP give TIMESTAMP. None: no common kind
    (Kùzu refuses such a mix; where values keep their own types, callers use ``any``)."""
    present = {k for k in kinds if k != "null"}
    if not present:
        return "null"
    if len(present) == 1:
        return next(iter(present))
    if present <= {"int", "float"}:
        return "float"
    if present <= {"date", "timestamp"}:
        return "timestamp"
    return None


def first_kind(kinds: Iterable[str]) -> str | None:
    """Kùzu's CASE rule: the first non-NULL branch decides, the others are cast to it; only
    INT64 and DOUBLE cast into each other (a DOUBLE into INT64 rounds half to even). None:
    a branch cannot be cast."""
    present = [k for k in kinds if k != "null"]
    if not present:
        return "null"
    first = present[0]
    if all(k == first or {k, first} <= {"int", "float"} for k in present):
        return first
    return None


def mixing_error(kinds: Iterable[str], what: str) -> QueryError:
    names = sorted({TYPE_NAMES.get(k, k.upper()) for k in kinds if k != "null"})
    return QueryError(
        f"{what} mixes {', '.join(names)}; implicit cast is not supported between them (as in "
        "Kùzu)"
    )
