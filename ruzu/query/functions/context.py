"""What a function sees of the expression evaluator calling it: the frame (rows) and the
graph (catalog and storage)."""

from __future__ import annotations

from typing import Protocol


class Evaluator(Protocol):
    """The evaluator (``exec.evaluator.Evaluator``) as functions use it."""

    graph: object
    frame: object
