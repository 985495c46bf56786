"""Validation as a pure function: typed tables in; accepted rows, quarantined rows and findings out.

1. Table-level rules (columns, types, at least one row) run through the Great
   Expectations suites; any failure stops validation.
2. Row-level rules (allowed values, ranges, unique ids, not-null, date
   sanity) and the reader's parse problems send rows to quarantine with a
   reason per row; too many stop validation.
3. Referential integrity, parents first: a row that points to a missing (or
   quarantined) parent is quarantined too; too many stop validation.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from risico.contract import CONTRACT, Table
from risico.errors import RisicoError
from risico.params import SectionReader
from risico.validate.references import dangling, parent_first

__all__ = ["ValidateParams", "parse_validate_params", "ValidationError", "Validation", "validate_tables", "validate_table",
           "TABLE_FAILURE", "QUARANTINE_LIMIT", "DANGLING_LIMIT", "PROBLEM_COLUMN"]

PROBLEM_COLUMN = "_ingest_problem"
TABLE_FAILURE = ("Validation stopped: table '{table}' breaks the rule '{rule}'{detail}. Table-level rules must hold; "
                 "fix the extract (details in the validation report).")
QUARANTINE_LIMIT = ("Validation stopped: {count:,} of {total:,} rows of table '{table}' ({share:.2%}) break row-level "
                    "rules, more than validate.max_quarantine_share allows ({limit:.2%}). Most common: {reason}.")
DANGLING_LIMIT = ("Validation stopped: {count:,} of {total:,} rows of table '{table}' ({share:.2%}) have a {column} "
                  "that is missing from table '{parent}'; validate.max_dangling_share allows {limit:.2%}.")


class ValidationError(RisicoError):
    """The extract cannot be used: a table-level rule failed or too many rows were rejected."""


@dataclasses.dataclass(frozen=True)
class ValidateParams:
    max_quarantine_share: float
    max_dangling_share: float
    drift_warn_psi: float


def parse_validate_params(values: Mapping[str, Any]) -> ValidateParams:
    r = SectionReader(values, "validate")
    p = ValidateParams(max_quarantine_share=r.share("max_quarantine_share"),
                       max_dangling_share=r.share("max_dangling_share"),
                       drift_warn_psi=r.float("drift_warn_psi", 0.0, 100.0, exclusive_minimum=True))
    r.finish()
    return p


@dataclasses.dataclass(frozen=True)
class Validation:
    accepted: dict[str, pd.DataFrame]
    quarantine: dict[str, pd.DataFrame]          # original columns + "reason"
    suite_results: dict[str, Any]                # table -> SuiteResult
    dangling_counts: dict[str, dict[str, int]]   # table -> column -> rows


def validate_tables(frames: Mapping[str, pd.DataFrame], suites: Mapping[str, dict], params: ValidateParams,
                    *, today: dt.date, contract: Mapping[str, Table] = CONTRACT) -> Validation:
    """Validate every table of ``contract``; raise :class:`ValidationError` when the extract cannot be used."""
    from risico.validate.suites import run_suites

    clean = {name: frames[name].drop(columns=PROBLEM_COLUMN, errors="ignore") for name in contract}
    suite_results = run_suites(clean, {name: suites[name] for name in contract}, today=today)
    for name in contract:
        _raise_on_table_failure(name, suite_results[name])
    accepted: dict[str, pd.DataFrame] = {}
    quarantine: dict[str, pd.DataFrame] = {}
    dangling_counts: dict[str, dict[str, int]] = {}
    for name in parent_first(contract):
        accepted[name], quarantine[name], dangling_counts[name] = _screen_rows(
            frames[name], clean[name], suites[name], contract[name], accepted, params, today=today)
    return Validation(accepted, quarantine, suite_results, dangling_counts)


def validate_table(frame: pd.DataFrame, suite: Mapping[str, Any], spec: Table, parents: Mapping[str, pd.DataFrame],
                   params: ValidateParams, *, today: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One table against its suite, its references resolved in ``parents``: (accepted rows, quarantined rows).

    The same rules as :func:`validate_tables` (a new extract, such as the
    worklist's batch, checked against already validated tables); raises
    :class:`ValidationError` when a table-level rule fails or a limit is passed.
    """
    from risico.validate.suites import run_suite

    clean = frame.drop(columns=PROBLEM_COLUMN, errors="ignore")
    _raise_on_table_failure(spec.name, run_suite(clean, suite, today=today))
    accepted, quarantined, _ = _screen_rows(frame, clean, suite, spec, parents, params, today=today)
    return accepted, quarantined


def _screen_rows(frame: pd.DataFrame, clean: pd.DataFrame, suite: Mapping[str, Any], spec: Table,
                 parents: Mapping[str, pd.DataFrame], params: ValidateParams, *,
                 today: dt.date) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """Row-level rules and references: (accepted, quarantine with a ``reason``, dangling rows per column)."""
    from risico.validate.suites import row_failures

    name = spec.name
    reasons = _combine([frame[PROBLEM_COLUMN] if PROBLEM_COLUMN in frame else None,
                        row_failures(clean, suite, today=today)], frame.index)
    _check_limit(name, reasons, params.max_quarantine_share)
    masks = dangling(clean, spec, parents)
    for column, mask in masks.items():
        _check_dangling(name, column, spec, mask, params.max_dangling_share)
        parent = spec.column(column).references.split(".")[0]
        reasons = _combine([reasons, pd.Series(np.where(mask, f"{column} not found in accepted {parent}", None),
                                               index=frame.index, dtype="str")], frame.index)
    bad = reasons.notna()
    accepted = _final_types(clean[~bad].reset_index(drop=True), spec)
    quarantined = clean[bad].assign(reason=reasons[bad]).reset_index(drop=True)
    return accepted, quarantined, {column: int(mask.sum()) for column, mask in masks.items()}


def _raise_on_table_failure(table: str, result: Any) -> None:
    for outcome in result.results:
        if outcome.level == "table" and not outcome.success:
            examples = ", ".join(str(e) for e in outcome.unexpected_examples[:3])
            detail = f" (found: {examples})" if examples else ""
            raise ValidationError(TABLE_FAILURE.format(table=table, rule=outcome.rule, detail=detail))


def _combine(parts: list[pd.Series | None], index: pd.Index) -> pd.Series:
    """Join the non-empty reasons of each row with '; ' (NaN where there are none)."""
    present = [p.astype("str") for p in parts if p is not None]
    if not present:
        return pd.Series(np.nan, index=index, dtype="str")
    out = present[0]
    for part in present[1:]:
        out = out.where(part.isna(), out.str.cat(part, sep="; ").where(out.notna(), part))
    return out


def _check_limit(table: str, reasons: pd.Series, limit: float) -> None:
    count, total = int(reasons.notna().sum()), len(reasons)
    if total and count / total > limit:
        common = reasons.dropna().str.split("; ").explode().value_counts().index[0]
        raise ValidationError(QUARANTINE_LIMIT.format(count=count, total=total, table=table, share=count / total,
                                                      limit=limit, reason=common))


def _check_dangling(table: str, column: str, spec: Table, mask: pd.Series, limit: float) -> None:
    count, total = int(mask.sum()), len(mask)
    if total and count / total > limit:
        parent = spec.column(column).references.split(".")[0]
        raise ValidationError(DANGLING_LIMIT.format(count=count, total=total, table=table, share=count / total,
                                                    column=column, parent=parent, limit=limit))


_FINAL = {"int": "int64", "bool": "bool"}


def _final_types(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Nullable reading types to the plain types of the contract, once no value is missing."""
    out = frame.copy()
    for col in table.columns:
        target = _FINAL.get(col.kind)
        if target and not col.nullable and out[col.name].dtype != target:
            out[col.name] = out[col.name].astype(target)
        elif col.kind == "datetime":
            out[col.name] = out[col.name].astype("datetime64[ms]")
    return out
