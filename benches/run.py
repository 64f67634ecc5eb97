#!/usr/bin/env python3
"""End-to-end import benchmark: one JSON line per imported file.

    python benches/run.py --size 1G [--kinds ordered,random,string,wide] [--vs kuzu] [--keep-data]

For each id kind the node and edge file of ``--size`` bytes each are generated (or taken from the
cache ``<data-dir>/csv/<size>/``), then imported into a new database, each file in a FRESH
subprocess: the node file first, then the edge file into the same database. Each line reads

    {"system": "ruzu", "kind": .., "file": "nodes"|"edges", "rows": .., "bytes": ..,
     "seconds": .., "rows_per_s": .., "mb_per_s": .., "peak_rss_mb": ..}

``seconds`` is measured in the child around the import call (parse + index + write + commit
with fsync), the input file read into the page cache just before (for every system alike);
``peak_rss_mb`` is the child's VmHWM. Before its timed call a ruzu child imports a
tiny file pair into a scratch database so cached JIT code is loaded (``--no-warm`` to skip; the
first run after a source change also compiles, see ``test_import_bench.py::test_cold_compile``).
``--vs kuzu`` runs Kùzu's ``COPY FROM`` on the same files the same way and adds ratio lines
``{"ratio": "ruzu/kuzu", ..}`` (rows_per_s: > 1 means ruzu is faster; peak_rss: < 1 means ruzu
uses less).

Sizes: ``100M``, ``500M``, ``1G``, ``5G`` are powers of 1000 (``1G`` = 10**9 bytes); ``1GiB`` is
2**30. MB in the output is 10**6 bytes. Generated CSVs this run created are deleted at the end
unless ``--keep-data``; databases are always deleted.
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


def ratios(kind: str, file: str, ruzu: dict, kuzu: dict) -> dict:
    return {
        "ratio": "ruzu/kuzu", "kind": kind, "file": file,
        "rows_per_s": round(ruzu["rows_per_s"] / kuzu["rows_per_s"], 2),
        "seconds": round(ruzu["seconds"] / kuzu["seconds"], 2),
        "peak_rss": round(ruzu["peak_rss_mb"] / kuzu["peak_rss_mb"], 3),
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", default="1G",
                    help="bytes per file: 100M, 500M, 1G, 5G (powers of 1000; 1GiB = 2**30)")
    ap.add_argument("--kinds", default="ordered,random,string",
                    help=f"comma-separated id kinds among {','.join(datagen.KINDS)}")
    ap.add_argument("--vs", choices=["kuzu"], help="also run Kùzu's COPY FROM on the same files")
    ap.add_argument("--keep-data", action="store_true",
                    help="keep the CSV files this run generated (cached for the next run)")
    ap.add_argument("--data-dir", default=H.DEFAULT_DATA_DIR,
                    help="where CSVs are cached and databases are built (default %(default)s)")
    ap.add_argument("--batch-size", type=int, default=None, help="ruzu CsvImportConfig.batch_size")
    ap.add_argument("--memory-limit", default=None,
                    help="ruzu CsvImportConfig.memory_limit (e.g. 320MiB)")
    ap.add_argument("--threads", type=int, default=None,
                    help="ruzu CsvImportConfig.threads (parser threads; default: ruzu's)")
    ap.add_argument("--no-warm", action="store_true",
                    help="do not load the JIT cache with a tiny import before the timed call")
    args = ap.parse_args(argv)
    args.size_bytes = datagen.parse_size(args.size)
    args.kind_list = [k.strip() for k in args.kinds.split(",") if k.strip()]
    for k in args.kind_list:
        if k not in datagen.KINDS:
            ap.error(f"unknown kind {k!r}; choose among {', '.join(datagen.KINDS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    H.exit_on_sigterm()
    args = parse_args(argv)
    config = {}
    if args.batch_size:
        config["batch_size"] = args.batch_size
    if args.memory_limit:
        config["memory_limit"] = datagen.parse_size(args.memory_limit)
    if args.threads:
        config["threads"] = args.threads
    systems = ["ruzu"] + ([args.vs] if args.vs else [])
    db_root = os.path.join(args.data_dir, "db", f"run-{os.getpid()}")
    status = 0
    try:
        for kind in args.kind_list:
            files = H.ensure_files(args.data_dir, args.size_bytes, kind)
            warm = None if args.no_warm else H.warm_files(args.data_dir, kind)
            lines: dict[str, dict[str, dict]] = {}
            try:
                for system in systems:
                    db_dir = os.path.join(db_root, f"{system}-{kind}")
                    try:
                        results = H.import_pair(system, files, db_dir, warm=warm,
                                                config=config if system == "ruzu" else None)
                    except RuntimeError as e:
                        H.log(str(e))
                        status = 1
                        continue
                    finally:
                        shutil.rmtree(db_dir, ignore_errors=True)
                    lines[system] = {}
                    for file, res in results.items():
                        line = H.record(system, kind, file, res)
                        if res["rows"] != res["expected_rows"]:
                            H.log(f"WARNING: {system} {kind} {file}: imported {res['rows']} rows,"
                                  f" the file has {res['expected_rows']}")
                            status = 1
                        lines[system][file] = line
                        print(json.dumps(line), flush=True)
                if args.vs and "ruzu" in lines and args.vs in lines:
                    for file in datagen.FILES:
                        print(json.dumps(ratios(kind, file, lines["ruzu"][file],
                                                lines[args.vs][file])), flush=True)
            finally:
                if not args.keep_data:
                    H.remove_files(files)
    finally:
        shutil.rmtree(db_root, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
