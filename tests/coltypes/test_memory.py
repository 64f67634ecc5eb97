"""Memory of list-heavy imports, measured as the peak RSS (VmHWM) of a fresh process:

* rows carrying lists of up to 10,000 elements import below 500 MB (CI: 40 MB of CSV;
  ``RUZU_SLOW=1``: 1 GB);
* one 50 MB field (a STRING, a list of 7 M numbers) imports at the default memory_limit below
  500 MB and reads back exactly; a record over 3/8 of memory_limit, or one list whose parsed
  elements need more than half of it, is refused with a clear error.
"""

from __future__ import annotations

import hashlib
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


_ONE_FIELD = """
import hashlib, json, sys, ruzu
db = ruzu.Database(sys.argv[1])
db.create_node_table("T", [("id", "INT64"), ("s", "STRING"), ("l", "INT64[]")], "id")
try:
    res = db.import_nodes("T", sys.argv[2], ruzu.CsvImportConfig(header=False,
                                                                **json.loads(sys.argv[3])))
except ruzu.RuzuError as e:
    print(json.dumps({"error": str(e)[:300], "line": e.line, "column": e.column}))
    sys.exit()
with open("/proc/self/status") as f:  # before reading back: the import's peak
    peak = [int(l.split()[1]) * 1024 for l in f if l.startswith("VmHWM")][0]
strings, lists = db.table("T").column("s"), db.table("T").column("l")
elements = lists.children[0]
print(json.dumps({
    "rows": res.rows_imported, "peak": peak, "small": [strings[0], strings[2], lists[0]],
    "s": hashlib.sha256(strings.data[strings.offsets[1] : strings.offsets[2]]).hexdigest(),
    "lens": [int(x) for x in lists.offsets[:4]],
    "l": hashlib.sha256(elements[lists.offsets[2] : lists.offsets[3]]).hexdigest(),
}))
"""


def _run_one_field(tmp_path, csv_path, name: str, **config) -> dict:
    proc = subprocess.run([sys.executable, "-c", _ONE_FIELD, str(tmp_path / name),
                           str(csv_path), json.dumps(config)], capture_output=True, text=True,
                          timeout=3600, env=os.environ.copy())
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _big_string(size: int) -> str:
    """``size`` bytes of varied UTF-8 text with the CSV's delimiter, quotes and line ends."""
    rng = np.random.default_rng(7)
    alphabet = list('abcxyz019 ,;"\n\r[]{}\'é€😀')
    piece = "".join(rng.choice(alphabet, 4096).tolist())
    text = (piece * (size // len(piece.encode()) + 1)).encode()[:size].decode("utf-8", "ignore")
    return text


def test_one_50mb_field_at_the_default_memory_limit(primed, tmp_path):
    text = _big_string(50 * 10**6)
    numbers = np.random.default_rng(3).integers(-10**5, 10**5, 7_000_000)
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write('0,a,"[1,2]"\n')
        f.write('1,"' + text.replace('"', '""') + '",[]\n')
        f.write('2,b,"[' + ",".join(map(str, numbers.tolist())) + ']"\n')
        f.write("3,c,[]\n")
    got = _run_one_field(tmp_path, path, "db")
    assert got.get("rows") == 4, got
    assert got["peak"] < LIMIT, f"peak {got['peak'] / 1e6:.0f} MB"
    assert got["small"] == ["a", "b", [1, 2]]
    assert got["s"] == hashlib.sha256(text.encode()).hexdigest()
    assert got["lens"] == [0, 2, 2, 2 + len(numbers)]
    assert got["l"] == hashlib.sha256(numbers.astype(np.int64).tobytes()).hexdigest()


def test_fields_beyond_the_budget_are_refused_clearly(primed, tmp_path):
    """At memory_limit=64 MB a record may take 24 MB and one list's elements 32 MB."""
    path = tmp_path / "long.csv"
    path.write_text("0,a,[1]\n1," + "x" * 26_000_000 + ",[2]\n", encoding="ascii")
    got = _run_one_field(tmp_path, path, "db1", memory_limit=64 << 20)
    assert "record longer than the 25,165,824-byte limit" in got.get("error", ""), got
    assert (got["line"], got["column"]) == (2, None)
    path.write_text('0,a,[1]\n1,b,"[' + ",".join(["7"] * 4_000_000) + ']"\n', encoding="ascii")
    got = _run_one_field(tmp_path, path, "db2", memory_limit=64 << 20)
    assert got.get("error", "").startswith(
        f"{path}:2:3 (l): INT64[] value of 4,000,000 elements needs about 34 MB once parsed"), got
    assert (got["line"], got["column"]) == (2, 3)


_COPY = """
import json, sys, ruzu
db = ruzu.Database(sys.argv[1])
db.execute("CREATE NODE TABLE T(id INT64, l INT64[], s STRING[], PRIMARY KEY(id))")
db.execute(f"COPY T FROM '{sys.argv[2]}'")
with open("/proc/self/status") as f:  # the import's peak, before reading anything back
    peak = [int(l.split()[1]) * 1024 for l in f if l.startswith("VmHWM")][0]
lists = db.table("T").column("l")
print(json.dumps({"rows": len(lists), "elements": int(lists.offsets[len(lists)]),
                  "peak": peak}))
"""


def _write_list_parquet(path, rows: int, seed: int = 1) -> int:
    """The rows of ``_write_lists`` as Parquet (row groups of 2,000 rows); returns the number
    of list elements."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rng = np.random.default_rng(seed)
    elements = 0
    with pq.ParquetWriter(path, pa.schema([("id", pa.int64()), ("l", pa.list_(pa.int64())),
                                           ("s", pa.list_(pa.string()))])) as writer:
        for start in range(0, rows, 2000):
            n = min(2000, rows - start)
            lengths = rng.integers(0, 10_001, n)
            offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
            ints = pa.ListArray.from_arrays(pa.array(offsets), pa.array(
                rng.integers(-10**6, 10**6, int(offsets[-1]))))
            word_offsets = np.concatenate([[0], np.cumsum(np.minimum(lengths, 50))])
            words = pa.ListArray.from_arrays(pa.array(word_offsets.astype(np.int32)), pa.array(
                [f"w{k}" for k in rng.integers(0, 999, int(word_offsets[-1])).tolist()]))
            writer.write_table(pa.table({"id": np.arange(start, start + n), "l": ints,
                                         "s": words}))
            elements += int(offsets[-1])
    return elements


@pytest.mark.parametrize("rows", [pytest.param(2_000, id="CI"),
                                  pytest.param(28_000, id="1GB", marks=pytest.mark.slow)])
def test_list_heavy_parquet_below_bound(primed, tmp_path, rows):
    """Record batches of long lists are bounded in bytes (64 Ki rows of them: 1 GB and more)."""
    path = tmp_path / "lists.parquet"
    elements = _write_list_parquet(path, rows)
    proc = subprocess.run([sys.executable, "-c", _COPY, str(tmp_path / "db"), str(path)],
                          capture_output=True, text=True, timeout=3600, env=os.environ.copy())
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert (got["rows"], got["elements"]) == (rows, elements)
    assert got["peak"] < LIMIT, f"peak {got['peak'] / 1e6:.0f} MB"


@pytest.mark.slow
def test_list_heavy_1gb(primed, tmp_path):
    path = tmp_path / "lists.csv"
    rows = _write_lists(path, 10**9)
    got = _run(tmp_path, path, "db")
    os.remove(path)
    assert got.get("rows") == rows, got
    assert got["peak"] < LIMIT, f"peak {got['peak'] / 1e6:.0f} MB"
