"""The generated world keeps the data contract and its internal consistency."""

import numpy as np
import pandas as pd
import pytest

from risico.contract import CONTRACT, TRUTH_CONTRACT, conformance_problems
from risico.synth import generate_world
from risico.synth.doorstarts import DOORSTART_REGISTRATION


def test_every_table_conforms_to_the_contract(small_world):
    for name, frame in small_world.raw.items():
        assert conformance_problems(frame, CONTRACT[name]) == [], name
    for name, frame in small_world.truth.items():
        assert conformance_problems(frame, TRUTH_CONTRACT[name]) == [], name


@pytest.mark.parametrize("n_persons", [100, 1234, 5000])
def test_world_has_exactly_the_requested_number_of_persons(make_params, n_persons):
    world = generate_world(make_params(n_persons=n_persons))
    assert len(world.raw["persons"]) == n_persons


def test_references_resolve(small_world):
    raw = small_world.raw
    ids = {name: set(raw[name].iloc[:, 0]) for name in ("persons", "households", "addresses", "providers",
                                                         "applications")}
    for table in CONTRACT.values():
        for col in table.columns:
            if col.references:
                target = col.references.split(".")[0]
                values = set(raw[table.name][col.name].dropna())
                assert values <= ids[target], f"{table.name}.{col.name}"


def test_household_facts_add_up(small_world):
    raw = small_world.raw
    persons, households, addresses = raw["persons"], raw["households"], raw["addresses"]
    size = persons.groupby("household_id").size()
    hh = households.set_index("household_id")
    assert (size.reindex(hh.index) == hh["n_adults"] + hh["n_children"]).all()
    registered = persons.merge(households[["household_id", "address_id"]]).groupby("address_id").size()
    adr = addresses.set_index("address_id")
    assert (registered.reindex(adr.index, fill_value=0) == adr["persons_registered"]).all()
    # each household is registered in the district of its address
    joined = households.merge(addresses[["address_id", "district"]], on="address_id", suffixes=("", "_addr"))
    assert (joined["district"] == joined["district_addr"]).all()
    assert (persons.loc[persons["role"] == "child", "age"] < 18).all()
    assert (persons.loc[persons["role"] != "child", "age"] >= 18).all()


def test_dates_are_consistent(small_world, make_params):
    raw = small_world.raw
    params = make_params(n_persons=3000)
    apps = raw["applications"]
    assert (apps["decision_date"] >= apps["application_date"]).all()
    assert apps["application_date"].min() >= pd.Timestamp(params.start_date)
    assert apps["application_date"].max() < pd.Timestamp(params.end_date)
    inv = raw["investigations"].query("subject_type == 'application'").merge(apps, on="application_id")
    assert (inv["start_date"] >= inv["application_date"]).all()
    assert (inv["start_date"] <= inv["decision_date"]).all()
    decl = raw["declarations"].merge(apps, on="application_id")
    assert (decl["month"] > decl["decision_date"]).all()
    assert decl["awarded"].all()
    prov = raw["providers"]
    # billed by the provider the application names, or after its doorstart by its successor (same director)
    moved = decl["provider_id_x"] != decl["provider_id_y"]
    director = prov.set_index("provider_id")["director_id"]
    ended = prov.set_index("provider_id")["end_date"]
    assert (director.loc[decl.loc[moved, "provider_id_x"]].to_numpy()
            == director.loc[decl.loc[moved, "provider_id_y"]].to_numpy()).all()
    assert (decl.loc[moved, "month"].to_numpy() > ended.loc[decl.loc[moved, "provider_id_y"]].to_numpy()).all()
    chosen = apps.dropna(subset=["provider_id"]).merge(prov, on="provider_id")
    assert (chosen["kvk_registration_date"] <= chosen["application_date"]).all()


def test_only_care_schemes_have_providers_and_youth_care_needs_children(small_world):
    apps = small_world.raw["applications"].merge(small_world.raw["households"], on="household_id")
    care = apps["scheme"] != "pw_bijstand"
    assert apps.loc[care, "provider_id"].notna().all()
    assert apps.loc[~care, "provider_id"].isna().all()
    assert apps.loc[~apps["scheme"].str.endswith("pgb"), "intermediary_id"].isna().all()
    assert (apps.loc[apps["scheme"].str.startswith("jw_"), "n_children"] > 0).all()


def test_previous_applications_count_earlier_applications_of_the_household(small_world):
    apps = small_world.raw["applications"]
    day = apps["application_date"].to_numpy()
    hh = apps["household_id"].to_numpy()
    sample = np.random.default_rng(0).choice(len(apps), 200, replace=False)
    for i in sample:
        expected = int(((hh == hh[i]) & (day < day[i])).sum())
        assert apps["previous_applications"].iat[i] == expected


def test_career_path_links_directors_to_failed_providers(small_world):
    prov = small_world.raw["providers"].merge(small_world.truth["providers_truth"], on="provider_id")
    failed = prov[prov["end_reason"].isin(["failed", "sanctioned"])]
    active = prov[prov["end_date"].isna()]
    assert len(failed) > 0
    linked = active["director_id"].isin(failed["director_id"])
    # malafide directors are the ones with failed providers behind them
    assert active.loc[linked, "malafide_director"].mean() > active.loc[~linked, "malafide_director"].mean()
    # and their current provider started after the failure (a doorstart's successor at most 30 days before it)
    last_failure = failed.groupby("director_id")["end_date"].max()
    starts = active.set_index("director_id").loc[linked.to_numpy(), "kvk_registration_date"]
    earliest = last_failure.reindex(starts.index) + pd.Timedelta(days=DOORSTART_REGISTRATION[0])
    assert (starts.to_numpy() >= earliest.to_numpy()).all()


def test_fair_world_has_the_same_people_with_the_bias_removed(make_params):
    biased = generate_world(make_params(n_persons=3000))
    fair = generate_world(make_params(n_persons=3000, fair_world=True))
    same = ["person_id", "household_id", "role", "age", "gender", "migration_background", "nationality_group"]
    pd.testing.assert_frame_equal(biased.raw["persons"][same], fair.raw["persons"][same])
    pd.testing.assert_frame_equal(biased.raw["households"][["household_id", "household_type"]],
                                  fair.raw["households"][["household_id", "household_type"]])


def test_a_period_starting_on_29_february_works(make_params):
    params = make_params(n_persons=500, start_date="2024-02-29")
    assert str(params.end_date) == "2027-02-28"
    apps = generate_world(params).raw["applications"]
    assert apps["application_date"].max() < pd.Timestamp("2027-02-28")
