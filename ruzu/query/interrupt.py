"""Stopping a running query: ``Connection.set_query_timeout(ms)`` and
``Connection.interrupt()`` (from another thread), as in Kùzu. Both raise
``QueryInterruptedError("Interrupted.")`` at the next check of the query's guard, which the
pipeline makes between chunks of rows (at most about one chunk of work late)."""

from __future__ import annotations

import time

from ..errors import QueryInterruptedError
from .options import current


class Stopper:
    """The current query's deadline and interrupt flag, captured when the query starts."""

    def __init__(self) -> None:
        running = current()  # set by the connection (options.running_with)
        self.deadline, self.event = running.deadline, running.interrupt

    def check(self) -> None:
        if (self.event is not None and self.event.is_set()) or (
            self.deadline is not None and time.monotonic() > self.deadline
        ):
            raise QueryInterruptedError("Interrupted.")
