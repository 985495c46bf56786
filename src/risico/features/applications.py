"""One row per application at its decision date, built only from what was known then.

:func:`build_application_features` is the pure core of the ``features`` stage:
tables in, a :class:`FeatureSet` out, no files. The model inputs ``X`` never
hold a protected attribute, an id or a label; the protected attributes travel
beside them in ``FeatureSet.protected`` for the fairness audit only. Every
feature is documented, with its justification and proxy risk, in
``docs/features.md``.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from risico.contract import protected_columns
from risico.errors import RisicoError
from risico.features._groups import (FEATURE_GROUPS, GROUP_BUILDERS, DanglingReferenceError, day_numbers, lookup,
                                     month_numbers)
from risico.params import BAD_VALUE, ParamError, SectionReader

__all__ = [
    "FeatureError",
    "FeatureParams",
    "FeatureSet",
    "GROUPS",
    "FEATURE_GROUPS",
    "INPUT_TABLES",
    "build_application_features",
    "feature_matrix",
    "parse_feature_params",
]

log = logging.getLogger(__name__)

SECTION = "features"
GroupName = Literal["application", "small_triangle", "large_triangle", "provider"]
#: The feature groups, in the order their columns appear in ``X``.
GROUPS: tuple[str, ...] = tuple(FEATURE_GROUPS)
#: Every table the function may read; ``protected_persons`` feeds only ``FeatureSet.protected``.
INPUT_TABLES: tuple[str, ...] = ("applications", "households", "persons", "addresses", "providers", "declarations",
                                 "investigations", "protected_persons")
#: Columns each input table must have.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "applications": ("application_id", "household_id", "person_id", "address_id", "scheme", "application_date",
                     "decision_date", "awarded", "previous_applications", "amount_monthly",
                     "authorised_hours_month", "declared_income_monthly", "declared_assets", "cost_sharers",
                     "days_since_relocation", "appointment_no_shows", "income_changes_12m", "intermediary_id",
                     "provider_id"),
    "households": ("household_id", "address_id"),
    "persons": ("person_id", "household_id", "role"),
    "addresses": ("address_id", "floor_area_m2", "persons_registered", "households_registered",
                  "room_rental_permit", "fire_safety_findings", "is_care_location"),
    "providers": ("provider_id", "kvk_registration_date", "end_date", "end_reason", "legal_form", "n_staff",
                  "has_quality_certificate", "vog_coverage", "bank_guarantee", "staff_trained_share",
                  "location_address_id", "director_id"),
    "declarations": ("provider_id", "application_id", "month", "hours_billed"),
    "investigations": ("investigation_id", "subject_type", "application_id", "start_date", "route", "outcome"),
    "protected_persons": ("person_id",),
}
FINDINGS = ("error", "fraud")

MISSING_TABLE = "The features stage needs table '{table}' but it was not given. Given: {given}."
MISSING_COLUMN = "Table '{table}' has no column '{column}'. The features stage needs: {needed}."
PROTECTED_INPUT = ("Table '{table}' holds protected column '{column}'. Protected columns may reach the features "
                   "stage only in table 'protected_persons' (the validate stage writes them to data/protected/).")
DUPLICATE_KEY = "Table '{table}' has {count} duplicate value(s) in '{column}', e.g. {example!r}. It must be unique."
EMPTY_DATE = "Table '{table}' has {count} empty value(s) in '{column}'. Every row needs a date there."
DECIDED_BEFORE_RECEIVED = ("Table 'applications' has {count} row(s) with decision_date before application_date, "
                           "e.g. {example!r}. A decision is taken on or after the date the application arrived.")


class FeatureError(RisicoError, ValueError):
    """The input tables cannot give honest features: a table, column or key is missing or wrong."""


@dataclasses.dataclass(frozen=True)
class FeatureParams:
    """The ``features`` section of ``params.yaml``.

    Attributes
    ----------
    groups : tuple of str
        Feature groups to build, a non-empty subset of :data:`GROUPS`, kept in
        the canonical order of :data:`GROUPS`.
    """

    groups: tuple[GroupName, ...]


def parse_feature_params(values: Mapping[str, Any]) -> FeatureParams:
    """Parse and check the ``features`` section.

    Raises
    ------
    risico.params.ParamError
        On a missing, unknown or out-of-range value.

    Examples
    --------
    >>> parse_feature_params({"groups": ["provider", "application"]}).groups
    ('application', 'provider')
    """
    return FeatureParams(groups=parse_groups(values, SECTION, GROUPS))  # type: ignore[arg-type]


def parse_groups(values: Mapping[str, Any], section: str, groups: tuple[str, ...], *,
                 default: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The ``groups`` key of a features section: a non-empty subset of ``groups``, in their canonical order
    (``default`` when the key is absent and a default is given); no other key is allowed."""
    r = SectionReader(values, section)
    chosen = default if default is not None and "groups" not in values else r.subset("groups", groups)
    if not chosen:
        raise ParamError(BAD_VALUE.format(key="groups", section=section, value=list(chosen),
                                          allowed="a non-empty list of distinct values from " + ", ".join(groups)))
    r.finish()
    return tuple(g for g in groups if g in chosen)


@dataclasses.dataclass(frozen=True)
class FeatureSet:
    """Model inputs and everything that must stay beside them, one row per application.

    Attributes
    ----------
    X : DataFrame
        Feature columns only, index ``application_id``, rows in the order of
        ``applications``. Never a protected attribute, an id or a label.
    meta : DataFrame
        ``application_id``, ``household_id``, ``person_id``, ``as_of`` (the
        decision date), ``application_date`` and ``period`` (``YYYY-MM`` of the
        application date): for splits and the worklist, not for learning.
    labels : DataFrame
        ``application_id``, ``investigated``, ``route`` and ``observed``
        (1.0 error or fraud found, 0.0 nothing found, NaN not investigated).
    protected : DataFrame
        ``application_id`` and the applicant's protected attributes, for the
        fairness audit only.
    groups : dict of str to str
        Feature name -> feature group.
    """

    X: pd.DataFrame
    meta: pd.DataFrame
    labels: pd.DataFrame
    protected: pd.DataFrame
    groups: dict[str, str]


def build_application_features(tables: Mapping[str, pd.DataFrame], params: FeatureParams) -> FeatureSet:
    """Build the features of every application at its decision date.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        The validated tables (``data/interim/``) without protected columns,
        plus ``protected_persons`` (``person_id`` and the protected columns,
        from ``data/protected/persons``). Only the tables the chosen groups
        need are read; the inputs are not changed.
    params : FeatureParams
        Which feature groups to build.

    Returns
    -------
    FeatureSet

    Raises
    ------
    FeatureError
        If a needed table or column is missing, a key is not unique, a
        reference does not resolve, a date is empty, or a table other than
        ``protected_persons`` holds a protected column.
    """
    check_inputs(tables, params)
    apps = tables["applications"].reset_index(drop=True)
    X, groups = _feature_matrix(apps, tables, params)
    return FeatureSet(X=X, meta=application_meta(apps), labels=application_labels(apps, tables["investigations"]),
                      protected=applicant_protected(apps, tables["protected_persons"]), groups=groups)


def feature_matrix(tables: Mapping[str, pd.DataFrame], params: FeatureParams) -> pd.DataFrame:
    """Only ``X`` of :func:`build_application_features`, without labels or protected attributes (for scoring).

    ``tables`` need not hold ``protected_persons``; ``investigations`` only when a chosen group reads it.
    """
    check_inputs(tables, params, scoring=True)
    return _feature_matrix(tables["applications"].reset_index(drop=True), tables, params)[0]


def _feature_matrix(apps: pd.DataFrame, tables: Mapping[str, pd.DataFrame],
                    params: FeatureParams) -> tuple[pd.DataFrame, dict[str, str]]:
    as_of = day_numbers(apps["decision_date"])
    parts, groups = [], {}
    for group in params.groups:
        builder, _ = GROUP_BUILDERS[group]
        try:
            part = builder(apps, tables, as_of)
        except DanglingReferenceError as exc:
            raise FeatureError(str(exc)) from None
        parts.append(part[list(FEATURE_GROUPS[group])])
        groups.update(dict.fromkeys(FEATURE_GROUPS[group], group))
    X = pd.concat(parts, axis=1)
    X.index = pd.Index(apps["application_id"].astype("str"), name="application_id")
    log.info("built %d features for %d applications (groups: %s)", X.shape[1], len(X), ", ".join(params.groups))
    return X, groups


def check_inputs(tables: Mapping[str, pd.DataFrame], params: FeatureParams, *, scoring: bool = False) -> None:
    """Raise :class:`FeatureError` on the first problem that would make the features wrong.

    ``scoring``: only the tables the feature groups read are needed (no labels, no protected attributes).
    """
    needed = ["applications"] if scoring else ["applications", "investigations", "protected_persons"]
    for group in params.groups:
        needed += [t for t in GROUP_BUILDERS[group][1] if t not in needed]
    for table in needed:
        if table not in tables:
            raise FeatureError(MISSING_TABLE.format(table=table, given=", ".join(sorted(tables)) or "none"))
        for column in REQUIRED_COLUMNS[table]:
            if column not in tables[table].columns:
                raise FeatureError(MISSING_COLUMN.format(table=table, column=column,
                                                         needed=", ".join(REQUIRED_COLUMNS[table])))
    hidden = {c for columns in protected_columns().values() for c in columns}
    for table in needed:
        if table == "protected_persons":
            continue
        for column in tables[table].columns:
            if column in hidden:
                raise FeatureError(PROTECTED_INPUT.format(table=table, column=column))
    for table, column in (("applications", "application_id"),
                          *([] if scoring else [("protected_persons", "person_id")]),
                          *[(t, k) for t, k in (("households", "household_id"), ("addresses", "address_id"),
                                                ("providers", "provider_id")) if t in needed]):
        check_unique(tables[table], table, column)
    apps = tables["applications"]
    for column in ("application_date", "decision_date"):
        empty = int(apps[column].isna().sum())
        if empty:
            raise FeatureError(EMPTY_DATE.format(table="applications", column=column, count=empty))
    early = (apps["decision_date"] < apps["application_date"]).to_numpy()
    if early.any():
        raise FeatureError(DECIDED_BEFORE_RECEIVED.format(
            count=int(early.sum()), example=str(apps["application_id"].to_numpy()[early][0])))


def check_unique(frame: pd.DataFrame, table: str, column: str) -> None:
    """Raise :class:`FeatureError` naming a duplicate when ``column`` of ``table`` is not unique."""
    if pc.count_distinct(pa.array(frame[column], from_pandas=True), mode="all").as_py() == len(frame):
        return
    duplicated = frame[column].duplicated()
    example = frame.loc[duplicated, column].iloc[0]
    raise FeatureError(DUPLICATE_KEY.format(table=table, column=column, count=int(duplicated.sum()),
                                            example=example))


def application_meta(apps: pd.DataFrame) -> pd.DataFrame:
    """Ids and dates of each application (not model inputs): for splits, the audit and the worklist."""
    months = month_numbers(apps["application_date"])
    unique, where = np.unique(months, return_inverse=True)
    names = np.asarray([f"{m // 12 + 1970:04d}-{m % 12 + 1:02d}" for m in unique], dtype=object)
    return pd.DataFrame({
        "application_id": apps["application_id"].astype("str"),
        "household_id": apps["household_id"].astype("str"),
        "person_id": apps["person_id"].astype("str"),
        "as_of": apps["decision_date"],
        "application_date": apps["application_date"],
        "period": pd.Series(names[where.reshape(-1)] if len(unique) else [], dtype="str", index=apps.index),
    })


def application_labels(apps: pd.DataFrame, investigations: pd.DataFrame) -> pd.DataFrame:
    """Whether each application was investigated, by which route, and what was found.

    With several investigations of one application, ``route`` is that of the
    earliest and ``observed`` is 1.0 when any of them found an error or fraud.
    """
    inv = investigations.loc[(investigations["subject_type"] == "application").to_numpy()
                             & investigations["application_id"].notna().to_numpy(),
                             ["application_id", "investigation_id", "start_date", "route", "outcome"]]
    inv = inv.sort_values(["start_date", "investigation_id"], kind="stable")
    inv = inv.assign(found=inv["outcome"].isin(FINDINGS).to_numpy(dtype=np.float64))
    per_app = inv.groupby("application_id", sort=False).agg(route=("route", "first"), observed=("found", "max"))
    row = lookup(per_app.index.to_series(), apps["application_id"])
    observed = np.append(per_app["observed"].to_numpy(dtype=np.float64), np.nan)[row]
    route = np.append(per_app["route"].to_numpy(dtype=object), np.nan)[row]
    return pd.DataFrame({
        "application_id": apps["application_id"].astype("str"),
        "investigated": ~np.isnan(observed),
        "route": pd.array(route, dtype="str"),
        "observed": observed,
    })


def applicant_protected(apps: pd.DataFrame, protected_persons: pd.DataFrame) -> pd.DataFrame:
    """The applicant's protected attributes per application, for the fairness audit only."""
    row = lookup(protected_persons["person_id"], apps["person_id"])
    if (row < 0).any():
        log.warning("%d of %d applicants have no row in protected_persons; their protected attributes are empty",
                    int((row < 0).sum()), len(row))
    attributes = protected_persons.drop(columns="person_id").reset_index(drop=True)
    out = attributes.reindex(row).reset_index(drop=True)
    out.insert(0, "application_id", apps["application_id"].astype("str").to_numpy())
    return out
