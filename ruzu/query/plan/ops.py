"""The operators of a MATCH plan, as plain data: what to scan, fold, expand, close and filter,
and which frame columns each step carries (filled in by ``plan.rewrite``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..binder.steps import PatternRel
from ..syntax import ast


@dataclass
class FoldTree:
    """The subtree hanging off a materialised node: ``rel`` leads from the parent to ``node``."""

    node: str
    rel: PatternRel
    parent_side: str  # "src" or "dst": the side of ``rel`` the parent is on
    children: list[FoldTree] = field(default_factory=list)


@dataclass
class Op:
    """One step of a MATCH plan. ``columns``: the frame columns worth carrying into it (those
    it or a later step reads); ``after``: those worth keeping in its output."""

    columns: set[str] = field(default_factory=set, kw_only=True, repr=False, compare=False)
    after: set[str] = field(default_factory=set, kw_only=True, repr=False, compare=False)


@dataclass
class Scan(Op):
    node: str


@dataclass(frozen=True)
class FoldAggregate:
    """An aggregate of the next projection computed inside a fold: ``func(var.key)`` is
    summed (or minimised) over the folded matches, per row, into ``#fold:{index}:…`` columns."""

    index: int
    func: str
    var: str
    key: str


@dataclass
class Fold(Op):
    anchor: str
    tree: FoldTree
    aggregates: list[FoldAggregate] = field(default_factory=list)


@dataclass(frozen=True)
class FusedComparison:
    """``other <op> to_var.key`` checked while expanding to ``to_var`` (see plan.rewrite)."""

    code: int  # _kernels' comparison code: = <> < <= > >=
    other: ast.Expr  # the side read from the frame rows
    key: str  # the property of the new node
    kinds: frozenset[str]  # vector kinds of both sides


@dataclass
class Expand(Op):
    rel: PatternRel
    from_var: str
    to_var: str
    keep_rel: bool
    fused: FusedComparison | None = None  # a comparison filtering the new rows, fused in
    counting: bool = False  # nobody reads the new node: count the passing edges per row


@dataclass
class Close(Op):
    rel: PatternRel
    from_var: str
    to_var: str
    keep_rel: bool


@dataclass
class Filter(Op):
    expr: ast.Expr
    fused: bool = False  # answered by the Expand before it


@dataclass
class CountComponent(Op):
    """A component nobody needs: multiply the weights by its number of matches."""

    steps: list


ExecStep = Scan | Fold | Expand | Close | Filter | CountComponent
