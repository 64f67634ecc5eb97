"""Kùzu's scalar function families (string, list, numeric, date, CAST, id, properties) give
Kùzu 0.11.3's answers on the same data."""

from __future__ import annotations

import pytest

import ruzu

kuzu = pytest.importorskip("kuzu")


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    base = tmp_path_factory.mktemp("functions")
    (base / "p.csv").write_text(
        "1,alice,1.5,2020-02-29\n2,Bob,-2.25,1999-12-31\n3,,0.0,\n4,carol smith,10.0,2024-01-15\n"
    )
    (base / "k.csv").write_text("1,2\n2,3\n3,4\n")
    statements = [
        "CREATE NODE TABLE P(id INT64, name STRING, x DOUBLE, d DATE, PRIMARY KEY(id))",
        "CREATE REL TABLE K(FROM P TO P)",
        f"COPY P FROM '{base / 'p.csv'}'",
        f"COPY K FROM '{base / 'k.csv'}'",
    ]
    ours = ruzu.Connection(ruzu.Database(str(base / "ruzu")))
    theirs = kuzu.Connection(kuzu.Database(str(base / "kuzu")))
    for s in statements:
        ours.execute(s)
        theirs.execute(s)
    return ours, theirs


QUERIES = [
    "MATCH (p:P) RETURN p.id, starts_with(p.name, 'a'), ends_with(p.name, 'h'), "
    "left(p.name, 2), right(p.name, 3), lpad(p.name, 6, '*'), rpad(p.name, 6, '-')",
    "MATCH (p:P) RETURN p.id, substr(p.name, 2, 3), repeat(p.name, 2), "
    "string_split(p.name, ' '), regexp_matches(p.name, '^[a-c]'), initcap(p.name)",
    "MATCH (p:P) RETURN p.id, levenshtein(p.name, 'alice'), "
    "regexp_replace(p.name, 'o', '0', 'g'), regexp_extract(p.name, '([a-z]+)', 1)",
    "RETURN list_sort([3, 1, 2]), list_sort([3, 1, 2], 'DESC'), list_reverse_sort([1, 5, 2]), "
    "list_distinct([1, 1, 2]), list_unique([1, 1, 2]), list_sum([1, 2, 3]), "
    "list_product([2, 3]), list_contains([1, 2], 2), list_position([5, 6], 6)",
    "RETURN list_extract([1, 2, 3], 2), list_extract([1, 2, 3], -1), "
    "list_slice([1, 2, 3, 4], 2, 3), list_append([1], 2), list_concat([1], [2, 3]), "
    "range(1, 7, 2), range(0, 3), "
    "list_reverse([1, 2])",
    "MATCH (p:P) RETURN p.id, sign(p.x), ln(p.x + 3), log10(p.x + 3), log2(p.x + 3), "
    "sin(p.x), pow(p.x, 2), degrees(p.x), radians(p.x), factorial(p.id)",
    "MATCH (p:P) RETURN p.id, dayname(p.d), monthname(p.d), last_day(p.d), "
    "make_date(2020, 2, p.id)",
    "MATCH (p:P) RETURN p.id, CAST(p.x AS INT64), CAST(p.x AS STRING), CAST(p.id AS DOUBLE), "
    "CAST(p.id AS STRING), CAST('7' AS INT32), CAST('true' AS BOOLEAN)",
    "MATCH (a:P)-[k:K]->(b:P) RETURN id(a), id(k), id(b)",
    "MATCH (a:P) WITH collect(a) AS ps RETURN properties(ps, 'name')",
]


@pytest.mark.parametrize("query", QUERIES)
def test_same_answer_as_kuzu(both, query):
    ours, theirs = both
    mine = sorted(ours.execute(query).get_all(), key=repr)
    kuzus = sorted(theirs.execute(query).get_all(), key=repr)
    assert _approx(mine) == _approx(kuzus)


def _approx(value):
    if isinstance(value, float):
        return round(value, 9) if value == value else "nan"
    if isinstance(value, list):
        return [_approx(v) for v in value]
    if isinstance(value, dict):
        return {k: _approx(v) for k, v in value.items()}
    return value


@pytest.mark.parametrize("fn", ["array_cosine_similarity", "array_inner_product",
                                "array_dot_product", "array_squared_distance", "array_distance"])
def test_array_vector_functions_as_kuzu(tmp_path, fn):
    """On DOUBLE[3] columns (Kùzu 0.11.3 sums in float: compared to 1e-6)."""
    answers = []
    for module in (ruzu, kuzu):
        db = module.Database(str(tmp_path / module.__name__))
        conn = module.Connection(db)
        conn.execute("CREATE NODE TABLE N(id STRING, e DOUBLE[3], PRIMARY KEY(id))")
        conn.execute("CREATE (:N {id: 'a', e: $e})", {"e": [3, 5, 2]})
        conn.execute("CREATE (:N {id: 'b', e: [1.0, 0.0, -2.5]})")
        answers.append([
            conn.execute(f"MATCH (n:N) RETURN n.id, {fn}(n.e, $v) ORDER BY n.id",
                         {"v": [4.3, 5.2, 6.7]}).get_all(),
            conn.execute(f"MATCH (n:N), (m:N) RETURN n.id, m.id, {fn}(n.e, m.e) "
                         "ORDER BY n.id, m.id").get_all(),
        ])
        db.close()
    ours, theirs = answers
    for mine, kuzus in zip(ours, theirs, strict=True):
        assert [r[:-1] for r in mine] == [r[:-1] for r in kuzus]
        assert [r[-1] for r in mine] == pytest.approx([r[-1] for r in kuzus], rel=1e-6, abs=1e-6)


@pytest.mark.parametrize("text", ["\\x62\\x61z", "plain", "", "\\x00\\xFF\\xaa", "\\xZZ",
                                  "ab\\xZ1cd", "a\\x4", "é"])
def test_blob_of_a_string_as_kuzu(tmp_path, text):
    answers = []
    for module in (ruzu, kuzu):
        db = module.Database(str(tmp_path / module.__name__))
        conn = module.Connection(db)
        try:
            answers.append(conn.execute("RETURN BLOB($s)", {"s": text}).get_all())
        except RuntimeError as e:
            answers.append(str(e))
        db.close()
    assert answers[0] == answers[1]
