"""Batch parsing: drives the numba record kernel over a CsvSource and hands out full batches.

A ``BatchParser`` owns fixed-size per-field buffers (integers, floats, validity, string offsets
and bytes) sized from the row count *and* a byte budget, so long strings end a batch early
instead of growing memory. Bad records become a ``CsvError`` (abort) or ``Reject``s (ignore).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from .._jit import parallel_threads
from ..errors import CsvError, TooManyErrorsError
from ..types import LogicalType
from . import _kernels as K
from ._kernels.records import _parse_core
from .composite_batch import composite_fields, convert_batch
from .config import PROGRESS_EVERY_ROWS, CsvImportConfig, Reject
from .reader import CsvSource

MAX_KEPT_REJECTS = 10_000  # rejects kept on the ImportResult; all are passed to on_reject
_REJECT_SLOTS = 1024

_KIND_OF = {
    LogicalType.UINT64: K.KIND_UINT64,
    LogicalType.FLOAT: K.KIND_FLOAT,
    LogicalType.DOUBLE: K.KIND_FLOAT,
    LogicalType.BOOLEAN: K.KIND_BOOL,
    LogicalType.DATE: K.KIND_DATE,
    LogicalType.TIMESTAMP: K.KIND_TIMESTAMP,
    LogicalType.STRING: K.KIND_STRING,
}


def field_kind(typ: LogicalType) -> int:
    if getattr(typ, "is_composite", False):  # kept as text, parsed by composite_batch
        return K.KIND_STRING
    return _KIND_OF.get(typ, K.KIND_INT)


@dataclass(frozen=True)
class FieldSpec:
    """One CSV field: its name (for messages), type (None: skipped) and NULL policy."""

    name: str
    type: LogicalType | None
    not_null: bool = False
    role: str = ""  # e.g. "FROM key (Person.id)": names a NULL where one is not allowed


def read_header(src: CsvSource, cfg: CsvImportConfig) -> list[str] | None:
    """Parse the header record (or return None when the config says there is none)."""
    if not cfg.header:
        return None
    delim, quote, escape = cfg.dialect_bytes
    max_fields = 4096
    out_bytes = np.empty(1 << 16, np.uint8)
    out_offs = np.zeros(max_fields + 1, np.int64)
    while True:
        view = src.buf[src.pos : src.n]
        status, nfields, consumed, lines, err = K._split_record(
            view, len(view), src.eof, delim, quote, escape, out_bytes, out_offs
        )
        if status == K.ST_NEED_MORE and not src.eof:
            src.need_more()
            continue
        if status == K.ST_ROW_TOO_LARGE:
            if len(out_bytes) >= 1 << 24:
                raise CsvError(f"{src.path}:{src.line}: header record is too large",
                               path=src.path, line=src.line)
            out_bytes = np.empty(len(out_bytes) * 4, np.uint8)
            continue
        if err:
            reason = K.ERROR_REASONS.get(err, "invalid record").split(",")[0]
            raise CsvError(f"{src.path}:{src.line}: header: {reason}", path=src.path,
                           line=src.line, reason=reason)
        src.advance(consumed, lines)
        if nfields == 0:
            return []
        raw = bytes(out_bytes[: out_offs[nfields]])
        names = []
        for i in range(nfields):
            piece = raw[out_offs[i] : out_offs[i + 1]]
            try:
                names.append(piece.decode("utf-8").strip())
            except UnicodeDecodeError:
                raise CsvError(f"{src.path}:{src.line}: header is not valid UTF-8",
                               path=src.path, line=src.line, reason="invalid UTF-8") from None
        return names


def skip_records(src: CsvSource, cfg: CsvImportConfig, count: int) -> None:
    delim, quote, escape = cfg.dialect_bytes
    left = count
    while left > 0:
        view = src.buf[src.pos : src.n]
        status, skipped, consumed, lines = K._skip_records(
            view, len(view), src.eof, delim, quote, escape, left
        )
        src.advance(consumed, lines)
        left -= skipped
        if left and status == K.ST_NEED_MORE:
            if src.eof:
                return
            src.need_more()


class Batch:
    """A view of the parser's buffers holding ``rows`` parsed rows (valid until the next one)."""

    def __init__(self, parser: BatchParser, rows: int, first_row: int) -> None:
        self._p = parser
        self.rows = rows
        self.first_row = first_row  # index of the batch's first row among all stored rows

    def values(self, field: int) -> np.ndarray:
        """Parsed values of a non-string field: int64 (uint64 bit patterns for UINT64, days for
        DATE, microseconds for TIMESTAMP) or float64."""
        p = self._p
        if p.kinds[field] == K.KIND_FLOAT:
            return p.fvals[p.slots[field], : self.rows]
        return p.ivals[p.slots[field], : self.rows]

    def strings(self, field: int) -> tuple[np.ndarray, np.ndarray]:
        """(offsets int64[rows + 1], bytes) of a STRING field."""
        s = self._p.slots[field]
        return self._p.soffs[s, : self.rows + 1], self._p.sbytes[s]

    def valid(self, field: int) -> np.ndarray:
        return self._p.valid[field, : self.rows]

    def typed(self, field: int):
        """The parsed values of a composite-typed field (ruzu/storage/composite_columns.Parsed)."""
        return self._p.typed[field]

    @property
    def lines(self) -> np.ndarray:
        return self._p.row_line[: self.rows]


class BatchParser:
    def __init__(
        self,
        src: CsvSource,
        fields: list[FieldSpec],
        cfg: CsvImportConfig,
        *,
        on_reject: Callable[[Reject], None] | None = None,
        on_tick: Callable[[int], None] | None = None,
    ) -> None:
        self.src = src
        self.fields = fields
        self.cfg = cfg
        self.on_reject = on_reject
        self.on_tick = on_tick
        self.rejects: list[Reject] = []
        self.reject_count = 0
        self.rows_total = 0
        self.records_total = 0  # records consumed (stored + rejected), for resuming
        nf = len(fields)
        self.kinds = np.array([K.KIND_SKIP if f.type is None else field_kind(f.type)
                               for f in fields], np.int8)
        self.notnull = np.array([f.not_null for f in fields], np.uint8)
        self.int_min = np.zeros(nf, np.int64)
        self.int_max = np.zeros(nf, np.int64)
        self.slots = np.zeros(nf, np.int32)
        counts = {"i": 0, "f": 0, "s": 0}
        for i, f in enumerate(fields):
            k = self.kinds[i]
            if k == K.KIND_SKIP:
                continue
            group = "f" if k == K.KIND_FLOAT else "s" if k == K.KIND_STRING else "i"
            self.slots[i] = counts[group]
            counts[group] += 1
            if k == K.KIND_INT:
                lo, hi = f.type.int_range
                self.int_min[i], self.int_max[i] = lo, hi
        row_bytes = 8 * (counts["i"] + counts["f"] + counts["s"] + 1) + nf
        budget = max(1 << 20, cfg.budgets.parse)
        self.capacity = max(1, min(cfg.batch_size, budget // max(row_bytes, 1)))
        self.ivals = np.zeros((max(counts["i"], 1), self.capacity), np.int64)
        self.fvals = np.zeros((max(counts["f"], 1), self.capacity), np.float64)
        self.valid = np.zeros((max(nf, 1), self.capacity), np.uint8)
        self.soffs = np.zeros((max(counts["s"], 1), self.capacity + 1), np.int64)
        self.string_bytes = max(1 << 16, min(self.capacity * 32, budget // 2))
        # A record whose strings do not fit is parsed alone into a buffer grown to its length
        # (np.zeros: only the pages written count, so one field's bytes, not one per column).
        self.string_limit = max(self.string_bytes, src.max_record_bytes)
        self.oversized = False  # parsing one such record: a batch of one row
        self.sbytes = np.zeros((max(counts["s"], 1), self.string_bytes), np.uint8)
        self.row_line = np.zeros(self.capacity, np.int64)
        self.rej = np.zeros((_REJECT_SLOTS, 6), np.int64)
        nulls = [s.encode("utf-8") for s in cfg.null_strings]
        self.null_bytes = np.frombuffer(b"".join(nulls) or b"\0", np.uint8).copy()
        self.null_offs = np.array([0] + list(np.cumsum([len(b) for b in nulls])), np.int64)
        self.composite = composite_fields(fields)
        self.typed: dict = {}
        self.null_spec = None

    # -- the loop -----------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Batch]:
        src = self.src
        delim, quote, escape = self.cfg.dialect_bytes
        ignore = 1 if self.cfg.ignore_errors else 0
        kuzu_rows = 1 if self.cfg.column_mapping == "position" else 0  # Kùzu's COPY rules
        # Block-parallel parsing needs exact record starts from quote parity: RFC 4180 quoting
        # (escape == quote) only; the kernel itself falls back to serial where a block fails.
        threads = self.cfg.threads or os.cpu_count() or 1
        parallel = threads > 1 and escape == quote
        bytes_per_row = 0.0
        rows = 0
        while True:
            cap = 1 if self.oversized else min(self.capacity - rows, PROGRESS_EVERY_ROWS)
            end = src.n
            blocks = parallel and rows == 0 and bytes_per_row and not self.oversized
            if blocks:
                # a view of about ``cap`` rows, so the blocks fit the batch buffers
                end = min(src.n, src.pos + max(1 << 16, int(cap * bytes_per_row * 0.9)))
            limited = end < src.n
            view = src.buf[src.pos : end]
            start = src.pos
            args = (
                view, len(view), src.eof and not limited, delim, quote, escape, src.line,
                self.kinds, self.slots, self.notnull, self.int_min, self.int_max,
                self.null_bytes, self.null_offs, ignore, cap,
            )
            if blocks:
                with parallel_threads(threads):  # numba's threads: the config's count
                    result = K._parse_records_parallel(
                        *args, self.ivals, self.fvals, self.valid, self.soffs, self.sbytes,
                        self.row_line, self.rej, threads, kuzu_rows)
            else:
                # _parse_records on the whole buffers from row ``rows`` on: slices
                # (``ivals[:, rows:]``) would be C-contiguous at rows == 0 only, and each
                # layout is another specialization of the parser (issue 16: 6 s more compiling)
                result = _parse_core(
                    view, 0, len(view), len(view), *args[2:15], rows + cap, rows, 0,
                    self.ivals, self.fvals, self.valid, self.soffs, self.sbytes,
                    self.row_line, self.rej, self.sbytes.shape[1], kuzu_rows)
                result = (result[0], result[1] - rows, *result[2:])
            (status, got, consumed, lines, records, nrej, ecode, efield, eline, epos,
             egot) = result
            for r in range(nrej):
                self._reject(self.rej[r], start)
            src.advance(consumed, lines)
            rows += got
            self.rows_total += got
            self.records_total += records
            if records:
                bytes_per_row = consumed / records
            if status == K.ST_ERROR:
                raise self._error(ecode, efield, eline, start + epos, egot)
            if status == K.ST_REJECTS_FULL:
                continue
            if status == K.ST_ROW_TOO_LARGE and rows == 0:
                self._grow_strings(len(view))  # the record is complete in the view
                continue
            if status in (K.ST_BATCH_FULL, K.ST_ROW_TOO_LARGE) or rows == self.capacity:
                rows = convert_batch(self, rows)
                if rows:
                    yield Batch(self, rows, self.rows_total - rows)
                    rows = 0
                    self.soffs[:, 0] = 0
                if self.oversized:
                    self._normal_strings()
                continue
            # ST_NEED_MORE: the view's complete records are consumed
            if limited:
                if consumed == 0:  # one record longer than the view: parse it serially
                    bytes_per_row = 0.0
                continue
            if src.eof:
                rows = convert_batch(self, rows)
                if rows:
                    yield Batch(self, rows, self.rows_total - rows)
                return
            if self.on_tick is not None and rows:
                # A batch that spans several buffer fills reports between them; a finished
                # batch is reported by the loader, once (issue 16: it was reported twice).
                self.on_tick(self.rows_total)
            src.need_more()

    def _grow_strings(self, record_bytes: int) -> None:
        """Room for one record of at most ``record_bytes`` (no field is longer than its
        record), parsed as a batch of its own."""
        if self.sbytes.shape[1] >= self.string_limit:
            raise CsvError(
                f"{self.src.path}:{self.src.line}: a record's strings exceed the "
                f"{self.string_limit:,}-byte limit (raise memory_limit)",
                path=self.src.path, line=self.src.line, reason="field too large",
            )
        size = min(max(record_bytes, self.sbytes.shape[1] * 2), self.string_limit)
        self.sbytes = np.zeros((self.sbytes.shape[0], size), np.uint8)
        self.oversized = True

    def _normal_strings(self) -> None:
        """After an oversized record: the normal buffer again (the long one's pages freed)."""
        self.sbytes = np.zeros((self.sbytes.shape[0], self.string_bytes), np.uint8)
        self.typed = {}
        self.oversized = False

    # -- errors -------------------------------------------------------------------------------
    def _describe(self, code: int, field: int, got: int) -> tuple[str, int | None, str | None]:
        reason = K.ERROR_REASONS.get(int(code), f"error {code}")
        reason = reason.format(expected=len(self.fields), got=got)
        if field < 0 or code in (K.E_TOO_FEW_FIELDS, K.E_TOO_MANY_FIELDS):
            return reason, None, None
        if code == K.E_NULL_NOT_ALLOWED and self.fields[field].role:
            reason = f"NULL {self.fields[field].role}"
        return reason, int(field) + 1, self.fields[field].name

    def _error(self, code, field, line, pos, got) -> CsvError:
        reason, col, name = self._describe(code, field, got)
        record = self.src.record_text(pos)
        where = f"{self.src.path}:{line}" + (f":{col} ({name})" if col else "")
        hint = self._header_hint(int(line), record)
        return CsvError(f"{where}: {reason}{hint}. Record: '{record}'", path=self.src.path,
                        line=int(line), column=col, column_name=name, reason=reason,
                        record=record)

    def _header_hint(self, line: int, record: str) -> str:
        """" (line 1 looks like a header …)" when the file was read without a header and its
        first record names the columns."""
        if self.cfg.header or line != 1:
            return ""
        delim = chr(self.cfg.dialect_bytes[0])
        values = {v.strip().strip(chr(self.cfg.dialect_bytes[1])).lower()
                  for v in record.split(delim)}
        names = {f.name.lower() for f in self.fields if f.name}
        if not names or len(values & names) * 2 <= len(names):
            return ""
        return (" (line 1 looks like a header: the import was told there is none, e.g. "
                "--no-header or HEADER=false)")

    def _reject(self, row: np.ndarray, base: int) -> None:
        line, start, end, field, code, got = (int(x) for x in row)
        reason, col, name = self._describe(code, field, got)
        reject = Reject(self.src.path, line, self.src.offset + base + start, col, name, reason,
                        self.src.text(base + start, base + end))
        self.note_reject(reject)

    def note_reject(self, reject: Reject) -> None:
        line, reason = reject.line, reject.reason
        self.reject_count += 1
        if len(self.rejects) < MAX_KEPT_REJECTS:
            self.rejects.append(reject)
        if self.on_reject is not None:
            self.on_reject(reject)
        tol = self.cfg.bad_tolerance
        if tol is not None and self.reject_count > tol:
            raise TooManyErrorsError(
                f"{self.src.path}: more than {tol} bad rows (bad_tolerance); the last: "
                f"line {line}: {reason}", path=self.src.path, line=line, reason=reason,
            )
