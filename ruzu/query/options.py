"""The settings a connection runs its statements with, in one typed object: ``QueryOptions``.

A :class:`~ruzu.Connection` owns one (``Connection(db, num_threads=…, query_memory_limit=…)``,
``set_query_timeout``, ``set_max_threads_for_exec``) and runs each statement inside
:func:`running_with`; the parts that read a setting ask :func:`current` for it:

- ``threads``: worker threads of the parallel MATCH pipeline (``exec/parallel.py``) and the CSV
  parser threads of a COPY (``statements/copy.py``; numba's thread count follows it);
- ``timeout_ms``: the query stops with ``QueryInterruptedError`` after it (``interrupt.py``);
- ``memory_limit``: the query memory budget in bytes (``memory.py``).

``None`` means the default: the machine's thread count (at most 4) for queries and one parser
thread for COPY, no timeout, the database's ``query_memory_limit`` (or a quarter of the memory).
Statements run outside a connection (``Database.execute``) use the defaults.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
import time
from dataclasses import dataclass, replace

from ..errors import ConfigError


def validate_limit(limit) -> int | None:
    """A query memory budget: None or a positive number of bytes."""
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0:
        raise ConfigError(f"query_memory_limit must be a positive number of bytes, not {limit!r}")
    return limit


def validate_threads(threads) -> int | None:
    """A thread count: None or 0 (Kùzu's spelling of "the default") become None."""
    if threads is None:
        return None
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 0:
        raise ConfigError(f"num_threads must be a non-negative integer, not {threads!r}")
    return threads or None


@dataclass(frozen=True)
class QueryOptions:
    """What a connection's statements run with (None: the default; see the module)."""

    threads: int | None = None
    timeout_ms: int | None = None
    memory_limit: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "threads", validate_threads(self.threads))
        object.__setattr__(self, "memory_limit", validate_limit(self.memory_limit))
        t = self.timeout_ms
        if t is not None and (isinstance(t, bool) or not isinstance(t, int) or t < 0):
            raise ValueError(f"timeout must be a non-negative number of ms, not {t!r}")
        object.__setattr__(self, "timeout_ms", t or None)

    def with_(self, **changes) -> QueryOptions:
        """A copy with some settings changed (validated again)."""
        return replace(self, **changes)


@dataclass(frozen=True)
class Running:
    """The options of the statement being run, its deadline and its interrupt flag."""

    options: QueryOptions
    deadline: float | None = None  # time.monotonic() after which it stops
    interrupt: threading.Event | None = None


_DEFAULT = Running(QueryOptions())
_running: contextvars.ContextVar[Running] = contextvars.ContextVar("ruzu_query_options",
                                                                   default=_DEFAULT)


@contextlib.contextmanager
def running_with(options: QueryOptions, interrupt: threading.Event | None = None):
    """Statements started inside this block use ``options``; the timeout counts from here."""
    deadline = (time.monotonic() + options.timeout_ms / 1000) if options.timeout_ms else None
    token = _running.set(Running(options, deadline, interrupt))
    try:
        yield
    finally:
        _running.reset(token)


def current() -> Running:
    """The settings of the statement being run (the defaults outside ``running_with``)."""
    return _running.get()


__all__ = ["QueryOptions", "Running", "current", "running_with", "validate_limit",
           "validate_threads"]
