"""The features stage from the command line: its outputs, bad parameters and inputs, nothing half-written."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest
import yaml

from risico import cli
from risico.contract import CONTRACT, protected_columns
from risico.features import FEATURE_GROUPS, GROUPS
from risico.io import MARKER, write_parquet
from tests.conftest import repo_params

PROTECTED = protected_columns()["persons"]
OUTPUTS = ("X.parquet", "meta.parquet", "labels.parquet", "protected.parquet", "feature_groups.json")


@pytest.fixture(autouse=True)
def registered(monkeypatch):
    """The stage as ``cli.COMMANDS`` will list it (harmless once it does)."""
    monkeypatch.setitem(cli.COMMANDS, "features", "risico.features.stage")


@pytest.fixture
def data(tmp_path, small_world):
    """data/interim and data/protected as the validate stage writes them."""
    interim, protected = tmp_path / "data" / "interim", tmp_path / "data" / "protected"
    interim.mkdir(parents=True)
    protected.mkdir(parents=True)
    for name in CONTRACT:
        frame = small_world.raw[name]
        write_parquet(frame.drop(columns=list(PROTECTED)) if name == "persons" else frame,
                      interim / f"{name}.parquet")
    write_parquet(small_world.raw["persons"][["person_id", *PROTECTED]], protected / "persons.parquet")
    return tmp_path


def write_params(folder, features):
    values = repo_params()
    if features is None:
        values.pop("features", None)
    else:
        values["features"] = features
    path = folder / "params.yaml"
    path.write_text(yaml.safe_dump(values, sort_keys=False), encoding="utf-8")
    return path


def run_features(folder, features=None, out="processed"):
    params = write_params(folder, {"groups": list(GROUPS)} if features is None else features)
    return cli.main(["--quiet", "features", "--params", str(params), "--interim", str(folder / "data" / "interim"),
                     "--protected", str(folder / "data" / "protected"), "--out", str(folder / "data" / out)])


def digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_stage_writes_five_outputs_with_protected_attributes_apart(data, small_world):
    assert run_features(data) == 0
    out = data / "data" / "processed"
    assert sorted(p.name for p in out.iterdir()) == sorted([*OUTPUTS, MARKER])
    X = pd.read_parquet(out / "X.parquet")
    features = [f for g in GROUPS for f in FEATURE_GROUPS[g]]
    assert list(X.columns) == ["application_id", *features]
    assert X["application_id"].tolist() == small_world.raw["applications"]["application_id"].tolist()
    assert not set(PROTECTED) & set(X.columns)
    protected = pd.read_parquet(out / "protected.parquet")
    assert list(protected.columns) == ["application_id", *PROTECTED]
    assert list(pd.read_parquet(out / "meta.parquet").columns) == [
        "application_id", "household_id", "person_id", "as_of", "application_date", "period"]
    assert list(pd.read_parquet(out / "labels.parquet").columns) == ["application_id", "investigated", "route",
                                                                      "observed"]
    groups = json.loads((out / "feature_groups.json").read_text(encoding="utf-8"))
    assert groups == {f: g for g in GROUPS for f in FEATURE_GROUPS[g]}


def test_same_inputs_give_byte_identical_outputs(data):
    assert run_features(data, out="first") == 0
    assert run_features(data, out="second") == 0
    assert digest(data / "data" / "first") == digest(data / "data" / "second")


def test_groups_parameter_limits_the_columns(data):
    assert run_features(data, {"groups": ["large_triangle"]}) == 0
    X = pd.read_parquet(data / "data" / "processed" / "X.parquet")
    assert list(X.columns) == ["application_id", *FEATURE_GROUPS["large_triangle"]]


BAD = [
    ("empty", {"groups": []},
     "The 'groups' parameter of features must be a non-empty list of distinct values from application, "
     "small_triangle, large_triangle, provider. Got [] instead."),
    ("unknown-group", {"groups": ["postcode"]},
     "The 'groups' parameter of features must be a list of distinct values from application, small_triangle, "
     "large_triangle, provider. Got 'postcode' instead."),
    ("unknown-key", {"groups": ["application"], "use_nationality": True},
     "The 'use_nationality' parameter of features is unknown. Allowed keys: groups."),
]


@pytest.mark.parametrize(("features", "message"), [row[1:] for row in BAD], ids=[row[0] for row in BAD])
def test_bad_parameter_stops_with_one_line_and_writes_nothing(data, capsys, features, message):
    assert run_features(data, features) == 2
    assert capsys.readouterr().err == f"risico features: error: {message}\n"
    assert not (data / "data" / "processed").exists()


def test_missing_section_stops(data, capsys):
    params = write_params(data, None)
    status = cli.main(["--quiet", "features", "--params", str(params), "--interim", str(data / "data" / "interim"),
                       "--protected", str(data / "data" / "protected"), "--out", str(data / "data" / "processed")])
    assert status == 2
    assert "has no 'features' section" in capsys.readouterr().err
    assert not (data / "data" / "processed").exists()


def test_missing_input_names_the_file_and_the_fix(data, capsys):
    missing = data / "data" / "protected" / "persons.parquet"
    missing.unlink()
    assert run_features(data) == 2
    assert capsys.readouterr().err == (
        f"risico features: error: Input file {missing.as_posix()} does not exist. The features stage reads the "
        "validate stage's output: run `dvc repro validate` or pass the right --protected folder.\n")
    assert not (data / "data" / "processed").exists()


def test_protected_column_in_interim_stops(data, small_world, capsys):
    write_parquet(small_world.raw["persons"], data / "data" / "interim" / "persons.parquet")
    assert run_features(data) == 2
    assert capsys.readouterr().err == (
        "risico features: error: Table 'persons' holds protected column 'age'. Protected columns may reach the "
        "features stage only in table 'protected_persons' (the validate stage writes them to data/protected/).\n")
    assert not (data / "data" / "processed").exists()


def test_failure_while_writing_leaves_previous_output_untouched(data, monkeypatch):
    assert run_features(data) == 0
    before = digest(data / "data" / "processed")
    calls = []

    def broken(frame, path):
        calls.append(path)
        if len(calls) == 3:
            raise OSError("disk full")
        frame.to_parquet(path)

    monkeypatch.setattr("risico.features.stage.write_parquet", broken)
    with pytest.raises(OSError):
        run_features(data, {"groups": ["application"]})
    assert digest(data / "data" / "processed") == before
    assert [p.name for p in (data / "data").iterdir() if p.name.startswith(".")] == []
