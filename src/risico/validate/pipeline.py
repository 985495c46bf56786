"""The validation stage as one pure function: the ingested tables, suites and parsed params in, every output
in memory.

:func:`validate_pipeline` checks the suites against the vocabularies, validates the tables
(:func:`risico.validate.core.validate_tables`), measures drift against the reference tables, splits the
protected columns off the accepted rows and renders the report. When validation stops, the result holds
the error and a report that says why, and no data. Reading and writing are in :mod:`risico.validate.stage`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

import pandas as pd

from risico.contract import CONTRACT, Table
from risico.texts import Language
from risico.validate import report
from risico.validate.core import ValidateParams, ValidationError, validate_tables
from risico.validate.drift import drift_table
from risico.validate.suites import check_vocabularies

__all__ = ["ValidateSettings", "ValidateInputs", "ValidateResult", "validate_pipeline", "id_columns"]

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class ValidateSettings:
    """The stage's parsed params: the ``validate`` section, the contract with the ``vocabularies`` section's
    codes, the report's language, and the params file (named in messages)."""

    validate: ValidateParams
    contract: Mapping[str, Table]
    language: Language
    params_file: str = "params.yaml"


@dataclasses.dataclass(frozen=True)
class ValidateInputs:
    """What the stage read: the ingested tables, ingest's manifest, the suites, the reference tables found
    (for drift; ``reference_name`` names their folder in the report) and the day the rules count as today."""

    frames: Mapping[str, pd.DataFrame]
    manifest: Mapping[str, Any]
    suites: Mapping[str, dict]
    reference: Mapping[str, pd.DataFrame]
    reference_name: str
    today: dt.date


@dataclasses.dataclass(frozen=True)
class ValidateResult:
    """Every output of the stage. ``summary`` and ``page``: the report (always); ``interim``, ``protected`` and
    ``quarantine``: the tables per name (empty when validation stopped); ``metrics``: None when it stopped;
    ``error``: why it stopped (raised by the stage once the report is written)."""

    summary: dict[str, Any]
    page: str
    interim: dict[str, pd.DataFrame] = dataclasses.field(default_factory=dict)
    protected: dict[str, pd.DataFrame] = dataclasses.field(default_factory=dict)
    quarantine: dict[str, pd.DataFrame] = dataclasses.field(default_factory=dict)
    metrics: dict[str, Any] | None = None
    error: ValidationError | None = None


def validate_pipeline(inputs: ValidateInputs, settings: ValidateSettings) -> ValidateResult:
    """Validated tables without protected columns, the protected columns apart, the quarantine, the report
    and the metrics of ``inputs``; a result with only the error and its report when validation stops.

    Raises
    ------
    risico.validate.suites.StaleSuiteError
        The suites were written for other vocabularies than the params' (nothing is worth reporting then).
    """
    params, frames = settings.validate, inputs.frames
    check_vocabularies(inputs.suites, settings.contract, params=settings.params_file)
    try:
        validation = validate_tables(frames, inputs.suites, params, today=inputs.today, contract=settings.contract)
    except ValidationError as exc:
        summary = report.summary({}, None, None, str(exc), params.drift_warn_psi)
        return ValidateResult(summary, _page(summary, None, inputs, None, None, settings), error=exc)
    drift = drift_table(inputs.reference, validation.accepted, skip=id_columns())
    counts = {name: {"rows": len(frames[name]), "accepted": len(validation.accepted[name]),
                     "quarantined": len(validation.quarantine[name])} for name in CONTRACT}
    summary = report.summary(counts, validation.suite_results, drift, None, params.drift_warn_psi)
    for warning in summary["drift_warnings"]:
        log.warning("drift: %s.%s moved (PSI %.2f)", warning["table"], warning["column"], warning["psi"])
    for name, c in counts.items():
        if c["quarantined"]:
            log.warning("%s: %d of %d rows quarantined", name, c["quarantined"], c["rows"])
    interim, protected = _split_protected(validation.accepted)
    metrics = {"tables": counts, "rows_quarantined": summary["rows_quarantined"],
               "drift_warnings": len(summary["drift_warnings"]),
               "max_psi": round(float(drift["psi"].max()), 4) if len(drift) else 0.0}
    page = _page(summary, validation.suite_results, inputs, drift, validation.quarantine, settings)
    return ValidateResult(summary, page, interim, protected, dict(validation.quarantine), metrics)


def _split_protected(accepted: Mapping[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame],
                                                                     dict[str, pd.DataFrame]]:
    """The accepted tables without their protected columns, and those columns with the row's id (only for
    tables that have any)."""
    interim, protected = {}, {}
    for name, table in CONTRACT.items():
        frame = accepted[name]
        hidden = [c.name for c in table.columns if c.protected]
        interim[name] = frame.drop(columns=hidden)
        if hidden:
            protected[name] = frame[[table.columns[0].name, *hidden]]
    return interim, protected


def _page(summary: Mapping[str, Any], suite_results: Mapping[str, Any] | None, inputs: ValidateInputs,
          drift: pd.DataFrame | None, quarantine: Mapping[str, pd.DataFrame] | None,
          settings: ValidateSettings) -> str:
    return report.render(summary, suite_results, inputs.manifest, drift, quarantine, language=settings.language,
                         reference=inputs.reference_name, drift_warn_psi=settings.validate.drift_warn_psi)


def id_columns() -> dict[str, tuple[str, ...]]:
    """Columns not to compare for drift: ids and references (every value is new in a new extract)."""
    return {name: tuple(c.name for c in t.columns if c.unique or c.references or c.name.endswith("_id"))
            for name, t in CONTRACT.items()}
