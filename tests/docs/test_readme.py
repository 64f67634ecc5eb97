"""The README's examples run: its Python blocks in order (one namespace, as a reader pastes
them), its command-line example and its first command (the demo, made small). A README that
drifts from the code fails here (issue 16: its query example used to need pandas, which the
README's install did not bring)."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path

import pytest

import ruzu
from ruzu.cli import main
from tests.conftest import write

README = Path(__file__).resolve().parents[2] / "README.md"


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


def persons_and_follows(where: Path) -> None:
    write(where / "persons.csv", "id,name,age\n" + "".join(
        f"{i},P{i},{20 + i % 30}\n" for i in range(100)))
    write(where / "follows.csv", "from,to,since\n" + "".join(
        f"{i},{(i * 7 + 1) % 100},{2000 + i % 20}\n" for i in range(100)))


def test_python_examples_run_in_order(tmp_path, monkeypatch):
    pytest.importorskip("pandas")  # the [df] extra the README installs
    monkeypatch.chdir(tmp_path)
    persons_and_follows(tmp_path)
    code = blocks("python")
    assert len(code) >= 3
    namespace: dict = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for block in code:
            exec(compile(block, str(README), "exec"), namespace)  # noqa: S102
    # The query example printed its DataFrame; check it against a naive count.
    edges = [(i, (i * 7 + 1) % 100) for i in range(100)]
    fans: dict[int, int] = {}
    for a, b in edges:
        if 20 + a % 30 > 30:
            fans[b] = fans.get(b, 0) + 1
    top = max(fans.values())
    assert re.search(rf"\bP\d+\s+{top}\b", out.getvalue()), out.getvalue()
    assert namespace["people"].num_rows == 100
    with ruzu.Database(tmp_path / "kuzu-style.ruzu", read_only=True) as db:
        assert db.table("Person").num_rows == 100


def test_command_line_example_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    persons_and_follows(tmp_path)
    write(tmp_path / "more.csv", "id,name,age\n100,Q,40\n")
    write(tmp_path / "schema.cypher",
          "CREATE NODE TABLE Person(id INT64, name STRING, age INT64, PRIMARY KEY (id));\n"
          "CREATE REL TABLE Follows(FROM Person TO Person, since INT64);\n")
    (command,) = [b for b in blocks("sh") if "ruzu-import DBDIR" in b]
    argv = shlex.split(command.replace("\\\n", " "))
    assert argv[0] == "ruzu-import"
    assert main(["db" if a == "DBDIR" else a for a in argv[1:]]) == 0, capsys.readouterr().err
    with ruzu.Database(tmp_path / "db", read_only=True) as db:
        assert db.table("Person").num_rows == 101
        assert db.rel_table("Follows").num_rels == 100


def test_first_command_runs_the_demo(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (first,) = [b for b in blocks("sh") if "import.py demo" in b]
    line = next(x for x in first.splitlines() if "import.py demo" in x)
    demo = shlex.split(line.split("&&")[-1])
    assert demo[1:3] == ["tools/import.py", "demo"]
    assert main([*demo[2:], "--persons", "500"]) == 0, capsys.readouterr().err
    with ruzu.Database(tmp_path / "demo-db", read_only=True) as db:
        assert db.table("Person").num_rows == 500
