"""The warm-up's compile on two processes (issue 16): numba compiles one kernel at a time, so
``python -m ruzu warmup`` shares the work out between itself and one child process writing the
same on-disk cache.

- The child compiles every kernel outside ``ruzu.csv`` (storage, query) for the argument types
  the warm-up's workload calls it with, listed in ``kernel_signatures.py`` (recorded by
  ``python tools/record_kernel_signatures.py``; a test checks the list is current).
- Meanwhile the parent compiles the CSV parser by parsing the warm-up's files without a
  database (no list: the real call path gives the real argument types).
- Then the parent runs the workload itself: every kernel loads from the cache, and whatever the
  list missed compiles there (slower, never wrong).

Each kernel is compiled by one process only (the two groups share no kernel, not even a nested
one): numba's cache writes each file atomically, but two processes adding different signatures
of one kernel at the same moment could each rewrite its index without the other's entry.
"""

from __future__ import annotations

import ast
import importlib
import os
import re
import subprocess
import sys

PARENT_PACKAGE = "ruzu.csv"  # its kernels compile in the parent, by parsing

_ARRAY = re.compile(r"(\w+)\[(\d)([CFA])(,ro)?\]$")


def encode(t) -> str | None:
    """A numba argument type as text (None: a type this list does not carry)."""
    from numba.core import types

    scalar = (types.Integer, types.Float, types.Boolean)
    if isinstance(t, types.Array) and isinstance(t.dtype, scalar) and t.aligned:
        return f"{t.dtype}[{t.ndim}{t.layout}{'' if t.mutable else ',ro'}]"
    if isinstance(t, scalar):
        return str(t)
    if isinstance(t, types.Omitted) and isinstance(t.value, (bool, int, type(None))):
        return f"omitted({t.value!r})"
    return None


def decode(text: str):
    """The numba type :func:`encode` wrote as ``text``."""
    from numba.core import types

    def scalar(name: str):
        return types.boolean if name == "bool" else getattr(types, name)

    if text.startswith("omitted(") and text.endswith(")"):
        return types.Omitted(ast.literal_eval(text[len("omitted("):-1]))
    m = _ARRAY.match(text)
    if m:
        return types.Array(scalar(m[1]), int(m[2]), m[3], readonly=bool(m[4]))
    return scalar(text)


def compile_listed(signatures=None) -> tuple[int, int]:
    """Compile (or load from the cache) each listed kernel signature; returns (done, failed).
    A signature the kernel no longer accepts is skipped: the workload compiles what it needs."""
    if signatures is None:
        from .kernel_signatures import SIGNATURES as signatures
    done = failed = 0
    for module, name, args in signatures:
        try:
            dispatcher = getattr(importlib.import_module(module), name)
            dispatcher.compile(tuple(decode(a) for a in args))
            done += 1
        except Exception:  # noqa: BLE001 - a stale entry only costs time, never correctness
            failed += 1
    return done, failed


def start_child() -> subprocess.Popen | None:
    """The child compiling the listed kernels, with this process's cache directory and this
    ruzu on its path (None when it cannot start: the workload then compiles everything)."""
    import numba

    import ruzu

    env = dict(os.environ)
    env["NUMBA_CACHE_DIR"] = numba.config.CACHE_DIR or env.get("NUMBA_CACHE_DIR", "")
    if not env["NUMBA_CACHE_DIR"]:
        del env["NUMBA_CACHE_DIR"]
    root = os.path.dirname(os.path.dirname(os.path.abspath(ruzu.__file__)))
    env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
    try:
        return subprocess.Popen([sys.executable, "-m", "ruzu.cli.precompile"], env=env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    except OSError:
        return None


def compile_parser(path: str, columns: list[tuple[str, str]]) -> None:
    """Parse a CSV file (a header, then ``columns``) with the import's parser but no database:
    compiles the header splitter and the record parser, the parent's share."""
    from ..csv.config import CsvImportConfig
    from ..csv.parser import BatchParser, FieldSpec, read_header
    from ..csv.reader import CsvSource
    from ..types import LogicalType

    cfg = CsvImportConfig()
    with CsvSource.for_config(path, cfg) as src:
        read_header(src, cfg)
        fields = [FieldSpec(name, LogicalType[typ]) for name, typ in columns]
        for _batch in BatchParser(src, fields, cfg):
            pass


def record_calls(workload) -> list[tuple[str, str, tuple[str, ...]]]:
    """Run ``workload()`` and return the kernels it called from Python, outside
    ``PARENT_PACKAGE``, as (module, name, encoded argument types), sorted. Run it in a fresh
    process: a kernel already called in this process is not seen again."""
    from numba.core.dispatcher import Dispatcher

    calls: set[tuple[str, str, tuple[str, ...]]] = set()
    top: list = []
    original_for_args, original_compile = Dispatcher._compile_for_args, Dispatcher.compile

    def for_args(self, *args, **kws):
        top.append(self)
        try:
            return original_for_args(self, *args, **kws)
        finally:
            top.pop()

    def compile(self, sig):
        if not top or top[-1] is not self:  # nested in another kernel's compile
            return original_compile(self, sig)
        func = self.py_func
        encoded = tuple(encode(t) for t in sig)
        if not func.__module__.startswith(PARENT_PACKAGE) and None not in encoded:
            calls.add((func.__module__, func.__name__, encoded))
        top.append(None)
        try:
            return original_compile(self, sig)
        finally:
            top.pop()

    Dispatcher._compile_for_args, Dispatcher.compile = for_args, compile
    try:
        workload()
    finally:
        Dispatcher._compile_for_args, Dispatcher.compile = original_for_args, original_compile
    return sorted(calls)


if __name__ == "__main__":
    import ruzu  # noqa: F401 - first: it picks numba's cache directory

    compile_listed()
