"""The one place that sets numba JIT options for the whole package."""

from __future__ import annotations

import numba

# cache=True: compiled kernels are stored beside the sources so a second process starts in ~1 s
# instead of recompiling. nogil=True: kernels can run on a thread while Python does I/O.
JIT_OPTIONS = {"nogil": True, "cache": True}


def kernel(fn=None, **extra):
    """Decorator for ruzu's numba kernels: ``@kernel`` or ``@kernel(parallel=True)``."""
    options = {**JIT_OPTIONS, **extra}
    if fn is None:
        return lambda f: numba.njit(**options)(f)
    return numba.njit(**options)(fn)
