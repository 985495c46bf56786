"""The audit engine: group metrics at the selection cut-off, with bootstrap intervals, and disparities with verdicts.

It works on any scored table (three aligned arrays and a frame of protected
attributes) and imports no model code, so a vendor's scores are audited the
same way as the project's own. Definitions, the bootstrap, the verdict rule
and what a verdict does not mean: ``docs/audit-metrics.md``.

>>> import numpy as np, pandas as pd
>>> score = np.array([0.9, 0.8, 0.8, 0.1, 0.7, 0.2])
>>> label = np.array([1, 0, 1, 0, 0, 0])
>>> sensitive = pd.DataFrame({"gender": ["f", "m", "f", "m", "f", "m"]})
>>> chosen = select(score, top_k=3)
>>> chosen.tolist()
[True, True, True, False, False, False]
>>> table = group_table(chosen, label, sensitive, AuditParams(min_group_size=1, n_boot=50), score=score)
>>> print(table[["group", "n", "selection_rate", "fpr", "ppv"]].round(3).to_string(index=False))
group  n  selection_rate   fpr  ppv
    f  3           0.667 0.000  1.0
    m  3           0.333 0.333  0.0
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from risico.audit import _bootstrap as boot
from risico.audit.verdict import DIFFERENCE_TOLERANCE, judge_disparities
from risico.errors import RisicoError

__all__ = [
    "AuditError", "AuditParams", "select", "group_table", "disparity_table", "distinct_units",
    "GROUP_METRICS", "DISPARITY_METRICS", "MISSING", "SEPARATOR",
    "BAD_PARAM", "SELECT_ONE_OF", "LENGTH_MISMATCH", "NOT_BINARY", "SCORE_NOT_FINITE", "NO_ATTRIBUTES",
    "DUPLICATE_ATTRIBUTES", "MISSING_COLUMNS", "UNKNOWN_REFERENCE_ATTRIBUTE", "UNKNOWN_REFERENCE_GROUP",
]

logger = logging.getLogger(__name__)

MISSING = "(missing)"
SEPARATOR = " x "
GROUP_METRICS = ("base_rate", "selection_rate", "fpr", "fnr", "ppv", "fdr", "fp_burden", "auc", "calibration")
DISPARITY_METRICS = ("fpr", "fnr", "fdr", "ppv", "selection_rate", "fp_burden")
_COUNTS = ("tp", "fp", "fn", "tn")

BAD_PARAM = "The '{key}' parameter of {owner} must be {allowed}. Got {value!r} instead."
SELECT_ONE_OF = "select() needs exactly one of top_k or threshold. Got top_k={top_k!r} and threshold={threshold!r}."
LENGTH_MISMATCH = "The {what} has {got} rows but the sensitive table has {expected}; they must be aligned row by row."
NOT_BINARY = ("The {what} must hold only 0 and 1 (or False and True), without missing values. Found {examples}. "
              "Audit the labelled rows only, for example the random sample.")
SCORE_NOT_FINITE = "The {what} must be finite numbers. Found {count} missing or infinite value(s)."
NO_ATTRIBUTES = "The sensitive table has no columns. Give one column per protected attribute."
DUPLICATE_ATTRIBUTES = "The sensitive table has duplicate column names: {names}. Give each attribute once."
MISSING_COLUMNS = "The group table lacks the column(s) {missing}. Pass the output of group_table()."
UNKNOWN_REFERENCE_ATTRIBUTE = ("The reference names attribute {attribute!r}, which is not in the group table. "
                               "Known: {known}.")
UNKNOWN_REFERENCE_GROUP = "The reference group {group!r} is not a group of attribute {attribute!r}. Groups: {known}."


#: Jeffreys-style pseudo-count per confusion cell in the bootstrap: empty cells of small groups still vary.
CONFUSION_PRIOR = 0.5


class AuditError(RisicoError, ValueError):
    """The audit's input or parameters are not usable; the message says what and where."""


@dataclass(frozen=True)
class AuditParams:
    """Parameters of the audit engine, checked on construction.

    Parameters
    ----------
    min_group_size : int
        Groups with fewer persons are computed but marked ``suppressed`` and never shown.
    n_boot : int
        Bootstrap resamples per group.
    seed : int
        Seed of every random stream (each group gets its own child stream).
    confidence : float
        Level of the group intervals, and of the disparity intervals before correction.
    tolerance : tuple of float
        The band ``(lower, upper)`` a disparity ratio must stay in; ``lower < 1 < upper``.
    max_depth : int
        Intersections of up to this many attributes.
    correction : {"holm", "bonferroni", "none"}
        Multiple-comparison correction over the disparity rows tested.
    auc_bins : int
        Quantile bins of the score for the bootstrap of AUC and calibration.
    difference_tolerance : float
        Absolute band ``[-tol, +tol]`` for the difference of two rates (fpr, fnr, fdr, ppv, selection rate),
        used for the verdict where the ratio is undefined or unstable (``docs/audit-metrics.md``).
    burden_tolerance : float
        The same band for the false-positive burden, in wrongful selections per 1,000 persons.
    """

    min_group_size: int = 10
    n_boot: int = 1000
    seed: int = 0
    confidence: float = 0.95
    tolerance: tuple[float, float] = (0.8, 1.25)
    max_depth: int = 2
    correction: Literal["holm", "bonferroni", "none"] = "bonferroni"
    auc_bins: int = 100
    difference_tolerance: float = DIFFERENCE_TOLERANCE
    burden_tolerance: float = 10.0

    def __post_init__(self) -> None:
        _int(self.min_group_size, "min_group_size", 0)
        _int(self.n_boot, "n_boot", 1)
        _int(self.seed, "seed", 0)
        _int(self.max_depth, "max_depth", 1)
        _int(self.auc_bins, "auc_bins", 2)
        if not _real(self.confidence) or not 0.0 < self.confidence < 1.0:
            _bad("confidence", "a float in (0, 1)", self.confidence)
        band = self.tolerance
        if (not isinstance(band, (tuple, list)) or len(band) != 2 or not all(_real(v) for v in band)
                or not 0.0 < band[0] < 1.0 < band[1] < np.inf):
            _bad("tolerance", "a pair (lower, upper) with 0 < lower < 1 < upper", band)
        object.__setattr__(self, "tolerance", (float(band[0]), float(band[1])))
        for key, top in (("difference_tolerance", 1.0), ("burden_tolerance", 1000.0)):
            value = getattr(self, key)
            if not _real(value) or not 0.0 < value < top:
                _bad(key, f"a float in (0, {top:g})", value)
        if self.correction not in ("holm", "bonferroni", "none"):
            _bad("correction", "one of 'holm', 'bonferroni', 'none'", self.correction)


def _real(value: object) -> bool:
    numeric = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    return numeric and bool(np.isfinite(value))


def _int(value: object, key: str, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        _bad(key, f"an int >= {minimum}", value)


def _bad(key: str, allowed: str, value: object, owner: str = "AuditParams") -> None:
    raise AuditError(BAD_PARAM.format(key=key, owner=owner, allowed=allowed, value=value))


# --------------------------------------------------------------------------- selection


def select(score: np.ndarray, *, top_k: int | None = None, threshold: float | None = None) -> np.ndarray:
    """Boolean mask of the selected rows: the ``top_k`` highest scores, or every score ``>= threshold``.

    Ties at the cut-off are broken by row order (a stable sort: the earlier row
    is selected first), so the same table always gives the same selection.

    >>> select(np.array([0.2, 0.5, 0.5, 0.1]), top_k=1).tolist()
    [False, True, False, False]
    >>> select(np.array([0.2, 0.5, 0.5, 0.1]), threshold=0.2).tolist()
    [True, True, True, False]
    """
    if (top_k is None) == (threshold is None):
        raise AuditError(SELECT_ONE_OF.format(top_k=top_k, threshold=threshold))
    score = _score(score, "score")
    if threshold is not None:
        if not _real(threshold):
            _bad("threshold", "a finite number", threshold, owner="select")
        return score >= threshold
    if isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)) or not 0 <= top_k <= score.size:
        _bad("top_k", f"an int in [0, {score.size}]", top_k, owner="select")
    chosen = np.zeros(score.size, dtype=bool)
    chosen[np.argsort(-score, kind="stable")[:top_k]] = True
    return chosen


# --------------------------------------------------------------------------- input checks


def _score(score: object, what: str, rows: int | None = None) -> np.ndarray:
    values = np.asarray(score, dtype=float).reshape(-1)
    if rows is not None and values.size != rows:
        raise AuditError(LENGTH_MISMATCH.format(what=what, got=values.size, expected=rows))
    bad = ~np.isfinite(values)
    if bad.any():
        raise AuditError(SCORE_NOT_FINITE.format(what=what, count=int(bad.sum())))
    return values


def _binary(values: object, what: str, rows: int) -> np.ndarray:
    raw = np.asarray(values).reshape(-1)
    if raw.size != rows:
        raise AuditError(LENGTH_MISMATCH.format(what=what, got=raw.size, expected=rows))
    if raw.dtype == bool:
        return raw.astype(np.int8)
    try:
        numeric = np.asarray(raw, dtype=float)
    except (TypeError, ValueError):
        numeric = np.full(raw.size, np.nan)
    bad = ~((numeric == 0) | (numeric == 1))
    if bad.any():
        examples = ", ".join(repr(v) for v in pd.unique(pd.Series(raw[bad], dtype=object))[:3])
        raise AuditError(NOT_BINARY.format(what=what, examples=examples))
    return numeric.astype(np.int8)


# --------------------------------------------------------------------------- groups


@dataclass(frozen=True)
class _Grouping:
    attribute: str
    depth: int
    codes: np.ndarray  # group code per row
    labels: tuple[str, ...]


def _encode(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Codes per row and sorted labels; a missing value is the group ``(missing)``."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes, uniques = column.cat.codes.to_numpy(), list(column.cat.categories)
    else:
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
        uniques = list(uniques)
    names = [str(u) for u in uniques]
    if (codes < 0).any():
        names.append(MISSING)
        codes = np.where(codes < 0, len(names) - 1, codes)
    merged, labels = pd.factorize(pd.Series(names, dtype=object))  # "1" and 1, or "(missing)" and NaN, are one group
    codes = merged[codes] if codes.size else np.asarray(codes, dtype=np.int64)
    order = np.argsort(np.asarray(labels, dtype=object), kind="stable")
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    return rank[codes].astype(np.int64), [str(labels[i]) for i in order]


def _groupings(sensitive: pd.DataFrame, max_depth: int) -> list[_Grouping]:
    names = [str(c) for c in sensitive.columns]
    encoded = [_encode(sensitive.iloc[:, i]) for i in range(len(names))]
    out = [_Grouping(names[i], 1, codes, tuple(labels)) for i, (codes, labels) in enumerate(encoded)]
    for depth in range(2, min(max_depth, len(names)) + 1):
        for combo in itertools.combinations(range(len(names)), depth):
            shape = tuple(len(encoded[i][1]) for i in combo)
            flat = np.ravel_multi_index(tuple(encoded[i][0] for i in combo), shape) if shape else np.empty(0)
            present, codes = np.unique(flat, return_inverse=True)
            parts = np.unravel_index(present, shape)
            labels = tuple(SEPARATOR.join(encoded[i][1][p[j]] for i, p in zip(combo, parts, strict=True))
                           for j in range(present.size))
            out.append(_Grouping(SEPARATOR.join(names[i] for i in combo), depth, codes.reshape(-1), labels))
    return out


def _check_sensitive(sensitive: pd.DataFrame) -> None:
    if not isinstance(sensitive, pd.DataFrame) or sensitive.shape[1] == 0:
        raise AuditError(NO_ATTRIBUTES)
    names = pd.Index([str(c) for c in sensitive.columns])
    if names.has_duplicates:
        raise AuditError(DUPLICATE_ATTRIBUTES.format(names=sorted(set(names[names.duplicated()]))))


def group_table(selected: np.ndarray, label: np.ndarray, sensitive: pd.DataFrame, params: AuditParams, *,
                score: np.ndarray | None = None, units: np.ndarray | None = None) -> pd.DataFrame:
    """Metrics per group at the selection cut-off, with percentile bootstrap intervals.

    Parameters
    ----------
    selected : array of bool
        Who was selected (see :func:`select`), aligned with ``sensitive`` by position.
    label : array of 0/1
        The observed outcome (1 = error or fraud found); no missing values.
    sensitive : DataFrame
        One column per protected attribute (its index is ignored). Missing
        values form the group ``"(missing)"``.
    params : AuditParams
    score : array of float, optional
        The risk score, for the within-group AUC and calibration.
    units : array, optional
        The entity each row belongs to (a provider of a provider-quarter row).
        When given, a group is suppressed when it holds fewer than
        ``min_group_size`` distinct *units* (not rows), and the table gains
        the column ``n_units``: four quarters of three providers are still
        three providers. The bootstrap then also counts units: a group's
        cells vary as if it held ``n_units`` independent observations (rows
        of one provider move together), so its intervals are conservative.
        :func:`disparity_table` reads ``n_units`` and does the same.

    Returns
    -------
    DataFrame
        One row per group of every attribute and of every intersection of up
        to ``max_depth`` attributes: ``attribute``, ``depth``, ``group``, ``n``,
        ``suppressed``, the counts ``tp, fp, fn, tn``, then every metric of
        :data:`GROUP_METRICS` with ``<metric>_lo`` and ``<metric>_hi``.
        Undefined metrics (zero denominator) are NaN.
    """
    _check_sensitive(sensitive)
    rows = len(sensitive)
    sel = _binary(selected, "selected mask", rows)
    y = _binary(label, "label", rows)
    s = None if score is None else _score(score, "score", rows)
    unit_codes = None if units is None else _unit_codes(units, rows)
    cell = 2 * sel.astype(np.int64) + y
    ranked = boot.ScoreBins(s, y, params.auc_bins) if s is not None else None
    parts = [_grouping_rows(g, cell, ranked, params, unit_codes) for g in _groupings(sensitive, params.max_depth)]
    return pd.concat(parts, ignore_index=True)


def _unit_codes(units: np.ndarray, rows: int) -> np.ndarray:
    values = np.asarray(units, dtype=object).reshape(-1)
    if values.size != rows:
        raise AuditError(LENGTH_MISMATCH.format(what="units", got=values.size, expected=rows))
    return pd.factorize(pd.Series(values, dtype=object).astype("str"))[0].astype(np.int64)


def distinct_units(codes: np.ndarray, unit_codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Distinct units per group code (a unit in two groups counts in both).

    >>> distinct_units(np.array([0, 0, 1, 1]), np.array([7, 7, 7, 8]), 2).tolist()
    [1, 2]
    """
    if codes.size == 0:
        return np.zeros(n_groups, dtype=np.int64)
    pairs = np.unique(codes.astype(np.int64) * (int(unit_codes.max()) + 1) + unit_codes)
    return np.bincount(pairs // (int(unit_codes.max()) + 1), minlength=n_groups).astype(np.int64)


def _grouping_rows(grouping: _Grouping, cell: np.ndarray, ranked: boot.ScoreBins | None,
                   params: AuditParams, unit_codes: np.ndarray | None = None) -> pd.DataFrame:
    n_groups = len(grouping.labels)
    counts = np.bincount(grouping.codes * 4 + cell, minlength=n_groups * 4).reshape(n_groups, 4)
    size = counts.sum(axis=1) if unit_codes is None else distinct_units(grouping.codes, unit_codes, n_groups)
    weight = np.ones(n_groups) if unit_codes is None else _unit_weight(size, counts.sum(axis=1))
    reps = np.zeros((params.n_boot, n_groups, 4), dtype=np.int64 if unit_codes is None else float)
    for j, label in enumerate(grouping.labels):
        reps[:, j] = _draws(grouping.attribute, label, counts[j], params, weight[j])
    alpha = 1.0 - params.confidence
    frame = pd.DataFrame({"attribute": grouping.attribute, "depth": grouping.depth, "group": list(grouping.labels),
                          "n": counts.sum(axis=1), "suppressed": size < params.min_group_size})
    if unit_codes is not None:
        frame.insert(4, "n_units", size)
    for name, index in zip(_COUNTS, (3, 2, 1, 0), strict=True):
        frame[name] = counts[:, index]
    point, boot_values = boot.confusion_metrics(counts), boot.confusion_metrics(reps)
    for name in boot.CONFUSION_METRICS:
        _put(frame, name, point[name], boot_values[name], alpha)
    score_metrics = _score_metrics(grouping, counts, ranked, params)
    for name, (point_values, replicates, shift) in score_metrics.items():
        _put(frame, name, point_values, replicates, alpha, shift)
    return frame


def _put(frame: pd.DataFrame, name: str, point: np.ndarray, replicates: np.ndarray, alpha: float,
         shift: np.ndarray | None = None) -> None:
    lo, hi = boot.percentile(replicates, alpha / 2), boot.percentile(replicates, 1 - alpha / 2)
    if shift is not None:  # AUC: the binned interval moved onto the exact point estimate
        lo, hi = np.clip(lo + shift, 0.0, 1.0), np.clip(hi + shift, 0.0, 1.0)
    frame[name], frame[f"{name}_lo"], frame[f"{name}_hi"] = point, lo, hi


def _score_metrics(grouping: _Grouping, counts: np.ndarray, ranked: boot.ScoreBins | None,
                   params: AuditParams) -> dict[str, tuple]:
    n_groups = len(grouping.labels)
    if ranked is None:
        nothing = (np.full(n_groups, np.nan), np.full((1, n_groups), np.nan), None)
        return {"auc": nothing, "calibration": nothing}
    auc, cells, sums = ranked.per_group(grouping.codes, n_groups)
    streams = [boot.stream(params.seed, grouping.attribute, label, "score") for label in grouping.labels]
    auc_reps, cal_reps = boot.score_resamples(cells, sums, params.n_boot, streams)
    binned = boot.auc_from_bins(cells[:, 1::2], cells[:, 0::2])
    calibration = boot.safe_ratio(sums.sum(axis=1), counts[:, 1] + counts[:, 3])  # mean score / base rate
    return {"auc": (auc, auc_reps, auc - binned), "calibration": (calibration, cal_reps, None)}


# --------------------------------------------------------------------------- disparities


_GROUP_COLUMNS = ("attribute", "group", "n", "suppressed", *_COUNTS)
_DISPARITY_COLUMNS = ("attribute", "group", "reference", "metric", "n", "reference_n", "value", "reference_value",
                      "ratio", "difference", "ratio_lo", "ratio_hi", "level", "tail_p", "interval", "verdict",
                      "direction", "suppressed", "difference_lo", "difference_hi", "difference_tolerance", "basis")


def disparity_table(groups: pd.DataFrame, params: AuditParams, *,
                    reference: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Each group against its attribute's reference group, per metric, with a verdict.

    Parameters
    ----------
    groups : DataFrame
        The output of :func:`group_table` (rows may have been filtered).
    params : AuditParams
        The same parameters as for :func:`group_table`: the resamples are
        redrawn from the group counts with the same streams, so the ratio
        intervals come from the very resamples behind the group intervals.
    reference : mapping of str to str, optional
        Reference group per attribute (or intersection); by default the
        largest non-suppressed group.

    Returns
    -------
    DataFrame
        One row per (attribute, non-reference group, metric of
        :data:`DISPARITY_METRICS`): ``ratio`` = group / reference,
        ``difference`` = group - reference, the intervals ``ratio_lo``,
        ``ratio_hi`` and ``difference_lo``, ``difference_hi`` (from the same
        resamples) at ``level`` (after correction), ``tail_p`` (the share
        of resamples on the near side of the band), ``interval``
        (``percentile`` or ``lognormal``), ``verdict`` (``pass``, ``review``,
        ``fail``, ``not_assessed``; decided by
        :func:`risico.audit.verdict.judge_disparities`, the engine's only
        judgement), ``direction`` (+1 group higher, -1
        lower, 0 equal or undefined), ``suppressed`` and ``basis`` (``ratio``
        or ``difference``: what the verdict was taken on; empty when not
        assessed), with ``difference_tolerance`` the absolute margin of the
        difference rule (:attr:`AuditParams.difference_tolerance`, or
        :attr:`AuditParams.burden_tolerance` for ``fp_burden``).
    """
    missing = [c for c in _GROUP_COLUMNS if c not in groups.columns]
    if missing:
        raise AuditError(MISSING_COLUMNS.format(missing=", ".join(missing)))
    table = groups.loc[:, list(_GROUP_COLUMNS) + (["n_units"] if "n_units" in groups else [])].reset_index(drop=True)
    references = _references(table, dict(reference or {}))
    pieces = [_pairs(table[table["attribute"] == attr], ref, params) for attr, ref in references.items()]
    pieces = [p for p in pieces if p is not None]
    if not pieces:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in _DISPARITY_COLUMNS})
    rows = pd.concat([p[0] for p in pieces], ignore_index=True)
    ratios = np.concatenate([p[1] for p in pieces], axis=1)
    differences = np.concatenate([p[2] for p in pieces], axis=1)
    rows["difference_tolerance"] = np.where(rows["metric"] == "fp_burden", params.burden_tolerance,
                                            params.difference_tolerance)
    return judge_disparities(_intervals(rows, ratios, differences, params), groups, params.tolerance).loc[
        :, list(_DISPARITY_COLUMNS)]


def _references(table: pd.DataFrame, chosen: dict[str, str]) -> dict[str, str | None]:
    attributes = list(dict.fromkeys(table["attribute"]))
    for attr, group in chosen.items():
        if attr not in attributes:
            raise AuditError(UNKNOWN_REFERENCE_ATTRIBUTE.format(attribute=attr, known=", ".join(attributes)))
        known = table.loc[table["attribute"] == attr, "group"].tolist()
        if group not in known:
            raise AuditError(UNKNOWN_REFERENCE_GROUP.format(group=group, attribute=attr, known=", ".join(known)))
    out: dict[str, str | None] = {}
    for attr in attributes:
        sub = table[(table["attribute"] == attr) & ~table["suppressed"].astype(bool)]
        out[attr] = chosen.get(attr, sub.loc[sub["n"].idxmax(), "group"] if len(sub) else None)
        if out[attr] is None:
            logger.info("attribute %s has no group of at least the minimum size: nothing assessed", attr)
    return out


def _draws(attribute: str, group: str, counts: np.ndarray, params: AuditParams, weight: float = 1.0) -> np.ndarray:
    """A group's confusion resamples, redrawn exactly as group_table drew them."""
    return boot.resample_counts(counts, params.n_boot, boot.stream(params.seed, attribute, group, "confusion"),
                                prior=CONFUSION_PRIOR, weight=weight)


def _unit_weight(units: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Distinct units per row of each group (1 where a group is empty): the bootstrap's effective share."""
    units, rows = np.asarray(units, dtype=float), np.asarray(rows, dtype=float)
    return np.where(rows > 0, units / np.where(rows > 0, rows, 1.0), 1.0)


def _weights(frame: pd.DataFrame) -> np.ndarray:
    """The unit weight of each row of a group table (all 1 without ``n_units``)."""
    if "n_units" not in frame:
        return np.ones(len(frame))
    return _unit_weight(frame["n_units"].to_numpy(), frame["n"].to_numpy())


def _pairs(sub: pd.DataFrame, ref: str | None,
           params: AuditParams) -> tuple[pd.DataFrame, np.ndarray, np.ndarray] | None:
    """Rows (group-major, then metric), ratio and difference resamples ``(n_boot, rows)`` of one attribute."""
    others = sub[sub["group"] != ref]
    if others.empty:
        return None
    cells = ["tn", "fn", "fp", "tp"]
    ref_row = sub[sub["group"] == ref].iloc[0] if ref is not None else pd.Series({"n": 0, "suppressed": True})
    ref_counts = ref_row[cells].to_numpy(dtype=np.int64) if ref is not None else np.zeros(4, dtype=np.int64)
    ref_point = boot.confusion_metrics(ref_counts)
    ref_weight = float(_weights(ref_row.to_frame().T)[0]) if ref is not None else 1.0
    ref_boot = boot.confusion_metrics(_draws(str(sub["attribute"].iloc[0]), str(ref), ref_counts, params,
                                             ref_weight))
    counts = others[cells].to_numpy(dtype=np.int64)
    point = boot.confusion_metrics(counts)
    draws = boot.confusion_metrics(np.stack([_draws(a, g, c, params, w) for a, g, c, w in
                                             zip(others["attribute"], others["group"], counts, _weights(others),
                                                 strict=True)], axis=1))
    metrics = list(DISPARITY_METRICS)
    value = np.column_stack([point[m] for m in metrics])                     # (groups, metrics)
    ref_value = np.broadcast_to(np.array([ref_point[m] for m in metrics], dtype=float), value.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = value / ref_value
        replicates = np.stack([draws[m] / ref_boot[m][:, None] for m in metrics], axis=2)  # (n_boot, groups, metrics)
    differences = np.stack([draws[m] - ref_boot[m][:, None] for m in metrics], axis=2)
    k = len(others)
    parts = _rate_parts(counts * _weights(others)[:, None], ref_counts * ref_weight, metrics)
    rows = pd.DataFrame({
        "attribute": others["attribute"].repeat(len(metrics)).to_numpy(),
        "group": others["group"].repeat(len(metrics)).to_numpy(),
        "reference": ref, "metric": metrics * k,
        "n": others["n"].repeat(len(metrics)).to_numpy(dtype=np.int64), "reference_n": int(ref_row["n"]),
        "value": value.ravel(), "reference_value": ref_value.ravel(), "ratio": ratio.ravel(),
        "difference": (value - ref_value).ravel(),
        "suppressed": others["suppressed"].astype(bool).repeat(len(metrics)).to_numpy() | bool(ref_row["suppressed"]),
        **parts,
    })
    return rows, replicates.reshape(params.n_boot, -1), differences.reshape(params.n_boot, -1)


_PARTS = ("events", "trials", "reference_events", "reference_trials")


def _rate_parts(counts: np.ndarray, ref_counts: np.ndarray, metrics: list[str]) -> dict[str, np.ndarray]:
    """Events and trials behind each (group, metric) rate and its reference's, flattened group-major like the
    rows; counts of ``(tn, fn, fp, tp)`` (weighted by units where rows are not independent)."""
    out = {}
    for name, index in zip(_PARTS, (0, 1, 0, 1), strict=True):
        cells = np.broadcast_to(ref_counts, counts.shape) if name.startswith("reference") else counts
        out[f"_{name}"] = np.column_stack([cells[:, list(boot.RATE_PARTS[m][index])].sum(axis=1)
                                           for m in metrics]).ravel()
    return out


def _intervals(rows: pd.DataFrame, replicates: np.ndarray, differences: np.ndarray,
               params: AuditParams) -> pd.DataFrame:
    """Corrected ratio and difference intervals and tail shares for every row at once.

    The ratio intervals are exactly those without the differences. A difference interval is taken at its
    row's ratio level; where the ratio is undefined (a reference rate of 0), at the strictest level of the
    correction (:func:`risico.audit._bootstrap.difference_intervals`)."""
    out = rows.copy()
    ratio = out["ratio"].to_numpy(dtype=float)
    tested = ~out["suppressed"].to_numpy(dtype=bool) & np.isfinite(ratio)
    numbers = boot.ratio_intervals(ratio, replicates, tested, confidence=params.confidence,
                                   correction=params.correction, band=params.tolerance)
    for column in ("ratio_lo", "ratio_hi", "level", "tail_p", "interval"):
        out[column] = numbers[column]
    defined = ~out["suppressed"].to_numpy(dtype=bool) & np.isfinite(out["difference"].to_numpy(dtype=float))
    strictest = 1.0 - boot.strictest_alpha(int(tested.sum()), params.confidence, params.correction)
    level = np.where(tested, numbers["level"], np.where(defined, strictest, np.nan))
    counts = np.vstack([np.broadcast_to(out[f"_{name}"].to_numpy(dtype=float), len(out)) for name in _PARTS])
    scale = np.array([boot.RATE_PARTS[m][2] for m in out["metric"]])
    lo, hi = boot.difference_intervals(out["difference"].to_numpy(dtype=float), differences, defined, level,
                                       counts, scale)
    out["level"], out["difference_lo"], out["difference_hi"] = level, lo, hi
    out["direction"] = np.nan_to_num(np.sign(out["difference"].to_numpy(dtype=float))).astype(np.int8)
    return out
