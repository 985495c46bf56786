"""The ``validate`` stage: typed tables in; validated tables, quarantine, report and metrics out.

Outputs (all paths from ``dvc.yaml``):

* ``--interim``: validated tables without protected columns (what features may read);
* ``--protected``: the protected columns with their row's id, in their own folder, for the audit only;
* ``--quarantine``: rejected rows per table with the reason per row;
* ``--report``: ``index.html`` (Data Docs) and ``summary.json``; ``--metrics``: counts per table.

If validation stops, the report still says why, but no data output is written.

This module is the stage's thin adapter: :func:`read_inputs` reads the params and files,
:func:`risico.validate.pipeline.validate_pipeline` (pure) validates and renders the report,
:func:`write_outputs` writes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

import pandas as pd

from risico.contract import CONTRACT, MANIFEST, contract_for
from risico.io import atomic_dir, atomic_file, write_json, write_parquet
from risico.params import SectionReader, load_section
from risico.texts import LANGUAGES
from risico.validate.core import parse_validate_params
from risico.validate.pipeline import ValidateInputs, ValidateResult, ValidateSettings, id_columns, validate_pipeline
from risico.validate.suites import load_suites
from risico.vocabularies import parse_vocabularies

__all__ = ["HELP", "add_arguments", "run", "read_inputs", "write_outputs"]

HELP = "check the tables against the data contract (Great Expectations), quarantine bad rows, split protected columns"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--params", default="params.yaml",
                        help="params file (sections 'validate', 'vocabularies', 'report')")
    parser.add_argument("--ingested", required=True, type=Path, help="typed tables from ingest")
    parser.add_argument("--expectations", required=True, type=Path, help="folder of suite JSON files")
    parser.add_argument("--reference", required=True, type=Path,
                        help="folder with reference tables for drift (a previous validated extract or data/raw)")
    parser.add_argument("--interim", required=True, type=Path, help="output: validated tables, no protected columns")
    parser.add_argument("--protected", required=True, type=Path, help="output: protected columns (audit only)")
    parser.add_argument("--quarantine", required=True, type=Path, help="output: rejected rows with reasons")
    parser.add_argument("--report", required=True, type=Path, help="output folder for index.html and summary.json")
    parser.add_argument("--metrics", required=True, type=Path, help="output metrics JSON")


def read_inputs(args: argparse.Namespace) -> tuple[ValidateInputs, ValidateSettings]:
    """Every file the validation reads, its parsed params, and today's date (the rules' "today")."""
    params = parse_validate_params(load_section(args.params, "validate"))
    contract = contract_for(parse_vocabularies(load_section(args.params, "vocabularies")))
    language = SectionReader(load_section(args.params, "report"), "report").choice("language", LANGUAGES)
    settings = ValidateSettings(params, contract, language, params_file=str(args.params))
    frames = {name: pd.read_parquet(args.ingested / f"{name}.parquet") for name in CONTRACT}
    manifest = json.loads((args.ingested / MANIFEST).read_text(encoding="utf-8"))
    inputs = ValidateInputs(frames=frames, manifest=manifest, suites=load_suites(args.expectations),
                            reference=_reference(args.reference), reference_name=args.reference.as_posix(),
                            today=dt.date.today())
    return inputs, settings


def write_outputs(result: ValidateResult, args: argparse.Namespace) -> None:
    """The data folders (all or nothing, only when validation passed), the report, then the metrics."""
    if result.error is None:
        with atomic_dir(args.interim) as interim, atomic_dir(args.protected) as protected, \
                atomic_dir(args.quarantine) as quarantine:
            for name in CONTRACT:
                write_parquet(result.interim[name], interim / f"{name}.parquet")
                if name in result.protected:
                    write_parquet(result.protected[name], protected / f"{name}.parquet")
                write_parquet(result.quarantine[name], quarantine / f"{name}.parquet")
    args.report.mkdir(parents=True, exist_ok=True)
    with atomic_file(args.report / "index.html") as tmp:
        tmp.write_text(result.page, encoding="utf-8")
    write_json(result.summary, args.report / "summary.json")
    if result.metrics is not None:
        write_json(result.metrics, args.metrics)


def run(args: argparse.Namespace) -> None:
    inputs, settings = read_inputs(args)
    result = validate_pipeline(inputs, settings)
    write_outputs(result, args)
    if result.error is not None:
        raise result.error


def _reference(folder: Path) -> dict[str, pd.DataFrame]:
    """Reference tables found in ``folder`` (missing ones are simply not compared)."""
    return {name: pd.read_parquet(folder / f"{name}.parquet") for name in CONTRACT
            if (folder / f"{name}.parquet").is_file()}


_id_columns = id_columns     # the former private name (bench/bench_validate.py imports it)
