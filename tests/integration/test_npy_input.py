"""NumPy ``.npy`` input: Kùzu's ``COPY T FROM ('a.npy', …) BY COLUMN`` and a single ``.npy``
file for a one-column table. Each case runs in ruzu and in Kùzu 0.11.3 on the same files and
compares full dumps; the values also equal the arrays numpy wrote (the naive oracle)."""

from __future__ import annotations

import numpy as np
import pytest

import ruzu

kuzu = pytest.importorskip("kuzu")


def _files(d, arrays: dict) -> str:
    paths = []
    for name, arr in arrays.items():
        path = d / f"{name}.npy"
        np.save(path, arr)
        paths.append(f"'{path}'")
    return ", ".join(paths)


def _both(tmp_path, statements, query):
    kdb = kuzu.Database(str(tmp_path / "kuzu"))
    conn = kuzu.Connection(kdb)
    try:
        for s in statements:
            conn.execute(s)
        expected = conn.execute(query).get_all()
    finally:
        conn.close()
        kdb.close()
    with ruzu.Database(tmp_path / "ruzu") as db:
        for s in statements:
            db.execute(s)
        got = db.execute(query).get_all()
    return got, expected


def test_by_column_scalars_and_arrays_like_kuzu(tmp_path):
    rng = np.random.default_rng(7)
    n = 5000
    ids = rng.permutation(n).astype(np.int64)
    arrays = {
        "id": ids,
        "i32": rng.integers(-2**31, 2**31, n, dtype=np.int32),
        "i16": rng.integers(-2**15, 2**15, n, dtype=np.int16),
        "f64": rng.standard_normal(n),
        "f32": rng.standard_normal(n).astype(np.float32),
        "vec": rng.standard_normal((n, 3)).astype(np.float32),
        "cube": rng.integers(-100, 100, (n, 2, 3), dtype=np.int64),
    }
    files = _files(tmp_path, arrays)
    got, expected = _both(tmp_path, [
        "CREATE NODE TABLE T(id INT64, i32 INT32, i16 INT16, f64 DOUBLE, f32 FLOAT, "
        "vec FLOAT[3], cube INT64[6], PRIMARY KEY(id))",
        f"COPY T FROM ({files}) BY COLUMN",
    ], "MATCH (t:T) RETURN t.id, t.i32, t.i16, t.f64, t.f32, t.vec, t.cube ORDER BY t.id")
    assert got == expected
    order = np.argsort(ids)
    assert [r[0] for r in got] == ids[order].tolist()
    assert [r[3] for r in got] == arrays["f64"][order].tolist()
    assert [r[6] for r in got] == arrays["cube"][order].reshape(n, 6).tolist()


def test_many_batches_and_big_endian(tmp_path):
    n = 200_000  # several of arrow.py's 64 Ki-row batches
    ids = np.arange(n, dtype=">i8")  # big-endian on disk: read as values, not bytes
    vals = (np.arange(n, dtype=np.float64) / 7).reshape(n, 1).repeat(2, axis=1)
    with ruzu.Database(tmp_path / "db") as db:
        db.execute("CREATE NODE TABLE T(id INT64, v DOUBLE[2], PRIMARY KEY(id))")
        db.execute(f"COPY T FROM ({_files(tmp_path, {'id': ids, 'v': vals})}) BY COLUMN")
        rows = db.execute("MATCH (t:T) WHERE t.id % 9973 = 5 RETURN t.id, t.v ORDER BY t.id")
        got = rows.get_all()
    want = [[int(i), vals[i].tolist()] for i in range(5, n, 9973)]
    assert got == want


def test_single_npy_file_into_a_one_column_table_like_kuzu(tmp_path):
    np.save(tmp_path / "ids.npy", np.array([3, 1, 2], np.int64))
    got, expected = _both(tmp_path, [
        "CREATE NODE TABLE S(id INT64, PRIMARY KEY(id))",
        f"COPY S FROM ['{tmp_path / 'ids.npy'}']",
    ], "MATCH (s:S) RETURN s.id ORDER BY s.id")
    assert got == expected == [[1], [2], [3]]


@pytest.mark.parametrize("case", ["rel_table", "csv_file", "lengths", "fortran"])
def test_refusals(tmp_path, case):
    np.save(tmp_path / "a.npy", np.arange(3, dtype=np.int64))
    np.save(tmp_path / "b.npy", np.arange(4, dtype=np.int64))
    np.save(tmp_path / "f.npy", np.asfortranarray(np.ones((3, 2))))
    (tmp_path / "c.csv").write_text("1\n2\n3\n")
    a, b, f, c = (f"'{tmp_path / n}'" for n in ("a.npy", "b.npy", "f.npy", "c.csv"))
    statement, error = {
        "rel_table": (f"COPY R FROM ({a}) BY COLUMN", "not supported for relationship"),
        "csv_file": (f"COPY T FROM ({c}) BY COLUMN", "csv file type is not supported"),
        "lengths": (f"COPY T FROM ({a}, {b}) BY COLUMN", "same number of rows"),
        "fortran": (f"COPY T FROM ({a}, {f}) BY COLUMN", "Fortran-order"),
    }[case]
    with ruzu.Database(tmp_path / "db") as db:
        db.execute("CREATE NODE TABLE T(id INT64, x DOUBLE[2], PRIMARY KEY(id))")
        db.execute("CREATE REL TABLE R(FROM T TO T)")
        with pytest.raises(ruzu.RuzuError, match=error):
            db.execute(statement)
        assert db.execute("MATCH (t:T) RETURN count(*)").get_all() == [[0]]


def test_numeric_lists_from_arrow_keep_nulls_empties_and_slices(tmp_path):
    import pyarrow as pa

    ids = pa.array(range(8), pa.int64())
    lists = pa.array([[1, 2], None, [], [3], [2**62, -5], None, [7], []], pa.list_(pa.int64()))
    floats = pa.array([[0.1, 1e-7], [1 / 3, -0.0], None, [2.5e300, 5e-324], [1.5], [], [3.0],
                       [float("inf"), -2.0]], pa.list_(pa.float64()))
    table = pa.table({"id": ids, "l": lists, "f": floats}).slice(1, 6)  # offsets not at 0
    with ruzu.Database(tmp_path / "db") as db:
        db.execute("CREATE NODE TABLE T(id INT64, l INT64[], f DOUBLE[], PRIMARY KEY(id))")
        db.execute("COPY T FROM table")
        got = db.execute("MATCH (t:T) RETURN t.id, t.l, t.f ORDER BY t.id").get_all()
    assert got == [[r["id"], r["l"], r["f"]] for r in table.to_pylist()]
