"""The Close operator of a MATCH: an edge of the pattern between two nodes that are already
columns (a cycle), checked per row; kept as a column or counted into the row weights."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..plan.ops import Close
from ..values import _kernels
from ..values.vectors import Frame, NodeVec, RelVec, concat_vecs
from .fold import apply_factor


class CloseOperator:
    """Mixed into ``MatchExecutor``: uses its graph, step and edge masks."""

    def _close(self, step: Close, frame: Frame) -> Iterator[Frame]:
        if step.rel.hops is not None:
            yield from self.varlength.close(step, frame)
            return
        frame, from_var, to_var = self._group_rows_for_close(step, frame)
        side = "src" if step.rel.src == from_var else "dst"
        x: NodeVec = frame.columns[from_var]
        y: NodeVec = frame.columns[to_var]
        counts = np.zeros(frame.n, np.int64)
        rows_parts, rel_parts = [], []
        for trav in step.rel.traversals:
            p_table, c_table = trav.tables_from(side)
            rows = self._rows_with_tables(x, p_table, y, c_table)
            if rows is None or len(rows) == 0:
                continue
            direction = trav.direction_from(side)
            indptr, nbrs, eids = self.graph.csr(trav.key, direction)
            xs = np.ascontiguousarray(x.offsets[rows], np.int64)
            ys = np.ascontiguousarray(y.offsets[rows], np.int64)
            emask = self.edge_mask(step.rel, trav.key)
            use_mask = emask is not None
            mask_arg = emask if use_mask else np.zeros(1, np.bool_)
            c = np.empty(len(rows), np.int64)
            if not step.keep_rel:
                marks = np.zeros(self.graph.num_nodes(c_table), np.int32)
                _kernels._count_edges_grouped(
                    indptr, nbrs, eids, mask_arg, use_mask, xs, ys, marks, c
                )
                counts[rows] += c
                continue
            total = _kernels._count_edges_between(indptr, nbrs, eids, mask_arg, use_mask, xs, ys, c)
            out_row = np.empty(total, np.int64)
            out_eid = np.empty(total, np.int64)
            _kernels._edges_between(
                indptr, nbrs, eids, mask_arg, use_mask, xs, ys, out_row, out_eid
            )
            rows_parts.append(rows[out_row])
            a = NodeVec((p_table,), xs[out_row])
            b = NodeVec((c_table,), ys[out_row])
            forward = direction == "fwd"
            rel_parts.append(RelVec((trav.key,), out_eid, a if forward else b, b if forward else a))
        if not step.keep_rel:
            yield apply_factor(self.survivors(step, frame), counts)
            return
        if not rows_parts:
            return
        out = self.survivors(step, frame).take(np.concatenate(rows_parts))
        out.columns[step.rel.name] = concat_vecs(rel_parts)
        yield out

    def _group_rows_for_close(self, step: Close, frame: Frame) -> tuple[Frame, str, str]:
        """Check edges from the end whose rows already come in runs (typically the node the
        rows were expanded from), sorting the rows by it when neither does: scanning
        adjacency lists in random row order costs a cache miss per row (0.60 s against
        0.07 s grouped, for 2.4 M rows here)."""
        ends = [(step.from_var, step.to_var)]
        if step.from_var != step.to_var:
            ends.append((step.to_var, step.from_var))
        if frame.n < 4096:
            return frame, step.from_var, step.to_var
        best = None
        for var, other in ends:
            ident = frame.columns[var].identity()
            runs = 1 + int(np.count_nonzero(ident[1:] != ident[:-1]))
            if best is None or runs < best[0]:
                best = (runs, var, other)
        runs, var, other = best
        if runs * 8 > frame.n:
            frame = frame.take(np.argsort(frame.columns[var].identity(), kind="stable"))
        return frame, var, other

    @staticmethod
    def _rows_with_tables(x: NodeVec, x_table: str, y: NodeVec, y_table: str):
        n = len(x)
        ok = np.ones(n, np.bool_)
        for vec, table in ((x, x_table), (y, y_table)):
            if table not in vec.tables:
                return None
            if vec.table_idx is not None:
                ok &= vec.table_idx == vec.tables.index(table)
        return np.flatnonzero(ok)
