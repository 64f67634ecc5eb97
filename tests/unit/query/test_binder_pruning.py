"""Unit test of the binder's table resolution (query/binder/binder.py) against a brute-force
oracle: on random schemas and random chain patterns (labels or none, every direction), the node
tables and rel-table traversals the binder keeps are exactly those that appear in at least one
consistent assignment of tables to the whole pattern (for a chain, pruning to a fixed point is
exact, and a pattern that cannot match is left with no tables at all). Binding only: no data,
no execution."""

from __future__ import annotations

import itertools
import random

import pytest

import ruzu
from ruzu.query.binder.binder import bind
from ruzu.query.binder.steps import MatchStep
from ruzu.query.graph import Graph
from ruzu.query.syntax.parser import parse

NODE_TABLES = ["A", "B", "C", "D"]
ARROWS = {"out": ("-", "->"), "in": ("<-", "-"), "both": ("-", "-")}


def _schema(rng: random.Random) -> dict[str, list[tuple[str, str]]]:
    rels = {}
    for r in range(rng.randint(1, 3)):
        pairs = rng.sample(list(itertools.product(NODE_TABLES, NODE_TABLES)), rng.randint(1, 3))
        rels[f"R{r}"] = pairs
    return rels


def _pattern(rng: random.Random, rels: dict) -> tuple[str, list, list]:
    hops = rng.randint(1, 3)
    nodes = [rng.choice([(), *[(t,) for t in NODE_TABLES], tuple(rng.sample(NODE_TABLES, 2))])
             for _ in range(hops + 1)]
    edges = [(rng.choice(list(ARROWS)), rng.choice([(), (rng.choice(list(rels)),)]))
             for _ in range(hops)]
    text = "MATCH " + _node(0, nodes[0])
    for i, (direction, labels) in enumerate(edges):
        left, right = ARROWS[direction]
        label = ":" + "|".join(labels) if labels else ""
        text += f"{left}[r{i}{label}]{right}" + _node(i + 1, nodes[i + 1])
    return text + " RETURN count(*)", nodes, edges


def _node(i: int, labels: tuple) -> str:
    return f"(v{i}{''.join(':' + t for t in labels)})"


def _oracle(rels, nodes, edges):
    """Tables per node variable and (rel table, from, to, flipped) per rel variable that occur
    in some consistent assignment."""
    node_choices = [list(labels) or NODE_TABLES for labels in nodes]
    edge_choices = []
    for direction, labels in edges:
        options = [(name, a, b, flipped) for name in (labels or rels) for a, b in rels[name]
                   for flipped in ((False, True) if direction == "both" else (False,))]
        edge_choices.append(options)
    seen_nodes = [set() for _ in nodes]
    seen_edges = [set() for _ in edges]
    for tables in itertools.product(*node_choices):
        for picks in itertools.product(*edge_choices):
            ok = True
            for i, ((direction, _), (_, a, b, flipped)) in enumerate(zip(edges, picks,
                                                                        strict=True)):
                src, dst = (i + 1, i) if direction == "in" else (i, i + 1)
                from_side, to_side = (b, a) if flipped else (a, b)
                if tables[src] != from_side or tables[dst] != to_side:
                    ok = False
                    break
            if ok:
                for i, t in enumerate(tables):
                    seen_nodes[i].add(t)
                for i, p in enumerate(picks):
                    seen_edges[i].add(p)
    return seen_nodes, seen_edges


@pytest.mark.parametrize("seed", range(12))
def test_bound_tables_are_those_of_some_consistent_assignment(tmp_path, seed):
    rng = random.Random(seed)
    rels = _schema(rng)
    with ruzu.Database(tmp_path / "db") as db:
        for t in NODE_TABLES:
            db.execute(f"CREATE NODE TABLE {t}(id INT64, PRIMARY KEY(id))")
        for name, pairs in rels.items():
            db.execute(f"CREATE REL TABLE {name}("
                       + ", ".join(f"FROM {a} TO {b}" for a, b in pairs) + ")")
        graph = Graph(db)
        for _ in range(15):
            text, nodes, edges = _pattern(rng, rels)
            match = bind(graph, parse(text), text)[0]
            assert isinstance(match, MatchStep)
            want_nodes, want_edges = _oracle(rels, nodes, edges)
            got_nodes = [set(match.nodes[f"v{i}"].tables) for i in range(len(nodes))]
            got_edges = [{(t.key.name, t.key.from_table, t.key.to_table, t.flipped)
                          for t in match.rels[f"r{i}"].traversals} for i in range(len(edges))]
            assert got_nodes == want_nodes, text
            assert got_edges == want_edges, text
