"""The validate stage's pure core on frames in memory: protected columns apart, a stop as data, inputs untouched."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from risico.contract import CONTRACT
from risico.validate.core import QUARANTINE_LIMIT, ValidationError, parse_validate_params
from risico.validate.pipeline import ValidateInputs, ValidateSettings, validate_pipeline
from risico.validate.suites import StaleSuiteError, load_suites
from risico.vocabularies import parse_vocabularies
from risico.contract import contract_for
from tests.conftest import REPO, repo_params

TODAY = dt.date(2026, 1, 1)


@pytest.fixture(scope="module")
def world(make_params):
    from risico.synth import generate_world
    return generate_world(make_params(n_persons=1500))


@pytest.fixture(scope="module")
def settings():
    values = repo_params()
    return ValidateSettings(parse_validate_params(values["validate"]),
                            contract_for(parse_vocabularies(values["vocabularies"])), "nl")


def inputs(frames, reference=None) -> ValidateInputs:
    return ValidateInputs(frames=frames, manifest={}, suites=load_suites(REPO / "expectations"),
                          reference=reference or {}, reference_name="reference", today=TODAY)


def test_accepted_tables_lose_their_protected_columns_which_travel_apart(world, settings):
    frames = {name: world.raw[name].copy() for name in CONTRACT}
    result = validate_pipeline(inputs(frames, reference=world.raw), settings)
    assert result.error is None and result.summary["passed"] is True
    for name, table in CONTRACT.items():
        hidden = [c.name for c in table.columns if c.protected]
        assert not set(hidden) & set(result.interim[name].columns)
        assert len(result.interim[name]) == len(world.raw[name])
        assert (name in result.protected) == bool(hidden)
        pd.testing.assert_frame_equal(frames[name], world.raw[name])      # inputs untouched
    assert list(result.protected["persons"].columns) == ["person_id", "age", "gender", "migration_background",
                                                         "nationality_group"]
    assert result.metrics["rows_quarantined"] == 0 and result.metrics["max_psi"] == 0.0


def test_a_stopped_validation_comes_back_as_its_error_and_report_without_data(world, settings):
    frames = {name: world.raw[name].copy() for name in CONTRACT}
    apps = frames["applications"]
    bad = apps.index[: len(apps) // 10]
    apps.loc[bad, "cost_sharers"] = 500
    result = validate_pipeline(inputs(frames), settings)
    expected = QUARANTINE_LIMIT.format(count=len(bad), total=len(apps), table="applications",
                                       share=len(bad) / len(apps), limit=0.05, reason="cost_sharers between 0 and 100")
    assert isinstance(result.error, ValidationError) and str(result.error) == expected
    assert result.summary == {"passed": False, "error": expected, "tables": {}, "rows_quarantined": 0,
                              "failed_rules": [], "drift_warnings": []}
    assert (result.interim, result.protected, result.quarantine, result.metrics) == ({}, {}, {}, None)
    assert "cost_sharers between 0 and 100" in result.page


def test_suites_for_other_vocabularies_stop_before_validation(world):
    values = repo_params()
    values["vocabularies"]["districts"] = ["A1", "A2"]
    other = ValidateSettings(parse_validate_params(values["validate"]),
                             contract_for(parse_vocabularies(values["vocabularies"])), "nl",
                             params_file="mine.yaml")
    with pytest.raises(StaleSuiteError, match="mine.yaml"):
        validate_pipeline(inputs(dict(world.raw)), other)
