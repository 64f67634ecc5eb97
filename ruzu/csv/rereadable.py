"""Inputs that can be read only once (pipes, FIFOs, process substitution, sockets, terminals).

The fast import reads an input once; finding the line and record of a duplicate key or a
missing endpoint, or copying rejected records into a ``.bad.csv``, reads it again. Such a
second read of a pipe sees nothing (a KeyError, a ``Record: ''``) and of a FIFO blocks until a
new writer comes (a hang). These paths call ``require_rereadable`` first and fail with a
clear ``InputNotRereadableError`` instead. Inside a one-shot scope (every import call, COPY
statement and command-line run: see ``once.py``) such inputs are spooled as they are read, and
these paths read the spool.
"""

from __future__ import annotations

import os
import stat

from ..errors import InputNotRereadableError


def is_rereadable(path: str) -> bool:
    """A regular file (or a directory of parts, or an in-memory table): readable again; so is
    a pipe or FIFO inside a one-shot scope, whose bytes are spooled (see ``once.py``)."""
    from .once import in_scope

    if in_scope():
        return True
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return True  # not a file system object (in-memory input) or gone: not our concern here
    return stat.S_ISREG(mode) or stat.S_ISDIR(mode)


def require_rereadable(path: str, why: str) -> None:
    if not is_rereadable(path):
        raise InputNotRereadableError(
            f"{path}: {why} needs a second read of the input, but it is a pipe or FIFO that can "
            "be read only once; save it to a file first and import that file",
            path=path, reason="input cannot be read again",
        )
