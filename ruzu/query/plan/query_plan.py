"""The plan of a whole read query: one part per bound step, and the decisions that concern the
whole query (first-rows mode, which MATCH prefix may run on threads). Plain data, printed by
``plan.explain``; the operators in ``exec`` run it."""

from __future__ import annotations

from dataclasses import dataclass

from ..binder.steps import MatchStep, ProjectStep, Step, UnwindStep
from .match_plan import plan_match
from .ops import Close, Expand, Scan


@dataclass
class MatchPart:
    step: MatchStep
    input_vars: frozenset[str]  # columns the frames arriving at this MATCH carry
    ops: list  # plan.ops operators, in execution order
    first_rows: bool = False  # the root scan starts with small blocks (see QueryPlan)


@dataclass
class UnwindPart:
    step: UnwindStep


@dataclass
class ProjectPart:
    step: ProjectStep


Part = MatchPart | UnwindPart | ProjectPart


@dataclass
class QueryPlan:
    parts: list[Part]
    # MATCH … RETURN … LIMIT n without ORDER BY, DISTINCT or aggregates: the first n rows
    # found will do, so the first MATCH's scan starts small and grows.
    first_rows: bool
    # Index of the aggregating projection whose leading MATCH parts may run on worker
    # threads (the driver still checks the machine and the size of the root table), or None.
    parallel: int | None


def match_part(step: MatchStep, graph, input_vars, first_rows: bool = False) -> MatchPart:
    """The planned operators of one MATCH given the columns its input carries (cached on the
    bound step: a subquery's MATCH is planned once per shape of its input)."""
    key = frozenset(input_vars)
    ops = step.plans.get(key)
    if ops is None:
        ops = step.plans[key] = plan_match(step, graph, set(key))
    return MatchPart(step, key, ops, first_rows)


def plan_query(graph, steps: list[Step]) -> QueryPlan:
    first_rows = _wants_first_rows(steps)
    parts: list[Part] = []
    available: set[str] = set()
    for i, step in enumerate(steps):
        if isinstance(step, MatchStep):
            parts.append(match_part(step, graph, available, first_rows and i == 0))
            available = set(step.keep)
        elif isinstance(step, UnwindStep):
            parts.append(UnwindPart(step))
            available = set(step.keep) | {step.alias}
        else:
            parts.append(ProjectPart(step))
            available = set(step.names)
    return QueryPlan(parts, first_rows, _parallel_projection(parts))


def _wants_first_rows(steps: list[Step]) -> bool:
    last = steps[-1] if steps else None
    return (
        isinstance(last, ProjectStep)
        and last.projection.limit is not None
        and not last.projection.order_by
        and not last.projection.distinct
        and not last.aggregates
        and all(isinstance(s, MatchStep) for s in steps[:-1])
    )


def _parallel_projection(parts: list[Part]) -> int | None:
    """MATCH parts (no OPTIONAL, no named paths) feeding an aggregating projection, the first
    starting with a scan, and some expansion to share out: the prefix may run on threads."""
    prefix: list[MatchPart] = []
    for part in parts:
        if isinstance(part, MatchPart):
            if part.step.optional or part.step.paths:
                return None
            prefix.append(part)
            continue
        if not (isinstance(part, ProjectPart) and part.step.aggregates and prefix):
            return None
        break
    else:
        return None
    if any(p.step.optional or p.step.paths for p in parts if isinstance(p, MatchPart)):
        return None
    first = prefix[0].ops
    if not first or not isinstance(first[0], Scan):
        return None
    if not any(isinstance(op, Expand | Close) for p in prefix for op in p.ops):
        return None
    return len(prefix)

