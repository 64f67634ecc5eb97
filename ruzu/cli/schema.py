"""Schema files: split a Cypher file into statements and check its ``CREATE NODE TABLE`` /
``CREATE REL TABLE`` statements without touching a database; errors name
``path:line:column`` of the file."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..catalog import NodeTableSchema, RelTableSchema
from ..errors import CatalogError, QueryError
from .args import CliError


@dataclass
class SchemaStatement:
    """One CREATE … TABLE statement of a schema file, checked but not yet run."""

    schema: NodeTableSchema | RelTableSchema
    path: str
    line: int
    text: str  # the statement as it is handed to Database.execute


_COMMENT = re.compile(r"//[^\n]*|--[^\n]*|/\*.*?\*/", re.DOTALL)
_GROUP = re.compile(r"(CREATE\s+REL\s+TABLE\s+)(GROUP)(\s)", re.IGNORECASE)
_SYNTAX = re.compile(r"Syntax error at line (\d+), column (\d+): (.*)")


def split_statements(text: str) -> list[tuple[str, int, int]]:
    """Split a Cypher file on ``;`` into (statement, line, column) of where each starts.
    Comments (``//``, ``/* */`` and SQL's ``--``) and Kùzu's old ``REL TABLE GROUP`` keyword
    are blanked out with spaces, so offsets, lines and columns stay those of the file."""
    blank = lambda m: re.sub(r"[^\n]", " ", m.group(0))  # noqa: E731
    text = _COMMENT.sub(blank, text)
    text = _GROUP.sub(lambda m: m.group(1) + " " * len(m.group(2)) + m.group(3), text)
    out = []
    offset = 0
    for chunk in text.split(";"):
        if chunk.strip():
            line = text.count("\n", 0, offset) + 1
            column = offset - (text.rfind("\n", 0, offset) + 1) + 1
            out.append((chunk, line, column))
        offset += len(chunk) + 1
    return out


def parse_schema(text: str, path: str = "<schema>") -> list[SchemaStatement]:
    """Check the ``CREATE NODE TABLE Name(col TYPE, …, PRIMARY KEY(col))`` and ``CREATE REL
    TABLE Name(FROM A TO B[, FROM C TO D], col TYPE, …)`` statements of a schema file with
    the Cypher parser, without touching a database. Errors name ``path:line:column``."""
    from ..query import parse
    from ..query.syntax import ast

    out: list[SchemaStatement] = []
    for chunk, line, column in split_statements(text):
        try:
            stmt = parse(chunk)
        except QueryError as e:
            raise _relocate(e, path, line, column) from None
        first = line + chunk[: len(chunk) - len(chunk.lstrip())].count("\n")
        where = f"{path}:{first}"
        try:
            if isinstance(stmt, ast.CreateNodeTable):
                schema: NodeTableSchema | RelTableSchema = NodeTableSchema(
                    stmt.name, list(stmt.columns), stmt.primary_key)
            elif isinstance(stmt, ast.CreateRelTable):
                schema = RelTableSchema(stmt.name, list(stmt.pairs), list(stmt.columns))
            else:
                head = " ".join(chunk.split())[:60]
                raise QueryError(f"expected CREATE NODE TABLE or CREATE REL TABLE, got '{head}'")
        except (CatalogError, QueryError) as e:
            raise type(e)(f"{_position(chunk, path, line, column, str(e)) or where}: {e}") from e
        out.append(SchemaStatement(schema, path, first, chunk.strip()))
    return out


_UNKNOWN_TYPE = re.compile(r"unknown type '([^']+)'")


def _position(chunk: str, path: str, line: int, column: int, message: str) -> str | None:
    """``path:line:column`` of the word an error names (``unknown type 'STRNG'``), found in
    the statement's text; None when it names none."""
    m = _UNKNOWN_TYPE.search(message)
    if not m:
        return None
    at = re.search(rf"(?<![\w]){re.escape(m.group(1))}(?![\w])", chunk)
    if at is None:
        return None
    before = chunk[: at.start()]
    rel_line = before.count("\n")
    col = at.start() - (before.rfind("\n") + 1) + 1 + (column - 1 if rel_line == 0 else 0)
    return f"{path}:{line + rel_line}:{col}"


def _relocate(e: QueryError, path: str, line: int, column: int) -> QueryError:
    """The parser's "Syntax error at line L, column C: …" (relative to the statement, with the
    source line and a caret below) as one line: ``path:line:column: syntax error: …``."""
    first = str(e).splitlines()[0] if str(e) else ""
    m = _SYNTAX.match(first)
    if not m:
        return QueryError(f"{path}:{line}: {first}")
    rel_line, rel_col, message = int(m.group(1)), int(m.group(2)), m.group(3)
    col = rel_col + (column - 1 if rel_line == 1 else 0)
    if re.match(r"unexpected 'CREATE'", message, re.IGNORECASE):
        message += " (is the ';' that ends the statement before it missing?)"
    return QueryError(f"{path}:{line + rel_line - 1}:{col}: syntax error: {message}")


def read_schema(path: str) -> list[SchemaStatement]:
    """The checked statements of the schema file ``path`` (``CliError`` if it is unreadable)."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise CliError(f"{path}: schema file not found") from None
    except UnicodeDecodeError:
        raise CliError(f"{path}: schema file is not UTF-8 text") from None
    return parse_schema(text, path)

