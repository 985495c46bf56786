"""The synthetic world's ground truth, aligned with the applications a stage works on."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

__all__ = ["aligned_truth"]

log = logging.getLogger(__name__)


def aligned_truth(folder: Path | None, keys: pd.Series, *, table: str = "applications_truth",
                  key: str = "application_id", label: str = "true_violation",
                  probability: str = "true_probability") -> pd.DataFrame | None:
    """``<table>`` in the order of ``keys`` (one row per key, repeated keys repeat the row), or None when the
    truth does not cover them.

    The result has the columns ``true_violation`` and ``true_probability``
    whatever the table calls them. A municipality's own extract has no truth:
    stages then report against the observed labels only.
    """
    if folder is None or not (folder / f"{table}.parquet").is_file():
        return None
    truth = pd.read_parquet(folder / f"{table}.parquet").set_index(key)
    truth = truth.rename(columns={label: "true_violation", probability: "true_probability"})
    aligned = truth.reindex(keys.to_numpy())
    aligned.index.name = key
    if aligned["true_violation"].isna().any():
        log.warning("no ground truth for some rows of %s: results against the truth are left out", table)
        return None
    return aligned.reset_index()
