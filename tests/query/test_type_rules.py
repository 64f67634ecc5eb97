"""One rule for mixing kinds (``ruzu.query.values.kinds``), checked against Kùzu 0.11.3 where it
is Kùzu's: list literals, COALESCE and UNWIND take the common type (INT64 with DOUBLE is DOUBLE,
DATE with TIMESTAMP is TIMESTAMP), CASE takes its first branch's type, UNION takes no implicit
cast at all; a mix with no common type is an error in both engines."""

from __future__ import annotations

import math

import pytest

import ruzu
from ruzu.query.values.kinds import common_kind, first_kind

kuzu = pytest.importorskip("kuzu")

D = "date('2020-01-01')"
T = "timestamp('2020-01-01 10:00:00')"
SAME = [
    "RETURN [1, 2.5]",
    "RETURN [1, 2.5, NULL]",
    "RETURN [1, NULL]",
    f"RETURN [{D}, {T}]",
    f"RETURN [{D}, NULL]",
    "RETURN coalesce(NULL, 1, 2.5)",
    "RETURN coalesce(2.5, 1)",
    "RETURN coalesce(NULL, 1)",
    f"RETURN coalesce({D}, {T})",
    "RETURN CASE WHEN true THEN 1 ELSE 2.5 END",
    "RETURN CASE WHEN false THEN 1 ELSE 2.5 END",
    "RETURN CASE WHEN false THEN 1 ELSE 3.5 END",
    "RETURN CASE WHEN false THEN 1 ELSE -2.5 END",
    "RETURN CASE WHEN false THEN 2.5 ELSE 1 END",
    "RETURN CASE 1 WHEN 1 THEN NULL ELSE 2.5 END",
    "RETURN CASE WHEN false THEN 1 END",
    "UNWIND [1, 2.5] AS x RETURN x",
    "UNWIND [1, 2, 3] AS x RETURN CASE WHEN x > 1 THEN x ELSE 2.5 END",
    "UNWIND [1, 2, 3] AS x RETURN CASE WHEN x > 1 THEN 0.5 ELSE x END",
    "UNWIND [1, 2, 3] AS x RETURN [x, 0.5]",
    "UNWIND [1, 2, 3] AS x RETURN coalesce(CASE WHEN x > 1 THEN x END, 0.5)",
    "RETURN 1 AS x UNION ALL RETURN 2 AS x",
]
BOTH_REFUSE = [
    "RETURN [1, 'a']",
    "RETURN [1, true]",
    f"RETURN ['a', {D}]",
    "RETURN coalesce(true, 'x')",
    "RETURN CASE WHEN true THEN 1 ELSE 'a' END",
    "RETURN CASE WHEN true THEN 1 ELSE true END",
    f"RETURN CASE WHEN true THEN {D} ELSE {T} END",
    "RETURN 1 AS x UNION RETURN 'a' AS x",
    "RETURN 1 AS x UNION RETURN 2.5 AS x",
    "RETURN 1 AS x UNION ALL RETURN true AS x",
]


@pytest.fixture(scope="module")
def both():
    return ruzu.Connection(ruzu.Database()), kuzu.Connection(kuzu.Database())


def _typed(rows):
    """Values with their Python types: 1 and 1.0 are different answers here."""
    def one(v):
        if isinstance(v, list):
            return [one(x) for x in v]
        if isinstance(v, float) and math.isnan(v):
            return ("nan",)
        return (type(v).__name__, v)

    return [[one(v) for v in row] for row in rows]


@pytest.mark.parametrize("query", SAME)
def test_result_values_and_types_match_kuzu(both, query):
    ours, theirs = both
    expected = theirs.execute(query)
    got = ours.execute(query)
    if "UNION" in query:  # Kùzu's UNION ALL gives its branches' rows in either order
        assert sorted(_typed(got.get_all()), key=repr) == sorted(
            _typed(expected.get_all()), key=repr)
    else:
        assert _typed(got.get_all()) == _typed(expected.get_all())
    kuzu_types = [t.replace("[]", "") for t in expected.get_column_data_types()]
    ours_types = got.get_column_data_types()
    for k, o in zip(kuzu_types, ours_types, strict=True):
        if o != "LIST":  # ruzu names list columns LIST, Kùzu DOUBLE[] …
            assert o == k


@pytest.mark.parametrize("query", BOTH_REFUSE)
def test_mixes_kuzu_refuses_are_errors(both, query):
    ours, theirs = both
    with pytest.raises(RuntimeError):
        theirs.execute(query)
    with pytest.raises(ruzu.QueryError):
        ours.execute(query)


@pytest.mark.parametrize(
    ("kinds", "common", "first"),
    [
        ([], "null", "null"),
        (["null"], "null", "null"),
        (["int", "null"], "int", "int"),
        (["int", "float"], "float", "int"),
        (["float", "int"], "float", "float"),
        (["date", "timestamp"], "timestamp", None),
        (["int", "str"], None, None),
        (["str", "str", "null"], "str", "str"),
        (["list", "list"], "list", "list"),
        (["node", "rel"], None, None),
    ],
)
def test_the_rule(kinds, common, first):
    assert common_kind(kinds) == common
    assert first_kind(kinds) == first
