"""What the user sees while and after a file is imported: the per-file
:class:`ProgressDisplay` (tqdm bars or plain lines), number formatting, and the one-line
summary of each file with its skipped rows grouped by reason."""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections.abc import Callable
from typing import TextIO

from ..csv.config import ImportProgress, ImportResult
from .args import FileJob


# ============================================================================ formatting
def fmt_mb(n: int) -> str:
    return f"{n / (1 << 20):,.1f} MB"


def fmt_bytes(n: int) -> str:
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= size:
            return f"{n / size:,.1f} {unit}"
    return f"{n} B"


def fmt_rows(n: int) -> str:
    return f"{n:,} row" + ("" if n == 1 else "s")


def fmt_duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


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
COMPILE_LINE_EVERY = 10.0  # seconds between "compiling …" lines in plain (log) output


def progress_stream(quiet: bool, out: TextIO, err: TextIO) -> tuple[TextIO, bool]:
    """Where progress goes and whether as bars: bars on stderr when it is a terminal (so they
    show while stdout is redirected to a log), else on stdout when it is one; otherwise (or
    ``--quiet``) plain lines on stdout."""
    if not quiet:
        for stream in (err, out):
            isatty = getattr(stream, "isatty", None)
            if isatty is not None and isatty():
                return stream, True
    return out, False


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
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._compiles = None  # a CompileWatch while the ticker runs
        self._last_compile_line = 0.0
        self._compiling_shown = False

    def _stage_desc(self) -> str:
        return f"{self.label}: {_STAGE_TEXT.get(self.stage, self.stage)}"

    def _tick(self) -> None:
        """Redraw the open bar twice a second, so its timer runs through stages that report
        nothing until they end (building the index, the CSR, committing); while numba compiles
        (a first run), say so with the time it has taken (issue 16: the first import sat at
        0% for 14-32 s with no word why)."""
        from .._jit import CompileWatch

        with CompileWatch() as self._compiles:
            while not self._stop.wait(0.5):
                with self._lock:
                    self._show_compiling(self._compiles.seconds())
                    if self._bar is not None:
                        self._bar.refresh()

    def _show_compiling(self, seconds: float | None) -> None:
        if seconds is None or seconds < 1:
            if self._bar is not None and self._compiling_shown:  # back to the stage's name
                self._bar.set_description_str(self._stage_desc(), refresh=False)
            self._compiling_shown = False
            return
        text = f"compiling ruzu's kernels (first run only), {fmt_duration(seconds)}"
        if self._bar is not None:
            self._compiling_shown = True
            self._bar.set_description_str(f"{self.label}: {text}", refresh=False)
        elif not self.bars and seconds - self._last_compile_line >= COMPILE_LINE_EVERY:
            self._last_compile_line = seconds
            self._print(f"{self.label}: {text}")

    def _start_ticker(self) -> None:
        if self._ticker is None:
            self._ticker = threading.Thread(target=self._tick, daemon=True,
                                            name="ruzu-progress")
            self._ticker.start()

    def __call__(self, p: ImportProgress) -> None:
        with self._lock:
            self._show(p)

    def _show(self, p: ImportProgress) -> None:
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
                desc=self._stage_desc(),
                unit="B", unit_scale=True, unit_divisor=1024, file=self.out,
                ncols=cols if cols > 0 else 100, nrows=rows if rows > 0 else 24,
                mininterval=0.2, leave=True,
                bar_format=None if byte_stage else "{desc} … {elapsed}",
            )
            self._update_bar(p)
            self._start_ticker()
        elif not self.bars:
            if self.clock is time.monotonic:  # (a test's fake clock: no thread)
                self._start_ticker()
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
            self._print(f"{self.label}: {what} ({fmt_bytes(p.bytes_total)})")
            return
        pct = 100.0 * p.fraction
        rate = p.rows / p.elapsed if p.elapsed > 0 else 0.0
        left = ""
        if 0 < p.bytes_read < p.bytes_total and p.elapsed > 0:
            eta = (p.bytes_total - p.bytes_read) * p.elapsed / p.bytes_read
            left = f", ~{fmt_duration(eta)} left"
        self._print(f"{self.label}: {what}: {p.rows:,} rows, {pct:.0f}% of "
                    f"{fmt_bytes(p.bytes_total)}, {rate:,.0f} rows/s{left}, "
                    f"memory {fmt_mb(p.rss)}")

    def _print(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def _close_bar(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def close(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
            self._ticker = None
        with self._lock:
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
    head = reason.split(":")[0]
    if head.count("(") != head.count(")"):  # the ':' is inside "(expected …HH:MM…)"
        head = reason
    return re.sub(r"\s+'[^']*'", "", head).strip()


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
            f"peak memory {fmt_mb(r.peak_rss)}")

