"""Nested Arrow values (LIST, fixed-size LIST, STRUCT, MAP) taken over natively as ``Parsed``
trees (ruzu/storage/composite_columns.py): offsets, child arrays and validity are read from
the Arrow arrays, so strings inside them come back byte for byte (their Kùzu literal text,
which the CSV form of an Arrow input carries, cannot hold every string exactly).

``NativeColumns`` keeps, for an Arrow input read as CSV (arrow.py), the nested columns of the
record batches the parser has not passed yet, keyed by the CSV line each row starts at; the
batch parser (composite_batch.py) takes a batch's rows from it by their line numbers and
releases what lies behind. A type pair with no native conversion (a UNION, a STRUCT with other
field names, a leaf pyarrow cannot cast to text) falls back to the text the CSV carries.
"""

from __future__ import annotations

import numpy as np

from ..storage.composite_columns import Parsed, concat_ranges
from ..types import LogicalType, is_composite
from .composite_values import BadValue, NullSpec, RowMap, parse_spans


class Unsupported(Exception):
    """No native conversion for this Arrow type into this column type: use the text."""


class NativeColumns:
    """The nested columns of the record batches written as CSV and not yet parsed."""

    def __init__(self) -> None:
        self._chunks: list[tuple[np.ndarray, dict]] = []  # (line of each row, {column: array})

    def add(self, batch, written, first_line: int) -> int:
        """Keep the nested columns of ``batch``, written as CSV rows ``written`` from line
        ``first_line`` on; returns the line after them."""
        import pyarrow as pa

        extra = _newlines_per_row(written)
        lines = np.empty(batch.num_rows, np.int64)
        lines[0] = first_line
        np.cumsum(1 + extra[:-1], out=lines[1:])
        lines[1:] += first_line
        nested = {i: col for i, col in enumerate(batch.columns)
                  if pa.types.is_nested(col.type) or pa.types.is_null(col.type)}
        if nested:  # (a slice of a DataFrame whose values are all None has the null type)
            self._chunks.append((lines, nested))
        return first_line + batch.num_rows + int(extra.sum())

    def release_through(self, line: int) -> None:
        """Rows starting at ``line`` or before were parsed: forget them."""
        while self._chunks and self._chunks[0][0][-1] <= line:
            self._chunks.pop(0)

    def parsed(self, field: int, lines: np.ndarray, typ, nulls: NullSpec) -> Parsed | None:
        """The values of CSV field ``field`` for the rows starting at ``lines`` as a ``Parsed``
        tree of ``typ``; None when the field is not a nested Arrow column or has no native
        conversion into ``typ`` (the caller parses its text)."""
        import pyarrow as pa

        if not len(lines):
            return None
        arrays, starts = [], []
        for row_lines, nested in self._chunks:
            if field not in nested:
                return None
            arrays.append(nested[field])
            starts.append(row_lines)
        arrays = _same_type(arrays)
        if arrays is None:
            return None
        all_lines = np.concatenate(starts) if len(starts) > 1 else starts[0]
        at = np.searchsorted(all_lines, lines)
        if (at >= len(all_lines)).any() or (all_lines[np.minimum(at, len(all_lines) - 1)]
                                            != lines).any():
            return None  # not rows this input wrote (cannot happen): parse the text
        column = pa.chunked_array(arrays).take(pa.array(at)).combine_chunks() \
            if len(arrays) > 1 else arrays[0].take(pa.array(at))
        try:
            return to_parsed(column, typ, RowMap(), nulls)
        except Unsupported:
            return None


def _same_type(arrays: list):
    """The arrays in one nested type (all-None slices of a DataFrame have the null type, and
    slices may infer narrower types); None when they have none or cannot share one."""
    import pyarrow as pa

    typed = [a.type for a in arrays if not pa.types.is_null(a.type)]
    if not typed:
        return None
    try:
        return [a if a.type == typed[0] else
                pa.nulls(len(a), typed[0]) if pa.types.is_null(a.type) else a.cast(typed[0])
                for a in arrays]
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _newlines_per_row(batch) -> np.ndarray:
    """Line ends inside each CSV row of ``batch``, as the parser counts lines (LF, and CR not
    before LF, inside quoted values too)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    extra = np.zeros(batch.num_rows, np.int64)
    for col in batch.columns:
        if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)
                or pa.types.is_binary(col.type) or pa.types.is_large_binary(col.type)):
            continue
        counts = pc.count_substring(col, "\n")
        cr = pc.count_substring(col, "\r")
        if pc.sum(cr).as_py():
            counts = pc.add(counts, pc.subtract(cr, pc.count_substring(col, "\r\n")))
        extra += counts.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    return extra


# -- Arrow array → Parsed --------------------------------------------------------------------
def to_parsed(arr, typ, where, nulls: NullSpec) -> Parsed:
    """One level: ``arr`` (an Arrow array, any offset) as the column-shaped values of ``typ``."""
    import pyarrow as pa

    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    valid = _validity(arr)
    if is_composite(typ) and typ.kind in ("LIST", "ARRAY"):
        return _list(arr, typ, valid, where, nulls)
    if is_composite(typ) and typ.kind == "STRUCT":
        return _struct(arr, typ, valid, where, nulls)
    if is_composite(typ) and typ.kind == "MAP":
        return _map(arr, typ, valid, where, nulls)
    if is_composite(typ) and typ.kind == "UNION" or pa.types.is_nested(arr.type):
        raise Unsupported
    return _leaf(arr, typ, valid, where, nulls)


def _validity(arr) -> np.ndarray:
    if arr.null_count == 0:
        return np.ones(len(arr), np.bool_)
    return arr.is_valid().to_numpy(zero_copy_only=False).astype(np.bool_)


def _list(arr, typ, valid, where, nulls) -> Parsed:
    import pyarrow as pa

    fixed = pa.types.is_fixed_size_list(arr.type)
    if not (fixed or pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type)):
        raise Unsupported
    n = len(arr)
    if fixed:
        size = arr.type.list_size
        counts = np.where(valid, size, 0).astype(np.int64)
    else:
        counts = _counts(arr, valid)
    if typ.kind == "ARRAY":
        wrong = valid & (counts != typ.size)
        if wrong.any():
            i = int(np.argmax(wrong))
            raise BadValue(where[i], f"an ARRAY {typ.value} needs {typ.size} elements, "
                                     f"got {int(counts[i])}")
        if fixed:  # null rows keep their slots: take every row's
            child_arr = arr.values.slice(arr.offset * typ.size, n * typ.size)
        else:  # a NULL row gets typ.size NULL slots
            flat = arr.flatten()
            starts = np.zeros(n, np.int64)
            np.cumsum(counts[:-1], out=starts[1:])
            idx = (starts[:, None] + np.arange(typ.size)).reshape(-1)
            slot_valid = np.repeat(valid, typ.size)
            child_arr = flat.take(pa.array(np.where(slot_valid, idx, 0),
                                            mask=~slot_valid)) if len(flat) else \
                pa.nulls(n * typ.size, flat.type)
        child_where = RowMap(where, size=typ.size)
        child = to_parsed(child_arr, typ.child, child_where, nulls)
        child.valid &= np.repeat(valid, typ.size)
        return Parsed(valid=valid, child=child)
    if fixed:
        child_arr = arr.values.slice(arr.offset * arr.type.list_size, n * arr.type.list_size)
        if arr.null_count:
            child_arr = child_arr.filter(pa.array(np.repeat(valid, arr.type.list_size)))
    else:
        child_arr = arr.flatten()  # the slice's elements, NULL lists' (if any) left out
    offsets = np.zeros(n + 1, np.int64)
    np.cumsum(counts, out=offsets[1:])
    child = to_parsed(child_arr, typ.child, RowMap(where, offsets=offsets), nulls)
    return Parsed(valid=valid, offsets=offsets, child=child)


def _counts(arr, valid) -> np.ndarray:
    """Elements per value of a LIST or MAP array (0 for a NULL one, as ``flatten`` skips)."""
    offsets = np.asarray(arr.offsets).astype(np.int64)
    return np.where(valid, np.diff(offsets), 0)


def _entries(child, arr):
    """The part of a MAP array's (unsliced) ``keys`` or ``items`` its rows hold, NULL maps'
    entries (if any) left out."""
    offsets = np.asarray(arr.offsets).astype(np.int64)
    lengths = np.diff(offsets)
    valid = _validity(arr)
    if (lengths[~valid] > 0).any():
        return child.take(concat_ranges(offsets[:-1][valid], lengths[valid]))
    return child.slice(int(offsets[0]), int(offsets[-1] - offsets[0]))


def _struct(arr, typ, valid, where, nulls) -> Parsed:
    import pyarrow as pa

    if not pa.types.is_struct(arr.type):
        raise Unsupported
    names = [arr.type.field(i).name.lower() for i in range(arr.type.num_fields)]
    wanted = [name.lower() for name, _ in typ.fields]
    if len(set(names)) != len(names) or not set(names) <= set(wanted):
        raise Unsupported  # the text path names the unknown field
    columns = dict(zip(names, arr.flatten(), strict=True))
    out = Parsed(valid=valid)
    for (name, ftyp) in typ.fields:
        col = columns.get(name.lower())
        if col is None:
            col = pa.nulls(len(arr))
            part = _all_null(ftyp, len(arr))
        else:
            part = to_parsed(col, ftyp, where, nulls)
        part.valid &= valid
        out.fields.append(part)
    return out


def _all_null(typ, n: int) -> Parsed:
    starts = np.zeros(n, np.int64)
    return parse_spans(typ, np.zeros(1, np.uint8), starts, starts, np.zeros(n, np.bool_),
                       RowMap(), NullSpec.of(()))


def _map(arr, typ, valid, where, nulls) -> Parsed:
    import pyarrow as pa

    if not pa.types.is_map(arr.type):
        raise Unsupported
    counts = _counts(arr, valid)
    offsets = np.zeros(len(arr) + 1, np.int64)
    np.cumsum(counts, out=offsets[1:])
    keys_arr, values_arr = _entries(arr.keys, arr), _entries(arr.items, arr)
    child_where = RowMap(where, offsets=offsets)
    (_, key_t), (_, val_t) = typ.fields
    keys = to_parsed(keys_arr, key_t, child_where, nulls)
    if not keys.valid.all():
        raise BadValue(child_where[int(np.argmin(keys.valid))], "a MAP cannot have a NULL key")
    if len(counts) and counts.max(initial=0) > 1:
        listed = keys_arr.to_pylist()
        for r in np.flatnonzero(counts > 1).tolist():
            group = listed[offsets[r] : offsets[r + 1]]
            if len(set(map(repr, group))) != len(group):
                raise BadValue(where[r], "a MAP cannot hold the same key twice")
    values = to_parsed(values_arr, val_t, child_where, nulls)
    entry = Parsed(valid=np.ones(len(keys_arr), np.bool_), fields=[keys, values])
    return Parsed(valid=valid, offsets=offsets, child=entry)


_TIMESTAMP_UNITS = {LogicalType.TIMESTAMP: "us", LogicalType.TIMESTAMP_TZ: "us",
                    LogicalType.TIMESTAMP_NS: "ns", LogicalType.TIMESTAMP_MS: "ms",
                    LogicalType.TIMESTAMP_SEC: "s"}


def _leaf(arr, typ, valid, where, nulls) -> Parsed:
    """A scalar level: bytes and numbers taken over, anything else through its text."""
    import pyarrow as pa

    t = arr.type
    if typ is LogicalType.STRING and (pa.types.is_string(t) or pa.types.is_large_string(t)) \
            or typ is LogicalType.BLOB and (pa.types.is_binary(t) or pa.types.is_large_binary(t)
                                            or pa.types.is_string(t)
                                            or pa.types.is_large_string(t)):
        return _bytes(arr, valid)
    if isinstance(typ, LogicalType) and typ.is_integer and pa.types.is_integer(t):
        values = arr.fill_null(0).to_numpy(zero_copy_only=False)
        lo, hi = typ.int_range
        bad = valid & ((values < lo) | (values > hi)) if len(values) else valid
        if bad.any():
            raise BadValue(where[int(np.argmax(bad))], f"value out of range for {typ.value}")
        return Parsed(valid=valid, values=values.astype(typ.dtype))
    if typ in (LogicalType.FLOAT, LogicalType.DOUBLE) and (pa.types.is_floating(t)
                                                           or pa.types.is_integer(t)):
        values = arr.cast(pa.float64()).fill_null(0).to_numpy(zero_copy_only=False)
        return Parsed(valid=valid, values=values.astype(typ.dtype))
    if typ is LogicalType.BOOLEAN and pa.types.is_boolean(t):
        values = arr.fill_null(False).to_numpy(zero_copy_only=False)
        return Parsed(valid=valid, values=values.astype(typ.dtype))
    if typ is LogicalType.DATE and pa.types.is_date32(t):
        days = arr.cast(pa.int32()).fill_null(0).to_numpy(zero_copy_only=False)
        return Parsed(valid=valid, values=days.astype(np.int64).view(typ.dtype))
    if typ in _TIMESTAMP_UNITS and pa.types.is_timestamp(t):
        try:
            ticks = arr.cast(pa.timestamp(_TIMESTAMP_UNITS[typ])).cast(pa.int64())
        except pa.ArrowInvalid:
            raise Unsupported from None
        values = ticks.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
        return Parsed(valid=valid, values=values.view(typ.dtype))
    return _leaf_text(arr, typ, valid, where, nulls)


def _bytes(arr, valid) -> Parsed:
    import pyarrow as pa

    big = pa.large_binary()
    arr = arr.cast(big) if arr.type != big else arr
    if arr.null_count:
        arr = arr.fill_null(b"")
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], np.int64)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(bufs[2], np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    data = data[offsets[0] : offsets[-1]] if len(offsets) else data[:0]
    return Parsed(valid=valid, offsets=(offsets - offsets[0]).astype(np.int64), data=data)


def _leaf_text(arr, typ, valid, where, nulls) -> Parsed:
    """Scalars with no native form here (UUID, DECIMAL, INTERVAL, INT128, a type mismatch):
    their text through the CSV value parser, as a flat column of them would be read."""
    import pyarrow as pa

    try:
        if pa.types.is_duration(arr.type):  # its text is a bare number: say the unit
            import pyarrow.compute as pc

            unit = {"s": " seconds", "ms": " milliseconds", "us": " us", "ns": None}
            if unit[arr.type.unit] is None:
                raise Unsupported
            text = pc.binary_join_element_wise(arr.cast(pa.int64()).cast(pa.large_string()),
                                               unit[arr.type.unit], "")
        else:
            text = arr.cast(pa.large_string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise Unsupported from None
    spans = _bytes(text, valid)
    starts = np.ascontiguousarray(spans.offsets[:-1])
    ends = np.ascontiguousarray(spans.offsets[1:])
    buf = spans.data if len(spans.data) else np.zeros(1, np.uint8)
    return parse_spans(typ, buf, starts, ends, valid.copy(), where, nulls)
