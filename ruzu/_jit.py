"""The one place that sets numba JIT options for the whole package."""

from __future__ import annotations

import os

# numba's OpenMP workers spin after each parallel region by default; spinning threads take the
# core that ruzu's write-behind and scatter threads need (measured: the parallel parse used
# ~3x the CPU time of the serial one with the default policy). Callers may still override.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numba  # noqa: E402 - after the OpenMP setting above

# cache=True: compiled kernels are stored beside the sources so a second process starts in ~1 s
# instead of recompiling. nogil=True: kernels can run on a thread while Python does I/O.
JIT_OPTIONS = {"nogil": True, "cache": True}


def kernel(fn=None, **extra):
    """Decorator for ruzu's numba kernels: ``@kernel`` or ``@kernel(parallel=True)``."""
    options = {**JIT_OPTIONS, **extra}
    if fn is None:
        return lambda f: numba.njit(**options)(f)
    return numba.njit(**options)(fn)
