"""Every rule that turns the audit's numbers into a judgement: ``pass``/``review``/``fail``, findings, the verdict.

The engine (:mod:`risico.audit.engine`) computes numbers only: rates, ratios and their corrected intervals.
:mod:`risico.audit.dilemmas` words findings as the questions an ethics committee must answer. This module
decides, in one place for ``audit-scores`` and the pipeline's ``audit`` stage:

- :func:`judge_disparities`: each disparity's verdict, from its ratio interval against the tolerance band
  (:func:`band_verdicts`) or, where the ratio is undefined or rests on too few events
  (:func:`require_events`), from its difference interval against an absolute band (:func:`difference_verdicts`);
- :func:`impossibility_conflict`: whether a table shows the conflict between calibration and equal error rates;
- :func:`selection_bias_findings` and :func:`detection_findings`: findings in the history of investigations
  (the pipeline only; ``audit-scores`` has no history);
- :func:`overall_verdict`: the verdict of the whole audit from the judged disparities and all dilemmas.

The verdict is never "fair". Definitions and what a verdict does not mean: ``docs/audit-metrics.md``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from risico.audit import dilemmas as dl
from risico.texts import Language
from risico.texts.audit import text

__all__ = ["DISPARITY_VERDICTS", "DIFFERENCE_TOLERANCE", "NEEDS_ATTENTION", "VERDICTS", "EVENTS", "MIN_EVENTS",
           "MIN_DETECTION_CHECKED", "BIAS_CONFIDENCE", "ALL_ROUTES", "CONFLICT_RATES", "band_verdicts", "require_events",
           "judge_disparities", "selection_bias_findings", "detection_findings", "overall_verdict",
           "difference_verdicts", "unstable_rows", "impossibility_conflict"]

#: A disparity's verdict: interval wholly outside the tolerance band, wholly inside, in between, or no interval.
DISPARITY_VERDICTS = ("fail", "review", "pass", "not_assessed")
#: The absolute margin of a difference between two rates when no per-row margin is given (``docs/audit-metrics.md``).
DIFFERENCE_TOLERANCE = 0.05
#: The rates compared by :func:`impossibility_conflict`: calibration at the cut-off (ppv) against error rates.
CONFLICT_RATES = ("ppv", "fpr", "fnr")
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


def _events(disparities: pd.DataFrame, groups: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The events behind each row (:data:`EVENTS`) in the group and in its reference (NaN for other metrics)."""
    counts = groups.drop_duplicates(["attribute", "group"]).set_index(["attribute", "group"])[["tp", "fp", "fn", "tn"]]
    own, ref = np.full(len(disparities), np.nan), np.full(len(disparities), np.nan)
    for metric, cells in EVENTS.items():
        rows = np.flatnonzero((disparities["metric"] == metric).to_numpy())
        if rows.size == 0:
            continue
        total = counts[list(cells)].sum(axis=1)
        part = disparities.iloc[rows]
        own[rows] = total.reindex(pd.MultiIndex.from_arrays([part["attribute"], part["group"]])).to_numpy(float)
        ref[rows] = total.reindex(pd.MultiIndex.from_arrays([part["attribute"], part["reference"]])).to_numpy(float)
    return own, ref


def unstable_rows(disparities: pd.DataFrame, groups: pd.DataFrame, minimum: int = MIN_EVENTS) -> np.ndarray:
    """Rows whose ratio cannot carry a verdict: undefined or infinite (a reference rate of 0), or built on fewer
    than ``minimum`` events in the group or its reference (:data:`EVENTS`).

    >>> d = pd.DataFrame({"attribute": "a", "group": ["x", "x"], "reference": "r", "metric": ["fpr", "fnr"],
    ...                   "ratio": [np.inf, 1.1]})
    >>> g = pd.DataFrame({"attribute": "a", "group": ["r", "x"], "tp": [40, 40], "fp": [0, 30], "fn": [9, 9],
    ...                   "tn": [300, 270]})
    >>> unstable_rows(d, g).tolist()
    [True, False]
    """
    return _unstable(disparities, *_events(disparities, groups), minimum)


def _unstable(disparities: pd.DataFrame, own: np.ndarray, ref: np.ndarray, minimum: int) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        few = np.fmin(own, ref) < minimum
    return ~np.isfinite(disparities["ratio"].to_numpy(dtype=float)) | few


def difference_verdicts(lo: np.ndarray, hi: np.ndarray, assessed: np.ndarray, tolerance: np.ndarray | float,
                        events: np.ndarray | None = None, minimum: int = MIN_EVENTS) -> np.ndarray:
    """The verdict on a difference interval against the absolute band ``[-tolerance, +tolerance]``: ``fail``
    wholly outside, ``pass`` wholly inside, else ``review`` (``not_assessed`` without an interval). A ``fail``
    needs at least ``minimum`` events on the larger side (``events``, when given), else ``review``.

    >>> difference_verdicts(np.array([0.06, -0.02, 0.01, 0.06]), np.array([0.13, 0.03, 0.09, 0.13]),
    ...                     np.ones(4, bool), 0.05, events=np.array([30, 30, 30, 3])).tolist()
    ['fail', 'pass', 'review', 'review']
    """
    tolerance = np.broadcast_to(np.asarray(tolerance, dtype=float), np.shape(lo))
    lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    assessed = np.asarray(assessed, dtype=bool) & ~np.isnan(lo) & ~np.isnan(hi)
    out = np.select([~assessed, (lo > tolerance) | (hi < -tolerance), (lo >= -tolerance) & (hi <= tolerance)],
                    ["not_assessed", "fail", "pass"], default="review")
    if events is not None:
        with np.errstate(invalid="ignore"):
            out = np.where((out == "fail") & ~(np.asarray(events, dtype=float) >= minimum), "review", out)
    return out


def judge_disparities(disparities: pd.DataFrame, groups: pd.DataFrame, band: tuple[float, float], *,
                      difference_tolerance: float = DIFFERENCE_TOLERANCE) -> pd.DataFrame:
    """The disparity rows with their ``verdict`` and its ``basis``.

    A row is judged on its ratio (:func:`band_verdicts`) unless the ratio is unstable (:func:`unstable_rows`:
    undefined, or fewer than :data:`MIN_EVENTS` events on either side); then on its difference interval
    against ``[-tol, +tol]`` (:func:`difference_verdicts`; ``tol`` the row's ``difference_tolerance`` column,
    else ``difference_tolerance``), so a group
    that bears every wrongful selection is never ``not_assessed``. Suppressed rows are not assessed.

    ``disparities`` holds the engine's numbers (``ratio``, ``ratio_lo``, ``ratio_hi``, ``difference_lo``,
    ``difference_hi``, ``suppressed``); ``groups`` the group table with the confusion counts.
    """
    out = disparities.copy()
    open_rows = ~out["suppressed"].to_numpy(dtype=bool)
    by_ratio = band_verdicts(out["ratio_lo"].to_numpy(dtype=float), out["ratio_hi"].to_numpy(dtype=float),
                             open_rows & np.isfinite(out["ratio"].to_numpy(dtype=float)), band)
    own, ref = _events(out, groups)
    by_difference = difference_verdicts(out["difference_lo"].to_numpy(dtype=float),
                                        out["difference_hi"].to_numpy(dtype=float), open_rows,
                                        out.get("difference_tolerance", difference_tolerance), events=np.fmax(own, ref))
    unstable = _unstable(out, own, ref, MIN_EVENTS)
    out["verdict"] = np.where(unstable, by_difference, by_ratio)
    out["basis"] = np.where(out["verdict"] == "not_assessed", "", np.where(unstable, "difference", "ratio"))
    return out


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


def impossibility_conflict(impossible: Mapping[str, Any] | None, band: tuple[float, float], min_size: int,
                           attribute: str) -> dict[str, Any] | None:
    """The conflict between calibration and equal error rates, when this table shows it; else ``None``.

    ``impossible`` is :func:`risico.audit.tradeoffs.impossibility` of one attribute at the cut-off. The
    conflict holds when base rates differ (its chi-square test at the 5% level) and, among the groups of at
    least ``min_size`` rows, the positive predictive value is nearly equal (min/max ratio of the groups within
    ``band``, i.e. at least ``band[0]`` and max/min at most ``band[1]``) while the false-positive or the
    false-negative rate is not, or the reverse: an error rate nearly equal while the ppv is not (Kleinberg,
    Mullainathan and Raghavan 2016; Chouldechova 2017). The result holds only the shown groups' numbers.

    >>> imp = {"base_rates_differ": True, "n": {"a": 100, "b": 100}, "base_rates": {"a": 0.5, "b": 0.4},
    ...        "ppv": {"a": 0.63, "b": 0.59}, "fpr": {"a": 0.45, "b": 0.23}, "fnr": {"a": 0.28, "b": 0.48}}
    >>> found = impossibility_conflict(imp, (0.8, 1.25), 10, "race")
    >>> found["equal"], found["unequal"]
    (['ppv'], ['fpr', 'fnr'])
    """
    if not impossible or not impossible.get("base_rates_differ"):
        return None
    shown = [g for g, n in impossible["n"].items() if n >= min_size]
    if len(shown) < 2:
        return None
    values = {rate: {g: float(impossible[rate][g]) for g in shown} for rate in ("base_rates", *CONFLICT_RATES)}
    ratios = {}
    for rate in CONFLICT_RATES:
        numbers = np.array(list(values[rate].values()))
        ratios[rate] = float(numbers.min() / numbers.max()) if np.isfinite(numbers).all() and numbers.max() > 0 \
            else float("nan")
    equal = [r for r in CONFLICT_RATES if ratios[r] >= band[0]]
    unequal = [r for r in CONFLICT_RATES if ratios[r] < band[0]]
    errors_equal, errors_unequal = set(equal) - {"ppv"}, set(unequal) - {"ppv"}
    if not (("ppv" in equal and errors_unequal) or ("ppv" in unequal and errors_equal)):
        return None
    return {"attribute": attribute, "groups": shown, "p_value": float(impossible.get("p_value", float("nan"))),
            **values, **{f"{r}_ratio": round(ratios[r], 6) for r in CONFLICT_RATES}, "equal": equal,
            "unequal": unequal}


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
