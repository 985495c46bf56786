"""The GX suites: built from the contract, committed as JSON, passing on a generated world, failing on broken frames."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from risico.contract import CONTRACT
from risico.validate.suites import (
    GX_TYPES,
    build_suite,
    load_suites,
    row_failure_masks,
    row_failures,
    run_suite,
    run_suites,
    write_suites,
)

REPO = Path(__file__).resolve().parents[2]
EXPECTATIONS = REPO / "expectations"
TODAY = dt.date.today()
DAY = pd.Timedelta(days=1)
SUITES = {name: build_suite(table) for name, table in CONTRACT.items()}


def rule(table: str, column: str | None, kind: str) -> str:
    """The rule text of the expectation of ``kind`` on ``column`` (fails if there is none)."""
    (found,) = [e["meta"]["rule"] for e in SUITES[table]["expectations"]
                if e["type"] == kind and e["kwargs"].get("column", e["kwargs"].get("column_A")) == column]
    return found


# ------------------------------------------------------------------------------------- the JSON files


def test_committed_suites_equal_the_contract():
    committed = sorted(p.stem for p in EXPECTATIONS.glob("*.json"))
    assert committed == sorted(CONTRACT)
    for name, table in CONTRACT.items():
        text = (EXPECTATIONS / f"{name}.json").read_text(encoding="utf-8")
        expected = json.dumps(build_suite(table), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        assert text == expected, f"expectations/{name}.json is stale: run python -m risico.validate.suites"


def test_write_and_load_round_trip_byte_for_byte(tmp_path):
    write_suites(tmp_path / "a")
    write_suites(tmp_path / "b")
    for name in CONTRACT:
        first = (tmp_path / "a" / f"{name}.json").read_bytes()
        assert first == (tmp_path / "b" / f"{name}.json").read_bytes()
        assert first.endswith(b"}\n")
    assert load_suites(tmp_path / "a") == SUITES


def test_suite_encodes_every_contract_rule():
    for name, table in CONTRACT.items():
        suite = SUITES[name]
        assert set(suite) == {"name", "meta", "expectations"}
        assert suite["name"] == name
        exps = suite["expectations"]
        levels = [e["meta"]["level"] for e in exps]
        assert levels == sorted(levels, key=lambda lvl: lvl != "table"), "table-level expectations come first"
        assert exps[0]["kwargs"]["column_list"] == list(table.names)
        row_count = {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1},
                     "meta": {"level": "table", "rule": "at least one row"}}
        assert (row_count in exps) is not table.may_be_empty, name
        rules = [e["meta"]["rule"] for e in exps]
        assert len(rules) == len(set(rules))
        by = {(e["type"], e["kwargs"].get("column")): e for e in exps}
        for col in table.columns:
            assert by[("expect_column_values_to_be_of_type", col.name)]["kwargs"]["type_"] == GX_TYPES[col.kind]
            assert (("expect_column_values_to_not_be_null", col.name) in by) is not col.nullable
            assert (("expect_column_values_to_be_unique", col.name) in by) is col.unique
            assert (("risico_no_future_dates", col.name) in by) is (col.kind == "datetime")
            if col.allowed is not None:
                assert by[("expect_column_values_to_be_in_set", col.name)]["kwargs"]["value_set"] == list(col.allowed)
            if col.minimum is not None:
                kw = by[("expect_column_values_to_be_between", col.name)]["kwargs"]
                assert (kw["min_value"], kw["max_value"]) == (col.minimum, col.maximum)
    pair = [e for e in SUITES["applications"]["expectations"]
            if e["type"] == "expect_column_pair_values_a_to_be_greater_than_b"]
    assert pair == [{"type": "expect_column_pair_values_a_to_be_greater_than_b",
                     "kwargs": {"column_A": "decision_date", "column_B": "application_date", "or_equal": True,
                                "ignore_row_if": "either_value_is_missing"},
                     "meta": {"level": "row", "rule": "decision_date on or after application_date"}}]
    assert [e for e in SUITES["absences"]["expectations"]
            if e["type"] == "expect_column_pair_values_a_to_be_greater_than_b"] == [
        {"type": "expect_column_pair_values_a_to_be_greater_than_b",
         "kwargs": {"column_A": "end_date", "column_B": "start_date", "or_equal": True,
                    "ignore_row_if": "either_value_is_missing"},
         "meta": {"level": "row", "rule": "end_date on or after start_date"}}]
    assert rule("applications", "amount_monthly", "expect_column_values_to_be_between") == \
        "amount_monthly between 0 and 100000"


def test_importing_suites_does_not_import_great_expectations():
    code = ("import sys, risico.validate.suites\n"
            "assert 'risico.validate.suites' in sys.modules\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'great_expectations'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ------------------------------------------------------------------------------------------ running GX


@pytest.fixture(scope="module")
def gx_cwd(tmp_path_factory, small_world):
    """Run the first validation in an empty working directory (to see that GX writes nothing)."""
    cwd = tmp_path_factory.mktemp("gx_cwd")
    old = Path.cwd()
    os.chdir(cwd)
    try:
        results = run_suites(small_world.raw, SUITES, today=TODAY)
    finally:
        os.chdir(old)
    return cwd, results


def test_small_world_passes_every_suite_and_gx_writes_nothing(gx_cwd, small_world):
    cwd, results = gx_cwd
    assert list(cwd.iterdir()) == []
    assert set(results) == set(CONTRACT)
    for name, result in results.items():
        assert result.table == name
        assert [o.rule for o in result.results] == [e["meta"]["rule"] for e in SUITES[name]["expectations"]]
        assert result.success, [o for o in result.results if not o.success]
        failures = row_failures(small_world.raw[name], SUITES[name], today=TODAY)
        assert failures.index.equals(small_world.raw[name].index)
        assert failures.dtype == "str" and failures.isna().all()


@dataclasses.dataclass(frozen=True)
class Case:
    id: str
    table: str
    change: Callable[[pd.DataFrame], pd.DataFrame]
    failed: dict[str, int]                 # rule -> unexpected count (0 for table-level rules)
    rows: tuple[int, ...] = ()             # positions row_failures must flag (row-level cases)


def _set(frame: pd.DataFrame, column: str, rows: list[int], values) -> pd.DataFrame:
    out = frame.copy()
    out.loc[out.index[rows], column] = values
    return out


def _decision_before_application(f: pd.DataFrame) -> pd.DataFrame:
    """Four decisions a day early; one missing (only the not-null rule counts it, as in GX)."""
    out = _set(f, "decision_date", [3, 4, 5, 6], f["application_date"].iloc[[3, 4, 5, 6]].to_numpy() - DAY)
    return _set(out, "decision_date", [20], pd.NaT)


def _future_starts(f: pd.DataFrame) -> pd.DataFrame:
    out = _set(f, "start_date", [0, 5], pd.Timestamp(TODAY) + DAY)
    return _set(out, "start_date", [7], pd.Timestamp(TODAY) + pd.Timedelta(hours=23))  # today itself is fine


def _nullable_reading_types(f: pd.DataFrame) -> pd.DataFrame:
    """The dtypes a CSV reader gives (Int64, boolean, string with pd.NA), with one empty 'awarded'."""
    out = f.copy()
    for col in CONTRACT["applications"].columns:
        target = {"int": "Int64", "bool": "boolean", "str": "string", "float": "Float64"}.get(col.kind)
        if target:
            out[col.name] = out[col.name].astype(target)
    out.loc[out.index[8], "awarded"] = pd.NA
    return out


def _null_n_children(f: pd.DataFrame) -> pd.DataFrame:
    out = f.assign(n_children=f["n_children"].astype("Int64"))
    out.loc[out.index[2], "n_children"] = pd.NA
    return out


SCHEME = rule("applications", "scheme", "expect_column_values_to_be_in_set")
AMOUNT = rule("applications", "amount_monthly", "expect_column_values_to_be_between")
DISTRICT_RULES = [e["meta"]["rule"] for e in SUITES["households"]["expectations"]
                  if e["kwargs"].get("column") == "district"]

CASES = [
    Case("value outside the allowed set", "applications", lambda f: _set(f, "scheme", [0, 1], ["wmo", ""]),
         {SCHEME: 2}, (0, 1)),
    Case("negative and too large amounts", "applications",
         lambda f: _set(f, "amount_monthly", [10, 11, 12, 13], [-1.0, -0.01, -5e6, 100_000.5]), {AMOUNT: 4},
         (10, 11, 12, 13)),
    Case("two rules broken on one row", "applications",
         lambda f: _set(_set(f, "scheme", [0], "wmo"), "amount_monthly", [0, 9], -1.0), {SCHEME: 1, AMOUNT: 2},
         (0, 9)),
    Case("duplicate id", "persons", lambda f: _set(f, "person_id", [1], f["person_id"].iloc[0]),
         {rule("persons", "person_id", "expect_column_values_to_be_unique"): 2}, (0, 1)),
    Case("null in a non-nullable text column", "persons", lambda f: _set(f, "role", [4], None),
         {rule("persons", "role", "expect_column_values_to_not_be_null"): 1}, (4,)),
    Case("null in a non-nullable Int64 column", "households", _null_n_children,
         {rule("households", "n_children", "expect_column_values_to_not_be_null"): 1}, (2,)),
    Case("nullable reading dtypes pass the type rules", "applications", _nullable_reading_types,
         {rule("applications", "awarded", "expect_column_values_to_not_be_null"): 1}, (8,)),
    Case("decision before the application", "applications", _decision_before_application,
         {"decision_date on or after application_date": 4,
          rule("applications", "decision_date", "expect_column_values_to_not_be_null"): 1}, (3, 4, 5, 6, 20)),
    Case("future date", "investigations", _future_starts,
         {rule("investigations", "start_date", "risico_no_future_dates"): 2}, (0, 5)),
    Case("empty nullable values are fine", "providers",
         lambda f: _set(f, "end_reason", [0, 1], None).assign(end_date=pd.NaT), {}),
    Case("wrong dtype", "persons", lambda f: f.assign(age=f["age"].astype("float64")),
         {rule("persons", "age", "expect_column_values_to_be_of_type"): 0}),
    Case("missing column", "households", lambda f: f.drop(columns="district"),
         {SUITES["households"]["expectations"][0]["meta"]["rule"]: 0, **dict.fromkeys(DISTRICT_RULES, 0)}),
    Case("columns out of order", "addresses", lambda f: f[[*f.columns[1:], f.columns[0]]],
         {SUITES["addresses"]["expectations"][0]["meta"]["rule"]: 0}),
    Case("no rows", "declarations", lambda f: f.iloc[:0], {"at least one row": 0}),
]


@pytest.fixture(scope="module")
def broken(gx_cwd, small_world):
    """Each case's frame and its GX result (the GX context is already warm)."""
    out = {}
    for case in CASES:
        frame = case.change(small_world.raw[case.table].copy())
        out[case.id] = frame, run_suite(frame, SUITES[case.table], today=TODAY)
    return out


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_broken_frame_fails_exactly_the_right_expectations(case, broken):
    _, result = broken[case.id]
    assert {o.rule: o.unexpected_count for o in result.failed()} == case.failed
    assert result.success is (not case.failed)


@pytest.mark.parametrize("case", [c for c in CASES if c.id not in ("missing column", "columns out of order")],
                         ids=lambda c: c.id)
def test_row_failures_agree_with_gx(case, broken):
    frame, result = broken[case.id]
    failures = row_failures(frame, SUITES[case.table], today=TODAY)
    assert failures.index.equals(frame.index)
    assert np.flatnonzero(failures.notna()).tolist() == list(case.rows)
    reasons = failures.dropna().str.split("; ").explode()
    row_outcomes = [o for o in result.results if o.level == "row"]
    assert row_outcomes
    for outcome in row_outcomes:
        assert int((reasons == outcome.rule).sum()) == outcome.unexpected_count, outcome.rule


def test_row_failures_joins_rules_in_suite_order(broken):
    frame, _ = broken["two rules broken on one row"]
    failures = row_failures(frame, SUITES["applications"], today=TODAY)
    assert failures.iloc[0] == f"{SCHEME}; {AMOUNT}"
    assert failures.iloc[9] == AMOUNT


def test_examples_come_from_the_offending_values(broken):
    def outcome(case_id, rule_text):
        return next(o for o in broken[case_id][1].results if o.rule == rule_text)

    assert sorted(outcome("value outside the allowed set", SCHEME).unexpected_examples) == ["", "wmo"]
    future = outcome("future date", rule("investigations", "start_date", "risico_no_future_dates"))
    assert future.unexpected_examples == (pd.Timestamp(TODAY) + DAY,) * 2
    assert future.column == "start_date" and future.level == "row"
    wrong = outcome("wrong dtype", rule("persons", "age", "expect_column_values_to_be_of_type"))
    assert wrong.unexpected_examples == ("float64",) and wrong.level == "table" and wrong.error is None
    missing = [o for o in broken["missing column"][1].failed() if o.column == "district"]
    assert missing and all(o.error for o in missing)


def test_row_failures_needs_the_columns(small_world):
    frame = small_world.raw["households"].drop(columns="district")
    with pytest.raises(ValueError, match="district"):
        row_failures(frame, SUITES["households"], today=TODAY)
    masks = row_failure_masks(small_world.raw["households"], SUITES["households"], today=TODAY)
    assert list(masks) == [e["meta"]["rule"] for e in SUITES["households"]["expectations"]
                           if e["meta"]["level"] == "row"]
