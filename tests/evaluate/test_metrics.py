import numpy as np
import pandas as pd
import pytest

from risico.evaluate.metrics import at_capacity, calibration_table, ranking_metrics
from risico.selection import select_top


def test_select_top_per_period_with_deterministic_ties():
    score = np.array([0.9, 0.5, 0.5, 0.1, 0.8, 0.8, 0.2])
    period = np.array(["a", "a", "a", "a", "b", "b", "b"])
    tiebreak = np.array([0, 2, 1, 3, 5, 4, 6])
    assert select_top(score, period, 2, tiebreak).tolist() == [True, False, True, False, True, True, False]
    assert select_top(score, period, 1, tiebreak).tolist() == [True, False, False, False, False, True, False]


def test_at_capacity_ignores_missing_labels_in_precision():
    label = np.array([1, np.nan, 0, 1, 1, np.nan])
    score = np.array([0.9, 0.8, 0.7, 0.1, 0.6, 0.5])
    period = np.array(["m"] * 6)
    out = at_capacity(label, score, period, 3, np.arange(6))
    assert out["selected"] == 3 and out["selected_labelled"] == 2
    assert out["precision"] == pytest.approx(0.5)
    assert out["recall"] == pytest.approx(1 / 3)


def test_ranking_metrics_on_a_perfect_and_a_useless_score():
    y = np.array([0, 0, 1, 1, np.nan])
    perfect = ranking_metrics(y, np.array([0.1, 0.2, 0.8, 0.9, 0.5]))
    assert perfect["roc_auc"] == 1.0 and perfect["n"] == 4 and perfect["positives"] == 2
    reversed_ = ranking_metrics(y, np.array([0.9, 0.8, 0.2, 0.1, 0.5]))
    assert reversed_["roc_auc"] == 0.0
    one_class = ranking_metrics(np.array([0, 0, 0]), np.array([0.1, 0.2, 0.3]))
    assert np.isnan(one_class["roc_auc"])


def test_calibration_table_bins_by_score():
    rng = np.random.default_rng(0)
    score = rng.random(10_000)
    label = (rng.random(10_000) < score).astype(float)
    table = calibration_table(label, score, bins=5)
    assert len(table) == 5 and table["n"].sum() == 10_000
    assert np.allclose(table["predicted"], table["observed"], atol=0.03)
