#!/usr/bin/env python3
"""Load each of Kùzu's test datasets into ruzu and into Kùzu, and compare them.

    python tools/kuzu_datasets.py /path/to/kuzu-checkout [--only NAME ...] [--timeout S]

For every directory under ``dataset/`` with a ``schema.cypher`` and a ``copy.cypher``, both
engines run the statements (in child processes, with a time limit, from the checkout's root
so ``"dataset/…"`` paths resolve); then the node count and a full dump of every table (all
properties, relationships by their endpoints' primary keys) are compared. Each dataset ends
as one of: identical, differs, ruzu refuses (with ruzu's error), kuzu refuses (Kùzu's own
loader fails: nothing to compare). Nothing of the checkout is copied.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import os
import sys
import tempfile


def statements(path: str) -> list[str]:
    """One statement a line (as Kùzu's test runner reads these files), ``;`` optional."""
    with open(path, encoding="utf-8") as f:
        lines = [ln.strip() for ln in f.read().splitlines()]
    return [ln.rstrip(";").strip() for ln in lines if ln and not ln.startswith("//")]


def _normalise(value):
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 9)
    if isinstance(value, dict):
        # NULL properties left out: Kùzu lists the properties of every table a variable
        # could be bound to (as NULL), ruzu only those of the node's table
        return {k: _normalise(v) for k, v in sorted(value.items())
                if k not in ("_id", "_src", "_dst") and v is not None}
    if isinstance(value, list | tuple):
        return [_normalise(v) for v in value]
    return value if isinstance(value, int | str | bool | type(None)) else str(value)


def _dump(execute) -> dict:
    """{table: sorted rows}: every node with all its properties, every relationship with its
    properties and both endpoint nodes (internal ids left out)."""
    out = {}
    for name, kind in execute("CALL show_tables() RETURN name, type"):
        if kind == "NODE":
            rows = execute(f"MATCH (n:`{name}`) RETURN n")
        elif kind == "REL":
            rows = execute(f"MATCH (a)-[r:`{name}`]->(b) RETURN a, r, b")
        else:
            continue
        out[name] = sorted(json.dumps(_normalise(r), sort_keys=True) for r in rows)
    return out


def _run(engine: str, root: str, db_path: str, stmts: list[str], queue) -> None:
    os.chdir(root)
    try:
        if engine == "kuzu":
            import kuzu

            conn = kuzu.Connection(kuzu.Database(db_path))

            def execute(q):
                return conn.execute(q).get_all()
        else:
            import ruzu

            db = ruzu.Database(db_path)

            def execute(q):
                return db.execute(q).get_all()
        for s in stmts:
            try:
                execute(s)
            except Exception as e:  # noqa: BLE001 - reported, not raised
                queue.put(("refused", f"{s[:80]}: {type(e).__name__}: {str(e)[:300]}"))
                return
        queue.put(("loaded", _dump(execute)))
    except Exception as e:  # noqa: BLE001
        queue.put(("refused", f"dump: {type(e).__name__}: {str(e)[:300]}"))


def load(engine: str, root: str, stmts: list[str], timeout: float):
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    with tempfile.TemporaryDirectory() as tmp:
        proc = ctx.Process(target=_run, args=(engine, root, os.path.join(tmp, "db"), stmts,
                                              queue))
        proc.start()
        try:
            result = queue.get(timeout=timeout)
        except Exception:  # noqa: BLE001 - queue.Empty or a crash
            result = ("refused", f"no answer within {timeout:.0f} s (crash or timeout)")
        proc.join(5)
        if proc.is_alive():
            proc.kill()
    return result


def datasets(root: str) -> list[str]:
    base = os.path.join(root, "dataset")
    out = []
    for dirpath, _, files in os.walk(base):
        if "schema.cypher" in files and "copy.cypher" in files:
            out.append(os.path.relpath(dirpath, base))
    return sorted(out)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("kuzu_root", help="a Kùzu source checkout (its dataset/ directory is read)")
    p.add_argument("--only", nargs="*", default=None, help="dataset names to run")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds per engine and set")
    p.add_argument("--json", help="write the per-dataset outcomes here")
    args = p.parse_args(argv)
    root = os.path.abspath(args.kuzu_root)
    outcomes = {}
    for name in datasets(root):
        if args.only and name not in args.only:
            continue
        d = os.path.join(root, "dataset", name)
        stmts = statements(os.path.join(d, "schema.cypher")) + statements(
            os.path.join(d, "copy.cypher"))
        k = load("kuzu", root, stmts, args.timeout)
        r = load("ruzu", root, stmts, args.timeout)
        if k[0] != "loaded":
            outcome, detail = "kuzu refuses", k[1]
        elif r[0] != "loaded":
            outcome, detail = "ruzu refuses", r[1]
        elif k[1] == r[1]:
            outcome, detail = "identical", f"{sum(len(v) for v in k[1].values())} rows"
        else:
            diff = [t for t in k[1] if k[1].get(t) != r[1].get(t)]
            outcome, detail = "differs", f"tables {diff}"
        outcomes[name] = (outcome, detail)
        print(f"{outcome:13s} {name}: {detail}", flush=True)
    counts: dict[str, int] = {}
    for outcome, _ in outcomes.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    print(f"{len(outcomes)} datasets: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(outcomes, f, indent=1, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
