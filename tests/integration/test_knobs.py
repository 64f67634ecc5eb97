"""The knobs of the public API do what they say (issue 11): ``Connection(num_threads=)`` and
``set_max_threads_for_exec`` decide how many worker threads a parallel MATCH runs on and how
many threads a COPY parses with (numba's thread count observed inside the parallel parse);
``Database(buffer_pool_size=)`` bounds the query budget and the imports' working memory, or
warns; ``QueryResult.get_as_arrow(chunk_size)`` cuts the table as Kùzu does. Each setting is
observed where it takes effect, and answers do not depend on it."""

from __future__ import annotations

import threading

import numba
import pytest

import ruzu
from ruzu.csv import node_loader
from ruzu.csv import parser as csv_parser
from ruzu.csv.config import MIN_MEMORY_LIMIT, CsvImportConfig
from ruzu.errors import ConfigError
from ruzu.query.exec import driver, parallel
from ruzu.query.exec.projection import Projector
from ruzu.query.memory import MemoryGuard
from ruzu.query.options import QueryOptions, current

N = 400
QUERY = ("MATCH (a:Person)-[:Follows]->(b:Person)-[:Follows]->(c:Person) WHERE c.age > a.age "
         "RETURN a.age % 5 AS g, count(*) AS n ORDER BY g")  # a plan that may run on threads


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    root = tmp_path_factory.mktemp("knobs")
    persons = root / "p.csv"
    persons.write_text("id,age\n" + "".join(f"{i},{20 + i % 37}\n" for i in range(N)))
    follows = root / "f.csv"
    follows.write_text("from,to\n" + "".join(f"{i % N},{(i * 7 + 3) % N}\n"
                                             for i in range(N * 4)))
    path = str(root / "db")
    with ruzu.Database(path) as db:
        db.create_node_table("Person", [("id", "INT64"), ("age", "INT64")], "id")
        db.create_rel_table("Follows", [("Person", "Person")])
        db.import_nodes("Person", str(persons))
        db.import_relationships("Follows", str(follows))
    return {"db": path, "persons": str(persons)}


@pytest.fixture
def worker_calls(monkeypatch):
    """The threads that ran a worker of the parallel MATCH (one aggregation each)."""
    monkeypatch.setattr(parallel, "MIN_ROOT_ROWS", 0)
    monkeypatch.setattr(parallel, "MIN_BLOCK_ROWS", 5)
    monkeypatch.setattr(parallel, "workers", lambda: 2)  # the machine's default, pinned
    calls: list[int] = []
    original = Projector.new_aggregation

    def spy(self):
        if threading.current_thread() is not threading.main_thread():
            calls.append(threading.get_ident())
        return original(self)

    monkeypatch.setattr(Projector, "new_aggregation", spy)
    return calls


def test_num_threads_sets_the_worker_threads_of_a_parallel_match(graph, worker_calls):
    with ruzu.Database(graph["db"], read_only=True) as db:
        answers = {}
        for threads, workers in [(None, 2), (0, 2), (1, 0), (3, 3), (5, 5)]:
            worker_calls.clear()
            conn = ruzu.Connection(db, num_threads=threads)
            answers[threads] = conn.execute(QUERY).get_all()
            assert len(worker_calls) == workers, (threads, worker_calls)
        conn = ruzu.Connection(db, num_threads=4)
        conn.set_max_threads_for_exec(1)  # Kùzu's setter
        worker_calls.clear()
        assert conn.execute(QUERY).get_all() == answers[None]
        assert worker_calls == []
        assert all(a == answers[None] for a in answers.values())
        assert "may run on several threads" in conn.explain(QUERY)


def test_options_are_the_connections_and_only_while_it_runs(graph, monkeypatch):
    seen = []
    original = driver.run_parallel

    def spy(*args):
        seen.append(current())
        return original(*args)

    monkeypatch.setattr(driver, "run_parallel", spy)
    with ruzu.Database(graph["db"], read_only=True) as db:
        conn = ruzu.Connection(db, num_threads=3, query_memory_limit=1 << 30)
        conn.set_query_timeout(5000)
        assert conn.options == QueryOptions(threads=3, timeout_ms=5000, memory_limit=1 << 30)
        assert conn.query_memory_limit == 1 << 30
        conn.execute(QUERY).get_all()
    assert seen and seen[0].options is conn.options and seen[0].deadline is not None
    assert current().options == QueryOptions()  # outside a connection's statement: defaults


@pytest.mark.parametrize("bad", [-1, 1.5, "2", True])
def test_invalid_thread_counts_are_config_errors(graph, bad):
    with ruzu.Database(graph["db"], read_only=True) as db:
        with pytest.raises(ConfigError, match="num_threads"):
            ruzu.Connection(db, num_threads=bad)
        with pytest.raises(ConfigError, match="num_threads"):
            ruzu.Connection(db).set_max_threads_for_exec(bad)


def _spy_config(monkeypatch) -> list[CsvImportConfig]:
    configs = []
    original = node_loader.load_nodes

    def spy(txn, schema, path, config, *rest):
        configs.append(config)
        return original(txn, schema, path, config, *rest)

    monkeypatch.setattr(node_loader, "load_nodes", spy)
    return configs


def test_copy_parses_with_the_connections_threads(graph, tmp_path, monkeypatch):
    configs = _spy_config(monkeypatch)
    with ruzu.Database(tmp_path / "db") as db:
        db.execute("CREATE NODE TABLE Person(id INT64, age INT64, PRIMARY KEY(id))")
        ruzu.Connection(db, num_threads=3).execute(f"COPY Person FROM '{graph['persons']}'")
    with ruzu.Database(tmp_path / "db2") as db:
        db.execute("CREATE NODE TABLE Person(id INT64, age INT64, PRIMARY KEY(id))")
        ruzu.Connection(db, num_threads=3).execute(
            f"COPY Person FROM '{graph['persons']}' (PARALLEL=false)")
    with ruzu.Database(tmp_path / "db3") as db:
        db.execute("CREATE NODE TABLE Person(id INT64, age INT64, PRIMARY KEY(id))")
        db.execute(f"COPY Person FROM '{graph['persons']}'")
        assert db.execute("MATCH (p:Person) RETURN count(*)").get_all() == [[N]]
    assert [c.threads for c in configs] == [3, 1, CsvImportConfig().threads]


def test_parser_threads_set_numbas_thread_count(graph, tmp_path, monkeypatch):
    """The parallel parse runs with numba's thread count set to the config's threads (capped by
    numba's pool), and the caller's count is restored after it."""
    seen = []
    original = csv_parser.K._parse_records_parallel

    def spy(*args):
        seen.append((numba.get_num_threads(), args[-2]))  # (numba's threads, blocks)
        return original(*args)

    monkeypatch.setattr(csv_parser.K, "_parse_records_parallel", spy)
    before = numba.get_num_threads()
    with ruzu.Database(tmp_path / "db") as db:
        db.create_node_table("Person", [("id", "INT64"), ("age", "INT64")], "id")
        db.import_nodes("Person", graph["persons"],
                        config=CsvImportConfig(threads=2, batch_size=50))
        assert db.execute("MATCH (p:Person) RETURN count(*), sum(p.id)").get_all() == [
            [N, N * (N - 1) // 2]]
    assert seen and all(s == (min(2, numba.config.NUMBA_NUM_THREADS), 2) for s in seen), seen
    assert numba.get_num_threads() == before


def test_buffer_pool_size_bounds_the_import_memory(graph, tmp_path, monkeypatch):
    configs = _spy_config(monkeypatch)
    pool = 100 << 20
    with ruzu.Database(tmp_path / "db", buffer_pool_size=pool) as db:
        assert db.query_memory_limit == pool  # the query budget too
        db.create_node_table("Person", [("id", "INT64"), ("age", "INT64")], "id")
        db.import_nodes("Person", graph["persons"])  # default 160 MB: capped
        db.drop_table("Person")
        db.create_node_table("Person", [("id", "INT64"), ("age", "INT64")], "id")
        db.import_nodes("Person", graph["persons"],
                        config=CsvImportConfig(memory_limit=MIN_MEMORY_LIMIT))  # below: kept
    with ruzu.Database(tmp_path / "db2", buffer_pool_size=pool,
                       query_memory_limit=1 << 30) as db:
        assert db.query_memory_limit == 1 << 30  # the explicit budget wins for queries
        db.execute("CREATE NODE TABLE Person(id INT64, age INT64, PRIMARY KEY(id))")
        db.execute(f"COPY Person FROM '{graph['persons']}'")  # COPY goes through it too
    assert [c.memory_limit for c in configs] == [pool, MIN_MEMORY_LIMIT, pool]


def test_a_tiny_buffer_pool_warns_and_bounds_queries(graph):
    # (5,000 bytes: under 4,096 Kùzu refuses the pool, and so does ruzu, with Kùzu's message)
    with pytest.warns(RuntimeWarning, match="buffer_pool_size=5,000 is below"):
        db = ruzu.Database(graph["db"], read_only=True, buffer_pool_size=5000)
    with db:
        assert db._import_config(None).memory_limit == MIN_MEMORY_LIMIT
        assert MemoryGuard(db).limit == 5000  # what a query on it is checked against
        assert MemoryGuard(db).error(2000).args[0].count("limit of 0 MB") == 1


@pytest.mark.parametrize("bad", [-1, 1.5, "1GB", True])
def test_invalid_buffer_pool_sizes_are_config_errors(graph, bad):
    with pytest.raises(ConfigError, match="buffer_pool_size"):
        ruzu.Database(graph["db"], read_only=True, buffer_pool_size=bad)


def test_buffer_pool_size_zero_is_the_default(graph):
    with ruzu.Database(graph["db"], read_only=True, buffer_pool_size=0) as db:
        assert db.buffer_pool_size is None and db.query_memory_limit is None
        assert db._import_config(None) == CsvImportConfig()


def test_get_as_arrow_chunks_as_kuzu_does(graph):
    with ruzu.Database(graph["db"], read_only=True) as db:
        query = "MATCH (p:Person) RETURN p.id, p.age ORDER BY p.id"
        whole = db.execute(query).get_as_arrow(0)
        assert whole.num_rows == N and all(c.num_chunks == 1 for c in whole.columns)
        cut = db.execute(query).get_as_arrow(64)
        assert [len(b) for b in cut.to_batches()] == [64] * (N // 64) + [N % 64]
        assert cut.equals(whole)
        assert db.execute(query).get_as_arrow().column(0).num_chunks == 1  # 5 M rows a chunk
        assert db.execute(query).get_as_arrow(-1).equals(whole)
