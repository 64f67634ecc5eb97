"""Running a bound read query: a pipeline of frame streams, MATCH by MATCH, broken only by
WITH/RETURN (which must see every row)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator

import numpy as np

from ...errors import QueryError
from ..binder.binder import bind
from ..binder.steps import ProjectStep, UnwindStep
from ..graph import Graph
from ..plan.query_plan import MatchPart, QueryPlan, UnwindPart, plan_query
from ..result import QueryResult
from ..syntax import ast
from ..values.vectors import Const, Frame, NodeVec, broadcast, single_row_frame
from . import tuning
from .evaluator import Evaluator, from_python
from .matching import MatchExecutor
from .optional import evaluate_subquery, run_optional, with_paths
from .parallel import run_parallel
from .projection import Projector


def run_query(db, query: ast.Query, params: dict, text: str) -> QueryResult:
    graph = Graph(db)
    graph.run_subquery = evaluate_subquery
    plan = planned(graph, query, text)
    stream: Iterable[Frame] = [single_row_frame()]
    start = 0
    done = run_parallel(graph, params, plan) if plan.parallel is not None else None
    if done is not None:
        index, frame = done
        step = plan.parts[index].step
        if step.is_return:
            return _result(step, frame, graph)
        stream = _chunks(frame)
        start = index + 1
    for part in plan.parts[start:]:
        step = part.step
        if isinstance(part, MatchPart):
            executor = MatchExecutor(graph, params, part)
            stream = run_optional(executor, stream) if step.optional else executor.run(stream)
            if step.paths:
                stream = with_paths(graph, step, stream)
        elif isinstance(part, UnwindPart):
            stream = _unwind(graph, params, step, stream)
        else:
            frame = Projector(graph, params, step).run(stream)
            if step.is_return:
                return _result(step, frame, graph)
            stream = _chunks(frame)
    raise QueryError("Query must conclude with a RETURN clause.")


def planned(graph: Graph, query: ast.Query, text: str) -> QueryPlan:
    """The plan of a query, cached per database generation: binding and planning depend on
    the catalog and the table sizes only (parameters are read when the query runs), so a
    repeated query skips both."""
    key = ("plan", text)
    plan = graph.cache.get(key)
    if plan is None:
        plan = plan_query(graph, bind(graph, query, text))
        if len(graph.cache) < 4096:
            graph.cache[key] = plan
    return plan


def _result(step: ProjectStep, frame: Frame, graph: Graph) -> QueryResult:
    columns = [frame.columns[n] for n in step.names]
    for i, item in enumerate(step.projection.items):
        vec = columns[i]
        if isinstance(item.expr, ast.Variable) and isinstance(vec, NodeVec):
            info = step.input_scope.get(item.expr.name)
            if info is not None and info.kind == "node" and info.tables:
                columns[i] = dataclasses.replace(vec, label_tables=tuple(info.tables))
    return QueryResult(step.names, columns, frame.n, graph)


def _chunks(frame: Frame) -> Iterator[Frame]:
    if frame.n <= tuning.CHUNK_ROWS:
        yield frame
        return
    for lo in range(0, frame.n, tuning.CHUNK_ROWS):
        yield frame.take(np.arange(lo, min(frame.n, lo + tuning.CHUNK_ROWS)))


def _unwind(graph, params, step: UnwindStep, stream: Iterable[Frame]) -> Iterator[Frame]:
    for frame in stream:
        value = Evaluator(graph, params, frame).eval(step.expr)
        frame = frame.only(step.keep)  # after: the list may be read from a column not kept
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
            step_rows = max(1, tuning.CHUNK_ROWS // m)  # output chunks of at most CHUNK_ROWS
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
        valid = np.asarray([v is not None for v in flat], np.bool_)
        if step.node_tables is not None:
            out.columns[step.alias] = _as_nodes(flat, valid, step.node_tables)
        else:
            out.columns[step.alias] = from_python(flat, valid)
        yield out


def _as_nodes(values: np.ndarray, valid: np.ndarray, tables: tuple[str, ...]) -> NodeVec:
    """Node values (dicts with ``_id`` and ``_label``) back into node identities."""
    offsets = np.zeros(len(values), np.int64)
    which = np.zeros(len(values), np.int16)
    for i, v in enumerate(values):
        if v is not None:
            offsets[i] = v["_id"]["offset"]
            which[i] = tables.index(v["_label"])
    return NodeVec(tables, offsets, which if len(tables) > 1 else None,
                   valid=None if valid.all() else valid)
