"""Turning vectors into the Python values a query returns: int, float, str, bool,
datetime.date, datetime.datetime, None, lists, and Kùzu-style dicts for nodes and rels."""

from __future__ import annotations

import numpy as np

from .vectors import AnyVec, Const, LazyStrings, NodeVec, RelVec, Vec


def python_values(value, graph=None, n: int | None = None) -> list:
    """The values of a vector as a Python list (NULL → None)."""
    if isinstance(value, Const):
        return [value.value] * (1 if n is None else n)
    if isinstance(value, NodeVec | RelVec):
        out = node_dicts(value, graph) if isinstance(value, NodeVec) else rel_dicts(value, graph)
        if value.valid is not None:
            for i in np.flatnonzero(~value.valid).tolist():
                out[i] = None
        return out
    return _plain_values(value)


def _plain_values(value: Vec) -> list:
    if value.kind == "null":
        return [None] * len(value)
    values = value.values
    if isinstance(values, LazyStrings):
        out = values.materialize().tolist()
    elif value.kind in ("str", "list", "any"):
        out = list(values)
    else:
        out = np.asarray(values).tolist()
    if value.valid is not None:
        for i in np.flatnonzero(~value.valid).tolist():
            out[i] = None
    return out


def _node_ids(nodes: NodeVec, graph) -> list:
    oids = [graph.table_oid[t] for t in nodes.tables]
    offsets = nodes.offsets.tolist()
    tables = nodes.table_indices().tolist()
    return [{"offset": o, "table": oids[t]} for o, t in zip(offsets, tables, strict=True)]


def node_dicts(nodes: NodeVec, graph) -> list:
    if graph is None:
        raise ValueError("converting nodes to Python values needs the graph")
    n = len(nodes)
    out: list = [None] * n
    ids = _node_ids(nodes, graph)
    # A variable over several tables has every table's keys, NULL where a table lacks one
    # (Kùzu's node struct is the union of the candidate tables' properties).
    tables = sorted(nodes.label_tables or nodes.tables, key=lambda t: graph.table_oid.get(t, 0))
    every = list(dict.fromkeys(c for t in tables for c in graph.node_columns(t)))
    for table, rows, offsets in nodes.parts():
        names = list(graph.node_columns(table))
        sub = NodeVec((table,), offsets)
        columns = [_plain_values(graph.node_property(sub, name)) for name in names]
        positions = range(n) if rows is None else rows.tolist()
        for j, i in enumerate(positions):
            d = {"_id": ids[i], "_label": table}
            for name in every:
                d[name] = None
            for name, col in zip(names, columns, strict=True):
                d[name] = col[j]
            out[i] = d
    return out


def rel_dicts(rels: RelVec, graph) -> list:
    if graph is None:
        raise ValueError("converting relationships to Python values needs the graph")
    n = len(rels)
    out: list = [None] * n
    src = _node_ids(rels.src, graph)
    dst = _node_ids(rels.dst, graph)
    every = list(dict.fromkeys(c for k in rels.tables for c in graph.rel_columns(k.name)))
    for key, rows, edge_ids in rels.parts():
        names = list(graph.rel_columns(key.name))
        sub = RelVec((key,), edge_ids, rels.src, rels.dst)
        columns = [_plain_values(graph.rel_property(sub, name)) for name in names]
        oid = graph.pair_oid(key)
        positions = range(n) if rows is None else rows.tolist()
        eids = edge_ids.tolist()
        for j, i in enumerate(positions):
            d = {
                "_src": src[i],
                "_dst": dst[i],
                "_label": key.name,
                "_id": {"offset": eids[j], "table": oid},
            }
            for name in every:
                d[name] = None
            for name, col in zip(names, columns, strict=True):
                d[name] = col[j]
            out[i] = d
    return out


def to_python_list(value: AnyVec, graph=None) -> list:
    """Python values of a vector (None for NULL): used for output and rare row-wise paths."""
    return python_values(value, graph)
