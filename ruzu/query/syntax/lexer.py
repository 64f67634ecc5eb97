"""Cypher tokens with their line and column, so syntax errors can say where they are."""

from __future__ import annotations

import bisect
import enum
import re
from dataclasses import dataclass

from ...errors import QueryError


class Kind(enum.Enum):
    IDENT = "identifier"
    QUOTED_IDENT = "quoted identifier"
    INTEGER = "integer"
    FLOAT = "float"
    STRING = "string"
    PARAM = "parameter"
    SYMBOL = "symbol"
    EOF = "end of input"


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
    text: str  # the raw source text (for strings: the decoded value)
    offset: int  # character offset of the token start in the query
    line: int  # 1-based
    column: int  # 1-based
    end: int  # character offset one past the token end

    def is_keyword(self, *words: str) -> bool:
        return self.kind is Kind.IDENT and self.text.upper() in words

    def is_symbol(self, *symbols: str) -> bool:
        return self.kind is Kind.SYMBOL and self.text in symbols

    def describe(self) -> str:
        if self.kind is Kind.EOF:
            return "end of input"
        if self.kind is Kind.STRING:
            return f"string {self.text!r}"
        return f"'{self.text}'"


# Longest symbols first so that '..' wins over '.', '<=' over '<'.
_SYMBOLS = ("..", "<=", ">=", "<>", "!=", "=~", *"()[]{},.:;|*+-/%^=<>")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "0": "\0"}
_KUZU_ESCAPABLE = frozenset("\\'\"bfnrtuU")


def c_unescape(raw: str) -> str:
    """The value of a quoted literal (quotes included in ``raw``) with C escapes decoded:
    how COPY options such as DELIM='\\t' are read."""
    body = raw[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt == "u" and i + 6 <= len(body):
                try:
                    out.append(chr(int(body[i + 2 : i + 6], 16)))
                    i += 6
                    continue
                except ValueError:
                    pass
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def syntax_error(query: str, offset: int, message: str) -> QueryError:
    """A QueryError naming the line and column of ``offset`` and showing the line with a caret."""
    line, column = position(query, offset)
    text_line = query.splitlines()[line - 1] if query.strip() else ""
    caret = " " * (column - 1) + "^"
    return QueryError(
        f"Syntax error at line {line}, column {column}: {message}\n  {text_line}\n  {caret}"
    )


def position(query: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of a character offset."""
    line = query.count("\n", 0, offset) + 1
    line_start = query.rfind("\n", 0, offset) + 1
    return line, offset - line_start + 1


def tokenize(query: str) -> list[Token]:
    """Split a query into tokens; the last token is always EOF."""
    return list(_Tokenizer(query).run())


_WORD = re.compile(r"[^\W\d]\w*")
_SPACE = re.compile(r"\s+")
_SYMBOL = re.compile("|".join(re.escape(s) for s in _SYMBOLS))


class _Tokenizer:
    def __init__(self, query: str) -> None:
        self.query = query
        self.i = 0
        # Line starts, to give each token its line and column without rescanning.
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", query)]

    def token(self, kind: Kind, text: str, start: int) -> Token:
        line = bisect.bisect_right(self.line_starts, start)
        return Token(kind, text, start, line, start - self.line_starts[line - 1] + 1, self.i)

    def run(self):
        q = self.query
        n = len(q)
        while True:
            self.skip_space_and_comments()
            if self.i >= n:
                yield self.token(Kind.EOF, "", n)
                return
            start = self.i
            ch = q[start]
            word = _WORD.match(q, start)
            if word:
                self.i = word.end()
                yield self.token(Kind.IDENT, word.group(), start)
            elif ch.isdigit() or (ch == "." and start + 1 < n and q[start + 1].isdigit()):
                yield self.scan_number(start)
            elif ch in "'\"":
                yield self.scan_string(start)
            elif ch == "`":
                end = q.find("`", start + 1)
                if end < 0:
                    raise syntax_error(q, start, "unterminated quoted identifier")
                self.i = end + 1
                yield self.token(Kind.QUOTED_IDENT, q[start + 1 : end], start)
            elif ch == "$":
                self.i = self.scan_word(start + 1)
                if self.i == start + 1:
                    raise syntax_error(q, start, "'$' must be followed by a parameter name")
                yield self.token(Kind.PARAM, q[start + 1 : self.i], start)
            else:
                symbol = _SYMBOL.match(q, start)
                if symbol is None:
                    raise syntax_error(q, start, f"unexpected character {ch!r}")
                self.i = symbol.end()
                yield self.token(Kind.SYMBOL, symbol.group(), start)

    def skip_space_and_comments(self) -> None:
        q = self.query
        n = len(q)
        while self.i < n:
            if q[self.i].isspace():
                self.i = _SPACE.match(q, self.i).end()
            elif q.startswith("//", self.i):
                end = q.find("\n", self.i)
                self.i = n if end < 0 else end + 1
            elif q.startswith("/*", self.i):
                end = q.find("*/", self.i + 2)
                if end < 0:
                    raise syntax_error(q, self.i, "unterminated comment")
                self.i = end + 2
            else:
                return

    def scan_word(self, i: int) -> int:
        q = self.query
        while i < len(q) and (q[i].isalnum() or q[i] == "_"):
            i += 1
        return i

    def scan_number(self, start: int) -> Token:
        q = self.query
        n = len(q)
        i = start
        while i < n and q[i].isdigit():
            i += 1
        is_float = False
        # '1..3' is a range, not the float '1.' followed by '.3'.
        if i < n and q[i] == "." and not q.startswith("..", i):
            is_float = True
            i += 1
            while i < n and q[i].isdigit():
                i += 1
        if i < n and q[i] in "eE":
            j = i + 1
            if j < n and q[j] in "+-":
                j += 1
            if j < n and q[j].isdigit():
                is_float = True
                i = j
                while i < n and q[i].isdigit():
                    i += 1
        if i < n and (q[i].isalpha() or q[i] == "_"):
            raise syntax_error(q, i, f"unexpected character {q[i]!r} in number")
        self.i = i
        return self.token(Kind.FLOAT if is_float else Kind.INTEGER, q[start:i], start)

    def scan_string(self, start: int) -> Token:
        q = self.query
        quote = q[start]
        out: list[str] = []
        i = start + 1
        while i < len(q):
            ch = q[i]
            if ch == "\\" and i + 1 < len(q):
                # Kùzu's rule: a backslash keeps the next character as it is (\\, \', \", and
                # \b \f \n \r \t become the letters; \uXXXX stays "uXXXX"); other escapes
                # are syntax errors. COPY options decode C escapes instead (c_unescape).
                nxt = q[i + 1]
                if nxt not in _KUZU_ESCAPABLE:
                    raise syntax_error(q, i, f"invalid escape \\{nxt} in string")
                out.append(nxt)
                i += 2
                continue
            if ch == quote:
                self.i = i + 1
                return self.token(Kind.STRING, "".join(out), start)
            out.append(ch)
            i += 1
        raise syntax_error(q, start, "unterminated string literal")
