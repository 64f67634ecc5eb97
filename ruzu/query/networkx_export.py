"""``QueryResult.get_as_networkx()``: the nodes and rels of a result as a networkx graph,
built as Kùzu builds it (networkx is an optional dependency: ``pip install networkx``).

Node columns, rel columns and recursive rels / paths are read; other columns are ignored.
Nodes are keyed ``"<label>_<primary key>"`` and carry their properties plus ``<label>: True``;
rels become edges (parallel edges kept) carrying their properties. Each node and rel is added
once however many rows hold it."""

from __future__ import annotations

import copy


def _kind(value) -> str | None:
    if not isinstance(value, dict) or not value:
        return None
    if "_nodes" in value and "_rels" in value:
        return "recursive"
    if "_src" in value and "_dst" in value and "_id" in value:
        return "rel"
    if "_id" in value and "_label" in value:
        return "node"
    return None


def to_networkx(columns: list[list], graph, directed: bool = True):
    import networkx as nx

    out = nx.MultiDiGraph() if directed else nx.MultiGraph()
    nodes: dict[tuple, dict] = {}
    rels: dict[tuple, dict] = {}

    def add_node(node: dict) -> None:
        nid = node["_id"]
        nodes[nid["table"], nid["offset"]] = copy.copy(node)

    def add_rel(rel: dict, drop_nulls: bool) -> None:
        rel = {k: v for k, v in rel.items() if not (drop_nulls and v is None)}
        rels[rel["_id"]["table"], rel["_id"]["offset"]] = rel

    for column in columns:
        kinds = {_kind(v) for v in column} - {None}
        if len(kinds) != 1:
            continue
        (kind,) = kinds
        for value in column:
            if _kind(value) is None:
                continue  # NULL (OPTIONAL MATCH) or empty
            if kind == "node":
                add_node(value)
            elif kind == "rel":
                add_rel(value, False)
            else:
                for node in value["_nodes"]:
                    add_node(node)
                for rel in value["_rels"]:
                    add_rel(rel, True)

    def key(node: dict) -> str:
        label = node["_label"]
        return f"{label}_{node[graph.primary_key(label)]!s}"

    for node in nodes.values():
        node[node["_label"]] = True
        out.add_node(key(node), **node)
    for rel in rels.values():
        src = nodes.get((rel["_src"]["table"], rel["_src"]["offset"]))
        dst = nodes.get((rel["_dst"]["table"], rel["_dst"]["offset"]))
        if src is None or dst is None:
            raise KeyError("a relationship's end node is not in the result; return it too")
        out.add_edge(key(src), key(dst), **rel)
    return out
