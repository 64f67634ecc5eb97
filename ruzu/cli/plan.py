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
    """What a run does: the CREATEs it runs, those it skips (the table exists), the files it
    imports and the files it skips (``--skip-existing``: imported before)."""

    creates: list[SchemaStatement] = field(default_factory=list)
    skipped_creates: list[SchemaStatement] = field(default_factory=list)
    jobs: list[FileJob] = field(default_factory=list)
    skipped_jobs: list[tuple[FileJob, dict]] = field(default_factory=list)


def previous_import(db: Database, job: FileJob) -> dict | None:
    """The record of a complete earlier import of this very file (same absolute path, size
    and modification time) into the job's table, or None."""
    try:
        st = os.stat(job.path)
    except (OSError, ValueError):
        return None
    path = os.path.abspath(job.path)
    for rec in reversed(db.imports):
        if (rec.get("table") == job.table and rec.get("path") == path
                and rec.get("size") == st.st_size and rec.get("mtime_ns") == st.st_mtime_ns
                and rec.get("complete", True)):
            return rec
    return None


def _sort_out_imported(db: Database, plan: Plan, skip_existing: bool, reimport: bool) -> None:
    """--skip-existing moves files imported before to ``plan.skipped_jobs``; without it or
    --reimport such a file is refused before anything is written."""
    if reimport:
        return
    keep = []
    for job in plan.jobs:
        rec = previous_import(db, job)
        if rec is None:
            keep.append(job)
        elif skip_existing:
            plan.skipped_jobs.append((job, rec))
        else:
            what = ("its edges would be added a second time" if job.kind == "relationships"
                    else "its keys are in the table already")
            raise CatalogError(
                f"{job.path}: already imported into {job.table} ({rec.get('rows_imported', 0):,}"
                f" rows, generation {rec.get('generation')}); {what}. Pass --skip-existing to "
                "skip the files imported before, or --reimport to import it again")
    plan.jobs = keep


def _check_file(path: str) -> None:
    if not os.path.exists(path):
        raise CsvError(f"{path}: file not found", path=path, reason="file not found")
    if os.path.isdir(path) and not is_arrow_input(path):
        raise CsvError(f"{path}: is a directory, not a CSV file", path=path,
                       reason="is a directory")
    if not os.access(path, os.R_OK):
        raise CsvError(f"{path}: permission denied", path=path, reason="permission denied")


def make_plan(db: Database, statements: list[SchemaStatement], jobs: list[FileJob], *,
              skip_existing: bool = False, reimport: bool = False) -> Plan:
    """Check everything that can be checked before writing: tables exist (or the schema
    creates them), FROM/TO pairs resolve, input files are readable and were not imported
    before (unless ``skip_existing`` skips them or ``reimport`` allows it)."""
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
    _sort_out_imported(db, plan, skip_existing, reimport)
    return plan
