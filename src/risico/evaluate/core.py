"""Model performance on the test period, measured twice: against observed labels and against the truth.

The observed labels exist only for applications someone investigated, and
who got investigated was biased; the truth (synthetic world only) exists for
every application. The oracle, the generator's own true probability, shows
the best any model could do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from risico.evaluate.metrics import at_capacity, calibration_table, ranking_metrics

__all__ = ["evaluate_scores", "per_split", "calibration_frame"]


def _targets(labels: pd.DataFrame, truth: pd.DataFrame | None) -> dict[str, np.ndarray]:
    out = {"observed": labels["observed"].to_numpy(dtype=float)}
    if truth is not None:
        out["truth"] = truth["true_violation"].to_numpy(dtype=float)
    return out


def _score_metrics(target: np.ndarray, score: np.ndarray, period: np.ndarray, capacity: int,
                   tiebreak: np.ndarray) -> dict[str, float]:
    out = ranking_metrics(target, score)
    cap = at_capacity(target, score, period, capacity, tiebreak)
    out.update(precision_at_capacity=cap["precision"], recall_at_capacity=cap["recall"],
               selected=cap["selected"], selected_labelled=cap["selected_labelled"])
    return out


def evaluate_scores(scores: pd.DataFrame, labels: pd.DataFrame, meta: pd.DataFrame, truth: pd.DataFrame | None,
                    families: Sequence[str], selected: str, capacity: int) -> dict:
    """Test-period metrics for every family (and the oracle), against each available target.

    All frames are aligned row by row (same applications, same order).
    """
    test = (scores["split"] == "test").to_numpy()
    period = meta["period"].to_numpy()[test]
    tiebreak = np.arange(test.sum())
    targets = {name: values[test] for name, values in _targets(labels, truth).items()}
    result: dict = {"capacity_per_month": capacity, "test_applications": int(test.sum()), "families": {}}
    for family in families:
        score = scores[f"score_{family}"].to_numpy()[test]
        result["families"][family] = {t: _score_metrics(y, score, period, capacity, tiebreak)
                                      for t, y in targets.items()}
    if truth is not None:
        oracle = truth["true_probability"].to_numpy()[test]
        result["oracle"] = {t: _score_metrics(y, oracle, period, capacity, tiebreak) for t, y in targets.items()}
        best = result["families"][selected]["truth"]
        result["vs_oracle"] = {
            "roc_auc_ratio": _ratio(best["roc_auc"], result["oracle"]["truth"]["roc_auc"]),
            "precision_at_capacity_ratio": _ratio(best["precision_at_capacity"],
                                                  result["oracle"]["truth"]["precision_at_capacity"]),
        }
    result["selected"] = selected
    return result


def per_split(scores: pd.DataFrame, labels: pd.DataFrame, truth: pd.DataFrame | None, family: str) -> dict:
    """The selected family's ranking metrics per split: how performance holds up over time."""
    out = {}
    targets = _targets(labels, truth)
    for split in ("train", "validation", "test"):
        rows = (scores["split"] == split).to_numpy()
        score = scores[f"score_{family}"].to_numpy()[rows]
        out[split] = {t: ranking_metrics(y[rows], score) for t, y in targets.items()}
    return out


def calibration_frame(scores: pd.DataFrame, labels: pd.DataFrame, truth: pd.DataFrame | None,
                      families: Sequence[str], bins: int = 10) -> pd.DataFrame:
    """Calibration curves on the test period, per family and target, for ``dvc plots``."""
    test = (scores["split"] == "test").to_numpy()
    frames = []
    for family in families:
        score = scores[f"score_{family}"].to_numpy()[test]
        for target, y in _targets(labels, truth).items():
            table = calibration_table(y[test], score, bins)
            frames.append(table.assign(model=family, target=target))
    return pd.concat(frames, ignore_index=True)[["model", "target", "bin", "predicted", "observed", "n"]]


def _ratio(a: float, b: float) -> float:
    return round(a / b, 4) if np.isfinite(a) and np.isfinite(b) and b else float("nan")


def gap_table(result: Mapping) -> pd.DataFrame:
    """Side by side, per family: each metric against observed labels and against the truth, and the gap."""
    rows = []
    for family, targets in {**result["families"], **({"oracle": result["oracle"]} if "oracle" in result else {})}.items():
        for metric in ("roc_auc", "pr_auc", "brier", "precision_at_capacity", "recall_at_capacity"):
            observed = targets["observed"][metric]
            true = targets.get("truth", {}).get(metric, float("nan"))
            rows.append({"model": family, "metric": metric, "observed": observed, "truth": true,
                         "gap": round(observed - true, 6) if np.isfinite(observed) and np.isfinite(true) else np.nan})
    return pd.DataFrame(rows)
