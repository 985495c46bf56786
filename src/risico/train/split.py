"""Temporal split, grouped by household.

Applications before ``validation_start`` train the model, those before
``test_start`` calibrate it, the rest test it: the model is always judged on a
later period than it learned from. A household never sits on two sides: when
it has an application in a later set, its earlier applications are left out
(``excluded``) rather than let the model meet the same household twice.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

__all__ = ["SPLITS", "temporal_split"]

SPLITS = ("train", "validation", "test", "excluded")


def temporal_split(meta: pd.DataFrame, validation_start: dt.date, test_start: dt.date, *,
                   date: str = "application_date", group: str = "household_id") -> pd.Series:
    """The split of every row (``meta`` has a ``date`` and a ``group`` column: an application's date and
    household, or a provider-quarter's start and provider).

    >>> meta = pd.DataFrame({"household_id": ["a", "a", "b", "c"],
    ...                      "application_date": pd.to_datetime(["2022-03-01", "2024-02-01", "2022-05-01",
    ...                                                          "2023-08-01"])})
    >>> temporal_split(meta, dt.date(2023, 7, 1), dt.date(2024, 1, 1)).tolist()
    ['excluded', 'test', 'train', 'validation']
    """
    when = meta[date].to_numpy()
    stage = np.where(when < np.datetime64(validation_start), 0, np.where(when < np.datetime64(test_start), 1, 2))
    latest = pd.Series(stage, index=meta.index).groupby(meta[group].to_numpy()).transform("max").to_numpy()
    label = np.where(stage == latest, stage, 3)
    return pd.Series(np.array(SPLITS, dtype=object)[label], index=meta.index, name="split", dtype="str")
