"""The pipeline's ``audit`` stage: the selected model's scores, audited before any score is used.

One stage for both units of analysis: ``target.json`` in ``--processed``
(:func:`risico.target.read_target`) says whether a row is an application or
a provider in a quarter, and :data:`PROFILES` holds the little that differs
(which groups, where params name them, what counts as one unit, which parts
do not apply). The dvc stages ``audit`` and ``provider-audit`` run the same
command on ``data/processed`` and ``data/processed_providers``.

The headline audit is on the test period at the real cut-off (the top
``capacity`` cases of each period: applications per month, ``worklist``;
providers per quarter, ``provider_worklist``), against the truth where the
world knows it (synthetic data) and against the observed labels otherwise.
Around it: the historical funnel (who was investigated, with what result,
against the truth), proxies, the trade-off frontier and the impossibility,
the feedback simulation, bias clusters, the same audit per period with an
alarm when a disparity changes direction, and the unit's own dilemmas
(providers: :mod:`risico.audit.providers`).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import shutil
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from risico.audit import dilemmas as dl
from risico.audit.clusters import bias_clusters
from risico.audit.engine import AuditParams
from risico.audit.feedback import compare_feedback
from risico.audit.funnel import clopper_pearson
from risico.audit.io import ScoredTable, check_selection, read_scored_table
from risico.audit.providers import (CLIENT_SHARES, client_composition_dilemma, composition_band,
                                    market_access_dilemma, parse_provider_audit_params)
from risico.audit.proxies import joint_proxy_table, proxy_table
from risico.audit.report import render_report
from risico.audit.run import MIN_EVENTS, audit_table, by_group_csv
from risico.audit.tradeoffs import frontier_figure, impossibility, tradeoff_frontier
from risico.describe import age_band
from risico.errors import RisicoError
from risico.evaluate.metrics import select_top
from risico.htmlpage import esc, table
from risico.io import atomic_dir, write_json
from risico.params import SectionReader, load_section
from risico.target import Target, read_target
from risico.texts import LANGUAGES, Language
from risico.texts.audit import text
from risico.truth import aligned_truth

log = logging.getLogger(__name__)

#: The route of the random sample (the unbiased witness), and the name of all routes together.
RANDOM_ROUTE = "random"
ALL_ROUTES = "all"

HELP = "audit the selected model: group metrics, disparities, funnel, proxies, trade-offs, feedback, dilemmas"

#: The groups an application audit may name in ``audit.attributes``.
APPLICATION_ATTRIBUTES: tuple[str, ...] = ("migration_background", "gender", "age_band", "nationality_group")

UNKNOWN_TARGET = "File {file} names target '{name}'; the audit knows: {known}."
MISSING_PROTECTED = ("Audit group '{attribute}' ({section}.attributes) needs column '{column}' of {file}, which has: "
                     "{columns}. Name only groups the features stage wrote.")
NOT_ALIGNED = ("{scores} and {meta} must list the same cases in the same order (column '{column}'); they differ "
               "from row {row} on. Run the train stage again on --processed.")
NO_SCORE = "Column '{column}' (train.model) is not in {scores}. Score columns: {columns}."
CAPACITY_TOO_LARGE = ("The 'capacity' parameter of {section} must be an int in [1, {most}] (the most cases in any "
                      "test period). Got {capacity} instead.")
TOO_SMALL = ("The audit needs at least {need} {unit}s in the test period (twice audit.min_group_size) to compare "
             "groups; {file} holds {got}. Generate a larger world ({hint}) or lower audit.min_group_size.")


@dataclasses.dataclass(frozen=True)
class AuditStageParams:
    engine: AuditParams
    attributes: tuple[str, ...]
    proxy_threshold_auc: float
    feedback_rounds: int
    feedback_random_share: float


@dataclasses.dataclass(frozen=True)
class AuditProfile:
    """What differs between the units of analysis; everything else is one code path.

    Attributes
    ----------
    section : the params section whose ``attributes`` names the audited groups (``audit``: application groups;
        ``provider_audit``: :data:`risico.audit.providers.PROVIDER_ATTRIBUTES`).
    unit : the meta column of the entity a row belongs to; groups are sized (and suppressed) in distinct
        entities. None: a row is the entity.
    unit_name : the entity in messages.
    size_hint : the params that make a generated world hold more of the entity.
    data_proxies : whether ``--interim`` columns the model does not use are checked as proxies.
    skipped : parts of the audit that do not apply, each with a texts key ``audit.skipped.<part>`` giving why.
    dilemmas : the unit's own dilemmas, each ``f(groups, disparities, proxies, language, tolerance)``.
    """

    section: str
    unit: str | None
    unit_name: str
    size_hint: str
    data_proxies: bool
    skipped: tuple[str, ...] = ()
    dilemmas: tuple[Callable[..., list[dict]], ...] = ()


PROFILES: dict[str, AuditProfile] = {
    "applications": AuditProfile(section="audit", unit=None,
                                 unit_name="application", size_hint="generate.n_persons", data_proxies=True),
    "providers": AuditProfile(section="provider_audit", unit="provider_id",
                              unit_name="provider",
                              size_hint="generate.n_persons, or a lower generate.providers.persons_per_provider",
                              data_proxies=False, skipped=("data_proxies",),
                              dilemmas=(market_access_dilemma, client_composition_dilemma)),
}


def profile_of(target: Target, processed: Path) -> AuditProfile:
    """The audit profile of ``target``, or a one-line error naming the targets the audit knows."""
    if target.name not in PROFILES:
        raise RisicoError(UNKNOWN_TARGET.format(file=processed / "target.json", name=target.name,
                                                known=", ".join(PROFILES)))
    return PROFILES[target.name]


def parse_audit_params(values: Mapping[str, Any]) -> AuditStageParams:
    r = SectionReader(values, "audit")
    engine = AuditParams(min_group_size=r.int("min_group_size", minimum=1), n_boot=r.int("n_boot", minimum=100),
                         seed=r.int("seed", minimum=0), tolerance=tuple(_pair(r)),
                         max_depth=r.int("max_depth", 1, 3), correction=r.choice("correction",
                                                                                ("bonferroni", "holm", "none")))
    attributes = r.subset("attributes", APPLICATION_ATTRIBUTES)
    if len(attributes) < 1:
        raise r.fail("attributes", "a non-empty list", list(attributes))
    out = AuditStageParams(engine, attributes, r.float("proxy_threshold_auc", 0.5, 1.0),
                           r.int("feedback_rounds", 1, 20), r.share("feedback_random_share"))
    r.finish()
    return out


def load_audit_params(path: str | Path, profile: AuditProfile) -> AuditStageParams:
    """The ``audit`` section, with the groups from the profile's own section (``provider_audit`` for providers)."""
    params = parse_audit_params(load_section(path, "audit"))
    if profile.section == "audit":
        return params
    return dataclasses.replace(params, attributes=parse_provider_audit_params(load_section(path, profile.section)))


def _pair(r: SectionReader) -> list[float]:
    value = r.value("tolerance", "a list [low, high] with 0 < low < 1 < high")
    if (not isinstance(value, list) or len(value) != 2 or not all(isinstance(v, (int, float)) for v in value)
            or not 0 < value[0] < 1 < value[1]):
        raise r.fail("tolerance", "a list [low, high] with 0 < low < 1 < high", value)
    return [float(v) for v in value]


def sensitive_frame(protected: pd.DataFrame, attributes: tuple[str, ...], *, file: str | Path = "protected.parquet",
                    section: str = "audit") -> pd.DataFrame:
    """The audit's groups: protected columns as text, age as age bands, client shares as composition bands
    (:func:`risico.audit.providers.composition_band`)."""
    columns = {}
    for attribute in attributes:
        source = {"age_band": "age", **CLIENT_SHARES}.get(attribute, attribute)
        if source not in protected.columns:
            shown = ", ".join(c for c in protected.columns if c not in ("application_id", "case_id"))
            raise RisicoError(MISSING_PROTECTED.format(attribute=attribute, section=section, column=source,
                                                       file=file, columns=shown))
        if attribute == "age_band":
            columns[attribute] = age_band(protected["age"])
        elif attribute in CLIENT_SHARES:
            columns[attribute] = composition_band(protected[source])
        else:
            columns[attribute] = protected[attribute].astype("str")
    return pd.DataFrame(columns).reset_index(drop=True)


def history_funnel(sensitive: pd.DataFrame, labels: pd.DataFrame, truth: np.ndarray | None,
                   min_size: int, units: np.ndarray | None = None) -> dict:
    """Who was investigated in the past, what was found, and (synthetic) who really violated, per group.

    With the truth, each group also gets the share investigated among its cases *without* a violation
    (``no_violation_*``; an investigation there had no reason in the truth), in all and per route of
    selection (``no_violation_by_route``, the random route left out: it is the unbiased witness). ``units``
    (e.g. the provider of each provider-quarter) sizes the groups for suppression in distinct units
    instead of rows.
    """
    investigated = labels["investigated"].to_numpy(dtype=bool)
    found = (labels["observed"] == 1).to_numpy()
    route = labels["route"].astype("str").to_numpy()
    routes = sorted(set(route[investigated]) - {RANDOM_ROUTE, "nan", "None", "<NA>"})
    out = {}
    for attribute in sensitive.columns:
        rows = []
        for group, index in sensitive.groupby(attribute).groups.items():
            idx = np.asarray(index)
            n = idx.size
            size = n if units is None else int(pd.unique(units[idx]).size)
            if size < min_size:
                rows.append({"group": group, "suppressed": True})
                continue
            inv = int(investigated[idx].sum())
            hits = int(found[idx].sum())
            lo, hi = clopper_pearson(np.array([inv]), np.array([n]))
            row = {"group": group, "n": n, "investigated_rate": inv / n, "investigated_ci": [float(lo[0]), float(hi[0])],
                   "hit_rate": hits / inv if inv else None, "suppressed": False}
            if units is not None:
                row["n_units"] = size
            if truth is not None:
                t = int(truth[idx].sum())
                tlo, thi = clopper_pearson(np.array([t]), np.array([n]))
                row.update(true_rate=t / n, true_ci=[float(tlo[0]), float(thi[0])])
                checked = investigated[idx] & (truth[idx] == 1)       # investigated true violations
                detected = int((checked & found[idx]).sum())
                dlo, dhi = clopper_pearson(np.array([detected]), np.array([int(checked.sum())]))
                row.update(detection_rate=detected / checked.sum() if checked.any() else None,
                           detection_ci=[float(dlo[0]), float(dhi[0])], detection_n=int(checked.sum()))
                clean = truth[idx] == 0
                clean_n, clean_inv = int(clean.sum()), int((investigated[idx] & clean).sum())
                clo, chi = clopper_pearson(np.array([clean_inv]), np.array([clean_n]))
                row.update(no_violation_n=clean_n, no_violation_investigated=clean_inv,
                           no_violation_investigated_rate=clean_inv / clean_n if clean_n else None,
                           no_violation_investigated_ci=[float(clo[0]), float(chi[0])],
                           no_violation_by_route={r: int((investigated[idx] & clean & (route[idx] == r)).sum())
                                                  for r in routes})
            rows.append(row)
        out[attribute] = rows
    return out


def selection_bias_findings(funnel: Mapping[str, list], language: Language, *, tolerance: float = 1.25,
                            confidence: float = 0.95) -> list[dict]:
    """A dilemma when a group was investigated clearly more often than others while truly violating no more.

    Two readings of the same funnel, each raising ``label_bias`` (a group is raised once):

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
                found.append({"id": "label_bias", "title": text("dilemma.label_bias.title", language),
                              "text": text("dilemma.label_bias.text", language, findings=parts),
                              "evidence": {"attribute": attribute, "group": row["group"], "reference": low["group"],
                                           "investigated_ratio": round(ratio, 4), "true_ratio": round(true_ratio, 4),
                                           "basis": "all"}})
    raised = {(d["evidence"]["attribute"], d["evidence"]["group"]) for d in found}
    return found + [d for d in _no_violation_findings(funnel, language, tolerance, confidence)
                    if (d["evidence"]["attribute"], d["evidence"]["group"]) not in raised]


def _no_violation_findings(funnel: Mapping[str, list], language: Language, tolerance: float,
                           confidence: float) -> list[dict]:
    """Reading 2 of :func:`selection_bias_findings`: investigated more often without a violation.

    Per attribute (one family of tests, Bonferroni within it): each shown group against the largest, among
    the cases without a violation, for all routes together and for each route of selection (a bias planted
    in one route, say the caseworkers', is diluted by the others in the total). A comparison is tested only
    when both groups have at least :data:`~risico.audit.run.MIN_EVENTS` such investigations. One finding
    per group: its comparison with the highest lower bound.
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
            found.append({"id": "label_bias", "title": text("dilemma.label_bias.title", language),
                          "text": text("dilemma.label_bias.text", language, findings=parts),
                          "evidence": {"attribute": attribute, "group": row["group"], "reference": reference["group"],
                                       "route": route_name, "investigated_ratio": round(ratio, 4),
                                       "ratio_ci": [round(lo, 4), round(hi, 4)], "true_ratio": round(true_ratio, 4),
                                       "comparisons": len(tests), "basis": "no_violation"}})
    return found


#: Columns of the validated tables that are not model features but could become one (or stand in for one).
CANDIDATE_COLUMNS = {"households": ("district", "postcode4", "household_type"),
                     "persons": ("language_proficiency", "education_level", "years_in_municipality")}


def unused_column_proxies(interim: Path, meta: pd.DataFrame, sensitive: pd.DataFrame,
                          params: AuditStageParams) -> pd.DataFrame:
    """How well columns the model does not use predict the protected groups (a warning for future features)."""
    households = pd.read_parquet(interim / "households.parquet", columns=["household_id",
                                                                         *CANDIDATE_COLUMNS["households"]])
    persons = pd.read_parquet(interim / "persons.parquet", columns=["person_id", *CANDIDATE_COLUMNS["persons"]])
    frame = meta[["household_id", "person_id"]].merge(households, on="household_id", how="left")
    frame = frame.merge(persons, on="person_id", how="left").drop(columns=["household_id", "person_id"])
    frame["postcode4"] = frame["postcode4"].astype("str")
    table = proxy_table(frame, sensitive, threshold_auc=params.proxy_threshold_auc, seed=params.engine.seed)
    return table[table["n"] >= params.engine.min_group_size].reset_index(drop=True)


def detection_findings(funnel: Mapping[str, list], language: str) -> list[dict]:
    """A dilemma when investigations found the true violations of one group clearly more often than another's."""
    found = []
    for attribute, rows in funnel.items():
        shown = [r for r in rows if not r["suppressed"] and r.get("detection_rate") is not None
                 and r["detection_n"] >= 10]
        if len(shown) < 2:
            continue
        pairs = [(h, lo) for h in shown for lo in shown
                 if h["detection_ci"][0] > lo["detection_ci"][1]]          # intervals apart
        if pairs:
            high, low = max(pairs, key=lambda pair: pair[0]["detection_rate"] - pair[1]["detection_rate"])
            found.append({"id": "detection", "title": text("dilemma.detection.title", language),
                          "text": text("dilemma.detection.text", language, attribute=attribute, group=high["group"],
                                       high=f"{100 * high['detection_rate']:.0f}%", reference=low["group"],
                                       low=f"{100 * low['detection_rate']:.0f}%"),
                          "evidence": {"attribute": attribute, "group": high["group"], "reference": low["group"],
                                       "detection": high["detection_rate"], "reference_detection":
                                       low["detection_rate"]}})
    return found


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--params", default="params.yaml",
                        help="params file (sections 'audit', 'provider_audit', 'train', the target's capacity "
                             "section, 'report')")
    parser.add_argument("--processed", required=True, type=Path,
                        help="folder with X, meta, labels, protected (and target.json for providers)")
    parser.add_argument("--scores", required=True, type=Path, help="scores from the train stage")
    parser.add_argument("--truth", type=Path, help="ground truth folder (synthetic world only)")
    parser.add_argument("--interim", type=Path,
                        help="validated tables: columns the model does not use are checked as proxies too "
                             "(applications only)")
    parser.add_argument("--pilot", type=Path,
                        help="a scored table from a pilot (CSV/Parquet) to audit beside train/validation/test")
    parser.add_argument("--pilot-score", default="score", help="score column of --pilot")
    parser.add_argument("--pilot-label", default="label", help="outcome column of --pilot")
    parser.add_argument("--pilot-top-k", type=int, help="cases selected in the pilot (default: the top capacity)")
    parser.add_argument("--out", required=True, type=Path, help="output folder: report.html, audit.json, by_group.csv")
    parser.add_argument("--metrics", required=True, type=Path, help="output metrics JSON (key disparities)")


def check_inputs(meta: pd.DataFrame, scores: pd.DataFrame, target: Target, score_column: str, capacity: int,
                 units: np.ndarray, min_size: int, profile: AuditProfile, args: argparse.Namespace) -> None:
    """One-line errors for inputs the audit cannot use: misaligned scores, a missing score column, a capacity
    above every test period, or too few units in the test period to compare groups."""
    ids, scored = meta[target.id].astype("str").to_numpy(), scores[target.id].astype("str").to_numpy() \
        if target.id in scores else np.array([], dtype=object)
    if ids.size != scored.size or (ids != scored).any():
        differ = np.flatnonzero(ids[:scored.size] != scored[:ids.size])
        row = int(differ[0]) + 1 if differ.size else min(ids.size, scored.size) + 1
        raise RisicoError(NOT_ALIGNED.format(scores=args.scores, meta=args.processed / "meta.parquet",
                                             column=target.id, row=row))
    if score_column not in scores:
        raise RisicoError(NO_SCORE.format(column=score_column, scores=args.scores,
                                          columns=", ".join(c for c in scores if c.startswith("score_"))))
    test = (scores["split"] == "test").to_numpy()
    got = int(pd.unique(units[test]).size)
    if got < 2 * min_size:
        raise RisicoError(TOO_SMALL.format(need=2 * min_size, unit=profile.unit_name, file=args.processed, got=got,
                                           hint=profile.size_hint))
    most = int(meta.loc[test, "period"].value_counts().max())
    if capacity > most:
        raise RisicoError(CAPACITY_TOO_LARGE.format(section=target.capacity_section, most=most, capacity=capacity))


def run(args: argparse.Namespace) -> None:
    target = read_target(args.processed)
    profile = profile_of(target, args.processed)
    params = load_audit_params(args.params, profile)
    model = SectionReader(load_section(args.params, "train"), "train").value("model", "a model family")
    section = target.capacity_section
    capacity = SectionReader(load_section(args.params, section), section).int("capacity", minimum=1)
    language = SectionReader(load_section(args.params, "report"), "report").choice("language", LANGUAGES)
    scores = pd.read_parquet(args.scores)
    meta = pd.read_parquet(args.processed / "meta.parquet")
    labels = pd.read_parquet(args.processed / "labels.parquet")
    protected = pd.read_parquet(args.processed / "protected.parquet")
    X = pd.read_parquet(args.processed / "X.parquet").set_index(target.id)
    units = meta[profile.unit or target.id].astype("str").to_numpy()
    score_column = f"score_{model}"
    check_inputs(meta, scores, target, score_column, capacity, units, params.engine.min_group_size, profile, args)
    units_or_rows = units if profile.unit is not None else None
    aligned = aligned_truth(args.truth, meta[target.truth_key], table=target.truth_table, key=target.truth_key,
                            label=target.truth_label, probability=target.truth_probability)
    truth = None if aligned is None else aligned["true_violation"].to_numpy(dtype=float)
    sensitive = sensitive_frame(protected, params.attributes, file=args.processed / "protected.parquet",
                                section=profile.section)
    score = scores[score_column].to_numpy(dtype=float)
    period = meta["period"].astype("str").to_numpy()
    target_values = truth if truth is not None else labels["observed"].fillna(0).to_numpy()
    stages, results = {}, {}
    for split in ("train", "validation", "test"):
        rows = (scores["split"] == split).to_numpy()
        if not rows.any():
            continue
        selected = select_top(score[rows], period[rows], capacity, np.arange(rows.sum()))
        table_ = ScoredTable(score[rows], target_values[rows], sensitive[rows].reset_index(drop=True),
                             labels["route"][rows].reset_index(drop=True),
                             target_values[rows] if truth is not None else None,
                             units=None if units_or_rows is None else units_or_rows[rows])
        results[split] = audit_table(table_, params.engine, selected=selected, random_value=RANDOM_ROUTE,
                                     language=language)
        stages[split] = results[split][2]
    if args.pilot is not None:
        pilot = read_scored_table(args.pilot, score=args.pilot_score, label=args.pilot_label,
                                  sensitive=list(params.attributes))
        k = args.pilot_top_k or min(capacity, len(pilot.score))
        check_selection(len(pilot.score), pilot.score, k, None)
        results["pilot"] = audit_table(pilot, params.engine, top_k=k, language=language)
        stages["pilot"] = results["pilot"][2]
    result, groups, disparities = results["test"]
    result["target"] = target.name
    result["selection"]["capacity_per_period"] = capacity
    test = (scores["split"] == "test").to_numpy()
    extra, figures, found, proxies = _extras(X[test], sensitive[test].reset_index(drop=True), score[test],
                                             target_values[test], labels[test],
                                             int(result["selection"]["selected"]), params, language)
    funnel = history_funnel(sensitive, labels, truth, params.engine.min_group_size, units_or_rows)
    result["history"] = funnel
    skipped = {part: text(f"audit.skipped.{part}", language) for part in profile.skipped}
    if args.interim is not None and profile.data_proxies:
        data_proxies = unused_column_proxies(args.interim, meta[test].reset_index(drop=True),
                                             sensitive[test].reset_index(drop=True), params)
        result["data_proxies"] = data_proxies.head(20).to_dict("records")
        found += dl.proxy_dilemma(data_proxies, language, unused=True)
    for own in profile.dilemmas:
        found += own(groups, disparities, proxies, language, params.engine.tolerance)
    result.update(extra)
    result["label_source"] = "truth" if truth is not None else "observed"
    found = (selection_bias_findings(funnel, language, tolerance=params.engine.tolerance[1])
             + detection_findings(funnel, language) + found
             + dl.stage_flip_dilemmas({k: v for k, v in stages.items()}, language))
    result["dilemmas"] = result["dilemmas"] + found
    result["verdict"] = dl.verdict(disparities, result["dilemmas"])
    result["stages"] = {split: [d for d in results[split][0]["disparities"] if d["verdict"] in ("fail", "review")]
                        for split in results}
    if skipped:
        result["skipped"] = skipped
    sections = [(text("audit.stages", language), _stages_html(result["stages"])),
                (text("audit.history", language), _history_html(funnel))]
    if extra.get("proxies"):
        sections.append((text("audit.proxies", language), _records_html(extra["proxies"][:15])
                         + _records_html(extra.get("joint_proxies", []))
                         + _records_html(result.get("data_proxies", [])[:10])))
    if extra.get("tradeoffs"):
        sections.append((text("audit.tradeoffs", language), _records_html(extra["tradeoffs"])))
    if extra.get("feedback"):
        sections.append((text("audit.feedback", language), _records_html(extra["feedback"])))
    if extra.get("clusters"):
        sections.append((text("audit.clusters", language), _records_html(extra["clusters"][:8])))
    network_figures: list[Path] = []
    if target.name == "providers" and args.interim is not None:
        html, network_figures = _network_section(meta[test].reset_index(drop=True), score[test],
                                                 period[test], capacity, args.interim, language)
        sections.append((text("audit.network", language), html))
    not_done = {**skipped, **{key[:-len("_error")]: value for key, value in extra.items() if key.endswith("_error")}}
    if not_done:
        sections.append((text("audit.skipped", language),
                         "<ul>" + "".join(f"<li><strong>{esc(k)}</strong>: {esc(v)}</li>"
                                          for k, v in not_done.items()) + "</ul>"))
    with atomic_dir(args.out) as out:
        for figure in figures + network_figures:
            (out / figure.name).write_bytes(figure.read_bytes())
        page = render_report(result, language=language, figures=[out / f.name for f in figures],
                             extra_sections=sections, target=target.name)
        (out / "report.html").write_text(page, encoding="utf-8")
        (out / "audit.json").write_text(json.dumps(result, indent=2, ensure_ascii=False, default=_json) + "\n",
                                        encoding="utf-8")
        by_group_csv(groups, params.engine.min_group_size).to_csv(out / "by_group.csv", index=False,
                                                                   lineterminator="\n")
    if network_figures:
        shutil.rmtree(network_figures[0].parent, ignore_errors=True)
    write_json(_metrics(result), args.metrics)


def _extras(X: pd.DataFrame, sensitive: pd.DataFrame, score: np.ndarray, target: np.ndarray, labels: pd.DataFrame,
            k: int, params: AuditStageParams,
            language: Language) -> tuple[dict, list[Path], list[dict], pd.DataFrame]:
    """Proxies, trade-offs with the impossibility, feedback simulation and bias clusters on the test period.

    A part that cannot be computed on these data (e.g. a group without both outcomes for the trade-offs, or
    too few labels for the feedback simulation) is reported as ``<part>_error`` in the audit, never silently
    left out, and the rest of the audit goes on. Returns (extra, figures, dilemmas, the proxy table).
    """
    import tempfile

    extra: dict[str, Any] = {}
    found: list[dict] = []
    figures: list[Path] = []
    seed = params.engine.seed
    proxies = proxy_table(X, sensitive, threshold_auc=params.proxy_threshold_auc, seed=seed)
    extra["proxies"] = proxies[proxies["n"] >= params.engine.min_group_size].head(40).to_dict("records")
    joint = joint_proxy_table(X, sensitive, seed=seed)
    extra["joint_proxies"] = joint[joint["n"] >= params.engine.min_group_size].to_dict("records")
    found += dl.proxy_dilemma(proxies, language)
    first = sensitive.columns[0]
    try:
        frontier = tradeoff_frontier(score, target, sensitive[first], capacity=k, seed=seed)
        extra["tradeoffs"] = frontier.to_dict("records")
        found += dl.tradeoff_dilemma(frontier, language)
        folder = Path(tempfile.mkdtemp())
        figures.append(frontier_figure(frontier, folder / "tradeoff_frontier.png", language=language))
    except (RisicoError, ValueError) as exc:   # e.g. a group without both outcomes: reported, never silently
        extra["tradeoffs_error"] = str(exc)
        log.warning("trade-off frontier not computed: %s", exc)
    try:
        impossible = impossibility(score, target, sensitive[first], capacity=k)
        extra["impossibility"] = impossible
        found += dl.impossibility_dilemma(impossible, language)
    except (RisicoError, ValueError) as exc:
        extra["impossibility_error"] = str(exc)
        log.warning("impossibility not computed: %s", exc)
    initial = labels["observed"].to_numpy(dtype=float).copy()
    try:
        feedback = compare_feedback(X, target, sensitive[first], initial_labels=initial,
                                    rounds=params.feedback_rounds,
                                    random_shares=(0.0, params.feedback_random_share), seed=seed)
        extra["feedback"] = feedback.to_dict("records")
        found += dl.feedback_dilemma(feedback, language)
    except (RisicoError, ValueError) as exc:
        extra["feedback_error"] = str(exc)
        log.warning("feedback simulation not run: %s", exc)
    selected = np.zeros(len(score), dtype=bool)
    selected[np.argsort(-score, kind="stable")[:k]] = True
    error = np.where(target == 1, np.nan, selected.astype(float))
    try:
        clusters = bias_clusters(X, error, min_cluster_size=max(50, params.engine.min_group_size), seed=seed)
        extra["clusters"] = clusters.table.to_dict("records")
    except (RisicoError, ValueError) as exc:
        extra["clusters_error"] = str(exc)
        log.warning("bias clusters not searched: %s", exc)
    return extra, figures, found, proxies


NETWORK_SHOWN = 5      # providers of the last test quarter's list whose network the report shows


def _network_section(meta: pd.DataFrame, score: np.ndarray, period: np.ndarray, capacity: int, interim: Path,
                     language: str) -> tuple[str, list[Path]]:
    """The career path (same director, same address) of the highest-scored providers of the last test quarter
    that have one: a table each and a star figure, as the inspector's worklist shows it."""
    import tempfile

    from risico.network import network_figure, provider_network, relation_labels

    last = np.flatnonzero(period == period.max()) if len(period) else np.array([], dtype=int)
    order = last[np.lexsort((meta["provider_id"].to_numpy()[last], -score[last]))][:capacity]
    as_of = pd.Timestamp(meta["as_of"].iloc[order[0]]).date() if len(order) else None
    tables = {name: pd.read_parquet(interim / f"{name}.parquet")
              for name in ("providers", "applications", "declarations")}
    labels = relation_labels(language)
    parts, figures = [f"<p>{esc(text('audit.network_text', language, n=NETWORK_SHOWN))}</p>"], []
    folder = Path(tempfile.mkdtemp(prefix="risico-network-"))
    for position in order:
        provider = str(meta["provider_id"].iloc[position])
        network = provider_network(provider, tables, as_of)
        career = network[network["relation"].isin(["same_director", "same_address"])]
        if career.empty:
            continue
        figure = folder / f"network_{provider}.png"
        network_figure(provider, career, figure, labels=labels)
        figures.append(figure)
        rows = [[esc(labels[r.relation]), esc(r.provider_id), esc(r.director_id), esc(r.location_address_id),
                 esc(f"{r.registered:%Y-%m-%d}"), esc(f"{r.ended:%Y-%m-%d}" if pd.notna(r.ended) else ""),
                 esc(r.end_reason if isinstance(r.end_reason, str) else "")] for r in career.itertuples()]
        parts.append(f"<h4>{esc(provider)}</h4>" + table(
            [text(f"network.col.{c}", language) for c in ("relation", "linked", "director", "address",
                                                           "registered", "ended", "end_reason")], rows,
            text_columns=(0, 1, 2, 3, 4, 5, 6)) + f"<img src='{figure.name}' alt='{esc(provider)}' width='360'>")
        if len(figures) == NETWORK_SHOWN:
            break
    if not figures:
        parts.append(f"<p>{esc(text('audit.network_none', language))}</p>")
    return "".join(parts), figures


def _history_html(funnel: Mapping[str, list]) -> str:
    """Per attribute: investigated, hit and (synthetic) true violation rates, and investigated without violation."""
    rows = []
    for attribute, entries in funnel.items():
        for r in entries:
            if r["suppressed"]:
                continue
            rows.append([esc(attribute), esc(r["group"]), f"{r['n']:,}", _pct(r["investigated_rate"]),
                         _pct(r.get("hit_rate")), _pct(r.get("true_rate")),
                         _pct(r.get("no_violation_investigated_rate"))])
    return table(["attribute", "group", "n", "investigated", "hit rate", "true violation",
                  "investigated | no violation"], rows, text_columns=(0, 1))


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _stages_html(stages: Mapping[str, list]) -> str:
    rows = [[esc(split), esc(d["attribute"]), esc(d["group"]), esc(d["metric"]), f"{d['ratio']:.2f}",
             esc(d["verdict"])] for split, items in stages.items() for d in items[:12] if d.get("ratio") is not None]
    return table(["period", "attribute", "group", "metric", "ratio", "verdict"], rows, text_columns=(0, 1, 2, 3, 5))


def _records_html(records: list[dict]) -> str:
    if not records:
        return "<p>-</p>"
    columns = list(records[0])[:9]
    return table(columns, [[esc(_short(r.get(c))) for c in columns] for r in records], text_columns=(0, 1, 2))


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)[:60]


def _json(value: Any) -> Any:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def _metrics(result: Mapping) -> dict:
    """Verdict, counts of verdicts, and the key disparities (test period) for dvc metrics diff."""
    counts = pd.Series([d["verdict"] for d in result["disparities"]]).value_counts().to_dict()
    key = {f"{d['attribute']}.{d['group']}.{d['metric']}": d["ratio"] for d in result["disparities"]
           if d.get("ratio") is not None and d["metric"] in ("fpr", "selection_rate") and " x " not in d["attribute"]}
    return {"verdict": result["verdict"], "dilemmas": len(result["dilemmas"]),
            "verdicts": {k: int(v) for k, v in counts.items()}, "key_disparities": key}
