"""RETURN (or WITH … RETURN) after CREATE / MERGE: what each row bound — the nodes by their
primary keys, the relationships by their edge ids (known once committed), the other values
as they were evaluated — is matched again on the committed database, row by row in order,
and the rest of the query runs on those rows as a read query.

    UNWIND $rows AS __r
    MATCH (a:`P`) WHERE a.`id` = __r.`a`
    MATCH (a)-[r:`K`]->(b) WHERE offset(id(r)) = __r.`r`
    WITH a, r, b, __r.`x` AS x, __r.__i AS __i ORDER BY __i
    WITH a, r, b, x
    <the query's tail>
"""

from __future__ import annotations

from ..errors import QueryError
from ..query import QueryResult, ast, run_query
from ..query.syntax.parser import parse
from ..query.syntax.walk import mentioned
from .write_steps import RelRef


def tail_variables(tail, visible) -> list[str]:
    """The variables of ``visible`` the tail uses (every one for ``RETURN *``/``WITH *``)."""
    used: set[str] = set()
    for clause in tail:
        projection = getattr(clause, "projection", None)
        if projection is not None and projection.star:
            return [v for v in visible if not v.startswith("__")]
        exprs = []
        if projection is not None:
            exprs += [item.expr for item in projection.items]
            exprs += [s.expr for s in projection.order_by]
        for part in ("where",):
            if getattr(clause, part, None) is not None:
                exprs.append(getattr(clause, part))
        if isinstance(clause, ast.Match):
            for path in clause.patterns:
                used |= {n.variable for n in path.nodes if n.variable}
                used |= {r.variable for r in path.rels if r.variable}
        elif isinstance(clause, ast.Unwind):
            exprs.append(clause.expr)
        for expr in exprs:
            used |= mentioned(expr)
    return [v for v in visible if v in used]


def run_tail(db, tail, bindings: list[tuple[dict, dict]], names: list[str],
             rel_ends: dict[str, tuple[str, str]], params: dict, text: str) -> QueryResult:
    """``bindings``: per output row, (the evaluated row, the write variables' bindings);
    ``rel_ends``: the node variables each relationship variable joins."""
    kinds: dict[str, tuple] = {}  # variable → ("node", table) | ("rel", RelRef) | ("value",)
    rows = []
    shown = names
    names = list(dict.fromkeys([*names, *(e for n in names if n in rel_ends
                                          for e in rel_ends[n])]))
    for i, (row, env) in enumerate(bindings):
        out = {"__i": i}
        for name in names:
            value = env[name] if name in env else row.get(f"__v_{name}")
            if isinstance(value, RelRef):
                kind, out[name] = ("rel", value.table, value.pair), value.offset
            elif isinstance(value, tuple):
                kind, out[name] = ("node", value[0]), value[1]
            elif isinstance(value, dict) and "_label" in value and "_src" not in value:
                table = value["_label"]
                kind = ("node", table)
                out[name] = value[db.catalog.node(table).primary_key]
            elif isinstance(value, dict) and "_src" in value:
                raise QueryError(f"RETURN of {name}, a relationship matched before the write, "
                                 "is not supported yet")
            else:
                kind, out[name] = ("value",), value
            if value is None:
                kind = kinds.get(name, ("value",))
            if kinds.setdefault(name, kind) != kind and kind != ("value",):
                raise QueryError(f"RETURN after a write: {name} is bound to rows of several "
                                 "tables, which is not supported yet")
        rows.append(out)
    prefix = ["UNWIND $__write_rows AS __r"]
    carried = []
    for name in names:
        kind = kinds.get(name, ("value",))
        if kind[0] == "node":
            pk = db.catalog.node(kind[1]).primary_key
            prefix.append(f"MATCH (`{name}`:`{kind[1]}`) WHERE `{name}`.`{pk}` = __r.`{name}`")
            carried.append(f"`{name}`")
    for name in names:
        kind = kinds.get(name, ("value",))
        if kind[0] == "rel":
            src, dst = rel_ends[name]
            prefix.append(f"MATCH (`{src}`)-[`{name}`:`{kind[1]}`]->(`{dst}`) "
                          f"WHERE offset(id(`{name}`)) = __r.`{name}`")
            carried.append(f"`{name}`")
        elif kind[0] == "value":
            carried.append(f"__r.`{name}` AS `{name}`")
    keep = ", ".join(carried)
    prefix.append(f"WITH {keep + ', ' if keep else ''}__r.__i AS __i ORDER BY __i")
    kept = ", ".join(f"`{n}`" for n in shown)
    prefix.append(f"WITH {kept if kept else '1 AS __one'} RETURN 1")
    head_text = "\n".join(prefix)
    head = parse(head_text)
    query = ast.Query((*head.clauses[:-1], *tail))
    params = {**params, "__write_rows": rows}
    return run_query(db, query, params, f"{text}\x00write-return\x00{head_text}")
