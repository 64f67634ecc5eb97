"""Hostile but realistic inputs give ruzu errors, never raw Python exceptions (issue 15,
finding 8): symlink loops, NUL bytes in paths, manifest.json replaced by a directory, deeply
nested or enormous queries, 30-digit literals, bad COPY options and config values."""

from __future__ import annotations

import os

import pytest

import ruzu
from ruzu.errors import (
    ConfigError,
    CorruptDatabaseError,
    CsvError,
    IntegerOverflowError,
    QueryError,
    StorageError,
)


@pytest.fixture
def db(tmp_path):
    database = ruzu.Database(tmp_path / "db")
    database.create_node_table("P", [("id", "INT64"), ("name", "STRING")], "id")
    (tmp_path / "p.csv").write_text("id,name\n1,a\n2,b\n")
    database.import_nodes("P", str(tmp_path / "p.csv"))
    yield database
    database.close()


@pytest.mark.parametrize("read_only", [False, True])
def test_database_path_symlink_loop_and_nul(tmp_path, read_only):
    os.symlink(tmp_path / "loop", tmp_path / "loop")
    with pytest.raises(StorageError, match="loop of symbolic links"):
        ruzu.Database(tmp_path / "loop", read_only=read_only)
    with pytest.raises(StorageError, match="NUL byte"):
        ruzu.Database(str(tmp_path / "a\0b"), read_only=read_only)


def test_input_path_symlink_loop_and_nul(db, tmp_path):
    os.symlink(tmp_path / "loop.csv", tmp_path / "loop.csv")
    with pytest.raises(CsvError, match="Too many levels of symbolic links"):
        db.import_nodes("P", str(tmp_path / "loop.csv"))
    with pytest.raises(CsvError, match="NUL byte"):
        db.import_nodes("P", str(tmp_path / "p\0.csv"))
    assert db.table("P").num_rows == 2


@pytest.mark.parametrize("read_only", [False, True])
def test_manifest_replaced_by_a_directory(tmp_path, read_only):
    path = tmp_path / "db"
    ruzu.Database(path).close()
    os.remove(path / "manifest.json")
    os.mkdir(path / "manifest.json")
    with pytest.raises(CorruptDatabaseError, match="manifest.json: cannot be read"):
        ruzu.Database(path, read_only=read_only)


def test_deep_and_huge_queries(db):
    with pytest.raises(QueryError, match="nested too deeply"):
        db.execute("RETURN " + "(" * 5000 + "1" + ")" * 5000)
    ors = " OR ".join(f"p.id = {i}" for i in range(20_000))
    with pytest.raises(QueryError, match="nested too deeply"):
        db.execute(f"MATCH (p:P) WHERE {ors} RETURN count(*)").get_all()
    assert db.execute("MATCH (p:P) RETURN count(*)").get_all() == [[2]]  # still fine


def test_thirty_digit_literal(db):
    with pytest.raises(IntegerOverflowError):
        db.execute("RETURN 100000000000000000000000000000").get_all()


def test_bad_copy_options_and_config_values(db, tmp_path):
    with pytest.raises(ConfigError, match="delimiter"):
        db.execute(f"COPY P FROM '{tmp_path / 'p.csv'}' (DELIM=';;')")
    with pytest.raises(ConfigError, match="null_strings"):
        ruzu.CsvImportConfig(null_strings=None)
    with pytest.raises(ConfigError, match="null_strings"):
        ruzu.CsvImportConfig(null_strings=[1, 2])
