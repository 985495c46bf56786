"""The selection rule the model is measured, audited and used with: each period's highest scores.

One rule for the evaluation (precision at capacity), the audit (who the list selects) and the
comparison of both, so that the audit judges the very selection the model card reports.
"""

from __future__ import annotations

import numpy as np

__all__ = ["select_top", "CAPACITY_TOO_LARGE"]

#: A capacity larger than any period: evaluation and audit refuse it alike.
CAPACITY_TOO_LARGE = ("The 'capacity' parameter of {section} must be an int in [1, {most}] (the most cases in any "
                      "test period). Got {capacity} instead.")


def select_top(score: np.ndarray, period: np.ndarray, capacity: int, tiebreak: np.ndarray) -> np.ndarray:
    """Boolean mask: the ``capacity`` highest scores of each period (ties broken by ``tiebreak``, ascending).

    >>> select_top(np.array([0.9, 0.1, 0.5, 0.5]), np.array(["a", "a", "b", "b"]), 1, np.array([0, 1, 3, 2])).tolist()
    [True, False, False, True]
    """
    order = np.lexsort((tiebreak, -np.asarray(score, dtype=float), period))
    sorted_period = np.asarray(period)[order]
    starts = np.r_[0, np.flatnonzero(sorted_period[1:] != sorted_period[:-1]) + 1]
    rank = np.arange(order.size) - np.repeat(starts, np.diff(np.r_[starts, order.size]))
    selected = np.zeros(order.size, dtype=bool)
    selected[order[rank < capacity]] = True
    return selected
