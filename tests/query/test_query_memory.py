"""The query memory budget (issue 15, finding 3): a query whose intermediate results outgrow
``query_memory_limit`` stops with QueryMemoryError naming the limit — never the OOM killer.
The runaway query runs in a child process (a broken guard must not take the test run down),
measured with the child's peak resident memory (VmHWM)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

import ruzu
from ruzu.errors import ConfigError, QueryMemoryError
from ruzu.query import memory

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

CHILD = textwrap.dedent("""
    import resource, sys
    import ruzu
    path, limit, where = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    # a safety net below the machine's memory: without it a broken guard would run until the
    # OOM killer; with it numpy's own MemoryError ends the query (with a different message)
    resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))
    if where == "database":
        db = ruzu.Database(path, read_only=True, query_memory_limit=limit)
        conn = ruzu.Connection(db)
    else:
        db = ruzu.Database(path, read_only=True)
        conn = ruzu.Connection(db, query_memory_limit=limit)
    conn.execute("MATCH (a:Person) RETURN count(*)").get_all()  # warm up (JIT, caches)
    try:
        conn.execute("MATCH (a:Person),(b:Person),(c:Person) RETURN a.id, b.id, c.id")
        print("finished")
    except ruzu.QueryMemoryError as e:
        print("QueryMemoryError:", e)
    # still usable afterwards
    print("after", conn.execute("MATCH (a:Person) RETURN count(*)").get_all())
    with open("/proc/self/status") as f:
        print([l for l in f if l.startswith("VmHWM")][0].split()[1])
""")


@pytest.fixture(scope="module")
def persons(tmp_path_factory):
    """3,274 Person nodes: the three-way cartesian product has 35 billion rows."""
    root = tmp_path_factory.mktemp("memory")
    csv = root / "p.csv"
    csv.write_text("id\n" + "".join(f"{i}\n" for i in range(3274)))
    path = str(root / "db")
    with ruzu.Database(path) as db:
        db.create_node_table("Person", [("id", "INT64")], "id")
        db.import_nodes("Person", str(csv))
    return path


@pytest.mark.parametrize("where", ["connection", "database"])
def test_cartesian_product_stops_at_the_budget(persons, where):
    limit = 200 << 20
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run([sys.executable, "-c", CHILD, persons, str(limit), where],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.strip().splitlines()
    assert lines[0].startswith("QueryMemoryError:"), lines
    assert "query memory limit of 200 MB" in lines[0]
    assert lines[1] == "after [[3274]]"
    peak_mb = int(lines[2]) / 1024
    print(f"\nthree-way cartesian of 3,274 nodes, limit 200 MB ({where}): peak {peak_mb:.0f} MB")
    assert peak_mb < 200 + 600  # the interpreter, numba and one chunk on top of the budget


def test_connection_setting_wins_over_the_database(persons):
    with ruzu.Database(persons, read_only=True, query_memory_limit=1) as db:
        with pytest.raises(QueryMemoryError, match="limit of 0 MB"):
            db.execute("MATCH (a:Person),(b:Person) RETURN a.id, b.id").get_all()
        conn = ruzu.Connection(db, query_memory_limit=1 << 30)
        assert conn.execute("MATCH (a:Person),(b:Person) WHERE a.id = 1 AND b.id < 3 "
                            "RETURN count(*)").get_all() == [[3]]


def test_small_queries_run_under_a_small_budget(persons):
    with ruzu.Database(persons, read_only=True) as db:
        conn = ruzu.Connection(db, query_memory_limit=64 << 20)
        assert conn.execute("MATCH (a:Person) WHERE a.id < 5 RETURN a.id ORDER BY a.id"
                            ).get_all() == [[0], [1], [2], [3], [4]]
        assert conn.execute("MATCH (a:Person),(b:Person) RETURN count(*)").get_all() == [
            [3274 * 3274]]


@pytest.mark.parametrize("bad", [0, -5, 1.5, "1GB", True])
def test_invalid_limits_are_config_errors(persons, bad):
    with pytest.raises(ConfigError, match="query_memory_limit"):
        ruzu.Database(persons, read_only=True, query_memory_limit=bad)
    with ruzu.Database(persons, read_only=True) as db, \
            pytest.raises(ConfigError, match="query_memory_limit"):
        ruzu.Connection(db, query_memory_limit=bad)


def test_default_budget_is_a_quarter_of_memory():
    total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    assert 0 < memory.default_limit() <= total // 4
    assert memory.anon_rss() > 0
