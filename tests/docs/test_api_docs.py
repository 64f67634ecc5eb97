"""The API reference (issue 16): ``tools/build_docs.py`` builds HTML pages with pdoc from the
docstrings of the public API; the main classes and their methods are on them, with their
docstrings' text."""

from __future__ import annotations

import html
import re
import runpy
from pathlib import Path

import pytest

import ruzu

pytest.importorskip("pdoc")

BUILD_DOCS = Path(__file__).resolve().parents[2] / "tools" / "build_docs.py"


def text_of(page: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    out = tmp_path_factory.mktemp("api")
    index = runpy.run_path(str(BUILD_DOCS))["build"](out)
    assert index.exists()
    return out


def anchors(page: Path) -> set[str]:
    return set(re.findall(r'id="([\w.]+)"', page.read_text(encoding="utf-8")))


def letters(text: str) -> str:
    """Only the letters and digits: markup and spacing differ between a docstring and HTML."""
    return re.sub(r"\W+", "", text)


def first_paragraph(obj) -> str:
    return letters(obj.__doc__.split("\n\n")[0])


def test_main_classes_and_methods_are_documented(pages):
    top = pages / "ruzu.html"
    ids = anchors(top)
    for name in ("Database", "Connection", "CsvImportConfig", "ImportResult", "Reject",
                 "Database.import_nodes", "Database.import_relationships", "Database.execute",
                 "Database.create_node_table", "Connection.execute", "DuplicateKeyError"):
        assert name in ids, name
    words = letters(text_of(top))
    for obj in (ruzu.Database, ruzu.Database.import_nodes, ruzu.Database.execute,
                ruzu.Connection):
        assert first_paragraph(obj)[:40] in words, obj


def test_query_result_and_errors_have_pages(pages):
    result = anchors(pages / "ruzu" / "query" / "result.html")
    assert {"QueryResult", "QueryResult.get_all", "QueryResult.get_as_df"} <= result
    errors = anchors(pages / "ruzu" / "errors.html")
    public_errors = {n for n in ruzu.__all__ if n.endswith(("Error", "Interrupted"))}
    assert public_errors <= errors
