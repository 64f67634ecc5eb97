"""Import benchmarks (pytest-benchmark): ``pytest benches/ --benchmark-only``.

* node import, relationship import and parse only, for the three id kinds;
* node import and parse at batch sizes 1,000 / 10,000 / 100,000 / 1,000,000;
* relationship import with a small ``memory_limit`` (partitioned endpoint resolution);
* cold JIT compile time (a subprocess with an empty ``NUMBA_CACHE_DIR``) beside the time of the
  same run with that cache filled.

The data is generated once per session by ``ruzu.testing.datagen`` outside every timed region
(size per file: ``RUZU_BENCH_SIZE``, default 20M = 20 * 10**6 bytes), and one tiny import per
kind warms the JIT before any timing. Each round gets a fresh database from an untimed ``setup``.

Peak RSS beside time: ``setup`` resets the process's peak (``/proc/self/clear_refs`` ← 5) and
the round's VmHWM is stored in ``extra_info["peak_rss_mb"]`` and its rise above the RSS at the
round's start in ``extra_info["peak_growth_mb"]`` (max over rounds). This is the pytest process,
which keeps what earlier tests allocated, so the absolute figure includes pytest and that
residue; the fresh-process figures are ``benches/memory_benchmark.py``'s. Rows/s and MB/s are
in ``extra_info`` too. MB = 10**6 bytes. One warm-up round precedes the timed ones. No test here
asserts a time.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time

import pytest

import ruzu
from ruzu.csv.config import CsvImportConfig
from ruzu.csv.parser import BatchParser, FieldSpec, read_header
from ruzu.csv.progress import peak_rss
from ruzu.csv.reader import CsvSource
from ruzu.testing import datagen
from ruzu.types import LogicalType

SIZE = datagen.parse_size(os.environ.get("RUZU_BENCH_SIZE", "20M"))
KINDS = ("ordered", "random", "string")
BATCH_SIZES = (1_000, 10_000, 100_000, 1_000_000)
ROUNDS = int(os.environ.get("RUZU_BENCH_ROUNDS", "3"))
MB = 1_000_000
SMALL_LIMIT = 64 << 20  # the smallest memory_limit: larger key sets resolve partitioned


# -- peak RSS of a round ----------------------------------------------------------------------

def reset_peak() -> int:
    """Make VmHWM restart from the current RSS (Linux >= 4.0; a no-op elsewhere) and return
    that RSS."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
    return current_rss()


def current_rss() -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class Recorder:
    """Collects per-round peak RSS and writes rates into ``benchmark.extra_info``."""

    def __init__(self, benchmark, rows: int, nbytes: int) -> None:
        self.benchmark = benchmark
        self.rows = rows
        self.nbytes = nbytes
        self.peaks: list[int] = []
        self.growth: list[int] = []
        self._base = 0

    def setup_done(self) -> None:
        self._base = reset_peak()

    def round_done(self) -> None:
        peak = peak_rss()
        self.peaks.append(peak)
        self.growth.append(peak - self._base)

    def finish(self) -> None:
        stats = self.benchmark.stats.stats
        info = self.benchmark.extra_info
        info["rows"] = self.rows
        info["bytes"] = self.nbytes
        info["rows_per_s"] = round(self.rows / stats.median)
        info["mb_per_s"] = round(self.nbytes / MB / stats.median, 1)
        info["peak_rss_mb"] = round(max(self.peaks) / MB, 1) if self.peaks else None
        info["peak_growth_mb"] = round(max(self.growth) / MB, 1) if self.growth else None


# -- session data -----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def data(tmp_path_factory) -> dict[str, dict[str, datagen.Generated]]:
    root = tmp_path_factory.mktemp("bench-csv")
    out = {}
    for kind in KINDS:
        nodes = datagen.write_nodes(root / f"{kind}-nodes.csv", SIZE, kind)
        edges = datagen.write_edges(root / f"{kind}-edges.csv", SIZE, kind,
                                    num_nodes=nodes.num_nodes)
        tiny_n = datagen.write_nodes(root / f"{kind}-tiny-nodes.csv", 20_000, kind)
        tiny_e = datagen.write_edges(root / f"{kind}-tiny-edges.csv", 20_000, kind,
                                     num_nodes=tiny_n.num_nodes)
        out[kind] = {"nodes": nodes, "edges": edges, "tiny_nodes": tiny_n, "tiny_edges": tiny_e}
    return out


def new_db(path, kind: str) -> ruzu.Database:
    db = ruzu.Database(path)
    db.create_node_table("Person", datagen.node_columns(kind), "id")
    db.create_rel_table("Follows", [("Person", "Person")], datagen.EDGE_COLUMNS)
    return db


@pytest.fixture(scope="session")
def warmed(data, tmp_path_factory) -> dict:
    """Every kind's tiny node + edge import once (also through the partitioned resolver), so
    JIT code is compiled or loaded before any timing."""
    root = tmp_path_factory.mktemp("warm-db")
    for kind in KINDS:
        for i, cfg in enumerate((CsvImportConfig(), CsvImportConfig(memory_limit=SMALL_LIMIT))):
            with new_db(root / f"{kind}-{i}", kind) as db:
                db.import_nodes("Person", data[kind]["tiny_nodes"].path, config=cfg)
                db.import_relationships("Follows", data[kind]["tiny_edges"].path, config=cfg)
        parse_file(data[kind]["tiny_nodes"].path, node_fields(kind), CsvImportConfig())
    return data


class Rounds:
    """Fresh database directories, one per round, under a test's tmp_path."""

    def __init__(self, tmp_path, kind: str) -> None:
        self.tmp_path = tmp_path
        self.kind = kind
        self.n = 0
        self.open: list[ruzu.Database] = []

    def db(self) -> ruzu.Database:
        self.n += 1
        db = new_db(self.tmp_path / f"db{self.n}", self.kind)
        self.open.append(db)
        return db

    def close(self) -> None:
        for db in self.open:
            db.close()


@pytest.fixture
def rounds(request, tmp_path):
    made: list[Rounds] = []

    def make(kind: str) -> Rounds:
        r = Rounds(tmp_path, kind)
        made.append(r)
        return r

    yield make
    for r in made:
        r.close()


# -- parse only -------------------------------------------------------------------------------

def node_fields(kind: str) -> list[FieldSpec]:
    return [FieldSpec(n, LogicalType.parse(t), not_null=(n == "id"))
            for n, t in datagen.node_columns(kind)]


def edge_fields(kind: str) -> list[FieldSpec]:
    key = LogicalType.STRING if kind == "string" else LogicalType.INT64
    return [FieldSpec("from", key, not_null=True), FieldSpec("to", key, not_null=True),
            FieldSpec("since", LogicalType.INT64)]


def open_source(path: str, cfg: CsvImportConfig) -> CsvSource:
    """The read buffer the loaders use for ``cfg`` (``CsvSource.for_config`` where it exists)."""
    make = getattr(CsvSource, "for_config", None)
    if make is not None:
        return make(path, cfg)
    return CsvSource(path, min(8 << 20, cfg.memory_limit // 16), cfg.memory_limit // 8)


def parse_file(path: str, fields: list[FieldSpec], cfg: CsvImportConfig) -> int:
    """Parse every record with the library's batch parser (the read buffer the loaders use);
    returns the row count. Nothing is stored."""
    with open_source(path, cfg) as src:
        read_header(src, cfg)
        parser = BatchParser(src, fields, cfg)
        rows = 0
        for batch in parser:
            rows += batch.rows
        return rows


# -- benchmarks -------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_node_import(benchmark, warmed, rounds, kind):
    gen = warmed[kind]["nodes"]
    rec = Recorder(benchmark, gen.rows, gen.bytes)
    r = rounds(kind)

    def setup():
        db = r.db()
        rec.setup_done()
        return (db,), {}

    def run(db):
        res = db.import_nodes("Person", gen.path)
        rec.round_done()
        assert res.rows_imported == gen.rows

    benchmark.pedantic(run, setup=setup, rounds=ROUNDS, iterations=1, warmup_rounds=1)
    rec.finish()


def _rel_bench(benchmark, warmed, rounds, kind: str, cfg: CsvImportConfig) -> None:
    nodes, edges = warmed[kind]["nodes"], warmed[kind]["edges"]
    rec = Recorder(benchmark, edges.rows, edges.bytes)
    r = rounds(kind)

    def setup():
        db = r.db()
        db.import_nodes("Person", nodes.path, config=cfg)
        rec.setup_done()
        return (db,), {}

    def run(db):
        res = db.import_relationships("Follows", edges.path, config=cfg)
        rec.round_done()
        assert res.rows_imported == edges.rows

    benchmark.pedantic(run, setup=setup, rounds=ROUNDS, iterations=1, warmup_rounds=1)
    rec.finish()


@pytest.mark.parametrize("kind", KINDS)
def test_rel_import(benchmark, warmed, rounds, kind):
    _rel_bench(benchmark, warmed, rounds, kind, CsvImportConfig())


@pytest.mark.parametrize("kind", ("random", "string"))
def test_rel_import_small_budget(benchmark, warmed, rounds, kind):
    """memory_limit = 64 MiB: key sets above ~1 M resolve partition by partition."""
    benchmark.extra_info["memory_limit"] = SMALL_LIMIT
    _rel_bench(benchmark, warmed, rounds, kind, CsvImportConfig(memory_limit=SMALL_LIMIT))


@pytest.mark.parametrize("file", ("nodes", "edges"))
@pytest.mark.parametrize("kind", KINDS)
def test_parse_only(benchmark, warmed, kind, file):
    gen = warmed[kind][file]
    fields = node_fields(kind) if file == "nodes" else edge_fields(kind)
    cfg = CsvImportConfig()
    rec = Recorder(benchmark, gen.rows, gen.bytes)

    def run():
        assert parse_file(gen.path, fields, cfg) == gen.rows
        rec.round_done()

    benchmark.pedantic(run, setup=rec.setup_done, rounds=ROUNDS, iterations=1, warmup_rounds=1)
    rec.finish()


@pytest.mark.parametrize("batch_size", BATCH_SIZES)
def test_node_import_batch_size(benchmark, warmed, rounds, batch_size):
    gen = warmed["ordered"]["nodes"]
    cfg = CsvImportConfig(batch_size=batch_size)
    rec = Recorder(benchmark, gen.rows, gen.bytes)
    r = rounds("ordered")
    benchmark.extra_info["batch_size"] = batch_size

    def setup():
        db = r.db()
        rec.setup_done()
        return (db,), {}

    def run(db):
        res = db.import_nodes("Person", gen.path, config=cfg)
        rec.round_done()
        assert res.rows_imported == gen.rows
        benchmark.extra_info["batches"] = res.batch_count

    benchmark.pedantic(run, setup=setup, rounds=ROUNDS, iterations=1, warmup_rounds=1)
    rec.finish()


@pytest.mark.parametrize("batch_size", BATCH_SIZES)
def test_parse_batch_size(benchmark, warmed, batch_size):
    gen = warmed["ordered"]["edges"]
    cfg = CsvImportConfig(batch_size=batch_size)
    rec = Recorder(benchmark, gen.rows, gen.bytes)
    benchmark.extra_info["batch_size"] = batch_size

    def run():
        assert parse_file(gen.path, edge_fields("ordered"), cfg) == gen.rows
        rec.round_done()

    benchmark.pedantic(run, setup=rec.setup_done, rounds=ROUNDS, iterations=1, warmup_rounds=1)
    rec.finish()


# -- compile time -----------------------------------------------------------------------------

COMPILE_SCRIPT = textwrap.dedent("""
    import json, os, sys, time
    t0 = time.perf_counter()
    import ruzu
    from ruzu.csv.config import CsvImportConfig
    t_import = time.perf_counter() - t0
    root, spec = sys.argv[1], json.loads(sys.argv[2])
    for i, (kind, columns, nodes, edges) in enumerate(spec):
        for j, cfg in enumerate((CsvImportConfig(), CsvImportConfig(memory_limit=64 << 20))):
            with ruzu.Database(os.path.join(root, f"db{i}-{j}")) as db:
                db.create_node_table("Person", [tuple(c) for c in columns], "id")
                db.create_rel_table("Follows", [("Person", "Person")], [("since", "INT64")])
                db.import_nodes("Person", nodes, config=cfg)
                db.import_relationships("Follows", edges, config=cfg)
    print(json.dumps({"import_s": t_import, "total_s": time.perf_counter() - t0}))
""")


def _compile_run(warmed, cache_dir, work_dir) -> dict:
    spec = [(k, datagen.node_columns(k), warmed[k]["tiny_nodes"].path,
             warmed[k]["tiny_edges"].path) for k in KINDS]
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache_dir)}
    work_dir.mkdir(exist_ok=True)
    proc = subprocess.run([sys.executable, "-c", COMPILE_SCRIPT, str(work_dir), json.dumps(spec)],
                          env=env, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_cold_compile(benchmark, warmed, tmp_path):
    """Wall time of a fresh process that imports a tiny node and edge file of every kind with
    an EMPTY numba cache (everything compiles), then of the same run with that cache filled;
    the difference is the compile time a first import pays."""
    cache = tmp_path / "numba-cache"
    cache.mkdir()
    runs: list[dict] = []

    def cold():
        shutil.rmtree(cache)
        cache.mkdir()
        t = time.perf_counter()
        runs.append(_compile_run(warmed, cache, tmp_path / f"w{len(runs)}"))
        runs[-1]["wall_s"] = time.perf_counter() - t

    benchmark.pedantic(cold, rounds=1, iterations=1)
    t = time.perf_counter()
    warm = _compile_run(warmed, cache, tmp_path / "w-cached")
    warm_wall = time.perf_counter() - t
    info = benchmark.extra_info
    info["cold_wall_s"] = round(runs[-1]["wall_s"], 2)
    info["cached_wall_s"] = round(warm_wall, 2)
    info["compile_s"] = round(runs[-1]["wall_s"] - warm_wall, 2)
    info["import_ruzu_s"] = round(warm["import_s"], 2)
    info["cache_files"] = sum(1 for _ in cache.rglob("*.nbi"))
