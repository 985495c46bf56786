"""The doorstart: malafide providers end during the period, their directors carry on under a new name, and the
clients follow. The mechanism has the strength its parameter says, and with the share at 0 the world is byte for
byte the world without it.

Strengths are compared with the parameter within 4 standard errors, as in test_mechanisms.py, after checking that
the standard error is small enough to tell the parameter from a clearly different value.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from risico.synth import generate_world
from risico.synth.doorstarts import DOORSTART_REGISTRATION, months_before
from risico.synth.providers import shared_addresses

Z = 4.0
SHARE = 0.5     # the default is 0 (see docs/synthetic-world.md, step 4a); these tests switch doorstarts on
ON = {"providers.doorstart_share": SHARE}
LARGE = {"n_persons": 200_000, "providers.persons_per_provider": 20, **ON}      # 10,000 providers, ~800 malafide
MEDIUM = {"n_persons": 60_000, "providers.persons_per_provider": 20, **ON}


def digest(frame: pd.DataFrame) -> str:
    """Column names, dtypes and every value (index included), floats rounded to ``DECIMALS``."""
    frame = frame.round({c: DECIMALS for c, t in frame.dtypes.items() if t.kind == "f"})
    h = hashlib.sha256()
    h.update(repr([(c, str(t)) for c, t in frame.dtypes.items()]).encode())
    h.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return h.hexdigest()[:16]


#: Stored amounts have at most 2 decimals; the truth's probabilities are compared to 10. They were computed with
#: np.exp before doorstarts existed and with the processor-independent exp (synth/_portable.py) since: the two
#: differ in the last bit of some probabilities, never in the first 10 decimals of this world.
DECIMALS = 10
#: Digests of the 3,000-person worlds generated before doorstarts existed (seed 20261129, the repository's
#: params.yaml, commit 64f8dae^), biased and fair, floats rounded to DECIMALS.
BEFORE_DOORSTARTS = {
    False: {"raw.persons": "8d10816aaaa93f6a", "raw.households": "2e1b360221baf34f",
            "raw.addresses": "f1ef12dabae65cc0", "raw.providers": "e7f22815654a524f",
            "raw.applications": "6ec817ffd9ef3043", "raw.declarations": "854d4bf4941b8d21",
            "raw.investigations": "1e23dd4fb519f266", "raw.absences": "165fe8d1567be274",
            "truth.applications_truth": "8c2855052ff6e325", "truth.providers_truth": "a41da332d58ed8fc",
            "truth.intermediaries_truth": "0bba794dce3e88e2", "truth.batch_truth": "37f36fc72ee4c580",
            "batch": "4eacbfee3fedfa3f"},
    True: {"raw.persons": "f0349d0af4bc7d46", "raw.households": "90dddd1dce32fbfb",
           "raw.addresses": "0f4614a272ebd45d", "raw.providers": "aa7a6cd943c7412d",
           "raw.applications": "229f648de1a90921", "raw.declarations": "6deb680391b00cb6",
           "raw.investigations": "a9087bbaf745a81d", "raw.absences": "153a4415817b37f7",
           "truth.applications_truth": "959aa27c491dfcab", "truth.providers_truth": "8e9c117f4c02a41d",
           "truth.intermediaries_truth": "0bba794dce3e88e2", "truth.batch_truth": "b7a60f3edd0dee03",
           "batch": "931b643e7cb6d4ab"},
}


def doorstarts(world, params) -> pd.DataFrame:
    """One row per doorstart: the ended provider (``_before``) and its successor (``_after``), matched by
    director (a malafide director has at most one provider that ends during the period)."""
    prov = world.raw["providers"].merge(world.truth["providers_truth"], on="provider_id")
    ended = prov[prov["end_date"] >= pd.Timestamp(params.start_date)]
    n_before = len(prov) - len(ended)
    successors = prov.iloc[n_before:]
    assert not successors["director_id"].duplicated().any()
    return ended.merge(successors, on="director_id", suffixes=("_before", "_after"), validate="one_to_one")


@pytest.fixture(scope="module")
def large(make_params):
    params = make_params(**LARGE)
    return params, generate_world(params)


@pytest.fixture(scope="module")
def medium(make_params):
    params = make_params(**MEDIUM)
    return params, generate_world(params)


# -- switched off: exactly the world without doorstarts ----------------------------------------------------------
@pytest.mark.parametrize("fair_world", [False, True])
def test_share_zero_gives_the_world_without_doorstarts_byte_for_byte(make_params, fair_world):
    world = generate_world(make_params(n_persons=3000, fair_world=fair_world, **{"providers.doorstart_share": 0.0}))
    found = {f"raw.{name}": digest(frame) for name, frame in world.raw.items()}
    found.update({f"truth.{name}": digest(frame) for name, frame in world.truth.items()})
    found["batch"] = digest(world.batch)
    assert found == BEFORE_DOORSTARTS[fair_world]


def test_doorstarts_change_only_the_ended_providers_and_append_their_successors(make_params):
    off = generate_world(make_params(n_persons=20_000, **{"providers.doorstart_share": 0.0})).raw["providers"]
    on = generate_world(make_params(n_persons=20_000, **ON)).raw["providers"]
    assert len(on) > len(off)
    kept = on.iloc[:len(off)]
    ended = kept["end_date"].notna() & off["end_date"].isna()
    assert ended.sum() == len(on) - len(off)
    same = ["provider_id", "kvk_registration_date", "legal_form", "n_staff", "has_quality_certificate",
            "vog_coverage", "bank_guarantee", "staff_trained_share", "location_address_id", "director_id"]
    pd.testing.assert_frame_equal(kept[same], off[same], check_exact=True)
    pd.testing.assert_frame_equal(kept.loc[~ended], off.loc[~ended], check_exact=True)
    assert (on["provider_id"].iloc[len(off):] > off["provider_id"].max()).all()


# -- the strength of the mechanism ----------------------------------------------------------------------------
def malafide_at_start(world, params) -> pd.DataFrame:
    prov = world.raw["providers"].merge(world.truth["providers_truth"], on="provider_id")
    start = pd.Timestamp(params.start_date)
    n_base = len(prov) - len(doorstarts(world, params))
    at_start = prov.iloc[:n_base]
    return at_start[at_start["malafide_director"] & (at_start["end_date"].isna() | (at_start["end_date"] >= start))]


def test_share_of_malafide_providers_with_a_doorstart_is_the_parameter(large):
    params, world = large
    malafide = malafide_at_start(world, params)
    expected = params.providers.doorstart_share
    se = np.sqrt(expected * (1 - expected) / len(malafide))
    assert Z * se < 0.1, f"too little data ({len(malafide)} malafide providers)"
    share = malafide["end_date"].notna().mean()
    assert abs(share - expected) < Z * se, f"share {share:.3f}, expected {expected} (se {se:.3f})"


def test_only_malafide_providers_end_during_the_period(large):
    params, world = large
    prov = world.raw["providers"].merge(world.truth["providers_truth"], on="provider_id")
    during = prov["end_date"] >= pd.Timestamp(params.start_date)
    assert during.sum() == len(doorstarts(world, params)) > 300
    assert prov.loc[during, "malafide_director"].all()


@pytest.mark.parametrize("share", [0.0, 0.2])
def test_the_share_follows_other_parameter_values(make_params, share):
    params = make_params(**{**LARGE, "providers.doorstart_share": share})
    world = generate_world(params)
    malafide = malafide_at_start(world, params)
    if share == 0:
        assert malafide["end_date"].isna().all() and len(world.raw["providers"]) == len(world.truth["providers_truth"])
        return
    se = np.sqrt(share * (1 - share) / len(malafide))
    assert abs(malafide["end_date"].notna().mean() - share) < Z * se


def test_the_fair_world_keeps_the_same_doorstarts(make_params):
    params = make_params(n_persons=20_000, **ON)
    biased = doorstarts(generate_world(params), params)
    fair = doorstarts(generate_world(make_params(n_persons=20_000, fair_world=True, **ON)), params)
    assert len(biased) > 5
    columns = ["provider_id_before", "end_date_before", "end_reason_before", "provider_id_after",
               "kvk_registration_date_after", "director_id"]
    pd.testing.assert_frame_equal(biased[columns], fair[columns])


# -- each doorstart ---------------------------------------------------------------------------------------------
def test_ends_fall_inside_the_period_but_not_in_its_last_quarter(large):
    params, world = large
    pairs = doorstarts(world, params)
    assert (pairs["end_date_before"] >= pd.Timestamp(params.start_date)).all()
    assert (pairs["end_date_before"] < pd.Timestamp(months_before(params.end_date, 3))).all()
    assert (pairs["end_date_before"] > pairs["kvk_registration_date_before"]).all()
    assert set(pairs["end_reason_before"]) == {"failed", "sanctioned"}
    # only a violating provider is sanctioned
    assert pairs.loc[pairs["end_reason_before"] == "sanctioned", "true_violation_before"].all()


def test_every_successor_shares_its_director_and_was_registered_within_the_window(large):
    params, world = large
    pairs = doorstarts(world, params)
    days = (pairs["kvk_registration_date_after"] - pairs["end_date_before"]).dt.days
    low, high = DOORSTART_REGISTRATION
    assert days.between(low, high).all()
    assert days.min() < 0 < days.max()
    assert pairs["malafide_director_after"].all()
    assert pairs["end_date_after"].isna().all()
    # at the same address, or at another shared address
    addresses = world.raw["addresses"]
    shared = set(addresses["address_id"].to_numpy()[shared_addresses(addresses)])
    same = pairs["location_address_id_after"] == pairs["location_address_id_before"]
    assert same.mean() > 0.3
    assert pairs.loc[~same, "location_address_id_after"].isin(shared).all()


def test_successors_are_malafide_providers_with_the_providers_truth(large):
    """Drawn like a malafide provider, with the truth formula and intercept of every other provider."""
    params, world = large
    pairs = doorstarts(world, params)
    prov = world.raw["providers"].merge(world.truth["providers_truth"], on="provider_id")
    malafide = prov[prov["malafide_director"] & ~prov["provider_id"].isin(pairs["provider_id_after"])]
    for column in ("has_quality_certificate", "bank_guarantee"):
        p = malafide[column].mean()
        se = np.sqrt(p * (1 - p) / len(pairs))
        assert abs(pairs[f"{column}_after"].mean() - p) < Z * se, column
    assert abs(pairs["true_violation_after"].mean() - pairs["true_probability_after"].mean()) < Z * np.sqrt(
        0.25 / len(pairs))
    # linked to failed (1.0 more log-odds) and malafide: well above the active providers' base rate
    assert pairs["true_probability_after"].mean() > 3 * params.providers.base_rate


# -- nobody names a provider that has ended ---------------------------------------------------------------------
def test_no_declaration_application_or_investigation_names_a_provider_after_its_end(medium):
    params, world = medium
    raw = world.raw
    ends = raw["providers"].set_index("provider_id")[["end_date", "kvk_registration_date"]]
    decl = raw["declarations"].join(ends, on="provider_id")
    assert not (decl["month"] > decl["end_date"]).any()
    assert not (decl["month"] + pd.offsets.MonthEnd(0) < decl["kvk_registration_date"]).any()
    apps = raw["applications"].join(ends, on="provider_id")
    assert not (apps["application_date"] > apps["end_date"]).any()
    assert not (apps["application_date"] < apps["kvk_registration_date"]).any()
    batch = world.batch.join(ends, on="provider_id")
    assert batch.loc[batch["provider_id"].notna(), "end_date"].isna().all()
    inv = raw["investigations"].query("subject_type == 'provider'").join(ends, on="provider_id")
    assert not (inv["start_date"] >= inv["end_date"]).any()
    assert not (inv["start_date"] < inv["kvk_registration_date"]).any()
    # ended and successor providers are investigated too, within the years they were active
    pairs = doorstarts(world, params)
    assert inv["provider_id"].isin(pairs["provider_id_before"]).any()
    assert inv["provider_id"].isin(pairs["provider_id_after"]).any()


# -- the clients follow -----------------------------------------------------------------------------------------
def test_clients_move_to_the_successor(medium):
    params, world = medium
    raw = world.raw
    pairs = doorstarts(world, params)
    decl = raw["declarations"].merge(raw["applications"][["application_id", "person_id",
                                                          "provider_id"]].rename(columns={"provider_id": "named"}),
                                     on="application_id")
    successor = dict(zip(pairs["provider_id_before"], pairs["provider_id_after"]))
    end_month = dict(zip(pairs["provider_id_before"], pairs["end_date_before"].dt.to_period("M").dt.start_time))
    of_ended = decl[decl["named"].isin(list(successor))]
    after = of_ended["month"] > of_ended["named"].map(end_month)
    # every month after the end of an application that names an ended provider is billed by its successor
    assert after.any()
    assert (of_ended.loc[after, "provider_id"] == of_ended.loc[after, "named"].map(successor)).all()
    assert (of_ended.loc[~after, "provider_id"] == of_ended.loc[~after, "named"]).all()
    # the clients billed by the ended provider in its last month are, as a rule, billed by the successor later
    moved, last_month = 0, 0
    for row in pairs.itertuples(index=False):              # one row per doorstart: a few hundred
        last = set(decl.loc[(decl["provider_id"] == row.provider_id_before)
                            & (decl["month"] == end_month[row.provider_id_before]), "person_id"])
        later = set(decl.loc[decl["provider_id"] == row.provider_id_after, "person_id"])
        last_month += len(last)
        moved += len(last & later)
    assert last_month > 100
    assert moved / last_month > 0.6
    # applications received after the end name the successor, not another provider of the municipality
    apps = raw["applications"]
    to_successor = apps["provider_id"].isin(pairs["provider_id_after"])
    assert to_successor.sum() > len(pairs)
