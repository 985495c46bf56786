"""From findings to the questions an ethics committee must answer.

Each dilemma is a dict ``{"id", "title", "text", "evidence"}`` in the report
language. The overall verdict, the disparities' verdicts and the findings in
the history of investigations are decided in :mod:`risico.audit.verdict`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from risico.texts import Language
from risico.texts.audit import text

__all__ = ["disparity_dilemmas", "uninformative", "label_bias_dilemma", "proxy_dilemma", "impossibility_dilemma",
           "conflict_sentence", "tradeoff_dilemma", "feedback_dilemma", "stage_flip_dilemmas", "suppressed_dilemma",
           "history_label_bias", "detection_dilemma", "WRONGFUL_METRICS"]

#: Metrics about being selected wrongly; their disparities become dilemmas.
WRONGFUL_METRICS = ("fpr", "fdr", "fp_burden", "selection_rate")


def _dilemma(kind: str, language: Language, evidence: Mapping[str, Any], **values: Any) -> dict:
    return {"id": kind, "title": text(f"dilemma.{kind}.title", language),
            "text": text(f"dilemma.{kind}.text", language, **values), "evidence": dict(evidence)}


def _f(value: float, digits: int = 2) -> str:
    return "-" if value is None or not np.isfinite(value) else f"{value:.{digits}f}"


def uninformative(disparities: pd.DataFrame, tolerance: tuple[float, float]) -> pd.Series:
    """Rows whose interval reaches below the band's lower end and above its upper end at once: the data
    cannot tell a disparity in either direction from equal treatment."""
    lo = disparities["ratio_lo"].astype(float)
    hi = disparities["ratio_hi"].astype(float)
    return ~((lo >= tolerance[0]) | (hi <= tolerance[1]))


def disparity_dilemmas(disparities: pd.DataFrame, language: Language,
                       tolerance: tuple[float, float] = (0.8, 1.25)) -> list[dict]:
    """One dilemma per attribute: its worst wrongful-selection disparity that fails, or (single attributes
    only) whose point estimate lies outside the tolerance band while its interval is too wide to be sure.

    A doubtful disparity whose interval spans the whole band (:func:`uninformative`, e.g. 0.00-93.77 when a
    test period selects only a few dozen) is not raised on its own: such groups are named together in one
    ``too_little_evidence`` dilemma, because the committee's question there is whether to decide without
    evidence, not whether a disparity is justified. A disparity judged on its difference (``basis``
    ``difference``: the ratio undefined or resting on few events) is worded with the difference and its interval
    against its absolute margin (``difference_tolerance``)."""
    ratio = disparities["ratio"].astype(float)
    outside = (ratio < tolerance[0]) | (ratio > tolerance[1])
    single = ~disparities["attribute"].str.contains(" x ", regex=False)
    wrongful = disparities["metric"].isin(WRONGFUL_METRICS)
    # uncertain (review) disparities of small intersections are too many and too noisy for the first page;
    # they stay in the tables. Failing ones are always raised.
    doubtful = (disparities["verdict"] == "review") & outside & single & wrongful
    blind = doubtful & uninformative(disparities, tolerance)
    flagged = disparities[((disparities["verdict"] == "fail") & wrongful) | (doubtful & ~blind)]
    return _worst_per_attribute(flagged, language) + _too_little_evidence(disparities[blind], language, tolerance)


def _too_little_evidence(rows: pd.DataFrame, language: Language, tolerance: tuple[float, float]) -> list[dict]:
    if rows.empty:
        return []
    groups = sorted({f"{r.attribute}={r.group}" for r in rows.itertuples()})
    shown = ", ".join(groups[:6]) + (text("dilemma.too_little_evidence.more", language, n=len(groups) - 6)
                                     if len(groups) > 6 else "")
    return [_dilemma("too_little_evidence", language, {"groups": groups, "comparisons": len(rows)},
                     groups=shown, low=tolerance[0], high=tolerance[1])]


_DISPARITY_EVIDENCE = ("attribute", "group", "reference", "metric", "ratio", "ratio_lo", "ratio_hi", "verdict")
_DIFFERENCE_EVIDENCE = ("value", "reference_value", "difference", "difference_lo", "difference_hi",
                        "difference_tolerance", "basis")


def _worst_per_attribute(flagged: pd.DataFrame, language: Language) -> list[dict]:
    out = []
    for attribute, rows in flagged.groupby("attribute", sort=True):
        ratios = np.clip(np.nan_to_num(rows["ratio"].to_numpy(dtype=float), nan=1.0), 1e-6, 1e6)
        worst = rows.iloc[int(np.argmax(np.abs(np.log(ratios))))]
        keys = _DISPARITY_EVIDENCE + tuple(k for k in _DIFFERENCE_EVIDENCE if k in worst)
        evidence = {k: (float(worst[k]) if isinstance(worst[k], (int, float, np.floating)) else str(worst[k]))
                    for k in keys}
        values = dict(attribute=attribute, group=worst["group"], reference=worst["reference"], metric=worst["metric"],
                      ratio=_f(worst["ratio"]), lo=_f(worst["ratio_lo"]), hi=_f(worst["ratio_hi"]))
        found = _dilemma("disparity", language, evidence, **values)
        if worst.get("basis") == "difference":
            found["text"] = _difference_text(worst, values, language)
        out.append(found)
    return out


def _difference_text(worst: pd.Series, values: Mapping[str, Any], language: Language) -> str:
    """The disparity worded by its difference: the two rates, the difference, its interval and the margin."""
    digits = 1 if worst["metric"] == "fp_burden" else 3
    numbers = {key: _f(worst[column], digits) for key, column in (
        ("value", "value"), ("reference_value", "reference_value"), ("difference", "difference"),
        ("lo", "difference_lo"), ("hi", "difference_hi"))}
    return text("dilemma.disparity.text_difference", language,
                **(dict(values) | numbers | {"tolerance": _tolerance(worst)}))


def _tolerance(row: pd.Series) -> str:
    """The absolute margin of a difference-judged row as worded: rates as shares, the burden per 1,000."""
    margin = float(row["difference_tolerance"])
    return f"±{margin:.0f}/1000" if row["metric"] == "fp_burden" else f"±{margin:.3f}"


def label_bias_dilemma(routes: Mapping | None, gaps: pd.DataFrame | None, attribute: str,
                       language: Language) -> list[dict]:
    """Over-selection visible in the random sample, or observed rates that stray from the truth unevenly."""
    parts, evidence = [], {"attribute": attribute}
    if routes and routes.get("available"):
        over = [g for g in routes["groups"] if g.get("over_selected")]
        if over:
            evidence["over_selected"] = [{k: g[k] for k in ("group", "share_random", "share_risk_selected")}
                                         for g in over]
            parts += [f"'{g['group']}' {100 * g['share_risk_selected']:.0f}% vs {100 * g['share_random']:.0f}%"
                      for g in over]
    if gaps is not None and "gap" not in gaps:   # every group suppressed: no gap to compare
        gaps = None
    if gaps is not None:
        gaps = gaps.dropna(subset=["gap"])
    if gaps is not None and len(gaps) > 1:
        spread = float(gaps["gap"].max() - gaps["gap"].min())
        if spread > 0.02:
            evidence["gap_spread"] = round(spread, 4)
            top = gaps.sort_values("gap").iloc[-1]
            parts.append(f"'{top['group']}' {100 * top['observed_rate']:.1f}% vs {100 * top['true_rate']:.1f}%")
    if not parts:
        return []
    return [_dilemma("label_bias", language, evidence, findings="; ".join(parts))]


def proxy_dilemma(proxies: pd.DataFrame | None, language: Language, *, unused: bool = False) -> list[dict]:
    """Features (or, with ``unused``, available columns the model does not use) that predict a protected group."""
    if proxies is None or proxies.empty or not proxies["is_proxy"].any():
        return []
    found = proxies[proxies["is_proxy"]].sort_values("auc", ascending=False)
    features = list(dict.fromkeys(found["feature"]))
    examples = ", ".join(f"{r.feature} → {r.attribute}={r.group} (AUC {r.auc:.2f})"
                         for r in found.drop_duplicates("feature").head(4).itertuples())
    kind = "data_proxies" if unused else "proxies"
    return [_dilemma(kind, language, {"features": features}, count=len(features), examples=examples)]


def impossibility_dilemma(impossible: Mapping | None, language: Language,
                          conflict: Mapping[str, Any] | None = None) -> list[dict]:
    """Base rates differ, so calibration and equal error rates cannot both hold; with ``conflict``
    (:func:`risico.audit.verdict.impossibility_conflict`) the text states this table's own numbers and the
    evidence gains ``conflict``."""
    if not impossible or not impossible.get("base_rates_differ"):
        return []
    rates = (conflict or impossible).get("base_rates", {})
    evidence = ", ".join(f"{g} {100 * r:.1f}%" for g, r in rates.items())
    found = _dilemma("impossibility", language, dict(impossible) | ({"conflict": dict(conflict)} if conflict else {}),
                     findings=evidence)
    if conflict:
        found["text"] = f"{found['text']} {conflict_sentence(conflict, language)}"
    return [found]


def conflict_sentence(conflict: Mapping[str, Any], language: Language) -> str:
    """The conflict in this table's numbers: which of ppv, fpr and fnr are nearly equal and which are not."""
    def state(name: str) -> str:
        rates = ", ".join(f"{g} {100 * v:.1f}%" for g, v in conflict[name].items())
        return text(f"dilemma.impossibility.{'equal' if name in conflict['equal'] else 'unequal'}", language,
                    ratio=_f(conflict[f"{name}_ratio"]), rates=rates)

    return text("dilemma.impossibility.conflict", language, attribute=conflict["attribute"],
                **{name: state(name) for name in ("ppv", "fpr", "fnr")})


def tradeoff_dilemma(frontier: pd.DataFrame | None, language: Language) -> list[dict]:
    if frontier is None or frontier.empty:
        return []
    base = frontier[frontier["strategy"] == "unconstrained"]
    fair = frontier[frontier["strategy"] == "false_positive_rate_parity"]
    if base.empty or fair.empty:
        return []
    b, f = base.iloc[0], fair.iloc[0]
    if not all(np.isfinite(float(v)) for v in (b["fpr_ratio"], f["fpr_ratio"], b["precision"], f["precision"])):
        return []   # an undefined ratio (a group without false positives) leaves nothing to weigh
    evidence = {"unconstrained": {"precision": float(b["precision"]), "fpr_ratio": float(b["fpr_ratio"])},
                "false_positive_rate_parity": {"precision": float(f["precision"]), "fpr_ratio": float(f["fpr_ratio"])}}
    return [_dilemma("tradeoff", language, evidence, strategy="false_positive_rate_parity",
                     before=_f(b["fpr_ratio"]), after=_f(f["fpr_ratio"]), precision_before=_f(b["precision"]),
                     precision_after=_f(f["precision"]))]


def feedback_dilemma(feedback: pd.DataFrame | None, language: Language, metric: str = "fpr_ratio") -> list[dict]:
    if feedback is None or feedback.empty or metric not in feedback:
        return []
    last = int(feedback["round"].max())
    none = feedback[feedback["random_share"] == feedback["random_share"].min()]
    rand = feedback[feedback["random_share"] == feedback["random_share"].max()]
    if none.equals(rand):
        return []
    start = float(none.loc[none["round"] == none["round"].min(), metric].iloc[0])
    end_none = float(none.loc[none["round"] == last, metric].iloc[0])
    end_random = float(rand.loc[rand["round"] == last, metric].iloc[0])
    if not all(np.isfinite(v) for v in (start, end_none, end_random)):
        return []   # an undefined ratio in a round leaves nothing to weigh
    evidence = {"metric": metric, "rounds": last, "start": start, "end_without_random": end_none,
                "end_with_random": end_random}
    return [_dilemma("feedback", language, evidence, rounds=last, start=_f(start), end_none=_f(end_none),
                     end_random=_f(end_random))]


def stage_flip_dilemmas(stages: Mapping[str, pd.DataFrame], language: Language) -> list[dict]:
    """Alarm when a clear disparity (interval excludes 1) points one way in one stage and the other way in another."""
    rows = []
    for stage, table in stages.items():
        clear = table[(table["ratio_lo"] > 1) | (table["ratio_hi"] < 1)]
        rows.append(clear.assign(stage=stage, sign=np.sign(clear["ratio"].astype(float) - 1.0)))
    if not rows:
        return []
    both = pd.concat(rows, ignore_index=True)
    out = []
    for (attribute, group, metric), part in both.groupby(["attribute", "group", "metric"], sort=True):
        if metric in WRONGFUL_METRICS and part["sign"].nunique() > 1:
            first = part.iloc[0]
            stages_text = " / ".join(f"{r.stage}: {r.ratio:.2f}" for r in part.itertuples())
            out.append(_dilemma("stage_flip", language, {"attribute": attribute, "group": group, "metric": metric,
                                                         "ratios": dict(zip(part["stage"], part["ratio"]))},
                                metric=metric, group=group, reference=first["reference"], attribute=attribute,
                                stages=stages_text))
    return out


def suppressed_dilemma(groups: pd.DataFrame, min_size: int, language: Language) -> list[dict]:
    small = groups[groups["suppressed"]]
    if small.empty:
        return []
    examples = ", ".join(f"{r.attribute}={r.group}" for r in small.head(4).itertuples())
    return [_dilemma("suppressed", language, {"groups": len(small)}, count=len(small), min_size=min_size,
                     examples=examples)]


def history_label_bias(language: Language, findings: str, evidence: Mapping[str, Any]) -> dict:
    """A ``label_bias`` dilemma from a finding in the history of investigations
    (:func:`risico.audit.verdict.selection_bias_findings`); ``findings`` is the finding already worded."""
    return _dilemma("label_bias", language, evidence, findings=findings)


def detection_dilemma(attribute: str, high: Mapping[str, Any], low: Mapping[str, Any], language: Language) -> dict:
    """Investigations found the true violations of group ``high`` more often than those of ``low``
    (history funnel rows; :func:`risico.audit.verdict.detection_findings` decides)."""
    return _dilemma("detection", language, {"attribute": attribute, "group": high["group"], "reference": low["group"],
                                            "detection": high["detection_rate"],
                                            "reference_detection": low["detection_rate"]},
                    attribute=attribute, group=high["group"], high=f"{100 * high['detection_rate']:.0f}%",
                    reference=low["group"], low=f"{100 * low['detection_rate']:.0f}%")


def direction_flip_dilemma(alarm: Mapping[str, Any], language: Language) -> dict:
    """One alarm of :func:`risico.audit.verdict.direction_flips`: ``stage_flip`` when its evidence is strong,
    ``direction_flip`` when the intervals do not support it firmly."""
    stages = (f"{alarm['from_stage']}: {_f(alarm['from_ratio'])} ({_f(alarm['from_ci'][0])}-{_f(alarm['from_ci'][1])})"
              f" / {alarm['to_stage']}: {_f(alarm['to_ratio'])} ({_f(alarm['to_ci'][0])}-{_f(alarm['to_ci'][1])})")
    values = {"metric": alarm["metric"], "group": alarm["group"], "reference": alarm["reference"],
              "attribute": alarm["attribute"], "stages": stages}
    if alarm["evidence"] == "strong":
        return _dilemma("stage_flip", language, alarm, **values)
    return _dilemma("direction_flip", language, alarm, **values)


def missing_outcomes_dilemma(missing: list[str] | tuple[str, ...], language: Language) -> dict:
    """The table holds no outcomes: how will they be gathered
    (:func:`risico.audit.verdict.missing_outcome_findings`)."""
    return _dilemma("missing_outcomes", language, {"missing_measures": list(missing)}, measures=", ".join(missing))
