"""ORDER BY: a stable multi-key sort where NULL sorts after every value (so last with ASC,
first with DESC, as Kùzu does), with a partial selection first when only the top rows are kept.
"""

from __future__ import annotations

import numpy as np

from ..values.vectors import Const
from .grouping import sort_key

_TOP_K_MIN_ROWS = 50_000  # below this a full lexsort is already fast (< 5 ms)


def _lexsort_keys(keys: list[tuple[object, bool]], n: int) -> list[np.ndarray]:
    """numpy lexsort keys, most significant last."""
    out: list[np.ndarray] = []
    for value, descending in reversed(keys):
        if isinstance(value, Const):
            continue
        k = sort_key(value, n)
        if k.dtype == np.bool_:
            k = k.astype(np.int64)
        valid = getattr(value, "valid", None)
        if descending:
            k = ~k if k.dtype.kind in "iu" else -k
        out.append(k)
        if valid is not None and not valid.all():
            # NULL is the largest value: after all values ascending, before them descending.
            out.append(valid if descending else ~valid)
    return out


def sort_order(keys: list[tuple[object, bool]], n: int, keep: int | None = None) -> np.ndarray:
    """Row order for the sort keys [(vector, descending)]; ``keep`` limits the rows needed."""
    lex = _lexsort_keys(keys, n)
    if not lex:
        order = np.arange(n)
        return order if keep is None else order[:keep]
    if keep is not None and keep < n and n >= _TOP_K_MIN_ROWS:
        candidates = _top_candidates(lex[-1], keep)
        sub = np.lexsort([k[candidates] for k in lex] if len(lex) > 1 else [lex[0][candidates]])
        return candidates[sub][:keep]
    order = np.lexsort(lex) if len(lex) > 1 else np.argsort(lex[0], kind="stable")
    return order if keep is None else order[:keep]


def _top_candidates(primary: np.ndarray, keep: int) -> np.ndarray:
    """Rows whose most significant key is within the ``keep`` smallest (ties included), in row
    order, so the stable sort of the candidates gives the same prefix as a full sort."""
    if keep <= 0:
        return np.zeros(0, np.int64)
    kth = np.partition(primary, keep - 1)[keep - 1]
    return np.flatnonzero(primary <= kth)
