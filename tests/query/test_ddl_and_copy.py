"""CREATE/DROP TABLE, COPY … FROM and CALL go through the parser to the database's methods."""

from __future__ import annotations

import pytest

import ruzu
from ruzu.errors import CatalogError, QueryError, ReadOnlyError
from ruzu.types import LogicalType


@pytest.fixture
def db(tmp_path):
    with ruzu.Database(tmp_path / "db") as database:
        yield database


def test_create_node_table_with_key_clause(db):
    result = db.execute(
        "CREATE NODE TABLE Person(id INT64, name STRING, age INT64, PRIMARY KEY(id))"
    )
    assert result.get_all() == [["Table Person has been created."]]
    schema = db.catalog.node_tables["Person"]
    assert [(c.name, c.type) for c in schema.columns] == [
        ("id", LogicalType.INT64),
        ("name", LogicalType.STRING),
        ("age", LogicalType.INT64),
    ]
    assert schema.primary_key == "id"


def test_create_node_table_inline_key(db):
    db.execute("create node table City(name STRING PRIMARY KEY, pop INT32)")
    assert db.catalog.node_tables["City"].primary_key == "name"


def test_create_rel_tables(db):
    db.execute("CREATE NODE TABLE User(id INT64 PRIMARY KEY)")
    db.execute("CREATE NODE TABLE Post(id INT64 PRIMARY KEY)")
    db.execute("CREATE NODE TABLE Comment(id INT64 PRIMARY KEY)")
    db.execute("CREATE REL TABLE Follows(FROM User TO User, since INT64)")
    db.execute("CREATE REL TABLE Likes(FROM User TO Post, FROM User TO Comment)")
    assert db.catalog.rel_tables["Follows"].pairs == [("User", "User")]
    assert [c.name for c in db.catalog.rel_tables["Follows"].columns] == ["since"]
    assert db.catalog.rel_tables["Likes"].pairs == [("User", "Post"), ("User", "Comment")]


def test_drop_table(db):
    db.execute("CREATE NODE TABLE T(id INT64 PRIMARY KEY)")
    assert db.execute("DROP TABLE T").get_all() == [["Table T has been dropped."]]
    assert "T" not in db.catalog.node_tables
    with pytest.raises(CatalogError):
        db.execute("DROP TABLE T")


def test_copy_with_options_and_kuzu_message(db, tmp_path):
    (tmp_path / "p.csv").write_text("# comment line\n1|Ann|30\n2|Bob|NA\n")
    db.execute("CREATE NODE TABLE P(id INT64, name STRING, age INT64, PRIMARY KEY(id))")
    result = db.execute(
        f"COPY P FROM '{tmp_path / 'p.csv'}' (header=false, DELIMITER='|', "
        "Skip=1, NULL_STRINGS=['NA'], quote='\"', ESCAPE='\"', "
        "IGNORE_ERRORS=false)"
    )
    assert result.get_column_names() == ["result"]
    assert result.get_all() == [["2 tuples have been copied to the P table."]]
    rows = db.execute("MATCH (p:P) RETURN p.id, p.name, p.age ORDER BY p.id").get_all()
    assert rows == [[1, "Ann", 30], [2, "Bob", None]]


def test_copy_relative_path_and_rel_pairs(db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "u.csv").write_text("id\n1\n2\n")
    (tmp_path / "post.csv").write_text("id\n7\n")
    (tmp_path / "likes.csv").write_text("from,to\n1,7\n2,7\n")
    db.execute("CREATE NODE TABLE User(id INT64 PRIMARY KEY)")
    db.execute("CREATE NODE TABLE Post(id INT64 PRIMARY KEY)")
    db.execute("CREATE NODE TABLE Comment(id INT64 PRIMARY KEY)")
    db.execute("CREATE REL TABLE Likes(FROM User TO Post, FROM User TO Comment)")
    db.execute("COPY User FROM 'u.csv' (HEADER=true)")
    db.execute("COPY Post FROM 'post.csv' (HEADER=true)")
    result = db.execute("COPY Likes FROM 'likes.csv' (HEADER=true, from='User', to='Post')")
    assert result.get_all() == [["2 tuples have been copied to the Likes table."]]
    rows = db.execute("MATCH (u:User)-[:Likes]->(p:Post) RETURN u.id, p.id ORDER BY u.id")
    assert rows.get_all() == [[1, 7], [2, 7]]


def test_show_warnings_lists_rejected_rows(db, tmp_path):
    (tmp_path / "p.csv").write_text("id,age\n1,30\n2,old\n3,40\n")
    db.execute("CREATE NODE TABLE P(id INT64, age INT64, PRIMARY KEY(id))")
    result = db.execute(f"COPY P FROM '{tmp_path / 'p.csv'}' (HEADER=true, IGNORE_ERRORS=true)")
    copied, warned = result.get_all()
    assert copied == ["2 tuples have been copied to the P table."]
    assert warned[0].startswith("1 warnings encountered during copy. Use 'CALL show_warnings()")
    warnings = db.execute("CALL show_warnings() RETURN *")
    assert warnings.get_column_names() == [
        "query_id",
        "message",
        "file_path",
        "line_number",
        "skipped_line_or_record",
    ]
    (row,) = warnings.get_all()
    assert row[2].endswith("p.csv") and row[3] == 3 and "old" in row[4]


def test_call_return_named_columns(db):
    db.execute("CREATE NODE TABLE P(id INT64 PRIMARY KEY)")
    rows = db.execute("CALL show_tables() RETURN name, type").get_all()
    assert rows == [["P", "NODE"]]


def test_unknown_copy_option(db, tmp_path):
    db.execute("CREATE NODE TABLE P(id INT64 PRIMARY KEY)")
    with pytest.raises(QueryError, match="COLOUR"):
        db.execute(f"COPY P FROM '{tmp_path / 'x.csv'}' (COLOUR='red')")


def test_copy_into_missing_table(db, tmp_path):
    with pytest.raises(CatalogError, match="Nope"):
        db.execute(f"COPY Nope FROM '{tmp_path / 'x.csv'}'")


def test_writes_on_read_only_database(tmp_path):
    (tmp_path / "p.csv").write_text("id\n1\n")
    with ruzu.Database(tmp_path / "db") as db:
        db.execute("CREATE NODE TABLE P(id INT64 PRIMARY KEY)")
    with ruzu.Database(tmp_path / "db", read_only=True) as db:
        for statement in (
            "CREATE NODE TABLE Q(id INT64 PRIMARY KEY)",
            "DROP TABLE P",
            f"COPY P FROM '{tmp_path / 'p.csv'}'",
            "CREATE REL TABLE R(FROM P TO P)",
        ):
            with pytest.raises(ReadOnlyError):
                db.execute(statement)
        assert db.execute("MATCH (p:P) RETURN count(*)").get_all() == [[0]]


@pytest.mark.parametrize(
    "text, rows",
    [
        ("id,name\n1,Ann\n2,Bob\n", 2),  # names the columns
        ("1,Ann\n2,Bob\n", 2),  # data from the first line
    ],
)
def test_copy_without_header_option_detects_it(db, tmp_path, text, rows):
    (tmp_path / "p.csv").write_text(text)
    db.execute("CREATE NODE TABLE P(id INT64, name STRING, PRIMARY KEY(id))")
    result = db.execute(f"COPY P FROM '{tmp_path / 'p.csv'}'")
    assert result.get_all() == [[f"{rows} tuples have been copied to the P table."]]
    assert db.execute("MATCH (p:P) RETURN p.id, p.name ORDER BY p.id").get_all() == [
        [1, "Ann"],
        [2, "Bob"],
    ]
