"""``python -m risico feedback``: record what inspectors found per worklist case, for the next audit.

Inspectors fill in the column *Uitkomst* (*Outcome*) of the worklist they
received (``worklist.csv`` or ``worklist.xlsx``) and hand the file back. This
command reads it, checks every row, and appends one JSON line per newly
recorded case to ``<out>/outcomes.jsonl``. With the sealed routes
(:mod:`risico.governance.routes`) the next audit can compare the hit rate of
the risk-selected cases with that of the random sample: the only unbiased
view on what the model's selection adds.

Design choices:

- **The inspector's own file.** CSV (``;`` or ``,``, UTF-8 with or without
  BOM, lines starting with ``#`` are comments) or XLSX (the header row is the
  first row whose first non-empty cell is a case-id header, so title and
  disclaimer rows above the table are skipped). Headers are matched
  case-insensitively; other columns are ignored. One leading ``'`` of a case
  id (the worklist's guard against formula injection) is removed.
- **Outcomes.** A code or its Dutch or English label, case-insensitive:
  ``nothing``, ``error_corrected``, ``help_offered``, ``fraud``. A *finding*
  (a hit) is ``error_corrected`` or ``fraud``; ``help_offered`` is counted
  apart, because offering help is not evidence that the model was right. An
  empty outcome means *not yet handled*: the row is skipped and counted.
- **All or nothing.** Every check runs before anything is written: columns,
  outcome values, case ids on a sealed worklist, one outcome per case in the
  file, and no change to an outcome recorded before. One problem stops the
  command with a one-line message naming the file, the row as the user sees
  it (line in a CSV, row in Excel) and the value.
- **Append-only and idempotent.** A case's outcome is recorded once. Handing
  in the same file again records nothing new (it reports how many were
  already recorded); a *different* outcome for a recorded case is refused.
  The append happens under an exclusive ``fcntl.flock`` with the check for
  recorded outcomes repeated inside the lock, and is fsynced.
- **Which worklist.** A case is matched to the sealed worklist that holds it;
  should a case be on more than one, the run whose ``run_id`` sorts last
  (the newest) is taken.

Error messages are English like all others of the command line; the summary
follows ``report.language``.

>>> parse_outcome("Fout hersteld"), parse_outcome(" FRAUD "), parse_outcome("Nothing found")
('error_corrected', 'fraud', 'nothing')
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import fcntl
import io
import json
import math
import os
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from risico.errors import RisicoError
from risico.governance.hashing import file_sha256
from risico.governance.routes import ROUTES, read_routes
from risico.io import governance_lock
from risico.params import SectionReader, load_section
from risico.texts import LANGUAGES
from risico.texts.governance import TEXTS, text

__all__ = [
    "OUTCOMES", "HITS", "LABELS", "OUTCOMES_FILE", "OUTCOME_COLUMNS", "FeedbackError", "FeedbackRow",
    "FeedbackResult", "parse_outcome", "read_feedback_file", "record_feedback", "read_outcomes",
    "outcome_summary", "format_summary", "HELP", "add_arguments", "run",
]

HELP = "record what inspectors found per worklist case (CSV or XLSX), for the next audit"

OUTCOMES = ("nothing", "error_corrected", "help_offered", "fraud")
HITS = frozenset({"error_corrected", "fraud"})
#: The worklist's words for each outcome (``outcome.<code>``), accepted back besides the code.
LABELS: dict[str, dict[str, str]] = {code: dict(TEXTS[f"outcome.{code}"]) for code in OUTCOMES}
CASE_HEADERS = ("case_id", "Case id", "Zaaknummer", "Zorgaanbieder", "Provider")
OUTCOME_HEADERS = ("outcome", "Outcome", "Uitkomst")
OUTCOMES_FILE = "outcomes.jsonl"
OUTCOME_COLUMNS = ("case_id", "outcome", "recorded_at", "route", "run_id", "source_file_sha256", "user")
SUMMARY_COLUMNS = ("route", "handled", "findings", "help_offered", "hit_rate")
_EXAMPLES = 3              # unknown case ids named in a message


def _norm(value: str) -> str:
    """Case- and space-insensitive form of a header or an outcome."""
    return " ".join(value.split()).casefold()


_OUTCOME_BY_TEXT = {_norm(text): code for code in OUTCOMES
                    for text in (code, LABELS[code]["nl"], LABELS[code]["en"])}
_CASE_KEYS = frozenset(_norm(h) for h in CASE_HEADERS)
_OUTCOME_KEYS = frozenset(_norm(h) for h in OUTCOME_HEADERS)
_ALLOWED_OUTCOMES = (", ".join(OUTCOMES) + ", or their labels "
                     + ", ".join(LABELS[c]["nl"] for c in OUTCOMES) + " / "
                     + ", ".join(LABELS[c]["en"] for c in OUTCOMES) + " (any case)")

# -- errors ---------------------------------------------------------------------
FILE_NOT_FOUND = "File {file} does not exist. Pass the worklist with the inspectors' outcomes (.csv or .xlsx) with --file."
BAD_EXTENSION = ("File {file} has {extension}. Allowed: the worklist as .csv (separated by ';' or ',') "
                 "or as .xlsx.")
NOT_UTF8 = ("File {file}, row {row}: the text is not UTF-8 (byte 0x{byte}). Save it as 'CSV UTF-8' "
            "or as .xlsx.")
NOT_XLSX = "File {file} cannot be read as an Excel workbook ({reason}). Save it again as .xlsx, or as CSV."
UNREADABLE_CSV = "File {file}, row {row} cannot be read as CSV ({reason}). Check the quotes around values."
NO_HEADER = ("File {file} has no header row. Expected a row with a case-id column (" + ", ".join(CASE_HEADERS)
             + ") and an outcome column (" + ", ".join(OUTCOME_HEADERS) + ").")
NO_COLUMN = "File {file}, row {row}: no {what} column among the headers {found}. Accepted: {accepted}."
TWO_COLUMNS = "File {file}, row {row}: more than one {what} column ({found}). Keep one of them."
NO_CASE_ID = ("File {file}, row {row}: outcome {value!r} has no case id. Fill in the case id or clear "
              "the outcome.")
BAD_OUTCOME = "File {file}, row {row}: outcome {value!r} is not allowed. Allowed: " + _ALLOWED_OUTCOMES + "."
CONFLICT_IN_FILE = ("File {file}, row {row}: case {case!r} has outcome {value!r}, but row {first} gives it "
                    "{other!r}. Give each case one outcome.")
NO_WORKLISTS = ("File {file}: there is no sealed worklist in {routes}, so no case can get an outcome. Make "
                "the worklist with python -m risico worklist first, or pass its folder with --routes.")
UNKNOWN_CASES = ("File {file}: {count} case id(s) are not on any sealed worklist in {routes}: {examples}. "
                 "Only cases of a worklist made by python -m risico worklist can get an outcome.")
ALREADY_DIFFERENT = ("File {file}, row {row}: case {case!r} already has outcome {recorded!r} (recorded "
                     "{recorded_at} by {user}); the file says {value!r}. A recorded outcome is never "
                     "changed: correct the file.")
BAD_OUTCOMES_LINE = ("Outcome file {file}, line {line} is not an outcome record ({reason}). The file is "
                     "append-only: restore it from the backup instead of editing it.")
EMPTY_USER = "Option --user must be a non-empty name. Got {value!r} instead."

class FeedbackError(RisicoError):
    """An inspectors' feedback file (or the outcome log) cannot be accepted."""


@dataclass(frozen=True)
class FeedbackRow:
    """One table row of a feedback file, as typed by the inspector."""

    row: int               # line (CSV) or row (XLSX) number as the user sees it, 1-based
    case_id: str           # stripped, one leading quote removed
    outcome: str           # stripped raw text; empty when not yet handled


@dataclass(frozen=True)
class FeedbackResult:
    """What :func:`record_feedback` did."""

    file: Path
    recorded: tuple[dict[str, Any], ...]   # the records appended now
    already: int                            # cases whose identical outcome was recorded before
    empty: int                              # rows with a case id but no outcome
    summary: pd.DataFrame                   # :func:`outcome_summary` over all recorded outcomes


def parse_outcome(value: str) -> str | None:
    """The outcome code for a code or label (any case, extra spaces ignored); None when unknown."""
    return _OUTCOME_BY_TEXT.get(_norm(value))


# -- reading the file -------------------------------------------------------------
def _cell_text(value: Any) -> str:
    """A cell as the text the user sees (Excel may turn ids into numbers)."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value).strip()


def _case_id(value: str) -> str:
    value = value.strip()
    return value[1:] if value.startswith("'") else value


def _is_comment(cells: Sequence[str]) -> bool:
    """A row whose first cell starts with '#' (a comment line that a CSV writer put in quotes)."""
    return bool(cells) and cells[0].lstrip().startswith("#")


def _csv_table(path: Path, raw: bytes) -> tuple[int, list[str], list[tuple[int, list[str]]]]:
    """(header row number, header cells, [(row number, cells)]) of a CSV file."""
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body.count(b"\n", 0, exc.start) + 1
        raise FeedbackError(NOT_UTF8.format(file=path, row=line, byte=f"{body[exc.start]:02x}")) from None
    lines = io.StringIO(text, newline="").readlines()
    kept = [(number, line) for number, line in enumerate(lines, 1) if not line.lstrip().startswith("#")]
    header_line = next((line for _, line in kept if line.strip() and not line.lstrip().startswith('"#')), None)
    if header_line is None:
        raise FeedbackError(NO_HEADER.format(file=path))
    separator = _choose_separator(header_line)
    starts: list[int] = []

    def feed() -> Iterator[str]:
        for number, line in kept:
            starts.append(number)
            yield line

    reader = csv.reader(feed(), delimiter=separator)
    rows: list[tuple[int, list[str]]] = []
    while True:
        before = len(starts)
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise FeedbackError(UNREADABLE_CSV.format(file=path, row=starts[before], reason=exc)) from None
        cells = [c.strip() for c in cells]
        if any(cells) and not _is_comment(cells):
            rows.append((starts[before], cells))
    if not rows:
        raise FeedbackError(NO_HEADER.format(file=path))
    header_row, header = rows[0]
    return header_row, header, rows[1:]


def _choose_separator(header_line: str) -> str:
    """';' or ',': the one whose split of the header holds both columns, else the one giving more columns."""
    splits = {sep: [_norm(c) for c in next(csv.reader([header_line], delimiter=sep), [])] for sep in (";", ",")}
    for sep, cells in splits.items():
        if _CASE_KEYS & set(cells) and _OUTCOME_KEYS & set(cells):
            return sep
    return max(splits, key=lambda sep: len(splits[sep]))   # ties: ';' (first)


def _xlsx_table(path: Path) -> tuple[int, list[str], list[tuple[int, list[str]]]]:
    """(header row number, header cells, [(row number, cells)]) of the first sheet holding a case-id header."""
    import openpyxl  # noqa: PLC0415  (only the XLSX path needs it)
    from openpyxl.utils.exceptions import InvalidFileException  # noqa: PLC0415

    try:
        workbook = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise FeedbackError(NOT_XLSX.format(file=path, reason=type(exc).__name__)) from None
    sheets = []
    for sheet in workbook.worksheets:
        rows = [(number, [_cell_text(v) for v in values])
                for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), 1)]
        rows = [(number, cells) for number, cells in rows if any(cells)]
        sheets.append(rows)
        for index, (number, cells) in enumerate(rows):
            first = next(c for c in cells if c)
            if _norm(first) in _CASE_KEYS:
                return number, cells, rows[index + 1:]
    first_rows = next((rows for rows in sheets if rows), None)
    if first_rows is None:
        raise FeedbackError(NO_HEADER.format(file=path))
    (number, cells), *rest = first_rows
    return number, cells, rest       # no case-id header: the column check names what was found


def read_feedback_file(path: Path) -> list[FeedbackRow]:
    """The table rows of a feedback file (CSV or XLSX), with the row numbers the user sees.

    Rows without case id and outcome are left out. Outcomes are not checked here.

    Raises
    ------
    FeedbackError
        If the file is missing, of another type, unreadable, or lacks a case-id or outcome column.
    """
    path = Path(path)
    if not path.is_file():
        raise FeedbackError(FILE_NOT_FOUND.format(file=path))
    suffix = path.suffix.lower()
    if suffix == ".csv":
        header_row, header, rows = _csv_table(path, path.read_bytes())
    elif suffix == ".xlsx":
        header_row, header, rows = _xlsx_table(path)
    else:
        extension = f"extension '{path.suffix}'" if path.suffix else "no extension"
        raise FeedbackError(BAD_EXTENSION.format(file=path, extension=extension))
    case_col = _column(path, header_row, header, _CASE_KEYS, "case-id", CASE_HEADERS)
    outcome_col = _column(path, header_row, header, _OUTCOME_KEYS, "outcome", OUTCOME_HEADERS)
    out = []
    for number, cells in rows:
        case_id = _case_id(cells[case_col]) if case_col < len(cells) else ""
        outcome = cells[outcome_col].strip() if outcome_col < len(cells) else ""
        if case_id or outcome:
            out.append(FeedbackRow(row=number, case_id=case_id, outcome=outcome))
    return out


def _column(path: Path, row: int, header: list[str], keys: frozenset[str], what: str,
            accepted: tuple[str, ...]) -> int:
    matches = [i for i, name in enumerate(header) if _norm(name) in keys]
    if not matches:
        found = ", ".join(repr(name) for name in header if name) or "(none)"
        raise FeedbackError(NO_COLUMN.format(file=path, row=row, what=what, found=found,
                                             accepted=", ".join(accepted)))
    if len(matches) > 1:
        found = ", ".join(f"{header[i]!r} in column {i + 1}" for i in matches)
        raise FeedbackError(TWO_COLUMNS.format(file=path, row=row, what=what, found=found))
    return matches[0]


# -- the outcome log ----------------------------------------------------------------
def _parse_log(text: str, file: Path) -> list[dict[str, Any]]:
    records = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise FeedbackError(BAD_OUTCOMES_LINE.format(file=file, line=number, reason=exc.msg)) from None
        if not isinstance(record, dict) or set(record) != set(OUTCOME_COLUMNS):
            raise FeedbackError(BAD_OUTCOMES_LINE.format(file=file, line=number,
                                                         reason="expected keys " + ", ".join(OUTCOME_COLUMNS)))
        if record["outcome"] not in OUTCOMES:
            raise FeedbackError(BAD_OUTCOMES_LINE.format(file=file, line=number,
                                                         reason=f"unknown outcome {record['outcome']!r}"))
        records.append(record)
    return records


def read_outcomes(out: Path) -> pd.DataFrame:
    """All recorded outcomes in ``<out>/outcomes.jsonl`` (empty frame when there are none).

    Returns
    -------
    pandas.DataFrame
        Columns ``case_id``, ``outcome``, ``recorded_at``, ``route``, ``run_id``,
        ``source_file_sha256`` and ``user``, in the order recorded.

    Raises
    ------
    FeedbackError
        If a line is not an outcome record (the message names the line).
    """
    file = Path(out) / OUTCOMES_FILE
    records = _parse_log(file.read_text(encoding="utf-8"), file) if file.is_file() else []
    return pd.DataFrame(records, columns=list(OUTCOME_COLUMNS)).astype(str)


def outcome_summary(routes: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """Per route: cases handled, findings, help offered, and the hit rate (findings / handled).

    Outcomes are matched to the sealed routes on ``run_id`` and ``case_id``; the route is
    taken from the sealed file (an outcome without a sealed route is not counted).

    Parameters
    ----------
    routes : pandas.DataFrame
        As returned by :func:`risico.governance.routes.read_routes`.
    outcomes : pandas.DataFrame
        As returned by :func:`read_outcomes`.

    Returns
    -------
    pandas.DataFrame
        One row per route (``risk``, then ``random``) with columns ``route``, ``handled``,
        ``findings``, ``help_offered`` (ints) and ``hit_rate`` (float, NaN when nothing was handled).

    >>> routes = pd.DataFrame({"run_id": ["W1"] * 3, "case_id": ["a", "b", "c"],
    ...                        "route": ["risk", "risk", "random"]})
    >>> outcomes = pd.DataFrame({"run_id": ["W1"] * 3, "case_id": ["a", "b", "c"],
    ...                          "outcome": ["fraud", "help_offered", "nothing"]})
    >>> outcome_summary(routes, outcomes).to_dict("records")[0]
    {'route': 'risk', 'handled': 2, 'findings': 1, 'help_offered': 1, 'hit_rate': 0.5}
    """
    joined = outcomes[["run_id", "case_id", "outcome"]].merge(
        routes[["run_id", "case_id", "route"]].drop_duplicates(["run_id", "case_id"]),
        on=["run_id", "case_id"], how="inner")
    rows = []
    for route in ROUTES:
        found = joined.loc[joined["route"] == route, "outcome"]
        handled = int(len(found))
        findings = int(found.isin(sorted(HITS)).sum())
        rows.append({"route": route, "handled": handled, "findings": findings,
                     "help_offered": int((found == "help_offered").sum()),
                     "hit_rate": findings / handled if handled else math.nan})
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


# -- recording ------------------------------------------------------------------------
def _check_rows(path: Path, rows: list[FeedbackRow]) -> tuple[dict[str, tuple[str, int]], int]:
    """{case_id: (outcome code, first row)} of the rows with an outcome, and the number of empty rows."""
    for item in rows:
        if item.outcome and not item.case_id:
            raise FeedbackError(NO_CASE_ID.format(file=path, row=item.row, value=item.outcome))
        if item.outcome and parse_outcome(item.outcome) is None:
            raise FeedbackError(BAD_OUTCOME.format(file=path, row=item.row, value=item.outcome))
    chosen: dict[str, tuple[str, int]] = {}
    raw: dict[str, str] = {}
    for item in rows:
        if not item.outcome:
            continue
        code = parse_outcome(item.outcome)
        assert code is not None
        if item.case_id in chosen:
            other, first = chosen[item.case_id]
            if other != code:
                raise FeedbackError(CONFLICT_IN_FILE.format(file=path, row=item.row, case=item.case_id,
                                                            value=item.outcome, first=first,
                                                            other=raw[item.case_id]))
            continue
        chosen[item.case_id] = (code, item.row)
        raw[item.case_id] = item.outcome
    return chosen, sum(1 for item in rows if not item.outcome)


def _check_known(path: Path, chosen: dict[str, tuple[str, int]], routes: pd.DataFrame,
                 routes_folder: Path) -> dict[str, tuple[str, str]]:
    """{case_id: (run_id, route)} for the cases in ``chosen``, or raise on unknown cases."""
    if chosen and routes.empty:
        raise FeedbackError(NO_WORKLISTS.format(file=path, routes=routes_folder))
    newest = routes.sort_values(["run_id", "rank"], kind="stable").drop_duplicates("case_id", keep="last")
    where = {case: (run, route) for case, run, route in
             zip(newest["case_id"], newest["run_id"], newest["route"], strict=True)}
    unknown = [(case, row) for case, (_, row) in chosen.items() if case not in where]
    if unknown:
        unknown.sort(key=lambda item: item[1])
        examples = ", ".join(f"{case!r} (row {row})" for case, row in unknown[:_EXAMPLES])
        if len(unknown) > _EXAMPLES:
            examples += f" and {len(unknown) - _EXAMPLES} more"
        raise FeedbackError(UNKNOWN_CASES.format(file=path, count=len(unknown), routes=routes_folder,
                                                 examples=examples))
    return {case: where[case] for case in chosen}


def _new_cases(path: Path, chosen: dict[str, tuple[str, int]], rows: list[FeedbackRow],
               recorded: list[dict[str, Any]]) -> tuple[list[str], int]:
    """The case ids to record now (in file order), and how many were recorded before with the same outcome."""
    before: dict[str, dict[str, Any]] = {}
    for record in recorded:
        before.setdefault(record["case_id"], record)
    raw = {item.case_id: item.outcome for item in reversed(rows) if item.outcome}
    new, already = [], 0
    for case, (code, row) in sorted(chosen.items(), key=lambda item: item[1][1]):
        old = before.get(case)
        if old is None:
            new.append(case)
        elif old["outcome"] == code:
            already += 1
        else:
            raise FeedbackError(ALREADY_DIFFERENT.format(file=path, row=row, case=case, recorded=old["outcome"],
                                                         recorded_at=old["recorded_at"], user=old["user"],
                                                         value=raw[case]))
    return new, already


def record_feedback(path: Path, *, routes_folder: Path, out: Path, user: str,
                    now: dt.datetime | None = None) -> FeedbackResult:
    """Check a feedback file completely, then append its new outcomes to ``<out>/outcomes.jsonl``.

    Parameters
    ----------
    path : Path
        The inspectors' worklist, ``.csv`` or ``.xlsx``.
    routes_folder : Path
        The sealed routes (:func:`risico.governance.routes.read_routes`).
    out : Path
        The folder of ``outcomes.jsonl``; created on the first write.
    user : str
        Who hands in the file (stored with every record).
    now : datetime, optional
        The time recorded (UTC); the current time by default.

    Raises
    ------
    FeedbackError
        On the first problem found; nothing is written then.
    """
    path, out = Path(path), Path(out)
    if not user.strip():
        raise FeedbackError(EMPTY_USER.format(value=user))
    rows = read_feedback_file(path)
    source_sha = file_sha256(path)
    chosen, empty = _check_rows(path, rows)
    routes = read_routes(routes_folder)
    where = _check_known(path, chosen, routes, routes_folder)
    log_file = out / OUTCOMES_FILE
    existing = _parse_log(log_file.read_text(encoding="utf-8"), log_file) if log_file.is_file() else []
    new, already = _new_cases(path, chosen, rows, existing)
    recorded_at = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat(timespec="seconds")
    records: list[dict[str, Any]] = []
    if new:
        out.mkdir(parents=True, exist_ok=True)
        with log_file.open("a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                handle.seek(0)
                current = _parse_log(handle.read().decode("utf-8"), log_file)
                new, already = _new_cases(path, chosen, rows, current)   # again, under the lock
                records = [{"case_id": case, "run_id": where[case][0], "route": where[case][1],
                            "outcome": chosen[case][0], "recorded_at": recorded_at, "user": user.strip(),
                            "source_file_sha256": source_sha} for case in new]
                handle.seek(0, os.SEEK_END)
                handle.write("".join(json.dumps(r, sort_keys=True, ensure_ascii=False) + "\n"
                                     for r in records).encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    summary = outcome_summary(routes, read_outcomes(out))
    return FeedbackResult(file=path, recorded=tuple(records), already=already, empty=empty, summary=summary)


def format_summary(result: FeedbackResult, language: str) -> str:
    """The short summary printed after recording, in ``language`` ("nl" or "en")."""
    lines = [text("feedback.counts", language, file=result.file.name, recorded=len(result.recorded),
                  already=result.already, empty=result.empty),
             text("feedback.total", language)]
    parts = []
    for row in result.summary.itertuples(index=False):
        rate = text("feedback.no_rate", language) if math.isnan(row.hit_rate) else f"{row.hit_rate:.0%}"
        parts.append(text("feedback.route", language, name=text(f"feedback.route.{row.route}", language),
                          handled=row.handled, findings=row.findings, rate=rate, help=row.help_offered))
    lines.append("; ".join(parts))
    return "\n".join(lines)


# -- command line -------------------------------------------------------------------
def _default_user() -> str:
    return os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--file", required=True, type=Path,
                        help="the worklist with the inspectors' outcomes filled in (.csv or .xlsx)")
    parser.add_argument("--routes", type=Path, default=Path("governance/routes"),
                        help="folder of the sealed routes of the worklists")
    parser.add_argument("--out", type=Path, default=Path("governance/feedback"),
                        help="folder of outcomes.jsonl (append-only)")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    parser.add_argument("--user", help="who hands in the outcomes (default: the login name)")


def run(args: argparse.Namespace) -> None:
    language = SectionReader(load_section(args.params, "report"), "report").choice("language", LANGUAGES)
    user = args.user if args.user is not None else _default_user()
    with governance_lock(args.out):
        result = record_feedback(args.file, routes_folder=args.routes, out=args.out, user=user)
    print(format_summary(result, language))
