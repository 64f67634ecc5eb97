"""Values of CREATE / MERGE as rows the importer appends: each value (a Python value the query
engine evaluated) becomes the text of the column's type that the CSV parser reads back, and a
batch of rows becomes an in-memory Arrow table of string columns (``csv/arrow.py``'s
``IN_MEMORY`` inputs, as ``COPY T FROM df``). So a written row goes through the importer's
parsing, type checks, primary-key index and transaction, like a COPY of one row."""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import itertools
import uuid

from ..csv.config import CsvImportConfig
from ..errors import CsvError, QueryError
from ..types import LogicalType, is_composite
from .copy import ARROW_CSV

_SPECIAL = set(",[]{}'\":=")
_NAMES = itertools.count(1)


def column_text(value, typ) -> str | None:
    """The field text of a top-level value of column type ``typ`` (None: NULL)."""
    if value is None:
        return None
    _check_kind(value, typ)
    if typ is LogicalType.STRING:
        return value
    return _text(value, typ, nested=False)


_PY_TYPES = {bool: "BOOL", int: "INT64", float: "DOUBLE", str: "STRING",
             dt.date: "DATE", dt.datetime: "TIMESTAMP", dt.timedelta: "INTERVAL",
             list: "LIST", dict: "STRUCT"}


def _check_kind(value, typ) -> None:
    """Kùzu's binder refuses a value of another kind (no implicit cast): a string for a number,
    a number for a string, a float for an integer."""
    if not isinstance(typ, LogicalType):
        return
    number = isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool)
    if typ.is_integer or typ is LogicalType.SERIAL:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif typ in (LogicalType.FLOAT, LogicalType.DOUBLE):
        ok = number
    elif typ is LogicalType.BOOLEAN:
        ok = isinstance(value, bool)
    elif typ is LogicalType.STRING:
        ok = isinstance(value, str)
    else:
        ok = not isinstance(value, bool | list | dict) and (not number or typ in (
            LogicalType.INT128,))
    if not ok:
        kind = "BOOL" if isinstance(value, bool) else next(
            (n for t, n in reversed(_PY_TYPES.items()) if isinstance(value, t)),
            type(value).__name__)
        raise QueryError(f"Binder exception: Expression {value} has data type {kind} but "
                         f"expected {typ.value}. Implicit cast is not supported.")


def _text(value, typ, nested: bool) -> str:
    if value is None:
        return ""
    if is_composite(typ) and typ.kind in ("LIST", "ARRAY"):
        if not isinstance(value, list | tuple):
            raise _type_error(value, typ)
        return "[" + ",".join(_text(v, typ.child, True) for v in value) + "]"
    if is_composite(typ) and typ.kind == "MAP":
        if not isinstance(value, dict):
            raise _type_error(value, typ)
        (_, key_type), (_, value_type) = typ.fields
        return "{" + ", ".join(f"{_text(k, key_type, True)}={_text(v, value_type, True)}"
                               for k, v in value.items()) + "}"
    if is_composite(typ) and typ.kind in ("STRUCT", "UNION"):
        if not isinstance(value, dict):
            raise _type_error(value, typ)
        types = dict(typ.fields)
        unknown = [k for k in value if k not in types]
        if unknown:
            raise QueryError(f"Binder exception: Cannot find field {unknown[0]} in {typ.value}")
        return "{" + ", ".join(f"{k}: {_text(v, types[k], True)}" for k, v in value.items()) + "}"
    return _scalar_text(value, typ, nested)


def _scalar_text(value, typ, nested: bool) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float):
        text = repr(value)
    elif isinstance(value, dt.timedelta):
        text = _interval_text(value)
    elif isinstance(value, dt.datetime):
        text = value.isoformat(sep=" ")
    elif isinstance(value, dt.date):
        text = value.isoformat()
    elif isinstance(value, bytes | bytearray):
        text = "".join(chr(b) if 32 <= b < 127 and b != 92 else f"\\x{b:02X}" for b in value)
    elif isinstance(value, int | str | decimal.Decimal | uuid.UUID):
        text = str(value)
    elif isinstance(value, list | tuple | dict):
        raise _type_error(value, typ)
    else:
        text = str(value)
    if nested and (text == "" or text != text.strip() or any(c in _SPECIAL for c in text)):
        return f'"{text}"' if "'" in text else f"'{text}'"
    return text


def _interval_text(value: dt.timedelta) -> str:
    if value < dt.timedelta(0):
        raise QueryError(f"a negative INTERVAL ({value}) cannot be written by CREATE/MERGE")
    return f"{value.days} days {value.seconds} seconds {value.microseconds} microseconds"


def _type_error(value, typ) -> QueryError:
    return QueryError(f"Binder exception: Expression {value!r} has data type "
                      f"{type(value).__name__} but expected {typ.value}. Implicit cast is not "
                      "supported.")


@contextlib.contextmanager
def arrow_rows(names: list[str], types: list, rows: list[list]):
    """An in-memory input of ``rows`` (each a list in ``names`` order) as string columns;
    yields the name the importer opens it by."""
    import pyarrow as pa

    from ..csv.arrow import IN_MEMORY

    columns = [_nested_column([row[i] for row in rows], typ) if _is_nested(typ)
               else pa.array([column_text(row[i], typ) for row in rows], pa.string())
               for i, typ in enumerate(types)]
    name = f"<write {next(_NAMES)}>"
    IN_MEMORY[name] = pa.table(columns, names=[f"c{i}" for i in range(len(names))])
    try:
        yield name
    finally:
        IN_MEMORY.pop(name, None)


def _is_nested(typ) -> bool:
    return is_composite(typ) and typ.kind in ("LIST", "ARRAY", "STRUCT", "MAP")


def _nested_column(values: list, typ):
    """LIST, ARRAY, STRUCT and MAP values as a typed Arrow array, which the importer takes
    over natively (strings byte for byte; csv/arrow_values.py)."""
    import pyarrow as pa

    from ..storage.arrow_columns import python_to_arrow

    for value in values:
        if value is not None:
            _text(value, typ, nested=False)  # Kùzu's shape and kind checks (and messages)
    try:
        return python_to_arrow([_leaves(v, typ) for v in values], typ)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError) as e:
        raise QueryError(f"Binder exception: a value does not fit {typ.value} ({e})") from None


def _leaves(value, typ):
    """STRING leaves as text (Kùzu's parameters turn [1, '2'] into ['1', '2'])."""
    if value is None:
        return None
    if typ is LogicalType.STRING:
        return value if isinstance(value, str) else _scalar_text(value, typ, nested=False)
    if not is_composite(typ):
        return value
    if typ.kind in ("LIST", "ARRAY"):
        return [_leaves(v, typ.child) for v in value]
    if typ.kind == "MAP":
        (_, kt), (_, vt) = typ.fields
        return {_leaves(k, kt): _leaves(v, vt) for k, v in value.items()}
    if typ.kind == "STRUCT":
        types = dict(typ.fields)
        return {k: _leaves(v, types[k]) for k, v in value.items()}
    return value


def import_config(columns) -> CsvImportConfig:
    """How the importer reads a batch of written rows (columns by position, one thread)."""
    settings = {"column_mapping": "position", "threads": 1, **ARROW_CSV}
    if columns is not None:
        settings["columns"] = columns
    return CsvImportConfig(**settings)


def check_loaded(result, expected: int) -> None:
    if result.rows_imported != expected:
        raise CsvError(f"write stopped: {expected - result.rows_imported} of {expected} rows "
                       "were not written")
