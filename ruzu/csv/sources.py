"""Opening an input file as bytes."""

from __future__ import annotations

import io


def open_binary(path: str) -> io.BufferedIOBase:
    return open(path, "rb")  # noqa: SIM115 - the caller closes it
