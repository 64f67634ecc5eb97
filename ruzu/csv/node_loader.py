"""Streaming node import: parse → append to column files → build the primary-key index.

Memory: one read buffer, one set of batch buffers (both fixed), and at the end one index
partition at a time (sized from ``memory_limit``). Nothing grows with the input size.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass

import numpy as np

from ..catalog import NodeTableSchema
from ..errors import CsvError, DuplicateKeyError, RuzuError
from ..storage.key_spill import KeySpill
from ..storage.node_table import NodeTableWriter
from ..storage.transaction import Transaction
from ..types import LogicalType
from .config import CsvImportConfig, ImportResult, Interruption, Reject
from .lines import LineScanner, record_at_line, records_at_lines
from .locate import iter_located, locate_rows
from .mapping import append_nulls, missing_columns, node_field_order
from .parser import MAX_KEPT_REJECTS, BatchParser, FieldSpec, skip_records
from .progress import ProgressReporter, peak_rss
from .reader import CsvSource
from .rereadable import is_rereadable


def staging_dir(txn: Transaction) -> str:
    path = os.path.join(txn.db_path, f"staging-{os.getpid()}-{txn.manifest.generation}")
    os.makedirs(path, exist_ok=True)
    return path


def load_nodes(txn: Transaction, schema: NodeTableSchema, path: str, cfg: CsvImportConfig,
               progress, on_reject=None) -> ImportResult:
    t0 = time.perf_counter()
    txn.drain()  # an earlier file of this transaction (a list, a glob) is read back below
    table = NodeTableWriter(txn, schema)
    n_old = table.old_rows
    columns = schema.columns
    pk = schema.column_names.index(schema.primary_key)
    pk_type = columns[pk].type
    result = ImportResult(table=schema.name, path=path)
    spill = None  # KeySpill: the keys hashed for the index while they are parsed
    try:
        with CsvSource.for_config(path, cfg) as src:
            reporter = ProgressReporter(schema.name, src.size, progress,
                                        lambda: txn.pending_write_bytes
                                        + (spill.queued_bytes if spill is not None else 0))
            # SERIAL columns are not in the file: they are numbered 0, 1, 2, … (as Kùzu)
            in_file = [i for i, c in enumerate(columns) if c.type is not LogicalType.SERIAL]
            order = [in_file[j] for j in node_field_order(
                src, cfg, [columns[i].name for i in in_file], f"table {schema.name}",
                schema.primary_key if pk in in_file else None)]
            absent = [c for c in missing_columns(order, len(columns)) if c in in_file]
            skip_records(src, cfg, cfg.skip_rows)
            fields = [FieldSpec(columns[c].name, columns[c].type, not_null=(c == pk))
                      for c in order]
            parser = BatchParser(src, fields, cfg, on_reject=on_reject,
                                 on_tick=lambda rows: reporter.report("nodes", rows, src.file_pos))
            txn.write_behind(cfg.budgets.write_behind)
            appenders = table.appenders()
            keys = table.key_order()
            done = Checkpoint(0, 0, src.line, 0)
            try:
                for batch in parser:
                    for f, c in enumerate(order):
                        app = appenders[c]
                        first_row = app.num_rows
                        if columns[c].type is LogicalType.STRING:
                            app.append_strings(*batch.strings(f))
                        elif columns[c].type.is_composite:
                            app.append_parsed(batch.typed(f))
                            continue
                        else:
                            app.append_values(_to_column(batch.values(f), columns[c].type))
                        app.append_validity(batch.valid(f), first_row)
                    for c in absent:
                        append_nulls(appenders[c], batch.rows)
                    serial = _append_serials(appenders, columns, batch.rows)
                    if pk_type is LogicalType.SERIAL:
                        keys.observe(serial[pk])
                    else:
                        keys.observe(batch.values(order.index(pk))
                                     if pk_type not in (LogicalType.STRING, LogicalType.UUID)
                                     else None)
                        if not keys.sorted:  # the hash index's spill, overlapping the parse
                            spill = table.spill_keys(
                                spill, _batch_keys(batch, order.index(pk), pk_type),
                                n_old + batch.first_row, staging_dir(txn), cfg.budgets.index,
                                _expected_rows(src, parser, n_old), cfg.budgets.spill)
                    reporter.batch_count += 1
                    if cfg.partial:  # a batch counts as done once its bytes are written
                        txn.drain()
                    done = Checkpoint(parser.rows_total, parser.records_total, src.line,
                                      parser.reject_count)
                    reporter.report("nodes", parser.rows_total, src.file_pos)
            except BaseException as error:
                if not cfg.partial:
                    raise
                result.interruption = interruption(error, cfg, done)
                table.truncate(n_old + done.rows)
                parser.rows_total = done.rows
                parser.reject_count = done.rejects
                del parser.rejects[done.rejects :]
            result.bytes_read = src.bytes_read
            result.rejects = parser.rejects
            result.rows_skipped = parser.reject_count

        n_total = n_old + parser.rows_total
        txn.drain()  # the index build and error paths read the new rows back
        if keys.sorted and n_total:
            table.use_sorted_index(keys, n_total)
        elif n_total:
            reporter.report("index", n_total, result.bytes_read)
            dups = _build_index(table, n_total, cfg, spill)
            if len(dups):
                _check_string_collisions(table, dups)
                if not cfg.keep_first_duplicate:
                    raise _duplicate_error(table, dups[0], path, cfg, fields)
                drop = np.unique(dups[:, 1])
                _reject_duplicates(table, dups, path, cfg, fields, parser, result)
                table.drop_rows(n_total, drop)
                n_total -= len(drop)
                parser.rows_total -= len(drop)
                dups = _build_index(table, n_total, cfg)
                if len(dups):
                    raise RuzuError("internal error: duplicate keys left after dropping them")
    finally:
        if spill is not None:  # (once the index build used it: nothing left to remove)
            spill.discard()
            shutil.rmtree(staging_dir(txn), ignore_errors=True)
    table.commit(n_total)
    result.rows_imported = parser.rows_total
    result.batch_count = reporter.batch_count
    result.seconds = time.perf_counter() - t0
    result.peak_rss = peak_rss()
    reporter.report("commit", n_total, result.bytes_read)
    return result


@dataclass(frozen=True)
class Checkpoint:
    """The state after the last complete batch (what a partial-mode import commits)."""

    rows: int
    records: int
    line: int
    rejects: int


def interruption(error: BaseException, cfg: CsvImportConfig, done: Checkpoint) -> Interruption:
    return Interruption(error, resume_line=done.line,
                        resume_skip_rows=cfg.skip_rows + done.records)


def _build_index(table: NodeTableWriter, num_rows: int, cfg: CsvImportConfig,
                 spilled: KeySpill | None = None) -> np.ndarray:
    """The hash index over the first ``num_rows`` rows; returns the duplicate key pairs."""
    staging = staging_dir(table.txn)
    try:
        return table.build_hash_index(num_rows, staging, cfg.budgets.index, spilled,
                                      cfg.budgets.spill)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _reject_duplicates(table: NodeTableWriter, dups, path, cfg, fields, parser,
                       result) -> None:
    """keep_first: report every dropped row with its line and record to ``on_reject`` (the
    result keeps the first MAX_KEPT_REJECTS), from one more forward read of the input and
    memory linear in the number of duplicates (as ``dups`` itself)."""
    schema, n_old = table.schema, table.old_rows
    dups = dups[np.argsort(dups[:, 1], kind="stable")]  # in line order
    rows = np.unique(dups[dups >= n_old]) - n_old
    lines = np.zeros(len(rows), np.int64)
    for k, (_, line) in enumerate(iter_located(path, cfg, fields, rows)):
        lines[k] = line
    pk_field = [f.name for f in fields].index(schema.primary_key)
    scanner = LineScanner(path)
    try:
        for a in range(0, len(dups), MAX_KEPT_REJECTS):
            chunk = dups[a : a + MAX_KEPT_REJECTS]
            dup_lines = lines[np.searchsorted(rows, chunk[:, 1] - n_old)].tolist()
            first_lines = lines[np.minimum(np.searchsorted(rows, chunk[:, 0] - n_old),
                                           max(len(rows) - 1, 0))].tolist()
            keys = [table.key_at(d) for d in chunk[:, 1].tolist()]
            records = records_at_lines(scanner, dup_lines)
            for k, (first, _) in enumerate(chunk.tolist()):
                where = f"line {first_lines[k]}" if first >= n_old else f"row {first}"
                offset, record = records.get(dup_lines[k], (-1, ""))
                reject = Reject(path, dup_lines[k], offset, pk_field + 1, schema.primary_key,
                                f"duplicate primary key {keys[k]!r} (first at {where})",
                                record)
                if len(result.rejects) < MAX_KEPT_REJECTS:
                    result.rejects.append(reject)
                if parser.on_reject is not None:
                    parser.on_reject(reject)
    finally:
        scanner.close()
    result.rows_skipped += len(dups)


def _batch_keys(batch, field: int, typ: LogicalType):
    """A batch's primary keys as the index hashes them (see ``NodeTableWriter.spill_keys``)."""
    if typ is LogicalType.STRING:
        return batch.strings(field)
    if typ is LogicalType.UUID:
        return batch.typed(field).values
    return _to_column(batch.values(field), typ)


def _expected_rows(src: CsvSource, parser: BatchParser, n_old: int) -> int:
    """Rows the table will hold after this file, estimated from the bytes parsed so far (+25 %:
    an index spill sized too small is rebuilt from the key column, which is slower)."""
    done = max(1, src.file_pos)
    rest = max(0, src.size - src.file_pos)
    return n_old + parser.rows_total + int(rest * parser.rows_total / done * 1.25) + 1


def _append_serials(appenders, columns, rows: int) -> dict[int, np.ndarray]:
    """Number the rows of a batch in each SERIAL column, continuing after the stored rows."""
    out = {}
    for c, col in enumerate(columns):
        if col.type is LogicalType.SERIAL:
            app = appenders[c]
            out[c] = np.arange(app.num_rows, app.num_rows + rows, dtype=np.int64)
            app.append_values(out[c])
    return out


def _to_column(values: np.ndarray, typ: LogicalType) -> np.ndarray:
    if typ is LogicalType.UINT64:
        return values.view(np.uint64)
    if typ in (LogicalType.DATE, LogicalType.TIMESTAMP):
        return values.view(typ.dtype)
    return values.astype(typ.dtype, copy=False)


def _check_string_collisions(table: NodeTableWriter, dups) -> None:
    if table.key_type is not LogicalType.STRING:
        return
    for a, b in dups[:100]:
        if table.key_at(int(a)) != table.key_at(int(b)):
            raise CsvError("primary-key hash collision between two different keys; "
                           "please report this", reason="hash collision")


def _duplicate_error(table: NodeTableWriter, pair, path, cfg, fields) -> CsvError:
    schema, n_old = table.schema, table.old_rows
    first, dup = (int(x) for x in pair)
    key = table.key_at(dup)
    if not is_rereadable(path):  # a pipe: the lines cannot be found again
        return DuplicateKeyError(
            f"{path}: duplicate primary key {key!r} in table {schema.name} (its lines cannot "
            "be named: the input is a pipe or FIFO, read only once; import a file to see them)",
            path=path, column_name=schema.primary_key, reason="duplicate primary key")
    lines = locate_rows(path, cfg, fields, [r - n_old for r in (first, dup) if r >= n_old])
    dup_line = lines[dup - n_old]
    if first >= n_old:
        where_first = f"line {lines[first - n_old]}"
    else:
        where_first = f"row {first} already in the table"
    record = record_at_line(path, dup_line)[1]
    pk_field = [f.name for f in fields].index(schema.primary_key) + 1
    return DuplicateKeyError(
        f"{path}:{dup_line}:{pk_field} ({schema.primary_key}): duplicate primary key {key!r} "
        f"in table {schema.name} (first at {where_first}, again at line {dup_line}). "
        f"Record: '{record}'",
        path=path, line=dup_line, column=pk_field, column_name=schema.primary_key,
        reason="duplicate primary key", record=record,
    )
