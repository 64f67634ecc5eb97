"""What the command line reads: globs expanded (matches in name order), ``-`` (stdin) spooled
to a temporary file, and per file the dialect (``--delimiter auto`` sniffs it) and, for
Parquet and Arrow input, the CSV form ``arrow.py`` writes them in."""

from __future__ import annotations

import atexit
import dataclasses
import os
import shutil
import sys
import tempfile

from ..csv.files import expand_paths
from ..csv.sources import input_kind, open_binary
from ..errors import CsvError

_ARROW_KINDS = {"parquet", "ipc", "memory"}


def expand_jobs(jobs: list, input_type: str = "auto") -> list:
    """One job per file: a glob becomes its matches (sorted), ``-`` a spooled copy of stdin."""
    out = []
    for job in jobs:
        if job.path == "-":
            out.append(dataclasses.replace(job, path=spool_stdin()))
            continue
        if any(c in job.path for c in "*?[") and not os.path.exists(job.path):
            try:
                paths = expand_paths(job.path)
            except CsvError as e:
                raise ValueError(f"--{job.kind} {job.spec}: {e}") from None
            out.extend(dataclasses.replace(job, path=p) for p in paths)
        else:
            out.append(job)
    if input_type != "auto":
        for job in out:
            _check_type(job.path, input_type)
    return out


def _check_type(path: str, input_type: str) -> None:
    try:
        kind = input_kind(path)
    except OSError:
        return  # reported by the plan (file not found, …)
    is_arrow = kind in _ARROW_KINDS
    wanted = {"csv": not is_arrow, "parquet": kind == "parquet", "arrow": kind == "ipc"}
    if not wanted[input_type]:
        raise ValueError(f"{path}: --input-type {input_type}, but the file is {kind}")


_SPOOLED: list[str] = []


def spool_stdin() -> str:
    """Standard input copied to a temporary file (removed at exit), so errors can quote
    records again; compressed input stays compressed."""
    fd, path = tempfile.mkstemp(prefix="ruzu-stdin-", suffix=".input")
    with os.fdopen(fd, "wb") as f:
        shutil.copyfileobj(sys.stdin.buffer, f, 1 << 20)
    _SPOOLED.append(path)
    return path


@atexit.register
def _remove_spooled() -> None:
    for path in _SPOOLED:
        try:
            os.unlink(path)
        except OSError:
            pass


def file_config(db, job, cfg, args):
    """The config of one file: Parquet/Arrow as arrow.py writes them (a header of column
    names, ``,``); with ``--delimiter auto`` the delimiter sniffed from the file."""
    from ..csv.sniff import read_sample, sniff_dialect

    try:
        kind = input_kind(job.path)
    except OSError:
        return cfg  # the import reports it
    if kind in _ARROW_KINDS:
        return dataclasses.replace(cfg, header=True, delimiter=",", quote='"', escape='"',
                                   null_strings=("",))
    if getattr(args, "delimiter", ",") != "auto":
        return cfg
    text, _ = read_sample(lambda: open_binary(job.path), cfg.skip_rows)
    dialect = sniff_dialect(text, quote=cfg.quote, escape=cfg.escape,
                            expected_fields=_expected_fields(db, job))
    return dataclasses.replace(cfg, delimiter=dialect.delimiter)


def _expected_fields(db, job) -> int | None:
    catalog = db.catalog
    if job.kind == "nodes" and job.table in catalog.node_tables:
        return len([c for c in catalog.node_tables[job.table].columns
                    if c.type.value != "SERIAL"])
    if job.kind != "nodes" and job.table in catalog.rel_tables:
        return 2 + len(catalog.rel_tables[job.table].columns)
    return None
