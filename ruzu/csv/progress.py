"""Progress reporting shared by the loaders: rows and bytes never go backwards."""

from __future__ import annotations

import time
from collections.abc import Callable

import psutil

from .config import ImportProgress


class ProgressReporter:
    def __init__(self, table: str, bytes_total: int,
                 callback: Callable[[ImportProgress], None] | None,
                 write_queue: Callable[[], int] = lambda: 0) -> None:
        self.table = table
        self.bytes_total = bytes_total
        self.callback = callback
        self.start = time.perf_counter()
        self.batch_count = 0
        self._process = psutil.Process()
        self._write_queue = write_queue

    def report(self, stage: str, rows: int, bytes_read: int) -> None:
        if self.callback is None:
            return
        self.callback(ImportProgress(
            table=self.table, stage=stage, rows=rows, bytes_read=bytes_read,
            bytes_total=self.bytes_total, batch_count=self.batch_count,
            elapsed=time.perf_counter() - self.start, rss=self._process.memory_info().rss,
            write_queue_bytes=self._write_queue(),
        ))


def peak_rss() -> int:
    """Peak resident set size of this process so far (VmHWM), in bytes."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
