"""The pieces the command line parses itself: schema files, TABLE=FILE specs, help texts."""

from __future__ import annotations

import argparse

import pytest

from ruzu import CatalogError, NodeTableSchema, QueryError, RelTableSchema
from ruzu.cli import FileJob, build_demo_parser, build_parser, main, parse_schema, parse_spec


def _all_options(parser: argparse.ArgumentParser):
    return [a for a in parser._actions if not isinstance(a, argparse._HelpAction)]


@pytest.mark.parametrize("make", [build_parser, build_demo_parser])
def test_every_option_has_help(make):
    parser = make()
    for action in _all_options(parser):
        assert action.help and action.help.strip(), action.option_strings or action.dest
        assert action.help != argparse.SUPPRESS
    assert parser.description


@pytest.mark.parametrize("argv", [["--help"], ["demo", "--help"]])
def test_help_lists_every_option(capsys, argv):
    assert main(argv) == 0
    out = capsys.readouterr().out
    parser = build_demo_parser() if argv[0] == "demo" else build_parser()
    for action in _all_options(parser):
        for opt in action.option_strings:
            assert opt in out


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("ruzu ")


# ---------------------------------------------------------------------------------- specs
@pytest.mark.parametrize(("spec", "kind", "expected"), [
    ("Person=p.csv", "nodes", [("Person", "p.csv", None, None)]),
    ("Person=a.csv,b.csv", "nodes", [("Person", "a.csv", None, None),
                                    ("Person", "b.csv", None, None)]),
    ("data/Person.csv", "nodes", [("Person", "data/Person.csv", None, None)]),
    ("Follows=f.csv", "relationships", [("Follows", "f.csv", None, None)]),
    ("Likes:User:Post=l.csv", "relationships", [("Likes", "l.csv", "User", "Post")]),
    ("Likes:User=l.csv", "relationships", [("Likes", "l.csv", "User", None)]),
    ("Likes::Post=l.csv", "relationships", [("Likes", "l.csv", None, "Post")]),
    ("dir/k=v/Person.csv", "nodes", [("Person", "dir/k=v/Person.csv", None, None)]),
])
def test_parse_spec(spec, kind, expected):
    jobs = parse_spec(spec, kind)
    assert [(j.table, j.path, j.from_table, j.to_table) for j in jobs] == expected
    assert all(isinstance(j, FileJob) and j.kind == kind for j in jobs)


@pytest.mark.parametrize(("spec", "kind"), [
    ("Person=", "nodes"), ("Person=a.csv,", "nodes"), ("Person:A:B=x.csv", "nodes"),
    ("1abc.csv", "nodes"), ("Likes:A:B:C=x.csv", "relationships"),
])
def test_parse_spec_rejects(spec, kind):
    with pytest.raises(ValueError):
        parse_spec(spec, kind)


# ---------------------------------------------------------------------------------- schema
def test_parse_schema_kuzu_forms():
    text = """
    // people
    CREATE NODE TABLE Person(id INT64, name STRING, age INT64, PRIMARY KEY (id));
    create node table if not exists City (`name` STRING PRIMARY KEY, population INT); -- x
    /* a block
       comment; with a semicolon */
    CREATE REL TABLE Follows(FROM Person TO Person, since INT64);
    CREATE REL TABLE LivesIn(FROM Person TO City, MANY_ONE);
    CREATE REL TABLE GROUP Knows(FROM Person TO Person, FROM Person TO City, w DOUBLE)
    """
    stmts = parse_schema(text, "s.cypher")
    assert [(s.schema.name, s.line) for s in stmts] == [
        ("Person", 3), ("City", 4), ("Follows", 7), ("LivesIn", 8), ("Knows", 9)]
    person, city, follows, lives, knows = (s.schema for s in stmts)
    assert isinstance(person, NodeTableSchema) and person.primary_key == "id"
    assert person.column_names == ["id", "name", "age"]
    assert city.primary_key == "name" and city.column("population").type.value == "INT32"
    assert isinstance(follows, RelTableSchema) and follows.pairs == [("Person", "Person")]
    assert follows.column_names == ["since"]
    assert lives.pairs == [("Person", "City")] and lives.columns == []
    assert knows.pairs == [("Person", "Person"), ("Person", "City")]


@pytest.mark.parametrize(("text", "error", "message"), [
    ("CREATE NODE TABLE P(id INT64)", QueryError,
     "s:1:29: syntax error: node table P needs a PRIMARY KEY"),
    ("\n\nCREATE NODE TABLE P(id INT64, x GEOMETRY, PRIMARY KEY(id))", CatalogError,
     "s:3: unknown type 'GEOMETRY'"),
    ("CREATE NODE TABLE P(id INT64 DEFAULT 3, PRIMARY KEY(id))", QueryError,
     "s:1:30: syntax error: unexpected 'DEFAULT'"),
    ("CREATE NODE TABLE P(id INT64, PRIMARY KEY(nope))", CatalogError,
     "s:1: primary key 'nope' is not a column"),
    ("CREATE REL TABLE R(since INT64)", QueryError,
     "s:1:20: syntax error: unexpected 'since', expected FROM"),
    ("DROP TABLE P", QueryError, "s:1: expected CREATE NODE TABLE or CREATE REL TABLE"),
    ("CREATE NODE TABLE A(id INT64, PRIMARY KEY(id));\n  CREATE NODE TABLE P(id)", QueryError,
     "s:2:25: syntax error: unexpected ')', expected a type for column id"),
    ("CREATE NODE TABLE A(id INT64, PRIMARY KEY(id)); CREATE NODE TABLE P(id)", QueryError,
     "s:1:71: syntax error: unexpected ')'"),
])
def test_parse_schema_errors(text, error, message):
    with pytest.raises(error) as info:
        parse_schema(text, "s")
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)
