"""``--report-file``: the skipped rows of an import as JSON lines, and the rejected records
themselves, byte for byte with the input's header, as ``.bad.csv`` files ready to fix and
import again."""

from __future__ import annotations

import itertools
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from typing import TextIO

from ..csv.config import CsvImportConfig, ImportResult, Reject
from ..csv.lines import line_offsets
from ..csv.sources import input_kind, open_binary
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


def _open_input(path: str):
    """The input's bytes as the parser saw them, at any offset (rejects hold offsets into
    these): a plain file as stored, a pipe's from its spool (see ``csv/once.py``), a
    compressed file decompressed (it used to copy compressed bytes into the .bad.csv)."""
    if input_kind(path) == "plain":  # (a pipe too)
        return open_binary(path)
    return _Reopening(path)


class _Reopening:
    """A decompressing (or converting) reader that seeks back by opening the input again (a
    zstd stream and an Arrow input read forward only)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._f = open_binary(path)

    def seek(self, offset: int) -> int:
        if offset < self._f.tell():
            self._f.close()
            self._f = open_binary(self.path)
        return self._f.seek(offset)

    def read(self, n: int = -1) -> bytes:
        return self._f.read(n)

    def __enter__(self) -> _Reopening:
        return self

    def __exit__(self, *exc) -> None:
        self._f.close()


def _quote_escape(cfg: CsvImportConfig) -> tuple[bytes, bytes]:
    _, quote, escape = (bytes([b]) for b in cfg.dialect_bytes)
    return quote, escape


def raw_records(path: str, rejects: Sequence[Reject], cfg: CsvImportConfig) -> list[bytes]:
    """The rejected records as they are in the file, complete (quoted line breaks included),
    found at their byte offset; a reject without one (``byte_offset == -1``) is found by its
    line, and one whose line is not in the file falls back to its ``record`` text."""
    quote, escape = _quote_escape(cfg)
    by_line = line_offsets(path, sorted({r.line for r in rejects if r.byte_offset < 0}))
    starts = [r.byte_offset if r.byte_offset >= 0 else by_line.get(r.line) for r in rejects]
    out = [r.record.encode("utf-8") + b"\n" for r in rejects]  # where a record is not found
    with _open_input(path) as f:  # read in file order: a compressed input seeks forward
        for i in sorted((i for i, s in enumerate(starts) if s is not None),
                        key=starts.__getitem__):
            out[i] = _read_record(f, starts[i], quote, escape)
    return out


def header_record(path: str, cfg: CsvImportConfig) -> bytes:
    quote, escape = _quote_escape(cfg)
    with _open_input(path) as f:
        start = 3 if f.read(3) == b"\xef\xbb\xbf" else 0
        return _read_record(f, start, quote, escape)


def bad_csv_path(report: str) -> str:
    return os.path.splitext(report)[0] + ".bad.csv"


class RejectStream:
    """``--report-file`` without a cap: every skipped row is written as a JSON line the moment
    the import reports it (``on_reject``), to a temporary file per input beside the report
    (bounded memory). The report is put together from the inputs that were committed."""

    def __init__(self, report: str) -> None:
        self.folder = os.path.dirname(os.path.abspath(report))
        self._files: dict[int, tuple[str, TextIO]] = {}
        self._counts: dict[int, int] = {}

    def writer(self, job: FileJob):
        """The ``on_reject`` callback of ``job``'s import."""
        fd, path = tempfile.mkstemp(prefix=".ruzu-rejects-", suffix=".jsonl", dir=self.folder)
        f = os.fdopen(fd, "w", encoding="utf-8")
        self._files[id(job)] = (path, f)
        self._counts[id(job)] = 0

        def write(rej: Reject) -> None:
            f.write(json.dumps(rej.to_dict(), ensure_ascii=False) + "\n")
            self._counts[id(job)] += 1

        return write

    def count(self, job: FileJob, result: ImportResult) -> int:
        """Rejects of ``job`` in the report: all that were streamed, except those of batches
        a partial-mode import took back."""
        return min(self._counts.get(id(job), 0), result.rows_skipped)

    def rejects(self, job: FileJob, result: ImportResult) -> Iterator[Reject]:
        entry = self._files.get(id(job))
        if entry is None:
            return
        path, f = entry
        f.flush()
        with open(path, encoding="utf-8") as lines:
            for line in itertools.islice(lines, self.count(job, result)):
                d = json.loads(line)
                yield Reject(d["file"], d["line"], d["byte_offset"], d["column"],
                             d["column_name"], d["reason"], d["record"])

    def close(self) -> None:
        for path, f in self._files.values():
            f.close()
            try:
                os.unlink(path)
            except OSError:
                pass
        self._files.clear()


def _rejects_of(job, result: ImportResult, stream: RejectStream | None) -> Iterator[Reject]:
    return stream.rejects(job, result) if stream is not None else iter(result.rejects)


def _chunks(items: Iterator, size: int) -> Iterator[list]:
    while chunk := list(itertools.islice(items, size)):
        yield chunk


def write_report(report: str, done: list[tuple[FileJob, ImportResult]],
                 cfg: CsvImportConfig, stream: RejectStream | None = None) -> list[str]:
    """Write the JSON-lines report and the ``.bad.csv`` file(s); returns the bad-CSV paths.
    One input file with rejected rows → ``<report>.bad.csv``; several → one
    ``<report>.<table>.<file>.bad.csv`` each. With a ``stream``, every skipped row (read back
    from it); without, the rejects each result kept."""
    with_rejects = [(job, r) for job, r in done
                    if (stream.count(job, r) if stream is not None else r.rejects)]
    base = bad_csv_path(report)
    bad_paths: list[str] = []
    with open(report, "w", encoding="utf-8") as out:
        for job, r in done:
            for rej in _rejects_of(job, r, stream):
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
            for chunk in _chunks(_rejects_of(job, r, stream), 10_000):
                for rec in raw_records(job.path, chunk, cfg):
                    f.write(rec)
        bad_paths.append(bad)
    return bad_paths


def report_rejects(path: str, done: list[tuple[FileJob, ImportResult]], cfg: CsvImportConfig,
                   out: TextIO, stream: RejectStream | None = None) -> None:
    """Write the report of the imports in ``done`` to ``path`` (see :func:`write_report`) and
    say so on ``out``."""
    bad = write_report(path, done, cfg, stream)
    n = sum(stream.count(j, r) if stream is not None else len(r.rejects) for j, r in done)
    total = sum(r.rows_skipped for _, r in done)
    more = f" (the first {n:,} of {total:,})" if total > n else ""
    where = f"; records in {', '.join(bad)}" if bad else ""
    print(f"report: {n:,} skipped rows{more} in {path}{where}", file=out)
