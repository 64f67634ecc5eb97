"""numba date parsing shared by the record kernel (``_kernels``) and the nested-value kernels.

Dates are Kùzu's ``YYYY-M[M]-D[D]`` (years 0001-9999, real calendar days): the common
``YYYY-MM-DD`` form takes a fixed-width fast path.
"""

from __future__ import annotations

import numpy as np

from .._jit import kernel

_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


@kernel
def _days_from_civil(y, m, d):
    """Days since 1970-01-01 of a valid proleptic Gregorian date (H. Hinnant's algorithm)."""
    y -= 1 if m <= 2 else 0
    era = y // 400
    yoe = y - era * 400
    mp = m - 3 if m > 2 else m + 9
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


@kernel
def _number(a, i, e, most):
    """(value, end) of 1…``most`` ASCII digits at a[i:e]; value -1 when there are none."""
    v = 0
    j = i
    while j < e and j - i < most and 48 <= a[j] <= 57:
        v = v * 10 + (np.int64(a[j]) - 48)
        j += 1
    return (v if j > i else -1), j


@kernel
def _date_prefix(a, s, e):
    """The date at the start of a[s:e] -> (ok, days since 1970-01-01, end of the date)."""
    y, i = _number(a, s, e, 4)
    if i - s != 4 or i >= e or a[i] != 45:
        return False, 0, s
    m, i2 = _number(a, i + 1, e, 2)
    if m < 0 or i2 >= e or a[i2] != 45:
        return False, 0, s
    d, i3 = _number(a, i2 + 1, e, 2)
    if d < 0 or y < 1 or m < 1 or m > 12 or d < 1:
        return False, 0, s
    dim = _MONTH_DAYS[m]
    if m == 2 and (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)):
        dim = 29
    if d > dim:
        return False, 0, s
    return True, _days_from_civil(y, m, d), i3


@kernel
def _parse_date(a, s, e):
    """A whole field ``YYYY-M[M]-D[D]`` -> (ok, days since 1970-01-01)."""
    ok, days, end = _date_prefix(a, s, e)
    if not ok or end != e:
        return False, 0
    return True, days
