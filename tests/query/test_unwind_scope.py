"""UNWIND of a list read from a variable the rest of the query does not keep (it was dropped
before the list was read: "Variable p is not in scope"), checked against Kùzu 0.11.3."""

from __future__ import annotations

import os

import pytest

import ruzu

kuzu = pytest.importorskip("kuzu")

QUERIES = [
    "MATCH (p) UNWIND p.l AS n RETURN n",
    "MATCH (p:P) UNWIND p.l AS n RETURN p.id, n",
    "MATCH (p:P) WITH p UNWIND p.l AS n RETURN n",
    "MATCH (p:P) UNWIND p.l AS n RETURN count(*), sum(n)",
    "MATCH (p:P)-[:K]->(q:P) UNWIND q.l AS n RETURN p.id, n",
]


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    base = tmp_path_factory.mktemp("unwind_scope")
    (base / "p.csv").write_text('1,"[1,2]"\n2,"[3]"\n3,"[]"\n4,\n')
    (base / "k.csv").write_text("1,2\n2,1\n3,1\n")
    statements = [
        "CREATE NODE TABLE P(id INT64, l INT64[], PRIMARY KEY(id))",
        "CREATE REL TABLE K(FROM P TO P)",
        f"COPY P FROM '{os.path.join(base, 'p.csv')}'",
        f"COPY K FROM '{os.path.join(base, 'k.csv')}'",
    ]
    ours = ruzu.Connection(ruzu.Database(str(base / "ruzu")))
    theirs = kuzu.Connection(kuzu.Database(str(base / "kuzu")))
    for s in statements:
        ours.execute(s)
        theirs.execute(s)
    return ours, theirs


@pytest.mark.parametrize("query", QUERIES)
def test_unwind_of_a_dropped_variable_matches_kuzu(both, query):
    ours, theirs = both
    expected = sorted(theirs.execute(query).get_all(), key=repr)
    assert sorted(ours.execute(query).get_all(), key=repr) == expected
    assert expected  # the data has lists to unwind
