"""The Python API as Kùzu's: keyword and in-memory databases, context managers, prepared
statements, dict rows, column types, timings and RuntimeError as the base of query errors —
each checked against Kùzu 0.11.3 doing the same."""

from __future__ import annotations

import os
import re

import pytest

import ruzu

kuzu = pytest.importorskip("kuzu")

SETUP = [
    "CREATE NODE TABLE P(id INT64, name STRING, score DOUBLE, PRIMARY KEY(id))",
    "CREATE REL TABLE K(FROM P TO P)",
]


def _load(conn, base) -> None:
    (base / "p.csv").write_text("1,a,1.5\n2,b,2.5\n3,c,\n")
    (base / "k.csv").write_text("1,2\n2,3\n")
    for s in SETUP:
        conn.execute(s)
    conn.execute(f"COPY P FROM '{base / 'p.csv'}'")
    conn.execute(f"COPY K FROM '{base / 'k.csv'}'")


@pytest.fixture(params=["ruzu", "kuzu"])
def conn(request, tmp_path):
    module = ruzu if request.param == "ruzu" else kuzu
    db = module.Database(database_path=str(tmp_path / "db"))
    c = module.Connection(db)
    _load(c, tmp_path)
    yield c
    c.close()
    db.close()


QUERY = "MATCH (a:P) RETURN a.id AS id, a.name AS name, a.score AS score ORDER BY id"


def _answers(tmp_path, fn):
    out = []
    for module in (ruzu, kuzu):
        path = tmp_path / module.__name__
        path.mkdir()
        db = module.Database(database_path=str(path / "db"))
        c = module.Connection(db)
        _load(c, path)
        out.append(fn(c))
        c.close()
        db.close()
    return out


def test_rows_as_dict_get_n_and_iteration_as_kuzu(tmp_path):
    def run(c):
        r = c.execute(QUERY)
        first = r.get_n(2)
        rest = r.get_all()
        as_dicts = c.execute(QUERY).rows_as_dict().get_all()
        iterated = list(c.execute(QUERY))
        return first, rest, as_dicts, iterated

    ours, theirs = _answers(tmp_path, run)
    assert ours == theirs


def test_column_types_as_kuzu(tmp_path):
    def run(c):
        r = c.execute("MATCH (a:P)-[k:K]->(b) RETURN a.id, a.name, a.score, a, k, a.id > 1")
        return r.get_column_data_types(), list(r.get_schema())

    ours, theirs = _answers(tmp_path, run)
    assert ours == theirs


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # Kùzu deprecates prepare()
def test_prepared_statement_as_kuzu(tmp_path):
    def run(c):
        prepared = c.prepare("MATCH (a:P) WHERE a.id >= $lo RETURN a.name ORDER BY a.name")
        assert prepared.is_success()
        return [c.execute(prepared, {"lo": lo}).get_all() for lo in (1, 3)]

    ours, theirs = _answers(tmp_path, run)
    assert ours == theirs


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_prepare_of_bad_syntax_fails_on_execute_as_kuzu(conn):
    prepared = conn.prepare("MATCH (a:P RETURN a")
    assert not prepared.is_success() and prepared.get_error_message()
    with pytest.raises(RuntimeError):
        conn.execute(prepared)


def test_query_errors_are_runtime_errors_as_kuzu(conn):
    for bad in ("MATCH (a:Nope) RETURN a", "MATCH (a:P) RETURN b", "RETURN foo_bar(1)"):
        with pytest.raises(RuntimeError):
            conn.execute(bad)


def test_context_managers_and_timings(conn):
    with conn.execute(QUERY) as result:
        assert result.get_num_tuples() == 3
        assert result.get_execution_time() >= 0 and result.get_compiling_time() >= 0
    assert result.is_closed


def test_get_as_pl_as_kuzu(tmp_path):
    ours, theirs = _answers(tmp_path, lambda c: c.execute(QUERY).get_as_pl().to_dicts())
    assert ours == theirs


@pytest.mark.parametrize("how", [(), (":memory:",), ("",)])
def test_in_memory_database_as_kuzu(how):
    for module in (ruzu, kuzu):
        db = module.Database(*how)
        with module.Connection(db) as c:
            c.execute("CREATE NODE TABLE T(id INT64, PRIMARY KEY(id))")
            assert c.execute("MATCH (t:T) RETURN count(*)").get_all() == [[0]]
        db.close()


def test_in_memory_database_leaves_nothing_behind():
    db = ruzu.Database(":memory:")
    path = db.path
    assert os.path.isdir(path)
    db.close()
    assert not os.path.exists(path)


def test_every_ruzu_error_is_a_runtime_error_as_kuzus():
    """Kùzu's Python API raises RuntimeError for everything: every concrete ruzu error class
    is one too, after its fitting built-in (OSError's fields still work)."""
    import inspect

    from ruzu import errors

    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass)
               if issubclass(c, errors.RuzuError) and c is not errors.RuzuError]
    assert len(classes) > 15
    assert all(issubclass(c, RuntimeError) for c in classes)
    assert errors.DiskFullError(28, "no space").errno == 28


@pytest.mark.parametrize("params", [
    {"st": {"key": [1, 2, 3], "value": [3, 7, 98]}},  # a MAP
    {"st": {"key1": [1, 2, 3], "value": [3, 7, 98]}},  # a STRUCT: the first field is not key
    {"st": {"key": [1, 2], "value": [3, 7, 98, 4]}},  # a STRUCT: the lengths differ
])
def test_dict_and_list_parameters_as_kuzu_reads_them(tmp_path, params):
    theirs = kuzu.Connection(kuzu.Database(str(tmp_path / "k"))).execute("RETURN $st", params)
    ours = ruzu.Connection(ruzu.Database(tmp_path / "r")).execute("RETURN $st", params)
    assert ours.get_all() == theirs.get_all()


def test_parameter_errors_as_kuzus(tmp_path):
    import datetime

    kconn = kuzu.Connection(kuzu.Database(str(tmp_path / "k")))
    conn = ruzu.Connection(ruzu.Database(tmp_path / "r"))
    for params, message in [
        ({1: 1}, "Parameter name must be of type string but got <class 'int'>"),
        ({"x": [1, 2, datetime.datetime(2023, 3, 25)]},
         "Cannot convert Python object to Kuzu value : INT8  is incompatible with TIMESTAMP"),
    ]:
        for c in (kconn, conn):
            with pytest.raises(RuntimeError, match=re.escape(message)):
                c.execute("RETURN $x", params)
    for c in (kconn, conn):
        with pytest.raises(RuntimeError, match="Parameters must be a dict"):
            c.execute("RETURN $x", ["x"])


def test_checkpoint_settings_kuzu_accepts_are_ours_or_refused(tmp_path):
    """ruzu has no write-ahead log (every commit is checkpointed): Kùzu's defaults describe
    it; anything else is refused, not ignored."""
    with ruzu.Database(str(tmp_path / "a"), auto_checkpoint=True, checkpoint_threshold=-1):
        pass
    with pytest.raises(ruzu.ConfigError, match="auto_checkpoint"):
        ruzu.Database(str(tmp_path / "b"), auto_checkpoint=False)
    with pytest.raises(ruzu.ConfigError, match="checkpoint_threshold"):
        ruzu.Database(str(tmp_path / "c"), checkpoint_threshold=1234)


def test_max_num_threads_is_the_default_of_connections(tmp_path):
    with ruzu.Database(str(tmp_path / "db"), max_num_threads=3) as db:
        assert ruzu.Connection(db).options.threads == 3
        assert ruzu.Connection(db, num_threads=2).options.threads == 2
    with pytest.raises(ruzu.ConfigError):
        ruzu.Database(str(tmp_path / "e"), max_num_threads=-1)


def test_a_locked_database_says_so_in_kuzus_words(tmp_path):
    import subprocess
    import sys

    path = str(tmp_path / "db")
    for module in ("ruzu", "kuzu"):
        db = __import__(module).Database(path + module)
        code = f"import {module}; {module}.Database({path + module!r})"
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
        db.close()
        assert "IO exception: Could not set lock on file" in done.stderr, module
