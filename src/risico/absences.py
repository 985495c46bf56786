"""Absent days per client and calendar month, from periods away (hospital stays, stays abroad).

Shared by the generator (a client's absence shapes what an honest provider bills) and the
provider features (billing for days the client was away), so both count a day the same way:
overlapping periods of one person count each day once, and a period is split over the
calendar months it touches. Days are day numbers since 1970-01-01, months are calendar months
since January 1970; both periods' ends are inclusive.
"""

from __future__ import annotations

import numpy as np

__all__ = ["absent_days_by_month", "absent_days_of", "days_in_month", "month_start"]


def month_start(month: np.ndarray) -> np.ndarray:
    """Day number of the first day of each month number."""
    return np.asarray(month, dtype=np.int64).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def days_in_month(month: np.ndarray) -> np.ndarray:
    """Number of days of each month number (28 to 31)."""
    month = np.asarray(month, dtype=np.int64)
    return month_start(month + 1) - month_start(month)


def absent_days_by_month(person: np.ndarray, start: np.ndarray,
                         end: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct ``(person, month)`` pairs with the number of days the person was away in that month.

    Parameters
    ----------
    person : ndarray of int
        Non-negative person codes, one per period.
    start, end : ndarray of int
        First and last day (inclusive) of each period; rows with ``end < start`` count nothing.

    Returns
    -------
    person, month, days : ndarray of int64, sorted by person and then month.

    Examples
    --------
    Two overlapping stays in January 2024 (days 1-10 and 5-12) and one crossing into February:

    >>> jan1 = 19723
    >>> p, m, d = absent_days_by_month(np.array([0, 0, 1]), np.array([jan1, jan1 + 4, jan1 + 29]),
    ...                                np.array([jan1 + 9, jan1 + 11, jan1 + 33]))
    >>> p.tolist(), (m - m.min()).tolist(), d.tolist()
    ([0, 1, 1], [0, 0, 1], [12, 2, 3])
    """
    person, start, end = (np.asarray(a, dtype=np.int64) for a in (person, start, end))
    keep = end >= start
    person, start, end = person[keep], start[keep], end[keep]
    if person.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    order = np.lexsort((end, start, person))
    person, start, end = person[order], start[order], end[order]
    # merge the overlapping periods of each person: a running maximum of the end within a person
    low = min(int(start.min()), int(end.min()))
    span = int(end.max()) - low + 2
    reach = np.maximum.accumulate(person * span + (end - low)) - person * span + low
    previous = np.r_[np.iinfo(np.int64).min, reach[:-1]]
    new = np.r_[True, person[1:] != person[:-1]] | (start > previous)
    first = np.flatnonzero(new)
    person, start, end = person[first], start[first], np.maximum.reduceat(end, first)
    # split every merged period over the months it touches
    m0 = start.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    m1 = end.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    n = m1 - m0 + 1
    row = np.repeat(np.arange(person.size), n)
    month = m0[row] + np.arange(row.size) - np.repeat(np.cumsum(n) - n, n)
    days = (np.minimum(end[row], month_start(month + 1) - 1) - np.maximum(start[row], month_start(month)) + 1)
    # two periods of one person can share a month: add them up
    n_months = int(month.max() - month.min()) + 1
    key = person[row] * n_months + (month - month.min())
    keys, inverse = np.unique(key, return_inverse=True)
    total = np.bincount(inverse, weights=days).astype(np.int64)
    return keys // n_months, keys % n_months + month.min(), total


def absent_days_of(person: np.ndarray, month: np.ndarray, absences: tuple[np.ndarray, np.ndarray, np.ndarray],
                   ) -> np.ndarray:
    """For each ``(person, month)`` query, the absent days from :func:`absent_days_by_month` (0 if none).

    >>> table = (np.array([0, 1]), np.array([600, 601]), np.array([5, 9]))
    >>> absent_days_of(np.array([1, 0, 0, -1]), np.array([601, 600, 601, 600]), table).tolist()
    [9, 5, 0, 0]
    """
    person = np.asarray(person, dtype=np.int64)
    month = np.asarray(month, dtype=np.int64)
    a_person, a_month, a_days = absences
    out = np.zeros(person.size, dtype=np.int64)
    if a_person.size == 0 or person.size == 0:
        return out
    low = min(int(a_month.min()), int(month.min()))
    width = max(int(a_month.max()), int(month.max())) - low + 1
    keys = a_person * width + (a_month - low)          # sorted: by person, then month
    query = person * width + (month - low)
    at = np.minimum(np.searchsorted(keys, query), keys.size - 1)
    hit = (keys[at] == query) & (person >= 0)
    out[hit] = a_days[at[hit]]
    return out
