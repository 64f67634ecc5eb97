"""The command line itself: exit codes, the argument parsers of ``ruzu-import`` and its
``demo`` mode, the :class:`CsvImportConfig` the options describe, and the ``--nodes`` /
``--relationships`` specs as :class:`FileJob` s."""

from __future__ import annotations

import argparse
import os
import re
from dataclasses import dataclass

from .. import __version__
from ..csv.config import MAX_BATCH_SIZE, MIN_MEMORY_LIMIT, CsvImportConfig

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"


class CliError(Exception):
    """A problem the command line itself detects (e.g. the demo database already exists)."""


# ============================================================================ option values
def _size(text: str) -> int:
    """``512M``, ``2G``, ``1.5GB``, ``300MiB``, ``1048576`` → bytes (K/M/G/T are powers of 1024)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:I?B)?\s*", text, re.IGNORECASE)
    if not m:
        raise argparse.ArgumentTypeError(f"invalid size {text!r} (examples: 512M, 2G)")
    value = float(m.group(1)) * 1024 ** " KMGT".index(m.group(2).upper() or " ")
    return int(value)


# ``--max-memory`` bounds the whole process (the seed's definition of memory: VmHWM). The
# importer's own budget (CsvImportConfig.memory_limit) is what is left after the process's
# fixed cost: the interpreter, numpy, numba/LLVM and the loaded kernels (~150 MB measured by
# importing a one-row file) plus what the budget does not count (allocator slack, the pages of
# the column files being written, Python objects; up to ~75 MB measured on 1 GB inputs).
PROCESS_OVERHEAD = 224 << 20
DEFAULT_MAX_MEMORY = PROCESS_OVERHEAD + (160 << 20)  # 384M: the importer's default 160M budget
MIN_MAX_MEMORY = PROCESS_OVERHEAD + MIN_MEMORY_LIMIT  # 288M


def _max_memory(text: str) -> int:
    """``--max-memory``: a size of at least MIN_MAX_MEMORY."""
    value = _size(text)
    if value < MIN_MAX_MEMORY:
        raise argparse.ArgumentTypeError(
            f"{text!r} is below the floor of {MIN_MAX_MEMORY >> 20}M: the process itself takes "
            f"~{PROCESS_OVERHEAD >> 20}M (interpreter, numpy, numba and ruzu's kernels) and "
            f"the importer needs at least {MIN_MEMORY_LIMIT >> 20}M more")
    return value


def importer_budget(max_memory: int) -> int:
    """The importer's ``memory_limit`` that keeps the whole process under ``max_memory``."""
    return max(MIN_MEMORY_LIMIT, max_memory - PROCESS_OVERHEAD)


def _count(text: str) -> int:
    """A non-negative integer; ``1_000_000`` and ``1,000,000`` are accepted."""
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid count {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {text!r}")
    return value


def _positive(text: str) -> int:
    """An integer of at least 1; one rule, whatever is wrong with ``text`` (``0``, ``-5``,
    ``abc``)."""
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {text!r}")
    return value


def _batch_size(text: str) -> int:
    """``--batch-size``: 1 … MAX_BATCH_SIZE rows."""
    value = _positive(text)
    if value > MAX_BATCH_SIZE:
        raise argparse.ArgumentTypeError(
            f"must be a whole number of at least 1 and at most {MAX_BATCH_SIZE:,}, got {text!r}")
    return value


DEFAULT_BAD_TOLERANCE = 1000  # as neo4j-admin's --bad-tolerance


UNLIMITED = -1


def _tolerance(text: str) -> int:
    """``--bad-tolerance``: a count, or ``unlimited`` for no limit (``UNLIMITED``)."""
    if text.strip().lower() == "unlimited":
        return UNLIMITED
    return _count(text)


def _delimiter(text: str) -> str:
    """``auto`` (sniffed from each file) or one character."""
    return "auto" if text.lower() == "auto" else _char(text)


def _char(text: str) -> str:
    """One character; ``\\t``/``tab`` name a tab."""
    named = {"\\t": "\t", "tab": "\t", "TAB": "\t"}
    text = named.get(text, text)
    if len(text.encode("utf-8")) != 1:
        raise argparse.ArgumentTypeError(f"expected one single-byte character, got {text!r}")
    return text


# ============================================================================ parsers
def _add_csv_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("CSV format")
    g.add_argument("--delimiter", type=_delimiter, default="auto", metavar="CHAR",
                   help="field delimiter, or 'auto' (the default): sniffed from each file "
                        "among , | tab ; (use '\\t' or 'tab' for tabs)")
    g.add_argument("--input-type", choices=("auto", "csv", "parquet", "arrow"),
                   default="auto",
                   help="what the files are (default auto: told by their first bytes; "
                        "CSV may be gzip/zstd/bzip2 compressed, Parquet a directory of "
                        "part files); columns are matched by header name or, for Parquet "
                        "and Arrow, by column name")
    g.add_argument("--quote", type=_char, default='"', metavar="CHAR",
                   help="quote character (default '\"')")
    g.add_argument("--escape", type=_char, default=None, metavar="CHAR",
                   help="escape character inside quotes (default: the quote character, "
                        "i.e. doubled quotes)")
    g.add_argument("--no-header", action="store_true",
                   help="the files have no header row; columns are in schema order "
                        "(relationships: FROM key, TO key, then the properties)")
    g.add_argument("--skip-rows", type=_count, default=0, metavar="N",
                   help="skip N records after the header of every file")
    g.add_argument("--null-string", action="append", default=None, metavar="TEXT",
                   dest="null_strings",
                   help="a field equal to TEXT is NULL (repeatable; default: the empty field)")


def _add_error_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("bad rows")
    g.add_argument("--ignore-errors", action="store_true",
                   help="skip rows that cannot be imported (malformed, wrong type, duplicate "
                        "key, unknown endpoint) instead of failing; they are counted in the "
                        "summary and listed in --report-file")
    g.add_argument("--skip-duplicate-nodes", action="store_true",
                   help="keep the first row of a duplicate primary key and skip the others "
                        "(other bad rows still fail the import unless --ignore-errors)")
    g.add_argument("--skip-bad-relationships", action="store_true",
                   help="skip relationships whose FROM or TO key names no existing node")
    g.add_argument("--bad-tolerance", type=_tolerance, default=None, metavar="N",
                   help="fail a file once more than N of its rows were skipped (malformed, "
                        "wrong type, unknown endpoint); giving it implies --ignore-errors "
                        f"(default {DEFAULT_BAD_TOLERANCE:,}, as neo4j-admin; 'unlimited' for "
                        "no limit)")
    g.add_argument("--report-file", metavar="PATH",
                   help="write one JSON line per skipped row to PATH (every one: they are "
                        "streamed to disk as the import finds them) and the skipped records "
                        "themselves, in the input's format with its header, to "
                        "PATH-without-extension.bad.csv, ready to fix and re-import (one "
                        "PATH-without-extension.TABLE.FILE.bad.csv per input when several "
                        "inputs had skipped rows)")
    g.add_argument("--skip-existing", action="store_true",
                   help="skip input files this database has already imported (same path, "
                        "size and modification time): run the same command again after an "
                        "interruption and it goes on with the first file not committed")
    g.add_argument("--reimport", action="store_true",
                   help="import files again that this database has already imported "
                        "(otherwise refused: a relationship file imported twice doubles its "
                        "edges)")
    g.add_argument("--partial", action="store_true",
                   help="on a failure keep the batches committed before it instead of "
                        "rolling the file back; the error names the line to resume from")


def _add_run_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("resources and output")
    g.add_argument("--batch-size", type=_batch_size, default=100_000, metavar="N",
                   help="rows parsed per batch before they are written (default 100,000; "
                        f"1 … {MAX_BATCH_SIZE:,})")
    g.add_argument("--max-memory", type=_max_memory, default=DEFAULT_MAX_MEMORY,
                   metavar="SIZE",
                   help="peak memory (RSS) of the whole import process, e.g. 512M or 2G: the "
                        f"importer's buffers get what the process's ~{PROCESS_OVERHEAD >> 20}M "
                        "of interpreter and libraries leave (default "
                        f"{DEFAULT_MAX_MEMORY >> 20}M, at least {MIN_MAX_MEMORY >> 20}M)")
    g.add_argument("--quiet", action="store_true",
                   help="no progress bars: plain progress lines (at most one per second and "
                        "one per stage) and the summary")


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``ruzu-import DBDIR …`` (``demo`` mode has its own, see
    :func:`build_demo_parser`)."""
    p = argparse.ArgumentParser(
        prog="ruzu-import",
        allow_abbrev=False,
        usage="%(prog)s DBDIR [--schema FILE] [--nodes TABLE=FILE[,FILE…]]… "
              "[--relationships TABLE[:FROM:TO]=FILE[,FILE…]]… [options]\n"
              "       %(prog)s demo [DBDIR] [--persons N] [--out DIR] [options]\n"
              "       %(prog)s warmup",
        description="Bulk-load CSV files into a ruzu database. Node files are imported "
                    "first, then relationship files; each file is one all-or-nothing "
                    "transaction, committed when it is done: a failure rolls back the file "
                    "being imported and keeps the files committed before it (tables this run "
                    "created and left empty are dropped again). Run the same command with "
                    "--skip-existing to go on after a failure or an interruption. Tables "
                    "that already exist are appended to; a file already imported is refused "
                    "unless --skip-existing or --reimport. Columns are "
                    "matched by header name in any order (neo4j-admin style; Cypher's COPY "
                    "maps them by position, as Kùzu).",
        epilog="TABLE specs: --nodes Person=persons.csv,more.csv (a bare persons.csv means "
               "the table named like the file); --relationships Follows=follows.csv; for a "
               "rel table with several FROM/TO pairs name one: --relationships "
               "Likes:User:Post=likes.csv. FILE may be a glob ('part-*.csv.gz', matches "
               "in name order), a directory of Parquet part files, or - for stdin. "
               "Demo: 'ruzu-import demo [DBDIR] [--persons N]' generates a sample social "
               "graph and imports it (see 'ruzu-import demo --help'). Warm-up: 'ruzu-import "
               "warmup' (or 'python -m ruzu warmup') compiles ruzu's kernels once, ahead of "
               "the first import. Export: 'ruzu-import "
               "export DBDIR --table T --out t.csv|t.parquet' (see 'ruzu-import export "
               "--help').",
    )
    p.add_argument("database", metavar="DBDIR",
                   help="database directory (created when it does not exist)")
    p.add_argument("--overwrite", action="store_true",
                   help="delete DBDIR first if it is a ruzu database (as neo4j-admin's "
                        "--overwrite-destination)")
    p.add_argument("--version", action="version", version=f"ruzu {__version__}",
                   help="print the version and exit")
    p.add_argument("--schema", metavar="FILE",
                   help="Cypher file of CREATE NODE TABLE / CREATE REL TABLE statements; "
                        "tables that already exist are kept and appended to")
    p.add_argument("--nodes", action="append", default=[], metavar="TABLE=FILE[,FILE…]",
                   help="import FILE(s) into node table TABLE (repeatable)")
    p.add_argument("--relationships", action="append", default=[],
                   metavar="TABLE[:FROM:TO]=FILE[,FILE…]",
                   help="import FILE(s) into rel table TABLE; FROM:TO picks the node-table "
                        "pair of a rel table that has several (repeatable)")
    _add_csv_options(p)
    _add_error_options(p)
    _add_run_options(p)
    return p


def build_demo_parser() -> argparse.ArgumentParser:
    from .. import demo

    p = argparse.ArgumentParser(
        prog="ruzu-import demo",
        allow_abbrev=False,
        description="Generate a sample social graph (Person nodes id,name,age and Follows "
                    "relationships from,to,since) as CSV files, import it into a new "
                    "database and show what was loaded.",
    )
    p.add_argument("database", metavar="DBDIR", nargs="?", default="demo-db",
                   help="database directory to create (default ./demo-db)")
    p.add_argument("--persons", type=_positive, default=demo.DEFAULT_PERSONS, metavar="N",
                   help=f"number of persons (default {demo.DEFAULT_PERSONS:,})")
    p.add_argument("--follows", type=_count, default=None, metavar="N",
                   help=f"number of follows relationships (default {demo.FOLLOWS_PER_PERSON} "
                        "per person)")
    p.add_argument("--out", metavar="DIR", default=None,
                   help="directory for the generated CSV files (default: demo-data beside "
                        "DBDIR)")
    p.add_argument("--seed", type=_count, default=0, metavar="N",
                   help="random seed of the generator (default 0)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace DBDIR if it already is a ruzu database")
    _add_run_options(p)
    return p


def _bad_tolerance(given: int | None) -> int | None:
    """The config's ``bad_tolerance``: the default when not given, None for unlimited."""
    if given is None:
        return DEFAULT_BAD_TOLERANCE
    return None if given == UNLIMITED else given


def config_from_args(args: argparse.Namespace) -> CsvImportConfig:
    """The :class:`CsvImportConfig` the options describe (raises ``ConfigError``)."""
    get = lambda name, default=None: getattr(args, name, default)  # noqa: E731
    quote = get("quote", '"')
    return CsvImportConfig(
        header=not get("no_header", False),
        delimiter="," if get("delimiter", ",") == "auto" else get("delimiter", ","),
        quote=quote,
        escape=get("escape") or quote,
        skip_rows=get("skip_rows", 0),
        ignore_errors=bool(get("ignore_errors") or get("bad_tolerance") is not None),
        bad_tolerance=_bad_tolerance(get("bad_tolerance")),
        null_strings=tuple(get("null_strings") or ("",)),
        batch_size=args.batch_size,
        memory_limit=importer_budget(args.max_memory),
        on_duplicate="keep_first" if get("skip_duplicate_nodes") else None,
        on_missing_endpoint="skip" if get("skip_bad_relationships") else None,
        partial=bool(get("partial")),
    )


# ============================================================================ input specs
@dataclass(frozen=True)
class FileJob:
    """One input file and where it goes."""

    kind: str  # "nodes" or "relationships"
    table: str
    path: str
    from_table: str | None = None
    to_table: str | None = None
    spec: str = ""

    @property
    def target(self) -> str:
        """The TABLE[:FROM:TO] part of a spec that names just this file's destination."""
        if self.from_table or self.to_table:
            return f"{self.table}:{self.from_table or ''}:{self.to_table or ''}"
        return self.table

    @property
    def label(self) -> str:
        pair = f"({self.from_table or '*'}→{self.to_table or '*'})" if (
            self.from_table or self.to_table) else ""
        return f"{self.table}{pair}"


def parse_spec(spec: str, kind: str) -> list[FileJob]:
    """``TABLE=FILE[,FILE…]`` (rels: ``TABLE[:FROM[:TO]]=…``); a bare ``FILE[,FILE…]`` names
    the table after each file. Raises ``ValueError`` with a usage message."""
    left, sep, right = spec.partition("=")
    target = rf"{_NAME}(?::(?:{_NAME})?){{0,2}}" if kind == "relationships" else _NAME
    if sep and re.fullmatch(target, left.strip()):
        files = [f.strip() for f in right.split(",")]
        if not all(files):
            raise ValueError(f"--{kind} {spec!r}: empty file name")
        parts = left.strip().split(":") + [None, None]
        table, from_t, to_t = parts[0], parts[1] or None, parts[2] or None
        return [FileJob(kind, table, f, from_t, to_t, spec) for f in files]
    if sep and re.fullmatch(r"[^/\\]*:[^/\\]*", left) and kind == "nodes":
        raise ValueError(f"--nodes {spec!r}: FROM:TO pairs belong to --relationships")
    files = [f.strip() for f in spec.split(",")]
    if not all(files):
        raise ValueError(f"--{kind} {spec!r}: empty file name")
    jobs = []
    for f in files:
        stem = os.path.basename(f).split(".")[0]
        if not re.fullmatch(_NAME, stem):
            raise ValueError(f"--{kind} {spec!r}: say which table, e.g. --{kind} TABLE={f}")
        jobs.append(FileJob(kind, stem, f, None, None, spec))
    return jobs



def jobs_from_args(args: argparse.Namespace) -> list[FileJob]:
    """The jobs of every ``--nodes`` spec, then of every ``--relationships`` spec, in the
    order given (raises ``ValueError`` with a usage message)."""
    jobs = [j for spec in args.nodes for j in parse_spec(spec, "nodes")]
    jobs += [j for spec in args.relationships for j in parse_spec(spec, "relationships")]
    from .inputs import expand_jobs

    return expand_jobs(jobs, getattr(args, "input_type", "auto"))
