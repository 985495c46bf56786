"""The pipeline audit as one pure function: the stage's frames and parsed params in, the audit result out.

:func:`audit_pipeline` audits each period (and a pilot) with :func:`risico.audit.run.assess_table`, adds the
history funnel, proxies, trade-offs, the feedback simulation, bias clusters and the unit's own dilemmas, and
asks :mod:`risico.audit.verdict` for the findings in the history and for the one overall verdict. Reading and
writing are in :mod:`risico.audit.stage`.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from risico.audit import dilemmas as dl
from risico.audit.clusters import bias_clusters
from risico.audit.config import AuditStageParams
from risico.audit.feedback import compare_feedback
from risico.audit.history import RANDOM_ROUTE, history_funnel, sensitive_frame, unused_column_proxies
from risico.audit.io import ScoredTable, check_selection
from risico.audit.providers import AuditProfile, top_networks
from risico.audit.proxies import joint_proxy_table, proxy_table
from risico.audit.report import stage_sections
from risico.audit.run import TableAudit, assess_table, conclude
from risico.audit.tradeoffs import frontier_figure, impossibility, tradeoff_frontier
from risico.audit.verdict import NEEDS_ATTENTION, detection_findings, impossibility_conflict, selection_bias_findings
from risico.errors import RisicoError
from risico.selection import CAPACITY_TOO_LARGE, select_top
from risico.target import Target
from risico.texts import Language
from risico.texts.audit import text

__all__ = ["AuditInputs", "AuditSettings", "AuditResult", "audit_pipeline", "check_inputs", "audit_metrics",
           "NOT_ALIGNED", "NO_SCORE", "CAPACITY_TOO_LARGE", "TOO_SMALL"]

log = logging.getLogger(__name__)

NOT_ALIGNED = ("{scores} and {meta} must list the same cases in the same order (column '{column}'); they differ "
               "from row {row} on. Run the train stage again on --processed.")
NO_SCORE = "Column '{column}' (train.model) is not in {scores}. Score columns: {columns}."
TOO_SMALL = ("The audit needs at least {need} {unit}s in the test period (twice audit.min_group_size) to compare "
             "groups; {file} holds {got}. Generate a larger world ({hint}) or lower audit.min_group_size.")


@dataclasses.dataclass(frozen=True)
class AuditSettings:
    """The stage's parsed params: the ``audit`` section, ``train.model``, the target's capacity, the language."""

    audit: AuditStageParams
    model: str
    capacity: int
    language: Language
    pilot_top_k: int | None = None


@dataclasses.dataclass(frozen=True)
class AuditInputs:
    """What the stage read. ``truth``: the true violation per row of ``meta`` (None without a world's truth);
    ``interim``: the validated tables the profile needs (empty without ``--interim``); ``processed`` and
    ``scores_file`` name the inputs in messages."""

    target: Target
    profile: AuditProfile
    scores: pd.DataFrame
    meta: pd.DataFrame
    labels: pd.DataFrame
    protected: pd.DataFrame
    X: pd.DataFrame
    truth: np.ndarray | None
    interim: Mapping[str, pd.DataFrame]
    pilot: ScoredTable | None
    processed: Path
    scores_file: Path


@dataclasses.dataclass(frozen=True)
class AuditResult:
    """The audit dict, the test period's group table, the report's extra sections, the figures (temporary
    files, to copy beside the report) and the metrics for ``dvc metrics diff``."""

    result: dict[str, Any]
    groups: pd.DataFrame
    sections: list[tuple[str, str]]
    figures: list[Path]
    network_figures: list[Path]
    metrics: dict[str, Any]
    disparities: pd.DataFrame | None = None


def check_inputs(inputs: AuditInputs, settings: AuditSettings, units: np.ndarray) -> None:
    """One-line errors for inputs the audit cannot use: misaligned scores, a missing score column, a capacity
    above every test period, or too few units in the test period to compare groups."""
    meta, scores, target, profile = inputs.meta, inputs.scores, inputs.target, inputs.profile
    score_column, capacity = f"score_{settings.model}", settings.capacity
    min_size = settings.audit.engine.min_group_size
    ids, scored = meta[target.id].astype("str").to_numpy(), scores[target.id].astype("str").to_numpy() \
        if target.id in scores else np.array([], dtype=object)
    if ids.size != scored.size or (ids != scored).any():
        differ = np.flatnonzero(ids[:scored.size] != scored[:ids.size])
        row = int(differ[0]) + 1 if differ.size else min(ids.size, scored.size) + 1
        raise RisicoError(NOT_ALIGNED.format(scores=inputs.scores_file, meta=inputs.processed / "meta.parquet",
                                             column=target.id, row=row))
    if score_column not in scores:
        raise RisicoError(NO_SCORE.format(column=score_column, scores=inputs.scores_file,
                                          columns=", ".join(c for c in scores if c.startswith("score_"))))
    test = (scores["split"] == "test").to_numpy()
    got = int(pd.unique(units[test]).size)
    if got < 2 * min_size:
        raise RisicoError(TOO_SMALL.format(need=2 * min_size, unit=profile.unit_name, file=inputs.processed, got=got,
                                           hint=profile.size_hint))
    most = int(meta.loc[test, "period"].value_counts().max())
    if capacity > most:
        raise RisicoError(CAPACITY_TOO_LARGE.format(section=target.capacity_section, most=most, capacity=capacity))


def audit_pipeline(inputs: AuditInputs, settings: AuditSettings) -> AuditResult:
    """The audit of the selected model: per period, the test period's extras, the history, the verdict."""
    target, profile, params, language = inputs.target, inputs.profile, settings.audit, settings.language
    meta, labels, scores, capacity = inputs.meta, inputs.labels, inputs.scores, settings.capacity
    units = meta[profile.unit or target.id].astype("str").to_numpy()
    check_inputs(inputs, settings, units)
    units_or_rows = units if profile.unit is not None else None
    truth = inputs.truth
    sensitive = sensitive_frame(inputs.protected, params.attributes, file=inputs.processed / "protected.parquet",
                                section=profile.section)
    score = scores[f"score_{settings.model}"].to_numpy(dtype=float)
    period = meta["period"].astype("str").to_numpy()
    target_values = truth if truth is not None else labels["observed"].fillna(0).to_numpy()
    audits = _period_audits(inputs, settings, sensitive, score, period, target_values, units_or_rows)
    test_audit = audits["test"]
    test = (scores["split"] == "test").to_numpy()
    n_selected = int(test_audit.numbers["selection"]["selected"])
    extra, figures, found, proxies = _extras(inputs.X[test], sensitive[test].reset_index(drop=True), score[test],
                                             target_values[test], labels[test], n_selected, params, language)
    funnel = history_funnel(sensitive, labels, truth, params.engine.min_group_size, units_or_rows)
    data_proxies = None
    if profile.data_proxies and inputs.interim:
        data_proxies = unused_column_proxies(inputs.interim, meta[test].reset_index(drop=True),
                                             sensitive[test].reset_index(drop=True),
                                             threshold_auc=params.proxy_threshold_auc, seed=params.engine.seed,
                                             min_size=params.engine.min_group_size)
        found += dl.proxy_dilemma(data_proxies, language, unused=True)
    for own in profile.dilemmas:
        found += own(test_audit.groups, test_audit.disparities, proxies, language, params.engine.tolerance)
    found = (selection_bias_findings(funnel, language, tolerance=params.engine.tolerance[1])
             + detection_findings(funnel, language) + found
             + dl.stage_flip_dilemmas({split: audit.disparities for split, audit in audits.items()}, language))
    result = conclude(test_audit, test_audit.dilemmas + found)
    result["target"] = target.name
    result["selection"]["capacity_per_period"] = capacity
    result["history"] = funnel
    if data_proxies is not None:
        result["data_proxies"] = data_proxies.head(20).to_dict("records")
    result.update(extra)
    result["label_source"] = "truth" if truth is not None else "observed"
    result["stages"] = {split: [d for d in audit.numbers["disparities"] if d["verdict"] in NEEDS_ATTENTION]
                        for split, audit in audits.items()}
    skipped = {part: text(f"audit.skipped.{part}", language) for part in profile.skipped}
    if skipped:
        result["skipped"] = skipped
    networks = None
    if profile.network and inputs.interim:
        from risico.network import relation_labels
        test_meta = meta[test].reset_index(drop=True)
        networks = top_networks(test_meta, score[test], period[test], capacity, inputs.interim,
                                relation_labels(language))
    not_done = {**skipped, **{key[:-len("_error")]: value for key, value in extra.items() if key.endswith("_error")}}
    sections = stage_sections(result, extra, not_done, language, networks)
    return AuditResult(result, test_audit.groups, sections, figures, [figure for _, _, figure in networks or []],
                       audit_metrics(result), test_audit.disparities)


def _period_audits(inputs: AuditInputs, settings: AuditSettings, sensitive: pd.DataFrame, score: np.ndarray,
                   period: np.ndarray, target_values: np.ndarray,
                   units: np.ndarray | None) -> dict[str, TableAudit]:
    """Each period (train, validation, test) at the real cut-off, and the pilot at its top k."""
    scores, labels, engine = inputs.scores, inputs.labels, settings.audit.engine
    audits = {}
    for split in ("train", "validation", "test"):
        rows = (scores["split"] == split).to_numpy()
        if not rows.any():
            continue
        selected = select_top(score[rows], period[rows], settings.capacity, np.arange(rows.sum()))
        table = ScoredTable(score[rows], target_values[rows], sensitive[rows].reset_index(drop=True),
                            labels["route"][rows].reset_index(drop=True),
                            target_values[rows] if inputs.truth is not None else None,
                            units=None if units is None else units[rows])
        audits[split] = assess_table(table, engine, selected=selected, random_value=RANDOM_ROUTE,
                                     language=settings.language)
    if inputs.pilot is not None:
        k = settings.pilot_top_k or min(settings.capacity, len(inputs.pilot.score))
        check_selection(len(inputs.pilot.score), inputs.pilot.score, k, None)
        audits["pilot"] = assess_table(inputs.pilot, engine, top_k=k, language=settings.language)
    return audits


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
        found += dl.impossibility_dilemma(impossible, language, impossibility_conflict(
            impossible, params.engine.tolerance, params.engine.min_group_size, str(first)))
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


def audit_metrics(result: Mapping) -> dict:
    """Verdict, counts of verdicts, and the key disparities (test period) for dvc metrics diff."""
    counts = pd.Series([d["verdict"] for d in result["disparities"]]).value_counts().to_dict()
    key = {f"{d['attribute']}.{d['group']}.{d['metric']}": d["ratio"] for d in result["disparities"]
           if d.get("ratio") is not None and d["metric"] in ("fpr", "selection_rate") and " x " not in d["attribute"]}
    return {"verdict": result["verdict"], "dilemmas": len(result["dilemmas"]),
            "verdicts": {k: int(v) for k, v in counts.items()}, "key_disparities": key}
