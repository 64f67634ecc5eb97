"""Relationship import against a numpy reference CSR (argsort + bincount) on random graphs:
multi-edges, self-loops, isolated nodes, string and sparse random keys, several batch sizes,
appended COPYs, every resolution path (dense, in memory, partitioned) and the errors."""

from __future__ import annotations

import numpy as np
import pytest

import ruzu
from ruzu.csv.config import Budgets
from ruzu.errors import CsvError, MissingEndpointError
from ruzu.storage.resolve import EndpointResolver
from tests.conftest import snapshot, write

TINY = Budgets(parse=1 << 20, index=64 * 64, resolve=16 * 50, csr=48 * 40)


def reference_csr(keys: np.ndarray, others: np.ndarray, n: int):
    order = np.argsort(keys, kind="stable")
    indptr = np.concatenate([[0], np.cumsum(np.bincount(keys, minlength=n))])
    return indptr, others[order], order


def assert_csr_equal(rel, src, dst, n_src, n_dst):
    for direction, keys, others, n in (("fwd", src, dst, n_src), ("bwd", dst, src, n_dst)):
        indptr, nbr, eid = rel.csr(direction)
        ref = reference_csr(keys, others, n)
        assert np.array_equal(indptr, ref[0]), direction
        assert np.array_equal(nbr, ref[1]), direction
        assert np.array_equal(eid, ref[2]), direction


def node_keys(kind: str, n: int, rng) -> list:
    if kind == "dense":
        return list(range(n))
    if kind == "offset":  # sorted but not dense
        return [int(k) for k in np.sort(rng.choice(10 * n, n, replace=False))]
    if kind == "random":
        return [int(k) for k in rng.choice(2**63 - 1, n, replace=False)]
    return [f"user-{k}" for k in rng.permutation(n)]


def build(tmp_path, kind: str, n: int, edges: np.ndarray, *, batch_size=100_000,
          files: int = 1):
    rng = np.random.default_rng(7)
    keys = node_keys(kind, n, rng)
    key_type = "STRING" if kind == "string" else "INT64"
    nodes = write(tmp_path / "n.csv", "id\n" + "".join(f"{k}\n" for k in keys))
    db = ruzu.Database(tmp_path / "db")
    db.create_node_table("N", [("id", key_type)], "id")
    db.create_rel_table("E", [("N", "N")], [("w", "INT64"), ("tag", "STRING")])
    db.import_nodes("N", nodes)
    cfg = ruzu.CsvImportConfig(batch_size=batch_size)
    for part_no, part in enumerate(np.array_split(np.arange(len(edges)), files)):
        lines = "".join(f"{keys[s]},{keys[d]},{i},t{i}\n"
                        for i, (s, d) in zip(part, edges[part], strict=True))
        path = write(tmp_path / f"e{part_no}.csv", "from,to,w,tag\n" + lines)
        db.import_relationships("E", path, cfg)
    return db


def random_edges(n: int, m: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    e = rng.integers(0, n, (m, 2))
    e[: m // 10, 1] = e[: m // 10, 0]  # self-loops
    e = np.concatenate([e, e[:20]])  # multi-edges
    return e


@pytest.mark.parametrize("kind", ["dense", "offset", "random", "string"])
@pytest.mark.parametrize("tiny", [False, True], ids=["in-memory", "partitioned"])
def test_csr_equals_numpy_reference(tmp_path, monkeypatch, kind, tiny):
    if tiny:
        monkeypatch.setattr(ruzu.CsvImportConfig, "budgets", property(lambda self: TINY))
    n = 500
    edges = random_edges(n - 50, 3000, seed=1)  # nodes 450…499 stay isolated
    with build(tmp_path, kind, n, edges, batch_size=333, files=2) as db:
        rel = db.rel_table("E")
        assert rel.num_rels == len(edges)
        assert_csr_equal(rel, edges[:, 0], edges[:, 1], n, n)
        assert rel.to_pylist("w") == list(range(len(edges)))
        assert rel.column("tag")[17] == "t17"
        assert rel.degrees("fwd")[460:].sum() == 0
        s, d = edges[5]
        indptr, nbr, eid = rel.csr("fwd")
        assert 5 in eid[indptr[s] : indptr[s + 1]]
        assert set(rel.neighbors(int(s))) >= {d}


@pytest.mark.parametrize("kind", ["offset", "random", "string"])
def test_both_ends_of_one_table_share_each_index_slice(tmp_path, monkeypatch, kind):
    """Both endpoints spilled against one node table's index: each partition's slice is loaded
    once for both (not once per endpoint), and the CSR still equals numpy's."""
    monkeypatch.setattr(ruzu.CsvImportConfig, "budgets", property(lambda self: TINY))
    loads: list[int] = []
    real = EndpointResolver._load_slice
    monkeypatch.setattr(EndpointResolver, "_load_slice",
                        lambda self, p, width: loads.append(p) or real(self, p, width))
    edges = random_edges(450, 3000, seed=8)
    with build(tmp_path, kind, 500, edges) as db:
        assert_csr_equal(db.rel_table("E"), edges[:, 0], edges[:, 1], 500, 500)
    assert len(loads) > 1 and len(loads) == len(set(loads))


@pytest.mark.parametrize("kind", ["offset", "random", "string"])
def test_a_file_of_no_edges_spills_nothing_and_changes_nothing(tmp_path, monkeypatch, kind):
    """A header-only file in partitioned mode: no key reaches an endpoint spill, the import
    adds no edge, and the CSR stays numpy's."""
    monkeypatch.setattr(ruzu.CsvImportConfig, "budgets", property(lambda self: TINY))
    edges = random_edges(450, 3000, seed=9)
    with build(tmp_path, kind, 500, edges) as db:
        result = db.import_relationships("E", write(tmp_path / "none.csv", "from,to,w,tag\n"))
        assert result.rows_imported == 0
        assert_csr_equal(db.rel_table("E"), edges[:, 0], edges[:, 1], 500, 500)


@pytest.mark.parametrize("batch_size", [1, 7, 100_000])
def test_appended_copies_equal_one_copy(tmp_path, batch_size):
    edges = random_edges(60, 200, seed=2)
    with build(tmp_path, "random", 60, edges, batch_size=batch_size, files=3) as db:
        assert_csr_equal(db.rel_table("E"), edges[:, 0], edges[:, 1], 60, 60)


def test_reopen_gives_same_arrays(tmp_path):
    edges = random_edges(100, 500, seed=3)
    db = build(tmp_path, "string", 100, edges)
    before = [np.array(a) for a in db.rel_table("E").csr("bwd")]
    db.close()
    with ruzu.Database(tmp_path / "db", read_only=True) as db:
        after = db.rel_table("E").csr("bwd")
        assert all(np.array_equal(a, b) for a, b in zip(before, after, strict=True))


def test_nodes_added_after_edges_have_empty_adjacency(tmp_path):
    with build(tmp_path, "offset", 20, random_edges(20, 30, seed=4)) as db:
        db.import_nodes("N", write(tmp_path / "more.csv", "id\n9999999\n"))
        rel = db.rel_table("E")
        assert len(rel.csr("fwd")[0]) == 22 and rel.degrees("bwd")[20] == 0


@pytest.mark.parametrize("tiny", [False, True], ids=["in-memory", "partitioned"])
@pytest.mark.parametrize("kind", ["dense", "random", "string"])
def test_missing_endpoint_aborts_with_line_and_db_unchanged(tmp_path, monkeypatch, kind, tiny):
    if tiny:
        monkeypatch.setattr(ruzu.CsvImportConfig, "budgets", property(lambda self: TINY))
    with build(tmp_path, kind, 100, random_edges(100, 50, seed=5)) as db:
        keys = node_keys(kind, 100, np.random.default_rng(7))
        ghost = "nobody" if kind == "string" else 10**12
        lines = [f"{keys[i]},{keys[i + 1]},1,x\n" for i in range(40)]
        lines[33] = f"{keys[3]},{ghost},1,x\n"
        path = write(tmp_path / "bad.csv", "a,b,w,tag\n" + "".join(lines))
        before = snapshot(db.path)
        with pytest.raises(MissingEndpointError) as e:
            db.import_relationships("E", path, ruzu.CsvImportConfig(batch_size=10))
        assert e.value.line == 35 and e.value.column == 2
        assert str(e.value).startswith(f"{path}:35:2 (b): TO key ")
        assert "not found in node table N" in str(e.value)
        assert e.value.record == lines[33].rstrip("\n")
        assert snapshot(db.path) == before

        r = db.import_relationships("E", path, ruzu.CsvImportConfig(on_missing_endpoint="skip"))
        assert (r.rows_imported, r.rows_skipped) == (39, 1)
        assert r.rejects[0].line == 35 and r.rejects[0].record == lines[33].rstrip("\n")
        offset = r.rejects[0].byte_offset
        with open(path, "rb") as f:
            assert f.read()[offset:].startswith(lines[33].encode())
        rel = db.rel_table("E")
        assert rel.num_rels == 50 + 20 + 39
        assert rel.to_pylist("tag")[-39:] == ["x"] * 39


def test_null_endpoint(tmp_path):
    with build(tmp_path, "dense", 10, random_edges(10, 5, seed=6)) as db:
        path = write(tmp_path / "bad.csv", "a,b,w,tag\n1,2,3,x\n,2,3,x\n")
        with pytest.raises(CsvError, match=r"bad\.csv:3:1 \(a\): NULL FROM key"):
            db.import_relationships("E", path)
        r = db.import_relationships("E", path, ruzu.CsvImportConfig(ignore_errors=True))
        assert (r.rows_imported, r.rows_skipped) == (1, 1)


def test_rel_header_properties_by_name(tmp_path):
    with build(tmp_path, "dense", 10, random_edges(10, 5, seed=6)) as db:
        path = write(tmp_path / "e.csv", "src,dst,tag,w\n1,2,hello,42\n")
        db.import_relationships("E", path)
        rel = db.rel_table("E")
        assert rel.to_pylist("w")[-1] == 42 and rel.to_pylist("tag")[-1] == "hello"
        bad = write(tmp_path / "bad.csv", "src,dst,tag,weight\n1,2,x,1\n")
        with pytest.raises(CsvError, match="do not match"):
            db.import_relationships("E", bad)


def test_multi_pair_rel_table(tmp_path):
    with ruzu.Database(tmp_path / "db") as db:
        db.create_node_table("User", [("name", "STRING")], "name")
        db.create_node_table("Post", [("id", "INT64")], "id")
        db.create_node_table("Comment", [("id", "INT64")], "id")
        db.create_rel_table("Likes", [("User", "Post"), ("User", "Comment")], [("at", "DATE")])
        db.import_nodes("User", write(tmp_path / "u.csv", "name\nann\nbob\n"))
        db.import_nodes("Post", write(tmp_path / "p.csv", "id\n10\n11\n"))
        db.import_nodes("Comment", write(tmp_path / "c.csv", "id\n7\n"))
        with pytest.raises(ruzu.CatalogError, match="several"):
            db.import_relationships("Likes", write(tmp_path / "l.csv", "f,t,at\nann,10,\n"))
        db.import_relationships("Likes", tmp_path / "l.csv", from_table="User", to_table="Post")
        db.import_relationships("Likes", write(tmp_path / "lc.csv", "f,t,at\nbob,7,2024-02-29\n"),
                                from_table="User", to_table="Comment")
        up = db.rel_table("Likes", "User", "Post")
        uc = db.rel_table("Likes", "User", "Comment")
        assert (up.num_rels, uc.num_rels) == (1, 1)
        assert up.neighbors(0).tolist() == [0] and uc.neighbors(1).tolist() == [0]
        assert up.to_pylist("at") == [None]
        assert str(uc.to_pylist("at")[0]) == "2024-02-29"


def test_skewed_degree_bucket_is_split(tmp_path, monkeypatch):
    monkeypatch.setattr(ruzu.CsvImportConfig, "budgets", property(lambda self: TINY))
    n = 300
    rng = np.random.default_rng(9)
    edges = np.stack([np.where(rng.random(2000) < 0.5, 0, rng.integers(0, n, 2000)),
                      rng.integers(0, n, 2000)], axis=1)
    with build(tmp_path, "dense", n, edges) as db:
        assert_csr_equal(db.rel_table("E"), edges[:, 0], edges[:, 1], n, n)


@pytest.mark.parametrize("kind", ["dense", "random"])
def test_power_law_hubs_within_a_tiny_budget(tmp_path, monkeypatch, kind):
    """Endpoints with P(node k) ∝ 1/(k+1) (datagen's powerlaw): the low buckets hold most
    edges and several hubs hold more than a whole sort budget; appended in two files so the
    old CSR is streamed back through the skewed buckets."""
    monkeypatch.setattr(ruzu.CsvImportConfig, "budgets", property(lambda self: TINY))
    n, m = 2000, 6000
    rng = np.random.default_rng(11)
    edges = (np.floor(np.exp(rng.random((m, 2)) * np.log(n))) - 1).astype(np.int64)
    assert np.bincount(edges[:, 0]).max() > 10 * (48 * 40 // 2 // 28)  # hubs over the cap
    with build(tmp_path, kind, n, edges, batch_size=777, files=2) as db:
        assert_csr_equal(db.rel_table("E"), edges[:, 0], edges[:, 1], n, n)


@pytest.mark.parametrize("tiny", [False, True], ids=["in-memory", "partitioned"])
def test_partial_mode_for_relationships(tmp_path, monkeypatch, tiny):
    if tiny:
        monkeypatch.setattr(ruzu.CsvImportConfig, "budgets", property(lambda self: TINY))
    old = random_edges(100, 10, seed=8)
    with build(tmp_path, "random", 100, old) as db:
        keys = node_keys("random", 100, np.random.default_rng(7))
        lines = [f"{keys[i]},{keys[i + 1]},{i},x\n" for i in range(30)]
        lines[25] = f"{keys[1]},{keys[2]},bad,x\n"
        path = write(tmp_path / "p.csv", "a,b,w,tag\n" + "".join(lines))
        with pytest.raises(ruzu.ImportInterrupted) as e:
            db.import_relationships("E", path, ruzu.CsvImportConfig(batch_size=10, partial=True))
        assert e.value.resume_skip_rows == 20 and e.value.resume_line == 22
        rel = db.rel_table("E")
        assert rel.num_rels == len(old) + 20
        assert rel.to_pylist("w")[-20:] == list(range(20))
        new = np.array([[i, i + 1] for i in range(20)])
        both = np.concatenate([old, new])
        assert_csr_equal(rel, both[:, 0], both[:, 1], 100, 100)


def test_a_file_list_reads_back_what_the_earlier_files_wrote(tmp_path, monkeypatch):
    """Several files are one transaction: the second file streams the CSR the first one wrote.
    Its writes may still sit in the write-behind queue (a slow disk, a busy core); they must be
    on disk before they are read back (this raised an EOF now and then under load)."""
    import time

    from ruzu.storage import io as storage_io

    real_write_all = storage_io.write_all

    def slow_write_all(fd, data):  # a slow disk: queued writes linger
        time.sleep(0.002)
        return real_write_all(fd, data)

    monkeypatch.setattr(storage_io, "write_all", slow_write_all)
    n = 300
    edges = random_edges(n, 4000, seed=5)
    nodes = write(tmp_path / "n.csv", "id\n" + "".join(f"{k}\n" for k in range(n)))
    halves = np.array_split(np.arange(len(edges)), 2)
    paths = [write(tmp_path / f"e{k}.csv", "from,to\n" + "".join(
        f"{s},{d}\n" for s, d in edges[part])) for k, part in enumerate(halves)]
    with ruzu.Database(tmp_path / "db") as db:
        db.create_node_table("N", [("id", "INT64")], "id")
        db.create_rel_table("E", [("N", "N")], [])
        db.import_nodes("N", nodes)
        db.import_relationships("E", [str(p) for p in paths],
                                ruzu.CsvImportConfig(batch_size=100))
        assert_csr_equal(db.rel_table("E"), edges[:, 0], edges[:, 1], n, n)
