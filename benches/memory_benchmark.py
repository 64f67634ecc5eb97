#!/usr/bin/env python3
"""Peak RSS of the import across input sizes, checked against the memory contracts.

    python benches/memory_benchmark.py [--sizes 100M,500M,1G,5G] [--kinds ordered,random,string]

For every size and id kind the node and edge file (each of that size) are generated (or taken
from the cache ``<data-dir>/csv/<size>/``) and imported with the default CsvImportConfig, each
file in a FRESH subprocess whose VmHWM (whole process: interpreter, numpy, numba, JIT code,
buffers) is the figure. Prints one table row per kind and file with the peak at each size and
the spread (max - min across sizes), then the contracts; exit status 0 when every measured
contract holds, 1 otherwise:

* MC-001: importing the 1 GB node file peaks below 500 MB (every kind);
* MC-002: importing the 1 GB edge file peaks below 500 MB (every kind);
* MC-003: importing the 5 GB files peaks below 500 MB (nodes and edges, every kind);
* MC-004: for each kind and file the spread across the measured sizes is below 100 MB.

A contract whose size was not measured is reported as "not measured" and does not fail the run.
Sizes are powers of 1000 (``1G`` = 10**9 bytes; ``1GiB`` = 2**30); MB is 10**6 bytes.
Generated CSVs are deleted after each size unless ``--keep-data`` (5 GB takes ~30 GB of CSV for
three kinds plus the databases: check ``df -h`` first).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _harness as H  # noqa: E402

from ruzu.testing import datagen  # noqa: E402

LIMIT = 500 * H.MB
SPREAD_LIMIT = 100 * H.MB
GB = 1_000_000_000


def _trace_text(res: dict) -> str:
    t = res.get("trace")
    if not t or not t["at_peak"]:
        return ""
    p = t["at_peak"]
    return (f"   at the sampled peak: stage {p.get('stage', '?')}, "
            f"anon {p.get('anon', 0) / H.MB:.0f} MB, file {p.get('file', 0) / H.MB:.0f} MB, "
            f"shmem {p.get('shmem', 0) / H.MB:.0f} MB")


def table(peaks: dict, sizes: list[int], kinds: list[str]) -> str:
    heads = [datagen.format_size(s) for s in sizes]
    out = ["peak RSS (MB)   " + "".join(f"{h:>9}" for h in heads) + f"{'spread':>9}"]
    for kind in kinds:
        for file in datagen.FILES:
            vals = [peaks.get((kind, file, s)) for s in sizes]
            cells = "".join(f"{v / H.MB:9.1f}" if v is not None else f"{'-':>9}" for v in vals)
            got = [v for v in vals if v is not None]
            spread = f"{(max(got) - min(got)) / H.MB:9.1f}" if len(got) > 1 else f"{'-':>9}"
            out.append(f"{kind + ' ' + file:<16}{cells}{spread}")
    return "\n".join(out)


def contracts(peaks: dict, sizes: list[int], kinds: list[str]) -> list[tuple[str, str, str]]:
    """(id, PASS | FAIL | not measured, detail) for MC-001…MC-004."""

    def bound(cid: str, what: str, keys: list[tuple]) -> tuple[str, str, str]:
        got = {k: peaks[k] for k in keys if k in peaks}
        if not got:
            return cid, "not measured", what
        (kind, file, size), worst = max(got.items(), key=lambda kv: kv[1])
        verdict = "PASS" if worst < LIMIT and len(got) == len(keys) else "FAIL"
        missing = "" if len(got) == len(keys) else f"; {len(keys) - len(got)} imports failed"
        return cid, verdict, (f"{what}: max {worst / H.MB:.1f} MB ({kind} {file} "
                              f"{datagen.format_size(size)}){missing}")

    out = [
        bound("MC-001", "1 GB nodes < 500 MB", [(k, "nodes", GB) for k in kinds]
              if GB in sizes else []),
        bound("MC-002", "1 GB edges < 500 MB", [(k, "edges", GB) for k in kinds]
              if GB in sizes else []),
        bound("MC-003", "5 GB nodes and edges < 500 MB",
              [(k, f, 5 * GB) for k in kinds for f in datagen.FILES] if 5 * GB in sizes else []),
    ]
    spreads = {}
    for kind in kinds:
        for file in datagen.FILES:
            vals = [peaks[(kind, file, s)] for s in sizes if (kind, file, s) in peaks]
            if len(vals) > 1:
                spreads[(kind, file)] = max(vals) - min(vals)
    if len(sizes) < 2 or not spreads:
        out.append(("MC-004", "not measured", "spread across sizes < 100 MB (needs 2 sizes)"))
    else:
        (kind, file), worst = max(spreads.items(), key=lambda kv: kv[1])
        verdict = "PASS" if worst < SPREAD_LIMIT else "FAIL"
        out.append(("MC-004", verdict, f"spread across sizes < 100 MB: max {worst / H.MB:.1f} MB "
                                       f"({kind} {file})"))
    return out


def main(argv: list[str] | None = None) -> int:
    H.exit_on_sigterm()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100M,500M,1G,5G",
                    help="comma-separated bytes per file (powers of 1000: 1G = 10**9)")
    ap.add_argument("--kinds", default="ordered,random,string",
                    help=f"comma-separated id kinds among {','.join(datagen.KINDS)}")
    ap.add_argument("--data-dir", default=H.DEFAULT_DATA_DIR,
                    help="where CSVs are cached and databases are built (default %(default)s)")
    ap.add_argument("--keep-data", action="store_true",
                    help="keep the CSV files this run generated (cached for the next run)")
    ap.add_argument("--trace", action="store_true",
                    help="sample RssAnon/RssFile on a thread in each import and log them at the "
                         "peak (anonymous memory vs mapped file pages)")
    ap.add_argument("--json", action="store_true",
                    help="also print one JSON line per import (as benches/run.py does)")
    args = ap.parse_args(argv)
    sizes = sorted(datagen.parse_size(s) for s in args.sizes.split(",") if s.strip())
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    for k in kinds:
        if k not in datagen.KINDS:
            ap.error(f"unknown kind {k!r}; choose among {', '.join(datagen.KINDS)}")
    db_root = os.path.join(args.data_dir, "db", f"memory-{os.getpid()}")
    peaks: dict[tuple[str, str, int], int] = {}
    try:
        for size in sizes:
            for kind in kinds:
                files = H.ensure_files(args.data_dir, size, kind)
                warm = H.warm_files(args.data_dir, kind)
                db_dir = os.path.join(db_root, f"{kind}-{datagen.format_size(size)}")
                try:
                    results = H.import_pair("ruzu", files, db_dir, warm=warm, trace=args.trace)
                except RuntimeError as e:
                    H.log(str(e))
                    continue
                finally:
                    shutil.rmtree(db_dir, ignore_errors=True)
                    if not args.keep_data:
                        H.remove_files(files)
                for file, res in results.items():
                    peaks[(kind, file, size)] = res["peak_rss"]
                    line = H.record("ruzu", kind, file, res)
                    H.log(f"{datagen.format_size(size):>5} {kind:8} {file:5} "
                          f"{line['peak_rss_mb']:7.1f} MB {line['seconds']:8.2f} s "
                          f"{line['rows_per_s']:>10,} rows/s" + _trace_text(res))
                    if args.json:
                        print(json.dumps({**line, "size": datagen.format_size(size)}),
                              flush=True)
    finally:
        shutil.rmtree(db_root, ignore_errors=True)
    print(table(peaks, sizes, kinds))
    print()
    results = contracts(peaks, sizes, kinds)
    for cid, verdict, detail in results:
        print(f"{cid} {verdict:12} {detail}")
    return 1 if any(v == "FAIL" for _, v, _ in results) else 0


if __name__ == "__main__":
    sys.exit(main())
