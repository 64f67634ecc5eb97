"""MERGE: does the pattern already exist for this row? Its new nodes and relationships are
looked for with their property values (as evaluated for the row), its bound nodes pinned by
their primary keys; rows this statement created count too. Where it exists nothing is
created; ON MATCH SET is refused (writes.py), ON CREATE SET becomes properties of the new
elements (creation.py)."""

from __future__ import annotations

import itertools

from ..errors import QueryError
from ..query import run_query
from ..query.syntax.parser import parse
from .write_steps import NodeStep, RelRef


def merged(writer, group, row: dict, env: dict) -> list[dict]:
    """The matches of ``group``'s patterns for ``row``: per match, its new variables bound
    (node → (table, key), relationship → ``RelRef``); empty when there is none."""
    steps = group.steps
    nodes = [s for s in steps if isinstance(s, NodeStep) and s.table is not None]
    if all(isinstance(s, NodeStep) for s in steps):  # nodes only: each looked up on its own
        choices = []
        for step in nodes:
            hits = _find_nodes(writer, step, row)
            if not hits:
                return []
            choices.append([(step.var, hit) for hit in hits])
        return [dict(combo) for combo in itertools.product(*choices)]
    return _pattern_matches(writer, steps, row, env)


def identity(writer, steps, row, env) -> tuple:
    """What a MERGE pattern is for this row: rows of one statement that would create the
    same elements create them once."""
    parts = []
    for step in steps:
        if isinstance(step, NodeStep) and step.table is None:
            parts.append(env.get(step.var) or writer._bound_node(step.var, row))
        elif isinstance(step, NodeStep):
            parts.append((step.var, step.table, tuple((c, repr(row[n])) for c, n in step.props)))
        else:
            parts.append((step.table, tuple((c, repr(row[n])) for c, n in step.props)))
    return tuple(parts)


def _find_nodes(writer, step, row: dict) -> list[tuple]:
    """(table, key) of the stored nodes of ``step.table`` with the step's properties."""
    schema = writer.catalog.node(step.table)
    pk = schema.primary_key
    values = {c: row[n] for c, n in step.props}
    if pk in values:  # by the primary-key index, then the other properties compared
        key = values[pk]
        if key is None or not _stored(writer.db, step.table, key):
            return []
        query = f"MATCH (n:`{step.table}`) WHERE n.`{pk}` = $k RETURN n"
        for node in _run(writer.db, query, {"k": key}):
            if all(_same(node[0].get(c), v) for c, v in values.items()):
                return [(step.table, key)]
        return []
    if any(v is None for v in values.values()):
        return []  # NULL equals nothing (as Kùzu: such a MERGE always creates)
    where = " AND ".join(f"n.`{c}` = $p{i}" for i, c in enumerate(values)) or "true"
    query = f"MATCH (n:`{step.table}`) WHERE {where} RETURN n.`{pk}`"
    params = {f"p{i}": v for i, v in enumerate(values.values())}
    return [(step.table, r[0]) for r in _run(writer.db, query, params)]


def _stored(db, table: str, key) -> bool:
    try:
        return db.table(table).lookup(key) is not None
    except (TypeError, ValueError, OverflowError):
        return False


def _same(stored, value) -> bool:
    return stored is not None and value is not None and stored == value


def _pattern_matches(writer, steps, row: dict, env: dict) -> list[dict]:
    """A MERGE pattern with relationships: one MATCH over all of it, bound nodes pinned."""
    nodes: dict[str, str] = {}
    where: list[str] = []
    params: dict = {}
    parts: list[str] = []
    ends: set[str] = set()
    returns: list[tuple] = []  # (variable, what, table/step)
    tables: dict[str, str] = {}
    for i, step in enumerate(steps):
        if isinstance(step, NodeStep):
            subject = step.var
            table = step.table
            if table is None:
                table, key = env.get(step.var) or writer._bound_node(step.var, row)
                params[f"k{i}"] = key
                where.append(f"`{subject}`.`{writer.catalog.node(table).primary_key}` = $k{i}")
            else:
                pk = writer.catalog.node(table).primary_key
                returns.append((step.var, f"`{subject}`.`{pk}`", table))
            nodes[step.var] = f"(`{subject}`:`{table}`)"
            tables[step.var] = table
        else:
            subject = f"__r{i}"
            parts.append(f"{nodes[step.src]}-[`{subject}`:`{step.table}`]->{nodes[step.dst]}")
            ends |= {step.src, step.dst}
            if step.var:
                returns.append((step.var, f"offset(id(`{subject}`))", step))
        for j, (column, value_name) in enumerate(step.props):
            value = row[value_name]
            if value is None:
                return []  # NULL equals nothing (as Kùzu: such a MERGE always creates)
            params[f"p{i}_{j}"] = value
            where.append(f"`{subject}`.`{column}` = $p{i}_{j}")
    parts += [text for var, text in nodes.items() if var not in ends]
    query = (f"MATCH {', '.join(parts)}" + (f" WHERE {' AND '.join(where)}" if where else "")
             + " RETURN 1" + "".join(f", {what}" for _, what, _ in returns))
    matches = []
    for found in _run(writer.db, query, params):
        binding = {}
        for (var, _, how), value in zip(returns, found[1:], strict=True):
            if isinstance(how, str):
                binding[var] = (how, value)
            else:
                binding[var] = RelRef(how.table, (tables[how.src], tables[how.dst]), value)
        matches.append(binding)
    return matches


def _run(db, query: str, params: dict) -> list:
    try:
        return run_query(db, parse(query), params, query).get_all()
    except QueryError as e:
        raise QueryError(f"MERGE could not look for the pattern: {e}") from None

