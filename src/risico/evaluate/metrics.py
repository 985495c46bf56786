"""Ranking and calibration metrics, against observed labels or the truth, and at the inspectors' capacity.

Labels may be missing (NaN): an application nobody investigated has no
observed label. Every metric then uses only the labelled rows, as a
municipality evaluating on its own past investigations would.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from risico.selection import select_top

__all__ = ["ranking_metrics", "at_capacity", "calibration_table"]


def ranking_metrics(label: np.ndarray, score: np.ndarray) -> dict[str, float]:
    """ROC AUC, PR AUC (average precision), Brier score and counts on the labelled rows."""
    label = np.asarray(label, dtype=float)
    score = np.asarray(score, dtype=float)
    known = ~np.isnan(label)
    y, s = label[known], score[known]
    out = {"n": int(known.sum()), "positives": int(y.sum()), "base_rate": _f(y.mean() if y.size else np.nan)}
    if y.size and 0 < y.sum() < y.size:
        out.update(roc_auc=_f(roc_auc_score(y, s)), pr_auc=_f(average_precision_score(y, s)),
                   brier=_f(brier_score_loss(y, np.clip(s, 0, 1))))
    else:
        out.update(roc_auc=float("nan"), pr_auc=float("nan"), brier=float("nan"))
    return out


def at_capacity(label: np.ndarray, score: np.ndarray, period: np.ndarray, capacity: int,
                tiebreak: np.ndarray) -> dict[str, float]:
    """Precision and recall when each period's top ``capacity`` applications are selected.

    Precision counts, among the selected applications that have a label, the
    share that is positive; recall is the share of all labelled positives
    that were selected. Both pooled over periods.
    """
    label = np.asarray(label, dtype=float)
    selected = select_top(score, period, capacity, tiebreak)
    known = ~np.isnan(label)
    hits = selected & known & (label == 1)
    chosen = selected & known
    positives = known & (label == 1)
    return {"k_per_period": int(capacity), "selected": int(selected.sum()), "selected_labelled": int(chosen.sum()),
            "precision": _f(hits.sum() / chosen.sum() if chosen.any() else np.nan),
            "recall": _f(hits.sum() / positives.sum() if positives.any() else np.nan)}


def calibration_table(label: np.ndarray, score: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Mean predicted probability and observed rate per quantile bin of the score (labelled rows only)."""
    label = np.asarray(label, dtype=float)
    score = np.asarray(score, dtype=float)
    known = ~np.isnan(label)
    y, s = label[known], score[known]
    if y.size == 0:
        return pd.DataFrame(columns=["bin", "predicted", "observed", "n"])
    edges = np.unique(np.quantile(s, np.linspace(0, 1, bins + 1)[1:-1]))
    which = np.searchsorted(edges, s, side="right")
    frame = pd.DataFrame({"bin": which, "predicted": s, "observed": y})
    table = frame.groupby("bin").agg(predicted=("predicted", "mean"), observed=("observed", "mean"),
                                     n=("observed", "size")).reset_index()
    return table.round({"predicted": 6, "observed": 6})


def _f(value: float) -> float:
    return round(float(value), 6) if np.isfinite(value) else float("nan")
