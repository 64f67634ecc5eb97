"""Columns as pyarrow arrays, wrapping the column files without copying where Arrow's layout is
ruzu's (numbers, timestamps, STRING/BLOB as large_string/large_binary, LIST as large_list,
ARRAY as fixed_size_list, STRUCT, DECIMAL/INT128 as decimal128); validity bitmaps are built
(ruzu keeps one byte per row). ``arrow_type`` gives the types Kùzu's get_as_arrow uses.
"""

from __future__ import annotations

import numpy as np

from ..types import LogicalType, is_composite
from .composite_columns import NestedColumn, ScalarColumn, storage_type

_PLAIN = {
    LogicalType.INT8: "int8", LogicalType.INT16: "int16", LogicalType.INT32: "int32",
    LogicalType.INT64: "int64", LogicalType.SERIAL: "int64", LogicalType.UINT8: "uint8",
    LogicalType.UINT16: "uint16", LogicalType.UINT32: "uint32", LogicalType.UINT64: "uint64",
    LogicalType.FLOAT: "float32", LogicalType.DOUBLE: "float64", LogicalType.BOOLEAN: "bool_",
    LogicalType.STRING: "string", LogicalType.BLOB: "binary", LogicalType.UUID: "string",
    LogicalType.DATE: "date32",
}


def arrow_type(typ):
    """The Arrow type Kùzu's get_as_arrow gives a column of ``typ``."""
    import pyarrow as pa

    if typ in _PLAIN:
        return getattr(pa, _PLAIN[typ])()
    if typ is LogicalType.INT128:
        return pa.decimal128(38, 0)
    if typ is LogicalType.INTERVAL:
        return pa.duration("us")
    if typ in (LogicalType.TIMESTAMP, LogicalType.TIMESTAMP_TZ, LogicalType.TIMESTAMP_NS,
               LogicalType.TIMESTAMP_MS, LogicalType.TIMESTAMP_SEC):
        unit = {LogicalType.TIMESTAMP_NS: "ns", LogicalType.TIMESTAMP_MS: "ms",
                LogicalType.TIMESTAMP_SEC: "s"}.get(typ, "us")
        return pa.timestamp(unit, tz="UTC" if typ is LogicalType.TIMESTAMP_TZ else None)
    kind = typ.kind
    if kind == "DECIMAL":
        return pa.decimal128(typ.precision, typ.scale)
    if kind == "LIST":
        return pa.list_(pa.field("l", arrow_type(typ.child)))
    if kind == "ARRAY":
        return pa.list_(pa.field("l", arrow_type(typ.child)), typ.size)
    if kind == "STRUCT":
        return pa.struct([pa.field(n, arrow_type(t)) for n, t in typ.fields])
    if kind == "MAP":
        return pa.map_(arrow_type(typ.fields[0][1]), arrow_type(typ.fields[1][1]))
    if kind == "UNION":
        return pa.dense_union([pa.field(n, arrow_type(t)) for n, t in typ.fields],
                              list(range(len(typ.fields))))
    raise TypeError(f"no Arrow type for {typ}")


def _bitmap(valid, n: int):
    import pyarrow as pa

    if valid is None:
        return None
    return pa.py_buffer(np.packbits(np.asarray(valid[:n], np.uint8), bitorder="little"))


def column_to_arrow(column, valid, typ, num_rows: int):
    """A stored column as a pyarrow Array (values wrapped in place where layouts agree)."""
    import pyarrow as pa

    bitmap = _bitmap(valid, num_rows)
    nulls = -1 if bitmap is not None else 0
    if isinstance(column, NestedColumn):
        shape = storage_type(typ)
        kids = [column_to_arrow(c, v, t, len(c))
                for c, v, t in zip(column.children, column.child_validity,
                                   [shape.child] if shape.kind in ("LIST", "ARRAY")
                                   else [t for _, t in shape.fields], strict=True)]
        if typ.kind in ("LIST", "MAP") and typ.kind == "LIST":
            offsets = pa.py_buffer(column.offsets if num_rows else np.zeros(1, np.int64))
            return pa.LargeListArray.from_buffers(pa.large_list(kids[0].type), num_rows,
                                                  [bitmap, offsets], null_count=nulls,
                                                  children=[kids[0]])
        if typ.kind == "MAP":
            offsets = np.asarray(column.offsets[: num_rows + 1], np.int32)
            entries = kids[0]
            return pa.MapArray.from_arrays(pa.array(offsets), entries.field(0), entries.field(1),
                                           mask=None if valid is None else
                                           pa.array(~np.asarray(valid[:num_rows], np.bool_)))
        if typ.kind == "ARRAY":
            return pa.FixedSizeListArray.from_buffers(
                pa.list_(kids[0].type, typ.size), num_rows, [bitmap], null_count=nulls,
                children=[kids[0]])
        if typ.kind == "UNION":
            tags = pa.array(np.asarray(kids[0]).astype(np.int8) if num_rows else [],
                            pa.int8())
            return pa.UnionArray.from_sparse(tags, kids[1:], [n for n, _ in typ.fields])
        names = [n for n, _ in typ.fields]
        return pa.StructArray.from_buffers(
            pa.struct([pa.field(n, k.type) for n, k in zip(names, kids, strict=True)]),
            num_rows, [bitmap], null_count=nulls, children=kids)
    if hasattr(column, "offsets"):  # STRING / BLOB
        kind = pa.large_string() if typ is LogicalType.STRING else pa.large_binary()
        offsets = column.offsets if num_rows else np.zeros(1, np.int64)
        return pa.Array.from_buffers(kind, num_rows, [bitmap, pa.py_buffer(offsets),
                                                      pa.py_buffer(column.data)],
                                     null_count=nulls)
    data = column.data if isinstance(column, ScalarColumn) else column
    if typ is LogicalType.INT128 or (is_composite(typ) and typ.kind == "DECIMAL"):
        kind = arrow_type(typ)
        return pa.Array.from_buffers(kind, num_rows, [bitmap, pa.py_buffer(data)],
                                     null_count=nulls)
    if typ in (LogicalType.TIMESTAMP, LogicalType.TIMESTAMP_NS, LogicalType.TIMESTAMP_MS,
               LogicalType.TIMESTAMP_SEC, LogicalType.TIMESTAMP_TZ) or (
            isinstance(typ, LogicalType) and typ.is_integer) or typ in (
            LogicalType.FLOAT, LogicalType.DOUBLE):
        return pa.Array.from_buffers(arrow_type(typ), num_rows,
                                     [bitmap, pa.py_buffer(np.asarray(data).view(np.uint8))],
                                     null_count=nulls)
    values = column.tolist() if hasattr(column, "tolist") else list(column)
    mask = None if valid is None else ~np.asarray(valid[:num_rows], np.bool_)
    if typ is LogicalType.UUID:
        values = [str(v) for v in values]
    if typ is LogicalType.DATE:
        return pa.array(np.asarray(data), mask=mask).cast(pa.date32())
    return pa.array(values, type=arrow_type(typ), mask=mask)


def python_to_arrow(values: list, typ):
    """Python values of a column of ``typ`` (as a query returns them) as an Array of Kùzu's
    Arrow type for ``typ``."""
    import pyarrow as pa

    if is_composite(typ) and typ.kind == "UNION":
        return _union_from_python(values, typ)
    return pa.array([_for_arrow(v, typ) for v in values], type=arrow_type(typ))


def _for_arrow(value, typ):
    if value is None:
        return None
    if typ is LogicalType.UUID:
        return str(value)
    if not is_composite(typ):
        return value
    if typ.kind in ("LIST", "ARRAY"):
        return [_for_arrow(v, typ.child) for v in value]
    if typ.kind == "STRUCT":
        return {n: _for_arrow(value.get(n), t) for n, t in typ.fields}
    if typ.kind == "MAP":
        (_, kt), (_, vt) = typ.fields
        return [(_for_arrow(k, kt), _for_arrow(v, vt)) for k, v in value.items()]
    return value


def _union_from_python(values: list, typ):
    """A dense union; each value goes to the first member whose Arrow type accepts it."""
    import pyarrow as pa

    members = [[] for _ in typ.fields]
    codes, offsets = [], []
    for v in values:
        for m, (_, t) in enumerate(typ.fields):
            try:
                pa.array([_for_arrow(v, t)], type=arrow_type(t))
            except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
                continue
            codes.append(m)
            offsets.append(len(members[m]))
            members[m].append(_for_arrow(v, t))
            break
        else:
            raise TypeError(f"value {v!r} fits no member of {typ}")
    children = [pa.array(vals, type=arrow_type(t)) for vals, (_, t) in zip(members, typ.fields,
                                                                            strict=True)]
    return pa.UnionArray.from_dense(pa.array(codes, pa.int8()), pa.array(offsets, pa.int32()),
                                    children, [n for n, _ in typ.fields])
