"""MERGE: does the pattern already exist for this row? Its new nodes and relationships are
looked for with their property values (as evaluated for the row), its bound nodes pinned by
their primary keys; rows this statement created count too. Where it exists nothing is
created; ON MATCH SET is refused (writes.py), ON CREATE SET becomes properties of the new
elements (creation.py)."""

from __future__ import annotations

from ..errors import QueryError
from ..query import run_query
from ..query.syntax.parser import parse


def merged(writer, group, row: dict, env: dict, creations, params: dict) -> bool:
    """True when ``group``'s patterns exist for ``row`` (their nodes then go into ``env``)."""
    from .creation import NodeStep

    steps = group.steps
    nodes = [s for s in steps if isinstance(s, NodeStep)]
    if len(nodes) == len(steps):  # nodes only: each looked up on its own
        found = {}
        for step in nodes:
            if step.table is None:
                continue
            hit = _find_node(writer, step, row)
            if hit is None:
                return False
            found[step.var] = hit
        env.update(found)
        return True
    return _pattern_exists(writer, steps, row, env)


def identity(writer, steps, row, env) -> tuple:
    """What a MERGE pattern is for this row: rows of one statement that would create the
    same elements create them once."""
    from .creation import NodeStep

    parts = []
    for step in steps:
        if isinstance(step, NodeStep) and step.table is None:
            parts.append(env.get(step.var) or writer._bound_node(step.var, row))
        else:
            parts.append((step.table, tuple((c, repr(row[n])) for c, n in step.props)))
    return tuple(parts)


def _find_node(writer, step, row: dict):
    """(table, key) of a stored node of ``step.table`` with the step's properties, or None."""
    schema = writer.catalog.node(step.table)
    pk = schema.primary_key
    values = {c: row[n] for c, n in step.props}
    if pk in values:  # by the primary-key index, then the other properties compared
        key = values[pk]
        if key is None or not _stored(writer.db, step.table, key):
            return None
        query = f"MATCH (n:`{step.table}`) WHERE n.`{pk}` = $k RETURN n"
        result = run_query(writer.db, parse(query), {"k": key}, query)
        for node in result.get_all():
            if all(_same(node[0].get(c), v) for c, v in values.items()):
                return step.table, key
        return None
    where = " AND ".join(f"n.`{c}` = $p{i}" for i, c in enumerate(values)) or "true"
    query = f"MATCH (n:`{step.table}`) WHERE {where} RETURN n.`{pk}` LIMIT 1"
    params = {f"p{i}": v for i, v in enumerate(values.values())}
    rows = _run(writer.db, query, params)
    return (step.table, rows[0][0]) if rows else None


def _stored(db, table: str, key) -> bool:
    try:
        return db.table(table).lookup(key) is not None
    except (TypeError, ValueError, OverflowError):
        return False


def _same(stored, value) -> bool:
    return stored is not None and value is not None and stored == value


def _pattern_exists(writer, steps, row: dict, env: dict) -> bool:
    """A MERGE pattern with relationships: one MATCH over all of it, bound nodes pinned."""
    from .creation import NodeStep

    nodes: dict[str, str] = {}
    where: list[str] = []
    params: dict = {}
    parts: list[str] = []
    ends: set[str] = set()
    for i, step in enumerate(steps):
        if isinstance(step, NodeStep):
            subject = step.var
            table = step.table
            if table is None:
                table, key = env.get(step.var) or writer._bound_node(step.var, row)
                params[f"k{i}"] = key
                where.append(f"`{subject}`.`{writer.catalog.node(table).primary_key}` = $k{i}")
            nodes[step.var] = f"(`{subject}`:`{table}`)"
        else:
            subject = f"__r{i}"
            parts.append(f"{nodes[step.src]}-[`{subject}`:`{step.table}`]->{nodes[step.dst]}")
            ends |= {step.src, step.dst}
        for j, (column, value_name) in enumerate(step.props):
            params[f"p{i}_{j}"] = row[value_name]
            where.append(f"`{subject}`.`{column}` = $p{i}_{j}")
    parts += [text for var, text in nodes.items() if var not in ends]
    query = (f"MATCH {', '.join(parts)}" + (f" WHERE {' AND '.join(where)}" if where else "")
             + " RETURN count(*)")
    return _run(writer.db, query, params)[0][0] > 0


def _run(db, query: str, params: dict) -> list:
    try:
        return run_query(db, parse(query), params, query).get_all()
    except QueryError as e:
        raise QueryError(f"MERGE could not look for the pattern: {e}") from None

