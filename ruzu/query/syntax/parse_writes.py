"""Parser extension: the write clauses CREATE, MERGE (ON CREATE SET / ON MATCH SET), SET,
DELETE and DETACH DELETE. REMOVE is refused with a message naming it. The parser calls these
with itself; they use its token helpers only."""

from __future__ import annotations

from . import ast
from .lexer import syntax_error


def write_clause(p) -> ast.Clause:
    tok = p.tok
    if tok.is_keyword("CREATE"):
        p.advance()
        patterns = [p.path_pattern()]
        while p.accept_symbol(","):
            patterns.append(p.path_pattern())
        return ast.Create(tuple(patterns), offset=tok.offset)
    if tok.is_keyword("MERGE"):
        p.advance()
        patterns = [p.path_pattern()]
        while p.accept_symbol(","):
            patterns.append(p.path_pattern())
        on_create: list[ast.SetItem] = []
        on_match: list[ast.SetItem] = []
        while p.tok.is_keyword("ON"):
            p.advance()
            which = on_create if p.accept_keyword("CREATE") else None
            if which is None:
                p.expect_keyword("MATCH")
                which = on_match
            p.expect_keyword("SET")
            which.extend(_set_items(p))
        return ast.Merge(tuple(patterns), tuple(on_create), tuple(on_match), offset=tok.offset)
    if tok.is_keyword("SET"):
        p.advance()
        return ast.SetClause(tuple(_set_items(p)), offset=tok.offset)
    if tok.is_keyword("DETACH", "DELETE"):
        detach = bool(p.accept_keyword("DETACH"))
        p.expect_keyword("DELETE")
        exprs = [p.expression()]
        while p.accept_symbol(","):
            exprs.append(p.expression())
        return ast.Delete(tuple(exprs), detach, offset=tok.offset)
    raise syntax_error(p.query, tok.offset, f"{tok.text.upper()} is not supported")


def _set_items(p) -> list[ast.SetItem]:
    items = []
    while True:
        start = p.tok
        target = p.postfix()
        if not isinstance(target, ast.Property) or not isinstance(target.subject, ast.Variable):
            raise syntax_error(p.query, start.offset,
                               "SET expects a property of a variable (n.p = value)")
        p.expect_symbol("=")
        items.append(ast.SetItem(target.subject.name, target.key, p.expression()))
        if not p.accept_symbol(","):
            return items
