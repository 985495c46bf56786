"""Proxy analysis: how well the model inputs predict membership of a protected group.

A feature that predicts a protected group well is a *proxy* for it: a model
may learn the group through the feature even though the protected attribute is
never an input. Reviewers ask for this check on every feature (Amsterdam's
"Slimme Check" did it), and for the joint check, because several weak proxies
together can be a strong one.

- :func:`proxy_table` scores each feature *alone* against each group of each
  protected attribute (one group against the rest): the ROC AUC of the
  feature's values as a score, and the share of the group's entropy that the
  binned feature explains.
- :func:`joint_proxy_table` scores *all* features together with a gradient
  boosting classifier, out of fold.

Both read the protected attributes only to measure; they never return a model.
Rows of ``X`` and ``protected`` are matched by position.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import rankdata
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import mutual_info_score
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits

from risico.audit.engine import MISSING as MISSING_GROUP
from risico.audit.engine import AuditError
from risico.params import BAD_VALUE

__all__ = [
    "AuditError",
    "proxy_table",
    "joint_proxy_table",
    "subsample",
    "MISSING_GROUP",
    "LENGTH_MISMATCH",
    "UNSUPPORTED_FEATURE",
    "UNKNOWN_ATTRIBUTE",
    "NUMERIC_ATTRIBUTE",
    "NO_ATTRIBUTES",
    "check_int",
    "check_float",
    "feature_kind",
]

log = logging.getLogger(__name__)

#: The group a missing protected value (or a missing category of a text feature) falls into.
#: Folds of the out-of-fold target encoding of a text feature.
ENCODING_FOLDS = 5
#: Pseudo-rows pulling a category's target rate towards the overall rate (rare categories say little).
SMOOTHING = 10.0
#: Quantile bins of a numeric feature for the mutual information.
N_BINS = 10
#: Categories with fewer rows are pooled for the mutual information (a unique id would otherwise "explain" all).
MIN_CATEGORY_COUNT = 30
#: A text column of ``protected`` with more distinct values is not taken as an attribute by default (an id).
MAX_GROUPS = 20
#: Folds of the joint, out-of-fold classifier.
JOINT_FOLDS = 3
#: Largest category code the gradient boosting accepts is ``MAX_CODES - 1``; rarer categories share it.
MAX_CODES = 255

LENGTH_MISMATCH = "{what} has {got} rows but X has {expected}. Both must describe the same rows, in the same order."
UNSUPPORTED_FEATURE = ("Feature '{column}' of X has dtype {dtype}; the audit handles numeric, bool and text features. "
                       "Convert it first.")
UNKNOWN_ATTRIBUTE = "Protected attribute '{column}' is not a column of protected. Columns: {columns}."
NUMERIC_ATTRIBUTE = ("Protected attribute '{column}' is numeric (dtype {dtype}); band it into text groups first "
                     "(for example age into '18-26', '27-40', ...).")
NO_ATTRIBUTES = ("protected has no text column with at most {max_groups} groups to audit. Columns: {columns}. "
                 "Pass attributes= to name them.")




def proxy_table(X: pd.DataFrame, protected: pd.DataFrame, *, threshold_auc: float = 0.6, seed: int = 0,
                max_rows: int = 50_000, attributes: Sequence[str] | None = None) -> pd.DataFrame:
    """How well each feature alone predicts each protected group (one group against the rest).

    Parameters
    ----------
    X : DataFrame
        Model inputs: numeric, bool or text (``str``) columns.
    protected : DataFrame
        Protected attributes, one row per row of ``X`` (matched by position).
    threshold_auc : float, default 0.6
        A feature with ``auc >= threshold_auc`` for a group is marked as a proxy.
    seed : int, default 0
        Seed of the subsample and of the folds of the target encoding.
    max_rows : int, default 50_000
        At most this many rows, drawn at random without replacement, are used.
    attributes : sequence of str, optional
        Columns of ``protected`` to audit. By default every text, categorical or
        bool column with at most ``MAX_GROUPS`` distinct values (an id is skipped).

    Returns
    -------
    DataFrame
        One row per feature, attribute and group: ``feature, attribute, group,
        n, auc, direction, nmi, is_proxy``, sorted by ``auc`` descending.

        - ``n``: rows of the group in the (sub)sample.
        - ``auc``: for a numeric or bool feature ``max(AUC, 1 - AUC)`` of its
          values (missing values rank lowest); for a text feature the AUC of its
          out-of-fold, smoothed target rate per category (a category never seen
          in the other folds gets the overall rate, so an id scores 0.5).
        - ``direction``: +1 if higher values go with the group, -1 if lower
          values do, 0 for a text feature (no order) or an undefined AUC.
        - ``nmi``: mutual information between the binned feature (deciles; text
          categories with fewer than ``MIN_CATEGORY_COUNT`` rows pooled) and
          group membership, divided by the entropy of membership: the share of
          the uncertainty about membership that the feature removes (0 to 1).

    Missing protected values form a group ``"(missing)"``.
    """
    check_float("threshold_auc", threshold_auc, 0.5, 1.0, "proxy_table", "a number in [0.5, 1]")
    check_int("seed", seed, 0, "proxy_table")
    check_int("max_rows", max_rows, 10, "proxy_table")
    _check_lengths(X, protected)
    kinds = {column: feature_kind(X[column]) for column in X.columns}
    groups_of = _attribute_groups(protected, attributes)
    rows = subsample(len(X), max_rows, seed)
    folds = _folds(rows.size, ENCODING_FOLDS, seed)
    records = []
    for column, kind in kinds.items():
        values = X[column].iloc[rows]
        for attribute, (labels, groups) in groups_of.items():
            codes = labels[rows]
            records += _feature_rows(column, kind, values, attribute, codes, groups, folds)
    table = pd.DataFrame.from_records(records, columns=["feature", "attribute", "group", "n", "auc", "direction",
                                                       "nmi"])
    table["is_proxy"] = table["auc"] >= threshold_auc
    log.info("Proxy table: %s features x %s groups on %s rows; %s proxies at AUC >= %s", len(kinds),
             sum(len(g) for _, g in groups_of.values()), rows.size, int(table["is_proxy"].sum()), threshold_auc)
    return _sort_by_auc(table, ["feature", "attribute", "group"])


def joint_proxy_table(X: pd.DataFrame, protected: pd.DataFrame, *, seed: int = 0, max_rows: int = 50_000,
                      attributes: Sequence[str] | None = None, n_threads: int = 1) -> pd.DataFrame:
    """How well all features together predict each protected group, out of fold.

    For each attribute a ``HistGradientBoostingClassifier`` (``random_state=seed``)
    is trained on all features in three stratified folds; text features are
    ordinal-encoded and declared categorical (the ``MAX_CODES - 1`` most frequent
    categories keep their own code, rarer ones share one). Each group's AUC is
    that of the out-of-fold probability of the group against the rest.

    Parameters
    ----------
    X, protected, seed, max_rows, attributes
        As in :func:`proxy_table`.
    n_threads : int, default 1
        OpenMP threads of the trees. One is the safe default: on a busy machine
        the trees' short parallel sections stall (a 20,000-row audit took 16 s
        with 2 threads beside another job, 1 s with 1), and one thread gives
        the same sums, so the same numbers, on any machine.

    Returns
    -------
    DataFrame
        ``attribute, group, n, auc``, sorted by ``auc`` descending. The AUC is
        missing for a group with fewer than ``JOINT_FOLDS`` rows in the sample.
    """
    check_int("seed", seed, 0, "joint_proxy_table")
    check_int("max_rows", max_rows, 10, "joint_proxy_table")
    check_int("n_threads", n_threads, 1, "joint_proxy_table")
    _check_lengths(X, protected)
    kinds = {column: feature_kind(X[column]) for column in X.columns}
    groups_of = _attribute_groups(protected, attributes)
    rows = subsample(len(X), max_rows, seed)
    design, categorical = _ordinal_design(X.iloc[rows], kinds)
    records = []
    for attribute, (labels, groups) in groups_of.items():
        codes = labels[rows]
        with threadpool_limits(limits=n_threads, user_api="openmp"):
            proba = _out_of_fold_proba(design, categorical, codes, len(groups), seed)
        for g, group in enumerate(groups):
            member = codes == g
            auc = _auc(member, proba[:, g]) if member.sum() >= JOINT_FOLDS else np.nan
            records.append((attribute, group, int(member.sum()), _round(auc)))
    table = pd.DataFrame.from_records(records, columns=["attribute", "group", "n", "auc"])
    return _sort_by_auc(table, ["attribute", "group"])


def subsample(n: int, max_rows: int, seed: int) -> np.ndarray:
    """Sorted positions of at most ``max_rows`` of ``n`` rows, drawn without replacement.

    >>> subsample(5, 10, seed=0).tolist()
    [0, 1, 2, 3, 4]
    >>> subsample(1000, 3, seed=0).size
    3
    """
    if n <= max_rows:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=max_rows, replace=False))


# -- single features -----------------------------------------------------------------------------------------------

def _feature_rows(column: str, kind: str, values: pd.Series, attribute: str, codes: np.ndarray,
                  groups: list[str], folds: np.ndarray) -> list[tuple]:
    """The proxy rows of one feature against every group of one attribute."""
    n_groups = len(groups)
    if kind == "numeric":
        x = values.to_numpy(dtype="float64", na_value=np.nan)
        raw = _numeric_aucs(x, codes, n_groups)
        bins = _numeric_bins(x)
    else:
        categories = _category_codes(values)
        raw = _categorical_aucs(categories, codes, n_groups, folds)
        bins = _pooled(categories, MIN_CATEGORY_COUNT)
    nmi = _normalised_mi(bins, codes, n_groups)
    sizes = np.bincount(codes, minlength=n_groups)
    rows = []
    for g, group in enumerate(groups):
        auc, direction = raw[g], 0
        if kind == "numeric" and np.isfinite(auc):
            direction = 1 if auc >= 0.5 else -1
            auc = max(auc, 1.0 - auc)
        rows.append((column, attribute, group, int(sizes[g]), _round(auc), direction, _round(nmi[g])))
    return rows


def _numeric_aucs(x: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Raw AUC of ``x`` as a score for every group at once (Mann-Whitney from one ranking)."""
    ranks = rankdata(np.where(np.isnan(x), -np.inf, x))
    n_pos = np.bincount(codes, minlength=n_groups).astype(float)
    rank_sums = np.bincount(codes, weights=ranks, minlength=n_groups)
    n_neg = x.size - n_pos
    with np.errstate(divide="ignore", invalid="ignore"):
        auc = (rank_sums - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)
    return np.where((n_pos > 0) & (n_neg > 0), auc, np.nan)


def _categorical_aucs(categories: np.ndarray, codes: np.ndarray, n_groups: int, folds: np.ndarray) -> np.ndarray:
    """AUC of the out-of-fold, smoothed group rate of each row's category, for every group."""
    n_cat = int(categories.max()) + 1 if categories.size else 1
    cell = folds * n_cat + categories
    counts = np.bincount(cell, minlength=ENCODING_FOLDS * n_cat).reshape(ENCODING_FOLDS, n_cat)
    train_counts = counts.sum(axis=0) - counts
    out = np.full(n_groups, np.nan)
    for g in range(n_groups):
        member = codes == g
        hits = np.bincount(cell, weights=member, minlength=ENCODING_FOLDS * n_cat).reshape(ENCODING_FOLDS, n_cat)
        train_hits = hits.sum(axis=0) - hits
        # The overall rate is one constant for all rows, so it carries no row's own label into the ranking.
        encoded = (train_hits + SMOOTHING * member.mean()) / (train_counts + SMOOTHING)
        out[g] = _auc(member, encoded[folds, categories])
    return out


def _auc(member: np.ndarray, score: np.ndarray) -> float:
    """ROC AUC of ``score`` for ``member`` (ties count half); NaN if one class is empty."""
    n_pos = int(member.sum())
    n_neg = member.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(score)
    return float((ranks[member].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _normalised_mi(bins: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Mutual information of ``bins`` and membership of each group, over the entropy of membership."""
    n_bins = int(bins.max()) + 1
    table = np.bincount(bins * n_groups + codes, minlength=n_bins * n_groups).reshape(n_bins, n_groups)
    per_bin = table.sum(axis=1)
    out = np.full(n_groups, np.nan)
    for g in range(n_groups):
        inside = table[:, g]
        p = inside.sum() / codes.size
        if 0 < p < 1:
            contingency = np.column_stack([inside, per_bin - inside]).astype(np.int64)
            entropy = -(p * np.log(p) + (1 - p) * np.log(1 - p))
            out[g] = min(mutual_info_score(None, None, contingency=contingency) / entropy, 1.0)
    return out


def _numeric_bins(x: np.ndarray) -> np.ndarray:
    """Quantile bin of each value (``N_BINS`` bins at most); missing values get a bin of their own."""
    known = ~np.isnan(x)
    if not known.any():
        return np.zeros(x.size, dtype=np.int64)
    edges = np.unique(np.quantile(x[known], np.linspace(0, 1, N_BINS + 1)[1:-1]))
    bins = np.searchsorted(edges, np.where(known, x, 0.0), side="right")
    return np.where(known, bins, edges.size + 1).astype(np.int64)


def _pooled(categories: np.ndarray, min_count: int) -> np.ndarray:
    """Category codes with every category of fewer than ``min_count`` rows merged into one code."""
    counts = np.bincount(categories)
    keep = counts >= min_count
    new_code = np.where(keep, np.cumsum(keep) - 1, keep.sum())
    return new_code[categories].astype(np.int64)


# -- all features together ---------------------------------------------------------------------------------------

def _ordinal_design(X: pd.DataFrame, kinds: dict[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """A float matrix for the gradient boosting and the mask of its categorical columns."""
    columns, categorical = [], []
    for column, kind in kinds.items():
        if kind == "numeric":
            columns.append(X[column].to_numpy(dtype="float64", na_value=np.nan))
        else:
            columns.append(_capped_codes(X[column]))
        categorical.append(kind == "text")
    design = np.column_stack(columns) if columns else np.empty((len(X), 0))
    return design, np.array(categorical, dtype=bool)


def _capped_codes(values: pd.Series) -> np.ndarray:
    """Ordinal codes by frequency; missing stays NaN, categories past ``MAX_CODES - 1`` share the last code."""
    codes, categories = pd.factorize(values, sort=True)
    counts = np.bincount(codes[codes >= 0], minlength=len(categories))
    rank = np.empty(len(categories), dtype=np.int64)
    rank[np.argsort(-counts, kind="stable")] = np.arange(len(categories))
    capped = np.minimum(rank, MAX_CODES - 1)[codes].astype("float64")
    return np.where(codes >= 0, capped, np.nan)


def _out_of_fold_proba(design: np.ndarray, categorical: np.ndarray, codes: np.ndarray, n_groups: int,
                       seed: int) -> np.ndarray:
    """Out-of-fold probability of each group, from a gradient boosting classifier per fold."""
    proba = np.full((codes.size, n_groups), np.nan)
    folds = StratifiedKFold(JOINT_FOLDS, shuffle=True, random_state=seed)
    stratify = np.where(np.bincount(codes, minlength=n_groups)[codes] >= JOINT_FOLDS, codes, -1)
    for train, test in folds.split(design, stratify):
        present = np.unique(codes[train])
        if present.size < 2:
            proba[np.ix_(test, present)] = 1.0
            continue
        model = HistGradientBoostingClassifier(categorical_features=categorical if categorical.any() else None,
                                               random_state=seed)
        model.fit(design[train], codes[train])
        proba[np.ix_(test, model.classes_)] = model.predict_proba(design[test])
    return np.nan_to_num(proba, nan=0.0)


# -- inputs ------------------------------------------------------------------------------------------------------

def feature_kind(values: pd.Series) -> str:
    """``"numeric"`` (numbers and bools) or ``"text"``; anything else is refused."""
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype) or (pd.api.types.is_numeric_dtype(dtype)
                                             and not pd.api.types.is_complex_dtype(dtype)):
        return "numeric"
    if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(dtype):
        return "text"
    raise AuditError(UNSUPPORTED_FEATURE.format(column=values.name, dtype=dtype))


def _category_codes(values: pd.Series) -> np.ndarray:
    """Integer code of each row's category; a missing value is a category of its own."""
    text = values.astype(object).where(values.notna(), MISSING_GROUP).astype(str)
    codes, _ = pd.factorize(text, sort=True)
    return codes.astype(np.int64)


def _attribute_groups(protected: pd.DataFrame, attributes: Sequence[str] | None) -> dict[str, tuple[np.ndarray,
                                                                                                    list[str]]]:
    """For each audited attribute: the group code of every row and the group names (sorted)."""
    if attributes is None:
        attributes = [c for c in protected.columns if _is_text(protected[c].dtype)
                      and protected[c].nunique(dropna=False) <= MAX_GROUPS]
        if not attributes:
            raise AuditError(NO_ATTRIBUTES.format(max_groups=MAX_GROUPS, columns=list(protected.columns)))
    out = {}
    for column in attributes:
        if column not in protected.columns:
            raise AuditError(UNKNOWN_ATTRIBUTE.format(column=column, columns=list(protected.columns)))
        values = protected[column]
        if not _is_text(values.dtype):
            raise AuditError(NUMERIC_ATTRIBUTE.format(column=column, dtype=values.dtype))
        text = values.astype(object).where(values.notna(), MISSING_GROUP).astype(str)
        codes, groups = pd.factorize(text, sort=True)
        out[str(column)] = (codes.astype(np.int64), [str(g) for g in groups])
    return out


def _is_text(dtype: object) -> bool:
    return (isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(dtype)
            or pd.api.types.is_string_dtype(dtype))


def _folds(n: int, k: int, seed: int) -> np.ndarray:
    """A random fold (0 .. k-1) per row, as balanced as possible."""
    return np.random.default_rng(seed).permutation(n) % k


def _check_lengths(X: pd.DataFrame, protected: pd.DataFrame) -> None:
    if len(protected) != len(X):
        raise AuditError(LENGTH_MISMATCH.format(what="protected", got=len(protected), expected=len(X)))


def check_int(key: str, value: object, minimum: int, function: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise AuditError(BAD_VALUE.format(key=key, section=function, allowed=f"an int >= {minimum}", value=value))


def check_float(key: str, value: object, low: float, high: float, function: str, allowed: str) -> None:
    if (isinstance(value, bool) or not isinstance(value, (int, float, np.floating))
            or not np.isfinite(value) or not low <= value <= high):
        raise AuditError(BAD_VALUE.format(key=key, section=function, allowed=allowed, value=value))


def _sort_by_auc(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return table.sort_values(["auc", *keys], ascending=[False] + [True] * len(keys), na_position="last",
                             kind="mergesort").reset_index(drop=True)


def _round(value: float) -> float:
    return round(float(value), 6) if np.isfinite(value) else float("nan")
