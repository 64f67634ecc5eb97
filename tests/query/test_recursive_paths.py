"""Recursive relationships with their paths, differential against Kùzu 0.11.3: variable-length
rel variables and named paths (length, nodes, rels, properties), per-hop filters, TRAIL and
ACYCLIC, SHORTEST / ALL SHORTEST and weighted shortest paths, on a small graph with cycles,
parallel edges and two rel tables."""

from __future__ import annotations

import pytest

import ruzu
from ruzu.errors import QueryError

from .conftest import kuzu

STATEMENTS = [
    "CREATE NODE TABLE P(id INT64 PRIMARY KEY, name STRING)",
    "CREATE NODE TABLE C(id INT64 PRIMARY KEY, name STRING)",
    "CREATE REL TABLE K(FROM P TO P, w INT64, since INT64)",
    "CREATE REL TABLE L(FROM P TO C, w DOUBLE)",
    "COPY P FROM '{d}/p.csv' (HEADER=true)",
    "COPY C FROM '{d}/c.csv' (HEADER=true)",
    "COPY K FROM '{d}/k.csv' (HEADER=true)",
    "COPY L FROM '{d}/l.csv' (HEADER=true)",
]
PEOPLE = "id,name\n1,a\n2,b\n3,c\n4,d\n5,e\n6,f\n"
CITIES = "id,name\n10,x\n11,y\n"
KNOWS = (
    "from,to,w,since\n1,2,1,2000\n2,3,2,2001\n3,1,3,2002\n2,4,1,2003\n4,2,5,2004\n"
    "3,5,1,2005\n1,3,9,2006\n5,6,2,2007\n4,5,1,2008\n"
)
LIVES = "from,to,w\n1,10,1.5\n3,10,0.5\n5,11,2.0\n6,11,1.0\n"

QUERIES = [
    # variable-length rel variables and their functions
    "MATCH (a:P)-[e:K*1..3]->(b:P) WHERE a.id = 1 RETURN b.id, length(e), "
    "properties(nodes(e), 'id'), properties(rels(e), 'since')",
    "MATCH (a:P)-[e:K*2..2]-(b:P) WHERE a.id = 2 RETURN b.id, properties(rels(e), 'since')",
    "MATCH (b:P)<-[e:K*1..2]-(a:P) WHERE a.id = 1 RETURN b.id, properties(nodes(e), 'id'), "
    "properties(rels(e), 'since')",
    "MATCH (a:P)-[e:K*0..1]->(b:P) WHERE a.id = 4 RETURN b.id, length(e), size(nodes(e))",
    "MATCH (a:P)-[e:K*1..2]->(b:P) WHERE a.id = 1 RETURN e",
    "MATCH (a:P)-[e*1..2]->(b) WHERE a.id = 1 RETURN label(b), b.id, properties(rels(e), 'w')",
    "MATCH (a:P)-[e:K*1..3]->(b:P) WHERE length(e) = 2 RETURN a.id, b.id, count(*)",
    "MATCH (a:P)-[e:K*1..3]->(b:P) RETURN count(DISTINCT b), count(*)",
    # named paths
    "MATCH p = (a:P)-[e:K*1..2]->(b:P) WHERE a.id = 3 RETURN properties(nodes(p), 'id'), "
    "length(p), length(e)",
    "MATCH p = (a:P)-[:K*1..2]->(b:P)-[:L]->(c:C) WHERE a.id = 2 RETURN "
    "properties(nodes(p), 'name'), properties(rels(p), 'since')",
    "MATCH p = (b:P)<-[:K*2..2]-(a:P) WHERE a.id = 1 RETURN properties(nodes(p), 'id')",
    "MATCH p = (a:P)-[:K*0..1]->(b:P) WHERE a.id = 6 RETURN properties(nodes(p), 'id'), length(p)",
    # per-hop filters
    "MATCH (a:P)-[e:K*1..3 (r, n | WHERE r.w < 3)]->(b:P) WHERE a.id = 1 RETURN b.id, "
    "properties(rels(e), 'w')",
    "MATCH (a:P)-[e:K*1..3 (r, n | WHERE n.id <> 2)]->(b:P) WHERE a.id = 1 RETURN b.id, "
    "properties(nodes(e), 'id')",
    "MATCH (a:P)-[e:K*1..2 (r, n | WHERE r.since > 2001 | {r.w}, {n.name})]->(b:P) "
    "WHERE a.id = 3 RETURN e",
    "MATCH (a:P)-[e:K*1..2 {w: 1}]->(b:P) RETURN a.id, b.id, length(e)",
    "MATCH (a:P)-[:K*1..3 (r, n | WHERE n.name <> 'c')]->(b:P) RETURN a.id, count(*)",
    # semantics
    "MATCH (a:P)-[e:K* TRAIL 1..4]->(b:P) WHERE a.id = 1 RETURN b.id, count(*)",
    "MATCH (a:P)-[e:K* ACYCLIC 1..4]->(b:P) WHERE a.id = 2 RETURN b.id, count(*)",
    "MATCH (a:P)-[e:K* TRAIL 1..3]-(b:P) WHERE a.id = 4 RETURN count(*)",
    # shortest paths
    "MATCH (a:P)-[e:K* SHORTEST 1..5]->(b:P) WHERE a.id = 1 RETURN b.id, length(e)",
    "MATCH (a:P)-[e:K* ALL SHORTEST 1..5]->(b:P) WHERE a.id = 1 RETURN b.id, length(e), "
    "properties(nodes(e), 'id')",
    "MATCH (a:P)-[e:K* ALL SHORTEST 1..5]-(b:P) WHERE a.id = 6 RETURN b.id, count(*)",
    "MATCH (a:P)-[e* SHORTEST 1..5]->(b) WHERE a.id = 2 RETURN label(b), b.id, length(e)",
    "MATCH (a:P)-[e:K* SHORTEST 1..2]->(b:P) RETURN a.id, b.id, length(e)",
    "MATCH (a:P)-[e:K* ALL SHORTEST 1..5 (r, n | WHERE n.id <> 2)]->(b:P) WHERE a.id = 1 "
    "RETURN b.id, properties(nodes(e), 'id')",
    "MATCH p = (a:P)-[e:K* WSHORTEST(w)]->(b:P) WHERE a.id = 1 RETURN b.id, cost(e), "
    "properties(nodes(p), 'id')",
    "MATCH (a:P)-[e:K* ALL WSHORTEST(w)]->(b:P) WHERE a.id = 2 RETURN b.id, cost(e), "
    "properties(rels(e), 'since')",
    "MATCH (a:P)-[e:K* WSHORTEST(w)]->(b:P) RETURN a.id, b.id, cost(e)",
    "MATCH (a:P)-[e:K* SHORTEST 1..5]->(b:P) WHERE a.id = 1 AND b.id = 6 RETURN "
    "properties(nodes(e), 'id')",
    # join hints are accepted and do not change the answer
    "MATCH (a:P)-[r:K]->(b:P) WHERE a.id = 1 HINT (a JOIN r) JOIN b RETURN b.id",
]


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    d = tmp_path_factory.mktemp("recursive")
    (d / "p.csv").write_text(PEOPLE)
    (d / "c.csv").write_text(CITIES)
    (d / "k.csv").write_text(KNOWS)
    (d / "l.csv").write_text(LIVES)
    db = ruzu.Database(d / "ruzu")
    kdb = kuzu.Database(str(d / "kuzu"))
    conn = kuzu.Connection(kdb)
    for s in STATEMENTS:
        db.execute(s.format(d=d))
        conn.execute(s.format(d=d))
    yield db, conn
    db.close()


def _rows(result) -> list[str]:
    return sorted(repr(r) for r in result.get_all())


@pytest.mark.parametrize("query", QUERIES)
def test_same_answer_as_kuzu(both, query):
    db, conn = both
    assert _rows(db.execute(query)) == _rows(conn.execute(query))


@pytest.mark.parametrize(
    "query",
    [
        "MATCH (a:P)-[e:K* SHORTEST 2..3]->(b:P) RETURN b.id",
        "MATCH (a:P)-[e:K* WSHORTEST(since2)]->(b:P) RETURN b.id",
        "MATCH (a:P)-[e:K*1..2 (r, n | WHERE r.w = n.id)]->(b:P) RETURN b.id",
    ],
)
def test_errors_where_kuzu_raises(both, query):
    db, conn = both
    with pytest.raises(RuntimeError):
        conn.execute(query)
    with pytest.raises(QueryError):
        db.execute(query)


def test_path_enumeration_respects_the_memory_budget(tmp_path):
    """Returning every 1..5-hop walk of a complete graph on 40 nodes would need ~10^8 paths
    (~3 GB) from one source: the query stops with QueryMemoryError before allocating them."""
    from ruzu.errors import QueryMemoryError

    n = 40
    (tmp_path / "n.csv").write_text("id\n" + "".join(f"{i}\n" for i in range(n)))
    (tmp_path / "e.csv").write_text(
        "from,to\n" + "".join(f"{i},{j}\n" for i in range(n) for j in range(n) if i != j)
    )
    db = ruzu.Database(tmp_path / "db")
    db.execute("CREATE NODE TABLE N(id INT64 PRIMARY KEY)")
    db.execute("CREATE REL TABLE E(FROM N TO N)")
    db.execute(f"COPY N FROM '{tmp_path}/n.csv' (HEADER=true)")
    db.execute(f"COPY E FROM '{tmp_path}/e.csv' (HEADER=true)")
    conn = ruzu.Connection(db, query_memory_limit=200 * 2**20)
    with pytest.raises(QueryMemoryError):
        conn.execute("MATCH (a:N)-[e:E*1..5]->(b:N) WHERE a.id = 0 RETURN length(e)")
    # a bounded question on the same graph still runs
    rows = conn.execute("MATCH (a:N)-[e:E*1..2]->(b:N) WHERE a.id = 0 RETURN count(*)").get_all()
    assert rows == [[(n - 1) + (n - 1) * (n - 1)]]
