"""ruzu and Kùzu answer the same read queries over the same CSVs identically (row order is
compared only when the final RETURN has ORDER BY; list contents are compared as multisets)."""

from __future__ import annotations

import pytest

from .conftest import is_ordered, rows_of

CASES: dict[str, tuple[str, dict] | str] = {
    # --- node patterns
    "all_persons": "MATCH (p:Person) RETURN p.id, p.name, p.age, p.score, p.born, p.active",
    "inline_props": "MATCH (c:City {name: 'City3'}) RETURN c.id, c.population",
    "inline_two_props": "MATCH (p:Person {active: true, age: 30}) RETURN p.id",
    "whole_node": "MATCH (c:City) RETURN c",
    "whole_node_string_pk": "MATCH (c:Company) RETURN c",
    "unlabeled_node": "MATCH (n) RETURN label(n), count(*)",
    "multi_label_node": "MATCH (n:City:Company) RETURN n.name",
    "pk_lookup": ("MATCH (p:Person) WHERE p.id = $id RETURN p.name, p.age", {"id": 7}),
    "pk_lookup_string": "MATCH (c:Company {name: 'Co03'}) RETURN c.founded",
    "pk_lookup_missing": "MATCH (p:Person {id: -5}) RETURN p.name",
    # --- relationship patterns
    "out_edges": "MATCH (a:Person)-[f:Follows]->(b:Person) RETURN a.id, b.id, f.since, f.weight",
    "in_edges": "MATCH (a:Person)<-[f:Follows]-(b:Person) RETURN a.id, b.id, f.since",
    "undirected": "MATCH (a:Person)-[:Follows]-(b:Person) WHERE a.id < 40 RETURN a.id, b.id",
    "anonymous_rel": "MATCH (a:Person)-->(c:City) RETURN a.id, c.name",
    "anonymous_both": "MATCH (c:City)--(p) RETURN c.id, count(*)",
    "unlabeled_rel": "MATCH (a:Person)-[r]->(b) RETURN label(r), label(b), count(*)",
    "unlabeled_everything": "MATCH (a)-[r]->(b) RETURN label(a), label(r), label(b), count(*)",
    "whole_rel": "MATCH (a:Person)-[w:WorksAt]->(c:Company) RETURN w",
    "whole_rel_multi_pair": "MATCH (a:Person)-[l:Likes]->(x) RETURN l, label(x)",
    "multi_pair_rel_props": "MATCH (a:Person)-[l:Likes]->(c:City) RETURN a.id, c.id, l.rating",
    "rel_inline_prop": "MATCH (a:Person)-[f:Follows {since: 2010}]->(b) RETURN a.id, b.id",
    "self_loop_pattern": "MATCH (a:Person)-[:Follows]->(a) RETURN a.id, count(*)",
    "two_hop": "MATCH (a:Person)-[:Follows]->(b:Person)-[:Follows]->(c:Person) "
    "WHERE a.id < 60 RETURN a.id, b.id, c.id",
    "two_hop_count": "MATCH (a:Person)-[:Follows]->(b:Person)-[:Follows]->(c:Person) "
    "RETURN count(*)",
    "three_hop_count": "MATCH (a:Person)-[:Follows]->(b)-[:Follows]->(c)-[:Follows]->(d) "
    "RETURN count(*)",
    "mixed_chain": "MATCH (c:City)<-[:LivesIn]-(p:Person)-[:WorksAt]->(co:Company) "
    "RETURN c.name, co.name, count(*)",
    "chain_with_filters": "MATCH (a:Person)-[f:Follows]->(b:Person)-[:LivesIn]->(c:City) "
    "WHERE a.age > 30 AND f.since >= 2010 AND c.population > 300000 "
    "RETURN count(*), count(DISTINCT b)",
    "fold_with_filter_leaf": "MATCH (a:Person)-[:Follows]->(b:Person) WHERE b.age < 30 "
    "RETURN a.id, count(*)",
    "fold_center": "MATCH (a:Person)-[:Follows]->(b:Person)<-[:Follows]-(c:Person) "
    "RETURN b.id, count(*)",
    "triangle": "MATCH (a:Person)-[:Follows]->(b:Person)-[:Follows]->(c:Person)-[:Follows]->(a) "
    "RETURN count(*)",
    "triangle_rows": "MATCH (a:Person)-[:Follows]->(b:Person)-[:Follows]->(c:Person), "
    "(c)-[:Follows]->(a) RETURN a.id, b.id, c.id",
    "comma_join": "MATCH (a:Person)-[:LivesIn]->(c:City), (b:Person)-[:LivesIn]->(c) "
    "WHERE a.id < b.id AND a.age = b.age RETURN a.id, b.id, c.name",
    "comma_cross": "MATCH (c:City), (co:Company) WHERE c.id < 103 RETURN c.id, co.name",
    "comma_cross_count": "MATCH (c:City), (co:Company) RETURN count(*)",
    "two_matches": "MATCH (a:Person) WHERE a.id < 50 MATCH (a)-[:Follows]->(b) RETURN a.id, b.id",
    "two_matches_independent_count": "MATCH (a:Person {id: 7}) MATCH (c:City) "
    "RETURN a.name, count(*)",
    "bound_both_ends": "MATCH (a:Person)-[:LivesIn]->(c:City) MATCH (a)-[:Likes]->(c) "
    "RETURN a.id, c.id",
    "rel_var_equality": "MATCH (a:Person)-[e1:Follows]->(b:Person)<-[e2:Follows]-(c:Person) "
    "WHERE a.id < 30 RETURN a.id, b.id, c.id, e1 = e2",
    "node_equality": "MATCH (a:Person)-[:Follows]->(b:Person) WHERE a = b RETURN a.id",
    "node_inequality": "MATCH (a:Person)-[:Follows]->(b:Person) WHERE a <> b RETURN count(*)",
    # --- variable length
    "varlen_1_2": "MATCH (a:Person)-[:Follows*1..2]->(b:Person) WHERE a.id < 40 "
    "RETURN a.id, b.id, count(*)",
    "varlen_count": "MATCH (a:Person)-[:Follows*1..3]->(b:Person) RETURN count(*)",
    "varlen_exact": "MATCH (a:Person)-[:Follows*2]->(b:Person) RETURN count(*)",
    "varlen_zero": "MATCH (a:Person)-[:Follows*0..1]->(b:Person) WHERE a.id < 30 RETURN a.id, b.id",
    "varlen_in": "MATCH (a:Person {id: 7})<-[:Follows*1..3]-(b:Person) RETURN b.id, count(*)",
    "varlen_undirected": "MATCH (a:Person)-[:Follows*1..2]-(b:Person) WHERE a.id < 20 "
    "RETURN a.id, count(*)",
    "varlen_unlabeled": "MATCH (a:Person)-[*1..2]->(b) RETURN label(b), count(*)",
    "varlen_unlabeled_rows": "MATCH (a:Person)-[*1..2]->(b) WHERE a.id < 30 "
    "RETURN a.id, label(b), b.name",
    "varlen_then_hop": "MATCH (a:Person)-[:Follows*1..2]->(b:Person)-[:LivesIn]->(c:City) "
    "RETURN c.name, count(*)",
    "varlen_distinct": "MATCH (a:Person)-[:Follows*1..3]->(b:Person) WHERE a.id < 100 "
    "RETURN a.id, count(DISTINCT b)",
    "varlen_bound_both": "MATCH (a:Person)-[:LivesIn]->(c:City) "
    "MATCH (a)-[:Follows*1..2]->(b:Person)-[:LivesIn]->(c) "
    "RETURN count(*)",
    "varlen_filtered_ends": "MATCH (a:Person)-[:Follows*1..2]->(b:Person) "
    "WHERE a.age > 60 AND b.active RETURN count(*)",
    # --- WHERE
    "where_compare": "MATCH (p:Person) WHERE p.age >= 40 AND p.age < 50 RETURN p.id",
    "where_or_not": "MATCH (p:Person) WHERE NOT (p.age > 30 OR p.score < 40) RETURN p.id",
    "where_null": "MATCH (p:Person) WHERE p.age IS NULL OR p.born IS NULL RETURN p.id",
    "where_not_null": "MATCH (p:Person) WHERE p.score IS NOT NULL RETURN count(*)",
    "where_in": "MATCH (p:Person) WHERE p.age IN [20, 30, 40, 50] RETURN p.id, p.age",
    "where_in_strings": "MATCH (c:City) WHERE c.name IN ['City1', 'City4'] RETURN c.id",
    "where_in_param": (
        "MATCH (p:Person) WHERE p.id IN $ids RETURN p.name",
        {"ids": [1, 2, 3, 4, 5, 6, 7, 8]},
    ),
    "where_arith": "MATCH (p:Person) WHERE p.age * 2 + 1 > 100 AND p.age % 3 = 0 RETURN p.id",
    "where_float_arith": "MATCH (p:Person) WHERE p.score / 2.0 - 10 > 15.5 RETURN p.id",
    "where_string_preds": "MATCH (p:Person) WHERE p.name STARTS WITH 'A' OR p.name ENDS WITH "
    "'Ng' OR p.name CONTAINS 'ë' RETURN p.id, p.name",
    "where_string_compare": "MATCH (p:Person) WHERE p.name > 'K' AND p.name <= 'O' RETURN p.name",
    "where_string_eq": "MATCH (p:Person) WHERE p.name = 'Ana Lee' OR p.name <> p.name RETURN p.id",
    "where_functions": "MATCH (p:Person) WHERE lower(p.name) CONTAINS 'zo' OR "
    "upper(p.name) STARTS WITH 'EV' OR size(p.name) > 10 RETURN p.id",
    "where_abs_coalesce": "MATCH (p:Person) WHERE abs(p.age - 40) < 5 OR "
    "coalesce(p.score, 0.0) > 80 RETURN p.id",
    "where_date_part": "MATCH (p:Person) WHERE date_part('year', p.born) > 1990 "
    "RETURN p.id, date_part('month', p.born), date_part('day', p.born)",
    "where_date_compare": "MATCH (p:Person) WHERE p.born < date('1960-01-01') RETURN p.id",
    "where_bool": "MATCH (p:Person) WHERE p.active AND NOT p.age < 30 RETURN p.id",
    "where_param": (
        "MATCH (p:Person) WHERE p.age > $min AND p.name STARTS WITH $prefix RETURN p.id",
        {"min": 30, "prefix": "B"},
    ),
    "where_rel_prop": "MATCH (a:Person)-[f:Follows]->(b:Person) WHERE f.since IS NULL "
    "RETURN a.id, b.id",
    "where_cross_vars": "MATCH (a:Person)-[f:Follows]->(b:Person) WHERE a.age > b.age "
    "AND f.weight > 0.5 RETURN a.id, b.id",
    "where_xor": "MATCH (p:Person) WHERE p.active XOR p.age > 40 RETURN count(*)",
    # --- projection & aggregation
    "return_expressions": "MATCH (p:Person) RETURN p.id, p.age + 1, p.score * 2, "
    "p.age / 7, p.age % 7, -p.age, p.age IS NULL",
    "return_alias": "MATCH (p:Person) RETURN p.id AS ident, p.name AS n",
    "distinct": "MATCH (p:Person) RETURN DISTINCT p.age",
    "distinct_multi": "MATCH (p:Person)-[:LivesIn]->(c:City) RETURN DISTINCT c.name, p.active",
    "distinct_nodes": "MATCH (a:Person)-[:Follows]->(b:Person) RETURN DISTINCT b",
    "count_star": "MATCH (p:Person) RETURN count(*)",
    "count_prop": "MATCH (p:Person) RETURN count(p.age), count(p.score), count(p)",
    "count_distinct": "MATCH (a:Person)-[:Follows]->(b:Person) RETURN count(DISTINCT b), "
    "count(DISTINCT b.age), count(DISTINCT a.name)",
    "sum_avg_min_max": "MATCH (p:Person) RETURN sum(p.age), avg(p.age), min(p.age), "
    "max(p.age), sum(p.score), avg(p.score), min(p.name), max(p.name), "
    "min(p.born), max(p.born)",
    "group_by": "MATCH (p:Person)-[:LivesIn]->(c:City) RETURN c.name, count(*), avg(p.age), "
    "min(p.score), max(p.born), sum(p.age)",
    "group_by_node": "MATCH (p:Person)-[:LivesIn]->(c:City) RETURN c, count(*)",
    "group_by_two": "MATCH (p:Person)-[:LivesIn]->(c:City) RETURN c.name, p.active, count(*)",
    "group_by_expr": "MATCH (p:Person) RETURN p.age % 10 AS bucket, count(*) AS n",
    "group_by_null_key": "MATCH (p:Person) RETURN p.age IS NULL, avg(p.score)",
    "collect": "MATCH (c:City)<-[:LivesIn]-(p:Person) RETURN c.id, collect(p.id)",
    "collect_distinct": "MATCH (c:Company)<-[:WorksAt]-(p:Person) "
    "RETURN c.name, collect(DISTINCT p.age)",
    "sum_distinct": "MATCH (a:Person)-[:Follows]->(b:Person) RETURN sum(DISTINCT b.age)",
    "aggregate_expression": "MATCH (p:Person) RETURN max(p.age) - min(p.age) AS span, "
    "count(*) * 2 AS twice",
    "aggregate_on_fold": "MATCH (a:Person)-[:Follows]->(b:Person)-[:Follows]->(c:Person) "
    "RETURN a.active, count(*), sum(a.age), avg(a.age), min(a.age)",
    "aggregate_weights_collect": "MATCH (a:Person)-[:Follows]->(b:Person) WHERE a.id < 80 "
    "RETURN a.id, collect(a.age)",
    "aggregate_empty": "MATCH (p:Person) WHERE p.age > 1000 RETURN count(*), sum(p.age), "
    "avg(p.age), min(p.name), collect(p.id)",
    "aggregate_empty_grouped": "MATCH (p:Person) WHERE p.age > 1000 RETURN p.name, count(*)",
    "count_rel": "MATCH (a:Person)-[f:Follows]->(b) RETURN count(f), count(DISTINCT f)",
    # --- ORDER BY / SKIP / LIMIT
    "order_asc": "MATCH (p:Person) RETURN p.id, p.age ORDER BY p.age, p.id",
    "order_desc_nulls": "MATCH (p:Person) RETURN p.id, p.score ORDER BY p.score DESC, p.id",
    "order_string": "MATCH (p:Person) RETURN p.name, p.id ORDER BY p.name DESC, p.id",
    "order_date": "MATCH (p:Person) RETURN p.id, p.born ORDER BY p.born, p.id",
    "order_limit": "MATCH (p:Person) RETURN p.id ORDER BY p.id DESC LIMIT 5",
    "order_skip_limit": "MATCH (p:Person) RETURN p.id ORDER BY p.id SKIP 10 LIMIT 7",
    "order_by_alias": "MATCH (p:Person) RETURN p.id AS x ORDER BY x LIMIT 3",
    "order_by_unreturned": "MATCH (p:Person) WHERE p.age IS NOT NULL "
    "RETURN p.id ORDER BY p.age DESC, p.id LIMIT 10",
    "order_by_aggregate": "MATCH (a:Person)<-[:Follows]-(b:Person) "
    "RETURN a.id, count(*) AS c ORDER BY c DESC, a.id LIMIT 10",
    "order_by_aggregate_expr": "MATCH (a:Person)<-[:Follows]-(b:Person) "
    "RETURN a.id, count(*) ORDER BY count(*) DESC, a.id LIMIT 5",
    "order_distinct": "MATCH (p:Person) RETURN DISTINCT p.age ORDER BY p.age DESC",
    "order_bool": "MATCH (c:City) RETURN c.id, c.population > 500000 AS big ORDER BY big, c.id",
    "limit_param": ("MATCH (p:Person) RETURN p.id ORDER BY p.id LIMIT $n", {"n": 4}),
    "skip_only": "MATCH (c:City) RETURN c.id ORDER BY c.id SKIP 9",
    "top_followed": "MATCH (a:Person)<-[:Follows]-(b:Person) RETURN a.name, count(*) AS c "
    "ORDER BY c DESC, a.name LIMIT 5",
    # --- WITH
    "with_projection": "MATCH (p:Person) WITH p.id AS id, p.age AS age WHERE age > 50 RETURN id",
    "with_aggregate": "MATCH (p:Person)-[:LivesIn]->(c:City) WITH c, count(*) AS n "
    "WHERE n > 20 RETURN c.name, n",
    "with_order_limit_match": "MATCH (a:Person)<-[:Follows]-(b:Person) "
    "WITH a, count(*) AS c ORDER BY c DESC, a.id LIMIT 3 "
    "MATCH (a)-[:LivesIn]->(city) RETURN a.id, c, city.name",
    "with_node_then_hop": "MATCH (a:Person) WHERE a.age > 70 WITH a "
    "MATCH (a)-[:Follows]->(b:Person) RETURN a.id, b.id",
    "with_distinct": "MATCH (a:Person)-[:Follows]->(b:Person) WITH DISTINCT b RETURN count(*)",
    "with_chain": "MATCH (a:Person) WITH a, a.age * 2 AS double WITH a, double + 1 AS x "
    "WHERE x > 100 RETURN a.id, x",
    "with_aggregate_then_aggregate": "MATCH (p:Person)-[:LivesIn]->(c:City) "
    "WITH c.name AS city, count(*) AS n "
    "RETURN sum(n), max(n), count(city)",
    "with_star": "MATCH (a:Person)-[:LivesIn]->(c:City) WITH * RETURN a.id, c.id",
    "with_rebinding": "MATCH (a:Person)-[:Follows]->(b:Person) WITH b AS a "
    "MATCH (a)-[:LivesIn]->(c) RETURN c.id, count(*)",
    "with_collect": "MATCH (c:City)<-[:LivesIn]-(p:Person) WITH c, collect(p.age) AS ages "
    "RETURN c.id, size(ages)",
    # --- more combinations
    "multi_key_order": "MATCH (a:Person)-[:Follows]->(b:Person) RETURN a.id, b.id "
    "ORDER BY a.id DESC, b.id LIMIT 25",
    "regex": "MATCH (p:Person) WHERE p.name =~ 'A.*Lee' RETURN p.id",
    "count_without_match": "RETURN count(*)",
    "simple_case": "MATCH (p:Person) RETURN p.id, CASE p.age WHEN 30 THEN 'thirty' "
    "WHEN 40 THEN 'forty' ELSE 'other' END",
    "coalesce_strings": "MATCH (p:Person) RETURN coalesce(p.born, date('1900-01-01')), "
    "coalesce(p.age, p.score, -1.0)",
    "nested_functions": "MATCH (p:Person) RETURN upper(lower(p.name)), size(upper(p.name))",
    "not_in": "MATCH (p:Person) WHERE NOT p.age IN [20, 30] RETURN count(*)",
    "in_empty_list": "MATCH (p:Person) WHERE p.age IN [] RETURN count(*)",
    "rel_through_with": "MATCH (a:Person)-[f:Follows]->(b:Person) WHERE a.id < 50 "
    "WITH a, f RETURN a.id, f.since, f",
    "two_rel_labels": "MATCH (a:Person)-[r:LivesIn|WorksAt]->(x) RETURN label(r), label(x), "
    "count(*)",
    "anonymous_chain_count": "MATCH (:Person)-[:Follows]->(:Person)<-[:Follows]-(p:Person) "
    "WHERE p.active RETURN count(*)",
    "star_count_on_pk": "MATCH (a:Person {id: 7})-[:Follows]->(b)-[:Follows]->(c) RETURN count(*)",
    "fold_multi_table_leaf": "MATCH (p:Person)-[:Likes]->(x) RETURN p.id, count(*)",
    "varlen_both_ends_labeled_multi": "MATCH (p:Person)-[:Likes*1..1]->(x) "
    "RETURN label(x), count(*)",
    "order_by_node_prop_after_group": "MATCH (p:Person)-[:LivesIn]->(c:City) "
    "RETURN c, count(*) AS n ORDER BY c.id",
    "distinct_then_order_limit": "MATCH (a:Person)-[:Follows]->(b:Person) "
    "RETURN DISTINCT b.id ORDER BY b.id LIMIT 10",
    "with_limit_no_order_count": "MATCH (p:Person) WITH p ORDER BY p.id LIMIT 10 "
    "RETURN count(*), sum(p.id)",
    "avg_of_float_and_int": "MATCH (p:Person) RETURN avg(p.score + p.age), sum(p.score * 2)",
    "min_max_strings_grouped": "MATCH (p:Person)-[:LivesIn]->(c:City) "
    "RETURN c.id, min(p.name), max(p.name)",
    "min_max_bool_date": "MATCH (p:Person)-[:LivesIn]->(c:City) "
    "RETURN c.id, min(p.born), max(p.born), max(p.score)",
    "unwind_param": (
        "UNWIND $xs AS x MATCH (p:Person {id: x}) RETURN p.name",
        {"xs": [1, 2, 3, 5, 8, 13, 21, 34]},
    ),
    # --- narrow and temporal types
    "timestamps": "MATCH (p:Person) RETURN p.id, p.seen, date_part('hour', p.seen), "
    "date_part('minute', p.seen), date_part('year', p.seen)",
    "timestamp_order": "MATCH (p:Person) WHERE p.seen IS NOT NULL RETURN p.id, p.seen "
    "ORDER BY p.seen DESC, p.id LIMIT 15",
    "timestamp_aggregates": "MATCH (p:Person)-[:LivesIn]->(c:City) RETURN c.id, min(p.seen), "
    "max(p.seen), count(p.seen)",
    "timestamp_compare": "MATCH (p:Person) WHERE p.seen > timestamp('2021-06-01 00:00:00') "
    "RETURN count(*)",
    "float32": "MATCH (p:Person) RETURN p.id, p.height, p.height * 2 ORDER BY p.height, p.id "
    "LIMIT 20",
    "float32_aggregates": "MATCH (p:Person) RETURN min(p.height), max(p.height), "
    "avg(p.height), sum(p.height)",
    "narrow_ints": "MATCH (c:City), (co:Company) WHERE c.population > 500000 "
    "AND co.founded < 1950 RETURN c.population + co.founded, c.population * 2",
    "narrow_int_sum": "MATCH (c:City) RETURN sum(c.population), avg(c.population)",
    "varlen_undirected_unlabeled": "MATCH (a:Person)-[*1..2]-(x) WHERE a.id < 100 "
    "RETURN label(x), count(*)",
    # --- aggregates computed inside folds
    "fold_aggregates_two_hops": "MATCH (a:Person)-[:Follows]->(b:Person)-[:Follows]->(c:Person) "
    "RETURN a.age, count(*), avg(c.age), sum(c.age), min(c.born), max(c.score), count(c.score)",
    "fold_aggregates_edge_filter": "MATCH (c:City)<-[:LivesIn]-(p:Person)-[f:Follows]->"
    "(q:Person) WHERE f.since > 2010 AND q.active RETURN c.id, sum(q.age), max(q.seen), "
    "min(q.height), avg(q.height)",
    "fold_aggregates_branches": "MATCH (c:City)<-[:LivesIn]-(p:Person)-[:WorksAt]->"
    "(co:Company), (p)-[:Follows]->(q:Person) RETURN c.id, sum(co.founded), avg(q.score), "
    "count(*)",
    "fold_aggregates_mixed_use": "MATCH (c:City)<-[:LivesIn]-(p:Person) "
    "RETURN c.id, avg(p.age), min(p.name)",
    "fold_aggregates_undirected": "MATCH (a:Person)-[:Follows]-(b:Person) "
    "RETURN a.active, avg(b.age), count(b.born), max(b.born)",
    "fold_aggregates_order": "MATCH (c:City)<-[:LivesIn]-(p:Person) "
    "RETURN c.name AS city, avg(p.score) AS s ORDER BY s DESC, city LIMIT 5",
    "fold_aggregates_only_nulls": "MATCH (c:City)<-[:LivesIn]-(p:Person) WHERE p.age IS NULL "
    "RETURN c.id, sum(p.age), avg(p.age), min(p.age), count(p.age), count(*)",
    "fold_aggregates_with_var_length": "MATCH (c:City)<-[:LivesIn]-(p:Person)-[:Follows*1..2]->"
    "(q:Person) RETURN c.id, avg(q.age), count(*)",
    # --- comparisons checked while expanding
    "fused_dates": "MATCH (a:Person)-[:Follows]->(b:Person) WHERE a.born < b.born RETURN count(*)",
    "fused_floats": "MATCH (a:Person)-[:Follows]->(b:Person) WHERE b.score >= a.score "
    "RETURN a.id, count(*)",
    "fused_mixed_numbers": "MATCH (a:Person)-[:Follows]->(b:Person) WHERE a.age < b.score "
    "RETURN count(*)",
    "fused_equal_not_equal": "MATCH (a:Person)-[:Follows]->(b:Person)-[:Follows]->(c:Person) "
    "WHERE a.active = c.active AND a.age <> c.age RETURN count(*)",
    "fused_two_hops_rows": "MATCH (a:Person)-[:Follows]->(b:Person)-[:Follows]->(c:Person) "
    "WHERE c.seen > a.seen AND a.id < 100 RETURN a.id, c.id",
    "fused_float32": "MATCH (a:Person)-[:Follows]->(b:Person) WHERE a.height > b.height "
    "RETURN count(*)",
    # --- misc expressions
    "case": "MATCH (p:Person) RETURN p.id, CASE WHEN p.age < 30 THEN 'young' "
    "WHEN p.age < 60 THEN 'mid' ELSE 'old' END",
    "return_constants": "RETURN 1 + 2, 7 / 2, -7 / 2, 7 % 3, -7 % 3, 2.5 * 2, 'a' + 'b', "
    "null IS NULL, 3 IN [1, 2, 3]",
    "unwind": "UNWIND [3, 1, 2] AS x RETURN x * 10",
    "parameters_types": (
        "RETURN $i + 1, $f * 2, $s, $b",
        {"i": 41, "f": 1.25, "s": "x", "b": True},
    ),
}


def _case(name):
    case = CASES[name]
    return case if isinstance(case, tuple) else (case, {})


@pytest.mark.parametrize("name", list(CASES))
def test_same_answer_as_kuzu(engines, name):
    query, params = _case(name)
    ours, theirs = engines.both(query, params)
    ordered = is_ordered(query)
    assert rows_of(ours, ordered) == rows_of(theirs, ordered)


SIMPLE_NAMES = [
    "all_persons",
    "return_alias",
    "group_by",
    "count_prop",
    "sum_avg_min_max",
    "count_distinct",
    "order_by_aggregate",
    "where_date_part",
    "collect",
]


@pytest.mark.parametrize("name", SIMPLE_NAMES)
def test_column_names_match_kuzu(engines, name):
    query, params = _case(name)
    ours, theirs = engines.both(query, params)
    assert ours.get_column_names() == theirs.get_column_names()


def test_dataframe_like_kuzu(engines):
    query = (
        "MATCH (p:Person) RETURN p.id, p.name, p.age, p.score, p.born, p.active, p.seen, "
        "p.height ORDER BY p.id"
    )
    ours, theirs = engines.both(query)
    a, b = ours.result.get_as_df(), theirs.result.get_as_df()
    assert [str(t) for t in a.dtypes] == [str(t) for t in b.dtypes]
    assert a.astype(str).values.tolist() == b.astype(str).values.tolist()


def test_arrow_like_kuzu(engines):
    query = (
        "MATCH (p:Person) RETURN p.id, p.name, p.age, p.score, p.born, p.active, p.seen, "
        "p.height ORDER BY p.id"
    )
    ours, theirs = engines.both(query)
    a, b = ours.result.get_as_arrow(), theirs.result.get_as_arrow()
    assert [str(f.type) for f in a.schema] == [str(f.type) for f in b.schema]
    assert a.to_pylist() == b.to_pylist()
