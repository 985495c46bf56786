"""The audit before any outcome exists: what can be judged from scores and groups alone.

A vendor's scores on today's applicants have no outcomes yet, and that is when the committee must decide.
:func:`assess_unlabelled` reports the selection rates per group (and intersection) with their intervals and
disparities, and each group's score distribution with an interval for its mean; the measures that need
outcomes are named in ``missing_measures`` rather than computed as empty numbers, and a dilemma asks how the
outcomes will be gathered (:func:`risico.audit.verdict.missing_outcome_findings`).
"""

from __future__ import annotations

import itertools
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from risico.audit import dilemmas as dl
from risico.audit.engine import SEPARATOR, AuditParams, disparity_table, group_table, select
from risico.audit.io import ScoredTable
from risico.audit.run import TableAudit, params_record, public_disparities, public_groups, references
from risico.audit.verdict import missing_outcome_findings
from risico.texts import Language

__all__ = ["assess_unlabelled", "score_distributions", "MISSING_MEASURES", "JUDGED_METRICS"]

#: What cannot be judged without outcomes: every error rate, the base rate, precision, ranking quality and
#: calibration within groups, and the funnel's "found" step.
MISSING_MEASURES = ("base_rate", "fpr", "fnr", "ppv", "fdr", "fp_burden", "auc", "calibration", "precision",
                    "funnel_found")
#: The disparity metric that needs no outcomes.
JUDGED_METRICS = ("selection_rate",)


def assess_unlabelled(table: ScoredTable, params: AuditParams, *, top_k: int | None = None,
                      threshold: float | None = None, selected: np.ndarray | None = None,
                      reference: str | dict[str, str] | None = None, language: Language = "nl") -> TableAudit:
    """Selection rates, their disparities and the score distributions of a table without outcomes.

    The engine's group table is computed with every outcome 0, so that its counts hold the selection
    (``fp`` = selected, ``tn`` = not selected); only ``selection_rate`` is read from it. The engine still
    corrects the intervals over the disparity rows it tests, so these intervals are conservative.
    """
    if selected is None:
        selected = select(table.score, top_k=top_k, threshold=threshold)
    groups = group_table(selected, np.zeros(len(table.score)), table.sensitive, params, units=table.units)
    disparities = disparity_table(groups, params, reference=references(groups, reference))
    disparities = disparities[disparities["metric"].isin(JUDGED_METRICS)].reset_index(drop=True)
    distributions = score_distributions(table.score, table.sensitive, params)
    numbers: dict[str, Any] = {
        "n": int(len(table.score)),
        "selection": {"rule": "top_k" if top_k is not None else "threshold", "top_k": top_k,
                      "threshold": threshold, "selected": int(selected.sum()),
                      "selection_rate": round(float(selected.mean()), 6), "precision": None},
        "groups": _public_groups(groups, distributions),
        "disparities": public_disparities(disparities),
        "funnel": {},
        "missing_measures": list(MISSING_MEASURES),
    }
    found = dl.disparity_dilemmas(disparities, language, params.tolerance)
    found += dl.suppressed_dilemma(groups, params.min_group_size, language)
    found += missing_outcome_findings(MISSING_MEASURES, language)
    return TableAudit(numbers, groups, disparities, found, params_record(params))


def score_distributions(score: np.ndarray, sensitive: pd.DataFrame, params: AuditParams) -> pd.DataFrame:
    """Per group of each attribute and intersection (up to ``params.max_depth``): mean score with its normal
    interval at ``params.confidence``, and the 10th, 50th and 90th percentiles.

    >>> frame = score_distributions(np.array([0.1, 0.3, 0.5, 0.7]), pd.DataFrame({"g": ["a", "a", "b", "b"]}),
    ...                             AuditParams(min_group_size=5, n_boot=10))
    >>> frame[["group", "score_mean", "score_p50"]].to_dict("records")
    [{'group': 'a', 'score_mean': 0.2, 'score_p50': 0.2}, {'group': 'b', 'score_mean': 0.6, 'score_p50': 0.6}]
    """
    z = NormalDist().inv_cdf(0.5 + params.confidence / 2)
    names = [str(c) for c in sensitive.columns]
    codes = {n: pd.Categorical(sensitive[n].astype("str")) for n in names}
    values = pd.Series(np.asarray(score, dtype=float))
    frames = []
    for depth in range(1, min(params.max_depth, len(names)) + 1):
        for combo in itertools.combinations(names, depth):
            by = values.groupby([codes[n] for n in combo], observed=True, sort=True)
            quantiles = by.quantile([0.1, 0.5, 0.9]).unstack()
            stats = pd.DataFrame({"score_mean": by.mean(), "score_sd": by.std(ddof=1).fillna(0.0), "n": by.size(),
                                  "score_p10": quantiles[0.1], "score_p50": quantiles[0.5],
                                  "score_p90": quantiles[0.9]})
            half = z * stats["score_sd"] / np.sqrt(stats["n"])
            stats["score_mean_lo"], stats["score_mean_hi"] = stats["score_mean"] - half, stats["score_mean"] + half
            labels = [SEPARATOR.join(map(str, key if isinstance(key, tuple) else (key,))) for key in stats.index]
            frames.append(stats.drop(columns=["score_sd", "n"]).reset_index(drop=True)
                          .assign(group=labels, attribute=SEPARATOR.join(combo)))
    return pd.concat(frames, ignore_index=True).round(6)


def _public_groups(groups: pd.DataFrame, distributions: pd.DataFrame) -> list[dict]:
    """:func:`risico.audit.run.public_groups` without any outcome metric, with the score distribution."""
    scores = distributions.set_index(["attribute", "group"])
    kept = ("attribute", "group", "suppressed", "n", "n_units", "selection_rate")
    rows = []
    for record in public_groups(groups):
        row = {k: v for k, v in record.items() if k in kept}
        if not record["suppressed"]:
            dist = scores.loc[(record["attribute"], record["group"])]
            row |= {"score_mean": float(dist["score_mean"]),
                    "score_quantiles": {q: float(dist[f"score_{q}"]) for q in ("p10", "p50", "p90")},
                    "ci": {"selection_rate": record["ci"]["selection_rate"],
                           "score_mean": [float(dist["score_mean_lo"]), float(dist["score_mean_hi"])]}}
        rows.append(row)
    return rows


def unlabelled_csv(groups: list[dict], min_size: int) -> pd.DataFrame:
    """``by_group.csv`` without outcomes: size, selection rate and score distribution with intervals;
    suppressed rows keep their name and a note, no numbers."""
    rows = []
    for g in groups:
        row = {"attribute": g["attribute"], "group": g["group"]}
        if not g["suppressed"]:
            row |= {"n": g["n"], "selection_rate": g["selection_rate"],
                    "selection_rate_lo": g["ci"]["selection_rate"][0],
                    "selection_rate_hi": g["ci"]["selection_rate"][1],
                    "score_mean": g["score_mean"], "score_mean_lo": g["ci"]["score_mean"][0],
                    "score_mean_hi": g["ci"]["score_mean"][1],
                    **{f"score_{q}": v for q, v in g["score_quantiles"].items()}}
        rows.append(row | {"suppressed": g["suppressed"],
                           "note": f"suppressed (n < {min_size})" if g["suppressed"] else ""})
    return pd.DataFrame(rows)
