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

SET n.p = … on nodes rewrites the changed tables in the same transaction (``set_props.py``),
and so do DELETE and DETACH DELETE (``delete.py``)."""

from __future__ import annotations

from ..errors import QueryError
from ..query import QueryResult, ast, run_query
from .creation import Creations, PatternWriter
from .delete import Deletions
from .write_return import TailPlan, tail_variables


def run_write(db, query: ast.Query, params: dict, text: str) -> QueryResult:
    reads, writes, tail = _split(query)
    if any(isinstance(c, ast.Delete) for c in writes):
        return _run_delete(db, reads, writes, tail, params, text)
    bound = _bound_variables(reads)
    writer = PatternWriter(db, bound)
    writer.bound_rels = {r.variable for c in reads if isinstance(c, ast.Match)
                         for p in c.patterns for r in p.rels if r.variable} & bound
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
    plan = TailPlan(db, tail, bindings, names, writer.rel_ends) if tail else None
    creations.commit()
    if plan is not None:
        return plan.run(params, text)
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


def _run_delete(db, reads, writes, tail, params: dict, text: str) -> QueryResult:
    """[reads] DELETE a, … / DETACH DELETE a, … (delete.py)."""
    if tail or not all(isinstance(c, ast.Delete) for c in writes):
        raise QueryError("DELETE together with RETURN or with CREATE, MERGE or SET in one "
                         "statement is not supported: run them as separate statements")
    bound = _bound_variables(reads)
    names = []
    for clause in writes:
        for expr in clause.expressions:
            if not isinstance(expr, ast.Variable):
                raise QueryError("DELETE takes node or relationship variables")
            if expr.name not in bound:
                raise QueryError(f"Binder exception: Variable {expr.name} is not in scope.")
            names.append(expr.name)
    db._check_writable()
    items = [ast.ProjectionItem(ast.Variable(n), f"__v_{n}", n) for n in dict.fromkeys(names)]
    query = ast.Query((*reads, ast.Return(ast.Projection(tuple(items)))))
    result = run_query(db, query, params, f"{text}\x00delete-values")
    deletions = Deletions(db, detach=all(c.detach for c in writes))
    for row in result.get_all():
        for name, value in zip(dict.fromkeys(names), row, strict=True):
            deletions.add(name, value)
    deletions.commit()
    return QueryResult.from_rows([], [])
