"""One import in a fresh process: ``python benches/_child.py '<json spec>'``.

Prints one JSON line ``{"rows", "seconds", "peak_rss", ...}`` (ruzu adds ``jit_compiles``).
``seconds`` is measured around the import call only (ruzu: ``import_nodes`` /
``import_relationships``, including the commit with fsync; Kùzu: the ``COPY`` statement);
``peak_rss`` is this process's VmHWM in bytes, so it covers the interpreter, numpy, numba, the
loaded JIT code and every buffer.

Spec keys: ``system`` ("ruzu" | "kuzu"), ``file`` ("nodes" | "edges"), ``kind``, ``csv``, ``db``
(a node import creates the database there; an edge import opens the one its node import left),
``config`` (CsvImportConfig keyword arguments), ``warm`` (a tiny node+edge CSV pair imported
into a scratch database first, so cached JIT code is loaded before the timed call), ``samples``
(collect (stage, bytes_read, rss) from the progress callback), ``trace`` (sample RssAnon /
RssFile / RssShmem every 20 ms on a thread: where the peak comes from).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time


def vm_hwm() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


class RssTrace:
    """Samples /proc/self/status on a daemon thread; ``peak`` is the sample with the largest
    VmRSS as {"rss", "anon", "file", "shmem"} bytes and the import stage it fell in, plus the
    largest of each part alone."""

    FIELDS = {"VmRSS:": "rss", "RssAnon:": "anon", "RssFile:": "file", "RssShmem:": "shmem"}

    def __init__(self, every: float = 0.02) -> None:
        import threading

        self.every = every
        self.stage = "start"  # the last stage the progress callback reported
        self.peak: dict = {}
        self.max_part: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def sample(self) -> dict[str, int]:
        out = {}
        with open("/proc/self/status") as f:
            for line in f:
                key = self.FIELDS.get(line.split(None, 1)[0])
                if key:
                    out[key] = int(line.split()[1]) * 1024
        return out

    def _run(self) -> None:
        while not self._stop.is_set():
            s = self.sample()
            if s.get("rss", 0) > self.peak.get("rss", -1):
                self.peak = {**s, "stage": self.stage}
            for k, v in s.items():
                self.max_part[k] = max(self.max_part.get(k, 0), v)
            self._stop.wait(self.every)

    def stop(self) -> dict:
        self._stop.set()
        self._thread.join()
        return {"at_peak": self.peak, "max": self.max_part}


def jit_compiles() -> int:
    """Kernels this process compiled instead of loading from numba's cache: compiling inside a
    measured process inflates both its time and its peak RSS (LLVM), so callers re-run."""
    from numba.core.dispatcher import Dispatcher

    seen: set[int] = set()
    count = 0
    for name, module in list(sys.modules.items()):
        if not name.startswith("ruzu") or module is None:
            continue
        for obj in vars(module).values():
            if isinstance(obj, Dispatcher) and id(obj) not in seen:
                seen.add(id(obj))
                count += sum(obj.stats.cache_misses.values())
    return count


def _ruzu_tables(db, columns) -> None:
    db.create_node_table("Person", columns, "id")
    db.create_rel_table("Follows", [("Person", "Person")], [("since", "INT64")])


def run_ruzu(spec: dict) -> dict:
    import ruzu

    columns = [tuple(c) for c in spec["columns"]]
    config = ruzu.CsvImportConfig(**spec.get("config", {}))
    if spec.get("warm"):
        scratch = tempfile.mkdtemp(prefix="ruzu-warm-")
        try:
            with ruzu.Database(os.path.join(scratch, "db")) as db:
                _ruzu_tables(db, columns)
                db.import_nodes("Person", spec["warm"][0], config=config)
                db.import_relationships("Follows", spec["warm"][1], config=config)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    samples: list[tuple[str, int, int]] = []

    trace = RssTrace() if spec.get("trace") else None

    stage_starts: list[tuple[str, float]] = []  # (stage, first time it was reported)

    def progress(p) -> None:
        if not stage_starts or stage_starts[-1][0] != p.stage:
            stage_starts.append((p.stage, time.perf_counter()))
        if trace is not None:
            trace.stage = p.stage
        if spec.get("samples"):
            samples.append((p.stage, p.bytes_read, p.rss))

    callback = progress  # once per batch (~100,000 rows): no measurable cost
    with ruzu.Database(spec["db"]) as db:
        if spec["file"] == "nodes":
            _ruzu_tables(db, columns)
            t0 = time.perf_counter()
            r = db.import_nodes("Person", spec["csv"], config=config, progress=callback)
        else:
            t0 = time.perf_counter()
            r = db.import_relationships("Follows", spec["csv"], config=config,
                                        progress=callback)
        seconds = time.perf_counter() - t0
    out = {"rows": r.rows_imported, "seconds": seconds, "peak_rss": vm_hwm(),
           "stages": stage_seconds(stage_starts, t0, t0 + seconds),
           "batches": r.batch_count, "skipped": r.rows_skipped, "jit_compiles": jit_compiles()}
    if spec.get("samples"):
        out["samples"] = samples
    if trace:
        out["trace"] = trace.stop()
    return out


def stage_seconds(starts: list[tuple[str, float]], t0: float, t1: float) -> dict[str, float]:
    """Seconds per import stage from the times the progress callback first reported each one.
    A stage is reported when it starts or at its first batch, so the time before the first
    report (opening the file, the first batch) is counted as ``start``; the parse stage
    (``nodes``/``relationships``) runs until the next stage (``index``/``resolve``) begins."""
    out: dict[str, float] = {}
    edges = [("start", t0)] + starts + [("end", t1)]
    for (name, a), (_, b) in zip(edges, edges[1:], strict=False):
        if name != "end":
            out[name] = round(out.get(name, 0.0) + b - a, 3)
    return out


def run_kuzu(spec: dict) -> dict:
    import kuzu

    db = kuzu.Database(spec["db"])
    conn = kuzu.Connection(db)
    if spec["file"] == "nodes":
        conn.execute(spec["node_ddl"])
        conn.execute(spec["rel_ddl"])
        table = "Person"
    else:
        table = "Follows"
    path = spec["csv"].replace("'", "\\'")
    t0 = time.perf_counter()
    conn.execute(f"COPY {table} FROM '{path}' (header=true)")
    seconds = time.perf_counter() - t0
    peak = vm_hwm()
    res = conn.execute("MATCH (n:Person) RETURN count(*)" if table == "Person"
                       else "MATCH ()-[r:Follows]->() RETURN count(*)")
    rows = int(res.get_next()[0])
    conn.close()
    db.close()
    return {"rows": rows, "seconds": seconds, "peak_rss": peak}


def main(argv: list[str]) -> int:
    spec = json.loads(argv[0])
    out = run_kuzu(spec) if spec["system"] == "kuzu" else run_ruzu(spec)
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
