"""``ruzu-import``: bulk-load CSV files into a ruzu database from the command line.

A thin layer over :class:`ruzu.Database`: it parses the arguments, creates the tables of a
``--schema`` file, runs one :meth:`~ruzu.Database.import_nodes` /
:meth:`~ruzu.Database.import_relationships` per input file (each is its own transaction, all or
nothing), shows progress and prints a summary. Typed ruzu errors become one ``error: …`` line
on stderr and exit code 1; usage errors exit with 2.

Usage::

    ruzu-import DBDIR [--schema schema.cypher] [--nodes Person=persons.csv[,more.csv]]...
                [--relationships Follows=follows.csv]... [options]
    ruzu-import demo [DBDIR] [--persons N] [--out DIR]

Input specs: ``--nodes TABLE=FILE[,FILE…]`` (a bare ``FILE`` names the table after the file's
stem); ``--relationships TABLE=FILE[,FILE…]``, and for a rel table that connects several
node-table pairs ``--relationships TABLE:FROM:TO=FILE`` (``Likes:User:Post=likes.csv``; either
side may be left empty when the other one decides, ``Likes::Post=…``). Node files are imported
before relationship files, each in the order given. A failed run drops the tables it created
(unless ``--partial``) and removes a database directory it created, so the same command can
simply be run again once the input is fixed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TextIO

from . import __version__
from .catalog import NodeTableSchema, RelTableSchema
from .csv.config import MIN_MEMORY_LIMIT, CsvImportConfig, ImportProgress, ImportResult, Reject
from .database import Database
from .errors import CatalogError, CsvError, QueryError, RuzuError

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"


class CliError(Exception):
    """A problem the command line itself detects (e.g. the demo database already exists)."""


# ============================================================================ arguments
def _size(text: str) -> int:
    """``512M``, ``2G``, ``1.5GB``, ``300MiB``, ``1048576`` → bytes (K/M/G/T are powers of 1024)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:I?B)?\s*", text, re.IGNORECASE)
    if not m:
        raise argparse.ArgumentTypeError(f"invalid size {text!r} (examples: 512M, 2G)")
    value = float(m.group(1)) * 1024 ** " KMGT".index(m.group(2).upper() or " ")
    if value < MIN_MEMORY_LIMIT:
        raise argparse.ArgumentTypeError(
            f"{text!r} is below the minimum of {MIN_MEMORY_LIMIT >> 20}M")
    return int(value)


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
    value = _count(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text!r}")
    return value


def _char(text: str) -> str:
    """One character; ``\\t``/``tab`` name a tab."""
    named = {"\\t": "\t", "tab": "\t", "TAB": "\t"}
    text = named.get(text, text)
    if len(text.encode("utf-8")) != 1:
        raise argparse.ArgumentTypeError(f"expected one single-byte character, got {text!r}")
    return text


def _add_csv_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("CSV format")
    g.add_argument("--delimiter", type=_char, default=",", metavar="CHAR",
                   help="field delimiter (default ','; use '\\t' or 'tab' for tabs)")
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
    g.add_argument("--bad-tolerance", type=_count, default=None, metavar="N",
                   help="fail once more than N rows of a file were skipped (implies "
                        "--ignore-errors; default: no limit)")
    g.add_argument("--report-file", metavar="PATH",
                   help="write one JSON line per skipped row to PATH and the skipped records "
                        "themselves, in the input's format with its header, to "
                        "PATH-without-extension.bad.csv, ready to fix and re-import (one "
                        "PATH-without-extension.TABLE.FILE.bad.csv per input when several "
                        "inputs had skipped rows)")
    g.add_argument("--partial", action="store_true",
                   help="on a failure keep the batches committed before it instead of "
                        "rolling the file back; the error names the line to resume from")


def _add_run_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("resources and output")
    g.add_argument("--batch-size", type=_positive, default=100_000, metavar="N",
                   help="rows parsed per batch before they are written (default 100,000)")
    g.add_argument("--max-memory", type=_size, default=320 << 20, metavar="SIZE",
                   help="working-memory budget of the importer, e.g. 512M or 2G "
                        "(default 320M, minimum 64M)")
    g.add_argument("--quiet", action="store_true",
                   help="no progress bars: plain progress lines (at most one per second and "
                        "one per stage) and the summary")


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``ruzu-import DBDIR …`` (``demo`` mode has its own, see
    :func:`build_demo_parser`)."""
    p = argparse.ArgumentParser(
        prog="ruzu-import",
        usage="%(prog)s DBDIR [--schema FILE] [--nodes TABLE=FILE[,FILE…]]… "
              "[--relationships TABLE[:FROM:TO]=FILE[,FILE…]]… [options]\n"
              "       %(prog)s demo [DBDIR] [--persons N] [--out DIR] [options]",
        description="Bulk-load CSV files into a ruzu database. Node files are imported "
                    "first, then relationship files; each file is one all-or-nothing "
                    "transaction. Tables that already exist are appended to.",
        epilog="TABLE specs: --nodes Person=persons.csv,more.csv (a bare persons.csv means "
               "the table named like the file); --relationships Follows=follows.csv; for a "
               "rel table with several FROM/TO pairs name one: --relationships "
               "Likes:User:Post=likes.csv. "
               "Demo: 'ruzu-import demo [DBDIR] [--persons N]' generates a sample social "
               "graph and imports it (see 'ruzu-import demo --help').",
    )
    p.add_argument("database", metavar="DBDIR",
                   help="database directory (created when it does not exist)")
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
    from . import demo

    p = argparse.ArgumentParser(
        prog="ruzu-import demo",
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


def config_from_args(args: argparse.Namespace) -> CsvImportConfig:
    """The :class:`CsvImportConfig` the options describe (raises ``ConfigError``)."""
    get = lambda name, default=None: getattr(args, name, default)  # noqa: E731
    quote = get("quote", '"')
    return CsvImportConfig(
        header=not get("no_header", False),
        delimiter=get("delimiter", ","),
        quote=quote,
        escape=get("escape") or quote,
        skip_rows=get("skip_rows", 0),
        ignore_errors=bool(get("ignore_errors") or get("bad_tolerance") is not None),
        null_strings=tuple(get("null_strings") or ("",)),
        batch_size=args.batch_size,
        memory_limit=args.max_memory,
        on_duplicate="keep_first" if get("skip_duplicate_nodes") else None,
        on_missing_endpoint="skip" if get("skip_bad_relationships") else None,
        bad_tolerance=get("bad_tolerance"),
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


# ============================================================================ schema files
@dataclass
class SchemaStatement:
    """One CREATE … TABLE statement of a schema file, checked but not yet run."""

    schema: NodeTableSchema | RelTableSchema
    path: str
    line: int
    text: str  # the statement as it is handed to Database.execute


_COMMENT = re.compile(r"//[^\n]*|--[^\n]*|/\*.*?\*/", re.DOTALL)
_GROUP = re.compile(r"(CREATE\s+REL\s+TABLE\s+)(GROUP)(\s)", re.IGNORECASE)
_SYNTAX = re.compile(r"Syntax error at line (\d+), column (\d+): (.*)")


def split_statements(text: str) -> list[tuple[str, int, int]]:
    """Split a Cypher file on ``;`` into (statement, line, column) of where each starts.
    Comments (``//``, ``/* */`` and SQL's ``--``) and Kùzu's old ``REL TABLE GROUP`` keyword
    are blanked out with spaces, so offsets, lines and columns stay those of the file."""
    blank = lambda m: re.sub(r"[^\n]", " ", m.group(0))  # noqa: E731
    text = _COMMENT.sub(blank, text)
    text = _GROUP.sub(lambda m: m.group(1) + " " * len(m.group(2)) + m.group(3), text)
    out = []
    offset = 0
    for chunk in text.split(";"):
        if chunk.strip():
            line = text.count("\n", 0, offset) + 1
            column = offset - (text.rfind("\n", 0, offset) + 1) + 1
            out.append((chunk, line, column))
        offset += len(chunk) + 1
    return out


def parse_schema(text: str, path: str = "<schema>") -> list[SchemaStatement]:
    """Check the ``CREATE NODE TABLE Name(col TYPE, …, PRIMARY KEY(col))`` and ``CREATE REL
    TABLE Name(FROM A TO B[, FROM C TO D], col TYPE, …)`` statements of a schema file with
    the Cypher parser, without touching a database. Errors name ``path:line:column``."""
    from .query import ast, parse

    out: list[SchemaStatement] = []
    for chunk, line, column in split_statements(text):
        try:
            stmt = parse(chunk)
        except QueryError as e:
            raise _relocate(e, path, line, column) from None
        first = line + chunk[: len(chunk) - len(chunk.lstrip())].count("\n")
        where = f"{path}:{first}"
        try:
            if isinstance(stmt, ast.CreateNodeTable):
                schema: NodeTableSchema | RelTableSchema = NodeTableSchema(
                    stmt.name, list(stmt.columns), stmt.primary_key)
            elif isinstance(stmt, ast.CreateRelTable):
                schema = RelTableSchema(stmt.name, list(stmt.pairs), list(stmt.columns))
            else:
                head = " ".join(chunk.split())[:60]
                raise QueryError(f"expected CREATE NODE TABLE or CREATE REL TABLE, got '{head}'")
        except (CatalogError, QueryError) as e:
            raise type(e)(f"{where}: {e}") from e
        out.append(SchemaStatement(schema, path, first, chunk.strip()))
    return out


def _relocate(e: QueryError, path: str, line: int, column: int) -> QueryError:
    """The parser's "Syntax error at line L, column C: …" (relative to the statement, with the
    source line and a caret below) as one line: ``path:line:column: syntax error: …``."""
    first = str(e).splitlines()[0] if str(e) else ""
    m = _SYNTAX.match(first)
    if not m:
        return QueryError(f"{path}:{line}: {first}")
    rel_line, rel_col, message = int(m.group(1)), int(m.group(2)), m.group(3)
    col = rel_col + (column - 1 if rel_line == 1 else 0)
    return QueryError(f"{path}:{line + rel_line - 1}:{col}: syntax error: {message}")


# ============================================================================ progress
_STAGE_TEXT = {
    "nodes": "reading nodes",
    "index": "building the primary-key index",
    "relationships": "reading relationships",
    "resolve": "resolving endpoints",
    "csr": "building the adjacency lists",
    "commit": "committing",
}
_BYTE_STAGES = ("nodes", "relationships")


def _mb(n: int) -> str:
    return f"{n / (1 << 20):,.1f} MB"


def _bytes(n: int) -> str:
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= size:
            return f"{n / size:,.1f} {unit}"
    return f"{n} B"


def _rows(n: int) -> str:
    return f"{n:,} row" + ("" if n == 1 else "s")


def _duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class ProgressDisplay:
    """The ``progress`` callback of one file's import: a tqdm bar per stage (bytes of input,
    rows/s, time remaining) or, with ``bars=False``, plain lines — one per stage change and
    at most one per ``interval`` seconds in between."""

    def __init__(self, out: TextIO, label: str, *, bars: bool, interval: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.out = out
        self.label = label
        self.bars = bars
        self.interval = interval
        self.clock = clock
        self.stage: str | None = None
        self._bar = None
        self._last_line = 0.0

    def __call__(self, p: ImportProgress) -> None:
        if p.stage != self.stage:
            self._close_bar()
            self.stage = p.stage
            self._start_stage(p)
        elif self._bar is not None:
            self._update_bar(p)
        elif p.stage in _BYTE_STAGES and self.clock() - self._last_line >= self.interval:
            self._line(p)

    def _start_stage(self, p: ImportProgress) -> None:
        if self.bars and p.stage != "commit":
            from tqdm import tqdm

            byte_stage = p.stage in _BYTE_STAGES
            # A terminal that reports no size (some ptys, CI consoles) makes tqdm print
            # nothing at all, so fall back to 100 x 24.
            cols, rows = shutil.get_terminal_size((100, 24))
            self._bar = tqdm(
                total=p.bytes_total if byte_stage else None,
                desc=f"{self.label}: {_STAGE_TEXT.get(p.stage, p.stage)}",
                unit="B", unit_scale=True, unit_divisor=1024, file=self.out,
                ncols=cols if cols > 0 else 100, nrows=rows if rows > 0 else 24,
                mininterval=0.2, leave=True,
                bar_format=None if byte_stage else "{desc} … {elapsed}",
            )
            self._update_bar(p)
        elif not self.bars:
            if p.stage in _BYTE_STAGES:
                self._line(p, first=True)
            else:
                self._print(f"{self.label}: {_STAGE_TEXT.get(p.stage, p.stage)}")

    def _update_bar(self, p: ImportProgress) -> None:
        bar = self._bar
        if p.stage in _BYTE_STAGES:
            bar.update(max(0, min(p.bytes_read, p.bytes_total) - bar.n))
            rate = p.rows / p.elapsed if p.elapsed > 0 else 0.0
            bar.set_postfix_str(f"{p.rows:,} rows, {rate:,.0f} rows/s",
                                refresh=False)

    def _line(self, p: ImportProgress, first: bool = False) -> None:
        self._last_line = self.clock()
        what = _STAGE_TEXT.get(p.stage, p.stage)
        if first:
            self._print(f"{self.label}: {what} ({_bytes(p.bytes_total)})")
            return
        pct = 100.0 * p.fraction
        rate = p.rows / p.elapsed if p.elapsed > 0 else 0.0
        left = ""
        if 0 < p.bytes_read < p.bytes_total and p.elapsed > 0:
            left = f", ~{_duration((p.bytes_total - p.bytes_read) * p.elapsed / p.bytes_read)}"
            left += " left"
        self._print(f"{self.label}: {what}: {p.rows:,} rows, {pct:.0f}% of "
                    f"{_bytes(p.bytes_total)}, {rate:,.0f} rows/s{left}, memory {_mb(p.rss)}")

    def _print(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def _close_bar(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def close(self) -> None:
        self._close_bar()


# ============================================================================ summary
_ENDPOINT = re.compile(r"^(FROM|TO) key .* not found in node table (\w+)$")


def _reason_key(reason: str) -> str:
    """Group rejects by reason without their values ("TO key 9 not found …" → "TO key not
    found in node table Person")."""
    m = _ENDPOINT.match(reason)
    if m:
        return f"{m.group(1)} key not found in node table {m.group(2)}"
    if reason.startswith("duplicate primary key"):
        return "duplicate primary key"
    return re.sub(r"\s+'[^']*'", "", reason.split(":")[0]).strip()


def skipped_by_reason(result: ImportResult) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in result.rejects:
        key = _reason_key(r.reason)
        out[key] = out.get(key, 0) + 1
    rest = result.rows_skipped - len(result.rejects)
    if rest > 0:
        out["not itemised"] = rest
    return out


def summary_line(job: FileJob, r: ImportResult) -> str:
    rate = r.rows_read / r.seconds if r.seconds > 0 else 0.0
    skipped = f"{r.rows_skipped:,} skipped"
    if r.rows_skipped:
        skipped += " (" + ", ".join(f"{n:,} {why}" for why, n in
                                    skipped_by_reason(r).items()) + ")"
    return (f"{job.label} ← {job.path}: {r.rows_read:,} rows read = {r.rows_imported:,} "
            f"imported + {skipped}; {r.seconds:,.2f} s, {rate:,.0f} rows/s, "
            f"peak memory {_mb(r.peak_rss)}")


# ============================================================================ reports
def _read_record(f, start: int, quote: bytes, escape: bytes, limit: int = 16 << 20) -> bytes:
    """The raw bytes of the CSV record starting at file offset ``start``, line end included:
    up to the first newline outside quotes (at most ``limit`` bytes, then up to the first
    newline at all: an unterminated quote)."""
    f.seek(start)
    data = bytearray()
    pos = 0
    in_quote = False
    step = 4096  # most records are short; read more (doubling) only for long ones
    while True:
        if pos >= len(data):
            more = f.read(step)
            step = min(step * 2, 1 << 20)
            if not more:
                return bytes(data) + b"\n" if data and not data.endswith(b"\n") else bytes(data)
            data += more
            if len(data) > limit:
                cut = data.find(b"\n")
                return bytes(data[: cut + 1]) if cut >= 0 else bytes(data[:limit]) + b"\n"
        if in_quote:
            if escape != quote and data[pos : pos + 1] == escape:
                pos += 2
                continue
            nxt = data.find(quote, pos)
            if escape != quote:
                e = data.find(escape, pos)
                if e != -1 and (nxt == -1 or e < nxt):
                    pos = e
                    continue
            if nxt == -1:
                pos = len(data)
                continue
            pos = nxt + 1
            in_quote = False
        else:
            q = data.find(quote, pos)
            nl = data.find(b"\n", pos)
            if nl != -1 and (q == -1 or nl < q):
                return bytes(data[: nl + 1])
            if q == -1:
                pos = len(data)
                continue
            pos = q + 1
            in_quote = True


def _line_offsets(path: str, lines: set[int]) -> dict[int, int]:
    """File offsets of the starts of the given 1-based physical lines."""
    wanted = sorted(lines)
    out: dict[int, int] = {}
    line, offset, i = 1, 0, 0
    with open(path, "rb") as f:
        while i < len(wanted) and wanted[i] <= 1:
            out[wanted[i]] = 0
            i += 1
        while i < len(wanted):
            block = f.read(8 << 20)
            if not block:
                break
            start = 0
            count = block.count(b"\n")
            if line + count < wanted[i]:
                line += count
                offset += len(block)
                continue
            while i < len(wanted):
                nl = block.find(b"\n", start)
                if nl == -1:
                    break
                line += 1
                start = nl + 1
                while i < len(wanted) and wanted[i] == line:
                    out[wanted[i]] = offset + start
                    i += 1
            offset += len(block)
    return out


def raw_records(path: str, rejects: Sequence[Reject], cfg: CsvImportConfig) -> list[bytes]:
    """The rejected records as they are in the file (located by byte offset, or by line when
    the loader only knows the line, e.g. an unknown relationship endpoint)."""
    _, quote, escape = (bytes([b]) for b in cfg.dialect_bytes)
    by_line = _line_offsets(path, {r.line for r in rejects if r.byte_offset < 0})
    out = []
    with open(path, "rb") as f:
        for r in rejects:
            start = r.byte_offset if r.byte_offset >= 0 else by_line.get(r.line)
            if start is None:
                out.append(r.record.encode("utf-8") + b"\n")
            else:
                out.append(_read_record(f, start, quote, escape))
    return out


def header_record(path: str, cfg: CsvImportConfig) -> bytes:
    _, quote, escape = (bytes([b]) for b in cfg.dialect_bytes)
    with open(path, "rb") as f:
        start = 3 if f.read(3) == b"\xef\xbb\xbf" else 0
        return _read_record(f, start, quote, escape)


def bad_csv_path(report: str) -> str:
    return os.path.splitext(report)[0] + ".bad.csv"


def write_report(report: str, done: list[tuple[FileJob, ImportResult]],
                 cfg: CsvImportConfig) -> list[str]:
    """Write the JSON-lines report and the ``.bad.csv`` file(s); returns the bad-CSV paths.
    One input file with rejected rows → ``<report>.bad.csv``; several → one
    ``<report>.<table>.<file>.bad.csv`` each."""
    with_rejects = [(job, r) for job, r in done if r.rejects]
    base = bad_csv_path(report)
    bad_paths: list[str] = []
    with open(report, "w", encoding="utf-8") as out:
        for job, r in done:
            for rej in r.rejects:
                out.write(json.dumps({"table": job.table, **rej.to_dict()},
                                     ensure_ascii=False) + "\n")
    for job, r in with_rejects:
        if len(with_rejects) == 1:
            bad = base
        else:
            stem = os.path.basename(job.path).split(".")[0] or "input"
            bad = f"{base[: -len('.bad.csv')]}.{job.table}.{stem}.bad.csv"
            n = 2
            while bad in bad_paths:
                bad = f"{base[: -len('.bad.csv')]}.{job.table}.{stem}-{n}.bad.csv"
                n += 1
        with open(bad, "wb") as f:
            if cfg.header:
                f.write(header_record(job.path, cfg))
            for rec in raw_records(job.path, r.rejects, cfg):
                f.write(rec)
        bad_paths.append(bad)
    return bad_paths


# ============================================================================ the import
@dataclass
class Plan:
    creates: list[SchemaStatement] = field(default_factory=list)
    skipped_creates: list[SchemaStatement] = field(default_factory=list)
    jobs: list[FileJob] = field(default_factory=list)


def _check_file(path: str) -> None:
    if not os.path.exists(path):
        raise CsvError(f"{path}: file not found", path=path, reason="file not found")
    if os.path.isdir(path):
        raise CsvError(f"{path}: is a directory, not a CSV file", path=path,
                       reason="is a directory")
    if not os.access(path, os.R_OK):
        raise CsvError(f"{path}: permission denied", path=path, reason="permission denied")


def make_plan(db: Database, statements: list[SchemaStatement], jobs: list[FileJob]) -> Plan:
    """Check everything that can be checked before writing: tables exist (or the schema
    creates them), FROM/TO pairs resolve, input files are readable."""
    plan = Plan(jobs=jobs)
    nodes = dict(db.catalog.node_tables)
    rels = dict(db.catalog.rel_tables)
    for st in statements:
        s = st.schema
        if s.name in nodes or s.name in rels:
            plan.skipped_creates.append(st)
            continue
        if isinstance(s, RelTableSchema):
            for end in dict.fromkeys(t for pair in s.pairs for t in pair):
                if end not in nodes:
                    raise CatalogError(f"{st.path}:{st.line}: rel table {s.name}: node table "
                                       f"{end} does not exist")
            rels[s.name] = s
        else:
            nodes[s.name] = s
        plan.creates.append(st)

    def known() -> str:
        names = sorted(nodes) + sorted(rels)
        return ", ".join(names) if names else "none; create them with --schema FILE"

    for job in jobs:
        if job.kind == "nodes":
            if job.table not in nodes:
                hint = "it is a rel table, use --relationships" if job.table in rels else (
                    f"tables: {known()}")
                raise CatalogError(f"--nodes {job.spec}: node table {job.table} does not "
                                   f"exist ({hint})")
        else:
            if job.table not in rels:
                hint = "it is a node table, use --nodes" if job.table in nodes else (
                    f"tables: {known()}")
                raise CatalogError(f"--relationships {job.spec}: rel table {job.table} does "
                                   f"not exist ({hint})")
            pairs = [p for p in rels[job.table].pairs
                     if job.from_table in (None, p[0]) and job.to_table in (None, p[1])]
            all_pairs = ", ".join(f"{a}:{b}" for a, b in rels[job.table].pairs)
            if not pairs:
                raise CatalogError(
                    f"--relationships {job.spec}: rel table {job.table} has no FROM "
                    f"{job.from_table or '*'} TO {job.to_table or '*'} pair (it has "
                    f"{all_pairs})")
            if len(pairs) > 1:
                raise CatalogError(
                    f"--relationships {job.spec}: rel table {job.table} connects several "
                    f"node-table pairs ({all_pairs}); name one, e.g. --relationships "
                    f"{job.table}:{pairs[0][0]}:{pairs[0][1]}={job.path}")
        _check_file(job.path)
    return plan


def _create(db: Database, statement: SchemaStatement) -> None:
    try:
        db.execute(statement.text)
    except (CatalogError, QueryError) as e:
        raise type(e)(f"{statement.path}:{statement.line}: {e}") from e


def _rollback_created(db: Database, created: list[str]) -> list[str]:
    """Drop the tables this run created (newest first) so a failed run can simply be run
    again. Best effort: a table that cannot be dropped is left and reported."""
    left = []
    for name in reversed(created):
        try:
            db.drop_table(name)
        except RuzuError:
            left.append(name)
    return left


def run_import(args: argparse.Namespace, cfg: CsvImportConfig,
               statements: list[SchemaStatement], jobs: list[FileJob],
               out: TextIO) -> list[tuple[FileJob, ImportResult]]:
    """Create the schema and import every file; raises typed errors after cleaning up (tables
    this run created are dropped again, a database directory it created is removed)."""
    bars = not args.quiet and out.isatty()
    db_path = args.database
    existed = os.path.exists(db_path)
    t0 = time.perf_counter()
    done: list[tuple[FileJob, ImportResult]] = []
    created: list[str] = []
    db = None
    try:
        db = Database(db_path)
        plan = make_plan(db, statements, jobs)
        for st in plan.skipped_creates:
            print(f"table {st.schema.name} exists: appending to it (its CREATE at "
                  f"{st.path}:{st.line} is skipped)", file=out)
        for st in plan.creates:
            _create(db, st)
            created.append(st.schema.name)
        if created:
            print(f"created tables: {', '.join(created)}", file=out)
        for job in plan.jobs:
            display = ProgressDisplay(out, job.label, bars=bars)
            try:
                if job.kind == "nodes":
                    result = db.import_nodes(job.table, job.path, config=cfg, progress=display)
                else:
                    result = db.import_relationships(job.table, job.path, config=cfg,
                                                     progress=display,
                                                     from_table=job.from_table,
                                                     to_table=job.to_table)
            except RuzuError as e:
                _raise_resumable(e, job, done, out)  # --partial: say how to continue
                raise
            finally:
                display.close()
            done.append((job, result))
            print(summary_line(job, result), file=out, flush=True)
        if args.report_file:
            _report(args.report_file, done, cfg, out)
        _print_totals(db, done, time.perf_counter() - t0, out)
        return done
    except BaseException:
        _clean_up_failed_run(db, db_path, existed, created, done, cfg, args, out)
        raise
    finally:
        if db is not None:
            db.close()


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
        f"{_rows(result.rows_imported)} before it were committed; once the file is fixed, "
        f"resume with --{job.kind} {job.target}={job.path} --skip-rows {skip}") from error


def _clean_up_failed_run(db, db_path, existed, created, done, cfg, args, out) -> None:
    keep = getattr(args, "partial", False)
    if db is not None and created and not keep:
        left = _rollback_created(db, created)
        dropped = [n for n in created if n not in left]
        if dropped:
            print(f"rolled back: dropped the tables this run created ({', '.join(dropped)})",
                  file=out)
        done = [(j, r) for j, r in done if j.table not in dropped]
    if db is not None:
        db.close()
    if not existed and not keep and (not done) and os.path.isdir(db_path):
        shutil.rmtree(db_path, ignore_errors=True)
        return
    for job, r in done:
        print(f"kept: {job.label} ← {job.path} ({_rows(r.rows_imported)}) was committed "
              "before the error", file=out)
    if args.report_file and done:
        try:
            _report(args.report_file, done, cfg, out)
        except OSError:
            pass


def _report(path: str, done, cfg: CsvImportConfig, out: TextIO) -> None:
    bad = write_report(path, done, cfg)
    n = sum(len(r.rejects) for _, r in done)
    total = sum(r.rows_skipped for _, r in done)
    more = f" (the first {n:,} of {total:,})" if total > n else ""
    where = f"; records in {', '.join(bad)}" if bad else ""
    print(f"report: {n:,} skipped rows{more} in {path}{where}", file=out)


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
    print(f"done: {len(done)} file(s), {rows:,} rows in {seconds:,.2f} s ({rate:,.0f} rows/s), "
          f"peak memory {_mb(peak)}", file=out)
    if counts:
        print(f"database {db.path}: " + ", ".join(counts), file=out, flush=True)


# ============================================================================ demo
def run_demo(args: argparse.Namespace, out: TextIO) -> int:
    from . import demo

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
    print(f"generated {_bytes(files.bytes_written)} in {files.seconds:.1f} s", file=out)
    print("(the first run on a machine also compiles ruzu's numba kernels, ~20-40 s; they are "
          "cached for later runs)", file=out)
    argv = [db_path, "--schema", files.schema, "--nodes", f"Person={files.persons}",
            "--relationships", f"Follows={files.follows}",
            "--max-memory", f"{args.max_memory >> 20}M", "--batch-size", str(args.batch_size)]
    if args.quiet:
        argv.append("--quiet")
    print("importing: ruzu-import " + " ".join(argv), file=out, flush=True)
    import_args = build_parser().parse_args(argv)
    cfg = config_from_args(import_args)
    statements = parse_schema(demo.SCHEMA, files.schema)  # the file's own text
    jobs = [j for spec in import_args.nodes for j in parse_spec(spec, "nodes")]
    jobs += [j for spec in import_args.relationships for j in parse_spec(spec, "relationships")]
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


# ============================================================================ main
def main(argv: Sequence[str] | None = None) -> int:
    """Run ``ruzu-import`` with ``argv`` (default: ``sys.argv[1:]``); returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    out = sys.stdout
    try:
        if argv and argv[0] == "demo":
            args = build_demo_parser().parse_args(argv[1:])
            return run_demo(args, out)
        parser = build_parser()
        args = parser.parse_args(argv)
        try:
            jobs = [j for spec in args.nodes for j in parse_spec(spec, "nodes")]
            jobs += [j for spec in args.relationships
                     for j in parse_spec(spec, "relationships")]
        except ValueError as e:
            parser.error(str(e))
        if not jobs and not args.schema:
            parser.error("nothing to do: give --schema, --nodes or --relationships")
        cfg = config_from_args(args)
        statements = _read_schema(args.schema) if args.schema else []
        run_import(args, cfg, statements, jobs, out)
        return EXIT_OK
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


def _read_schema(path: str) -> list[SchemaStatement]:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise CliError(f"{path}: schema file not found") from None
    except UnicodeDecodeError:
        raise CliError(f"{path}: schema file is not UTF-8 text") from None
    return parse_schema(text, path)


def _error(message: str) -> None:
    message = re.sub(r"\s*[\r\n]+\s*", " ", str(message)).strip()  # one line, always
    print(f"error: {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
