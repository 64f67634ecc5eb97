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

from ..binder.steps import ProjectStep
from ..options import current
from ..plan.query_plan import MatchPart, QueryPlan
from ..values.vectors import Frame, NodeVec, single_row_frame
from .matching import MatchExecutor
from .projection import Projector

MIN_ROOT_ROWS = 20_000  # below this, threads cost more than they save
MIN_BLOCK_ROWS = 1024
BLOCKS_PER_WORKER = 16


_CPUS = os.cpu_count() or 1


def workers() -> int:
    """Worker threads when the connection does not say (``Connection(num_threads=)``)."""
    return max(1, min(_CPUS, 4))


def run_parallel(graph, params: dict, plan: QueryPlan) -> tuple[int, Frame] | None:
    """Run the MATCH prefix the plan marks (``plan.parallel``) on worker threads when the
    machine has several (or the connection's ``num_threads`` asks for several) and the root
    scan is large enough. Returns the index of the projection and its output, or None to run
    the query on one thread."""
    n_workers = current().options.threads or workers()
    if n_workers < 2 or plan.parallel is None:
        return None
    prefix: list[MatchPart] = plan.parts[: plan.parallel]
    projection_index = plan.parallel
    projection: ProjectStep = plan.parts[projection_index].step
    first = MatchExecutor(graph, params, prefix[0])
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
        stream = [single_row_frame()]
        for i, part in enumerate(prefix):
            executor = MatchExecutor(graph, params, part)
            if i == 0:
                executor.scan_source = take_blocks
            stream = executor.run(stream)
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
