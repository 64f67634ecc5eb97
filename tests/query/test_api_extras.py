"""Kùzu's Python API extras: ``QueryResult.get_as_networkx`` (differential against Kùzu
0.11.3 on the same graph), ``Connection.set_query_timeout`` and ``Connection.interrupt``."""

from __future__ import annotations

import threading

import pytest

import ruzu
from ruzu.errors import QueryInterruptedError

from .conftest import query_running
from .test_recursive_paths import both  # noqa: F401 - the fixture: the same small graph

nx = pytest.importorskip("networkx")

NETWORKX_QUERIES = [
    "MATCH (a:P)-[e:K]->(b:P) RETURN a, e, b",
    "MATCH (a:P)-[e:L]->(c:C) RETURN a, e, c, a.name",
    "MATCH (a:P)-[e:K*1..2]->(b:P) WHERE a.id = 1 RETURN a, e, b",
    "MATCH (a:P) OPTIONAL MATCH (a)-[e:L]->(c:C) RETURN a, e, c",
]


def _graph_summary(g):
    nodes = sorted((n, sorted((k, repr(v)) for k, v in d.items())) for n, d in g.nodes(data=True))
    edges = sorted(  # an undirected edge may be reported from either end
        (*(sorted((u, v)) if not g.is_directed() else (u, v)),
         sorted((k, repr(x)) for k, x in d.items()))
        for u, v, d in g.edges(data=True)
    )
    return nodes, edges


@pytest.mark.parametrize("query", NETWORKX_QUERIES)
@pytest.mark.parametrize("directed", [True, False])
def test_networkx_as_kuzu(both, query, directed):  # noqa: F811
    db, conn = both
    ours = db.execute(query).get_as_networkx(directed=directed)
    theirs = conn.execute(query).get_as_networkx(directed=directed)
    assert type(ours).__name__ == type(theirs).__name__
    assert _graph_summary(ours) == _graph_summary(theirs)


LONG = "UNWIND RANGE(1, 1000000) AS x UNWIND RANGE(1, 1000000) AS y RETURN count(x + y)"


def test_query_timeout(tmp_path):
    db = ruzu.Database(tmp_path / "db")
    conn = ruzu.Connection(db)
    conn.set_query_timeout(200)
    with pytest.raises(QueryInterruptedError, match="Interrupted"):
        conn.execute(LONG)
    with pytest.raises(RuntimeError, match="Interrupted"):  # a RuntimeError, as Kùzu's
        conn.execute(LONG)
    conn.set_query_timeout(0)
    assert conn.execute("UNWIND RANGE(1, 100) AS x RETURN count(*)").get_all() == [[100]]


def test_interrupt_from_another_thread(tmp_path, monkeypatch):
    db = ruzu.Database(tmp_path / "db")
    conn = ruzu.Connection(db)
    caught = []

    def run():
        try:
            conn.execute(LONG)
        except QueryInterruptedError as e:
            caught.append(e)

    running = query_running(monkeypatch)
    worker = threading.Thread(target=run)
    worker.start()
    assert running.wait(120)
    conn.interrupt()
    worker.join(timeout=120)
    assert not worker.is_alive()
    assert caught and str(caught[0]) == "Interrupted."
    # the next query on the connection runs normally
    assert conn.execute("RETURN 1").get_all() == [[1]]


def test_timeout_argument_checked(tmp_path):
    conn = ruzu.Connection(ruzu.Database(tmp_path / "db"))
    with pytest.raises(ValueError):
        conn.set_query_timeout(-1)


def test_is_closed(tmp_path):
    db = ruzu.Database(tmp_path / "db")
    conn = ruzu.Connection(db)
    assert not conn.is_closed and not db.is_closed
    conn.close()
    assert conn.is_closed
    with pytest.raises(RuntimeError):
        conn.execute("RETURN 1")
    db.close()
    assert db.is_closed


def test_column_types_of_composite_properties(tmp_path):
    (tmp_path / "t.csv").write_text('id,l,d\n1,"[1,2]",3 days\n')
    db = ruzu.Database(tmp_path / "db")
    db.execute("CREATE NODE TABLE T(id INT64 PRIMARY KEY, l INT64[], d INTERVAL)")
    db.execute(f"COPY T FROM '{tmp_path}/t.csv' (HEADER=true)")
    result = db.execute("MATCH (t:T) RETURN t.id, t.l, t.d")
    assert result.get_column_data_types() == ["INT64", "INT64[]", "INTERVAL"]
