"""Running a bound read query: a pipeline of frame streams, MATCH by MATCH, broken only by
WITH/RETURN (which must see every row)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator

import numpy as np

from ..errors import QueryError
from . import ast
from .expressions import Evaluator, from_python
from .graph import Graph
from .matching import CHUNK_ROWS, MatchExecutor
from .optional import run_optional, with_paths
from .parallel import run_parallel
from .planner import MatchStep, ProjectStep, UnwindStep, bind
from .projection import Projector
from .result import QueryResult
from .vectors import Const, Frame, NodeVec, broadcast, single_row_frame


def run_query(db, query: ast.Query, params: dict, text: str) -> QueryResult:
    graph = Graph(db)
    steps = _bound(graph, query, text)
    stream: Iterable[Frame] = [single_row_frame()]
    available: set[str] = set()
    start = 0
    plain = not any(isinstance(s, MatchStep) and (s.optional or s.paths) for s in steps)
    done = run_parallel(graph, params, steps) if plain else None
    if done is not None:
        index, frame = done
        step = steps[index]
        if step.is_return:
            return _result(step, frame, graph)
        stream = _chunks(frame)
        available = set(step.names)
        start = index + 1
    progressive = _wants_first_rows(steps)
    for step in steps[start:]:
        if isinstance(step, MatchStep):
            executor = MatchExecutor(graph, params, step, available)
            executor.progressive = progressive and step is steps[0]
            stream = run_optional(executor, stream) if step.optional else executor.run(stream)
            if step.paths:
                stream = with_paths(graph, step, stream)
            available = set(step.keep)
        elif isinstance(step, UnwindStep):
            stream = _unwind(graph, params, step, stream)
            available = set(step.keep) | {step.alias}
        else:
            assert isinstance(step, ProjectStep)
            frame = Projector(graph, params, step).run(stream)
            if step.is_return:
                return _result(step, frame, graph)
            stream = _chunks(frame)
            available = set(step.names)
    raise QueryError("Query must conclude with a RETURN clause.")


def _result(step: ProjectStep, frame: Frame, graph: Graph) -> QueryResult:
    columns = [frame.columns[n] for n in step.names]
    for i, item in enumerate(step.projection.items):
        vec = columns[i]
        if isinstance(item.expr, ast.Variable) and isinstance(vec, NodeVec):
            info = step.input_scope.get(item.expr.name)
            if info is not None and info.kind == "node" and info.tables:
                columns[i] = dataclasses.replace(vec, label_tables=tuple(info.tables))
    return QueryResult(step.names, columns, frame.n, graph)


def _wants_first_rows(steps: list) -> bool:
    """MATCH … RETURN … LIMIT n without ORDER BY, DISTINCT or aggregates: the first n rows
    found will do, so the scan should not start with a full chunk."""
    last = steps[-1]
    return (
        isinstance(last, ProjectStep)
        and last.projection.limit is not None
        and not last.projection.order_by
        and not last.projection.distinct
        and not last.aggregates
        and all(isinstance(s, MatchStep) for s in steps[:-1])
    )


def _bound(graph: Graph, query: ast.Query, text: str) -> list:
    """The bound steps of a query, cached per database generation: binding depends on the
    catalog only (parameters are read when the query runs), so a repeated query skips it."""
    key = ("bound", text)
    steps = graph.cache.get(key)
    if steps is None:
        steps = bind(graph, query, text)
        if len(graph.cache) < 4096:
            graph.cache[key] = steps
    return steps


def _chunks(frame: Frame) -> Iterator[Frame]:
    if frame.n <= CHUNK_ROWS:
        yield frame
        return
    for lo in range(0, frame.n, CHUNK_ROWS):
        yield frame.take(np.arange(lo, min(frame.n, lo + CHUNK_ROWS)))


def _unwind(graph, params, step: UnwindStep, stream: Iterable[Frame]) -> Iterator[Frame]:
    from .planner import free_variables

    reads = step.keep | free_variables(step.expr)
    for frame in stream:
        frame = frame.only(reads)
        value = Evaluator(graph, params, frame).eval(step.expr)
        if isinstance(value, Const):
            if value.value is None:
                continue
            if value.kind != "list":
                raise QueryError("UNWIND needs a list")
            items = list(value.value)
            if not items:
                continue
            m = len(items)
            values = np.empty(m, object)
            for i, v in enumerate(items):
                values[i] = v
            vec = from_python(values, np.asarray([v is not None for v in items], np.bool_))
            step_rows = max(1, CHUNK_ROWS // m)  # rows per output chunk of at most CHUNK_ROWS
            for lo in range(0, frame.n, step_rows):
                graph.memory.check()
                hi = min(frame.n, lo + step_rows)
                out = frame.take(np.repeat(np.arange(lo, hi), m))
                out.columns[step.alias] = vec.take(np.tile(np.arange(m), hi - lo))
                yield out
            continue
        value = broadcast(value, frame.n)
        if value.kind != "list":
            raise QueryError("UNWIND needs a list")
        lists = value.objects()
        valid = value.is_valid()
        lengths = np.asarray(
            [len(x) if ok else 0 for x, ok in zip(lists, valid, strict=True)], np.int64
        )
        rows = np.repeat(np.arange(frame.n), lengths)
        flat = np.empty(int(lengths.sum()), object)
        k = 0
        for x, ok in zip(lists, valid, strict=True):
            if ok:
                for v in x:
                    flat[k] = v
                    k += 1
        out = frame.take(rows)
        out.columns[step.alias] = from_python(
            flat, np.asarray([v is not None for v in flat], np.bool_)
        )
        yield out
