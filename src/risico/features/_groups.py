"""The four feature groups, each a vectorised function of the tables and the decision dates.

Every function returns a DataFrame with one row per application, in the order
of ``apps`` (a ``RangeIndex``), and reads only what was known at the
application's ``as_of`` date (its decision date). "Before the date" is always
*strictly before*: a record dated on the decision day itself is not used.

Dates are handled as integer days (``datetime64[D]``) and calendar months
(``datetime64[M]``) since 1970; counts "before a date" use one sorted
composite key and ``np.searchsorted`` instead of a loop per row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from risico.errors import RisicoError
from risico.vocabularies import LAWS  # the law of each scheme prefix (small triangle)

__all__ = ["GROUP_BUILDERS", "FEATURE_GROUPS", "GROWTH_CAP", "count_before", "day_numbers", "month_numbers", "lookup",
           "positions"]

#: Upper bound of ``provider_client_growth`` (a provider that goes from 0 clients to some gets this value).
GROWTH_CAP = 5.0
#: Provider end reasons that mark a failed career step of its director.
FAILED_END_REASONS = ("failed", "sanctioned")

DANGLING = ("Table '{table}' column '{column}' has {count} value(s) not found in {parent}, e.g. {example!r}. "
            "Every reference must resolve; run the validate stage, which quarantines such rows.")


class DanglingReferenceError(RisicoError, ValueError):
    """A row points to a parent row that is not there."""


# -- helpers -------------------------------------------------------------------
def day_numbers(values: pd.Series) -> np.ndarray:
    """Days since 1970-01-01 as int64 (dates are compared by calendar day)."""
    return values.to_numpy(dtype="datetime64[ms]").astype("datetime64[D]").astype(np.int64)


def month_numbers(values: pd.Series) -> np.ndarray:
    """Calendar months since January 1970 as int64."""
    return values.to_numpy(dtype="datetime64[ms]").astype("datetime64[M]").astype(np.int64)


def count_before(event_keys: np.ndarray, event_times: np.ndarray,
                 query_keys: np.ndarray, query_times: np.ndarray) -> np.ndarray:
    """For each query, the number of events with the same key and a time strictly before the query's.

    Keys are non-negative integer codes; a negative query key counts nothing.

    Examples
    --------
    >>> count_before(np.array([0, 0, 1]), np.array([5, 9, 5]), np.array([0, 0, 1, -1]), np.array([9, 10, 5, 99]))
    array([1, 2, 0, 0])
    """
    if len(event_keys) == 0 or len(query_keys) == 0:
        return np.zeros(len(query_keys), dtype=np.int64)
    low = min(event_times.min(), query_times.min())
    span = max(event_times.max(), query_times.max()) - low + 1
    events = np.sort(event_keys * span + (event_times - low))
    found = (np.searchsorted(events, query_keys * span + (query_times - low), side="left")
             - np.searchsorted(events, query_keys * span, side="left"))
    return np.where(query_keys >= 0, found, 0).astype(np.int64)


def positions(parent: pd.Series, values: pd.Series, table: str, column: str, parent_name: str) -> np.ndarray:
    """Row positions of ``values`` in the unique keys ``parent``, -1 for empty values; a value not found is an error."""
    found = lookup(parent, values)
    dangling = (found < 0) & values.notna().to_numpy()
    if dangling.any():
        example = values.to_numpy()[dangling][0]
        raise DanglingReferenceError(DANGLING.format(table=table, column=column, count=int(dangling.sum()),
                                                     parent=parent_name, example=example))
    return found


def lookup(parent: pd.Series, values: pd.Series) -> np.ndarray:
    """Row positions of ``values`` in ``parent`` as int64, -1 where empty or not found (an Arrow hash join)."""
    found = pc.index_in(_arrow_strings(values), value_set=_arrow_strings(parent))
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def _arrow_strings(values: pd.Series) -> pa.Array | pa.ChunkedArray:
    return pa.array(values.astype("str"), from_pandas=True).cast(pa.large_string())


def _take(values: np.ndarray, where: np.ndarray, fill: object) -> np.ndarray:
    """``values[where]`` with ``fill`` where ``where`` is -1."""
    if len(values) == 0:
        return np.full(len(where), fill, dtype=np.result_type(values.dtype, np.asarray(fill).dtype))
    out = values[np.where(where >= 0, where, 0)]
    return np.where(where >= 0, out, fill)


# -- 1. application ------------------------------------------------------------
def application_group(apps: pd.DataFrame, tables: Mapping[str, pd.DataFrame], as_of: np.ndarray) -> pd.DataFrame:
    """What the application itself says, the household's earlier awards, and the intermediary's track record."""
    household = pd.factorize(apps["household_id"])[0]
    awarded = apps["awarded"].to_numpy(dtype=bool)
    decided = day_numbers(apps["decision_date"])
    received = day_numbers(apps["application_date"])
    intermediary = pd.factorize(apps["intermediary_id"], use_na_sentinel=True)[0]
    has_intermediary = intermediary >= 0
    prior = count_before(intermediary[has_intermediary], received[has_intermediary], intermediary, as_of)
    prior = prior - (has_intermediary & (received < as_of))          # the application itself is not a prior client
    return pd.DataFrame({
        "scheme": apps["scheme"].astype("str").to_numpy(),
        "amount_monthly": apps["amount_monthly"].to_numpy(dtype=np.float64),
        "authorised_hours_month": apps["authorised_hours_month"].fillna(0.0).to_numpy(dtype=np.float64),
        "declared_income_monthly": apps["declared_income_monthly"].to_numpy(dtype=np.float64),
        "declared_assets": apps["declared_assets"].to_numpy(dtype=np.float64),
        "cost_sharers": apps["cost_sharers"].to_numpy(dtype=np.int64),
        "previous_applications": apps["previous_applications"].to_numpy(dtype=np.int64),
        "previous_awards": count_before(household[awarded], decided[awarded], household, as_of),
        "days_since_relocation": apps["days_since_relocation"].to_numpy(dtype=np.int64),
        "appointment_no_shows": apps["appointment_no_shows"].to_numpy(dtype=np.int64),
        "income_changes_12m": apps["income_changes_12m"].to_numpy(dtype=np.int64),
        "has_intermediary": has_intermediary,
        "intermediary_prior_clients": prior.astype(np.int64),
    }).astype({"scheme": "str"})


# -- 2. small triangle -----------------------------------------------------------
def small_triangle_group(apps: pd.DataFrame, tables: Mapping[str, pd.DataFrame], as_of: np.ndarray) -> pd.DataFrame:
    """The household's provisions under the Participatiewet, Wmo and Jeugdwet awarded before ``as_of``."""
    household = pd.factorize(apps["household_id"])[0]
    awarded = apps["awarded"].to_numpy(dtype=bool)
    decided = day_numbers(apps["decision_date"])
    scheme_codes, schemes = pd.factorize(apps["scheme"])
    law = np.asarray([str(s).split("_", 1)[0] for s in schemes], dtype=object)[scheme_codes] \
        if len(schemes) else np.array([], dtype=object)
    pgb = np.asarray([str(s).endswith("_pgb") for s in schemes], dtype=bool)[scheme_codes] \
        if len(schemes) else np.array([], dtype=bool)
    out = {}
    for name in LAWS:
        chosen = awarded & (law == name)
        out[f"household_{name}_awards"] = count_before(household[chosen], decided[chosen], household, as_of)
    chosen = awarded & pgb
    out["household_has_pgb"] = count_before(household[chosen], decided[chosen], household, as_of) > 0
    out["household_n_laws"] = sum((out[f"household_{name}_awards"] > 0).astype(np.int64) for name in LAWS)
    return pd.DataFrame(out, index=pd.RangeIndex(len(apps)))


# -- 3. large triangle -----------------------------------------------------------
def large_triangle_group(apps: pd.DataFrame, tables: Mapping[str, pd.DataFrame], as_of: np.ndarray) -> pd.DataFrame:
    """The application's address: building, crowding, permits, fire safety (a snapshot without dates)."""
    addresses, households, persons = tables["addresses"], tables["households"], tables["persons"]
    address_index = addresses["address_id"]
    household_index = households["household_id"]
    at = positions(address_index, apps["address_id"], "applications", "address_id", "addresses.address_id")
    own = positions(household_index, apps["household_id"], "applications", "household_id",
                    "households.household_id")
    home = positions(address_index, households["address_id"], "households", "address_id", "addresses.address_id")
    adults = persons.loc[persons["role"].to_numpy() != "child", "household_id"]
    adult_household = positions(household_index, adults, "persons", "household_id", "households.household_id")
    adults_per_household = np.bincount(adult_household, minlength=len(households)).astype(np.int64)
    adults_per_address = np.bincount(home, weights=adults_per_household, minlength=len(addresses)).astype(np.int64)
    own_adults_here = np.where(home[own] == at, adults_per_household[own], 0)
    other_adults = np.maximum(adults_per_address[at] - own_adults_here, 0)
    floor = addresses["floor_area_m2"].to_numpy(dtype=np.float64)[at]
    persons_registered = addresses["persons_registered"].to_numpy(dtype=np.int64)[at]
    return pd.DataFrame({
        "floor_area_m2": floor,
        "persons_registered": persons_registered,
        "households_registered": addresses["households_registered"].to_numpy(dtype=np.int64)[at],
        "persons_per_10m2": np.divide(10.0 * persons_registered, floor, out=np.zeros(len(at)), where=floor > 0),
        "other_adults_at_address": other_adults,
        "undeclared_cost_sharer_gap": np.maximum(other_adults - apps["cost_sharers"].to_numpy(dtype=np.int64), 0),
        "room_rental_permit": addresses["room_rental_permit"].to_numpy(dtype=bool)[at],
        "fire_safety_findings": addresses["fire_safety_findings"].to_numpy(dtype=np.int64)[at],
        "is_care_location": addresses["is_care_location"].to_numpy(dtype=bool)[at],
    })


# -- 4. provider -----------------------------------------------------------------
def provider_group(apps: pd.DataFrame, tables: Mapping[str, pd.DataFrame], as_of: np.ndarray) -> pd.DataFrame:
    """The chosen care provider: age, contracting requirements, director's record, billing history."""
    providers = tables["providers"]
    provider_index = providers["provider_id"]
    chosen = positions(provider_index, apps["provider_id"], "applications", "provider_id", "providers.provider_id")
    location = positions(tables["addresses"]["address_id"], providers["location_address_id"],
                         "providers", "location_address_id", "addresses.address_id")
    fire = _take(tables["addresses"]["fire_safety_findings"].to_numpy(dtype=np.int64), location, 0)
    registered = day_numbers(providers["kvk_registration_date"])
    as_of_month = (as_of.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64))
    billing_ratio, growth = _billing_history(apps, tables, provider_index, chosen, as_of_month)
    has = chosen >= 0
    return pd.DataFrame({
        "has_provider": has,
        "provider_days_registered": np.where(has, np.maximum(as_of - _take(registered, chosen, 0), 0), 0).astype(np.int64),
        "n_staff": _take(providers["n_staff"].to_numpy(dtype=np.int64), chosen, 0).astype(np.int64),
        "legal_form": _take(providers["legal_form"].to_numpy(dtype=object), chosen, "none"),
        "has_quality_certificate": _take(providers["has_quality_certificate"].to_numpy(dtype=bool), chosen, False),
        "vog_coverage": _take(providers["vog_coverage"].to_numpy(dtype=np.float64), chosen, 0.0),
        "bank_guarantee": _take(providers["bank_guarantee"].to_numpy(dtype=bool), chosen, False),
        "staff_trained_share": _take(providers["staff_trained_share"].to_numpy(dtype=np.float64), chosen, 0.0),
        "director_failed_before": as_of > _take(_first_failure_of_director(providers), chosen, np.iinfo(np.int64).max),
        "location_fire_safety_findings": _take(fire, chosen, 0).astype(np.int64),
        "billing_ratio_prior": billing_ratio,
        "provider_client_growth": growth,
    }).astype({"legal_form": "str"})


def _first_failure_of_director(providers: pd.DataFrame) -> np.ndarray:
    """Per provider: the earliest end day of *another* failed or sanctioned provider of its director.

    ``int64`` max where there is none, so ``as_of > value`` reads "failed before as_of".
    """
    never = np.iinfo(np.int64).max
    failed = providers["end_reason"].isin(FAILED_END_REASONS).to_numpy() & providers["end_date"].notna().to_numpy()
    ends = pd.DataFrame({"director_id": providers["director_id"].to_numpy()[failed],
                         "failed_row": np.flatnonzero(failed),
                         "end": day_numbers(providers["end_date"])[failed]})
    rows = pd.DataFrame({"director_id": providers["director_id"].to_numpy(), "row": np.arange(len(providers))})
    pairs = rows.merge(ends, on="director_id", how="inner")
    pairs = pairs[pairs["row"].to_numpy() != pairs["failed_row"].to_numpy()]
    first = np.full(len(providers), never, dtype=np.int64)
    if len(pairs):
        earliest = pairs.groupby("row", sort=False)["end"].min()
        first[earliest.index.to_numpy()] = earliest.to_numpy()
    return first


def _billing_history(apps: pd.DataFrame, tables: Mapping[str, pd.DataFrame], provider_index: pd.Series,
                     chosen: np.ndarray, as_of_month: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Billing ratio and client growth of the chosen provider from declarations of months ended before as_of.

    A declaration for month ``m`` is only complete after ``m`` ends, so months
    strictly before the calendar month of ``as_of`` are used. Both features are
    computed per provider over all its clients on a dense provider x month grid.
    """
    declarations = tables["declarations"]
    n_apps, n_providers = len(apps), len(provider_index)
    provider = positions(provider_index, declarations["provider_id"], "declarations", "provider_id",
                         "providers.provider_id")
    client_app = positions(apps["application_id"], declarations["application_id"], "declarations",
                           "application_id", "applications.application_id")
    month = month_numbers(declarations["month"])
    if n_apps == 0 or len(declarations) == 0:
        return np.zeros(n_apps), np.ones(n_apps)
    first = min(month.min(), as_of_month.min()) - 6
    width = max(month.max() + 3, as_of_month.max()) - first + 2
    cell = provider * width + (month - first)
    billed_hours = declarations["hours_billed"].to_numpy(dtype=np.float64)
    authorised = apps["authorised_hours_month"].fillna(0.0).to_numpy(dtype=np.float64)[client_app]
    # sum in a canonical order, so the same declarations in another row order give the same bits
    order = np.lexsort((authorised, billed_hours, cell))
    hours = np.bincount(cell[order], weights=billed_hours[order],
                        minlength=n_providers * width).reshape(n_providers, width)
    allowed = np.bincount(cell[order], weights=authorised[order],
                          minlength=n_providers * width).reshape(n_providers, width)
    # cumulative up to and including column j -> months < as_of month are column (as_of_month - first - 1)
    cum_hours, cum_allowed = np.cumsum(hours, axis=1), np.cumsum(allowed, axis=1)
    p = np.where(chosen >= 0, chosen, 0)
    col = as_of_month - first - 1
    billed, authorised_sum = cum_hours[p, col], cum_allowed[p, col]
    ratio = np.divide(billed, authorised_sum, out=np.zeros(n_apps), where=authorised_sum > 0)
    clients = _clients_per_window(provider, pd.factorize(apps["person_id"])[0][client_app], month - first,
                                  n_providers, width)
    recent, earlier = clients[p, as_of_month - first], clients[p, as_of_month - first - 3]
    growth = np.where(earlier > 0, np.minimum(recent / np.maximum(earlier, 1), GROWTH_CAP),
                      np.where(recent > 0, GROWTH_CAP, 1.0))
    has = chosen >= 0
    return np.where(has, ratio, 0.0), np.where(has, growth, 1.0)


def _clients_per_window(provider: np.ndarray, client: np.ndarray, column: np.ndarray,
                        n_providers: int, width: int) -> np.ndarray:
    """``out[p, j]``: distinct clients provider ``p`` billed in grid columns ``j-3 .. j-1``.

    A client billed in column ``m`` counts in the windows ending at ``m+1 .. m+3``.
    Per (provider, client), sorted by month, each billed month adds only the
    windows the previous billed month did not already cover, so a difference
    array summed along the months counts every client once per window.
    """
    n_clients = int(client.max()) + 1
    billed = np.sort((provider.astype(np.int64) * n_clients + client) * width + column)
    billed = billed[np.r_[True, billed[1:] != billed[:-1]]]
    pair, month = billed // width, billed % width
    same_pair = np.r_[False, pair[1:] == pair[:-1]]
    previous = np.where(same_pair, np.r_[0, month[:-1]], -10)
    start, stop = np.maximum(month + 1, previous + 4), month + 4
    row = (pair // n_clients) * (width + 1)
    diff = (np.bincount(row + start, minlength=n_providers * (width + 1))
            - np.bincount(row + stop, minlength=n_providers * (width + 1)))
    return np.cumsum(diff.reshape(n_providers, width + 1), axis=1)[:, :width]


GroupBuilder = Callable[[pd.DataFrame, Mapping[str, pd.DataFrame], np.ndarray], pd.DataFrame]

#: group name -> (builder, tables it reads besides ``applications``).
GROUP_BUILDERS: dict[str, tuple[GroupBuilder, tuple[str, ...]]] = {
    "application": (application_group, ()),
    "small_triangle": (small_triangle_group, ()),
    "large_triangle": (large_triangle_group, ("addresses", "households", "persons")),
    "provider": (provider_group, ("providers", "addresses", "declarations")),
}

#: group name -> its feature columns, in X's column order.
FEATURE_GROUPS: dict[str, tuple[str, ...]] = {
    "application": ("scheme", "amount_monthly", "authorised_hours_month", "declared_income_monthly",
                    "declared_assets", "cost_sharers", "previous_applications", "previous_awards",
                    "days_since_relocation", "appointment_no_shows", "income_changes_12m", "has_intermediary",
                    "intermediary_prior_clients"),
    "small_triangle": ("household_pw_awards", "household_wmo_awards", "household_jw_awards", "household_has_pgb",
                       "household_n_laws"),
    "large_triangle": ("floor_area_m2", "persons_registered", "households_registered", "persons_per_10m2",
                       "other_adults_at_address", "undeclared_cost_sharer_gap", "room_rental_permit",
                       "fire_safety_findings", "is_care_location"),
    "provider": ("has_provider", "provider_days_registered", "n_staff", "legal_form", "has_quality_certificate",
                 "vog_coverage", "bank_guarantee", "staff_trained_share", "director_failed_before",
                 "location_fire_safety_findings", "billing_ratio_prior", "provider_client_growth"),
}
