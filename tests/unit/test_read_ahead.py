"""CsvSource asks the kernel to read a regular file ahead of the parse (POSIX_FADV_WILLNEED),
never for compressed input, and an advice the system refuses is not an error."""

from __future__ import annotations

import gzip
import os

import pytest

from ruzu.csv import reader
from ruzu.csv.reader import CsvSource


@pytest.fixture
def advice(monkeypatch):
    calls = []
    monkeypatch.setattr(reader.os, "posix_fadvise",
                        lambda fd, off, n, how: calls.append((off, n, how)))
    monkeypatch.setattr(reader, "READ_AHEAD_BYTES", 1 << 16)
    return calls


def read_all(path, buffer_bytes=1 << 12):
    with CsvSource(str(path), buffer_bytes, max_record_bytes=1 << 20) as src:
        data = bytes(src.buf[src.pos : src.n])
        while not src.eof:
            src.advance(src.n - src.pos, 0)
            src.need_more()
            data += bytes(src.buf[src.pos : src.n])
        return data, src.bytes_read


def test_regular_file_is_read_ahead_of_the_parse(tmp_path, advice):
    body = b"".join(b"%d,row %d\n" % (i, i) for i in range(40_000))
    path = tmp_path / "f.csv"
    path.write_bytes(body)
    data, _ = read_all(path)
    assert data == body
    assert advice and all(how == os.POSIX_FADV_WILLNEED for _, _, how in advice)
    # contiguous windows from the start, each ending one window past what had been read
    ends = [off + n for off, n, _ in advice]
    assert advice[0][0] == 0
    assert all(a[0] + a[1] == b[0] for a, b in zip(advice, advice[1:], strict=False))
    assert ends[-1] >= len(body)
    assert len(advice) <= len(body) // (1 << 15) + 2  # one per half window, not per read


def test_compressed_input_is_not_advised(tmp_path, advice):
    path = tmp_path / "f.csv.gz"
    with gzip.open(path, "wb") as f:
        f.write(b"a,b\n" * 50_000)
    data, _ = read_all(path)
    assert data == b"a,b\n" * 50_000
    assert advice == []


def test_refused_advice_is_ignored(tmp_path, monkeypatch):
    def refuse(*args):
        raise OSError(22, "Invalid argument")

    monkeypatch.setattr(reader.os, "posix_fadvise", refuse)
    path = tmp_path / "f.csv"
    path.write_bytes(b"x,y\n" * 100_000)
    assert read_all(path)[0] == b"x,y\n" * 100_000
