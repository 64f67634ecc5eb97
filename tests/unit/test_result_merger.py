"""ResultMerger: the offsets of each partition (in edge order within it) and the partition map,
read back in ranges of edges, equal the offsets in edge order (the oracle), whatever the
partitions' shares, skew, range size and offset type."""

from __future__ import annotations

import numpy as np
import pytest

from ruzu.storage.io import AppendFile
from ruzu.storage.key_spill import partition_dtype
from ruzu.storage.resolve import ResolvedFiles, ResultMerger


def _write(path, values) -> str:
    with AppendFile(str(path), 1 << 16) as f:
        f.write(values)
    return str(path)


def _read_back(merger: ResultMerger, total: int, step: int) -> np.ndarray:
    got = []
    for a in range(0, total, step):
        out = np.full(min(total, a + step) - a, -7, np.int64)
        merger.take(out)
        got.append(out)
    return np.concatenate(got)


@pytest.mark.parametrize("nparts,skew,step,dtype", [
    (1, False, 1000, np.int64), (7, False, 333, np.int32), (5, True, 4096, np.int32),
    (3, True, 50_000, np.int64), (300, False, 777, np.int32), (64, True, 60_000, np.int32)])
def test_ranges_equal_edge_order(tmp_path, nparts, skew, step, dtype):
    rng = np.random.default_rng(nparts)
    total = 60_000
    p = np.array([0.9] + [0.1 / (nparts - 1)] * (nparts - 1)) if skew and nparts > 1 else None
    owner = rng.choice(nparts, total, p=p)
    offsets = rng.integers(-1, 2**31 - 1, total).astype(dtype)
    parts = [_write(tmp_path / f"r{f}", offsets[owner == f]) if (owner == f).any() else None
             for f in range(nparts)]
    map_path = _write(tmp_path / "map", owner.astype(partition_dtype(nparts)))
    merger = ResultMerger(ResolvedFiles(parts, map_path, np.dtype(dtype)))
    assert (_read_back(merger, total, step) == offsets).all()


def test_without_a_map_one_file_in_order(tmp_path):
    offsets = np.random.default_rng(1).integers(-1, 10**6, 10_001).astype(np.int32)
    files = ResolvedFiles([_write(tmp_path / "r", offsets)], None, np.dtype(np.int32))
    assert (_read_back(ResultMerger(files), len(offsets), 999) == offsets).all()


def test_a_short_partition_file_is_an_error_not_a_wrong_answer(tmp_path):
    owner = np.array([0, 1, 0, 1, 1], np.uint8)
    parts = [_write(tmp_path / "r0", np.array([5, 6], np.int32)),
             _write(tmp_path / "r1", np.array([7, 8], np.int32))]  # one offset short
    merger = ResultMerger(ResolvedFiles(parts, _write(tmp_path / "map", owner),
                                        np.dtype(np.int32)))
    with pytest.raises(RuntimeError, match="r1: 2 of 3 offsets"):
        merger.take(np.empty(5, np.int64))


def test_partition_map_types():
    assert partition_dtype(1) == np.uint8 and partition_dtype(256) == np.uint8
    assert partition_dtype(257) == np.uint16 and partition_dtype(65536) == np.uint16
    assert partition_dtype(65537) == np.uint32
