"""Structural checks of offsets and CSR arrays before queries index with them.

The checksum check (files.py) catches damaged bytes; these catch a manifest whose table state
disagrees with its files (hand-edited with a recomputed checksum, or a bug): string offsets and
CSR indptr must start at 0, never decrease and end inside their data; neighbour and edge ids
must be in range. Each is one streaming pass over a memmap in bounded chunks.
"""

from __future__ import annotations

import numpy as np

from ..errors import CorruptDatabaseError

_CHUNK = 1 << 20


def check_offsets(offsets: np.ndarray, end: int, where: str) -> None:
    """``offsets`` starts at 0, never decreases and ends at ``end``."""
    n = len(offsets)
    if n == 0:
        return
    if int(offsets[0]) != 0 or int(offsets[-1]) != end:
        raise CorruptDatabaseError(
            f"{where}: offsets run from {int(offsets[0])} to {int(offsets[-1])}, expected 0 to "
            f"{end} (damaged database)"
        )
    for lo in range(0, n - 1, _CHUNK):
        part = np.asarray(offsets[lo : min(n, lo + _CHUNK + 1)])
        bad = np.flatnonzero(part[1:] < part[:-1])
        if len(bad):
            i = lo + int(bad[0])
            raise CorruptDatabaseError(
                f"{where}: offsets decrease at entry {i + 1} ({int(offsets[i])} then "
                f"{int(offsets[i + 1])}) (damaged database)"
            )


def check_range(values: np.ndarray, limit: int, where: str) -> None:
    """Every value lies in ``0 … limit-1``."""
    for lo in range(0, len(values), _CHUNK):
        part = values[lo : lo + _CHUNK]
        low, high = int(part.min()), int(part.max())
        if low < 0 or high >= limit:
            raise CorruptDatabaseError(
                f"{where}: holds {low if low < 0 else high}, outside 0…{limit - 1} "
                "(damaged database)"
            )
