"""``--report-file``: the skipped rows of an import as JSON lines, and the rejected records
themselves, byte for byte with the input's header, as ``.bad.csv`` files ready to fix and
import again."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import TextIO

from ..csv.config import CsvImportConfig, ImportResult, Reject
from ..csv.lines import line_offsets
from .args import FileJob


def _line_end(data: bytearray, pos: int) -> int:
    """The first LF or CR at or after ``pos`` (-1 if none): CR-only files end lines with CR."""
    ends = [i for i in (data.find(b"\n", pos), data.find(b"\r", pos)) if i != -1]
    return min(ends) if ends else -1


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
                ended = data.endswith((b"\n", b"\r"))
                return bytes(data) + b"\n" if data and not ended else bytes(data)
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
            nl = _line_end(data, pos)
            if nl != -1 and (q == -1 or nl < q):
                if data[nl] == 13:  # CR: a line end of its own, or the first half of CRLF
                    if nl + 1 == len(data):
                        data += f.read(1)
                    if data[nl + 1 : nl + 2] == b"\n":
                        nl += 1
                return bytes(data[: nl + 1])
            if q == -1:
                pos = len(data)
                continue
            pos = q + 1
            in_quote = True


def _quote_escape(cfg: CsvImportConfig) -> tuple[bytes, bytes]:
    _, quote, escape = (bytes([b]) for b in cfg.dialect_bytes)
    return quote, escape


def raw_records(path: str, rejects: Sequence[Reject], cfg: CsvImportConfig) -> list[bytes]:
    """The rejected records as they are in the file, complete (quoted line breaks included),
    found at their byte offset; a reject without one (``byte_offset == -1``) is found by its
    line, and one whose line is not in the file falls back to its ``record`` text."""
    quote, escape = _quote_escape(cfg)
    by_line = line_offsets(path, sorted({r.line for r in rejects if r.byte_offset < 0}))
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
    quote, escape = _quote_escape(cfg)
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



def report_rejects(path: str, done: list[tuple[FileJob, ImportResult]], cfg: CsvImportConfig,
                   out: TextIO) -> None:
    """Write the report of the imports in ``done`` to ``path`` (see :func:`write_report`) and
    say so on ``out``."""
    bad = write_report(path, done, cfg)
    n = sum(len(r.rejects) for _, r in done)
    total = sum(r.rows_skipped for _, r in done)
    more = f" (the first {n:,} of {total:,})" if total > n else ""
    where = f"; records in {', '.join(bad)}" if bad else ""
    print(f"report: {n:,} skipped rows{more} in {path}{where}", file=out)
