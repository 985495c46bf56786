"""Households, persons and addresses of the synthetic municipality.

Design rule: everything that drives the true violation risk later (address
occupancy, cost-sharers, income volatility) is drawn independently of the
protected attributes. District and Dutch language proficiency are the only
columns tied to migration background, and only as strongly as
``proxies.strength`` says. That keeps the ground truth free of group effects
unless ``violation.protected_effect`` puts one there.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from risico.synth._common import draw_categories, make_ids
from risico.synth.params import GenerateParams
from risico.vocabularies import DISTRICTS, GENDERS, HOUSEHOLD_TYPES, MIGRATION_GROUPS

#: Relative size of each district (fixed: the municipality's map).
DISTRICT_WEIGHTS = np.array([10, 9, 8, 9, 7, 8, 10, 8, 9, 7, 8, 7], dtype=float)
#: First 4-digit postcode of each district; each district has four.
POSTCODE_BASE = 3011
POSTCODES_PER_DISTRICT = 4
LANGUAGE_LEVELS = ("good", "moderate", "limited")
LANGUAGE_BASE = np.array([0.82, 0.13, 0.05])
LANGUAGE_SHIFTED = np.array([0.30, 0.40, 0.30])
EDUCATION_LEVELS = ("low", "middle", "high")
NATIONALITY_BY_MIGRATION = {
    "none": (("dutch",), (1.0,)),
    "western": (("dutch", "eu", "non_eu"), (0.55, 0.40, 0.05)),
    "non_western": (("dutch", "non_eu"), (0.62, 0.38)),
}
ADDRESS_KINDS = ("regular", "room_rental", "care")
LODGER_SHARE = 0.12          # households living at a shared address
DOUBLING_UP_SHARE = 0.25     # of lodgers: at another household's regular address
HOUSEHOLDS_PER_SHARED_ADDRESS = 3.0
CARE_SHARE_OF_SHARED = 0.25  # of shared addresses: care locations


@dataclasses.dataclass(frozen=True)
class Population:
    households: pd.DataFrame
    persons: pd.DataFrame
    addresses: pd.DataFrame
    #: Per household, aligned with ``households``: adults at the address that are not in the household.
    other_adults: np.ndarray
    #: Per household: persons registered at its address outside the household, per m2.
    others_density: np.ndarray


def generate_population(rng: np.random.Generator, params: GenerateParams) -> Population:
    """Draw households, their members and the addresses they are registered at."""
    p = params.population
    types, n_adults, n_children = _household_sizes(rng, params.n_persons, p.household_type_shares)
    n_households = types.size
    migration = rng.choice(len(MIGRATION_GROUPS), size=n_households, p=_vector(p.migration_shares, MIGRATION_GROUPS))
    district = _districts(rng, migration, params)
    address_of, addresses = _addresses(rng, district, n_adults + n_children)
    persons = _persons(rng, params, types, n_adults, n_children, migration)
    household_ids = make_ids("H", n_households)
    persons.insert(1, "household_id", household_ids.to_numpy()[persons.pop("_household").to_numpy()])
    adults_at = np.bincount(address_of, weights=n_adults, minlength=len(addresses))
    other_adults = (adults_at[address_of] - n_adults).astype(np.int64)
    household_size = n_adults + n_children
    others = addresses["persons_registered"].to_numpy()[address_of] - household_size
    others_density = others / addresses["floor_area_m2"].to_numpy()[address_of]
    households = pd.DataFrame({
        "household_id": household_ids,
        "household_type": np.array(HOUSEHOLD_TYPES, dtype=object)[types],
        "n_adults": n_adults,
        "n_children": n_children,
        "address_id": addresses["address_id"].to_numpy()[address_of],
        "district": np.array(DISTRICTS, dtype=object)[district],
        "postcode4": addresses["postcode4"].to_numpy()[address_of],
    })
    households = households.astype({"household_type": "str", "district": "str"})
    return Population(households, persons, addresses, other_adults, others_density)


def _vector(shares: dict[str, float], names: tuple[str, ...]) -> np.ndarray:
    v = np.array([shares[name] for name in names], dtype=float)
    return v / v.sum()


def _household_sizes(rng: np.random.Generator, n_persons: int, type_shares: dict[str, float]):
    """Household types and sizes that add up to exactly ``n_persons``."""
    shares = _vector(type_shares, HOUSEHOLD_TYPES)
    adults_by_type = np.array([1, 1, 2, 2])
    has_children = np.array([False, True, False, True])
    mean_size = float(shares @ (adults_by_type + has_children * 1.85))
    n_draw = int(n_persons / mean_size * 1.1) + 10
    types = rng.choice(len(HOUSEHOLD_TYPES), size=n_draw, p=shares)
    n_children = np.where(has_children[types], 1 + rng.poisson(0.85, n_draw), 0)
    size = adults_by_type[types] + n_children
    keep = np.searchsorted(np.cumsum(size), n_persons, side="right")
    rest = n_persons - int(size[:keep].sum())
    types = np.concatenate([types[:keep], np.zeros(rest, dtype=types.dtype)])  # fill with singles
    n_children = np.concatenate([n_children[:keep], np.zeros(rest, dtype=n_children.dtype)])
    order = rng.permutation(types.size)
    types, n_children = types[order], n_children[order]
    return types, adults_by_type[types].astype(np.int64), n_children.astype(np.int64)


def _districts(rng: np.random.Generator, migration: np.ndarray, params: GenerateParams) -> np.ndarray:
    """District per household; non-western households lean to the concentrated districts (proxy)."""
    proxies = params.effective().proxies
    n = migration.size
    base = rng.choice(len(DISTRICTS), size=n, p=DISTRICT_WEIGHTS / DISTRICT_WEIGHTS.sum())
    concentrated = np.array([DISTRICTS.index(d) for d in proxies.concentrated_districts], dtype=np.int64)
    # draw every number whatever the strength, so the fair world has the same people as the biased one
    leaning = (migration == MIGRATION_GROUPS.index("non_western")) & (rng.random(n) < proxies.strength)
    pick = rng.integers(0, max(concentrated.size, 1), n)
    if concentrated.size == 0:
        return base
    return np.where(leaning, concentrated[pick], base)


def _addresses(rng: np.random.Generator, district: np.ndarray, household_size: np.ndarray):
    """Give every household an address in its district; return (address index per household, table).

    Most households get a regular dwelling of their own. Lodgers (a fixed share,
    drawn independently of everything else) share a room-rental or care
    address, or double up at another household's dwelling.
    """
    n = district.size
    lodger = rng.random(n) < LODGER_SHARE
    doubling = lodger & (rng.random(n) < DOUBLING_UP_SHARE)
    shared = lodger & ~doubling
    own = np.flatnonzero(~lodger)
    address_of = np.full(n, -1, dtype=np.int64)
    address_of[own] = np.arange(own.size)
    addr_district = [district[own]]
    addr_kind = [np.zeros(own.size, dtype=np.int64)]
    # shared addresses: per district, ceil(lodgers / 3) of them, lodgers spread uniformly
    shared_count = np.bincount(district[shared], minlength=len(DISTRICTS))
    n_shared_addr = np.ceil(shared_count / HOUSEHOLDS_PER_SHARED_ADDRESS).astype(np.int64)
    first = own.size + np.concatenate([[0], np.cumsum(n_shared_addr)[:-1]])
    idx = np.flatnonzero(shared)
    address_of[idx] = first[district[idx]] + np.floor(rng.random(idx.size) * n_shared_addr[district[idx]]).astype(np.int64)
    addr_district.append(np.repeat(np.arange(len(DISTRICTS)), n_shared_addr))
    addr_kind.append(np.where(rng.random(int(n_shared_addr.sum())) < CARE_SHARE_OF_SHARED, 2, 1))
    # doubling up: at the dwelling of a random own-address household in the same district
    idx = np.flatnonzero(doubling)
    if idx.size:
        own_by_district = own[np.argsort(district[own], kind="stable")]
        own_count = np.bincount(district[own], minlength=len(DISTRICTS))
        start = np.concatenate([[0], np.cumsum(own_count)[:-1]])
        d = district[idx]
        has_own = own_count[d] > 0
        pick = start[d] + np.floor(rng.random(idx.size) * np.maximum(own_count[d], 1)).astype(np.int64)
        host = own_by_district[np.minimum(pick, own.size - 1)]
        address_of[idx] = np.where(has_own, address_of[host], address_of[idx])
        orphans = idx[~has_own]          # a district with no own dwellings: give them one
        if orphans.size:
            address_of[orphans] = own.size + int(n_shared_addr.sum()) + np.arange(orphans.size)
            addr_district.append(district[orphans])
            addr_kind.append(np.zeros(orphans.size, dtype=np.int64))
    district_of_addr = np.concatenate(addr_district)
    kind = np.concatenate(addr_kind)
    return address_of, _address_table(rng, district_of_addr, kind, address_of, household_size)


def _address_table(rng, district, kind, address_of, household_size) -> pd.DataFrame:
    m = district.size
    room = kind == 1
    floor = np.where(room, rng.lognormal(np.log(110), 0.30, m), rng.lognormal(np.log(80), 0.35, m))
    floor = np.clip(np.round(floor), 18, 400).astype(np.int64)
    permit = room & (rng.random(m) < 0.65)
    fire_rate = np.where(room & ~permit, 0.9, np.where(room, 0.35, np.where(kind == 2, 0.25, 0.06)))
    n_corp_landlords = 3
    private_pool = max(5, m // 25)
    room_pool = max(3, int(room.sum()) // 4 + 1)
    u = rng.random(m)
    landlord = np.where(
        room, 1000 + rng.zipf(1.6, m) % room_pool,
        np.where(u < 0.45, rng.integers(0, n_corp_landlords, m),
                 np.where(u < 0.70, 100 + rng.zipf(1.8, m) % private_pool, -1)))
    landlord_id = pd.Series("L" + pd.Series(landlord).astype("str").str.zfill(5), dtype="str")
    landlord_id = landlord_id.where(landlord >= 0)
    return pd.DataFrame({
        "address_id": make_ids("A", m),
        "district": pd.Series(np.array(DISTRICTS, dtype=object)[district], dtype="str"),
        "postcode4": (POSTCODE_BASE + district * 10 + rng.integers(0, POSTCODES_PER_DISTRICT, m)).astype(np.int64),
        "floor_area_m2": floor,
        "persons_registered": np.bincount(address_of, weights=household_size, minlength=m).astype(np.int64),
        "households_registered": np.bincount(address_of, minlength=m).astype(np.int64),
        "landlord_id": landlord_id,
        "room_rental_permit": permit,
        "fire_safety_findings": rng.poisson(fire_rate).astype(np.int64),
        "is_care_location": kind == 2,
    })


def _persons(rng, params: GenerateParams, types, n_adults, n_children, migration) -> pd.DataFrame:
    """One row per person: heads, partners and children of every household."""
    p = params.population
    proxies = params.effective().proxies
    n_h = types.size
    size = n_adults + n_children
    household = np.repeat(np.arange(n_h), size)
    position = np.arange(household.size) - np.repeat(np.cumsum(size) - size, size)
    role = np.where(position == 0, 0, np.where(position < n_adults[household], 1, 2))  # head, partner, child
    n = household.size
    # ages: head by household type, partner near the head, children below the head minus 17
    age_mean = np.array([45.0, 38.0, 52.0, 40.0])[types]
    age_sd = np.array([17.0, 8.0, 16.0, 7.0])[types]
    head_age = np.clip(np.round(rng.normal(age_mean, age_sd)), 18, 95)
    age = head_age[household] + np.where(role == 1, np.round(rng.normal(0, 3, n)), 0)
    child_max = np.clip(head_age[household] - 17, 0, 17)
    age = np.where(role == 2, np.floor(rng.random(n) * (child_max + 1)), np.clip(age, 18, 99)).astype(np.int64)
    gender_p = _vector(p.gender_shares, GENDERS)
    gender = rng.choice(len(GENDERS), size=n, p=gender_p)
    parent_female = (types[household] == 1) & (role == 0)
    gender = np.where(parent_female & (rng.random(n) < 0.85), 0, gender)
    head_gender = np.where(role == 0, gender, 0)
    partner = role == 1
    head_g = np.zeros(n_h, dtype=np.int64)
    head_g[household[role == 0]] = head_gender[role == 0]
    gender = np.where(partner & (head_g[household] < 2), 1 - head_g[household], gender)
    mig = migration[household]
    nationality = _nationality(rng, mig)
    shifted = (mig == MIGRATION_GROUPS.index("non_western")) * proxies.strength
    lang_p = (1 - shifted)[:, None] * LANGUAGE_BASE + shifted[:, None] * LANGUAGE_SHIFTED
    head_language = draw_categories(rng, lang_p)
    language = np.where(role == 2, head_language[np.repeat(np.cumsum(size) - size, size)], head_language)
    education = np.where(role == 2, 3, rng.choice(3, size=n, p=[0.3, 0.4, 0.3]))
    years = np.minimum(np.floor(rng.exponential(12.0, n)), np.maximum(age - np.where(role == 2, 0, 16), 0))
    return pd.DataFrame({
        "person_id": make_ids("P", n),
        "_household": household,
        "role": pd.Series(np.array(["head", "partner", "child"], dtype=object)[role], dtype="str"),
        "age": age,
        "gender": pd.Series(np.array(GENDERS, dtype=object)[gender], dtype="str"),
        "migration_background": pd.Series(np.array(MIGRATION_GROUPS, dtype=object)[mig], dtype="str"),
        "nationality_group": pd.Series(nationality, dtype="str"),
        "language_proficiency": pd.Series(np.array(LANGUAGE_LEVELS, dtype=object)[language], dtype="str"),
        "education_level": pd.Series(np.array(EDUCATION_LEVELS + ("in_school",), dtype=object)[education], dtype="str"),
        "years_in_municipality": years.astype(np.int64),
    })


def _nationality(rng: np.random.Generator, mig: np.ndarray) -> np.ndarray:
    out = np.empty(mig.size, dtype=object)
    for code, group in enumerate(MIGRATION_GROUPS):
        names, probs = NATIONALITY_BY_MIGRATION[group]
        idx = np.flatnonzero(mig == code)
        out[idx] = np.array(names, dtype=object)[rng.choice(len(names), size=idx.size, p=probs)]
    return out
