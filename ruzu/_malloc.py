"""glibc malloc settings that keep the resident size flat (Linux/glibc only; a no-op elsewhere).

ruzu's threads (write-behind, scatter, the two CSR builders) each got a malloc arena of their
own; memory numpy freed in one arena was not reused by another, so the peak grew with the input
(measured, 150 MB edge files: uuid 344 → 265 MB, powerlaw 381 → 330 MB peak with one arena, at
the same speed). ``MALLOC_ARENA_MAX`` in the environment, when set, wins."""

from __future__ import annotations

import ctypes
import os
import sys

M_ARENA_MAX = -8  # from glibc's malloc.h


def configure() -> bool:
    """One malloc arena for the process; returns whether it was applied."""
    if not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # absent with musl: nothing to tune
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_ARENA_MAX, 1))


APPLIED = configure()
