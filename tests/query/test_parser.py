"""The parser: AST shapes for every construct, and syntax errors that say where."""

from __future__ import annotations

import pytest

from ruzu.errors import QueryError
from ruzu.query.syntax import ast
from ruzu.query.syntax.parser import parse


def only_match(query: str) -> ast.Match:
    stmt = parse(query)
    assert isinstance(stmt, ast.Query)
    clause = stmt.clauses[0]
    assert isinstance(clause, ast.Match)
    return clause


def test_node_pattern_with_label_and_properties():
    match = only_match("MATCH (a:Person {name: 'Al', age: 3}) RETURN a")
    node = match.patterns[0].nodes[0]
    assert node == ast.NodePattern(
        "a", ("Person",), (("name", ast.Literal("Al")), ("age", ast.Literal(3)))
    )


@pytest.mark.parametrize(
    "text, direction",
    [
        ("(a)-[r:F]->(b)", "out"),
        ("(a)<-[r:F]-(b)", "in"),
        ("(a)-[r:F]-(b)", "both"),
        ("(a)-->(b)", "out"),
        ("(a)<--(b)", "in"),
        ("(a)--(b)", "both"),
    ],
)
def test_rel_directions(text, direction):
    rel = only_match(f"MATCH {text} RETURN a").patterns[0].rels[0]
    assert rel.direction == direction


@pytest.mark.parametrize(
    "text, length",
    [("*1..3", (1, 3)), ("*2", (2, 2)), ("*", (1, 30)), ("*..4", (1, 4)), ("*2..", (2, 30))],
)
def test_variable_length(text, length):
    rel = only_match(f"MATCH (a)-[:F{text}]->(b) RETURN a").patterns[0].rels[0]
    assert rel.labels == ("F",)
    assert rel.length == length


def test_anonymous_var_length_without_label():
    rel = only_match("MATCH (a)-[*1..2]->(b) RETURN b").patterns[0].rels[0]
    assert rel.variable is None and rel.labels == () and rel.length == (1, 2)


def test_chain_and_comma_patterns():
    match = only_match("MATCH (a)-[:F]->(b)<-[:G]-(c), (c)-[e]-(d) RETURN a")
    assert len(match.patterns) == 2
    assert [n.variable for n in match.patterns[0].nodes] == ["a", "b", "c"]
    assert [r.labels for r in match.patterns[0].rels] == [("F",), ("G",)]
    assert match.patterns[1].rels[0].variable == "e"


def test_multiple_labels():
    node = only_match("MATCH (a:Person:City) RETURN a").patterns[0].nodes[0]
    assert node.labels == ("Person", "City")
    node = only_match("MATCH (a:Person|City) RETURN a").patterns[0].nodes[0]
    assert node.labels == ("Person", "City")


def test_operator_precedence():
    stmt = parse("RETURN 1 + 2 * 3 = 7 AND NOT false OR x IS NULL")
    (item,) = stmt.clauses[0].projection.items
    e = item.expr
    assert isinstance(e, ast.BinaryOp) and e.op == "OR"
    assert e.right == ast.IsNull(ast.Variable("x"))
    left = e.left
    assert left.op == "AND"
    assert left.left == ast.BinaryOp(
        "=",
        ast.BinaryOp("+", ast.Literal(1), ast.BinaryOp("*", ast.Literal(2), ast.Literal(3))),
        ast.Literal(7),
    )
    assert left.right == ast.UnaryOp("NOT", ast.Literal(False))


def test_string_predicates_and_in():
    stmt = parse(
        "MATCH (a) WHERE a.n STARTS WITH 'x' AND a.n ENDS WITH $s "
        "AND a.n CONTAINS 'y' AND a.k IN [1, 2] RETURN a"
    )
    where = stmt.clauses[0].where
    ops = []
    while isinstance(where, ast.BinaryOp) and where.op == "AND":
        ops.append(where.right.op)
        where = where.left
    ops.append(where.op)
    assert sorted(ops) == ["CONTAINS", "ENDS_WITH", "IN", "STARTS_WITH"]


def test_projection_clauses():
    stmt = parse(
        "MATCH (a:P) WITH a, count(*) AS c ORDER BY c DESC LIMIT 3 WHERE c > 1 "
        "MATCH (a)-[:F]->(b) RETURN DISTINCT b.name AS n, count(DISTINCT a) "
        "ORDER BY n SKIP 1 LIMIT $k"
    )
    match, with_, match2, ret = stmt.clauses
    assert isinstance(with_, ast.With)
    assert with_.projection.items[1] == ast.ProjectionItem(
        ast.FunctionCall("count", (), star=True), "c"
    )
    assert with_.projection.order_by == (ast.SortItem(ast.Variable("c"), True),)
    assert with_.projection.limit == ast.Literal(3)
    assert with_.where == ast.BinaryOp(">", ast.Variable("c"), ast.Literal(1))
    proj = ret.projection
    assert proj.distinct
    assert proj.items[1].expr == ast.FunctionCall("count", (ast.Variable("a"),), distinct=True)
    assert proj.items[1].text == "count(DISTINCT a)"
    assert proj.skip == ast.Literal(1) and proj.limit == ast.Parameter("k")


def test_negative_literal_and_comments():
    stmt = parse("RETURN -3 /* three */, - 2.5 // end\n")
    items = stmt.clauses[0].projection.items
    assert [i.expr for i in items] == [ast.Literal(-3), ast.Literal(-2.5)]


def test_keywords_are_case_insensitive_names_are_not():
    stmt = parse("match (A:Person) return A.Name")
    node = stmt.clauses[0].patterns[0].nodes[0]
    assert node.variable == "A" and node.labels == ("Person",)


def test_create_node_table_both_key_forms():
    expected = ast.CreateNodeTable(
        "Person", (("id", "INT64"), ("name", "STRING"), ("age", "INT64")), "id"
    )
    assert (
        parse("CREATE NODE TABLE Person(id INT64, name STRING, age INT64, PRIMARY KEY(id))")
        == expected
    )
    assert (
        parse("create node table Person(id INT64 PRIMARY KEY, name STRING, age INT64);") == expected
    )


def test_create_rel_table():
    assert parse("CREATE REL TABLE Follows(FROM Person TO Person, since INT64)") == (
        ast.CreateRelTable("Follows", (("Person", "Person"),), (("since", "INT64"),))
    )
    assert parse("CREATE REL TABLE Likes(FROM User TO Post, FROM User TO Comment)") == (
        ast.CreateRelTable("Likes", (("User", "Post"), ("User", "Comment")), ())
    )


def test_drop_and_copy():
    assert parse("DROP TABLE Person") == ast.DropTable("Person")
    stmt = parse(
        "COPY Person FROM 'persons.csv' (HEADER=true, DELIM=',', QUOTE='\"', ESCAPE='\"', "
        "SKIP=0, IGNORE_ERRORS=false, NULL_STRINGS=[''], from='User')"
    )
    assert stmt == ast.Copy(
        "Person",
        "persons.csv",
        (
            ("header", True),
            ("delim", ","),
            ("quote", '"'),
            ("escape", '"'),
            ("skip", 0),
            ("ignore_errors", False),
            ("null_strings", ("",)),
            ("from", "User"),
        ),
    )


def test_call():
    stmt = parse("CALL show_warnings() RETURN *")
    assert stmt == ast.Call("show_warnings", (), ast.Projection((), star=True))


@pytest.mark.parametrize(
    "query, where, token",
    [
        ("MATCH (a:P) RETRN a", "line 1, column 13", "'RETRN'"),
        ("MATCH (a:P)\nWHERE a.age > RETURN a", "line 2, column 15", "'RETURN'"),
        ("MATCH (a:P RETURN a", "line 1, column 12", "'RETURN'"),
        ("MATCH (a)-[r:F->(b) RETURN a", "line 1, column 15", "'-'"),
        ("RETURN 'abc", "line 1, column 8", "unterminated"),
        ("MATCH (a) RETURN a LIMIT", "line 1, column 25", "end of input"),
        ("RETURN 1 +", "line 1, column 11", "end of input"),
        ("CREATE NODE TABLE P(id INT64)", "line 1, column 29", "PRIMARY KEY"),
        ("MATCH (a:P) REMOVE a.x RETURN a", "line 1, column 13", "REMOVE"),
        ("", "line 1, column 1", "end of input"),
    ],
)
def test_syntax_errors_say_where(query, where, token):
    with pytest.raises(QueryError) as info:
        parse(query)
    message = str(info.value)
    assert where in message
    assert token in message
