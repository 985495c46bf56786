"""The ``validate`` stage: typed tables in; validated tables, quarantine, report and metrics out.

Outputs (all paths from ``dvc.yaml``):

* ``--interim``: validated tables without protected columns (what features may read);
* ``--protected``: the protected columns with their row's id, in their own folder, for the audit only;
* ``--quarantine``: rejected rows per table with the reason per row;
* ``--report``: ``index.html`` (Data Docs) and ``summary.json``; ``--metrics``: counts per table.

If validation stops, the report still says why, but no data output is written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
from pathlib import Path

import pandas as pd

from risico.contract import CONTRACT, MANIFEST, contract_for
from risico.io import atomic_dir, atomic_file, write_json, write_parquet
from risico.params import SectionReader, load_section
from risico.texts import LANGUAGES
from risico.validate import report
from risico.validate.core import ValidationError, parse_validate_params, validate_tables
from risico.validate.drift import drift_table
from risico.vocabularies import parse_vocabularies

log = logging.getLogger(__name__)

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


def run(args: argparse.Namespace) -> None:
    from risico.validate.suites import check_vocabularies, load_suites

    params = parse_validate_params(load_section(args.params, "validate"))
    contract = contract_for(parse_vocabularies(load_section(args.params, "vocabularies")))
    rep = SectionReader(load_section(args.params, "report"), "report")
    language = rep.choice("language", LANGUAGES)
    frames = {name: pd.read_parquet(args.ingested / f"{name}.parquet") for name in CONTRACT}
    manifest = json.loads((args.ingested / MANIFEST).read_text(encoding="utf-8"))
    suites = load_suites(args.expectations)
    check_vocabularies(suites, contract, params=str(args.params))
    try:
        validation = validate_tables(frames, suites, params, today=dt.date.today(), contract=contract)
    except ValidationError as exc:
        _write_report(args, report.summary({}, None, None, str(exc), params.drift_warn_psi), None, manifest, None,
                      None, language, params.drift_warn_psi)
        raise
    drift = drift_table(_reference(args.reference), validation.accepted, skip=_id_columns())
    counts = {name: {"rows": len(frames[name]), "accepted": len(validation.accepted[name]),
                     "quarantined": len(validation.quarantine[name])} for name in CONTRACT}
    result = report.summary(counts, validation.suite_results, drift, None, params.drift_warn_psi)
    for warning in result["drift_warnings"]:
        log.warning("drift: %s.%s moved (PSI %.2f)", warning["table"], warning["column"], warning["psi"])
    for name, c in counts.items():
        if c["quarantined"]:
            log.warning("%s: %d of %d rows quarantined", name, c["quarantined"], c["rows"])
    _write_data(args, validation)
    _write_report(args, result, validation.suite_results, manifest, drift, validation.quarantine, language,
                  params.drift_warn_psi)
    write_json({"tables": counts, "rows_quarantined": result["rows_quarantined"],
                "drift_warnings": len(result["drift_warnings"]),
                "max_psi": round(float(drift["psi"].max()), 4) if len(drift) else 0.0}, args.metrics)


def _write_data(args: argparse.Namespace, validation) -> None:
    with atomic_dir(args.interim) as interim, atomic_dir(args.protected) as protected, \
            atomic_dir(args.quarantine) as quarantine:
        for name, table in CONTRACT.items():
            frame = validation.accepted[name]
            hidden = [c.name for c in table.columns if c.protected]
            write_parquet(frame.drop(columns=hidden), interim / f"{name}.parquet")
            if hidden:
                write_parquet(frame[[table.columns[0].name, *hidden]], protected / f"{name}.parquet")
            write_parquet(validation.quarantine[name], quarantine / f"{name}.parquet")


def _write_report(args, result, suite_results, manifest, drift, quarantine, language, limit) -> None:
    page = report.render(result, suite_results, manifest, drift, quarantine, language=language,
                         reference=args.reference.as_posix(), drift_warn_psi=limit)
    args.report.mkdir(parents=True, exist_ok=True)
    with atomic_file(args.report / "index.html") as tmp:
        tmp.write_text(page, encoding="utf-8")
    write_json(result, args.report / "summary.json")


def _reference(folder: Path) -> dict[str, pd.DataFrame]:
    """Reference tables found in ``folder`` (missing ones are simply not compared)."""
    return {name: pd.read_parquet(folder / f"{name}.parquet") for name in CONTRACT
            if (folder / f"{name}.parquet").is_file()}


def _id_columns() -> dict[str, tuple[str, ...]]:
    """Columns not to compare for drift: ids and references (every value is new in a new extract)."""
    return {name: tuple(c.name for c in t.columns if c.unique or c.references or c.name.endswith("_id"))
            for name, t in CONTRACT.items()}
