"""Recursive-descent parser for ruzu's Cypher subset (read queries, DDL, COPY, CALL).

``parse(query)`` returns an ``ast.Statement``; a syntax error is a ``QueryError`` naming the line,
the column and the offending token.
"""

from __future__ import annotations

import functools

from . import ast
from .lexer import Kind, Token, c_unescape, syntax_error, tokenize
from .parse_extras import (
    pattern_predicate,
    recursive_detail,
    skip_hint,
    star_or_name,
    struct_literal,
)
from .parse_writes import write_clause

# Words that cannot be used where an expression or a name is expected.
RESERVED = frozenset(
    """
    MATCH OPTIONAL WHERE WITH RETURN ORDER BY SKIP LIMIT AND OR XOR NOT AS DISTINCT UNWIND IN
    STARTS ENDS CONTAINS IS NULL TRUE FALSE CASE WHEN THEN ELSE END CREATE DROP COPY CALL ASC
    DESC ASCENDING DESCENDING UNION MERGE DELETE DETACH SET REMOVE FROM TO
    """.split()
)
_WRITE_CLAUSES = ("CREATE", "MERGE", "DELETE", "DETACH", "SET", "REMOVE")
_COMPARISONS = ("=", "<>", "!=", "<", "<=", ">", ">=")
_DEFAULT_MAX_HOPS = 30  # Kùzu's upper bound for '*' without one


def parse(query: str) -> ast.Statement:
    """Parse one statement (an optional trailing ';' is allowed)."""
    if not isinstance(query, str):
        raise TypeError(f"query must be a str, not {type(query).__name__}")
    return _parse_cached(query)


@functools.lru_cache(maxsize=256)
def _parse_cached(query: str) -> ast.Statement:
    # Syntax trees are immutable, so a query run again (with new parameters) is not re-parsed.
    return _Parser(query).statement()


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = tokenize(query)
        self.i = 0

    # ------------------------------------------------------------------ token helpers

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, k: int = 1) -> Token:
        return self.tokens[min(self.i + k, len(self.tokens) - 1)]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        if tok.kind is not Kind.EOF:
            self.i += 1
        return tok

    def error(self, expected: str, tok: Token | None = None):
        tok = tok or self.tok
        return syntax_error(
            self.query, tok.offset, f"unexpected {tok.describe()}, expected {expected}"
        )

    def accept_keyword(self, *words: str) -> Token | None:
        if self.tok.is_keyword(*words):
            return self.advance()
        return None

    def expect_keyword(self, word: str) -> Token:
        if not self.tok.is_keyword(word):
            raise self.error(word)
        return self.advance()

    def accept_symbol(self, *symbols: str) -> Token | None:
        if self.tok.is_symbol(*symbols):
            return self.advance()
        return None

    def expect_symbol(self, symbol: str) -> Token:
        if not self.tok.is_symbol(symbol):
            raise self.error(f"'{symbol}'")
        return self.advance()

    def name(self, what: str = "a name") -> str:
        """An identifier (unreserved) or a backtick-quoted one."""
        tok = self.tok
        if tok.kind is Kind.QUOTED_IDENT:
            self.advance()
            return tok.text
        if tok.kind is Kind.IDENT and tok.text.upper() not in RESERVED:
            self.advance()
            return tok.text
        raise self.error(what)

    def any_name(self, what: str = "a name") -> str:
        """An identifier where keywords are allowed too (property keys, option names)."""
        tok = self.tok
        if tok.kind in (Kind.IDENT, Kind.QUOTED_IDENT):
            self.advance()
            return tok.text
        raise self.error(what)

    def integer(self, what: str = "an integer") -> int:
        if self.tok.kind is not Kind.INTEGER:
            raise self.error(what)
        return int(self.advance().text)

    def finish(self) -> None:
        self.accept_symbol(";")
        if self.tok.kind is not Kind.EOF:
            raise self.error("end of input")

    # ------------------------------------------------------------------ statements

    def statement(self) -> ast.Statement:
        tok = self.tok
        if tok.kind is Kind.EOF:
            raise self.error("a statement")
        if tok.is_keyword("EXPLAIN"):
            self.advance()
            return ast.Explain(self.statement())
        if tok.is_keyword("CREATE") and self.peek().is_keyword("NODE", "REL"):
            stmt = self.create_table()
        elif tok.is_keyword("DROP"):
            stmt = self.drop_table()
        elif tok.is_keyword("COPY"):
            stmt = self.copy()
        elif tok.is_keyword("CALL"):
            stmt = self.call()
        else:
            stmt = self.read_query()
            if self.tok.is_keyword("UNION"):
                stmt = self.union(stmt)
        self.finish()
        return stmt

    def union(self, first: ast.Query) -> ast.Union:
        queries, flags = [first], []
        while self.accept_keyword("UNION"):
            flags.append(bool(self.accept_keyword("ALL")))
            queries.append(self.read_query())
        return ast.Union(tuple(queries), tuple(flags))

    def read_query(self) -> ast.Query:
        clauses: list[ast.Clause] = []
        while True:
            tok = self.tok
            if tok.is_keyword("MATCH", "OPTIONAL"):
                clauses.append(self.match())
            elif tok.is_keyword("UNWIND"):
                clauses.append(self.unwind())
            elif tok.is_keyword("WITH"):
                clauses.append(self.with_clause())
            elif tok.is_keyword("RETURN"):
                clauses.append(self.return_clause())
                return ast.Query(tuple(clauses))
            elif tok.is_keyword(*_WRITE_CLAUSES):
                clauses.append(write_clause(self))
            elif clauses and (tok.kind is Kind.EOF or tok.is_symbol(";")) and any(
                    isinstance(c, ast.WRITE_CLAUSES) for c in clauses):
                return ast.Query(tuple(clauses))  # CREATE … without RETURN
            else:
                expected = "MATCH, UNWIND, WITH or RETURN" if clauses else "a statement"
                raise self.error(expected)

    def match(self) -> ast.Match:
        start = self.tok.offset
        optional = bool(self.accept_keyword("OPTIONAL"))
        self.expect_keyword("MATCH")
        patterns = [self.path_pattern()]
        while self.accept_symbol(","):
            patterns.append(self.path_pattern())
        where = self.expression() if self.accept_keyword("WHERE") else None
        if self.accept_keyword("HINT"):
            skip_hint(self)
        return ast.Match(tuple(patterns), where, optional, offset=start)

    def unwind(self) -> ast.Unwind:
        start = self.expect_keyword("UNWIND").offset
        expr = self.expression()
        self.expect_keyword("AS")
        return ast.Unwind(expr, self.name("a variable name"), offset=start)

    def with_clause(self) -> ast.With:
        start = self.expect_keyword("WITH").offset
        projection = self.projection()
        where = self.expression() if self.accept_keyword("WHERE") else None
        return ast.With(projection, where, offset=start)

    def return_clause(self) -> ast.Return:
        start = self.expect_keyword("RETURN").offset
        return ast.Return(self.projection(), offset=start)

    def projection(self) -> ast.Projection:
        distinct = bool(self.accept_keyword("DISTINCT"))
        star = False
        items: list[ast.ProjectionItem] = []
        if self.accept_symbol("*"):
            star = True
            if self.accept_symbol(","):
                items = self.projection_items()
        else:
            items = self.projection_items()
        order_by: list[ast.SortItem] = []
        if self.accept_keyword("ORDER"):
            self.expect_keyword("BY")
            while True:
                expr = self.expression()
                descending = False
                if self.accept_keyword("DESC", "DESCENDING"):
                    descending = True
                else:
                    self.accept_keyword("ASC", "ASCENDING")
                order_by.append(ast.SortItem(expr, descending))
                if not self.accept_symbol(","):
                    break
        skip = self.expression() if self.accept_keyword("SKIP") else None
        limit = self.expression() if self.accept_keyword("LIMIT") else None
        return ast.Projection(tuple(items), distinct, star, tuple(order_by), skip, limit)

    def projection_items(self) -> list[ast.ProjectionItem]:
        items = []
        while True:
            start = self.tok.offset
            expr = self.expression()
            text = self.query[start : self.tokens[self.i - 1].end]
            alias = self.name("an alias") if self.accept_keyword("AS") else None
            items.append(ast.ProjectionItem(expr, alias, text))
            if not self.accept_symbol(","):
                return items

    # ------------------------------------------------------------------ patterns

    def path_pattern(self) -> ast.PathPattern:
        start = self.tok.offset
        variable = None
        if self.tok.kind in (Kind.IDENT, Kind.QUOTED_IDENT) and self.peek().is_symbol("="):
            variable = self.name("a path name")
            self.expect_symbol("=")
        nodes = [self.node_pattern()]
        rels = []
        while self.tok.is_symbol("-", "<"):
            rels.append(self.rel_pattern())
            nodes.append(self.node_pattern())
        return ast.PathPattern(tuple(nodes), tuple(rels), offset=start, variable=variable)

    def node_pattern(self) -> ast.NodePattern:
        start = self.expect_symbol("(").offset
        variable = None
        if self.tok.kind is Kind.QUOTED_IDENT or (
            self.tok.kind is Kind.IDENT and self.tok.text.upper() not in RESERVED
        ):
            variable = self.name()
        labels = self.labels()
        properties = self.property_map() if self.tok.is_symbol("{") else ()
        if not self.tok.is_symbol(")"):
            raise self.error("')' to close the node pattern")
        self.advance()
        return ast.NodePattern(variable, labels, properties, offset=start)

    def labels(self) -> tuple[str, ...]:
        labels: list[str] = []
        if self.accept_symbol(":"):
            labels.append(self.any_name("a label"))
            while self.accept_symbol("|", ":"):
                self.accept_symbol(":")
                labels.append(self.any_name("a label"))
        return tuple(labels)

    def property_map(self) -> tuple[tuple[str, ast.Expr], ...]:
        self.expect_symbol("{")
        entries: list[tuple[str, ast.Expr]] = []
        if not self.tok.is_symbol("}"):
            while True:
                key = self.any_name("a property name")
                self.expect_symbol(":")
                entries.append((key, self.expression()))
                if not self.accept_symbol(","):
                    break
        self.expect_symbol("}")
        return tuple(entries)

    def rel_pattern(self) -> ast.RelPattern:
        start = self.tok.offset
        left_arrow = bool(self.accept_symbol("<"))
        self.expect_symbol("-")
        variable = None
        labels: tuple[str, ...] = ()
        properties: tuple[tuple[str, ast.Expr], ...] = ()
        length = recursive = None
        if self.accept_symbol("["):
            if self.tok.kind is Kind.QUOTED_IDENT or (
                self.tok.kind is Kind.IDENT and self.tok.text.upper() not in RESERVED
            ):
                variable = self.name()
            labels = self.labels()
            if self.accept_symbol("*"):
                length, recursive = recursive_detail(self)
            if self.tok.is_symbol("{"):
                properties = self.property_map()
            if not self.tok.is_symbol("]"):
                raise self.error("']' to close the relationship pattern")
            self.advance()
        self.expect_symbol("-")
        right_arrow = bool(self.accept_symbol(">"))
        if left_arrow and not right_arrow:
            direction = "in"
        elif right_arrow and not left_arrow:
            direction = "out"
        else:
            direction = "both"
        return ast.RelPattern(
            variable, labels, properties, direction, length, offset=start, recursive=recursive
        )

    def hop_range(self) -> tuple[int, int]:
        tok = self.tok
        low: int | None = None
        high: int | None = None
        if self.tok.kind is Kind.INTEGER:
            low = self.integer()
            if self.accept_symbol(".."):
                if self.tok.kind is Kind.INTEGER:
                    high = self.integer()
            else:
                high = low  # '*2' means exactly two hops
        elif self.accept_symbol(".."):
            high = self.integer("the maximum number of hops")
        elif self.tok.kind is Kind.FLOAT:
            raise self.error("a hop range like 1..3")
        low = 1 if low is None else low
        high = _DEFAULT_MAX_HOPS if high is None else high
        if high < low:
            raise syntax_error(
                self.query,
                tok.offset,
                f"hop range {low}..{high}: the upper bound is below the lower",
            )
        return low, high

    # ------------------------------------------------------------------ expressions

    def expression(self) -> ast.Expr:
        return self.or_expr()

    def or_expr(self) -> ast.Expr:
        left = self.xor_expr()
        while tok := self.accept_keyword("OR"):
            left = ast.BinaryOp("OR", left, self.xor_expr(), offset=tok.offset)
        return left

    def xor_expr(self) -> ast.Expr:
        left = self.and_expr()
        while tok := self.accept_keyword("XOR"):
            left = ast.BinaryOp("XOR", left, self.and_expr(), offset=tok.offset)
        return left

    def and_expr(self) -> ast.Expr:
        left = self.not_expr()
        while tok := self.accept_keyword("AND"):
            left = ast.BinaryOp("AND", left, self.not_expr(), offset=tok.offset)
        return left

    def not_expr(self) -> ast.Expr:
        if tok := self.accept_keyword("NOT"):
            return ast.UnaryOp("NOT", self.not_expr(), offset=tok.offset)
        return self.comparison()

    def comparison(self) -> ast.Expr:
        left = self.predicate()
        while self.tok.is_symbol(*_COMPARISONS):
            tok = self.advance()
            op = "<>" if tok.text == "!=" else tok.text
            left = ast.BinaryOp(op, left, self.predicate(), offset=tok.offset)
        return left

    def predicate(self) -> ast.Expr:
        left = self.additive()
        while True:
            tok = self.tok
            if tok.is_keyword("IS"):
                self.advance()
                negated = bool(self.accept_keyword("NOT"))
                self.expect_keyword("NULL")
                left = ast.IsNull(left, negated, offset=tok.offset)
            elif tok.is_keyword("IN"):
                self.advance()
                left = ast.BinaryOp("IN", left, self.additive(), offset=tok.offset)
            elif tok.is_keyword("STARTS", "ENDS"):
                self.advance()
                self.expect_keyword("WITH")
                op = "STARTS_WITH" if tok.is_keyword("STARTS") else "ENDS_WITH"
                left = ast.BinaryOp(op, left, self.additive(), offset=tok.offset)
            elif tok.is_keyword("CONTAINS"):
                self.advance()
                left = ast.BinaryOp("CONTAINS", left, self.additive(), offset=tok.offset)
            elif tok.is_symbol("=~"):
                self.advance()
                left = ast.BinaryOp("=~", left, self.additive(), offset=tok.offset)
            else:
                return left

    def additive(self) -> ast.Expr:
        left = self.multiplicative()
        while self.tok.is_symbol("+", "-"):
            tok = self.advance()
            left = ast.BinaryOp(tok.text, left, self.multiplicative(), offset=tok.offset)
        return left

    def multiplicative(self) -> ast.Expr:
        left = self.power()
        while self.tok.is_symbol("*", "/", "%"):
            tok = self.advance()
            left = ast.BinaryOp(tok.text, left, self.power(), offset=tok.offset)
        return left

    def power(self) -> ast.Expr:
        left = self.unary()
        while tok := self.accept_symbol("^"):
            left = ast.BinaryOp("^", left, self.unary(), offset=tok.offset)
        return left

    def unary(self) -> ast.Expr:
        if tok := self.accept_symbol("-", "+"):
            operand = self.unary()
            if tok.text == "+":
                return operand
            if isinstance(operand, ast.Literal) and type(operand.value) in (int, float):
                return ast.Literal(-operand.value, offset=tok.offset)
            return ast.UnaryOp("-", operand, offset=tok.offset)
        return self.postfix()

    def postfix(self) -> ast.Expr:
        start = self.tok.offset
        expr = self.atom()
        while True:
            if self.tok.is_symbol("."):
                self.advance()
                expr = ast.Property(expr, star_or_name(self), offset=start)
            elif self.tok.is_symbol("["):
                tok = self.advance()
                index = None if self.tok.is_symbol(":") else self.expression()
                if self.tok.is_symbol(":"):  # l[a:b], l[:b], l[a:] (functions.nested.list_slice)
                    self.advance()
                    end = None if self.tok.is_symbol("]") else self.expression()
                    self.expect_symbol("]")
                    none = ast.Literal(None, offset=tok.offset)
                    expr = ast.FunctionCall("__slice__", (expr, index or none, end or none),
                                            offset=tok.offset)
                    continue
                self.expect_symbol("]")
                expr = ast.Subscript(expr, index, offset=tok.offset)
            else:
                return expr

    def atom(self) -> ast.Expr:
        tok = self.tok
        if tok.kind is Kind.INTEGER:
            self.advance()
            return ast.Literal(int(tok.text), offset=tok.offset)
        if tok.kind is Kind.FLOAT:
            self.advance()
            return ast.Literal(float(tok.text), offset=tok.offset)
        if tok.kind is Kind.STRING:
            self.advance()
            return ast.Literal(tok.text, offset=tok.offset)
        if tok.kind is Kind.PARAM:
            self.advance()
            return ast.Parameter(tok.text, offset=tok.offset)
        if tok.kind is Kind.QUOTED_IDENT:
            self.advance()
            return ast.Variable(tok.text, offset=tok.offset)
        if tok.is_symbol("(") and (pattern := pattern_predicate(self)) is not None:
            return pattern
        if tok.is_symbol("("):
            self.advance()
            expr = self.expression()
            self.expect_symbol(")")
            return expr
        if tok.is_symbol("["):
            return self.list_literal()
        if tok.is_symbol("{"):
            return struct_literal(self)
        if tok.kind is Kind.IDENT:
            word = tok.text.upper()
            if word in ("TRUE", "FALSE"):
                self.advance()
                return ast.Literal(word == "TRUE", offset=tok.offset)
            if word == "NULL":
                self.advance()
                return ast.Literal(None, offset=tok.offset)
            if word == "CASE":
                return self.case()
            if word in ("EXISTS", "COUNT") and self.peek().is_symbol("{"):
                return self.subquery()
            if self.peek().is_symbol("(") and word not in RESERVED:
                return self.function_call()
            if word not in RESERVED:
                self.advance()
                return ast.Variable(tok.text, offset=tok.offset)
        raise self.error("an expression")

    def subquery(self) -> ast.Subquery:
        tok = self.advance()
        self.expect_symbol("{")
        self.expect_keyword("MATCH")
        patterns = [self.path_pattern()]
        while self.accept_symbol(","):
            patterns.append(self.path_pattern())
        where = self.expression() if self.accept_keyword("WHERE") else None
        if self.accept_keyword("HINT"):
            skip_hint(self)
        self.expect_symbol("}")
        return ast.Subquery(tok.text.lower(), tuple(patterns), where, offset=tok.offset)

    def list_literal(self) -> ast.ListLiteral:
        start = self.expect_symbol("[").offset
        items: list[ast.Expr] = []
        if not self.tok.is_symbol("]"):
            items.append(self.expression())
            while self.accept_symbol(","):
                items.append(self.expression())
        self.expect_symbol("]")
        return ast.ListLiteral(tuple(items), offset=start)

    def function_call(self) -> ast.FunctionCall:
        name_tok = self.advance()
        name = name_tok.text.lower()
        self.expect_symbol("(")
        if name == "count" and self.accept_symbol("*"):
            self.expect_symbol(")")
            return ast.FunctionCall("count", (), star=True, offset=name_tok.offset)
        if name == "cast":  # CAST(x AS TYPE) as cast(x, 'TYPE')
            value = self.expression()
            if self.accept_keyword("AS"):
                start = self.tok.offset
                depth = 0  # MAP(STRING, INT64), STRUCT(a INT64): parentheses inside the type
                while not (depth == 0 and self.tok.is_symbol(")")) and (
                        self.tok.kind is not Kind.EOF):
                    depth += self.tok.is_symbol("(") - self.tok.is_symbol(")")
                    self.advance()
                type_text = self.query[start : self.tok.offset].strip()
                self.expect_symbol(")")
                args = (value, ast.Literal(type_text, offset=start))
                return ast.FunctionCall("cast", args, offset=name_tok.offset)
            args = [value]
            while self.accept_symbol(","):
                args.append(self.expression())
            self.expect_symbol(")")
            return ast.FunctionCall("cast", tuple(args), offset=name_tok.offset)
        distinct = bool(self.accept_keyword("DISTINCT"))
        args: list[ast.Expr] = []
        if not self.tok.is_symbol(")"):
            args.append(self.expression())
            while self.accept_symbol(","):
                args.append(self.expression())
        self.expect_symbol(")")
        return ast.FunctionCall(name, tuple(args), distinct, offset=name_tok.offset)

    def case(self) -> ast.Case:
        start = self.expect_keyword("CASE").offset
        operand = None if self.tok.is_keyword("WHEN") else self.expression()
        whens = []
        while self.accept_keyword("WHEN"):
            condition = self.expression()
            self.expect_keyword("THEN")
            whens.append((condition, self.expression()))
        if not whens:
            raise self.error("WHEN")
        default = self.expression() if self.accept_keyword("ELSE") else None
        self.expect_keyword("END")
        return ast.Case(operand, tuple(whens), default, offset=start)

    # ------------------------------------------------------------------ DDL, COPY, CALL

    def create_table(self) -> ast.Statement:
        self.expect_keyword("CREATE")
        kind = self.advance().text.upper()
        self.expect_keyword("TABLE")
        if_not_exists = False
        if self.tok.is_keyword("IF"):
            self.advance()
            self.expect_keyword("NOT")
            self.expect_keyword("EXISTS")
            if_not_exists = True
        name = self.name("a table name")
        self.expect_symbol("(")
        if kind == "NODE":
            return self.node_table_body(name, if_not_exists)
        return self.rel_table_body(name, if_not_exists)

    def node_table_body(self, name: str, if_not_exists: bool) -> ast.CreateNodeTable:
        columns: list[tuple[str, str]] = []
        primary_key: str | None = None
        while True:
            if self.tok.is_keyword("PRIMARY"):
                tok = self.advance()
                self.expect_keyword("KEY")
                self.expect_symbol("(")
                key = self.any_name("a column name")
                self.expect_symbol(")")
                if primary_key is not None:
                    raise syntax_error(self.query, tok.offset, "the primary key is given twice")
                primary_key = key
            else:
                column, type_name = self.column_definition()
                columns.append((column, type_name))
                if pk := self.accept_keyword("PRIMARY"):
                    self.expect_keyword("KEY")
                    if primary_key is not None:
                        raise syntax_error(self.query, pk.offset, "the primary key is given twice")
                    primary_key = column
            if not self.accept_symbol(","):
                break
        close = self.expect_symbol(")")
        if primary_key is None:
            raise syntax_error(self.query, close.offset, f"node table {name} needs a PRIMARY KEY")
        return ast.CreateNodeTable(name, tuple(columns), primary_key, if_not_exists)

    def rel_table_body(self, name: str, if_not_exists: bool) -> ast.CreateRelTable:
        pairs: list[tuple[str, str]] = []
        columns: list[tuple[str, str]] = []
        while True:
            if self.accept_keyword("FROM"):
                src = self.name("a node table name")
                self.expect_keyword("TO")
                pairs.append((src, self.name("a node table name")))
            elif self.tok.is_keyword("ONE_ONE", "ONE_MANY", "MANY_ONE", "MANY_MANY"):
                self.advance()  # multiplicity constraints are accepted and not enforced
            else:
                if not pairs:
                    raise self.error("FROM <node table> TO <node table>")
                columns.append(self.column_definition())
            if not self.accept_symbol(","):
                break
        self.expect_symbol(")")
        if not pairs:
            raise self.error("FROM <node table> TO <node table>")
        return ast.CreateRelTable(name, tuple(pairs), tuple(columns), if_not_exists)

    def column_definition(self) -> tuple[str, str]:
        column = self.any_name("a column name")
        type_tok = self.tok
        if type_tok.kind is not Kind.IDENT:
            raise self.error(f"a type for column {column}")
        self.advance()
        type_name = type_tok.text
        if self.tok.is_symbol("("):  # e.g. STRUCT(a INT64[], b STRUCT(c DATE)): keep the text,
            start = self.tok.offset  # ruzu/composite_types.py parses it
            depth = 0
            while True:
                if self.tok.kind is Kind.EOF:
                    raise self.error("')'")
                depth += self.tok.is_symbol("(") - self.tok.is_symbol(")")
                if depth == 0:
                    break
                self.advance()
            type_name += self.query[start : self.advance().end]
        while self.tok.is_symbol("["):
            self.advance()
            size = ""
            if not self.tok.is_symbol("]"):  # ARRAY: T[n]
                size = self.advance().text
            self.expect_symbol("]")
            type_name += f"[{size}]"
        return column, type_name

    def drop_table(self) -> ast.DropTable:
        self.expect_keyword("DROP")
        self.expect_keyword("TABLE")
        if_exists = False
        if self.tok.is_keyword("IF"):
            self.advance()
            self.expect_keyword("EXISTS")
            if_exists = True
        return ast.DropTable(self.name("a table name"), if_exists)

    def copy(self) -> ast.Copy:
        self.expect_keyword("COPY")
        if self.tok.is_symbol("("):
            return self.copy_to()
        table = self.name("a table name")
        columns = None
        if self.accept_symbol("("):  # COPY T(a, b): a column subset
            columns = [self.any_name("a column name")]
            while self.accept_symbol(","):
                columns.append(self.any_name("a column name"))
            self.expect_symbol(")")
            columns = tuple(columns)
        self.expect_keyword("FROM")
        path: str | tuple[str, ...]
        source = None
        opening = self.tok.is_symbol("[") or (  # a list of files; ('a.npy', …) BY COLUMN
            self.tok.is_symbol("(") and self.peek().kind is Kind.STRING)
        if opening:
            close = "]" if self.advance().text == "[" else ")"
            paths = []
            while True:
                if self.tok.kind is not Kind.STRING:
                    raise self.error("a file path in quotes")
                paths.append(self.advance().text)
                if not self.accept_symbol(","):
                    break
            self.expect_symbol(close)
            path = tuple(paths)
        elif self.tok.kind is Kind.STRING:
            path = self.advance().text
        elif self.tok.kind in (Kind.IDENT, Kind.QUOTED_IDENT):  # a DataFrame in scope
            source = self.advance().text
            path = ""
        else:
            raise self.error("a file path in quotes")
        if self.tok.is_keyword("BY"):  # Kùzu's COPY T FROM ('a.npy', 'b.npy') BY COLUMN
            self.advance()
            self.expect_keyword("COLUMN")
            return ast.Copy(table, path, (("by_column", True),), columns, source)
        return ast.Copy(table, path, self.copy_options(), columns, source)

    def copy_to(self):
        start = self.expect_symbol("(").end
        inner = self.read_query()
        if self.tok.is_keyword("UNION"):
            inner = self.union(inner)
        end = self.tok.offset
        self.expect_symbol(")")
        self.expect_keyword("TO")
        if self.tok.kind is not Kind.STRING:
            raise self.error("a file path in quotes")
        path = self.advance().text
        return ast.CopyTo(inner, self.query[start:end].strip(), path, self.copy_options())

    def copy_options(self) -> tuple[tuple[str, object], ...]:
        options: list[tuple[str, object]] = []
        if self.accept_symbol("("):
            if not self.tok.is_symbol(")"):
                while True:
                    key = self.any_name("an option name").lower()
                    self.accept_symbol("=")
                    if self.tok.is_symbol(",") or self.tok.is_symbol(")"):
                        options.append((key, True))  # a bare option name means true
                    else:
                        options.append((key, self.option_value()))
                    if not self.accept_symbol(","):
                        break
            self.expect_symbol(")")
        return tuple(options)

    def option_value(self) -> object:
        if self.tok.kind is Kind.STRING and self.peek().is_symbol(",", ")"):
            tok = self.advance()  # C escapes here, as Kùzu reads DELIM='\t'
            return c_unescape(self.query[tok.offset : tok.end])
        expr = self.expression()
        if isinstance(expr, ast.Literal):
            return expr.value
        if isinstance(expr, ast.ListLiteral) and all(
            isinstance(e, ast.Literal) for e in expr.items
        ):
            return tuple(e.value for e in expr.items)  # type: ignore[attr-defined]
        if isinstance(expr, ast.Variable):  # HEADER=true written as a bare word
            return expr.name
        raise syntax_error(
            self.query, getattr(expr, "offset", self.tok.offset), "expected a constant"
        )

    def call(self) -> ast.Call:
        self.expect_keyword("CALL")
        procedure = self.any_name("a procedure name").lower()
        self.expect_symbol("(")
        args: list[ast.Expr] = []
        if not self.tok.is_symbol(")"):
            args.append(self.expression())
            while self.accept_symbol(","):
                args.append(self.expression())
        self.expect_symbol(")")
        projection = None
        if self.accept_keyword("RETURN"):
            projection = self.projection()
        return ast.Call(procedure, tuple(args), projection)
