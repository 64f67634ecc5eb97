"""Executing a planned MATCH over a stream of frames.

Every step maps a frame to one or more frames; a step whose output would exceed
``tuning.CHUNK_ROWS`` rows splits its input first, so memory stays bounded however many paths a
pattern has. All per-edge work happens in numba kernels or numpy operations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import numpy as np

from ..binder.steps import PatternRel
from ..plan.ops import (
    Close,
    CountComponent,
    Expand,
    Filter,
    Fold,
    Scan,
)
from ..plan.query_plan import MatchPart
from ..values.vectors import Frame, NodeVec, RelVec
from . import tuning
from .close import CloseOperator
from .evaluator import Evaluator
from .expand import ExpandOperator
from .fold import FoldOperator
from .scan import ScanOperator, typed_block
from .varlength import VarLength


class MatchExecutor(ScanOperator, FoldOperator, ExpandOperator, CloseOperator):
    """Runs one planned MATCH: each operator of ``part.ops`` maps a frame to frames; the
    operators themselves live in ``scan``, ``fold``, ``expand`` and ``close``."""

    def __init__(self, graph, params: dict, part: MatchPart) -> None:
        self.graph = graph
        self.params = params
        self.step = part.step
        self.plan = part.ops
        self._node_masks: dict[tuple[str, str], np.ndarray | None] = {}
        self._edge_masks: dict[tuple[str, object], np.ndarray | None] = {}
        self._counts: dict[int, int] = {}
        self.varlength = VarLength(self)
        # Set by the parallel driver: where the plan's first Scan takes its node blocks from.
        self.scan_source: Callable[[], Iterator[NodeVec]] | None = None
        # Only the first rows are wanted (LIMIT without ORDER BY): the root scan starts with
        # small blocks and grows them, so a few rows cost little.
        self.progressive = part.first_rows
        self._handlers = {
            Scan: self._scan,
            Fold: self._fold,
            CountComponent: self._countcomponent,
            Expand: self._expand,
            Close: self._close,
            Filter: self._filter,
        }

    # ------------------------------------------------------------------ driver

    def run(self, chunks: Iterable[Frame]) -> Iterator[Frame]:
        stream: Iterable[Frame] = self._input(chunks)
        for step in self.plan:
            stream = self._apply(step, stream)
        keep = self.step.keep
        for frame in stream:
            if frame.n:
                yield frame.only(keep)

    def _input(self, chunks: Iterable[Frame]) -> Iterator[Frame]:
        bound = [n for n, node in self.step.nodes.items() if node.bound]
        for frame in chunks:
            for name in bound:  # a NULL node (from OPTIONAL MATCH) matches nothing
                vec = frame.columns.get(name)
                if getattr(vec, "valid", None) is not None:
                    frame = frame.filter(vec.valid)
            for expr in self.step.input_filters:
                if frame.n == 0:
                    break
                frame = frame.filter(Evaluator(self.graph, self.params, frame).predicate(expr))
            if frame.n:
                yield frame

    def survivors(self, step, frame: Frame) -> Frame:
        """The frame without the columns no step after ``step`` reads, so that gathering
        its rows copies only what is still needed."""
        return frame.only(step.after)

    def _apply(self, step, stream: Iterable[Frame]) -> Iterator[Frame]:
        handler = self._handlers[type(step)]
        columns = step.columns
        memory = self.graph.memory
        for frame in stream:
            memory.check()
            if frame.n:
                if len(frame.columns) > len(columns):
                    frame = frame.only(columns)
                yield from handler(step, frame)

    # ------------------------------------------------------------------ masks

    def node_mask(self, name: str, table: str) -> np.ndarray | None:
        """Dense bool mask over a node table: rows satisfying the node's label and filters
        (None: every row)."""
        key = (name, table)
        if key not in self._node_masks:
            node = self.step.nodes[name]
            n = self.graph.num_nodes(table)
            if table not in node.tables:
                mask = np.zeros(n, np.bool_)
            elif not node.filters:
                mask = None
            else:
                mask = np.ones(n, np.bool_)
                for lo in range(0, n, tuning.CHUNK_ROWS):  # chunks: no table-sized temporaries
                    hi = min(n, lo + tuning.CHUNK_ROWS)
                    rows = typed_block(node.tables, NodeVec.range(table, lo, hi))
                    ev = Evaluator(self.graph, self.params, Frame({name: rows}, hi - lo))
                    for f in node.filters:
                        mask[lo:hi] &= ev.predicate(f)
            self._node_masks[key] = mask
        return self._node_masks[key]

    def edge_mask(self, rel: PatternRel, key) -> np.ndarray | None:
        """Dense bool mask over the edge ids of one rel-table pair (None: every edge)."""
        ckey = (rel.name, key)
        if ckey not in self._edge_masks:
            if not rel.filters:
                mask = None
            else:
                e = self.graph.num_rels(key)
                mask = np.ones(e, np.bool_)
                for lo in range(0, e, tuning.CHUNK_ROWS):
                    hi = min(e, lo + tuning.CHUNK_ROWS)
                    ends = NodeVec((key.from_table,), np.broadcast_to(np.int64(0), (hi - lo,)))
                    vec = RelVec((key,), np.arange(lo, hi, dtype=np.int64), ends, ends)
                    ev = Evaluator(self.graph, self.params, Frame({rel.name: vec}, hi - lo))
                    for f in rel.filters:
                        mask[lo:hi] &= ev.predicate(f)
            self._edge_masks[ckey] = mask
        return self._edge_masks[ckey]

    # ------------------------------------------------------------------ filters

    def _filter(self, step: Filter, frame: Frame) -> Iterator[Frame]:
        if step.fused:  # answered while expanding
            yield self.survivors(step, frame)
            return
        mask = Evaluator(self.graph, self.params, frame).predicate(step.expr)
        if mask.any():
            yield self.survivors(step, frame).filter(mask)
