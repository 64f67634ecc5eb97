"""Real kills: a child process (a fresh interpreter, default configuration) imports 500 k
nodes then 500 k relationships (1 M rows); the parent SIGKILLs it after a random delay (uniform
over the whole run, plus some aimed at the two commits), many times. After each kill the
database must open (read-only and writable), hold exactly the state before, between or after
the two imports, and keep no staging files.

RUZU_SIGKILL_SEED=<n> replays a run; RUZU_SIGKILL_KILLS=<n> changes the number of kills."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time

import numpy as np

import ruzu
from tests.reliability.relhelpers import copy_db, leftovers

N_NODES = 500_000
N_RELS = 500_000
KILLS = int(os.environ.get("RUZU_SIGKILL_KILLS", "10"))
SEED = int(os.environ.get("RUZU_SIGKILL_SEED", str(random.SystemRandom().randrange(1 << 30))))


def write_inputs(root: str) -> tuple[str, str]:
    rng = np.random.default_rng(7)
    ids = rng.permutation(N_NODES) * 3 + 1  # unsorted, sparse keys: the hash index is built
    nodes = os.path.join(root, "nodes.csv")
    with open(nodes, "w") as f:
        f.write("id,name,age\n")
        f.write("".join(f"{i},person {i},{i % 97}\n" for i in ids.tolist()))
    src = ids[rng.integers(0, N_NODES, N_RELS)]
    dst = ids[rng.integers(0, N_NODES, N_RELS)]
    rels = os.path.join(root, "rels.csv")
    with open(rels, "w") as f:
        f.write("from,to,since\n")
        f.write("".join(f"{a},{b},{a % 50}\n" for a, b in zip(src.tolist(), dst.tolist(),
                                                             strict=True)))
    return nodes, rels


def fingerprint(db: ruzu.Database) -> str:
    """A hash of everything readable: every column (with validity), key lookups, both CSRs."""
    h = hashlib.sha256()
    h.update(str(db.generation).encode())
    t = db.table("Person")
    h.update(str(t.num_rows).encode())
    for name in t.column_names:
        col = t.column(name)
        if hasattr(col, "offsets"):
            h.update(np.ascontiguousarray(col.offsets).tobytes())
            h.update(np.ascontiguousarray(col.data[: int(col.offsets[-1])]).tobytes())
        else:
            h.update(np.ascontiguousarray(col).tobytes())
        valid = t.validity(name)
        h.update(b"-" if valid is None else np.ascontiguousarray(valid).tobytes())
    if t.num_rows:
        ids = np.asarray(t.column("id"))
        for i in range(0, t.num_rows, max(1, t.num_rows // 50)):
            h.update(str(t.lookup(int(ids[i]))).encode())
    r = db.rel_table("Follows")
    h.update(str(r.num_rels).encode())
    for d in ("fwd", "bwd"):
        for a in r.csr(d):
            h.update(np.ascontiguousarray(a).tobytes())
    h.update(np.ascontiguousarray(r.column("since")).tobytes())
    return h.hexdigest()


CHILD = """
import sys, time, ruzu
path, nodes, rels = sys.argv[1:4]
db = ruzu.Database(path)
print("ready", flush=True)
t0 = time.perf_counter()
db.import_nodes("Person", nodes)
print("nodes", time.perf_counter() - t0, flush=True)
db.import_relationships("Follows", rels)
db.close()
print("done", time.perf_counter() - t0, flush=True)
"""


def start_child(path: str, nodes: str, rels: str) -> subprocess.Popen:
    """A fresh interpreter (not a fork: ruzu's parallel parser must be free to use OpenMP)
    importing with the default configuration; returns once it holds the database open."""
    child = subprocess.Popen([sys.executable, "-c", CHILD, path, nodes, rels],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ready"
    return child


def test_sigkill_at_random_moments(fast_tmp_factory, capsys):
    root = fast_tmp_factory("sigkill")
    nodes, rels = write_inputs(root)
    template = os.path.join(root, "template")
    with ruzu.Database(template) as db:
        db.create_node_table("Person", [("id", "INT64"), ("name", "STRING"),
                                        ("age", "INT64")], "id")
        db.create_rel_table("Follows", [("Person", "Person")], [("since", "INT64")])

    # calibration: the reference states and the duration of each statement
    ref = os.path.join(root, "reference")
    copy_db(template, ref)
    with ruzu.Database(ref) as db:
        states = [fingerprint(db)]
        db.import_nodes("Person", nodes)
        states.append(fingerprint(db))
        db.import_relationships("Follows", rels)
        states.append(fingerprint(db))
    # timing: one child run to the end (the children below are timed from "ready")
    timed = os.path.join(root, "timed")
    copy_db(template, timed)
    child = start_child(timed, nodes, rels)
    out, _ = child.communicate()
    assert child.returncode == 0
    t1, total = (float(line.split()[1]) for line in out.splitlines())
    t2 = total - t1
    with ruzu.Database(timed, read_only=True) as db:
        assert fingerprint(db) == states[2]

    rng = random.Random(SEED)
    delays = [rng.uniform(0.0, total * 1.2) for _ in range(KILLS - KILLS // 3)]
    # aim a third at the two commits (the end of each statement), where a kill is most likely
    # to catch a half-written manifest or a rename in flight
    delays += [rng.uniform(0.85, 1.05) * rng.choice([t1, total]) for _ in range(KILLS // 3)]
    outcomes = []
    problems = []
    for n, delay in enumerate(delays):
        path = os.path.join(root, f"kill{n}")
        copy_db(template, path)
        child = start_child(path, nodes, rels)
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.communicate()
        killed = child.returncode == -signal.SIGKILL
        if not killed and child.returncode != 0:
            problems.append(f"kill {n}: child failed by itself (exit {child.returncode})")
            continue
        try:
            with ruzu.Database(path, read_only=True) as db:
                ro = fingerprint(db)
            with ruzu.Database(path) as db:
                rw = fingerprint(db)
                left = leftovers(path)
        except Exception as e:  # noqa: BLE001 - an unopenable database is the finding
            problems.append(f"kill {n} after {delay:.2f}s: reopen failed: {e!r}")
            continue
        state = states.index(rw) if rw in states else None
        outcomes.append(state)
        if state is None:
            problems.append(f"kill {n} after {delay:.2f}s: mixed state")
        if ro != rw:
            problems.append(f"kill {n}: read-only and writable opens disagree")
        if left:
            problems.append(f"kill {n}: leftover files after reopen {sorted(left)}")
        if not killed and state != 2:
            problems.append(f"kill {n}: the child finished but the state is {state}")
        shutil.rmtree(path, ignore_errors=True)

    with capsys.disabled():
        print(f"\nSIGKILL seed={SEED}: import {t1:.2f}s + {t2:.2f}s; {len(delays)} kills; "
              f"states reached (0 before, 1 nodes committed, 2 all): "
              f"{ {s: outcomes.count(s) for s in sorted(set(outcomes), key=str)} }; "
              f"problems: {len(problems)}")
    assert not problems, f"seed {SEED}:\n" + "\n".join(problems)
