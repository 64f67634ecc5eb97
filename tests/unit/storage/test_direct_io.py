"""Appends that bypass the page cache (``io.append_direct``, ``io.AppendFile``, the write-behind
``FileAppender``) and ``io.read_direct``: the bytes on disk are exactly the bytes appended,
whatever the sizes and alignments, where O_DIRECT is refused, and where it fails mid-write."""

from __future__ import annotations

import errno
import os

import numpy as np
import pytest

from ruzu.storage import io
from ruzu.storage.manifest import FileEntry
from ruzu.storage.transaction import FileAppender
from ruzu.storage.writer import WriteBehind

# sizes around the alignment and the direct threshold, and larger than the staging buffer
SIZES = [1, 7, 4095, 4096, 4097, io.DIRECT_MIN - 1, io.DIRECT_MIN, io.DIRECT_MIN + 4096 + 3,
         (1 << 20) + 12345, (3 << 20) + 1, 100_000]


def _chunks(seed: int, sizes=SIZES) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(sizes))
    return [rng.integers(0, 256, sizes[i], dtype=np.uint8) for i in order]


@pytest.mark.parametrize("buffer", [0, 16 << 10, 1 << 20])
def test_append_file_writes_exactly_the_bytes(tmp_path, buffer):
    chunks = _chunks(1) + [np.full(5, 9, np.uint8)] * 3000  # and many tiny appends
    path = str(tmp_path / "a.spill")
    with io.AppendFile(path, buffer) as f:
        for c in chunks:
            f.write(c)
    expected = np.concatenate(chunks)
    assert f.size == len(expected)
    with open(path, "rb") as g:
        assert g.read() == expected.tobytes()


@pytest.mark.parametrize("dtype", [np.uint8, np.int64])
def test_read_direct_any_range(tmp_path, dtype):
    data = np.random.default_rng(2).integers(0, 1 << 40, 300_001).astype(dtype)
    path = str(tmp_path / "r.spill")
    with io.AppendFile(path) as f:
        f.write(data)
    rng = np.random.default_rng(3)
    for _ in range(50):
        start = int(rng.integers(0, len(data)))
        count = int(rng.integers(0, len(data) - start + 1))
        got = io.read_direct(path, dtype, start, count)
        assert got.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(got, data[start : start + count])
    np.testing.assert_array_equal(io.read_direct(path, dtype), data)


def test_group_buffers_are_whole_blocks_within_bounds():
    for n in (1, 3, 32, 256, 5000):
        b = io.group_buffer_bytes(n, 4 << 20)
        assert b % io.ALIGN == 0 and (16 << 10) <= b <= (1 << 20)
        assert n * b <= max(4 << 20, n * (16 << 10))


def test_read_direct_past_the_end_is_an_error(tmp_path):
    path = str(tmp_path / "short.spill")
    with io.AppendFile(path) as f:
        f.write(np.arange(1000, dtype=np.int64))
    with pytest.raises(OSError, match="unexpected end of file"):
        io.read_direct(path, np.int64, 900, 200)


@pytest.mark.parametrize("buffer", [0, 16 << 10])
def test_refused_o_direct_writes_buffered(tmp_path, monkeypatch, buffer):
    monkeypatch.setattr(io, "open_direct", lambda path: None)
    chunks = _chunks(4)
    path = str(tmp_path / "b.spill")
    with io.AppendFile(path, buffer) as f:
        for c in chunks:
            f.write(c)
    with open(path, "rb") as g:
        assert g.read() == np.concatenate(chunks).tobytes()


@pytest.mark.parametrize("buffer", [0, 16 << 10])
def test_o_direct_failing_mid_write_falls_back_without_losing_bytes(tmp_path, monkeypatch,
                                                                      buffer):
    """A file system that accepts the O_DIRECT open and then refuses a write (EINVAL) after
    part of the data went through: the rest is appended buffered, nothing doubled or lost."""
    real = os.pwrite
    calls = {"n": 0}

    def flaky(fd, data, offset):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(errno.EINVAL, "Invalid argument")
        return real(fd, data, offset)

    monkeypatch.setattr(io.os, "pwrite", flaky)
    chunks = _chunks(5)
    path = str(tmp_path / "c.spill")
    with io.AppendFile(path, buffer) as f:
        for c in chunks:
            f.write(c)
    assert calls["n"] >= 3  # the failure happened
    with open(path, "rb") as g:
        assert g.read() == np.concatenate(chunks).tobytes()


def test_write_behind_appender_keeps_bytes_and_checksum(tmp_path):
    """Through the write-behind thread, after bytes already in the file (an append to a
    committed file starts unaligned)."""
    import zlib

    path = str(tmp_path / "d.dat")
    prefix = b"committed-prefix-of-33-bytes-----"
    with open(path, "wb") as g:
        g.write(prefix)
    writer = WriteBehind(8 << 20)
    app = FileAppender(path, FileEntry(len(prefix), zlib.crc32(prefix)), create=False,
                       writer=writer)
    chunks = _chunks(6)
    for c in chunks:
        app.append(c)
    writer.drain()
    entry = app.finish()
    writer.close()
    expected = prefix + np.concatenate(chunks).tobytes()
    with open(path, "rb") as g:
        assert g.read() == expected
    assert entry == FileEntry(len(expected), zlib.crc32(expected))
