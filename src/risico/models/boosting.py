"""The black-box comparator: scikit-learn's ``HistGradientBoostingClassifier``.

It is here to show what the glass-box families give up, if anything; it has no
faithful local explanation, so :meth:`HGBModel.contributions` returns None.

Choices
-------
* ``str`` categories are ordinal-encoded (codes in sorted order of the values
  seen in training; missing and unseen values become NaN) and declared
  categorical, so the trees split on sets of values rather than on the codes'
  order. Bools become 0/1 numbers.
* Monotone constraints go to ``monotonic_cst`` (numbers and bools only).
* ``n_threads=1`` by default (OpenMP threads, set with threadpoolctl). On a busy
  machine the trees' many short parallel sections stall: on the 2-CPU
  development machine, next to another test run, a 4,000-row fit took 23-92 s
  with 2 threads and 1 s with 1. One thread also gives the same sums, so the
  same model, on any machine. Raise it for large data on a quiet machine.
* Global importance is permutation importance on the calibration set (drop in
  ROC AUC, ``n_repeats=3``, seeded with ``random_state``), computed once at fit
  time. Permuting an encoded column is permuting the raw column, so it runs on
  the encoded matrix. Negative importances (noise) are shown as 0.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from risico.models.base import (Calibration, Option, RiskModel, category_values, new_figure, numeric_values,
                                save_figure)

__all__ = ["HGBModel"]

_N_REPEATS = 3


class HGBModel(RiskModel):
    """Histogram gradient boosting with calibrated probabilities (see the module notes)."""

    name: ClassVar[str] = "hgb"
    options: ClassVar[dict[str, Option]] = {
        "max_iter": Option.int_at_least(200, 1),
        "learning_rate": Option.float_above(0.1, 0.0),
        "max_leaf_nodes": Option.int_at_least(31, 2),
        "l2_regularization": Option(0.0, "a number >= 0",
                                    lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0),
        "n_threads": Option.int_at_least(1, 1),
    }

    def __init__(self, *, random_state: int = 0, monotone: dict[str, int] | None = None,
                 calibration: Calibration = "sigmoid", max_iter: int = 200, learning_rate: float = 0.1,
                 max_leaf_nodes: int = 31, l2_regularization: float = 0.0, n_threads: int = 1) -> None:
        self.random_state = random_state
        self.monotone = monotone
        self.calibration = calibration
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.l2_regularization = l2_regularization
        self.n_threads = n_threads

    # -- fitting and scoring ----------------------------------------------------------------------------------

    def fit(self, X: pd.DataFrame, y: Any, *, sample_weight: Any = None, X_calib: pd.DataFrame,
            y_calib: Any) -> Self:
        with threadpool_limits(limits=self.n_threads, user_api="openmp"):
            super().fit(X, y, sample_weight=sample_weight, X_calib=X_calib, y_calib=y_calib)
            self._permutation_importance(X_calib, y_calib)
        return self

    def _fit(self, X: pd.DataFrame, y: np.ndarray, sample_weight: np.ndarray | None,
             monotone: dict[str, int]) -> None:
        from sklearn.ensemble import HistGradientBoostingClassifier

        names, kinds = self.schema_.names, self.schema_.kinds
        self.categories_ = {name: tuple(sorted(str(v) for v in X[name].dropna().unique()))
                            for name, kind in zip(names, kinds) if kind == "category"}
        self.hgb_ = HistGradientBoostingClassifier(
            max_iter=self.max_iter, learning_rate=self.learning_rate, max_leaf_nodes=self.max_leaf_nodes,
            l2_regularization=self.l2_regularization, categorical_features=[k == "category" for k in kinds],
            monotonic_cst=[monotone.get(name, 0) for name in names] if monotone else None,
            random_state=self.random_state)
        self.hgb_.fit(self._encode(X), y, sample_weight=sample_weight)

    def _encode(self, X: pd.DataFrame) -> np.ndarray:
        columns = []
        for name, kind in zip(self.schema_.names, self.schema_.kinds):
            if kind == "category":
                codes = pd.Index(self.categories_[name], dtype=object).get_indexer(category_values(X[name]))
                columns.append(np.where(codes < 0, np.nan, codes.astype(float)))
            else:
                columns.append(numeric_values(X[name]))
        return np.column_stack(columns)

    def _decision(self, X: pd.DataFrame) -> np.ndarray:
        encoded = self._encode(X)
        with threadpool_limits(limits=self.n_threads, user_api="openmp"):
            return np.asarray(self.hgb_.decision_function(encoded), dtype=float)

    def _permutation_importance(self, X_calib: pd.DataFrame, y_calib: Any) -> None:
        from sklearn.inspection import permutation_importance

        encoded = self._encode(self.schema_.check(X_calib, self.name, "X_calib"))
        result = permutation_importance(self.hgb_, encoded, np.asarray(y_calib, dtype=np.int8), scoring="roc_auc",
                                        n_repeats=_N_REPEATS, random_state=self.random_state)
        self.permutation_importance_ = pd.DataFrame(
            {"feature": list(self.schema_.names), "importance": result.importances_mean,
             "std": result.importances_std}
        ).sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)

    # -- explanations -----------------------------------------------------------------------------------------

    def global_importance(self) -> pd.Series:
        """Drop in ROC AUC on the calibration set when the feature is shuffled (negative shown as 0)."""
        self._require_fitted()
        table = self.permutation_importance_
        series = pd.Series(table["importance"].clip(lower=0.0).to_numpy(), index=table["feature"].to_list(),
                           name="importance")
        return series.sort_values(ascending=False, kind="stable")

    def summary_table(self) -> pd.DataFrame:
        """Permutation importances (mean and standard deviation over the repeats), most important first."""
        self._require_fitted()
        return self.permutation_importance_.copy()

    def figures(self, folder: Path, *, top: int = 8) -> list[Path]:
        """One PNG: the permutation importances of the ``top`` features, with their spread."""
        table = self.summary_table().head(top)
        figure = new_figure(6.0, 1.2 + 0.32 * len(table))
        axes = figure.add_subplot()
        positions = np.arange(len(table))[::-1]
        axes.barh(positions, table["importance"], xerr=table["std"], color="tab:grey")
        axes.set_yticks(positions, table["feature"].to_list())
        axes.axvline(0.0, color="black", linewidth=0.8)
        axes.set_xlabel("drop in ROC AUC when shuffled (calibration set)")
        axes.set_title("Gradient boosting: permutation importance")
        return [save_figure(figure, folder, "hgb_permutation_importance")]
