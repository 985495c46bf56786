"""Write tables as a Dutch municipal export would: ``;``-separated, decimal commas, ``dd-mm-yyyy`` dates.

Used to show that ``data.source: files`` gives the same validated tables as the
synthetic world, and to hand an analyst a realistic example of the expected files.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from risico.contract import CONTRACT
from risico.io import atomic_dir, output_folder
from risico.tables import write_csv

__all__ = ["to_dutch_csv"]

HELP = "export the synthetic world as Dutch-style CSV files (';', decimal comma, dd-mm-yyyy)"


def to_dutch_csv(frame: pd.DataFrame, path: Path, *, encoding: str = "utf-8-sig") -> None:
    """Write one table; booleans as ``ja``/``nee``, empty cells for missing values, full float precision."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_bool_dtype(values):
            out[column] = values.map({True: "ja", False: "nee"})
        elif pd.api.types.is_datetime64_any_dtype(values):
            out[column] = values.dt.strftime("%d-%m-%Y")
    write_csv(out, path, sep=";", decimal=",", encoding=encoding, lineterminator="\r\n")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--raw", required=True, type=Path, help="folder with the world's Parquet tables")
    parser.add_argument("--out", required=True, type=output_folder, help="folder to write <table>.csv files into")


def run(args: argparse.Namespace) -> None:
    with atomic_dir(args.out, option="--out", inputs={"--raw": args.raw}) as out:
        for name in CONTRACT:
            to_dutch_csv(pd.read_parquet(args.raw / f"{name}.parquet"), out / f"{name}.csv")
