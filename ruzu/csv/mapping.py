"""Which table column each CSV field fills.

Two rules, chosen by ``CsvImportConfig.column_mapping``:
- ``"position"`` (Kùzu's COPY): the header, when there is one, is skipped; field i fills the
  i-th target column.
- ``"name"`` (neo4j-admin style, the Python API's and CLI's default): the header names the
  columns, in any order and any letter case.
The target columns are the table's, or the subset ``cfg.columns`` (``COPY T(a, b)``); columns
outside the subset are filled with NULL (``append_nulls``).
"""

from __future__ import annotations

from ..errors import CsvError
from .parser import read_header


def target_columns(cfg, column_names: list[str], what: str,
                   required: tuple[str, ...] = ()) -> list[int]:
    """Indices (into ``column_names``) of the columns the file holds, in file order."""
    subset = getattr(cfg, "columns", None)
    if subset is None:
        return list(range(len(column_names)))
    lower = [n.lower() for n in column_names]
    out = []
    for name in subset:
        if name.lower() not in lower:
            raise CsvError(f"{what} has no column {name!r}; its columns are {column_names}",
                           reason="unknown column")
        index = lower.index(name.lower())
        if index in out:
            raise CsvError(f"column {name!r} is named twice in the column list",
                           reason="duplicate column")
        out.append(index)
    for name in required:
        if column_names.index(name) not in out:
            raise CsvError(f"the column list must include the primary key {name!r} of {what}",
                           reason="primary key missing")
    return out


def by_name(path: str, names: list[str], column_names: list[str], targets: list[int],
            what: str, skip_front: int = 0) -> list[int]:
    """The header ``names[skip_front:]`` matched to the target columns, ignoring letter case."""
    wanted = [column_names[t] for t in targets]
    got = names[skip_front:]
    lower_wanted = [w.lower() for w in wanted]
    lower_got = [g.lower() for g in got]
    if sorted(lower_got) != sorted(lower_wanted) or len(set(lower_got)) != len(lower_got):
        missing = [w for w in wanted if w.lower() not in lower_got]
        extra = [g for g in got if g.lower() not in lower_wanted]
        detail = "; ".join(
            p for p in (f"missing {missing}" if missing else "",
                        f"unexpected {extra}" if extra else "") if p
        ) or "duplicate column names"
        if skip_front:
            message = (f"{path}:1: header properties {got} do not match {what} "
                       f"properties {column_names}")
        else:
            message = f"{path}:1: header {got} does not match {what} columns {wanted} ({detail})"
        message += delimiter_hint(names, wanted, skip_front)
        raise CsvError(message, path=path, line=1, reason="header mismatch")
    return [targets[lower_wanted.index(g)] for g in lower_got]


def delimiter_hint(names: list[str], wanted: list[str], skip_front: int = 0) -> str:
    """"; the header looks ';'-separated …" when the header is one field that another
    delimiter splits into the expected column names (a semicolon or tab file read with ',')."""
    if len(names) != 1:
        return ""
    for char, shown in ((";", "';'"), ("\t", "'\\t'"), ("|", "'|'")):
        parts = [p.strip().strip('"').lower() for p in names[0].split(char)]
        if len(parts) > 1 and sorted(parts[skip_front:]) == sorted(w.lower() for w in wanted):
            return (f"; the header looks {shown}-separated: pass --delimiter {shown} "
                    f"(Python: CsvImportConfig(delimiter={shown}), Cypher: DELIM={shown})")
    return ""


def node_field_order(src, cfg, column_names: list[str], what: str,
                     primary_key: str | None = None) -> list[int]:
    """Per CSV field, the index of the node-table column it fills (the header is consumed)."""
    targets = target_columns(cfg, column_names, what, (primary_key,) if primary_key else ())
    names = read_header(src, cfg)
    if not names or getattr(cfg, "column_mapping", "name") == "position":
        return targets
    return by_name(src.path, names, column_names, targets, what)


def rel_field_order(src, cfg, prop_names: list[str], what: str) -> tuple[list[str], list[int]]:
    """(names of the two key fields, per property field the index of its property column)."""
    targets = target_columns(cfg, prop_names, what)
    names = read_header(src, cfg)
    if not names or getattr(cfg, "column_mapping", "name") == "position":
        keys = names[:2] if names and len(names) >= 2 else ["from", "to"]
        return keys, targets
    if len(names) < 2:
        raise CsvError(f"{src.path}:1: a relationship file needs FROM and TO key columns, "
                       f"header has {names}", path=src.path, line=1, reason="header mismatch")
    return names[:2], by_name(src.path, names, prop_names, targets, what, skip_front=2)


def missing_columns(order: list[int], count: int) -> list[int]:
    held = set(order)
    return [c for c in range(count) if c not in held]


def append_nulls(appender, rows: int) -> None:
    """``rows`` NULLs at the end of a column the file does not hold."""
    if rows <= 0:
        return
    if appender.is_nested:
        raise CsvError(f"a {appender.type.value} column cannot be left out of the column list "
                       "yet; list it and give it NULL fields", reason="column left out")
    appender.append_nulls(rows)
