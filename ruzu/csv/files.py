"""Which files an import reads: a path, a glob (``part-*.csv``, matched files sorted by name)
or a list of either; and how the results of several files add up to one import's result."""

from __future__ import annotations

import glob
import os
from collections.abc import Sequence

from ..errors import CsvError
from .config import ImportResult

_GLOB_CHARS = "*?["


def expand_paths(spec: str | os.PathLike | Sequence[str | os.PathLike]) -> list[str]:
    """Paths (as given) in a deterministic order: list order, each glob's matches sorted."""
    items = [spec] if isinstance(spec, (str, os.PathLike)) else list(spec)
    if not items:
        raise CsvError("no input files given", reason="no files")
    out: list[str] = []
    for item in items:
        path = os.fspath(item)
        if any(c in path for c in _GLOB_CHARS) and not os.path.exists(path):
            matches = sorted(glob.glob(path))
            if not matches:
                raise CsvError(f"{path}: no file matches this pattern", path=path,
                               reason="file not found")
            out.extend(matches)
        else:
            out.append(path)
    return out


def merge_results(total: ImportResult | None, one: ImportResult) -> ImportResult:
    """The result of an import of several files: counts added, rejects in file order."""
    if total is None:
        return one
    total.rows_imported += one.rows_imported
    total.rows_skipped += one.rows_skipped
    total.rejects.extend(one.rejects)
    total.bytes_read += one.bytes_read
    total.batch_count += one.batch_count
    total.seconds += one.seconds
    total.peak_rss = max(total.peak_rss, one.peak_rss)
    total.interruption = one.interruption
    if one.interruption is not None:  # the message names the file the import stopped in
        total.path = one.path
    return total
