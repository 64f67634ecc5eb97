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


class TailPlan:
    """The rows a RETURN after writes runs on, checked before anything is written (so a tail
    ruzu cannot run refuses the statement, not half of it); ``run`` after the commit, when
    the ids of new relationships are known."""

    def __init__(self, db, tail, bindings: list[tuple[dict, dict]], names: list[str],
                 rel_ends: dict[str, tuple[str, str]]) -> None:
        """``bindings``: per output row, (the evaluated row, the write variables' bindings);
        ``rel_ends``: the node variables each new relationship variable joins."""
        self.db, self.tail, self.rel_ends = db, tail, rel_ends
        self.shown = names
        self.names = list(dict.fromkeys([*names, *(e for n in names if n in rel_ends
                                                   for e in rel_ends[n])]))
        self.kinds: dict[str, tuple] = {}  # variable → ("node", table) | ("rel", table, pair)
        self.cells: list[dict] = []  # per row: variable → key, RelRef or value
        tables = {oid: name for name, oid in db.catalog.oids.items()}
        for row, env in bindings:
            cells = {}
            for name in self.names:
                value = env[name] if name in env else row.get(f"__v_{name}")
                if isinstance(value, dict) and "_src" in value:  # a relationship of the reads
                    value = RelRef(value["_label"], (tables[value["_src"]["table"]],
                                                     tables[value["_dst"]["table"]]),
                                   value["_id"]["offset"])
                if isinstance(value, RelRef):
                    kind, cells[name] = ("rel", value.table, value.pair), value
                elif isinstance(value, tuple):
                    kind, cells[name] = ("node", value[0]), value[1]
                elif isinstance(value, dict) and "_label" in value:
                    kind = ("node", value["_label"])
                    cells[name] = value[db.catalog.node(value["_label"]).primary_key]
                else:
                    kind, cells[name] = ("value",), value
                if value is None:
                    kind = self.kinds.get(name, ("value",))
                if self.kinds.setdefault(name, kind) != kind and kind != ("value",):
                    raise QueryError(f"RETURN after a write: {name} is bound to rows of "
                                     "several tables, which is not supported yet")
            self.cells.append(cells)

    def run(self, params: dict, text: str) -> QueryResult:
        rows = [{"__i": i, **{n: v.offset if isinstance(v, RelRef) else v
                              for n, v in cells.items()}}
                for i, cells in enumerate(self.cells)]
        prefix = ["UNWIND $__write_rows AS __r"]
        carried = []
        for name in self.names:
            kind = self.kinds.get(name, ("value",))
            if kind[0] == "node":
                pk = self.db.catalog.node(kind[1]).primary_key
                prefix.append(f"MATCH (`{name}`:`{kind[1]}`) "
                              f"WHERE `{name}`.`{pk}` = __r.`{name}`")
                carried.append(f"`{name}`")
        for name in self.names:
            kind = self.kinds.get(name, ("value",))
            if kind[0] == "rel":
                table, (a, b) = kind[1], kind[2]
                src, dst = (f"`{e}`" for e in self.rel_ends[name]) if name in self.rel_ends \
                    else (f":`{a}`", f":`{b}`")
                prefix.append(f"MATCH ({src})-[`{name}`:`{table}`]->({dst}) "
                              f"WHERE offset(id(`{name}`)) = __r.`{name}`")
                carried.append(f"`{name}`")
            elif kind[0] == "value":
                carried.append(f"__r.`{name}` AS `{name}`")
        keep = ", ".join(carried)
        prefix.append(f"WITH {keep + ', ' if keep else ''}__r.__i AS __i ORDER BY __i")
        kept = ", ".join(f"`{n}`" for n in self.shown)
        prefix.append(f"WITH {kept if kept else '1 AS __one'} RETURN 1")
        head_text = "\n".join(prefix)
        head = parse(head_text)
        query = ast.Query((*head.clauses[:-1], *self.tail))
        params = {**params, "__write_rows": rows}
        return run_query(self.db, query, params, f"{text}\x00write-return\x00{head_text}")
