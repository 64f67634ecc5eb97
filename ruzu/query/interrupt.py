"""Stopping a running query: ``Connection.set_query_timeout(ms)`` and
``Connection.interrupt()`` (from another thread), as in Kùzu. Both raise
``QueryInterruptedError("Interrupted.")`` at the next check of the query's guard, which the
pipeline makes between chunks of rows (at most about one chunk of work late)."""

from __future__ import annotations

import contextlib
import contextvars
import threading
import time

from ..errors import QueryInterruptedError

_controls: contextvars.ContextVar[tuple | None] = contextvars.ContextVar(
    "ruzu_query_controls", default=None)


@contextlib.contextmanager
def query_controls(timeout_ms: int | None, event: threading.Event):
    """Queries started inside this block stop after ``timeout_ms`` milliseconds (None or 0:
    never) or once ``event`` is set."""
    deadline = time.monotonic() + timeout_ms / 1000 if timeout_ms else None
    token = _controls.set((deadline, event))
    try:
        yield
    finally:
        _controls.reset(token)


class Stopper:
    """The current query's deadline and interrupt flag, captured when the query starts."""

    def __init__(self) -> None:
        controls = _controls.get()
        self.deadline, self.event = controls if controls is not None else (None, None)

    def check(self) -> None:
        if (self.event is not None and self.event.is_set()) or (
            self.deadline is not None and time.monotonic() > self.deadline
        ):
            raise QueryInterruptedError("Interrupted.")
