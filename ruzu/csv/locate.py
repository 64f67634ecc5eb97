"""Error paths that need to find rows again in an input file: the line of a stored row (by
parsing the file again; the raw records at lines are in ``lines``). They re-read the file; the
fast import path keeps no per-row positions."""

from __future__ import annotations

import numpy as np

from ..types import LogicalType
from .config import CsvImportConfig
from .parser import BatchParser, FieldSpec, read_header, skip_records
from .reader import CsvSource
from .rereadable import require_rereadable


def locate_rows(path: str, cfg: CsvImportConfig, fields: list[FieldSpec], rows: list[int],
                key_fields: tuple[int, ...] = ()) -> dict:
    """Line numbers of the given stored-row indices of ``path`` (with ``key_fields``: the pair
    (line, [text of each key field])). It parses the file again with the same fields, so rows
    rejected in ignore mode are skipped alike."""
    return dict(iter_located(path, cfg, fields, sorted(set(rows)), key_fields))


def iter_located(path: str, cfg: CsvImportConfig, fields: list[FieldSpec], wanted,
                 key_fields: tuple[int, ...] = ()):
    """(row, line) — with ``key_fields`` (row, (line, [key texts])) — for the ascending
    stored-row indices ``wanted``, in that order, from one forward parse of ``path``: any
    number of rows in bounded memory."""
    if not len(wanted):
        return
    require_rereadable(path, "naming the line of a duplicate key or a missing endpoint")
    i = 0
    with CsvSource.for_config(path, cfg) as src:
        read_header(src, cfg)
        skip_records(src, cfg, cfg.skip_rows)
        for batch in BatchParser(src, fields, cfg):
            end = batch.first_row + batch.rows
            while i < len(wanted) and wanted[i] < end:
                r = int(wanted[i]) - batch.first_row
                line = int(batch.lines[r])
                if key_fields:
                    yield int(wanted[i]), (line, [field_text(batch, f, fields[f].type, r)
                                                  for f in key_fields])
                else:
                    yield int(wanted[i]), line
                i += 1
            if i == len(wanted):
                break


def field_text(batch, field: int, typ: LogicalType, row: int) -> str:
    if typ is LogicalType.STRING:
        offs, data = batch.strings(field)
        return repr(bytes(data[offs[row] : offs[row + 1]]).decode("utf-8", "replace"))
    value = batch.values(field)[row]
    return str(int(np.uint64(value)) if typ is LogicalType.UINT64 else int(value))
