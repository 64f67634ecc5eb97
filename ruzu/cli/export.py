"""``ruzu-import export DBDIR (--table T | --query 'MATCH … RETURN …') --out FILE``: a table or
a query's result written as CSV (with a header of column names, so ``ruzu-import`` reads it
back by name), ``.csv.gz`` or Parquet, the same writer as Cypher's ``COPY (…) TO``."""

from __future__ import annotations

import argparse
from typing import TextIO

from ..database import Database
from ..errors import CatalogError


def build_export_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ruzu-import export",
        description="Write a table or a query's result out of a ruzu database as CSV, "
                    ".csv.gz or Parquet (told by --out's name).")
    p.add_argument("database", metavar="DBDIR", help="an existing ruzu database")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--table", metavar="TABLE",
                      help="a node table (all its columns) or a rel table of one FROM/TO "
                           "pair (from and to keys, then its properties)")
    what.add_argument("--query", metavar="CYPHER", help="a MATCH … RETURN … query")
    p.add_argument("--out", metavar="FILE", required=True,
                   help="output file: .csv, .tsv, .csv.gz or .parquet")
    p.add_argument("--delimiter", default=",", metavar="CHAR",
                   help="CSV field delimiter (default ','; 'tab' for tabs)")
    p.add_argument("--no-header", action="store_true", help="CSV without the header line")
    return p


def table_query(db: Database, table: str) -> str:
    catalog = db.catalog
    if table in catalog.node_tables:
        cols = [c.name for c in catalog.node_tables[table].columns]
        items = ", ".join(f"n.`{c}` AS `{c}`" for c in cols)
        return f"MATCH (n:`{table}`) RETURN {items}"
    if table in catalog.rel_tables:
        schema = catalog.rel_tables[table]
        if len(schema.pairs) != 1:
            raise CatalogError(f"rel table {table} connects several node-table pairs; "
                               "export it with --query")
        src, dst = schema.pairs[0]
        a_key = catalog.node_tables[src].primary_key
        b_key = catalog.node_tables[dst].primary_key
        props = "".join(f", r.`{c.name}` AS `{c.name}`" for c in schema.columns)
        return (f"MATCH (a:`{src}`)-[r:`{table}`]->(b:`{dst}`) "
                f"RETURN a.`{a_key}` AS `from`, b.`{b_key}` AS `to`{props}")
    raise CatalogError(f"Table {table} does not exist.")


def run_export(argv: list[str], out: TextIO) -> int:
    from ..statements.copy_to import write_result

    args = build_export_parser().parse_args(argv)
    delimiter = "\t" if args.delimiter in ("tab", "\\t") else args.delimiter
    with Database(args.database, read_only=True) as db:
        query = args.query or table_query(db, args.table)
        result = db.execute(query)
        options = {} if args.out.lower().endswith(".parquet") else {
            "header": not args.no_header, "delim": delimiter}
        write_result(result, args.out, options)
        print(f"{result.get_num_tuples():,} rows written to {args.out}", file=out)
    return 0
