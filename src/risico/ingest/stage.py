"""The ``ingest`` stage: the synthetic world or the municipality's own files in, typed tables out.

Order matters: every file is read and typed, then the privacy gate scans every
column of every table (unknown extra columns included), and only then is
anything written. A direct identifier stops the stage before a single byte of
data is copied.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import pandas as pd

from risico.contract import CONTRACT, MANIFEST
from risico.ingest.readers import ReadResult, find_table_file, read_table
from risico.io import atomic_dir, output_folder, write_json, write_parquet
from risico.params import SectionReader, load_section
from risico.privacy import check_frames

__all__ = ["IngestParams", "parse_ingest_params", "read_extract"]

log = logging.getLogger(__name__)

HELP = "read the synthetic world or the municipality's files, type them, and stop on direct identifiers"


@dataclasses.dataclass(frozen=True)
class IngestParams:
    source: Literal["synthetic", "files"]
    max_file_mb: float


def parse_ingest_params(data: Mapping, ingest: Mapping) -> IngestParams:
    d = SectionReader(data, "data")
    source = d.choice("source", ("synthetic", "files"))
    d.finish()
    r = SectionReader(ingest, "ingest")
    max_mb = r.float("max_file_mb", 0.0, 1_000_000.0, exclusive_minimum=True)
    r.finish()
    return IngestParams(source=source, max_file_mb=max_mb)  # type: ignore[arg-type]


def read_extract(folder: Path, params: IngestParams) -> dict[str, ReadResult]:
    """Read and type every table of the data contract from ``folder``; then run the privacy gate.

    Raises
    ------
    risico.ingest.readers.IngestError
        A file is missing, unreadable or breaks the contract at table level.
    risico.privacy.PrivacyError
        A direct identifier was found in any column.
    """
    results = {name: read_table(find_table_file(folder, table), table, max_file_mb=params.max_file_mb)
               for name, table in CONTRACT.items()}
    check_frames({name: _scannable(result) for name, result in results.items()})
    return results


def _scannable(result: ReadResult) -> pd.DataFrame:
    """The typed columns plus any unknown extra columns the reader set aside."""
    extra = getattr(result, "extra", None)
    frame = result.frame.drop(columns="_ingest_problem")
    return frame if extra is None or extra.empty else pd.concat([frame, extra], axis=1)


def manifest(folder: Path, results: Mapping[str, ReadResult], params: IngestParams) -> dict:
    """What was read, how, and what was noticed (for the validation report)."""
    return {
        "source": params.source,
        "folder": folder.as_posix(),
        "tables": {name: {"rows": len(r.frame), "encoding": r.encoding, "separator": r.separator,
                          "decimal": r.decimal, "rows_with_parse_problems": int(r.frame["_ingest_problem"].notna().sum()),
                          "warnings": list(r.warnings)}
                   for name, r in results.items()},
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--params", default="params.yaml", help="params file (sections 'data', 'ingest')")
    parser.add_argument("--synthetic", required=True, type=Path, help="folder of the synthetic world (data/raw)")
    parser.add_argument("--files", required=True, type=Path,
                        help="folder with the municipality's own extracts, one <table>.csv or .parquet per table")
    parser.add_argument("--out", required=True, type=output_folder, help="output folder for the typed tables")


def run(args: argparse.Namespace) -> None:
    params = parse_ingest_params(load_section(args.params, "data"), load_section(args.params, "ingest"))
    folder = args.synthetic if params.source == "synthetic" else args.files
    results = read_extract(folder, params)
    for name, result in results.items():
        for warning in result.warnings:
            log.warning("%s: %s", name, warning)
    with atomic_dir(args.out, option="--out", inputs={"--synthetic": args.synthetic, "--files": args.files,
                                                        "--params": args.params}) as out:
        for name, result in results.items():
            write_parquet(result.frame, out / f"{name}.parquet")
        write_json(manifest(folder, results, params), out / MANIFEST)
    log.info("ingested %d tables from %s", len(results), folder)
