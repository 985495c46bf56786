"""Value checks of the privacy gate: patterns, the elfproef, IBAN mod-97 and exact token search in free text.

The ``*_CORE`` and ``RE2_*`` patterns use only syntax shared by RE2 (pyarrow,
vectorised over whole columns) and Python's ``re``; the Python token patterns
add look-arounds for exact boundaries and run on candidate values only.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterator, Mapping
from typing import Final, Literal

import numpy as np

__all__ = [
    "EMAIL_CORE",
    "Kind",
    "elfproef",
    "find_tokens",
    "is_valid_bsn",
    "is_valid_iban",
]

Kind = Literal["bsn", "bsn_short", "iban", "email", "phone", "column_name"]

# --------------------------------------------------------------------------
# Patterns
# --------------------------------------------------------------------------

EMAIL_CORE: Final[str] = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"

# Between the digits of a phone number: one space, or a dot, dash or slash with a space either side or not.
_SEP: Final[str] = r"(?: ?[.\-/] ?| )?"
_DIGITS_8: Final[str] = r"[0-9](?:" + _SEP + r"[0-9]){7}"
PHONE_CORE: Final[str] = (
    r"(?:"
    # +31 / 0031, optionally (0), then 9 digits: +31 6 12345678, +31 (0)6-1234 5678, 0031.10.123.45.67
    r"(?:\+|00) ?31" + _SEP + r"(?:\( ?0 ?\)" + _SEP + r")?[1-9]" + _SEP + _DIGITS_8
    # 0 + 9 digits: 0612345678, 06.12.34.56.78, 06 - 1234 5678, 010/1234567
    + r"|0[1-9]" + _SEP + _DIGITS_8
    # the area code in parentheses: (06) 12345678, (010) 123 45 67, (0513) 123456
    + r"|\(0[1-9]\)" + _SEP + _DIGITS_8
    + r"|\(0[1-9][0-9]\)" + _SEP + r"[0-9](?:" + _SEP + r"[0-9]){6}"
    + r"|\(0[1-9][0-9]{2}\)" + _SEP + r"[0-9](?:" + _SEP + r"[0-9]){5}"
    + r")"
)
BSN_PREFILTER: Final[str] = (
    r"[0-9]{9}|[0-9]{4}[ .\-][0-9]{2}[ .\-][0-9]{3}|[0-9]{3}[ \-][0-9]{3}[ \-][0-9]{3}"
)
# any case; a separator after the country and between any two characters; at least 15 characters (Norway)
IBAN_PREFILTER: Final[str] = r"[A-Za-z]{2}[ \-]?[0-9]{2}(?:[ \-]?[A-Za-z0-9]){11}"
DATE_PREFIX_CORE: Final[str] = r"0[1-9][\-/. ](?:0[1-9]|1[0-2])[\-/. ](?:19|20)[0-9]{2}"

# a BSN spelling not glued to a letter or digit (as _BSN_TOKEN requires): ids such as 'DC000000001' are no candidates
BSN_CANDIDATE: Final[str] = r"(?:^|[^0-9A-Za-z])(?:" + BSN_PREFILTER + r")(?:$|[^0-9A-Za-z])"

RE2_ANY_CANDIDATE: Final[str] = "|".join(["@", BSN_CANDIDATE, PHONE_CORE, IBAN_PREFILTER])
RE2_PURE_SHORT_DIGITS: Final[str] = r"^[ \t]*[0-9]{7,8}[ \t]*$"
RE2_PURE_NINE_DIGITS: Final[str] = r"^[ \t]*[0-9]{9}[ \t]*$"
RE2_PURE_DIGITS: Final[str] = r"^[ \t]*[0-9]+[ \t]*$"
RE2_PURE_PHONE: Final[str] = r"^[ \t]*" + PHONE_CORE + r"[ \t]*$"
RE2_DATE_PREFIX: Final[str] = r"^[ \t]*" + DATE_PREFIX_CORE + r"(?:[^0-9]|$)"
# one contiguous 9-digit token with the boundaries of _BSN_TOKEN, written
# with consuming groups because RE2 has no look-arounds
RE2_SINGLE_BSN_TOKEN: Final[str] = (
    r"(?:^|^[.,]|[^0-9A-Za-z.,]|[^0-9][.,])(?P<token>[0-9]{9})"
    r"(?:$|[^0-9A-Za-z.,]|[.,]$|[.,][^0-9])"
)

EMAIL_TOKEN = re.compile(EMAIL_CORE, re.ASCII)
# not glued to a letter, digit or '+', nor to a digit and separator or decimal comma ('06/01/2024 1234', '0,0612345678')
_PHONE_TOKEN = re.compile(
    r"(?<![0-9A-Za-z+])(?<![0-9][.,\-/])" + PHONE_CORE + r"(?![0-9A-Za-z])(?![.,][0-9])",
    re.ASCII,
)
_DATE_PREFIX = re.compile(DATE_PREFIX_CORE + r"(?![0-9])", re.ASCII)
_BSN_TOKEN = re.compile(
    r"(?<![0-9A-Za-z])(?<![0-9][.,])"
    r"(?:[0-9]{9}"
    r"|[0-9]{4}([ .\-])[0-9]{2}\1[0-9]{3}"
    r"|[0-9]{3}([ \-])[0-9]{3}\2[0-9]{3})"
    r"(?![0-9A-Za-z])(?![.,][0-9])",
    re.ASCII,
)
_IBAN_START = re.compile(r"(?<![0-9A-Za-z])(?P<country>[A-Za-z]{2})[ \-]?[0-9]{2}", re.ASCII)
_IBAN_SEPARATORS = re.compile(r"[ \-]", re.ASCII)
_IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}", re.ASCII)

# ISO 13616 IBAN registry: country code -> total IBAN length.
IBAN_LENGTHS: Final[Mapping[str, int]] = {
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

# --------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------


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
    """Return whether ``value`` is a valid IBAN (ISO 13616, mod-97 == 1), in any case.

    Parameters
    ----------
    value : str
        An IBAN in upper, lower or mixed case, with or without spaces or
        hyphens (``"NL91 ABNA 0417 1643 00"``, ``"nl91abna0417164300"``).

    Returns
    -------
    bool
        ``True`` if the country is in the IBAN registry, the length matches
        the registry length for that country, the check digits are in
        02..98 and the mod-97 check equals 1.

    Examples
    --------
    >>> is_valid_iban("nl91-abna-0417-1643-00"), is_valid_iban("NL91ABNA0417164301")
    (True, False)
    """
    compact = _IBAN_SEPARATORS.sub("", str(value)).upper()
    if not _IBAN_SHAPE.fullmatch(compact):
        return False
    country = compact[:2]
    if IBAN_LENGTHS.get(country) != len(compact):
        return False
    bban_format = _BBAN_FORMATS.get(country)
    if bban_format is not None and not bban_format.fullmatch(compact[4:]):
        return False
    if not 2 <= int(compact[2:4]) <= 98:
        return False
    rearranged = compact[4:] + compact[:4]
    numeric = "".join(str(int(char, 36)) for char in rearranged)
    return int(numeric) % 97 == 1


def elfproef(numbers: np.ndarray) -> np.ndarray:
    """Vectorised 11-check for non-negative int64 numbers of at most 9 digits (zero-padded to 9)."""
    remaining = numbers.astype(np.int64, copy=True)
    total = np.zeros_like(remaining)
    for weight in (-1, 2, 3, 4, 5, 6, 7, 8, 9):
        remaining, digit = np.divmod(remaining, 10)
        total += weight * digit
    return (total % 11 == 0) & (numbers > 0) & (remaining == 0)


# --------------------------------------------------------------------------
# Exact token search in free text (candidate values only)
# --------------------------------------------------------------------------


def find_tokens(kind: Kind, text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every token of ``kind`` ("iban", "phone" or "bsn") in ``text``, left to right."""
    if kind == "iban":
        return list(_iban_spans(text))
    if kind == "phone":
        return [m.span() for m in _PHONE_TOKEN.finditer(text) if not _DATE_PREFIX.match(m.group(0))]
    return [m.span() for m in _BSN_TOKEN.finditer(text) if is_valid_bsn(m.group(0))]


def _iban_spans(text: str) -> Iterator[tuple[int, int]]:
    """Valid IBANs: from each start, exactly the registry length of characters, single separators between."""
    cursor = 0
    for start in _IBAN_START.finditer(text):
        if start.start() < cursor:
            continue
        length = IBAN_LENGTHS.get(start.group("country").upper())
        if length is None:
            continue
        end = _iban_end(text, start.start(), length)
        if end is not None and is_valid_iban(text[start.start() : end]):
            cursor = end
            yield start.start(), end


def _iban_end(text: str, start: int, length: int) -> int | None:
    """End of ``length`` letters/digits from ``start`` with at most one space or hyphen between two, or None."""
    count, position = 0, start
    while count < length and position < len(text):
        char = text[position]
        if char.isascii() and char.isalnum():
            count += 1
        elif not (char in " -" and count and position + 1 < len(text) and text[position + 1].isalnum()):
            return None
        position += 1
    if count < length or (position < len(text) and text[position].isalnum()):
        return None
    return position
