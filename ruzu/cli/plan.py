"""The plan of an import, checked before anything is written: which ``CREATE`` statements
run and which name tables that already exist, that every input names an existing (or
about to be created) table and one FROM/TO pair, and that every input file is readable."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..catalog import RelTableSchema
from ..csv.sources import is_arrow_input
from ..database import Database
from ..errors import CatalogError, CsvError
from .args import FileJob
from .schema import SchemaStatement


@dataclass
class Plan:
    creates: list[SchemaStatement] = field(default_factory=list)
    skipped_creates: list[SchemaStatement] = field(default_factory=list)
    jobs: list[FileJob] = field(default_factory=list)


def _check_file(path: str) -> None:
    if not os.path.exists(path):
        raise CsvError(f"{path}: file not found", path=path, reason="file not found")
    if os.path.isdir(path) and not is_arrow_input(path):
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
