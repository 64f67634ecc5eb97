"""Nested Parquet / Arrow / DataFrame values (LIST, ARRAY, STRUCT, MAP of strings) are read
natively, not through their text: strings holding ``, [ ] { } ' " : =``, quotes, line ends or
nothing at all come back exactly — as Kùzu 0.11.3 reads the same Parquet file, and as the
source values themselves (hypothesis)."""

from __future__ import annotations

import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ruzu

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

WEIRD = ["a,b", "[x]", "{y}", "it's", 'say "hi"', "k:v", "a=b", "", " sp ", "null", "NULL",
         "é€😀", "line\nbreak", "cr\rx", "crlf\r\ny", "\\", "'", '"', "[1,2]", "{a: 1}", "{k=v}",
         "''", '""', "\\'x\\'", ",", "]", "}"]

SCHEMA = ("CREATE NODE TABLE T(id INT64, l STRING[], s STRUCT(a INT64, b STRING), "
          "m MAP(STRING, INT64), n STRING[][], name STRING, PRIMARY KEY(id))")
DUMP = "MATCH (t:T) RETURN t.id, t.l, t.s, t.m, t.n, t.name ORDER BY t.id"
REL = "CREATE REL TABLE R(FROM T TO T, tags STRING[])"
RDUMP = "MATCH (a:T)-[r:R]->(b:T) RETURN a.id, b.id, r.tags ORDER BY a.id, b.id"


def _weird_table(repeat: int = 1):
    words = WEIRD * repeat
    return pa.table({
        "id": pa.array(range(len(words)), pa.int64()),
        "l": pa.array([[w, "z", None] if i % 5 else None for i, w in enumerate(words)],
                      pa.list_(pa.string())),
        "s": pa.array([{"a": i, "b": w} if i % 7 else None for i, w in enumerate(words)],
                      pa.struct([("a", pa.int64()), ("b", pa.string())])),
        "m": pa.array([[(w, i), (w + "!", -i)] for i, w in enumerate(words)],
                      pa.map_(pa.string(), pa.int64())),
        "n": pa.array([[[w], [], None] for w in words], pa.list_(pa.list_(pa.string()))),
        "name": pa.array(words, pa.string()),
    })


def _rel_table(n: int):
    return pa.table({"from": list(range(n)), "to": [(i * 7) % n for i in range(n)],
                     "tags": [[WEIRD[i % len(WEIRD)], WEIRD[(i + 3) % len(WEIRD)]]
                              for i in range(n)]})


def _source_rows(table) -> list:
    d = table.to_pydict()
    return [[d["id"][i], d["l"][i], d["s"][i], None if d["m"][i] is None else dict(d["m"][i]),
             d["n"][i], d["name"][i]] for i in range(table.num_rows)]


def test_nested_strings_like_kuzu(tmp_path):
    kuzu = pytest.importorskip("kuzu")
    nodes = _weird_table(repeat=40)  # 1,080 rows in row groups of 100
    pq.write_table(nodes, tmp_path / "t.parquet", row_group_size=100)
    pq.write_table(_rel_table(nodes.num_rows), tmp_path / "r.parquet")
    statements = [SCHEMA, REL, f"COPY T FROM '{tmp_path / 't.parquet'}'",
                  f"COPY R FROM '{tmp_path / 'r.parquet'}'"]
    kdb = kuzu.Database(str(tmp_path / "kuzu"))
    conn = kuzu.Connection(kdb)
    for s in statements:
        conn.execute(s)
    want = [conn.execute(q).get_all() for q in (DUMP, RDUMP)]
    conn.close()
    kdb.close()
    with ruzu.Database(tmp_path / "ruzu") as db:
        for s in statements:
            db.execute(s)
        got = [db.execute(q).get_all() for q in (DUMP, RDUMP)]
    assert got[0] == want[0]
    assert got[1] == want[1]
    assert got[0] == _source_rows(nodes)  # and both equal the source values


@pytest.mark.parametrize("kind", ["pandas", "polars", "pyarrow"])
def test_dataframes_with_nested_strings(tmp_path, kind, monkeypatch):
    monkeypatch.setattr("ruzu.csv.arrow.BATCH_ROWS", 10)  # many record batches
    table = _weird_table(repeat=3)
    schema, dump, want = SCHEMA, DUMP, _source_rows(table)
    if kind == "pandas":  # pandas cannot hand a MAP column back to Arrow
        frame = table.drop_columns(["m"]).to_pandas()
        schema = schema.replace("m MAP(STRING, INT64), ", "")
        dump = dump.replace("t.m, ", "")
        want = [row[:3] + row[4:] for row in want]
    elif kind == "polars":
        frame = pytest.importorskip("polars").from_arrow(table)
    else:
        frame = table
    with ruzu.Database(tmp_path / "db") as db:
        db.execute(schema)
        db.execute("COPY T FROM frame")
        assert frame is not None
        assert db.execute(dump).get_all() == want


def test_arrays_and_bad_lengths(tmp_path):
    good = pa.table({"id": [1, 2, 3],
                     "a": pa.array([["x,y", "]"], None, ["'", ""]], pa.list_(pa.string(), 2)),
                     "v": pa.array([[1, 2], None, [3, None]], pa.list_(pa.int32()))})
    pq.write_table(good, tmp_path / "good.parquet")
    bad = pa.table({"id": [1, 2, 3], "a": [["a", "b"], ["c"], ["d", "e"]],
                    "v": [[1, 2], [3, 4], [5, 6]]})
    pq.write_table(bad, tmp_path / "bad.parquet")
    schema = "CREATE NODE TABLE A(id INT64, a STRING[2], v INT64[2], PRIMARY KEY(id))"
    with ruzu.Database(tmp_path / "db") as db:
        db.execute(schema)
        db.execute(f"COPY A FROM '{tmp_path / 'good.parquet'}'")
        assert db.execute("MATCH (x:A) RETURN x.id, x.a, x.v ORDER BY x.id").get_all() == [
            [1, ["x,y", "]"], [1, 2]], [2, None, None], [3, ["'", ""], [3, None]]]
    with ruzu.Database(tmp_path / "db2") as db:
        db.execute(schema)
        with pytest.raises(ruzu.CsvError, match=r"bad\.parquet:3:2 \(a\): an ARRAY STRING\[2\] "
                                                r"needs 2 elements, got 1"):
            db.execute(f"COPY A FROM '{tmp_path / 'bad.parquet'}'")
        assert db.execute("MATCH (x:A) RETURN count(*)").get_all() == [[0]]
        db.execute(f"COPY A FROM '{tmp_path / 'bad.parquet'}' (IGNORE_ERRORS=true)")
        assert db.execute("MATCH (x:A) RETURN x.id, x.a ORDER BY x.id").get_all() == [
            [1, ["a", "b"]], [3, ["d", "e"]]]


def test_long_lists_come_in_small_batches(tmp_path):
    """Record batches are bounded in bytes, not only rows: a batch of 64 Ki rows of long lists
    (and its CSV text) would hold gigabytes."""
    import numpy as np

    from ruzu.csv.arrow import BATCH_ROWS, _batch_rows, _parquet_batch_rows

    rng = np.random.default_rng(5)
    lists = [rng.integers(-10**9, 10**9, int(rng.integers(0, 5000))).tolist() for _ in range(400)]
    table = pa.table({"id": range(400), "l": pa.array(lists, pa.list_(pa.int64()))})
    pq.write_table(table, tmp_path / "l.parquet", row_group_size=150)
    rows = _parquet_batch_rows(pq.ParquetFile(tmp_path / "l.parquet").metadata)
    assert 1 <= rows < 400 and _batch_rows(table.nbytes, table.num_rows) < 400
    assert _batch_rows(10**6, 10**6) == BATCH_ROWS  # narrow rows: full batches
    with ruzu.Database(tmp_path / "db") as db:
        db.execute("CREATE NODE TABLE L(id INT64, l INT64[], PRIMARY KEY(id))")
        db.execute(f"COPY L FROM '{tmp_path / 'l.parquet'}'")
        db.execute("CREATE NODE TABLE M(id INT64, l INT64[], PRIMARY KEY(id))")
        db.execute("COPY M FROM table")
        for name in ("L", "M"):
            got = db.execute(f"MATCH (x:{name}) RETURN x.l ORDER BY x.id").get_all()
            assert [r[0] for r in got] == lists


ADVERSARIAL = st.text(alphabet=st.sampled_from(list(",[]{}'\":= \\\n\rxé😀")), max_size=8)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(
    st.none() | st.lists(st.none() | ADVERSARIAL, max_size=4),
    st.none() | st.fixed_dictionaries({"a": st.none() | st.integers(-9, 9),
                                       "b": st.none() | ADVERSARIAL}),
    st.none() | st.dictionaries(ADVERSARIAL, st.none() | st.integers(-9, 9), max_size=3),
    st.none() | st.lists(st.none() | st.lists(st.none() | ADVERSARIAL, max_size=3),
                         max_size=3),
    st.none() | ADVERSARIAL), min_size=1, max_size=12),
    batch_rows=st.integers(1, 5))
def test_adversarial_strings_round_trip(rows, batch_rows):
    table = pa.table({
        "id": pa.array(range(len(rows)), pa.int64()),
        "l": pa.array([r[0] for r in rows], pa.list_(pa.string())),
        "s": pa.array([r[1] for r in rows], pa.struct([("a", pa.int64()), ("b", pa.string())])),
        "m": pa.array([None if r[2] is None else list(r[2].items()) for r in rows],
                      pa.map_(pa.string(), pa.int64())),
        "n": pa.array([r[3] for r in rows], pa.list_(pa.list_(pa.string()))),
        "name": pa.array([r[4] for r in rows], pa.string()),
    })
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        mp.setattr("ruzu.csv.arrow.BATCH_ROWS", batch_rows)
        pq.write_table(table, f"{tmp}/t.parquet", row_group_size=max(1, batch_rows - 1))
        with ruzu.Database(f"{tmp}/db") as db:
            db.execute(SCHEMA)
            db.execute(f"COPY T FROM '{tmp}/t.parquet'")
            assert db.execute(DUMP).get_all() == _source_rows(table)


def test_null_rows_of_numeric_lists_like_kuzu(tmp_path):
    """A NULL row of a fixed-size list still owns its child values in Arrow (a variable list
    may too, after slicing): the rows after it keep their own values."""
    kuzu = pytest.importorskip("kuzu")
    frame = pa.table({
        "id": list(range(6)),
        "a": pa.array([[1.5, 2.0], None, [3.0, 4.0], None, None, [5.0, 6.5]],
                      pa.list_(pa.float64(), 2)),
        "l": pa.array([[9], [1], None, [2, 3], [], [4]], pa.list_(pa.int64())),
    }).slice(1)
    schema = "CREATE NODE TABLE T(id INT64, a DOUBLE[2], l INT64[], PRIMARY KEY(id))"
    answers = []
    for module in (ruzu, kuzu):
        db = module.Database(str(tmp_path / module.__name__))
        conn = module.Connection(db)
        conn.execute(schema)
        conn.execute("COPY T FROM frame")
        answers.append(conn.execute("MATCH (t:T) RETURN t.id, t.a, t.l ORDER BY t.id").get_all())
        db.close()
    assert answers[0] == answers[1] == [[i, *v] for i, *v in zip(*frame.to_pydict().values(),
                                                                  strict=True)]
