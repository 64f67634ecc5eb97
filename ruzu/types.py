"""Logical column types: names, on-disk numpy dtypes and integer ranges."""

from __future__ import annotations

import enum

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
    # Kùzu's further scalar types (stored as described in ruzu/composite_types.py)
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
        … give a ``CompositeType`` (ruzu/composite_types.py)."""
        if any(ch in name for ch in "[("):
            from .composite_types import parse_composite

            return parse_composite(name)
        key = _ALIASES.get(name.strip().upper(), name.strip().upper())
        try:
            return cls(key)
        except ValueError:
            raise CatalogError(f"unknown type {name!r}") from None

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
