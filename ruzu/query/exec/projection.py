"""WITH and RETURN: projection, DISTINCT, grouped aggregation, ORDER BY, SKIP and LIMIT over
a stream of frames, giving one frame whose columns are the output names."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ...errors import QueryError
from ..binder.aggregates import contains_aggregate
from ..binder.steps import ProjectStep
from ..syntax import ast
from ..values.vectors import Const, Frame, Vec, concat_frames
from .aggregation import GroupedAggregation
from .evaluator import Evaluator
from .grouping import factorize, first_rows
from .ordering import sort_order


class Projector:
    def __init__(self, graph, params: dict, step: ProjectStep) -> None:
        self.graph = graph
        self.params = params
        self.step = step
        proj = step.projection
        self.items = list(proj.items)
        self.skip = self._count(proj.skip, "SKIP")
        self.limit = self._count(proj.limit, "LIMIT")

    def _count(self, expr: ast.Expr | None, what: str) -> int | None:
        if expr is None:
            return None
        value = Evaluator(self.graph, self.params, Frame({}, 1)).eval(expr)
        if (
            not isinstance(value, Const)
            or not isinstance(value.value, int)
            or isinstance(value.value, bool)
            or value.value < 0
        ):
            raise QueryError(f"{what} needs a non-negative integer constant")
        return value.value

    @property
    def keep_rows(self) -> int | None:
        """How many rows ORDER BY must deliver (SKIP + LIMIT), if limited."""
        if self.limit is None:
            return None
        return (self.skip or 0) + self.limit

    def run(self, chunks: Iterable[Frame]) -> Frame:
        if any(_volatile(item.expr) for item in self.step.projection.items):
            # A new value per row (gen_random_uuid): rows counted as one must be written out.
            chunks = (chunk.expanded() for chunk in chunks)
        if self.step.aggregates:
            aggregation = self.new_aggregation()
            for chunk in chunks:
                aggregation.add(chunk)
                self.graph.memory.check()
            return self.run_aggregated(aggregation)
        if self.step.projection.distinct:
            frame = self._distinct(chunks)
            computed = {
                item.expr: name for item, name in zip(self.items, self.step.names, strict=True)
            }
            frame = self._order_and_slice(frame, computed, pre_sorted=False)
        else:
            frame = self._plain(chunks)
        return self._finish(frame)

    def run_aggregated(self, aggregation: GroupedAggregation) -> Frame:
        """The projection's output once every input row went into ``aggregation`` (possibly
        filled by several workers whose partial results were pooled)."""
        frame, computed = self._aggregate(aggregation)
        return self._finish(self._order_and_slice(frame, computed, pre_sorted=False))

    def _finish(self, frame: Frame) -> Frame:
        frame = frame.only(self.step.names)
        frame.columns = {name: frame.columns[name] for name in self.step.names}
        if self.step.where is not None and frame.n:
            frame = frame.filter(
                Evaluator(self.graph, self.params, frame).predicate(self.step.where)
            )
        return frame

    # ------------------------------------------------------------------ plain projection

    def _project(self, frame: Frame) -> Frame:
        ev = Evaluator(self.graph, self.params, frame)
        columns = {
            name: ev.vector(item.expr)
            for item, name in zip(self.items, self.step.names, strict=True)
        }
        out = Frame(columns, frame.n, frame.weights)
        order_by = self.step.projection.order_by
        if order_by:
            # Sort keys may use the output names and the input variables (names win).
            scope = Frame({**frame.columns, **columns}, frame.n)
            sort_ev = Evaluator(self.graph, self.params, scope)
            for i, sort in enumerate(order_by):
                out.columns[f"#sort{i}"] = sort_ev.vector(sort.expr)
        return out

    def _plain(self, chunks: Iterable[Frame]) -> Frame:
        order_by = self.step.projection.order_by
        keep = self.keep_rows
        parts: list[Frame] = []
        have = 0
        for chunk in chunks:
            if chunk.n == 0:
                continue
            if not order_by and keep is not None:
                chunk = _first_rows(chunk, keep - have)  # project only rows LIMIT keeps
            frame = self._project(chunk).expanded()
            if order_by and keep is not None and frame.n > keep:
                frame = frame.take(self._sort(frame, keep))
            parts.append(frame)
            have += frame.n
            self.graph.memory.check()
            if not order_by and keep is not None and have >= keep:
                break
            if order_by and keep is not None and len(parts) > 8:
                merged = concat_frames(parts)
                parts = [merged.take(self._sort(merged, keep))]
        if not parts:
            return self._empty()
        frame = concat_frames(parts)
        if order_by:
            frame = frame.take(self._sort(frame, keep))
        return self._slice(frame)

    def _sort(self, frame: Frame, keep: int | None) -> np.ndarray:
        keys = [
            (frame.columns[f"#sort{i}"], s.descending)
            for i, s in enumerate(self.step.projection.order_by)
        ]
        return sort_order(keys, frame.n, keep)

    def _slice(self, frame: Frame) -> Frame:
        lo = self.skip or 0
        hi = frame.n if self.limit is None else min(frame.n, lo + self.limit)
        if lo == 0 and hi == frame.n:
            return frame
        return frame.take(np.arange(min(lo, frame.n), max(hi, min(lo, frame.n))))

    def _empty(self) -> Frame:
        empty = Vec("null", np.zeros(0, np.bool_), np.zeros(0, np.bool_))
        return Frame({name: empty for name in self.step.names}, 0)

    # ------------------------------------------------------------------ DISTINCT

    def _distinct(self, chunks: Iterable[Frame]) -> Frame:
        parts = []
        for chunk in chunks:
            if chunk.n == 0:
                continue
            ev = Evaluator(self.graph, self.params, chunk)
            columns = {
                name: ev.vector(item.expr)
                for item, name in zip(self.items, self.step.names, strict=True)
            }
            parts.append(_unique_rows(Frame(columns, chunk.n)))
            self.graph.memory.check()
        if not parts:
            return self._empty()
        return _unique_rows(concat_frames(parts))

    # ------------------------------------------------------------------ aggregation

    @property
    def _keys(self) -> list[ast.Expr]:
        return [i.expr for i in self.items if not contains_aggregate(i.expr)]

    def new_aggregation(self) -> GroupedAggregation:
        return GroupedAggregation(self.graph, self.params, self._keys, self.step.aggregates)

    def _aggregate(self, agg: GroupedAggregation) -> tuple[Frame, dict]:
        keys = self._keys
        key_names = [f"#key{i}" for i in range(len(keys))]
        agg_names = [f"#agg{i}" for i in range(len(self.step.aggregates))]
        frame = agg.finish(key_names, agg_names)
        computed: dict[ast.Expr, str] = dict(zip(keys, key_names, strict=True))
        computed.update(zip(self.step.aggregates, agg_names, strict=True))
        ev = Evaluator(self.graph, self.params, frame, computed)
        for item, name in zip(self.items, self.step.names, strict=True):
            frame.columns[name] = ev.vector(item.expr)
        for item, name in zip(self.items, self.step.names, strict=True):
            computed.setdefault(item.expr, name)
        if self.step.projection.distinct:
            frame = _unique_rows(frame.only(self.step.names))
        return frame, computed

    def _order_and_slice(self, frame: Frame, computed: dict, pre_sorted: bool) -> Frame:
        order_by = self.step.projection.order_by
        if order_by and frame.n:
            ev = Evaluator(self.graph, self.params, frame, computed)
            keys = [(ev.vector(s.expr), s.descending) for s in order_by]
            frame = frame.take(sort_order(keys, frame.n, self.keep_rows))
        return self._slice(frame)


def _first_rows(frame: Frame, wanted: int) -> Frame:
    """The leading rows of a frame that hold ``wanted`` rows once weights are expanded."""
    if frame.weights is None:
        return frame if frame.n <= wanted else frame.take(np.arange(wanted))
    cut = int(np.searchsorted(np.cumsum(frame.weights), wanted)) + 1
    return frame if cut >= frame.n else frame.take(np.arange(cut))


def _unique_rows(frame: Frame) -> Frame:
    vectors = list(frame.columns.values())
    codes, groups = factorize(vectors, frame.n)
    first = np.sort(first_rows(codes, groups))
    out = frame.take(first)
    out.weights = None
    return out


def _volatile(expr) -> bool:
    if isinstance(expr, ast.FunctionCall) and expr.name == "gen_random_uuid":
        return True
    return any(_volatile(child) for child in ast.children(expr))
