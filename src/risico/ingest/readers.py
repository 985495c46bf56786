"""Reading one table file of a municipality's extract into a typed frame that follows the data contract.

A folder holds one file per table, ``<table>.csv`` or ``<table>.parquet``
(:func:`find_table_file`). :func:`read_table` reads it without modifying it and
returns the contract's columns, typed as the validate stage expects, plus a
column ``_ingest_problem`` that says why a value of a row could not be read.

What CSV input may look like (real Dutch exports):

* separator ``;``, ``,`` or tab (found from the header line);
* encoding UTF-8 with or without byte-order mark, or Latin-1/cp1252;
* numbers with a decimal comma (``1234,56``, ``1.234,56``) or a decimal point
  (``1234.56``, ``1,234.56``); the file's style is found from its values;
* dates as ``dd-mm-yyyy``, ``d-m-yyyy``, ``dd/mm/yyyy`` or ISO ``yyyy-mm-dd``,
  optionally followed by a time ``hh:mm[:ss]``;
* yes/no values as true/false, ja/nee, j/n, 1/0, waar/onwaar or yes/no (any case);
* an empty cell (or only spaces) is a missing value; text is trimmed.

A value that cannot be read becomes missing and its row is kept with a reason
in ``_ingest_problem`` (the validate stage quarantines it). When *no* value of
a column can be read, or the file itself is wrong (empty, not CSV, wrong
separator, missing or duplicate columns, mixed encodings, too large), reading
stops with an :class:`IngestError` whose one-line message names what is wrong,
where, and what is allowed. The templates are the module-level constants below.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from risico.contract import Table
from risico.errors import RisicoError
from risico.sniff import (MIXED_ENCODING, EncodingError, decode_text, describe_bytes, first_ragged_line, has_text,
                          split_bom)

__all__ = [
    "IngestError",
    "ReadResult",
    "read_table",
    "find_table_file",
    "PROBLEM_COLUMN",
    # errors
    "FOLDER_NOT_FOUND",
    "NO_TABLE_FILE",
    "SEVERAL_TABLE_FILES",
    "FILE_NOT_FOUND",
    "TOO_LARGE",
    "WRONG_EXTENSION",
    "NOT_CSV",
    "NOT_PARQUET",
    "UNREADABLE_PARQUET",
    "EMPTY_FILE",
    "HEADER_ONLY",
    "MIXED_ENCODING",
    "WRONG_SEPARATOR",
    "DUPLICATE_COLUMN",
    "MISSING_COLUMN",
    "MISSING_PROTECTED",
    "FIELD_COUNT",
    "UNREADABLE_CSV",
    "WRONG_TYPE",
    "DATE_ORDER",
    # warnings
    "EXTRA_COLUMN",
    "UNNAMED_COLUMN",
    "EMPTY_ROWS",
    "ROW_PROBLEMS",
    # row-level reasons
    "ROW_PROBLEM",
]

PROBLEM_COLUMN = "_ingest_problem"

# -- errors -------------------------------------------------------------------
FOLDER_NOT_FOUND = ("Folder {folder} does not exist. Point ingest at the folder that holds "
                    "{table}.csv or {table}.parquet.")
NO_TABLE_FILE = "Folder {folder} has no file for table '{table}'{found}. Allowed: {table}.csv or {table}.parquet."
SEVERAL_TABLE_FILES = ("Folder {folder} holds {files} for table '{table}'. Keep exactly one of them: "
                       "{table}.csv or {table}.parquet.")
FILE_NOT_FOUND = "File {file} for table '{table}' does not exist in {folder}. Allowed: {table}.csv or {table}.parquet."
TOO_LARGE = ("File {file} for table '{table}' is {size_mb:.1f} MB, more than the limit of {limit_mb:g} MB. "
             "Export the table as Parquet (much smaller), or raise the 'max_file_mb' parameter of ingest "
             "if this machine has the memory.")
WRONG_EXTENSION = ("File {file} for table '{table}' has {extension} and holds {found}. "
                   "Allowed: {table}.csv (text separated by ';', ',' or tab) or {table}.parquet.")
NOT_CSV = ("File {file} for table '{table}' is named .csv but holds {found}. Allowed: CSV text in UTF-8 or "
           "Latin-1/cp1252, separated by ';', ',' or tab (or a Parquet file named {table}.parquet).")
NOT_PARQUET = ("File {file} for table '{table}' is named .parquet but holds {found}. Allowed: a Parquet file "
               "(it starts with the bytes PAR1), or CSV text named {table}.csv.")
UNREADABLE_PARQUET = ("File {file} for table '{table}' starts like Parquet but cannot be read ({reason}). "
                      "Export the table again as Parquet or as CSV.")
EMPTY_FILE = "File {file} is empty. Expected a header line with the columns of table '{table}' and at least one row."
HEADER_ONLY = ("File {file} has the column names of table '{table}' but no data rows. "
               "Expected at least one row below the header.")
WRONG_SEPARATOR = ("File {file} has a header that does not split into the columns of table '{table}' with ';', "
                   "',' or tab; the separator found is {found} (header: '{header}'). "
                   "Allowed separators: ';', ',' or tab.")
DUPLICATE_COLUMN = ("File {file} has column '{column}' more than once (columns {positions}). "
                    "Each column of table '{table}' may appear once; remove or rename the copies.")
MISSING_COLUMN = ("File {file} misses required column(s) {columns} of table '{table}'. Add them with exactly "
                  "these names; docs/data-contract.md lists the columns of every table.")
MISSING_PROTECTED = ("File {file} misses protected column(s) {columns} of table '{table}'. The fairness audit "
                     "needs them to check the model for unequal treatment; they never become model inputs "
                     "(docs/data-contract.md).")
FIELD_COUNT = ("File {file}, line {line}: found {found} value(s), but the header of table '{table}' has {expected} "
               "columns separated by {sep}. Give every line one value per column and quote values that contain "
               "the separator.")
UNREADABLE_CSV = ("File {file} for table '{table}' cannot be read as CSV ({reason}). "
                  "Check the quotes around values and export the table again.")
WRONG_TYPE = ("File {file}, column '{column}' of table '{table}' has the wrong type: no value reads as {kind} "
              "(first value '{example}'). Allowed: {allowed}.")
DATE_ORDER = ("File {file}, column '{column}' of table '{table}' seems to hold dates as month-day-year "
              "(e.g. '{example}'), which would be misread. Allowed: dd-mm-yyyy, d-m-yyyy, dd/mm/yyyy or yyyy-mm-dd.")

# -- warnings -----------------------------------------------------------------
EXTRA_COLUMN = ("File {file}: column '{column}' is not part of table '{table}' and was dropped "
                "(docs/data-contract.md lists the columns).")
UNNAMED_COLUMN = "File {file}: column {position} has no name but holds values; it was dropped."
EMPTY_ROWS = "File {file}: {count} row(s) without any value were skipped."
ROW_PROBLEMS = ("File {file}: {count} row(s) of table '{table}' hold values that cannot be read; those values "
                "are left empty and column '_ingest_problem' says why.")

# -- row-level reasons (in _ingest_problem) -----------------------------------
ROW_PROBLEM = "{column}: {reason} '{value}'"
_REASON = {
    "str": "not text",
    "int": "not a whole number",
    "float": "not a number",
    "bool": "not a yes/no value",
    "datetime": "unparseable date",
}
_ALLOWED = {
    "str": "text",
    "int": "whole numbers such as 42 or 1234",
    "float": "numbers such as 1234,56, 1.234,56 or 1234.56",
    "bool": "true/false, ja/nee, j/n, 1/0, waar/onwaar or yes/no",
    "datetime": "dates as dd-mm-yyyy, d-m-yyyy, dd/mm/yyyy or yyyy-mm-dd, optionally with hh:mm:ss",
}
_VALUE_WIDTH = 20          # characters of a value shown in a message

_MB = 1024 ** 2
_HEAD_BYTES = 8192
_SEPARATORS = (";", ",", "\t")
_SEPARATOR_NAMES = {";": "';'", ",": "','", "\t": "tab", " ": "a space"}

_TARGET_TYPES = {
    "str": pa.large_string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "datetime": pa.timestamp("ms"),
}
_TRUE_WORDS = ("true", "ja", "j", "1", "waar", "yes", "y")
_FALSE_WORDS = ("false", "nee", "n", "0", "onwaar", "no")
_NUMBER_PATTERN = {  # the whole value, in the file's decimal style (thousands separators optional)
    ",": r"^[+-]?(?:(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d*)?|,\d+)(?:[eE][+-]?\d+)?$",
    ".": r"^[+-]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$",
}
_DECIMAL_EVIDENCE = {  # (a value with a fraction in this style, the same value read as thousands only)
    ",": (r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+),\d+$", r"^[+-]?\d{1,3}(?:,\d{3})+$"),
    ".": (r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)\.\d+$", r"^[+-]?\d{1,3}(?:\.\d{3})+$"),
}
_TIME = r"(?:[ T](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?P<F>\.\d{1,9})?)?)?$"
_DAY_FIRST = r"^(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{4})" + _TIME
_YEAR_FIRST = r"^(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})" + _TIME
_DETECT_ROWS = 100_000     # rows looked at to find the decimal style


class IngestError(RisicoError, ValueError):
    """A table file cannot be read: the one-line message says what is wrong, where, and what is allowed."""


@dataclass(frozen=True)
class ReadResult:
    """A table read from one file.

    ``frame`` has the contract's columns in contract order, typed (``str``,
    ``Int64``, ``float64``, ``boolean``, ``datetime64[ms]``), plus
    ``_ingest_problem`` (``str``: missing for clean rows, else the reasons).
    """

    frame: pd.DataFrame
    warnings: tuple[str, ...]
    encoding: str              # "utf-8", "utf-8-sig", "cp1252" or "parquet"
    separator: str | None      # CSV only
    decimal: str | None        # CSV only: "," or "."
    #: Unknown extra columns (as text, named as in the file), dropped from ``frame`` but kept here
    #: so that the privacy gate scans them too.
    extra: pd.DataFrame | None = None


# -- finding the file -----------------------------------------------------------
def find_table_file(folder: str | Path, table: Table) -> Path:
    """The one file ``<table>.csv`` or ``<table>.parquet`` in ``folder`` (names compared case-insensitively).

    Raises
    ------
    IngestError
        If the folder does not exist, holds neither file, or holds more than one.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise IngestError(FOLDER_NOT_FOUND.format(folder=folder, table=table.name))
    wanted = {f"{table.name}.csv", f"{table.name}.parquet"}
    files = sorted(p for p in folder.iterdir() if p.is_file())
    matches = [p for p in files if p.name.lower() in wanted]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise IngestError(SEVERAL_TABLE_FILES.format(folder=folder, files=_and_list([p.name for p in matches]),
                                                     table=table.name))
    similar = [p.name for p in files if p.name.lower().startswith(f"{table.name}.")]
    found = f" (found {_and_list(similar)})" if similar else ""
    raise IngestError(NO_TABLE_FILE.format(folder=folder, table=table.name, found=found))


# -- reading ----------------------------------------------------------------------
def read_table(path: str | Path, table: Table, *, max_file_mb: float = 1024) -> ReadResult:
    """Read one CSV or Parquet file into the typed columns of ``table``; the file is never modified.

    Parameters
    ----------
    path : str or Path
        ``<table>.csv`` or ``<table>.parquet``.
    table : Table
        The contract of the table (``risico.contract.CONTRACT[name]``).
    max_file_mb : float
        Larger files are refused before anything is read.

    Raises
    ------
    IngestError
        If the file as a whole cannot be read as the table (see the module docstring).
    """
    path = Path(path)
    if not path.is_file():
        raise IngestError(FILE_NOT_FOUND.format(file=path.name, table=table.name, folder=path.parent))
    size = path.stat().st_size
    if size > max_file_mb * _MB:
        raise IngestError(TOO_LARGE.format(file=path.name, table=table.name, size_mb=size / _MB,
                                           limit_mb=max_file_mb))
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path, table)
    if suffix == ".parquet":
        return _read_parquet(path, table, head)
    extension = f"extension '{path.suffix}'" if path.suffix else "no extension"
    found = "nothing (it is empty)" if not head.strip() else describe_bytes(head) or "text"
    raise IngestError(WRONG_EXTENSION.format(file=path.name, table=table.name, extension=extension, found=found))


def _read_csv(path: Path, table: Table) -> ReadResult:
    file = path.name
    raw = path.read_bytes()
    body, bom = split_bom(raw)
    if not has_text(body):
        raise IngestError(EMPTY_FILE.format(file=file, table=table.name))
    found = describe_bytes(raw)
    if found is not None:
        raise IngestError(NOT_CSV.format(file=file, table=table.name, found=found))
    try:
        data, encoding = decode_text(body, bom, file)
    except EncodingError as exc:
        raise IngestError(str(exc)) from None
    del raw, body

    end = data.find(b"\n")
    header_line = (data if end < 0 else data[:end]).decode("utf-8").rstrip("\r")
    separator, header = _choose_separator(header_line, table, file)
    positions, warnings, unnamed = _plan_columns(header, table, file)
    if end < 0 or not has_text(data, end + 1):
        if not table.may_be_empty:
            raise IngestError(HEADER_ONLY.format(file=file, table=table.name))
        data = (data if end < 0 else data[:end]) + b"\n"        # the header alone: a valid table of zero rows

    extras = _extra_positions(header, table)
    wanted = sorted(set(positions.values()) | set(unnamed) | set(extras))
    parsed = _parse_csv(data, separator, len(header), wanted, file, table)
    del data
    for position in unnamed:
        if _clean_text(parsed.column(f"c{position}")).null_count < parsed.num_rows:
            warnings.append(UNNAMED_COLUMN.format(file=file, position=position + 1))
    values = {name: _clean_text(parsed.column(f"c{position}")) for name, position in positions.items()}
    extra = _extra_frame({header[p].strip(): parsed.column(f"c{p}") for p in extras})
    del parsed
    decimal = _detect_decimal(values, table, default="," if separator == ";" else ".")
    frame, more = _finish(values, table, file, decimal)
    return ReadResult(frame, tuple(warnings + more), encoding, separator, decimal, extra)


def _extra_positions(header: Sequence[str], table: Table) -> list[int]:
    """Positions of named columns that are not in the contract."""
    known = set(table.names)
    return [p for p, field in enumerate(header) if field.strip() and field.strip().lower() not in known]


def _extra_frame(columns: dict[str, pa.ChunkedArray]) -> pd.DataFrame | None:
    """Unknown columns as text, for the privacy gate only."""
    if not columns:
        return None
    return pd.DataFrame({name: pd.Series(_clean_text(col).to_pandas(), dtype="str") for name, col in columns.items()})


def _split_header(line: str, separator: str) -> list[str]:
    return [field.strip() for field in next(csv.reader([line], delimiter=separator), [])]


def _choose_separator(line: str, table: Table, file: str) -> tuple[str, list[str]]:
    """The separator under which the header holds the most contract columns, and the header fields."""
    expected = set(table.names)
    splits = {sep: _split_header(line, sep) for sep in _SEPARATORS}
    hits = {sep: sum(field.lower() in expected for field in fields) for sep, fields in splits.items()}
    best = max(_SEPARATORS, key=lambda sep: hits[sep])        # ties: the first, ';'
    if hits[best]:
        return best, splits[best]
    other = _other_separator(line, expected)
    if other is not None or all(len(fields) <= 1 for fields in splits.values()):
        found = _SEPARATOR_NAMES.get(other, f"'{other}'") if other else "none (the header reads as one column)"
        raise IngestError(WRONG_SEPARATOR.format(file=file, table=table.name, found=found,
                                                 header=_clip(line, 60)))
    widest = max(_SEPARATORS, key=lambda sep: len(splits[sep]))
    return widest, splits[widest]       # columns but none known: the column check says which are missing


def _other_separator(line: str, expected: set[str]) -> str | None:
    """A character (not ';', ',' or tab) that splits the header into contract columns."""
    best, best_hits = None, 0
    for char in sorted({c for c in line if not (c.isalnum() or c in "_\"'" or c in _SEPARATORS)}):
        hits = sum(field.strip().lower() in expected for field in line.split(char))
        if hits > best_hits:
            best, best_hits = char, hits
    return best


def _plan_columns(header: Sequence[str], table: Table, file: str) -> tuple[dict[str, int], list[str], list[int]]:
    """Where each contract column is, the warnings for the others, and the positions without a name."""
    names = [field.strip().lower() for field in header]
    seen: dict[str, list[int]] = {}
    for position, name in enumerate(names):
        if name:
            seen.setdefault(name, []).append(position)
    for name, places in seen.items():
        if len(places) > 1:
            raise IngestError(DUPLICATE_COLUMN.format(file=file, column=header[places[0]].strip(), table=table.name,
                                                      positions=_and_list([str(p + 1) for p in places])))
    missing = [c for c in table.columns if c.name not in seen]
    required = [c.name for c in missing if not c.protected]
    if required:
        raise IngestError(MISSING_COLUMN.format(file=file, columns=_quoted(required), table=table.name))
    if missing:
        raise IngestError(MISSING_PROTECTED.format(file=file, columns=_quoted([c.name for c in missing]),
                                                   table=table.name))
    known = set(table.names)
    warnings = [EXTRA_COLUMN.format(file=file, column=header[p].strip(), table=table.name)
                for p, name in enumerate(names) if name and name not in known]
    unnamed = [p for p, name in enumerate(names) if not name]
    return {name: seen[name][0] for name in table.names}, warnings, unnamed


def _parse_csv(data: bytes, separator: str, n_fields: int, positions: list[int], file: str,
               table: Table) -> pa.Table:
    names = [f"c{i}" for i in range(n_fields)]
    include = [names[p] for p in positions]
    read = pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=8 * _MB)
    convert = pacsv.ConvertOptions(column_types={name: pa.large_string() for name in include},
                                   include_columns=include, strings_can_be_null=False,
                                   quoted_strings_can_be_null=False)
    # a line break inside a value needs quotes; allowing for them slows the parser, so only when quotes occur
    parse = pacsv.ParseOptions(delimiter=separator, newlines_in_values=b'"' in data)
    try:
        return pacsv.read_csv(pa.BufferReader(data), read_options=read, parse_options=parse, convert_options=convert)
    except pa.ArrowInvalid as exc:
        error = exc
    bad = first_ragged_line(data, separator, n_fields)
    if bad is not None:
        line, found = bad
        raise IngestError(FIELD_COUNT.format(file=file, line=line, found=found, table=table.name,
                                             expected=n_fields, sep=_SEPARATOR_NAMES[separator]))
    raise IngestError(UNREADABLE_CSV.format(file=file, table=table.name, reason=_one_line(error)))


def _read_parquet(path: Path, table: Table, head: bytes) -> ReadResult:
    file = path.name
    if not head.strip() and path.stat().st_size <= len(head):
        raise IngestError(EMPTY_FILE.format(file=file, table=table.name))
    if not head.startswith(b"PAR1"):
        found = describe_bytes(head) or "text (a CSV file?)"
        raise IngestError(NOT_PARQUET.format(file=file, table=table.name, found=found))
    try:
        parquet = pq.ParquetFile(path)
        header = parquet.schema_arrow.names
    except (pa.ArrowException, OSError) as exc:
        raise IngestError(UNREADABLE_PARQUET.format(file=file, table=table.name, reason=_one_line(exc))) from None
    positions, warnings, unnamed = _plan_columns(header, table, file)
    warnings += [UNNAMED_COLUMN.format(file=file, position=p + 1) for p in unnamed]
    stored = {name: header[positions[name]] for name in table.names}      # names as the file spells them
    try:
        data = parquet.read(columns=list(stored.values()))
    except (pa.ArrowException, OSError) as exc:
        raise IngestError(UNREADABLE_PARQUET.format(file=file, table=table.name, reason=_one_line(exc))) from None
    if data.num_rows == 0 and not table.may_be_empty:
        raise IngestError(HEADER_ONLY.format(file=file, table=table.name))
    values = {name: _clean_typed(data.column(stored[name])) for name in table.names}
    extras = [header[p] for p in _extra_positions(header, table)]
    extra = None
    if extras:
        extra = parquet.read(columns=extras).to_pandas()
    decimal = _detect_decimal(values, table, default=".")
    frame, more = _finish(values, table, file, decimal)
    return ReadResult(frame, tuple(warnings + more), "parquet", None, None, extra)


# -- cleaning and typing ------------------------------------------------------------
def _combine(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    return array


def _is_text(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind)


def _clean_text(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Trimmed text; empty values become missing."""
    text = pc.utf8_trim_whitespace(pc.cast(_combine(column), pa.large_string()))
    return pc.if_else(pc.equal(text, ""), _text(None), text)


def _clean_typed(column: pa.ChunkedArray) -> pa.Array:
    """A Parquet column with empty text and NaN as missing."""
    array = _combine(column)
    if _is_text(array.type):
        return _clean_text(array)
    if pa.types.is_floating(array.type):
        return pc.if_else(pc.is_nan(array), pa.scalar(None, array.type), array)
    return array


def _detect_decimal(values: dict[str, pa.Array], table: Table, default: str) -> str:
    """',' or '.', by the values of the numeric columns that only one of the two styles explains."""
    votes = {",": 0, ".": 0}
    for col in table.columns:
        column = values[col.name]
        if col.kind not in ("int", "float") or not _is_text(column.type):
            continue
        sample = column.slice(0, _DETECT_ROWS)
        for style, (fraction, thousands_only) in _DECIMAL_EVIDENCE.items():
            evidence = pc.and_(pc.match_substring_regex(sample, fraction),
                               pc.invert(pc.match_substring_regex(sample, thousands_only)))
            votes[style] += pc.sum(evidence).as_py() or 0
    if votes[","] == votes["."]:
        return default
    return "," if votes[","] > votes["."] else "."


def _parse_numbers(text: pa.Array, kind: str, decimal: str) -> pa.Array:
    thousands = "." if decimal == "," else ","
    if not pc.any(pc.match_substring(text, thousands)).as_py():      # fast path: no thousands separators
        plain = pc.replace_substring(text, ",", ".") if decimal == "," else text
        try:
            if kind == "int":
                return pc.cast(plain, pa.int64())
            return _numbers_to_kind(pc.cast(plain, pa.float64()), kind)
        except pa.ArrowInvalid:
            pass                                                  # some value is not plain: check each
    readable = pc.match_substring_regex(text, _NUMBER_PATTERN[decimal])
    if decimal == ",":
        plain = pc.replace_substring(pc.replace_substring(text, ".", ""), ",", ".")
    else:
        plain = pc.replace_substring(text, ",", "")
    numbers = pc.cast(pc.if_else(readable, plain, pa.scalar(None, plain.type)), pa.float64())
    return _numbers_to_kind(numbers, kind)


def _numbers_to_kind(numbers: pa.Array, kind: str) -> pa.Array:
    """float64 with non-finite values missing; for ``int`` also non-whole or too large values."""
    keep = pc.is_finite(numbers)
    if kind == "int":
        keep = pc.and_(keep, pc.and_(pc.equal(pc.floor(numbers), numbers),
                                     pc.less_equal(pc.abs(numbers), float(2 ** 53))))
    numbers = pc.if_else(keep, numbers, pa.scalar(None, pa.float64()))
    return pc.cast(numbers, pa.int64()) if kind == "int" else numbers


def _parse_bools(text: pa.Array) -> pa.Array:
    words = pa.array(_TRUE_WORDS + _FALSE_WORDS, type=text.type)
    truth = pa.array([True] * len(_TRUE_WORDS) + [False] * len(_FALSE_WORDS))
    return pc.take(truth, pc.index_in(pc.utf8_lower(text), value_set=words))


def _parse_dates(text: pa.Array) -> tuple[pa.Array, str | None]:
    """Dates and times (ms), parsed once per distinct value; plus an example if the column looks month-first."""
    encoded = text.dictionary_encode()
    distinct = encoded.dictionary
    day_first = pc.extract_regex(distinct, _DAY_FIRST)
    iso = pc.coalesce(_iso_text(day_first), _iso_text(pc.extract_regex(distinct, _YEAR_FIRST)))
    parsed = pd.to_datetime(pd.Series(iso.to_pandas(), dtype=object), format="ISO8601", errors="coerce")
    stamps = pa.array(parsed.astype("datetime64[ms]"), type=pa.timestamp("ms"), from_pandas=True)
    day = pc.cast(pc.struct_field(day_first, "d"), pa.int32())
    month = pc.cast(pc.struct_field(day_first, "m"), pa.int32())
    month_first = pc.and_(pc.greater(month, 12), pc.less_equal(day, 12))
    example = None
    if pc.any(month_first).as_py() and not pc.any(pc.greater(day, 12)).as_py():
        example = distinct[pc.index(month_first, True).as_py()].as_py()
    return pc.take(stamps, encoded.indices), example


def _iso_text(parts: pa.StructArray) -> pa.Array:
    """'yyyy-mm-dd hh:mm:ss[.f]' from the regex groups (missing where the pattern did not match)."""
    def field(name: str) -> pa.Array:
        return pc.struct_field(parts, name)

    def two(name: str) -> pa.Array:
        value = field(name)
        return pc.if_else(pc.equal(value, ""), _text("00"), pc.utf8_lpad(value, width=2, padding="0"))

    date = pc.binary_join_element_wise(field("y"), two("m"), two("d"), _text("-"))
    time = pc.binary_join_element_wise(two("H"), two("M"), two("S"), _text(":"))
    return pc.binary_join_element_wise(date, _text(" "), time, field("F"), _text(""))


def _to_kind(values: pa.Array, kind: str, decimal: str) -> tuple[pa.Array, str | None]:
    """``values`` (text from CSV, anything from Parquet) cast to ``kind``; missing where that fails."""
    source = values.type
    target = _TARGET_TYPES[kind]
    if pa.types.is_null(source):
        return pa.nulls(len(values), target), None
    if _is_text(source):
        text = values if pa.types.is_large_string(source) else pc.cast(values, pa.large_string())
        if kind == "str":
            return text, None
        if kind in ("int", "float"):
            return _parse_numbers(text, kind, decimal), None
        if kind == "bool":
            return _parse_bools(text), None
        return _parse_dates(text)
    numeric = pa.types.is_integer(source) or pa.types.is_floating(source) or pa.types.is_decimal(source)
    if kind == "str" and (numeric or pa.types.is_boolean(source)):
        return pc.cast(values, target), None
    if kind == "int" and pa.types.is_integer(source):
        in_range = pc.less_equal(values, pa.scalar(2 ** 63 - 1, source)) if source == pa.uint64() else None
        return pc.cast(values if in_range is None else pc.if_else(in_range, values, pa.scalar(None, source)),
                       target), None
    if kind in ("int", "float") and numeric:
        return _numbers_to_kind(pc.cast(values, pa.float64()), kind), None
    if kind == "bool" and pa.types.is_boolean(source):
        return values, None
    if kind == "bool" and numeric:
        numbers = pc.cast(values, pa.float64())
        known = pc.or_(pc.equal(numbers, 0.0), pc.equal(numbers, 1.0))
        return pc.if_else(known, pc.equal(numbers, 1.0), pa.scalar(None, pa.bool_())), None
    if kind == "datetime" and pa.types.is_timestamp(source):
        local = pc.local_timestamp(values) if source.tz is not None else values
        return pc.cast(local, target, safe=False), None
    if kind == "datetime" and pa.types.is_date(source):
        return pc.cast(values, target), None
    return pa.nulls(len(values), target), None


def _finish(values: dict[str, pa.Array], table: Table, file: str, decimal: str) -> tuple[pd.DataFrame, list[str]]:
    """Drop empty rows, type every column, collect the row problems, and build the frame."""
    warnings = []
    filled = None
    for array in values.values():
        filled = array.is_valid() if filled is None else pc.or_(filled, array.is_valid())
    n_empty = len(filled) - (pc.sum(filled).as_py() or 0)
    if n_empty:
        values = {name: array.filter(filled) for name, array in values.items()}
        warnings.append(EMPTY_ROWS.format(file=file, count=n_empty))
        if n_empty == len(filled):
            raise IngestError(HEADER_ONLY.format(file=file, table=table.name))

    typed: dict[str, pa.Array] = {}
    problem: pa.Array | None = None
    for col in table.columns:
        raw = values[col.name]
        result, month_first = _to_kind(raw, col.kind, decimal)
        if month_first is not None:
            raise IngestError(DATE_ORDER.format(file=file, column=col.name, table=table.name,
                                                example=_clip(month_first)))
        bad = pc.and_(raw.is_valid(), result.is_null())
        n_bad = pc.sum(bad).as_py() or 0
        if n_bad and n_bad == len(raw) - raw.null_count:
            example = raw[pc.index(bad, True).as_py()].as_py()
            raise IngestError(WRONG_TYPE.format(file=file, column=col.name, table=table.name, kind=col.kind,
                                                example=_clip(str(example)), allowed=_ALLOWED[col.kind]))
        if n_bad:
            problem = _add_problem(problem, bad, raw, col.name, col.kind)
        typed[col.name] = result

    n_rows = len(next(iter(values.values())))
    columns = {name: _to_pandas(typed[name], col.kind) for name, col in zip(table.names, table.columns)}
    if problem is None:
        columns[PROBLEM_COLUMN] = pd.Series(np.full(n_rows, np.nan), dtype="str")
    else:
        columns[PROBLEM_COLUMN] = pd.Series(problem.to_pandas(), dtype="str")
        warnings.append(ROW_PROBLEMS.format(file=file, count=n_rows - problem.null_count, table=table.name))
    return pd.DataFrame(columns), warnings


def _add_problem(problem: pa.Array | None, bad: pa.Array, raw: pa.Array, column: str, kind: str) -> pa.Array:
    """The row reasons so far, with '<column>: <reason> '<value>'' joined by '; ' where ``bad``."""
    shown = pc.replace_substring_regex(pc.cast(raw, pa.large_string()), r"[\r\n\t]+", " ")
    clipped = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(shown, 0, _VALUE_WIDTH),
        pc.if_else(pc.greater(pc.utf8_length(shown), _VALUE_WIDTH), _text("..."), _text("")), _text(""))
    prefix, suffix = ROW_PROBLEM.format(column=column, reason=_REASON[kind], value="\0").split("\0")
    message = pc.if_else(bad, pc.binary_join_element_wise(_text(prefix), clipped, _text(suffix), _text("")),
                         _text(None))
    if problem is None:
        return message
    return pc.coalesce(pc.binary_join_element_wise(problem, message, _text("; ")), problem, message)


def _text(value: str | None) -> pa.Scalar:
    """A text literal of the type the text columns have (compute kernels do not mix string types)."""
    return pa.scalar(value, pa.large_string())


def _to_pandas(array: pa.Array, kind: str) -> pd.Series:
    if kind == "str":
        return pd.Series(array.to_pandas(), dtype="str")
    if kind == "int":
        return pd.Series(pd.arrays.IntegerArray(array.fill_null(0).to_numpy(),
                                                array.is_null().to_numpy(zero_copy_only=False)))
    if kind == "bool":
        return pd.Series(pd.arrays.BooleanArray(array.fill_null(False).to_numpy(zero_copy_only=False),
                                                array.is_null().to_numpy(zero_copy_only=False)))
    if kind == "float":
        return pd.Series(array.to_numpy(zero_copy_only=False), dtype="float64")
    return pd.Series(array.to_numpy(zero_copy_only=False), dtype="datetime64[ms]")


# -- message helpers ------------------------------------------------------------
def _clip(value: str, width: int = _VALUE_WIDTH) -> str:
    value = re.sub(r"[\r\n\t]+", " ", value)
    return value if len(value) <= width else value[:width] + "..."


def _one_line(exc: BaseException | None) -> str:
    text = str(exc).strip().splitlines()[0] if exc is not None and str(exc).strip() else type(exc).__name__
    return _clip(text, 120)


def _quoted(names: Sequence[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)


def _and_list(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
