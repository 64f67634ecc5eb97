"""Whether this ruzu version's kernels were compiled into numba's cache yet: the marker file
``python -m ruzu warmup`` (and the first import) leaves, and the "compiling ruzu's kernels (first
run only)" notice of an import that finds the cache cold. Below both ``run`` and ``warmup``."""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

from .. import __version__
from .._jit import user_cache_dir


def marker_path() -> str:
    """A file that says this ruzu version's kernels were compiled into the cache once."""
    base = os.environ.get("NUMBA_CACHE_DIR") or user_cache_dir()
    return os.path.join(base, f"ruzu-{__version__}.warm")


def is_warm() -> bool:
    return os.path.exists(marker_path())


def mark_warm() -> None:
    try:
        os.makedirs(os.path.dirname(marker_path()), exist_ok=True)
        with open(marker_path(), "w") as f:
            f.write(f"{time.time():.0f}\n")
    except OSError:
        pass  # no cache directory: the notice just shows again


def compile_notice(err: TextIO | None = None) -> None:
    """Say that the first run compiles (once per machine and version), on stderr."""
    if not is_warm():
        print("compiling ruzu's kernels (first run only: ~15 s on a quiet machine, minutes "
              "on a busy one; 'python -m ruzu warmup' does it ahead) …",
              file=err or sys.stderr, flush=True)
