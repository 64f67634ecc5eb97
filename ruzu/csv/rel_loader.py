"""Streaming relationship import: parse → resolve endpoint keys → append property columns →
bucket (src, dst, edge id) → counting-sort each bucket into the forward and backward CSR.

Endpoint resolution never probes an index larger than the budget at random (see
``ruzu.storage.resolve``): dense keys resolve by arithmetic, indexes that fit are loaded once,
larger ones are resolved partition by partition after the parse.
"""

from __future__ import annotations

import contextlib
import shutil
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..catalog import Catalog, RelTableSchema
from ..errors import MissingEndpointError, TooManyErrorsError
from ..storage.composite_columns import take_parsed
from ..storage.csr import CsrBuilder
from ..storage.io import AppendFile
from ..storage.rel_table import RelPairWriter
from ..storage.resolve import MISSING, EndpointResolver, ResolvedFiles, ResultMerger
from ..storage.transaction import Transaction
from ..tuning import MERGE_CHUNK
from ..types import LogicalType
from .config import CsvImportConfig, ImportResult, Reject
from .lines import LineScanner, records_at_lines
from .locate import iter_located
from .mapping import append_nulls, missing_columns, rel_field_order
from .node_loader import Checkpoint, _to_column, interruption, staging_dir
from .parser import MAX_KEPT_REJECTS, BatchParser, FieldSpec, skip_records
from .progress import ProgressReporter, peak_rss
from .reader import CsvSource


def _prop_order(src, cfg, schema: RelTableSchema) -> tuple[list[str], list[int]]:
    return rel_field_order(src, cfg, schema.column_names, f"rel table {schema.name}")


def _estimate_rows(src) -> int:
    """Rows in the file, estimated from the newlines in the first buffer (+10 %)."""
    sample = src.buf[src.pos : src.n]
    lines = int(np.count_nonzero(sample == 10))
    if lines == 0 or src.eof:
        return lines + 1
    return int(src.size / (len(sample) / lines) * 1.1) + 1


def _keys(batch, field: int, typ: LogicalType):
    if typ is LogicalType.STRING:
        return batch.strings(field)
    if typ is LogicalType.UUID:
        return batch.typed(field).values
    return batch.values(field)


def _key_text(keys, i: int, typ: LogicalType) -> str:
    if typ is LogicalType.STRING:
        offs, data = keys
        return repr(bytes(data[offs[i] : offs[i + 1]]).decode("utf-8", "replace"))
    if typ is LogicalType.UUID:
        import uuid

        return str(uuid.UUID(bytes=bytes(keys[i])))
    v = keys[i]
    return str(int(np.uint64(v)) if typ is LogicalType.UINT64 else int(v))


def _take_strings(offs: np.ndarray, data: np.ndarray, rows: np.ndarray):
    lengths = (offs[1:] - offs[:-1])[rows]
    new_offs = np.zeros(len(rows) + 1, np.int64)
    np.cumsum(lengths, out=new_offs[1:])
    gather = np.repeat(offs[:-1][rows] - new_offs[:-1], lengths) + np.arange(new_offs[-1])
    return new_offs, data[gather]


def load_relationships(txn: Transaction, schema: RelTableSchema, pair: tuple[str, str],
                       catalog: Catalog, path: str, cfg: CsvImportConfig,
                       progress, on_reject=None) -> ImportResult:
    t0 = time.perf_counter()
    txn.drain()  # an earlier file of this transaction (a list, a glob) is read back below
    table = RelPairWriter(txn, schema, pair)
    e_old = table.old_rels
    ends = [catalog.node(pair[0]), catalog.node(pair[1])]
    key_types = [t.column(t.primary_key).type for t in ends]
    result = ImportResult(table=schema.name, path=path)
    staging = staging_dir(txn)
    csr = loader = None
    resolvers: list[EndpointResolver] = []
    try:
        with CsvSource.for_config(path, cfg) as src:
            reporter = ProgressReporter(schema.name, src.size, progress,
                                        lambda: txn.pending_write_bytes
                                        + sum(r.queued_bytes for r in resolvers))
            key_names, order = _prop_order(src, cfg, schema)
            skip_records(src, cfg, cfg.skip_rows)
            roles = ["FROM", "TO"]
            fields = [FieldSpec(key_names[i], key_types[i], not_null=True,
                                role=f"{roles[i]} key ({ends[i].name}.{ends[i].primary_key})")
                      for i in range(2)]
            fields += [FieldSpec(schema.columns[c].name, schema.columns[c].type) for c in order]
            parser = BatchParser(
                src, fields, cfg, on_reject=on_reject,
                on_tick=lambda rows: reporter.report("relationships", rows, src.file_pos))
            # Both ends share the resolve budget; a pair of one node table loads its index once.
            same = ends[0].name == ends[1].name
            budget = cfg.budgets.resolve if same else cfg.budgets.resolve // 2
            for i in range(2):  # appended one by one: a failure closes those made so far
                resolvers.append(EndpointResolver(
                    txn.db_path, table.node_table(ends[i].name), ends[i].primary_key, key_types[i],
                    budget, staging, roles[i].lower(), table_name=ends[i].name,
                    share=resolvers[0] if same and i == 1 else None,
                    spill_buffers=cfg.budgets.spill))
            n_nodes = [table.node_table(e.name).num_rows for e in ends]
            # the two directions' bucket buffers share one group's budget: they fill while the
            # merge holds its ranges (at 16 MB each, edges of 150 MB peaked 86-91 MB above
            # edges of 20 MB, against the 100 MB bound on that spread; at 8 MB, 66-80 MB)
            csr = CsrBuilder(staging, n_nodes[0], n_nodes[1],
                             max_edges=e_old + getattr(src, "size_bound", src.size) // 4 + 1,
                             expected_edges=e_old + _estimate_rows(src),
                             budget=cfg.budgets.csr, spill_buffers=cfg.budgets.spill // 2)
            table.add_existing_edges(csr)
            txn.write_behind(cfg.budgets.write_behind)
            appenders = table.appenders()
            loader = _Loader(table, cfg, parser, fields, order, appenders, resolvers, csr,
                             key_types, path, staging)
            direct = loader.direct
            done = Checkpoint(0, 0, src.line, 0)
            try:
                for batch in parser:
                    if direct:
                        loader.direct_batch(batch)
                    else:
                        loader.spill_batch(batch)
                    reporter.batch_count += 1
                    if cfg.partial:  # a batch counts as done once its bytes are written
                        txn.drain()
                    done = Checkpoint(loader.next_eid if direct else loader.rows_seen,
                                      parser.records_total, src.line, parser.reject_count)
                    loader.mark_done()
                    reporter.report("relationships", parser.rows_total, src.file_pos)
            except BaseException as error:
                if not cfg.partial or csr.broken:
                    raise
                result.interruption = interruption(error, cfg, done)
                loader.cut_back(done)
                parser.reject_count = done.rejects
                del parser.rejects[done.rejects :]
            result.bytes_read = src.bytes_read
        txn.drain()
        if not direct:
            reporter.report("resolve", parser.rows_total, result.bytes_read)
            loader.resolve_spilled()
        reporter.report("csr", loader.next_eid, result.bytes_read)
        for resolver in resolvers:
            resolver.close()  # their lookup arrays are not needed for the CSR build
        fwd, bwd = csr.build(txn)
        table.commit(fwd, bwd, loader.next_eid)
    finally:
        if csr is not None:
            csr.close()
        if loader is not None:
            loader.close()
        for resolver in resolvers:
            resolver.close()
        shutil.rmtree(staging, ignore_errors=True)
    result.rows_imported = loader.next_eid - e_old
    result.rejects = sorted(parser.rejects + loader.rejects,  # the first ones, in line order
                            key=lambda r: r.line)[:MAX_KEPT_REJECTS]
    result.rows_skipped = parser.reject_count + loader.reject_count
    result.batch_count = reporter.batch_count
    result.seconds = time.perf_counter() - t0
    result.peak_rss = peak_rss()
    reporter.report("commit", loader.next_eid, result.bytes_read)
    return result


class _Loader:
    """Per-import state of the relationship loader's two paths."""

    def __init__(self, table: RelPairWriter, cfg, parser, fields, order, appenders, resolvers,
                 csr, key_types, path, staging):
        self.table = table
        self.schema, self.cfg, self.parser = table.schema, cfg, parser
        self.fields, self.order, self.appenders = fields, order, appenders
        self.resolvers, self.csr, self.key_types = resolvers, csr, key_types
        self.e_old = e_old = table.old_rels
        self.next_eid = e_old  # next edge id to hand out (kept rows only)
        self.rows_seen = 0  # rows parsed (spill path: every parsed row has an eid slot)
        self.path = path
        self.staging = staging
        self.rejects: list[Reject] = []
        self.reject_count = 0
        self._direct_results: dict[int, object] = {}
        self.end_names = [r.name_of_table for r in resolvers]
        self.direct = all(r.mode != "partitioned" for r in resolvers)
        self._done_rejects = 0  # missing-key rejects up to the last complete batch
        self._scanner: LineScanner | None = None

    def mark_done(self) -> None:
        self._done_rejects = self.reject_count

    def cut_back(self, done) -> None:
        """Partial mode: forget everything after the last complete batch."""
        if self.direct:
            kept = done.rows - self.e_old
            self.next_eid = done.rows
            self.reject_count = self._done_rejects
            del self.rejects[self.reject_count :]
        else:
            kept = done.rows
            self.rows_seen = done.rows
        self.table.truncate(self.e_old + kept)

    # -- shared -----------------------------------------------------------------------------
    def _append_props(self, batch, rows: np.ndarray | None) -> None:
        for f, c in enumerate(self.order, start=2):
            app = self.appenders[c]
            first_row = app.num_rows
            typ = self.schema.columns[c].type
            if typ.is_composite:
                parsed = batch.typed(f)
                app.append_parsed(parsed if rows is None else take_parsed(parsed, rows))
                continue
            if typ is LogicalType.STRING:
                offs, data = batch.strings(f)
                if rows is not None:
                    offs, data = _take_strings(offs, data, rows)
                app.append_strings(offs, data)
            else:
                vals = batch.values(f)
                app.append_values(_to_column(vals if rows is None else vals[rows], typ))
            valid = batch.valid(f)
            app.append_validity(valid if rows is None else valid[rows], first_row)
        for c in missing_columns(self.order, len(self.appenders)):
            append_nulls(self.appenders[c], batch.rows if rows is None else len(rows))

    def _missing_reason(self, side: int, key: str) -> str:
        return f"{['FROM', 'TO'][side]} key {key} not found in node table {self.end_names[side]}"

    def _record(self, line: int) -> tuple[int, str]:
        """(byte offset, raw record) of a bad row: bad rows come in line order, so one forward
        scan of the file serves the whole import."""
        if self._scanner is None:
            self._scanner = LineScanner(self.path)
        return records_at_lines(self._scanner, [line]).get(line, (-1, ""))

    def _reject_missing(self, line: int, side: int, key: str) -> None:
        self.reject_count += 1
        offset, record = self._record(line)
        reject = Reject(self.path, line, offset, side + 1, self.fields[side].name,
                        self._missing_reason(side, key), record)
        if len(self.rejects) < MAX_KEPT_REJECTS:
            self.rejects.append(reject)
        if self.parser.on_reject is not None:
            self.parser.on_reject(reject)
        tol = self.cfg.bad_tolerance
        if tol is not None and self.parser.reject_count + self.reject_count > tol:
            raise TooManyErrorsError(f"{self.path}: more than {tol} bad rows (bad_tolerance)",
                                     path=self.path, line=line)

    def _missing_error(self, line: int, side: int, key: str) -> MissingEndpointError:
        reason = self._missing_reason(side, key)
        record = self._record(line)[1]
        return MissingEndpointError(
            f"{self.path}:{line}:{side + 1} ({self.fields[side].name}): {reason}. "
            f"Record: '{record}'",
            path=self.path, line=line, column=side + 1, column_name=self.fields[side].name,
            reason=reason, record=record)

    def close(self) -> None:
        if self._scanner is not None:
            self._scanner.close()
        for f in self._direct_results.values():
            f.close()

    # -- direct path: both endpoints resolve during the parse ------------------------------------
    def direct_batch(self, batch) -> None:
        keys = [_keys(batch, i, self.key_types[i]) for i in range(2)]
        offs = [self.resolvers[i].resolve(keys[i]) for i in range(2)]
        missing = (offs[0] == MISSING) | (offs[1] == MISSING)
        rows = None
        if missing.any():
            bad = np.flatnonzero(missing)
            if not self.cfg.skip_missing_endpoints:
                i = int(bad[0])
                side = 0 if offs[0][i] == MISSING else 1
                raise self._missing_error(int(batch.lines[i]), side,
                                          _key_text(keys[side], i, self.key_types[side]))
            for i in bad:
                side = 0 if offs[0][i] == MISSING else 1
                self._reject_missing(int(batch.lines[i]), side,
                                     _key_text(keys[side], int(i), self.key_types[side]))
            rows = np.flatnonzero(~missing)
            offs = [o[rows] for o in offs]
        self._append_props(batch, rows)
        n = len(offs[0])
        self.csr.add(offs[0], offs[1], np.arange(self.next_eid, self.next_eid + n,
                                                 dtype=np.int64))
        self.next_eid += n

    # -- spill path: a large index is resolved partition by partition after the parse ----------
    def spill_batch(self, batch) -> None:
        self._append_props(batch, None)
        first_eid = self.e_old + self.rows_seen
        for i, res in enumerate(self.resolvers):
            keys = _keys(batch, i, self.key_types[i])
            if res.mode == "partitioned":
                res.spill(keys, first_eid)
            else:  # resolved now, in edge-id order
                out = self._direct_results.get(i)
                if out is None:
                    out = self._direct_results[i] = AppendFile(
                        f"{self.staging}/ep-direct-{i}.resolved", 1 << 20)
                out.write(res.resolve(keys).astype(res.result_dtype))
        self.rows_seen += batch.rows

    def resolve_spilled(self) -> None:
        mergers = []
        shared = None
        if self.resolvers[0].can_share_slices(self.resolvers[1]):
            shared = self.resolvers[0].resolve_partitions(also=self.resolvers[1])
        for i, res in enumerate(self.resolvers):
            if shared is not None:
                files = shared[i]
            elif res.mode == "partitioned":
                files = res.resolve_partitions()[0]
            else:
                f = self._direct_results.get(i)  # (None: no rows)
                if f is not None:
                    f.close()
                files = ResolvedFiles([f.path] if f else [], None, res.result_dtype)
            mergers.append(ResultMerger(files))
        try:
            self._merge(mergers)
        finally:
            for m in mergers:
                m.close()

    def _merge(self, mergers: list[ResultMerger]) -> None:
        """Both endpoints' offsets in edge-id order into the CSR builder; rows with a missing
        endpoint are reported (abort mode: the first) or dropped. The offsets of the next range
        are read and put in order on a thread while this one goes to the CSR builder (1 GB
        random-key edges: the merge 0.43 s of the main thread's time, the CSR builder's
        scatter 0.3 s)."""
        total = self.e_old + self.rows_seen
        ranges = [(a, min(total, a + MERGE_CHUNK)) for a in range(self.e_old, total, MERGE_CHUNK)]

        dtype = np.result_type(*(m.files.dtype for m in mergers))  # int32 mostly

        def offsets_of(a: int, b: int) -> list[np.ndarray]:
            outs = [np.empty(b - a, dtype) for _ in mergers]
            for m, out in zip(mergers, outs, strict=True):
                m.take(out)
            return outs

        dropped: list[np.ndarray] = []
        bad_rows: list[np.ndarray] = []  # (row index in this import, side) of every bad row
        with ThreadPoolExecutor(1, thread_name_prefix="ruzu-merge") as ahead:
            upcoming = ahead.submit(offsets_of, *ranges[0]) if ranges else None
            for k, (a, _) in enumerate(ranges):
                offs = upcoming.result()
                upcoming = ahead.submit(offsets_of, *ranges[k + 1]) if k + 1 < len(ranges) else None
                missing = (offs[0] == MISSING) | (offs[1] == MISSING)
                if missing.any():
                    bad = np.flatnonzero(missing)
                    bad_rows.append(np.stack([a - self.e_old + bad,
                                              (offs[0][bad] != MISSING).astype(np.int64)],
                                             axis=1))
                    if not self.cfg.skip_missing_endpoints:
                        break
                    dropped.append(bad + a)
                    keep = ~missing
                    offs = [o[keep] for o in offs]
                n = len(offs[0])
                self.csr.add(offs[0], offs[1],
                             np.arange(self.next_eid, self.next_eid + n, dtype=np.int64))
                self.next_eid += n
        if bad_rows:
            self._report_spilled(np.concatenate(bad_rows))  # raises in abort mode
        if dropped:
            drop = np.concatenate(dropped)
            self.table.drop_rows(total, drop)

    def _report_spilled(self, bad_rows: np.ndarray) -> None:
        """Every row whose endpoint was missing, with its line and key, from one more forward
        read of the input (rows ascending)."""
        with contextlib.closing(iter_located(self.path, self.cfg, self.fields, bad_rows[:, 0],
                                             key_fields=(0, 1))) as located:
            for (_, (line, keys)), side in zip(located, bad_rows[:, 1].tolist(), strict=False):
                if not self.cfg.skip_missing_endpoints:
                    raise self._missing_error(line, side, keys[side])
                self._reject_missing(line, side, keys[side])
