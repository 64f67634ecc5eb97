"""Cypher over composite properties, against Kùzu 0.11.3 on Kùzu's tinysnb dataset: indexing,
slicing, list functions, UNWIND of a list property, struct fields, map lookup, comparisons,
ordering, collect()."""

from __future__ import annotations

import os

import kuzu
import pytest

import ruzu
from tests.coltypes.test_tinysnb import DATASET, KUZU_SRC, _statements

pytestmark = pytest.mark.skipif(not os.path.isdir(DATASET), reason="Kùzu's source not present")

QUERIES = [
    "MATCH (p:person) RETURN p.ID, p.workedHours[1], p.workedHours[-1], p.workedHours[2:], "
    "p.workedHours[:1], p.workedHours[1:2], size(p.usedNames)",
    "MATCH (p:person) RETURN p.ID, list_sort(p.workedHours), list_sort(p.workedHours, 'DESC'), "
    "list_reverse_sort(p.workedHours), list_distinct(p.workedHours), list_unique(p.workedHours)",
    "MATCH (p:person) RETURN p.ID, list_contains(p.workedHours, 5), list_position(p.grades, 88), "
    "list_sum(p.grades), list_reverse(p.usedNames), list_concat(p.workedHours, p.workedHours)",
    "MATCH (p:person) RETURN p.ID, p.courseScoresPerTerm[1], "
    "list_extract(p.courseScoresPerTerm, 1)[1]",
    "MATCH (p:person) UNWIND p.workedHours AS h RETURN p.ID, h",
    "MATCH (p:person) UNWIND p.usedNames AS n RETURN p.ID, n",
    "MATCH (o:organisation) RETURN o.ID, o.state.revenue, o.state.stock.price, "
    "struct_extract(o.state, 'location'), o.state.stock",
    "MATCH (m:movies) RETURN m.name, map_extract(m.audience, 'audience1'), "
    "element_at(m.audience, 'audience53'), map_keys(m.audience), map_values(m.audience), "
    "cardinality(m.audience), m.description.hugedata, m.description.release_ns",
    "MATCH (p:person) WHERE p.grades = [96,54,86,92] RETURN p.ID",
    "MATCH (p:person) WHERE p.workedHours < [3] RETURN p.ID, p.workedHours",
    "MATCH (p:person) WHERE list_contains(p.usedNames, 'Aida') RETURN p.fName",
    "MATCH (o:organisation) WHERE o.state.revenue > 140 RETURN o.ID",
    "MATCH (p:person) RETURN p.usedNames, count(*)",
    "MATCH (p:person) RETURN collect(p.age)",
    "MATCH (p:person) WITH collect(p.age) AS ages RETURN size(ages), list_sort(ages)[1], "
    "list_contains(ages, 35), list_distinct(ages)",
    "MATCH (p:person)-[k:knows]->(q:person) RETURN p.ID, q.ID, k.comments, k.summary, "
    "k.someMap, k.validInterval, k.notes",
    "MATCH (a:person)-[e:meets]->(b:person) RETURN a.ID, b.ID, e.location, e.data",
    "MATCH (a:person)-[e:studyAt]->(b:organisation) RETURN a.ID, e.places, e.hugedata",
    "MATCH (p:person) RETURN p.ID, p.u, p.lastJobDuration, p.height",
]


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    here = os.getcwd()
    os.chdir(KUZU_SRC)
    try:
        kconn = kuzu.Connection(kuzu.Database(":memory:"))
        db = ruzu.Database(tmp_path_factory.mktemp("tiny") / "db")
        for stmt in _statements("schema.cypher") + _statements("copy.cypher"):
            kconn.execute(stmt)
            db.execute(stmt)
    finally:
        os.chdir(here)
    yield kconn, db
    db.close()


@pytest.mark.parametrize("query", QUERIES)
def test_same_answer_as_kuzu(both, query):
    kconn, db = both
    expected = kconn.execute(query).get_all()
    got = db.execute(query).get_all()
    if "ORDER BY" not in query:
        expected, got = sorted(map(repr, expected)), sorted(map(repr, got))
    assert got == expected
