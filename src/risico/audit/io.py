"""Reading any scored table for the audit: a vendor's CSV as readily as this project's Parquet.

Real files have duplicate column names, labels written as 0/1, true/false or
ja/nee, and empty cells in the sensitive columns. Empty sensitive values
become their own group, ``(missing)``: never dropped silently. Every problem
is one line naming the column or option and what is allowed.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from risico.audit.engine import MISSING as MISSING_GROUP
from risico.audit.engine import AuditError

__all__ = ["AuditInputError", "ScoredTable", "read_scored_table", "parse_labels", "MISSING_GROUP"]

TRUE_WORDS = {"1", "1.0", "true", "yes", "ja", "j", "y", "waar", "t"}
FALSE_WORDS = {"0", "0.0", "false", "no", "nee", "n", "onwaar", "f"}

EMPTY = "File {file} holds no rows. The audit needs a table with one row per scored case."
NOT_TABLE = "File {file} is not a .csv or .parquet file. Give the scored table as CSV (',' or ';') or Parquet."
NO_COLUMN = "Option {option}: column '{column}' is not in {file}. Columns found: {columns}."
DUPLICATE = ("Option {option}: column '{column}' appears {count} times in {file} (positions {positions}). "
             "Rename the copies so the audit knows which one to use.")
NOT_NUMERIC = ("Option --score: column '{column}' must hold numbers; found {example!r} in row {row}. "
               "Allowed: numbers with '.' or ',' as decimal mark.")
BAD_LABEL = ("Option {option}: column '{column}' must hold two values (0/1, true/false, yes/no, ja/nee); "
             "found {count}: {values}.")
MISSING_LABEL = ("Option {option}: column '{column}' has {count} empty value(s), e.g. row {row}. Every case needs "
                 "a label; leave out cases without one, or audit them separately.")
ONE_GROUP = ("Option --sensitive: column '{column}' has only one group ({group!r}); comparing groups needs at "
             "least two.")
TOP_K = "Option --top-k must be an int in [1, {n}] (the number of rows). Got {k} instead."
THRESHOLD = ("Option --threshold must lie within the scores' range [{low:g}, {high:g}] so that some but not all "
             "cases are selected. Got {value:g} instead.")


class AuditInputError(AuditError):
    """The scored table or the options do not allow an audit."""


@dataclasses.dataclass(frozen=True)
class ScoredTable:
    score: np.ndarray                 # float
    label: np.ndarray                 # float 0/1
    sensitive: pd.DataFrame           # str columns, "(missing)" for empty values
    route: pd.Series | None           # str, or None
    truth: np.ndarray | None          # float 0/1, or None
    units: np.ndarray | None = None   # the entity of each row (a provider); groups are sized in distinct units


def read_scored_table(path: Path, *, score: str, label: str, sensitive: Sequence[str], route: str | None = None,
                      truth: str | None = None) -> ScoredTable:
    """Read and check the columns the audit needs; everything else in the file is ignored."""
    frame = _read(path)
    wanted = {"--score": [score], "--label": [label], "--sensitive": list(sensitive)}
    if route:
        wanted["--route"] = [route]
    if truth:
        wanted["--truth"] = [truth]
    for option, columns in wanted.items():
        for column in columns:
            _check_column(frame, column, option, path.name)
    if len(frame) == 0:
        raise AuditInputError(EMPTY.format(file=path.name))
    table = ScoredTable(
        score=_numbers(frame[score], score),
        label=parse_labels(frame[label], "--label", label),
        sensitive=pd.DataFrame({c: _groups(frame[c]) for c in sensitive}),
        route=frame[route].astype("str").fillna(MISSING_GROUP) if route else None,
        truth=parse_labels(frame[truth], "--truth", truth) if truth else None,
    )
    for column in sensitive:
        groups = table.sensitive[column].unique()
        if groups.size < 2:
            raise AuditInputError(ONE_GROUP.format(column=column, group=str(groups[0])))
    return table


def _read(path: Path) -> pd.DataFrame:
    if not path.is_file() or path.stat().st_size == 0:
        raise AuditInputError(EMPTY.format(file=path.name))
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return pd.read_parquet(path)
    if suffix != ".csv":
        raise AuditInputError(NOT_TABLE.format(file=path.name))
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        first = handle.readline()
    separator = ";" if first.count(";") > first.count(",") else ","
    header = next(csv.reader([first], delimiter=separator)) if first.strip() else []
    frame = pd.read_csv(path, sep=separator, dtype=str, keep_default_na=False, na_values=[""],
                        encoding="utf-8-sig", encoding_errors="replace", header=0)
    frame.attrs["header"] = [h.strip() for h in header]
    return frame


def _check_column(frame: pd.DataFrame, column: str, option: str, file: str) -> None:
    header = frame.attrs.get("header", list(frame.columns))
    positions = [str(i + 1) for i, name in enumerate(header) if name == column]
    if len(positions) > 1:
        raise AuditInputError(DUPLICATE.format(option=option, column=column, count=len(positions), file=file,
                                               positions=", ".join(positions)))
    if column not in frame.columns:
        shown = ", ".join(map(str, header[:12])) + (", ..." if len(header) > 12 else "")
        raise AuditInputError(NO_COLUMN.format(option=option, column=column, file=file, columns=shown))


def _numbers(values: pd.Series, column: str) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        out = values.to_numpy(dtype=float, na_value=np.nan)
    else:
        text = values.astype("str").str.strip().str.replace(",", ".", regex=False)
        out = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(np.isnan(out))
    if bad.size:
        raise AuditInputError(NOT_NUMERIC.format(column=column, example=values.iloc[bad[0]], row=int(bad[0]) + 1))
    return out


def parse_labels(values: pd.Series, option: str, column: str) -> np.ndarray:
    """0/1 as float from 0/1, true/false, yes/no, ja/nee (any case); anything else is an error.

    >>> parse_labels(pd.Series(["ja", "Nee", "1", "false"]), "--label", "found").tolist()
    [1.0, 0.0, 1.0, 0.0]
    """
    if pd.api.types.is_bool_dtype(values):
        return values.to_numpy(dtype=float)
    text = values.astype("str").str.strip().str.lower()
    empty = text.isna() | (text == "")
    if empty.any():
        row = int(np.flatnonzero(empty.to_numpy())[0]) + 1
        raise AuditInputError(MISSING_LABEL.format(option=option, column=column, count=int(empty.sum()), row=row))
    distinct = sorted(set(text.unique()))
    is_true, is_false = text.isin(TRUE_WORDS), text.isin(FALSE_WORDS)
    if not (is_true | is_false).all():
        raise AuditInputError(BAD_LABEL.format(option=option, column=column, count=len(distinct),
                                               values=", ".join(map(repr, distinct[:6]))))
    return is_true.to_numpy(dtype=float)


def _groups(values: pd.Series) -> pd.Series:
    text = values.astype("str").str.strip()
    return text.where(text.notna() & (text != ""), MISSING_GROUP).astype("str")


def check_selection(n: int, scores: np.ndarray, top_k: int | None, threshold: float | None) -> None:
    """The selection options make sense for this table."""
    if top_k is not None and not 1 <= top_k <= n:
        raise AuditInputError(TOP_K.format(n=n, k=top_k))
    if threshold is not None and not float(scores.min()) < threshold <= float(scores.max()):
        raise AuditInputError(THRESHOLD.format(low=float(scores.min()), high=float(scores.max()), value=threshold))
