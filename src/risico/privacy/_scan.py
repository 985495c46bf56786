"""The vectorised value scan of one column: ``{kind: (matching rows, first matching token)}``.

Text columns are first narrowed down with one vectorised RE2 regex (pyarrow
compute) over the whole column; only candidate rows are deduplicated
(dictionary encoding, first-appearance order) and examined per distinct
value. Values that are entirely a digit run or a phone number, and free text
whose only candidate is one 9-digit token, are decided vectorised (RE2 plus
a numpy elfproef); only the remaining free text goes through Python's ``re``
with exact token boundaries. Integer and float columns get a vectorised
elfproef. Categorical columns are scanned through their categories, weighted
by how often each occurs. Boolean, datetime, timedelta and other non-text
dtypes are not scanned (their column names still are).
"""

from __future__ import annotations

import logging
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from risico.privacy._checks import (
    BSN_CANDIDATE,
    BSN_PREFILTER,
    EMAIL_CORE,
    EMAIL_TOKEN,
    IBAN_PREFILTER,
    PHONE_CORE,
    RE2_ANY_CANDIDATE,
    RE2_DATE_PREFIX,
    RE2_PURE_DIGITS,
    RE2_PURE_NINE_DIGITS,
    RE2_PURE_PHONE,
    RE2_PURE_SHORT_DIGITS,
    RE2_SINGLE_BSN_TOKEN,
    Kind,
    elfproef,
    find_tokens,
)

__all__ = ["VALUE_KINDS", "Hits", "scan_values"]

logger = logging.getLogger(__name__)

#: per column: kind -> (number of matching rows, the first matching token, unmasked)
Hits = dict[Kind, tuple[int, str]]

VALUE_KINDS: Final[tuple[Kind, ...]] = ("bsn", "bsn_short", "iban", "email", "phone")
_TEXT_KINDS: Final[tuple[Kind, ...]] = ("iban", "phone", "bsn")
_FREE_TEXT_KINDS: Final[tuple[Kind, ...]] = ("email", *_TEXT_KINDS)
_TEXT_PREFILTERS: Final[dict[Kind, str]] = {"iban": IBAN_PREFILTER, "phone": PHONE_CORE, "bsn": BSN_CANDIDATE}
_BSN_RANGE: Final[tuple[int, int]] = (100_000_000, 999_999_999)
_SHORT_BSN_RANGE: Final[tuple[int, int]] = (1_000_000, 99_999_999)


def scan_values(series: pd.Series, *, short_bsn: bool) -> Hits:
    """Scan one column; ``short_bsn`` also looks for 7- and 8-digit BSNs (identifier-like columns only)."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return _scan_categorical(series, short_bsn)
    if isinstance(dtype, pd.ArrowDtype):
        return _scan_arrow(series, short_bsn)
    if dtype.kind in "iuf":
        return _scan_numeric(_as_float(series), None, short_bsn)
    if isinstance(dtype, pd.StringDtype):
        return _scan_text(_arrow_strings(series.array), None, short_bsn)
    if dtype.kind == "O":
        return _scan_object(series, short_bsn)
    logger.debug("privacy scan skips dtype %s", dtype)
    return {}


def _scan_arrow(series: pd.Series, short_bsn: bool) -> Hits:
    arrow_type = series.dtype.pyarrow_dtype
    if pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type):
        return _scan_numeric(_as_float(series), None, short_bsn)
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return _scan_text(_arrow_strings(series.array), None, short_bsn)
    logger.debug("privacy scan skips arrow type %s", arrow_type)
    return {}


def _scan_categorical(series: pd.Series, short_bsn: bool) -> Hits:
    categories = series.cat.categories
    codes = series.cat.codes.to_numpy()
    weights = np.bincount(codes[codes >= 0], minlength=len(categories))
    present = weights > 0
    values = pd.Series(categories[present])
    weights = weights[present]
    if values.dtype.kind in "iuf":
        return _scan_numeric(_as_float(values), weights, short_bsn)
    if values.dtype.kind in "bmM":
        return {}
    return _scan_text(_texts_to_arrow(values.to_list()), weights, short_bsn)


def _scan_object(series: pd.Series, short_bsn: bool) -> Hits:
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    weights = np.bincount(codes[codes >= 0], minlength=len(uniques))
    return _scan_text(_texts_to_arrow(list(uniques)), weights, short_bsn)


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


def _scan_numeric(values: np.ndarray, weights: np.ndarray | None, short_bsn: bool) -> Hits:
    """Vectorised elfproef on integral values of 9 digits (and of 7-8 digits with ``short_bsn``)."""
    ranges: dict[Kind, tuple[int, int]] = {"bsn": _BSN_RANGE}
    if short_bsn:
        ranges["bsn_short"] = _SHORT_BSN_RANGE
    hits: Hits = {}
    for kind, (low, high) in ranges.items():
        with np.errstate(invalid="ignore"):
            positions = np.flatnonzero((values >= low) & (values <= high))
        selected = values[positions]
        integral = selected == np.floor(selected)
        positions, selected = positions[integral], selected[integral]
        matched = positions[elfproef(selected.astype(np.int64))]
        if matched.size:
            count = int(weights[matched].sum()) if weights is not None else int(matched.size)
            hits[kind] = (count, str(int(values[matched[0]])))
    return hits


# --------------------------------------------------------------------------
# Text columns
# --------------------------------------------------------------------------


def _scan_text(texts: pa.Array, weights: np.ndarray | None, short_bsn: bool) -> Hits:
    """Scan string values; ``weights`` gives the row count per value (or 1).

    One RE2 pass over all values keeps only candidates; those are then
    deduplicated (first-appearance order) and examined per distinct value.
    """
    pattern = RE2_ANY_CANDIDATE + ("|" + RE2_PURE_SHORT_DIGITS if short_bsn else "")
    candidate = _re2_mask(texts, pattern)
    if not candidate.any():
        return {}
    encoded = pc.dictionary_encode(texts.filter(pa.array(candidate)))
    uniques = encoded.dictionary
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    row_weights = None if weights is None else weights[candidate]
    counts = np.bincount(codes, weights=row_weights, minlength=len(uniques))
    return _scan_uniques(uniques, counts.astype(np.int64), short_bsn)


def _scan_uniques(uniques: pa.Array, counts: np.ndarray, short_bsn: bool) -> Hits:
    """Detect every kind in distinct candidate strings; ``counts`` are row counts."""
    masks = {kind: np.zeros(len(uniques), dtype=bool) for kind in VALUE_KINDS}
    masks["email"] = _re2_mask(uniques, EMAIL_CORE)
    # whole value is a 9-digit number (7-8 digits in identifier-like columns) or a phone number: vectorised
    pure_bsn = _re2_mask(uniques, RE2_PURE_NINE_DIGITS)
    masks["bsn"][pure_bsn] = _elfproef_strings(uniques.filter(pa.array(pure_bsn)))
    if short_bsn:
        pure_short = _re2_mask(uniques, RE2_PURE_SHORT_DIGITS)
        masks["bsn_short"][pure_short] = _elfproef_strings(uniques.filter(pa.array(pure_short)))
    pure_phone = _re2_mask(uniques, RE2_PURE_PHONE) & ~_re2_mask(uniques, RE2_DATE_PREFIX)
    masks["phone"] = pure_phone

    # a bare digit run is fully decided by the vectorised checks above
    unresolved = ~(pure_phone | _re2_mask(uniques, RE2_PURE_DIGITS))
    prefilters: dict[Kind, np.ndarray] = {
        kind: _re2_mask(uniques, pattern) & unresolved for kind, pattern in _TEXT_PREFILTERS.items()
    }
    prefilters["email"] = masks["email"]
    _scan_single_bsn_tokens(uniques, prefilters, masks)
    _scan_free_text(uniques, prefilters, masks)

    results: Hits = {}
    for kind in VALUE_KINDS:
        if masks[kind].any():
            first = int(np.argmax(masks[kind]))
            results[kind] = (int(counts[masks[kind]].sum()), _example_token(kind, uniques[first].as_py()))
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
    single = pc.equal(pc.count_substring_regex(texts, BSN_PREFILTER), 1)
    extracted = pc.extract_regex(texts, RE2_SINGLE_BSN_TOKEN)
    decided = _to_bool(pc.and_(single, extracted.is_valid()))
    tokens = pc.struct_field(extracted, "token").filter(pa.array(decided))
    masks["bsn"][positions[decided]] = _elfproef_strings(tokens)
    prefilters["bsn"][positions[decided]] = False


def _scan_free_text(
    uniques: pa.Array, prefilters: dict[Kind, np.ndarray], masks: dict[Kind, np.ndarray]
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
    remaining = EMAIL_TOKEN.sub(lambda match: " " * len(match.group(0)), text) if "email" in kinds else text
    found: dict[Kind, str] = {}
    for kind in _TEXT_KINDS:
        if kind not in kinds:
            continue
        spans = find_tokens(kind, remaining)
        if spans:
            found[kind] = remaining[spans[0][0] : spans[0][1]]
            remaining = _blank_spans(remaining, spans)
    return found


def _example_token(kind: Kind, text: str) -> str:
    """The matching token inside ``text`` (unmasked; callers mask it)."""
    if kind == "email":
        match = EMAIL_TOKEN.search(text)
        return match.group(0) if match else text
    return _detect_in_text(text).get(kind, text.strip(" \t"))


def _elfproef_strings(values: pa.Array) -> np.ndarray:
    if len(values) == 0:
        return np.zeros(0, dtype=bool)
    trimmed = pc.utf8_trim(values, characters=" \t")
    numbers = pc.cast(trimmed, pa.int64()).to_numpy(zero_copy_only=False)
    return elfproef(numbers)


def _re2_mask(texts: pa.Array, pattern: str) -> np.ndarray:
    return _to_bool(pc.match_substring_regex(texts, pattern))


def _to_bool(mask: pa.Array) -> np.ndarray:
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False)


def _blank_spans(text: str, spans: list[tuple[int, int]]) -> str:
    pieces: list[str] = []
    cursor = 0
    for start, end in spans:
        pieces.append(text[cursor:start])
        pieces.append(" " * (end - start))
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)
