"""Care providers (zorgaanbieders), their directors' careers, and intermediaries.

A share of directors is *malafide*: their earlier providers ended as failed
or sanctioned, and they run a current provider under a new name, often at a
room-rental address. Their providers meet fewer contracting requirements.
Some of them end again during the period and restart under yet another name
(the doorstart, :mod:`risico.synth.doorstarts`).
Legal form and size are drawn independently of all that, so a model that
flags small providers more often does so on its own account, not because the
truth says so.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from risico.synth import _portable
from risico.synth._common import calibrate_intercept, day_number, make_ids, sigmoid, to_datetime
from risico.synth.params import GenerateParams

LEGAL_FORMS = ("eenmanszaak", "stichting", "bv")
LEGAL_FORM_SHARES = np.array([0.35, 0.25, 0.40])
END_REASONS = ("failed", "sanctioned", "stopped")
SMALL_PROVIDER_STAFF = 5          # fewer staff than this: a small provider
NEVER = np.iinfo(np.int64).max    # end day of a provider that has not ended
PERSONS_PER_INTERMEDIARY = 2500
MALAFIDE_INTERMEDIARY_SHARE = 0.25


@dataclasses.dataclass(frozen=True)
class ProviderWorld:
    providers: pd.DataFrame
    truth: pd.DataFrame
    #: Aligned with ``providers``: whether the provider is still active at the start.
    active: np.ndarray
    violating: np.ndarray
    registration_day: np.ndarray
    staff: np.ndarray
    linked_to_failed: np.ndarray
    malafide: np.ndarray
    intermediary_ids: pd.Series
    intermediary_malafide: np.ndarray
    #: Day each provider ended; ``NEVER`` while it has not (earlier providers ended before the start).
    end_day: np.ndarray
    #: Position of the provider that took over its clients after a doorstart (``doorstarts.py``), -1 if none.
    successor: np.ndarray
    #: Intercept of the providers' true log-odds (calibrated on the providers active at the start).
    intercept: float

    @property
    def predecessor(self) -> np.ndarray:
        """Position of the provider whose clients this one took over, -1 if none."""
        out = np.full(self.successor.size, -1, dtype=np.int64)
        ended = np.flatnonzero(self.successor >= 0)
        out[self.successor[ended]] = ended
        return out


def generate_providers(rng: np.random.Generator, params: GenerateParams, addresses: pd.DataFrame) -> ProviderWorld:
    """Draw active and earlier (ended) providers, their truth and the intermediaries."""
    pp = params.providers
    start = day_number(params.start_date)
    period = day_number(params.end_date) - start
    n_active = max(10, round(params.n_persons / pp.persons_per_provider))
    malafide_director = rng.random(n_active) < pp.malafide_director_share
    # earlier providers of each director: malafide ones 1 + Poisson(0.6), others 8% one that stopped or failed
    n_prev = np.where(malafide_director, 1 + rng.poisson(0.6, n_active), (rng.random(n_active) < 0.08).astype(int))
    director = np.concatenate([np.arange(n_active), np.repeat(np.arange(n_active), n_prev)])
    active = np.concatenate([np.ones(n_active, bool), np.zeros(int(n_prev.sum()), bool)])
    malafide = malafide_director[director]
    n = director.size
    # dates: an earlier provider ended 30..1500 days before the start; the current one followed it
    end_day = np.where(active, -1, start - rng.integers(30, 1500, n))
    last_end = np.full(n_active, -1)
    np.maximum.at(last_end, director[~active], end_day[~active])
    reg_active = np.where(
        last_end >= 0, last_end + rng.integers(20, 300, n_active),
        np.where(rng.random(n_active) < 0.12, start + rng.integers(0, max(1, period * 2 // 3), n_active),
                 start - np.floor(rng.exponential(2500.0, n_active)).astype(int) - 30))
    registration = np.where(active, np.concatenate([reg_active, np.zeros(n - n_active, int)]),
                            end_day - rng.integers(365, 4 * 365, n))
    reason = np.where(active, -1, np.where(malafide, rng.integers(0, 2, n),
                                           np.where(rng.random(n) < 0.25, 0, 2)))
    legal, staff, certificate, vog, guarantee, trained = contracting_attributes(rng, malafide)
    location = _locations(rng, addresses, malafide)
    fire = addresses["fire_safety_findings"].to_numpy()[location]
    linked = linked_to_failed(director, ~active & (reason >= 0) & (reason <= 1), end_day, registration)
    logit = truth_logit(params, malafide, linked, vog, certificate, guarantee, fire, rng.normal(0, 1, n))
    intercept = calibrate_intercept(logit[active], pp.base_rate)
    probability = sigmoid(intercept + logit)
    violating = rng.random(n) < probability
    ids = make_ids("Z", n, 5)
    end_reason = pd.Series(np.array(END_REASONS, dtype=object)[np.maximum(reason, 0)], dtype="str").where(reason >= 0)
    providers = pd.DataFrame({
        "provider_id": ids,
        "kvk_registration_date": to_datetime(registration),
        "end_date": pd.Series(to_datetime(np.maximum(end_day, 0))).where(end_day >= 0),
        "end_reason": end_reason,
        "legal_form": pd.Series(np.array(LEGAL_FORMS, dtype=object)[legal], dtype="str"),
        "n_staff": staff,
        "has_quality_certificate": certificate,
        "vog_coverage": vog,
        "bank_guarantee": guarantee,
        "staff_trained_share": trained,
        "location_address_id": addresses["address_id"].to_numpy()[location],
        "director_id": make_ids("D", n_active, 5).to_numpy()[director],
    }).astype({"location_address_id": "str", "director_id": "str"})
    truth = pd.DataFrame({
        "provider_id": ids,
        "true_violation": violating,
        "true_probability": probability,
        "malafide_director": malafide,
    })
    n_int = max(3, round(params.n_persons / PERSONS_PER_INTERMEDIARY))
    int_malafide = rng.random(n_int) < MALAFIDE_INTERMEDIARY_SHARE
    return ProviderWorld(providers=providers, truth=truth, active=active, violating=violating,
                         registration_day=registration, staff=staff, linked_to_failed=linked, malafide=malafide,
                         intermediary_ids=make_ids("I", n_int, 4), intermediary_malafide=int_malafide,
                         end_day=np.where(active, NEVER, end_day), successor=np.full(n, -1, dtype=np.int64),
                         intercept=intercept)


def contracting_attributes(rng: np.random.Generator, malafide: np.ndarray) -> tuple[np.ndarray, ...]:
    """Legal form (code), staff, certificate, VOG coverage, bank guarantee and trained share of each provider.

    Legal form and staff are drawn independently of ``malafide``; the requirements are met less often by
    malafide providers.
    """
    n = malafide.size
    legal = rng.choice(len(LEGAL_FORMS), size=n, p=LEGAL_FORM_SHARES)
    staff = np.where(legal == 0, 1 + rng.poisson(0.3, n), np.clip(np.round(rng.lognormal(np.log(12), 1.0, n)), 2, 500))
    staff = staff.astype(np.int64)
    certificate = rng.random(n) < np.where(malafide, 0.35, 0.75)
    vog = np.round(np.where(malafide, rng.beta(3, 2.5, n), rng.beta(9, 1.2, n)), 2)
    guarantee = rng.random(n) < np.where(malafide, 0.35, 0.70)
    trained = np.round(np.where(malafide, rng.beta(2, 3, n), rng.beta(6, 2, n)), 2)
    return legal, staff, certificate, vog, guarantee, trained


def truth_logit(params: GenerateParams, malafide, linked, vog, certificate, guarantee, fire,
                noise: np.ndarray) -> np.ndarray:
    """The providers' true log-odds without the intercept (``noise`` is a standard normal draw per provider)."""
    return (1.5 * malafide + 1.0 * linked + 1.5 * (1 - vog) + 0.6 * ~certificate + 0.5 * ~guarantee
            + 0.3 * np.minimum(fire, 3) + params.violation.hidden_noise * noise)


def _locations(rng: np.random.Generator, addresses: pd.DataFrame, malafide: np.ndarray) -> np.ndarray:
    """Malafide directors favour room-rental and care addresses."""
    shared = shared_addresses(addresses)
    anywhere = rng.integers(0, len(addresses), malafide.size)
    if shared.size == 0:
        return anywhere
    at_shared = rng.random(malafide.size) < np.where(malafide, 0.5, 0.08)
    return np.where(at_shared, shared[rng.integers(0, shared.size, malafide.size)], anywhere)


def shared_addresses(addresses: pd.DataFrame) -> np.ndarray:
    """Positions of the shared addresses: more than one household registered, or a care location."""
    care = addresses["is_care_location"].to_numpy()
    return np.flatnonzero(~care & (addresses["households_registered"].to_numpy() > 1) | care)


def linked_to_failed(director, failed, end_day, registration) -> np.ndarray:
    """Whether the provider's director had a ``failed`` provider that ended on or before this one's registration."""
    first_failure = np.full(director.max() + 1, np.iinfo(np.int64).max)
    np.minimum.at(first_failure, director[failed], end_day[failed])
    return first_failure[director] <= registration


def pick_registered(rng: np.random.Generator, candidates: np.ndarray, prov: ProviderWorld,
                    day: np.ndarray) -> np.ndarray:
    """For each day, one of ``candidates`` registered on or before it, weighted by staff**0.7.

    When none is registered yet on that day, the earliest-registered candidate is taken.
    """
    order = candidates[np.argsort(prov.registration_day[candidates], kind="stable")]
    reg = prov.registration_day[order]
    cum = np.cumsum(_portable.power(prov.staff[order], 0.7))     # not **: np.power's last bits vary by processor
    k = np.searchsorted(reg, day, side="right")            # number registered by then
    k = np.maximum(k, 1)
    pick = np.searchsorted(cum, rng.random(day.size) * cum[k - 1], side="right")
    return order[np.minimum(pick, k - 1)]
