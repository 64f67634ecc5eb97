"""What a user of the package sees around the code: license, changelog, typing marker,
``python -m ruzu``, docstrings (issue 16, item 8)."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import ruzu

ROOT = Path(__file__).resolve().parents[2]


def test_license_changelog_and_typing_marker():
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert meta["license"] == {"text": "MIT"}
    assert "License :: OSI Approved :: MIT License" in meta["classifiers"]
    assert set(meta["optional-dependencies"]["df"]) >= {"pandas>=2", "pyarrow>=15"}
    assert (ROOT / "CHANGELOG.md").read_text().startswith("# Changelog")
    assert (Path(ruzu.__file__).parent / "py.typed").exists()


def test_python_dash_m_ruzu_is_the_command_line():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-m", "ruzu", "--version"], capture_output=True,
                       text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"ruzu {ruzu.__version__}"


def test_public_methods_have_docstrings_not_section_comments():
    for cls in (ruzu.Database, ruzu.Connection):
        for name, member in vars(cls).items():
            if name.startswith("_") and name not in ("__init__", "__enter__"):
                continue
            func = member.fget if isinstance(member, property) else member
            if not callable(func):
                continue
            assert inspect.getdoc(func) or name == "__init__", f"{cls.__name__}.{name}"
            assert not (inspect.getcomments(func) or "").startswith("# --"), name
    assert inspect.signature(ruzu.Database.execute).return_annotation == "QueryResult"
