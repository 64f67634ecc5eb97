"""Cypher's write clauses as Kùzu runs them: ``[reads] CREATE … | MERGE … [RETURN …]``.

How a write statement runs, as one transaction:

1. The reading part (MATCH, UNWIND, WITH before the first write clause) runs as a read query
   that returns, per row, the bound nodes the writes use and the value of every property
   expression of the writes (``$parameters`` included), all evaluated by the query engine.
2. Per row, the CREATE patterns give new nodes and relationships (``creation.Creations``);
   a MERGE pattern first looks for a match (``merge.py``) and creates only where there is none.
3. The new rows are appended by the importer (node tables first, then relationship tables)
   in one transaction: a duplicate primary key, a NULL key or a bad value raises and leaves
   the database exactly as it was.
4. A RETURN after the writes runs as a read query on the committed database, over the rows
   the writes bound (``write_return.py``).

SET, DELETE and DETACH DELETE are refused with an error naming the clause (ruzu's storage is
append-only)."""

from __future__ import annotations

from ..errors import QueryError
from ..query import QueryResult, ast, run_query
from .creation import Creations, PatternWriter
from .write_return import run_tail, tail_variables

_UNSUPPORTED = {ast.SetClause: "SET", ast.Delete: "DELETE"}


def run_write(db, query: ast.Query, params: dict, text: str) -> QueryResult:
    reads, writes, tail = _split(query)
    for clause in writes:
        name = _UNSUPPORTED.get(type(clause))
        if name is not None:
            if name == "DELETE" and clause.detach:
                name = "DETACH DELETE"
            raise QueryError(f"{name} is not supported: ruzu's tables are append-only "
                             "(CREATE, MERGE and COPY add rows)")
        if isinstance(clause, ast.Merge) and clause.on_match:
            raise QueryError("MERGE … ON MATCH SET is not supported: ruzu's tables are "
                             "append-only (SET cannot change a stored row)")
    bound = _bound_variables(reads)
    writer = PatternWriter(db, bound)
    for clause in writes:
        writer.add(clause)
    db._check_writable()
    names = []
    if tail:
        visible = [*sorted(bound), *writer.declared]
        names = tail_variables(tail, visible)
        for name in names:
            if name in bound:
                writer.columns.setdefault(f"__v_{name}", ast.Variable(name))
    rows = _evaluate(db, reads, writer, params, text)
    creations = Creations(db)
    bindings = [(row, env) for row in rows for env in writer.apply(row, creations)]
    creations.commit()
    if tail:
        return run_tail(db, tail, bindings, names, writer.rel_ends, params, text)
    return QueryResult.from_rows([], [])


def _split(query: ast.Query):
    clauses = list(query.clauses)
    first = next(i for i, c in enumerate(clauses) if isinstance(c, ast.WRITE_CLAUSES))
    end = first
    while end < len(clauses) and isinstance(clauses[end], ast.WRITE_CLAUSES):
        end += 1
    reads, writes, tail = clauses[:first], clauses[first:end], clauses[end:]
    if any(isinstance(c, ast.WRITE_CLAUSES) for c in tail):
        raise QueryError("a write clause after WITH/MATCH following another write clause is "
                         "not supported: put the reading clauses first")
    if tail and not isinstance(tail[-1], ast.Return):
        raise QueryError("Query must conclude with a RETURN clause.")
    return reads, writes, tail


def _bound_variables(reads) -> set[str]:
    """The variables the reading clauses leave bound."""
    bound: set[str] = set()
    for clause in reads:
        if isinstance(clause, ast.Match):
            for path in clause.patterns:
                bound.update(n.variable for n in path.nodes if n.variable)
                bound.update(r.variable for r in path.rels if r.variable)
                if path.variable:
                    bound.add(path.variable)
        elif isinstance(clause, ast.Unwind):
            bound.add(clause.alias)
        elif isinstance(clause, ast.With):
            kept = set(bound) if clause.projection.star else set()
            for item in clause.projection.items:
                if item.alias:
                    kept.add(item.alias)
                elif isinstance(item.expr, ast.Variable):
                    kept.add(item.expr.name)
            bound = kept
    return bound


def _evaluate(db, reads, writer: PatternWriter, params: dict, text: str) -> list[dict]:
    """One dict per row of the reading part: ``writer.columns`` names → values."""
    names = ["__row"] + list(writer.columns)
    items = [ast.ProjectionItem(ast.Literal(1), "__row", "__row")]
    items += [ast.ProjectionItem(expr, name, name) for name, expr in writer.columns.items()]
    query = ast.Query((*reads, ast.Return(ast.Projection(tuple(items)))))
    result = run_query(db, query, params, f"{text}\x00write-values")
    return [dict(zip(names, row, strict=True)) for row in result.get_all()]
