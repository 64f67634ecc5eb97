"""Imports in fresh processes for the memory contracts.

As a script (``python contracthelpers.py '<json spec>'``) it is the child: it runs ONE import and
prints one JSON line with ``rows``, ``peak_rss`` (this process's VmHWM in bytes: interpreter,
numpy, numba, JIT code and every buffer — what ``shared/design/import-pipeline.md`` calls
memory), ``jit_compiles`` and, when asked, the progress samples ``[stage, bytes_read, rss]``.
A node import creates the database; an edge import opens the one its node import left.

As a module it generates the inputs (``ruzu.testing.datagen``) and starts the children. MB = 10**6.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass

MB = 1_000_000
LIMIT = 500 * MB  # MC-001…MC-003
SPREAD_LIMIT = 100 * MB  # MC-004
KINDS = ("ordered", "random", "string", "uuid", "powerlaw")
FILES = ("nodes", "edges")
THIS = os.path.abspath(__file__)
_SERIAL = itertools.count()


# -- child ------------------------------------------------------------------------------------

def _vm_hwm() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _jit_compiles() -> int:
    from numba.core.dispatcher import Dispatcher

    seen, count = set(), 0
    for name, module in list(sys.modules.items()):
        if name.startswith("ruzu") and module is not None:
            for obj in vars(module).values():
                if isinstance(obj, Dispatcher) and id(obj) not in seen:
                    seen.add(id(obj))
                    count += sum(obj.stats.cache_misses.values())
    return count


def _child(spec: dict) -> dict:
    import ruzu

    samples: list[list] = []

    def progress(p) -> None:
        samples.append([p.stage, p.bytes_read, p.rss - p.write_queue_bytes])

    config = ruzu.CsvImportConfig(**spec.get("config", {}))
    callback = progress if spec.get("samples") else None
    with ruzu.Database(spec["db"]) as db:
        if spec["file"] == "nodes":
            db.create_node_table("Person", [tuple(c) for c in spec["columns"]], "id")
            db.create_rel_table("Follows", [("Person", "Person")], [("since", "INT64")])
            r = db.import_nodes("Person", spec["csv"], config=config, progress=callback)
        else:
            r = db.import_relationships("Follows", spec["csv"], config=config,
                                        progress=callback)
    out = {"rows": r.rows_imported, "peak_rss": _vm_hwm(), "jit_compiles": _jit_compiles()}
    if callback:
        out["samples"] = samples
    return out


# -- parent -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Input:
    kind: str
    size: int
    nodes: str
    edges: str
    node_rows: int
    edge_rows: int


def generate(folder, kind: str, size: int) -> Input:
    from ruzu.testing import datagen

    folder = os.fspath(folder)
    os.makedirs(folder, exist_ok=True)
    label = datagen.format_size(size)
    nodes = datagen.write_nodes(os.path.join(folder, f"{kind}-{label}-nodes.csv"), size, kind)
    edges = datagen.write_edges(os.path.join(folder, f"{kind}-{label}-edges.csv"), size, kind,
                                num_nodes=nodes.num_nodes)
    return Input(kind, size, nodes.path, edges.path, nodes.rows, edges.rows)


def _spec(inp: Input, file: str, db: str, samples: bool, config: dict | None) -> dict:
    from ruzu.testing import datagen

    return {"file": file, "db": os.fspath(db), "csv": inp.nodes if file == "nodes" else inp.edges,
            "columns": datagen.node_columns(inp.kind), "samples": samples,
            "config": config or {}}


def start(spec: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, THIS, json.dumps(spec)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen, what: str) -> dict:
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise AssertionError(f"{what}: the import process failed (exit {proc.returncode}):\n"
                             f"{err[-4000:]}")
    return json.loads(out.strip().splitlines()[-1])


def import_pairs(inputs: Iterable[Input] | Iterable[list[Input]], db_root, *,
                 samples: bool = False, config: dict | None = None,
                 attempts: int = 2) -> dict[tuple[str, str, int], dict]:
    """Each input's node file, then its edge file, into a new database per input, every file in
    a fresh process. An item of ``inputs`` that is a list is a group run concurrently (one
    database and one process per input, all at the same time). A group whose processes had to
    compile kernels is run again: compiling is not part of an import's footprint once numba's
    cache is warm."""
    pending = [g if isinstance(g, list) else [g] for g in inputs]
    results: dict[tuple[str, str, int], dict] = {}
    for _ in range(attempts):
        redo = []
        for group in pending:
            compiled = 0
            dbs = [os.path.join(os.fspath(db_root), f"{inp.kind}-{inp.size}-{next(_SERIAL)}")
                   for inp in group]
            for file in FILES:
                procs = [start(_spec(inp, file, db, samples, config))
                         for inp, db in zip(group, dbs, strict=True)]
                for inp, proc in zip(group, procs, strict=True):
                    res = finish(proc, f"{inp.kind} {file} {inp.size / MB:g} MB")
                    expected = inp.node_rows if file == "nodes" else inp.edge_rows
                    assert res["rows"] == expected, (inp, file, res["rows"], expected)
                    res["concurrent"] = len(group)
                    results[(inp.kind, file, inp.size)] = res
                    compiled += res["jit_compiles"]
            if compiled:
                redo.append(group)
        if not redo:
            break
        pending = redo
    return results


def prime_jit(folder, db_root) -> None:
    """Compile (or load) the import kernels once in a throwaway process — a tiny node and edge
    file of every kind — so the measured processes find numba's cache warm. Kernels only the
    larger inputs reach (partitioned resolution) compile in a measured process instead, which
    ``import_pairs`` then runs again."""
    prime = os.path.join(os.fspath(folder), "prime")
    specs = []
    for kind in KINDS:
        inp = generate(prime, kind, 200_000)
        db = os.path.join(os.fspath(db_root), f"prime-{kind}-{next(_SERIAL)}")
        specs += [_spec(inp, file, db, False, None) for file in FILES]
    finish(start({"sequence": specs}), "priming the JIT cache")


def _main(spec: dict) -> dict:
    if "sequence" in spec:  # several imports in one process (priming only: not measured)
        return {"results": [_child(s) for s in spec["sequence"]]}
    return _child(spec)


if __name__ == "__main__":
    print(json.dumps(_main(json.loads(sys.argv[1]))), flush=True)
