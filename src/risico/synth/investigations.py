"""Historical investigations: who was looked at, why, and what was found.

Three planted mechanisms live here (each off in the fair world):

* **selection bias**: the caseworker route selects non-western applicants
  ``investigation.caseworker_ratio_non_western`` times as often, and
  applicants in the targeted districts ``caseworker_ratio_targeted_district``
  times as often, whatever their true risk; for providers, small providers
  ``providers.small_provider_ratio`` times as often;
* **unequal detection**: an investigation finds a true violation of a
  non-western applicant ``detection.ratio_non_western`` times as often;
* the **random route** (``investigation.random_share`` of investigations)
  selects uniformly and is the only unbiased witness.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from risico.synth._common import assign_routes, day_number, make_ids, to_datetime
from risico.synth.absences import Absences
from risico.synth.applications import ApplicationDraw
from risico.synth.doorstarts import billing_provider
from risico.synth.params import GenerateParams, add_years
from risico.synth.providers import SMALL_PROVIDER_STAFF, ProviderWorld

OUTCOMES = ("no_finding", "error", "fraud")
ROUTE_NAMES = ("random", "risk_rule", "caseworker", "tip")


def investigate_applications(rng: np.random.Generator, params: GenerateParams, apps: ApplicationDraw):
    """Investigations of applications, and the decision that follows each application.

    Returns
    -------
    investigations : DataFrame (one row per investigated application)
    decision_day, awarded : ndarray aligned with the applications
    probability : ndarray, each application's probability of being investigated
    """
    eff = params.effective()
    inv, det = eff.investigation, eff.detection
    t = apps.table
    n = len(t)
    targeted = np.isin(apps.district, list(inv.targeted_districts))
    caseworker = (np.where(apps.non_western, inv.caseworker_ratio_non_western, 1.0)
                  * np.where(targeted, inv.caseworker_ratio_targeted_district, 1.0))
    rule = (1.0 + 2.0 * (t["cost_sharers"].to_numpy() == 0) * (t["days_since_relocation"].to_numpy() < 365)
            + 1.0 * (t["appointment_no_shows"].to_numpy() > 0) + 1.0 * (t["income_changes_12m"].to_numpy() >= 3))
    tip = 0.3 + 5.0 * apps.violation
    route, probability = assign_routes(rng, {"caseworker": caseworker, "risk_rule": rule, "tip": tip},
                                       dict(inv.route_mix), inv.rate, inv.random_share)
    investigated = route != ""
    p_detect = np.minimum(det.rate * np.where(apps.non_western, det.ratio_non_western, 1.0), 1.0)
    found = apps.violation & (rng.random(n) < p_detect)
    false_finding = ~apps.violation & (rng.random(n) < det.false_finding_rate)
    kind = apps.truth["violation_type"].to_numpy()
    outcome = np.where(found, np.where(kind == "fraud", 2, 1), np.where(false_finding, 1, 0))
    app_day = t["_application_day"].to_numpy()
    inv_day = app_day + rng.integers(1, 29, n)
    decision_day = np.where(investigated, inv_day + rng.integers(1, 15, n), app_day + rng.integers(3, 43, n))
    awarded = ~(investigated & (outcome == 2))
    months = np.where(outcome == 2, rng.integers(3, 13, n), rng.integers(1, 4, n))
    recovered = np.where(outcome > 0, np.round(t["amount_monthly"].to_numpy() * months, 2), 0.0)
    idx = np.flatnonzero(investigated)
    table = pd.DataFrame({
        "subject_type": pd.Series(["application"] * idx.size, dtype="str"),
        "application_id": t["application_id"].to_numpy()[idx],
        "provider_id": pd.Series([None] * idx.size, dtype="str"),
        "start_date": to_datetime(inv_day[idx]),
        "route": pd.Series(route[idx], dtype="str"),
        "outcome": pd.Series(np.array(OUTCOMES, dtype=object)[outcome[idx]], dtype="str"),
        "amount_recovered": recovered[idx],
    }).astype({"application_id": "str"})
    return table, decision_day, awarded, probability


def investigate_providers(rng: np.random.Generator, params: GenerateParams, prov: ProviderWorld) -> pd.DataFrame:
    """Yearly investigations of the providers active in each year of the period.

    A provider is looked at in a year when it was registered before the year's end and had not ended
    before the year began; the investigation starts on a uniform day of the part of the year in which it
    was active (from its registration, before its end day).
    """
    eff = params.effective()
    pp, det = eff.providers, eff.detection
    frames = []
    for year in range(params.n_years):        # a loop over years, not rows
        y0 = day_number(add_years(params.start_date, year))
        y1 = day_number(add_years(params.start_date, year + 1))
        alive = (prov.end_day > y0) & (prov.registration_day < y1)
        idx = np.flatnonzero(alive)
        if idx.size == 0:
            continue
        small = prov.staff[idx] < SMALL_PROVIDER_STAFF
        pv = prov.providers.iloc[idx]
        rule = 1.0 + 2.0 * prov.linked_to_failed[idx] + 1.0 * ~pv["has_quality_certificate"].to_numpy()
        route, _ = assign_routes(
            rng, {"caseworker": np.where(small, pp.small_provider_ratio, 1.0), "risk_rule": rule,
                  "tip": 0.3 + 5.0 * prov.violating[idx]},
            dict(eff.investigation.route_mix), pp.investigation_rate, eff.investigation.random_share)
        hit = route != ""
        found = prov.violating[idx] & (rng.random(idx.size) < det.rate)
        fraud = found & (prov.malafide[idx] | (rng.random(idx.size) < 0.3))
        outcome = np.where(fraud, 2, np.where(found, 1, 0))
        first = np.maximum(y0, prov.registration_day[idx])
        day = first + np.floor(rng.random(idx.size) * (np.minimum(y1, prov.end_day[idx]) - first)).astype(np.int64)
        sel = np.flatnonzero(hit)
        frames.append(pd.DataFrame({
            "subject_type": pd.Series(["provider"] * sel.size, dtype="str"),
            "application_id": pd.Series([None] * sel.size, dtype="str"),
            "provider_id": pv["provider_id"].to_numpy()[sel],
            "start_date": to_datetime(day[sel]),
            "route": pd.Series(route[sel], dtype="str"),
            "outcome": pd.Series(np.array(OUTCOMES, dtype=object)[outcome[sel]], dtype="str"),
            "amount_recovered": np.where(outcome[sel] > 0, np.round(rng.lognormal(np.log(40000), 0.8, sel.size), 2), 0.0),
        }).astype({"provider_id": "str"}))
    return pd.concat(frames, ignore_index=True)


def declarations(rng: np.random.Generator, params: GenerateParams, apps: ApplicationDraw, decision_day: np.ndarray,
                 awarded: np.ndarray, prov: ProviderWorld, absences: Absences | None = None,
                 person_ids: pd.Series | None = None) -> pd.DataFrame:
    """Monthly billing per client for awarded care applications with a provider.

    Violating providers inflate the billed hours in most months. The months after a provider's doorstart
    are billed by its successor (:func:`risico.synth.doorstarts.billing_provider`). With ``absences`` (and the
    persons' ``person_ids`` its positions refer to), a month in which the client was away is
    billed as :meth:`Absences.billed_share` says; its random draws come from the absences'
    own generator, so every draw from ``rng`` stays the same.
    """
    t = apps.table
    provider_ids = t["provider_id"]
    has_provider = provider_ids.notna().to_numpy() & awarded
    idx = np.flatnonzero(has_provider)
    decision = decision_day[idx].astype("datetime64[D]")
    first_month = decision.astype("datetime64[M]") + 1
    end_month = np.datetime64(params.end_date, "M")
    length = np.minimum(rng.integers(3, 13, idx.size), (end_month - first_month).astype(np.int64))
    length = np.maximum(length, 0)
    row_app = np.repeat(idx, length)
    offset = np.arange(row_app.size) - np.repeat(np.cumsum(length) - length, length)
    month = np.repeat(first_month, length) + offset
    named = pd.Index(prov.providers["provider_id"]).get_indexer(provider_ids.to_numpy()[row_app])
    position, billed = billing_provider(prov, named, month.astype(np.int64))
    inflating = prov.violating[position] & (rng.random(row_app.size) < 0.7)
    factor = np.where(inflating, rng.uniform(1.15, 1.8, row_app.size), rng.uniform(0.85, 1.0, row_app.size))
    if absences is not None:
        person = pd.Index(person_ids).get_indexer(t["person_id"].to_numpy()[row_app])
        factor = factor * absences.billed_share(person, month.astype(np.int64), prov.violating[position])
    hours = np.round(t["authorised_hours_month"].to_numpy()[row_app] * factor, 1)
    rate = t["amount_monthly"].to_numpy()[row_app] / np.maximum(t["authorised_hours_month"].to_numpy()[row_app], 0.1)
    keep = np.flatnonzero(billed)
    return pd.DataFrame({
        "declaration_id": make_ids("DC", keep.size, 9),
        "provider_id": prov.providers["provider_id"].to_numpy()[position[keep]],
        "application_id": t["application_id"].to_numpy()[row_app[keep]],
        "month": month[keep].astype("datetime64[D]").astype("datetime64[ms]"),
        "hours_billed": hours[keep],
        "amount_billed": np.round(hours * rate, 2)[keep],
    }).astype({"provider_id": "str", "application_id": "str"})
