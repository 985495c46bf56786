"""Application features: exact values on a hand-made world, no leakage from the future, no protected inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from risico.contract import protected_columns
from risico.features import (
    FEATURE_GROUPS,
    GROUPS,
    FeatureError,
    build_application_features,
    parse_feature_params,
)
from risico.params import ParamError

ALL = parse_feature_params({"groups": list(GROUPS)})
PROTECTED = protected_columns()["persons"]
NAT = None


# -- a hand-made world of ten applications --------------------------------------
def dates(values):
    return pd.to_datetime(pd.Series(values, dtype="object")).astype("datetime64[ms]")


def frame(columns, rows, date_columns=()):
    out = pd.DataFrame(rows, columns=columns)
    for column in date_columns:
        out[column] = dates(out[column])
    return out


def tiny_tables() -> dict[str, pd.DataFrame]:
    addresses = frame(
        ["address_id", "floor_area_m2", "persons_registered", "households_registered", "landlord_id",
         "room_rental_permit", "fire_safety_findings", "is_care_location"],
        [["A1", 50, 4, 2, "L1", False, 2, False],
         ["A2", 100, 2, 1, None, False, 0, False],
         ["A3", 200, 0, 0, None, True, 3, True]])
    households = frame(["household_id", "address_id"], [["H1", "A1"], ["H2", "A1"], ["H3", "A2"]])
    persons = frame(["person_id", "household_id", "role"],
                    [["P1", "H1", "head"], ["P2", "H2", "head"], ["P3", "H2", "partner"], ["P4", "H2", "child"],
                     ["P5", "H3", "head"], ["P6", "H3", "partner"]])
    providers = frame(
        ["provider_id", "kvk_registration_date", "end_date", "end_reason", "legal_form", "n_staff",
         "has_quality_certificate", "vog_coverage", "bank_guarantee", "staff_trained_share", "location_address_id",
         "director_id"],
        [["Z1", "2020-01-01", NAT, None, "bv", 4, True, 0.9, True, 0.8, "A3", "D1"],
         ["Z2", "2015-01-01", "2022-03-01", "failed", "stichting", 10, False, 0.5, False, 0.5, "A2", "D1"],
         ["Z3", "2021-06-01", NAT, None, "eenmanszaak", 1, False, 0.6, False, 0.3, "A2", "D2"],
         ["Z4", "2018-01-01", "2022-09-15", "sanctioned", "bv", 3, False, 0.7, True, 0.4, "A1", "D2"],
         ["Z5", "2022-06-01", NAT, None, "stichting", 20, True, 1.0, True, 1.0, "A2", "D1"],
         ["Z6", "2016-01-01", "2021-01-01", "stopped", "bv", 2, True, 1.0, True, 1.0, "A2", "D3"],
         ["Z7", "2019-03-01", NAT, None, "bv", 7, True, 0.95, True, 0.9, "A1", "D3"]],
        date_columns=("kvk_registration_date", "end_date"))
    app_columns = ["application_id", "household_id", "person_id", "address_id", "scheme", "application_date",
                   "decision_date", "awarded", "previous_applications", "amount_monthly", "authorised_hours_month",
                   "declared_income_monthly", "declared_assets", "cost_sharers", "days_since_relocation",
                   "appointment_no_shows", "income_changes_12m", "intermediary_id", "provider_id"]
    apps = frame(app_columns, [
        ["AV1", "H1", "P1", "A1", "pw_bijstand", "2022-01-10", "2022-02-01", True, 0, 1100.0, np.nan, 0.0,
         500.0, 0, 400, 1, 2, None, None],
        ["AV2", "H1", "P1", "A1", "wmo_zin", "2022-02-15", "2022-03-01", True, 1, 300.0, 10.0, 900.0, 0.0, 0, 415,
         0, 0, None, "Z1"],
        ["AV3", "H2", "P2", "A1", "jw_pgb", "2022-03-01", "2022-04-20", True, 0, 600.0, 20.0, 1500.0, 10.0, 1, 30,
         0, 1, "I1", "Z3"],
        ["AV4", "H2", "P2", "A1", "wmo_pgb", "2022-04-01", "2022-05-10", False, 1, 250.0, 8.0, 1500.0, 10.0, 1,
         60, 2, 1, "I1", "Z1"],
        ["AV5", "H1", "P1", "A1", "wmo_pgb", "2022-05-01", "2022-06-01", True, 2, 400.0, 12.0, 900.0, 0.0, 0, 491,
         0, 0, "I1", "Z1"],
        ["AV6", "H3", "P5", "A2", "jw_zin", "2022-09-01", "2022-10-01", True, 3, 200.0, 6.0, 2000.0, 0.0, 0, 900,
         0, 0, None, "Z3"],
        ["AV7", "H1", "P1", "A1", "pw_bijstand", "2022-06-01", "2022-06-01", True, 3, 1150.0, np.nan, 0.0, 0.0,
         0, 522, 0, 3, None, None],
        ["AV8", "H3", "P5", "A2", "wmo_zin", "2022-05-01", "2022-05-20", True, 2, 150.0, 5.0, 2000.0, 0.0, 0, 780,
         0, 0, None, "Z3"],
        ["AV9", "H3", "P5", "A2", "wmo_zin", "2022-05-01", "2022-05-15", True, 1, 120.0, 4.0, 2000.0, 0.0, 0, 775,
         0, 0, None, "Z5"],
        ["AV10", "H2", "P2", "A1", "wmo_zin", "2022-07-01", "2022-07-10", True, 2, 100.0, 3.0, 1500.0, 10.0, 1,
         150, 0, 0, None, "Z7"],
        ["AV11", "H3", "P5", "A2", "wmo_zin", "2022-02-01", "2022-04-01", True, 0, 90.0, 2.0, 2000.0, 0.0, 0, 690,
         0, 0, None, "Z2"],
    ], date_columns=("application_date", "decision_date"))
    billed = [("Z1", "AV2", "2022-04-01", 10.0), ("Z1", "AV2", "2022-05-01", 12.0), ("Z1", "AV2", "2022-06-01", 11.0),
              ("Z1", "AV2", "2022-07-01", 10.0), ("Z1", "AV5", "2022-07-01", 15.0)]
    billed += [("Z3", "AV3", f"2022-{m:02d}-01", 20.0) for m in (5, 6, 7, 8)]
    billed += [("Z3", "AV8", f"2022-{m:02d}-01", 10.0) for m in (7, 8, 9)]
    declarations = frame(["declaration_id", "provider_id", "application_id", "month", "hours_billed"],
                         [[f"DC{i}", *row] for i, row in enumerate(billed)], date_columns=("month",))
    investigations = frame(
        ["investigation_id", "subject_type", "application_id", "provider_id", "start_date", "route", "outcome"],
        [["INV1", "application", "AV4", None, "2022-04-10", "caseworker", "fraud"],
         ["INV2", "application", "AV2", None, "2022-02-20", "random", "no_finding"],
         ["INV3", "application", "AV6", None, "2022-09-20", "risk_rule", "error"],
         ["INV4", "application", "AV6", None, "2022-09-05", "tip", "no_finding"],
         ["INV5", "provider", None, "Z1", "2022-06-01", "tip", "fraud"]],
        date_columns=("start_date",))
    protected_persons = frame(["person_id", *PROTECTED],
                              [["P1", 34, "female", "none", "dutch"], ["P2", 41, "male", "non_western", "non_eu"],
                               ["P3", 39, "female", "non_western", "dutch"], ["P4", 7, "male", "non_western", "dutch"],
                               ["P5", 70, "x", "western", "eu"], ["P6", 68, "female", "western", "eu"]])
    return {"applications": apps, "households": households, "persons": persons, "addresses": addresses,
            "providers": providers, "declarations": declarations, "investigations": investigations,
            "protected_persons": protected_persons}


@pytest.fixture(scope="module")
def tiny():
    return build_application_features(tiny_tables(), ALL)


EXPECTED = [
    # application group: history of the household and the intermediary, strictly before the decision date
    ("AV1", "authorised_hours_month", 0.0),
    ("AV1", "previous_awards", 0),
    ("AV2", "previous_awards", 1),
    ("AV5", "previous_awards", 2),
    ("AV7", "previous_awards", 2),               # AV5 decided the same day: not before
    ("AV10", "previous_awards", 1),              # AV4 was refused: not an award
    ("AV6", "previous_awards", 3),
    ("AV1", "has_intermediary", False),
    ("AV1", "intermediary_prior_clients", 0),
    ("AV3", "intermediary_prior_clients", 1),    # AV4 received before AV3's decision; AV5 after
    ("AV4", "intermediary_prior_clients", 2),
    ("AV5", "intermediary_prior_clients", 2),
    # small triangle
    ("AV5", "household_pw_awards", 1),
    ("AV5", "household_wmo_awards", 1),
    ("AV5", "household_jw_awards", 0),
    ("AV5", "household_has_pgb", False),
    ("AV5", "household_n_laws", 2),
    ("AV4", "household_jw_awards", 1),
    ("AV4", "household_has_pgb", True),
    ("AV10", "household_wmo_awards", 0),
    ("AV10", "household_has_pgb", True),
    ("AV6", "household_wmo_awards", 3),
    ("AV6", "household_n_laws", 1),
    # large triangle
    ("AV1", "floor_area_m2", 50.0),
    ("AV1", "persons_per_10m2", 0.8),
    ("AV1", "households_registered", 2),
    ("AV1", "other_adults_at_address", 2),       # P2 and P3 of H2; the child P4 does not count
    ("AV1", "undeclared_cost_sharer_gap", 2),
    ("AV3", "other_adults_at_address", 1),
    ("AV3", "undeclared_cost_sharer_gap", 0),    # the one other adult is declared as a cost-sharer
    ("AV6", "other_adults_at_address", 0),
    ("AV6", "persons_per_10m2", 0.2),
    ("AV1", "fire_safety_findings", 2),
    ("AV1", "room_rental_permit", False),
    # provider: neutral values without a provider
    ("AV1", "has_provider", False),
    ("AV1", "legal_form", "none"),
    ("AV1", "n_staff", 0),
    ("AV1", "vog_coverage", 0.0),
    ("AV1", "director_failed_before", False),
    ("AV1", "billing_ratio_prior", 0.0),
    ("AV1", "provider_client_growth", 1.0),
    # provider: age, location, director
    ("AV2", "provider_days_registered", 790),
    ("AV3", "provider_days_registered", 323),
    ("AV9", "provider_days_registered", 0),             # registered after the decision: no negative age
    ("AV2", "legal_form", "bv"),
    ("AV2", "location_fire_safety_findings", 3),
    ("AV3", "location_fire_safety_findings", 0),
    ("AV2", "director_failed_before", False),    # Z2 failed on the decision day itself
    ("AV4", "director_failed_before", True),
    ("AV9", "director_failed_before", True),
    ("AV11", "director_failed_before", False),   # Z2 is the chosen provider itself
    ("AV3", "director_failed_before", False),    # Z4 is sanctioned later
    ("AV6", "director_failed_before", True),
    ("AV10", "director_failed_before", False),   # Z6 stopped; it did not fail
    # provider: billing from months that ended before the decision month
    ("AV2", "billing_ratio_prior", 0.0),
    ("AV4", "billing_ratio_prior", 1.0),         # April only; May is still running on 10 May
    ("AV5", "billing_ratio_prior", 1.1),
    ("AV6", "billing_ratio_prior", 110.0 / 95.0),
    ("AV8", "billing_ratio_prior", 0.0),
    ("AV2", "provider_client_growth", 1.0),
    ("AV4", "provider_client_growth", 5.0),      # from 0 clients to 1: capped
    ("AV6", "provider_client_growth", 2.0),      # Jul-Sep: P2, P5; Apr-Jun: P2
]


@pytest.mark.parametrize(("application_id", "feature", "expected"), EXPECTED,
                         ids=[f"{a}-{f}" for a, f, _ in EXPECTED])
def test_feature_value_on_hand_made_world(tiny, application_id, feature, expected):
    value = tiny.X.loc[application_id, feature]
    if isinstance(expected, float):
        assert value == pytest.approx(expected, rel=1e-12, abs=1e-12)
    else:
        assert value == expected


def test_labels_take_every_application_investigation_and_the_earliest_route(tiny):
    labels = tiny.labels.set_index("application_id")
    assert labels.loc["AV1"].tolist()[:1] == [False] and pd.isna(labels.loc["AV1", "route"])
    assert np.isnan(labels.loc["AV1", "observed"])
    assert labels.loc["AV2"].tolist() == [True, "random", 0.0]
    assert labels.loc["AV4"].tolist() == [True, "caseworker", 1.0]
    assert labels.loc["AV6"].tolist() == [True, "tip", 1.0]      # earliest route, any finding
    assert int(labels["investigated"].sum()) == 3                # the provider investigation is not an application's


def test_meta_and_protected_travel_beside_x(tiny):
    meta = tiny.meta.set_index("application_id")
    assert meta.loc["AV3", ["household_id", "person_id", "period"]].tolist() == ["H2", "P2", "2022-03"]
    assert meta.loc["AV3", "as_of"] == pd.Timestamp("2022-04-20")
    assert meta.loc["AV3", "application_date"] == pd.Timestamp("2022-03-01")
    protected = tiny.protected.set_index("application_id")
    assert list(protected.columns) == list(PROTECTED)
    assert protected.loc["AV6"].tolist() == [70, "x", "western", "eu"]
    assert protected.loc["AV3"].tolist() == [41, "male", "non_western", "non_eu"]


def test_x_holds_features_only_in_application_order(tiny):
    assert tiny.X.index.name == "application_id"
    assert tiny.X.index.tolist() == tiny_tables()["applications"]["application_id"].tolist()
    assert list(tiny.X.columns) == [f for g in GROUPS for f in FEATURE_GROUPS[g]]
    assert tiny.groups == {f: g for g in GROUPS for f in FEATURE_GROUPS[g]}


# -- parameters -----------------------------------------------------------------
PARAMS = [
    ({"groups": ["provider", "application"]}, ("application", "provider"), None),
    ({"groups": list(GROUPS)}, GROUPS, None),
    ({"groups": []}, None, "The 'groups' parameter of features must be a non-empty list of distinct values from "
                           "application, small_triangle, large_triangle, provider. Got [] instead."),
    ({"groups": ["application", "district"]}, None,
     "The 'groups' parameter of features must be a list of distinct values from application, small_triangle, "
     "large_triangle, provider. Got 'district' instead."),
    ({"groups": ["provider", "provider"]}, None,
     "The 'groups' parameter of features must be a list of distinct values from application, small_triangle, "
     "large_triangle, provider. Got ['provider', 'provider'] instead."),
    ({"groups": "provider"}, None,
     "The 'groups' parameter of features must be a list of distinct values from application, small_triangle, "
     "large_triangle, provider. Got 'provider' instead."),
    ({}, None, "The 'groups' parameter of features is missing. It must be a list of distinct values from "
               "application, small_triangle, large_triangle, provider."),
    ({"groups": ["application"], "lag_days": 3}, None,
     "The 'lag_days' parameter of features is unknown. Allowed keys: groups."),
]


@pytest.mark.parametrize(("values", "groups", "message"), PARAMS)
def test_parse_feature_params(values, groups, message):
    if message is None:
        assert parse_feature_params(values).groups == groups
        return
    with pytest.raises(ParamError) as info:
        parse_feature_params(values)
    assert str(info.value) == message


@pytest.mark.parametrize("group", GROUPS)
def test_each_group_alone_gives_exactly_its_columns(group):
    features = build_application_features(tiny_tables(), parse_feature_params({"groups": [group]}))
    assert list(features.X.columns) == list(FEATURE_GROUPS[group])
    assert set(features.groups.values()) == {group}


# -- input errors -----------------------------------------------------------------
def drop_table(name):
    def change(tables):
        del tables[name]
    return change


def drop_column(table, column):
    def change(tables):
        tables[table] = tables[table].drop(columns=column)
    return change


def set_value(table, column, row, value):
    def change(tables):
        tables[table].loc[row, column] = value
    return change


def add_protected(tables):
    tables["persons"] = tables["persons"].assign(migration_background="none")


ERRORS = [
    ("missing-table", drop_table("declarations"),
     "The features stage needs table 'declarations' but it was not given. Given: addresses, applications, "
     "households, investigations, persons, protected_persons, providers."),
    ("missing-column", drop_column("applications", "decision_date"),
     "Table 'applications' has no column 'decision_date'. The features stage needs: application_id, household_id, "
     "person_id, address_id, scheme, application_date, decision_date, awarded, previous_applications, "
     "amount_monthly, authorised_hours_month, declared_income_monthly, declared_assets, cost_sharers, "
     "days_since_relocation, appointment_no_shows, income_changes_12m, intermediary_id, provider_id."),
    ("protected-in-persons", add_protected,
     "Table 'persons' holds protected column 'migration_background'. Protected columns may reach the features "
     "stage only in table 'protected_persons' (the validate stage writes them to data/protected/)."),
    ("duplicate-application", set_value("applications", "application_id", 1, "AV1"),
     "Table 'applications' has 1 duplicate value(s) in 'application_id', e.g. 'AV1'. It must be unique."),
    ("duplicate-provider", set_value("providers", "provider_id", 1, "Z1"),
     "Table 'providers' has 1 duplicate value(s) in 'provider_id', e.g. 'Z1'. It must be unique."),
    ("dangling-provider", set_value("applications", "provider_id", 3, "Z99"),
     "Table 'applications' column 'provider_id' has 1 value(s) not found in providers.provider_id, e.g. 'Z99'. "
     "Every reference must resolve; run the validate stage, which quarantines such rows."),
    ("dangling-declaration", set_value("declarations", "application_id", 0, "AV99"),
     "Table 'declarations' column 'application_id' has 1 value(s) not found in applications.application_id, "
     "e.g. 'AV99'. Every reference must resolve; run the validate stage, which quarantines such rows."),
    ("dangling-address", set_value("applications", "address_id", 0, "A99"),
     "Table 'applications' column 'address_id' has 1 value(s) not found in addresses.address_id, e.g. 'A99'. "
     "Every reference must resolve; run the validate stage, which quarantines such rows."),
    ("empty-decision-date", set_value("applications", "decision_date", 2, pd.NaT),
     "Table 'applications' has 1 empty value(s) in 'decision_date'. Every row needs a date there."),
    ("decided-before-received", set_value("applications", "decision_date", 2, pd.Timestamp("2022-01-01")),
     "Table 'applications' has 1 row(s) with decision_date before application_date, e.g. 'AV3'. A decision is "
     "taken on or after the date the application arrived."),
]


@pytest.mark.parametrize(("change", "message"), [row[1:] for row in ERRORS], ids=[row[0] for row in ERRORS])
def test_bad_input_stops_with_one_line(change, message):
    tables = tiny_tables()
    change(tables)
    with pytest.raises(FeatureError) as info:
        build_application_features(tables, ALL)
    assert str(info.value) == message


def test_only_the_tables_of_the_chosen_groups_are_needed():
    tables = tiny_tables()
    for name in ("households", "persons", "addresses", "providers", "declarations"):
        del tables[name]
    features = build_application_features(tables, parse_feature_params({"groups": ["application", "small_triangle"]}))
    assert features.X.shape == (11, len(FEATURE_GROUPS["application"]) + len(FEATURE_GROUPS["small_triangle"]))


# -- a generated world -------------------------------------------------------------
@pytest.fixture(scope="module")
def world_tables(small_world):
    tables = {name: frame.copy() for name, frame in small_world.raw.items()}
    tables["protected_persons"] = tables["persons"][["person_id", *PROTECTED]].copy()
    tables["persons"] = tables["persons"].drop(columns=list(PROTECTED))
    return tables


@pytest.fixture(scope="module")
def world_features(world_tables):
    return build_application_features(world_tables, ALL)


def test_world_features_are_complete_typed_and_free_of_ids_labels_and_protected(world_features, world_tables):
    X = world_features.X
    assert X.index.tolist() == world_tables["applications"]["application_id"].tolist()
    assert not X.isna().any().any()
    forbidden = set(PROTECTED) | {"investigated", "route", "observed", "outcome", "awarded"}
    assert not forbidden & set(X.columns)
    assert not [c for c in X.columns if c.endswith("_id") or c in ("district", "postcode4", "language_proficiency")]
    for column in X.columns:
        dtype = X[column].dtype
        assert dtype in (np.float64, np.int64, np.bool_) or pd.api.types.is_string_dtype(dtype), column
        if pd.api.types.is_string_dtype(dtype):
            assert X[column].nunique() <= 10, column
    assert list(world_features.protected.columns) == ["application_id", *PROTECTED]
    assert not world_features.protected[list(PROTECTED)].isna().any().any()


def test_world_invariants(world_features):
    X = world_features.X
    laws = X[["household_pw_awards", "household_wmo_awards", "household_jw_awards"]]
    assert (laws.sum(axis=1) == X["previous_awards"]).all()
    assert ((laws > 0).sum(axis=1) == X["household_n_laws"]).all()
    assert (X.loc[~X["has_provider"], "legal_form"] == "none").all()
    assert (X.loc[X["has_provider"], "legal_form"] != "none").all()
    assert X["provider_client_growth"].between(0, 5).all()
    assert (X["undeclared_cost_sharer_gap"] <= X["other_adults_at_address"]).all()
    labels = world_features.labels
    assert (labels["investigated"] == labels["observed"].notna()).all()
    assert (labels["investigated"] == labels["route"].notna()).all()


def test_inputs_are_not_changed(world_tables):
    before = {name: frame.copy() for name, frame in world_tables.items()}
    build_application_features(world_tables, ALL)
    for name, frame in world_tables.items():
        pd.testing.assert_frame_equal(frame, before[name])


def test_row_order_of_the_inputs_does_not_matter(world_tables, world_features):
    rng = np.random.default_rng(5)
    shuffled = {name: frame.sample(frac=1.0, random_state=rng).reset_index(drop=True)
                for name, frame in world_tables.items()}
    again = build_application_features(shuffled, ALL)
    pd.testing.assert_frame_equal(again.X.loc[world_features.X.index], world_features.X, check_exact=True)


def test_investigation_outcomes_never_reach_x(world_tables, world_features):
    tables = dict(world_tables)
    inv = tables["investigations"].copy()
    rng = np.random.default_rng(11)
    inv["outcome"] = rng.permutation(inv["outcome"].to_numpy())
    inv["route"] = rng.permutation(inv["route"].to_numpy())
    inv["start_date"] = rng.permutation(inv["start_date"].to_numpy())
    tables["investigations"] = inv
    again = build_application_features(tables, ALL)
    pd.testing.assert_frame_equal(again.X, world_features.X, check_exact=True)
    assert not again.labels.equals(world_features.labels)


# -- a slow, obvious reference for the history features -------------------------------
def reference_row(tables, app):
    """Features of one application computed the slow, readable way (a row at a time)."""
    apps, providers, decl = tables["applications"], tables["providers"], tables["declarations"]
    as_of = app["decision_date"]
    same = apps[(apps["household_id"] == app["household_id"]) & apps["awarded"] & (apps["decision_date"] < as_of)]
    out = {"previous_awards": len(same),
           "household_jw_awards": int(same["scheme"].str.startswith("jw_").sum()),
           "household_has_pgb": bool(same["scheme"].str.endswith("_pgb").any())}
    if pd.notna(app["intermediary_id"]):
        filed = apps[(apps["intermediary_id"] == app["intermediary_id"]) & (apps["application_date"] < as_of)
                     & (apps["application_id"] != app["application_id"])]
        out["intermediary_prior_clients"] = len(filed)
    if pd.notna(app["provider_id"]):
        provider = providers.set_index("provider_id").loc[app["provider_id"]]
        others = providers[(providers["director_id"] == provider["director_id"])
                           & (providers["provider_id"] != app["provider_id"])
                           & providers["end_reason"].isin(["failed", "sanctioned"]) & (providers["end_date"] < as_of)]
        out["director_failed_before"] = len(others) > 0
        out["provider_days_registered"] = max((as_of - provider["kvk_registration_date"]).days, 0)
        month_start = as_of.to_period("M").to_timestamp()
        mine = decl[decl["provider_id"] == app["provider_id"]].merge(
            apps[["application_id", "authorised_hours_month", "person_id"]], on="application_id")
        prior = mine[mine["month"] < month_start]
        allowed = prior["authorised_hours_month"].sum()
        out["billing_ratio_prior"] = prior["hours_billed"].sum() / allowed if allowed > 0 else 0.0
        recent = mine[(mine["month"] >= month_start - pd.DateOffset(months=3)) & (mine["month"] < month_start)]
        earlier = mine[(mine["month"] >= month_start - pd.DateOffset(months=6))
                       & (mine["month"] < month_start - pd.DateOffset(months=3))]
        r, e = recent["person_id"].nunique(), earlier["person_id"].nunique()
        out["provider_client_growth"] = min(r / e, 5.0) if e else (5.0 if r else 1.0)
    return out


def test_history_features_match_a_row_by_row_reference(world_tables, world_features):
    apps = world_tables["applications"]
    rng = np.random.default_rng(3)
    care = np.flatnonzero(apps["provider_id"].notna().to_numpy())
    brokered = np.flatnonzero(apps["intermediary_id"].notna().to_numpy())
    rows = np.unique(np.concatenate([rng.choice(care, 80, replace=False), rng.choice(brokered, 30, replace=False),
                                     rng.choice(len(apps), 30, replace=False)]))
    for row in rows:
        app = apps.iloc[row]
        for feature, expected in reference_row(world_tables, app).items():
            value = world_features.X.loc[app["application_id"], feature]
            assert value == pytest.approx(expected, rel=1e-12), (app["application_id"], feature)


# -- no leakage: move everything dated after the cut, features before it stay put ----------
def move_future(tables, cut, rng):
    """Alter, re-point and add every record dated on or after ``cut`` that an application decided by ``cut``
    could be tempted to use; shuffle the rows of every table. Returns new tables and what was moved."""
    t = {name: frame.copy() for name, frame in tables.items()}
    apps, providers, decl = t["applications"], t["providers"], t["declarations"]
    target = (apps["decision_date"] <= cut).to_numpy()
    edge = (apps["decision_date"] == cut).to_numpy()     # decided on the cut day: the boundary case

    def pick(column, n):
        """Values of the targets, half of them from applications decided on the cut day itself."""
        everyone, on_edge = apps.loc[target, column].dropna().unique(), apps.loc[edge, column].dropna().unique()
        return np.where(rng.random(n) < 0.5, rng.choice(on_edge if len(on_edge) else everyone, n),
                        rng.choice(everyone, n))

    def days(n, high):
        """Offsets from the cut, a third of them 0: records dated on the cut day are future too."""
        return pd.to_timedelta(np.where(rng.random(n) < 1 / 3, 0, rng.integers(1, high, n)), unit="D")

    target_providers = apps.loc[target, "provider_id"].dropna().unique()

    # applications received on or after the cut: into the target households, intermediaries and providers
    future = (apps["application_date"] >= cut).to_numpy() & ~target
    n = int(future.sum())
    apps.loc[future, "household_id"] = pick("household_id", n)
    apps.loc[future, "intermediary_id"] = pick("intermediary_id", n)
    apps.loc[future, "provider_id"] = pick("provider_id", n)
    apps.loc[future, "scheme"] = rng.choice(["pw_bijstand", "wmo_pgb", "jw_pgb"], n)
    apps.loc[future, "awarded"] = rng.random(n) < 0.8
    apps.loc[future, "authorised_hours_month"] = rng.uniform(1, 40, n)
    received = cut + days(n, 60)
    apps.loc[future, "application_date"] = received
    apps.loc[future, "decision_date"] = received + days(n, 40)
    # applications received before the cut but decided after it: a later decision, the other way round
    pending = (apps["decision_date"] > cut).to_numpy() & ~future & ~target
    apps.loc[pending, "decision_date"] = cut + days(int(pending.sum()), 90)
    apps.loc[pending, "awarded"] = rng.random(int(pending.sum())) < 0.8

    # declarations for months not ended before the cut's month: other provider, other client, other hours
    cut_month = cut.to_period("M").to_timestamp()
    late = (decl["month"] >= cut_month).to_numpy()
    m = int(late.sum())
    decl.loc[late, "provider_id"] = pick("provider_id", m)
    decl.loc[late, "application_id"] = rng.choice(apps["application_id"].to_numpy(), m)
    decl.loc[late, "hours_billed"] = rng.uniform(0, 200, m)
    extra = decl[late].assign(declaration_id=lambda f: "X" + f["declaration_id"],
                              month=cut_month + pd.DateOffset(months=1))
    decl = pd.concat([decl, extra], ignore_index=True)

    # providers that end on or after the cut (or have not ended): fail later, some under a target director
    ends_later = (providers["end_date"].isna() | (providers["end_date"] >= cut)).to_numpy()
    k = int(ends_later.sum())
    providers.loc[ends_later, "end_date"] = cut + days(k, 400)
    providers.loc[ends_later, "end_reason"] = rng.choice(["failed", "sanctioned"], k)
    free = ends_later & ~providers["provider_id"].isin(target_providers).to_numpy()
    directors = providers.set_index("provider_id")["director_id"]
    providers.loc[free, "director_id"] = directors.loc[pick("provider_id", int(free.sum()))].to_numpy()
    registered_later = (providers["kvk_registration_date"] >= cut).to_numpy()
    providers.loc[registered_later, "kvk_registration_date"] += days(int(registered_later.sum()), 300)
    # new providers registered from the cut on, run by the targets' directors, failing from the cut day on
    born = providers.sample(20, replace=True, random_state=rng).assign(
        provider_id=[f"ZNEW{i}" for i in range(20)], kvk_registration_date=cut + days(20, 30),
        end_reason=rng.choice(["failed", "sanctioned"], 20),
        director_id=directors.loc[pick("provider_id", 20)].to_numpy())
    providers = pd.concat([providers, born.assign(end_date=born["kvk_registration_date"] + days(20, 30))],
                          ignore_index=True)

    t.update(applications=apps, providers=providers, declarations=decl)
    t = {name: frame.sample(frac=1.0, random_state=rng).reset_index(drop=True) for name, frame in t.items()}
    return t, {"applications": n + int(pending.sum()), "declarations": m, "providers": k + len(born)}


@pytest.mark.parametrize("quantile", [0.2, 0.5, 0.8])
def test_no_leakage_from_records_after_the_decision_date(world_tables, world_features, quantile):
    apps = world_tables["applications"]
    cut = apps["decision_date"].quantile(quantile).normalize()
    target = apps.loc[apps["decision_date"] <= cut, "application_id"]
    moved_tables, moved = move_future(world_tables, cut, np.random.default_rng(int(quantile * 100)))
    assert min(moved.values()) > 0
    after = build_application_features(moved_tables, ALL)
    pd.testing.assert_frame_equal(after.X.loc[target], world_features.X.loc[target], check_exact=True)
    # the move was big enough to change the features of later applications
    later = world_features.X.index.difference(target)
    changed = (after.X.loc[later] != world_features.X.loc[later]).any()
    assert {"previous_awards", "intermediary_prior_clients", "billing_ratio_prior", "household_has_pgb"} <= set(
        changed[changed].index)


def test_no_applications_give_an_empty_typed_feature_set():
    tables = tiny_tables()
    for name in ("applications", "declarations", "investigations"):
        tables[name] = tables[name].iloc[:0]
    features = build_application_features(tables, ALL)
    assert features.X.shape == (0, sum(len(f) for f in FEATURE_GROUPS.values()))
    assert len(features.meta) == len(features.labels) == len(features.protected) == 0
