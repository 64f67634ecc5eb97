"""Fixtures of the query tests: the same random graphs loaded into ruzu (then reopened
read-only) and into Kùzu, and helpers that compare their answers."""

from __future__ import annotations

import decimal
import math
import os
import threading

import pytest

import ruzu
from ruzu.query.interrupt import Stopper
from ruzu.testing.graphs import write_property_graph as write_graph

kuzu = pytest.importorskip("kuzu")


class Engines:
    def __init__(self, ruzu_db, kuzu_conn) -> None:
        self.ruzu = ruzu_db
        self.kuzu = kuzu_conn

    def both(self, query: str, params: dict | None = None):
        ours = self.ruzu.execute(query, params or {})
        theirs = self.kuzu.execute(query, params or {})
        return Answer(ours, node_keys(self.ruzu)), Answer(theirs, node_keys(self.kuzu))


class Answer:
    """A result plus the engine's map from internal node ids to (label, primary key): Kùzu's
    parallel COPY numbers node offsets differently from run to run, so results are compared
    by primary key, never by offset."""

    def __init__(self, result, keys: dict) -> None:
        self.result = result
        self.keys = keys

    def get_all(self):
        return self.result.get_all()

    def get_column_names(self):
        return self.result.get_column_names()


# id(engine) -> (engine, keys). The engine is kept alive with its keys: keyed by id() alone,
# a seed's engine freed after its tests could hand its address, and so its keys, to the next
# seed's engine (seen once: a seed-2 answer normalised with seed-1 primary keys).
_NODE_KEYS: dict[int, tuple[object, dict]] = {}


def node_keys(engine) -> dict:
    """(table id, offset) -> (label, primary key) of every node."""
    entry = _NODE_KEYS.get(id(engine))
    if entry is None or entry[0] is not engine:
        keys = {}
        for table, pk in (("Person", "id"), ("City", "id"), ("Company", "name")):
            for (node,) in engine.execute(f"MATCH (n:{table}) RETURN n").get_all():
                keys[(node["_id"]["table"], node["_id"]["offset"])] = (table, node[pk])
        entry = _NODE_KEYS[id(engine)] = (engine, keys)
    return entry[1]


def _build(base: str, seed: int) -> tuple[str, str, list[str]]:
    statements = write_graph(os.path.join(base, "csv"), seed)
    ruzu_path = os.path.join(base, "ruzu")
    kuzu_path = os.path.join(base, "kuzu")
    with ruzu.Database(ruzu_path) as db:
        for s in statements:
            db.execute(s)
    kdb = kuzu.Database(kuzu_path)
    conn = kuzu.Connection(kdb)
    for s in statements:
        conn.execute(s)
    # Close before reopening read-only: a second open of a live database can read pages the
    # first has not checkpointed yet (seen as wrong rel properties, 1 run in 6).
    conn.close()
    kdb.close()
    return ruzu_path, kuzu_path, statements


@pytest.fixture(scope="session", params=[1, 2], ids=["seed1", "seed2"])
def engines(request, tmp_path_factory):
    base = str(tmp_path_factory.mktemp(f"graph{request.param}"))
    ruzu_path, kuzu_path, _ = _build(base, request.param)
    db = ruzu.Database(ruzu_path, read_only=True)
    kdb = kuzu.Database(kuzu_path, read_only=True)
    conn = kuzu.Connection(kdb)
    conn.set_query_timeout(3000)  # a few random patterns take Kùzu minutes: those are skipped
    yield Engines(db, conn)
    db.close()


# ----------------------------------------------------------------------------- comparison


def normalise(value, keys: dict, ordered_lists: bool = False):
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return float(f"{value:.9g}")
    if isinstance(value, dict):
        is_rel = "_src" in value
        out = {}
        for k, v in value.items():
            if k in ("_src", "_dst") or (k == "_id" and not is_rel):
                out[k] = keys[(v["table"], v["offset"])]
            elif k != "_id":  # rel ids are numbered differently by the two engines
                out[k] = normalise(v, keys)
        return tuple(sorted(out.items(), key=lambda kv: kv[0]))
    if isinstance(value, list):
        items = [normalise(v, keys) for v in value]
        return tuple(items) if ordered_lists else tuple(sorted(items, key=repr))
    return value


def rows_of(answer: Answer, ordered: bool) -> list:
    rows = [tuple(normalise(v, answer.keys) for v in row) for row in answer.get_all()]
    return rows if ordered else sorted(rows, key=repr)


def is_ordered(query: str) -> bool:
    tail = query.upper().rsplit("RETURN", 1)[-1]
    return "ORDER BY" in tail


def query_running(monkeypatch) -> threading.Event:
    """Set once a query checks its interrupt flag. ``interrupt()`` stops the query running now
    (as Kùzu's; ``execute`` clears an earlier one), so a test interrupts only after this: a
    fixed sleep raced the worker thread on a loaded machine, and the missed interrupt left a
    10^12-row query running."""
    running = threading.Event()
    check = Stopper.check

    def check_running(self):
        running.set()
        check(self)

    monkeypatch.setattr(Stopper, "check", check_running)
    return running
