"""Turn the text of composite-typed CSV fields (LIST, ARRAY, STRUCT, MAP, UNION, UUID, BLOB,
INTERVAL, DECIMAL, INT128, TIMESTAMP_NS/MS/SEC/TZ) into column-shaped arrays.

The record kernel hands such a field over as text (like a STRING); ``parse_values`` then works
one nesting level at a time over a whole batch: a numba kernel (``_values_nested``) splits every
value of the level into element spans, and the next level converts those spans. The result is
a ``Parsed`` tree shaped like the column files (offsets + child, one validity per level), which
ruzu/storage/columns.py appends (``Parsed`` is defined there, in ``composite_columns``). A bad
value raises ``BadValue`` naming the batch row.
"""

from __future__ import annotations

import decimal
import re
from dataclasses import dataclass

import numpy as np

from ..storage.composite_columns import Parsed
from ..types import (
    CompositeType,
    LogicalType,
    interval_to_timedelta,
    is_composite,
    map_entry_type,
    parse_interval,
    union_storage_type,
)
from . import _kernels as K
from . import _values_nested as N


class BadValue(Exception):
    def __init__(self, row: int, reason: str) -> None:
        super().__init__(reason)
        self.row = int(row)
        self.reason = reason


@dataclass(frozen=True)
class NullSpec:
    """The null strings (for STRING elements) as the kernels take them, and the bytes the
    elements of one oversized record may take once parsed (0: not checked)."""

    data: np.ndarray
    offs: np.ndarray
    element_budget: int = 0

    @classmethod
    def of(cls, null_strings) -> NullSpec:
        nulls = [s.encode("utf-8") for s in null_strings]
        data = np.frombuffer(b"".join(nulls) or b"\0", np.uint8).copy()
        return cls(data, np.array([0, *np.cumsum([len(b) for b in nulls])], np.int64))


def parse_values(typ, buf: np.ndarray, offsets: np.ndarray, valid: np.ndarray,
                 nulls: NullSpec) -> Parsed:
    """Parse a batch of one field: ``buf[offsets[i]:offsets[i+1]]`` is row i's text."""
    starts = np.ascontiguousarray(offsets[:-1])
    ends = np.ascontiguousarray(offsets[1:])
    present = np.ascontiguousarray(valid).astype(np.bool_)
    return _level(typ, buf, starts, ends, present, _Rows(), nulls)


class _Rows:
    """Maps a value index of one level to its batch row; only asked when a value is bad, so a
    level costs nothing per element (rather than a row number per element)."""

    def __init__(self, parent: _Rows | None = None, offsets=None, size: int = 0,
                 shift: int = 0) -> None:
        self.parent, self.offsets, self.size, self.shift = parent, offsets, size, shift

    def __getitem__(self, i) -> int:
        i = int(i) + self.shift
        if self.parent is None:
            return i
        if self.offsets is not None:
            i = int(np.searchsorted(self.offsets, i, side="right")) - 1
        elif self.size:
            i //= self.size
        return self.parent[i]


# -- one level ---------------------------------------------------------------------------------
def _level(typ, buf, starts, ends, valid, where, nulls) -> Parsed:
    if is_composite(typ) and typ.kind in ("LIST", "ARRAY", "STRUCT", "MAP", "UNION"):
        return _NESTED[typ.kind](typ, buf, starts, ends, valid, where, nulls)
    return _scalar(typ, buf, starts, ends, valid, where)


def _element_validity(typ, buf, starts, ends, present, nulls) -> np.ndarray:
    valid = np.empty(len(starts), np.bool_)
    N._mark_nulls(buf, starts, ends, present, typ is LogicalType.STRING, nulls.data, nulls.offs,
                  valid)
    return valid


def _check(code: int, bad: int, where, reason: str) -> None:
    if code != N.OK:
        if code == N.TOO_DEEP:
            reason = "nested too deeply"
        raise BadValue(where[bad], reason)


# Bytes per parsed element while a level is converted: a number's value and validity (9), or
# the spans, validity and offsets of any other element (~42) plus its own bytes.
_CLASSIC_ELEMENT_BYTES, _ELEMENT_BYTES = 9, 48


def _check_budget(elements: int, classic: bool, nulls: NullSpec, where, typ) -> None:
    """An oversized record (parsed alone) whose elements would outgrow the import's memory
    budget is refused rather than allowed to break the memory contract."""
    need = elements * (_CLASSIC_ELEMENT_BYTES if classic else _ELEMENT_BYTES)
    if nulls.element_budget and need > nulls.element_budget:
        raise BadValue(where[0], f"{typ.value} value of {elements:,} elements needs about "
                                 f"{need >> 20:,} MB once parsed, more than the "
                                 f"{nulls.element_budget >> 20:,} MB one long record may "
                                 "take (raise memory_limit)")


def _classic_kind(typ) -> int | None:
    if typ in _CLASSIC_KIND:
        return _CLASSIC_KIND[typ]
    if isinstance(typ, LogicalType) and typ.is_integer:
        return K.KIND_INT
    return None


def _split(buf, starts, ends, valid, mode, counts, cs=None, ce=None, kind=0, lo=0, hi=0,
           out_i=None, out_f=None, out_valid=None):
    e64, e8 = np.zeros(0, np.int64), np.zeros(0, np.bool_)
    return N._split_lists(buf, starts, ends, valid, mode, e64 if cs is None else cs,
                          e64 if ce is None else ce, counts, kind, lo, hi,
                          e64 if out_i is None else out_i,
                          e64.view(np.float64) if out_f is None else out_f,
                          e8 if out_valid is None else out_valid)


def _list(typ, buf, starts, ends, valid, where, nulls) -> Parsed:
    n = len(starts)
    counts = np.zeros(n, np.int64)
    what = f"invalid {typ.value} value"
    code, bad, _ = _split(buf, starts, ends, valid, N.COUNT, counts)
    _check(code, bad, where, what + " (expected [a, b, …] with balanced brackets)")
    total = int(counts.sum())
    _check_budget(total, _classic_kind(typ.child) is not None, nulls, where, typ)
    if typ.kind == "ARRAY":
        wrong = valid & (counts != typ.size)
        if wrong.any():
            i = int(np.argmax(wrong))
            raise BadValue(where[i], f"an ARRAY {typ.value} needs {typ.size} elements, "
                                     f"got {int(counts[i])}")
    kind = _classic_kind(typ.child)
    if kind is not None:  # numbers, dates…: split and convert in one pass, no spans kept
        return _list_of_classic(typ, kind, buf, starts, ends, valid, where, counts, total)
    cs, ce = np.empty(total, np.int64), np.empty(total, np.int64)
    _split(buf, starts, ends, valid, N.SPANS, counts, cs, ce)
    if typ.kind == "ARRAY":
        full_s = np.zeros(n * typ.size, np.int64)
        full_e = np.zeros(n * typ.size, np.int64)
        slots = np.repeat(valid, typ.size)
        full_s[slots], full_e[slots] = cs, ce
        cs, ce = full_s, full_e
        counts = np.full(n, typ.size, np.int64)
        present = slots
    else:
        present = np.ones(total, np.bool_)
    child_where = _Rows(where, size=typ.size) if typ.kind == "ARRAY" else _Rows(
        where, offsets=np.concatenate([[0], np.cumsum(counts)]))
    child_valid = _element_validity(typ.child, buf, cs, ce, present, nulls)
    child = _level(typ.child, buf, cs, ce, child_valid, child_where, nulls)
    out = Parsed(valid=valid, child=child)
    if typ.kind == "LIST":
        out.offsets = child_where.offsets.astype(np.int64, copy=False)
    return out


def _list_of_classic(typ, kind, buf, starts, ends, valid, where, counts, total) -> Parsed:
    lo, hi = typ.child.int_range if kind == K.KIND_INT else (0, 0)
    out_i = np.zeros(total, np.int64)
    out_valid = np.zeros(total, np.bool_)
    code, bad, conv = _split(buf, starts, ends, valid, N.VALUES, counts, kind=kind, lo=lo, hi=hi,
                             out_i=out_i, out_f=out_i.view(np.float64), out_valid=out_valid)
    if code != N.OK:
        raise BadValue(where[bad], K.ERROR_REASONS[int(conv)] + " in a list element")
    child = Parsed(valid=out_valid, values=_as_column(typ.child, kind, out_i))
    if typ.kind == "ARRAY":
        slots = np.repeat(valid, typ.size)
        full = Parsed(valid=np.zeros(len(slots), np.bool_),
                      values=np.zeros(len(slots), child.values.dtype))
        full.valid[slots], full.values[slots] = child.valid, child.values
        return Parsed(valid=valid, child=full)
    offsets = np.zeros(len(counts) + 1, np.int64)
    np.cumsum(counts, out=offsets[1:])
    return Parsed(valid=valid, offsets=offsets, child=child)


def _as_column(typ, kind: int, out_i: np.ndarray) -> np.ndarray:
    """The converter's int64 slots as the column's dtype."""
    if kind == K.KIND_FLOAT:
        return out_i.view(np.float64).astype(typ.dtype, copy=False)
    if typ in _TIMESTAMP_SCALE:
        scale = _TIMESTAMP_SCALE[typ]
        values = out_i * scale if scale > 1 else out_i // round(1 / scale)
        return values.astype(np.int64).view(typ.dtype)
    if kind in (K.KIND_DATE, K.KIND_TIMESTAMP):
        return out_i.view(typ.dtype)
    if kind == K.KIND_UINT64:
        return out_i.view(np.uint64)
    return out_i.astype(typ.dtype, copy=False)


def _struct(typ, buf, starts, ends, valid, where, nulls) -> Parsed:
    if typ.kind == "UNION":
        return _union(typ, buf, starts, ends, valid, where, nulls)
    n, nf = len(starts), len(typ.fields)
    names = [name.upper().encode("utf-8") for name, _ in typ.fields]
    name_bytes = np.frombuffer(b"".join(names), np.uint8).copy()
    name_offs = np.array([0, *np.cumsum([len(x) for x in names])], np.int64)
    fs, fe = np.zeros((n, nf), np.int64), np.zeros((n, nf), np.int64)
    given = np.zeros((n, nf), np.bool_)
    code, bad = N._split_structs(buf, starts, ends, valid, name_bytes, name_offs, fs, fe, given)
    if code == N.UNKNOWN_FIELD:
        raise BadValue(where[bad], f"invalid {typ.value} value: unknown field name "
                                   f"(fields: {', '.join(typ.field_names)})")
    _check(code, bad, where, f"invalid {typ.value} value (expected {{name: value, …}})")
    out = Parsed(valid=valid)
    for f, (_, ftyp) in enumerate(typ.fields):
        s, e = np.ascontiguousarray(fs[:, f]), np.ascontiguousarray(fe[:, f])
        fvalid = _element_validity(ftyp, buf, s, e, np.ascontiguousarray(given[:, f]), nulls)
        out.fields.append(_level(ftyp, buf, s, e, fvalid, where, nulls))
    return out


def _map(typ, buf, starts, ends, valid, where, nulls) -> Parsed:
    n = len(starts)
    counts = np.zeros(n, np.int64)
    empty = np.zeros(0, np.int64)
    code, bad = N._split_maps(buf, starts, ends, valid, False, empty, empty, empty, empty, counts)
    _check(code, bad, where, f"invalid {typ.value} value (expected {{key=value, …}})")
    total = int(counts.sum())
    _check_budget(2 * total, False, nulls, where, typ)
    ks, ke, vs, ve = (np.empty(total, np.int64) for _ in range(4))
    N._split_maps(buf, starts, ends, valid, True, ks, ke, vs, ve, counts)
    child_where = _Rows(where, offsets=np.concatenate([[0], np.cumsum(counts)]))
    present = np.ones(total, np.bool_)
    (_, key_t), (_, val_t) = typ.fields
    kvalid = _element_validity(key_t, buf, ks, ke, present, nulls)
    if not kvalid.all():
        raise BadValue(child_where[int(np.argmin(kvalid))], "a MAP key cannot be NULL")
    keys = _level(key_t, buf, ks, ke, kvalid, child_where, nulls)
    _check_unique_keys(buf, ks, ke, counts, child_where)
    vvalid = _element_validity(val_t, buf, vs, ve, present, nulls)
    values = _level(val_t, buf, vs, ve, vvalid, child_where, nulls)
    entries = Parsed(valid=np.ones(total, np.bool_), fields=[keys, values])
    return Parsed(valid=valid, offsets=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
                  child=entries)


def _check_unique_keys(buf, ks, ke, counts, where) -> None:
    if not len(counts) or counts.max(initial=0) < 2:
        return
    raw = bytes(buf[: int(ke.max(initial=0))])
    pos = 0
    for c in counts.tolist():
        if c > 1:
            keys = [raw[ks[j]:ke[j]] for j in range(pos, pos + c)]
            if len(set(keys)) != c:
                raise BadValue(where[pos], "a MAP cannot hold the same key twice")
        pos += c


def _union(typ, buf, starts, ends, valid, where, nulls) -> Parsed:
    """As Kùzu: the value goes to the first member type its text converts to."""
    n = len(starts)
    members = typ.fields
    tags = np.zeros(n, np.int64)
    chosen = np.zeros(n, np.bool_)
    parsed_members = []
    for m, (_, mtyp) in enumerate(members):
        ok = np.zeros(n, np.bool_)
        for i in np.flatnonzero(valid & ~chosen).tolist():
            one = _element_validity(mtyp, buf, starts[i : i + 1], ends[i : i + 1],
                                    np.ones(1, np.bool_), nulls)
            try:
                _level(mtyp, buf, starts[i : i + 1], ends[i : i + 1], one,
                       _Rows(where, shift=i), nulls)
            except BadValue:
                continue
            ok[i] = True
        tags[ok] = m
        chosen |= ok
        mvalid = _element_validity(mtyp, buf, starts, ends, ok, nulls)
        parsed_members.append(_level(mtyp, buf, starts, ends, mvalid, where, nulls))
    if (valid & ~chosen).any():
        i = int(np.argmax(valid & ~chosen))
        raise BadValue(where[i], f"invalid {typ.value} value: no member type fits")
    tag = Parsed(valid=valid.copy(), values=tags.astype(np.uint8))
    return Parsed(valid=valid, fields=[tag, *parsed_members])


# for arrow_values.py, which reads nested Arrow values natively down to their leaves
RowMap = _Rows
parse_spans = _level

_NESTED = {"LIST": _list, "ARRAY": _list, "STRUCT": _struct, "UNION": _struct, "MAP": _map}


# -- scalars -----------------------------------------------------------------------------------
_CLASSIC_KIND = {
    LogicalType.UINT64: K.KIND_UINT64, LogicalType.FLOAT: K.KIND_FLOAT,
    LogicalType.DOUBLE: K.KIND_FLOAT, LogicalType.BOOLEAN: K.KIND_BOOL,
    LogicalType.DATE: K.KIND_DATE, LogicalType.TIMESTAMP: K.KIND_TIMESTAMP,
    LogicalType.TIMESTAMP_TZ: K.KIND_TIMESTAMP, LogicalType.TIMESTAMP_NS: K.KIND_TIMESTAMP,
    LogicalType.TIMESTAMP_MS: K.KIND_TIMESTAMP, LogicalType.TIMESTAMP_SEC: K.KIND_TIMESTAMP,
}
_TIMESTAMP_SCALE = {LogicalType.TIMESTAMP_NS: 1000, LogicalType.TIMESTAMP_MS: 1 / 1000,
                    LogicalType.TIMESTAMP_SEC: 1 / 1_000_000}


def _scalar(typ, buf, starts, ends, valid, where) -> Parsed:
    n = len(starts)
    if typ is LogicalType.STRING or typ is LogicalType.BLOB:
        lengths = np.where(valid, ends - starts, 0)
        offsets = np.zeros(n + 1, np.int64)
        data = np.empty(int(lengths.sum()), np.uint8)
        if typ is LogicalType.STRING:
            bad = N._gather_spans(buf, starts, ends, valid, offsets, data)
            if bad >= 0:
                raise BadValue(where[bad], "invalid UTF-8")
        else:
            bad = N._decode_blobs(buf, starts, ends, valid, offsets, data)
            if bad >= 0:
                raise BadValue(where[bad], "invalid BLOB (escape bytes as \\xHH; non-ASCII "
                                           "bytes must be escaped)")
            data = data[: offsets[-1]]
        return Parsed(valid=valid, offsets=offsets, data=data)
    if typ is LogicalType.UUID:
        out = np.zeros((n, 16), np.uint8)
        bad = N._parse_uuids(buf, starts, ends, valid, out)
        if bad >= 0:
            raise BadValue(where[bad], "invalid UUID")
        return Parsed(valid=valid, values=out.view("V16").reshape(n))
    if typ in _CLASSIC_KIND or (isinstance(typ, LogicalType) and typ.is_integer):
        kind = _CLASSIC_KIND.get(typ, K.KIND_INT)
        lo, hi = typ.int_range if kind == K.KIND_INT else (0, 0)
        out_i = np.zeros(n, np.int64)
        out_f = out_i.view(np.float64)  # one buffer: the kernel writes one of the two
        code, bad = N._convert_spans(buf, starts, ends, valid, kind, lo, hi, out_i, out_f)
        if code != K.E_NONE:
            raise BadValue(where[bad], K.ERROR_REASONS[int(code)])
        return Parsed(valid=valid, values=_as_column(typ, kind, out_i))
    convert, dtype = _PY_SCALARS[typ.kind if is_composite(typ) else typ]
    values = np.zeros(n, dtype)
    for i in np.flatnonzero(valid).tolist():
        text = bytes(buf[starts[i] : ends[i]]).decode("utf-8", "replace").strip()
        try:
            values[i] = convert(text, typ)
        except (ValueError, ArithmeticError) as e:
            raise BadValue(where[i], str(e)) from None
    return Parsed(valid=valid, values=values)


# -- scalars converted in Python (rare in bulk) --------------------------------------------------
def int128_parts(v: int) -> tuple[int, int]:
    return v & (2**64 - 1), v >> 64


def _int128(text: str, _typ) -> tuple:
    if not re.fullmatch(r"-?\d+", text):  # Kùzu takes no "+"
        raise ValueError("invalid INT128")
    v = int(text)
    if not -(2**127) <= v < 2**127:
        raise ValueError("INT128 out of range")
    return int128_parts(v)


def _decimal(text: str, typ: CompositeType) -> tuple:
    if not re.fullmatch(r"-?(\d+\.?\d*|\.\d+)", text):  # Kùzu takes no "+" or exponent
        raise ValueError(f"invalid {typ.value}")
    with decimal.localcontext(prec=100):  # exact: values have at most 38 digits
        scaled = decimal.Decimal(text).scaleb(typ.scale).quantize(
            decimal.Decimal(1), rounding=decimal.ROUND_HALF_UP)
    v = int(scaled)
    if abs(v) >= 10**typ.precision:
        raise ValueError(f"{text} is out of range for {typ.value}")
    return int128_parts(v)


_PY_SCALARS = {
    LogicalType.INT128: (_int128, LogicalType.INT128.dtype),
    "DECIMAL": (_decimal, LogicalType.INT128.dtype),
    LogicalType.INTERVAL: (parse_interval, LogicalType.INTERVAL.dtype),
}


__all__ = ["BadValue", "NullSpec", "Parsed", "parse_values", "parse_interval",
           "interval_to_timedelta", "map_entry_type", "union_storage_type"]
