"""Bounded memory: with tiny chunks (every expansion split into many pieces, aggregates
merged from many partial results) the answers are unchanged."""

from __future__ import annotations

import pytest

from ruzu.query.exec import driver as executor
from ruzu.query.exec import parallel, tuning, varlength

from .conftest import is_ordered, rows_of
from .test_differential import CASES

CHUNKED = [
    "out_edges",
    "two_hop",
    "two_hop_count",
    "mixed_chain",
    "triangle_rows",
    "comma_cross",
    "varlen_1_2",
    "varlen_distinct",
    "varlen_unlabeled_rows",
    "group_by",
    "count_distinct",
    "collect",
    "collect_distinct",
    "sum_avg_min_max",
    "distinct_nodes",
    "order_by_aggregate",
    "order_string",
    "top_followed",
    "with_order_limit_match",
    "with_aggregate",
    "aggregate_on_fold",
    "fold_aggregates_two_hops",
    "fold_aggregates_branches",
    "fold_aggregates_edge_filter",
    "rel_var_equality",
    "bound_both_ends",
    "order_limit",
    "where_cross_vars",
    "fused_floats",
    "fused_two_hops_rows",
    "comma_join",
    "chain_with_filters",
]


@pytest.fixture
def tiny_chunks(monkeypatch):
    monkeypatch.setattr(tuning, "CHUNK_ROWS", 17)
    monkeypatch.setattr(varlength, "_SOURCES_PER_BATCH", 3)
    monkeypatch.setattr(tuning, "SORT_SOURCES_FROM", 2)  # expansions reorder their rows


@pytest.mark.parametrize("name", CHUNKED)
def test_same_answer_in_tiny_chunks(engines, tiny_chunks, name):
    case = CASES[name]
    query, params = case if isinstance(case, tuple) else (case, {})
    ours, theirs = engines.both(query, params)
    ordered = is_ordered(query)
    assert rows_of(ours, ordered) == rows_of(theirs, ordered)


@pytest.fixture
def threads(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_ROOT_ROWS", 0)
    monkeypatch.setattr(parallel, "MIN_BLOCK_ROWS", 5)
    monkeypatch.setattr(parallel, "workers", lambda: 3)


@pytest.mark.parametrize("name", CHUNKED)
def test_same_answer_on_worker_threads(engines, threads, tiny_chunks, name):
    case = CASES[name]
    query, params = case if isinstance(case, tuple) else (case, {})
    ours, theirs = engines.both(query, params)
    ordered = is_ordered(query)
    assert rows_of(ours, ordered) == rows_of(theirs, ordered)


def test_aggregating_expansions_do_run_on_threads(engines, threads, monkeypatch):
    calls = []
    original = parallel.run_parallel

    def spy(*args):
        result = original(*args)
        calls.append(result is not None)
        return result

    monkeypatch.setattr(executor, "run_parallel", spy)
    query = CASES["mixed_chain"]
    ours, theirs = engines.both(query)
    assert calls == [True]
    assert rows_of(ours, False) == rows_of(theirs, False)
