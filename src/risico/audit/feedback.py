"""Feedback loops: what a model that learns from its own selections does to whom, round after round.

A model is trained on the labels a municipality already has. Each round it
scores a fresh batch of applications, inspectors investigate its top share
(plus, optionally, a uniform random sample), and what they find is added to
the labels the next model learns from. Without a random sample the model only
ever sees the cases it chose itself, so a bias in the first labels can
persist or grow; a random share keeps feeding it cases it would not have
chosen. In a synthetic world the truth is known, so every round can be scored
against it.

Choices made here:

- **Batches.** Rows with an initial label are the history the first model
  learns from. The unlabelled rows are the applications still to come; they
  are split by position, in their given order, into ``rounds`` batches of
  (nearly) equal size, one per round. No row is investigated twice, so the
  label pool grows by exactly the number investigated.
- **Model.** ``LogisticRegression`` on standardised numeric features (median
  imputed) and one-hot text features: deterministic, fast, and refitted from
  scratch each round on all labels gathered so far.
- **Investigation.** A case's label is ``truth and (draw < detection)``: a
  violation is found with probability ``detection`` (per row, so detection can
  differ between groups). The per-row draws are fixed by the seed, so the same
  case has the same outcome in every setting of ``compare_feedback``.
- **Metrics.** ``precision_truth``, ``recall_truth``, ``selection_rate_ratio``,
  ``fpr_ratio`` and ``share_selected_<group>`` describe the *model's* selection
  in the round's batch, against the truth (random picks are fair by design and
  are reported apart: ``precision_random``). ``label_share_<group>`` is each
  group's share of all labels after the round.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from risico.audit.io import MISSING_GROUP
from risico.audit.tradeoffs import group_codes, label_array, safe_rates, min_max_ratio

__all__ = ["simulate_feedback", "compare_feedback"]

logger = logging.getLogger(__name__)

SHARE = "The '{name}' parameter of simulate_feedback must be a float in {interval}. Got {value!r} instead."
ROUNDS = ("The 'rounds' parameter of simulate_feedback must be an int in [1, {n}] (the number of unlabelled rows). "
          "Got {value!r} instead.")
LENGTH = "'{what}' has {got} rows but X has {expected}. All inputs must describe the same rows, in the same order."
SENSITIVE_IN_X = ("'sensitive' ({name!r}) is also a column of X. Protected attributes travel separately and are "
                  "never model inputs: drop the column from X.")
ONE_CLASS = ("The labels available before round {round} are all {value:g}; the model needs both outcomes. "
             "Give more initial labels, or a larger 'detection' or 'capacity_share'.")


def _check_share(name: str, value: Any, low_open: bool) -> float:
    ok = isinstance(value, (int, float, np.floating)) and not isinstance(value, bool)
    ok = ok and (0 < value <= 1 if low_open else 0 <= value <= 1)
    if not ok:
        raise ValueError(SHARE.format(name=name, interval="(0, 1]" if low_open else "[0, 1]", value=value))
    return float(value)


def _detection(detection: float | np.ndarray, n: int) -> np.ndarray:
    values = np.broadcast_to(np.asarray(detection, dtype=float), (n,)) if np.ndim(detection) == 0 \
        else np.asarray(detection, dtype=float)
    if values.shape != (n,):
        raise ValueError(LENGTH.format(what="detection", got=values.size, expected=n))
    if not ((values >= 0) & (values <= 1)).all():
        raise ValueError(SHARE.format(name="detection", interval="[0, 1]", value=detection))
    return values


def _model_inputs(X: pd.DataFrame) -> tuple[pd.DataFrame, list[str], list[str]]:
    """A copy of X with numbers as float and everything else as text (missing -> ``(missing)``)."""
    numeric = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c]) and not pd.api.types.is_bool_dtype(X[c])]
    other = [c for c in X.columns if c not in numeric]
    out = pd.DataFrame({c: X[c].to_numpy(dtype=float, na_value=np.nan) for c in numeric}, index=X.index)
    for c in other:
        out[c] = X[c].astype(object).where(X[c].notna(), MISSING_GROUP).astype(str)
    return out, numeric, other


def _new_model(numeric: list[str], other: list[str]) -> Pipeline:
    parts = []
    if numeric:
        parts.append(("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric))
    if other:
        parts.append(("cat", OneHotEncoder(handle_unknown="ignore"), other))
    return make_pipeline(ColumnTransformer(parts), LogisticRegression(max_iter=1000))


def _round_metrics(batch: np.ndarray, chosen: np.ndarray, truth: np.ndarray, codes: np.ndarray,
                   names: np.ndarray) -> dict[str, float]:
    """The model's selection in one batch against the truth, overall and per group."""
    k = names.size
    in_batch, picked = np.bincount(codes[batch], minlength=k), np.bincount(codes[chosen], minlength=k)
    negatives = np.bincount(codes[batch][truth[batch] == 0], minlength=k)
    false_pos = np.bincount(codes[chosen][truth[chosen] == 0], minlength=k)
    out = {"precision_truth": float(truth[chosen].mean()) if chosen.size else float("nan"),
           "recall_truth": float(safe_rates(truth[chosen].sum(), truth[batch].sum())),
           "selection_rate_ratio": float(min_max_ratio(safe_rates(picked, in_batch)[:, None])[0]),
           "fpr_ratio": float(min_max_ratio(safe_rates(false_pos, negatives)[:, None])[0])}
    shares = safe_rates(picked, np.full(k, chosen.size))
    out.update({f"share_selected_{g}": float(v) for g, v in zip(names, shares, strict=True)})
    return out


def simulate_feedback(X: pd.DataFrame, truth: np.ndarray, sensitive: pd.Series, *, initial_labels: np.ndarray,
                      capacity_share: float = 0.05, rounds: int = 5, random_share: float = 0.0,
                      detection: float | np.ndarray = 0.7, seed: int = 0) -> pd.DataFrame:
    """Run the select-investigate-retrain loop for ``rounds`` rounds and report each round.

    Parameters
    ----------
    X : pandas.DataFrame
        Model features, one row per application (no protected attributes).
    truth : array of {0, 1}
        Whether each application really violates the rules.
    sensitive : pandas.Series
        Group per row, for the audit only.
    initial_labels : array of {0, 1, NaN}
        Labels known before round 0 (NaN = never investigated). Labelled rows are the history; the unlabelled
        rows, in order, are split into ``rounds`` batches (see the module docstring).
    capacity_share : float in (0, 1]
        Share of each batch investigated (at least one case).
    rounds : int
        Number of rounds (batches).
    random_share : float in [0, 1]
        Share of the capacity given to a uniform random sample of the cases the model did not pick.
    detection : float or array of float in [0, 1]
        Probability that an investigation finds a true violation (per row when an array).
    seed : int
        Seeds the detection draws and the random sample.

    Returns
    -------
    pandas.DataFrame
        One row per round (0 = scored by the model trained on ``initial_labels``): ``round``, ``random_share``,
        ``n_batch``, ``n_model``, ``n_random``, ``n_random_outside_top`` (random picks the model would not have
        chosen even with the whole capacity), ``n_labels`` (label pool after the round), ``positives_found``,
        ``precision_truth``, ``precision_random``, ``recall_truth``, ``selection_rate_ratio``, ``fpr_ratio``,
        ``share_selected_<group>``, ``label_share_<group>``.
    """
    n = len(X)
    truth = label_array(truth, n, "truth")
    if truth is None or np.isnan(truth).any():
        raise ValueError("'truth' must hold 0 or 1 for every row; it is the known outcome of the synthetic world.")
    labels = label_array(initial_labels, n, "initial_labels")
    names, codes = group_codes(sensitive, n)
    if getattr(sensitive, "name", None) is not None and sensitive.name in X.columns:
        raise ValueError(SENSITIVE_IN_X.format(name=sensitive.name))
    capacity_share = _check_share("capacity_share", capacity_share, low_open=True)
    random_share = _check_share("random_share", random_share, low_open=False)
    found_prob = _detection(detection, n)
    future = np.flatnonzero(np.isnan(labels))
    if isinstance(rounds, bool) or not isinstance(rounds, (int, np.integer)) or not 1 <= rounds <= future.size:
        raise ValueError(ROUNDS.format(n=future.size, value=rounds))

    detect_rng, pick_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    draws = detect_rng.random(n)
    inputs, numeric, other = _model_inputs(X)
    pool = list(np.flatnonzero(~np.isnan(labels)))
    pool_y = list(labels[pool])
    out = []
    for r, batch in enumerate(np.array_split(future, rounds)):
        if len(set(pool_y)) < 2:
            raise ValueError(ONE_CLASS.format(round=r, value=pool_y[0] if pool_y else float("nan")))
        model = _new_model(numeric, other).fit(inputs.iloc[pool], np.asarray(pool_y, dtype=int))
        score = model.predict_proba(inputs.iloc[batch])[:, 1]
        capacity = max(1, round(capacity_share * batch.size))
        n_random = round(random_share * capacity)
        order = np.lexsort((np.arange(batch.size), -score))  # highest score first, ties by position
        chosen = order[: capacity - n_random]
        random = pick_rng.choice(order[capacity - n_random:], size=n_random, replace=False)
        investigated = batch[np.r_[chosen, random]]
        found = truth[investigated] * (draws[investigated] < found_prob[investigated])
        pool.extend(investigated)
        pool_y.extend(found)
        label_share = np.bincount(codes[pool], minlength=names.size) / len(pool)
        out.append({"round": r, "random_share": random_share, "n_batch": int(batch.size),
                    "n_model": int(chosen.size), "n_random": int(n_random),
                    "n_random_outside_top": int(np.isin(random, order[capacity:]).sum()),
                    "n_labels": len(pool), "positives_found": int(found.sum()),
                    **_round_metrics(batch, batch[chosen], truth, codes, names),
                    "precision_random": float(truth[batch[random]].mean()) if n_random else float("nan"),
                    **{f"label_share_{g}": float(v) for g, v in zip(names, label_share, strict=True)}})
        logger.debug("Feedback round %d (random share %.2f): %d investigated, %d found", r, random_share,
                     investigated.size, int(found.sum()))
    return pd.DataFrame(out)


def compare_feedback(X: pd.DataFrame, truth: np.ndarray, sensitive: pd.Series, *, initial_labels: np.ndarray,
                     random_shares: Sequence[float] = (0.0, 0.1), **kwargs: Any) -> pd.DataFrame:
    """``simulate_feedback`` once per random share, same seed and world, stacked (tell them apart by ``random_share``).

    Keyword arguments other than ``random_share`` pass through to ``simulate_feedback``.
    """
    frames = [simulate_feedback(X, truth, sensitive, initial_labels=initial_labels, random_share=share, **kwargs)
              for share in random_shares]
    return pd.concat(frames, ignore_index=True)
