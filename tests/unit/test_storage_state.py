"""The typed table states (ruzu/storage/state.py) and the manifest that holds them: the JSON
form on disk is what the states were as plain dicts, and a malformed state is refused."""

from __future__ import annotations

import json
import zlib

import pytest

import ruzu
from ruzu.errors import CorruptDatabaseError
from ruzu.storage.manifest import Manifest, read_manifest_bytes
from ruzu.storage.state import (
    ColumnState,
    CsrState,
    IndexState,
    NodeTableState,
    RelPairState,
    RelTableState,
    table_state_from_dict,
)

NODE = {
    "num_rows": 3,
    "columns": {
        "id": {"data": 1, "offsets": None, "validity": None},
        "name": {"data": 2, "offsets": 3, "validity": 4},
        "tags": {"data": None, "offsets": 5, "validity": None,
                 "child": {"data": 6, "offsets": None, "validity": 7}},
        "info": {"data": None, "offsets": None, "validity": 8,
                 "fields": [{"data": 9, "offsets": None, "validity": None}]},
    },
    "index": {"kind": "hash", "bits": 0, "h1": 10, "h2": None, "offsets": 11, "dir": 12},
}
REL = {"pairs": {"A|B": {
    "num_rels": 2,
    "columns": {"w": {"data": 13, "offsets": None, "validity": None}},
    "fwd": {"indptr": 14, "nbr": 15, "eid": 16, "num_nodes": 3, "dtype": "int32"},
    "bwd": None,
}}}


def test_states_round_trip_their_manifest_form():
    node = table_state_from_dict(json.loads(json.dumps(NODE)))
    rel = table_state_from_dict(json.loads(json.dumps(REL)))
    assert isinstance(node, NodeTableState) and isinstance(rel, RelTableState)
    assert node.to_dict() == NODE
    assert rel.to_dict() == REL
    assert node.columns["tags"].child == ColumnState(6, None, 7)
    assert [c.data for c in node.columns["info"].children] == [9]
    assert rel.pairs["A|B"].csr("fwd") == CsrState(14, 15, 16, 3, "int32")
    assert rel.pairs["A|B"].csr("bwd") is None


def test_file_ids_name_every_file_once():
    node = table_state_from_dict(NODE)
    assert sorted(node.file_ids()) == list(range(1, 13))
    assert sorted(table_state_from_dict(REL).file_ids()) == [13, 14, 15, 16]


@pytest.mark.parametrize("index", [
    {"kind": "empty"},
    {"kind": "sorted", "first": 5, "last": 9, "dense": True},
    {"kind": "hash", "bits": 2, "h1": 1, "h2": 2, "offsets": 3, "dir": 4},
    {"kind": "hash", "bits": 0, "h1": 1, "h2": 2, "offsets": 3, "dir": 4, "string_hash": 2},
])
def test_index_states(index):
    state = IndexState.from_dict(index)
    assert state.to_dict() == index
    assert state.file_ids() == ([1, 2, 3, 4] if index["kind"] == "hash" else [])


def test_sorted_keys_index_is_dense_when_it_has_no_gaps():
    assert IndexState.sorted_keys(3, 7, 5).to_dict() == {
        "kind": "sorted", "first": 3, "last": 7, "dense": True}
    assert IndexState.sorted_keys(3, 8, 5).dense is False


def test_new_states_are_empty():
    assert NodeTableState().to_dict() == {"num_rows": 0, "columns": {},
                                          "index": {"kind": "empty"}}
    assert RelPairState().to_dict() == {"num_rels": 0, "columns": {}, "fwd": None,
                                        "bwd": None}


def _manifest_bytes(tables: dict) -> bytes:
    body = json.dumps({"db_id": "x", "generation": 1, "next_file_id": 20, "catalog": {},
                       "tables": tables, "files": {}}, sort_keys=True, separators=(",", ":"))
    doc = {"magic": "ruzu-database", "format_version": 1, "checksum": zlib.crc32(body.encode()),
           "body": body}
    return json.dumps(doc).encode()


@pytest.mark.parametrize("broken", [
    {"P": {**NODE, "index": {"kind": "btree"}}},
    {"P": {k: v for k, v in NODE.items() if k != "num_rows"}},
    {"P": {**NODE, "columns": {"id": {"data": 1}}}},
    {"P": {**NODE, "columns": ["id"]}},
    {"R": {"pairs": {"A|B": {**REL["pairs"]["A|B"], "fwd": {"indptr": 1}}}}},
    {"R": {"pairs": []}},
])
def test_a_malformed_table_state_is_a_corrupt_manifest(broken):
    with pytest.raises(CorruptDatabaseError, match="manifest is malformed"):
        Manifest.from_bytes(_manifest_bytes(broken), "manifest.json")
    assert Manifest.from_bytes(_manifest_bytes({"P": NODE, "R": REL}), "m").tables["P"] \
        == table_state_from_dict(NODE)


def test_a_database_manifest_is_rewritten_byte_for_byte(tmp_path):
    """Every kind of state (hash and sorted index, nested columns, validity, CSRs) read and
    written again gives the same bytes: the on-disk format did not change."""
    src = tmp_path / "csv"
    src.mkdir()
    (src / "p.csv").write_text('id,name,tags,info\n1,a,"[1,2]",{x: 1}\n2,,[3],{x: 2}\n3,c,,\n')
    (src / "c.csv").write_text("name,pop\nx,1\ny,\nz,3\n")
    (src / "f.csv").write_text("from,to,w\n1,2,0.5\n2,3,\n3,1,1.5\n")
    path = str(tmp_path / "db")
    with ruzu.Database(path) as db:
        conn = ruzu.Connection(db)
        conn.execute("CREATE NODE TABLE P(id INT64, name STRING, tags INT64[], "
                     "info STRUCT(x INT64), PRIMARY KEY(id))")
        conn.execute("CREATE NODE TABLE C(name STRING, pop INT64, PRIMARY KEY(name))")
        conn.execute("CREATE REL TABLE F(FROM P TO P, w DOUBLE)")
        for table, name in [("P", "p"), ("C", "c"), ("F", "f")]:
            conn.execute(f"COPY {table} FROM '{src / name}.csv' (header=true)")
    raw = read_manifest_bytes(path)
    manifest = Manifest.from_bytes(raw, "manifest.json")
    assert manifest.tables["P"].index.kind == "sorted"
    assert manifest.tables["C"].index.kind == "hash"
    assert manifest.tables["F"].pairs["P|P"].fwd.num_nodes == 3
    assert manifest.to_bytes() == raw
