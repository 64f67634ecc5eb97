"""One writer at a time: an exclusive ``flock`` on ``<db>/.lock`` that names the holder's PID.

``flock`` locks belong to an open file description, so a second writer in the same process is
refused too, and the lock vanishes with the process (no stale lock files to clean).

The lock file also carries the *generation record*: after every durable commit the writer
writes the database id and the generation it committed (bytes 32…95). An open whose
manifest.json is older than that record (an old copy put back) or belongs to another database
is refused. The record is a hint written without fsync: a lost or unreadable record only turns
the check off, it never refuses a good database.
"""

from __future__ import annotations

import fcntl
import gc
import os
import weakref

from ..errors import LockError

LOCK_NAME = ".lock"
_PID_FIELD = 32  # bytes 0…31: the holder's PID (blank when free)
_RECORD_AT = _PID_FIELD
_RECORD_SIZE = 64
_RECORD_TAG = "ruzu-generation"


class WriterLock:
    def __init__(self, db_path: str) -> None:
        self.path = os.path.join(db_path, LOCK_NAME)
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if _holder(fd) != str(os.getpid()):
                    raise
                # held by this process: maybe by a Database nobody can reach any more (kept
                # alive only by a reference cycle, e.g. a traceback): collect it and retry
                gc.collect()
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd) or "unknown"
            os.close(fd)
            raise LockError(  # Kùzu's words first (its Python API tests look for them)
                f"IO exception: Could not set lock on file : {os.path.dirname(self.path)} "
                f"(database {os.path.dirname(self.path)!r} is locked for writing by process "
                f"PID {holder}; open it with read_only=True or close the other writer)"
            ) from None
        record = os.pread(fd, _RECORD_SIZE, _RECORD_AT)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode().ljust(_PID_FIELD), 0)
        if _parse_record(record) is not None:
            os.pwrite(fd, record, _RECORD_AT)  # keep the generation record
        self._fd = fd
        _HELD.add(self)

    def record_generation(self, db_id: str, generation: int) -> None:
        """Remember the generation just committed (best effort, see the module notes)."""
        if self._fd is None:
            return
        text = f"{_RECORD_TAG} {db_id} {generation}\n"
        try:
            os.pwrite(self._fd, text.encode("ascii").ljust(_RECORD_SIZE), _RECORD_AT)
        except (OSError, UnicodeEncodeError):
            pass

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                if os.fstat(fd).st_size > _PID_FIELD:
                    os.pwrite(fd, b"\n".ljust(_PID_FIELD), 0)  # keep the generation record
                else:
                    os.ftruncate(fd, 0)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)


def _holder(fd: int) -> str:
    return os.pread(fd, _PID_FIELD, 0).decode("ascii", "replace").strip(" \n\x00")


# Locks held by this process. A forked child inherits their descriptors, and with them the
# lock (flock belongs to the open file description): a child outliving its parent kept the
# database locked under the dead parent's PID. The child closes its copies at once.
_HELD: weakref.WeakSet = weakref.WeakSet()


def _drop_inherited_locks() -> None:
    for lock in list(_HELD):
        fd, lock._fd = lock._fd, None
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_drop_inherited_locks)


def _parse_record(raw: bytes) -> tuple[str, int] | None:
    try:
        tag, db_id, generation = raw.decode("ascii").split()
        if tag != _RECORD_TAG:
            return None
        return db_id, int(generation)
    except (UnicodeDecodeError, ValueError):
        return None


def read_generation_record(db_path: str) -> tuple[str, int] | None:
    """(database id, generation) of the last durable commit, or None when unknown."""
    try:
        fd = os.open(os.path.join(db_path, LOCK_NAME), os.O_RDONLY)
    except OSError:
        return None
    try:
        return _parse_record(os.pread(fd, _RECORD_SIZE, _RECORD_AT))
    except OSError:
        return None
    finally:
        os.close(fd)
