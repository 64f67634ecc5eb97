"""The generated benchmark inputs are what the contracts assume: the size asked for, unique node
ids of the right shape, and edge endpoints that all exist in the matching node file."""

from __future__ import annotations

import csv
import math
import uuid
from collections import Counter
from pathlib import Path

import pytest

from ruzu.testing import datagen


@pytest.mark.parametrize(
    ("text", "value"),
    [("100M", 100_000_000), ("1G", 1_000_000_000), ("5G", 5_000_000_000), ("500MB", 500_000_000),
     ("1GiB", 1 << 30), ("2MiB", 2 << 20), ("1.5G", 1_500_000_000), (12345, 12345),
     ("12345", 12345)],
)
def test_parse_size(text, value):
    assert datagen.parse_size(text) == value


@pytest.mark.parametrize("text", ["", "G", "1X", "-1M", "1Bi", "1i"])
def test_parse_size_rejects(text):
    with pytest.raises(ValueError):
        datagen.parse_size(text)


def _rows(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


@pytest.mark.parametrize("kind", datagen.KINDS)
def test_files_reference_each_other(tmp_path, kind):
    size = 300_000
    nodes = datagen.write_nodes(tmp_path / "n.csv", size, kind)
    edges = datagen.write_edges(tmp_path / "e.csv", size, kind, num_nodes=nodes.num_nodes)
    assert nodes.rows == datagen.node_count(size, kind)
    assert abs(nodes.bytes - size) < size * 0.005
    assert size - 64 < edges.bytes <= size
    for gen in (nodes, edges):
        assert (tmp_path / gen.path).stat().st_size == gen.bytes

    node_rows = _rows(nodes.path)
    assert node_rows[0] == [name for name, _ in datagen.node_columns(kind)]
    assert len(node_rows) - 1 == nodes.rows
    ids = [r[0] for r in node_rows[1:]]
    assert len(set(ids)) == len(ids)
    assert ids[:50] == [str(datagen.node_key(kind, i)) for i in range(50)]
    for i, r in enumerate(node_rows[1:]):
        assert r[1] == f"Person{i}" and 18 <= int(r[2]) <= 99
    if kind in ("ordered", "wide"):
        assert ids == [str(i) for i in range(nodes.rows)]
    elif kind in ("random", "powerlaw"):
        assert all(0 <= int(x) < 1 << 63 for x in ids)
        assert sorted(ids, key=int) != ids  # file order is not key order
    elif kind == "uuid":
        assert all(len(x) == 36 and str(uuid.UUID(x)) == x and uuid.UUID(x).version == 4
                   and uuid.UUID(x).variant == uuid.RFC_4122 for x in ids)
        assert sorted(ids) != ids
    else:
        assert all(len(x) == 17 and x[0] == "u" and int(x[1:], 16) >= 0 for x in ids)
    if kind == "wide":
        for r in node_rows[1:200]:
            y, m, d = (int(p) for p in r[3].split("-"))
            assert 1950 <= y <= 2005 and 1 <= m <= 12 and 1 <= d <= 31
            assert r[4] in ("true", "false")
            assert 100.0 <= float(r[5]) < 1000.0

    edge_rows = _rows(edges.path)
    assert edge_rows[0] == ["from", "to", "since"]
    assert len(edge_rows) - 1 == edges.rows
    known = set(ids)
    assert all(r[0] in known and r[1] in known for r in edge_rows[1:])
    assert all(1990 <= int(r[2]) <= 2024 for r in edge_rows[1:])
    degree = Counter(r[0] for r in edge_rows[1:]) + Counter(r[1] for r in edge_rows[1:])
    top = degree.most_common(1)[0][1] / (2 * edges.rows)
    if kind == "powerlaw":  # P(row k) ∝ 1/(k+1): the hub row 0 has ~1/ln(n) of the endpoints
        assert degree.most_common(1)[0][0] == ids[0]
        assert 0.5 / math.log(nodes.rows) < top < 2 / math.log(nodes.rows)
        assert len(degree) > nodes.rows // 10
    else:
        assert len({r[0] for r in edge_rows[1:]}) > nodes.rows // 3  # endpoints spread out
        assert top < 0.001


def test_generation_is_deterministic(tmp_path):
    a = datagen.write_edges(tmp_path / "a.csv", 100_000, "random", num_nodes=1000)
    b = datagen.write_edges(tmp_path / "b.csv", 100_000, "random", num_nodes=1000)
    assert Path(a.path).read_bytes() == Path(b.path).read_bytes()


def test_node_count_grows_with_size():
    for kind in datagen.KINDS:
        counts = [datagen.node_count(s, kind) for s in (10**6, 10**8, 10**9, 5 * 10**9)]
        assert counts == sorted(counts) and counts[0] > 0
