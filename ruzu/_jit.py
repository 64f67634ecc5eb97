"""The one place that sets numba JIT options for the whole package."""

from __future__ import annotations

import os

# numba's OpenMP workers spin after each parallel region by default; spinning threads take the
# core that ruzu's write-behind and scatter threads need (measured: the parallel parse used
# ~3x the CPU time of the serial one with the default policy). Callers may still override.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")



def _writable_cache_dir() -> None:
    """numba caches compiled kernels beside the sources; when ruzu is installed where this user
    cannot write (a system site-packages), numba raised "cannot cache function". Use a per-user
    cache directory instead (NUMBA_CACHE_DIR in the environment, when set, wins)."""
    if "NUMBA_CACHE_DIR" in os.environ:
        return
    here = os.path.dirname(os.path.abspath(__file__))
    probe = os.path.join(here, "csv", "__pycache__")
    if os.access(probe if os.path.isdir(probe) else here, os.W_OK):
        return
    import tempfile

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    for root in (base, tempfile.gettempdir()):
        target = os.path.join(root, f"ruzu-numba-{os.getuid()}" if root != base else "ruzu")
        try:
            os.makedirs(target, exist_ok=True)
        except OSError:
            continue
        if os.access(target, os.W_OK):
            os.environ["NUMBA_CACHE_DIR"] = target
            return


_writable_cache_dir()

import numba  # noqa: E402 - after the OpenMP and cache settings above

# cache=True: compiled kernels are stored beside the sources so a second process starts in ~1 s
# instead of recompiling. nogil=True: kernels can run on a thread while Python does I/O.
JIT_OPTIONS = {"nogil": True, "cache": True}


def kernel(fn=None, **extra):
    """Decorator for ruzu's numba kernels: ``@kernel`` or ``@kernel(parallel=True)``."""
    options = {**JIT_OPTIONS, **extra}
    if fn is None:
        return lambda f: numba.njit(**options)(f)
    return numba.njit(**options)(fn)
