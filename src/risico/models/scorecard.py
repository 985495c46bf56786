"""The scorecard: binned features, one-hot, an L2 logistic regression, and a points table a person can apply.

Choices
-------
* Numbers are cut into up to ``n_bins`` quantile bins fitted on the training
  data. The edges are rounded to a readable step (a tenth of the order of
  magnitude of the span of the edges, e.g. 190, 400, 600, 800 rather than 193.4,
  396.1, ...; whole numbers for whole-number features), and
  the rounded edges *are* the rule: what the table says is what the model does.
  Empty bins are merged away. Bools have the bins False and True; a ``str``
  category has one bin per value seen in training. A missing value has its own
  bin when training had missing values.
* Bin labels: ``< 20``, ``20 - 45`` (20 included, 45 not), ``>= 45``; for
  whole-number features inclusive ranges (``2 - 4``, ``<= 0``).
* Contributions are the bin coefficients, centred per feature on the training
  population (weighted share of each bin), so 0 is "as the average applicant";
  ``intercept_`` takes the centring. A value never seen in training (a new
  category, a missing value where training had none) contributes 0.
* Points: ``points = round(contribution * pdo / ln 2)``; with ``pdo=20`` every
  20 points double the odds. The base row holds ``round(intercept_ * pdo / ln 2)``.
  Base plus a row's points, times ``ln 2 / pdo``, is the uncalibrated log-odds
  (up to rounding).
* Monotone constraints are met the classic scorecard way: fit, and where the
  bin coefficients of a constrained feature step the wrong way, merge the two
  bins and refit, until every constrained feature is monotone (the missing bin
  is not ordered and not constrained).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd
import scipy.sparse as sp

from risico.models.base import (Calibration, Kind, Option, RiskModel, category_values, new_figure, numeric_values,
                                save_figure)

__all__ = ["ScorecardModel", "BASE_ROW"]

BASE_ROW = "(base)"
_TOLERANCE = 1e-9


@dataclasses.dataclass(frozen=True)
class _Binning:
    """How one feature is cut into bins; bin ``-1`` is "never seen in training"."""

    feature: str
    kind: Kind
    edges: tuple[float, ...] = ()          # numeric and bool: interior edges, bins include their lower edge
    categories: tuple[str, ...] = ()       # category: the values seen in training
    whole: bool = False                    # numeric: all training values are whole numbers
    has_missing: bool = False

    @property
    def n_value_bins(self) -> int:
        return len(self.categories) if self.kind == "category" else len(self.edges) + 1

    @property
    def n_bins(self) -> int:
        return self.n_value_bins + self.has_missing

    def index(self, series: pd.Series) -> np.ndarray:
        missing_bin = self.n_value_bins if self.has_missing else -1
        if self.kind == "category":
            values = category_values(series)
            found = pd.isna(values)
            idx = pd.Index(self.categories, dtype=object).get_indexer(values)
        else:
            values = numeric_values(series)
            found = np.isnan(values)
            idx = np.searchsorted(np.asarray(self.edges, dtype=float), values, side="right")
        return np.where(found, missing_bin, idx).astype(np.int64)

    def labels(self) -> list[str]:
        if self.kind == "category":
            labels = list(self.categories)
        elif self.kind == "bool":
            labels = ["False", "True"] if self.edges else ["all"]
        else:
            labels = _numeric_labels(self.edges, self.whole)
        return labels + (["missing"] if self.has_missing else [])

    def without_edge(self, position: int) -> _Binning:
        """This binning with the value bins ``position`` and ``position + 1`` merged."""
        return dataclasses.replace(self, edges=self.edges[:position] + self.edges[position + 1:])


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _numeric_labels(edges: tuple[float, ...], whole: bool) -> list[str]:
    if not edges:
        return ["all"]
    if whole:   # whole-number edges: [a, b) holds a .. b - 1
        first = [f"<= {_fmt(edges[0] - 1)}"]
        middle = [_fmt(lo) if hi - lo == 1 else f"{_fmt(lo)} - {_fmt(hi - 1)}" for lo, hi in zip(edges, edges[1:])]
    else:
        first = [f"< {_fmt(edges[0])}"]
        middle = [f"{_fmt(lo)} - {_fmt(hi)}" for lo, hi in zip(edges, edges[1:])]
    return first + middle + [f">= {_fmt(edges[-1])}"]


def _quantile_edges(values: np.ndarray, n_bins: int) -> tuple[tuple[float, ...], bool]:
    """Readable quantile edges that leave no training bin empty, and whether the values are whole numbers."""
    finite = values[~np.isnan(values)]
    if len(finite) == 0:
        return (), False
    whole = bool(np.all(finite == np.round(finite)))
    edges = np.quantile(finite, np.linspace(0.0, 1.0, n_bins + 1)[1:-1])
    if whole:
        edges = np.ceil(edges)
    else:
        scale = float(edges.max() - edges.min()) or float(np.abs(edges).max()) or 1.0
        step = 10.0 ** (np.floor(np.log10(scale)) - 1)
        edges = np.round(edges / step) * step
        edges = np.array([float(f"{e:.12g}") for e in edges])   # drop float noise such as 0.30000000000000004
    kept: list[float] = []
    lower = -np.inf
    for edge in np.unique(edges):
        if ((finite >= lower) & (finite < edge)).any():
            kept.append(float(edge))
            lower = edge
    if kept and not (finite >= kept[-1]).any():
        kept.pop()
    return tuple(kept), whole


class ScorecardModel(RiskModel):
    """Points scorecard on quantile bins with calibrated probabilities (see the module notes)."""

    name: ClassVar[str] = "scorecard"
    options: ClassVar[dict[str, Option]] = {
        "n_bins": Option.int_at_least(5, 2),
        "C": Option.float_above(1.0, 0.0),
        "pdo": Option.float_above(20.0, 0.0),
    }

    def __init__(self, *, random_state: int = 0, monotone: dict[str, int] | None = None,
                 calibration: Calibration = "sigmoid", n_bins: int = 5, C: float = 1.0, pdo: float = 20.0) -> None:
        self.random_state = random_state
        self.monotone = monotone
        self.calibration = calibration
        self.n_bins = n_bins
        self.C = C
        self.pdo = pdo

    # -- fitting and scoring ----------------------------------------------------------------------------------

    def _fit(self, X: pd.DataFrame, y: np.ndarray, sample_weight: np.ndarray | None,
             monotone: dict[str, int]) -> None:
        binnings = [self._fit_binning(X[name], name, kind) for name, kind in zip(self.schema_.names,
                                                                                 self.schema_.kinds)]
        weights = np.ones(len(X)) if sample_weight is None else sample_weight
        while True:
            indices = [b.index(X[b.feature]) for b in binnings]
            coefficients, intercept = self._fit_regression(binnings, indices, y, sample_weight)
            merged = [self._merge_violation(b, c, monotone.get(b.feature, 0))
                      for b, c in zip(binnings, coefficients)]
            if all(m is None for m in merged):
                break
            binnings = [b if m is None else m for b, m in zip(binnings, merged)]
        self.binnings_ = binnings
        self.shares_ = [np.bincount(i, weights=weights, minlength=b.n_bins) / weights.sum()
                        for b, i in zip(binnings, indices)]
        means = [float(s @ c) for s, c in zip(self.shares_, coefficients)]
        self.log_odds_ = [c - m for c, m in zip(coefficients, means)]
        self.lookups_ = [np.append(c, 0.0) for c in self.log_odds_]   # position -1: never seen in training
        self.intercept_ = float(intercept + sum(means))

    def _fit_binning(self, series: pd.Series, name: str, kind: Kind) -> _Binning:
        has_missing = bool(series.isna().any())
        if kind == "category":
            categories = tuple(sorted(str(v) for v in series.dropna().unique()))
            return _Binning(name, kind, categories=categories, has_missing=has_missing)
        values = numeric_values(series)
        if kind == "bool":
            both = {0.0, 1.0} <= set(np.unique(values[~np.isnan(values)]))
            return _Binning(name, kind, edges=(0.5,) if both else (), has_missing=has_missing)
        edges, whole = _quantile_edges(values, self.n_bins)
        return _Binning(name, kind, edges=edges, whole=whole, has_missing=has_missing)

    def _fit_regression(self, binnings: list[_Binning], indices: list[np.ndarray], y: np.ndarray,
                        sample_weight: np.ndarray | None) -> tuple[list[np.ndarray], float]:
        from sklearn.linear_model import LogisticRegression

        offsets = np.cumsum([0] + [b.n_bins for b in binnings])
        columns = np.column_stack([i + o for i, o in zip(indices, offsets[:-1])])
        rows = np.repeat(np.arange(len(y)), len(binnings))
        design = sp.csr_matrix((np.ones(columns.size), (rows, columns.ravel())), shape=(len(y), offsets[-1]))
        regression = LogisticRegression(C=self.C, max_iter=2000, tol=1e-8)
        regression.fit(design, y, sample_weight=sample_weight)
        coef = regression.coef_[0]
        return [coef[offsets[k]:offsets[k + 1]] for k in range(len(binnings))], float(regression.intercept_[0])

    @staticmethod
    def _merge_violation(binning: _Binning, coefficients: np.ndarray, direction: int) -> _Binning | None:
        if direction == 0:
            return None
        steps = direction * np.diff(coefficients[: binning.n_value_bins])
        wrong = np.flatnonzero(steps < -_TOLERANCE)
        return binning.without_edge(int(wrong[0])) if len(wrong) else None

    def _contributions(self, X: pd.DataFrame) -> np.ndarray:
        return np.column_stack([lookup[b.index(X[b.feature])] for b, lookup in zip(self.binnings_, self.lookups_)])

    def _decision(self, X: pd.DataFrame) -> np.ndarray:
        return self.intercept_ + self._contributions(X).sum(axis=1)

    # -- explanations -----------------------------------------------------------------------------------------

    @property
    def points_per_log_odds(self) -> float:
        """Points per unit of log-odds: ``pdo`` points double the odds."""
        return self.pdo / np.log(2.0)

    def global_importance(self) -> pd.Series:
        """Mean absolute (centred) contribution per feature over the training population."""
        self._require_fitted()
        values = [float(s @ np.abs(c)) for s, c in zip(self.shares_, self.log_odds_)]
        series = pd.Series(values, index=[b.feature for b in self.binnings_], name="importance")
        return series.sort_values(ascending=False, kind="stable")

    def summary_table(self) -> pd.DataFrame:
        """The points table: a base row, then per feature (most important first) its bins and points.

        Columns: ``feature``, ``bin``, ``points`` (int), ``log_odds`` (the exact contribution) and
        ``share`` (the weighted share of training rows in the bin).
        """
        self._require_fitted()
        factor = self.points_per_log_odds
        rows = [{"feature": BASE_ROW, "bin": "", "points": int(round(self.intercept_ * factor)),
                 "log_odds": self.intercept_, "share": 1.0}]
        position = {b.feature: k for k, b in enumerate(self.binnings_)}
        for feature in self.global_importance().index:
            k = position[feature]
            for label, log_odds, share in zip(self.binnings_[k].labels(), self.log_odds_[k], self.shares_[k]):
                rows.append({"feature": feature, "bin": label, "points": int(round(log_odds * factor)),
                             "log_odds": float(log_odds), "share": float(share)})
        return pd.DataFrame(rows).astype({"points": "int64"})

    def figures(self, folder: Path, *, top: int = 8) -> list[Path]:
        """One PNG: the points of every bin of the ``top`` most important features."""
        table = self.summary_table()
        features = list(self.global_importance().index[:top])
        table = table[table["feature"].isin(features)]
        figure = new_figure(7.0, 1.2 + 0.28 * len(table))
        axes = figure.add_subplot()
        positions = np.arange(len(table))[::-1]
        colors = ["tab:red" if p > 0 else "tab:blue" for p in table["points"]]
        axes.barh(positions, table["points"], color=colors)
        axes.set_yticks(positions, [f"{f}: {b}" for f, b in zip(table["feature"], table["bin"])], fontsize=8)
        axes.axvline(0.0, color="grey", linewidth=0.8)
        axes.set_xlabel(f"points ({_fmt(self.pdo)} points double the odds)")
        axes.set_title(f"Scorecard (base {int(round(self.intercept_ * self.points_per_log_odds))} points)")
        return [save_figure(figure, folder, "scorecard_points")]
