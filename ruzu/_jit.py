"""The one place that sets numba JIT options for the whole package."""

from __future__ import annotations

import os
import sys

# numba's OpenMP workers spin after each parallel region by default; spinning threads take the
# core that ruzu's write-behind and scatter threads need (measured: the parallel parse used
# ~3x the CPU time of the serial one with the default policy). Callers may still override.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def user_cache_dir() -> str:
    """Where compiled kernels are kept: ``$XDG_CACHE_HOME/ruzu/numba`` (``~/.cache/ruzu/numba``),
    per user, outside the package, so it survives reinstalls and read-only installs."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "ruzu", "numba")


def _use_user_cache() -> None:
    """Point numba's cache at :func:`user_cache_dir` unless the user chose one
    (``NUMBA_CACHE_DIR``) or numba was imported first (then its setting stands)."""
    if "NUMBA_CACHE_DIR" in os.environ or "numba" in sys.modules:
        return
    path = user_cache_dir()
    try:
        os.makedirs(path, exist_ok=True)
    except OSError:
        return  # no writable home: numba's default (beside the sources) is used
    if os.access(path, os.W_OK):
        os.environ["NUMBA_CACHE_DIR"] = path


_use_user_cache()

import numba  # noqa: E402 - after the OpenMP setting above

# cache=True: compiled kernels are stored in the cache directory so a second process starts in ~1 s
# instead of recompiling. nogil=True: kernels can run on a thread while Python does I/O.
JIT_OPTIONS = {"nogil": True, "cache": True}


def kernel(fn=None, **extra):
    """Decorator for ruzu's numba kernels: ``@kernel`` or ``@kernel(parallel=True)``."""
    options = {**JIT_OPTIONS, **extra}
    if fn is None:
        return lambda f: numba.njit(**options)(f)
    return numba.njit(**options)(fn)
