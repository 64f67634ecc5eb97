"""Column types: ``LogicalType`` (names, on-disk numpy dtypes, integer ranges) and Kùzu's
parameterised types (``CompositeType``).

Parameterised column types: LIST ``T[]``, ARRAY ``T[n]``, STRUCT, MAP, UNION and
DECIMAL(p, s), plus how every non-classic type is stored.

Storage (each a set of column files; see ruzu/storage/composite_columns.py):

- LIST ``T[]`` / MAP(K, V): an offsets file (int64, n + 1 entries from 0) and the child column
  (MAP: a STRUCT(key, value) child), Arrow's large_list layout; validity per level.
- ARRAY ``T[n]``: the child column only, exactly ``n`` child rows per row (Arrow's
  fixed_size_list layout; a NULL array still owns ``n`` NULL children).
- STRUCT(a T, …): one child column per field, plus the struct's own validity.
- UNION(a T, …): a STRUCT whose first field ``tag`` (UINT8) names the member that holds the
  value (Kùzu's own layout).
- DECIMAL(p, s): the unscaled value as a 16-byte integer (Arrow's decimal128 layout).
- INT128: 16 bytes, little-endian two's complement. UUID: the 16 bytes, big-endian.
  INTERVAL: (months int32, days int32, micros int64). BLOB: offsets + bytes, as STRING.
  TIMESTAMP_NS/MS/SEC: datetime64 of that unit; TIMESTAMP_TZ: UTC microseconds.
"""

from __future__ import annotations

import datetime as dt
import difflib
import enum
import re
from dataclasses import dataclass

import numpy as np

from .errors import CatalogError


class LogicalType(enum.Enum):
    INT8 = "INT8"
    INT16 = "INT16"
    INT32 = "INT32"
    INT64 = "INT64"
    UINT8 = "UINT8"
    UINT16 = "UINT16"
    UINT32 = "UINT32"
    UINT64 = "UINT64"
    FLOAT = "FLOAT"
    DOUBLE = "DOUBLE"
    BOOLEAN = "BOOLEAN"
    STRING = "STRING"
    DATE = "DATE"
    TIMESTAMP = "TIMESTAMP"
    # Kùzu's further scalar types (stored as described in the module docstring)
    SERIAL = "SERIAL"
    INT128 = "INT128"
    UUID = "UUID"
    BLOB = "BLOB"
    INTERVAL = "INTERVAL"
    TIMESTAMP_NS = "TIMESTAMP_NS"
    TIMESTAMP_MS = "TIMESTAMP_MS"
    TIMESTAMP_SEC = "TIMESTAMP_SEC"
    TIMESTAMP_TZ = "TIMESTAMP_TZ"

    @classmethod
    def parse(cls, name: str):
        """A type from its Kùzu spelling; ``INT64[]``, ``STRUCT(a INT64)``, ``DECIMAL(p, s)``
        … give a ``CompositeType`` (below)."""
        if any(ch in name for ch in "[("):
            return parse_composite(name)
        key = _ALIASES.get(name.strip().upper(), name.strip().upper())
        try:
            return cls(key)
        except ValueError:
            raise CatalogError(f"unknown type {name!r}{_suggest_type(key)}") from None

    @property
    def dtype(self) -> np.dtype:
        """numpy dtype of the column file (STRING: dtype of its bytes)."""
        return _DTYPES[self]

    @property
    def is_integer(self) -> bool:
        return self in _INT_RANGES

    @property
    def is_composite(self) -> bool:
        """Parsed and stored by the composite-type path (not the scalar CSV kernel)."""
        return self in _COMPOSITE_SCALARS

    @property
    def int_range(self) -> tuple[int, int]:
        return _INT_RANGES[self]


_ALIASES = {
    "INT": "INT32",
    "INTEGER": "INT32",
    "BIGINT": "INT64",
    "SMALLINT": "INT16",
    "TINYINT": "INT8",
    "UBIGINT": "UINT64",
    "UINTEGER": "UINT32",
    "USMALLINT": "UINT16",
    "UTINYINT": "UINT8",
    "FLOAT32": "FLOAT",
    "REAL": "FLOAT",
    "FLOAT64": "DOUBLE",
    "BOOL": "BOOLEAN",
    "VARCHAR": "STRING",
    "TEXT": "STRING",
    "BYTEA": "BLOB",
    "HUGEINT": "INT128",
    "TIMESTAMPTZ": "TIMESTAMP_TZ",
}

_DTYPES = {
    LogicalType.INT8: np.dtype(np.int8),
    LogicalType.INT16: np.dtype(np.int16),
    LogicalType.INT32: np.dtype(np.int32),
    LogicalType.INT64: np.dtype(np.int64),
    LogicalType.UINT8: np.dtype(np.uint8),
    LogicalType.UINT16: np.dtype(np.uint16),
    LogicalType.UINT32: np.dtype(np.uint32),
    LogicalType.UINT64: np.dtype(np.uint64),
    LogicalType.FLOAT: np.dtype(np.float32),
    LogicalType.DOUBLE: np.dtype(np.float64),
    LogicalType.BOOLEAN: np.dtype(np.bool_),
    LogicalType.STRING: np.dtype(np.uint8),
    # Days / microseconds since 1970-01-01 (UTC), readable as numpy datetime64 without a copy.
    LogicalType.DATE: np.dtype("datetime64[D]"),
    LogicalType.TIMESTAMP: np.dtype("datetime64[us]"),
    LogicalType.SERIAL: np.dtype(np.int64),
    # 16 bytes, little-endian two's complement (Arrow's decimal128 layout)
    LogicalType.INT128: np.dtype([("lo", "<u8"), ("hi", "<i8")]),
    LogicalType.UUID: np.dtype("V16"),  # the 16 bytes, big-endian, as uuid.UUID(bytes=…)
    LogicalType.BLOB: np.dtype(np.uint8),  # offsets + bytes, as STRING
    LogicalType.INTERVAL: np.dtype([("months", "<i4"), ("days", "<i4"), ("micros", "<i8")]),
    LogicalType.TIMESTAMP_NS: np.dtype("datetime64[ns]"),
    LogicalType.TIMESTAMP_MS: np.dtype("datetime64[ms]"),
    LogicalType.TIMESTAMP_SEC: np.dtype("datetime64[s]"),
    LogicalType.TIMESTAMP_TZ: np.dtype("datetime64[us]"),
}

_COMPOSITE_SCALARS = {
    LogicalType.INT128, LogicalType.UUID, LogicalType.BLOB, LogicalType.INTERVAL,
    LogicalType.TIMESTAMP_NS, LogicalType.TIMESTAMP_MS, LogicalType.TIMESTAMP_SEC,
    LogicalType.TIMESTAMP_TZ,
}

_INT_RANGES = {
    LogicalType.INT8: (-(2**7), 2**7 - 1),
    LogicalType.INT16: (-(2**15), 2**15 - 1),
    LogicalType.INT32: (-(2**31), 2**31 - 1),
    LogicalType.INT64: (-(2**63), 2**63 - 1),
    LogicalType.SERIAL: (-(2**63), 2**63 - 1),
    LogicalType.UINT8: (0, 2**8 - 1),
    LogicalType.UINT16: (0, 2**16 - 1),
    LogicalType.UINT32: (0, 2**32 - 1),
    LogicalType.UINT64: (0, 2**64 - 1),
}


def _suggest_type(key: str) -> str:
    """" (did you mean STRING?)" for a misspelt type name, else ""."""
    known = [t.value for t in LogicalType] + list(_ALIASES)
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if not close:
        return ""
    return f" (did you mean {_ALIASES.get(close[0], close[0])}?)"


# -- parameterised types ------------------------------------------------------------------------
DECIMAL_DTYPE = np.dtype([("lo", "<u8"), ("hi", "<i8")])


@dataclass(frozen=True)
class CompositeType:
    """kind: LIST, ARRAY, STRUCT, MAP, UNION or DECIMAL."""

    kind: str
    child: object = None  # LIST / ARRAY element type
    size: int = 0  # ARRAY length
    fields: tuple = ()  # STRUCT / UNION / MAP: ((name, type), …); MAP: key, value
    precision: int = 0
    scale: int = 0

    @property
    def value(self) -> str:
        """Kùzu's spelling (what CALL table_info shows and the catalog stores)."""
        if self.kind == "LIST":
            return f"{self.child.value}[]"
        if self.kind == "ARRAY":
            return f"{self.child.value}[{self.size}]"
        if self.kind == "MAP":
            return f"MAP({self.fields[0][1].value}, {self.fields[1][1].value})"
        if self.kind == "DECIMAL":
            return f"DECIMAL({self.precision}, {self.scale})"
        inner = ", ".join(f"{n} {t.value}" for n, t in self.fields)
        return f"{self.kind}({inner})"

    @property
    def name(self) -> str:
        return self.kind

    @property
    def dtype(self) -> np.dtype:
        if self.kind == "DECIMAL":
            return DECIMAL_DTYPE
        raise CatalogError(f"{self.value} has no single dtype")

    is_integer = False
    is_composite = True

    @property
    def is_nested(self) -> bool:
        return self.kind != "DECIMAL"

    @property
    def field_names(self) -> list[str]:
        return [n for n, _ in self.fields]

    def __str__(self) -> str:
        return self.value


def list_of(child) -> CompositeType:
    return CompositeType("LIST", child=child)


def map_entry_type(typ: CompositeType) -> CompositeType:
    """A MAP's child: STRUCT(key K, value V)."""
    return CompositeType("STRUCT", fields=typ.fields)


def union_storage_type(typ: CompositeType) -> CompositeType:
    """A UNION is stored as STRUCT(tag UINT8, member…)."""
    return CompositeType("STRUCT", fields=(("tag", LogicalType.UINT8), *typ.fields))


def is_composite(typ) -> bool:
    """A parameterised type (LIST, ARRAY, STRUCT, MAP, UNION, DECIMAL)."""
    return isinstance(typ, CompositeType)


_IDENT = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)")


def parse_composite(text: str):
    parser = _TypeParser(text)
    typ = parser.type()
    parser.skip()
    if parser.pos != len(text):
        raise CatalogError(f"unknown type {text!r}")
    return typ


class _TypeParser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self) -> str:
        self.skip()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, ch: str) -> None:
        if self.peek() != ch:
            raise CatalogError(f"unknown type {self.text!r}: expected {ch!r} at {self.pos}")
        self.pos += 1

    def ident(self) -> str:
        m = _IDENT.match(self.text, self.pos)
        if not m:
            raise CatalogError(f"unknown type {self.text!r}: expected a name at {self.pos}")
        self.pos = m.end()
        return m.group(1)

    def number(self) -> int:
        self.skip()
        m = re.compile(r"\d+").match(self.text, self.pos)
        if not m:
            raise CatalogError(f"unknown type {self.text!r}: expected a number at {self.pos}")
        self.pos = m.end()
        return int(m.group(0))

    def type(self):
        name = self.ident().upper()
        if name in ("STRUCT", "UNION"):
            fields = self.members()
            if not fields:
                raise CatalogError(f"{name} needs at least one field")
            if len({n.lower() for n, _ in fields}) != len(fields):
                raise CatalogError(f"{name} has duplicate field names: {self.text!r}")
            typ = CompositeType(name, fields=tuple(fields))
        elif name == "MAP":
            self.expect("(")
            key = self.type()
            self.expect(",")
            value = self.type()
            self.expect(")")
            if is_composite(key) and key.is_nested:
                raise CatalogError("a MAP key must be a scalar type")
            typ = CompositeType("MAP", fields=(("key", key), ("value", value)))
        elif name == "LIST" and self.peek() == "(":
            self.expect("(")
            typ = list_of(self.type())
            self.expect(")")
        elif name in ("DECIMAL", "NUMERIC"):
            precision, scale = 18, 3
            if self.peek() == "(":
                self.expect("(")
                precision = self.number()
                scale = 0
                if self.peek() == ",":
                    self.expect(",")
                    scale = self.number()
                self.expect(")")
            if not 1 <= precision <= 38 or not 0 <= scale <= precision:
                raise CatalogError(
                    f"DECIMAL({precision}, {scale}): precision must be 1…38 and scale 0…precision"
                )
            typ = CompositeType("DECIMAL", precision=precision, scale=scale)
        else:
            typ = LogicalType.parse(name)
        while self.peek() == "[":
            self.expect("[")
            if self.peek() == "]":
                self.expect("]")
                typ = list_of(typ)
            else:
                size = self.number()
                self.expect("]")
                if size <= 0:
                    raise CatalogError("an ARRAY needs a positive length")
                typ = CompositeType("ARRAY", child=typ, size=size)
        if typ is LogicalType.SERIAL and self.text.strip().upper() != "SERIAL":
            raise CatalogError("SERIAL can only be the type of a whole column")
        return typ

    def members(self) -> list:
        self.expect("(")
        fields = []
        while True:
            name = self.ident()
            fields.append((name, self.type()))
            if self.peek() == ",":
                self.expect(",")
                continue
            self.expect(")")
            return fields


# -- INTERVAL text (COPY and CAST(… AS INTERVAL) read it the same way) -------------------------
_MICROS_PER_DAY = 86_400_000_000
_UNITS = {}
for _names, _unit in (
    (("year", "yr", "y", "years", "yrs"), ("months", 12)),
    (("month", "mon", "months", "mons"), ("month", 1)),
    (("day", "days", "d", "dayofmonth"), ("day", 1)),
    (("decade", "dec", "decades", "decs"), ("months", 120)),
    (("century", "cent", "centuries", "c"), ("months", 1200)),
    (("millennium", "mil", "millenniums", "millennia", "mils", "millenium", "milleniums"),
     ("months", 12000)),
    (("microseconds", "microsecond", "us", "usec", "usecs", "usecond", "useconds"),
     ("us", 1)),
    (("milliseconds", "millisecond", "ms", "msec", "msecs", "msecond", "mseconds"),
     ("micros", 1000)),
    (("second", "sec", "seconds", "secs", "s"), ("micros", 1_000_000)),
    (("minute", "min", "minutes", "mins", "m"), ("micros", 60_000_000)),
    (("hour", "hr", "hours", "hrs", "h"), ("micros", 3_600_000_000)),
    (("week", "weeks", "w", "weekofyear"), ("week", 7)),
    (("quarter", "quarters"), ("quarter", 3)),
):
    for _n in _names:
        _UNITS[_n] = _unit
_INTERVAL_PART = re.compile(r"\s*(\d+)(?:\.(\d*))?\s*(\S+)")
_INTERVAL_TIME = re.compile(r"\s*(\d+):(\d+)(?::(\d+)(?:\.(\d{1,6}))?)?\s*$")


def _with_fraction(number: int, mult: int, fraction: int) -> int:
    """Kùzu's intervalTryAddition: number * mult + fraction (millionths) * mult / 10**6."""
    return number * mult + fraction * mult // 1_000_000


def parse_interval(text: str, _typ=None) -> tuple[int, int, int]:
    """Kùzu's interval text (Interval::fromCString): ``[@]N[.f] unit …`` with Kùzu's unit
    spellings, then optionally ``HH:MM[:SS[.ffffff]]``; no signs. -> (months, days, micros)."""
    months = days = micros = 0
    pos = 1 if text.startswith("@") else 0
    found = False
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        t = _INTERVAL_TIME.match(text, pos)
        if t:
            h, m, s, f = t.groups()
            micros += (int(h) * 3600 + int(m) * 60 + int(s or 0)) * 1_000_000
            micros += int((f or "0").ljust(6, "0"))
            found = True
            break
        p = _INTERVAL_PART.match(text, pos)
        if not p:
            raise ValueError(f"invalid INTERVAL {text!r}")
        number, frac, unit = p.groups()
        if unit.lower() not in _UNITS:
            raise ValueError(f"invalid INTERVAL {text!r}: unknown unit {unit!r}")
        how, mult = _UNITS[unit.lower()]
        number = int(number)
        fraction = int((frac or "")[:6].ljust(6, "0"))
        if how == "months":
            months += _with_fraction(number, mult, fraction)
        elif how == "quarter":
            months += _with_fraction(number, mult, fraction)
            days += _with_fraction(0, 30, fraction * mult % 1_000_000)
        elif how == "month":
            months += number
            days += _with_fraction(0, 30, fraction)
        elif how == "day":
            days += number
            micros += _with_fraction(0, _MICROS_PER_DAY, fraction)
        elif how == "week":
            days += _with_fraction(number, mult, fraction)
            micros += _with_fraction(0, _MICROS_PER_DAY, fraction * mult % 1_000_000)
        elif how == "us":
            micros += number + fraction * 2 // 1_000_000
        else:
            micros += _with_fraction(number, mult, fraction)
        found = True
        pos = p.end()
    if not found:
        raise ValueError(f"invalid INTERVAL {text!r}")
    if not (-(2**31) <= months < 2**31 and -(2**31) <= days < 2**31 and micros < 2**63):
        raise ValueError(f"INTERVAL {text!r} out of range")
    return months, days, micros


def interval_to_timedelta(months: int, days: int, micros: int) -> dt.timedelta:
    """As Kùzu's Python API: a month counts 30 days."""
    return dt.timedelta(days=months * 30 + days, microseconds=micros)
