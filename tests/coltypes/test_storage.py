"""Composite columns on disk: the layout (offsets + child files, wrapped by Arrow without a
copy), appends, rejected rows, dropped duplicates, relationships, and an unchanged database
after a bad value."""

from __future__ import annotations

import decimal
import uuid

import numpy as np
import pytest

import ruzu
from ruzu import CsvImportConfig
from ruzu.errors import CsvError
from tests.conftest import snapshot, write

LISTS = "id,l,s\n1,\"[1,2,3]\",\"[a,b]\"\n2,\"[]\",\n3,,\"[c,,d]\"\n4,\"[4,null]\",\"[]\"\n"


def _db(tmp_path, columns, pk="id"):
    db = ruzu.Database(tmp_path / "db")
    db.create_node_table("T", columns, pk)
    return db


def test_list_layout_is_offsets_plus_child_and_arrow_wraps_it(tmp_path):
    db = _db(tmp_path, [("id", "INT64"), ("l", "INT64[]"), ("s", "STRING[]")])
    db.import_nodes("T", write(tmp_path / "t.csv", LISTS), CsvImportConfig(header=True))
    table = db.table("T")
    col = table.column("l")
    assert np.asarray(col.offsets).tolist() == [0, 3, 3, 3, 5]
    assert np.asarray(col.children[0]).tolist() == [1, 2, 3, 4, 0]
    assert np.asarray(col.child_validity[0]).tolist() == [True] * 4 + [False]
    assert table.to_pylist("l") == [[1, 2, 3], [], None, [4, None]]
    assert table.to_pylist("s") == [["a", "b"], None, ["c", None, "d"], []]
    arrow = table.to_arrow("l")
    assert arrow.to_pylist() == [[1, 2, 3], [], None, [4, None]]
    # zero-copy: Arrow's offsets and values buffers are the memory-mapped column files
    assert arrow.buffers()[1].address == col.offsets.ctypes.data
    assert arrow.buffers()[3].address == np.asarray(col.children[0]).ctypes.data
    assert table.to_arrow("s").to_pylist() == table.to_pylist("s")
    db.close()


def test_appends_continue_offsets_and_serials(tmp_path):
    db = _db(tmp_path, [("id", "SERIAL"), ("l", "INT64[]"), ("a", "STRING[2]")])
    first = write(tmp_path / "a.csv", '"[1]","[a,b]"\n,\n')
    second = write(tmp_path / "b.csv", '"[2,3]","[c,d]"\n')
    db.import_nodes("T", first, CsvImportConfig(header=False))
    db.import_nodes("T", second, CsvImportConfig(header=False))
    table = db.table("T")
    assert table.to_pylist("id") == [0, 1, 2]
    assert table.to_pylist("l") == [[1], None, [2, 3]]
    assert table.to_pylist("a") == [["a", "b"], None, ["c", "d"]]
    assert table.lookup(2) == 2
    db.close()


def test_bad_value_leaves_database_unchanged(tmp_path):
    db = _db(tmp_path, [("id", "INT64"), ("l", "INT64[]"), ("a", "INT64[2]")])
    db.import_nodes("T", write(tmp_path / "ok.csv", '1,"[1]","[1,2]"\n'),
                    CsvImportConfig(header=False))
    before = snapshot(tmp_path / "db")
    bad = write(tmp_path / "bad.csv", '2,"[2]","[1,2]"\n3,"[3]","[1,2,3]"\n')
    with pytest.raises(CsvError) as info:
        db.import_nodes("T", bad, CsvImportConfig(header=False))
    assert str(info.value).startswith(f"{bad}:2:3 (a): an ARRAY INT64[2] needs 2 elements, "
                                      "got 3. Record: '3,")
    assert info.value.line == 2 and info.value.column == 3
    assert snapshot(tmp_path / "db") == before
    assert db.table("T").to_pylist("l") == [[1]]
    db.close()


def test_ignore_errors_rejects_only_the_bad_rows(tmp_path):
    db = _db(tmp_path, [("id", "INT64"), ("l", "INT64[]"), ("name", "STRING"),
                        ("u", "UUID")])
    text = ('1,"[1]",a,a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\n2,"[x]",b,\n3,"[3,4]",c,\n'
            '4,"[4]",d,nope\n5,"[5",e,\n6,,f,{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12}\n')
    result = db.import_nodes("T", write(tmp_path / "t.csv", text),
                             CsvImportConfig(header=False, ignore_errors=True))
    assert result.rows_imported == 3
    assert [(r.line, r.column_name) for r in result.rejects] == [(2, "l"), (4, "u"), (5, "l")]
    table = db.table("T")
    assert table.to_pylist("id") == [1, 3, 6]
    assert table.to_pylist("l") == [[1], [3, 4], None]
    assert table.to_pylist("name") == ["a", "c", "f"]
    assert table.to_pylist("u") == [uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), None,
                                    uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12")]
    db.close()


@pytest.mark.parametrize("compress", [None, "gzip"])
def test_many_rejected_values_read_the_input_once_more(tmp_path, monkeypatch, compress):
    """Each rejected composite value used to scan the file again from its start."""
    import gzip

    import ruzu.csv.lines

    opened = []
    real = ruzu.csv.lines.open_binary
    monkeypatch.setattr(ruzu.csv.lines, "open_binary", lambda p: opened.append(p) or real(p))
    db = _db(tmp_path, [("id", "INT64"), ("l", "INT64[]")])
    text = "".join(f'{i},"[{i}{"x" if i % 3 == 0 else ""}]"\n' for i in range(3000))
    path = write(tmp_path / "t.csv", text)
    if compress:
        with open(path, "wb") as f:
            f.write(gzip.compress(text.encode()))
    result = db.import_nodes("T", path, CsvImportConfig(header=False, ignore_errors=True,
                                                        batch_size=100))
    assert result.rows_imported == 2000
    assert [(r.line, r.record) for r in result.rejects] == [
        (i + 1, f'{i},"[{i}x]"') for i in range(0, 3000, 3)]
    assert len(opened) == 1
    db.close()


def test_duplicate_keys_dropped_from_nested_columns(tmp_path):
    db = _db(tmp_path, [("id", "INT64"), ("l", "STRING[][]"), ("s", "STRUCT(a INT64[], b STRING)"),
                        ("a", "INT64[2]")])
    text = ('1,"[[a],[b,c]]","{a: [1], b: x}","[1,2]"\n2,"[[d]]","{a: [2,2], b: y}","[3,4]"\n'
            '1,"[[e,f,g]]","{a: [9], b: z}","[5,6]"\n3,"[]",,\n')
    result = db.import_nodes("T", write(tmp_path / "t.csv", text),
                             CsvImportConfig(header=False, on_duplicate="keep_first"))
    assert result.rows_imported == 3
    table = db.table("T")
    assert table.to_pylist("id") == [1, 2, 3]
    assert table.to_pylist("l") == [[["a"], ["b", "c"]], [["d"]], []]
    assert table.to_pylist("s") == [{"a": [1], "b": "x"}, {"a": [2, 2], "b": "y"}, None]
    assert table.to_pylist("a") == [[1, 2], [3, 4], None]
    assert table.to_arrow("l").to_pylist() == table.to_pylist("l")
    db.close()


def test_relationship_properties_with_missing_endpoints(tmp_path):
    db = _db(tmp_path, [("id", "INT64")])
    db.import_nodes("T", write(tmp_path / "n.csv", "1\n2\n3\n"), CsvImportConfig(header=False))
    db.create_rel_table("R", [("T", "T")], [("tags", "STRING[]"), ("m", "MAP(STRING, INT64)"),
                                            ("d", "DECIMAL(6, 2)")])
    text = ('1,2,"[a,b]","{x=1}",1.5\n1,9,"[lost]","{y=2}",2\n2,3,"[]","{}",-3.25\n'
            '3,1,,,\n')
    result = db.import_relationships("R", write(tmp_path / "r.csv", text),
                                     CsvImportConfig(header=False, on_missing_endpoint="skip"))
    assert result.rows_imported == 3
    rel = db.rel_table("R")
    assert rel.to_pylist("tags") == [["a", "b"], [], None]
    assert rel.to_pylist("m") == [{"x": 1}, {}, None]
    assert rel.to_pylist("d") == [decimal.Decimal("1.50"), decimal.Decimal("-3.25"), None]
    got = db.execute("MATCH (a:T)-[r:R]->(b:T) RETURN a.id, b.id, r.tags, r.m ORDER BY a.id")
    assert got.get_all() == [[1, 2, ["a", "b"], {"x": 1}], [2, 3, [], {}], [3, 1, None, None]]
    db.close()


def test_partial_import_keeps_whole_batches_of_nested_columns(tmp_path):
    db = _db(tmp_path, [("id", "INT64"), ("l", "INT64[][]")])
    rows = "".join(f'{i},"[[{i}],[{i},{i}]]"\n' for i in range(50)) + '50,"[[1]"\n'
    with pytest.raises(ruzu.ImportInterrupted) as info:
        db.import_nodes("T", write(tmp_path / "t.csv", rows),
                        CsvImportConfig(header=False, partial=True, batch_size=16))
    assert isinstance(info.value.__cause__, CsvError) and info.value.__cause__.line == 51
    table = db.table("T")
    n = len(table)
    assert n == 48
    assert table.to_pylist("l") == [[[i], [i, i]] for i in range(n)]
    assert np.asarray(table.column("l").offsets)[-1] == 2 * n
    db.close()


def test_int128_extremes_exact(tmp_path):
    db = _db(tmp_path, [("id", "INT64"), ("h", "INT128")])
    top = 2**127 - 1
    db.import_nodes("T", write(tmp_path / "t.csv", f"1,{top}\n2,{-top - 1}\n3,\n"),
                    CsvImportConfig(header=False))
    assert db.table("T").to_pylist("h") == [decimal.Decimal(top), decimal.Decimal(-top - 1), None]
    assert db.table("T").to_arrow("h").to_pylist() == [decimal.Decimal(top),
                                                       decimal.Decimal(-top - 1), None]
    db.close()


def test_rel_serial_refused(tmp_path):
    db = _db(tmp_path, [("id", "INT64")])
    with pytest.raises(ruzu.CatalogError, match="SERIAL"):
        db.create_rel_table("R", [("T", "T")], [("s", "SERIAL")])
    db.close()
