"""``audit-scores --stage``: the same audit per stage of any table, and the alarms when a bias flips direction.

A pilot's outcomes beside the training period's are where a bias that changes direction shows. Every stage
is audited with the rows the whole table's cut-off selects (one ``--top-k`` or ``--threshold`` for all: the
k-th highest score of the table is the cut-off score in every stage) and the whole table's reference groups,
so that consecutive stages compare the same ratios. The flip rule and its evidence are in
:func:`risico.audit.verdict.direction_flips`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from risico.audit.engine import SEPARATOR, AuditParams
from risico.audit.io import AuditInputError, ScoredTable
from risico.audit.run import TableAudit
from risico.audit.verdict import direction_flips, flip_findings
from risico.texts import Language

__all__ = ["stage_order", "stage_audits", "subset", "UNKNOWN_STAGE", "MISSING_STAGE"]

UNKNOWN_STAGE = "Option --stage-order: stage {stage!r} is not a value of column '{column}'. Values: {values}."
MISSING_STAGE = ("Option --stage-order: stage {stage!r} of column '{column}' is not listed. List every stage once: "
                 "{values}.")

Assess = Callable[..., TableAudit]


def stage_order(stages: pd.Series, column: str, order: Sequence[str] | None) -> list[str]:
    """The stages in the order given (each value of ``stages`` exactly once), or sorted by name."""
    values = sorted(stages.unique())
    if order is None:
        return values
    shown = ", ".join(values[:12]) + (", ..." if len(values) > 12 else "")
    for stage in order:
        if stage not in values:
            raise AuditInputError(UNKNOWN_STAGE.format(stage=stage, column=column, values=shown))
    for stage in values:
        if stage not in order:
            raise AuditInputError(MISSING_STAGE.format(stage=stage, column=column, values=shown))
    return list(dict.fromkeys(order))


def subset(table: ScoredTable, rows: np.ndarray) -> ScoredTable:
    """The table's rows where ``rows`` is true (every per-row field cut alike)."""
    def cut(value):
        if value is None:
            return None
        if isinstance(value, (pd.Series, pd.DataFrame)):
            return value[rows].reset_index(drop=True)
        return np.asarray(value)[rows]
    return dataclasses.replace(table, **{f.name: cut(getattr(table, f.name)) for f in dataclasses.fields(table)
                                         if f.name != "duplicates"})


def stage_audits(table: ScoredTable, params: AuditParams, selected: np.ndarray, order: Sequence[str],
                 references: dict[str, str], assess: Assess, language: Language) -> tuple[dict, list[dict]]:
    """``{"stages": [...], "alarms": [...]}`` for ``audit.json`` and a dilemma per alarm.

    ``assess`` is :func:`risico.audit.run.assess_table` or, without outcomes,
    :func:`risico.audit.unlabelled.assess_unlabelled`; ``references`` the whole table's reference per attribute
    (an attribute whose reference is missing in a stage falls back to that stage's largest group).
    """
    records = []
    for stage in order:
        rows = (table.stage == stage).to_numpy()
        part = subset(table, rows)
        audit = assess(part, params, selected=selected[rows], reference=_present(part, references),
                       language=language)
        records.append({"stage": stage, "n": int(rows.sum()), "groups": audit.numbers["groups"],
                        "disparities": audit.numbers["disparities"]})
    alarms = direction_flips(records)
    return {"stages": records, "alarms": alarms}, flip_findings(alarms, language, params.tolerance)


def _present(table: ScoredTable, references: dict[str, str]) -> dict[str, str]:
    """The references that name a group present in ``table`` (intersections by their joined labels)."""
    out = {}
    for attribute, group in references.items():
        names = attribute.split(SEPARATOR)
        if not all(n in table.sensitive.columns for n in names):
            continue
        labels = table.sensitive[names[0]].astype("str")
        for name in names[1:]:
            labels = labels + SEPARATOR + table.sensitive[name].astype("str")
        if (labels == group).any():
            out[attribute] = group
    return out
