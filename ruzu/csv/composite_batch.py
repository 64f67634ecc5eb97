"""The composite-typed fields of a parsed batch: their text (kept by the record kernel as for
a STRING field) becomes ``Parsed`` trees (ruzu/csv/composite_values.py) once the batch is full.

A bad value aborts the import with the usual ``path:line:column (column): reason. Record: '…'``
error (the record found again by one forward scan for the whole import), or, with
ignore_errors, rejects its row: the row is removed from every buffer of the
batch (so the loaders never see it) and the batch is parsed again.
"""

from __future__ import annotations

import dataclasses
import weakref

import numpy as np

from ..errors import CsvError
from .composite_values import BadValue, NullSpec, parse_values
from .config import Reject
from .lines import LineScanner, records_at_lines


def composite_fields(fields) -> list[int]:
    return [i for i, f in enumerate(fields)
            if f.type is not None and getattr(f.type, "is_composite", False)]


def convert_batch(parser, rows: int) -> int:
    """Parse the composite fields of the first ``rows`` rows into ``parser.typed``; returns the
    number of rows left (fewer when bad rows were rejected)."""
    rows = _convert(parser, rows)
    native = parser.src.native
    if native is not None and rows:  # the rows up to here are parsed: their arrays can go
        native.release_through(int(parser.row_line[rows - 1]))
    return rows


def _convert(parser, rows: int) -> int:
    wanted = parser.composite
    parser.typed = {}
    if not wanted or rows == 0:
        return rows
    if parser.null_spec is None:
        parser.null_spec = NullSpec.of(parser.cfg.null_strings)
    while rows:
        bad = _first_bad_row(parser, rows)
        if bad is None:
            return rows
        row, field, reason = bad
        line = int(parser.row_line[row])
        offset, record = _record_at(parser, line)
        name = parser.fields[field].name
        if not parser.cfg.ignore_errors:
            raise CsvError(
                f"{parser.src.path}:{line}:{field + 1} ({name}): {reason}. Record: '{record}'",
                path=parser.src.path, line=line, column=field + 1, column_name=name,
                reason=reason, record=record)
        parser.note_reject(Reject(parser.src.path, line, offset, field + 1, name, reason,
                                  record))
        _remove_row(parser, row, rows)
        rows -= 1
        parser.rows_total -= 1
    return rows


def _record_at(parser, line: int) -> tuple[int, str]:
    """(offset, text) of the record at ``line``: one forward scan of the input serves every
    rejected value of the import (bad rows come in line order), not one scan each."""
    scanner = getattr(parser, "composite_lines", None)
    if scanner is None:
        scanner = parser.composite_lines = LineScanner(parser.src.path)
        weakref.finalize(parser, scanner.close)
    return records_at_lines(scanner, [line]).get(line, (-1, ""))


def _parse(parser, field: int, rows: int):
    s = parser.slots[field]
    nulls = parser.null_spec
    if parser.oversized:  # one long record, parsed alone: its elements within the budget
        nulls = dataclasses.replace(nulls, element_budget=oversized_element_budget(parser.cfg))
    native = parser.src.native
    if native is not None:  # a nested Arrow column: its values as they are, not its text
        parsed = native.parsed(field, parser.row_line[:rows], parser.fields[field].type, nulls)
        if parsed is not None:
            return parsed
    return parse_values(parser.fields[field].type, parser.sbytes[s], parser.soffs[s, : rows + 1],
                        parser.valid[field, :rows].view(np.bool_), nulls)


def oversized_element_budget(cfg) -> int:
    """Bytes the parsed elements of one oversized record may take: half of ``memory_limit``
    (80 MB at the default: 9.3 M numbers, or 1.7 M strings, in one list)."""
    return cfg.memory_limit // 2


def _first_bad_row(parser, rows: int):
    """Parse every composite field of the batch into ``parser.typed``; None when all rows are
    good, else (row, field, reason) of the first bad row (lowest row, then field)."""
    first = None
    for f in parser.composite:
        limit = rows if first is None else first[0] + 1
        try:
            parsed = _parse(parser, f, limit)
        except BadValue as bad:
            found = (bad.row, f, bad.reason)
            while found[0] > 0:  # a kernel may meet a later row's error first: look before it
                try:
                    _parse(parser, f, found[0])
                    break
                except BadValue as earlier:
                    found = (earlier.row, f, earlier.reason)
            if first is None or found[0] < first[0]:
                first = found
            continue
        if first is None:
            parser.typed[f] = parsed
    return first


def _remove_row(parser, row: int, rows: int) -> None:
    """Delete batch row ``row`` from every buffer, in place."""
    keep = np.ones(rows, np.bool_)
    keep[row] = False
    parser.ivals[:, : rows - 1] = parser.ivals[:, :rows][:, keep]
    parser.fvals[:, : rows - 1] = parser.fvals[:, :rows][:, keep]
    parser.valid[:, : rows - 1] = parser.valid[:, :rows][:, keep]
    parser.row_line[: rows - 1] = parser.row_line[:rows][keep]
    for s in range(parser.soffs.shape[0]):
        offs = parser.soffs[s]
        a, b = int(offs[row]), int(offs[row + 1])
        end = int(offs[rows])
        data = parser.sbytes[s]
        data[a : end - (b - a)] = data[b:end].copy()
        offs[row + 1 : rows] = offs[row + 2 : rows + 1] - (b - a)
