"""Provider features: exact values on a hand-made world, bad input, no leakage, labels, protected apart, the stage."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pytest
import yaml

from risico import cli
from risico.contract import CONTRACT, protected_columns
from risico.features import FeatureError
from risico.features.provider_stage import OUTPUT_FILES, TARGET
from risico.features.providers import (
    FEATURE_GROUPS,
    GROUPS,
    PROTECTED_COLUMNS,
    build_provider_features,
    parse_provider_feature_params,
)
from risico.io import MARKER, write_parquet
from risico.params import ParamError
from tests.conftest import repo_params

ALL = parse_provider_feature_params({})
PROTECTED = protected_columns()["persons"]
NAT = None
FEATURES = [f for g in GROUPS for f in FEATURE_GROUPS[g]]


# -- a hand-made world: nine providers, four quarters (2022-Q4 .. 2023-Q3) -------------------------
def dates(values):
    return pd.to_datetime(pd.Series(values, dtype="object")).astype("datetime64[ms]")


def frame(columns, rows, date_columns=()):
    out = pd.DataFrame(rows, columns=columns)
    for column in date_columns:
        out[column] = dates(out[column])
    return out


def tiny_tables() -> dict[str, pd.DataFrame]:
    addresses = frame(
        ["address_id", "district", "floor_area_m2", "persons_registered", "households_registered",
         "room_rental_permit", "fire_safety_findings", "is_care_location"],
        [["A1", "W01", 50, 10, 4, True, 2, False],
         ["A2", "W02", 100, 2, 1, False, 0, False],
         ["A3", "W03", 40, 1, 1, False, 0, False],
         ["A4", "W01", 80, 3, 1, False, 1, True]])
    providers = frame(
        ["provider_id", "kvk_registration_date", "end_date", "end_reason", "legal_form", "n_staff",
         "has_quality_certificate", "vog_coverage", "bank_guarantee", "staff_trained_share", "location_address_id",
         "director_id"],
        [["Z1", "2020-01-01", NAT, None, "bv", 25, True, 0.9, True, 0.8, "A2", "D1"],
         ["Z2", "2015-01-01", "2022-06-01", "failed", "stichting", 10, False, 0.5, False, 0.5, "A1", "D1"],
         ["Z3", "2023-02-15", NAT, None, "eenmanszaak", 1, False, 0.6, False, 0.3, "A1", "D2"],
         ["Z4", "2018-01-01", "2023-04-01", "sanctioned", "bv", 3, False, 0.7, True, 0.4, "A3", "D3"],
         ["Z5", "2019-06-01", NAT, None, "stichting", 4, True, 1.0, True, 1.0, "A4", "D3"],
         ["Z6", "2016-01-01", "2021-01-01", "stopped", "bv", 2, True, 1.0, True, 1.0, "A2", "D2"],
         ["Z7", "2017-01-01", "2023-08-20", "failed", "bv", 7, True, 0.95, True, 0.9, "A3", "Z7"],
         ["Z8", "2024-01-01", NAT, None, "bv", 5, True, 0.95, True, 0.9, "A2", "D4"],
         ["Z9", "2010-01-01", "2022-12-31", "stopped", "bv", 6, True, 0.95, True, 0.9, "A2", "D5"]],
        date_columns=("kvk_registration_date", "end_date"))
    apps = frame(
        ["application_id", "person_id", "address_id", "scheme", "application_date", "authorised_hours_month",
         "intermediary_id", "provider_id"],
        [["AV1", "P1", "A2", "wmo_zin", "2022-10-03", 10.0, None, "Z1"],
         ["AV2", "P2", "A2", "wmo_zin", "2022-10-20", 20.0, "I1", "Z1"],
         ["AV3", "P3", "A1", "jw_pgb", "2022-11-05", 10.0, "I1", "Z5"],
         ["AV4", "P4", "A1", "wmo_pgb", "2023-01-01", 10.0, "I2", "Z5"],
         ["AV5", "P5", "A4", "wmo_zin", "2022-10-10", 8.0, None, "Z4"],
         ["AV6", "P5", "A4", "wmo_zin", "2023-06-01", 8.0, None, "Z5"],
         ["AV7", "P6", "A3", "pw_bijstand", "2023-02-01", np.nan, None, None],
         ["AV8", "P1", "A2", "wmo_zin", "2023-09-20", 5.0, None, "Z7"],
         ["AV9", "P7", "A1", "jw_pgb", "2023-03-01", 6.0, "I1", "Z3"]],
        date_columns=("application_date",))
    billed = ([("Z1", "AV1", m, 10.0) for m in ("2022-11", "2022-12", "2023-01", "2023-02", "2023-03", "2023-04",
                                                 "2023-05", "2023-06")]
              + [("Z1", "AV2", m, 30.0) for m in ("2022-11", "2022-12", "2023-01", "2023-02", "2023-03")]
              + [("Z5", "AV3", m, 10.0) for m in ("2022-12", "2023-01", "2023-02")]
              + [("Z5", "AV4", m, 10.0) for m in ("2023-02", "2023-03", "2023-04", "2023-05", "2023-06")]
              + [("Z4", "AV5", m, 8.0) for m in ("2022-11", "2022-12", "2023-01", "2023-02", "2023-03", "2023-04")]
              + [("Z3", "AV9", m, 6.0) for m in ("2023-04", "2023-05", "2023-06")])
    billed = [(p, a, m, 4.0 if (a, m) == ("AV9", "2023-05") else h) for p, a, m, h in billed]  # Z3 pro-rates May
    declarations = frame(["declaration_id", "provider_id", "application_id", "month", "hours_billed"],
                         [[f"DC{i}", p, a, f"{m}-01", h] for i, (p, a, m, h) in enumerate(billed)],
                         date_columns=("month",))
    absences = frame(
        ["absence_id", "person_id", "kind", "start_date", "end_date"],
        [["AB1", "P1", "hospital", "2023-01-10", "2023-01-19"],   # Jan: 10 of 31 days away
         ["AB2", "P1", "hospital", "2023-01-15", "2023-01-22"],   # overlaps AB1: Jan 10-22, 13 days
         ["AB3", "P2", "abroad", "2022-12-25", "2023-01-05"],     # Dec: exactly 7 days; Jan: 5 (too few)
         ["AB4", "P3", "hospital", "2023-02-01", "2023-02-07"],   # Feb 2023: 7 of 28 days
         ["AB5", "P4", "abroad", "2023-03-01", "2023-03-04"],     # with AB6: Mar 1-6, 6 days (not 8)
         ["AB6", "P4", "abroad", "2023-03-03", "2023-03-06"],
         ["AB7", "P7", "abroad", "2023-05-01", "2023-05-10"],     # May: 10 of 31 days, billed 4.0 of 6
         ["AB8", "P7", "abroad", "2023-06-20", "2023-07-05"],     # Jun: 11 of 30 days, billed 6.0 of 6
         ["AB9", "P6", "hospital", "2023-01-01", "2023-01-31"]],  # not a client of any provider
        date_columns=("start_date", "end_date"))
    investigations = frame(
        ["investigation_id", "subject_type", "application_id", "provider_id", "start_date", "route", "outcome"],
        [["INV1", "provider", None, "Z1", "2023-02-10", "random", "no_finding"],
         ["INV2", "provider", None, "Z5", "2023-08-01", "tip", "fraud"],
         ["INV3", "provider", None, "Z5", "2023-07-15", "caseworker", "no_finding"],
         ["INV4", "application", "AV2", None, "2022-11-01", "caseworker", "error"],
         ["INV5", "provider", None, "Z9", "2023-02-01", "random", "error"]],      # Z9 ended: not a row
        date_columns=("start_date",))
    protected_persons = frame(
        ["person_id", *PROTECTED],
        [["P1", 30, "male", "none", "dutch"], ["P2", 45, "female", "western", "eu"],
         ["P3", 40, "female", "non_western", "non_eu"], ["P4", 70, "male", "none", "dutch"],
         ["P5", 80, "female", "western", "eu"], ["P6", 25, "x", "none", "dutch"],
         ["P7", 12, "male", "non_western", "dutch"]])
    return {"providers": providers, "declarations": declarations, "applications": apps, "addresses": addresses,
            "investigations": investigations, "protected_persons": protected_persons, "absences": absences}


@pytest.fixture(scope="module")
def tiny():
    return build_provider_features(tiny_tables(), ALL)


ROWS = {"2022Q4": ["Z1", "Z4", "Z5", "Z7", "Z9"], "2023Q1": ["Z1", "Z3", "Z4", "Z5", "Z7"],
        "2023Q2": ["Z1", "Z3", "Z4", "Z5", "Z7"], "2023Q3": ["Z1", "Z3", "Z5", "Z7"]}


def test_one_row_per_active_provider_per_quarter_in_quarter_then_provider_order(tiny):
    expected = [f"{p}:{q}" for q, providers in ROWS.items() for p in providers]
    assert tiny.X.index.tolist() == expected
    assert tiny.meta["case_id"].tolist() == tiny.labels["case_id"].tolist() == tiny.protected["case_id"].tolist() \
        == expected
    assert list(tiny.X.columns) == FEATURES
    assert tiny.groups == {f: g for g in GROUPS for f in FEATURE_GROUPS[g]}


def test_meta(tiny):
    meta = tiny.meta.set_index("case_id")
    assert list(tiny.meta.columns) == ["case_id", "provider_id", "as_of", "period", "group_id"]
    assert meta.loc["Z5:2023Q3"].tolist() == ["Z5", pd.Timestamp("2023-07-01"), "2023-Q3", "Z5"]
    assert (tiny.meta["group_id"] == tiny.meta["provider_id"]).all()


EXPECTED = [
    # contracting: registration age at as_of; 0 when registered during the quarter
    ("Z1:2023Q1", "days_registered", 1096),
    ("Z3:2023Q1", "days_registered", 0),
    ("Z3:2023Q2", "days_registered", 45),
    ("Z3:2023Q2", "legal_form", "eenmanszaak"),
    ("Z5:2023Q2", "n_staff", 4),
    ("Z4:2022Q4", "vog_coverage", 0.7),
    # billing: previous four quarters; Z1 has no history before 2022-11
    ("Z1:2022Q4", "has_billing_history", False),
    ("Z1:2022Q4", "billing_ratio", 0.0),
    ("Z1:2022Q4", "hours_vs_norm", 0.0),
    ("Z1:2022Q4", "client_growth", 1.0),
    ("Z1:2022Q4", "clients_per_address", 0.0),
    ("Z1:2023Q1", "has_billing_history", True),
    ("Z1:2023Q1", "billing_ratio", 80.0 / 60.0),          # Nov-Dec: AV1 2 x 10 of 10, AV2 2 x 30 of 20
    ("Z1:2023Q1", "hours_per_client_month", 20.0),
    ("Z1:2023Q1", "hours_vs_norm", 80.0 / 64.0),          # wmo_zin norm (20 + 60 + 16) / 6 = 16 per client-month
    ("Z1:2023Q1", "clients_billed_prev_quarter", 2),
    ("Z1:2023Q1", "client_growth", 5.0),                  # from 0 clients to 2: capped
    ("Z1:2023Q1", "clients_per_address", 2.0),            # P1 and P2 both at A2
    ("Z1:2023Q1", "max_clients_one_address", 2),
    ("Z5:2023Q3", "billing_ratio", 1.0),
    ("Z5:2023Q3", "clients_billed_prev_quarter", 1),      # Apr-Jun: P4
    ("Z5:2023Q3", "client_growth", 0.5),                  # Jan-Mar: P3, P4
    ("Z5:2023Q2", "client_growth", 2.0),                  # Oct-Dec: P3
    ("Z7:2023Q3", "has_billing_history", False),          # never billed: neutral values
    ("Z7:2023Q3", "hours_per_client_month", 0.0),
    ("Z7:2023Q3", "max_clients_one_address", 0),
    # billing: client-months with >= 7 days away, and the share billed beyond the days present
    # (plausible = authorised x present / days in the month; over when hours > 1.1 x plausible + 0.1)
    ("Z1:2023Q1", "absence_client_months", 1),            # Dec: P2 away 7 of 31 days, 30 h billed of 20 x 24/31
    ("Z1:2023Q1", "absence_billing_share", 1.0),
    ("Z1:2023Q2", "absence_client_months", 2),            # + Jan: P1 away 13 days (two stays, once), 10 h of 10 x 18/31
    ("Z1:2023Q2", "absence_billing_share", 1.0),
    ("Z5:2023Q2", "absence_client_months", 1),            # Feb: P3 7 of 28 days; Mar: P4 6 days (not 4 + 4)
    ("Z5:2023Q2", "absence_billing_share", 1.0),
    ("Z3:2023Q3", "absence_client_months", 2),            # May: 4.0 h <= 1.1 x 6 x 21/31 + 0.1; Jun: 6.0 h > 4.28
    ("Z3:2023Q3", "absence_billing_share", 0.5),
    ("Z1:2022Q4", "absence_client_months", 0),
    ("Z5:2023Q1", "absence_client_months", 0),            # P3's February stay is in Q1 itself
    ("Z3:2023Q2", "absence_client_months", 0),
    # location
    ("Z3:2023Q1", "location_fire_safety_findings", 2),
    ("Z3:2023Q1", "location_room_rental_permit", True),
    ("Z3:2023Q1", "location_persons_per_10m2", 2.0),
    ("Z1:2023Q1", "location_persons_per_10m2", 0.2),
    # network: director and address
    ("Z1:2022Q4", "director_failed_before", True),        # Z2 (same director) failed 2022-06-01
    ("Z1:2022Q4", "director_other_providers", 1),
    ("Z5:2023Q2", "director_failed_before", False),       # Z4 is sanctioned on as_of itself (2023-04-01)
    ("Z5:2023Q3", "director_failed_before", True),
    ("Z4:2023Q2", "director_failed_before", False),       # ended on as_of: still a row; its own sanction never counts
    ("Z7:2023Q3", "director_failed_before", False),       # director id = own id; its own failure does not count
    ("Z7:2023Q3", "director_other_providers", 0),
    ("Z3:2023Q1", "director_failed_before", False),       # Z6 of the same director stopped: not a failure
    ("Z3:2023Q1", "director_other_providers", 1),
    ("Z3:2023Q1", "address_failed_before", True),         # Z2 failed at A1
    ("Z7:2023Q2", "address_failed_before", False),        # Z4 ended at A3 on as_of: not before
    ("Z7:2023Q3", "address_failed_before", True),         # Z4 sanctioned at A3 on 2023-04-01
    ("Z4:2023Q2", "address_failed_before", False),        # Z7 fails at A3 later
    # network: clients (applications received strictly before as_of)
    ("Z5:2023Q1", "client_applications", 1),              # AV4 received on as_of itself: not before
    ("Z5:2023Q1", "intermediary_client_share", 1.0),
    ("Z5:2023Q1", "n_intermediaries", 1),
    ("Z5:2023Q2", "client_applications", 2),
    ("Z5:2023Q3", "client_applications", 3),
    ("Z5:2023Q3", "intermediary_client_share", 2.0 / 3.0),
    ("Z5:2023Q3", "n_intermediaries", 2),
    ("Z5:2023Q2", "clients_from_failed_share", 0.0),
    ("Z5:2023Q3", "clients_from_failed_share", 1.0 / 3.0),  # P5 came from Z4, sanctioned before as_of
    ("Z3:2023Q1", "client_applications", 0),              # zero clients: shares 0
    ("Z3:2023Q1", "intermediary_client_share", 0.0),
    ("Z3:2023Q1", "clients_from_failed_share", 0.0),
    ("Z7:2023Q3", "client_applications", 0),              # AV8 comes in Q3
]


@pytest.mark.parametrize(("case_id", "feature", "expected"), EXPECTED, ids=[f"{c}-{f}" for c, f, _ in EXPECTED])
def test_feature_value_on_hand_made_world(tiny, case_id, feature, expected):
    value = tiny.X.loc[case_id, feature]
    if isinstance(expected, float):
        assert value == pytest.approx(expected, rel=1e-12, abs=1e-12)
    else:
        assert value == expected


def test_labels_take_provider_investigations_started_in_the_quarter(tiny):
    labels = tiny.labels.set_index("case_id")
    assert labels.loc["Z1:2023Q1"].tolist() == [True, "random", 0.0]
    assert labels.loc["Z5:2023Q3"].tolist() == [True, "caseworker", 1.0]     # earliest route, any finding
    assert int(labels["investigated"].sum()) == 2         # no application investigation; Z9 has no row then
    assert labels.loc[~labels["investigated"], "observed"].isna().all()
    assert labels.loc[~labels["investigated"], "route"].isna().all()


def test_protected_groups_and_client_attributes(tiny):
    protected = tiny.protected.set_index("case_id")
    assert list(tiny.protected.columns) == ["case_id", *PROTECTED_COLUMNS]
    z5 = protected.loc["Z5:2023Q3"]
    assert z5[["size_band", "registration_age_band", "legal_form", "district", "n_clients"]].tolist() == [
        "2-4", "3y+", "stichting", "W01", 3]
    assert z5[["share_non_western", "share_female", "share_age_67plus"]].tolist() == pytest.approx([1 / 3, 2 / 3,
                                                                                                    2 / 3])
    assert protected.loc["Z3:2023Q2", ["size_band", "registration_age_band"]].tolist() == ["1", "<1y"]
    assert protected.loc["Z1:2023Q1", ["size_band", "n_clients"]].tolist() == ["20+", 2]
    assert protected.loc["Z4:2023Q1", "size_band"] == "2-4"
    # zero clients: n_clients 0 and the shares are undefined (NaN), not 0
    assert protected.loc["Z3:2023Q1", "n_clients"] == 0
    assert protected.loc["Z3:2023Q1", ["share_non_western", "share_female", "share_age_67plus"]].isna().all()


def test_protected_never_reaches_x(tiny):
    forbidden = set(PROTECTED) | {"size_band", "registration_age_band", "district", "n_clients", "share_non_western",
                                  "share_female", "share_age_67plus", "investigated", "route", "observed", "outcome"}
    assert not forbidden & set(tiny.X.columns)
    assert not [c for c in tiny.X.columns if c.endswith("_id")]


def test_zero_clients_and_no_declarations_give_finite_features(tiny):
    numeric = tiny.X.select_dtypes(include=[np.number]).drop(columns="absence_billing_share")
    assert np.isfinite(numeric.to_numpy(dtype=np.float64)).all()


def test_absence_billing_share_is_empty_exactly_without_a_client_month_to_check(tiny):
    """NaN means "nothing to check", not "0% over": no client-month with 7 or more days away in the window."""
    share, months = tiny.X["absence_billing_share"], tiny.X["absence_client_months"]
    assert (share.isna() == (months == 0)).all()
    assert share.isna().any() and share.notna().any()
    assert share.dropna().between(0, 1).all()
    for case in ("Z1:2022Q4", "Z5:2023Q1", "Z3:2023Q2", "Z7:2023Q3"):
        assert np.isnan(tiny.X.loc[case, "absence_billing_share"]), case


def test_absences_change_only_the_absence_features(tiny):
    """The existing features keep their values with or without absences; without the table (or with an empty one)
    there is nothing to check anywhere."""
    absence = ["absence_client_months", "absence_billing_share"]
    for tables in (tiny_tables(), tiny_tables()):
        tables["absences"] = tables["absences"].iloc[:0]
        without = build_provider_features(tables, ALL).X
        pd.testing.assert_frame_equal(without.drop(columns=absence), tiny.X.drop(columns=absence), check_exact=True)
        assert (without["absence_client_months"] == 0).all() and without["absence_billing_share"].isna().all()
    tables = tiny_tables()
    del tables["absences"]
    missing = build_provider_features(tables, ALL).X
    pd.testing.assert_frame_equal(missing, without, check_exact=True)


def test_absences_of_non_clients_and_stays_that_end_before_they_start_count_nothing(tiny):
    tables = tiny_tables()
    extra = pd.DataFrame({"absence_id": ["AB98", "AB99"], "person_id": ["P404", "P1"], "kind": ["abroad", "abroad"],
                          "start_date": dates(["2022-11-01", "2022-11-30"]),
                          "end_date": dates(["2022-11-30", "2022-11-01"])})
    tables["absences"] = pd.concat([tables["absences"], extra], ignore_index=True)
    pd.testing.assert_frame_equal(build_provider_features(tables, ALL).X, tiny.X, check_exact=True)


def test_no_declarations_at_all_give_the_neutral_billing_values():
    tables = tiny_tables()
    tables["declarations"] = tables["declarations"].iloc[:0]
    X = build_provider_features(tables, ALL).X
    assert not X["has_billing_history"].any()
    assert (X[["billing_ratio", "hours_per_client_month", "hours_vs_norm", "clients_per_address"]] == 0.0).all().all()
    assert (X["client_growth"] == 1.0).all()
    assert (X[["clients_billed_prev_quarter", "max_clients_one_address", "absence_client_months"]] == 0).all().all()
    assert X["absence_billing_share"].isna().all()


def test_no_applications_give_an_empty_typed_feature_set():
    tables = tiny_tables()
    for name in ("applications", "declarations"):
        tables[name] = tables[name].iloc[:0]
    features = build_provider_features(tables, ALL)
    assert features.X.shape == (0, len(FEATURES))
    assert len(features.meta) == len(features.labels) == len(features.protected) == 0


# -- parameters -----------------------------------------------------------------------------
PARAMS = [
    ({}, GROUPS, None),
    ({"groups": ["network", "billing"]}, ("billing", "network"), None),
    ({"groups": []}, None, "The 'groups' parameter of provider_features must be a non-empty list of distinct values "
                           "from contracting, billing, location, network. Got [] instead."),
    ({"groups": ["billing", "provider"]}, None,
     "The 'groups' parameter of provider_features must be a list of distinct values from contracting, billing, "
     "location, network. Got 'provider' instead."),
    ({"groups": ["billing"], "window": 4}, None,
     "The 'window' parameter of provider_features is unknown. Allowed keys: groups."),
]


@pytest.mark.parametrize(("values", "groups", "message"), PARAMS)
def test_parse_provider_feature_params(values, groups, message):
    if message is None:
        assert parse_provider_feature_params(values).groups == groups
        return
    with pytest.raises(ParamError) as info:
        parse_provider_feature_params(values)
    assert str(info.value) == message


@pytest.mark.parametrize("group", GROUPS)
def test_each_group_alone_gives_exactly_its_columns(tiny, group):
    features = build_provider_features(tiny_tables(), parse_provider_feature_params({"groups": [group]}))
    assert list(features.X.columns) == list(FEATURE_GROUPS[group])
    pd.testing.assert_frame_equal(features.X, tiny.X[list(FEATURE_GROUPS[group])])
    assert set(features.groups.values()) == {group}


# -- bad input ------------------------------------------------------------------------------
def set_value(table, column, row, value):
    def change(tables):
        tables[table].loc[row, column] = value
    return change


def drop_table(name):
    def change(tables):
        del tables[name]
    return change


def drop_column(table, column):
    def change(tables):
        tables[table] = tables[table].drop(columns=column)
    return change


def add_protected(tables):
    tables["applications"] = tables["applications"].assign(gender="x")


ERRORS = [
    ("provider-billed-but-unknown", set_value("declarations", "provider_id", 0, "Z99"),
     "Table 'declarations' column 'provider_id' has 1 value(s) not found in providers.provider_id, e.g. 'Z99'. "
     "Every reference must resolve; run the validate stage, which quarantines such rows."),
    ("declaration-without-provider", set_value("declarations", "provider_id", 0, None),
     "Table 'declarations' column 'provider_id' has 1 empty value(s). Every declaration must name its provider; "
     "run the validate stage, which quarantines such rows."),
    ("declaration-of-unknown-application", set_value("declarations", "application_id", 2, "AV99"),
     "Table 'declarations' column 'application_id' has 1 value(s) not found in applications.application_id, "
     "e.g. 'AV99'. Every reference must resolve; run the validate stage, which quarantines such rows."),
    ("application-of-unknown-provider", set_value("applications", "provider_id", 1, "Z98"),
     "Table 'applications' column 'provider_id' has 1 value(s) not found in providers.provider_id, e.g. 'Z98'. "
     "Every reference must resolve; run the validate stage, which quarantines such rows."),
    ("investigation-of-unknown-provider", set_value("investigations", "provider_id", 0, "Z97"),
     "Table 'investigations' column 'provider_id' has 1 value(s) not found in providers.provider_id, e.g. 'Z97'. "
     "Every reference must resolve; run the validate stage, which quarantines such rows."),
    ("unknown-location", set_value("providers", "location_address_id", 0, "A99"),
     "Table 'providers' column 'location_address_id' has 1 value(s) not found in addresses.address_id, e.g. 'A99'. "
     "Every reference must resolve; run the validate stage, which quarantines such rows."),
    ("duplicate-provider", set_value("providers", "provider_id", 1, "Z1"),
     "Table 'providers' has 1 duplicate value(s) in 'provider_id', e.g. 'Z1'. It must be unique."),
    ("empty-registration-date", set_value("providers", "kvk_registration_date", 2, pd.NaT),
     "Table 'providers' has 1 empty value(s) in 'kvk_registration_date', e.g. in row 2. Every row needs a date "
     "there."),
    ("empty-declaration-month", set_value("declarations", "month", 4, pd.NaT),
     "Table 'declarations' has 1 empty value(s) in 'month', e.g. in row 4. Every row needs a date there."),
    ("missing-table", drop_table("declarations"),
     "The provider-features stage needs table 'declarations' but it was not given. Given: absences, addresses, "
     "applications, investigations, protected_persons, providers."),
    ("absences-without-person", drop_column("absences", "person_id"),
     "Table 'absences' has no column 'person_id'. The provider-features stage needs: person_id, start_date, "
     "end_date."),
    ("empty-absence-end", set_value("absences", "end_date", 3, pd.NaT),
     "Table 'absences' has 1 empty value(s) in 'end_date', e.g. in row 3. Every row needs a date there."),
    ("protected-in-absences", lambda tables: tables.update(absences=tables["absences"].assign(age=40)),
     "Table 'absences' holds protected column 'age'. Protected columns may reach the provider-features stage "
     "only in table 'protected_persons' (the validate stage writes them to data/protected/)."),
    ("missing-column", drop_column("providers", "director_id"),
     "Table 'providers' has no column 'director_id'. The provider-features stage needs: provider_id, "
     "kvk_registration_date, end_date, end_reason, legal_form, n_staff, has_quality_certificate, vog_coverage, "
     "bank_guarantee, staff_trained_share, location_address_id, director_id."),
    ("protected-in-applications", add_protected,
     "Table 'applications' holds protected column 'gender'. Protected columns may reach the provider-features stage "
     "only in table 'protected_persons' (the validate stage writes them to data/protected/)."),
]


@pytest.mark.parametrize(("change", "message"), [row[1:] for row in ERRORS], ids=[row[0] for row in ERRORS])
def test_bad_input_stops_with_one_line(change, message):
    tables = tiny_tables()
    change(tables)
    with pytest.raises(FeatureError) as info:
        build_provider_features(tables, ALL)
    assert str(info.value) == message
    assert "\n" not in str(info.value)


def test_a_director_linked_only_to_itself_is_never_its_own_earlier_failure():
    """Z7's director id is its own provider id, and Z7 fails; on as_of = its end date it is still active."""
    tables = tiny_tables()
    providers = tables["providers"]
    providers.loc[providers["provider_id"] == "Z7", "end_date"] = pd.Timestamp("2023-07-01")
    X = build_provider_features(tables, ALL).X
    assert "Z7:2023Q3" in X.index                         # ended on as_of: not before the quarter starts
    assert not X.loc[X.index.str.startswith("Z7:"), "director_failed_before"].any()
    assert X.loc["Z7:2023Q3", "director_other_providers"] == 0


# -- a generated world ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def world_tables(small_world):
    tables = {name: small_world.raw[name].copy() for name in ("providers", "declarations", "applications",
                                                              "addresses", "investigations", "absences")}
    tables["protected_persons"] = small_world.raw["persons"][["person_id", *PROTECTED]].copy()
    return tables


@pytest.fixture(scope="module")
def world_features(world_tables):
    return build_provider_features(world_tables, ALL)


def quarter_starts(apps):
    first = apps["application_date"].min().to_period("Q").to_timestamp()
    last = apps["application_date"].max().to_period("Q").to_timestamp()
    return pd.date_range(first, last, freq="QS")


def test_world_rows_are_every_active_provider_in_every_quarter(world_tables, world_features):
    providers = world_tables["providers"]
    expected = []
    for start in quarter_starts(world_tables["applications"]):     # the slow, obvious way
        stop = start + pd.DateOffset(months=3)
        active = (providers["kvk_registration_date"] < stop) & ~(providers["end_date"] < start)
        expected += [f"{p}:{start.year}Q{start.quarter}" for p in sorted(providers.loc[active, "provider_id"])]
    assert world_features.X.index.tolist() == expected
    assert len(expected) > 200


def test_world_features_are_complete_typed_and_free_of_ids_labels_and_protected(world_features):
    X = world_features.X
    assert list(X.columns) == FEATURES
    assert not X.drop(columns="absence_billing_share").isna().any().any()
    assert (X["absence_billing_share"].isna() == (X["absence_client_months"] == 0)).all()
    assert X["absence_billing_share"].dropna().between(0, 1).all()
    assert (X["absence_client_months"] > 0).sum() > len(X) // 10
    assert not (set(PROTECTED) | set(PROTECTED_COLUMNS) - {"legal_form"}) & set(X.columns)
    for column in X.columns:
        dtype = X[column].dtype
        assert dtype in (np.float64, np.int64, np.bool_) or pd.api.types.is_string_dtype(dtype), column
    assert X["client_growth"].between(0, 5).all()
    assert X["intermediary_client_share"].between(0, 1).all()
    assert (X["billing_ratio"] > 0).sum() > len(X) // 2
    protected = world_features.protected
    groups = ["size_band", "registration_age_band", "legal_form", "district", "n_clients"]
    assert not protected[groups].isna().any().any()
    assert (protected["share_female"].isna() == (protected["n_clients"] == 0)).all()


def test_world_labels_match_the_provider_investigations(world_tables, world_features):
    inv = world_tables["investigations"]
    inv = inv[inv["subject_type"] == "provider"]
    start = inv["start_date"].dt
    keys = inv["provider_id"] + ":" + start.year.astype(str) + "Q" + start.quarter.astype(str)
    found = inv["outcome"].isin(["error", "fraud"]).astype(float)
    expected = found.groupby(keys.to_numpy()).max()
    labels = world_features.labels.set_index("case_id")
    assert len(expected) > 5
    assert sorted(labels.index[labels["investigated"]]) == sorted(expected.index)
    assert labels.loc[expected.index, "observed"].tolist() == expected.tolist()
    first = (inv.assign(key=keys.to_numpy()).sort_values(["start_date", "investigation_id"])
             .groupby("key")["route"].first())
    assert labels.loc[first.index, "route"].tolist() == first.tolist()
    assert (labels["investigated"] == labels["observed"].notna()).all()


def test_deterministic_and_independent_of_row_order(world_tables, world_features):
    again = build_provider_features(world_tables, ALL)
    rng = np.random.default_rng(5)
    shuffled = build_provider_features({name: frame.sample(frac=1.0, random_state=rng).reset_index(drop=True)
                                        for name, frame in world_tables.items()}, ALL)
    for other in (again, shuffled):
        pd.testing.assert_frame_equal(other.X, world_features.X, check_exact=True)
        pd.testing.assert_frame_equal(other.meta, world_features.meta, check_exact=True)
        pd.testing.assert_frame_equal(other.labels, world_features.labels, check_exact=True)
        pd.testing.assert_frame_equal(other.protected, world_features.protected, check_exact=True)


def test_inputs_are_not_changed(world_tables):
    before = {name: frame.copy() for name, frame in world_tables.items()}
    build_provider_features(world_tables, ALL)
    for name, frame in world_tables.items():
        pd.testing.assert_frame_equal(frame, before[name])


def test_investigation_outcomes_never_reach_x(world_tables, world_features):
    tables = dict(world_tables)
    inv = tables["investigations"].copy()
    rng = np.random.default_rng(11)
    for column in ("outcome", "route", "start_date"):
        inv[column] = rng.permutation(inv[column].to_numpy())
    tables["investigations"] = inv
    again = build_provider_features(tables, ALL)
    pd.testing.assert_frame_equal(again.X, world_features.X, check_exact=True)
    assert not again.labels.equals(world_features.labels)


# -- a slow, obvious reference -----------------------------------------------------------------
def reference_row(tables, provider_id, as_of):
    """Billing and network features of one provider-quarter, computed a row at a time."""
    apps, providers, decl = tables["applications"], tables["providers"], tables["declarations"]
    window = decl[(decl["month"] < as_of) & (decl["month"] >= as_of - pd.DateOffset(months=12))].merge(
        apps[["application_id", "authorised_hours_month", "person_id", "address_id", "scheme"]], on="application_id")
    norm = window.groupby("scheme")["hours_billed"].mean()
    mine = window[window["provider_id"] == provider_id]
    out = {"has_billing_history": len(mine) > 0}
    allowed = mine["authorised_hours_month"].fillna(0).sum()
    out["billing_ratio"] = mine["hours_billed"].sum() / allowed if allowed > 0 else 0.0
    out["hours_per_client_month"] = mine["hours_billed"].mean() if len(mine) else 0.0
    expected = mine["scheme"].map(norm).astype(float).sum()
    out["hours_vs_norm"] = mine["hours_billed"].sum() / expected if expected > 0 else 0.0
    recent = mine[mine["month"] >= as_of - pd.DateOffset(months=3)]["person_id"].nunique()
    earlier = mine[mine["month"] < as_of - pd.DateOffset(months=3)]
    earlier = earlier[earlier["month"] >= as_of - pd.DateOffset(months=6)]["person_id"].nunique()
    out["clients_billed_prev_quarter"] = recent
    out["client_growth"] = min(recent / earlier, 5.0) if earlier else (5.0 if recent else 1.0)
    n_addresses = mine["address_id"].nunique()
    out["clients_per_address"] = mine["person_id"].nunique() / n_addresses if n_addresses else 0.0
    out["max_clients_one_address"] = int(mine.groupby("address_id")["person_id"].nunique().max()) if len(mine) else 0
    out.update(reference_absences(tables["absences"], mine))
    me = providers.set_index("provider_id").loc[provider_id]
    failed = providers[providers["end_reason"].isin(["failed", "sanctioned"]) & (providers["end_date"] < as_of)
                       & (providers["provider_id"] != provider_id)]
    out["director_failed_before"] = bool((failed["director_id"] == me["director_id"]).any())
    out["address_failed_before"] = bool((failed["location_address_id"] == me["location_address_id"]).any())
    out["director_other_providers"] = int(((providers["director_id"] == me["director_id"])
                                           & (providers["provider_id"] != provider_id)
                                           & (providers["kvk_registration_date"] < as_of)).sum())
    clients = apps[(apps["provider_id"] == provider_id) & (apps["application_date"] < as_of)]
    out["client_applications"] = len(clients)
    out["intermediary_client_share"] = clients["intermediary_id"].notna().mean() if len(clients) else 0.0
    out["n_intermediaries"] = clients["intermediary_id"].nunique()
    return out


def reference_absences(absences, mine):
    """Client-months in ``mine`` with 7 or more distinct days away, and the share billed beyond the days present."""
    checked = over = 0
    for _, d in mine.iterrows():
        first, last = d["month"], d["month"] + pd.offsets.MonthEnd(0)
        days = set()
        for _, stay in absences[absences["person_id"] == d["person_id"]].iterrows():
            days |= set(pd.date_range(max(stay["start_date"], first), min(stay["end_date"], last)))
        if len(days) >= 7:
            checked += 1
            plausible = np.nan_to_num(d["authorised_hours_month"]) * (last.day - len(days)) / last.day
            over += d["hours_billed"] > 1.1 * plausible + 0.1
    return {"absence_client_months": checked, "absence_billing_share": over / checked if checked else np.nan}


def test_world_features_match_a_row_by_row_reference(world_tables, world_features):
    meta = world_features.meta
    rng = np.random.default_rng(3)
    checked = 0
    for row in rng.choice(len(meta), 60, replace=False):
        case = meta.iloc[row]
        for feature, expected in reference_row(world_tables, case["provider_id"], case["as_of"]).items():
            value = world_features.X.loc[case["case_id"], feature]
            assert value == pytest.approx(expected, rel=1e-9, nan_ok=True), (case["case_id"], feature)
        checked += world_features.X.loc[case["case_id"], "absence_client_months"] > 0
    assert checked >= 5


# -- no leakage: change everything dated on or after the cut; rows up to it stay put -------------
def move_future(tables, cut, rng):
    """Alter, re-point and add every record dated on or after ``cut``; shuffle every table."""
    t = {name: frame.copy() for name, frame in tables.items()}
    apps, providers, decl, inv = t["applications"], t["providers"], t["declarations"], t["investigations"]
    provider_ids = providers["provider_id"].to_numpy()
    address_ids = providers["location_address_id"].to_numpy()
    director_ids = providers["director_id"].to_numpy()

    def days(n, high):
        """Offsets from the cut, a third of them 0: records dated on the cut day are future too."""
        return pd.to_timedelta(np.where(rng.random(n) < 1 / 3, 0, rng.integers(1, high, n)), unit="D")

    future = (apps["application_date"] >= cut).to_numpy()
    n = int(future.sum())
    apps.loc[future, "provider_id"] = rng.choice(provider_ids[providers["kvk_registration_date"] < cut], n)
    apps.loc[future, "intermediary_id"] = rng.choice(["I0001", "I0002", "IX", None], n)
    apps.loc[future, "person_id"] = rng.choice(apps["person_id"].to_numpy(), n)
    apps.loc[future, "authorised_hours_month"] = rng.uniform(1, 40, n)
    last = apps["application_date"].max()      # the period (and so the set of quarters) stays the same
    moved_dates = cut + days(n, (last - cut).days + 1)
    apps.loc[future, "application_date"] = np.where(apps.loc[future, "application_date"] == last, last, moved_dates)

    late = (decl["month"] >= cut).to_numpy()
    m = int(late.sum())
    decl.loc[late, "provider_id"] = rng.choice(provider_ids, m)
    decl.loc[late, "application_id"] = rng.choice(apps["application_id"].to_numpy(), m)
    decl.loc[late, "hours_billed"] = rng.uniform(0, 200, m)
    extra = decl[late].assign(declaration_id=lambda f: "X" + f["declaration_id"], month=cut)
    decl = pd.concat([decl, extra], ignore_index=True)

    ends_later = (providers["end_date"].isna() | (providers["end_date"] >= cut)).to_numpy()
    k = int(ends_later.sum())
    providers.loc[ends_later, "end_date"] = cut + days(k, 400)
    providers.loc[ends_later, "end_reason"] = rng.choice(["failed", "sanctioned"], k)
    born_later = (providers["kvk_registration_date"] >= cut).to_numpy()
    j = int(born_later.sum())
    providers.loc[born_later, "director_id"] = rng.choice(director_ids, j)
    providers.loc[born_later, "location_address_id"] = rng.choice(address_ids, j)
    providers.loc[born_later, "kvk_registration_date"] = cut + days(j, 300)
    born = providers.sample(20, replace=True, random_state=rng).assign(
        provider_id=[f"ZNEW{i}" for i in range(20)], kvk_registration_date=cut + days(20, 30),
        end_reason=rng.choice(["failed", "sanctioned"], 20), director_id=rng.choice(director_ids, 20),
        location_address_id=rng.choice(address_ids, 20))
    providers = pd.concat([providers, born.assign(end_date=born["kvk_registration_date"] + days(20, 30))],
                          ignore_index=True)

    after = (inv["start_date"] >= cut).to_numpy()
    inv.loc[after, "outcome"] = rng.permutation(inv.loc[after, "outcome"].to_numpy())

    # absences: stays that start on or after the cut go to other clients at other dates; stays that run over
    # the cut end elsewhere after it; new stays start from the cut day on
    ab = t["absences"]
    clients = apps["person_id"].to_numpy()
    later = (ab["start_date"] >= cut).to_numpy()
    q = int(later.sum())
    start = cut + days(q, 200)
    ab.loc[later, "person_id"] = rng.choice(clients, q)
    ab.loc[later, "kind"] = rng.choice(["hospital", "abroad"], q)
    ab.loc[later, "start_date"] = start
    ab.loc[later, "end_date"] = start + days(q, 40)
    running = ((ab["start_date"] < cut) & (ab["end_date"] >= cut)).to_numpy()
    r = int(running.sum())
    ab.loc[running, "end_date"] = cut + days(r, 90)
    start = cut + days(40, 60)
    ab = pd.concat([ab, pd.DataFrame({"absence_id": [f"ABNEW{i}" for i in range(40)],
                                      "person_id": rng.choice(clients, 40), "kind": "abroad",
                                      "start_date": start, "end_date": start + days(40, 30)})], ignore_index=True)

    t.update(applications=apps, providers=providers, declarations=decl, investigations=inv, absences=ab)
    t = {name: frame.sample(frac=1.0, random_state=rng).reset_index(drop=True) for name, frame in t.items()}
    return t, {"applications": n, "declarations": m, "providers": k + j + len(born), "absences": q + 40,
               "absences running over the cut": r}


@pytest.mark.parametrize("quarter", [2, 5, 9])
def test_no_leakage_from_records_on_or_after_as_of(world_tables, world_features, quarter):
    cut = quarter_starts(world_tables["applications"])[quarter]
    moved_tables, moved = move_future(world_tables, cut, np.random.default_rng(quarter))
    assert min(moved.values()) > 0
    after = build_provider_features(moved_tables, ALL)
    meta = world_features.meta.set_index("case_id")
    registered = world_tables["providers"].set_index("provider_id")["kvk_registration_date"]
    # rows up to the cut; a provider that registers during the cut's quarter is defined by that quarter itself
    known = (meta["as_of"] <= cut) & (registered.loc[meta["provider_id"]].to_numpy() < cut)
    target = meta.index[known.to_numpy()]
    assert (meta.loc[target, "as_of"] == cut).sum() > 10
    pd.testing.assert_frame_equal(after.X.loc[target], world_features.X.loc[target], check_exact=True)
    protected = ["n_clients", "share_non_western", "share_female", "share_age_67plus"]
    pd.testing.assert_frame_equal(after.protected.set_index("case_id").loc[target, protected],
                                  world_features.protected.set_index("case_id").loc[target, protected],
                                  check_exact=True)
    # the move was big enough to change later rows
    later = world_features.X.index.difference(target).intersection(after.X.index)
    changed = (after.X.loc[later] != world_features.X.loc[later]).any()
    assert {"billing_ratio", "client_applications", "director_failed_before",
            "absence_client_months"} <= set(changed[changed].index)


# -- providers that end during the period (the doorstart of the synthetic world) ------------------------
@pytest.fixture(scope="module")
def doorstart_tables(make_params):
    from risico.synth import generate_world

    world = generate_world(make_params(n_persons=6000, **{"providers.persons_per_provider": 20,
                                                        "providers.doorstart_share": 0.5}))
    tables = {name: world.raw[name] for name in ("providers", "declarations", "applications", "addresses",
                                                 "investigations", "absences")}
    tables["protected_persons"] = world.raw["persons"][["person_id", *PROTECTED]]
    return tables


def test_no_feature_knows_of_an_end_before_its_end_date(doorstart_tables):
    """Rows of a quarter are the same whether or not the providers that end on or after its first day end."""
    providers = doorstart_tables["providers"]
    full = build_provider_features(doorstart_tables, ALL)
    starts = quarter_starts(doorstart_tables["applications"])
    ends = providers["end_date"]
    during = ends >= starts[0]
    assert during.sum() >= 5                                    # doorstarts: malafide providers end in the period
    checked = 0
    for as_of in starts[starts <= ends[during].max()]:          # a loop over quarters, not rows
        blank = (ends >= as_of).to_numpy()
        unended = providers.assign(end_date=ends.where(~blank), end_reason=providers["end_reason"].where(~blank))
        rows = full.meta.index[(full.meta["as_of"] == as_of).to_numpy()]
        without = build_provider_features({**doorstart_tables, "providers": unended}, ALL)
        case = full.meta["case_id"].iloc[rows]
        pd.testing.assert_frame_equal(without.X.loc[case], full.X.loc[case], check_exact=True)
        checked += 1
    assert checked >= 4


def test_a_successor_sees_its_predecessors_failure_only_after_the_end(doorstart_tables):
    providers = doorstart_tables["providers"]
    features = build_provider_features(doorstart_tables, ALL)
    meta, X = features.meta, features.X
    ended = providers[providers["end_date"] >= quarter_starts(doorstart_tables["applications"])[0]]
    same_place = providers.merge(ended, on=["director_id", "location_address_id"], suffixes=("", "_ended"))
    same_place = same_place[same_place["provider_id"] != same_place["provider_id_ended"]]
    assert len(same_place) >= 2
    for row in same_place.itertuples(index=False):
        mine = meta[meta["provider_id"] == row.provider_id]
        flag = X.loc[mine["case_id"], "address_failed_before"].to_numpy()
        earlier = providers[(providers["location_address_id"] == row.location_address_id)
                            & providers["end_reason"].isin(["failed", "sanctioned"])
                            & (providers["provider_id"] != row.provider_id)]["end_date"].min()
        assert (flag == (mine["as_of"] > earlier).to_numpy()).all(), row.provider_id
        # the ended provider has no row after the quarter in which it ended
        theirs = meta[meta["provider_id"] == row.provider_id_ended]
        assert (theirs["as_of"] <= row.end_date_ended).all()


# -- the stage -------------------------------------------------------------------------------------
@pytest.fixture
def stage_data(tmp_path, small_world, monkeypatch):
    """data/interim and data/protected as the validate stage writes them; the command registered."""
    monkeypatch.setitem(cli.COMMANDS, "provider-features", "risico.features.provider_stage")
    interim, protected = tmp_path / "data" / "interim", tmp_path / "data" / "protected"
    interim.mkdir(parents=True)
    protected.mkdir(parents=True)
    for name in CONTRACT:
        frame = small_world.raw[name]
        write_parquet(frame.drop(columns=list(PROTECTED)) if name == "persons" else frame, interim / f"{name}.parquet")
    write_parquet(small_world.raw["persons"][["person_id", *PROTECTED]], protected / "persons.parquet")
    return tmp_path


def run_stage(folder, section=None, out="processed_providers"):
    values = repo_params()
    values["provider_features"] = {"groups": list(GROUPS)} if section is None else section
    params = folder / "params.yaml"
    params.write_text(yaml.safe_dump(values, sort_keys=False), encoding="utf-8")
    return cli.main(["--quiet", "provider-features", "--params", str(params), "--interim",
                     str(folder / "data" / "interim"), "--protected", str(folder / "data" / "protected"),
                     "--out", str(folder / "data" / out)])


def digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_stage_writes_six_outputs_keyed_by_case_id(stage_data, world_features):
    assert run_stage(stage_data) == 0
    out = stage_data / "data" / "processed_providers"
    assert sorted(p.name for p in out.iterdir()) == sorted([*OUTPUT_FILES, MARKER])
    X = pd.read_parquet(out / "X.parquet")
    assert list(X.columns) == ["case_id", *FEATURES]
    pd.testing.assert_frame_equal(X.set_index("case_id"), world_features.X)
    assert list(pd.read_parquet(out / "meta.parquet").columns) == ["case_id", "provider_id", "as_of", "period",
                                                                   "group_id"]
    assert list(pd.read_parquet(out / "labels.parquet").columns) == ["case_id", "investigated", "route", "observed"]
    assert list(pd.read_parquet(out / "protected.parquet").columns) == ["case_id", *PROTECTED_COLUMNS]
    assert json.loads((out / "feature_groups.json").read_text(encoding="utf-8")) == world_features.groups
    assert json.loads((out / "target.json").read_text(encoding="utf-8")) == TARGET == {
        "target": "providers", "id": "case_id", "group": "case_id", "date": "as_of",
        "capacity_section": "provider_worklist",
        "truth": {"table": "providers_truth", "key": "provider_id", "label": "true_violation",
                  "probability": "true_probability"}}


def test_stage_output_is_byte_for_byte_reproducible(stage_data):
    assert run_stage(stage_data, out="a") == 0
    assert run_stage(stage_data, out="b") == 0
    assert digest(stage_data / "data" / "a") == digest(stage_data / "data" / "b")


def test_stage_bad_input_fails_with_one_line_and_writes_nothing(stage_data, capsys):
    (stage_data / "data" / "interim" / "declarations.parquet").unlink()
    assert run_stage(stage_data) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("risico provider-features: error: Input file ") and "declarations.parquet" in err
    assert "\n" not in err
    assert not (stage_data / "data" / "processed_providers").exists()


def test_stage_bad_params_fail_with_one_line(stage_data, capsys):
    assert run_stage(stage_data, section={"groups": ["billing", "district"]}) == 2
    assert capsys.readouterr().err.strip() == (
        "risico provider-features: error: The 'groups' parameter of provider_features must be a list of distinct "
        "values from contracting, billing, location, network. Got 'district' instead.")


def test_every_provider_feature_and_audit_column_is_documented():
    from tests.conftest import REPO

    text = (REPO / "docs" / "features.md").read_text(encoding="utf-8")
    section = text[text.index("## Care providers: one row per provider per quarter"):]
    for name in [*FEATURES, *PROTECTED_COLUMNS]:
        assert f"| `{name}`" in section, name
