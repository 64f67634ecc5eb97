"""Load every dataset of a Kùzu checkout (``dataset/**/schema.cypher`` + ``copy.cypher``) into
Kùzu 0.11.3 and into ruzu, statement by statement, and count the datasets that load fully with
every table equal (node tables: all rows; rel tables: counts).

    python tools/kuzu_datasets.py /path/to/kuzu [--verbose]
"""

from __future__ import annotations

import collections
import os
import shutil
import sys
import tempfile

import kuzu

import ruzu


def _statements(path: str) -> list[str]:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return [s.strip().rstrip(";") for s in text.split(";\n")
            if s.strip() and not s.strip().startswith("//")]


def _same(kconn, db) -> bool:
    for name, schema in db.catalog.node_tables.items():
        cols = ", ".join(f"n.`{c}`" for c in schema.column_names)
        query = f"MATCH (n:`{name}`) RETURN {cols}"
        if sorted(map(repr, kconn.execute(query).get_all())) != sorted(
                map(repr, db.execute(query).get_all())):
            return False
    for name in db.catalog.rel_tables:
        query = f"MATCH ()-[e:`{name}`]->() RETURN count(*)"
        if kconn.execute(query).get_all() != db.execute(query).get_all():
            return False
    return True


def main(checkout: str, verbose: bool = False) -> None:
    os.chdir(checkout)  # copy.cypher names files relative to the checkout
    dirs = sorted(os.path.relpath(root, "dataset") for root, _, files in os.walk("dataset")
                  if "schema.cypher" in files and "copy.cypher" in files)
    reasons: collections.Counter = collections.Counter()
    full = ran = refused = 0
    for ds in dirs:
        kconn = kuzu.Connection(kuzu.Database(":memory:"))
        tmp = tempfile.mkdtemp()
        db = ruzu.Database(os.path.join(tmp, "db"))
        ok = True
        for stmt in (_statements(f"dataset/{ds}/schema.cypher")
                     + _statements(f"dataset/{ds}/copy.cypher")):
            try:
                kconn.execute(stmt)
            except RuntimeError:
                continue
            ran += 1
            try:
                db.execute(stmt)
            except ruzu.RuzuError as e:
                ok = False
                refused += 1
                reasons[str(e).splitlines()[0][:100]] += 1
        try:
            ok = ok and _same(kconn, db)
        except ruzu.RuzuError as e:
            ok = False
            reasons["dump: " + str(e)[:80]] += 1
        full += ok
        if verbose:
            print(("OK   " if ok else "FAIL ") + ds, flush=True)
        db.close()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{full} of {len(dirs)} datasets load fully and equal Kùzu; "
          f"{refused} of {ran} statements Kùzu runs are refused by ruzu")
    for reason, count in reasons.most_common(30):
        print(f"{count:4d}  {reason}")


if __name__ == "__main__":
    main(sys.argv[1], "--verbose" in sys.argv)
