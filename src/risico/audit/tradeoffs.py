"""What fixing one disparity costs: selection strategies at a fixed capacity, side by side.

Inspectors can look at ``capacity`` applications, no more and no fewer, so
every strategy here selects exactly ``capacity`` rows and is compared on
detection (precision and recall at that capacity) and on how evenly wrongful
selection falls on the groups of ``sensitive`` (ratios lowest/highest group).

Three kinds of strategy:

- ``unconstrained``: the ``capacity`` highest scores (ties by row order);
- fairlearn's ``ThresholdOptimizer`` (``demographic_parity``,
  ``equalized_odds``, ``false_positive_rate_parity``), fitted with
  ``prefit=True`` on a stand-in estimator whose prediction *is* the score;
- ``shift_<target>_<lam>``: group quotas that move a share ``lam`` of the way
  from the unconstrained group mix to a target mix (equal selection rates, or
  equal false-positive rates at this capacity), top scores within each group.
  They trace the curve between the points.

fairlearn picks the operating point that maximises an objective (accuracy),
not one that selects a given number of cases; that point can lie far from the
capacity, and ranking its predictions to the capacity then mostly falls back to
the score. With ``fairlearn_at="capacity"`` (the default) the operating point
is re-picked on fairlearn's own fitted constraint curves so that the expected
number selected reaches the capacity. This reads private attributes of
fairlearn 0.15 (``_tradeoff_curve``, ``_y_min``, ``InterpolatedThresholder``);
``fairlearn_at="optimum"`` uses only its fitted predictor.

Labels may be NaN (not investigated): the optimizer is fitted, and label-based
metrics computed, on labelled rows only; metrics against ``truth`` use all rows.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from fairlearn.postprocessing import ThresholdOptimizer
from fairlearn.postprocessing._interpolated_thresholder import InterpolatedThresholder
from scipy.stats import chi2_contingency
from sklearn.base import BaseEstimator
from sklearn.utils import Bunch

from risico.audit.funnel import clopper_pearson
from risico.audit.io import MISSING_GROUP
from risico.texts.audit import TEXTS, text

__all__ = ["FAIRLEARN_CONSTRAINTS", "TOLERANCE", "tradeoff_frontier", "impossibility", "frontier_figure",
           "label_array", "group_codes", "min_max_ratio", "safe_rates"]

logger = logging.getLogger(__name__)

FAIRLEARN_CONSTRAINTS = ("demographic_parity", "equalized_odds", "false_positive_rate_parity")
SHIFT_TARGETS = ("demographic_parity", "false_positive_rate_parity")
#: The tolerance band for a ratio between groups (Amsterdam's Slimme Check used 0.8-1.25).
TOLERANCE = (0.8, 1.25)

CAPACITY = "The 'capacity' parameter of {function} must be an int in [1, {n}] (the number of rows). Got {value!r} instead."
LENGTH = "'{what}' has {got} rows but 'score' has {expected}. All inputs must describe the same rows, in the same order."
SELECTED = ("'selected' marks {count} of {size} rows; it must mark exactly capacity={capacity} of the {n} rows "
            "of 'score'.")
BAD_LABEL = "'{what}' must hold 0, 1 or NaN (not investigated); found {value!r} in row {row}."
ONE_GROUP = "'sensitive' has only one group ({group!r}); comparing groups needs at least two."
NO_OUTCOME = ("Group {group!r} of 'sensitive' has no labelled {outcome} (label {value}), so its error rates are "
              "undefined and fairlearn cannot fit it. Merge it with another group or label more of its cases.")
LAMS = "The 'lams' parameter of tradeoff_frontier must hold floats in [0, 1]. Got {value!r} instead."
FAIRLEARN_AT = "The 'fairlearn_at' parameter of tradeoff_frontier must be 'capacity' or 'optimum'. Got {value!r} instead."



class _ScoreAsPrediction(BaseEstimator):
    """A stand-in estimator whose prediction is the first column of ``X``: the given score."""

    def fit(self, X: Any = None, y: Any = None) -> _ScoreAsPrediction:
        self.fitted_ = True
        return self

    def predict(self, X: Any) -> np.ndarray:
        return np.asarray(X, dtype=float)[:, 0]


# -- inputs ---------------------------------------------------------------------------------------------------


def label_array(values: np.ndarray | None, n: int, what: str) -> np.ndarray | None:
    if values is None:
        return None
    out = np.asarray(values, dtype=float).ravel()
    if out.size != n:
        raise ValueError(LENGTH.format(what=what, got=out.size, expected=n))
    bad = np.flatnonzero(~np.isnan(out) & (out != 0) & (out != 1))
    if bad.size:
        raise ValueError(BAD_LABEL.format(what=what, value=float(out[bad[0]]), row=int(bad[0])))
    return out


def group_codes(sensitive: pd.Series | np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(sorted group names as text, code per row); missing values become the group ``(missing)``."""
    values = np.asarray(sensitive, dtype=object).ravel()
    if values.size != n:
        raise ValueError(LENGTH.format(what="sensitive", got=values.size, expected=n))
    raw, distinct = pd.factorize(values)           # text work on the distinct values only, not on every row
    text = pd.Series(np.asarray(distinct, dtype=object)).astype("str").str.strip()
    text = np.append(text.where(text != "", MISSING_GROUP).to_numpy(dtype=object), MISSING_GROUP)
    inner, names = pd.factorize(text, sort=True)
    codes = inner[raw]                              # a missing value (-1) takes the appended (missing) name
    present = np.bincount(codes, minlength=names.size) > 0
    if not present.all():                           # the appended name unused: drop it, renumber
        codes = (np.cumsum(present) - 1)[codes]
        names = names[present]
    if names.size < 2:
        raise ValueError(ONE_GROUP.format(group=names[0] if names.size else None))
    return np.asarray(names, dtype=object), codes


def _check_capacity(capacity: Any, n: int, function: str) -> int:
    if isinstance(capacity, bool) or not isinstance(capacity, (int, np.integer)) or not 1 <= capacity <= n:
        raise ValueError(CAPACITY.format(function=function, n=n, value=capacity))
    return int(capacity)


def _require_both_outcomes(label: np.ndarray, codes: np.ndarray, names: np.ndarray) -> None:
    for value, outcome in ((0, "negatives"), (1, "positives")):
        counts = np.bincount(codes[label == value], minlength=names.size)
        if (counts == 0).any():
            raise ValueError(NO_OUTCOME.format(group=names[np.argmin(counts)], outcome=outcome, value=value))


# -- selection ------------------------------------------------------------------------------------------------


def _top(key: np.ndarray, capacity: int, *more_keys: np.ndarray) -> np.ndarray:
    """Boolean mask of the ``capacity`` rows with the highest ``key`` (then ``more_keys``; then row order)."""
    n = key.size
    order = np.lexsort((np.arange(n), *(-k for k in reversed(more_keys)), -key))
    selected = np.zeros(n, dtype=bool)
    selected[order[:capacity]] = True
    return selected


def _top_within(score: np.ndarray, codes: np.ndarray, quotas: np.ndarray) -> np.ndarray:
    """The ``quotas[g]`` highest scores within each group g (ties by row order)."""
    order = np.lexsort((np.arange(score.size), -score, codes))
    sorted_codes = codes[order]
    starts = np.searchsorted(sorted_codes, np.arange(quotas.size))
    rank = np.arange(order.size) - starts[sorted_codes]
    selected = np.zeros(score.size, dtype=bool)
    selected[order[rank < quotas[sorted_codes]]] = True
    return selected


def _round_to_total(values: np.ndarray, total: int, upper: np.ndarray) -> np.ndarray:
    """Integers near ``values`` that sum to ``total`` (largest remainders), each within [0, upper]."""
    values = np.clip(values, 0, upper)
    out = np.minimum(np.floor(values).astype(int), upper)
    while out.sum() != total:
        step = 1 if out.sum() < total else -1
        room = out < upper if step > 0 else out > 0
        gain = np.where(room, (values - out) * step, -np.inf)
        out[np.argmax(gain)] += step
    return out


def _fpr_parity_quotas(score: np.ndarray, label: np.ndarray, codes: np.ndarray, sizes: np.ndarray,
                       capacity: int) -> np.ndarray:
    """Group quotas with (nearly) equal false-positive rates that together select ``capacity`` rows."""
    curves = []
    for g, size in enumerate(sizes):
        rows = np.flatnonzero(codes == g)
        ranked = label[rows[np.lexsort((rows, -score[rows]))]]
        neg_rank = np.flatnonzero(ranked == 0)  # 0-based rank of each labelled negative
        # with m negatives allowed, the top neg_rank[m] rows can be selected (all of them once m = N)
        curves.append((neg_rank.size, np.r_[neg_rank, size].astype(float)))

    def quotas(level: float) -> np.ndarray:
        return np.array([np.interp(level * n_neg, np.arange(n_neg + 1), reach) for n_neg, reach in curves])

    low, high = 0.0, 1.0
    if quotas(0.0).sum() >= capacity:
        high = 0.0
    for _ in range(60):
        mid = (low + high) / 2
        low, high = (mid, high) if quotas(mid).sum() < capacity else (low, mid)
    reach = quotas(high)
    return _round_to_total(reach * capacity / max(reach.sum(), 1e-12), capacity, sizes)


def _fairlearn_pmf(score: np.ndarray, label: np.ndarray, groups: np.ndarray, constraint: str, capacity: int,
                   at: str, grid_size: int) -> np.ndarray:
    """fairlearn's selection probability per row, at its own optimum or re-picked to reach ``capacity``."""
    known = ~np.isnan(label)
    simple_at_capacity = at == "capacity" and constraint != "equalized_odds"
    optimizer = ThresholdOptimizer(estimator=_ScoreAsPrediction().fit(), constraints=constraint,
                                   objective="true_positive_rate" if simple_at_capacity else "accuracy_score",
                                   grid_size=grid_size, prefit=True, predict_method="predict")
    optimizer.fit(score[known, None], label[known].astype(int), sensitive_features=groups[known])
    X = score[:, None]
    if at == "optimum":
        return optimizer._pmf_predict(X, sensitive_features=groups)[:, 1]

    def pmf_at(i: int) -> np.ndarray:
        thresholder = InterpolatedThresholder(optimizer.estimator_, _interpolation_at(optimizer, i), prefit=True,
                                              predict_method="predict").fit(None, None)
        return thresholder._pmf_predict(X, sensitive_features=groups)[:, 1]

    low, high = 0, grid_size
    while low < high:  # smallest grid point whose expected selection reaches the capacity
        mid = (low + high) // 2
        low, high = (mid + 1, high) if pmf_at(mid).sum() < capacity else (low, mid)
    upper = pmf_at(low)
    if low == 0:
        return upper
    lower = pmf_at(low - 1)  # mixing two neighbouring solutions keeps the constraint and hits the capacity
    t = (capacity - lower.sum()) / max(upper.sum() - lower.sum(), 1e-12)
    return (1 - t) * lower + t * upper


def _interpolation_at(optimizer: ThresholdOptimizer, i: int) -> dict[Any, Bunch]:
    """fairlearn's per-group randomised thresholds at point ``i`` of its constraint grid (as in its ``fit``)."""
    out = {}
    for group, curve in optimizer._tradeoff_curve.items():
        row = curve.iloc[i]
        bunch = Bunch(p0=row.p0, operation0=row.operation0, p1=row.p1, operation1=row.operation1)
        if optimizer.constraints == "equalized_odds":
            x, y_min = optimizer._x_grid[i], float(optimizer._y_min.iloc[i])
            gap = row.y - row.x
            bunch.update(p_ignore=0.0 if gap == 0 else (row.y - y_min) / gap, prediction_constant=x)
        out[group] = bunch
    return out


# -- metrics --------------------------------------------------------------------------------------------------


def min_max_ratio(values: np.ndarray) -> np.ndarray:
    """min/max over groups (axis 0); NaN when the highest is 0 or a group is undefined."""
    with np.errstate(invalid="ignore", divide="ignore"):
        high = values.max(axis=0)
        return np.where(high > 0, values.min(axis=0) / high, np.nan)


def safe_rates(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def _evaluate(S: np.ndarray, label: np.ndarray, onehot: np.ndarray) -> dict[str, Any]:
    """Metrics of every selection (columns of ``S``) against ``label`` (NaN = unknown)."""
    known = ~np.isnan(label)
    pos, neg = (known & (label == 1)).astype(float), (known & (label == 0)).astype(float)
    hits = pos @ S
    fpr = safe_rates((onehot * neg[:, None]).T @ S, (neg @ onehot)[:, None])
    tpr = safe_rates((onehot * pos[:, None]).T @ S, (pos @ onehot)[:, None])
    ppv = safe_rates((onehot * pos[:, None]).T @ S, (onehot * known[:, None]).T @ S)
    with warnings.catch_warnings():  # a strategy without any defined rate gives NaN, not a warning
        warnings.simplefilter("ignore", RuntimeWarning)
        spread = np.nanmax(fpr, axis=0) - np.nanmin(fpr, axis=0)
    filled = np.nan_to_num(fpr, nan=-1.0)
    return {"precision": safe_rates(hits, known @ S), "recall": safe_rates(hits, np.full(hits.shape, pos.sum())),
            "fpr_ratio": min_max_ratio(fpr), "fpr_difference": spread, "tpr_ratio": min_max_ratio(tpr),
            "ppv_ratio": min_max_ratio(ppv),
            "fpr_highest": filled.argmax(axis=0), "fpr_lowest": np.where(np.isnan(fpr), np.inf, fpr).argmin(axis=0)}


def _bootstrap(S: np.ndarray, label: np.ndarray, codes: np.ndarray, k: int, n_boot: int,
               rng: np.random.Generator) -> dict[str, np.ndarray]:
    """95% percentile intervals of precision and fpr_ratio (Poisson bootstrap over rows, selections held fixed).

    Numerators only involve rows some strategy selected, so they are summed over those rows alone.
    """
    keys = [f"{m}_{end}" for m in ("precision", "fpr_ratio") for end in ("low", "high")]
    if n_boot <= 0:
        return {key: np.full(S.shape[1], np.nan) for key in keys}
    known = ~np.isnan(label)
    pos, neg = known & (label == 1), known & (label == 0)
    union = S.any(axis=1)
    S_u, onehot_u = S[union], (codes[union, None] == np.arange(k)).astype(float)
    draws: dict[str, list[np.ndarray]] = {"precision": [], "fpr_ratio": []}
    for _ in range(n_boot):
        w = rng.poisson(1.0, label.size).astype(float)
        w_u = w[union]
        draws["precision"].append(safe_rates((w_u * pos[union]) @ S_u, (w_u * known[union]) @ S_u))
        negatives = np.bincount(codes, weights=w * neg, minlength=k)
        fpr = safe_rates((onehot_u * (w_u * neg[union])[:, None]).T @ S_u, negatives[:, None])
        draws["fpr_ratio"].append(min_max_ratio(fpr))
    out = {}
    for metric, values in draws.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            out[f"{metric}_low"], out[f"{metric}_high"] = np.nanpercentile(np.array(values), [2.5, 97.5], axis=0)
    return out


# -- public API -----------------------------------------------------------------------------------------------


def tradeoff_frontier(score: np.ndarray, label: np.ndarray, sensitive: pd.Series, *, capacity: int,
                      truth: np.ndarray | None = None, seed: int = 0,
                      fairlearn_at: Literal["capacity", "optimum"] = "capacity",
                      lams: Sequence[float] = (0.25, 0.5, 0.75, 1.0), n_boot: int = 200,
                      grid_size: int = 1000) -> pd.DataFrame:
    """Detection and group balance of selection strategies that all select exactly ``capacity`` rows.

    Parameters
    ----------
    score : array of float
        Risk score per row; higher means selected first.
    label : array of {0, 1, NaN}
        Observed outcome; NaN where the case was not investigated.
    sensitive : pandas.Series
        Group per row, same order as ``score``; used only for the audit.
    capacity : int
        Number of rows every strategy selects.
    truth : array of {0, 1}, optional
        The true outcome of every row (known in a synthetic world).
    seed : int
        Seeds fairlearn's randomised decisions and the bootstrap intervals.
    fairlearn_at : {"capacity", "optimum"}
        Operating point of the fairlearn strategies (see the module docstring).
    lams : sequence of float
        Steps of the ``shift_*`` families (0 = unconstrained, 1 = the target).
    n_boot : int
        Bootstrap replicates for ``precision_low/high`` and ``fpr_ratio_low/high`` (0 = none).
    grid_size : int
        fairlearn's constraint grid.

    Returns
    -------
    pandas.DataFrame
        One row per strategy: ``strategy``, ``method`` (score, fairlearn, shift), ``target``, ``lam``,
        ``selected``, ``optimizer_expected`` (fairlearn's expected number selected at its operating point),
        ``precision``, ``recall``, ``selection_rate_ratio``, ``fpr_ratio``, ``fpr_difference``, ``tpr_ratio``,
        ``ppv_ratio``, ``fpr_highest`` / ``fpr_lowest`` (which group; a change of direction is an alarm),
        bootstrap bounds ``precision_low/high`` and ``fpr_ratio_low/high``, and with ``truth``
        ``precision_truth``, ``recall_truth``, ``fpr_ratio_truth``, ``tpr_ratio_truth``.
        Ratios are lowest/highest group; label metrics use labelled rows only.

    Notes
    -----
    fairlearn's predictor is randomised: each row has a selection probability (``_pmf_predict``). A seeded draw
    realises that decision; rows are then ranked by (decision, probability, score, row order) and the first
    ``capacity`` taken, so randomisation that fairlearn needs (notably for ``equalized_odds``) is kept.
    ``optimizer_expected`` shows how many rows the operating point selects in expectation before that cut.
    fairlearn fits on labelled rows, so its ``demographic_parity`` equalises selection among investigated cases;
    the ``shift_demographic_parity`` family equalises it over all rows.
    """
    score = np.asarray(score, dtype=float).ravel()
    n = score.size
    label = label_array(label, n, "label")
    truth = label_array(truth, n, "truth")
    capacity = _check_capacity(capacity, n, "tradeoff_frontier")
    if fairlearn_at not in ("capacity", "optimum"):
        raise ValueError(FAIRLEARN_AT.format(value=fairlearn_at))
    if not all(isinstance(lam, (int, float)) and 0 <= lam <= 1 for lam in lams):
        raise ValueError(LAMS.format(value=lams))
    names, codes = group_codes(sensitive, n)
    _require_both_outcomes(label, codes, names)
    groups, sizes = names[codes], np.bincount(codes, minlength=names.size)

    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    selections = []
    base = _top(score, capacity)
    rows.append({"strategy": "unconstrained", "method": "score", "target": None, "lam": 0.0})
    selections.append(base)
    for constraint in FAIRLEARN_CONSTRAINTS:
        pmf = _fairlearn_pmf(score, label, groups, constraint, capacity, fairlearn_at, grid_size)
        rows.append({"strategy": constraint, "method": "fairlearn", "target": constraint, "lam": np.nan,
                     "optimizer_expected": float(pmf.sum())})
        decided = (rng.random(n) < pmf).astype(float)  # fairlearn's randomised decision, realised
        selections.append(_top(decided, capacity, pmf, score))
    unconstrained = np.bincount(codes[base], minlength=names.size)
    targets = {"demographic_parity": _round_to_total(capacity * sizes / n, capacity, sizes),
               "false_positive_rate_parity": _fpr_parity_quotas(score, label, codes, sizes, capacity)}
    for target in SHIFT_TARGETS:
        for lam in lams:
            quotas = _round_to_total((1 - lam) * unconstrained + lam * targets[target], capacity, sizes)
            rows.append({"strategy": f"shift_{target}_{lam:.2f}", "method": "shift", "target": target, "lam": lam})
            selections.append(_top_within(score, codes, quotas))

    S = np.column_stack(selections).astype(float)
    onehot = (codes[:, None] == np.arange(names.size)).astype(float)
    frame = pd.DataFrame(rows)
    frame["selected"] = S.sum(axis=0).astype(int)
    frame["selection_rate_ratio"] = min_max_ratio(safe_rates(onehot.T @ S, sizes[:, None]))
    metrics = _evaluate(S, label, onehot)
    for key in ("fpr_highest", "fpr_lowest"):
        metrics[key] = names[metrics[key]].astype(str)
    for key, values in {**metrics, **_bootstrap(S, label, codes, names.size, n_boot, rng)}.items():
        frame[key] = values
    if truth is not None:
        on_truth = _evaluate(S, truth, onehot)
        for key in ("precision", "recall", "fpr_ratio", "tpr_ratio"):
            frame[f"{key}_truth"] = on_truth[key]
    logger.info("Trade-off frontier: %d strategies at capacity %d over %d groups", len(frame), capacity, names.size)
    return frame


def impossibility(score: np.ndarray, label: np.ndarray, sensitive: pd.Series, *, capacity: int,
                  truth: np.ndarray | None = None, selected: np.ndarray | None = None) -> dict[str, Any]:
    """Per group base rate, calibration and error rates at capacity: the numbers behind the impossibility result.

    When base rates differ, a score cannot be calibrated within every group and give equal false-positive and
    false-negative rates at the same time (Chouldechova 2017; Kleinberg, Mullainathan and Raghavan 2016).
    Base rates, calibration (mean score / base rate), error rates and the positive predictive value (``ppv``:
    the share of the selected labelled rows with label 1) use the labelled rows; with selective
    labelling they describe the investigated cases, not the population (``truth`` adds the population view).
    ``base_rates_differ`` is a chi-square test of equal base rates at the 5% level. Plain Python values
    (JSON-ready): per-group numbers are ``{group: value}`` dicts. ``selected``, when given, is the top
    ``capacity`` mask already drawn (the same rows, ties by row order), so a caller auditing several
    attributes sorts the scores once.
    """
    score = np.asarray(score, dtype=float).ravel()
    n = score.size
    label = label_array(label, n, "label")
    truth = label_array(truth, n, "truth")
    capacity = _check_capacity(capacity, n, "impossibility")
    names, codes = group_codes(sensitive, n)
    selected = _top(score, capacity) if selected is None else np.asarray(selected, dtype=bool).ravel()
    if selected.size != n or int(selected.sum()) != capacity:
        raise ValueError(SELECTED.format(size=selected.size, count=int(selected.sum()), n=n, capacity=capacity))
    known = ~np.isnan(label)
    labelled = np.bincount(codes[known], minlength=names.size)
    positives = np.bincount(codes[known & (label == 1)], minlength=names.size)
    table = np.array([positives, labelled - positives])
    p_value = float(chi2_contingency(table[:, labelled > 0])[1]) if (table.sum(axis=1) > 0).all() else 1.0
    base_rate = safe_rates(positives, labelled)
    lo, hi = clopper_pearson(positives, labelled)
    mean_score = safe_rates(np.bincount(codes[known], weights=score[known], minlength=names.size), labelled)
    errors = _error_rates(selected, label, codes, names.size)
    out: dict[str, Any] = {
        "capacity": capacity, "groups": [str(g) for g in names],
        "n": _by_group(names, np.bincount(codes, minlength=names.size)), "labelled": _by_group(names, labelled),
        "base_rates": _by_group(names, base_rate), "base_rate_low": _by_group(names, lo),
        "base_rate_high": _by_group(names, hi), "mean_score": _by_group(names, mean_score),
        "calibration": _by_group(names, safe_rates(mean_score, base_rate)),
        **{k: _by_group(names, v) for k, v in errors.items()},
        "p_value": p_value, "base_rates_differ": bool(p_value < 0.05), "tolerance": list(TOLERANCE)}
    for key in ("calibration", "fpr", "fnr", "ppv"):
        values = np.array(list(out[key].values()), dtype=float)
        out[f"{key}_ratio"] = float(min_max_ratio(values[:, None])[0]) if np.isfinite(values).all() else float("nan")
    out["all_within_tolerance"] = bool(all(out[f"{k}_ratio"] >= TOLERANCE[0] for k in ("calibration", "fpr", "fnr")))
    if truth is not None:
        sizes = np.bincount(codes, minlength=names.size)
        out["base_rates_truth"] = _by_group(names, safe_rates(np.bincount(codes, weights=truth, minlength=names.size),
                                                              sizes))
        out["mean_score_truth"] = _by_group(names, safe_rates(np.bincount(codes, weights=score, minlength=names.size),
                                                              sizes))
        out.update({f"{k}_truth": _by_group(names, v)
                    for k, v in _error_rates(selected, truth, codes, names.size).items()})
    key = "statement" if out["base_rates_differ"] else "statement_equal"
    out["statement"] = {lang: text(f"tradeoff.{key}", lang, p=p_value) for lang in ("nl", "en")}
    return out


def _error_rates(selected: np.ndarray, label: np.ndarray, codes: np.ndarray, k: int) -> dict[str, np.ndarray]:
    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(codes[mask], minlength=k)

    neg, pos = label == 0, label == 1
    return {"selection_rate": safe_rates(count(selected), count(np.ones_like(selected))),
            "fpr": safe_rates(count(selected & neg), count(neg)), "fnr": safe_rates(count(~selected & pos), count(pos)),
            "ppv": safe_rates(count(selected & pos), count(selected & (neg | pos)))}


def _by_group(names: np.ndarray, values: np.ndarray) -> dict[str, float]:
    return {str(g): float(v) for g, v in zip(names, values, strict=True)}


def frontier_figure(frontier: pd.DataFrame, path: Path, *, language: Literal["nl", "en"] = "nl",
                    x: Literal["fpr_ratio", "selection_rate_ratio"] = "fpr_ratio") -> Path:
    """Detection against group balance for each strategy of ``tradeoff_frontier``; writes a PNG, returns its path."""
    from matplotlib.figure import Figure  # Agg canvas; pyplot's global state is never touched

    figure = Figure(figsize=(7.5, 5.0), layout="constrained")
    ax = figure.subplots()
    ax.axvspan(TOLERANCE[0], 1.0, color="0.92", label=text("tradeoff.band", language))
    start = frontier[frontier["strategy"] == "unconstrained"]
    for target, rows in frontier[frontier["method"] == "shift"].groupby("target", sort=True):
        line = pd.concat([start, rows.sort_values("lam")])
        ax.plot(line[x], line["precision"], marker="o", ms=4, lw=1.2, label=text(f"tradeoff.shift.{target}", language))
    points = frontier[frontier["method"] != "shift"]
    bars = x == "fpr_ratio" and {"precision_low", "fpr_ratio_low"} <= set(points)
    for (_, row), marker in zip(points.iterrows(), "*DsP^v", strict=False):
        name = (text(f"tradeoff.strategy.{row['strategy']}", language)
                if f"tradeoff.strategy.{row['strategy']}" in TEXTS else str(row["strategy"]))
        if bars:
            ax.errorbar(row[x], row["precision"], fmt="none", ecolor="0.55", lw=0.8,
                        xerr=_span(row, x), yerr=_span(row, "precision"))
        ax.scatter(row[x], row["precision"], marker=marker, s=70, color="black", zorder=3, label=name)
    ax.set_xlabel(text(f"tradeoff.x.{x}", language))
    ax.set_ylabel(text("tradeoff.y.precision", language))
    if {"selected"} <= set(frontier) and len(frontier):
        ax.set_title(text("tradeoff.title", language, capacity=int(frontier["selected"].iloc[0])), fontsize=10)
    ax.set_xlim(0, 1.05)
    ax.legend(fontsize=8, loc="best")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    return path


def _span(row: pd.Series, metric: str) -> np.ndarray:
    """Error-bar lengths (below, above) from the bootstrap bounds; 0 where unknown."""
    centre, low, high = (float(row[metric]), float(row[f"{metric}_low"]), float(row[f"{metric}_high"]))
    return np.nan_to_num(np.array([[centre - low], [high - centre]])).clip(min=0)
