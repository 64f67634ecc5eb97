"""Parser extensions: what Kùzu allows after ``*`` in a relationship pattern, join hints,
struct literals ``{a: 1, b: 'x'}`` and ``n.*``.

    -[e:T* [ALL] SHORTEST | [ALL] WSHORTEST(w) | TRAIL | ACYCLIC  1..3
          (r, n | WHERE <predicate> | {r.a, r.b}, {n.c})]->
    MATCH … HINT (a JOIN r) JOIN b

The parser calls these with itself; they use its token helpers only.
"""

from __future__ import annotations

from ...errors import QueryError
from . import ast

_MODES = ("SHORTEST", "WSHORTEST", "TRAIL", "ACYCLIC")


def recursive_detail(p) -> tuple[tuple[int, int], ast.RecursiveSpec | None]:
    """After the ``*``: the hop range and the rest (None when nothing but a range)."""
    kind = "walk"
    weight = None
    if p.tok.is_keyword("ALL") and p.peek().is_keyword("SHORTEST", "WSHORTEST"):
        p.advance()
        kind = "all_"
    else:
        kind = ""
    if p.tok.is_keyword(*_MODES):
        word = p.advance().text.lower()
        kind += word
        if word == "wshortest":
            p.expect_symbol("(")
            weight = p.any_name("a weight property")
            p.expect_symbol(")")
    else:
        kind = "walk"
    length = p.hop_range()
    if kind in ("shortest", "all_shortest") and length[0] != 1:
        raise p.error("a lower bound of 1 (shortest paths start at one hop)")
    rel_var = node_var = where = rel_items = node_items = None
    if p.tok.is_symbol("("):
        p.advance()
        rel_var = p.name("a relationship variable")
        p.expect_symbol(",")
        node_var = p.name("a node variable")
        if p.accept_symbol("|"):
            if p.accept_keyword("WHERE"):
                where = p.expression()
                if p.accept_symbol("|"):
                    rel_items, node_items = _projection_lists(p)
            else:
                rel_items, node_items = _projection_lists(p)
        p.expect_symbol(")")
    if kind == "walk" and rel_var is None:
        return length, None
    spec = ast.RecursiveSpec(kind, weight, rel_var, node_var, where, rel_items, node_items)
    return length, spec


def _projection_lists(p) -> tuple[tuple[ast.Expr, ...], tuple[ast.Expr, ...]]:
    rels = _braced(p)
    p.expect_symbol(",")
    return rels, _braced(p)


def _braced(p) -> tuple[ast.Expr, ...]:
    p.expect_symbol("{")
    items: list[ast.Expr] = []
    if not p.tok.is_symbol("}"):
        items.append(p.expression())
        while p.accept_symbol(","):
            items.append(p.expression())
    p.expect_symbol("}")
    return tuple(items)


def skip_hint(p) -> None:
    """``HINT <join tree>``: a join order for Kùzu's planner. ruzu plans its own order, which
    gives the same rows, so the tree is checked for balanced parentheses and dropped."""
    depth = 0
    operand = True
    while True:
        if operand:
            if p.accept_symbol("("):
                depth += 1
                continue
            p.any_name("a variable in the join hint")
            operand = False
        elif depth and p.accept_symbol(")"):
            depth -= 1
        elif p.accept_keyword("JOIN", "MULTI_JOIN"):
            operand = True
        elif depth:
            raise p.error("')' to close the join hint")
        else:
            return


def struct_literal(p) -> ast.Expr:
    """``{name: expr, …}`` as a call of ``__struct__`` with alternating names and values."""
    start = p.expect_symbol("{").offset
    args: list[ast.Expr] = []
    if not p.tok.is_symbol("}"):
        while True:
            tok = p.tok
            args.append(ast.Literal(p.any_name("a field name"), offset=tok.offset))
            p.expect_symbol(":")
            args.append(p.expression())
            if not p.accept_symbol(","):
                break
    p.expect_symbol("}")
    return ast.FunctionCall("__struct__", tuple(args), offset=start)


def star_or_name(p) -> str:
    """After ``x.``: a property name, or ``*`` (every property: ``RETURN n.*``)."""
    if p.accept_symbol("*"):
        return "*"
    return p.any_name("a property name")


def pattern_predicate(p) -> ast.Expr | None:
    """``WHERE (a)-[:T]->(b)``: a pattern used as a condition is ``EXISTS { MATCH … }``.
    None (and nothing consumed) when the parenthesis does not start a pattern with a rel."""
    start = p.i
    try:
        path = p.path_pattern()
    except QueryError:
        p.i = start
        return None
    if not path.rels:
        p.i = start
        return None
    return ast.Subquery("exists", (path,), offset=path.offset)
