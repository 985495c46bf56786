"""The pipeline's ``audit`` stage: the selected model's scores, audited before any score is used.

One stage for both units of analysis: ``target.json`` in ``--processed``
(:func:`risico.target.read_target`) says whether a row is an application or
a provider in a quarter, and :data:`risico.audit.providers.PROFILES` holds the little that differs
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

This module is the stage's thin adapter: :func:`read_inputs` reads the params and files,
:func:`risico.audit.pipeline.audit_pipeline` (pure) audits, :func:`write_outputs` writes. Every rule that
judges is in :mod:`risico.audit.verdict`; the report's HTML in :mod:`risico.audit.report`.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from risico.audit.config import AuditStageParams, load_audit_params, parse_audit_params
from risico.audit.history import MISSING_PROTECTED, history_funnel, sensitive_frame
from risico.audit.io import read_scored_table
from risico.audit.pipeline import (CAPACITY_TOO_LARGE, NO_SCORE, NOT_ALIGNED, TOO_SMALL, AuditInputs, AuditResult,
                                   AuditSettings, audit_pipeline)
from risico.audit.providers import PROFILES, UNKNOWN_TARGET, AuditProfile, profile_of
from risico.audit.report import render_report
from risico.audit.run import by_group_csv
from risico.audit.verdict import detection_findings, selection_bias_findings
from risico.io import atomic_dir, write_json
from risico.params import SectionReader, load_section
from risico.tables import write_csv
from risico.target import read_target
from risico.texts import LANGUAGES
from risico.truth import aligned_truth

__all__ = ["HELP", "add_arguments", "run", "read_inputs", "write_outputs",
           # re-exported from the modules that now hold them (tests, notebooks and older callers import them here)
           "AuditStageParams", "AuditProfile", "PROFILES", "profile_of", "parse_audit_params", "load_audit_params",
           "sensitive_frame", "history_funnel", "selection_bias_findings", "detection_findings", "UNKNOWN_TARGET",
           "MISSING_PROTECTED", "NOT_ALIGNED", "NO_SCORE", "CAPACITY_TOO_LARGE", "TOO_SMALL"]

HELP = "audit the selected model: group metrics, disparities, funnel, proxies, trade-offs, feedback, dilemmas"


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


def read_inputs(args: argparse.Namespace) -> tuple[AuditInputs, AuditSettings]:
    """Every file the audit reads, and its parsed params."""
    target = read_target(args.processed)
    profile = profile_of(target, args.processed)
    params = load_audit_params(args.params, profile)
    model = SectionReader(load_section(args.params, "train"), "train").value("model", "a model family")
    section = target.capacity_section
    capacity = SectionReader(load_section(args.params, section), section).int("capacity", minimum=1)
    language = SectionReader(load_section(args.params, "report"), "report").choice("language", LANGUAGES)
    settings = AuditSettings(params, model, capacity, language, args.pilot_top_k)
    meta = pd.read_parquet(args.processed / "meta.parquet")
    aligned = aligned_truth(args.truth, meta[target.truth_key], table=target.truth_table, key=target.truth_key,
                            label=target.truth_label, probability=target.truth_probability)
    interim = {} if args.interim is None else {name: pd.read_parquet(args.interim / f"{name}.parquet")
                                               for name in profile.interim_tables}
    pilot = None if args.pilot is None else read_scored_table(args.pilot, score=args.pilot_score,
                                                              label=args.pilot_label,
                                                              sensitive=list(params.attributes))
    inputs = AuditInputs(target=target, profile=profile, scores=pd.read_parquet(args.scores), meta=meta,
                         labels=pd.read_parquet(args.processed / "labels.parquet"),
                         protected=pd.read_parquet(args.processed / "protected.parquet"),
                         X=pd.read_parquet(args.processed / "X.parquet").set_index(target.id),
                         truth=None if aligned is None else aligned["true_violation"].to_numpy(dtype=float),
                         interim=interim, pilot=pilot, processed=args.processed, scores_file=args.scores)
    return inputs, settings


def write_outputs(audit: AuditResult, settings: AuditSettings, out_folder: Path, metrics: Path) -> None:
    """``report.html`` with its figures, ``audit.json`` and ``by_group.csv`` in ``out_folder`` (all or
    nothing), then the metrics."""
    with atomic_dir(out_folder) as out:
        for figure in audit.figures + audit.network_figures:
            (out / figure.name).write_bytes(figure.read_bytes())
        page = render_report(audit.result, language=settings.language, figures=[out / f.name for f in audit.figures],
                             extra_sections=audit.sections, target=audit.result["target"])
        (out / "report.html").write_text(page, encoding="utf-8")
        (out / "audit.json").write_text(json.dumps(audit.result, indent=2, ensure_ascii=False, default=_json) + "\n",
                                        encoding="utf-8")
        write_csv(by_group_csv(audit.groups, settings.audit.engine.min_group_size, audit.disparities),
                  out / "by_group.csv")
    if audit.network_figures:
        shutil.rmtree(audit.network_figures[0].parent, ignore_errors=True)
    write_json(audit.metrics, metrics)


def run(args: argparse.Namespace) -> None:
    inputs, settings = read_inputs(args)
    write_outputs(audit_pipeline(inputs, settings), settings, args.out, args.metrics)


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
