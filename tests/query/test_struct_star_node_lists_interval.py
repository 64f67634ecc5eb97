"""Differential against Kùzu 0.11.3: ``a.s.*`` on a STRUCT property (one column per field,
named ``STRUCT_EXTRACT(a.s,f)`` as Kùzu names them), UNWIND of a list of nodes followed by a
MATCH on the unwound node, and ``CAST(x AS INTERVAL)`` (the interval text parser COPY uses)."""

from __future__ import annotations

import pytest

import ruzu
from ruzu.errors import QueryError

from .conftest import kuzu

STATEMENTS = [
    "CREATE NODE TABLE P(id INT64 PRIMARY KEY, name STRING, "
    "s STRUCT(a INT64, b STRUCT(x STRING, y INT64), c INT64[]))",
    "CREATE NODE TABLE C(id INT64 PRIMARY KEY, name STRING)",
    "CREATE REL TABLE K(FROM P TO P, since INT64, r STRUCT(w DOUBLE, tag STRING))",
    "CREATE REL TABLE L(FROM P TO C)",
    "COPY P FROM '{d}/p.csv' (HEADER=true)",
    "COPY C FROM '{d}/c.csv' (HEADER=true)",
    "COPY K FROM '{d}/k.csv' (HEADER=true)",
    "COPY L FROM '{d}/l.csv' (HEADER=true)",
]
PEOPLE = (
    'id,name,s\n1,a,"{a: 3, b: {x: q, y: 4}, c: [1,2]}"\n2,b,"{a: 5, b: {x: r, y: 6}, c: []}"\n'
    '3,c,"{a: 7, b: {x: t, y: 8}, c: [3]}"\n4,d,"{a: 9, b: {x: u, y: 1}, c: [4,5,6]}"\n'
)
CITIES = "id,name\n10,x\n11,y\n"
KNOWS = ('from,to,since,r\n1,2,2000,"{w: 1.5, tag: p}"\n2,3,2001,"{w: 2.5, tag: q}"\n'
         '3,1,2002,"{w: 0.5, tag: r}"\n1,4,2003,"{w: 3.0, tag: s}"\n4,2,2004,"{w: 1.0, tag: t}"\n')
LIVES = "from,to\n1,10\n2,10\n3,11\n"

QUERIES = [
    # STRUCT star
    "MATCH (a:P) RETURN a.s.*",
    "MATCH (a:P) RETURN a.id, a.s.b.*",
    "MATCH (a:P) WHERE a.id > 2 RETURN a.s.B.*, a.name",
    "MATCH (a:P)-[k:K]->(b:P) RETURN a.id, b.id, k.r.*",
    # UNWIND a list of nodes, then MATCH on them
    "MATCH (a:P) WHERE a.id < 3 WITH collect(a) AS ps UNWIND ps AS p "
    "MATCH (p)-[:K]->(b:P) RETURN p.id, b.id",
    "MATCH (a:P)-[:K]->(b:P) WITH a, collect(b) AS bs UNWIND bs AS x "
    "MATCH (x)-[:K]->(y:P) RETURN a.id, x.id, y.id",
    "MATCH (a:P) WITH collect(a) AS ps UNWIND ps AS p MATCH (p:P)-[:K]->(b:P) "
    "WHERE b.id > 1 RETURN p.id, count(*)",
    "MATCH (a:P) WITH collect(a) AS ps UNWIND ps AS p MATCH (p)-[:L]->(c:C) "
    "RETURN p.name, c.name",
    "MATCH (a:P) WITH collect(a) AS ps WITH ps UNWIND ps AS p RETURN p.id, p.s.a",
    # CAST to INTERVAL
    "RETURN CAST('1 year 2 days' AS INTERVAL)",
    "RETURN CAST('3 hours 20 minutes' AS INTERVAL), CAST('2 weeks 3.5 days' AS INTERVAL)",
    "RETURN CAST('1 decade 04:05:06.5' AS INTERVAL)",
    "UNWIND ['1 day', '36 hours', NULL, '2 mons', '@ 3 mins 10 secs'] AS s "
    "RETURN CAST(s AS INTERVAL)",
    "RETURN CAST(CAST('5 days' AS INTERVAL) AS INTERVAL) AS twice",
    "MATCH (a:P) RETURN a.id, CAST(concat(CAST(a.s.a AS STRING), ' days') AS INTERVAL)",
]


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    d = tmp_path_factory.mktemp("struct-star")
    (d / "p.csv").write_text(PEOPLE)
    (d / "c.csv").write_text(CITIES)
    (d / "k.csv").write_text(KNOWS)
    (d / "l.csv").write_text(LIVES)
    db = ruzu.Database(d / "ruzu")
    conn = kuzu.Connection(kuzu.Database(str(d / "kuzu")))
    for s in STATEMENTS:
        db.execute(s.format(d=d))
        conn.execute(s.format(d=d))
    yield db, conn
    db.close()


@pytest.mark.parametrize("query", QUERIES)
def test_same_answer_as_kuzu(both, query):
    db, conn = both
    ours, theirs = db.execute(query), conn.execute(query)
    if "collect" not in query:  # (Kùzu names an unwound node's p.id STRUCT_EXTRACT(p,id))
        assert ours.get_column_names() == theirs.get_column_names()
    rows = sorted(repr(r) for r in ours.get_all())
    assert rows == sorted(repr(r) for r in theirs.get_all())
    assert rows


@pytest.mark.parametrize(
    "query",
    [
        "MATCH (a:P) RETURN a.id.*",
        "MATCH (a:P) RETURN a.s.a.*",
        "RETURN CAST('xyz' AS INTERVAL)",
        "RETURN CAST('1 fortnight' AS INTERVAL)",
        "RETURN CAST(3 AS INTERVAL)",
    ],
)
def test_errors_where_kuzu_raises(both, query):
    db, conn = both
    with pytest.raises(RuntimeError):
        conn.execute(query)
    with pytest.raises(QueryError):
        db.execute(query)
