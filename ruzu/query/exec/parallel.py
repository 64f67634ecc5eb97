"""Running the MATCH pipeline of an aggregating query on several threads.

The first MATCH's root scan is cut into blocks of nodes; worker threads take blocks from a
shared queue (so skewed degrees balance out), push them through their own copy of the MATCH
pipeline and aggregate into their own partial result; the partials are pooled at the end,
exactly as the chunks of one thread are. The kernels and most numpy operations release the
GIL, so the threads really run side by side.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from ..binder.steps import MatchStep, ProjectStep
from ..plan.ops import Close, Expand, Scan
from ..values.vectors import Frame, NodeVec, single_row_frame
from .matching import MatchExecutor
from .projection import Projector

MIN_ROOT_ROWS = 20_000  # below this, threads cost more than they save
MIN_BLOCK_ROWS = 1024
BLOCKS_PER_WORKER = 16


_CPUS = os.cpu_count() or 1


def workers() -> int:
    return max(1, min(_CPUS, 4))


def run_parallel(graph, params: dict, steps: list) -> tuple[int, Frame] | None:
    """If the query starts with MATCH clauses feeding an aggregating projection and the first
    MATCH scans many nodes into expansions, run that prefix on worker threads. Returns the
    index of the projection step and its output, or None when the query does not qualify."""
    n_workers = workers()
    if n_workers < 2:
        return None
    prefix = []
    for step in steps:
        if isinstance(step, MatchStep):
            prefix.append(step)
            continue
        if not (isinstance(step, ProjectStep) and step.aggregates and prefix):
            return None
        break
    else:
        return None
    projection_index = len(prefix)
    projection: ProjectStep = steps[projection_index]
    first = MatchExecutor(graph, params, prefix[0], set())
    if not first.plan or not isinstance(first.plan[0], Scan):
        return None
    if not any(isinstance(s, Expand | Close) for p in prefix for s in _plan_of(graph, params, p)):
        return None
    blocks = _blocks(first, first.plan[0].node, n_workers)
    if blocks is None:
        return None
    lock = threading.Lock()
    projector = Projector(graph, params, projection)

    def take_blocks() -> Iterator[NodeVec]:
        while True:
            with lock:
                if not blocks:
                    return
                block = blocks.pop()
            yield block

    def work(_: int):
        aggregation = projector.new_aggregation()
        available: set[str] = set()
        stream = [single_row_frame()]
        for i, step in enumerate(prefix):
            executor = MatchExecutor(graph, params, step, available)
            if i == 0:
                executor.scan_source = take_blocks
            stream = executor.run(stream)
            available = set(step.keep)
        for frame in stream:
            aggregation.add(frame)
            graph.memory.check()
        return aggregation

    with ThreadPoolExecutor(n_workers) as pool:
        results = list(pool.map(work, range(n_workers)))
    pooled = results[0]
    for other in results[1:]:
        pooled.partials.extend(other.partials)
    return projection_index, projector.run_aggregated(pooled)


def _plan_of(graph, params, step: MatchStep) -> list:
    return MatchExecutor(graph, params, step, set()).plan


def _blocks(executor: MatchExecutor, root: str, n_workers: int) -> list[NodeVec] | None:
    parts = list(executor.scan_offsets(root))
    total = sum(len(p) for p in parts)
    if total < MIN_ROOT_ROWS:
        return None
    size = max(MIN_BLOCK_ROWS, total // (n_workers * BLOCKS_PER_WORKER))
    blocks = []
    for part in parts:
        for lo in range(0, len(part), size):
            blocks.append(NodeVec(part.tables, part.offsets[lo : lo + size]))
    blocks.reverse()  # pop() hands them out in scan order
    return blocks if len(blocks) > 1 else None


__all__ = ["run_parallel", "workers"]
