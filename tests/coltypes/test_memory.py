"""Memory of list-heavy imports, measured as the peak RSS (VmHWM) of a fresh process:

* rows carrying lists of up to 10,000 elements import below 500 MB (CI: 40 MB of CSV;
  ``RUZU_SLOW=1``: 1 GB);
* one 50 MB field is refused clearly with the default memory_limit (a record may take an eighth
  of it), and imports below 500 MB with memory_limit=420 MB.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

LIMIT = 500 * 10**6

_IMPORT = """
import json, sys, ruzu
from ruzu import CsvImportConfig
db = ruzu.Database(sys.argv[1])
db.create_node_table("T", [("id", "INT64"), ("l", "INT64[]"), ("s", "STRING[]")], "id")
cfg = CsvImportConfig(header=False, **json.loads(sys.argv[3]))
try:
    res = db.import_nodes("T", sys.argv[2], cfg)
    elements = db.table("T").column("l").children[0]  # the memmap: no Python list of it
    out = {"rows": res.rows_imported, "last": elements[len(elements) - 3 :].tolist()}
except ruzu.RuzuError as e:
    out = {"error": str(e)[:300]}
with open("/proc/self/status") as f:
    out["peak"] = [int(l.split()[1]) * 1024 for l in f if l.startswith("VmHWM")][0]
print(json.dumps(out))
"""


def _run(tmp_path, csv_path, name: str, **config) -> dict:
    proc = subprocess.run([sys.executable, "-c", _IMPORT, str(tmp_path / name), str(csv_path),
                           json.dumps(config)], capture_output=True, text=True, timeout=3600,
                          env=os.environ.copy())
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _write_lists(path, size: int, seed: int = 1) -> int:
    """Rows ``id,"[ints…]","[words…]"`` with up to 10,000 ints per row; returns the row count."""
    rng = np.random.default_rng(seed)
    rows = written = 0
    with open(path, "w", encoding="ascii") as f:
        while written < size:
            n = int(rng.integers(0, 10_001))
            ints = ",".join(map(str, rng.integers(-10**6, 10**6, n).tolist()))
            words = ",".join(f"w{k}" for k in rng.integers(0, 999, min(n, 50)).tolist())
            line = f'{rows},"[{ints}]","[{words}]"\n'
            f.write(line)
            written += len(line)
            rows += 1
    return rows


@pytest.fixture(scope="module")
def primed(tmp_path_factory):
    """Compile (and cache) the kernels once, so the measured processes do not carry LLVM."""
    tmp = tmp_path_factory.mktemp("prime")
    path = tmp / "p.csv"
    _write_lists(path, 100_000)
    _run(tmp, path, "db")
    return tmp


def test_list_heavy_import_below_bound(primed, tmp_path):
    path = tmp_path / "lists.csv"
    rows = _write_lists(path, int(os.environ.get("RUZU_LISTS_BYTES", 40 * 10**6)))
    got = _run(tmp_path, path, "db")
    assert got.get("rows") == rows, got
    assert got["peak"] < LIMIT, f"peak {got['peak'] / 1e6:.0f} MB"


def test_one_50mb_field(primed, tmp_path):
    path = tmp_path / "big.csv"
    ints = ",".join(["123456"] * (50 * 10**6 // 7))
    path.write_text(f'0,"[1]","[a]"\n1,"[{ints}]","[b]"\n', encoding="ascii")
    refused = _run(tmp_path, path, "db1")
    assert "-byte limit" in refused.get("error", ""), refused  # names the limit to raise
    got = _run(tmp_path, path, "db2", memory_limit=420 << 20)
    assert got.get("rows") == 2 and got["last"] == [123456] * 3, got
    assert got["peak"] < LIMIT, f"peak {got['peak'] / 1e6:.0f} MB"


@pytest.mark.slow
def test_list_heavy_1gb(primed, tmp_path):
    path = tmp_path / "lists.csv"
    rows = _write_lists(path, 10**9)
    got = _run(tmp_path, path, "db")
    os.remove(path)
    assert got.get("rows") == rows, got
    assert got["peak"] < LIMIT, f"peak {got['peak'] / 1e6:.0f} MB"
