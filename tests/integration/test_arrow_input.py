"""Parquet files and directories, Arrow IPC files and DataFrames (pandas, polars, pyarrow) in
the caller's scope: the same tables as the plain CSV of the same data (the oracle) and as
Kùzu's COPY from the same Parquet file."""

from __future__ import annotations

import csv
import datetime as dt
import os

import pytest

import ruzu

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")

N = 5_000


def _columns():
    names = [None if i % 11 == 0 else ("" if i % 13 == 0 else f"n{i}, \"q\"\n{i % 7}")
             for i in range(N)]
    return {
        "id": list(range(N)),
        "name": names,
        "score": [None if i % 5 == 0 else i / 7 for i in range(N)],
        "ok": [i % 3 == 0 for i in range(N)],
        "born": [dt.date(2000, 1, 1) + dt.timedelta(days=i) for i in range(N)],
        "seen": [dt.datetime(2020, 1, 1, 0, 0, 0) + dt.timedelta(seconds=i * 977, microseconds=i)
                 for i in range(N)],
    }


SCHEMA = ("CREATE NODE TABLE P(id INT64, name STRING, score DOUBLE, ok BOOLEAN, born DATE, "
          "seen TIMESTAMP, PRIMARY KEY(id))")
REL = "CREATE REL TABLE R(FROM P TO P, w INT64)"
DUMP = "MATCH (p:P) RETURN p.id, p.name, p.score, p.ok, p.born, p.seen ORDER BY p.id"
RDUMP = "MATCH (a:P)-[r:R]->(b:P) RETURN a.id, b.id, r.w ORDER BY a.id, b.id"


def _rels():
    return {"from": [i % N for i in range(2 * N)], "to": [(i * 31) % N for i in range(2 * N)],
            "w": [i % 9 for i in range(2 * N)]}


def _csv_field(value) -> str:
    """NULL: an empty unquoted field; strings quoted (so "" is the empty string)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    return repr(value) if isinstance(value, float) else str(value)


@pytest.fixture(scope="module")
def expected(tmp_path_factory):
    """The tables loaded from a plain CSV file of the same data."""
    d = tmp_path_factory.mktemp("csv")
    with open(d / "p.csv", "w", newline="") as f:
        for row in zip(*_columns().values(), strict=True):
            f.write(",".join(_csv_field(v) for v in row) + "\n")
    rels = _rels()
    with open(d / "r.csv", "w", newline="") as f:
        csv.writer(f).writerows(zip(*rels.values(), strict=True))
    with ruzu.Database(d / "db") as db:
        db.execute(SCHEMA)
        db.execute(REL)
        db.execute(f"COPY P FROM '{d / 'p.csv'}' (HEADER=false)")
        db.execute(f"COPY R FROM '{d / 'r.csv'}' (HEADER=false)")
        return db.execute(DUMP).get_all(), db.execute(RDUMP).get_all()


def _load(db_path, node_source: str, rel_source: str):
    with ruzu.Database(db_path) as db:
        db.execute(SCHEMA)
        db.execute(REL)
        db.execute(f"COPY P FROM {node_source}")
        db.execute(f"COPY R FROM {rel_source}")
        return db.execute(DUMP).get_all(), db.execute(RDUMP).get_all()


def _table():
    return pa.table(_columns()), pa.table(_rels())


def test_parquet_file(tmp_path, expected):
    nodes, rels = _table()
    pq.write_table(nodes, tmp_path / "p.parquet", row_group_size=1000)
    pq.write_table(rels, tmp_path / "r.parquet")
    got = _load(tmp_path / "db", f"'{tmp_path / 'p.parquet'}'", f"'{tmp_path / 'r.parquet'}'")
    assert got == expected and len(got[0]) == N


def test_parquet_directory_of_parts(tmp_path, expected):
    nodes, rels = _table()
    (tmp_path / "p").mkdir()
    (tmp_path / "r").mkdir()
    for i in range(4):  # part order is by name, markers are ignored
        pq.write_table(nodes.slice(i * N // 4, N // 4), tmp_path / "p" / f"part-{i:05d}.parquet")
    (tmp_path / "p" / "_SUCCESS").write_text("")
    (tmp_path / "p" / ".part-00000.parquet.crc").write_text("x")
    pq.write_table(rels, tmp_path / "r" / "part-0.parquet")
    got = _load(tmp_path / "db", f"'{tmp_path / 'p'}'", f"'{tmp_path / 'r'}'")
    assert got == expected


def test_arrow_ipc_file_and_stream(tmp_path, expected):
    import pyarrow.feather as feather
    import pyarrow.ipc as ipc

    nodes, rels = _table()
    feather.write_feather(nodes, tmp_path / "p.arrow")
    with ipc.new_stream(tmp_path / "r.arrows", rels.schema) as w:
        w.write_table(rels)
    got = _load(tmp_path / "db", f"'{tmp_path / 'p.arrow'}'", f"'{tmp_path / 'r.arrows'}'")
    assert got == expected


@pytest.mark.parametrize("kind", ["pandas", "polars", "pyarrow"])
def test_dataframes_in_scope(tmp_path, expected, kind, monkeypatch):
    import ruzu.csv.arrow

    monkeypatch.setattr(ruzu.csv.arrow, "BATCH_ROWS", 777)  # many slices, a short last one
    nodes, rels = _table()
    if kind == "pandas":
        nodes, rels = nodes.to_pandas(), rels.to_pandas()
    elif kind == "polars":
        nodes, rels = pl.from_arrow(nodes), pl.from_arrow(rels)
    with ruzu.Database(tmp_path / "db") as db:
        db.execute(SCHEMA)
        db.execute(REL)
        assert db.execute("COPY P FROM nodes").get_all() == [
            [f"{N} tuples have been copied to the P table."]]
        db.execute("COPY R FROM rels")
        assert (db.execute(DUMP).get_all(), db.execute(RDUMP).get_all()) == expected


def test_parquet_like_kuzu(tmp_path):
    kuzu = pytest.importorskip("kuzu")
    nodes, rels = _table()
    nodes = nodes.drop_columns(["seen"])  # Kùzu reads Parquet timestamps in its own zone rules
    pq.write_table(nodes, tmp_path / "p.parquet", row_group_size=1000)
    pq.write_table(rels, tmp_path / "r.parquet")
    statements = [
        "CREATE NODE TABLE P(id INT64, name STRING, score DOUBLE, ok BOOLEAN, born DATE, "
        "PRIMARY KEY(id))", REL,
        f"COPY P FROM '{tmp_path / 'p.parquet'}'", f"COPY R FROM '{tmp_path / 'r.parquet'}'"]
    dumps = ["MATCH (p:P) RETURN p.id, p.name, p.score, p.ok, p.born ORDER BY p.id", RDUMP]
    kdb = kuzu.Database(str(tmp_path / "kuzu"))
    conn = kuzu.Connection(kdb)
    for s in statements:
        conn.execute(s)
    want = [conn.execute(q).get_all() for q in dumps]
    conn.close()
    kdb.close()
    with ruzu.Database(tmp_path / "ruzu") as db:
        for s in statements:
            db.execute(s)
        assert [db.execute(q).get_all() for q in dumps] == want
    assert len(want[0]) == N


def test_bad_value_names_the_row(tmp_path):
    frame = pd.DataFrame({"id": ["1", "2", "three"], "name": ["a", "b", "c"]})  # noqa: F841
    with ruzu.Database(tmp_path / "db") as db:
        db.execute("CREATE NODE TABLE T(id INT64, name STRING, PRIMARY KEY(id))")
        with pytest.raises(ruzu.CsvError, match=r"<frame>:4:1 \(id\): invalid integer"):
            db.execute("COPY T FROM frame")
        assert db.execute("MATCH (t:T) RETURN count(*)").get_all() == [[0]]


def test_unknown_variable_and_wrong_object(tmp_path):
    not_a_frame = 42  # noqa: F841
    with ruzu.Database(tmp_path / "db") as db:
        db.execute("CREATE NODE TABLE T(id INT64, PRIMARY KEY(id))")
        with pytest.raises(ruzu.QueryError, match="no variable 'nowhere'"):
            db.execute("COPY T FROM nowhere")
        with pytest.raises(ruzu.QueryError, match="cannot copy from a int"):
            db.execute("COPY T FROM not_a_frame")


def test_memory_input_is_forgotten(tmp_path):
    from ruzu.csv.arrow import IN_MEMORY

    frame = pd.DataFrame({"id": [1]})  # noqa: F841
    with ruzu.Database(tmp_path / "db") as db:
        db.execute("CREATE NODE TABLE T(id INT64, PRIMARY KEY(id))")
        db.execute("COPY T FROM frame")
    assert not IN_MEMORY
    assert not os.path.exists("<frame>")


def test_nested_parquet_columns_like_kuzu(tmp_path):
    kuzu = pytest.importorskip("kuzu")
    table = pa.table({
        "id": [1, 2, 3, 4],
        "ints": [[1, 2], [], None, [None, 5]],
        # strings inside nested values travel as Kùzu's text: no , [ ] { } ' " : = in them
        "words": [["a", "b c"], ["d"], [], None],
        "nested": [[[1], [2, 3]], [[]], None, [[4]]],
        "pair": [{"k": 1, "name": "x"}, {"k": None, "name": "y z"}, None, {"k": 4, "name": "w"}],
    })
    pq.write_table(table, tmp_path / "n.parquet")
    statements = [
        "CREATE NODE TABLE N(id INT64, ints INT64[], words STRING[], nested INT64[][], "
        "pair STRUCT(k INT64, name STRING), PRIMARY KEY(id))",
        f"COPY N FROM '{tmp_path / 'n.parquet'}'"]
    dump = "MATCH (n:N) RETURN n.id, n.ints, n.words, n.nested, n.pair ORDER BY n.id"
    kdb = kuzu.Database(str(tmp_path / "kuzu"))
    conn = kuzu.Connection(kdb)
    for s in statements:
        conn.execute(s)
    want = conn.execute(dump).get_all()
    conn.close()
    kdb.close()
    with ruzu.Database(tmp_path / "ruzu") as db:
        for s in statements:
            db.execute(s)
        assert db.execute(dump).get_all() == want
    assert len(want) == 4
