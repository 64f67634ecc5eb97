"""The query memory budget: a query whose intermediate results outgrow it fails with
``QueryMemoryError`` naming the budget, instead of growing until the kernel's OOM killer ends
the process (a three-way cartesian product of 3,274 nodes once reached 23.7 GB).

The measure is the growth of the process's anonymous resident memory (``/proc/self/statm``:
resident minus file-backed pages) since the query started — what the OOM killer counts, and
independent of how the engine represents its rows; memory-mapped data files do not count. It
is checked as frames stream through the pipeline and before large allocations, so a query
overshoots the budget by at most about one chunk.

Budget: ``Connection(db, query_memory_limit=…)`` or ``Database(…, query_memory_limit=…)`` in
bytes; by default a quarter of the physical memory (or of the cgroup limit when lower).
"""

from __future__ import annotations

import functools
import os
import threading
import time

from ..errors import QueryMemoryError
from .interrupt import Stopper
from .options import current

DEFAULT_FRACTION = 4  # the default budget is 1/DEFAULT_FRACTION of the memory available
CHECK_INTERVAL = 0.002  # seconds between two reads of /proc/self/statm on the streaming path

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@functools.cache
def physical_memory() -> int:
    """Physical memory, or the cgroup's limit when lower (read once per process)."""
    total = os.sysconf("SC_PHYS_PAGES") * _PAGE
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(path) as f:
                text = f.read().strip()
        except OSError:
            continue
        if text.isdigit():
            total = min(total, int(text))
    return total


def default_limit() -> int:
    return physical_memory() // DEFAULT_FRACTION


_STATM: list = [None, None]  # (pid, descriptor) of /proc/self/statm, kept open per process
_STATM_LOCK = threading.Lock()


def _statm_descriptor() -> int:
    """This process's /proc/self/statm, opened once (re-opened in a forked child, whose
    inherited descriptor would describe the parent); a pread of it costs ~1 µs, an open ~8."""
    pid = os.getpid()
    if _STATM[0] != pid:
        with _STATM_LOCK:
            if _STATM[0] != pid:
                if _STATM[1] is not None:  # inherited from the parent
                    os.close(_STATM[1])
                _STATM[1] = os.open("/proc/self/statm", os.O_RDONLY | os.O_CLOEXEC)
                _STATM[0] = pid
    return _STATM[1]


def anon_rss() -> int:
    """Anonymous resident bytes of this process (0 where /proc is not available)."""
    try:
        fields = os.pread(_statm_descriptor(), 256, 0).split()
        return (int(fields[1]) - int(fields[2])) * _PAGE
    except (OSError, IndexError, ValueError, AttributeError):
        return 0


def _mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB"


class MemoryGuard:
    """Tracks one query's memory growth against its budget (shared by its worker threads)."""

    def __init__(self, db) -> None:
        self.limit = (current().options.memory_limit  # the connection's, then the database's
                      or getattr(db, "query_memory_limit", None) or default_limit())
        self.base = anon_rss()
        self._last = time.monotonic()  # the base was just read
        self._used = 0  # the growth at the last read
        self.stopper = Stopper()  # timeout / interrupt, checked with the memory

    def check(self, extra: int = 0) -> None:
        """Raise QueryMemoryError when the growth so far plus ``extra`` bytes about to be
        allocated exceeds the budget. Cheap: it reads the process's memory at most every
        CHECK_INTERVAL seconds, unless ``extra`` could bring the query near its budget. Also
        stops an interrupted or timed-out query."""
        self.stopper.check()
        now = time.monotonic()
        # within CHECK_INTERVAL of the last read the growth since is at most about a chunk
        if now - self._last < CHECK_INTERVAL and (
                not extra or 2 * (self._used + extra) <= self.limit):
            return
        self._last = now
        used = self._used = anon_rss() - self.base
        if used + extra > self.limit:
            raise self.error(used, extra)

    def error(self, used: int, extra: int = 0) -> QueryMemoryError:
        wanted = f" and needs {_mb(extra)} more" if extra else ""
        return QueryMemoryError(
            f"query stopped: its intermediate results use {_mb(max(used, 0))}{wanted}, over "
            f"the query memory limit of {_mb(self.limit)}; narrow the query (WHERE, LIMIT, "
            "an aggregate instead of every row) or raise the limit with "
            "Connection(db, query_memory_limit=…) / Database(…, query_memory_limit=…)"
        )
