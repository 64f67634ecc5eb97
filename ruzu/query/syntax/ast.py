"""The syntax tree the parser produces: plain frozen dataclasses, compared by value.

Every node carries ``offset`` (character offset in the query, excluded from equality) so the
binder can point at the place an unknown name was used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# ---------------------------------------------------------------------------- expressions


@dataclass(frozen=True)
class Expr:
    pass


def _pos() -> Any:
    return field(default=-1, compare=False, repr=False)


@dataclass(frozen=True)
class Literal(Expr):
    value: Any  # int, float, str, bool or None
    offset: int = _pos()


@dataclass(frozen=True)
class Parameter(Expr):
    name: str
    offset: int = _pos()


@dataclass(frozen=True)
class Variable(Expr):
    name: str
    offset: int = _pos()


@dataclass(frozen=True)
class Property(Expr):
    subject: Expr
    key: str
    offset: int = _pos()


@dataclass(frozen=True)
class ListLiteral(Expr):
    items: tuple[Expr, ...]
    offset: int = _pos()


@dataclass(frozen=True)
class FunctionCall(Expr):
    name: str  # lower-cased
    args: tuple[Expr, ...]
    distinct: bool = False
    star: bool = False  # count(*)
    offset: int = _pos()


@dataclass(frozen=True)
class BinaryOp(Expr):
    """op is one of + - * / % ^ = <> < <= > >= AND OR XOR IN STARTS_WITH ENDS_WITH CONTAINS."""

    op: str
    left: Expr
    right: Expr
    offset: int = _pos()


@dataclass(frozen=True)
class UnaryOp(Expr):
    op: str  # NOT, -, +
    operand: Expr
    offset: int = _pos()


@dataclass(frozen=True)
class IsNull(Expr):
    operand: Expr
    negated: bool = False  # IS NOT NULL
    offset: int = _pos()


@dataclass(frozen=True)
class Case(Expr):
    operand: Expr | None  # CASE x WHEN v THEN ... (None for the searched form)
    whens: tuple[tuple[Expr, Expr], ...]
    default: Expr | None
    offset: int = _pos()


@dataclass(frozen=True)
class Subscript(Expr):
    subject: Expr
    index: Expr
    offset: int = _pos()


@dataclass(frozen=True)
class Subquery(Expr):
    """EXISTS { MATCH … [WHERE …] } or COUNT { … }. ``outer``: the variables of the enclosing
    query it uses, filled in by the binder (the parser cannot tell them from new ones)."""

    kind: str  # "exists" or "count"
    patterns: tuple[PathPattern, ...]
    where: Expr | None = None
    outer: tuple[str, ...] = ()
    offset: int = _pos()


def children(expr: Expr):
    """The direct sub-expressions of an expression."""
    if isinstance(expr, Property):
        yield expr.subject
    elif isinstance(expr, BinaryOp):
        yield expr.left
        yield expr.right
    elif isinstance(expr, UnaryOp | IsNull):
        yield expr.operand
    elif isinstance(expr, FunctionCall):
        yield from expr.args
    elif isinstance(expr, ListLiteral):
        yield from expr.items
    elif isinstance(expr, Case):
        if expr.operand is not None:
            yield expr.operand
        for c, v in expr.whens:
            yield c
            yield v
        if expr.default is not None:
            yield expr.default
    elif isinstance(expr, Subscript):
        yield expr.subject
        yield expr.index
    elif isinstance(expr, Subquery):
        for name in expr.outer:
            yield Variable(name)


# ---------------------------------------------------------------------------- patterns


@dataclass(frozen=True)
class NodePattern:
    variable: str | None
    labels: tuple[str, ...] = ()
    properties: tuple[tuple[str, Expr], ...] = ()
    offset: int = _pos()


@dataclass(frozen=True)
class RelPattern:
    variable: str | None
    labels: tuple[str, ...] = ()
    properties: tuple[tuple[str, Expr], ...] = ()
    direction: str = "out"  # "out" (->), "in" (<-), "both" (-)
    length: tuple[int, int] | None = None  # (min, max) hops for variable-length rels
    offset: int = _pos()
    recursive: RecursiveSpec | None = None  # SHORTEST, TRAIL, (r, n | WHERE …), … if given


@dataclass(frozen=True)
class RecursiveSpec:
    """What follows ``*`` in a variable-length rel besides the hop range:
    ``* [ALL] SHORTEST | [ALL] WSHORTEST(w) | TRAIL | ACYCLIC`` and the recursive comprehension
    ``(r, n | WHERE … | {r.a, …}, {n.b, …})``. ``rel_items``/``node_items`` None: every property."""

    kind: str = "walk"  # walk trail acyclic shortest all_shortest wshortest all_wshortest
    weight: str | None = None  # the rel property WSHORTEST sums
    rel_var: str | None = None
    node_var: str | None = None
    where: Expr | None = None
    rel_items: tuple[Expr, ...] | None = None
    node_items: tuple[Expr, ...] | None = None


@dataclass(frozen=True)
class PathPattern:
    """Alternating nodes and rels: nodes[i] -rels[i]- nodes[i+1]."""

    nodes: tuple[NodePattern, ...]
    rels: tuple[RelPattern, ...] = ()
    offset: int = _pos()
    variable: str | None = None  # p in MATCH p = (a)-[e]->(b)


# ---------------------------------------------------------------------------- clauses


@dataclass(frozen=True)
class ProjectionItem:
    expr: Expr
    alias: str | None
    text: str = field(default="", compare=False)  # source text, for naming the column


@dataclass(frozen=True)
class SortItem:
    expr: Expr
    descending: bool = False


@dataclass(frozen=True)
class Projection:
    items: tuple[ProjectionItem, ...]
    distinct: bool = False
    star: bool = False  # RETURN * / WITH *
    order_by: tuple[SortItem, ...] = ()
    skip: Expr | None = None
    limit: Expr | None = None


@dataclass(frozen=True)
class Clause:
    pass


@dataclass(frozen=True)
class Match(Clause):
    patterns: tuple[PathPattern, ...]
    where: Expr | None = None
    optional: bool = False
    offset: int = _pos()


@dataclass(frozen=True)
class Unwind(Clause):
    expr: Expr
    alias: str
    offset: int = _pos()


@dataclass(frozen=True)
class With(Clause):
    projection: Projection
    where: Expr | None = None
    offset: int = _pos()


@dataclass(frozen=True)
class Return(Clause):
    projection: Projection
    offset: int = _pos()


# ---------------------------------------------------------------------------- statements


@dataclass(frozen=True)
class Statement:
    pass


@dataclass(frozen=True)
class Query(Statement):
    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class Explain(Statement):
    """EXPLAIN <statement>: the plan of a read query, as text, instead of its rows."""

    statement: Statement


@dataclass(frozen=True)
class Union(Statement):
    """q1 UNION [ALL] q2 …: ``all_flags[i]`` says whether the i-th UNION keeps duplicates."""

    queries: tuple[Query, ...]
    all_flags: tuple[bool, ...]


@dataclass(frozen=True)
class CreateNodeTable(Statement):
    name: str
    columns: tuple[tuple[str, str], ...]
    primary_key: str
    if_not_exists: bool = False


@dataclass(frozen=True)
class CreateRelTable(Statement):
    name: str
    pairs: tuple[tuple[str, str], ...]
    columns: tuple[tuple[str, str], ...]
    if_not_exists: bool = False


@dataclass(frozen=True)
class DropTable(Statement):
    name: str
    if_exists: bool = False


@dataclass(frozen=True)
class Copy(Statement):
    table: str
    path: str | tuple[str, ...]  # a file (or glob), or a list of them
    options: tuple[tuple[str, Any], ...] = ()  # (lower-cased name, value)
    columns: tuple[str, ...] | None = None  # COPY T(a, b): the columns the file holds
    source: str | None = None  # COPY T FROM df: a DataFrame/Arrow table in the caller's scope


@dataclass(frozen=True)
class CopyTo(Statement):
    query: Any  # the Query (or Union) whose result is written
    text: str  # its source text
    path: str
    options: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Call(Statement):
    procedure: str  # lower-cased
    args: tuple[Expr, ...]
    projection: Projection | None = None


# ---------------------------------------------------------------------------- write clauses


@dataclass(frozen=True)
class Create(Clause):
    """CREATE (n:L {…}), (a)-[:R {…}]->(b), …"""

    patterns: tuple[PathPattern, ...]
    offset: int = _pos()


@dataclass(frozen=True)
class SetItem:
    """``n.p = expr`` (a property of a bound variable)."""

    variable: str
    key: str
    value: Expr


@dataclass(frozen=True)
class Merge(Clause):
    """MERGE <pattern>[, …] [ON CREATE SET …] [ON MATCH SET …]: the patterns are matched
    as one; where they do not all match, all are created."""

    patterns: tuple[PathPattern, ...]
    on_create: tuple[SetItem, ...] = ()
    on_match: tuple[SetItem, ...] = ()
    offset: int = _pos()


@dataclass(frozen=True)
class SetClause(Clause):
    items: tuple[SetItem, ...]
    offset: int = _pos()


@dataclass(frozen=True)
class Delete(Clause):
    """DELETE a, b / DETACH DELETE a."""

    expressions: tuple[Expr, ...]
    detach: bool = False
    offset: int = _pos()


WRITE_CLAUSES = (Create, Merge, SetClause, Delete)


def is_write(stmt) -> bool:
    """A query with CREATE, MERGE, SET or DELETE clauses."""
    return isinstance(stmt, Query) and any(isinstance(c, WRITE_CLAUSES) for c in stmt.clauses)
