"""Absences of care clients: the mechanism with the strength its parameters say, and nothing else moves.

Estimates are compared with the parameter within 4 standard errors, as in test_mechanisms.py,
after checking that the standard error is small enough to tell the parameter from a clearly
different value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from risico.absences import absent_days_by_month, absent_days_of, days_in_month
from risico.contract import CONTRACT, conformance_problems
from risico.synth import generate_world
from risico.synth.world import RAW_TABLES

N_PERSONS = 200_000
Z = 4.0
OFF = {"absences.hospital_rate": 0.0, "absences.abroad_rate": 0.0}


@pytest.fixture(scope="module")
def worlds(make_params):
    """The default world and the same world without any absence (same seed)."""
    return (generate_world(make_params(n_persons=N_PERSONS)),
            generate_world(make_params(n_persons=N_PERSONS, **OFF)))


@pytest.fixture(scope="module")
def clients(worlds):
    """One row per client (a person with an awarded care application naming a provider), with their stays."""
    raw = worlds[0].raw
    apps = raw["applications"]
    ids = apps.loc[apps["provider_id"].notna() & apps["awarded"], "person_id"].unique()
    persons = raw["persons"].set_index("person_id").loc[ids, ["migration_background"]]
    counts = raw["absences"].groupby(["person_id", "kind"]).size().unstack(fill_value=0)
    counts = counts.reindex(persons.index, fill_value=0)
    return persons.assign(hospital=counts.get("hospital", 0), abroad=counts.get("abroad", 0),
                          non_western=persons["migration_background"] == "non_western")


def assert_rate(events: pd.Series, years: float, expected: float):
    count, exposure = events.sum(), len(events) * years
    se = np.sqrt(count) / exposure
    assert Z * se < 0.2 * expected, f"too little data (se {se:.4f})"
    assert abs(count / exposure - expected) < Z * se, f"rate {count / exposure:.4f}, expected {expected}"


def assert_ratio(events: pd.Series, group: pd.Series, expected: float):
    a, b = events[group], events[~group]
    ratio = (a.sum() / len(a)) / (b.sum() / len(b))
    se = np.sqrt(1 / a.sum() + 1 / b.sum())
    assert Z * se < np.log(1.25), f"too little data (se of log ratio {se:.3f})"
    assert abs(np.log(ratio) - np.log(expected)) < Z * se, f"ratio {ratio:.3f}, expected {expected} (se {se:.3f})"


def assert_share(hit: np.ndarray, expected: float):
    p, n = hit.mean(), hit.size
    se = np.sqrt(expected * (1 - expected) / n)
    assert Z * se < 0.25 * max(expected, 1 - expected), f"too little data ({n} rows)"
    assert abs(p - expected) < Z * se, f"share {p:.4f}, expected {expected} (se {se:.4f}, n {n})"


# -- the rest of the world does not move -----------------------------------------------------------------
def test_every_other_table_is_identical_with_absences_switched_off(worlds):
    on, off = worlds
    assert len(off.raw["absences"]) == 0 and len(on.raw["absences"]) > 10_000
    for name in RAW_TABLES:
        if name not in ("absences", "declarations"):
            pd.testing.assert_frame_equal(on.raw[name], off.raw[name], check_exact=True)
    for name, frame in on.truth.items():
        pd.testing.assert_frame_equal(frame, off.truth[name], check_exact=True)
    pd.testing.assert_frame_equal(on.batch, off.batch, check_exact=True)
    # declarations: the same rows; only months with absent days bill fewer (or the same) hours
    a, b = on.raw["declarations"], off.raw["declarations"]
    same = ["declaration_id", "provider_id", "application_id", "month"]
    pd.testing.assert_frame_equal(a[same], b[same], check_exact=True)
    away = absent_days(on, a) > 0
    assert away.mean() > 0.01
    pd.testing.assert_frame_equal(a[~away], b[~away], check_exact=True)
    assert (a.loc[away, "hours_billed"] <= b.loc[away, "hours_billed"]).all()


def test_same_seed_gives_the_same_absences_and_another_seed_does_not(make_params):
    first = generate_world(make_params(n_persons=3000)).raw["absences"]
    again = generate_world(make_params(n_persons=3000)).raw["absences"]
    other = generate_world(make_params(n_persons=3000, seed=5)).raw["absences"]
    pd.testing.assert_frame_equal(first, again, check_exact=True)
    assert not first.equals(other)


def test_absences_keep_the_contract_and_the_period(worlds, make_params):
    params = make_params()
    absences = worlds[0].raw["absences"]
    assert conformance_problems(absences, CONTRACT["absences"]) == []
    assert (absences["end_date"] >= absences["start_date"]).all()
    assert absences["start_date"].min() >= pd.Timestamp(params.start_date)
    assert absences["end_date"].max() < pd.Timestamp(params.end_date)
    apps = worlds[0].raw["applications"]
    clients = set(apps.loc[apps["provider_id"].notna() & apps["awarded"], "person_id"])
    assert set(absences["person_id"]) <= clients


# -- the mechanism's strength -------------------------------------------------------------------------------
def test_hospital_stays_per_client_year_are_the_rate_for_everyone(clients, make_params):
    params = make_params()
    assert_rate(clients["hospital"], params.n_years, params.absences.hospital_rate)
    assert_ratio(clients["hospital"], clients["non_western"], 1.0)


def test_stays_abroad_are_more_frequent_for_non_western_clients_by_the_parameter(clients, make_params):
    params = make_params()
    others = clients[~clients["non_western"]]
    assert_rate(others["abroad"], params.n_years, params.absences.abroad_rate)
    assert_ratio(clients["abroad"], clients["non_western"], params.absences.abroad_ratio_non_western)


def test_fair_world_sends_everyone_abroad_alike(make_params):
    world = generate_world(make_params(n_persons=N_PERSONS, fair_world=True))
    raw = world.raw
    apps = raw["applications"]
    ids = apps.loc[apps["provider_id"].notna() & apps["awarded"], "person_id"].unique()
    persons = raw["persons"].set_index("person_id").loc[ids]
    abroad = raw["absences"].query("kind == 'abroad'").groupby("person_id").size().reindex(ids, fill_value=0)
    assert_ratio(pd.Series(abroad.to_numpy()), pd.Series(persons["migration_background"].to_numpy() == "non_western"),
                 1.0)


@pytest.mark.parametrize("kind", ["hospital", "abroad"])
def test_mean_length_of_a_stay_is_the_parameter(worlds, make_params, kind):
    params = make_params()
    mean = getattr(params.absences, f"{kind}_mean_days")
    stays = worlds[0].raw["absences"].query("kind == @kind")
    early = stays[stays["start_date"] < pd.Timestamp(params.end_date) - pd.Timedelta(days=366)]   # never cut
    days = ((early["end_date"] - early["start_date"]).dt.days + 1).to_numpy()
    se = np.sqrt(1 - 1 / mean) * mean / np.sqrt(days.size)          # geometric: sd = sqrt(1 - p) / p
    assert Z * se < 0.1 * mean
    assert abs(days.mean() - mean) < Z * se, f"mean {days.mean():.2f}, expected {mean} (se {se:.3f})"


def test_honest_and_violating_providers_bill_absent_months_as_the_parameters_say(worlds, make_params):
    """Against the same world without absences: a month billed in full keeps its hours exactly; a pro-rated
    one bills the hours times the days present (up to the rounding to 0.1 hour)."""
    params = make_params()
    on, off = worlds
    a, b = on.raw["declarations"], off.raw["declarations"]
    absent = absent_days(on, a)
    month = a["month"].to_numpy().astype("datetime64[M]").astype(np.int64)
    present = 1 - absent / days_in_month(month)
    rows = (absent >= 7) & (b["hours_billed"].to_numpy() >= 1.0)
    full = a["hours_billed"].to_numpy() == b["hours_billed"].to_numpy()
    prorated = np.abs(a["hours_billed"].to_numpy() - b["hours_billed"].to_numpy() * present) <= 0.1
    assert (full | prorated)[rows].all()
    assert not (full & prorated)[rows].any()
    violating = on.truth["providers_truth"].set_index("provider_id")["true_violation"]
    by_violating = violating.reindex(a["provider_id"]).to_numpy(dtype=bool)
    assert_share(full[rows & ~by_violating], params.absences.honest_error_rate)
    assert_share(full[rows & by_violating], params.absences.violating_share)


def absent_days(world, declarations: pd.DataFrame) -> np.ndarray:
    """Days the client of each declaration was away in its month (the slow way round, through the tables)."""
    absences = world.raw["absences"]
    person = declarations.merge(world.raw["applications"][["application_id", "person_id"]], on="application_id",
                                how="left")["person_id"]
    codes, people = pd.factorize(pd.concat([person, absences["person_id"]], ignore_index=True))
    day = lambda s: s.to_numpy().astype("datetime64[D]").astype(np.int64)       # noqa: E731
    by_month = absent_days_by_month(codes[len(person):], day(absences["start_date"]), day(absences["end_date"]))
    month = declarations["month"].to_numpy().astype("datetime64[M]").astype(np.int64)
    return absent_days_of(codes[:len(person)], month, by_month)
