"""Rewrites of a planned MATCH, decided once per plan instead of per execution:

- ``annotate_columns``: which frame columns each operator carries in and hands on, so row
  gathers copy only live columns;
- ``fuse_comparisons``: a comparison ``x.p op y.q`` right after the Expand that produced
  ``y`` is checked inside the expansion kernel, and when nobody reads ``y`` afterwards the
  expansion only counts passing edges per row.
"""

from __future__ import annotations

from ..binder.steps import MatchStep
from ..syntax import ast
from ..syntax.walk import free_variables
from ..values.kinds import kind_of_type
from .ops import Close, CountComponent, Expand, Filter, Fold, FusedComparison, Scan


def _uses(step) -> set[str]:
    if isinstance(step, Fold):
        return {step.anchor}
    if isinstance(step, Expand):
        return {step.from_var}
    if isinstance(step, Close):
        return {step.from_var, step.to_var}
    if isinstance(step, Filter):
        return free_variables(step.expr)
    return set()


def _produces(step) -> set[str]:
    if isinstance(step, Scan):
        return {step.node}
    if isinstance(step, Expand):
        return {step.to_var, step.rel.name}
    if isinstance(step, Close):
        return {step.rel.name}
    return set()


def input_columns(steps: list, keep: set[str]) -> list[set[str]]:
    """For each step, the frame columns worth carrying into it: those it reads plus those a
    later step or the clause's output reads. Dropping the rest before a step means its row
    gathers copy only live columns."""
    live = set(keep)
    out: list[set[str]] = []
    for step in reversed(steps):
        live = (live - _produces(step)) | _uses(step)
        out.append(set(live))
    out.reverse()
    return out


def annotate_columns(ops: list, keep: set[str]) -> None:
    """Set each operator's ``columns`` (carried in) and ``after`` (handed on)."""
    before = input_columns(ops, keep)
    after = [*before[1:], set(keep)] if ops else []
    for op, columns, later in zip(ops, before, after, strict=True):
        op.columns = columns
        op.after = later
        if isinstance(op, CountComponent):
            annotate_columns(op.steps, set())


def fuse_comparisons(ops: list, step: MatchStep, graph) -> None:
    """``x.p op y.q`` filtering right after the Expand that produced y is checked while
    expanding, for numeric or same-temporal properties (measured: 2-hop paths with
    ``a.age < c.age``, 58 M candidates, 1.3 s → 0.5 s). Marks the Expand ``fused`` (and
    ``counting`` when no later step reads what it produces) and the Filter ``fused``."""
    for i, op in enumerate(ops[:-1]):
        if not isinstance(op, Expand) or op.rel.hops is not None:
            continue
        for j in range(i + 1, len(ops)):
            later = ops[j]
            if not isinstance(later, Filter):
                break
            fused = _fusable(later.expr, op, step, graph)
            if fused is None:
                continue
            op.fused = fused
            later.fused = True
            if (
                op.to_var not in later.after
                and op.rel.name not in later.after
                and all(s is op or (isinstance(s, Filter) and s.fused) for s in ops[i : j + 1])
            ):
                op.counting = True
            break


COMPARE_CODES = {"=": 0, "<>": 1, "<": 2, "<=": 3, ">": 4, ">=": 5}
_FLIPPED = {"=": "=", "<>": "<>", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _fusable(expr, op: Expand, step: MatchStep, graph) -> FusedComparison | None:
    if not (isinstance(expr, ast.BinaryOp) and expr.op in COMPARE_CODES):
        return None
    for new, other, cmp in (
        (expr.right, expr.left, expr.op),
        (expr.left, expr.right, _FLIPPED[expr.op]),
    ):
        if not (
            _is_property_of(new, op.to_var)
            and isinstance(other, ast.Property)
            and isinstance(other.subject, ast.Variable)
        ):
            continue
        var = other.subject.name
        if var in (op.to_var, op.rel.name) or var not in step.nodes:
            continue
        kinds = set()
        for name, key in ((op.to_var, new.key), (var, other.key)):
            for table in step.nodes[name].tables:
                typ = graph.node_columns(table).get(key)
                if typ is None:
                    return None
                kinds.add(kind_of_type(typ))
        if kinds <= {"int", "float"} or kinds in ({"date"}, {"timestamp"}):
            return FusedComparison(COMPARE_CODES[cmp], other, new.key, frozenset(kinds))
    return None


def _is_property_of(expr, name: str) -> bool:
    return (
        isinstance(expr, ast.Property)
        and isinstance(expr.subject, ast.Variable)
        and expr.subject.name == name
    )
