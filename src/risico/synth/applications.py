"""Applications (aanvragen), their true violation status, and care declarations.

The true violation probability is a logistic function of legitimate signals
(undeclared cost-sharers at a shared address, crowding, income volatility, a
recent move, missed appointments, a malafide intermediary, a violating care
provider) plus a little hidden noise. Protected attributes enter only through
``violation.protected_effect`` (0 by default).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from risico.synth._common import calibrate_intercept, day_number, draw_categories, make_ids, sigmoid
from risico.synth.params import GenerateParams
from risico.synth.population import Population
from risico.synth.doorstarts import follow_applications
from risico.synth.providers import ProviderWorld, pick_registered
from risico.vocabularies import CARE_SCHEMES, HOUSEHOLD_TYPES, MIGRATION_GROUPS, SCHEMES

HOURLY_RATE = {"wmo_zin": 62.0, "wmo_pgb": 35.0, "jw_zin": 78.0, "jw_pgb": 40.0}
HOURS_MEAN = {"wmo_zin": 8.0, "wmo_pgb": 10.0, "jw_zin": 14.0, "jw_pgb": 16.0}
BIJSTAND_NORM = np.array([1320.0, 1320.0, 1890.0, 1890.0])  # by household type
MALAFIDE_ROUTING = 0.6      # share of a malafide intermediary's clients sent to a violating provider
#: Other persons registered at the applicant's address per m2 above which the address counts as crowded.
#: Counting only persons outside the household keeps the signal independent of household size and type
#: (and so of age and gender).
CROWDED_OTHERS_PER_M2 = 1 / 30


@dataclasses.dataclass(frozen=True)
class ApplicationDraw:
    """Applications with the hidden quantities the investigations need."""

    table: pd.DataFrame
    truth: pd.DataFrame
    household: np.ndarray
    non_western: np.ndarray
    district: np.ndarray
    violation: np.ndarray
    is_care: np.ndarray


def generate_applications(rng: np.random.Generator, params: GenerateParams, pop: Population,
                          prov: ProviderWorld, *, follow_rng: np.random.Generator,
                          window: tuple[int, int] | None = None, first_id: int = 1) -> ApplicationDraw:
    """Draw applications and their ground truth over the period, or over ``window`` (first day, end day).

    A window draws at the period's rate: ``per_household`` scaled by the
    window's share of the period. Ids start at ``first_id``. ``follow_rng``
    (the doorstarts' generator) re-routes the clients of a provider that
    ended before its successor was registered.
    """
    hh = pop.households
    n_h = len(hh)
    period = day_number(params.start_date), day_number(params.end_date)
    start, end = window or period
    per_h = rng.poisson(params.applications.per_household * (end - start) / (period[1] - period[0]), n_h)
    household = np.repeat(np.arange(n_h), per_h)
    n = household.size
    app_day = start + np.floor(rng.random(n) * (end - start)).astype(np.int64)
    order = np.lexsort((household, app_day))
    household, app_day = household[order], app_day[order]
    type_index = _type_index(hh["household_type"].to_numpy())
    has_children = hh["n_children"].to_numpy()[household] > 0
    scheme = _schemes(rng, params, has_children)
    scheme_name = np.array(SCHEMES, dtype=object)[scheme]
    is_care = np.isin(scheme_name, CARE_SCHEMES)
    is_pgb = np.char.endswith(scheme_name.astype(str), "pgb")
    # application signals (drawn independently of protected attributes)
    volatility = rng.gamma(1.0, 0.6, n_h)[household]
    income_changes = rng.poisson(volatility)
    no_shows = rng.poisson(0.35, n)
    days_since_move = np.where(rng.random(n) < 0.10, rng.integers(0, 90, n),
                               90 + np.floor(rng.exponential(1500.0, n)).astype(np.int64))
    other_adults = pop.other_adults[household]
    cost_sharers = rng.binomial(other_adults, 0.6)
    undeclared = other_adults - cost_sharers
    crowded = pop.others_density[household] > CROWDED_OTHERS_PER_M2
    intermediary = np.where(is_pgb & (rng.random(n) < params.applications.intermediary_share_pgb),
                            rng.integers(0, prov.intermediary_ids.size, n), -1)
    int_malafide = (intermediary >= 0) & prov.intermediary_malafide[np.maximum(intermediary, 0)]
    provider = _choose_providers(rng, prov, app_day, is_care, int_malafide, follow_rng)
    prov_violating = (provider >= 0) & prov.violating[np.maximum(provider, 0)]
    migration = hh_migration(pop)[household]
    non_western = migration == MIGRATION_GROUPS.index("non_western")
    v = params.violation
    logit = (0.8 * np.minimum(undeclared, 2) + 0.6 * crowded + 0.25 * np.minimum(income_changes, 6)
             + 0.7 * (days_since_move < 90) + 0.3 * np.minimum(no_shows, 5) + 0.4 * is_pgb
             + 1.5 * int_malafide + 1.3 * prov_violating
             + v.protected_effect * non_western + v.hidden_noise * rng.normal(0, 1, n))
    probability = sigmoid(calibrate_intercept(logit, v.base_rate) + logit)
    violation = rng.random(n) < probability
    fraud = violation & (rng.random(n) < sigmoid(-1.8 + 2.0 * int_malafide + 1.5 * prov_violating + 0.6 * (undeclared > 0)))
    hours = np.zeros(n)
    for name in CARE_SCHEMES:
        idx = scheme_name == name
        hours[idx] = np.round(rng.gamma(4.0, HOURS_MEAN[name] / 4.0, int(idx.sum())), 1)
    rate = np.array([HOURLY_RATE.get(s, 0.0) for s in SCHEMES])[scheme]
    norm = BIJSTAND_NORM[type_index[household]] * np.where(cost_sharers > 0, 0.75, 1.0)
    amount = np.round(np.where(is_care, hours * rate, norm * rng.uniform(0.85, 1.0, n)), 2)
    income = np.where(is_care, rng.lognormal(np.log(1800), 0.5, n) * np.where(type_index[household] >= 2, 1.6, 1.0),
                      np.where(rng.random(n) < 0.7, 0.0, rng.uniform(100, 900, n)))
    assets = np.where(is_care, rng.lognormal(np.log(9000), 1.2, n), rng.uniform(0, 7500, n))
    ids = make_ids("AV", first_id - 1 + n, 8).iloc[first_id - 1:].reset_index(drop=True)
    table = pd.DataFrame({
        "application_id": ids,
        "household_id": hh["household_id"].to_numpy()[household],
        "person_id": _heads(pop).to_numpy()[household],
        "address_id": hh["address_id"].to_numpy()[household],
        "scheme": pd.Series(scheme_name, dtype="str"),
        "_application_day": app_day,
        "amount_monthly": amount,
        "authorised_hours_month": np.where(is_care, hours, np.nan),
        "declared_income_monthly": np.round(income, 2),
        "declared_assets": np.round(assets, 2),
        "cost_sharers": cost_sharers.astype(np.int64),
        "days_since_relocation": days_since_move.astype(np.int64),
        "appointment_no_shows": no_shows.astype(np.int64),
        "income_changes_12m": income_changes.astype(np.int64),
        "intermediary_id": pd.Series(prov.intermediary_ids.to_numpy()[np.maximum(intermediary, 0)],
                                     dtype="str").where(intermediary >= 0),
        "provider_id": pd.Series(prov.providers["provider_id"].to_numpy()[np.maximum(provider, 0)],
                                 dtype="str").where(provider >= 0),
    }).astype({"household_id": "str", "person_id": "str", "address_id": "str"})
    truth = pd.DataFrame({
        "application_id": ids,
        "true_violation": violation,
        "true_probability": probability,
        "violation_type": pd.Series(np.where(fraud, "fraud", np.where(violation, "error", "none")), dtype="str"),
    })
    return ApplicationDraw(table, truth, household, non_western,
                           hh_district(pop)[household], violation, is_care)


def hh_migration(pop: Population) -> np.ndarray:
    """Migration background code of each household's head."""
    heads = pop.persons[pop.persons["role"] == "head"]
    return pd.Categorical(heads["migration_background"], categories=MIGRATION_GROUPS).codes.astype(np.int64)


def hh_district(pop: Population) -> np.ndarray:
    return pop.households["district"].to_numpy()


def _heads(pop: Population) -> pd.Series:
    return pop.persons.loc[pop.persons["role"] == "head", "person_id"].reset_index(drop=True)


def _type_index(types: np.ndarray) -> np.ndarray:
    return pd.Categorical(types, categories=HOUSEHOLD_TYPES).codes.astype(np.int64)


def _schemes(rng: np.random.Generator, params: GenerateParams, has_children: np.ndarray) -> np.ndarray:
    """Scheme per application; Jeugdwet only for households with children.

    For a household without children the Jeugdwet weights go to the matching
    Wmo form (``jw_zin`` to ``wmo_zin``, ``jw_pgb`` to ``wmo_pgb``), so the
    shares of care and of pgb, which carry risk, are the same for every
    household type and hence for every age and gender.
    """
    mix = np.array([params.applications.scheme_mix[s] for s in SCHEMES])
    without = mix.copy()
    for youth, adult in (("jw_zin", "wmo_zin"), ("jw_pgb", "wmo_pgb")):
        without[SCHEMES.index(adult)] += without[SCHEMES.index(youth)]
        without[SCHEMES.index(youth)] = 0.0
    probs = np.where(has_children[:, None], mix[None, :], without[None, :])
    return draw_categories(rng, probs)


def _choose_providers(rng, prov: ProviderWorld, app_day, is_care, int_malafide, follow_rng) -> np.ndarray:
    """A provider registered before the application date, weighted by staff size.

    Clients of a malafide intermediary are sent to a violating provider with
    probability ``MALAFIDE_ROUTING`` (the earliest-registered one when none is
    registered yet on the application date). Providers are chosen among those
    active at the start; from a provider's doorstart on, its successor takes
    its place (:func:`risico.synth.doorstarts.follow_applications`, drawing
    from ``follow_rng``).
    """
    n = app_day.size
    out = np.full(n, -1, dtype=np.int64)
    active = np.flatnonzero(prov.active)
    out[is_care] = pick_registered(rng, active, prov, app_day[is_care])
    bad = active[prov.violating[active]]
    routed = is_care & int_malafide & (rng.random(n) < MALAFIDE_ROUTING)
    if bad.size and routed.any():
        picked = pick_registered(rng, bad, prov, app_day[routed])
        out[routed] = np.where(picked >= 0, picked, out[routed])
    return follow_applications(follow_rng, prov, out, app_day)
