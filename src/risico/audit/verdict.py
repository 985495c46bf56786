"""Every rule that turns the audit's numbers into a judgement: ``pass``/``review``/``fail``, findings, the verdict.

The engine (:mod:`risico.audit.engine`) computes numbers only: rates, ratios and their corrected intervals.
:mod:`risico.audit.dilemmas` words findings as the questions an ethics committee must answer. This module
decides, in one place for ``audit-scores`` and the pipeline's ``audit`` stage:

- :func:`judge_disparities`: each disparity's verdict, from its interval against the tolerance band
  (:func:`band_verdicts`) and the minimum number of events behind it (:func:`require_events`);
- :func:`selection_bias_findings` and :func:`detection_findings`: findings in the history of investigations
  (the pipeline only; ``audit-scores`` has no history);
- :func:`overall_verdict`: the verdict of the whole audit from the judged disparities and all dilemmas.

The verdict is never "fair". Definitions and what a verdict does not mean: ``docs/audit-metrics.md``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from statistics import NormalDist

import numpy as np
import pandas as pd

from risico.audit import dilemmas as dl
from risico.texts import Language
from risico.texts.audit import text

__all__ = ["DISPARITY_VERDICTS", "NEEDS_ATTENTION", "VERDICTS", "EVENTS", "MIN_EVENTS", "MIN_DETECTION_CHECKED",
           "BIAS_CONFIDENCE", "ALL_ROUTES", "band_verdicts", "require_events", "judge_disparities", "selection_bias_findings",
           "detection_findings", "overall_verdict"]

#: A disparity's verdict: interval wholly outside the tolerance band, wholly inside, in between, or no interval.
DISPARITY_VERDICTS = ("fail", "review", "pass", "not_assessed")
#: Disparity verdicts that ask for attention (the first page, the comparison between periods).
NEEDS_ATTENTION = ("fail", "review")
#: The audit's verdict: a disparity fails or one changes direction between periods; dilemmas to decide; neither.
VERDICTS = ("not_ready", "committee_decision", "no_blocking_findings")
#: Confusion cells whose count drives each disparity metric (:func:`require_events`).
EVENTS = {"fpr": ("fp",), "fdr": ("fp",), "fp_burden": ("fp",), "selection_rate": ("tp", "fp"), "fnr": ("fn",),
          "ppv": ("tp",)}
#: A disparity may only fail when both groups have at least this many of the events behind it; the history's
#: comparisons among cases without a violation are only tested with this many investigations on both sides.
MIN_EVENTS = 5
#: A group's detection rate is compared only when at least this many of its true violations were investigated.
MIN_DETECTION_CHECKED = 10
#: Confidence of the history's intervals for selection bias (Katz intervals, Bonferroni within an attribute).
BIAS_CONFIDENCE = 0.95
#: The name of all routes of selection together in a selection-bias finding.
ALL_ROUTES = "all"


def band_verdicts(lo: np.ndarray, hi: np.ndarray, assessed: np.ndarray, band: tuple[float, float]) -> np.ndarray:
    """``fail`` where the interval lies wholly outside ``band``, ``pass`` wholly inside, else ``review``;
    ``not_assessed`` where a row was not tested or has no interval.

    >>> band_verdicts(np.array([1.3, 0.9, 0.5, 1.0]), np.array([2.0, 1.1, 1.5, 1.2]),
    ...               np.array([True, True, True, False]), (0.8, 1.25)).tolist()
    ['fail', 'pass', 'review', 'not_assessed']
    """
    lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    assessed = np.asarray(assessed, dtype=bool) & ~np.isnan(lo) & ~np.isnan(hi)
    return np.select([~assessed, (lo > band[1]) | (hi < band[0]), (lo >= band[0]) & (hi <= band[1])],
                     ["not_assessed", "fail", "pass"], default="review")


def require_events(disparities: pd.DataFrame, groups: pd.DataFrame, minimum: int = MIN_EVENTS) -> pd.DataFrame:
    """Downgrade ``fail`` to ``review`` where a group or its reference has fewer than ``minimum`` events.

    A ratio built on a handful of events (say 0 false positives among 40
    people) swings with a single case; it is a reason to look, not proof of a
    disparity.
    """
    counts = groups.set_index(["attribute", "group"])[["tp", "fp", "fn", "tn"]]
    out = disparities.copy()
    for i, row in out.iterrows():
        cells = EVENTS.get(row["metric"])
        if row["verdict"] != "fail" or cells is None:
            continue
        own = counts.loc[(row["attribute"], row["group"]), list(cells)].sum()
        ref = counts.loc[(row["attribute"], row["reference"]), list(cells)].sum()
        if min(own, ref) < minimum:
            out.at[i, "verdict"] = "review"
    return out


def judge_disparities(disparities: pd.DataFrame, groups: pd.DataFrame, band: tuple[float, float]) -> pd.DataFrame:
    """The disparity rows with their ``verdict``: :func:`band_verdicts`, then :func:`require_events`.

    ``disparities`` holds the engine's numbers (``ratio``, ``ratio_lo``, ``ratio_hi``, ``suppressed``);
    ``groups`` the group table with the confusion counts. A row is tested when neither group is suppressed
    and its ratio is finite.
    """
    out = disparities.copy()
    tested = ~out["suppressed"].to_numpy(dtype=bool) & np.isfinite(out["ratio"].to_numpy(dtype=float))
    out["verdict"] = band_verdicts(out["ratio_lo"].to_numpy(dtype=float), out["ratio_hi"].to_numpy(dtype=float),
                                   tested, band)
    return require_events(out, groups)


def overall_verdict(disparities: pd.DataFrame, dilemmas: Sequence[Mapping]) -> str:
    """``not_ready`` when a disparity fails or one changes direction between periods (a ``stage_flip``
    dilemma), ``committee_decision`` when there are dilemmas to decide, else ``no_blocking_findings``."""
    if (disparities["verdict"] == "fail").any() or any(d["id"] == "stage_flip" for d in dilemmas):
        return "not_ready"
    if dilemmas:
        return "committee_decision"
    return "no_blocking_findings"


def selection_bias_findings(funnel: Mapping[str, list], language: Language, *, tolerance: float = 1.25,
                            confidence: float = BIAS_CONFIDENCE) -> list[dict]:
    """A dilemma when a group was investigated clearly more often than others while truly violating no more.

    Two readings of the same funnel (:func:`risico.audit.history.history_funnel`), each raising
    ``label_bias`` (a group is raised once):

    1. Against the group investigated least: intervals of the investigated rates apart, the ratio above
       ``tolerance`` and above ``tolerance`` times the ratio of the true violation rates.
    2. Among the cases *without* a violation, against the largest group, in all routes together and per route
       of selection: the ratio of the investigated rates above ``tolerance`` with a log (Katz) interval above 1,
       Bonferroni-corrected over the comparisons of the attribute (:func:`_no_violation_findings`). This
       reading conditions on the truth, so a group that truly violates somewhat more cannot hide that it is
       also investigated more often without reason.
    """
    found = []
    for attribute, rows in funnel.items():
        shown = [r for r in rows if not r["suppressed"] and "true_rate" in r]
        if len(shown) < 2:
            continue
        low = min(shown, key=lambda r: r["investigated_rate"])
        for row in shown:
            ratio = row["investigated_rate"] / low["investigated_rate"] if low["investigated_rate"] else np.inf
            true_ratio = row["true_rate"] / low["true_rate"] if low["true_rate"] else np.inf
            separated = row["investigated_ci"][0] > low["investigated_ci"][1]
            if separated and ratio > tolerance and ratio > tolerance * true_ratio:
                parts = text("dilemma.label_bias.finding", language, attribute=attribute, group=row["group"],
                             rate=f"{100 * row['investigated_rate']:.1f}", reference=low["group"],
                             reference_rate=f"{100 * low['investigated_rate']:.1f}",
                             true=f"{100 * row['true_rate']:.1f}", reference_true=f"{100 * low['true_rate']:.1f}")
                found.append(dl.history_label_bias(language, parts, {
                    "attribute": attribute, "group": row["group"], "reference": low["group"],
                    "investigated_ratio": round(ratio, 4), "true_ratio": round(true_ratio, 4), "basis": "all"}))
    raised = {(d["evidence"]["attribute"], d["evidence"]["group"]) for d in found}
    return found + [d for d in _no_violation_findings(funnel, language, tolerance, confidence)
                    if (d["evidence"]["attribute"], d["evidence"]["group"]) not in raised]


def _no_violation_findings(funnel: Mapping[str, list], language: Language, tolerance: float,
                           confidence: float) -> list[dict]:
    """Reading 2 of :func:`selection_bias_findings`: investigated more often without a violation.

    Per attribute (one family of tests, Bonferroni within it): each shown group against the largest, among
    the cases without a violation, for all routes together and for each route of selection (a bias planted
    in one route, say the caseworkers', is diluted by the others in the total). A comparison is tested only
    when both groups have at least :data:`MIN_EVENTS` such investigations. One finding per group: its
    comparison with the highest lower bound.
    """
    found = []
    alpha = 1 - confidence
    for attribute, rows in funnel.items():
        shown = [r for r in rows if not r["suppressed"] and r.get("no_violation_n")]
        if len(shown) < 2:
            continue
        reference = max(shown, key=lambda r: r["n"])
        tests = []
        for row in shown:
            if row is reference:
                continue
            counts = {ALL_ROUTES: (row["no_violation_investigated"], reference["no_violation_investigated"]),
                      **{r: (k, reference["no_violation_by_route"].get(r, 0))
                         for r, k in row["no_violation_by_route"].items()}}
            n1, n2 = row["no_violation_n"], reference["no_violation_n"]
            for route_name, (a, c) in counts.items():
                if min(a, c) < MIN_EVENTS:
                    continue
                se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
                tests.append((row, route_name, a / n1, c / n2, se))
        if not tests:
            continue
        z = NormalDist().inv_cdf(1 - alpha / (2 * len(tests)))
        best: dict[str, tuple] = {}
        for row, route_name, rate, ref_rate, se in tests:
            ratio = rate / ref_rate
            lo, hi = ratio * math.exp(-z * se), ratio * math.exp(z * se)
            if lo > 1 and ratio > tolerance and lo > best.get(str(row["group"]), (0.0,))[0]:
                best[str(row["group"])] = (lo, hi, ratio, row, route_name, rate, ref_rate)
        for group in sorted(best):
            lo, hi, ratio, row, route_name, rate, ref_rate = best[group]
            route_text = text("audit.route.all", language) if route_name == ALL_ROUTES else route_name
            parts = text("dilemma.label_bias.finding_no_violation", language, attribute=attribute,
                         group=row["group"], route=route_text, rate=f"{100 * rate:.1f}", reference=reference["group"],
                         reference_rate=f"{100 * ref_rate:.1f}", ratio=f"{ratio:.2f}", lo=f"{lo:.2f}",
                         hi=f"{hi:.2f}", true=f"{100 * row['true_rate']:.1f}",
                         reference_true=f"{100 * reference['true_rate']:.1f}")
            true_ratio = row["true_rate"] / reference["true_rate"] if reference["true_rate"] else np.inf
            found.append(dl.history_label_bias(language, parts, {
                "attribute": attribute, "group": row["group"], "reference": reference["group"], "route": route_name,
                "investigated_ratio": round(ratio, 4), "ratio_ci": [round(lo, 4), round(hi, 4)],
                "true_ratio": round(true_ratio, 4), "comparisons": len(tests), "basis": "no_violation"}))
    return found


def detection_findings(funnel: Mapping[str, list], language: Language) -> list[dict]:
    """A dilemma when investigations found the true violations of one group clearly more often than another's:
    per attribute, the pair of groups (each with at least :data:`MIN_DETECTION_CHECKED` investigated true
    violations) whose detection intervals lie apart with the largest difference in detection rate."""
    found = []
    for attribute, rows in funnel.items():
        shown = [r for r in rows if not r["suppressed"] and r.get("detection_rate") is not None
                 and r["detection_n"] >= MIN_DETECTION_CHECKED]
        if len(shown) < 2:
            continue
        pairs = [(h, lo) for h in shown for lo in shown
                 if h["detection_ci"][0] > lo["detection_ci"][1]]          # intervals apart
        if pairs:
            high, low = max(pairs, key=lambda pair: pair[0]["detection_rate"] - pair[1]["detection_rate"])
            found.append(dl.detection_dilemma(attribute, high, low, language))
    return found


# --------------------------------------------------------------------------- audit-scores: stages, no outcomes


#: The evidence of a direction flip: both intervals exclude 1 on opposite sides, or not.
FLIP_EVIDENCE = ("strong", "weak")


def flip_evidence(from_ci: Sequence[float | None], to_ci: Sequence[float | None]) -> str:
    """``strong`` when the two intervals exclude 1 on opposite sides, else ``weak``.

    >>> flip_evidence([0.4, 0.8], [1.2, 2.1]), flip_evidence([0.4, 0.8], [0.9, 2.1])
    ('strong', 'weak')
    """
    (a_lo, a_hi), (b_lo, b_hi) = (tuple(np.nan if v is None else v for v in ci) for ci in (from_ci, to_ci))
    strong = (a_hi < 1 and b_lo > 1) or (a_lo > 1 and b_hi < 1)
    return "strong" if strong else "weak"


def direction_flips(stages: Sequence[Mapping]) -> list[dict]:
    """An alarm for each disparity whose point estimate lies on the other side of 1 than in the stage before.

    ``stages`` are the ``stages`` records of ``audit.json`` in their order (``stage``, ``disparities``). A
    disparity is compared when it is not suppressed and has a ratio in both stages (the same attribute, group,
    reference and metric); a ratio of exactly 1 is on neither side. ``evidence``: :func:`flip_evidence`.
    """
    alarms = []
    for before, after in zip(stages, stages[1:]):
        earlier = {(d["attribute"], d["group"], d["reference"], d["metric"]): d for d in before["disparities"]
                   if not d.get("suppressed") and d.get("ratio") is not None}
        for d in after["disparities"]:
            old = earlier.get((d["attribute"], d["group"], d["reference"], d["metric"]))
            if old is None or d.get("suppressed") or d.get("ratio") is None:
                continue
            if (old["ratio"] - 1) * (d["ratio"] - 1) < 0:
                alarms.append({"kind": "direction_flip", "attribute": d["attribute"], "group": d["group"],
                               "reference": d["reference"], "metric": d["metric"], "from_stage": before["stage"],
                               "to_stage": after["stage"], "from_ratio": old["ratio"], "to_ratio": d["ratio"],
                               "from_ci": list(old["ci"]), "to_ci": list(d["ci"]),
                               "evidence": flip_evidence(old["ci"], d["ci"])})
    return alarms


def flip_findings(alarms: Sequence[Mapping], language: Language,
                  tolerance: tuple[float, float] = (0.8, 1.25)) -> list[dict]:
    """A dilemma per alarm that matters (:func:`material_flip`): a ``strong`` flip is the pipeline's
    ``stage_flip`` (the verdict is ``not_ready``, as for the pipeline's periods); a ``weak`` one is a
    ``direction_flip`` for the committee to weigh. Every alarm stays in ``alarms`` and in the report."""
    return [dl.direction_flip_dilemma(alarm, language) for alarm in alarms if material_flip(alarm, tolerance)]


def material_flip(alarm: Mapping, tolerance: tuple[float, float]) -> bool:
    """Whether a flip raises a dilemma: a metric about being selected wrongly (as for the pipeline's periods),
    and either ``strong`` evidence, or (single attributes) both point estimates outside the tolerance band.

    Ratios near 1 of small groups change side by chance at every stage: 4 stages of a table without any
    flip gave hundreds of weak alarms, each in ``alarms`` but none a question for the committee.

    >>> alarm = {"metric": "fpr", "attribute": "g", "evidence": "weak", "from_ratio": 0.7, "to_ratio": 1.3}
    >>> material_flip(alarm, (0.8, 1.25)), material_flip(alarm | {"to_ratio": 1.1}, (0.8, 1.25))
    (True, False)
    """
    if alarm["metric"] not in dl.WRONGFUL_METRICS:
        return False
    if alarm["evidence"] == "strong":
        return True
    outside = [not tolerance[0] <= alarm[k] <= tolerance[1] for k in ("from_ratio", "to_ratio")]
    return all(outside) and " x " not in alarm["attribute"]


def missing_outcome_findings(missing: Sequence[str], language: Language) -> list[dict]:
    """Without outcomes the audit cannot judge error rates, so it can never find "no blocking findings": the
    committee must decide how outcomes will be gathered (a random share investigated regardless of score)
    before the scores are used. The dilemma makes :func:`overall_verdict` at least ``committee_decision``."""
    return [dl.missing_outcomes_dilemma(missing, language)] if missing else []
