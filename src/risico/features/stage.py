"""The ``features`` stage: validated tables in, model inputs and what travels beside them out.

``python -m risico features --params params.yaml --interim data/interim
--protected data/protected --out data/processed`` writes, all at once or not
at all:

* ``X.parquet``: ``application_id`` then the feature columns (model inputs);
* ``meta.parquet``: ids and dates per application (splits, worklist);
* ``labels.parquet``: investigated, route, observed outcome;
* ``protected.parquet``: the applicant's protected attributes (the audit only);
* ``feature_groups.json``: feature name -> feature group.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import pandas as pd

from risico.features.applications import (
    INPUT_TABLES,
    SECTION,
    FeatureError,
    FeatureSet,
    build_application_features,
    parse_feature_params,
)
from risico.io import atomic_dir, write_json, write_parquet
from risico.params import load_section

__all__ = ["HELP", "add_arguments", "run", "read_inputs", "write_outputs", "OUTPUT_FILES"]

log = logging.getLogger(__name__)

HELP = "build one feature row per application at its decision date (protected attributes kept apart)"
OUTPUT_FILES = ("X.parquet", "meta.parquet", "labels.parquet", "protected.parquet", "feature_groups.json")
MISSING_INPUT = ("Input file {path} does not exist. The {stage} stage reads the validate stage's output: "
                 "run `dvc repro validate` or pass the right --{option} folder.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--params", default="params.yaml", help="params file (reads its 'features' section)")
    parser.add_argument("--interim", required=True, type=Path,
                        help="folder with the validated tables without protected columns (data/interim)")
    parser.add_argument("--protected", required=True, type=Path,
                        help="folder with the protected columns (data/protected); only copied beside X for the audit")
    parser.add_argument("--out", required=True, type=Path, help="output folder (data/processed)")


def run(args: argparse.Namespace) -> None:
    params = parse_feature_params(load_section(args.params, SECTION))
    tables = read_inputs(args.interim, args.protected)
    features = build_application_features(tables, params)
    write_outputs(features, args.out)
    log.info("wrote %d applications x %d features to %s", *features.X.shape, args.out)


def read_inputs(interim: Path, protected: Path, tables: tuple[str, ...] = INPUT_TABLES,
                stage: str = "features") -> dict[str, pd.DataFrame]:
    """The ``tables`` a features stage reads; ``protected_persons`` from ``protected/persons``."""
    files = {name: (interim / f"{name}.parquet", "interim") for name in tables if name != "protected_persons"}
    files["protected_persons"] = (protected / "persons.parquet", "protected")
    for path, option in files.values():
        if not path.is_file():
            raise FeatureError(MISSING_INPUT.format(path=path.as_posix(), option=option, stage=stage))
    return {name: pd.read_parquet(path) for name, (path, _) in files.items()}


def write_outputs(features: FeatureSet, out: Path, target: dict | None = None) -> None:
    """Write the outputs into ``out`` atomically (deterministic bytes); ``target.json`` when ``target`` is given
    (without it the folder holds applications, see :mod:`risico.target`)."""
    with atomic_dir(out) as folder:
        write_parquet(features.X.reset_index(), folder / "X.parquet")
        write_parquet(features.meta, folder / "meta.parquet")
        write_parquet(features.labels, folder / "labels.parquet")
        write_parquet(features.protected, folder / "protected.parquet")
        write_json(features.groups, folder / "feature_groups.json")
        if target is not None:
            write_json(target, folder / "target.json")
