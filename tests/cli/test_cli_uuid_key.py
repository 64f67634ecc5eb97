"""ruzu-import with a UUID primary key: the schema file is accepted and rels resolve their
endpoints by UUID (the same loaders as COPY; tests/integration/test_uuid_key.py has the
differential tests against Kùzu)."""

from __future__ import annotations

import ruzu
from tests.conftest import write
from tests.integration.test_uuid_key import KNOWS, PERSONS, QUERIES, SCHEMA


def test_cli_imports_uuid_keys(run, tmp_path):
    schema = write(tmp_path / "s.cypher", ";\n".join(SCHEMA) + ";\n")
    p = write(tmp_path / "p.csv", "id,name\n" + PERSONS)
    k = write(tmp_path / "k.csv", "from,to,w\n" + KNOWS)
    r = run(str(tmp_path / "db"), "--schema", schema, "--nodes", f"P={p}",
            "--relationships", f"K={k}")
    assert r.code == 0, r.err
    with ruzu.Database(tmp_path / "db") as db:
        assert db.execute(QUERIES[1]).get_all() == [["ann", "bob", 1], ["bob", "cy", 2],
                                                    ["cy", "ann", 3]]
