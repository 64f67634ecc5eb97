#!/usr/bin/env python3
"""Build the HTML API reference of ruzu's public API from its docstrings, with pdoc.

    python tools/build_docs.py [OUTDIR]        # default: docs/api; open OUTDIR/index.html

Pages: ``ruzu`` (Database, Connection, CsvImportConfig, ImportResult, … — everything in
``ruzu.__all__``), ``ruzu.query.result`` (QueryResult), ``ruzu.errors`` (every error class) and
``ruzu.csv.config`` (import settings, progress, results). pdoc is in the ``[dev]`` extra.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The public modules; the "!" pattern (a regular expression) drops the internal submodules
# pdoc would otherwise walk into from the package.
MODULES = ["ruzu", r"!ruzu\.", "ruzu.query.result", "ruzu.errors", "ruzu.csv.config"]


def build(out: str | os.PathLike) -> Path:
    """Write the HTML pages into ``out``; returns the path of its ``index.html``."""
    sys.path.insert(0, str(ROOT))
    import pdoc
    import pdoc.render

    import ruzu

    # QueryResult is in ruzu.__all__ but loaded lazily (import speed): it has its own page
    warnings.filterwarnings("ignore", message="Found 'QueryResult' in ruzu.__all__")
    pdoc.render.configure(docformat="restructuredtext", search=True, show_source=False,
                          footer_text=f"ruzu {ruzu.__version__}")
    out = Path(out)
    pdoc.pdoc(*MODULES, output_directory=out)
    return out / "index.html"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    index = build(args[0] if args else ROOT / "docs" / "api")
    print(f"API reference written: {index}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
