"""UUID primary keys: node tables keyed by a UUID, rel tables whose endpoints name them in any
of Kùzu's UUID spellings, lookups by ``UUID('…')``, duplicate and missing keys. Each case runs
in ruzu and in Kùzu 0.11.3 on the same files and compares the answers."""

from __future__ import annotations

import uuid

import pytest

import ruzu
from ruzu.csv.config import Budgets
from tests.conftest import snapshot, write

kuzu = pytest.importorskip("kuzu")

TINY = Budgets(parse=1 << 20, index=64 * 64, resolve=16 * 50, csr=48 * 40)

PERSONS = ("a0eebc99-9c0b4ef8-bb6d6bb9-bd380a15,ann\n"  # hyphens anywhere, as Kùzu reads them
           "{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11},bob\n"
           "00000000-0000-0000-0000-000000000001,cy\n")
KNOWS = ("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a15,a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,1\n"
         "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11,00000000-0000-0000-0000-000000000001,2\n"
         "00000000-0000-0000-0000-000000000001,a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a15,3\n")
QUERIES = [
    "MATCH (n:P) RETURN n.id, n.name ORDER BY n.name",
    "MATCH (a:P)-[e:K]->(b:P) RETURN a.name, b.name, e.w ORDER BY e.w",
    "MATCH (n:P {id: UUID('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')}) RETURN n.name",
    "MATCH (n:P) WHERE n.id = UUID('00000000-0000-0000-0000-000000000001') RETURN n.name",
    "MATCH (a:P {id: UUID('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a15')})-[:K]->(b) RETURN b.id",
]
SCHEMA = ["CREATE NODE TABLE P(id UUID, name STRING, PRIMARY KEY(id))",
          "CREATE REL TABLE K(FROM P TO P, w INT64)"]


def test_uuid_keyed_nodes_and_rels_like_kuzu(tmp_path):
    p = write(tmp_path / "p.csv", "id,name\n" + PERSONS)
    k = write(tmp_path / "k.csv", KNOWS)
    statements = [*SCHEMA, f"COPY P FROM '{p}'", f"COPY K FROM '{k}' (HEADER=false)"]
    kconn = kuzu.Connection(kuzu.Database(":memory:"))
    for s in statements:
        kconn.execute(s)
    with ruzu.Database(tmp_path / "db") as db:
        for s in statements:
            db.execute(s)
        for q in QUERIES:
            expected = kconn.execute(q).get_all()
            assert db.execute(q).get_all() == expected, q
            assert expected, q
        # the index answers the key lookup (and the Python API's table access)
        assert db.table("P").lookup(uuid.UUID("00000000-0000-0000-0000-000000000001")) == 2
        assert db.table("P").lookup("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a15") == 0
        assert db.table("P").lookup("not a uuid") is None


def test_duplicate_and_missing_uuid_keys_are_errors_like_kuzu(tmp_path):
    dup = write(tmp_path / "dup.csv",
                "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a15,x\nA0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A15,y\n")
    p = write(tmp_path / "p.csv", PERSONS)
    bad = write(tmp_path / "bad.csv", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a15,"
                                      "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a16,5\n")
    kconn = kuzu.Connection(kuzu.Database(":memory:"))
    for s in SCHEMA:
        kconn.execute(s)
    with pytest.raises(RuntimeError, match="duplicated primary key"):
        kconn.execute(f"COPY P FROM '{dup}' (HEADER=false)")
    kconn.execute(f"COPY P FROM '{p}' (HEADER=false)")
    with pytest.raises(RuntimeError, match="Unable to find primary key"):
        kconn.execute(f"COPY K FROM '{bad}' (HEADER=false)")
    with ruzu.Database(tmp_path / "db") as db:
        for s in SCHEMA:
            db.execute(s)
        before = snapshot(tmp_path / "db")
        with pytest.raises(ruzu.DuplicateKeyError,
                           match=r"dup\.csv:2:1 \(id\): duplicate primary key "
                                 r"'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a15'"):
            db.execute(f"COPY P FROM '{dup}' (HEADER=false)")
        assert snapshot(tmp_path / "db") == before
        db.execute(f"COPY P FROM '{p}' (HEADER=false)")
        with pytest.raises(ruzu.MissingEndpointError,
                           match="TO key a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a16 not found"):
            db.execute(f"COPY K FROM '{bad}' (HEADER=false)")
        assert db.execute("MATCH ()-[k:K]->() RETURN count(*)").get_all() == [[0]]


def test_uuid_keys_beyond_the_memory_budget(tmp_path, monkeypatch):
    """More keys than the index and endpoint budgets hold (tiny budgets, as in
    test_rel_import): the index is built in partitions and the endpoints are resolved
    partition by partition (spilled), same answers."""
    monkeypatch.setattr(ruzu.CsvImportConfig, "budgets", property(lambda self: TINY))
    n = 5000
    ids = [uuid.UUID(int=(i * 0x9E3779B97F4A7C15_F39CC0605CEDC834) % (1 << 128)) for i in range(n)]
    with open(tmp_path / "p.csv", "w") as f:
        f.write("id,n\n")
        f.writelines(f"{u},{i}\n" for i, u in enumerate(ids))
    with open(tmp_path / "k.csv", "w") as f:
        f.write("from,to\n")
        f.writelines(f"{ids[i]},{ids[(i * 7 + 3) % n]}\n" for i in range(0, n, 4))
    with ruzu.Database(tmp_path / "db") as db:
        db.execute("CREATE NODE TABLE P(id UUID, n INT64, PRIMARY KEY(id))")
        db.execute("CREATE REL TABLE K(FROM P TO P)")
        db.import_nodes("P", tmp_path / "p.csv")
        assert db.table("P").num_rows == n
        db.import_relationships("K", tmp_path / "k.csv")
        got = db.execute("MATCH (a:P)-[:K]->(b:P) WHERE a.n % 40 = 0 "
                         "RETURN a.n, b.n ORDER BY a.n").get_all()
        assert got == [[i, (i * 7 + 3) % n] for i in range(0, n, 40)]
        assert db.table("P").lookup(ids[1234]) == 1234
