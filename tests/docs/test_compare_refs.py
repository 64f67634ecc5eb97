"""``benches/compare_refs.py`` runs end to end on a tiny size (HEAD against HEAD): both refs are
exported, both benchmarks run for each, and the table has a row per import file and per query.
It checks that the script works, not what it measures."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_compare_refs_runs_both_benchmarks_for_both_refs(tmp_path):
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout")
    pytest.importorskip("kuzu")  # the query benchmark runs Kùzu beside ruzu
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, str(ROOT / "benches" / "compare_refs.py"), "HEAD", "HEAD",
            "--size", "200K", "--kinds", "ordered", "--rounds", "1", "--persons", "300",
            "--follows", "1200", "--repeat", "1", "--queries", "top_followed,mutual_follows",
            "--data-dir", str(tmp_path / "data")]
    done = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("A: HEAD = ") and lines[1].startswith("B: HEAD = ")
    assert lines[0][-12:] == lines[1][-12:]
    imports = {" ".join(line.split()[:2]): line.split()[2:] for line in lines
               if line.startswith("ordered ")}
    assert set(imports) == {"ordered nodes", "ordered edges"}
    for figures in imports.values():  # A rows/s, B rows/s, B/A, A peak, B peak, B/A
        assert float(figures[0].replace(",", "")) > 0 and float(figures[1].replace(",", "")) > 0
    queries = [line.split() for line in lines if line.startswith(("top_followed ",
                                                                 "mutual_follows "))]
    assert [q[0] for q in queries] == ["top_followed", "mutual_follows"]
    assert all(float(q[1]) > 0 and float(q[2]) > 0 for q in queries)
    assert any(line.startswith("geometric mean") for line in lines)
