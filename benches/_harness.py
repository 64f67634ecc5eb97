"""Shared by ``run.py`` and ``memory_benchmark.py``: the generated-file cache and the fresh
subprocess that runs one import.

Units: sizes are bytes with decimal suffixes (``1G`` = 10**9 bytes, see ``ruzu.testing.datagen``);
``MB`` in every output is 10**6 bytes, for file sizes and for RSS alike.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field

from ruzu.testing import datagen

HERE = os.path.dirname(os.path.abspath(__file__))
CHILD = os.path.join(HERE, "_child.py")
DEFAULT_DATA_DIR = os.environ.get("RUZU_BENCH_DATA", "/work/bench-data")
MB = 1_000_000
CACHE_VERSION = 1  # bump when datagen's output changes, so cached files are regenerated
WARM_SIZE = 20_000


def exit_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit so ``finally`` blocks delete the databases and partial
    files of a stopped run."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def log(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


@dataclass
class Files:
    kind: str
    size: int
    nodes: datagen.Generated
    edges: datagen.Generated
    created: list[str] = field(default_factory=list)  # paths this run generated


def _meta_path(path: str) -> str:
    return path + ".json"


def _cached(path: str, want: dict) -> datagen.Generated | None:
    try:
        with open(_meta_path(path)) as f:
            meta = json.load(f)
        if meta.get("cache") != want or os.path.getsize(path) != meta["bytes"]:
            return None
    except (OSError, ValueError, KeyError):
        return None
    return datagen.Generated(path, meta["kind"], meta["file"], meta["rows"], meta["bytes"],
                             meta["num_nodes"])


def _store_meta(gen: datagen.Generated, want: dict) -> None:
    meta = {"cache": want, "kind": gen.kind, "file": gen.file, "rows": gen.rows,
            "bytes": gen.bytes, "num_nodes": gen.num_nodes}
    with open(_meta_path(gen.path), "w") as f:
        json.dump(meta, f)


def csv_dir(data_dir: str, size: int) -> str:
    return os.path.join(data_dir, "csv", datagen.format_size(size))


def ensure_files(data_dir: str, size: int, kind: str) -> Files:
    """The node and edge file of ``kind`` at ``size`` bytes each, generated unless cached
    (``<data_dir>/csv/<size>/<kind>-nodes.csv`` with a ``.json`` sidecar)."""
    folder = csv_dir(data_dir, size)
    os.makedirs(folder, exist_ok=True)
    out = {}
    created = []
    for file in datagen.FILES:
        path = os.path.join(folder, f"{kind}-{file}.csv")
        want = {"version": CACHE_VERSION, "kind": kind, "file": file, "size": size, "seed": 0}
        gen = _cached(path, want)
        if gen is None:
            log(f"generating {path} ({datagen.format_size(size)}B) …")
            if file == "nodes":
                gen = datagen.write_nodes(path, size, kind)
            else:
                gen = datagen.write_edges(path, size, kind, num_nodes=out["nodes"].num_nodes)
            _store_meta(gen, want)
            created.append(path)
        out[file] = gen
    return Files(kind, size, out["nodes"], out["edges"], created)


def remove_files(files: Files) -> None:
    for path in files.created:
        for p in (path, _meta_path(path)):
            if os.path.exists(p):
                os.remove(p)


def warm_files(data_dir: str, kind: str) -> tuple[str, str]:
    """Tiny files of ``kind`` imported before the timed call so the JIT cache is loaded."""
    files = ensure_files(os.path.join(data_dir, "warm"), WARM_SIZE, kind)
    return files.nodes.path, files.edges.path


def run_child(spec: dict, timeout: float | None = None) -> dict:
    """Run one import in a fresh interpreter and return its JSON result (raises with the
    child's stderr when it fails)."""
    proc = subprocess.run([sys.executable, CHILD, json.dumps(spec)], capture_output=True,
                          text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"import child failed (exit {proc.returncode}) for "
                           f"{spec['system']} {spec['kind']} {spec['file']}:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def cache_file(path: str) -> None:
    """Read the file once so that it is in the page cache (if memory allows) before a timed
    import: otherwise the system measured first reads it from the disk and the next one from
    memory (seen 2026-12-04: ruzu 1 GB UUID nodes 8.2 s from the disk, 2.8 s cached)."""
    with open(path, "rb", buffering=0) as f:
        buf = bytearray(8 << 20)
        while f.readinto(buf):
            pass


def settle_disk() -> None:
    """Flush what earlier steps left to the disk before a timed import: the dirty pages and,
    with the ``discard`` mount option, the discards of the database deleted just before (a
    previous system's GBs), so that no system pays for its predecessor's writes. (Seen
    2026-12-04: ruzu 1 GB UUID nodes, index stage 0.74 s in one quiet run, 1.22 s in the next,
    right after Kùzu's string-key database was written and deleted.)"""
    os.sync()


def import_pair(system: str, files: Files, db_dir: str, *, warm: tuple[str, str] | None = None,
                config: dict | None = None, attempts: int = 2,
                trace: bool = False) -> dict[str, dict]:
    """Import the node file, then (in a second fresh process) the edge file, into a new
    database at ``db_dir``; returns {"nodes": result, "edges": result}. When a ruzu child had
    to compile kernels (the cache was stale: someone edited a kernel module), the pair is run
    again, since compiling inflates the time and the peak RSS of the measured process."""
    base = {"system": system, "kind": files.kind, "db": db_dir, "config": config or {},
            "columns": datagen.node_columns(files.kind),
            "node_ddl": datagen.kuzu_node_ddl(files.kind), "rel_ddl": datagen.kuzu_rel_ddl(),
            "trace": trace}
    if warm and system == "ruzu":
        base["warm"] = list(warm)
    for attempt in range(attempts):
        if os.path.exists(db_dir):
            shutil.rmtree(db_dir)
        os.makedirs(os.path.dirname(db_dir), exist_ok=True)
        results = {}
        for file, gen in (("nodes", files.nodes), ("edges", files.edges)):
            cache_file(gen.path)  # the same start for every system: the file in the page cache
            settle_disk()
            results[file] = run_child({**base, "file": file, "csv": gen.path})
            results[file]["bytes"] = gen.bytes
            results[file]["expected_rows"] = gen.rows
        compiled = sum(r.get("jit_compiles", 0) for r in results.values())
        if not compiled:
            break
        if attempt + 1 < attempts:
            log(f"{system} {files.kind}: {compiled} kernels were compiled in the measured "
                "processes (stale JIT cache); running again")
    return results


def record(system: str, kind: str, file: str, result: dict) -> dict:
    """The JSON line of one import."""
    seconds = result["seconds"]
    return {
        "system": system, "kind": kind, "file": file, "rows": result["rows"],
        "bytes": result["bytes"], "seconds": round(seconds, 3),
        "rows_per_s": round(result["rows"] / seconds) if seconds else None,
        "mb_per_s": round(result["bytes"] / MB / seconds, 1) if seconds else None,
        "peak_rss_mb": round(result["peak_rss"] / MB, 1),
        **({"stages": result["stages"]} if result.get("stages") else {}),
    }


def dir_bytes(path: str) -> int:
    total = 0
    for root, _dirs, names in os.walk(path):
        for n in names:
            try:
                total += os.path.getsize(os.path.join(root, n))
            except OSError:
                pass
    return total
