"""The one place that sets numba JIT options for the whole package."""

from __future__ import annotations

import contextlib
import os
import sys

# numba's OpenMP workers spin after each parallel region by default; spinning threads take the
# core that ruzu's write-behind and scatter threads need (measured: the parallel parse used
# ~3x the CPU time of the serial one with the default policy). Callers may still override.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def source_fingerprint() -> str:
    """A digest of ruzu's sources. numba's cache checks only the modification time of the file
    that defines a kernel, not of the modules whose kernels and constants it compiled in (e.g.
    ``csv/_values_nested.py`` inlines converters of ``csv/_kernels.py``): after an upgrade, stale
    machine code could run. One cache directory per source tree rules that out."""
    import hashlib

    root = os.path.dirname(os.path.abspath(__file__))
    digest = hashlib.blake2b(digest_size=8)
    for folder, dirs, files in sorted(os.walk(root)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                digest.update(os.path.relpath(os.path.join(folder, name), root).encode())
                with open(os.path.join(folder, name), "rb") as f:
                    digest.update(f.read())
    return digest.hexdigest()


def user_cache_dir() -> str:
    """Where compiled kernels are kept: ``$XDG_CACHE_HOME/ruzu/numba/<source fingerprint>``
    (``~/.cache/ruzu/numba/…``), per user, outside the package, so it survives reinstalls and
    read-only installs, and per source tree (see :func:`source_fingerprint`)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "ruzu", "numba", source_fingerprint())


def choose_cache_dir() -> str | None:
    """The directory for numba's cache: ``NUMBA_CACHE_DIR`` when the user set it, else
    :func:`user_cache_dir`, or when that cannot be written a per-user directory in the
    temporary directory (None when none can be written: numba's default stands). numba's own
    default, beside the sources, fails with "cannot cache function" in a system site-packages
    and is lost on every reinstall."""
    if "NUMBA_CACHE_DIR" in os.environ:
        return os.environ["NUMBA_CACHE_DIR"]
    import tempfile

    for target in (user_cache_dir(),
                   os.path.join(tempfile.gettempdir(), f"ruzu-numba-{os.getuid()}",
                                source_fingerprint())):
        try:
            os.makedirs(target, exist_ok=True)
        except OSError:
            continue
        if os.access(target, os.W_OK):
            return target
    return None


def _use_user_cache() -> None:
    """Set ``NUMBA_CACHE_DIR`` before numba loads (numba reads it once, at import); when numba
    was imported first its setting stands."""
    if "numba" in sys.modules:
        return
    target = choose_cache_dir()
    if target is not None:
        os.environ["NUMBA_CACHE_DIR"] = target


_use_user_cache()

import numba  # noqa: E402 - after the OpenMP and cache settings above

# cache=True: compiled kernels are stored in the cache directory so a second process starts in ~1 s
# instead of recompiling. nogil=True: kernels can run on a thread while Python does I/O.
JIT_OPTIONS = {"nogil": True, "cache": True}


def kernel(fn=None, **extra):
    """Decorator for ruzu's numba kernels: ``@kernel`` or ``@kernel(parallel=True)``."""
    options = {**JIT_OPTIONS, **extra}
    if fn is None:
        return lambda f: numba.njit(**options)(f)
    return numba.njit(**options)(fn)


@contextlib.contextmanager
def parallel_threads(threads: int):
    """``@kernel(parallel=True)`` kernels called inside this block (from this thread) run on at
    most ``threads`` threads (numba's count is per calling thread; capped by its pool size)."""
    before = numba.get_num_threads()
    numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    try:
        yield
    finally:
        numba.set_num_threads(before)


class CompileWatch:
    """Whether numba is compiling a kernel right now, and since when: the "compiling ruzu's
    kernels (first run only)" state of the progress display. Only real compilations count (a
    kernel loaded from the cache fires no event). Use as a context manager."""

    def __init__(self) -> None:
        import time

        from numba.core import event

        self._clock = time.monotonic
        self._depth = 0
        self.since: float | None = None  # start of the compilation in progress
        self.compiled = 0  # compilations finished while watching
        watch = self

        class _Listener(event.Listener):
            def on_start(self, ev) -> None:
                if watch._depth == 0:
                    watch.since = watch._clock()
                watch._depth += 1

            def on_end(self, ev) -> None:
                watch._depth = max(0, watch._depth - 1)
                if watch._depth == 0:
                    watch.since = None
                    watch.compiled += 1

        self._listener = _Listener()
        self._event = event

    def seconds(self) -> float | None:
        """How long the compilation in progress has run (None: none is)."""
        since = self.since
        return None if since is None else self._clock() - since

    def __enter__(self) -> CompileWatch:
        self._event.register("numba:compile", self._listener)
        return self

    def __exit__(self, *exc) -> None:
        self._event.unregister("numba:compile", self._listener)
