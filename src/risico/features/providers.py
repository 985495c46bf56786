"""One row per care provider per calendar quarter, built only from what was known when the quarter began.

Care providers (zorgaanbieders) are the second unit of analysis (issue 7).
:func:`build_provider_features` is the pure core of the ``provider-features``
stage: tables in, a :class:`ProviderFeatureSet` out, no files. It mirrors
:func:`risico.features.build_application_features`, so the train, evaluate and
audit machinery can later read its outputs the same way.

Design
------
* **Rows.** Every provider *active* in a quarter, for every calendar quarter
  from the first quarter of the applications period (the earliest
  ``applications.application_date``) to the last. Active: registered at the
  KvK before the quarter ends, and not ended before it starts. Rows are
  ordered by quarter, then ``provider_id``, whatever the order of the inputs.
* **Point in time.** ``as_of`` is the first day of the quarter, and only
  records dated *strictly before* ``as_of`` are read: applications received
  before it, declarations of months before it (those months have ended),
  providers that ended before it. Because ``as_of`` is the first day of a
  month, "month < as_of" and "month ended before as_of" are the same.
* **Dense grids, no row loops.** Everything that depends on the quarter is
  computed on a provider x quarter grid. A declaration of month ``m`` feeds
  the four quarters that start after ``m`` (its "previous four quarters"
  window), so each one is repeated four times and summed with
  ``np.bincount``; counts "before as_of" of applications use
  :func:`risico.features._groups.count_before`. Sums run in one canonical
  order, so the same records in another row order give the same bits.
* **Apart.** ``X`` never holds an id, a label or a protected attribute. The
  fairness groups of the provider and the protected attributes of its clients
  travel in ``protected``, for the audit only. Every feature is documented,
  with its justification and proxy risk, in ``docs/features.md``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from risico.absences import absent_days_by_month, absent_days_of, days_in_month
from risico.contract import protected_columns
from risico.features._groups import (FAILED_END_REASONS, GROWTH_CAP, DanglingReferenceError, count_before,
                                     day_numbers, lookup, month_numbers, positions)
from risico.features.applications import FINDINGS, FeatureError, check_unique, parse_groups

__all__ = [
    "AGE_BANDS",
    "FEATURE_GROUPS",
    "GROUPS",
    "INPUT_TABLES",
    "OPTIONAL_TABLES",
    "PROTECTED_COLUMNS",
    "SECTION",
    "SIZE_BANDS",
    "ProviderFeatureParams",
    "ProviderFeatureSet",
    "build_provider_features",
    "parse_provider_feature_params",
    "quarter_label",
    "provider_feature_matrix",
]

log = logging.getLogger(__name__)

SECTION = "provider_features"
ProviderGroupName = Literal["contracting", "billing", "location", "network"]

#: group name -> its feature columns, in X's column order.
FEATURE_GROUPS: dict[str, tuple[str, ...]] = {
    "contracting": ("has_quality_certificate", "vog_coverage", "bank_guarantee", "staff_trained_share",
                    "days_registered", "legal_form", "n_staff"),
    "billing": ("has_billing_history", "clients_billed_prev_quarter", "billing_ratio", "hours_per_client_month",
                "hours_vs_norm", "client_growth", "clients_per_address", "max_clients_one_address",
                "absence_client_months", "absence_billing_share"),
    "location": ("location_fire_safety_findings", "location_room_rental_permit", "location_persons_per_10m2"),
    "network": ("director_failed_before", "director_other_providers", "address_failed_before",
                "client_applications", "intermediary_client_share", "n_intermediaries", "clients_from_failed_share"),
}
#: The feature groups, in the order their columns appear in ``X``.
GROUPS: tuple[str, ...] = tuple(FEATURE_GROUPS)
#: Every table the function reads; ``protected_persons`` feeds only ``ProviderFeatureSet.protected``.
INPUT_TABLES: tuple[str, ...] = ("providers", "declarations", "applications", "addresses", "investigations",
                                 "protected_persons")
#: Tables read when given: without ``absences`` (a municipality without the source, or a caller that does not
#: pass it) every provider-quarter has no client-month with an absence, exactly as with an empty table.
OPTIONAL_TABLES: tuple[str, ...] = ("absences",)
#: Columns each input table must have.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "providers": ("provider_id", "kvk_registration_date", "end_date", "end_reason", "legal_form", "n_staff",
                  "has_quality_certificate", "vog_coverage", "bank_guarantee", "staff_trained_share",
                  "location_address_id", "director_id"),
    "declarations": ("provider_id", "application_id", "month", "hours_billed"),
    "applications": ("application_id", "person_id", "address_id", "scheme", "application_date",
                     "authorised_hours_month", "intermediary_id", "provider_id"),
    "addresses": ("address_id", "district", "floor_area_m2", "persons_registered", "room_rental_permit",
                  "fire_safety_findings"),
    "investigations": ("investigation_id", "subject_type", "provider_id", "start_date", "route", "outcome"),
    "protected_persons": ("person_id", "age", "gender", "migration_background"),
    "absences": ("person_id", "start_date", "end_date"),
}
#: Billing window: declarations of the months in the last this-many quarters before ``as_of``.
WINDOW_QUARTERS = 4
#: A client-month counts for ``absence_billing_share`` from this many absent days on.
ABSENCE_MIN_DAYS = 7
#: Hours billed beyond ``(1 + ABSENCE_TOLERANCE) x plausible + ABSENCE_ROUNDING`` exceed the days present.
ABSENCE_TOLERANCE = 0.10
ABSENCE_ROUNDING = 0.1
#: Size bands of ``n_staff`` (audit): lower bounds and names.
SIZE_BANDS: tuple[tuple[int, str], ...] = ((1, "1"), (2, "2-4"), (5, "5-19"), (20, "20+"))
#: Registration-age bands at ``as_of`` (audit): lower bounds in days and names.
AGE_BANDS: tuple[tuple[int, str], ...] = ((0, "<1y"), (365, "1-3y"), (3 * 365, "3y+"))
#: Columns of ``ProviderFeatureSet.protected`` after ``case_id``.
PROTECTED_COLUMNS: tuple[str, ...] = ("size_band", "registration_age_band", "legal_form", "district", "n_clients",
                                      "share_non_western", "share_female", "share_age_67plus")
OLD_AGE = 67
NEVER = np.iinfo(np.int64).max

MISSING_TABLE = "The provider-features stage needs table '{table}' but it was not given. Given: {given}."
MISSING_COLUMN = "Table '{table}' has no column '{column}'. The provider-features stage needs: {needed}."
PROTECTED_INPUT = ("Table '{table}' holds protected column '{column}'. Protected columns may reach the "
                   "provider-features stage only in table 'protected_persons' (the validate stage writes them to "
                   "data/protected/).")
EMPTY_DATE = ("Table '{table}' has {count} empty value(s) in '{column}', e.g. in row {example}. "
              "Every row needs a date there.")


@dataclasses.dataclass(frozen=True)
class ProviderFeatureParams:
    """The ``provider_features`` section of ``params.yaml``.

    Attributes
    ----------
    groups : tuple of str
        Feature groups to build, a non-empty subset of :data:`GROUPS`, in the
        canonical order of :data:`GROUPS`.
    """

    groups: tuple[ProviderGroupName, ...]


def parse_provider_feature_params(values: Mapping[str, Any]) -> ProviderFeatureParams:
    """Parse and check the ``provider_features`` section; ``groups`` defaults to every group.

    Raises
    ------
    risico.params.ParamError
        On an unknown key or a wrong ``groups`` value.

    Examples
    --------
    >>> parse_provider_feature_params({"groups": ["network", "billing"]}).groups
    ('billing', 'network')
    >>> parse_provider_feature_params({}).groups
    ('contracting', 'billing', 'location', 'network')
    """
    return ProviderFeatureParams(groups=parse_groups(values, SECTION, GROUPS, default=GROUPS))  # type: ignore[arg-type]


@dataclasses.dataclass(frozen=True)
class ProviderFeatureSet:
    """Model inputs and everything that must stay beside them, one row per provider per quarter.

    Attributes
    ----------
    X : DataFrame
        Feature columns only, index ``case_id``, rows ordered by quarter and
        then ``provider_id``. Never a protected attribute, an id or a label.
    meta : DataFrame
        ``case_id`` (``"<provider_id>:<YYYY>Q<q>"``), ``provider_id``,
        ``as_of`` (first day of the quarter), ``period`` (``"YYYY-Qq"``) and
        ``group_id`` (the provider: it never sits on two sides of a split).
    labels : DataFrame
        ``case_id``, ``investigated`` (a provider investigation started in the
        quarter), ``route`` and ``observed`` (1.0 error or fraud found, 0.0
        nothing found, NaN not investigated).
    protected : DataFrame
        ``case_id`` and :data:`PROTECTED_COLUMNS`: the provider's fairness
        groups and its clients' aggregated protected attributes, for the
        audit only.
    groups : dict of str to str
        Feature name -> feature group.
    """

    X: pd.DataFrame
    meta: pd.DataFrame
    labels: pd.DataFrame
    protected: pd.DataFrame
    groups: dict[str, str]


@dataclasses.dataclass(frozen=True)
class _Grid:
    """The provider x quarter grid and the rows (active cells) on it."""

    providers: pd.DataFrame      # sorted by provider_id, RangeIndex
    first_quarter: int           # quarters since 1970 (Q1 1970 = 0)
    n_quarters: int
    start_day: np.ndarray        # first day of each quarter (days since 1970)
    row_provider: np.ndarray     # provider position of each row
    row_quarter: np.ndarray      # quarter index (0 .. n_quarters-1) of each row

    @property
    def n_cells(self) -> int:
        return len(self.providers) * self.n_quarters

    @property
    def row_cell(self) -> np.ndarray:
        return self.row_provider * self.n_quarters + self.row_quarter

    @property
    def row_as_of(self) -> np.ndarray:
        return self.start_day[self.row_quarter]


def build_provider_features(tables: Mapping[str, pd.DataFrame], params: ProviderFeatureParams, *,
                            through: dt.date | None = None, with_protected: bool = True) -> ProviderFeatureSet:
    """Build the features of every active provider in every quarter of the applications period
    (and on to the quarter that holds ``through``, for scoring a quarter after the history).

    Parameters
    ----------
    tables : mapping of str to DataFrame
        The validated tables of ``data/interim/`` (``providers``,
        ``declarations``, ``applications``, ``addresses``,
        ``investigations``) and ``protected_persons`` (``person_id`` and the
        protected columns, from ``data/protected/persons``). The inputs are
        not changed.
    params : ProviderFeatureParams
        Which feature groups to build.

    Returns
    -------
    ProviderFeatureSet

    Raises
    ------
    FeatureError
        If a table or column is missing, a key is not unique, a date is empty,
        a reference does not resolve (e.g. a provider billed in
        ``declarations`` but missing from ``providers``), or a table other
        than ``protected_persons`` holds a protected column.
    """
    check_provider_inputs(tables)
    if "absences" not in tables and "billing" in params.groups:
        log.warning("no table 'absences' given: absence_client_months is 0 and absence_billing_share empty for "
                    "every provider-quarter, as for a municipality without the source")
    try:
        refs = _References.resolve(tables)
    except DanglingReferenceError as exc:
        raise FeatureError(str(exc)) from None
    grid = _grid(refs.providers, refs.applications, through)
    parts, groups = [], {}
    builders = {"contracting": _contracting, "billing": _billing, "location": _location, "network": _network}
    for group in params.groups:
        part = builders[group](refs, grid)
        parts.append(part[list(FEATURE_GROUPS[group])])
        groups.update(dict.fromkeys(FEATURE_GROUPS[group], group))
    meta = _meta(grid)
    X = pd.concat(parts, axis=1)
    X.index = pd.Index(meta["case_id"], name="case_id")
    labels = _labels(refs, grid, meta["case_id"])
    protected = (_protected(refs, grid, meta["case_id"]) if with_protected
                 else pd.DataFrame({"case_id": meta["case_id"]}))
    log.info("built %d features for %d provider-quarters (%d providers, %d quarters; groups: %s)", X.shape[1],
             len(X), len(np.unique(grid.row_provider)), grid.n_quarters, ", ".join(params.groups))
    return ProviderFeatureSet(X=X, meta=meta, labels=labels, protected=protected, groups=groups)


def provider_feature_matrix(tables: Mapping[str, pd.DataFrame], params: ProviderFeatureParams,
                            as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``X`` and ``meta`` of the providers active in the quarter that holds ``as_of`` (for the worklist).

    Never reads protected attributes: ``tables`` need not hold ``protected_persons`` (an empty stand-in is
    used and the aggregated attributes it would feed are dropped).
    """
    stand_in = pd.DataFrame({c: pd.Series([], dtype="str") for c in REQUIRED_COLUMNS["protected_persons"]})
    features = build_provider_features({**tables, "protected_persons": stand_in}, params, through=as_of,
                                       with_protected=False)
    period = quarter_label(((as_of.year - 1970) * 12 + as_of.month - 1) // 3)
    rows = (features.meta["period"] == period).to_numpy()
    return features.X[rows], features.meta[rows].reset_index(drop=True)


def quarter_label(quarter: int) -> str:
    """``"YYYY-Qq"`` of a quarter number (quarters since 1970).

    >>> quarter_label(4 * (2024 - 1970) + 2)
    '2024-Q3'
    """
    return f"{quarter // 4 + 1970:04d}-Q{quarter % 4 + 1}"


# -- checks ----------------------------------------------------------------------
def check_provider_inputs(tables: Mapping[str, pd.DataFrame]) -> None:
    """Raise :class:`FeatureError` on the first problem that would make the provider features wrong."""
    for table in INPUT_TABLES:
        if table not in tables:
            raise FeatureError(MISSING_TABLE.format(table=table, given=", ".join(sorted(tables)) or "none"))
        for column in REQUIRED_COLUMNS[table]:
            if column not in tables[table].columns:
                raise FeatureError(MISSING_COLUMN.format(table=table, column=column,
                                                         needed=", ".join(REQUIRED_COLUMNS[table])))
    optional = [table for table in OPTIONAL_TABLES if table in tables]
    for table in optional:
        for column in REQUIRED_COLUMNS[table]:
            if column not in tables[table].columns:
                raise FeatureError(MISSING_COLUMN.format(table=table, column=column,
                                                         needed=", ".join(REQUIRED_COLUMNS[table])))
    hidden = {c for columns in protected_columns().values() for c in columns}
    for table in [*INPUT_TABLES[:-1], *optional]:
        for column in tables[table].columns:
            if column in hidden:
                raise FeatureError(PROTECTED_INPUT.format(table=table, column=column))
    for table, column in (("providers", "provider_id"), ("applications", "application_id"),
                          ("addresses", "address_id"), ("protected_persons", "person_id")):
        check_unique(tables[table], table, column)
    dated = [("providers", "kvk_registration_date"), ("applications", "application_date"),
             ("declarations", "month"), ("investigations", "start_date")]
    if "absences" in tables:
        dated += [("absences", "start_date"), ("absences", "end_date")]
    for table, column in dated:
        empty = tables[table][column].isna().to_numpy()
        if empty.any():
            raise FeatureError(EMPTY_DATE.format(table=table, column=column, count=int(empty.sum()),
                                                 example=int(np.flatnonzero(empty)[0])))


# -- references, resolved once ----------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class _References:
    """The input tables in canonical order, with every reference turned into a row position (-1: empty)."""

    providers: pd.DataFrame          # sorted by provider_id
    applications: pd.DataFrame       # sorted by application_id
    addresses: pd.DataFrame
    declarations: pd.DataFrame
    investigations: pd.DataFrame
    protected_persons: pd.DataFrame
    absences: pd.DataFrame | None    # None when not given
    provider_location: np.ndarray    # providers -> addresses
    app_provider: np.ndarray         # applications -> providers
    decl_provider: np.ndarray        # declarations -> providers
    decl_app: np.ndarray             # declarations -> applications
    inv_provider: np.ndarray         # provider investigations -> providers

    @classmethod
    def resolve(cls, tables: Mapping[str, pd.DataFrame]) -> _References:
        providers = tables["providers"].sort_values("provider_id", kind="stable", ignore_index=True)
        apps = tables["applications"].sort_values("application_id", kind="stable", ignore_index=True)
        addresses, decl = tables["addresses"], tables["declarations"]
        inv = tables["investigations"]
        inv = inv.loc[(inv["subject_type"] == "provider").to_numpy() & inv["provider_id"].notna().to_numpy()]
        pid = providers["provider_id"]
        return cls(
            providers=providers, applications=apps, addresses=addresses, declarations=decl, investigations=inv,
            protected_persons=tables["protected_persons"], absences=tables.get("absences"),
            provider_location=positions(addresses["address_id"], providers["location_address_id"], "providers",
                                        "location_address_id", "addresses.address_id"),
            app_provider=positions(pid, apps["provider_id"], "applications", "provider_id", "providers.provider_id"),
            decl_provider=_resolve_all(pid, decl["provider_id"], "declarations", "provider_id",
                                       "providers.provider_id"),
            decl_app=_resolve_all(apps["application_id"], decl["application_id"], "declarations", "application_id",
                                  "applications.application_id"),
            inv_provider=positions(pid, inv["provider_id"], "investigations", "provider_id", "providers.provider_id"),
        )


def _resolve_all(parent: pd.Series, values: pd.Series, table: str, column: str, parent_name: str) -> np.ndarray:
    """Like :func:`positions`, but an empty value is an error too (a declaration always names both)."""
    found = positions(parent, values, table, column, parent_name)
    if (found < 0).any():
        raise DanglingReferenceError(
            f"Table '{table}' column '{column}' has {int((found < 0).sum())} empty value(s). Every declaration "
            f"must name its {column.removesuffix('_id')}; run the validate stage, which quarantines such rows.")
    return found


def _grid(providers: pd.DataFrame, apps: pd.DataFrame, through: dt.date | None = None) -> _Grid:
    """Quarters of the applications period (extended to ``through``) and the providers active in each
    (quarter-major, provider_id order)."""
    if len(apps) == 0 or len(providers) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return _Grid(providers, 0, 0, empty, empty, empty)
    months = month_numbers(apps["application_date"])
    first, last = int(months.min()) // 3, int(months.max()) // 3
    if through is not None:
        last = max(last, ((through.year - 1970) * 12 + through.month - 1) // 3)
    n_q = last - first + 1
    bounds = (np.arange(first, last + 2, dtype=np.int64) * 3).astype("datetime64[M]").astype("datetime64[D]")
    start, stop = bounds[:-1].astype(np.int64), bounds[1:].astype(np.int64)
    registered = day_numbers(providers["kvk_registration_date"])
    ended = providers["end_date"].notna().to_numpy()
    end = np.where(ended, day_numbers(providers["end_date"].fillna(pd.Timestamp(0))), NEVER)
    n_p = len(providers)
    quarter, provider = np.divmod(np.arange(n_q * n_p, dtype=np.int64), n_p)
    active = (registered[provider] < stop[quarter]) & (end[provider] >= start[quarter])
    return _Grid(providers, first, n_q, start, provider[active], quarter[active])


def _meta(grid: _Grid) -> pd.DataFrame:
    quarters = np.arange(grid.first_quarter, grid.first_quarter + grid.n_quarters)
    period = np.asarray([quarter_label(int(q)) for q in quarters], dtype=object)
    pid = grid.providers["provider_id"].astype("str").to_numpy(dtype=object)[grid.row_provider]
    period_rows = pd.Series(period[grid.row_quarter], dtype="str")
    provider_rows = pd.Series(pid, dtype="str")
    case_id = provider_rows + ":" + period_rows.str.replace("-", "", regex=False)
    return pd.DataFrame({
        "case_id": case_id,
        "provider_id": provider_rows,
        "as_of": grid.row_as_of.astype("datetime64[D]").astype("datetime64[ms]"),
        "period": period_rows,
        "group_id": provider_rows.copy(),
    })


# -- 1. contracting ---------------------------------------------------------------------
def _contracting(refs: _References, grid: _Grid) -> pd.DataFrame:
    """Contracting requirements, registration age at ``as_of`` (0 if registered on or after it), form, size."""
    p, prov = grid.row_provider, refs.providers
    return pd.DataFrame({
        "has_quality_certificate": prov["has_quality_certificate"].to_numpy(dtype=bool)[p],
        "vog_coverage": prov["vog_coverage"].to_numpy(dtype=np.float64)[p],
        "bank_guarantee": prov["bank_guarantee"].to_numpy(dtype=bool)[p],
        "staff_trained_share": prov["staff_trained_share"].to_numpy(dtype=np.float64)[p],
        "days_registered": _days_registered(refs, grid),
        "legal_form": pd.Series(prov["legal_form"].to_numpy(dtype=object)[p], dtype="str"),
        "n_staff": prov["n_staff"].to_numpy(dtype=np.int64)[p],
    })


def _days_registered(refs: _References, grid: _Grid) -> np.ndarray:
    registered = day_numbers(refs.providers["kvk_registration_date"])[grid.row_provider]
    return np.maximum(grid.row_as_of - registered, 0).astype(np.int64)


# -- 2. billing -------------------------------------------------------------------------
def _billing(refs: _References, grid: _Grid) -> pd.DataFrame:
    """Declarations of the months in the four quarters before ``as_of``, summed per provider and quarter.

    A declaration of month ``m`` is repeated for the four quarters that start
    after ``m`` (lag 1 to 4 quarters); lag 1 is the previous quarter, lag 2
    the one before. A quarter without declarations in its window gets the
    neutral values (see ``docs/features.md``).
    """
    decl, apps = refs.declarations, refs.applications
    n_q, n_cells = grid.n_quarters, grid.n_cells
    a = refs.decl_app
    hours = decl["hours_billed"].to_numpy(dtype=np.float64)
    month = month_numbers(decl["month"])
    # canonical order: the same records in any row order give the same sums
    order = np.lexsort((hours, month, a, refs.decl_provider))
    provider, a, hours, month = refs.decl_provider[order], a[order], hours[order], month[order]
    authorised = apps["authorised_hours_month"].fillna(0.0).to_numpy(dtype=np.float64)[a]
    person_codes = pd.factorize(apps["person_id"], use_na_sentinel=False)[0].astype(np.int64)
    person = person_codes[a]
    address = pd.factorize(apps["address_id"], use_na_sentinel=False)[0].astype(np.int64)[a]
    scheme_codes, schemes = pd.factorize(apps["scheme"], use_na_sentinel=False)
    scheme = scheme_codes.astype(np.int64)[a]
    src, quarter, lag = _windows(month // 3 + 1 - grid.first_quarter, n_q)
    cell = provider[src] * n_q + quarter
    src_all, cell_all = src, cell
    h, auth = hours[src], authorised[src]
    # the municipality's norm per care type and quarter: mean hours per client-month over all providers
    scheme_cell = scheme[src] * n_q + quarter
    n_scheme_cells = max(len(schemes), 1) * n_q
    norm_hours = np.bincount(scheme_cell, weights=h, minlength=n_scheme_cells)
    norm_count = np.bincount(scheme_cell, minlength=n_scheme_cells)
    norm = _ratio(norm_hours, norm_count)
    billed = np.bincount(cell, weights=h, minlength=n_cells)
    allowed = np.bincount(cell, weights=auth, minlength=n_cells)
    expected = np.bincount(cell, weights=norm[scheme_cell], minlength=n_cells)
    client_months = np.bincount(cell, minlength=n_cells)
    # distinct clients and addresses: one record per provider, quarter, client and address is enough
    seen = pd.DataFrame({"provider": provider, "quarter": month // 3 + 1 - grid.first_quarter, "person": person,
                         "address": address}).drop_duplicates()
    src, quarter, lag = _windows(seen["quarter"].to_numpy(dtype=np.int64), n_q)
    cell = seen["provider"].to_numpy(dtype=np.int64)[src] * n_q + quarter
    person, address = seen["person"].to_numpy(dtype=np.int64)[src], seen["address"].to_numpy(dtype=np.int64)[src]
    recent = _distinct_per_cell(cell[lag == 0], person[lag == 0], n_cells)
    before = _distinct_per_cell(cell[lag == 1], person[lag == 1], n_cells)
    clients = _distinct_per_cell(cell, person, n_cells)
    n_addresses, crowded = _clients_at_addresses(cell, address, person, n_cells)
    growth = np.where(before > 0, np.minimum(recent / np.maximum(before, 1), GROWTH_CAP),
                      np.where(recent > 0, GROWTH_CAP, 1.0))
    away, over = _absence_months(refs, person_codes[a], month, hours, authorised)
    absence_months = np.bincount(cell_all, weights=away[src_all], minlength=n_cells)
    absence_over = np.bincount(cell_all, weights=over[src_all], minlength=n_cells)
    absence_share = np.divide(absence_over, absence_months, out=np.full(n_cells, np.nan), where=absence_months > 0)
    r = grid.row_cell
    return pd.DataFrame({
        "has_billing_history": client_months[r] > 0,
        "clients_billed_prev_quarter": recent[r].astype(np.int64),
        "billing_ratio": _ratio(billed, allowed)[r],
        "hours_per_client_month": _ratio(billed, client_months)[r],
        "hours_vs_norm": _ratio(billed, expected)[r],
        "client_growth": growth[r].astype(np.float64),
        "clients_per_address": _ratio(clients, n_addresses)[r],
        "max_clients_one_address": crowded[r].astype(np.int64),
        "absence_client_months": absence_months[r].astype(np.int64),
        "absence_billing_share": absence_share[r],
    })


def _absence_months(refs: _References, person: np.ndarray, month: np.ndarray, hours: np.ndarray,
                    authorised: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per declaration: the client was away at least ``ABSENCE_MIN_DAYS`` days of the month, and of those the
    hours billed exceed what the days present make plausible (authorised x present / days in the month).

    Only days of the declaration's own month count, and that month lies before ``as_of``, so an absence
    that starts on or after ``as_of`` never counts and one that runs past it counts only its earlier days.
    """
    absences = refs.absences
    if absences is None or len(absences) == 0 or len(person) == 0:
        return np.zeros(len(person), dtype=bool), np.zeros(len(person), dtype=bool)
    clients = pd.factorize(refs.applications["person_id"], use_na_sentinel=False)[1]
    code = lookup(pd.Series(clients, dtype="str"), absences["person_id"].astype("str"))
    known = code >= 0
    by_month = absent_days_by_month(code[known], day_numbers(absences["start_date"])[known],
                                    day_numbers(absences["end_date"])[known])
    absent = absent_days_of(person, month, by_month)
    n_days = days_in_month(month)
    plausible = authorised * (n_days - np.minimum(absent, n_days)) / n_days
    away = absent >= ABSENCE_MIN_DAYS
    return away, away & (hours > (1.0 + ABSENCE_TOLERANCE) * plausible + ABSENCE_ROUNDING)


def _windows(first: np.ndarray, n_quarters: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Repeat each record for the quarters whose window holds it.

    ``first`` is the index of the first quarter that starts after the record
    (lag 1); the record also feeds the next ``WINDOW_QUARTERS - 1`` quarters.
    Returns the record of each copy, its quarter index and its lag - 1 (0 for
    the previous quarter), dropping quarters outside ``0 .. n_quarters - 1``.
    """
    lag = np.tile(np.arange(WINDOW_QUARTERS, dtype=np.int64), len(first))
    quarter = np.repeat(first, WINDOW_QUARTERS) + lag
    keep = (quarter >= 0) & (quarter < n_quarters)
    return np.repeat(np.arange(len(first)), WINDOW_QUARTERS)[keep], quarter[keep], lag[keep]


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator`` as float64, 0 where the denominator is not positive."""
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    return np.divide(numerator, denominator, out=np.zeros(len(numerator)), where=denominator > 0)


def _unique(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct ``keys`` and the position of each key among them (``np.unique`` by sorting, faster here)."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    new = np.r_[True, ordered[1:] != ordered[:-1]] if len(keys) else np.zeros(0, dtype=bool)
    inverse = np.empty(len(keys), dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    return ordered[new], inverse


def _distinct(keys: np.ndarray) -> np.ndarray:
    """Sorted distinct ``keys``."""
    ordered = np.sort(keys)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(keys) else ordered


def _distinct_per_cell(cell: np.ndarray, value: np.ndarray, n_cells: int) -> np.ndarray:
    """Number of distinct non-negative ``value`` per ``cell``."""
    if len(cell) == 0:
        return np.zeros(n_cells, dtype=np.int64)
    width = int(value.max()) + 1
    pairs = _distinct(cell.astype(np.int64) * width + value)
    return np.bincount(pairs // width, minlength=n_cells).astype(np.int64)


def _clients_at_addresses(cell: np.ndarray, address: np.ndarray, person: np.ndarray,
                          n_cells: int) -> tuple[np.ndarray, np.ndarray]:
    """Per cell: distinct client addresses, and the most distinct clients at any one of them."""
    n_addresses = np.zeros(n_cells, dtype=np.int64)
    most = np.zeros(n_cells, dtype=np.int64)
    if len(cell) == 0:
        return n_addresses, most
    width = int(address.max()) + 1
    pairs, pair = _unique(cell.astype(np.int64) * width + address)
    people = int(person.max()) + 1
    triples = _distinct(pair * people + person)
    clients = np.bincount(triples // people, minlength=len(pairs))
    pair_cell = pairs // width
    n_addresses += np.bincount(pair_cell, minlength=n_cells)
    np.maximum.at(most, pair_cell, clients)
    return n_addresses, most


# -- 3. location (large triangle) -----------------------------------------------------------
def _location(refs: _References, grid: _Grid) -> pd.DataFrame:
    """The provider's main care location: fire safety, room-rental permit, crowding (a snapshot)."""
    at = refs.provider_location[grid.row_provider]
    addresses = refs.addresses
    found = at >= 0
    where = np.where(found, at, 0)

    def column(name: str, dtype: Any, fill: Any) -> np.ndarray:
        values = addresses[name].to_numpy(dtype=dtype)
        return np.where(found, values[where], fill) if len(values) else np.full(len(at), fill, dtype=dtype)

    floor = column("floor_area_m2", np.float64, 0.0)
    persons = column("persons_registered", np.float64, 0.0)
    return pd.DataFrame({
        "location_fire_safety_findings": column("fire_safety_findings", np.int64, 0).astype(np.int64),
        "location_room_rental_permit": column("room_rental_permit", bool, False).astype(bool),
        "location_persons_per_10m2": _ratio(10.0 * persons, floor),
    })


# -- 4. network -------------------------------------------------------------------------------
def _network(refs: _References, grid: _Grid) -> pd.DataFrame:
    """Links to earlier failed providers (director, address), intermediaries, and clients moving together."""
    prov = refs.providers
    p, as_of = grid.row_provider, grid.row_as_of
    failed, end = _failures(prov)
    director = pd.factorize(prov["director_id"])[0].astype(np.int64)
    registered = day_numbers(prov["kvk_registration_date"])
    others = count_before(director[director >= 0], registered[director >= 0], director[p], as_of)
    others = others - ((director[p] >= 0) & (registered[p] < as_of))       # the provider itself is not "other"
    client_apps = _client_applications(refs)
    n_apps = count_before(client_apps.provider, client_apps.day, p, as_of)
    brokered = client_apps.intermediary >= 0
    via = count_before(client_apps.provider[brokered], client_apps.day[brokered], p, as_of)
    pairs = _first_per_pair(client_apps.provider[brokered], client_apps.intermediary[brokered],
                            client_apps.day[brokered])
    n_intermediaries = count_before(pairs[0], pairs[2], p, as_of)
    clients, moved = _clients_and_movers(refs, client_apps, failed, end, grid)
    return pd.DataFrame({
        "director_failed_before": _first_failure_elsewhere(prov["director_id"], failed, end)[p] < as_of,
        "director_other_providers": others.astype(np.int64),
        "address_failed_before": _first_failure_elsewhere(prov["location_address_id"], failed, end)[p] < as_of,
        "client_applications": n_apps.astype(np.int64),
        "intermediary_client_share": _ratio(via, n_apps),
        "n_intermediaries": n_intermediaries.astype(np.int64),
        "clients_from_failed_share": _ratio(moved, clients),
    })


def _failures(providers: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per provider: ended failed or sanctioned, and its end day (``NEVER`` when it has not ended)."""
    ended = providers["end_date"].notna().to_numpy()
    end = np.where(ended, day_numbers(providers["end_date"].fillna(pd.Timestamp(0))), NEVER)
    return ended & providers["end_reason"].isin(FAILED_END_REASONS).to_numpy(), end


def _first_failure_elsewhere(keys: pd.Series, failed: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Per provider: the earliest end day of *another* failed provider with the same key; ``NEVER`` if none.

    The provider's own row never counts, whatever its key (a director id that
    equals the provider's own id included): per key the two earliest failures
    are kept, and a provider that is itself the earliest gets the second.

    >>> keys = pd.Series(["D1", "D1", "D2", None])
    >>> _first_failure_elsewhere(keys, np.array([True, True, True, True]), np.array([5, 9, 3, 1]))[:3].tolist()
    [9, 5, 9223372036854775807]
    """
    codes = pd.factorize(keys)[0].astype(np.int64)
    n = len(codes)
    rows = np.flatnonzero(failed & (codes >= 0))
    if rows.size == 0:
        return np.full(n, NEVER, dtype=np.int64)
    rows = rows[np.lexsort((rows, end[rows], codes[rows]))]
    key = codes[rows]
    first = np.r_[True, key[1:] != key[:-1]]
    second = np.r_[False, first[:-1]] & ~first
    n_keys = int(codes.max()) + 1
    best_row = np.full(n_keys, -1, dtype=np.int64)
    best, runner_up = np.full(n_keys, NEVER, dtype=np.int64), np.full(n_keys, NEVER, dtype=np.int64)
    best_row[key[first]] = rows[first]
    best[key[first]] = end[rows[first]]
    runner_up[key[second]] = end[rows[second]]
    c = np.where(codes >= 0, codes, 0)
    mine = np.where(best_row[c] == np.arange(n), runner_up[c], best[c])
    return np.where(codes >= 0, mine, NEVER).astype(np.int64)


@dataclasses.dataclass(frozen=True)
class _ClientApplications:
    """Applications that name a provider: provider position, day received, person and intermediary codes."""

    provider: np.ndarray
    day: np.ndarray
    person: np.ndarray
    intermediary: np.ndarray


def _client_applications(refs: _References) -> _ClientApplications:
    apps = refs.applications
    has = refs.app_provider >= 0
    return _ClientApplications(
        provider=refs.app_provider[has],
        day=day_numbers(apps["application_date"])[has],
        person=pd.factorize(apps["person_id"], use_na_sentinel=False)[0].astype(np.int64)[has],
        intermediary=pd.factorize(apps["intermediary_id"])[0].astype(np.int64)[has],
    )


def _first_per_pair(left: np.ndarray, right: np.ndarray,
                    day: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct ``(left, right)`` pairs with the earliest ``day`` of each."""
    if len(left) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    width = int(right.max()) + 1
    key = left * width + right
    order = np.lexsort((day, key))
    key, day = key[order], day[order]
    first = np.r_[True, key[1:] != key[:-1]]
    return key[first] // width, key[first] % width, day[first]


def _clients_and_movers(refs: _References, client_apps: _ClientApplications, failed: np.ndarray,
                        end: np.ndarray, grid: _Grid) -> tuple[np.ndarray, np.ndarray]:
    """Per row: distinct clients before ``as_of``, and those of them who were clients of a failed provider.

    A person is linked to a failure from the day both their application
    naming a failed or sanctioned provider was received and that provider
    ended, whichever is later; the earliest such day over their applications
    counts. A client of the row's provider counts as "moved" when both that
    link and their first application to the provider lie before ``as_of``.
    The row's own provider cannot be that failed provider: it is active at
    ``as_of``, so it did not end before it.
    """
    p, as_of = grid.row_provider, grid.row_as_of
    provider, person, first_day = _first_per_pair(client_apps.provider, client_apps.person, client_apps.day)
    clients = count_before(provider, first_day, p, as_of)
    at_failed = failed[client_apps.provider]
    link = np.full(int(client_apps.person.max()) + 1 if len(client_apps.person) else 0, NEVER, dtype=np.int64)
    np.minimum.at(link, client_apps.person[at_failed],
                  np.maximum(client_apps.day[at_failed], end[client_apps.provider[at_failed]]))
    since = np.maximum(first_day, link[person]) if len(person) else first_day
    linked = since < NEVER
    moved = count_before(provider[linked], since[linked], p, as_of)
    return clients, moved


# -- labels and protected ----------------------------------------------------------------------
def _labels(refs: _References, grid: _Grid, case_id: pd.Series) -> pd.DataFrame:
    """Provider investigations started in the row's quarter: earliest route, 1.0 if any found error or fraud."""
    inv = refs.investigations
    quarter = month_numbers(inv["start_date"]) // 3 - grid.first_quarter
    inside = (quarter >= 0) & (quarter < grid.n_quarters)
    frame = pd.DataFrame({
        "cell": (refs.inv_provider * grid.n_quarters + quarter)[inside],
        "start": inv["start_date"].to_numpy()[inside],
        "investigation_id": inv["investigation_id"].astype("str").to_numpy()[inside],
        "route": inv["route"].to_numpy(dtype=object)[inside],
        "found": inv["outcome"].isin(FINDINGS).to_numpy(dtype=np.float64)[inside],
    }).sort_values(["start", "investigation_id"], kind="stable")
    per_cell = frame.groupby("cell", sort=True).agg(route=("route", "first"), observed=("found", "max"))
    observed = np.full(grid.n_cells, np.nan)
    route = np.full(grid.n_cells, np.nan, dtype=object)
    cells = per_cell.index.to_numpy(dtype=np.int64)
    observed[cells] = per_cell["observed"].to_numpy(dtype=np.float64)
    route[cells] = per_cell["route"].to_numpy(dtype=object)
    r = grid.row_cell
    unmatched = len(cells) - int(np.isin(cells, r).sum())
    if unmatched:
        log.warning("%d provider investigation quarter(s) fall on a provider that was not active then; "
                    "they are left out of the labels", unmatched)
    return pd.DataFrame({
        "case_id": case_id.to_numpy(),
        "investigated": ~np.isnan(observed[r]),
        "route": pd.array(route[r], dtype="str"),
        "observed": observed[r],
    })


def _protected(refs: _References, grid: _Grid, case_id: pd.Series) -> pd.DataFrame:
    """The provider's fairness groups at ``as_of`` and its clients' protected attributes, for the audit only.

    Clients are the distinct persons with an application naming the provider
    received before ``as_of``. Shares are over the clients with a row in
    ``protected_persons``; they are NaN when there is none (no clients).
    """
    prov, p, as_of = refs.providers, grid.row_provider, grid.row_as_of
    staff = prov["n_staff"].to_numpy(dtype=np.int64)[p]
    days = _days_registered(refs, grid)
    at = refs.provider_location[p]
    district = refs.addresses["district"].to_numpy(dtype=object)
    client_apps = _client_applications(refs)
    provider, person, first_day = _first_per_pair(client_apps.provider, client_apps.person, client_apps.day)
    people = refs.applications["person_id"]
    person_ids = pd.Series(pd.factorize(people, use_na_sentinel=False)[1], dtype="str")
    persons = refs.protected_persons
    where = lookup(persons["person_id"], person_ids)[person] if len(person) else np.zeros(0, dtype=np.int64)
    known = where >= 0
    if (~known).any():
        log.warning("%d of %d provider clients have no row in protected_persons; they are left out of the shares",
                    int((~known).sum()), len(known))
    row = np.where(known, where, 0)

    def clients_with(mask: np.ndarray) -> np.ndarray:
        return count_before(provider[mask], first_day[mask], p, as_of)

    def attribute(column: str) -> np.ndarray:
        values = persons[column].to_numpy(dtype=object)
        return values[row] if len(values) else np.full(len(row), None, dtype=object)

    age = persons["age"].to_numpy(dtype=np.float64)[row] if len(persons) else np.zeros(len(row))
    n_known = clients_with(known)
    shares = {name: np.divide(clients_with(known & mask), n_known, out=np.full(len(p), np.nan),
                              where=n_known > 0)
              for name, mask in (("share_non_western", attribute("migration_background") == "non_western"),
                                 ("share_female", attribute("gender") == "female"),
                                 ("share_age_67plus", age >= OLD_AGE))}
    return pd.DataFrame({
        "case_id": case_id.to_numpy(),
        "size_band": pd.Series(_band(staff, SIZE_BANDS), dtype="str"),
        "registration_age_band": pd.Series(_band(days, AGE_BANDS), dtype="str"),
        "legal_form": pd.Series(prov["legal_form"].to_numpy(dtype=object)[p], dtype="str"),
        "district": pd.Series(np.where(at >= 0, district[np.where(at >= 0, at, 0)] if len(district) else None,
                                       None), dtype="str"),
        "n_clients": clients_with(np.ones(len(provider), dtype=bool)).astype(np.int64),
        **shares,
    })


def _band(values: np.ndarray, bands: tuple[tuple[int, str], ...]) -> np.ndarray:
    """The name of the band each value falls in (bands given by their lower bounds, ascending)."""
    lows = np.asarray([low for low, _ in bands], dtype=np.int64)
    names = np.asarray([name for _, name in bands], dtype=object)
    return names[np.maximum(np.searchsorted(lows, values, side="right") - 1, 0)]
