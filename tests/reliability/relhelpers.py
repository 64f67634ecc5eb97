"""Shared pieces of the reliability battery: the corpus schemas, a full content fingerprint of a
database ("before" / "after" states), the directory-listing rule and the fault hooks."""

from __future__ import annotations

import json
import os
import shutil
import threading

import ruzu
from ruzu.storage import io as rio
from tests.conftest import snapshot  # noqa: F401  (re-exported for the test modules)

DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data")

PERSON = [("id", "INT64"), ("name", "STRING"), ("age", "INT64")]
TYPED = [("id", "INT64"), ("i8", "INT8"), ("i32", "INT32"), ("u8", "UINT8"), ("f", "DOUBLE"),
         ("b", "BOOLEAN"), ("d", "DATE"), ("ts", "TIMESTAMP"), ("s", "STRING")]
PRELOAD_PERSONS = "id,name,age\n1,p1,1\n2,p2,2\n3,p3,3\n"
PRELOAD_ENDPOINTS = "id,name,age\n1,p1,1\n2,p2,2\n3,p3,3\n4,p4,4\n5,p5,5\n"

# per schema: (table the corpus imports into, is it a rel table, columns compared afterwards)
TARGETS = {
    "person": ("Person", False, ["id", "name"]),
    "typed": ("Typed", False, ["id", "s"]),
    "follows": ("Follows", True, ["since"]),
}


def load_cases() -> list[dict]:
    with open(os.path.join(DATA, "cases.json"), encoding="utf-8") as f:
        return json.load(f)


def make_schema_db(path, schema: str, preload: bool, tmp) -> ruzu.Database:
    """A database for one corpus case (created, preloaded, returned open)."""
    db = ruzu.Database(path)
    if schema in ("person", "follows"):
        db.create_node_table("Person", PERSON, "id")
    if schema == "typed":
        db.create_node_table("Typed", TYPED, "id")
    if schema == "follows":
        db.create_rel_table("Follows", [("Person", "Person")], [("since", "INT64")])
        preload_csv = os.path.join(tmp, "endpoints.csv")
        with open(preload_csv, "w") as f:
            f.write(PRELOAD_ENDPOINTS)
        db.import_nodes("Person", preload_csv)
    elif preload:
        preload_csv = os.path.join(tmp, "preload.csv")
        with open(preload_csv, "w") as f:
            f.write(PRELOAD_PERSONS)
        db.import_nodes("Person", preload_csv)
    return db


def table_values(db: ruzu.Database, schema: str):
    table, is_rel, cols = TARGETS[schema]
    if is_rel:
        return db.rel_table(table).to_pylist(cols[0])
    t = db.table(table)
    return [t.to_pylist(c) for c in cols]


# ------------------------------------------------------------------------------------------
# Whole-database content and the directory rule
# ------------------------------------------------------------------------------------------
def content(db: ruzu.Database) -> dict:
    """Everything a reader can see: generation, catalog, every column of every table (with
    NULLs), every key lookup, both CSRs and the properties of every rel table."""
    out: dict = {"generation": db.generation, "catalog": db.manifest.catalog}
    cat = db.catalog
    for name in sorted(cat.node_tables):
        t = db.table(name)
        cols = {c: t.to_pylist(c) for c in t.column_names}
        pk = cat.node(name).primary_key
        lookups = [t.lookup(k) for k in cols[pk] if k is not None]
        out[name] = {"num_rows": t.num_rows, "columns": cols, "lookups": lookups}
    for name in sorted(cat.rel_tables):
        r = db.rel_table(name)
        out[name] = {
            "num_rels": r.num_rels,
            "fwd": [a.tolist() for a in r.csr("fwd")],
            "bwd": [a.tolist() for a in r.csr("bwd")],
            "columns": {c: r.to_pylist(c) for c in r.schema.column_names},
        }
    return out


def manifest_files(path) -> set[str]:
    with open(os.path.join(path, "manifest.json"), "rb") as f:
        doc = json.loads(f.read())
    body = json.loads(doc["body"])
    return {f"{int(k):06d}.dat" for k in body["files"]}


def leftovers(path) -> set[str]:
    """Directory entries other than .lock, manifest.json and the data files the manifest
    names (staging left behind); empty when the directory is clean."""
    allowed = {".lock", "manifest.json"} | manifest_files(path)
    return set(os.listdir(path)) - allowed


def copy_db(src, dst) -> None:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".lock"))


# ------------------------------------------------------------------------------------------
# Fault hooks (hook(op) runs before every mutating file operation, on any thread)
# ------------------------------------------------------------------------------------------
class InjectedFault(OSError):
    """The OSError a fault hook raises (a distinct type, so the tests know it is theirs)."""


class OpCounter:
    """Counts operations; ``at`` (1-based) is the one to fail: ``action(op, k)`` runs there
    (raise, or os._exit in a child). With ``sticky`` every operation from ``at`` on fails."""

    def __init__(self, at: int | None = None, action=None, sticky: bool = False) -> None:
        self.at = at
        self.action = action
        self.sticky = sticky
        self.ops: list[str] = []
        self.phase_of: list[int] = []
        self.phase = 0
        self.failed_op: str | None = None
        self._lock = threading.Lock()

    def __call__(self, op: str) -> None:
        with self._lock:
            self.ops.append(op)
            self.phase_of.append(self.phase)
            k = len(self.ops)
        if self.at is not None and (k == self.at or (self.sticky and k > self.at)):
            if self.failed_op is None:
                self.failed_op = op
            self.action(op, k)


class hooked:
    """``with hooked(counter): ...`` installs the fault hook and always removes it."""

    def __init__(self, hook) -> None:
        self.hook = hook

    def __enter__(self):
        rio.set_fault_hook(self.hook)
        return self.hook

    def __exit__(self, *exc) -> None:
        rio.set_fault_hook(None)


def serial_parsing_in_forked_child() -> None:
    """Call first thing in a forked child that imports. The block-parallel parser (opt-in:
    threads=None or > 1) runs on numba's OpenMP layer, and GNU OpenMP is not fork-safe: a child
    forked from a process that already ran a parallel region is terminated when it starts one
    ("Terminating: fork() called from a process already using GNU OpenMP"). The default is
    serial; this keeps forked children serial even if that default changes (with one CPU
    reported, threads=None parses serially: same batches, same file operations)."""
    os.cpu_count = lambda: 1
