"""Read syntax Kùzu accepts beyond the basic clauses, differential against Kùzu 0.11.3:
``n.*``, struct literals, ``map()``, ``to_uuid``, ``gen_random_uuid`` (one value per row, also
for rows ruzu counts instead of materialising: that gave 1 where Kùzu gives 9), patterns as
WHERE conditions, UNWIND of a collected list, join hints."""

from __future__ import annotations

import pytest

from .test_recursive_paths import both  # noqa: F401 - the fixture: the same small graph

QUERIES = [
    "MATCH (a:P) RETURN a.*",
    "MATCH (a:P)-[e:K]->(b:P) WHERE a.id = 1 RETURN e.*, b.name",
    "MATCH (a:P)-[e:L]->(c) RETURN a.id, c.*",
    "RETURN {a: 1, b: 'x', c: [1, 2], d: {e: null}}",
    "WITH {a: '1', b: 2, c: [4, 5, 6]} AS st RETURN st.a, st.b * 5, (st.c)[1:2]",
    "MATCH (a:P) RETURN {name: a.name, id: a.id}",
    "RETURN map(['a', 'b'], [1, 2])",
    "RETURN to_uuid('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A12')",
    "MATCH (a:P)-[e:K]->(b:P) WHERE e.since > 2004 AND [1, 2] > [1, 1] RETURN b.id",
    "MATCH (a:P) RETURN count(DISTINCT gen_random_uuid())",
    "MATCH (p1:P)-[:K]->(p2:P) WITH DISTINCT gen_random_uuid() AS x RETURN count(*)",
    "MATCH (p1:P)-[:K]->(:P) WITH DISTINCT p1.name AS x, gen_random_uuid() AS y RETURN count(*)",
    "MATCH (a:P) MATCH (b:P) WHERE (a)-[:K]->(:P) RETURN count(*)",
    "MATCH (a:P) WHERE (a)-[:K]->(:P {id: 2}) RETURN a.id",
    "MATCH (a:P) WHERE NOT (a)<-[:K]-(:P) RETURN a.id",
    "MATCH (a:P) WHERE (a.id + 1) * 2 > 5 RETURN a.id",
    "MATCH (a:P) OPTIONAL MATCH (b:P) WHERE (a)-[:K]->(:P) RETURN count(*)",
    "MATCH (a:P) WHERE a.id < 4 WITH collect(a) AS l UNWIND l AS x RETURN x.name",
    "UNWIND [1, 1, 3] AS x MATCH (a:P)-[e:K]->(:P) WHERE a.id = 1 "
    "WITH collect(DISTINCT e) AS es UNWIND es AS f RETURN f.since",
    "MATCH (p:P) UNWIND [p.id, 1] AS n RETURN n",
    "MATCH (b)-[r]-(a) WHERE a.id = 3 AND b.id = 1 HINT (a JOIN r) JOIN b RETURN r.since",
    "MATCH (b)-[r]-(a) WHERE a.id = 3 AND b.id = 1 HINT a JOIN (r JOIN b) RETURN r.since",
]


def _rows(result) -> list[str]:
    return sorted(repr(r) for r in result.get_all())


@pytest.mark.parametrize("query", QUERIES)
def test_same_answer_as_kuzu(both, query):  # noqa: F811
    db, conn = both
    assert _rows(db.execute(query)) == _rows(conn.execute(query))
