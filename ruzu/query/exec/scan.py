"""The Scan operator of a MATCH: the nodes a pattern starts from, in blocks (a primary-key
equality looks one node up; filters become a dense mask over the table)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..plan.match_plan import pk_equality
from ..plan.ops import Scan
from ..syntax import ast
from ..values.vectors import Frame, NodeVec
from . import tuning
from .evaluator import Evaluator


class ScanOperator:
    """Mixed into ``MatchExecutor``: uses its graph, params, step, plan and node masks."""

    def scan_offsets(self, name: str) -> Iterator[NodeVec]:
        """The nodes a pattern node starts from, in blocks. A node with several candidate
        tables gets vectors naming all of them, so that a property is typed the same way
        in every block (INT64 in one table and STRING in another is STRING, as in Kùzu)."""
        node = self.step.nodes[name]
        for block in self._scan_blocks(name):
            if len(node.tables) > 1:
                index = node.tables.index(block.tables[0])
                block = NodeVec(
                    tuple(node.tables), block.offsets, np.full(len(block), index, np.int16)
                )
            yield block

    def _scan_blocks(self, name: str) -> Iterator[NodeVec]:
        node = self.step.nodes[name]
        lookup = pk_equality(node, self.graph)
        for table in node.tables:
            if lookup is not None:
                offsets = self._lookup(table, lookup)
                mask = self.node_mask(name, table) if len(node.filters) > 1 else None
                if mask is not None:
                    offsets = offsets[mask[offsets]]
            else:
                mask = self.node_mask(name, table)
                n = self.graph.num_nodes(table)
                if mask is None:
                    for lo, hi in self._blocks(n):
                        yield NodeVec.range(table, lo, hi)
                    continue
                offsets = np.flatnonzero(mask)
            for lo, hi in self._blocks(len(offsets)):
                yield NodeVec((table,), offsets[lo:hi])

    def _blocks(self, n: int) -> Iterator[tuple[int, int]]:
        size = 256 if self.progressive else tuning.CHUNK_ROWS
        lo = 0
        while lo < n:
            hi = min(n, lo + size)
            yield lo, hi
            lo = hi
            size = min(tuning.CHUNK_ROWS, size * 4)

    def _lookup(self, table: str, expr) -> np.ndarray:
        ev = Evaluator(self.graph, self.params, Frame({}, 1))
        constant = expr.right if isinstance(expr.left, ast.Property) else expr.left
        value = ev.eval(constant)
        if value.value is None:
            return np.zeros(0, np.int64)
        try:
            offset = self.graph.node_table(table).lookup(value.value)
        except (TypeError, ValueError, OverflowError):
            offset = None
        return np.zeros(0, np.int64) if offset is None else np.asarray([offset], np.int64)

    def _scan(self, step: Scan, frame: Frame) -> Iterator[Frame]:
        if self.scan_source is not None and step is self.plan[0]:
            blocks = self.scan_source()
        else:
            blocks = self.scan_offsets(step.node)
        for nodes in blocks:
            yield from cross_product(frame, {step.node: nodes})


def typed_block(tables: list[str], block: NodeVec) -> NodeVec:
    """A one-table block as a vector naming all of a variable's candidate tables."""
    if len(tables) <= 1:
        return block
    index = tables.index(block.tables[0])
    return NodeVec(tuple(tables), block.offsets, np.full(len(block), index, np.int16))


def cross_product(frame: Frame, columns: dict) -> Iterator[Frame]:
    """Every row of ``frame`` with every row of ``columns`` (vectors of equal length)."""
    m = len(next(iter(columns.values())))
    if m == 0:
        return
    if frame.n == 1 and not frame.columns:
        out = Frame(dict(columns), m, None)
        if frame.weights is not None:
            out.weights = np.full(m, frame.weights[0], np.int64)
        yield out
        return
    step = max(1, tuning.CHUNK_ROWS // m)
    for lo in range(0, frame.n, step):
        hi = min(frame.n, lo + step)
        k = hi - lo
        left = frame.take(np.repeat(np.arange(lo, hi), m))
        right_idx = np.tile(np.arange(m), k)
        for name, vec in columns.items():
            left.columns[name] = vec.take(right_idx)
        yield left
