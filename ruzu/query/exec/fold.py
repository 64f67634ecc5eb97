"""The Fold and CountComponent operators of a MATCH: subtrees nobody reads are counted per
node with sums over the CSR (paths are multiplied into row weights, never materialised), and
sum/avg/count/min/max over a folded node's property are carried along."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from ..plan.match_plan import pk_equality
from ..plan.ops import CountComponent, Fold, FoldTree
from ..values import _kernels, checked
from ..values.kinds import kind_of_type
from ..values.vectors import FOLDED, NUMPY_OF_KIND, Frame, NodeVec, Vec


class FoldOperator:
    """Mixed into ``MatchExecutor``: uses its graph, step, masks, memo and ``_apply``."""

    def _fold(self, step: Fold, frame: Frame) -> Iterator[Frame]:
        anchor = frame.columns[step.anchor]
        factor = np.zeros(frame.n, np.int64)
        for table, rows, offsets in anchor.parts():
            f = self.fold_factor(step.tree, table, offsets)
            if rows is None:
                factor = f
            else:
                factor[rows] = f
        out = apply_factor(self.survivors(step, frame), factor)
        if step.aggregates:
            kept = np.flatnonzero(factor)
            before = frame.multiplicities()[kept]
            kept_anchor = anchor.take(kept) if len(kept) != frame.n else anchor
            for agg in step.aggregates:
                out.columns.update(self._folded_columns(step.tree, agg, kept_anchor, before))
        yield out

    def _folded_columns(self, tree: FoldTree, agg, anchor: NodeVec, weights: np.ndarray):
        """The ``#fold:{index}:…`` columns of one aggregate for the anchor rows: the sum and
        the count of non-NULL values over the folded matches of each row (times the row's
        weight so far), and for min/max the extreme value."""
        n = len(anchor)
        parts = []
        for table, rows, offsets in anchor.parts():
            parts.append((rows, self._folded_stats(tree, agg, table), offsets))
        sums = cnts = ext = defined = None
        for rows, (s, c, e, d), offsets in parts:
            if cnts is None:
                cnts = np.zeros(n, np.int64)
                sums = np.zeros(n, s.dtype)
                ext = np.zeros(n, e.dtype)
                defined = np.zeros(n, np.bool_)
            where = slice(None) if rows is None else rows
            sums[where] = s[offsets]
            cnts[where] = c[offsets]
            ext[where] = e[offsets]
            defined[where] = d[offsets]
        prefix = f"{FOLDED}{agg.index}:"
        columns = {prefix + "cnt": Vec("int", cnts * weights)}
        kind = self._folded_kind(agg)
        if agg.func in ("sum", "avg"):
            columns[prefix + "sum"] = Vec(kind, sums * weights)
        if agg.func in ("min", "max"):
            if kind in ("date", "timestamp"):
                ext = ext.view(NUMPY_OF_KIND[kind])
            columns[prefix + "ext"] = Vec(kind, ext, None if defined.all() else defined)
        return columns

    def _folded_kind(self, agg) -> str:
        table = self.step.nodes[agg.var].tables[0]
        return kind_of_type(self.graph.node_columns(table)[agg.key])

    def _folded_stats(self, tree: FoldTree, agg, parent_table: str):
        """Dense over ``parent_table``: (sum, count of non-NULL, extreme, extreme defined) of
        ``agg.var.key`` over the matches of ``tree`` hanging off each node."""
        memo_key = ("stats", id(tree), agg, parent_table)
        if memo_key in self._counts:
            return self._counts[memo_key]
        below = self._stats_below(tree, agg)
        n = self.graph.num_nodes(parent_table)
        sample = next(iter(below.values()))
        sums = np.zeros(n, sample[0].dtype)
        cnts = np.zeros(n, np.int64)
        ext = np.zeros(n, sample[2].dtype)
        defined = np.zeros(n, np.bool_)
        sources = np.arange(n, dtype=np.int64)
        want_max = agg.func == "max"
        for trav in tree.rel.traversals:
            p_table, c_table = trav.tables_from(tree.parent_side)
            if p_table != parent_table or c_table not in below:
                continue
            s, c, e, d = below[c_table]
            indptr, nbrs, eids = self.graph.csr(trav.key, trav.direction_from(tree.parent_side))
            emask = self.edge_mask(tree.rel, trav.key)
            use = emask is not None
            mask_arg = emask if use else np.zeros(1, np.bool_)
            checked.sum_over_neighbours(indptr, nbrs, eids, c, mask_arg, use, sources, cnts)
            if agg.func in ("sum", "avg"):
                checked.sum_over_neighbours(indptr, nbrs, eids, s, mask_arg, use, sources, sums,
                                            "SUM")
            if agg.func in ("min", "max"):
                _kernels._extreme_over_neighbours(
                    indptr, nbrs, eids, e, d, mask_arg, use, sources, want_max, ext, defined
                )
        result = (sums, cnts, ext, defined)
        self._counts[memo_key] = result
        return result

    def _stats_below(self, tree: FoldTree, agg) -> dict:
        """Per table of ``tree.node``: the (sum, count, extreme, defined) vectors of the matches
        of the subtree rooted there."""
        counts = self.subtree_weights(tree)
        out = {}
        for table, g in counts.items():
            n = self.graph.num_nodes(table)
            g = np.ones(n, np.int64) if g is None else g
            if tree.node == agg.var:
                prop = self.graph.node_property(NodeVec.range(table, 0, n), agg.key)
                valid = prop.is_valid() if prop.kind != "null" else np.zeros(n, np.bool_)
                values = np.asarray(prop.values) if prop.kind != "null" else np.zeros(n)
                if values.dtype.kind == "M":
                    values = values.view(np.int64)
                elif values.dtype.kind in "iub":
                    values = values.astype(np.int64)
                else:
                    values = values.astype(np.float64)
                live = valid & (g > 0)
                sums = np.where(valid, values, 0) * g
                out[table] = (sums, valid * g, values, live)
            else:
                child = next(c for c in tree.children if agg.var in _nodes_of(c))
                s, c, e, d = self._folded_stats(child, agg, table)
                other = g // np.where(
                    self.fold_factor(child, table, None) == 0,
                    1,
                    self.fold_factor(child, table, None),
                )
                out[table] = (s * other, c * other, e, d & (g > 0))
        return out

    def subtree_weights(self, tree: FoldTree) -> dict[str, np.ndarray | None]:
        """Per table of ``tree.node``: how many ways each node completes the subtree below
        it (None: one way for every node)."""
        out: dict[str, np.ndarray | None] = {}
        node = self.step.nodes[tree.node]
        for table in node.tables:
            mask = self.node_mask(tree.node, table)
            g = None if mask is None else mask.astype(np.int64)
            for child in tree.children:
                f = self.fold_factor(child, table, None)
                g = f if g is None else g * f
            out[table] = g
        return out

    def fold_factor(
        self, tree: FoldTree, parent_table: str, offsets: np.ndarray | None
    ) -> np.ndarray:
        """For parent nodes (all of ``parent_table`` when offsets is None): the number of
        matches of ``tree`` hanging off each."""
        if tree.rel.hops is not None:
            dense = self.varlength.fold(tree, parent_table)
            return dense if offsets is None else dense[offsets]
        memo_key = (id(tree), parent_table)
        if offsets is None and memo_key in self._counts:
            return self._counts[memo_key]
        g = self.subtree_weights(tree)
        n_parent = self.graph.num_nodes(parent_table)
        sources = (
            np.arange(n_parent, dtype=np.int64)
            if offsets is None
            else np.ascontiguousarray(offsets, np.int64)
        )
        out = np.zeros(len(sources), np.int64)
        zeros = True  # out untouched so far (its pages not even mapped: calloc)
        for trav in tree.rel.traversals:
            p_table, c_table = trav.tables_from(tree.parent_side)
            if p_table != parent_table or c_table not in g:
                continue
            direction = trav.direction_from(tree.parent_side)
            emask = self.edge_mask(tree.rel, trav.key)
            weights = g[c_table]
            if weights is None and emask is None:
                degrees = self.graph.degrees(trav.key, direction)[sources].astype(
                    np.int64, copy=False)  # a new array
                out = degrees if zeros else checked.int_binary("+", out, degrees, True)
                zeros = False
                continue
            indptr, nbrs, eids = self.graph.csr(trav.key, direction)
            if weights is None:
                weights = np.ones(self.graph.num_nodes(c_table), np.int64)
            use_mask = emask is not None
            checked.sum_over_neighbours(
                indptr,
                nbrs,
                eids,
                weights,
                emask if use_mask else np.zeros(1, np.bool_),
                use_mask,
                sources,
                out,
            )
            zeros = False
        if offsets is None:
            self._counts[memo_key] = out
        return out

    def _countcomponent(self, step: CountComponent, frame: Frame) -> Iterator[Frame]:
        key = id(step)
        if key not in self._counts and len(step.steps) == 1:
            # A lone node pattern: the number of matches is the number of rows its filters
            # keep; no offsets needed.
            name = step.steps[0].node
            if pk_equality(self.step.nodes[name], self.graph) is None:
                total = 0
                for table in self.step.nodes[name].tables:
                    mask = self.node_mask(name, table)
                    total += (
                        self.graph.num_nodes(table) if mask is None else int(np.count_nonzero(mask))
                    )
                self._counts[key] = total
        if key not in self._counts:
            total = 0
            stream: Iterable[Frame] = [Frame({}, 1)]
            for sub in step.steps:
                stream = self._apply(sub, stream)
            for f in stream:
                total += checked.exact_sum(f.multiplicities())
            self._counts[key] = checked.python_int(total, "the number of matches")
        total = self._counts[key]
        if total == 0:
            return
        if total != 1:
            frame = frame.scaled(total)
        yield frame


def _nodes_of(tree: FoldTree) -> set[str]:
    out = {tree.node}
    for child in tree.children:
        out |= _nodes_of(child)
    return out


def apply_factor(frame: Frame, factor: np.ndarray) -> Frame:
    """Multiply row weights (and folded sums) by ``factor``; drop rows whose factor is 0."""
    keep = np.flatnonzero(factor)
    if len(keep) == frame.n:
        return frame.scaled(factor)
    return frame.take(keep).scaled(factor[keep])
