"""Running an import: create the schema, import every file with a progress display, print
the summary and totals, write the report; after a failure, drop the tables the run created
and remove a database directory it created. Also the ``demo`` mode, which generates a
sample graph and imports it the same way."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from typing import TextIO

from ..csv.config import CsvImportConfig, ImportResult
from ..csv.once import keeps_one_shot_inputs
from ..database import Database
from ..errors import CatalogError, QueryError, RuzuError
from .args import EXIT_OK, CliError, FileJob, build_parser, config_from_args, jobs_from_args
from .display import (
    ProgressDisplay,
    fmt_bytes,
    fmt_mb,
    fmt_rows,
    progress_stream,
    summary_line,
)
from .first_run import compile_notice, mark_warm
from .inputs import file_config
from .plan import make_plan
from .report import RejectStream, report_rejects
from .schema import SchemaStatement, parse_schema


# ============================================================================ the import
def _create(db: Database, statement: SchemaStatement) -> None:
    try:
        db.execute(statement.text)
    except (CatalogError, QueryError) as e:
        raise type(e)(f"{statement.path}:{statement.line}: {e}") from e


def _rollback_created(db: Database, created: list[str]) -> list[str]:
    """Drop the given tables this run created and left empty (newest first), so a failed run
    can simply be run again. Best effort: a table that cannot be dropped is left."""
    left = []
    for name in reversed(created):
        try:
            db.drop_table(name)
        except RuzuError:
            left.append(name)
    return left


@keeps_one_shot_inputs  # pipes are spooled: errors and the .bad.csv find their records
def run_import(args: argparse.Namespace, cfg: CsvImportConfig,
               statements: list[SchemaStatement], jobs: list[FileJob],
               out: TextIO) -> list[tuple[FileJob, ImportResult]]:
    """Create the schema and import every file; raises typed errors after cleaning up (tables
    this run created are dropped again, a database directory it created is removed)."""
    progress_out, bars = progress_stream(args.quiet, out, sys.stderr)
    db_path = args.database
    if getattr(args, "overwrite", False):
        _remove_database(db_path, out)
    existed = os.path.exists(db_path)
    t0 = time.perf_counter()
    done: list[tuple[FileJob, ImportResult]] = []
    created: list[str] = []
    db = None
    stream = RejectStream(args.report_file) if args.report_file else None  # every skipped row
    try:
        db = Database(db_path)
        plan = make_plan(db, statements, jobs, skip_existing=getattr(args, "skip_existing", False),
                         reimport=getattr(args, "reimport", False))
        for job, rec in plan.skipped_jobs:
            print(f"skipped: {job.label} ← {job.path} was imported before "
                  f"({rec.get('rows_imported', 0):,} rows, generation {rec.get('generation')})",
                  file=out)
        for st in plan.skipped_creates:
            print(f"table {st.schema.name} exists: appending to it (its CREATE at "
                  f"{st.path}:{st.line} is skipped)", file=out)
        for st in plan.creates:
            _create(db, st)
            created.append(st.schema.name)
        if created:
            print(f"created tables: {', '.join(created)}", file=out)
        if plan.jobs:
            compile_notice()
        for job in plan.jobs:
            display = ProgressDisplay(progress_out, job.label, bars=bars)
            try:
                job_cfg = file_config(db, job, cfg, args)  # sniffed delimiter, Parquet
                on_reject = stream.writer(job) if stream is not None else None
                if job.kind == "nodes":
                    result = db.import_nodes(job.table, job.path, config=job_cfg,
                                             progress=display, on_reject=on_reject)
                else:
                    result = db.import_relationships(job.table, job.path, config=job_cfg,
                                                     progress=display,
                                                     from_table=job.from_table,
                                                     to_table=job.to_table,
                                                     on_reject=on_reject)
            except RuzuError as e:
                _raise_resumable(e, job, done, out)  # --partial: say how to continue
                raise
            finally:
                display.close()
            done.append((job, result))
            print(summary_line(job, result), file=out, flush=True)
        if args.report_file:
            report_rejects(args.report_file, done, cfg, out, stream)
        _print_totals(db, done, time.perf_counter() - t0, out)
        if done:
            mark_warm()
        return done
    except BaseException:
        _clean_up_failed_run(db, db_path, existed, created, done, cfg, args, out, stream)
        raise
    finally:
        if db is not None:
            db.close()
        if stream is not None:
            stream.close()


def _raise_resumable(error: RuzuError, job: FileJob, done: list, out: TextIO) -> None:
    """A partial-mode import that stopped part-way (``ImportInterrupted``: its ``result`` was
    committed) becomes a one-line error that says how to resume this file from the CLI."""
    result = getattr(error, "result", None)
    skip = getattr(error, "resume_skip_rows", None)
    if not isinstance(result, ImportResult) or skip is None:
        return
    done.append((job, result))
    print(summary_line(job, result), file=out, flush=True)
    cause = error.__cause__ or error
    line = getattr(error, "resume_line", "?")
    raise CliError(
        f"{job.path}: import stopped at line {line} ({cause}); "
        f"{fmt_rows(result.rows_imported)} before it were committed; once the file is fixed, "
        f"resume with --{job.kind} {job.target}={job.path} --skip-rows {skip}") from error


def _remove_database(db_path: str, out: TextIO) -> None:
    """``--overwrite``: delete ``db_path`` when it is a ruzu database (refuse anything else)."""
    if not os.path.exists(db_path):
        return
    is_db = os.path.isdir(db_path) and os.path.exists(os.path.join(db_path, "manifest.json"))
    if not is_db and not (os.path.isdir(db_path) and not os.listdir(db_path)):
        raise CliError(f"{db_path} is not a ruzu database; --overwrite only replaces one")
    with Database(db_path):  # refuses (LockError) while another process writes to it
        pass
    shutil.rmtree(db_path)
    print(f"overwrite: removed the database {db_path}", file=out)


def _clean_up_failed_run(db, db_path, existed, created, done, cfg, args, out,
                         stream=None) -> None:
    """Each file is its own transaction: the failed file was rolled back, the files committed
    before it stay. Tables this run created and left empty are dropped again."""
    keep = getattr(args, "partial", False)
    filled = {j.table for j, _ in done}
    empty = [n for n in created if n not in filled]
    if db is not None and empty and not keep:
        left = _rollback_created(db, empty)
        dropped = [n for n in empty if n not in left]
        if dropped:
            print(f"rolled back: dropped the empty tables this run created "
                  f"({', '.join(dropped)})", file=out)
    if db is not None:
        db.close()
    if not existed and not keep and (not done) and os.path.isdir(db_path):
        shutil.rmtree(db_path, ignore_errors=True)
        return
    for job, r in done:
        print(f"kept: {job.label} ← {job.path} ({fmt_rows(r.rows_imported)}) was committed "
              "before the error", file=out)
    if done:
        print("to go on once the input is fixed, run the same command with --skip-existing "
              "(it skips the files committed above)", file=out)
    if args.report_file and done:
        try:
            report_rejects(args.report_file, done, cfg, out, stream)
        except OSError:
            pass


def _print_totals(db: Database, done, seconds: float, out: TextIO) -> None:
    rows = sum(r.rows_read for _, r in done)
    peak = max((r.peak_rss for _, r in done), default=0)
    counts = []
    for name in db.catalog.node_tables:
        counts.append(f"{name} {db.table(name).num_rows:,} nodes")
    for name, schema in db.catalog.rel_tables.items():
        n = sum(db.rel_table(name, a, b).num_rels for a, b in schema.pairs)
        counts.append(f"{name} {n:,} relationships")
    rate = rows / seconds if seconds > 0 else 0.0
    memory = f", peak memory {fmt_mb(peak)}" if peak else ""
    print(f"done: {len(done)} file(s), {rows:,} rows in {seconds:,.2f} s ({rate:,.0f} rows/s)"
          f"{memory}", file=out)
    if counts:
        print(f"database {db.path}: " + ", ".join(counts), file=out, flush=True)


# ============================================================================ demo
def run_demo(args: argparse.Namespace, out: TextIO) -> int:
    from .. import demo

    db_path = args.database
    if os.path.exists(db_path) and (not os.path.isdir(db_path) or os.listdir(db_path)):
        is_db = os.path.exists(os.path.join(db_path, "manifest.json"))
        if not (args.overwrite and is_db):
            hint = ("pass --overwrite to replace it" if is_db
                    else "it is not a ruzu database, choose another DBDIR")
            raise CliError(f"{db_path} already exists; {hint}")
        shutil.rmtree(db_path)
    data_dir = args.out or os.path.join(os.path.dirname(os.path.abspath(db_path)),
                                        "demo-data")
    data_dir = os.path.relpath(data_dir) if args.out is None else data_dir
    follows = args.follows
    n_follows = demo.FOLLOWS_PER_PERSON * args.persons if follows is None else follows
    print(f"generating {args.persons:,} persons and {n_follows:,} follows into {data_dir}/ …",
          file=out, flush=True)
    files = demo.generate(data_dir, args.persons, follows, seed=args.seed)
    print(f"generated {fmt_bytes(files.bytes_written)} in {files.seconds:.1f} s", file=out)
    argv = [db_path, "--schema", files.schema, "--nodes", f"Person={files.persons}",
            "--relationships", f"Follows={files.follows}",
            "--max-memory", f"{args.max_memory >> 20}M", "--batch-size", str(args.batch_size)]
    if args.quiet:
        argv.append("--quiet")
    print("importing: ruzu-import " + " ".join(argv), file=out, flush=True)
    import_args = build_parser().parse_args(argv)
    cfg = config_from_args(import_args)
    statements = parse_schema(demo.SCHEMA, files.schema)  # the file's own text
    jobs = jobs_from_args(import_args)
    run_import(import_args, cfg, statements, jobs, out)
    _show_demo(db_path, out)
    return EXIT_OK


def _show_demo(db_path: str, out: TextIO) -> None:
    import numpy as np

    with Database(db_path, read_only=True) as db:
        people = db.table("Person")
        follows = db.rel_table("Follows")
        names = people.column("name")
        ids = people.column("id")
        ages = people.column("age")
        print("\nwhat was loaded:", file=out)
        print(f"  Person: {people.num_rows:,} nodes (id, name, age); Follows: "
              f"{follows.num_rels:,} relationships (since)", file=out)
        for i in range(min(3, people.num_rows)):
            print(f"  Person {int(ids[i])}: {names[i]}, {int(ages[i])}, follows "
                  f"{len(follows.neighbors(i)):,} people", file=out)
        if follows.num_rels:
            indeg = follows.degrees("bwd")
            top = int(np.argmax(indeg))
            print(f"  most followed: {names[top]} (id {int(ids[top])}) with "
                  f"{int(indeg[top]):,} followers; average {follows.num_rels / people.num_rows:.1f}"
                  " follows per person", file=out)
        print(f"\nopen it from Python: import ruzu; db = ruzu.Database({db_path!r}, "
              "read_only=True); db.table('Person').num_rows", file=out, flush=True)

