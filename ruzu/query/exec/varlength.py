"""Variable-length relationships ``-[:F*min..max]->`` with Kùzu's walk semantics (edges and
nodes may repeat; every walk is one match).

Counting walks needs no enumeration: the number of walks of length k from each node is k sparse
matrix-vector products. Materialising the far end uses a per-source breadth-first kernel that
sums walk counts per reached node, so the work is the size of the reached neighbourhoods, not
the number of walks. A pattern without a label, or whose label spans several node tables,
runs over one adjacency joining every table it may cross (built once, then cached).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from ..values import _kernels
from ..values.checked import check_saturated, int_binary, sum_over_neighbours
from ..values.vectors import Frame, NodeVec
from .recursive import RecursiveExpander, needs_paths

_SOURCES_PER_BATCH = 4096


@dataclass
class Adjacency:
    """A CSR over global node ids: node tables laid end to end in catalog order."""

    tables: list[str]
    bases: np.ndarray  # int64[len(tables) + 1]
    indptr: np.ndarray
    nbrs: np.ndarray

    @property
    def num_nodes(self) -> int:
        return int(self.bases[-1])

    def base_of(self, table: str) -> int:
        return int(self.bases[self.tables.index(table)])

    def split(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(table index, offset) of global ids."""
        t = np.searchsorted(self.bases, ids, side="right") - 1
        return t.astype(np.int16), ids - self.bases[t]


class VarLength:
    def __init__(self, executor) -> None:
        self.ex = executor
        self.graph = executor.graph
        self._memo: dict = {}

    # ------------------------------------------------------------------ adjacency

    def adjacency(self, rel, side: str) -> Adjacency:
        hops = tuple(
            sorted(
                {(t.key, t.direction_from(side), *t.tables_from(side)) for t in rel.traversals},
                key=lambda x: (x[0].name, x[0].from_table, x[0].to_table, x[1]),
            )
        )
        key = ("varlength-adjacency", hops)
        cached = self.graph.cache.get(key)
        if cached is not None:
            return cached
        touched = {t for _, _, p, c in hops for t in (p, c)}
        tables = [t for t in self.graph.node_table_names() if t in touched]
        sizes = [self.graph.num_nodes(t) for t in tables]
        bases = np.zeros(len(tables) + 1, np.int64)
        bases[1:] = np.cumsum(sizes)
        if len(hops) == 1 and len(tables) == 1:
            indptr, nbrs, _ = self.graph.csr(hops[0][0], hops[0][1])
            adj = Adjacency(tables, bases, np.asarray(indptr), np.asarray(nbrs))
        else:
            total = int(bases[-1])
            srcs, dsts = [], []
            for rel_key, direction, p_table, c_table in hops:
                indptr, nbrs, _ = self.graph.csr(rel_key, direction)
                deg = np.diff(indptr)
                p_base = bases[tables.index(p_table)]
                c_base = bases[tables.index(c_table)]
                srcs.append(p_base + np.repeat(np.arange(len(deg), dtype=np.int64), deg))
                dsts.append(c_base + np.asarray(nbrs, np.int64))
            src = np.concatenate(srcs) if srcs else np.zeros(0, np.int64)
            dst = np.concatenate(dsts) if dsts else np.zeros(0, np.int64)
            order = np.argsort(src, kind="stable")
            indptr = np.zeros(total + 1, np.int64)
            indptr[1:] = np.cumsum(np.bincount(src, minlength=total))
            adj = Adjacency(tables, bases, indptr, dst[order])
        self.graph.cache[key] = adj
        return adj

    # ------------------------------------------------------------------ counting

    def fold(self, tree, parent_table: str) -> np.ndarray:
        """Walks of min…max hops from each node of ``parent_table`` into the subtree."""
        memo_key = (id(tree), parent_table)
        if memo_key in self._memo:
            return self._memo[memo_key]
        low, high = tree.rel.hops
        end = self.ex.subtree_weights(tree)
        level = {
            t: (np.ones(self.graph.num_nodes(t), np.int64) if g is None else g)
            for t, g in end.items()
        }
        total = {t: v.copy() for t, v in level.items()} if low == 0 else {}
        for hop in range(1, high + 1):
            nxt: dict[str, np.ndarray] = {}
            for trav in tree.rel.traversals:
                p_table, c_table = trav.tables_from(tree.parent_side)
                if c_table not in level:
                    continue
                direction = trav.direction_from(tree.parent_side)
                indptr, nbrs, eids = self.graph.csr(trav.key, direction)
                n = self.graph.num_nodes(p_table)
                out = nxt.setdefault(p_table, np.zeros(n, np.int64))
                sum_over_neighbours(
                    indptr,
                    nbrs,
                    eids,
                    level[c_table],
                    np.zeros(1, np.bool_),
                    False,
                    np.arange(n, dtype=np.int64),
                    out,
                )
            level = {t: v for t, v in nxt.items() if v.any()}
            if hop >= low:
                for t, v in level.items():
                    total[t] = int_binary("+", total[t], v, True) if t in total else v.copy()
            if not level:
                break
        result = total.get(parent_table, np.zeros(self.graph.num_nodes(parent_table), np.int64))
        self._memo[memo_key] = result
        return result

    # ------------------------------------------------------------------ materialising

    def expand(
        self, step, frame: Frame, target: str | None = None, carry: tuple[str, ...] = ()
    ) -> Iterator[Frame]:
        """Rows for every (row, reachable node) with the walk count multiplied into the
        weights; the node goes into column ``target`` (default: the step's to_var)."""
        if needs_paths(step.rel, self.ex.step):  # paths returned, filtered or shortest
            yield from RecursiveExpander(self.ex).expand(step, frame, target, carry)
            return
        rel = step.rel
        side = "src" if rel.src == step.from_var else "dst"
        target = target or step.to_var
        low, high = rel.hops
        adj = self.adjacency(rel, side)
        anchor: NodeVec = frame.columns[step.from_var]
        if low == 0:
            yield from self._zero_hop_outside(step, frame, adj, target)
        inside = np.zeros(frame.n, np.bool_)
        global_ids = np.zeros(frame.n, np.int64)
        for table, rows, offsets in anchor.parts():
            if table not in adj.tables:
                continue
            ids = adj.base_of(table) + offsets
            if rows is None:
                global_ids[:] = ids
                inside[:] = True
            else:
                global_ids[rows] = ids
                inside[rows] = True
        if not inside.all():
            frame = frame.filter(inside)
            global_ids = global_ids[inside]
            if frame.n == 0:
                return
        unique, inverse = np.unique(global_ids, return_inverse=True)
        order = np.argsort(inverse, kind="stable")
        row_indptr = np.zeros(len(unique) + 1, np.int64)
        row_indptr[1:] = np.cumsum(np.bincount(inverse, minlength=len(unique)))
        allowed = self._target_mask(step.to_var, adj)
        everything = self.graph.cache.get(("all-true", adj.num_nodes))
        if everything is None:
            everything = np.ones(adj.num_nodes, np.bool_)
            self.graph.cache[("all-true", adj.num_nodes)] = everything
        for start in range(0, len(unique), _SOURCES_PER_BATCH):
            batch = unique[start : start + _SOURCES_PER_BATCH]
            res_u, res_node, res_count = _kernels._walk_counts(
                adj.indptr, adj.nbrs, batch, everything, low, high, adj.num_nodes
            )
            check_saturated(res_count, "paths")
            keep = np.flatnonzero(allowed[res_node])
            if len(keep) == 0:
                continue
            res_u = res_u[keep] + start
            res_node = res_node[keep]
            res_count = res_count[keep]
            total = int((row_indptr[res_u + 1] - row_indptr[res_u]).sum())
            out_res = np.empty(total, np.int64)
            out_row = np.empty(total, np.int64)
            _kernels._expand(
                row_indptr, order, order, res_u, False, out_res, out_row, np.empty(0, np.int64)
            )
            carried = self.ex.survivors(step, frame)
            for name in carry:
                carried.columns[name] = frame.columns[name]
            out = carried.take(out_row)
            t_idx, offsets = adj.split(res_node[out_res])
            # The vector names every table the far end may be in (not only those reached
            # here): property types are decided over them, as Kùzu types by the labels.
            tables = tuple(t for t in adj.tables if t in self.ex.step.nodes[step.to_var].tables)
            if len(tables) == 1:
                nodes = NodeVec(tables, offsets)
            else:
                remap = np.zeros(len(adj.tables), np.int16)
                for i, t in enumerate(adj.tables):
                    if t in tables:
                        remap[i] = tables.index(t)
                nodes = NodeVec(tables, offsets, remap[t_idx])
            out.columns[target] = nodes
            yield out.scaled(res_count[out_res])

    def _zero_hop_outside(self, step, frame: Frame, adj: Adjacency, target: str):
        """With min 0, nodes of tables the rels never touch still match themselves."""
        anchor: NodeVec = frame.columns[step.from_var]
        for table, rows, offsets in anchor.parts():
            if table in adj.tables or table not in self.ex.step.nodes[step.to_var].tables:
                continue
            mask = self.ex.node_mask(step.to_var, table)
            idx = np.arange(frame.n) if rows is None else rows
            if mask is not None:
                idx = idx[mask[offsets]]
            if len(idx):
                out = frame.take(idx)
                out.columns[target] = NodeVec((table,), anchor.offsets[idx])
                yield out

    def _target_mask(self, name: str, adj: Adjacency) -> np.ndarray:
        """Global-id mask of nodes the far end may be (its tables and filters)."""
        mask = np.zeros(adj.num_nodes, np.bool_)
        node = self.ex.step.nodes[name]
        for table in node.tables:
            if table not in adj.tables:
                continue
            lo = adj.base_of(table)
            hi = lo + self.graph.num_nodes(table)
            m = self.ex.node_mask(name, table)
            mask[lo:hi] = True if m is None else m
        return mask

    def close(self, step, frame: Frame) -> Iterator[Frame]:
        """Both ends bound: keep rows where the far end is the bound node, weighted by the
        number of walks between them."""
        tmp = "#varlength-end"
        for out in self.expand(step, frame, target=tmp, carry=(step.to_var,)):
            a = out.columns.pop(tmp)
            b = out.columns[step.to_var]
            same = (a.identity() == b.identity()) & _same_table_names(a, b)
            if same.any():
                yield out.filter(same)


def _same_table_names(a: NodeVec, b: NodeVec) -> np.ndarray:
    ta = np.asarray(a.tables, object)[a.table_indices()]
    tb = np.asarray(b.tables, object)[b.table_indices()]
    return np.asarray(ta == tb, np.bool_)
