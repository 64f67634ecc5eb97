"""Checked integer arithmetic (issue 15, finding 4): INT64 overflow in arithmetic, SUM, COUNT
and path counts raises IntegerOverflowError, never a wrapped number. Arithmetic is compared
with Kùzu 0.11.3 (which raises "Overflow exception" for the same expressions); path counts
with exact Python integers."""

from __future__ import annotations

import pytest

import ruzu
from ruzu.errors import IntegerOverflowError, QueryMemoryError

kuzu = pytest.importorskip("kuzu")

MAX = 2**63 - 1
OVERFLOWING = [
    f"RETURN {MAX} + 1",
    f"RETURN {MAX} * 2",
    f"RETURN -{MAX} - 2",
    f"RETURN abs(-{MAX} - 1)",
    f"RETURN -(-{MAX} - 1)",
    "UNWIND [2, 3] AS x RETURN sum(x * 4611686018427387904)",
    f"UNWIND [1, -3, 7] AS x RETURN x * {MAX // 5}",
    f"UNWIND [5, -7] AS x RETURN x - {MAX}",
]
FITTING = [
    f"RETURN {MAX} - 1 + 1",
    f"RETURN -{MAX} - 1",
    "RETURN 3037000499 * 3037000499",
    "RETURN -3037000499 * 3037000499",
    f"UNWIND [1, 2, 3] AS x RETURN x * {MAX // 3}",
    f"RETURN {MAX} / -1",
    "UNWIND [1, 2] AS x RETURN sum(x)",
]


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    root = tmp_path_factory.mktemp("overflow")
    db = ruzu.Database(str(root / "ruzu"))
    kdb = kuzu.Database(str(root / "kuzu"))
    yield db, kuzu.Connection(kdb)
    db.close()


@pytest.mark.parametrize("query", OVERFLOWING)
def test_overflow_raises_as_in_kuzu(engines, query):
    db, kconn = engines
    with pytest.raises(RuntimeError, match="Overflow exception"):
        kconn.execute(query)
    with pytest.raises(IntegerOverflowError, match="Overflow exception.*INT64 range"):
        db.execute(query).get_all()


@pytest.mark.parametrize("query", FITTING)
def test_results_near_the_limits_match_kuzu(engines, query):
    db, kconn = engines
    assert db.execute(query).get_all() == kconn.execute(query).get_all()


def test_sum_beyond_int64_is_exact_as_in_kuzu(engines):
    """Kùzu sums INT64 into INT128: the exact sum, never a wrapped one."""
    db, kconn = engines
    for query in [f"UNWIND [{MAX}, 1] AS x RETURN sum(x)",
                  f"UNWIND [-{MAX}, -5] AS x RETURN sum(x)"]:
        assert db.execute(query).get_all() == kconn.execute(query).get_all()


def test_sum_over_uint64_is_exact(tmp_path):
    (tmp_path / "u.csv").write_text(f"id,u\n1,{2**64 - 1}\n2,1\n3,5\n")
    with ruzu.Database(tmp_path / "db") as db:
        db.create_node_table("U", [("id", "INT64"), ("u", "UINT64")], "id")
        db.import_nodes("U", str(tmp_path / "u.csv"))
        assert db.execute("MATCH (n:U) RETURN sum(n.u)").get_all() == [[2**64 + 5]]
        assert db.execute("MATCH (n:U) WHERE n.id > 1 RETURN sum(n.u)").get_all() == [[6]]


@pytest.fixture(scope="module")
def dense(tmp_path_factory):
    """40 nodes, i → j when i ≠ j and (i + j) % 3 ≠ 0: walk counts grow ~26× per hop."""
    root = tmp_path_factory.mktemp("paths")
    n = 40
    adj = [[j for j in range(n) if i != j and (i + j) % 3] for i in range(n)]
    (root / "n.csv").write_text("id\n" + "".join(f"{i}\n" for i in range(n)))
    (root / "e.csv").write_text("from,to\n" + "".join(
        f"{i},{j}\n" for i in range(n) for j in adj[i]))
    db = ruzu.Database(str(root / "db"))
    db.create_node_table("P", [("id", "INT64")], "id")
    db.create_rel_table("K", [("P", "P")])
    db.import_nodes("P", str(root / "n.csv"))
    db.import_relationships("K", str(root / "e.csv"))
    yield db, adj
    db.close()


def exact_walks(adj, hops: int, start: int | None = None) -> int:
    """Walks of 1…hops edges (from ``start`` or from every node), in Python integers."""
    n = len(adj)
    ends = [1] * n  # walks of length h ending anywhere, counted from each node
    total = 0
    for _ in range(hops):
        ends = [sum(ends[j] for j in adj[i]) for i in range(n)]
        total += ends[start] if start is not None else sum(ends)
    return total


@pytest.mark.parametrize("hops", [3, 12, 13, 60])
def test_path_counts_are_exact_or_raise(dense, hops):
    db, adj = dense
    cases = [(f"MATCH (a:P)-[:K*1..{hops}]->(b:P) RETURN count(*)", exact_walks(adj, hops)),
             (f"MATCH (a:P)-[:K*1..{hops}]->(b:P) WHERE a.id = 7 RETURN count(*)",
              exact_walks(adj, hops, 7))]
    for query, want in cases:
        if want <= MAX:
            assert db.execute(query).get_all() == [[want]]
        else:
            with pytest.raises(IntegerOverflowError, match="not within INT64"):
                db.execute(query).get_all()
    if cases[0][1] > MAX:  # rows written out one by one: too many to count, or to hold
        with pytest.raises((IntegerOverflowError, QueryMemoryError)):
            db.execute(f"MATCH (a:P)-[:K*1..{hops}]->(b:P) RETURN a.id, b.id").get_all()


def test_match_counts_beyond_int64_raise(dense):
    """Fixed-length patterns multiply match counts (folds, weights): checked too."""
    db, adj = dense
    # 14 hops of ~26 edges each: ~26^14 ≈ 6e19 walks
    pattern = "-[:K]->".join(f"(x{i}:P)" for i in range(15))
    with pytest.raises(IntegerOverflowError):
        db.execute(f"MATCH {pattern} RETURN count(*)").get_all()
    pattern = "-[:K]->".join(f"(x{i}:P)" for i in range(4))
    assert db.execute(f"MATCH {pattern} RETURN count(*)").get_all() == [
        [exact_walks(adj, 3) - exact_walks(adj, 2)]]
