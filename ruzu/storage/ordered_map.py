"""Run a function over items on a few threads, results in item order, few items in flight.

For the numba kernels of the index build and the endpoint resolution (they release the GIL):
two index partitions are sorted, or two are probed, at once on a 2-core machine, while memory
holds at most ``workers`` items in progress (plus the one the caller is consuming)."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

WORKERS = max(1, min(2, os.cpu_count() or 1))


def ordered_map(fn: Callable[[T], R], items: Iterable[T], workers: int = WORKERS
                ) -> Iterator[R]:
    """``map(fn, items)`` computed on ``workers`` threads; an item starts only when fewer than
    ``workers`` results are waiting. An exception in ``fn`` is raised here, in order; items not
    started yet are never started."""
    if workers <= 1:
        yield from map(fn, items)
        return
    pool = ThreadPoolExecutor(workers, thread_name_prefix="ruzu-index")
    pending: deque = deque()
    try:
        for item in items:
            if len(pending) >= workers:
                yield pending.popleft().result()
            pending.append(pool.submit(fn, item))
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True)
