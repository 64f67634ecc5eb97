"""The README tests run the command line: they see a warm kernel cache (no first-run notice)
and leave the machine's own cache marker alone."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def warm_kernels(tmp_path_factory, monkeypatch):
    from ruzu.cli import first_run

    marker = tmp_path_factory.getbasetemp() / "ruzu-warm-marker"
    marker.touch()
    monkeypatch.setattr(first_run, "marker_path", lambda: str(marker))
