"""The *doorstart*: a malafide provider ends during the period and its director carries on under a new name.

A share ``providers.doorstart_share`` of the providers active at the start whose director is malafide ends
inside the period (not in its last quarter), ``failed`` or ``sanctioned``, and is followed by a **successor**:
a new provider row (ids after all existing ones) with the same director, registered
``DOORSTART_REGISTRATION`` days around the end, at the same address or another shared one, with its own
contracting attributes drawn like a malafide provider's and its truth drawn with the same formula and
intercept as every other provider.

The clients follow (:func:`follow_applications`, :func:`billing_provider`): from the end on, an application
that would have named the ended provider names the successor, and the months billed for the ended provider's
applications after its end month are billed by the successor. A month after the end month in which the
successor was not registered yet is not billed (the care was interrupted); an application dated in that gap
goes to another provider, drawn like any provider choice.

All randomness comes from the generator handed in (the world's own child of its seed), and every number is
drawn whatever the share, so ``doorstart_share: 0`` leaves every table as it was without this mechanism.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt

import numpy as np
import pandas as pd

from risico.synth._common import day_number, make_ids, sigmoid, to_datetime
from risico.synth.params import GenerateParams
from risico.synth.providers import (END_REASONS, LEGAL_FORMS, NEVER, ProviderWorld, contracting_attributes,
                                    linked_to_failed, pick_registered, shared_addresses, truth_logit)

__all__ = ["DOORSTART_REGISTRATION", "plant_doorstarts", "follow_applications", "billing_provider"]

#: The successor is registered this many days before (negative) to after the end, both inclusive.
DOORSTART_REGISTRATION = (-30, 60)
#: An ended provider was active at least this many days.
MIN_ACTIVE_DAYS = 180
#: Chance the successor sits at its predecessor's address (otherwise at a uniformly drawn shared address).
SAME_ADDRESS = 0.5
#: Chance a violating predecessor ends ``sanctioned`` (otherwise ``failed``); a compliant one always fails.
SANCTIONED_IF_VIOLATING = 0.5


def plant_doorstarts(rng: np.random.Generator, params: GenerateParams, prov: ProviderWorld,
                     addresses: pd.DataFrame) -> ProviderWorld:
    """End a share of the malafide providers during the period and append their successors."""
    start = day_number(params.start_date)
    last_quarter = day_number(months_before(params.end_date, 3))
    candidate = np.flatnonzero(prov.active & prov.malafide)
    k = candidate.size
    # every draw is made whatever the share (see the module docstring)
    chosen = rng.random(k) < params.providers.doorstart_share
    earliest = np.maximum(start, prov.registration_day[candidate] + MIN_ACTIVE_DAYS)
    end = earliest + np.floor(rng.random(k) * np.maximum(last_quarter - earliest, 0)).astype(np.int64)
    sanctioned = prov.violating[candidate] & (rng.random(k) < SANCTIONED_IF_VIOLATING)
    registration = end + rng.integers(DOORSTART_REGISTRATION[0], DOORSTART_REGISTRATION[1] + 1, k)
    same_address = rng.random(k) < SAME_ADDRESS
    shared = shared_addresses(addresses)
    pool = shared if shared.size else np.arange(len(addresses))
    other_address = pool[rng.integers(0, pool.size, k)]
    malafide = np.ones(k, dtype=bool)
    legal, staff, certificate, vog, guarantee, trained = contracting_attributes(rng, malafide)
    noise, u = rng.normal(0, 1, k), rng.random(k)
    keep = np.flatnonzero(chosen & (earliest < last_quarter))
    if keep.size == 0:
        return prov
    before, n_old = candidate[keep], len(prov.providers)
    new = np.arange(n_old, n_old + keep.size)
    old_table = prov.providers
    location_ids = addresses["address_id"].to_numpy()
    at = pd.Index(location_ids).get_indexer(old_table["location_address_id"].to_numpy()[before])
    location = np.where(same_address[keep], at, other_address[keep])
    fire = addresses["fire_safety_findings"].to_numpy()[location]
    director = pd.factorize(old_table["director_id"])[0].astype(np.int64)
    end_day = prov.end_day.copy()
    end_day[before] = end[keep]
    failed = (end_day < NEVER) & old_table["end_reason"].isin(END_REASONS[:2]).to_numpy()
    failed[before] = True
    linked = linked_to_failed(np.r_[director, director[before]], np.r_[failed, np.zeros(keep.size, bool)],
                              np.r_[end_day, np.full(keep.size, NEVER)],
                              np.r_[prov.registration_day, registration[keep]])[n_old:]
    logit = truth_logit(params, malafide[keep], linked, vog[keep], certificate[keep], guarantee[keep], fire,
                        noise[keep])
    probability = sigmoid(prov.intercept + logit)
    violating = u[keep] < probability
    ids = make_ids("Z", n_old + keep.size, 5).iloc[n_old:].reset_index(drop=True)
    ended = old_table.copy()
    ended.loc[before, "end_date"] = to_datetime(end[keep])
    ended.loc[before, "end_reason"] = np.where(sanctioned[keep], "sanctioned", "failed")
    successors = pd.DataFrame({
        "provider_id": ids,
        "kvk_registration_date": to_datetime(registration[keep]),
        "end_date": pd.Series(pd.NaT, index=range(keep.size), dtype=ended["end_date"].dtype),
        "end_reason": pd.Series(None, index=range(keep.size), dtype=ended["end_reason"].dtype),
        "legal_form": pd.Series(np.array(LEGAL_FORMS, dtype=object)[legal[keep]], dtype="str"),
        "n_staff": staff[keep],
        "has_quality_certificate": certificate[keep],
        "vog_coverage": vog[keep],
        "bank_guarantee": guarantee[keep],
        "staff_trained_share": trained[keep],
        "location_address_id": location_ids[location],
        "director_id": old_table["director_id"].to_numpy()[before],
    }).astype({"location_address_id": "str", "director_id": "str"})
    truth = pd.DataFrame({"provider_id": ids, "true_violation": violating, "true_probability": probability,
                          "malafide_director": malafide[keep]})
    successor = np.r_[prov.successor, np.full(keep.size, -1, dtype=np.int64)]
    successor[before] = new
    return dataclasses.replace(
        prov,
        providers=pd.concat([ended, successors], ignore_index=True).astype(old_table.dtypes.to_dict()),
        truth=pd.concat([prov.truth, truth], ignore_index=True).astype(prov.truth.dtypes.to_dict()),
        active=np.r_[prov.active, np.zeros(keep.size, bool)],
        violating=np.r_[prov.violating, violating],
        registration_day=np.r_[prov.registration_day, registration[keep]],
        staff=np.r_[prov.staff, staff[keep]],
        linked_to_failed=np.r_[prov.linked_to_failed, linked],
        malafide=np.r_[prov.malafide, malafide[keep]],
        end_day=np.r_[end_day, np.full(keep.size, NEVER)],
        successor=successor,
    )


def follow_applications(rng: np.random.Generator, prov: ProviderWorld, provider: np.ndarray,
                        day: np.ndarray) -> np.ndarray:
    """The provider each application names once the clients follow: the successor from the end day on.

    ``provider`` holds provider positions (-1: none) chosen among the providers active at the start, ``day``
    the application days. An application dated on or after the end, before the successor was registered, goes
    to a provider that never ends, drawn like any provider choice (the draws come from ``rng``).
    """
    has = provider >= 0
    p = np.where(has, provider, 0)
    after = has & (day >= prov.end_day[p]) & (prov.successor[p] >= 0)
    if not after.any():
        return provider
    out = provider.copy()
    nxt = prov.successor[p]
    ready = after & (prov.registration_day[nxt] <= day)
    out[ready] = nxt[ready]
    gap = np.flatnonzero(after & ~ready)
    if gap.size:
        lasting = np.flatnonzero(prov.active & (prov.end_day == NEVER))
        out[gap] = pick_registered(rng, lasting, prov, day[gap])
    return out


def billing_provider(prov: ProviderWorld, provider: np.ndarray, month: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Who bills a declaration of ``month`` (months since 1970) for an application naming ``provider``.

    The provider itself up to its end month; after it, its successor, from the month in which the successor
    was registered. Returns the billing provider's position and whether the month is billed at all.
    """
    end_month = _month_of(np.minimum(prov.end_day, day_number(dt.date(9999, 1, 1))))[provider]
    moved = (month > end_month) & (prov.successor[provider] >= 0)
    nxt = prov.successor[provider]
    billed_by = np.where(moved, nxt, provider)
    billed = ~moved | (_month_of(prov.registration_day[np.where(moved, nxt, 0)]) <= month)
    return billed_by, billed


def months_before(date: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (the month's last day when it is shorter).

    >>> months_before(dt.date(2025, 5, 31), 3)
    datetime.date(2025, 2, 28)
    """
    index = date.year * 12 + date.month - 1 - months
    year, month = divmod(index, 12)
    return date.replace(year=year, month=month + 1, day=min(date.day, calendar.monthrange(year, month + 1)[1]))


def _month_of(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
