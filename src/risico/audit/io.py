"""Reading any scored table for the audit: a vendor's CSV as readily as this project's Parquet.

Real files have duplicate column names (identical copies are one column; differing ones are chosen as
``name#N``), labels written as 0/1, true/false or
ja/nee, and empty cells in the sensitive columns. Empty sensitive values
become their own group, ``(missing)``: never dropped silently. Every problem
is one line naming the file, column or option and what is allowed.

CSV text is recognised and decoded as ``ingest`` does it (:mod:`risico.sniff`):
UTF-8 with or without byte-order mark, else Latin-1/cp1252; gzip, ZIP, UTF-16
and other non-text content is refused by name. The separator is ``,``, ``;``
or tab (the one the header line holds most of).
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from risico.audit.engine import MISSING as MISSING_GROUP
from risico.audit.engine import AuditError
from risico.sniff import EncodingError, decode_text, describe_bytes, first_ragged_line, has_text, split_bom

__all__ = ["AuditInputError", "ScoredTable", "read_scored_table", "parse_labels", "check_selection", "MISSING_GROUP",
           "NO_FILE", "EMPTY", "NOT_TABLE", "NOT_CSV", "NOT_PARQUET", "UNREADABLE_PARQUET", "FIELD_COUNT",
           "UNREADABLE_CSV", "NO_COLUMN", "DUPLICATE", "NO_COPY", "NOT_NUMERIC", "BAD_LABEL", "ONE_CLASS",
           "MISSING_LABEL",
           "ONE_GROUP", "TOP_K", "ALL_SELECTED", "THRESHOLD"]

_SEPARATORS = (",", ";", "\t")
_SEPARATOR_NAMES = {",": "','", ";": "';'", "\t": "tab"}
TRUE_WORDS = {"1", "1.0", "true", "yes", "ja", "j", "y", "waar", "t"}
FALSE_WORDS = {"0", "0.0", "false", "no", "nee", "n", "onwaar", "f"}

NO_FILE = "No such file: {path}. Give the scored table as CSV (',' or ';') or Parquet."
EMPTY = "File {file} holds no rows. The audit needs a table with one row per scored case."
NOT_TABLE = "File {file} is not a .csv or .parquet file. Give the scored table as CSV (',' or ';') or Parquet."
NOT_CSV = ("File {file} is named .csv but holds {found}. Allowed: CSV text in UTF-8 or Latin-1/cp1252, separated by "
           "',', ';' or tab (or a Parquet file named .parquet).")
NOT_PARQUET = ("File {file} is named .parquet but holds {found}. Allowed: a Parquet file (it starts with the bytes "
               "PAR1), or CSV text named .csv.")
UNREADABLE_PARQUET = ("File {file} starts like Parquet but cannot be read ({reason}). Export the table again as "
                      "Parquet or as CSV.")
FIELD_COUNT = ("File {file}, line {line}: found {found} value(s), but the header has {expected} columns separated by "
               "{sep}. Give every line one value per column and quote values that contain the separator.")
UNREADABLE_CSV = ("File {file} cannot be read as CSV ({reason}). Check the quotes around values and export the "
                  "table again.")
NO_COLUMN = "Option {option}: column '{column}' is not in {file}. Columns found: {columns}."
DUPLICATE = ("Option {option}: column '{column}' appears {count} times in {file} (positions {positions}) and the "
             "copies differ (first in row {row}). Choose one as {choices}, or rename the copies.")
NO_COPY = ("Option {option}: column '{column}' appears {count} time(s) in {file}; '{spec}' asks for copy {copy}. "
           "Allowed: {choices}.")
#: How a copy of a duplicated column is named on the command line: ``risk#2`` is the second column named ``risk``.
COPY_MARK = "#"
NOT_NUMERIC = ("Option --score: column '{column}' must hold numbers; found {example!r} in row {row}. "
               "Allowed: numbers with '.' or ',' as decimal mark.")
BAD_LABEL = ("Option {option}: column '{column}' must hold only 0 and 1 (or true/false, yes/no, ja/nee); "
             "found {values}.")
ONE_CLASS = ("Option {option}: every label in column '{column}' is {value}; the audit cannot judge error rates "
             "without cases of both outcomes. Allowed: a table with labels 0 and 1.")
MISSING_LABEL = ("Option {option}: column '{column}' has {count} empty value(s), e.g. row {row}. Every case needs "
                 "a label; leave out cases without one, or audit them separately.")
ONE_GROUP = ("Option --sensitive: column '{column}' has only one group ({group!r}); comparing groups needs at "
             "least two.")
TOP_K = "Option --top-k must be an int >= 1. Got {k} instead."
ALL_SELECTED = ("Option --top-k {k} selects every one of the {n} rows; the audit cannot judge a selection that "
                "leaves no case unselected. Allowed: 1 to {most}.")
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
    stage: pd.Series | None = None    # str: the stage of each row (``--stage``), or None
    features: pd.DataFrame | None = None  # the table's own columns for the proxy analysis (``--features``)
    duplicates: tuple[dict, ...] = ()     # identical copies of a used column: {"column", "positions", "used"}


def read_scored_table(path: Path, *, score: str, label: str | None, sensitive: Sequence[str],
                      route: str | None = None, truth: str | None = None, stage: str | None = None,
                      features: Sequence[str] = ()) -> ScoredTable:
    """Read and check the columns the audit needs; everything else in the file is ignored.

    A column may appear more than once: identical copies are one column (noted in ``duplicates``); copies that
    differ are refused unless the option names one as ``column#N`` (the N-th column of that name). Without
    ``label`` (no outcomes yet) ``ScoredTable.label`` is None.
    """
    frame = _read(path)
    wanted = {"--score": [score], "--label": [label] if label else [], "--sensitive": list(sensitive),
              "--route": [route] if route else [], "--truth": [truth] if truth else [],
              "--stage": [stage] if stage else [], "--features": list(features)}
    columns: dict[str, pd.Series] = {}
    duplicates: list[dict] = []
    for option, names in wanted.items():
        for name in names:
            columns[name], note = _column(frame, name, option, path.name)
            if note is not None and note not in duplicates:
                duplicates.append(note)
    if len(frame) == 0:
        raise AuditInputError(EMPTY.format(file=path.name))
    table = ScoredTable(
        score=_numbers(columns[score], score),
        label=parse_labels(columns[label], "--label", label) if label else None,
        sensitive=pd.DataFrame({c: _groups(columns[c]) for c in sensitive}),
        route=columns[route].astype("str").fillna(MISSING_GROUP) if route else None,
        truth=parse_labels(columns[truth], "--truth", truth) if truth else None,
        stage=_groups(columns[stage]) if stage else None,
        features=pd.DataFrame({c: _feature(columns[c]) for c in features}) if features else None,
        duplicates=tuple(duplicates),
    )
    if table.label is not None and np.unique(table.label).size < 2:
        raise AuditInputError(ONE_CLASS.format(option="--label", column=label, value=int(table.label[0])))
    for column in sensitive:
        groups = table.sensitive[column].unique()
        if groups.size < 2:
            raise AuditInputError(ONE_GROUP.format(column=column, group=str(groups[0])))
    return table


def _feature(values: pd.Series) -> pd.Series:
    """A ``--features`` column: numbers where every non-empty value is one (',' or '.' decimal mark), else text."""
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return values.reset_index(drop=True)
    text = values.astype("str").str.strip()
    numbers = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
    if numbers[text.notna() & (text != "")].notna().all():
        return numbers.astype(float).reset_index(drop=True)
    return text.where(text.notna() & (text != ""), MISSING_GROUP).astype("str").reset_index(drop=True)


def _read(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise AuditInputError(NO_FILE.format(path=path))
    if path.stat().st_size == 0:
        raise AuditInputError(EMPTY.format(file=path.name))
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return _read_parquet(path)
    if suffix != ".csv":
        raise AuditInputError(NOT_TABLE.format(file=path.name))
    return _read_csv(path)


def _read_parquet(path: Path) -> pd.DataFrame:
    with path.open("rb") as handle:
        head = handle.read(1024)
    if not head.startswith(b"PAR1"):
        found = describe_bytes(head) or "text (a CSV file?)"
        raise AuditInputError(NOT_PARQUET.format(file=path.name, found=found))
    try:
        return pd.read_parquet(path)
    except (pa.ArrowException, OSError) as exc:
        raise AuditInputError(UNREADABLE_PARQUET.format(file=path.name, reason=_one_line(exc))) from None


def _read_csv(path: Path) -> pd.DataFrame:
    """All columns as text (empty cells missing); the header as written, trimmed, in ``attrs["header"]``."""
    body, bom = split_bom(path.read_bytes())
    if not has_text(body):
        raise AuditInputError(EMPTY.format(file=path.name))
    found = describe_bytes(body)
    if found is not None:
        raise AuditInputError(NOT_CSV.format(file=path.name, found=found))
    try:
        data, _ = decode_text(body, bom, path.name)
    except EncodingError as exc:
        raise AuditInputError(str(exc)) from None
    del body
    end = data.find(b"\n")
    first = (data if end < 0 else data[:end]).decode("utf-8").rstrip("\r")
    separator = max(_SEPARATORS, key=first.count)          # ties: the first, ','
    header = [h.strip() for h in next(csv.reader([first], delimiter=separator), [])]
    if end < 0 or not has_text(data, end + 1):
        raise AuditInputError(EMPTY.format(file=path.name))
    names = [f"c{i}" for i in range(len(header))]
    try:
        parsed = pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=8 * 1024 ** 2),
            parse_options=pacsv.ParseOptions(delimiter=separator, newlines_in_values=b'"' in data),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.large_string() for n in names},
                                                 null_values=[""], strings_can_be_null=True))
    except pa.ArrowInvalid as exc:
        raise AuditInputError(_csv_problem(path.name, data, separator, len(header), exc)) from None
    frame = pd.DataFrame({i: parsed.column(name).to_pandas() for i, name in enumerate(names)})
    frame.columns = header
    frame.attrs["header"] = header
    return frame


def _csv_problem(file: str, data: bytes, separator: str, n_fields: int, error: Exception) -> str:
    ragged = first_ragged_line(data, separator, n_fields)
    if ragged is None:
        return UNREADABLE_CSV.format(file=file, reason=_one_line(error))
    line, found = ragged
    return FIELD_COUNT.format(file=file, line=line, found=found, expected=n_fields, sep=_SEPARATOR_NAMES[separator])


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= 120 else text[:120] + "..."


def _column(frame: pd.DataFrame, spec: str, option: str, file: str) -> tuple[pd.Series, dict | None]:
    """The column an option names, with a note when it has identical copies.

    ``spec`` is a column name, or ``name#N`` for the N-th column of that name (a column literally named
    ``name#N`` wins). Copies that differ need the ``#N``; a missing column or copy is one line naming both.
    """
    header = [str(h) for h in frame.attrs.get("header", list(frame.columns))]
    name, copy = spec, None
    if spec not in header and COPY_MARK in spec:
        base, _, number = spec.rpartition(COPY_MARK)
        if number.isdigit() and base in header:
            name, copy = base, int(number)
    positions = [i for i, h in enumerate(header) if h == name]
    if not positions:
        shown = ", ".join(header[:12]) + (", ..." if len(header) > 12 else "")
        raise AuditInputError(NO_COLUMN.format(option=option, column=spec, file=file, columns=shown))
    choices = " or ".join(f"'{name}{COPY_MARK}{k}'" for k in range(1, len(positions) + 1))
    if copy is not None:
        if not 1 <= copy <= len(positions):
            raise AuditInputError(NO_COPY.format(option=option, column=name, count=len(positions), file=file,
                                                 spec=spec, copy=copy, choices=choices))
        return frame.iloc[:, positions[copy - 1]], None
    first = frame.iloc[:, positions[0]]
    if len(positions) == 1:
        return first, None
    for k in positions[1:]:
        differ = first.ne(frame.iloc[:, k]) & ~(first.isna() & frame.iloc[:, k].isna())
        if differ.any():
            raise AuditInputError(DUPLICATE.format(option=option, column=name, count=len(positions), file=file,
                                                   positions=", ".join(str(i + 1) for i in positions),
                                                   row=int(np.flatnonzero(differ.to_numpy())[0]) + 1,
                                                   choices=choices))
    return first, {"column": name, "positions": [i + 1 for i in positions], "used": positions[0] + 1}


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
    is_true, is_false = text.isin(TRUE_WORDS), text.isin(FALSE_WORDS)
    if not (is_true | is_false).all():
        other = sorted(set(values[~(is_true | is_false)].astype("str").str.strip()))
        shown = [f"'{v}'" for v in other[:6]] + (["..."] if len(other) > 6 else [])
        raise AuditInputError(BAD_LABEL.format(option=option, column=column, values=_and_list(shown)))
    return is_true.to_numpy(dtype=float)


def _and_list(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _groups(values: pd.Series) -> pd.Series:
    text = values.astype("str").str.strip()
    return text.where(text.notna() & (text != ""), MISSING_GROUP).astype("str")


def check_selection(n: int, scores: np.ndarray, top_k: int | None, threshold: float | None) -> None:
    """The selection options select some but not all of the ``n`` rows."""
    if top_k is not None and top_k < 1:
        raise AuditInputError(TOP_K.format(k=top_k))
    if top_k is not None and top_k >= n:
        raise AuditInputError(ALL_SELECTED.format(k=top_k, n=n, most=n - 1))
    if threshold is not None and not float(scores.min()) < threshold <= float(scores.max()):
        raise AuditInputError(THRESHOLD.format(low=float(scores.min()), high=float(scores.max()), value=threshold))
