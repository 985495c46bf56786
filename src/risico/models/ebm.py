"""The glass-box default: an Explainable Boosting Machine (interpret's ``ExplainableBoostingClassifier``).

Choices
-------
* Numbers and bools are ``continuous`` features (a bool as 0/1, so it can carry a
  monotone constraint); ``str`` categories are ``nominal``.
* ``interactions=10`` pairs and ``outer_bags=4`` by default: interpret's own
  defaults ("3x" pairs, 14 bags) took 15 minutes on 100,000 x 30 rows on the
  development machine, these settings well under a minute.
* Monotone constraints use interpret 0.7.8's ``monotone_constraints`` during
  boosting; interpret leaves constrained features out of every pairwise term,
  so the constraint holds for the whole model. After fitting, each constrained
  shape function is checked, and ``monotonize`` (isotonic post-processing) is
  applied only where boosting left a violation.
* Missing values get their own score (bin 0 of each term); the shape figures
  print it, since a line chart cannot show it.
* Contributions come from ``eval_terms``: a main effect belongs to its feature,
  and each pairwise term is split equally over its two features, so a row's
  contributions still sum to its log-odds minus ``intercept_``. Global importance
  splits the pair importances the same way.
* The same model on every x86-64 processor: interpret picks its native code by
  processor (AVX-512, AVX2 or plain), and the three give different last bits,
  which moved test metrics in the fourth decimal between an AVX-512 and an
  AVX2 machine. Fitting and scoring are therefore pinned to interpret's AVX2
  path (:data:`ACCELERATION`), which every x86-64 processor of the last decade,
  Intel and AMD alike, runs with identical results; a processor without AVX2
  falls back to the plain path (and then agrees to about 1e-2 in probability).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from risico.models.base import (Calibration, Option, RiskModel, category_values, new_figure, numeric_values,
                                save_figure, slug)

__all__ = ["EBMModel"]

_ENCODING = {"numeric": "continuous", "bool": "continuous", "category": "nominal"}
_YLABEL = "contribution to log-odds"
_MISSING = "missing"
#: interpret's ``AccelerationFlags_AVX2``: its AVX2 path only, never the AVX-512 one (see the module notes).
ACCELERATION = 0x00000002


@contextlib.contextmanager
def pinned_acceleration() -> Iterator[None]:
    """Run interpret's native code on :data:`ACCELERATION` inside the block, then restore the option."""
    from interpret import develop

    before = develop.get_option("acceleration")
    develop.set_option("acceleration", ACCELERATION)
    try:
        yield
    finally:
        develop.set_option("acceleration", before)


class EBMModel(RiskModel):
    """Explainable Boosting Machine with calibrated probabilities (see the module notes)."""

    name: ClassVar[str] = "ebm"
    options: ClassVar[dict[str, Option]] = {
        "interactions": Option.int_at_least(10, 0),
        "outer_bags": Option.int_at_least(4, 1),
        "n_jobs": Option(-1, "an int other than 0", lambda v: isinstance(v, int) and not isinstance(v, bool) and v != 0),
    }

    def __init__(self, *, random_state: int = 0, monotone: dict[str, int] | None = None,
                 calibration: Calibration = "sigmoid", interactions: int = 10, outer_bags: int = 4,
                 n_jobs: int = -1) -> None:
        self.random_state = random_state
        self.monotone = monotone
        self.calibration = calibration
        self.interactions = interactions
        self.outer_bags = outer_bags
        self.n_jobs = n_jobs

    # -- fitting and scoring ----------------------------------------------------------------------------------

    def _fit(self, X: pd.DataFrame, y: np.ndarray, sample_weight: np.ndarray | None,
             monotone: dict[str, int]) -> None:
        from interpret.glassbox import ExplainableBoostingClassifier

        names = self.schema_.names
        constraints = [monotone.get(name, 0) for name in names] if monotone else None
        ebm = ExplainableBoostingClassifier(
            feature_names=list(names), feature_types=[_ENCODING[k] for k in self.schema_.kinds],
            interactions=self.interactions, outer_bags=self.outer_bags, n_jobs=self.n_jobs,
            monotone_constraints=constraints, random_state=self.random_state)
        with warnings.catch_warnings():   # missing values are handled: own bin, shown in the figures
            warnings.filterwarnings("ignore", message="Missing values detected", category=UserWarning)
            with pinned_acceleration():
                ebm.fit(self._encode(X), y, sample_weight=sample_weight)
        for feature, direction in monotone.items():
            term = ebm.term_names_.index(feature)
            steps = np.diff(ebm.term_scores_[term][1:-1]) * direction   # without the missing and unknown bins
            if (steps < 0).any():
                ebm.monotonize(term, increasing=direction > 0)
        self.ebm_ = ebm
        self.intercept_ = float(np.asarray(ebm.intercept_).reshape(-1)[0])
        self.term_to_feature_ = self._term_matrix(ebm.term_features_, len(names))

    def _encode(self, X: pd.DataFrame) -> pd.DataFrame:
        columns = {}
        for name, kind in zip(self.schema_.names, self.schema_.kinds):
            columns[name] = category_values(X[name]) if kind == "category" else numeric_values(X[name])
        return pd.DataFrame(columns, index=X.index)

    @staticmethod
    def _term_matrix(term_features: list[tuple[int, ...]], n_features: int) -> np.ndarray:
        """(n_terms, n_features): each term's share that goes to each feature (1 for a main effect, 1/2 for a pair)."""
        matrix = np.zeros((len(term_features), n_features))
        for term, features in enumerate(term_features):
            matrix[term, list(features)] = 1.0 / len(features)
        return matrix

    def _decision(self, X: pd.DataFrame) -> np.ndarray:
        with pinned_acceleration():
            return np.asarray(self.ebm_.decision_function(self._encode(X)), dtype=float)

    def _contributions(self, X: pd.DataFrame) -> np.ndarray:
        with pinned_acceleration():
            return np.asarray(self.ebm_.eval_terms(self._encode(X)), dtype=float) @ self.term_to_feature_

    # -- explanations -----------------------------------------------------------------------------------------

    def global_importance(self) -> pd.Series:
        """Mean absolute contribution per feature on the training data (pairs split equally)."""
        self._require_fitted()
        per_feature = self.ebm_.term_importances() @ self.term_to_feature_
        series = pd.Series(per_feature, index=list(self.schema_.names), name="importance")
        return series.sort_values(ascending=False, kind="stable")

    def summary_table(self) -> pd.DataFrame:
        """The terms (main effects and pairs) with their importance, most important first."""
        self._require_fitted()
        table = pd.DataFrame({
            "term": list(self.ebm_.term_names_),
            "kind": ["main" if len(f) == 1 else "interaction" for f in self.ebm_.term_features_],
            "importance": self.ebm_.term_importances(),
        })
        return table.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)

    def figures(self, folder: Path, *, top: int = 8) -> list[Path]:
        """One PNG per shape function of the ``top`` most important terms."""
        self._require_fitted()
        explanation = self.ebm_.explain_global()
        order = np.argsort(-self.ebm_.term_importances(), kind="stable")[:top]
        paths = []
        for rank, term in enumerate(order, start=1):
            term_name = self.ebm_.term_names_[term]
            figure = new_figure(6.0, 3.6)
            axes = figure.add_subplot()
            data = explanation.data(int(term))
            if len(self.ebm_.term_features_[term]) == 1:
                self._plot_main(axes, term, data)
            else:
                self._plot_pair(figure, axes, term, data)
            axes.set_title(f"{rank}. {term_name}")
            paths.append(save_figure(figure, folder, f"ebm_shape_{rank:02d}_{slug(term_name)}"))
        return paths

    def _plot_main(self, axes: Any, term: int, data: dict[str, Any]) -> None:
        feature = self.ebm_.term_features_[term][0]
        kind = self.schema_.kinds[feature]
        scores = np.asarray(data["scores"], dtype=float)
        if kind == "numeric":
            edges = np.asarray(data["names"], dtype=float)
            axes.stairs(scores, edges, baseline=None, color="tab:blue")
            if "lower_bounds" in data and "upper_bounds" in data:
                axes.stairs(np.asarray(data["upper_bounds"]), edges, baseline=np.asarray(data["lower_bounds"]),
                            fill=True, alpha=0.2, color="tab:blue")
            axes.set_xlabel(self.schema_.names[feature])
        else:
            labels = ["False", "True"] if kind == "bool" else [str(n) for n in data["names"]]
            colors = ["tab:red" if s > 0 else "tab:blue" for s in scores]
            axes.bar(labels[: len(scores)], scores, color=colors)
            axes.tick_params(axis="x", labelrotation=30)
        axes.axhline(0.0, color="grey", linewidth=0.8)
        axes.set_ylabel(_YLABEL)
        if self.ebm_.bin_weights_[term][0] > 0:   # bin 0 holds the missing values
            axes.text(0.02, 0.95, f"{_MISSING}: {self.ebm_.term_scores_[term][0]:+.3f}", transform=axes.transAxes,
                      va="top", fontsize=9)

    def _plot_pair(self, figure: Any, axes: Any, term: int, data: dict[str, Any]) -> None:
        scores = np.asarray(data["scores"], dtype=float)
        limit = float(np.abs(scores).max()) or 1.0
        image = axes.imshow(scores.T, origin="lower", aspect="auto", cmap="RdBu_r", vmin=-limit, vmax=limit)
        left, right = (self.schema_.names[f] for f in self.ebm_.term_features_[term])
        axes.set_xlabel(left)
        axes.set_ylabel(right)
        for setter, names, count in ((axes.set_xticks, data["left_names"], scores.shape[0]),
                                     (axes.set_yticks, data["right_names"], scores.shape[1])):
            positions = np.linspace(0, count - 1, min(count, 6)).round().astype(int)
            setter(positions, [_short(names[p]) for p in positions])
        figure.colorbar(image, ax=axes, label=_YLABEL)


def _short(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, (float, np.floating)) else str(value)
