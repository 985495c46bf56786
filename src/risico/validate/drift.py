"""Distribution drift between a new extract and a reference, as population stability index (PSI).

PSI = sum over bins of (p_new - p_ref) * ln(p_new / p_ref). Numbers are binned
at the reference's deciles, text and booleans by value (rare values pooled),
dates by month. Rules of thumb: < 0.1 stable, 0.1-0.25 moderate, > 0.25 a
marked shift. Drift is a warning for the analyst, never a stop.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["psi", "column_psi", "drift_table"]

EPSILON = 1e-4
N_BINS = 10
MAX_CATEGORIES = 30


def psi(expected: np.ndarray, actual: np.ndarray) -> float:
    """PSI between two vectors of bin shares (each summing to 1)."""
    e = np.maximum(np.asarray(expected, dtype=float), EPSILON)
    a = np.maximum(np.asarray(actual, dtype=float), EPSILON)
    return float(np.sum((a - e) * np.log(a / e)))


def column_psi(reference: pd.Series, current: pd.Series) -> float:
    """PSI of one column; missing values form their own bin.

    >>> column_psi(pd.Series([1, 2, 3, 4] * 25), pd.Series([1, 2, 3, 4] * 25))
    0.0
    """
    if pd.api.types.is_datetime64_any_dtype(reference):
        return _categorical_psi(_months(reference), _months(current))
    if pd.api.types.is_bool_dtype(reference) or not pd.api.types.is_numeric_dtype(reference):
        return _categorical_psi(reference, current)
    ref = reference.to_numpy(dtype=float, na_value=np.nan)
    cur = current.to_numpy(dtype=float, na_value=np.nan)
    edges = np.unique(np.nanquantile(ref, np.linspace(0, 1, N_BINS + 1)[1:-1])) if np.isfinite(ref).any() else []
    return psi(_binned(ref, edges), _binned(cur, edges))


def _months(values: pd.Series) -> pd.Series:
    """Calendar month as a number (missing stays missing)."""
    months = values.to_numpy().astype("datetime64[M]").astype("int64").astype(float)
    months[values.isna().to_numpy()] = np.nan
    return pd.Series(months)


def _binned(values: np.ndarray, edges) -> np.ndarray:
    missing = np.isnan(values)
    counts = np.bincount(np.searchsorted(edges, values[~missing], side="right"), minlength=len(edges) + 1)
    shares = np.append(counts, missing.sum()).astype(float)
    return shares / max(values.size, 1)


def _categorical_psi(reference: pd.Series, current: pd.Series) -> float:
    """Shares per value; values beyond the reference's ``MAX_CATEGORIES`` most common are pooled."""
    ref_counts = reference.value_counts(dropna=False)
    cur_counts = current.value_counts(dropna=False)
    keep = ref_counts.index[:MAX_CATEGORIES]
    ref = _pooled(ref_counts, keep, len(reference))
    cur = _pooled(cur_counts, keep, len(current))
    return psi(ref, cur)


def _pooled(counts: pd.Series, keep: pd.Index, total: int) -> np.ndarray:
    kept = counts.reindex(keep, fill_value=0).to_numpy(dtype=float)
    return np.append(kept, total - kept.sum()) / max(total, 1)


def drift_table(reference: Mapping[str, pd.DataFrame], current: Mapping[str, pd.DataFrame],
                skip: Mapping[str, tuple[str, ...]] | None = None) -> pd.DataFrame:
    """PSI per table and column present in both, largest first.

    ``skip`` names columns per table not to compare (ids: every value is new).
    """
    rows = []
    for table, frame in current.items():
        if table not in reference:
            continue
        ignored = set((skip or {}).get(table, ()))
        for column in frame.columns:
            if column in reference[table].columns and column not in ignored:
                rows.append((table, column, column_psi(reference[table][column], frame[column])))
    out = pd.DataFrame(rows, columns=["table", "column", "psi"])
    return out.sort_values(["psi", "table", "column"], ascending=[False, True, True], ignore_index=True)
