"""The bound query: a list of steps (MATCH, UNWIND, WITH/RETURN) whose labels are resolved to
tables, whose variables are checked, and whose WHERE is split into per-variable filters."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..syntax import ast
from ..values.vectors import RelKey


@dataclass
class VarInfo:
    kind: str  # "node", "rel" or "value"
    tables: tuple[str, ...] = ()  # node tables, or rel table names
    element_tables: tuple[str, ...] | None = None  # a value that is a list of these nodes




@dataclass
class PatternNode:
    name: str
    tables: list[str]
    bound: bool  # bound by an earlier clause
    filters: list[ast.Expr] = field(default_factory=list)
    user_named: bool = True
    declared: list[str] = field(default_factory=list)  # tables by label, before pruning




@dataclass(frozen=True)
class Traversal:
    """One way to cross a rel pattern: a rel-table pair, possibly against its direction.
    Not flipped: the pattern's src is on the pair's FROM side."""

    key: RelKey
    flipped: bool

    @property
    def src_table(self) -> str:
        return self.key.to_table if self.flipped else self.key.from_table

    @property
    def dst_table(self) -> str:
        return self.key.from_table if self.flipped else self.key.to_table

    def direction_from(self, side: str) -> str:
        """The CSR to use when expanding from the pattern's ``side`` ("src" or "dst")."""
        forward = (side == "src") != self.flipped
        return "fwd" if forward else "bwd"

    def tables_from(self, side: str) -> tuple[str, str]:
        """(table on the pattern's ``side``, table on the other side)."""
        if side == "src":
            return self.src_table, self.dst_table
        return self.dst_table, self.src_table




@dataclass
class PatternRel:
    name: str
    src: str
    dst: str
    traversals: list[Traversal]
    hops: tuple[int, int] | None = None
    filters: list[ast.Expr] = field(default_factory=list)
    user_named: bool = True
    declared: list[str] = field(default_factory=list)  # rel tables by label, before pruning
    recursive: ast.RecursiveSpec | None = None  # SHORTEST, TRAIL, (r, n | WHERE …) (recursive.py)
    edge_filters: list[ast.Expr] = field(default_factory=list)  # -[e* {k: v}]-: on every hop
    left: str = ""  # the node written first: a path value is listed from it




@dataclass
class MatchStep:
    nodes: dict[str, PatternNode]
    rels: dict[str, PatternRel]
    predicates: list[ast.Expr]  # conjuncts over several pattern variables (or none)
    input_filters: list[ast.Expr]  # conjuncts over variables bound before this MATCH only
    needed: set[str]  # pattern variables that must be materialised
    keep: set[str]  # frame columns to keep after the MATCH
    # Node variables the next projection reads only inside sum/avg/count/min/max(var.prop):
    # var -> [(index of the aggregate in the projection, function, property)]. Such a
    # variable may be folded away, its aggregates computed per fold (see match_plan).
    fold_aggregates: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)
    plans: dict = field(default_factory=dict, repr=False)  # execution plans, by input columns
    optional: bool = False  # OPTIONAL MATCH: rows without a match are kept, with NULLs
    paths: dict = field(default_factory=dict)  # named path -> (node names, rel names)




@dataclass
class UnwindStep:
    expr: ast.Expr
    alias: str
    keep: set[str]
    node_tables: tuple[str, ...] | None = None  # unwinding a list of nodes: the alias is one




@dataclass
class ProjectStep:
    projection: ast.Projection  # star already expanded into items
    names: list[str]  # output column names
    where: ast.Expr | None
    is_return: bool
    aggregates: list[ast.FunctionCall]
    input_scope: dict[str, VarInfo]


Step = MatchStep | UnwindStep | ProjectStep
