"""Privacy gate: a fast, read-only scanner for direct identifiers in DataFrames.

Anonymised municipal benefit data must not contain direct identifiers. This
package inspects :class:`pandas.DataFrame` objects for values that look like a
Dutch citizen service number (BSN), an IBAN, an e-mail address or a Dutch
phone number, and for column names that say the column holds a direct
identifier (a name, an address, contact details...). It never writes anything
and never mutates its inputs: :func:`scan_frame` returns findings and
:func:`check_frames` raises :class:`PrivacyError` on the first finding.
Reported examples are always masked (:func:`mask_value`).

Detection rules
---------------
* BSN: 9 digits passing the elfproef (not all zeros), written as
  ``123456782``, ``1234.56.782``, ``123 456 782`` or ``123-456-782``, as a
  whole value or as a token in free text, in any column. A token glued to a
  letter or digit (``A123456782``, ``1234567820``) or to a decimal part
  (``123456782,50``) is not a BSN. Integer and integral float values in
  ``[1e8, 1e9)`` count too.
* BSN that lost its leading zero(s) (``bsn_short``): a whole value of 7 or 8
  digits (text, integer or integral float) that passes the elfproef when
  zero-padded to 9 (``10000021`` is ``010000021``), in identifier-like
  columns only (:func:`is_identifier_like`: ``*_id``, ``*nr``, ``*nummer``,
  ``bsn``, ``sofi``, ``persoon``, ``klant``, ``client``...); elsewhere 7 and 8
  digit numbers are amounts and counts, and one in eleven would pass.
* IBAN: any case, written compact, in groups, or with single spaces or
  hyphens anywhere (``nl91abna0417164300``, ``NL91 ABNA 0417 1643 00``,
  ``NL91-ABNA-...``); the country must be in the ISO 13616 registry, the
  length must match that country and mod-97 must be 1 (plus a BBAN structure
  check for NL, BE and DE), so random strings do not alarm.
* E-mail: ``local@domain.tld``.
* Dutch phone: ``0`` + 9 digits, ``+31``/``0031`` + 9 digits, optionally with
  ``(0)`` after the country code, or the area code in parentheses
  (``(06) 12345678``, ``(010) 123 45 67``); between digits one space, or a
  dot, dash or slash with or without a space either side
  (``06.12.34.56.78``, ``06 - 1234 5678``, ``010/1234567``). A value starting
  with a date such as ``06-01-2024`` is not a phone number.
* Column names: see :mod:`risico.privacy._names` -- the listed names
  (:data:`IDENTIFYING_COLUMN_NAMES`) and personal-name words (``naam``,
  ``*naam``, ``naam_*``, ``name``, ``*_name``, ``tussenvoegsel``,
  ``voorletters``...), after normalising case, camelCase and separators.
  Names ending in ``_id`` are never flagged. Unknown extra columns of an
  extract are scanned like the others, so a ``klantnaam`` column stops
  ``ingest`` instead of being set aside.

Not caught: names or addresses written inside free text, an identifier split
over several columns, identifiers in images or attachments, pseudonyms that
can be reversed. See ``docs/security.md``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import pandas as pd

from risico.errors import RisicoError
from risico.privacy._checks import Kind, is_valid_bsn, is_valid_iban
from risico.privacy._names import IDENTIFYING_COLUMN_NAMES, identifying_name_rule, is_identifier_like
from risico.privacy._scan import VALUE_KINDS, scan_values

__all__ = [
    "ADVICE",
    "COLUMN_NAME_MESSAGE",
    "IDENTIFYING_COLUMN_NAMES",
    "KIND_DESCRIPTIONS",
    "VALUE_MESSAGE",
    "Finding",
    "Kind",
    "PrivacyError",
    "check_frames",
    "format_message",
    "identifying_name_rule",
    "is_identifier_like",
    "is_valid_bsn",
    "is_valid_iban",
    "mask_value",
    "scan_frame",
]

logger = logging.getLogger(__name__)

# --------------------------------------------------------------------------
# Message templates (tests assert the exact text)
# --------------------------------------------------------------------------

ADVICE: Final[str] = (
    "Direct identifiers are not allowed in the input; "
    "remove or pseudonymise the column before ingest."
)
VALUE_MESSAGE: Final[str] = (
    "Privacy gate: table '{table}', column '{column}' contains {count} value(s) "
    "that look like {description}, e.g. '{example}'. " + ADVICE
)
COLUMN_NAME_MESSAGE: Final[str] = (
    "Privacy gate: table '{table}', column '{column}' has a name that suggests "
    "a direct identifier (rule: {rule}; {count} non-null value(s)). " + ADVICE
)
KIND_DESCRIPTIONS: Final[Mapping[str, str]] = {
    "bsn": "a BSN (citizen service number)",
    "bsn_short": "a BSN (citizen service number) that lost its leading zero(s)",
    "iban": "an IBAN (bank account number)",
    "email": "an e-mail address",
    "phone": "a Dutch phone number",
}

# --------------------------------------------------------------------------
# Public data types
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """A direct identifier found in one column of one table.

    Attributes
    ----------
    table : str
        Name of the table (the key passed to :func:`check_frames`).
    column : str
        Column label, converted to ``str``.
    kind : {"bsn", "bsn_short", "iban", "email", "phone", "column_name"}
        What was found.
    count : int
        Number of rows whose value matched. For ``"column_name"`` findings:
        the number of non-null values in the column.
    example : str
        A masked example (see :func:`mask_value`); for ``"column_name"``
        findings the column name itself.
    rule : str
        For ``"column_name"`` findings: the rule that matched
        (see :func:`identifying_name_rule`); empty otherwise.
    """

    table: str
    column: str
    kind: Kind
    count: int
    example: str
    rule: str = ""


class PrivacyError(RisicoError, ValueError):
    """Raised by :func:`check_frames` when a direct identifier is found.

    Parameters
    ----------
    message : str
        One-line, human-readable message (see :func:`format_message`).
    finding : Finding or None, optional
        The finding that triggered the error.
    """

    def __init__(self, message: str, finding: Finding | None = None) -> None:
        super().__init__(message)
        self.finding = finding


# --------------------------------------------------------------------------
# Small public helpers
# --------------------------------------------------------------------------


def mask_value(value: str) -> str:
    """Mask a value, keeping at most the first 2 and the last character.

    Parameters
    ----------
    value : str
        The value to mask.

    Returns
    -------
    str
        Same length as ``value``; values of 3 characters or fewer are fully
        masked, so the result never equals a non-empty input.

    Examples
    --------
    >>> mask_value("123456782")
    '12******2'
    """
    text = str(value)
    if len(text) <= 3:
        return "*" * len(text)
    return text[:2] + "*" * (len(text) - 3) + text[-1]


def format_message(finding: Finding) -> str:
    """Render the one-line :class:`PrivacyError` message for a finding.

    Parameters
    ----------
    finding : Finding
        The finding to describe.

    Returns
    -------
    str
        :data:`VALUE_MESSAGE` or :data:`COLUMN_NAME_MESSAGE`, filled in.
    """
    fields = {
        "table": _one_line(finding.table),
        "column": _one_line(finding.column),
        "count": finding.count,
        "example": _one_line(finding.example),
    }
    if finding.kind == "column_name":
        return COLUMN_NAME_MESSAGE.format(rule=finding.rule, **fields)
    return VALUE_MESSAGE.format(description=KIND_DESCRIPTIONS[finding.kind], **fields)


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def scan_frame(frame: pd.DataFrame, table: str) -> list[Finding]:
    """Scan every column of ``frame`` for direct identifiers.

    Parameters
    ----------
    frame : pandas.DataFrame
        The data to inspect; it is not modified.
    table : str
        Table name used in the findings.

    Returns
    -------
    list of Finding
        In column order; within a column in the order bsn, bsn_short, iban,
        email, phone, column_name. Empty if nothing was found.

    Raises
    ------
    TypeError
        If ``frame`` is not a DataFrame.
    """
    _require_frame(frame, table)
    findings: list[Finding] = []
    for position in range(frame.shape[1]):
        findings.extend(_scan_column(frame, position, table))
    logger.debug("privacy scan of table %r: %d column(s), %d finding(s)", table, frame.shape[1], len(findings))
    return findings


def check_frames(frames: Mapping[str, pd.DataFrame]) -> None:
    """Raise :class:`PrivacyError` on the first column with a finding.

    Tables are checked in mapping order and columns in frame order; scanning
    stops at the first column with a finding.

    Parameters
    ----------
    frames : Mapping of str to pandas.DataFrame
        Tables to check, by name.

    Raises
    ------
    PrivacyError
        With a one-line message naming table, column, count and a masked
        example or the column-name rule (see :func:`format_message`).
    TypeError
        If a value in ``frames`` is not a DataFrame.
    """
    for table, frame in frames.items():
        _require_frame(frame, table)
        for position in range(frame.shape[1]):
            findings = _scan_column(frame, position, table)
            if findings:
                raise PrivacyError(format_message(findings[0]), findings[0])
    logger.debug("privacy gate passed for %d table(s)", len(frames))


# --------------------------------------------------------------------------
# Column dispatch
# --------------------------------------------------------------------------


def _require_frame(frame: object, table: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"table {table!r}: expected a pandas DataFrame, got {type(frame).__name__}")


def _scan_column(frame: pd.DataFrame, position: int, table: str) -> list[Finding]:
    series = frame.iloc[:, position]
    label = frame.columns[position]
    column = str(label)
    hits = scan_values(series, short_bsn=is_identifier_like(label))
    findings = [
        Finding(table, column, kind, hits[kind][0], mask_value(hits[kind][1]))
        for kind in VALUE_KINDS
        if kind in hits
    ]
    rule = identifying_name_rule(label)
    if rule is not None:
        findings.append(Finding(table, column, "column_name", int(series.notna().sum()), column, rule))
    return findings


def _one_line(text: str) -> str:
    """Escape control characters so a message always stays on one line."""
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in str(text)
    )
