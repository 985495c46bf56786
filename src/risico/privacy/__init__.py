"""Privacy gate: a fast, read-only scanner for direct identifiers in DataFrames.

Anonymised municipal benefit data must not contain direct identifiers. This
module inspects :class:`pandas.DataFrame` objects for values that look like a
Dutch citizen service number (BSN), an IBAN, an e-mail address or a Dutch
phone number, and for column names that suggest a direct identifier. It never
writes anything and never mutates its inputs: :func:`scan_frame` returns
findings and :func:`check_frames` raises :class:`PrivacyError` on the first
finding. Reported examples are always masked (:func:`mask_value`).

Detection rules
---------------
* BSN: 9 digits passing the elfproef (not all zeros), written as
  ``123456782``, ``1234.56.782``, ``123 456 782`` or ``123-456-782``, as a
  whole value or as a token in free text. A token glued to a letter or digit
  (``A123456782``, ``1234567820``) or to a decimal part (``123456782,50``)
  is not a BSN. Integer and integral float values in ``[1e8, 1e9)`` count too.
* IBAN: upper case, optionally in groups of 4; the country must be in the
  ISO 13616 registry, the length must match that country and mod-97 must
  be 1 (plus a BBAN structure check for NL, BE and DE).
* E-mail: ``local@domain.tld``.
* Dutch phone: ``0`` + 9 digits, or ``+31``/``0031`` + 9 digits, with single
  spaces or hyphens between digits; a value starting with a date such as
  ``06-01-2024`` is not a phone number.
* Column names: see :data:`IDENTIFYING_COLUMN_NAMES`; matched after
  normalising case, camelCase and separators. Names ending in ``_id`` are
  never flagged.

Performance
-----------
Text columns are first narrowed down with one vectorised RE2 regex (pyarrow
compute) over the whole column; only candidate rows are deduplicated
(dictionary encoding, first-appearance order) and examined per distinct
value. Values that are entirely a digit run or a phone number, and free text
whose only candidate is one 9-digit token, are decided vectorised (RE2 plus
a numpy elfproef); only the remaining free text goes through Python's ``re``
with exact token boundaries. Integer and float columns get a vectorised
elfproef on values in ``[100000000, 999999999]``. Categorical columns are
scanned through their categories, weighted by how often each occurs.
Boolean, datetime, timedelta and other non-text dtypes are not scanned
(their column names still are).
"""

from __future__ import annotations

import logging
import operator
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from risico.errors import RisicoError

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
    "is_valid_bsn",
    "is_valid_iban",
    "mask_value",
    "scan_frame",
]

logger = logging.getLogger(__name__)

Kind = Literal["bsn", "iban", "email", "phone", "column_name"]
# per column: kind -> (number of matching rows, masked example)
_Hits = dict[Kind, tuple[int, str]]

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
    "a direct identifier ({count} non-null value(s)). " + ADVICE
)
KIND_DESCRIPTIONS: Final[Mapping[str, str]] = {
    "bsn": "a BSN (citizen service number)",
    "iban": "an IBAN (bank account number)",
    "email": "an e-mail address",
    "phone": "a Dutch phone number",
}

# --------------------------------------------------------------------------
# Column names
# --------------------------------------------------------------------------

IDENTIFYING_COLUMN_NAMES: Final[frozenset[str]] = frozenset(
    {
        # citizen service number
        "bsn",
        "burgerservicenummer",
        "sofinummer",
        "sofi_nummer",
        # names
        "naam",
        "voornaam",
        "voornamen",
        "achternaam",
        "geslachtsnaam",
        "name",
        "first_name",
        "last_name",
        "surname",
        "full_name",
        # address
        "straat",
        "straatnaam",
        "street",
        "huisnummer",
        "house_number",
        "adres",
        "address",
        "woonadres",
        "postadres",
        # contact
        "email",
        "e_mail",
        "emailadres",
        "e_mailadres",
        "email_address",
        "telefoon",
        "telefoonnummer",
        "phone",
        "phone_number",
        # bank account
        "iban",
        "rekeningnummer",
        # date of birth
        "geboortedatum",
        "date_of_birth",
        "birth_date",
        "dob",
    }
)
_COMPACT_COLUMN_NAMES: Final[frozenset[str]] = frozenset(
    name.replace("_", "") for name in IDENTIFYING_COLUMN_NAMES
)
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")

# --------------------------------------------------------------------------
# Value patterns
# --------------------------------------------------------------------------
# The *_CORE patterns use only syntax shared by RE2 (pyarrow) and Python's
# ``re``; the Python token patterns add look-arounds for exact boundaries.

_EMAIL_CORE: Final[str] = (
    r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
)
_PHONE_CORE: Final[str] = (
    r"(?:(?:\+|00)31[ \-]?(?:\(0\)[ \-]?)?[1-9](?:[ \-]?[0-9]){8}"
    r"|0[1-9](?:[ \-]?[0-9]){8})"
)
_BSN_PREFILTER: Final[str] = (
    r"[0-9]{9}|[0-9]{4}[ .\-][0-9]{2}[ .\-][0-9]{3}|[0-9]{3}[ \-][0-9]{3}[ \-][0-9]{3}"
)
_IBAN_PREFILTER: Final[str] = r"[A-Z]{2}[0-9]{2} ?[A-Z0-9]{4} ?[A-Z0-9]{4}"
_DATE_PREFIX_CORE: Final[str] = (
    r"0[1-9][\-/. ](?:0[1-9]|1[0-2])[\-/. ](?:19|20)[0-9]{2}"
)

# RE2 patterns (vectorised, pyarrow)
_RE2_ANY_CANDIDATE: Final[str] = "|".join(
    ["@", _BSN_PREFILTER, _PHONE_CORE, _IBAN_PREFILTER]
)
_RE2_PURE_NINE_DIGITS: Final[str] = r"^[ \t]*[0-9]{9}[ \t]*$"
_RE2_PURE_DIGITS: Final[str] = r"^[ \t]*[0-9]+[ \t]*$"
_RE2_PURE_PHONE: Final[str] = r"^[ \t]*" + _PHONE_CORE + r"[ \t]*$"
_RE2_DATE_PREFIX: Final[str] = r"^[ \t]*" + _DATE_PREFIX_CORE + r"(?:[^0-9]|$)"
# one contiguous 9-digit token with the boundaries of _BSN_TOKEN, written
# with consuming groups because RE2 has no look-arounds
_RE2_SINGLE_BSN_TOKEN: Final[str] = (
    r"(?:^|^[.,]|[^0-9A-Za-z.,]|[^0-9][.,])(?P<token>[0-9]{9})"
    r"(?:$|[^0-9A-Za-z.,]|[.,]$|[.,][^0-9])"
)

# Python patterns (exact, per candidate value)
_EMAIL_TOKEN = re.compile(_EMAIL_CORE, re.ASCII)
_PHONE_TOKEN = re.compile(
    r"(?<![0-9A-Za-z+])" + _PHONE_CORE + r"(?![0-9A-Za-z])(?![.,][0-9])",
    re.ASCII,
)
_DATE_PREFIX = re.compile(_DATE_PREFIX_CORE + r"(?![0-9])", re.ASCII)
_BSN_TOKEN = re.compile(
    r"(?<![0-9A-Za-z])(?<![0-9][.,])"
    r"(?:[0-9]{9}"
    r"|[0-9]{4}([ .\-])[0-9]{2}\1[0-9]{3}"
    r"|[0-9]{3}([ \-])[0-9]{3}\2[0-9]{3})"
    r"(?![0-9A-Za-z])(?![.,][0-9])",
    re.ASCII,
)
_IBAN_TOKEN = re.compile(
    r"(?<![0-9A-Za-z])[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?"
    r"(?![0-9A-Za-z])",
    re.ASCII,
)

# ISO 13616 IBAN registry: country code -> total IBAN length.
_IBAN_LENGTHS: Final[Mapping[str, int]] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16,
    "BG": 22, "BH": 22, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28,
    "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24,
    "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18,
    "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23,
    "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32,
    "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22,
    "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip
# Stricter BBAN structure for the most common countries in Dutch data.
_BBAN_FORMATS: Final[Mapping[str, re.Pattern[str]]] = {
    "NL": re.compile(r"[A-Z]{4}[0-9]{10}", re.ASCII),
    "BE": re.compile(r"[0-9]{12}", re.ASCII),
    "DE": re.compile(r"[0-9]{18}", re.ASCII),
}

_BSN_WEIGHTS: Final[tuple[int, ...]] = (9, 8, 7, 6, 5, 4, 3, 2, -1)
_BSN_SEPARATORS: Final[dict[int, None]] = str.maketrans("", "", " .-")
_BSN_MIN: Final[int] = 100_000_000
_BSN_MAX: Final[int] = 999_999_999
_VALUE_KINDS: Final[tuple[Kind, ...]] = ("bsn", "iban", "email", "phone")
_TEXT_KINDS: Final[tuple[Kind, ...]] = ("iban", "phone", "bsn")
_FREE_TEXT_KINDS: Final[tuple[Kind, ...]] = ("email", *_TEXT_KINDS)
_TEXT_PREFILTERS: Final[Mapping[Kind, str]] = {
    "iban": _IBAN_PREFILTER,
    "phone": _PHONE_CORE,
    "bsn": _BSN_PREFILTER,
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
    kind : {"bsn", "iban", "email", "phone", "column_name"}
        What was found.
    count : int
        Number of rows whose value matched. For ``"column_name"`` findings:
        the number of non-null values in the column.
    example : str
        A masked example (see :func:`mask_value`); for ``"column_name"``
        findings the column name itself.
    """

    table: str
    column: str
    kind: Kind
    count: int
    example: str


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


def is_valid_bsn(value: str | int) -> bool:
    """Return whether ``value`` is a 9-digit number passing the elfproef.

    Parameters
    ----------
    value : str or int
        Digits, optionally separated by spaces, dots or hyphens.

    Returns
    -------
    bool
        ``True`` if the digits number exactly 9, are not all zero and
        ``9*d1 + 8*d2 + ... + 2*d8 - d9`` is divisible by 11.
    """
    digits = str(value).translate(_BSN_SEPARATORS)
    if len(digits) != 9 or not (digits.isascii() and digits.isdigit()):
        return False
    total = sum(map(operator.mul, _BSN_WEIGHTS, map(int, digits)))
    return total % 11 == 0 and digits != "000000000"


def is_valid_iban(value: str) -> bool:
    """Return whether ``value`` is a valid IBAN (ISO 13616, mod-97 == 1).

    Parameters
    ----------
    value : str
        Upper-case IBAN, spaces allowed (``"NL91 ABNA 0417 1643 00"``).

    Returns
    -------
    bool
        ``True`` if the country is in the IBAN registry, the length matches
        the registry length for that country, the check digits are in
        02..98 and the mod-97 check equals 1.
    """
    compact = str(value).replace(" ", "")
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}", compact, re.ASCII):
        return False
    country = compact[:2]
    if _IBAN_LENGTHS.get(country) != len(compact):
        return False
    bban_format = _BBAN_FORMATS.get(country)
    if bban_format is not None and not bban_format.fullmatch(compact[4:]):
        return False
    if not 2 <= int(compact[2:4]) <= 98:
        return False
    rearranged = compact[4:] + compact[:4]
    numeric = "".join(str(int(char, 36)) for char in rearranged)
    return int(numeric) % 97 == 1


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
        return COLUMN_NAME_MESSAGE.format(**fields)
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
        In column order; within a column in the order bsn, iban, email,
        phone, column_name. Empty if nothing was found.

    Raises
    ------
    TypeError
        If ``frame`` is not a DataFrame.
    """
    _require_frame(frame, table)
    findings: list[Finding] = []
    for position in range(frame.shape[1]):
        findings.extend(_scan_column(frame, position, table))
    logger.debug(
        "privacy scan of table %r: %d column(s), %d finding(s)",
        table,
        frame.shape[1],
        len(findings),
    )
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
        example (see :func:`format_message`).
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
        raise TypeError(
            f"table {table!r}: expected a pandas DataFrame, got {type(frame).__name__}"
        )


def _scan_column(frame: pd.DataFrame, position: int, table: str) -> list[Finding]:
    series = frame.iloc[:, position]
    column = str(frame.columns[position])
    hits = _scan_values(series)
    findings = [
        Finding(table, column, kind, *hits[kind]) for kind in _VALUE_KINDS if kind in hits
    ]
    if _is_identifying_name(frame.columns[position]):
        count = int(series.notna().sum())
        findings.append(Finding(table, column, "column_name", count, column))
    return findings


def _scan_values(series: pd.Series) -> _Hits:
    """Return ``{kind: (count, masked example)}`` for one column."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return _scan_categorical(series)
    if isinstance(dtype, pd.ArrowDtype):
        return _scan_arrow(series)
    if dtype.kind in "iuf":
        return _scan_numeric(_as_float(series), None)
    if isinstance(dtype, pd.StringDtype):
        return _scan_text(_arrow_strings(series.array), None)
    if dtype.kind == "O":
        return _scan_object(series)
    logger.debug("privacy scan skips dtype %s", dtype)
    return {}


def _scan_arrow(series: pd.Series) -> _Hits:
    arrow_type = series.dtype.pyarrow_dtype
    if pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type):
        return _scan_numeric(_as_float(series), None)
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return _scan_text(_arrow_strings(series.array), None)
    logger.debug("privacy scan skips arrow type %s", arrow_type)
    return {}


def _scan_categorical(series: pd.Series) -> _Hits:
    categories = series.cat.categories
    codes = series.cat.codes.to_numpy()
    weights = np.bincount(codes[codes >= 0], minlength=len(categories))
    present = weights > 0
    values = pd.Series(categories[present])
    weights = weights[present]
    if values.dtype.kind in "iuf":
        return _scan_numeric(_as_float(values), weights)
    if values.dtype.kind in "bmM":
        return {}
    return _scan_text(_texts_to_arrow(values.to_list()), weights)


def _scan_object(series: pd.Series) -> _Hits:
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    weights = np.bincount(codes[codes >= 0], minlength=len(uniques))
    return _scan_text(_texts_to_arrow(list(uniques)), weights)


def _as_float(series: pd.Series) -> np.ndarray:
    return series.to_numpy(dtype=np.float64, na_value=np.nan)


def _arrow_strings(values: object) -> pa.Array:
    array = pa.array(values)
    if isinstance(array, pa.ChunkedArray):
        return array.combine_chunks()
    return array


def _texts_to_arrow(values: list[object]) -> pa.Array:
    return pa.array([_to_text(value) for value in values], type=pa.large_string())


def _to_text(value: object) -> str | None:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float):
        if np.isnan(value):
            return None
        if value.is_integer():
            return str(int(value))
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


# --------------------------------------------------------------------------
# Numeric columns
# --------------------------------------------------------------------------


def _scan_numeric(values: np.ndarray, weights: np.ndarray | None) -> _Hits:
    """Vectorised elfproef on integral values in the 9-digit range."""
    with np.errstate(invalid="ignore"):
        candidate = (values >= _BSN_MIN) & (values <= _BSN_MAX)
    positions = np.flatnonzero(candidate)
    if positions.size == 0:
        return {}
    selected = values[positions]
    integral = selected == np.floor(selected)
    positions, selected = positions[integral], selected[integral]
    valid = _elfproef(selected.astype(np.int64))
    if not valid.any():
        return {}
    matched = positions[valid]
    count = int(weights[matched].sum()) if weights is not None else int(matched.size)
    example = str(int(values[matched[0]]))
    return {"bsn": (count, mask_value(example))}


def _elfproef(numbers: np.ndarray) -> np.ndarray:
    """Vectorised 11-check for non-negative int64 numbers of at most 9 digits."""
    remaining = numbers.astype(np.int64, copy=True)
    total = np.zeros_like(remaining)
    for weight in (-1, 2, 3, 4, 5, 6, 7, 8, 9):
        remaining, digit = np.divmod(remaining, 10)
        total += weight * digit
    return (total % 11 == 0) & (numbers > 0) & (remaining == 0)


# --------------------------------------------------------------------------
# Text columns
# --------------------------------------------------------------------------


def _scan_text(texts: pa.Array, weights: np.ndarray | None) -> _Hits:
    """Scan string values; ``weights`` gives the row count per value (or 1).

    One RE2 pass over all values keeps only candidates; those are then
    deduplicated (first-appearance order) and examined per distinct value.
    """
    candidate = _re2_mask(texts, _RE2_ANY_CANDIDATE)
    if not candidate.any():
        return {}
    encoded = pc.dictionary_encode(texts.filter(pa.array(candidate)))
    uniques = encoded.dictionary
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    row_weights = None if weights is None else weights[candidate]
    counts = np.bincount(codes, weights=row_weights, minlength=len(uniques))
    return _scan_uniques(uniques, counts.astype(np.int64))


def _scan_uniques(uniques: pa.Array, counts: np.ndarray) -> _Hits:
    """Detect every kind in distinct candidate strings; ``counts`` are row counts."""
    masks = {kind: np.zeros(len(uniques), dtype=bool) for kind in _VALUE_KINDS}
    masks["email"] = _re2_mask(uniques, _EMAIL_CORE)
    # whole value is a 9-digit number or a phone number: decided vectorised
    pure_bsn = _re2_mask(uniques, _RE2_PURE_NINE_DIGITS)
    masks["bsn"][pure_bsn] = _elfproef_strings(uniques.filter(pa.array(pure_bsn)))
    pure_phone = _re2_mask(uniques, _RE2_PURE_PHONE) & ~_re2_mask(uniques, _RE2_DATE_PREFIX)
    masks["phone"] = pure_phone

    # a bare digit run is fully decided by the two vectorised checks above
    unresolved = ~(pure_phone | _re2_mask(uniques, _RE2_PURE_DIGITS))
    prefilters: dict[Kind, np.ndarray] = {
        kind: _re2_mask(uniques, pattern) & unresolved
        for kind, pattern in _TEXT_PREFILTERS.items()
    }
    prefilters["email"] = masks["email"]
    _scan_single_bsn_tokens(uniques, prefilters, masks)
    _scan_free_text(uniques, prefilters, masks)

    results: _Hits = {}
    for kind in _VALUE_KINDS:
        if masks[kind].any():
            first = int(np.argmax(masks[kind]))
            example = _example_token(kind, uniques[first].as_py())
            results[kind] = (int(counts[masks[kind]].sum()), mask_value(example))
    return results


def _scan_single_bsn_tokens(
    uniques: pa.Array, prefilters: dict[Kind, np.ndarray], masks: dict[Kind, np.ndarray]
) -> None:
    """Vectorised path for free text whose only candidate is one 9-digit token.

    Decided values are removed from ``prefilters["bsn"]`` (in place) so the
    Python path does not look at them again.
    """
    other = prefilters["email"] | prefilters["iban"] | prefilters["phone"]
    positions = np.flatnonzero(prefilters["bsn"] & ~other)
    if positions.size == 0:
        return
    texts = uniques.take(pa.array(positions))
    single = pc.equal(pc.count_substring_regex(texts, _BSN_PREFILTER), 1)
    extracted = pc.extract_regex(texts, _RE2_SINGLE_BSN_TOKEN)
    decided = _to_bool(pc.and_(single, extracted.is_valid()))
    tokens = pc.struct_field(extracted, "token").filter(pa.array(decided))
    masks["bsn"][positions[decided]] = _elfproef_strings(tokens)
    prefilters["bsn"][positions[decided]] = False


def _scan_free_text(
    uniques: pa.Array,
    prefilters: dict[Kind, np.ndarray],
    masks: dict[Kind, np.ndarray],
) -> None:
    """Exact per-value detection (Python ``re``) for the remaining candidates.

    Values are grouped by which RE2 prefilters they hit, so that each value
    only runs the detectors that can possibly match.
    """
    candidates = prefilters["iban"] | prefilters["phone"] | prefilters["bsn"]
    if not candidates.any():
        return
    signature = np.zeros(len(uniques), dtype=np.int64)
    for bit, kind in enumerate(_FREE_TEXT_KINDS):
        signature |= prefilters[kind].astype(np.int64) << bit
    for code in np.unique(signature[candidates]).tolist():
        kinds = tuple(kind for bit, kind in enumerate(_FREE_TEXT_KINDS) if code >> bit & 1)
        positions = np.flatnonzero(candidates & (signature == code))
        texts = uniques.take(pa.array(positions)).to_pylist()
        for position, text in zip(positions.tolist(), texts, strict=True):
            for kind in _detect_in_text(text, kinds):
                masks[kind][position] = True


def _detect_in_text(text: str, kinds: tuple[Kind, ...] = _FREE_TEXT_KINDS) -> dict[Kind, str]:
    """Return ``{kind: first matching token}`` for iban, phone and bsn.

    Only the detectors in ``kinds`` run. E-mail addresses, IBANs and phone
    numbers are blanked out once found so that digits inside them are not
    reported again as another kind.
    """
    remaining = _EMAIL_TOKEN.sub(_blank, text) if "email" in kinds else text
    found: dict[Kind, str] = {}
    for kind in _TEXT_KINDS:
        if kind not in kinds:
            continue
        matches = _find_tokens(kind, remaining)
        if matches:
            found[kind] = matches[0].group(0)
            remaining = _blank_spans(remaining, matches)
    return found


def _find_tokens(kind: Kind, text: str) -> list[re.Match[str]]:
    if kind == "iban":
        return [m for m in _IBAN_TOKEN.finditer(text) if is_valid_iban(m.group(0))]
    if kind == "phone":
        return [m for m in _PHONE_TOKEN.finditer(text) if not _DATE_PREFIX.match(m.group(0))]
    return [m for m in _BSN_TOKEN.finditer(text) if is_valid_bsn(m.group(0))]


def _example_token(kind: Kind, text: str) -> str:
    """The matching token inside ``text`` (unmasked; callers mask it)."""
    if kind == "email":
        match = _EMAIL_TOKEN.search(text)
        return match.group(0) if match else text
    return _detect_in_text(text).get(kind, text.strip(" \t"))


def _elfproef_strings(values: pa.Array) -> np.ndarray:
    if len(values) == 0:
        return np.zeros(0, dtype=bool)
    trimmed = pc.utf8_trim(values, characters=" \t")
    numbers = pc.cast(trimmed, pa.int64()).to_numpy(zero_copy_only=False)
    return _elfproef(numbers)


def _re2_mask(texts: pa.Array, pattern: str) -> np.ndarray:
    return _to_bool(pc.match_substring_regex(texts, pattern))


def _to_bool(mask: pa.Array) -> np.ndarray:
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False)


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


def _blank_spans(text: str, matches: list[re.Match[str]]) -> str:
    pieces: list[str] = []
    cursor = 0
    for match in matches:
        pieces.append(text[cursor : match.start()])
        pieces.append(" " * (match.end() - match.start()))
        cursor = match.end()
    pieces.append(text[cursor:])
    return "".join(pieces)


# --------------------------------------------------------------------------
# Names and formatting
# --------------------------------------------------------------------------


def _normalise_name(name: object) -> str:
    spaced = _CAMEL_BOUNDARY.sub("_", str(name))
    return _NON_ALNUM.sub("_", spaced.lower()).strip("_")


def _is_identifying_name(name: object) -> bool:
    normalised = _normalise_name(name)
    if normalised == "id" or normalised.endswith("_id"):
        return False
    return (
        normalised in IDENTIFYING_COLUMN_NAMES
        or normalised.replace("_", "") in _COMPACT_COLUMN_NAMES
    )


def _one_line(text: str) -> str:
    """Escape control characters so a message always stays on one line."""
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in str(text)
    )
