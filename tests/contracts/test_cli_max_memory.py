"""``ruzu-import --max-memory`` bounds the whole process's peak RSS (VmHWM, the seed's
definition of memory), not only the importer's buffers (issue 16: 64M used to give a 289 MB
process). Measured in fresh processes with numba's cache warm; the input (~55 MB of random
63-bit ids and their edges) is large enough that the index and CSR stages fill their budgets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ruzu.cli.args import DEFAULT_MAX_MEMORY, MIN_MAX_MEMORY

CHILD = Path(__file__).with_name("cli_child.py")
ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ("CREATE NODE TABLE Person(id INT64, name STRING, age INT64, PRIMARY KEY (id));\n"
          "CREATE REL TABLE Follows(FROM Person TO Person, since INT64);\n")


def _child(*argv) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, str(CHILD), *map(str, argv)], capture_output=True,
                       text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


def _write(path: Path, header: str, columns) -> None:
    with open(path, "w") as f:
        f.write(header + "\n")
        n = len(columns[0])
        for a in range(0, n, 200_000):
            rows = zip(*(c[a:a + 200_000] for c in columns), strict=True)
            f.write("".join(",".join(map(str, row)) + "\n" for row in rows))


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("max-memory")
    rng = np.random.default_rng(16)
    n, m = 600_000, 1_200_000
    ids = rng.integers(0, 2**62, n, dtype=np.int64)
    ids = np.unique(ids)
    rng.shuffle(ids)
    _write(folder / "persons.csv", "id,name,age",
           [ids.tolist(), [f"p{i}" for i in range(len(ids))], (ids % 90).tolist()])
    _write(folder / "follows.csv", "from,to,since",
           [ids[rng.integers(0, len(ids), m)].tolist(), ids[rng.integers(0, len(ids), m)].tolist(),
            (2000 + np.arange(m) % 20).tolist()])
    (folder / "schema.cypher").write_text(SCHEMA)
    return folder


@pytest.mark.parametrize("max_memory", [MIN_MAX_MEMORY, DEFAULT_MAX_MEMORY])
def test_max_memory_bounds_the_whole_process(inputs, max_memory):
    args = ("--schema", inputs / "schema.cypher", "--nodes", f"Person={inputs / 'persons.csv'}",
            "--relationships", f"Follows={inputs / 'follows.csv'}", "--max-memory",
            f"{max_memory >> 20}M", "--quiet")
    # The same import first, into a scratch database, primes numba's cache with every kernel
    # this budget's code paths use (a compile in the measured process is not the import's
    # memory; a tiny priming input left some cold when the cache started empty).
    assert _child(inputs / f"prime-{max_memory >> 20}", *args)["code"] == 0
    r = _child(inputs / f"db-{max_memory >> 20}", *args)
    assert r["code"] == 0
    assert r["jit_compiles"] == 0, "numba compiled in the measured process: cache not primed"
    assert r["peak_rss"] < max_memory, (r["peak_rss"] >> 20, max_memory >> 20)


def test_below_the_floor_is_refused(tmp_path, capsys):
    from ruzu.cli import main

    code = main([str(tmp_path / "db"), "--schema", "s.cypher", "--max-memory", "200M"])
    assert code == 2
    err = capsys.readouterr().err
    assert f"below the floor of {MIN_MAX_MEMORY >> 20}M" in err
    assert not (tmp_path / "db").exists()
