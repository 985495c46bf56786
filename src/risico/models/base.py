"""What every model family shares: the interface, input checks, calibration and the error messages.

A family implements four private steps (``_fit``, ``_decision``, optionally
``_contributions``) plus its own explanations; :class:`RiskModel` does the rest
the same way for all of them:

1. ``fit`` checks the options, reads the feature schema from ``X`` (numbers,
   bools and ``str`` categories; anything else stops with the column named),
   checks the labels, fits the family on the training set and then fits a
   calibrator on the family's uncalibrated log-odds of the separate
   calibration set.
2. ``predict_risk`` = calibrator(``decision_function``), shape ``(n,)``; the
   calibrator is non-decreasing, so it never changes the ranking or breaks a
   monotone constraint. ``predict_proba`` gives the same as scikit-learn's
   ``(n, 2)`` array of P(y = 0) and P(y = 1).
3. ``contributions`` are additive on the uncalibrated log-odds scale:
   ``contributions(X).sum(axis=1) + intercept_ == decision_function(X)``.
"""

from __future__ import annotations

import abc
import dataclasses
import logging
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar, Literal, Self

import numpy as np
import pandas as pd
from scipy.special import expit

from risico.errors import RisicoError

__all__ = ["ModelError", "UnusableModel", "RiskModel", "FeatureSchema", "Calibrator", "Kind", "Calibration", "Option",
           "UNKNOWN_MODEL", "BAD_OPTION", "UNKNOWN_OPTION", "ONE_CLASS", "BAD_LABELS", "UNSUPPORTED_DTYPE",
           "MISSING_COLUMN", "EXTRA_COLUMN", "KIND_CHANGED", "BAD_MONOTONE", "NOT_FITTED", "BAD_WEIGHTS",
           "WRONG_WAY_ROUND", "MAX_CATEGORIES", "known_options", "numeric_values",
           "category_values", "new_figure", "save_figure", "slug"]

_log = logging.getLogger(__name__)

Kind = Literal["numeric", "bool", "category"]
Calibration = Literal["sigmoid", "isotonic"]

#: A ``str`` column with more distinct values than this is not a low-cardinality category.
MAX_CATEGORIES = 255

# One template per mistake; tests assert them to the letter.
BAD_OPTION = "The '{param}' parameter of {owner} must be {allowed}. Got {got!r} instead."
UNKNOWN_MODEL = BAD_OPTION  # with param='model', owner='train'
UNKNOWN_OPTION = "The model '{model}' has no option '{option}'; its options are {known}."
ONE_CLASS = ("The {where} labels hold only class {found} ({n:,} rows); a model needs examples of both "
             "class 0 and class 1.")
BAD_LABELS = "The {where} labels must be {allowed}; {problem}."
BAD_WEIGHTS = "The sample_weight must be {allowed}; {problem}."
UNSUPPORTED_DTYPE = ("Column '{column}' of {where} has dtype {dtype}, which the models cannot use; allowed are "
                     "numbers, bool and str categories (at most {max_categories} distinct values).")
MISSING_COLUMN = "Column '{column}' is missing from {where}; the {model} model was trained on {columns}."
EXTRA_COLUMN = "Column '{column}' of {where} was not seen in training; the {model} model was trained on {columns}."
KIND_CHANGED = "Column '{column}' of {where} holds {found} values, but the {model} model was trained on {kind} values."
BAD_MONOTONE = "The monotone constraint on '{feature}' cannot be used: {problem}."
NOT_FITTED = "This {model} model is not fitted yet; call fit() first."
WRONG_WAY_ROUND = ("Calibration of the {model} model found that its scores rank the calibration set the wrong way "
                   "round (slope {slope:.3g}); the model has learnt nothing usable.")


class ModelError(RisicoError, ValueError):
    """A model cannot be built, fitted or applied as asked."""


class UnusableModel(ModelError):
    """The model was fitted but learnt nothing usable (its calibration runs the wrong way round)."""


# -- options as data ------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Option:
    """One option of a family: its default, what is allowed (in words) and the check."""

    default: Any
    allowed: str
    ok: Callable[[Any], bool]

    @staticmethod
    def int_at_least(default: int, minimum: int) -> Option:
        return Option(default, f"an int >= {minimum}",
                      lambda v: isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= minimum)

    @staticmethod
    def float_above(default: float, minimum: float) -> Option:
        return Option(default, f"a number > {minimum:g}",
                      lambda v: isinstance(v, (int, float, np.number)) and not isinstance(v, bool)
                      and bool(np.isfinite(v)) and v > minimum)

    @staticmethod
    def one_of(default: Any, *values: Any) -> Option:
        return Option(default, "one of " + ", ".join(repr(v) for v in values), lambda v: v in values)


_RANDOM_STATE = Option.int_at_least(0, 0)
_CALIBRATION = Option.one_of("sigmoid", "sigmoid", "isotonic")


# -- the feature schema ---------------------------------------------------------------------------------------


def _kind_of(column: str, series: pd.Series, where: str) -> Kind:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
        return "numeric"
    is_text = (pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype)) or (
        isinstance(dtype, pd.CategoricalDtype) and pd.api.types.infer_dtype(dtype.categories) in ("string", "empty")
    ) or (pd.api.types.is_object_dtype(dtype) and pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"))
    if is_text:
        return "category"
    raise ModelError(UNSUPPORTED_DTYPE.format(column=column, where=where, dtype=dtype, max_categories=MAX_CATEGORIES))


@dataclasses.dataclass(frozen=True)
class FeatureSchema:
    """The columns a model was trained on, in order, and what kind of values each holds."""

    names: tuple[str, ...]
    kinds: tuple[Kind, ...]

    @classmethod
    def from_frame(cls, X: pd.DataFrame, where: str = "X") -> FeatureSchema:
        if not isinstance(X, pd.DataFrame) or X.shape[1] == 0 or len(X) == 0:
            raise ModelError(f"{where} must be a pandas DataFrame with at least one row and one column.")
        names = list(X.columns)
        if any(not isinstance(n, str) for n in names) or len(set(names)) != len(names):
            raise ModelError(f"The columns of {where} must be unique strings; got {names!r}.")
        kinds = tuple(_kind_of(n, X[n], where) for n in names)
        for name, kind in zip(names, kinds):
            _check_values(name, X[name], kind, where, training=True)
        return cls(tuple(names), kinds)

    def kind(self, feature: str) -> Kind:
        return self.kinds[self.names.index(feature)]

    def check(self, X: pd.DataFrame, model: str, where: str = "X") -> pd.DataFrame:
        """Return ``X`` with the training columns in training order; raise on any mismatch."""
        if not isinstance(X, pd.DataFrame):
            raise ModelError(f"{where} must be a pandas DataFrame; got {type(X).__name__}.")
        columns = ", ".join(self.names)
        for name in self.names:
            if name not in X.columns:
                raise ModelError(MISSING_COLUMN.format(column=name, where=where, model=model, columns=columns))
        for name in X.columns:
            if name not in self.names:
                raise ModelError(EXTRA_COLUMN.format(column=name, where=where, model=model, columns=columns))
        for name, kind in zip(self.names, self.kinds):
            found = _kind_of(name, X[name], where)
            if found != kind and not (kind == "numeric" and found == "bool"):
                raise ModelError(KIND_CHANGED.format(column=name, where=where, found=found, model=model, kind=kind))
            _check_values(name, X[name], kind, where, training=False)
        return X if tuple(X.columns) == self.names else X.loc[:, list(self.names)]


def _check_values(name: str, series: pd.Series, kind: Kind, where: str, *, training: bool) -> None:
    if kind == "numeric":
        values = series.to_numpy(dtype=float, na_value=np.nan)
        if np.isinf(values).any():
            raise ModelError(f"Column '{name}' of {where} holds infinite values; use a finite number or leave it "
                             "missing.")
    elif kind == "category" and training and series.nunique(dropna=True) > MAX_CATEGORIES:
        raise ModelError(UNSUPPORTED_DTYPE.format(column=name, where=where, dtype=f"{series.dtype} with "
                                                  f"{series.nunique():,} distinct values",
                                                  max_categories=MAX_CATEGORIES))


def numeric_values(series: pd.Series) -> np.ndarray:
    """A numeric or bool column as float64, missing as NaN."""
    return series.to_numpy(dtype=float, na_value=np.nan)


def category_values(series: pd.Series) -> np.ndarray:
    """A category column as an object array of str, missing as None."""
    values = series.astype(object).to_numpy()
    return np.where(pd.isna(values), None, values)


# -- labels and weights ---------------------------------------------------------------------------------------


def check_labels(y: Any, X: pd.DataFrame, where: str) -> np.ndarray:
    """Labels as an int8 array of 0 and 1 with both classes present."""
    if isinstance(y, pd.Series) and not y.index.equals(X.index):
        raise ModelError(BAD_LABELS.format(where=where, allowed="aligned with the rows of X",
                                           problem="the index of y differs from the index of X"))
    values = np.asarray(y)
    if values.ndim != 1 or len(values) != len(X):
        raise ModelError(BAD_LABELS.format(where=where, allowed=f"one value per row of X ({len(X):,})",
                                           problem=f"got shape {values.shape}"))
    if not (pd.api.types.is_numeric_dtype(values.dtype) or values.dtype == bool):
        raise ModelError(BAD_LABELS.format(where=where, allowed="0 or 1", problem=f"got dtype {values.dtype}"))
    bad = ~np.isin(values, (0, 1))
    if bad.any():
        raise ModelError(BAD_LABELS.format(where=where, allowed="0 or 1",
                                           problem=f"found {values[bad][0]!r} in {int(bad.sum()):,} rows"))
    labels = values.astype(np.int8)
    found = np.unique(labels)
    if len(found) < 2:
        raise ModelError(ONE_CLASS.format(where=where, found=int(found[0]), n=len(labels)))
    return labels


def check_weights(sample_weight: Any, n: int) -> np.ndarray | None:
    if sample_weight is None:
        return None
    allowed = f"one finite non-negative number per training row ({n:,})"
    w = np.asarray(sample_weight, dtype=float)
    if w.shape != (n,):
        raise ModelError(BAD_WEIGHTS.format(allowed=allowed, problem=f"got shape {w.shape}"))
    if not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        raise ModelError(BAD_WEIGHTS.format(allowed=allowed, problem="found a negative, infinite or missing weight, "
                                                                     "or all weights are zero"))
    return w


# -- calibration ----------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Calibrator:
    """A non-decreasing map from uncalibrated log-odds to P(y = 1), fitted on the calibration set.

    ``sigmoid`` is Platt scaling without penalty (so the mean prediction on the
    calibration set equals its observed rate); ``isotonic`` is a clipped
    isotonic regression. Both are deterministic.
    """

    method: Calibration
    slope_: float = np.nan
    intercept_: float = np.nan
    isotonic_: Any = None

    def fit(self, logit: np.ndarray, y: np.ndarray, model: str) -> Self:
        if self.method == "isotonic":
            from sklearn.isotonic import IsotonicRegression

            self.isotonic_ = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True, out_of_bounds="clip")
            self.isotonic_.fit(logit, y)
            return self
        from sklearn.linear_model import LogisticRegression

        platt = LogisticRegression(C=np.inf, max_iter=1000).fit(logit.reshape(-1, 1), y)
        self.slope_, self.intercept_ = float(platt.coef_[0, 0]), float(platt.intercept_[0])
        if self.slope_ <= 0:
            raise UnusableModel(WRONG_WAY_ROUND.format(model=model, slope=self.slope_))
        return self

    def predict(self, logit: np.ndarray) -> np.ndarray:
        if self.method == "isotonic":
            return np.asarray(self.isotonic_.predict(logit), dtype=float)
        return expit(self.slope_ * logit + self.intercept_)


# -- the interface --------------------------------------------------------------------------------------------


class RiskModel(abc.ABC):
    """A calibrated risk model of one family; scikit-learn-like (options in ``__init__``, learning in ``fit``).

    Parameters
    ----------
    random_state : int
        Seed handed to everything random in the family; a fixed seed gives identical probabilities.
    monotone : mapping of feature name to +1 (risk never falls as the feature rises) or -1, optional
        Numeric and bool features only.
    calibration : {"sigmoid", "isotonic"}
        How probabilities are calibrated on the calibration set. Sigmoid suits small calibration sets.
    """

    name: ClassVar[str]
    #: The family's own options (``__init__`` keywords) with defaults and constraints, checked by
    #: :meth:`check_options` before any work starts.
    options: ClassVar[dict[str, Option]]
    random_state: int
    monotone: Mapping[str, int] | None
    calibration: Calibration

    # -- public API -------------------------------------------------------------------------------------------

    def get_params(self) -> dict[str, Any]:
        """The options this model was made with (for metrics and logs)."""
        params = {"random_state": self.random_state, "calibration": self.calibration,
                  "monotone": dict(self.monotone or {})}
        return params | {key: getattr(self, key) for key in self.options}

    def check_options(self) -> None:
        """Raise :class:`ModelError` with the first option that is not allowed."""
        owner = f"model '{self.name}'"
        checks = {"random_state": _RANDOM_STATE, "calibration": _CALIBRATION} | self.options
        for key, option in checks.items():
            value = getattr(self, key)
            if not option.ok(value):
                raise ModelError(BAD_OPTION.format(param=key, owner=owner, allowed=option.allowed, got=value))
        for feature, direction in (self.monotone or {}).items():
            if direction not in (-1, 0, 1) or isinstance(direction, bool):
                raise ModelError(BAD_MONOTONE.format(feature=feature, problem=f"the direction must be -1, 0 or +1, "
                                                                              f"not {direction!r}"))

    def fit(self, X: pd.DataFrame, y: Any, *, sample_weight: Any = None, X_calib: pd.DataFrame,
            y_calib: Any) -> Self:
        """Fit the family on ``(X, y)``, then calibrate its probabilities on ``(X_calib, y_calib)``."""
        self.check_options()
        schema = FeatureSchema.from_frame(X, "X")
        labels = check_labels(y, X, "training")
        weights = check_weights(sample_weight, len(X))
        directions = self._monotone_directions(schema)
        calib = schema.check(X_calib, self.name, "X_calib")
        calib_labels = check_labels(y_calib, X_calib, "calibration")
        self.schema_ = schema
        self.feature_names_in_ = np.array(schema.names, dtype=object)
        self._fit(X, labels, weights, directions)
        self.calibrator_ = Calibrator(self.calibration).fit(self._decision(calib), calib_labels, self.name)
        _log.info("Fitted the %s model on %s rows and calibrated it (%s) on %s rows.", self.name, len(X),
                  self.calibration, len(X_calib))
        return self

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        """The uncalibrated log-odds of the family, shape ``(n,)``."""
        return self._decision(self._checked(X))

    def predict_risk(self, X: pd.DataFrame) -> np.ndarray:
        """The calibrated probability P(y = 1), shape ``(n,)``: the score the lists rank by."""
        logit = self.decision_function(X)
        return self.calibrator_.predict(logit)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """scikit-learn's shape ``(n, 2)``: columns P(y = 0) and P(y = 1) (:meth:`predict_risk`)."""
        risk = self.predict_risk(X)
        return np.column_stack([1.0 - risk, risk])

    def contributions(self, X: pd.DataFrame) -> pd.DataFrame | None:
        """Per row and feature, the additive log-odds contribution of the uncalibrated model.

        ``contributions(X).sum(axis=1) + intercept_`` equals ``decision_function(X)``.
        None for a family without a faithful local explanation.
        """
        X = self._checked(X)
        values = self._contributions(X)
        if values is None:
            return None
        return pd.DataFrame(values, index=X.index, columns=list(self.schema_.names))

    @abc.abstractmethod
    def global_importance(self) -> pd.Series:
        """Per feature, a non-negative importance, in descending order."""

    @abc.abstractmethod
    def figures(self, folder: Path, *, top: int = 8) -> list[Path]:
        """Write the family's explanation charts as PNG files into ``folder``; return their paths."""

    @abc.abstractmethod
    def summary_table(self) -> pd.DataFrame:
        """The family's explanation as a table a person can read."""

    # -- what a family implements -----------------------------------------------------------------------------

    @abc.abstractmethod
    def _fit(self, X: pd.DataFrame, y: np.ndarray, sample_weight: np.ndarray | None,
             monotone: dict[str, int]) -> None:
        """Fit on checked training data; ``monotone`` holds only non-zero directions of checked features."""

    @abc.abstractmethod
    def _decision(self, X: pd.DataFrame) -> np.ndarray:
        """Uncalibrated log-odds of checked data."""

    def _contributions(self, X: pd.DataFrame) -> np.ndarray | None:
        return None

    # -- helpers ----------------------------------------------------------------------------------------------

    def _require_fitted(self) -> None:
        if not hasattr(self, "calibrator_"):
            raise ModelError(NOT_FITTED.format(model=self.name))

    def _checked(self, X: pd.DataFrame) -> pd.DataFrame:
        self._require_fitted()
        return self.schema_.check(X, self.name)

    def _monotone_directions(self, schema: FeatureSchema) -> dict[str, int]:
        directions: dict[str, int] = {}
        for feature, direction in (self.monotone or {}).items():
            if feature not in schema.names:
                raise ModelError(BAD_MONOTONE.format(feature=feature, problem="it is not a column of X"))
            if schema.kind(feature) == "category" and direction != 0:
                raise ModelError(BAD_MONOTONE.format(feature=feature, problem="it is a category, and only numbers "
                                                                              "and bools have an order"))
            if direction != 0:
                directions[feature] = int(direction)
        return directions



def known_options(cls: type[RiskModel]) -> str:
    return ", ".join(f"'{k}'" for k in ("random_state", "monotone", "calibration", *cls.options))


# -- figures --------------------------------------------------------------------------------------------------


def new_figure(width: float, height: float) -> Any:
    """A matplotlib figure that does not touch pyplot's global state (rendered with Agg)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def save_figure(figure: Any, folder: Path, stem: str) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.png"
    figure.savefig(path, dpi=110)
    return path


def slug(text: str) -> str:
    """A file-name-safe version of a feature or term name."""
    return re.sub(r"[^0-9A-Za-z]+", "_", text.replace(" & ", "_x_")).strip("_").lower() or "term"
