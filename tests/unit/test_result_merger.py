"""ResultMerger: (edge id, offset) files, each sorted by edge id, read back in edge-id ranges
equal one scatter of all rows (the oracle), whatever the files' shares, skew and range size."""

from __future__ import annotations

import numpy as np
import pytest

from ruzu.storage.resolve import ResultMerger


@pytest.mark.parametrize("nfiles,skew,step", [(1, False, 1000), (7, False, 333),
                                              (5, True, 4096), (3, True, 50_000)])
def test_ranges_equal_one_scatter(tmp_path, nfiles, skew, step):
    rng = np.random.default_rng(nfiles)
    first, total = 1000, 60_000
    eids = np.arange(first, first + total)
    p = np.array([0.9] + [0.1 / (nfiles - 1)] * (nfiles - 1)) if skew and nfiles > 1 else None
    owner = rng.choice(nfiles, total, p=p)
    offsets = rng.integers(0, 10**9, total)
    paths = []
    for f in range(nfiles):
        mine = owner == f
        path = tmp_path / f"r{f}"
        np.stack([eids[mine], offsets[mine]], axis=1).astype(np.int64).tofile(path)
        paths.append(str(path))
    merger = ResultMerger(paths, first)
    got = []
    for a in range(first, first + total, step):
        b = min(first + total, a + step)
        out = np.full(b - a, -1, np.int64)
        merger.take(b, out)
        got.append(out)
    assert (np.concatenate(got) == offsets).all()
