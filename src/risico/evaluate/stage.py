"""The ``evaluate`` stage: test-period metrics against labels and truth, explanations, reasons, model card.

This module is the stage's thin adapter: :func:`read_inputs` reads the params and files,
:func:`risico.evaluate.pipeline.evaluate_pipeline` (pure) evaluates, explains and renders the card,
:func:`write_outputs` writes.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from risico.evaluate.pipeline import (CAPACITY_TOO_LARGE, EvaluateInputs, EvaluateResult, EvaluateSettings,
                                      evaluate_pipeline)
from risico.firewall import parse_protected_params
from risico.io import atomic_dir, atomic_file, write_json, write_parquet
from risico.models.store import load_model
from risico.params import SectionReader, load_section
from risico.tables import write_csv
from risico.target import read_target
from risico.texts import LANGUAGES
from risico.train_params import parse_train_params
from risico.truth import aligned_truth

__all__ = ["HELP", "add_arguments", "run", "read_inputs", "write_outputs", "parse_capacity",
           # re-exported from risico.evaluate.pipeline (tests import it here)
           "CAPACITY_TOO_LARGE"]

HELP = "measure the models on the test period against observed labels and the truth; explain; write the model card"


def parse_capacity(values: Mapping, section: str = "worklist") -> int:
    return SectionReader(values, section).int("capacity", minimum=1)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--params", default="params.yaml",
                        help="params file (sections 'train', 'worklist', 'protected', 'report')")
    parser.add_argument("--processed", required=True, type=Path, help="folder with X, meta, labels")
    parser.add_argument("--scores", required=True, type=Path, help="scores from the train stage")
    parser.add_argument("--models", required=True, type=Path, help="folder with the fitted models")
    parser.add_argument("--truth", type=Path, help="ground truth folder (synthetic world only)")
    parser.add_argument("--metrics", required=True, type=Path, help="output metrics JSON")
    parser.add_argument("--plots", required=True, type=Path, help="output CSV: calibration curves (dvc plots)")
    parser.add_argument("--report", required=True, type=Path, help="output folder: model card, figures, tables")
    parser.add_argument("--reasons", required=True, type=Path, help="output Parquet: reasons for test applications")


def read_inputs(args: argparse.Namespace) -> tuple[EvaluateInputs, EvaluateSettings]:
    """Every file the evaluation reads, and its parsed params."""
    train = parse_train_params(load_section(args.params, "train"))
    protected = parse_protected_params(load_section(args.params, "protected"))
    target = read_target(args.processed)
    capacity = parse_capacity(load_section(args.params, target.capacity_section), target.capacity_section)
    language = SectionReader(load_section(args.params, "report"), "report").choice("language", LANGUAGES)
    settings = EvaluateSettings(train, protected, capacity, target.capacity_section, language)
    meta = pd.read_parquet(args.processed / "meta.parquet")
    labels = pd.read_parquet(args.processed / "labels.parquet")
    X = pd.read_parquet(args.processed / "X.parquet").set_index(target.id)
    scores = pd.read_parquet(args.scores)
    truth = aligned_truth(args.truth, meta[target.truth_key], table=target.truth_table, key=target.truth_key,
                          label=target.truth_label, probability=target.truth_probability)
    inputs = EvaluateInputs(target=target, meta=meta, labels=labels, X=X, scores=scores, truth=truth,
                            training=json.loads((args.models / "training.json").read_text()),
                            model=load_model(args.models / f"{train.model}.pkl"),
                            feature_groups=json.loads((args.processed / "feature_groups.json").read_text()))
    return inputs, settings


def write_outputs(result: EvaluateResult, args: argparse.Namespace) -> None:
    """The report folder (all or nothing), the calibration curves, the reasons, then the metrics."""
    with atomic_dir(args.report) as folder:
        for name, content in result.report_files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
    with atomic_file(args.plots) as tmp:
        write_csv(result.calibration, tmp)
    args.reasons.parent.mkdir(parents=True, exist_ok=True)
    write_parquet(result.reasons.reset_index(), args.reasons)
    write_json(result.metrics, args.metrics)


def run(args: argparse.Namespace) -> None:
    inputs, settings = read_inputs(args)
    write_outputs(evaluate_pipeline(inputs, settings), args)

