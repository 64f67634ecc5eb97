"""Recursive relationships whose paths matter: a variable-length rel that is returned or
filtered (``RETURN e``, ``length(e)``, ``p = (a)-[e*1..3]->(b)``), per-hop filters (inline
properties, ``(r, n | WHERE …)``), TRAIL / ACYCLIC, SHORTEST / ALL SHORTEST and weighted
shortest paths (``WSHORTEST(w)``, ``ALL WSHORTEST(w)``).

Plain walks nobody looks at stay in ``varlength.py``, which counts them without enumerating.
Here paths are enumerated by the kernels of ``_path_kernels.py`` over one CSR joining every
table the pattern may cross; sources go in batches sized so that a batch's paths fit in
``tuning.CHUNK_ROWS`` rows, and the memory budget is checked before each batch's paths are written.
Shortest paths are searched by ``shortest.py`` (one breadth-first or Dijkstra search per
source, stopping early for a single target). Per-hop rel filters are evaluated only on the
edges a path from the sources can reach when that is a small part of the graph.

A rel variable's value is Kùzu's: ``{"_nodes": [the nodes between the ends], "_rels": [...]}``
(a ``PathValue``, a dict that also carries the weighted cost for ``cost(e)``); the projection
lists ``{r.a}, {n.b}`` keep only those properties besides the internal keys.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from ...errors import QueryError
from ..binder.recursive import WEIGHT_TYPES
from ..syntax import ast
from ..syntax.walk import conjuncts, free_variables
from ..values.kinds import kind_of_type
from ..values.output import node_dicts, rel_dicts
from ..values.vectors import Frame, NodeVec, RelKey, RelVec, Vec
from . import _path_kernels, tuning
from .evaluator import Evaluator
from .shortest import shortest_paths

_MODES = {"walk": _path_kernels.WALK, "trail": _path_kernels.TRAIL,
          "acyclic": _path_kernels.ACYCLIC}
WALK_WORK = 1 << 24  # adjacency entries a walk kernel call examines (tens of milliseconds)
_NODE_KEYS = ("_id", "_label")
_REL_KEYS = ("_src", "_dst", "_label", "_id")


class PathValue(dict):
    """A recursive rel's value; ``cost`` is the summed weight of a weighted shortest path."""

    cost: float | None = None


class PathColumn:
    """A recursive rel's column: hop counts (and costs) at once, the dict values only when
    something reads them (``length(e)`` and ``cost(e)`` never do). Quacks like a ``Vec`` of
    kind ``any``."""

    kind = "any"
    ltype = None
    valid = None

    def __init__(self, build, rows: np.ndarray, lengths: np.ndarray, costs) -> None:
        self._build = build  # () -> every value of the batch (built once)
        self.rows = rows
        self.lengths = lengths
        self.costs = costs

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def values(self) -> np.ndarray:
        return self._build()[self.rows]

    def objects(self) -> np.ndarray:
        return self.values

    def is_valid(self) -> np.ndarray:
        return np.ones(len(self.rows), np.bool_)

    def take(self, idx: np.ndarray) -> PathColumn:
        costs = None if self.costs is None else self.costs[idx]
        return PathColumn(self._build, self.rows[idx], self.lengths[idx], costs)


def needs_paths(rel, step) -> bool:
    """Whether a variable-length rel must be enumerated here rather than counted."""
    return (
        rel.recursive is not None
        or bool(rel.edge_filters)
        or rel.name in step.needed
    )


@dataclass
class PathGraph:
    """Every node table laid end to end (catalog order); per adjacency entry the neighbour,
    the entry's own node, its rel-table pair (index into ``keys``), edge id and identity."""

    tables: list[str]
    bases: np.ndarray
    indptr: np.ndarray
    nbrs: np.ndarray
    origin: np.ndarray
    key_idx: np.ndarray
    eids: np.ndarray
    forward: np.ndarray
    edge_key: np.ndarray
    keys: tuple[RelKey, ...]
    touched: tuple[str, ...]  # node tables the rels connect (their keys make a node's value)
    weights: dict = field(default_factory=dict)  # property -> per-entry weights (checked)

    @property
    def num_nodes(self) -> int:
        return int(self.bases[-1])

    def base_of(self, table: str) -> int:
        return int(self.bases[self.tables.index(table)])

    def nodes(self, ids: np.ndarray, tables: tuple[str, ...]) -> NodeVec:
        """Global ids as a node vector over ``tables`` (those the ids may be in)."""
        t = np.searchsorted(self.bases, ids, side="right") - 1
        offsets = ids - self.bases[t]
        if len(tables) == 1:
            return NodeVec(tables, offsets)
        remap = np.zeros(len(self.tables), np.int16)
        for i, name in enumerate(self.tables):
            if name in tables:
                remap[i] = tables.index(name)
        return NodeVec(tables, offsets, remap[t])


def path_graph(graph, rel, side: str) -> PathGraph:
    hops = sorted(
        {(t.key, t.direction_from(side), *t.tables_from(side)) for t in rel.traversals},
        key=lambda x: (x[0].name, x[0].from_table, x[0].to_table, x[1]),
    )
    ckey = ("path-graph", tuple(hops))
    cached = graph.cache.get(ckey)
    if cached is not None:
        return cached
    tables = graph.node_table_names()
    bases = np.zeros(len(tables) + 1, np.int64)
    bases[1:] = np.cumsum([graph.num_nodes(t) for t in tables])
    keys = tuple(dict.fromkeys(h[0] for h in hops))
    parts = []
    for rel_key, direction, p_table, c_table in hops:
        indptr, nbrs, eids = graph.csr(rel_key, direction)
        deg = np.diff(indptr)
        p_base = bases[tables.index(p_table)]
        c_base = bases[tables.index(c_table)]
        src = p_base + np.repeat(np.arange(len(deg), dtype=np.int64), deg)
        k = keys.index(rel_key)
        parts.append((src, c_base + np.asarray(nbrs, np.int64), np.full(len(src), k, np.int16),
                      np.asarray(eids, np.int64), np.full(len(src), direction == "fwd")))
    total = int(bases[-1])
    if parts:
        src, dst, kidx, eids, fwd = (np.concatenate(x) for x in zip(*parts, strict=True))
    else:
        src = dst = eids = np.zeros(0, np.int64)
        kidx = np.zeros(0, np.int16)
        fwd = np.zeros(0, np.bool_)
    order = np.argsort(src, kind="stable")
    indptr = np.zeros(total + 1, np.int64)
    indptr[1:] = np.cumsum(np.bincount(src, minlength=total))
    touched = {t for h in hops for t in (h[2], h[3])}
    pg = PathGraph(
        tables, bases, indptr, dst[order], src[order], kidx[order], eids[order], fwd[order],
        (kidx[order].astype(np.int64) << 40) | eids[order], keys,
        tuple(t for t in tables if t in touched),
    )
    graph.cache[ckey] = pg
    return pg


class RecursiveExpander:
    """Expands a variable-length rel step with paths (see the module docstring)."""

    def __init__(self, executor) -> None:
        self.ex = executor
        self.graph = executor.graph

    # ------------------------------------------------------------------ masks

    def _predicates(self, rel) -> tuple[list, list]:
        """(edge predicates, node predicates) as (expression, variable it names)."""
        edge = [(f, rel.name) for f in rel.edge_filters]
        node = []
        spec = rel.recursive
        if spec is not None and spec.where is not None:
            for expr in conjuncts(spec.where):
                names = free_variables(expr)
                if spec.node_var in names and spec.rel_var in names:
                    raise QueryError(
                        "a recursive pattern's WHERE must filter its relationships and its "
                        "nodes in separate conditions"
                    )
                if spec.node_var in names:
                    node.append((expr, spec.node_var))
                else:
                    edge.append((expr, spec.rel_var))
        return edge, node

    def _edge_ok(self, pg: PathGraph, preds, sources: np.ndarray, node_ok: np.ndarray,
                 high: int) -> np.ndarray:
        """Per adjacency entry, whether it passes the per-hop rel filters. Few sources: only
        the entries a path can reach are evaluated (level by level, through the entries that
        pass), the rest stay False; otherwise every edge is."""
        n_entries = len(pg.nbrs)
        if not preds:
            return np.ones(n_entries, np.bool_)
        ok = np.zeros(n_entries, np.bool_)
        expanded = np.zeros(pg.num_nodes, np.bool_)
        frontier = np.unique(sources)
        evaluated = 0
        for level in range(high):
            frontier = frontier[~expanded[frontier]]
            if level:
                frontier = frontier[node_ok[frontier]]
            if not len(frontier):
                return ok
            expanded[frontier] = True
            entries = _entries_of(pg.indptr, frontier)
            evaluated += len(entries)
            if evaluated > n_entries // 4:
                break  # most of the graph: evaluate every edge at once
            passed = self._entries_pass(pg, preds, entries)
            ok[entries] = passed
            frontier = np.unique(pg.nbrs[entries[passed]])
        else:
            return ok
        return self._entries_pass(pg, preds, np.arange(n_entries, dtype=np.int64))

    def _entries_pass(self, pg: PathGraph, preds, entries: np.ndarray) -> np.ndarray:
        ok = np.ones(len(entries), np.bool_)
        key_idx = pg.key_idx[entries]
        for k, key in enumerate(pg.keys):
            sel = np.flatnonzero(key_idx == k) if len(pg.keys) > 1 else slice(None)
            eids = pg.eids[entries[sel]]
            e = len(eids)
            ends = NodeVec((key.from_table,), np.zeros(e, np.int64))
            vec = RelVec((key,), eids, ends, ends)
            mask = np.ones(e, np.bool_)
            for expr, var in preds:
                mask &= Evaluator(self.graph, self.ex.params, Frame({var: vec}, e)).predicate(expr)
            ok[sel] = mask
        return ok

    def _node_ok(self, pg: PathGraph, preds) -> np.ndarray:
        ok = np.ones(pg.num_nodes, np.bool_)
        for table in pg.tables if preds else ():
            lo = pg.base_of(table)
            n = self.graph.num_nodes(table)
            vec = NodeVec.range(table, 0, n)
            for expr, var in preds:
                ok[lo : lo + n] &= Evaluator(
                    self.graph, self.ex.params, Frame({var: vec}, n)
                ).predicate(expr)
        return ok

    def _target_ok(self, pg: PathGraph, name: str) -> np.ndarray:
        ok = np.zeros(pg.num_nodes, np.bool_)
        for table in self.ex.step.nodes[name].tables:
            lo = pg.base_of(table)
            m = self.ex.node_mask(name, table)
            ok[lo : lo + self.graph.num_nodes(table)] = True if m is None else m
        return ok

    def _weights(self, pg: PathGraph, rel) -> np.ndarray:
        spec = rel.recursive
        if spec is None or spec.weight is None:
            return np.zeros(0, np.float64)
        cached = pg.weights.get(spec.weight)  # the path graph is cached with its database
        if cached is not None:
            return cached
        w = np.zeros(len(pg.nbrs), np.float64)
        for k, key in enumerate(pg.keys):
            typ = self.graph.rel_columns(key.name).get(spec.weight)
            if typ is None:
                raise QueryError(f"Cannot find property {spec.weight} for {rel.name}.")
            if typ.name not in WEIGHT_TYPES:
                raise QueryError(
                    f"{typ.name} weight type is not supported for weighted shortest path."
                )
            e = self.graph.num_rels(key)
            ends = NodeVec((key.from_table,), np.zeros(e, np.int64))
            vec = self.graph.rel_property(RelVec((key,), np.arange(e, dtype=np.int64), ends,
                                                 ends), spec.weight)
            values = np.asarray(vec.values, np.float64)
            if vec.valid is not None:
                values = np.where(vec.valid, values, np.inf)
            if (values < 0).any():
                raise QueryError("weighted shortest path needs weights that are not negative")
            if len(pg.keys) == 1:
                w = values[pg.eids]
            else:
                sel = pg.key_idx == k
                w[sel] = values[pg.eids[sel]]
        pg.weights[spec.weight] = w
        return w

    # ------------------------------------------------------------------ expansion

    def expand(self, step, frame: Frame, target: str | None = None,
               carry: tuple[str, ...] = ()) -> Iterator[Frame]:
        rel = step.rel
        side = "src" if rel.src == step.from_var else "dst"
        target = target or step.to_var
        pg = path_graph(self.graph, rel, side)
        edge_preds, node_preds = self._predicates(rel)
        kind = rel.recursive.kind if rel.recursive is not None else "walk"
        low, high = rel.hops
        anchor: NodeVec = frame.columns[step.from_var]
        sources = np.zeros(frame.n, np.int64)
        for table, rows, offsets in anchor.parts():
            ids = pg.base_of(table) + offsets
            if rows is None:
                sources[:] = ids
            else:
                sources[rows] = ids
        if anchor.valid is not None:
            frame = frame.filter(anchor.valid)
            sources = sources[anchor.valid]
        node_ok = self._node_ok(pg, node_preds)
        edge_ok = self._edge_ok(pg, edge_preds, sources, node_ok, high)
        target_ok = self._target_ok(pg, step.to_var)
        weights = self._weights(pg, rel)
        want_value = rel.name in self.ex.step.keep or rel.name in self.ex.step.needed
        tables = tuple(t for t in pg.tables if t in self.ex.step.nodes[step.to_var].tables)
        carried = self.ex.survivors(step, frame)
        for name in carry:
            carried.columns[name] = frame.columns[name]

        if kind not in _MODES:
            sources = np.ascontiguousarray(sources)
            all_paths = kind.startswith("all_")
            # ALL SHORTEST by hops counts its paths without listing them; the hops are listed
            # again only if a path's value is read (not for length(e))
            defer = all_paths and not len(weights)

            def search(batch, want_hops):
                return shortest_paths(self.graph.memory, pg.indptr, pg.nbrs, batch,
                                      node_ok, edge_ok, target_ok, high, all_paths, weights,
                                      want_hops)

            def relist(out_src):
                return lambda: np.concatenate(
                    [np.zeros(0, np.int64)]
                    + [c[4] for c in search(sources[np.unique(out_src)], True)])

            for out_src, out_len, out_end, out_cost, out_hops in search(
                    sources, want_value and not defer):
                hops = relist(out_src) if want_value and defer else out_hops
                yield self._frame(pg, carried, 0, sources, (out_src, out_len, hops, out_cost),
                                  tables, target, rel, want_value, step.from_var != rel.left,
                                  ends=out_end)
            return

        walk = (np.empty(high + 1, np.int64), np.empty(high + 1, np.int64),
                np.empty(high + 1, np.int64))  # the walk in progress (resumable kernel)

        def run(batch: np.ndarray, fill: bool, out):
            cap = tuning.CHUNK_ROWS if len(batch) > 1 else np.iinfo(np.int64).max
            state = np.array([0, -2, 0, 0, 0], np.int64)
            while True:
                n_paths, n_hops, done = _path_kernels._walks(
                    pg.indptr, pg.nbrs, pg.edge_key, batch, node_ok, edge_ok, target_ok, low,
                    high, _MODES[kind], fill, *out, weights, cap, state, *walk, WALK_WORK)
                if done:
                    return n_paths, n_hops
                # the timeout and interrupt; while counting, paths that would not fit
                self.graph.memory.check(extra=0 if fill else n_paths * 32 + n_hops * 8)

        empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64),
                 np.zeros(0, np.float64))
        lo = 0
        size = max(1, min(frame.n, 1024))
        while lo < frame.n:
            hi = min(frame.n, lo + size)
            batch = np.ascontiguousarray(sources[lo:hi])
            n_paths, n_hops = run(batch, False, empty)
            if n_paths > tuning.CHUNK_ROWS and hi - lo > 1:
                size = max(1, (hi - lo) // 2)
                continue
            self.graph.memory.check(extra=n_paths * 32 + n_hops * 8)
            out = (np.empty(n_paths, np.int64), np.empty(n_paths, np.int64),
                   np.empty(n_hops, np.int64), np.empty(n_paths, np.float64))
            if n_paths:
                run(batch, True, out)
                # a path is listed from the end written first
                yield self._frame(pg, carried, lo, batch, out, tables, target, rel,
                                  want_value, step.from_var != rel.left)
            lo = hi

    def _frame(self, pg, carried: Frame, lo: int, batch, out, tables, target, rel,
               want_value: bool, backwards: bool, ends=None):
        out_src, out_len, out_hops, out_cost = out
        starts = np.zeros(len(out_len) + 1, np.int64)
        starts[1:] = np.cumsum(out_len)
        frame = carried.take(out_src + lo)
        if ends is None:
            ends = batch[out_src]  # a zero-hop path ends where it starts
            moved = out_len > 0
            ends[moved] = pg.nbrs[out_hops[starts[1:][moved] - 1]]
        frame.columns[target] = pg.nodes(ends, tables)
        if want_value:
            cache: list = []

            def build() -> np.ndarray:
                if not cache:
                    hops = out_hops() if callable(out_hops) else out_hops
                    vec = self._values(pg, rel, out_len, starts, hops, out_cost)
                    cache.append((_reversed(vec) if backwards else vec).values)
                return cache[0]

            weighted = rel.recursive is not None and rel.recursive.weight is not None
            frame.columns[rel.name] = PathColumn(
                build, np.arange(len(out_len)), out_len, out_cost if weighted else None
            )
        return frame

    def _values(self, pg: PathGraph, rel, lengths, starts, hops, costs) -> Vec:
        spec = rel.recursive
        rel_vec = RelVec(
            pg.keys,
            pg.eids[hops],
            pg.nodes(np.where(pg.forward[hops], pg.origin[hops], pg.nbrs[hops]), pg.touched),
            pg.nodes(np.where(pg.forward[hops], pg.nbrs[hops], pg.origin[hops]), pg.touched),
            pg.key_idx[hops] if len(pg.keys) > 1 else None,
        )
        rels = rel_dicts(rel_vec, self.graph) if len(hops) else []
        _widen(rels, [self.graph.rel_columns(k.name) for k in dict.fromkeys(pg.keys)])
        # The nodes between the ends: every hop's far node but the last hop's.
        inner = np.ones(len(hops), np.bool_)
        inner[starts[1:][lengths > 0] - 1] = False
        node_vec = pg.nodes(pg.nbrs[hops[inner]], pg.touched)
        node_vec.label_tables = pg.touched
        nodes = node_dicts(node_vec, self.graph) if inner.any() else []
        _widen(nodes, [self.graph.node_columns(t) for t in pg.touched])
        if spec is not None and spec.rel_items is not None:
            rels = _only(rels, _REL_KEYS, spec.rel_items)
        if spec is not None and spec.node_items is not None:
            nodes = _only(nodes, _NODE_KEYS, spec.node_items)
        weighted = spec is not None and spec.weight is not None
        values = np.empty(len(lengths), object)
        k = 0
        for i, (a, b) in enumerate(zip(starts[:-1].tolist(), starts[1:].tolist(), strict=True)):
            v = PathValue(_nodes=nodes[k : k + max(b - a - 1, 0)], _rels=rels[a:b])
            k += max(b - a - 1, 0)
            if weighted:
                v.cost = float(costs[i])
            values[i] = v
        return Vec("any", values)


def _widen(dicts: list, schemas: list[dict]) -> None:
    """A property INT in one table and FLOAT/DOUBLE in another is a DOUBLE in every dict of
    the path value (Kùzu's struct of the union of the tables' properties)."""
    kinds: dict[str, set] = {}
    for columns in schemas:
        for name, typ in columns.items():
            kinds.setdefault(name, set()).add(kind_of_type(typ))
    mixed = [name for name, k in kinds.items() if k == {"int", "float"}]
    for d in dicts if mixed else ():
        for name in mixed:
            if d.get(name) is not None:
                d[name] = float(d[name])


def _reversed(vec: Vec) -> Vec:
    values = np.empty(len(vec), object)
    for i, v in enumerate(vec.values):
        r = PathValue(_nodes=v["_nodes"][::-1], _rels=v["_rels"][::-1])
        r.cost = v.cost
        values[i] = r
    return Vec("any", values, vec.valid)


def _only(dicts: list, internal: tuple[str, ...], items: tuple[ast.Expr, ...]) -> list:
    keys = list(internal)
    for item in items:
        if isinstance(item, ast.Property):
            keys.append(item.key)
        else:
            raise QueryError("a recursive projection list names properties, as {r.a, r.b}")
    return [{k: d[k] for k in keys if k in d} for d in dicts]


def _entries_of(indptr: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """The adjacency entries of ``nodes``, laid end to end."""
    lo = indptr[nodes]
    lens = indptr[nodes + 1] - lo
    total = int(lens.sum())
    starts = np.cumsum(lens) - lens
    return np.repeat(lo - starts, lens) + np.arange(total, dtype=np.int64)
