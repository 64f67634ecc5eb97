"""COPY (MATCH … RETURN …) TO 'out.csv' | 'out.parquet': a query's result written out, so a
graph can be moved back out (Kùzu's COPY TO; like Kùzu, an empty result is returned).

CSV: no header unless HEADER=true, DELIM (default ``,``), NULL as an empty field, strings
quoted when they hold the delimiter, a quote, a line break or are empty (so the file reads
back the same), floats in their shortest round-trip form, BOOLEAN as True/False as Kùzu
writes them; a ``.gz`` name gzips the text. Parquet: the result's Arrow table (pyarrow).
Rows are written in chunks; the result itself is held by the query engine."""

from __future__ import annotations

import datetime as dt
import gzip
import os

from ..errors import QueryError
from ..query.result import QueryResult

CHUNK_ROWS = 10_000
_CSV_OPTIONS = {"header", "delim", "delimiter", "quote"}


def write_result(result: QueryResult, path: str, options: dict) -> None:
    lower = path.lower()
    if lower.endswith(".parquet"):
        unknown = set(options)
        if unknown:
            raise QueryError(f"COPY TO a Parquet file takes no options, got "
                             f"{', '.join(sorted(o.upper() for o in unknown))}")
        _write_parquet(result, path)
    elif lower.endswith((".csv", ".tsv", ".csv.gz", ".tsv.gz")):
        unknown = set(options) - _CSV_OPTIONS
        if unknown:
            raise QueryError(f"unknown COPY TO option {sorted(unknown)[0].upper()}; known: "
                             "HEADER, DELIM, QUOTE")
        _write_csv(result, path, options)
    else:
        ext = os.path.basename(path).rpartition(".")[2] or path
        raise QueryError(f"Exporting query result to the '{ext}' file is not supported "
                         "(use .csv, .csv.gz or .parquet)")


def _write_parquet(result: QueryResult, path: str) -> None:
    import pyarrow.parquet as pq

    table = result.get_as_arrow(CHUNK_ROWS)
    pq.write_table(table, path)


def _text(value, delimiter: str, quote: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        if value == "" or any(c in value for c in (delimiter, quote, "\n", "\r")):
            return quote + value.replace(quote, quote + quote) + quote
        return value
    if isinstance(value, dt.datetime | dt.date | int):
        return str(value)
    text = str(value)
    if any(c in text for c in (delimiter, quote, "\n", "\r")):
        return quote + text.replace(quote, quote + quote) + quote
    return text


def _write_csv(result: QueryResult, path: str, options: dict) -> None:
    delimiter = options.get("delim", options.get("delimiter", ","))
    quote = options.get("quote", '"')
    header = options.get("header", False)
    opener = gzip.open if path.lower().endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8", newline="") as out:
        if header:
            out.write(delimiter.join(_text(n, delimiter, quote)
                                     for n in result.get_column_names()) + "\n")
        result.reset_iterator()
        chunk: list[str] = []
        while result.has_next():
            row = result.get_next()
            chunk.append(delimiter.join(_text(v, delimiter, quote) for v in row))
            if len(chunk) >= CHUNK_ROWS:
                out.write("\n".join(chunk) + "\n")
                chunk.clear()
        if chunk:
            out.write("\n".join(chunk) + "\n")
