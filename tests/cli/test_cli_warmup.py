"""The first run (issue 16, item 1): ``python -m ruzu warmup`` compiles the kernels ahead into a
per-user cache, and an import that finds the cache cold says that it compiles."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import ruzu
from ruzu.cli import first_run

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def marker(tmp_path, monkeypatch):
    path = tmp_path / "cache" / "ruzu-test.warm"
    monkeypatch.setattr(first_run, "marker_path", lambda: str(path))
    return path


def test_warmup_compiles_and_marks_the_cache(run, marker):
    r = run("warmup")
    assert r.code == 0, r.err
    assert "compiling ruzu's kernels into" in r.out and "done in" in r.out
    assert marker.exists()


def test_a_cold_cache_is_announced_once(run, files, marker):
    argv = [files["db"], "--schema", files["schema"], "--nodes", f"Person={files['persons']}"]
    r = run(*argv)
    assert r.code == 0, r.err
    assert r.err.startswith("compiling ruzu's kernels (first run only")
    assert marker.exists()
    r = run(files["db"], "--relationships", f"Follows={files['follows']}")
    assert r.code == 0, r.err
    assert "compiling" not in r.err


def test_kernels_are_cached_per_user(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env.update(XDG_CACHE_HOME=str(tmp_path / "xdg"), PYTHONPATH=str(ROOT))
    code = "import ruzu, numba; print(numba.config.CACHE_DIR)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    from ruzu._jit import source_fingerprint  # one cache per source tree

    assert r.stdout.strip() == str(tmp_path / "xdg" / "ruzu" / "numba" / source_fingerprint())
    env["NUMBA_CACHE_DIR"] = str(tmp_path / "mine")  # the user's own choice stands
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                       timeout=120)
    assert r.stdout.strip() == str(tmp_path / "mine")


def test_python_api_is_untouched_by_the_notice(tmp_path, marker, capsys):
    with ruzu.Database(tmp_path / "db") as db:
        db.create_node_table("T", [("id", "INT64")], "id")
    assert capsys.readouterr().err == ""


CHILD = """
import sys
import ruzu  # first: it picks numba's cache directory
from ruzu._jit import CompileWatch
from ruzu.cli import main
from ruzu.cli.warmup import DEMO_QUERIES
with CompileWatch() as watch:
    assert main(["demo", sys.argv[1], "--persons", "1000000", "--quiet"]) == 0
    db = ruzu.Database(sys.argv[1], read_only=True)
    for q in DEMO_QUERIES:
        db.execute(q).get_all()
print("compiled", watch.compiled)
"""


@pytest.mark.slow
def test_after_the_warmup_the_demo_and_first_queries_compile_nothing(tmp_path):
    """Issue 16: the warm-up used to miss the kernels of a file larger than one read buffer
    and of CSR buckets, so the README's demo still compiled for ~15-45 s after it."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "ruzu", "warmup"], env=env, check=True,
                   capture_output=True, timeout=1800)
    r = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path / "demo-db")], env=env,
                       capture_output=True, text=True, timeout=1800, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().endswith("compiled 0"), r.stdout
