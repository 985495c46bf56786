"""The ``train`` stage: every model family trained on the earlier period, calibrated on the next.

By default the model learns from investigated applications only, as a
municipality would; ``train.label_source: random_only`` learns from the random
investigations alone, and ``train.ipw: true`` weights investigated cases by the
inverse of their estimated chance of being investigated. Protected attributes
never enter ``X`` (the firewall checks every feature name first).

This module is the stage's thin adapter: :func:`read_inputs` reads the params and files,
:func:`risico.train.pipeline.train_pipeline` (pure) checks, fits and scores, :func:`write_outputs` writes.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from risico.firewall import parse_protected_params
from risico.io import atomic_dir, write_json, write_parquet
from risico.models.store import save_model
from risico.params import load_section
from risico.target import read_target
from risico.train.pipeline import (EMPTY_PERIOD, ONE_CLASS, UNKNOWN_FEATURE, TrainError, TrainInputs, TrainResult,
                                   TrainSettings, ipw_weights, select_features, train_models, train_pipeline,
                                   training_rows)
from risico.train_params import parse_train_params

__all__ = ["HELP", "add_arguments", "run", "read_inputs", "write_outputs",
           # re-exported from risico.train.pipeline (tests and bench import them here)
           "training_rows", "ipw_weights", "select_features", "train_models", "TrainError", "EMPTY_PERIOD",
           "ONE_CLASS", "UNKNOWN_FEATURE"]

HELP = "train the EBM, the scorecard and the gradient-boosting comparator on the earlier period"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--params", default="params.yaml", help="params file (sections 'train', 'protected')")
    parser.add_argument("--processed", required=True, type=Path, help="folder with X, meta, labels (features stage)")
    parser.add_argument("--models", required=True, type=Path, help="output folder for the fitted models")
    parser.add_argument("--scores", required=True, type=Path, help="output Parquet: split and score per model")
    parser.add_argument("--metrics", required=True, type=Path, help="output metrics JSON")


def read_inputs(args: argparse.Namespace) -> tuple[TrainInputs, TrainSettings]:
    """Every file training reads, and its parsed params."""
    settings = TrainSettings(train=parse_train_params(load_section(args.params, "train")),
                             protected=parse_protected_params(load_section(args.params, "protected")))
    target = read_target(args.processed)
    inputs = TrainInputs(target=target, X=pd.read_parquet(args.processed / "X.parquet").set_index(target.id),
                         meta=pd.read_parquet(args.processed / "meta.parquet"),
                         labels=pd.read_parquet(args.processed / "labels.parquet"))
    return inputs, settings


def write_outputs(result: TrainResult, args: argparse.Namespace) -> None:
    """The models folder with ``training.json`` (all or nothing), the scores, then the metrics."""
    with atomic_dir(args.models) as folder:
        for name, model in result.models.items():
            save_model(model, folder / f"{name}.pkl")
        (folder / "training.json").write_text(json.dumps(result.summary, indent=2, sort_keys=True) + "\n")
    args.scores.parent.mkdir(parents=True, exist_ok=True)
    write_parquet(result.scores, args.scores)
    write_json(result.metrics, args.metrics)


def run(args: argparse.Namespace) -> None:
    inputs, settings = read_inputs(args)
    write_outputs(train_pipeline(inputs, settings), args)
