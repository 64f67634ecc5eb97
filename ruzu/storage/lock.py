"""One writer at a time: an exclusive ``flock`` on ``<db>/.lock`` that names the holder's PID.

``flock`` locks belong to an open file description, so a second writer in the same process is
refused too, and the lock vanishes with the process (no stale lock files to clean).
"""

from __future__ import annotations

import fcntl
import os

from ..errors import LockError

LOCK_NAME = ".lock"


class WriterLock:
    def __init__(self, db_path: str) -> None:
        self.path = os.path.join(db_path, LOCK_NAME)
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise LockError(
                f"database {os.path.dirname(self.path)!r} is locked for writing by process "
                f"PID {holder}; open it with read_only=True or close the other writer"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                os.ftruncate(fd, 0)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
