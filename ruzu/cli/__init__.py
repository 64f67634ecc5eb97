"""``ruzu-import``: bulk-load CSV files into a ruzu database from the command line.

A thin layer over :class:`ruzu.Database`: it parses the arguments, creates the tables of a
``--schema`` file, runs one :meth:`~ruzu.Database.import_nodes` /
:meth:`~ruzu.Database.import_relationships` per input file (each is its own transaction, all or
nothing, committed when it is done), shows progress and prints a summary. Typed ruzu errors
become one ``error: …`` line on stderr and exit code 1; usage errors exit with 2.

Usage::

    ruzu-import DBDIR [--schema schema.cypher] [--nodes Person=persons.csv[,more.csv]]...
                [--relationships Follows=follows.csv]... [options]
    ruzu-import demo [DBDIR] [--persons N] [--out DIR]
    ruzu-import warmup          (compile the kernels once, ahead of the first import)
    ruzu-import export DBDIR (--table T | --query CYPHER) --out FILE

Input specs: ``--nodes TABLE=FILE[,FILE…]`` (a bare ``FILE`` names the table after the file's
stem); ``--relationships TABLE=FILE[,FILE…]``, and for a rel table that connects several
node-table pairs ``--relationships TABLE:FROM:TO=FILE`` (``Likes:User:Post=likes.csv``; either
side may be left empty when the other one decides, ``Likes::Post=…``). Node files are imported
before relationship files, each in the order given. A failure rolls back the file being
imported and keeps the files committed before it; the tables the run created and left empty
are dropped (unless ``--partial``) and a database directory it created with nothing in it is
removed. ``--skip-existing`` then skips the files committed before (``Database.imports``
records each file's path, size and modification time), so the same command goes on where it
stopped; a file imported before is otherwise refused (``--reimport`` allows it).

The package, from the bottom up: ``args`` (exit codes, argument parsers, input specs),
``schema`` (schema files), ``display`` (progress and summaries), ``report``
(``--report-file``), ``plan`` (checks before writing), ``first_run`` (the kernel-cache marker
and first-run notice), ``run`` (the import and the demo), ``warmup`` and ``export`` (the
subcommands) and here :func:`main`, which turns typed errors into one ``error: …`` line.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence

from ..errors import RuzuError
from .args import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    FileJob,
    build_demo_parser,
    build_parser,
    config_from_args,
    jobs_from_args,
    parse_spec,
)
from .display import ProgressDisplay, skipped_by_reason, summary_line
from .plan import Plan, make_plan
from .report import bad_csv_path, header_record, raw_records, write_report
from .run import run_demo, run_import
from .schema import SchemaStatement, parse_schema, read_schema, split_statements

__all__ = [
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "CliError",
    "FileJob",
    "Plan",
    "ProgressDisplay",
    "SchemaStatement",
    "bad_csv_path",
    "build_demo_parser",
    "build_parser",
    "config_from_args",
    "header_record",
    "jobs_from_args",
    "main",
    "make_plan",
    "parse_schema",
    "parse_spec",
    "raw_records",
    "read_schema",
    "run_demo",
    "run_import",
    "skipped_by_reason",
    "split_statements",
    "summary_line",
    "write_report",
]


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``ruzu-import`` with ``argv`` (default: ``sys.argv[1:]``); returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    out = sys.stdout
    try:
        if argv and argv[0] == "warmup":
            from .warmup import run_warmup

            return run_warmup(out)
        if argv and argv[0] == "export":
            from .export import run_export

            return run_export(argv[1:], out)
        if argv and argv[0] == "demo":
            args = build_demo_parser().parse_args(argv[1:])
            return run_demo(args, out)
        parser = build_parser()
        args = parser.parse_args(argv)
        try:
            jobs = jobs_from_args(args)
        except ValueError as e:
            parser.error(str(e))
        if not jobs and not args.schema:
            parser.error("nothing to do: give --schema, --nodes or --relationships")
        cfg = config_from_args(args)
        statements = read_schema(args.schema) if args.schema else []
        done = run_import(args, cfg, statements, jobs, out)
        return _nothing_imported(done)
    except SystemExit as e:  # argparse: --help (0) or a usage error (2)
        return e.code if isinstance(e.code, int) else EXIT_USAGE
    except (RuzuError, CliError) as e:
        _error(str(e))
        return EXIT_ERROR
    except OSError as e:  # e.g. the report file cannot be written
        _error(f"{e.filename + ': ' if e.filename else ''}{e.strerror or e}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        _error("interrupted; the file being imported was rolled back")
        return EXIT_INTERRUPTED


def _nothing_imported(done: list) -> int:
    """EXIT_ERROR (after saying so) when rows were read but every one of them was skipped."""
    read = sum(r.rows_read for _, r in done)
    if read and not sum(r.rows_imported for _, r in done):
        _error(f"nothing was imported: all {read:,} rows read were skipped (see the summary "
               "above, --report-file lists them)")
        return EXIT_ERROR
    return EXIT_OK


def _error(message: str) -> None:
    message = re.sub(r"\s*[\r\n]+\s*", " ", str(message)).strip()  # one line, always
    print(f"error: {message}", file=sys.stderr, flush=True)
