"""``python -m ruzu warmup`` (or ``ruzu-import warmup``): compile every kernel a typical import
and query use once, ahead of the first real run, into numba's per-user cache
(``~/.cache/ruzu/numba``, see ``ruzu._jit``); later processes load them in about a second.
The cache marker and the first-run notice of an import live in ``first_run``."""

from __future__ import annotations

import os
import tempfile
import time
from typing import TextIO

from ..database import Database
from .first_run import mark_warm
from .precompile import compile_parser, record_calls, start_child
from .run import run_demo

NODE_COLUMNS = [("id", "INT64"), ("name", "STRING"), ("age", "INT64"), ("score", "DOUBLE"),
                ("active", "BOOLEAN"), ("born", "DATE"), ("seen", "TIMESTAMP")]
# kuzudb-study kinds over Person(id, name, age) and Follows, as on the demo's graph
DEMO_QUERIES = [
    "MATCH (a:Person) RETURN count(*)",
    "MATCH (a:Person {id: 42})-[:Follows]->(b:Person)-[:Follows]->(c:Person) "
    "RETURN count(DISTINCT c)",
    "MATCH (p:Person) WHERE p.name STARTS WITH 'p1' RETURN count(*)",
    "MATCH (a:Person)-[:Follows]->(b:Person)-[:Follows]->(a) RETURN count(*)",
    "MATCH (a:Person)<-[:Follows]-(:Person) RETURN a.id, a.name, count(*) AS followers "
    "ORDER BY followers DESC, a.id LIMIT 10",
    "MATCH (p:Person) WHERE p.age >= 30 AND p.age < 40 RETURN count(*)",
    "MATCH (a:Person)-[:Follows]->(b:Person) WHERE a.age > 30 "
    "RETURN b.name, count(*) AS fans ORDER BY fans DESC LIMIT 5",
    "MATCH (a:Person)-[:Follows*1..3]->(b:Person) WHERE a.id = 1 RETURN count(DISTINCT b)",
]
QUERIES = [
    *DEMO_QUERIES,
    "MATCH (a:Person)<-[:Follows]-(b:Person) RETURN a.age, avg(b.score), min(b.born) "
    "ORDER BY a.age LIMIT 3",
    "MATCH (u:User)-[:Knows]->(v:User) RETURN u.uid, count(*) ORDER BY u.uid",
    # paths counted from few sources: the overflow-checked neighbour sum
    "MATCH (a:Person {id: 7})-[:Follows]->(:Person)-[:Follows]->(c:Person) RETURN count(*)",
    # checked INT64 arithmetic on two columns
    "MATCH (a:Person)-[:Follows]->(b:Person) RETURN sum(a.age + b.age), sum(a.age * b.age)",
]


def _write_inputs(folder: str) -> dict[str, str]:
    n = 200
    paths = {name: os.path.join(folder, f"{name}.csv")
             for name in ("persons", "follows", "users", "knows")}
    with open(paths["persons"], "w") as f:
        f.write("id,name,age,score,active,born,seen\n")
        for i in range(n):
            f.write(f"{i},p{i},{20 + i % 50},{i / 7:.3f},{'true' if i % 2 else 'false'},"
                    f"2000-01-{1 + i % 28:02d},2024-05-01T10:{i % 60:02d}:00\n")
    with open(paths["follows"], "w") as f:
        f.write("from,to,since\n")
        f.writelines(f"{i % n},{(i * 7 + 1) % n},{2000 + i % 20}\n" for i in range(n * 3))
    with open(paths["users"], "w") as f:
        f.write("uid,name\n")
        f.writelines(f"u{i},user {i}\n" for i in range(n))
    with open(paths["knows"], "w") as f:
        f.write("from,to\n")
        f.writelines(f"u{i},u{(i * 3 + 1) % n}\n" for i in range(n))
    return paths


def run_warmup(out: TextIO) -> int:
    """Compile the kernels on two processes (see ``precompile``: a child compiles the storage and
    query kernels from their recorded signatures while this process compiles the CSV parser),
    then run the workload (:func:`run_workload`) to load them all and compile whatever the list
    missed, and mark the cache warm; prints the time it took. Measured: after it, the README's
    demo and these queries compile nothing in a fresh process."""
    import resource

    from .._jit import CompileWatch

    t0 = time.perf_counter()
    print(f"compiling ruzu's kernels into {os.environ.get('NUMBA_CACHE_DIR', 'the cache')} "
          "(once per machine and version) …", file=out, flush=True)
    child = start_child()
    with tempfile.TemporaryDirectory(prefix="ruzu-warmup-") as folder:
        paths = _write_inputs(folder)
        compile_parser(paths["persons"], NODE_COLUMNS)
        if child is not None:
            child.wait()
        with CompileWatch() as watch:
            _workload(folder, paths)
    mark_warm()
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    cpu = sum(u.ru_utime + u.ru_stime for u in usage)
    late = f"; {watch.compiled} compiled after the parallel step" if watch.compiled else ""
    print(f"done in {time.perf_counter() - t0:,.1f} s (CPU {cpu:,.1f} s on two processes{late});"
          " imports and queries now start without compiling", file=out, flush=True)
    return 0


def run_workload() -> None:
    """The warm-up's workload on its own (no parallel step): small graphs with INT64 and STRING
    keys and every scalar type imported, typical queries (the kuzudb-study kinds: two hops,
    cycles, prefixes, top-k), the demo at half its size."""
    with tempfile.TemporaryDirectory(prefix="ruzu-warmup-") as folder:
        _workload(folder, _write_inputs(folder))


def recorded_signatures() -> list[tuple[str, str, tuple[str, ...]]]:
    """The kernel calls of :func:`run_workload` that the child compiles (``kernel_signatures``
    is this list, written by ``tools/record_kernel_signatures.py``); in a fresh process."""
    return record_calls(run_workload)


def _workload(folder: str, paths: dict[str, str]) -> None:
    with Database(os.path.join(folder, "db")) as db:
        db.create_node_table("Person", NODE_COLUMNS, "id")
        db.create_rel_table("Follows", [("Person", "Person")], [("since", "INT64")])
        db.create_node_table("User", [("uid", "STRING"), ("name", "STRING")], "uid")
        db.create_rel_table("Knows", [("User", "User")])
        db.import_nodes("Person", paths["persons"])
        db.import_relationships("Follows", paths["follows"])
        db.import_nodes("User", paths["users"])
        db.import_relationships("Knows", paths["knows"])
        for query in QUERIES:
            db.execute(query).get_all()
    _warm_demo(folder)


DEMO_PERSONS = 500_000  # the demo's paths: a file over one read buffer, buckets, the index


def _warm_demo(folder: str) -> None:
    """The demo's import at half its size: the kernel variants a file larger than one
    read buffer needs (a batch continued after a refill, the parallel parser, CSR buckets)."""
    import contextlib
    import io

    from .args import build_demo_parser

    args = build_demo_parser().parse_args(
        [os.path.join(folder, "demo-db"), "--persons", str(DEMO_PERSONS),
         "--out", os.path.join(folder, "demo-data"), "--quiet"])
    with contextlib.redirect_stderr(io.StringIO()):  # (its "compiling …" notice)
        run_demo(args, io.StringIO())
