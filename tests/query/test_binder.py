"""The binder on its own (no execution): what a bound query holds, and the static checks it
makes before any row is read (on empty tables, where running could not notice them)."""

from __future__ import annotations

import pytest

import ruzu
from ruzu.errors import CatalogError, QueryError
from ruzu.query.binder.binder import bind
from ruzu.query.binder.steps import MatchStep, ProjectStep, UnwindStep
from ruzu.query.graph import Graph
from ruzu.query.syntax.parser import parse


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    db = ruzu.Database(str(tmp_path_factory.mktemp("binder") / "db"))
    conn = ruzu.Connection(db)
    conn.execute("CREATE NODE TABLE P(id INT64, name STRING, l INT64[], PRIMARY KEY(id))")
    conn.execute("CREATE NODE TABLE C(id INT64, PRIMARY KEY(id))")
    conn.execute("CREATE REL TABLE K(FROM P TO P, since INT64)")
    conn.execute("CREATE REL TABLE L(FROM P TO C)")
    yield Graph(db), conn
    db.close()


def bound(graph, query):
    return bind(graph[0], parse(query), query)


def test_labels_resolve_to_tables_and_where_splits(graph):
    steps = bound(graph, "MATCH (a:P)-[k:K]->(b) WHERE a.id = 1 AND a.id < b.id "
                         "AND k.since > 3 RETURN b.name")
    match, ret = steps
    assert isinstance(match, MatchStep) and isinstance(ret, ProjectStep)
    assert match.nodes["a"].tables == ["P"]
    assert match.nodes["b"].tables == ["P"]  # pruned: K only reaches P
    assert [t.key.name for t in match.rels["k"].traversals] == ["K"]
    assert len(match.nodes["a"].filters) == 1 and len(match.rels["k"].filters) == 1
    assert len(match.predicates) == 1  # a.id < b.id: two variables
    assert match.keep == {"b"}  # only b is read after the MATCH
    assert ret.names == ["b.name"]


def test_unwind_keeps_what_its_list_reads(graph):
    match, unwind, ret = bound(graph, "MATCH (p:P) UNWIND p.l AS n RETURN n")
    assert isinstance(unwind, UnwindStep)
    assert match.keep == {"p"} and unwind.keep == set()


@pytest.mark.parametrize(
    ("query", "error", "message"),
    [
        ("MATCH (a:P) RETURN a.nope", CatalogError, "Cannot find property nope for a"),
        ("MATCH (a:Nope) RETURN a", CatalogError, "Table Nope does not exist"),
        ("MATCH (a:K) RETURN a", CatalogError, "Cannot bind K as a node pattern label"),
        ("MATCH (a:P) RETURN b", QueryError, "Variable b is not in scope"),
        ("MATCH (a:P) RETURN nope(a.id)", QueryError, "function NOPE does not exist"),
        ("MATCH (a:P) RETURN upper(a.name, 1)", QueryError,
         "function UPPER takes 1 arguments, got 2"),
        ("MATCH (a:P) RETURN substring(a.name)", QueryError, "function SUBSTRING takes"),
        ("MATCH (a:P) RETURN sum(a.id, 1)", QueryError, r"SUM\(\) takes one argument"),
        ("MATCH (a:P) RETURN sum(count(a))", QueryError, "contains nested aggregation"),
        ("MATCH (a:P) WHERE count(*) > 1 RETURN a", QueryError, "is not allowed here"),
        ("MATCH (a:P) WITH a.id + 1 RETURN 1", QueryError, "must be aliased"),
    ],
)
def test_static_checks_fail_before_any_row_is_read(graph, query, error, message):
    with pytest.raises(error, match=message):
        bound(graph, query)
    with pytest.raises(error, match=message):  # through execute too, on empty tables
        graph[1].execute(query)
