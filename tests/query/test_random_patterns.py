"""Random pattern queries (shapes, labels, directions, filters, which variables are returned)
answered identically by ruzu and Kùzu: exercises every planner path (root choice, folds,
expansions, closing edges, variable-length hops, tables chosen by connectivity)."""

from __future__ import annotations

import random

import pytest

from .conftest import rows_of

NODE_LABELS = ["Person", "Person", "Person", "City", "Company", None]
REL_LABELS = ["Follows", "Follows", "LivesIn", "WorksAt", "Likes", None]
NODE_FILTERS = {
    "Person": [
        "{v}.age > 40",
        "{v}.active",
        "{v}.id < 200",
        "{v}.name STARTS WITH 'A'",
        "{v}.score IS NULL",
    ],
    "City": ["{v}.population > 300000", "{v}.name <> 'City2'"],
    "Company": ["{v}.founded < 1980"],
}
REL_FILTERS = {
    "Follows": ["{v}.since >= 2012", "{v}.weight < 0.5"],
    "WorksAt": ["{v}.salary > 90000"],
    "Likes": ["{v}.rating >= 3"],
}
PROPERTIES = {"Person": ["id", "age", "name"], "City": ["id", "name"], "Company": ["name"]}


def random_query(rng: random.Random) -> str:
    n_nodes = rng.randint(2, 4)
    labels = [rng.choice(NODE_LABELS) for _ in range(n_nodes)]
    names = [f"n{i}" for i in range(n_nodes)]
    edges = []  # (i, j, label, direction, hops)
    for j in range(1, n_nodes):
        i = rng.randrange(j) if rng.random() < 0.4 else j - 1
        label = rng.choice(REL_LABELS)
        hops = None
        if label in ("Follows", None) and rng.random() < 0.15:
            # No *0..k: Kùzu 0.11.3 counts walks that return to their start twice when the
            # lower bound is 0 (3 self-loops: *0..1 gives 6 matches, not 1 + 3).
            hops = rng.choice(["*1..2", "*2", "*1..1"])
        edges.append((i, j, label, rng.choice(["->", "<-", "-"]), hops))
    if n_nodes >= 3 and rng.random() < 0.2:  # close a cycle
        edges.append((n_nodes - 1, 0, rng.choice(["Follows", None]), "->", None))
    patterns = []
    rel_names = []
    for k, (i, j, label, direction, hops) in enumerate(edges):
        rname = f"r{k}" if hops is None else ""
        if rname:
            rel_names.append((rname, label))
        inner = rname + (f":{label}" if label else "") + (hops or "")
        left, right = (
            ("<-", "-") if direction == "<-" else ("-", "->" if direction == "->" else "-")
        )
        node_i = f"({names[i]}" + (f":{labels[i]}" if labels[i] else "") + ")"
        node_j = f"({names[j]}" + (f":{labels[j]}" if labels[j] else "") + ")"
        patterns.append(f"{node_i}{left}[{inner}]{right}{node_j}")
    filters = []
    for name, label in zip(names, labels, strict=True):
        if label in NODE_FILTERS and rng.random() < 0.35:
            filters.append(rng.choice(NODE_FILTERS[label]).format(v=name))
    for rname, label in rel_names:
        if label in REL_FILTERS and rng.random() < 0.3:
            filters.append(rng.choice(REL_FILTERS[label]).format(v=rname))
    labelled = [(n, lab) for n, lab in zip(names, labels, strict=True) if lab]
    if len(labelled) >= 2 and rng.random() < 0.2:
        (a, la), (b, lb) = rng.sample(labelled, 2)
        if la == lb == "Person":
            filters.append(f"{a}.age < {b}.age")
    where = f" WHERE {' AND '.join(filters)}" if filters else ""
    kind = rng.random()
    if kind < 0.35 or not labelled:
        ret = "count(*)"
    elif kind < 0.7:
        name, label = rng.choice(labelled)
        prop = rng.choice(PROPERTIES[label])
        ret = f"{name}.{prop}, count(*)"
    elif kind < 0.85:
        (name, label) = rng.choice(labelled)
        ret = f"count(DISTINCT {name}), count(*)"
    else:
        chosen = rng.sample(labelled, min(2, len(labelled)))
        ret = ", ".join(f"{n}.{PROPERTIES[lab][0]}" for n, lab in chosen)
    if len(patterns) >= 2 and rng.random() < 0.3:
        # Split into two MATCH clauses, maybe passing every node through a WITH in between.
        cut = rng.randint(1, len(patterns) - 1)
        first, second = patterns[:cut], patterns[cut:]
        bridge = " "
        if rng.random() < 0.5:
            bound = []
            for i, j, _, _, _hops in edges[:cut]:
                bound += [names[i], names[j]]
            bound += [f"r{k}" for k, e in enumerate(edges[:cut]) if e[4] is None]
            bridge = f" WITH {', '.join(dict.fromkeys(bound))} "
        return f"MATCH {', '.join(first)}{bridge}MATCH {', '.join(second)}{where} RETURN {ret}"
    return f"MATCH {', '.join(patterns)}{where} RETURN {ret}"


QUERIES = [random_query(random.Random(seed)) for seed in range(160)]


@pytest.mark.parametrize("query", QUERIES, ids=[f"q{i}" for i in range(len(QUERIES))])
def test_random_pattern(engines, query):
    try:
        theirs = engines.kuzu.execute(query)
    except RuntimeError as e:
        pytest.skip(f"Kùzu refuses it: {e}")
    ours, theirs = engines.both(query)
    assert rows_of(ours, False) == rows_of(theirs, False), query
