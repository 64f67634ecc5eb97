"""Grouped aggregation over a stream of frames: count, sum, avg, min, max, collect, each
optionally DISTINCT. Rows carry multiplicities (frame weights), so counted-not-materialised
paths aggregate correctly: count(*) sums weights, sum(x) sums x × weight, min/max ignore them.

Each chunk is reduced to a partial result (its groups and per-group states) as it arrives, so
memory is bounded by the number of groups, not by the number of rows; partials are merged at
the end by grouping their keys again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...errors import IntegerOverflowError, QueryError
from ..syntax import ast
from ..syntax.walk import free_variables
from ..values import _kernels, checked
from ..values.output import python_values
from ..values.vectors import (
    FOLDED,
    Const,
    Frame,
    NodeVec,
    RelVec,
    Vec,
    broadcast,
    concat_vecs,
)
from .evaluator import Evaluator
from .grouping import factorize, first_rows, sort_key, value_codes

# ----------------------------------------------------------------------------- partial states


@dataclass
class _Partial:
    keys: list  # representative key vectors, one row per group
    groups: int
    states: list
    grouping: list  # the vectors groups were formed by, one row per group


def grouping_vectors(graph, frame: Frame, key_exprs: list[ast.Expr], keys: list) -> list:
    """The vectors that decide the groups. A node whose primary key is a group key (or the node
    itself) determines every other key computed from it alone, so such keys are grouped by
    the node's identity (integer codes, no sort) and their own values are not compared:
    ``RETURN a.id, a.name, count(*)`` never hashes a.name."""
    determined: list[str] = []
    for expr, vec in zip(key_exprs, keys, strict=True):
        name = None
        if isinstance(expr, ast.Variable) and isinstance(vec, NodeVec | RelVec):
            name = expr.name
        elif isinstance(expr, ast.Property) and isinstance(expr.subject, ast.Variable):
            subject = frame.columns.get(expr.subject.name)
            if (
                isinstance(subject, NodeVec)
                and subject.table_idx is None
                and expr.key == graph.primary_key(subject.tables[0])
            ):
                name = expr.subject.name
        if name is not None and name not in determined:
            determined.append(name)
    out = [frame.columns[name] for name in determined]
    for expr, vec in zip(key_exprs, keys, strict=True):
        if not (free_variables(expr) <= set(determined) and free_variables(expr)):
            out.append(vec)
    return out


class GroupedAggregation:
    """Feed frames with ``add``; ``finish`` returns one frame: key columns then aggregates."""

    def __init__(
        self, graph, params: dict, keys: list[ast.Expr], calls: list[ast.FunctionCall]
    ) -> None:
        self.graph = graph
        self.params = params
        self.keys = keys
        self.calls = calls
        self.partials: list[_Partial] = []
        self.aggregators = [make_aggregator(c) for c in calls]

    def add(self, frame: Frame) -> None:
        if frame.n == 0:
            return
        ev = Evaluator(self.graph, self.params, frame)
        keys = [ev.vector(k) for k in self.keys]
        grouping = grouping_vectors(self.graph, frame, self.keys, keys)
        codes, groups = factorize(grouping, frame.n)
        first = first_rows(codes, groups)
        weights = frame.multiplicities()
        states = []
        for index, (call, agg) in enumerate(zip(self.calls, self.aggregators, strict=True)):
            folded = f"{FOLDED}{index}:"
            if folded + "cnt" in frame.columns:
                states.append(_folded_partial(call.name, folded, frame, codes, groups))
                continue
            arg = None if call.star else ev.vector(call.args[0])
            states.append(agg.partial(codes, groups, arg, weights, self.graph))
        self.partials.append(
            _Partial(
                [k.take(first) for k in keys], groups, states, [g.take(first) for g in grouping]
            )
        )

    def finish(self, key_names: list[str], agg_names: list[str]) -> Frame:
        if not self.partials:
            return self._empty(key_names, agg_names)
        if len(self.partials) == 1:
            p = self.partials[0]
            keys, groups, states = p.keys, p.groups, p.states
            finals = [agg.final(s, groups) for agg, s in zip(self.aggregators, states, strict=True)]
        else:
            all_keys = [
                concat_vecs([p.keys[i] for p in self.partials]) for i in range(len(self.keys))
            ]
            all_grouping = [
                concat_vecs([p.grouping[i] for p in self.partials])
                for i in range(len(self.partials[0].grouping))
            ]
            total = sum(p.groups for p in self.partials)
            codes, groups = factorize(all_grouping, total)
            first = first_rows(codes, groups)
            keys = [k.take(first) for k in all_keys]
            maps = []
            start = 0
            for p in self.partials:
                maps.append(codes[start : start + p.groups])
                start += p.groups
            finals = []
            for i, agg in enumerate(self.aggregators):
                merged = agg.merge([p.states[i] for p in self.partials], maps, groups)
                finals.append(agg.final(merged, groups))
        columns = dict(zip(key_names, keys, strict=True))
        columns.update(zip(agg_names, finals, strict=True))
        return Frame(columns, groups)

    def _empty(self, key_names: list[str], agg_names: list[str]) -> Frame:
        """No input rows: no groups, except that a query without keys returns one row
        (count 0, other aggregates NULL)."""
        if self.keys:
            columns = {
                k: Vec("null", np.zeros(0, np.bool_), np.zeros(0, np.bool_)) for k in key_names
            }
            columns.update(
                {a: Vec("null", np.zeros(0, np.bool_), np.zeros(0, np.bool_)) for a in agg_names}
            )
            return Frame(columns, 0)
        columns = {}
        for name, call in zip(agg_names, self.calls, strict=True):
            if call.name == "count":
                columns[name] = Vec("int", np.zeros(1, np.int64))
            else:
                columns[name] = Vec("null", np.zeros(1, np.bool_), np.zeros(1, np.bool_))
        return Frame(columns, 1)


def _folded_partial(func: str, prefix: str, frame: Frame, codes, groups: int):
    """The partial state of an aggregate a MATCH computed inside a fold: the same state the
    aggregator builds from values, built from per-row sums, counts and extremes."""
    counts = _group_add(codes, frame.columns[prefix + "cnt"].values, groups, np.int64)
    if func == "count":
        return counts
    if func in ("sum", "avg"):
        sums = frame.columns[prefix + "sum"]
        dtype = np.int64 if sums.kind == "int" else np.float64
        return _group_add(codes, sums.values, groups, dtype), counts, sums.kind
    return _MinMax(func == "max").partial(codes, groups, frame.columns[prefix + "ext"], None, None)


def make_aggregator(call: ast.FunctionCall):
    if call.distinct:
        return _RowsAggregator(call.name, distinct=True)
    if call.name == "count":
        return _Count(call.star)
    if call.name in ("sum", "avg"):
        return _SumAvg(call.name)
    if call.name in ("min", "max"):
        return _MinMax(call.name == "max")
    if call.name == "collect":
        return _RowsAggregator("collect", distinct=False)
    raise QueryError(f"unknown aggregate {call.name}")


def _valid_of(arg) -> np.ndarray | None:
    if arg is None:
        return None
    if isinstance(arg, NodeVec | RelVec):
        return arg.valid
    return arg.valid if arg.kind != "null" else np.zeros(len(arg), np.bool_)


def _group_add(codes: np.ndarray, values: np.ndarray, groups: int, dtype,
               what: str = "SUM") -> np.ndarray:
    out = np.zeros(groups, dtype)
    if np.dtype(dtype) == np.int64:
        values = _as_int64(values, what)
        if _kernels._group_add_checked(codes, values, out) >= 0:
            raise IntegerOverflowError(
                f"Overflow exception: {what} is not within INT64 range (more than "
                f"{checked.INT64_MAX:,} in magnitude).")
        return out
    _kernels._group_add(codes, values.astype(dtype, copy=False), out)
    return out


def _as_int64(values: np.ndarray, what: str) -> np.ndarray:
    values = np.asarray(values)
    if values.dtype == np.uint64 and len(values) and int(values.max()) > checked.INT64_MAX:
        raise IntegerOverflowError(
            f"Overflow exception: {what} over UINT64 values above {checked.INT64_MAX:,} is not "
            "within INT64 range.")
    return values.astype(np.int64, copy=False)


def _may_overflow(values: np.ndarray, weights: np.ndarray) -> bool:
    """Whether an int64 sum of values × weights could leave int64 (UINT64 columns always
    may): such sums are taken exactly, as Python ints (Kùzu sums into INT128)."""
    if len(values) == 0:
        return False
    if values.dtype == np.uint64:
        return True
    biggest = float(np.abs(values.astype(np.float64)).max())
    return biggest * float(weights.sum()) >= 2.0**62


def _exact_group_add(codes, values, weights, groups: int) -> np.ndarray:
    out = np.zeros(groups, object)
    terms = values.astype(object) * weights.astype(object)
    np.add.at(out, codes, terms)
    return out


class _Count:
    def __init__(self, star: bool) -> None:
        self.star = star

    def partial(self, codes, groups, arg, weights, graph):
        valid = _valid_of(arg)
        if valid is not None:
            codes = codes[valid]
            weights = weights[valid]
        return _group_add(codes, weights, groups, np.int64, "COUNT")

    def merge(self, states, maps, groups):
        return _group_add(np.concatenate(maps), np.concatenate(states), groups, np.int64,
                          "COUNT")

    def final(self, state, groups):
        return Vec("int", state)


class _SumAvg:
    def __init__(self, name: str) -> None:
        self.name = name

    def partial(self, codes, groups, arg, weights, graph):
        if arg.kind not in ("int", "float", "null"):
            raise QueryError(f"{self.name.upper()}() needs numbers, not {arg.kind.upper()}")
        valid = _valid_of(arg)
        values = arg.values if arg.kind != "null" else np.zeros(len(arg), np.int64)
        if valid is not None:
            codes, values, weights = codes[valid], values[valid], weights[valid]
        dtype = np.int64 if arg.kind in ("int", "null") else np.float64
        if dtype == np.int64 and _may_overflow(np.asarray(values), weights):
            sums = _exact_group_add(codes, np.asarray(values), weights, groups)
        else:
            sums = _group_add(codes, np.asarray(values, dtype) * weights, groups, dtype)
        counts = _group_add(codes, weights, groups, np.int64, "the number of matches")
        return sums, counts, arg.kind

    def merge(self, states, maps, groups):
        codes = np.concatenate(maps)
        kinds = {s[2] for s in states} - {"null"}
        dtype = np.float64 if "float" in kinds else np.int64
        if dtype == np.int64 and (any(s[0].dtype == object for s in states) or float(
                sum(np.abs(s[0].astype(np.float64)).sum() for s in states)) >= 2.0**62):
            sums = np.zeros(groups, object)
            np.add.at(sums, codes, np.concatenate([s[0].astype(object) for s in states]))
        else:
            sums = _group_add(
                codes, np.concatenate([s[0].astype(dtype) for s in states]), groups, dtype
            )
        counts = _group_add(codes, np.concatenate([s[1] for s in states]), groups, np.int64)
        return sums, counts, "float" if "float" in kinds else "int"

    def final(self, state, groups):
        sums, counts, kind = state
        valid = counts > 0
        mask = None if valid.all() else valid
        if self.name == "sum":
            return Vec("float" if kind == "float" else "int", sums, mask)
        with np.errstate(all="ignore"):
            avg = sums.astype(np.float64) / np.where(valid, counts, 1)
        return Vec("float", avg, mask)


class _MinMax:
    def __init__(self, want_max: bool) -> None:
        self.want_max = want_max

    def partial(self, codes, groups, arg, weights, graph):
        if isinstance(arg, NodeVec | RelVec):
            raise QueryError("MIN/MAX do not apply to nodes or relationships")
        if arg.kind == "null":
            return arg.take(np.zeros(groups, np.int64)), np.zeros(groups, np.bool_)
        valid = arg.is_valid()
        if arg.kind in ("str", "list", "any", "bool"):
            # Pick the row holding the extreme rank; the value is taken from that row.
            ranks = sort_key(arg, len(arg)).astype(np.int64)
            best_rank = np.zeros(groups, np.int64)
            seen = np.zeros(groups, np.bool_)
            _kernels._group_min_max(codes, ranks, valid, groups, self.want_max, best_rank, seen)
            hit = valid & seen[codes] & (ranks == best_rank[codes])
            rows = np.zeros(groups, np.int64)
            hit_rows = np.flatnonzero(hit)
            rows[codes[hit_rows][::-1]] = hit_rows[::-1]
            return arg.take(rows), seen
        values = np.asarray(arg.values)
        work = values.view(np.int64) if values.dtype.kind == "M" else values
        out = np.zeros(groups, work.dtype)
        seen = np.zeros(groups, np.bool_)
        _kernels._group_min_max(codes, work, valid, groups, self.want_max, out, seen)
        if values.dtype.kind == "M":
            out = out.view(values.dtype)
        return Vec(arg.kind, out, None), seen

    def merge(self, states, maps, groups):
        values = concat_vecs([Vec(s[0].kind, s[0].values, s[1]) for s in states])
        codes = np.concatenate(maps)
        return self.partial(codes, groups, values, None, None)

    def final(self, state, groups):
        vec, seen = state
        if vec.kind == "null":
            return vec
        return Vec(vec.kind, vec.values, None if seen.all() else seen)


class _RowsAggregator:
    """collect() and every DISTINCT aggregate: keeps (group, value, weight) rows, deduplicated
    per chunk when DISTINCT, and computes the result at the end."""

    def __init__(self, name: str, distinct: bool) -> None:
        self.name = name
        self.distinct = distinct

    def partial(self, codes, groups, arg, weights, graph):
        if arg is None:
            raise QueryError("count(DISTINCT *) is not supported")
        if isinstance(arg, Const):
            arg = broadcast(arg, len(codes))
        valid = _valid_of(arg)
        if valid is not None:
            keep = np.flatnonzero(valid)
            codes, arg, weights = codes[keep], arg.take(keep), weights[keep]
        if self.distinct and len(codes):
            vcodes, vcard = value_codes(arg)
            pair = codes * vcard + vcodes
            _, first = np.unique(pair, return_index=True)
            codes, arg = codes[first], arg.take(first)
            weights = np.ones(len(first), np.int64)
        return codes, arg, weights, graph

    def merge(self, states, maps, groups):
        codes = np.concatenate([m[s[0]] for s, m in zip(states, maps, strict=True)])
        values = concat_vecs([s[1] for s in states])
        weights = np.concatenate([s[2] for s in states])
        state = (codes, values, weights, states[0][3])
        if self.distinct and len(codes):
            vcodes, vcard = value_codes(values)
            _, first = np.unique(codes * vcard + vcodes, return_index=True)
            state = (codes[first], values.take(first), np.ones(len(first), np.int64), state[3])
        return state

    def final(self, state, groups):
        codes, values, weights, graph = state
        name = self.name
        if name == "count":
            return Vec("int", _group_add(codes, weights, groups, np.int64))
        if name in ("sum", "avg"):
            agg = _SumAvg(name)
            return agg.final(agg.partial(codes, groups, values, weights, graph), groups)
        if name in ("min", "max"):
            agg = _MinMax(name == "max")
            return agg.final(agg.partial(codes, groups, values, weights, graph), groups)
        return _collect(codes, values, weights, groups, graph)


def _collect(codes, values, weights, groups, graph) -> Vec:
    """Lists of values per group in row order, each value repeated by its weight."""
    if len(codes) and (weights != 1).any():
        idx = np.repeat(np.arange(len(codes)), weights)
        codes, values = codes[idx], values.take(idx)
    order = np.argsort(codes, kind="stable")
    items = python_values(values.take(order), graph) if len(order) else []
    bounds = np.searchsorted(codes[order], np.arange(groups + 1))
    out = np.empty(groups, object)
    b = bounds.tolist()
    for g in range(groups):  # one list per group: the output itself is per group
        out[g] = items[b[g] : b[g + 1]]
    valid = np.asarray([len(x) > 0 for x in out], np.bool_) if groups else np.zeros(0, bool)
    return Vec("list", out, None if valid.all() else valid)
