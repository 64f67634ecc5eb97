"""OPTIONAL MATCH and pattern subqueries (EXISTS { … }, COUNT { … }): both run an ordinary
MATCH over input rows tagged with their row number, then look at which rows found matches.

- OPTIONAL MATCH keeps the matches and adds every input row that found none, with NULL for
  the pattern's new variables (a NULL node or rel is a ``NodeVec``/``RelVec`` whose ``valid``
  is False there).
- A subquery counts the matches per input row (weights included): ``COUNT`` is that count,
  ``EXISTS`` whether it is positive. It is bound when first evaluated, against the outer
  variables it names, and cached per shape of those variables.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator

import numpy as np

from ..binder.binder import Binder
from ..binder.steps import VarInfo
from ..plan.query_plan import match_part
from ..syntax import ast
from ..syntax.walk import free_variables
from ..values.output import python_values
from ..values.vectors import Frame, NodeVec, RelKey, RelVec, Vec
from .matching import MatchExecutor

ROW = "#row"  # the column tagging input rows


def run_optional(executor, stream: Iterable[Frame]) -> Iterator[Frame]:
    """The rows of an OPTIONAL MATCH: every match, and each input row without one."""
    step = executor.step
    new = [n for n in step.keep if (n in step.nodes and not step.nodes[n].bound) or n in step.rels]
    for frame in stream:
        tagged = frame.with_columns(**{ROW: Vec("int", np.arange(frame.n, dtype=np.int64))})
        matched = np.zeros(frame.n, np.bool_)
        for out in executor.run([tagged]):
            matched[out.columns[ROW].values] = True
            del out.columns[ROW]
            yield out
        missing = np.flatnonzero(~matched)
        if len(missing):
            rest = frame.take(missing).only(step.keep)
            for name in new:
                rest.columns[name] = null_vector(executor.graph, step, name, len(missing))
            yield rest


def null_vector(graph, step, name: str, n: int):
    """A column of n NULL nodes or rels, typed like the pattern variable ``name``."""
    invalid = np.zeros(n, np.bool_)
    zeros = np.zeros(n, np.int64)
    if name in step.nodes:
        tables = tuple(step.nodes[name].tables or step.nodes[name].declared) or tuple(
            graph.node_table_names()[:1]
        )
        idx = np.zeros(n, np.int16) if len(tables) > 1 else None
        return NodeVec(tables or ("",), zeros, idx, valid=invalid)
    rel = step.rels[name]
    keys = tuple(dict.fromkeys(t.key for t in rel.traversals)) or (RelKey("", "", ""),)
    ends = NodeVec((keys[0].from_table,), zeros, valid=invalid)
    idx = np.zeros(n, np.int16) if len(keys) > 1 else None
    return RelVec(keys, zeros, ends, ends, idx, valid=invalid)


# ----------------------------------------------------------------------------- subqueries


def evaluate_subquery(ev, e: ast.Subquery):
    """COUNT { … } (INT64) or EXISTS { … } (BOOL) for every row of the evaluator's frame."""
    frame = ev.frame
    outer = {name: frame.columns[name] for name in e.outer if name in frame.columns}
    step = _bound_subquery(ev.graph, e, outer)
    tagged = Frame({**outer, ROW: Vec("int", np.arange(frame.n, dtype=np.int64))}, frame.n)
    counts = np.zeros(frame.n, np.int64)
    executor = MatchExecutor(ev.graph, ev.params, match_part(step, ev.graph, set(outer) | {ROW}))
    for out in executor.run([tagged]):
        np.add.at(counts, out.columns[ROW].values, out.multiplicities())
    if e.kind == "count":
        return Vec("int", counts)
    return Vec("bool", counts > 0)


def _bound_subquery(graph, e: ast.Subquery, outer: dict):
    shape = tuple(
        (name, getattr(vec, "kind", "value"), tuple(getattr(vec, "tables", ()) or ()))
        for name, vec in sorted(outer.items())
    )
    key = ("subquery", e, shape)
    step = graph.cache.get(key)
    if step is not None:
        return step
    scope = {}
    for name, kind, tables in shape:
        if kind == "node":
            scope[name] = VarInfo("node", tables)
        elif kind == "rel":
            scope[name] = VarInfo("rel", tuple(dict.fromkeys(k.name for k in tables)))
        else:
            scope[name] = VarInfo("value")
    binder = Binder(graph, "")
    step = binder.bind_match(ast.Match(e.patterns, e.where), dict(scope))
    needed = {n for n, node in step.nodes.items() if node.bound}
    for expr in step.predicates:
        needed |= {v for v in free_variables(expr) if v in step.nodes or v in step.rels}
    step.needed = needed
    step.keep = {ROW}
    graph.cache[key] = step
    return step


def with_paths(graph, step, stream: Iterable[Frame]) -> Iterator[Frame]:
    """Frames with a column per named path of ``step``: Kùzu's path value,
    {"_nodes": [node dicts], "_rels": [rel dicts]} (NULL where a node is NULL)."""
    for frame in stream:
        for name, (node_names, rel_names) in step.paths.items():
            if name not in step.keep:
                continue
            nodes = [
                python_values(_labelled(frame.columns[n], step.nodes[n].declared), graph)
                for n in node_names
            ]
            rels = [python_values(frame.columns[r], graph) for r in rel_names]
            out = np.empty(frame.n, object)
            valid = np.ones(frame.n, np.bool_)
            for i in range(frame.n):
                row_nodes = [col[i] for col in nodes]
                if any(v is None for v in row_nodes):
                    valid[i] = False
                    continue
                out[i] = _spliced(row_nodes, [col[i] for col in rels])
            frame.columns[name] = Vec("any", out, None if valid.all() else valid)
        yield frame


def _spliced(nodes: list, rels: list) -> dict:
    """A path's value; a variable-length rel on it (a dict) brings its inner nodes and rels."""
    out_nodes, out_rels = [nodes[0]], []
    for rel, node in zip(rels, nodes[1:], strict=True):
        if isinstance(rel, dict) and "_rels" in rel:
            out_nodes += rel["_nodes"]
            out_rels += rel["_rels"]
        else:
            out_rels.append(rel)
        if not (isinstance(rel, dict) and "_rels" in rel and not rel["_rels"]):
            out_nodes.append(node)
    return {"_nodes": out_nodes, "_rels": out_rels}


def _labelled(vec, tables):
    """A node column that prints every key of the tables its labels named (as Kùzu)."""
    if isinstance(vec, NodeVec) and tables:
        return dataclasses.replace(vec, label_tables=tuple(tables))
    return vec
