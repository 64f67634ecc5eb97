"""Inputs that can be read only once (pipes, FIFOs, process substitution), read through a spool.

Everything read from such an input is also written to a spool file (an unlinked temporary
file: memory stays bounded, the disk holds what was read). Inside a scope
(:func:`one_shot_scope`, or a function decorated with :func:`keeps_one_shot_inputs`: one COPY
statement, one import call, one command-line run) every reader of the path reads the spool
first and the pipe only past its end. So:

- a sniffed sample is replayed in front of the stream the import then reads;
- the error paths that look for a line or a record again (a duplicate key, a missing
  endpoint, a rejected composite value, the ``.bad.csv``) find it in the spool, after the
  pipe has been drained.

The pipe is closed and the spool dropped when the outermost scope of the thread ends. A reader
opened outside any scope owns its spool alone (and closes it with itself).
"""

from __future__ import annotations

import functools
import io
import os
import stat
import tempfile
import threading
from contextlib import contextmanager

_state = threading.local()


def is_one_shot(path: str) -> bool:
    """A file system object that is neither a regular file nor a directory (a pipe, a FIFO,
    a socket, a terminal): reading it consumes it."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def in_scope() -> bool:
    """True inside :func:`one_shot_scope`: one-shot inputs opened now can be read again."""
    return getattr(_state, "depth", 0) > 0


@contextmanager
def one_shot_scope():
    """Keep the spools of the one-shot inputs opened inside, until the outermost scope ends."""
    if not in_scope():
        _state.depth = 0
        _state.inputs = {}
    _state.depth += 1
    try:
        yield
    finally:
        _state.depth -= 1
        if _state.depth == 0:
            inputs, _state.inputs = _state.inputs, {}
            for one in inputs.values():
                one.close()


def keeps_one_shot_inputs(fn):
    """Decorator: run ``fn`` inside :func:`one_shot_scope`."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with one_shot_scope():
            return fn(*args, **kwargs)

    return wrapper


def open_one_shot(path: str) -> io.RawIOBase:
    """A reader of the one-shot input ``path`` from its first byte (see the module doc)."""
    if in_scope():
        one = _state.inputs.get(path)
        if one is None:
            one = _state.inputs[path] = OnceInput(path)
        return SpoolReader(one, owner=False)
    return SpoolReader(OnceInput(path), owner=True)


class OnceInput:
    """One pipe and the spool of everything read from it so far."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._pipe = open(path, "rb", buffering=0)  # noqa: SIM115 - closed at EOF or close()
        try:
            self._fd, spool_path = tempfile.mkstemp(prefix="ruzu-pipe-", suffix=".spool")
        except BaseException:
            self._pipe.close()
            raise
        os.unlink(spool_path)  # gone with the descriptor, even after a crash
        self.size = 0  # bytes in the spool
        self.eof = False
        self._lock = threading.Lock()

    def read_at(self, pos: int, b) -> int:
        """Read into ``b`` from byte ``pos`` of the input: from the spool, or when ``pos`` is
        past it from the pipe (appended to the spool on the way)."""
        with self._lock:
            while pos > self.size and not self.eof:  # a forward seek past what was read
                self._pull(memoryview(bytearray(min(pos - self.size, 1 << 20))))
            if pos == self.size:
                return self._pull(b) if not self.eof else 0
            data = os.pread(self._fd, min(len(b), self.size - pos), pos)
            b[: len(data)] = data
            return len(data)

    def _pull(self, b) -> int:
        got = self._pipe.readinto(b) or 0
        if not got:
            self.eof = True
            self._pipe.close()
            return 0
        view = memoryview(b)[:got]
        written = 0
        while written < got:
            written += os.pwrite(self._fd, view[written:], self.size + written)
        self.size += got
        return got

    def close(self) -> None:
        self._pipe.close()
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


class SpoolReader(io.RawIOBase):
    """A reader of a :class:`OnceInput` with its own position (seekable within what was read
    and forward)."""

    def __init__(self, one: OnceInput, owner: bool) -> None:
        self._one = one
        self._owner = owner
        self._pos = 0
        self.name = one.path

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        got = self._one.read_at(self._pos, b)
        self._pos += got
        return got

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_CUR:
            offset += self._pos
        elif whence != os.SEEK_SET:
            raise io.UnsupportedOperation("a pipe has no end to seek from")
        self._pos = max(0, offset)
        return self._pos

    def close(self) -> None:
        if not self.closed and self._owner:
            self._one.close()
        super().close()
