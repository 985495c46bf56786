"""The ``provider-features`` stage: validated tables in, one row per care provider per quarter out.

``python -m risico provider-features --params params.yaml --interim data/interim
--protected data/protected --out data/processed_providers`` writes, all at once
or not at all, the same files the application ``features`` stage writes, keyed
by ``case_id`` instead of ``application_id``:

* ``X.parquet``: ``case_id`` then the feature columns (model inputs);
* ``meta.parquet``: ``case_id``, ``provider_id``, ``as_of``, ``period``, ``group_id``;
* ``labels.parquet``: investigated, route, observed outcome per provider-quarter;
* ``protected.parquet``: fairness groups of the provider and its clients' protected
  attributes (the audit only);
* ``feature_groups.json``: feature name -> feature group;
* ``target.json``: what a row is, its id and group columns, and where its ground
  truth lives, so the train/evaluate machinery can be pointed at this folder.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

import pandas as pd

from risico.features import stage
from risico.features.providers import (
    INPUT_TABLES,
    OPTIONAL_TABLES,
    SECTION,
    ProviderFeatureSet,
    build_provider_features,
    parse_provider_feature_params,
)
from risico.params import load_section

__all__ = ["HELP", "OUTPUT_FILES", "TARGET", "add_arguments", "run", "read_inputs", "write_outputs"]

log = logging.getLogger(__name__)

HELP = "build one feature row per care provider per quarter (protected attributes kept apart)"
OUTPUT_FILES = ("X.parquet", "meta.parquet", "labels.parquet", "protected.parquet", "feature_groups.json",
                "target.json")
#: The unit of analysis, for the machinery that trains and evaluates on these outputs.
TARGET: dict[str, Any] = {
    "target": "providers",
    "id": "case_id",
    # Not grouped by provider: the same 200 providers are active in every period, so a provider kept on one
    # side would leave no training labels. The test period measures what deployment does: next year's
    # quarters of the providers the municipality already knows (docs/features.md, section 5).
    "group": "case_id",
    "date": "as_of",
    "capacity_section": "provider_worklist",
    "truth": {"table": "providers_truth", "key": "provider_id", "label": "true_violation",
              "probability": "true_probability"},
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--params", default="params.yaml", help=f"params file (reads its '{SECTION}' section)")
    parser.add_argument("--interim", required=True, type=Path,
                        help="folder with the validated tables without protected columns (data/interim)")
    parser.add_argument("--protected", required=True, type=Path,
                        help="folder with the protected columns (data/protected); only aggregated beside X for "
                             "the audit")
    parser.add_argument("--out", required=True, type=Path, help="output folder (data/processed_providers)")


def run(args: argparse.Namespace) -> None:
    params = parse_provider_feature_params(load_section(args.params, SECTION))
    tables = read_inputs(args.interim, args.protected)
    features = build_provider_features(tables, params)
    write_outputs(features, args.out)
    log.info("wrote %d provider-quarters x %d features to %s", *features.X.shape, args.out)


def read_inputs(interim: Path, protected: Path) -> dict[str, pd.DataFrame]:
    """The tables :func:`build_provider_features` reads; ``protected_persons`` from ``protected/persons``.

    ``absences`` is required here: the validate stage always writes it (with zero rows when the
    municipality does not hold the source), so a missing file means the history is incomplete.
    """
    return stage.read_inputs(interim, protected, INPUT_TABLES + OPTIONAL_TABLES, stage="provider-features")


def write_outputs(features: ProviderFeatureSet, out: Path) -> None:
    """Write the six outputs into ``out`` atomically (deterministic bytes)."""
    stage.write_outputs(features, out, TARGET)
