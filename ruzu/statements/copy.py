"""COPY … FROM with Kùzu's semantics: the file's fields fill the table's columns (or the listed
subset) by position after an optional header; delimiter, quote, escape and header are sniffed
from a bounded sample unless given (AUTO_DETECT=false turns sniffing off); a list of files or
a glob is one all-or-nothing import."""

from __future__ import annotations

import contextlib
import itertools
import os
import sys
import weakref

from ..csv.once import keeps_one_shot_inputs
from ..errors import CatalogError, QueryError
from ..query import ast, run_query, run_union
from ..query.options import current
from ..query.result import QueryResult

_COPY_OPTIONS = {
    "header": "header",
    "delim": "delimiter",
    "delimiter": "delimiter",
    "quote": "quote",
    "escape": "escape",
    "skip": "skip_rows",
    "ignore_errors": "ignore_errors",
    "null_strings": "null_strings",
}
_SNIFF_OPTIONS = {"auto_detect", "sample_size", "parallel"}
_BOOL_WORDS = {"true": True, "false": False}

COPY_IDS = itertools.count(1)
LAST_COPY: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@keeps_one_shot_inputs  # a FIFO's sniffed sample is replayed to the import (csv/once.py)
def run_copy(db, stmt: ast.Copy) -> QueryResult:
    from ..csv.config import CsvImportConfig
    from ..csv.files import expand_paths
    from ..csv.sources import is_arrow_input

    settings: dict = {}
    sniffing = {"auto_detect": True, "sample_size": None, "parallel": True}
    from_table = to_table = None
    if ("by_column", True) in stmt.options:
        return _copy_by_column(db, stmt)
    for name, value in stmt.options:
        if name == "from":
            from_table = str(value)
            continue
        if name == "to":
            to_table = str(value)
            continue
        if name in _SNIFF_OPTIONS:
            sniffing[name] = _sniff_option(name, value)
            continue
        field = _COPY_OPTIONS.get(name)
        if field is None:
            raise QueryError(
                f"unknown COPY option {name.upper()}; known options: "
                + ", ".join(sorted(k.upper() for k in (*_COPY_OPTIONS, *_SNIFF_OPTIONS)))
                + ", FROM, TO"
            )
        settings[field] = _option_value(name, field, value)
    catalog = db.catalog
    if stmt.table not in catalog.node_tables and stmt.table not in catalog.rel_tables:
        raise CatalogError(f"Table {stmt.table} does not exist.")
    if stmt.table in catalog.node_tables and (from_table or to_table):
        raise QueryError("FROM/TO options only apply to relationship tables")
    settings["column_mapping"] = "position"
    settings.update(_parser_threads(sniffing["parallel"]))
    if stmt.columns is not None:
        settings["columns"] = stmt.columns
    if stmt.source is not None:  # COPY T FROM df
        name = f"<{stmt.source}>"
        with in_memory_input(name, find_variable(stmt.source)):
            settings.update(ARROW_CSV)
            result = _import(db, stmt, [name], CsvImportConfig(**settings), from_table, to_table)
        return copy_message(db, stmt.table, result)
    paths = expand_paths(
        stmt.path if isinstance(stmt.path, tuple) else [stmt.path]
    )
    paths = [os.path.abspath(p) for p in paths]
    CsvImportConfig(**settings)  # validate first: a bad DELIM is a ConfigError, not a TypeError
    if is_arrow_input(paths[0]):  # Parquet / Arrow IPC: columns by position, no header
        settings.update(ARROW_CSV)
    else:
        _detect_dialect(db, stmt, paths[0], settings, sniffing, from_table, to_table)
    return copy_message(db, stmt.table, _import(db, stmt, paths, CsvImportConfig(**settings),
                                                from_table, to_table))


def _copy_by_column(db, stmt: ast.Copy) -> QueryResult:
    """Kùzu's ``COPY T FROM ('a.npy', 'b.npy') BY COLUMN``: file i fills column i (npy.py)."""
    from ..csv.config import CsvImportConfig
    from ..csv.npy import NpyColumns
    from ..csv.sources import input_kind

    if stmt.table in db.catalog.rel_tables:
        raise QueryError("Copy by column is not supported for relationship table.")
    if stmt.table not in db.catalog.node_tables:
        raise CatalogError(f"Table {stmt.table} does not exist.")
    paths = [os.path.abspath(p) for p in (stmt.path if isinstance(stmt.path, tuple)
                                          else (stmt.path,))]
    for path in paths:
        try:
            kind = input_kind(path)
        except OSError as e:
            raise QueryError(f"COPY … BY COLUMN: cannot read {path} ({e.strerror})") from None
        if kind != "npy":
            raise QueryError(f"Copy by column with {'csv' if kind == 'plain' else kind} file "
                             "type is not supported.")
    settings = {"column_mapping": "position", **ARROW_CSV, **_parser_threads(True)}
    if stmt.columns is not None:
        settings["columns"] = stmt.columns
    name = "<" + ", ".join(paths) + ">"
    with in_memory_input(name, NpyColumns(paths)):
        result = _import(db, stmt, [name], CsvImportConfig(**settings), None, None)
    return copy_message(db, stmt.table, result)


def _parser_threads(parallel: bool) -> dict:
    """The CSV parser's threads: one with ``PARALLEL=false`` (Kùzu: read serially), else the
    connection's ``num_threads`` when it set one (else CsvImportConfig's default)."""
    if not parallel:
        return {"threads": 1}
    threads = current().options.threads
    return {"threads": threads} if threads else {}


# how arrow.py writes Parquet, Arrow and DataFrame rows as CSV
ARROW_CSV = {"header": True, "delimiter": ",", "quote": '"', "escape": '"',
             "null_strings": ("",)}


def _import(db, stmt, paths, config, from_table, to_table):
    if stmt.table in db.catalog.node_tables:
        return db.import_nodes(stmt.table, paths, config=config)
    return db.import_relationships(
        stmt.table, paths, config=config, from_table=from_table, to_table=to_table
    )


def find_variable(name: str):
    """The value of ``name`` in the nearest calling frame outside ruzu (as Kùzu's
    ``COPY T FROM df`` finds a DataFrame)."""
    frame = sys._getframe(1)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module != "ruzu" and not module.startswith("ruzu."):
            if name in frame.f_locals:
                return frame.f_locals[name]
            if name in frame.f_globals:
                return frame.f_globals[name]
        frame = frame.f_back
    raise QueryError(f"COPY … FROM {name}: no variable {name!r} in the calling scope "
                     "(a pandas or polars DataFrame or a pyarrow Table)")


@contextlib.contextmanager
def in_memory_input(name: str, obj):
    from ..csv.arrow import IN_MEMORY, frame_library

    if frame_library(obj) is None:
        raise QueryError(f"cannot copy from a {type(obj).__name__}: expected a pandas or "
                         "polars DataFrame or a pyarrow Table")
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise QueryError("COPY from a DataFrame needs pyarrow (pip install pyarrow)") from None
    if name in IN_MEMORY:
        raise QueryError(f"{name} is already being copied")
    IN_MEMORY[name] = obj
    try:
        yield
    finally:
        IN_MEMORY.pop(name, None)


def run_copy_to(db, stmt: ast.CopyTo) -> QueryResult:
    """COPY (query) TO 'file': the query's result written as CSV or Parquet (copy_to.py)."""
    from .copy_to import write_result

    options: dict = {}
    for name, value in stmt.options:
        if name in ("header",):
            options[name] = _bool_option(name, value)
        elif isinstance(value, str):
            options[name] = _option_value(name, "delimiter", value)
        else:
            raise QueryError(f"COPY TO option {name.upper()} needs a one-character string")
    if isinstance(stmt.query, ast.Union):
        result = run_union(db, stmt.query, {}, stmt.text)
    else:
        result = run_query(db, stmt.query, {}, stmt.text)
    write_result(result, os.path.abspath(stmt.path), options)
    return QueryResult.from_rows([], [])


def copy_message(db, table: str, result) -> QueryResult:
    copied = f"{result.rows_imported} tuples have been copied to the {table} table."
    warnings = max(result.rows_skipped, len(result.rejects))  # every skipped row, not the kept
    if not warnings:
        return QueryResult.from_rows(["result"], [[copied]])
    query_id = next(COPY_IDS)
    LAST_COPY[db] = query_id
    return QueryResult.from_rows(
        ["result"],
        [
            [copied],
            [
                f"{warnings} warnings encountered during copy. Use 'CALL show_warnings() RETURN *' "
                f"to view the actual warnings. Query ID: {query_id}"
            ],
        ],
    )


def expected_columns(db, stmt: ast.Copy, from_table, to_table) -> tuple[list[str], list]:
    """Names and types of the fields the file should hold, in file order."""
    catalog = db.catalog
    if stmt.table in catalog.node_tables:
        schema = catalog.node_tables[stmt.table]
        in_file = [c for c in schema.columns if c.type.value != "SERIAL"]  # not in files
        cols = _subset(in_file, stmt.columns)
        return [c.name for c in cols], [c.type for c in cols]
    schema = catalog.rel_tables[stmt.table]
    pairs = [
        p for p in schema.pairs if (from_table in (None, p[0])) and (to_table in (None, p[1]))
    ] or schema.pairs
    src, dst = pairs[0]
    key_type = [
        catalog.node_tables[t].column(catalog.node_tables[t].primary_key).type
        for t in (src, dst)
    ]
    cols = _subset(schema.columns, stmt.columns)
    return ["from", "to", *[c.name for c in cols]], [*key_type, *[c.type for c in cols]]


def _subset(columns, names):
    if names is None:
        return list(columns)
    by_name = {c.name.lower(): c for c in columns}
    return [by_name[n.lower()] for n in names if n.lower() in by_name]


def _detect_dialect(db, stmt, path, settings, sniffing, from_table, to_table) -> None:
    """Fill in the delimiter, quote, escape and header the user did not give (Kùzu's
    AUTO_DETECT); with AUTO_DETECT=false they keep their defaults (no header)."""
    from ..csv.rereadable import is_rereadable
    from ..csv.sniff import (
        DEFAULT_SAMPLE_ROWS,
        Dialect,
        detect_header,
        first_record,
        read_sample,
        sniff_dialect,
    )
    from ..csv.sources import open_binary

    if not sniffing["auto_detect"] or not is_rereadable(path):
        # (a pipe or FIFO outside a one-shot scope: sniffing a sample would consume it)
        settings.setdefault("header", False)
        return
    if all(k in settings for k in ("delimiter", "quote", "escape", "header")):
        return
    names, types = expected_columns(db, stmt, from_table, to_table)
    text, _ = read_sample(lambda: open_binary(path), settings.get("skip_rows", 0))
    rows = sniffing["sample_size"] or DEFAULT_SAMPLE_ROWS
    dialect = sniff_dialect(text, delimiter=settings.get("delimiter"),
                            quote=settings.get("quote"), escape=settings.get("escape"),
                            expected_fields=len(names), sample_rows=rows)
    settings.setdefault("delimiter", dialect.delimiter)
    settings.setdefault("quote", dialect.quote)
    settings.setdefault("escape", dialect.escape)
    if "header" not in settings:
        chosen = Dialect(settings["delimiter"], settings["quote"], settings["escape"])
        settings["header"] = detect_header(first_record(text, chosen), names, types)


def _sniff_option(name: str, value):
    if name == "sample_size":
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise QueryError(f"COPY option SAMPLE_SIZE needs a positive integer, got {value!r}")
        return value
    return _bool_option(name, value)


def _bool_option(name: str, value) -> bool:
    if isinstance(value, str) and value.lower() in _BOOL_WORDS:
        return _BOOL_WORDS[value.lower()]
    if not isinstance(value, bool):
        raise QueryError(f"COPY option {name.upper()} needs true or false, got {value!r}")
    return value


def _option_value(name: str, field: str, value):
    if field in ("header", "ignore_errors"):
        return _bool_option(name, value)
    if field == "skip_rows":
        if not isinstance(value, int) or isinstance(value, bool):
            raise QueryError(f"COPY option {name.upper()} needs an integer, got {value!r}")
        return value
    if field == "null_strings":
        values = value if isinstance(value, tuple) else (value,)
        if not all(isinstance(v, str) for v in values):
            raise QueryError("COPY option NULL_STRINGS needs a list of strings")
        return tuple(values)
    if not isinstance(value, str):
        raise QueryError(f"COPY option {name.upper()} needs a one-character string")
    if value in ("\\t", "\\\\t"):
        return "\t"
    if value == "\\\\":
        return "\\"
    return value
