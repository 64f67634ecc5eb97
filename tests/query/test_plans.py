"""Plans count paths instead of materialising them where nothing needs the path's nodes."""

from __future__ import annotations

import pytest

import ruzu
from ruzu.query.binder.binder import bind
from ruzu.query.binder.steps import MatchStep
from ruzu.query.graph import Graph
from ruzu.query.plan.match_plan import plan_match
from ruzu.query.plan.ops import Close, CountComponent, Expand, Fold, Scan
from ruzu.query.syntax.parser import parse

from .small_graph import build


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    path = build(tmp_path_factory.mktemp("plans"))
    db = ruzu.Database(path, read_only=True)
    yield Graph(db)
    db.close()


def first_match_plan(graph, query):
    steps = bind(graph, parse(query), query)
    match = next(s for s in steps if isinstance(s, MatchStep))
    return plan_match(match, graph, set())


def kinds(plan):
    return [type(s).__name__ for s in plan]


def test_two_hop_count_is_one_number(graph):
    plan = first_match_plan(
        graph, "MATCH (a:Person)-[:Follows]->(b:Person)-[:Follows]->(c:Person) RETURN count(*)"
    )
    assert kinds(plan) == ["CountComponent"]
    (component,) = plan
    assert isinstance(component, CountComponent)
    assert not any(isinstance(s, Expand) for s in component.steps)


def test_leaf_is_folded_into_weights(graph):
    plan = first_match_plan(
        graph, "MATCH (a:Person)<-[:Follows]-(b:Person) RETURN a.name, count(*)"
    )
    assert kinds(plan) == ["Scan", "Fold"]
    assert isinstance(plan[0], Scan) and plan[0].node == "a"
    assert isinstance(plan[1], Fold) and plan[1].tree.node == "b"


def test_needed_variables_are_expanded(graph):
    plan = first_match_plan(
        graph, "MATCH (a:Person)-[:Follows]->(b:Person)-[:LivesIn]->(c:City) RETURN a.name, c.name"
    )
    assert [type(s) for s in plan].count(Expand) == 2


def test_cycle_is_closed(graph):
    plan = first_match_plan(
        graph, "MATCH (a:Person)-[:Follows]->(b:Person)-[:Follows]->(a) RETURN count(*)"
    )
    assert any(isinstance(s, Close) for s in plan)


def test_primary_key_lookup_is_the_root(graph):
    plan = first_match_plan(
        graph,
        "MATCH (a:Person)-[:Follows]->(b:Person)-[:Follows]->(c:Person {id: 3}) RETURN a.name",
    )
    assert isinstance(plan[0], Scan) and plan[0].node == "c"


def test_aggregated_leaf_is_folded_with_its_aggregates(graph):
    plan = first_match_plan(
        graph, "MATCH (p:Person)-[:LivesIn]->(c:City) RETURN c.name, avg(p.age), max(p.born)"
    )
    assert kinds(plan) == ["Scan", "Fold"]
    fold = plan[1]
    assert [(a.func, a.var, a.key) for a in fold.aggregates] == [
        ("avg", "p", "age"),
        ("max", "p", "born"),
    ]


def test_string_minimum_is_not_folded(graph):
    plan = first_match_plan(
        graph, "MATCH (p:Person)-[:LivesIn]->(c:City) RETURN c.name, min(p.name)"
    )
    assert "Expand" in kinds(plan)
