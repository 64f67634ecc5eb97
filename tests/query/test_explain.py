"""EXPLAIN <query> (one row, one STRING column "explain result", as Kùzu returns it) and
Connection.explain(): the plan of a few queries, pinned line by line."""

from __future__ import annotations

import pytest

import ruzu
from ruzu.errors import QueryError

from .small_graph import build

PLANS = {
    # Nothing returned but the count: the whole two-hop pattern is one number.
    "MATCH (a:Person)-[:Follows]->(b:Person)-[:Follows]->(c:Person) RETURN count(*)": """\
RETURN count(*) AS COUNT_STAR() [aggregate: count(*)]
└─ MATCH [hands on: row counts only]
   └─ COUNT_COMPONENT [one number multiplies the row weights]
      └─ FOLD (a)-[:Follows]->(b:Person) + (b)-[:Follows]->(c:Person) [counted into row weights]
         └─ SCAN a ON Person""",
    # The comparison is checked inside the expansion, which only counts passing edges.
    "MATCH (a:Person)-[:Follows]->(b:Person) WHERE a.age < b.age RETURN count(*)": """\
RETURN count(*) AS COUNT_STAR() [aggregate: count(*)] [MATCHes below may run on several threads]
└─ MATCH [hands on: row counts only]
   └─ FILTER a.age < b.age [checked inside the EXPAND below]
      └─ EXPAND (a)-[:Follows]->(b:Person) [comparison fused: a.age vs b.age] \
[counts matches, rows not produced]
         └─ SCAN a ON Person""",
    # LIMIT without ORDER BY: the scan starts with small blocks.
    "MATCH (a:Person)-[:LivesIn]->(c:City) WHERE a.age > 20 RETURN a.name, c.name LIMIT 1": """\
RETURN a.name, c.name LIMIT 1
└─ MATCH [hands on: a, c]
   └─ EXPAND (a)-[:LivesIn]->(c:City)
      └─ SCAN a ON Person WHERE a.age > 20 [first rows: small blocks first]""",
    "MATCH (p:Person) WITH p, p.age AS x UNWIND [1, 2] AS n "
    "RETURN p.name, n + x ORDER BY p.name DESC": """\
RETURN p.name, n + x AS +(n,x) ORDER BY p.name DESC
└─ UNWIND [1, 2] AS n
   └─ WITH p, p.age AS x
      └─ MATCH [hands on: p]
         └─ SCAN p ON Person""",
    # A primary-key equality is one index lookup; the far node's filter is checked per edge.
    "MATCH (a:Person {id: 1})-[:Follows]->(b:Person) WHERE b.age >= 20 RETURN b.name": """\
RETURN b.name
└─ MATCH [hands on: b]
   └─ EXPAND (a)-[:Follows]->(b:Person) WHERE b.age >= 20
      └─ SCAN a ON Person WHERE a.id = 1 [primary-key lookup]""",
    "MATCH p = (a:Person)-[:LivesIn]->(c:City) RETURN p": """\
RETURN p
└─ MATCH [hands on: a, c, p] [paths: p]
   └─ EXPAND (c)<-[:LivesIn]-(a:Person)
      └─ SCAN c ON City""",
    "MATCH (a:Person), (c:City) RETURN a.name, count(*)": """\
RETURN a.name, count(*) AS COUNT_STAR() [aggregate: count(*)]
└─ MATCH [hands on: a]
   └─ COUNT_COMPONENT [one number multiplies the row weights]
      ├─ SCAN c ON City
      └─ SCAN a ON Person""",
}


@pytest.fixture(scope="module")
def conn(tmp_path_factory):
    db = ruzu.Database(build(tmp_path_factory.mktemp("explain")), read_only=True)
    yield ruzu.Connection(db)
    db.close()


@pytest.mark.parametrize("query", list(PLANS))
def test_plan_is_pinned(conn, query):
    assert conn.explain(query) == PLANS[query]


@pytest.mark.parametrize("query", list(PLANS))
def test_explain_statement_returns_the_plan_as_one_row(conn, query):
    result = conn.execute("EXPLAIN " + query)
    assert result.get_column_names() == ["explain result"]
    assert result.get_all() == [[PLANS[query]]]
    assert conn.execute(query).get_all()  # the query itself still runs (and has rows)


def test_explain_of_a_union_lists_each_branch(conn):
    text = conn.explain("MATCH (a:Person) RETURN a.name UNION ALL MATCH (c:City) RETURN c.name")
    assert text.splitlines() == [
        "RETURN a.name",
        "└─ MATCH [hands on: a]",
        "   └─ SCAN a ON Person",
        "UNION ALL",
        "RETURN c.name",
        "└─ MATCH [hands on: c]",
        "   └─ SCAN c ON City",
    ]


def test_explain_checks_the_query_like_running_it(conn):
    with pytest.raises(ruzu.errors.CatalogError, match="Cannot find property nope for a"):
        conn.execute("EXPLAIN MATCH (a:Person) RETURN a.nope")
    with pytest.raises(QueryError, match="EXPLAIN applies to read queries"):
        conn.explain("CREATE NODE TABLE T(id INT64, PRIMARY KEY(id))")
