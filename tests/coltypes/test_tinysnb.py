"""Kùzu's own ``tinysnb`` dataset (every column type Kùzu has) loads as shipped (the sniffer
finds the backslash escape of vOrganisation, vMovies and eMeets as Kùzu's does), and a full
dump of every node and rel table equals Kùzu's."""

from __future__ import annotations

import os

import kuzu
import pytest

import ruzu

KUZU_SRC = "/work/kuzu-src"
DATASET = os.path.join(KUZU_SRC, "dataset", "tinysnb")

pytestmark = pytest.mark.skipif(not os.path.isdir(DATASET), reason="Kùzu's source not present")


def _statements(name: str) -> list[str]:
    with open(os.path.join(DATASET, name), encoding="utf-8") as f:
        text = f.read()
    return [s.strip().rstrip(";") for s in text.split(";\n") if s.strip()]


def _dump_queries(catalog) -> list[tuple[str, bool]]:
    out = []
    for name, schema in catalog.node_tables.items():
        cols = ", ".join(f"n.{c}" for c in schema.column_names)
        out.append((f"MATCH (n:{name}) RETURN {cols} ORDER BY n.{schema.primary_key}", False))
    for name, schema in catalog.rel_tables.items():
        for a, b in schema.pairs:
            pa = catalog.node_tables[a].primary_key
            pb = catalog.node_tables[b].primary_key
            cols = "".join(f", e.{c}" for c in schema.column_names)
            out.append((f"MATCH (a:{a})-[e:{name}]->(b:{b}) RETURN a.{pa}, b.{pb}{cols}", True))
    return out


def test_tinysnb_loads_and_equals_kuzu(tmp_path, monkeypatch):
    monkeypatch.chdir(KUZU_SRC)  # copy.cypher names files relative to the checkout
    kconn = kuzu.Connection(kuzu.Database(":memory:"))
    db = ruzu.Database(tmp_path / "db")
    for stmt in _statements("schema.cypher") + _statements("copy.cypher"):
        kconn.execute(stmt)
        db.execute(stmt)
    queries = _dump_queries(db.catalog)
    assert len(queries) == 8
    for query, unordered in queries:
        expected = kconn.execute(query).get_all()
        got = db.execute(query).get_all()
        if unordered:
            expected, got = sorted(map(repr, expected)), sorted(map(repr, got))
        assert got == expected, query
        assert expected
    db.close()
