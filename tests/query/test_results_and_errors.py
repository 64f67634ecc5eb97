"""QueryResult's API and value types, and errors that name what is wrong."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import ruzu
from ruzu.errors import CatalogError, QueryError

from .small_graph import build


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = build(tmp_path_factory.mktemp("small"))
    database = ruzu.Database(path, read_only=True)
    yield database
    database.close()


def test_cursor_api(db):
    result = ruzu.Connection(db).execute("MATCH (p:Person) RETURN p.id, p.name ORDER BY p.id")
    assert result.get_column_names() == ["p.id", "p.name"]
    assert result.get_num_tuples() == 4
    assert result.has_next()
    assert result.get_next() == [1, "Ann"]
    assert result.get_all() == [[2, "Bob"], [3, "Cyd"], [4, "Dee"]]
    assert not result.has_next()
    with pytest.raises(IndexError):
        result.get_next()


def test_value_types(db):
    row = db.execute(
        "MATCH (p:Person {id: 1}) RETURN p.id, p.score, p.name, p.age > 20, p.born, p.seen"
    ).get_next()
    assert row == [1, 1.5, "Ann", True, dt.date(2000, 1, 5), dt.datetime(2024, 3, 1, 10, 0)]
    assert [type(v) for v in row] == [int, float, str, bool, dt.date, dt.datetime]
    nulls = db.execute("MATCH (p:Person {id: 2}) RETURN p.age, p.seen, p.age + 1").get_next()
    assert nulls == [None, None, None]


def test_whole_node_and_rel(db):
    (node,) = db.execute("MATCH (c:City {id: 11}) RETURN c").get_next()
    assert node == {"_id": {"offset": 1, "table": 1}, "_label": "City", "id": 11, "name": "Oslo"}
    (rel,) = db.execute("MATCH (:Person {id: 3})-[f:Follows]->() RETURN f").get_next()
    assert rel["_label"] == "Follows" and rel["since"] == 2020
    assert rel["_src"] == {"offset": 2, "table": 0}
    assert rel["_dst"] == {"offset": 3, "table": 0}


def test_get_as_df(db):
    df = db.execute(
        "MATCH (p:Person) RETURN p.id AS id, p.age AS age, p.name AS name ORDER BY id"
    ).get_as_df()
    assert list(df.columns) == ["id", "age", "name"]
    assert df["id"].tolist() == [1, 2, 3, 4]
    assert str(df["id"].dtype) == "int64"
    assert str(df["age"].dtype) == "float64" and np.isnan(df["age"][1])  # as Kùzu: NaN
    assert df["name"].tolist() == ["Ann", "Bob", "Cyd", "Dee"]
    born = db.execute("MATCH (p:Person) RETURN p.born AS b ORDER BY p.id").get_as_df()["b"]
    assert str(born.dtype).startswith("datetime64") and born.isna().tolist() == [
        False,
        False,
        True,
        False,
    ]


def test_get_as_arrow(db):
    table = db.execute(
        "MATCH (p:Person) RETURN p.id AS id, p.age AS age, p.born AS born ORDER BY id"
    ).get_as_arrow()
    assert table.column_names == ["id", "age", "born"]
    assert table.column("age").to_pylist() == [30, None, 20, 41]
    assert table.column("born").to_pylist()[0] == dt.date(2000, 1, 5)


def test_collect_into_dataframe(db):
    df = db.execute(
        "MATCH (p:Person)-[:LivesIn]->(c:City) RETURN c.name AS city, "
        "collect(p.id) AS ids ORDER BY city"
    ).get_as_df()
    assert [sorted(x) for x in df["ids"]] == [[3], [1, 2]]


def test_parameters(db):
    result = db.execute(
        "MATCH (p:Person) WHERE p.age >= $min RETURN p.name ORDER BY p.name LIMIT $n",
        {"min": 25, "n": 1},
    )
    assert result.get_all() == [["Ann"]]


@pytest.mark.parametrize(
    "query, error, words",
    [
        ("MATCH (a:Nobody) RETURN a", CatalogError, ["Nobody", "does not exist"]),
        ("MATCH (a:Person)-[:Knows]->(b) RETURN a", CatalogError, ["Knows"]),
        ("MATCH (a:Follows) RETURN a", CatalogError, ["Follows", "node"]),
        ("MATCH (a)-[:Person]->(b) RETURN a", CatalogError, ["Person", "relationship"]),
        ("MATCH (a:Person) RETURN a.height", CatalogError, ["height", "a"]),
        ("MATCH (a:Person) WHERE a.nickname = 'x' RETURN a", CatalogError, ["nickname"]),
        ("MATCH (a:Person)-[r:Follows]->(b) RETURN r.weight", CatalogError, ["weight", "r"]),
        ("MATCH (a:Person) RETURN b.name", QueryError, ["Variable b", "not in scope"]),
        ("MATCH (a:Person) WITH a.age AS x RETURN a", QueryError, ["Variable a"]),
        ("MATCH (a:Person) RETURN a, a", QueryError, ["same name a"]),
        ("MATCH (a:Person) WITH a.age RETURN 1", QueryError, ["aliased"]),
        ("MATCH (a:Person) WHERE count(*) > 1 RETURN a", QueryError, ["COUNT"]),
        ("MATCH (a:Person) RETURN count(count(*))", QueryError, ["nested"]),
        ("MATCH (a:Person) RETURN frobnicate(a.age)", QueryError, ["FROBNICATE"]),
        ("MATCH (a:Person) RETURN a.name + 1", QueryError, ["+"]),
        ("MATCH (a:Person) WHERE a.name > 3 RETURN a", QueryError, ["compare"]),
        ("MATCH (a:Person) RETURN a.age / 0", QueryError, ["Divide by zero"]),
        ("MATCH (a:Person) RETURN $missing", QueryError, ["missing"]),
        ("MATCH (a:Person) RETURN a LIMIT -1", QueryError, ["LIMIT"]),
        ("MATCH (a:Person)", QueryError, ["RETURN"]),
        ("MATCH (a:Person) MERGE (b:Person) RETURN a", QueryError, ["primary key id"]),
        ("MATCH (a:Person) DELETE a RETURN a", QueryError, ["DELETE", "RETURN"]),
        ("MATCH (a:Person) DELETE a", ruzu.ReadOnlyError, ["read-only"]),
    ],
)
def test_errors_name_the_problem(db, query, error, words):
    with pytest.raises(error) as info:
        db.execute(query, {})
    for word in words:
        assert word in str(info.value)


def test_binding_errors_say_where(db):
    with pytest.raises(CatalogError, match=r"line 2, column 8"):
        db.execute("MATCH (a:Person)\nRETURN a.height")


def test_syntax_error_points_at_token(db):
    with pytest.raises(QueryError) as info:
        db.execute("MATCH (a:Person)\nWHERE a.age > RETURN a")
    message = str(info.value)
    assert "line 2, column 15" in message and "'RETURN'" in message
    assert "WHERE a.age > RETURN a" in message


def test_bound_node_relabelled_is_filtered(db):
    rows = db.execute("MATCH (n) WITH n MATCH (n:City) RETURN n.name ORDER BY n.name").get_all()
    assert rows == [["Oslo"], ["Paris"]]


def test_queries_run_on_a_read_only_database(db):
    assert db.read_only
    assert db.execute("MATCH (p:Person)-[:Follows]->(q) RETURN count(*)").get_all() == [[6]]


@pytest.mark.parametrize("limit", [0, 1, 3, 5, 6, 100])
def test_limit_without_order_gives_that_many_true_rows(db, limit):
    everything = db.execute("MATCH (a:Person)-[:Follows]->(b) RETURN a.id").get_all()
    rows = db.execute(f"MATCH (a:Person)-[:Follows]->(b) RETURN a.id LIMIT {limit}").get_all()
    assert len(rows) == min(limit, len(everything))
    for row in rows:
        assert row in everything
