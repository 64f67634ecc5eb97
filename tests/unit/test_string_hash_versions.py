"""The string-key hash: version 2 (8 bytes a step) against a byte-wise Python reference, and
indexes built with version 1 (databases written before it) still answer lookups and resolve
relationship endpoints."""

from __future__ import annotations

import numpy as np
import pytest

import ruzu
from ruzu.storage import pk_index

MASK = (1 << 64) - 1
M1, M2 = 0xBF58476D1CE4E5B9, 0x94D049BB133111EB
GOLD, BASIS = 0x9E3779B97F4A7C15, 0xCBF29CE484222325


def _mix(z):
    z = ((z ^ (z >> 30)) * M1) & MASK
    z = ((z ^ (z >> 27)) * M2) & MASK
    return z ^ (z >> 31)


def reference_v2(key: bytes) -> tuple[int, int]:
    h, g = BASIS, GOLD
    for j in range(0, len(key), 8):
        w = int.from_bytes(key[j:j + 8], "little")  # zero-padded above
        h = ((h ^ w) * M1) & MASK
        h ^= h >> 32
        g = ((g + w) * M2) & MASK
        g ^= g >> 29
    n = len(key)
    return _mix(h ^ n), _mix((g + n * GOLD) & MASK)


def test_v2_equals_the_bytewise_reference_at_every_length_and_position():
    rng = np.random.default_rng(3)
    keys = [bytes(rng.integers(0, 256, n, dtype=np.uint8)) for n in range(0, 41)
            for _ in range(3)]
    keys += [b"", b"a", b"a\x00", b"\x00", "é€😀".encode()]
    offsets = np.zeros(len(keys) + 1, np.int64)
    np.cumsum([len(k) for k in keys], out=offsets[1:])
    data = np.frombuffer(b"".join(keys), np.uint8)
    h1, h2 = pk_index.hash_string_keys(offsets, data, 2)
    got = [(int(a), int(b)) for a, b in zip(h1, h2, strict=True)]
    assert got == [reference_v2(k) for k in keys]


def test_v2_tells_apart_keys_that_differ_only_in_trailing_zero_bytes():
    keys = [b"a", b"a\x00", b"a\x00\x00", b"12345678", b"12345678\x00"]
    offsets = np.zeros(len(keys) + 1, np.int64)
    np.cumsum([len(k) for k in keys], out=offsets[1:])
    h1, h2 = pk_index.hash_string_keys(offsets, np.frombuffer(b"".join(keys), np.uint8))
    assert len(set(zip(h1.tolist(), h2.tolist(), strict=True))) == len(keys)


def _build(path, nodes_csv, edges_csv):
    with ruzu.Database(path) as db:
        db.create_node_table("P", [("id", "STRING"), ("v", "INT64")], "id")
        db.create_rel_table("K", [("P", "P")], [])
        db.import_nodes("P", nodes_csv)
        db.import_relationships("K", edges_csv)


@pytest.mark.parametrize("partitioned", [False, True])
def test_an_index_built_with_version_1_still_answers(tmp_path, monkeypatch, partitioned):
    """``partitioned``: the index is split in hash partitions and endpoints are resolved
    partition by partition (what a large table does), instead of all in memory."""
    from ruzu.storage import resolve

    if partitioned:
        monkeypatch.setattr(pk_index, "ENTRY_BYTES", 1 << 20)
        monkeypatch.setattr(resolve, "BYTES_PER_ENTRY", 1 << 30)
    keys = [f"user-{i * 7919 % 5000:05d}-{'x' * (i % 13)}" for i in range(5000)]
    nodes = tmp_path / "n.csv"
    nodes.write_text("id,v\n" + "".join(f"{k},{i}\n" for i, k in enumerate(keys)))
    edges = tmp_path / "e.csv"
    pairs = [(keys[i], keys[(i * 31 + 7) % 5000]) for i in range(5000)]
    edges.write_text("from,to\n" + "".join(f"{a},{b}\n" for a, b in pairs))
    monkeypatch.setattr(pk_index, "STRING_HASH_VERSION", 1)
    _build(str(tmp_path / "db"), nodes, edges)
    monkeypatch.setattr(pk_index, "STRING_HASH_VERSION", 2)  # reopened by today's code
    with ruzu.Database(str(tmp_path / "db")) as db:
        index = db._manifest.tables["P"].index
        assert index.string_hash == 1 and (index.bits > 0) == partitioned
        conn = ruzu.Connection(db)
        got = conn.execute("MATCH (a:P {id: $k}) RETURN a.v", {"k": keys[4321]}).get_all()
        assert got == [[4321]]
        rows = conn.execute("MATCH (a:P)-[:K]->(b:P) RETURN a.id, b.id").get_all()
        assert sorted(map(tuple, rows)) == sorted(pairs)
        # more edges into the old index: endpoints are hashed with the index's version
        more = tmp_path / "more.csv"
        more.write_text("from,to\n" + f"{keys[1]},{keys[2]}\n")
        db.import_relationships("K", str(more))
        assert sorted(conn.execute("MATCH (a:P {id: $k})-[:K]->(b:P) RETURN b.id",
                                   {"k": keys[1]}).get_all()) == sorted(
            [[b] for a, b in pairs if a == keys[1]] + [[keys[2]]])
