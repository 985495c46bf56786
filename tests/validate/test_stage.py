"""The validate stage end to end: quarantine with reasons, limits that stop, protected columns apart, CSV = Parquet."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
import yaml

from risico.cli import main
from risico.contract import CONTRACT
from risico.ingest.export import to_dutch_csv
from risico.io import MARKER, write_parquet
from risico.validate.core import (DANGLING_LIMIT, QUARANTINE_LIMIT, TABLE_FAILURE, ValidationError,
                                  parse_validate_params, validate_tables)
from risico.validate.suites import load_suites
from tests.conftest import REPO, repo_params, set_key

OUTPUTS = ("interim", "protected", "quarantine")


@pytest.fixture(scope="module")
def world(make_params):
    from risico.synth import generate_world
    return generate_world(make_params(n_persons=1500))


@pytest.fixture(scope="module")
def suites():
    return load_suites(REPO / "expectations")


def run_pipeline(tmp_path, tables, source="files", expectations=REPO / "expectations", **params):
    """Write ``tables`` as Dutch CSV extracts, then ingest and validate them from the command line."""
    values = set_key(repo_params(), "data.source", source)
    for key, value in params.items():
        values = set_key(values, key, value)
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(values), encoding="utf-8")
    extracts = tmp_path / "extracts"
    extracts.mkdir(exist_ok=True)
    for name, frame in tables.items():
        to_dutch_csv(frame, extracts / f"{name}.csv")
    return ingest_and_validate(tmp_path, extracts, expectations)


def ingest_and_validate(root, extracts, expectations=REPO / "expectations"):
    """The two stages on ``extracts`` with ``root/params.yaml``; outputs under ``root``."""
    p = str(root / "params.yaml")
    status = main(["--quiet", "ingest", "--params", p, "--synthetic", str(extracts), "--files", str(extracts),
                   "--out", str(root / "ingested")])
    assert status == 0
    return main(["--quiet", "validate", "--params", p, "--ingested", str(root / "ingested"),
                 "--expectations", str(expectations), "--reference", str(extracts),
                 "--interim", str(root / "interim"), "--protected", str(root / "protected"),
                 "--quarantine", str(root / "quarantine"), "--report", str(root / "report"),
                 "--metrics", str(root / "metrics.json")])


def test_clean_world_passes_with_zero_quarantine_and_protected_columns_apart(tmp_path, world):
    assert run_pipeline(tmp_path, world.raw) == 0
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["rows_quarantined"] == 0
    for name, table in CONTRACT.items():
        interim = pd.read_parquet(tmp_path / "interim" / f"{name}.parquet")
        assert len(interim) == len(world.raw[name])
        assert not {c.name for c in table.columns if c.protected} & set(interim.columns)
    protected = pd.read_parquet(tmp_path / "protected" / "persons.parquet")
    assert list(protected.columns) == ["person_id", "age", "gender", "migration_background", "nationality_group"]
    assert sorted(p.name for p in (tmp_path / "protected").iterdir()) == [MARKER, "persons.parquet"]
    page = (tmp_path / "report" / "index.html").read_text()
    assert "Geslaagd" in page and "applications" in page


def test_bad_rows_go_to_quarantine_with_their_reason_and_children_follow(tmp_path, world):
    raw = {name: frame.copy() for name, frame in world.raw.items()}
    apps = raw["applications"]
    apps.loc[3, "amount_monthly"] = -250.0                                       # negative amount
    apps.loc[7, "application_id"] = apps.loc[8, "application_id"]               # duplicate id (both rows go)
    apps.loc[11, "provider_id"] = "Z99999"                                       # dangling foreign key
    victim = apps.loc[3, "application_id"]
    children = {"declarations": int((raw["declarations"]["application_id"] == victim).sum()),
                "investigations": int((raw["investigations"]["application_id"] == victim).sum())}
    assert run_pipeline(tmp_path, raw) == 0
    quarantined = pd.read_parquet(tmp_path / "quarantine" / "applications.parquet")
    reasons = dict(zip(quarantined["application_id"], quarantined["reason"]))
    assert reasons[victim] == "amount_monthly between 0 and 100000"
    assert reasons[apps.loc[8, "application_id"]] == "application_id unique"
    assert reasons[apps.loc[11, "application_id"]] == "provider_id not found in accepted providers"
    assert len(quarantined) == 4
    metrics = json.loads((tmp_path / "metrics.json").read_text())["tables"]
    assert metrics["applications"] == {"rows": len(apps), "accepted": len(apps) - 4, "quarantined": 4}
    for child, count in children.items():
        q = pd.read_parquet(tmp_path / "quarantine" / f"{child}.parquet")
        assert (q["application_id"] == victim).sum() == count
        assert set(q.loc[q["application_id"] == victim, "reason"]) <= {
            "application_id not found in accepted applications"}
    interim = pd.read_parquet(tmp_path / "interim" / "applications.parquet")
    assert victim not in set(interim["application_id"])


def test_an_unparseable_date_in_one_row_is_quarantined_with_the_value(tmp_path, world):
    raw = {name: frame.copy() for name, frame in world.raw.items()}
    extracts = tmp_path / "extracts"
    extracts.mkdir()
    assert run_pipeline(tmp_path, raw) == 0                       # writes the CSV files; now break one date
    path = extracts / "applications.csv"
    text = path.read_text(encoding="utf-8-sig").splitlines()
    cells = text[2].split(";")
    cells[5] = "31-02-2023"
    text[2] = ";".join(cells)
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    assert ingest_and_validate(tmp_path, extracts) == 0
    q = pd.read_parquet(tmp_path / "quarantine" / "applications.parquet")
    assert q["reason"].tolist() == ["application_date: unparseable date '31-02-2023'; application_date not empty"]


def test_too_many_bad_rows_stop_with_a_one_line_error_and_no_data_written(tmp_path, capsys, world):
    raw = {name: frame.copy() for name, frame in world.raw.items()}
    apps = raw["applications"]
    bad = apps.index[: len(apps) // 10]
    apps.loc[bad, "cost_sharers"] = 500
    assert run_pipeline(tmp_path, raw) == 2
    err = capsys.readouterr().err
    expected = QUARANTINE_LIMIT.format(count=len(bad), total=len(apps), table="applications",
                                       share=len(bad) / len(apps), limit=0.05, reason="cost_sharers between 0 and 100")
    assert err == f"risico validate: error: {expected}\n"
    for output in OUTPUTS:
        assert not (tmp_path / output).exists()
    summary = json.loads((tmp_path / "report" / "summary.json").read_text())
    assert summary["passed"] is False and summary["error"] == expected


def test_many_dangling_references_stop_validation(tmp_path, capsys, world):
    raw = {name: frame.copy() for name, frame in world.raw.items()}
    decl = raw["declarations"]
    decl.loc[decl.index[:50], "provider_id"] = "Z00000"
    assert run_pipeline(tmp_path, raw, **{"validate.max_quarantine_share": 0.5}) == 2
    expected = DANGLING_LIMIT.format(count=50, total=len(decl), table="declarations", share=50 / len(decl),
                                     column="provider_id", parent="providers", limit=0.01)
    assert capsys.readouterr().err == f"risico validate: error: {expected}\n"


def test_a_table_level_failure_stops_validation(world, suites):
    frames = {name: frame.copy() for name, frame in world.raw.items()}
    frames["addresses"]["floor_area_m2"] = frames["addresses"]["floor_area_m2"].astype(str)
    params = parse_validate_params(repo_params()["validate"])
    with pytest.raises(ValidationError) as info:
        validate_tables(frames, suites, params, today=dt.date(2026, 1, 1))
    assert str(info.value) == TABLE_FAILURE.format(table="addresses", rule="floor_area_m2 is int",
                                                   detail=" (found: str)")


def test_csv_export_with_decimal_commas_gives_identical_validated_tables(tmp_path, world):
    (tmp_path / "csv").mkdir()
    assert run_pipeline(tmp_path / "csv", world.raw) == 0
    parquet = tmp_path / "parquet"
    (parquet / "extracts").mkdir(parents=True)
    for name, frame in world.raw.items():
        write_parquet(frame, parquet / "extracts" / f"{name}.parquet")
    (parquet / "params.yaml").write_text(yaml.safe_dump(set_key(repo_params(), "data.source", "synthetic")))
    assert ingest_and_validate(parquet, parquet / "extracts") == 0
    for folder in ("interim", "protected"):
        for path in sorted((parquet / folder).iterdir()):
            assert path.read_bytes() == (tmp_path / "csv" / folder / path.name).read_bytes(), path.name


def test_bad_absence_rows_are_quarantined_with_their_reason(tmp_path, world):
    raw = {name: frame.copy() for name, frame in world.raw.items()}
    absences = raw["absences"]
    assert len(absences) > 100
    absences.loc[2, "end_date"] = absences.loc[2, "start_date"] - pd.Timedelta(days=3)     # ends before it starts
    absences.loc[5, "person_id"] = "P9999999"                                               # unknown person
    absences.loc[9, "kind"] = "holiday"                                                     # unknown kind
    assert run_pipeline(tmp_path, raw) == 0
    quarantined = pd.read_parquet(tmp_path / "quarantine" / "absences.parquet")
    reasons = dict(zip(quarantined["absence_id"], quarantined["reason"]))
    assert reasons == {absences.loc[2, "absence_id"]: "end_date on or after start_date",
                       absences.loc[5, "absence_id"]: "person_id not found in accepted persons",
                       absences.loc[9, "absence_id"]: "kind in hospital, abroad"}
    assert all("\n" not in reason for reason in reasons.values())
    interim = pd.read_parquet(tmp_path / "interim" / "absences.parquet")
    assert len(interim) == len(absences) - 3
    assert (interim["end_date"] >= interim["start_date"]).all()


def test_an_empty_absences_table_passes_but_an_empty_persons_table_does_not(tmp_path, world, suites):
    raw = {name: frame.copy() for name, frame in world.raw.items()}
    raw["absences"] = raw["absences"].iloc[:0]
    assert run_pipeline(tmp_path, raw) == 0
    assert len(pd.read_parquet(tmp_path / "interim" / "absences.parquet")) == 0
    frames = {name: frame.copy() for name, frame in world.raw.items()}
    frames["persons"] = frames["persons"].iloc[:0]
    params = parse_validate_params(repo_params()["validate"])
    with pytest.raises(ValidationError) as info:
        validate_tables(frames, suites, params, today=dt.date(2026, 1, 1))
    assert str(info.value) == TABLE_FAILURE.format(table="persons", rule="at least one row", detail=" (found: 0)")
