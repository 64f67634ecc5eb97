#!/usr/bin/env python3
"""The README's first command after installation, on an empty kernel cache (issue 16's target:
the warm-up and the demo together under 15 s, the first run of each kuzudb-study-style query
under 0.5 s):

    python benches/first_run.py [--no-warmup]

In a temporary directory with its own ``XDG_CACHE_HOME`` (so numba's cache starts empty):
``python -m ruzu warmup``, then ``python tools/import.py demo``, each timed (wall, and CPU of the
process and its children), then a fresh process opens the demo database and runs each query of
``ruzu.cli.warmup.DEMO_QUERIES`` twice (first and second run). ``--no-warmup`` leaves the
warm-up out (the demo then compiles what it needs). Prints the machine's load beside the figures:
on a shared machine only relative figures mean anything.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_QUERIES = """
import sys, time
import ruzu
from ruzu.cli.warmup import DEMO_QUERIES
db = ruzu.Database(sys.argv[1], read_only=True)
for q in DEMO_QUERIES:
    t = time.perf_counter(); db.execute(q).get_all(); first = time.perf_counter() - t
    t = time.perf_counter(); db.execute(q).get_all(); second = time.perf_counter() - t
    print(f"{first:8.3f} s {second:8.3f} s  {q}")
"""


def load() -> str:
    return open("/proc/loadavg").read().split()[0] if os.path.exists("/proc/loadavg") else "?"


def timed(label: str, argv: list[str], env: dict, cwd: str) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if done.returncode:
        sys.exit(f"{label} failed:\n{done.stderr}")
    print(f"{label:8} {wall:6.1f} s wall, {cpu:6.1f} s CPU (load {load()})", flush=True)
    return wall


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--no-warmup", action="store_true", help="run the demo on a cold cache")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="ruzu-first-run-") as work:
        env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
        env["XDG_CACHE_HOME"] = os.path.join(work, "cache")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        total = 0.0
        if not args.no_warmup:
            total += timed("warmup", [sys.executable, "-m", "ruzu", "warmup"], env, work)
        total += timed("demo", [sys.executable, str(ROOT / "tools" / "import.py"), "demo"],
                       env, work)
        print(f"{'total':8} {total:6.1f} s wall (target: 15 s)")
        print("first run, second run, query (a fresh process):", flush=True)
        subprocess.run([sys.executable, "-c", FIRST_QUERIES, os.path.join(work, "demo-db")],
                       env=env, cwd=work, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
