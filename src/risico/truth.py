"""The synthetic world's ground truth, aligned with the applications a stage works on."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

__all__ = ["aligned_truth"]

log = logging.getLogger(__name__)


def aligned_truth(folder: Path | None, application_ids: pd.Series) -> pd.DataFrame | None:
    """``applications_truth`` in the order of ``application_ids``, or None when the truth does not cover them.

    A municipality's own extract has no truth: stages then report against the
    observed labels only.
    """
    if folder is None or not (folder / "applications_truth.parquet").is_file():
        return None
    truth = pd.read_parquet(folder / "applications_truth.parquet").set_index("application_id")
    aligned = truth.reindex(application_ids)
    if aligned["true_violation"].isna().any():
        log.warning("no ground truth for these applications: results against the truth are left out")
        return None
    return aligned.reset_index()
