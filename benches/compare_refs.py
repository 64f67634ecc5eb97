#!/usr/bin/env python3
"""Before/after benchmark of two git refs, measured in the same run.

    python benches/compare_refs.py REF_A REF_B [--size 100M] [--kinds ordered,string]
        [--rounds 3] [--persons 100000] [--follows 2400000] [--repeat 5] [--queries a,b]

Each ref is exported (``git archive``) into a temporary directory, so the two are compared as
committed, whatever the working tree holds. Then, ``--rounds`` times, each ref runs its own
import benchmark (``benches/run.py --size S --kinds K``: every file in a fresh process) and its
own query benchmark (``benches/query_benchmark.py``), the two refs interleaved and their order
swapped every round (A B, B A, …) so a drift of the machine's load hits both alike. Both refs
import the same generated CSV files (``ruzu.testing.datagen`` output, generated once); each query
benchmark builds its own databases (the refs' storage formats may differ).

The table gives the median over the rounds of each figure and the ratio B / A: for imports
rows/s (above 1: B is faster) and peak RSS (below 1: B uses less); for queries the median
milliseconds of ruzu (below 1: B is faster). Run it on a quiet machine; every child process is
started by the refs' own scripts, which measure inside the child.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# a row of query_benchmark.py's table: name, ruzu ms, kuzu ms, ratio, same answers
QUERY_ROW = re.compile(r"^(\S+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(yes|NO)\b")


def export_ref(ref: str, into: str) -> str:
    """The tree of ``ref`` written into the directory ``into``; returns its commit id."""
    commit = subprocess.run(["git", "rev-parse", "--verify", f"{ref}^{{commit}}"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.strip()
    os.makedirs(into)
    archive = subprocess.Popen(["git", "archive", "--format=tar", commit], cwd=ROOT,
                               stdout=subprocess.PIPE)
    with tarfile.open(fileobj=archive.stdout, mode="r|") as tar:
        tar.extractall(into, filter="data")
    if archive.wait() != 0:
        raise RuntimeError(f"git archive {ref} failed")
    return commit


def _run(checkout: str, argv: list[str], timeout: float | None) -> str:
    env = {**os.environ, "PYTHONPATH": checkout}
    done = subprocess.run([sys.executable, *argv], cwd=checkout, env=env, capture_output=True,
                          text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{checkout}: {' '.join(argv)} failed ({done.returncode}):\n"
                           + done.stderr[-3000:])
    return done.stdout


def import_bench(checkout: str, args, data_dir: str) -> dict[tuple[str, str], dict]:
    """(kind, file) → the ruzu line of ``benches/run.py`` (rows_per_s, peak_rss_mb, …)."""
    out = _run(checkout, ["benches/run.py", "--size", args.size, "--kinds", args.kinds,
                          "--data-dir", data_dir, "--keep-data"], args.timeout)
    lines = {}
    for text in out.splitlines():
        if text.startswith("{"):
            line = json.loads(text)
            if line.get("system") == "ruzu":
                lines[(line["kind"], line["file"])] = line
    return lines


def query_bench(checkout: str, args, data_dir: str) -> dict[str, float]:
    """query name → ruzu's median milliseconds in ``benches/query_benchmark.py``."""
    argv = ["benches/query_benchmark.py", "--persons", str(args.persons), "--follows",
            str(args.follows), "--repeat", str(args.repeat), "--data", data_dir]
    if args.queries:
        argv += ["--only", *args.queries.split(",")]
    out = _run(checkout, argv, args.timeout)
    found = {}
    for text in out.splitlines():
        m = QUERY_ROW.match(text)
        if m:
            found[m.group(1)] = float(m.group(2))
    return found


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _ratio(b: float, a: float) -> str:
    return f"{b / a:.2f}" if a and a == a and b == b else "-"


def table(names: tuple[str, str], imports: dict, queries: dict) -> str:
    a, b = names
    out = []
    if imports[a] or imports[b]:
        out.append(f"{'import (kind file)':<26}{'A rows/s':>12}{'B rows/s':>12}{'B/A':>7}"
                   f"{'A peak MB':>11}{'B peak MB':>11}{'B/A':>7}")
        keys = sorted({k for rounds in imports.values() for r in rounds for k in r},
                      key=lambda k: (k[0], k[1] != "nodes"))  # nodes before edges
        for key in keys:
            rate = [_median([r[key]["rows_per_s"] for r in imports[s] if key in r]) for s in names]
            peak = [_median([r[key]["peak_rss_mb"] for r in imports[s] if key in r])
                    for s in names]
            out.append(f"{key[0] + ' ' + key[1]:<26}{rate[0]:>12,.0f}{rate[1]:>12,.0f}"
                       f"{_ratio(rate[1], rate[0]):>7}{peak[0]:>11,.0f}{peak[1]:>11,.0f}"
                       f"{_ratio(peak[1], peak[0]):>7}")
    if queries[a] or queries[b]:
        out.append(f"\n{'query':<26}{'A ms':>12}{'B ms':>12}{'B/A':>7}")
        keys = list(dict.fromkeys(k for s in names for r in queries[s] for k in r))
        ratios = []
        for key in keys:
            ms = [_median([r[key] for r in queries[s] if key in r]) for s in names]
            if ms[0] > 0 and ms[1] > 0:
                ratios.append(ms[1] / ms[0])
            out.append(f"{key:<26}{ms[0]:>12.1f}{ms[1]:>12.1f}{_ratio(ms[1], ms[0]):>7}")
        if ratios:
            geo = statistics.geometric_mean(ratios)
            out.append(f"{'geometric mean':<26}{'':>24}{geo:>7.2f}")
    out.append("\n(medians over the rounds; rows/s B/A above 1: B faster; peak MB and query ms "
               "B/A below 1: B better)")
    return "\n".join(out)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ref_a", help="the 'before' ref (commit, branch, tag)")
    ap.add_argument("ref_b", help="the 'after' ref")
    ap.add_argument("--size", default="100M", help="bytes per import file (benches/run.py)")
    ap.add_argument("--kinds", default="ordered,string", help="id kinds of the import files")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds per ref")
    ap.add_argument("--persons", type=int, default=100_000, help="query benchmark graph size")
    ap.add_argument("--follows", type=int, default=2_400_000)
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per query and round")
    ap.add_argument("--queries", default=None, help="comma-separated query names (default all)")
    ap.add_argument("--no-import", action="store_true", help="skip the import benchmark")
    ap.add_argument("--no-query", action="store_true", help="skip the query benchmark")
    ap.add_argument("--data-dir", default=None,
                    help="where CSVs and databases go (default: a temporary directory, removed)")
    ap.add_argument("--timeout", type=float, default=None, help="seconds per benchmark run")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = tempfile.mkdtemp(prefix="ruzu-compare-")
    data_dir = args.data_dir or os.path.join(work, "data")
    try:
        checkouts = {}
        for label, ref in (("A", args.ref_a), ("B", args.ref_b)):
            path = os.path.join(work, label)
            commit = export_ref(ref, path)
            checkouts[label] = path
            print(f"{label}: {ref} = {commit[:12]}", flush=True)
        imports: dict[str, list] = {"A": [], "B": []}
        queries: dict[str, list] = {"A": [], "B": []}
        for round_no in range(args.rounds):
            order = ("A", "B") if round_no % 2 == 0 else ("B", "A")
            for label in order:
                print(f"round {round_no + 1}/{args.rounds}: {label}", file=sys.stderr,
                      flush=True)
                if not args.no_import:
                    imports[label].append(import_bench(checkouts[label], args,
                                                       os.path.join(data_dir, "import")))
                if not args.no_query:
                    queries[label].append(query_bench(
                        checkouts[label], args, os.path.join(data_dir, f"query-{label}")))
        print(table(("A", "B"), imports, queries), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
