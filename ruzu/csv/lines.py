"""Finding lines and raw records again in an input file (for error messages and reject
reports): where lines start, and the text of the record at a line. One forward scan serves a
whole import; nothing here parses fields (``locate`` does, for row numbers)."""

from __future__ import annotations

import numpy as np

from .rereadable import is_rereadable, require_rereadable
from .sources import open_binary

# the record of a bad row of a pipe: it was read once and is gone
UNAVAILABLE_RECORD = "(not shown: the input is a pipe or FIFO, read only once)"

_SCAN_CHUNK = 8 << 20


class LineScanner:
    """Finds where lines start in a file, scanning forward only: asking for ever later lines
    (as an import reports its bad rows) reads the file once in total. Lines end at every LF
    and at every CR not followed by LF, as the parser counts them."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._file = None
        self._line = 1  # line number at self._base
        self._base = 0  # file offset where the next chunk starts
        self._prev_cr = False
        self._pending: np.ndarray = np.empty(0, np.int64)  # starts of lines >= _line, unread
        self._eof = False
        self._chunk = b""  # the last chunk read, from offset self._base - len(self._chunk)

    def find(self, lines: list[int]) -> dict[int, int]:
        """Start offsets of the given lines (each at least the last line asked before)."""
        out: dict[int, int] = {}
        for line in sorted(set(lines)):
            if line <= 1:
                out[line] = 0
                continue
            offset = self._advance_to(line)
            if offset is not None:
                out[line] = offset
        return out

    def _advance_to(self, line: int) -> int | None:
        # self._pending holds starts of lines self._line + 1 … (the next unread line starts)
        while True:
            k = line - self._line - 1
            if 0 <= k < len(self._pending):
                return int(self._pending[k])
            if self._eof:
                return None
            self._line += len(self._pending)
            self._pending = self._read_starts()

    def _read_starts(self) -> np.ndarray:
        if self._file is None:
            require_rereadable(self.path, "finding the record of a rejected row")
            self._file = open_binary(self.path)  # closed at EOF or close()
        data = self._file.read(_SCAN_CHUNK)
        self._chunk = data or self._chunk  # (an empty read at the end adds no bytes)
        chunk = np.frombuffer(data, np.uint8)
        base = self._base
        starts = []
        if not len(chunk):
            self._eof = True
            self.close()
            if self._prev_cr:  # the file ends with a CR: it ended a line
                self._prev_cr = False
                return np.array([base], np.int64)
            return np.empty(0, np.int64)
        lf = chunk == 10
        cr = chunk == 13
        if self._prev_cr and not lf[0]:  # a CR that ended the previous chunk was a line end
            starts.append(np.array([base], np.int64))
        ends = lf.copy()
        ends[:-1] |= cr[:-1] & ~lf[1:]
        ends[-1] = lf[-1]  # a final CR is decided with the next chunk
        self._prev_cr = bool(cr[-1])
        starts.append(np.flatnonzero(ends).astype(np.int64) + base + 1)
        self._base = base + len(chunk)
        return np.concatenate(starts)

    def record_text(self, offset: int, limit: int = 200) -> str | None:
        """The record at ``offset`` from the chunk just scanned (None when it is not wholly
        there): a compressed input is not decompressed again from its start for it."""
        if self._base == 0 and not self._eof:  # line 1 was asked for: nothing read yet
            self._pending = self._read_starts()
        start = offset - (self._base - len(self._chunk))
        raw = self._chunk[start : start + limit + 1] if start >= 0 else b""
        if start < 0 or (len(raw) <= limit and b"\n" not in raw and b"\r" not in raw
                         and not self._eof):
            return None
        return _record_text(raw, limit)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def line_offsets(path: str, lines: list[int]) -> dict[int, int]:
    """Byte offset where each given 1-based line starts (one forward scan)."""
    scanner = LineScanner(path)
    try:
        return scanner.find(lines)
    finally:
        scanner.close()


def records_at_lines(scanner: LineScanner, lines: list[int]) -> dict[int, tuple[int, str]]:
    """(byte offset, record text) of the records starting at the given lines."""
    if not is_rereadable(scanner.path):
        return {line: (-1, UNAVAILABLE_RECORD) for line in lines}
    offsets = scanner.find(lines)
    out = {}
    for line, off in offsets.items():
        text = scanner.record_text(off)
        out[line] = (off, record_at(scanner.path, off) if text is None else text)
    return out


def record_at_line(path: str, line: int) -> tuple[int, str]:
    """(byte offset, record text) of the record starting at ``line`` ((-1, "") if none)."""
    scanner = LineScanner(path)
    try:
        return records_at_lines(scanner, [line]).get(line, (-1, ""))
    finally:
        scanner.close()


def record_at(path: str, offset: int, limit: int = 200) -> str:
    """The text of the record starting at ``offset``, up to its first line end (truncated)."""
    if not is_rereadable(path):
        return UNAVAILABLE_RECORD
    with open_binary(path) as f:
        f.seek(offset)
        raw = f.read(limit + 1)
    return _record_text(raw, limit)


def _record_text(raw: bytes, limit: int) -> str:
    cut = len(raw)
    for nl in (b"\n", b"\r"):
        j = raw.find(nl)
        if j != -1:
            cut = min(cut, j)
    text = raw[: min(cut, limit)].decode("utf-8", "backslashreplace")
    return text + ("…" if cut > limit else "")
