"""Training as one pure function: the features, meta, labels and parsed params in; the fitted models, scores
and training summary out.

:func:`train_pipeline` checks the feature names against the firewall first, keeps the chosen features, fits
every family on the earlier period and calibrates it on the next (:func:`train_models`), and scores every row.
Reading and writing are in :mod:`risico.train.stage`.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import numpy as np
import pandas as pd

from risico.errors import RisicoError
from risico.firewall import ProtectedParams, check_features
from risico.target import APPLICATIONS, Target
from risico.train.split import temporal_split
from risico.train_params import TrainParams

__all__ = ["TrainSettings", "TrainInputs", "TrainResult", "train_pipeline", "train_models", "select_features",
           "training_rows", "ipw_weights", "comparison_name", "TrainError", "EMPTY_PERIOD", "ONE_CLASS",
           "UNKNOWN_FEATURE"]

log = logging.getLogger(__name__)

EMPTY_PERIOD = ("The {split} period has no labelled applications (train.validation_start = {validation}, "
                "train.test_start = {test}, train.label_source = {source}). Move the dates so that each period "
                "holds investigated applications.")
ONE_CLASS = ("The {split} period has only {label} labels ({n} applications); the model needs both outcomes. "
             "Move train.validation_start / train.test_start or use more data.")


class TrainError(RisicoError):
    """The data cannot train a model as configured."""


UNKNOWN_FEATURE = ("The 'features' parameter of train names '{feature}', which is not a feature. Allowed: 'all' or "
                   "names from docs/features.md ({some}, ...).")


def select_features(X: pd.DataFrame, features: tuple[str, ...] | None) -> pd.DataFrame:
    """The chosen feature columns, in the order given."""
    if features is None:
        return X
    for feature in features:
        if feature not in X.columns:
            raise TrainError(UNKNOWN_FEATURE.format(feature=feature, some=", ".join(list(X.columns)[:5])))
    return X[list(features)]


def training_rows(split: pd.Series, labels: pd.DataFrame, split_name: str, source: str) -> np.ndarray:
    """Rows of ``split_name`` that have a label the model may learn from."""
    labelled = labels["observed"].notna().to_numpy()
    if source == "random_only":
        labelled &= (labels["route"] == "random").to_numpy()
    return (split.to_numpy() == split_name) & labelled


def ipw_weights(X: pd.DataFrame, investigated: np.ndarray, rows: np.ndarray, seed: int) -> np.ndarray:
    """Weights 1 / P(investigated | X) for ``rows``, from a logistic model on all rows of the same period.

    The propensity is estimated on observable features only; selection on
    protected attributes (which the model never sees) cannot be corrected
    this way, which the model card says.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    design = pd.get_dummies(X, dtype=float).fillna(0.0)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, random_state=seed))
    model.fit(design.to_numpy(), investigated.astype(int))
    p = model.predict_proba(design.to_numpy()[rows])[:, 1]
    weights = 1.0 / np.clip(p, 0.02, 1.0)
    return weights / weights.mean()


def _check_labels(y: np.ndarray, split: str, params: TrainParams) -> None:
    if y.size == 0:
        raise TrainError(EMPTY_PERIOD.format(split=split, validation=params.validation_start,
                                             test=params.test_start, source=params.label_source))
    if np.unique(y).size < 2:
        raise TrainError(ONE_CLASS.format(split=split, label="positive" if y[0] == 1 else "negative", n=y.size))


def comparison_name(params: TrainParams) -> str:
    """The selected family trained with the other weighting (for the IPW comparison in the model card)."""
    return f"{params.model}_{'unweighted' if params.ipw else 'ipw'}"


def train_models(X: pd.DataFrame, meta: pd.DataFrame, labels: pd.DataFrame, params: TrainParams,
                 target: Target = APPLICATIONS):
    """Fit every family; return (models, split, training summary)."""
    from risico.models import UnusableModel, make_model

    split = temporal_split(meta, params.validation_start, params.test_start, date=target.date, group=target.group)
    fit_rows = training_rows(split, labels, "train", params.label_source)
    cal_rows = training_rows(split, labels, "validation", params.label_source)
    y = labels["observed"].to_numpy()
    _check_labels(y[fit_rows], "train", params)
    _check_labels(y[cal_rows], "validation", params)
    period = (split == "train").to_numpy()
    ipw = ipw_weights(X[period], labels["investigated"].to_numpy()[period], fit_rows[period], params.seed)
    monotone = {k: v for k, v in params.monotone.items() if k in X.columns}
    # every family as configured, plus the selected family with the other weighting, to show what IPW does
    plan = [(name, name, ipw if params.ipw else None) for name in params.families]
    plan.append((comparison_name(params), params.model, None if params.ipw else ipw))
    models, unusable = {}, {}
    for key, family, weight in plan:
        options = ({"interactions": params.ebm_interactions, "outer_bags": params.ebm_outer_bags}
                   if family == "ebm" else {})
        model = make_model(family, random_state=params.seed, monotone=monotone, **options)
        try:
            model.fit(X[fit_rows], y[fit_rows].astype(int), sample_weight=weight,
                      X_calib=X[cal_rows], y_calib=y[cal_rows].astype(int))
        except UnusableModel as error:
            if key == params.model:       # the model that scores must be usable; a comparator may fail
                raise
            unusable[key] = str(error)
            log.warning("left out the comparator %s: %s", key, error)
            continue
        models[key] = model
        log.info("trained %s on %d applications", key, int(fit_rows.sum()))
    summary = {"rows": {s: int((split == s).sum()) for s in ("train", "validation", "test", "excluded")},
               "fit_rows": int(fit_rows.sum()), "calibration_rows": int(cal_rows.sum()),
               "fit_positive_rate": round(float(y[fit_rows].mean()), 6), "label_source": params.label_source,
               "ipw": params.ipw, "features": list(X.columns), "selected_model": params.model,
               "ipw_comparison": comparison_name(params)}
    if unusable:
        summary["unusable"] = unusable
    return models, split, summary


@dataclasses.dataclass(frozen=True)
class TrainSettings:
    """The stage's parsed params: the ``train`` and ``protected`` sections."""

    train: TrainParams
    protected: ProtectedParams


@dataclasses.dataclass(frozen=True)
class TrainInputs:
    """What the stage read: the features (indexed by ``target.id``), meta and labels of every row."""

    target: Target
    X: pd.DataFrame
    meta: pd.DataFrame
    labels: pd.DataFrame


@dataclasses.dataclass(frozen=True)
class TrainResult:
    """The fitted models by name, the split and score per model of every row, the training summary
    (``training.json``) and the metrics (the summary without the feature list)."""

    models: dict[str, Any]
    scores: pd.DataFrame
    summary: dict[str, Any]
    metrics: dict[str, Any]


def train_pipeline(inputs: TrainInputs, settings: TrainSettings) -> TrainResult:
    """Every family fitted on ``inputs`` as ``settings`` say, and every row scored by each.

    Raises
    ------
    risico.firewall.FirewallError
        A feature is a protected attribute (checked before anything else).
    TrainError
        An unknown feature is named, or a period has no labels or only one outcome.
    """
    params, target = settings.train, inputs.target
    check_features(params.features or inputs.X.columns, settings.protected)
    X = select_features(inputs.X, params.features)
    models, split, summary = train_models(X, inputs.meta, inputs.labels, params, target)
    summary["age_justification"] = settings.protected.age_justification
    if target is not APPLICATIONS:
        summary["target"] = target.name
    scores = pd.DataFrame({target.id: X.index.to_numpy(), "split": split.to_numpy()})
    for name, model in models.items():
        scores[f"score_{name}"] = model.predict_risk(X)
    return TrainResult(models, scores, summary, {k: v for k, v in summary.items() if k != "features"})
