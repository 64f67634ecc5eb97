"""Helpers of the CLI tests: run ``main([...])`` and capture its exit code and output."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ruzu.cli import main
from tests.conftest import write

SCHEMA = """\
CREATE NODE TABLE Person(id INT64, name STRING, age INT64, PRIMARY KEY (id));
CREATE REL TABLE Follows(FROM Person TO Person, since INT64);
"""
PERSONS = "id,name,age\n1,Alice,30\n2,Bob,41\n3,\"Carol, Jr.\",25\n"
FOLLOWS = "from,to,since\n1,2,2010\n2,3,2011\n3,1,2012\n1,3,2013\n"


@pytest.fixture(autouse=True)
def warm_kernels(tmp_path_factory, monkeypatch):
    """The "compiling ruzu's kernels (first run only)" notice depends on the machine's cache;
    tests see a warm one (test_cli_warmup checks the notice with its own marker)."""
    from ruzu.cli import first_run

    marker = tmp_path_factory.getbasetemp() / "ruzu-warm-marker"
    marker.touch()
    monkeypatch.setattr(first_run, "marker_path", lambda: str(marker))


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def run(capsys):
    def _run(*argv) -> Run:
        code = main([str(a) for a in argv])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return _run


@pytest.fixture
def files(tmp_path):
    """schema.cypher, persons.csv and follows.csv in tmp_path."""
    return {
        "schema": write(tmp_path / "schema.cypher", SCHEMA),
        "persons": write(tmp_path / "persons.csv", PERSONS),
        "follows": write(tmp_path / "follows.csv", FOLLOWS),
        "db": str(tmp_path / "db"),
    }
