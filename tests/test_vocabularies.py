"""The contract's vocabularies: parsed from params.yaml with exact errors, applied to the contract and its suites."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from risico.contract import CONTRACT, conformance_problems, contract_for
from risico.params import ParamError
from risico.validate.suites import STALE_VOCABULARY, StaleSuiteError, build_suite, check_vocabularies, row_failures
from risico.vocabularies import (CBS_DISTRICT_PATTERN, DEFAULT_VOCABULARIES, DISTRICTS, Vocabulary,
                                 parse_vocabularies)
from tests.conftest import repo_params
from tests.test_contract import good_addresses

DEFAULT = repo_params()["vocabularies"]
LIST = "a non-empty list of unique strings"
DISTRICTS_ALLOWED = f"{LIST}, 'cbs' (any CBS wijkcode WK + 6 digits) or 'cbs:<4-digit municipality code>'"
SCHEMES_ALLOWED = f"{LIST} '<law>_<form>' with law pw, wmo, jw (lower case letters, digits and '_')"
CBS = dataclasses.replace(DEFAULT_VOCABULARIES, districts=Vocabulary(pattern=CBS_DISTRICT_PATTERN))


def with_key(key: str, value: object) -> dict:
    return {**DEFAULT, key: value}


def test_the_repository_params_are_the_synthetic_worlds_codes():
    assert parse_vocabularies(DEFAULT) == DEFAULT_VOCABULARIES
    assert contract_for(DEFAULT_VOCABULARIES) == CONTRACT


@pytest.mark.parametrize(("values", "field", "expected"), [
    (with_key("districts", "cbs"), "districts", Vocabulary(pattern=r"^WK\d{6}$")),
    (with_key("districts", "cbs:0363"), "districts", Vocabulary(pattern=r"^WK0363\d{2}$")),
    (with_key("districts", ["WK036301", "WK036302"]), "districts", Vocabulary(("WK036301", "WK036302"))),
    (with_key("schemes", ["pw_bijstand", "wmo_hh_zin", "jw_pgb"]), "schemes",
     Vocabulary(("pw_bijstand", "wmo_hh_zin", "jw_pgb"))),
    (with_key("migration_groups", ["nederland", "europa", "non_western"]), "migration_groups",
     Vocabulary(("nederland", "europa", "non_western"))),
])
def test_a_municipality_sets_its_own_codes(values, field, expected):
    assert getattr(parse_vocabularies(values), field) == expected


@pytest.mark.parametrize(("values", "message"), [
    (with_key("districts", []),
     f"The 'districts' parameter of vocabularies must be {DISTRICTS_ALLOWED}. Got [] instead."),
    (with_key("districts", ["W01", "W01"]),
     f"The 'districts' parameter of vocabularies must be {DISTRICTS_ALLOWED}. Got ['W01', 'W01'] instead."),
    (with_key("districts", ["W01", 2]),
     f"The 'districts' parameter of vocabularies must be {DISTRICTS_ALLOWED}. Got ['W01', 2] instead."),
    (with_key("districts", ["W01", " "]),
     f"The 'districts' parameter of vocabularies must be {DISTRICTS_ALLOWED}. Got ['W01', ' '] instead."),
    (with_key("districts", "cbs:363"),
     f"The 'districts' parameter of vocabularies must be {DISTRICTS_ALLOWED}. Got 'cbs:363' instead."),
    (with_key("districts", "WK0363"),
     f"The 'districts' parameter of vocabularies must be {DISTRICTS_ALLOWED}. Got 'WK0363' instead."),
    (with_key("schemes", ["pw_bijstand", "zvw_zin"]),
     f"The 'schemes' parameter of vocabularies must be {SCHEMES_ALLOWED}. Got ['pw_bijstand', 'zvw_zin'] instead."),
    (with_key("schemes", "pw_bijstand"),
     f"The 'schemes' parameter of vocabularies must be {SCHEMES_ALLOWED}. Got 'pw_bijstand' instead."),
    (with_key("household_types", None),
     f"The 'household_types' parameter of vocabularies must be {LIST}. Got None instead."),
    (with_key("migration_groups", ["nederland", "europa", "buiten_europa"]),
     f"The 'migration_groups' parameter of vocabularies must be {LIST} that includes 'non_western'. "
     "Got ['nederland', 'europa', 'buiten_europa'] instead."),
    ({k: v for k, v in DEFAULT.items() if k != "schemes"},
     f"The 'schemes' parameter of vocabularies is missing. It must be {SCHEMES_ALLOWED}."),
    ({**DEFAULT, "genders": ["f", "m"]},
     "The 'genders' parameter of vocabularies is unknown. Allowed keys: districts, household_types, "
     "migration_groups, schemes."),
])
def test_a_malformed_vocabulary_stops_with_one_exact_line(values, message):
    with pytest.raises(ParamError) as info:
        parse_vocabularies(values)
    assert str(info.value) == message


def test_contract_for_changes_only_the_coded_columns():
    own = contract_for(CBS)
    for name, table in CONTRACT.items():
        for col, mine in zip(table.columns, own[name].columns, strict=True):
            if col.vocabulary == "districts":
                assert (mine.allowed, mine.pattern) == (None, CBS_DISTRICT_PATTERN)
                assert col.allowed == DISTRICTS
            else:
                assert mine == col


def districts(values: list[str | None]) -> pd.DataFrame:
    return pd.DataFrame({"district": pd.Series(values, dtype="str")})


def test_a_pattern_column_reports_the_codes_that_do_not_match():
    table = contract_for(CBS)["addresses"]
    cbs = good_addresses().assign(district=pd.Series(["WK036301", "WK036312"], dtype="str"))
    assert conformance_problems(cbs, table) == []
    assert conformance_problems(good_addresses(), table) == [
        r"addresses.district: values not matching ^WK\d{6}$: ['W01', 'W02']"]
    assert conformance_problems(cbs, CONTRACT["addresses"])[0].startswith("addresses.district: values outside")


def test_the_suite_of_a_pattern_uses_a_regex_rule_instead_of_a_value_set():
    suite = build_suite(contract_for(CBS)["households"])
    rules = {e["type"]: e for e in suite["expectations"] if e["kwargs"].get("column") == "district"}
    assert "expect_column_values_to_be_in_set" not in rules
    regex = rules["expect_column_values_to_match_regex"]
    assert regex["kwargs"] == {"column": "district", "regex": r"^WK\d{6}$"}
    assert regex["meta"] == {"level": "row", "rule": r"district matches ^WK\d{6}$"}


def test_the_regex_rule_quarantines_what_gx_rejects():
    from risico.validate.suites import run_suite

    suite = {"name": "households", "meta": {}, "expectations": [
        e for e in build_suite(contract_for(CBS)["households"])["expectations"]
        if e["type"] == "expect_column_values_to_match_regex"]}
    frame = districts(["WK036301", "W01", None, "WK0363011", "xWK036301", "WK099912"])
    today = dt.date(2025, 1, 1)
    result = run_suite(frame, suite, today=today)
    (outcome,) = result.results
    failures = row_failures(frame, suite, today=today)
    assert outcome.unexpected_count == 3 and sorted(outcome.unexpected_examples) == ["W01", "WK0363011", "xWK036301"]
    assert failures.notna().tolist() == [False, True, False, True, True, False]


def test_suites_written_for_other_vocabularies_are_stale():
    default_suites = {name: build_suite(t) for name, t in CONTRACT.items()}
    check_vocabularies(default_suites, CONTRACT)
    with pytest.raises(StaleSuiteError) as info:
        check_vocabularies(default_suites, contract_for(CBS), params="own.yaml")
    assert str(info.value) == STALE_VOCABULARY.format(
        table="households", column="district", params="own.yaml",
        found="'district in " + ", ".join(DISTRICTS) + "'", wanted=r"'district matches ^WK\d{6}$'")
    check_vocabularies({name: build_suite(t) for name, t in contract_for(CBS).items()}, contract_for(CBS))
