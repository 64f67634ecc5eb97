"""The query pipeline's stages import downwards only: the ``ruzu.query`` layers contract of
pyproject.toml, checked with import-linter (exec > plan > binder > functions > graph > values
> memory > syntax)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _query_contract() -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    return next(c for c in contracts if c.get("containers") == ["ruzu.query"])


def test_query_stages_import_downwards_only(tmp_path):
    lint = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    if not Path(lint).exists():
        pytest.skip("import-linter is not installed")
    contract = _query_contract()
    layers = ", ".join(f'"{layer}"' for layer in contract["layers"])
    (tmp_path / "contract.toml").write_text(
        '[tool.importlinter]\nroot_package = "ruzu"\n\n'
        "[[tool.importlinter.contracts]]\n"
        f'name = "{contract["name"]}"\ntype = "layers"\n'
        'containers = ["ruzu.query"]\n'
        f"layers = [{layers}]\n"
    )
    done = subprocess.run([lint, str(tmp_path / "contract.toml")], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 kept, 0 broken" in done.stdout


def test_the_contract_names_every_stage_folder():
    layers = set(_query_contract()["layers"])
    folders = {p.name for p in (ROOT / "ruzu" / "query").iterdir()
               if p.is_dir() and (p / "__init__.py").exists()}
    assert folders <= layers
