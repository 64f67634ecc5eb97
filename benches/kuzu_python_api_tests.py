"""Kùzu's own Python API tests (``tools/python_api/test`` of a Kùzu checkout) run against ruzu
through ``import kuzu`` → ruzu, and against Kùzu itself for the baseline.

    python benches/kuzu_python_api_tests.py /work/kuzu-src [--only ruzu|kuzu] [-k EXPR]

The checkout is an argument; its test directory is copied to a temporary directory at run
time (nothing of Kùzu's goes into this repository). The copy's conftest gets a tolerant
``init_db``: each dataset step (tinysnb, demo, npy, tensor, …) runs on its own and a step ruzu
cannot do is skipped instead of failing every test, so a test fails only for what it uses.
Prints the pytest summary line of each engine and the tests ruzu passes of those Kùzu passes.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SHIM = '''"""kuzu → ruzu, for running Kùzu's Python API tests against ruzu."""
from ruzu import *  # noqa: F403
from ruzu import Connection, Database, QueryResult  # noqa: F401
from ruzu.query.prepared import PreparedStatement  # noqa: F401

__version__ = "0.11.3"
version = __version__
storage_version = 39
'''

TOLERANT = """

# ---- added by ruzu's benches/kuzu_python_api_tests.py: every dataset step on its own
def init_db(path):
    if Path(path).exists():
        shutil.rmtree(path)
        Path.mkdir(path)
    db_path = get_db_file_path(path)
    conn, db = create_conn_db(db_path, read_only=False)
    for step in (init_tinysnb, init_demo, init_npy, init_tensor, init_long_str, init_movie_serial):
        try:
            step(conn)
        except Exception as e:  # noqa: BLE001
            print(f"init step {step.__name__} skipped: {e}", file=sys.stderr)
    conn.close()
    db.close()
    return db_path
"""


def run(checkout: str, engine: str, work: str, extra: list[str]) -> dict[str, str]:
    src = os.path.join(checkout, "tools", "python_api", "test")
    test_dir = os.path.join(work, engine, "tools", "python_api", "test")
    shutil.copytree(src, test_dir)
    # test_helper finds the datasets four levels up: point that at the checkout.
    helper = os.path.join(test_dir, "test_helper.py")
    with open(helper, encoding="utf-8") as f:
        text = f.read()
    text = text.replace(
        "KUZU_ROOT = Path(__file__).parent.parent.parent.parent", f"KUZU_ROOT = Path({checkout!r})"
    )
    with open(helper, "w", encoding="utf-8") as f:
        f.write(text)
    with open(os.path.join(test_dir, "conftest.py"), "a", encoding="utf-8") as f:
        f.write(TOLERANT)
    env = dict(os.environ)
    path = [test_dir]
    if engine == "ruzu":
        shim = os.path.join(work, "shim")
        os.makedirs(os.path.join(shim, "kuzu"), exist_ok=True)
        with open(os.path.join(shim, "kuzu", "__init__.py"), "w", encoding="utf-8") as f:
            f.write(SHIM)
        path = [shim, ROOT, test_dir]
    env["PYTHONPATH"] = os.pathsep.join(path)
    outcomes: dict[str, str] = {}
    crashed = []
    # One pytest process per test file: a crash in one file (Kùzu's async tests can abort
    # the interpreter) costs only that file's tests.
    for name in sorted(os.listdir(test_dir)):
        if not (name.startswith("test_") and name.endswith(".py")):
            continue
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            name,
            "-q",
            "-rA",
            "-p",
            "no:cacheprovider",
            "-o",
            "addopts=",
            *extra,
        ]
        found = _run_pytest(cmd, test_dir, env, outcomes)
        if found is None:
            # the process died (Kùzu's close-order tests can abort it): each test on its own
            ids = _collect(cmd, test_dir, env)
            for test_id in ids:
                if _run_pytest([*cmd[:3], test_id, *cmd[4:]], test_dir, env, outcomes) is None:
                    outcomes[test_id] = "CRASHED"
            if not ids:
                crashed.append(name)
    counts = {}
    for outcome in outcomes.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    print(f"{engine}: {counts}" + (f"; files that crashed: {crashed}" if crashed else ""))
    return outcomes


def _run_pytest(cmd, test_dir, env, outcomes) -> bool | None:
    """Run pytest, record each test's outcome; None when the process crashed or hung."""
    try:
        done = subprocess.run(
            cmd, cwd=test_dir, env=env, capture_output=True, text=True, timeout=600
        )
    except subprocess.TimeoutExpired:
        return None
    found = False
    for line in done.stdout.splitlines():
        m = re.match(r"^(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) (\S+)", line)
        if m:
            outcomes[m.group(2)] = m.group(1)
            found = True
    if done.returncode not in (0, 1, 5) and not found:
        return None
    return found


def _collect(cmd, test_dir, env) -> list[str]:
    done = subprocess.run([*cmd[:4], "--collect-only", *cmd[4:]], cwd=test_dir, env=env,
                          capture_output=True, text=True, timeout=600)
    return [line.strip() for line in done.stdout.splitlines() if "::" in line]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("kuzu_checkout")
    ap.add_argument("--only", choices=("ruzu", "kuzu"))
    ap.add_argument("-k", dest="keyword")
    ap.add_argument("--verbose", "-v", action="store_true", help="list ruzu's failures")
    args = ap.parse_args(argv)
    checkout = os.path.abspath(args.kuzu_checkout)
    extra = ["-k", args.keyword] if args.keyword else []
    work = tempfile.mkdtemp(prefix="ruzu-api-tests-")
    try:
        results = {}
        for engine in ("kuzu", "ruzu"):
            if args.only in (None, engine):
                results[engine] = run(checkout, engine, work, extra)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if len(results) == 2:
        kuzu_pass = {t for t, o in results["kuzu"].items() if o == "PASSED"}
        ruzu_pass = {t for t, o in results["ruzu"].items() if o == "PASSED"}
        print(
            f"ruzu passes {len(ruzu_pass & kuzu_pass)} of the {len(kuzu_pass)} tests Kùzu "
            f"passes ({len(ruzu_pass)} in all)"
        )
        per_file: dict[str, list[int]] = {}
        for test in kuzu_pass:
            counts = per_file.setdefault(test.split("::")[0], [0, 0])
            counts[0] += test in ruzu_pass
            counts[1] += 1
        print("per file (ruzu / Kùzu passes): " + ", ".join(
            f"{name[5:-3]} {a}/{b}" for name, (a, b) in sorted(per_file.items())))
        if args.verbose:
            for test in sorted(kuzu_pass - ruzu_pass):
                print(f"  not passing: {test} ({results['ruzu'].get(test, '?')})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
