"""A property whose type differs between node tables (INT64 id here, STRING id there) and a
rel table with two FROM/TO pairs: ruzu types and answers as Kùzu does."""

from __future__ import annotations

import pytest

import ruzu

from .conftest import kuzu

STATEMENTS = [
    "CREATE NODE TABLE A(id INT64 PRIMARY KEY, x INT64)",
    "CREATE NODE TABLE B(id STRING PRIMARY KEY)",
    "CREATE REL TABLE R(FROM A TO B, FROM A TO A, w INT64)",
    "COPY A FROM '{d}/a.csv' (HEADER=true)",
    "COPY B FROM '{d}/b.csv' (HEADER=true)",
    "COPY R FROM '{d}/raa.csv' (HEADER=true, from='A', to='A')",
    "COPY R FROM '{d}/rab.csv' (HEADER=true, from='A', to='B')",
]
QUERIES = [
    "MATCH (a:A)-[:R*1..3]->(b) RETURN a.id, label(b), count(*)",
    "MATCH (a:A)-[r:R]->(b) RETURN a.id, b.id, r.w",
    "MATCH (a:A)<-[:R*1..2]-(b) RETURN a.id, b.id, count(*)",
    "MATCH (a)-[:R*2..2]-(b) RETURN count(*)",
    "MATCH (n) RETURN n.id, n.x",
    "MATCH (n) WHERE n.id = '2' RETURN count(*)",
    "MATCH (n) RETURN n.id ORDER BY n.id",
    "MATCH (b:B)<-[:R]-(a:A)-[:R]->(c:A) RETURN b.id, sum(c.x), count(c.x)",
]


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    d = tmp_path_factory.mktemp("mixed")
    (d / "a.csv").write_text("id,x\n1,10\n2,20\n3,\n")
    (d / "b.csv").write_text("id\nb1\nb2\n")
    (d / "raa.csv").write_text("from,to,w\n1,2,5\n2,3,6\n3,1,7\n")
    (d / "rab.csv").write_text("from,to,w\n1,b1,1\n3,b2,2\n")
    db = ruzu.Database(d / "ruzu")
    kdb = kuzu.Database(str(d / "kuzu"))
    conn = kuzu.Connection(kdb)
    for s in STATEMENTS:
        db.execute(s.format(d=d))
        conn.execute(s.format(d=d))
    yield db, conn
    db.close()


@pytest.mark.parametrize("query", QUERIES)
def test_same_answer_as_kuzu(both, query):
    db, conn = both
    ours = sorted(repr(r) for r in db.execute(query).get_all())
    theirs = sorted(
        repr(r).replace("Decimal('", "").replace("')", "") for r in conn.execute(query).get_all()
    )
    assert ours == theirs
