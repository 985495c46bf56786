"""The provider worklist (issue 7): its own gate, the quarter after the history, the network sheet."""

import datetime as dt
import json
import shutil

import openpyxl
import pandas as pd
import pytest
import yaml

from risico.cli import main
from risico.errors import RisicoError
from risico.governance.routes import read_routes
from risico.governance.worklist import NO_BATCH_FOR_PROVIDERS
from risico.network import provider_network


@pytest.fixture()
def project(pipeline_project, tmp_path, monkeypatch, committee_key):
    for part in ("provider_models", "models", "reports/audit", "data/interim", "expectations"):
        shutil.copytree(pipeline_project / part, tmp_path / part)
    shutil.copy(pipeline_project / "params.yaml", tmp_path / "params.yaml")
    audit = pipeline_project / "reports" / "provider_audit" / "audit.json"
    (tmp_path / "reports" / "provider_audit").mkdir(parents=True)
    if audit.is_file():
        shutil.copy(audit, tmp_path / "reports" / "provider_audit" / "audit.json")
    else:   # the gate binds the audit file by hash; its content is the committee's business
        (tmp_path / "reports" / "provider_audit" / "audit.json").write_text('{"verdict": "test", "dilemmas": []}')
    monkeypatch.chdir(tmp_path)
    return tmp_path


def approve_providers(*extra):
    return main(["approve", "--target", "providers", "--decision", "approve", "--committee", "Ethische commissie",
                 "--date", "2026-11-29", "--conditions", "Met aselecte steekproef.", "--yes", *extra])


def test_provider_worklist_lists_the_quarter_after_the_history_with_a_network_sheet(project):
    assert approve_providers() == 0
    record = json.loads(next((project / "governance" / "decisions" / "providers").glob("*.json")).read_text())
    assert record["target"] == "providers"
    assert main(["worklist", "--target", "providers", "--out", "out"]) == 0
    params = yaml.safe_load(open("params.yaml"))["provider_worklist"]
    table = pd.read_csv(project / "out" / "worklist.csv", sep=";", comment="#", dtype=str, encoding="utf-8-sig",
                        keep_default_na=False)
    assert len(table) == params["capacity"] and table.columns[0] == "Zorgaanbieder"
    assert table["Zorgaanbieder"].str.match(r"^Z\d+$").all() and (table["Reden 1"] != "").all()
    text = (project / "out" / "worklist.csv").read_text("utf-8-sig")
    assert "# Werklijst zorgaanbieders (contractering en toezicht), 2025-Q1" in text
    book = openpyxl.load_workbook(project / "out" / "worklist.xlsx")
    assert book.sheetnames == ["Werklijst", "Netwerk"]
    network = book["Netwerk"]
    assert [c.value for c in network[1]][:3] == ["Zorgaanbieder op de lijst", "Verband", "Verbonden met"]
    listed = {row[0].value for row in network.iter_rows(min_row=2)}
    assert listed <= set(table["Zorgaanbieder"])
    routes = read_routes(project / "governance" / "routes")
    assert (routes["route"] == "random").sum() == round(params["capacity"] * params["random_share"])
    line = json.loads((project / "governance" / "usage-log.jsonl").read_text())
    assert line["target"] == "providers" and line["as_of"] == "2025-01-01"


def test_another_provider_random_share_needs_a_new_decision(project, capsys):
    approve_providers()
    decision = json.loads(next((project / "governance" / "decisions" / "providers").glob("*.json")).read_text())
    params = yaml.safe_load(open("params.yaml"))
    bound = params["provider_worklist"]["random_share"]
    assert decision["operating"] == {"capacity": params["provider_worklist"]["capacity"], "random_share": bound}
    params["provider_worklist"]["random_share"] = 0.5
    yaml.safe_dump(params, open("params.yaml", "w"), sort_keys=False)
    assert main(["worklist", "--target", "providers", "--out", "out"]) == 2
    assert capsys.readouterr().err == (
        f"risico worklist: error: The 'random_share' parameter of provider_worklist is 0.5, but decision "
        f"{decision['record_id']} approved the audit measured at {bound}. Set it back to {bound}, or re-run the "
        "audit at 0.5 (dvc repro) and record a new decision (python -m risico approve ...).\n")
    assert not (project / "out").exists()


def test_an_applications_decision_does_not_open_the_provider_gate(project, capsys):
    assert main(["approve", "--decision", "approve", "--committee", "Ethische commissie", "--date", "2026-11-29",
                 "--conditions", "Alleen aanvragen.", "--yes"]) == 0
    assert main(["worklist", "--target", "providers", "--out", "out"]) == 2
    assert "No committee decision in governance/decisions/providers/" in capsys.readouterr().err
    assert not (project / "out").exists()


def test_the_provider_worklist_takes_no_batch(project, capsys):
    approve_providers()
    assert main(["worklist", "--target", "providers", "--batch", "x.parquet", "--out", "out"]) == 2
    assert capsys.readouterr().err == f"risico worklist: error: {NO_BATCH_FOR_PROVIDERS}\n"


# -- the network view on a hand-made world ------------------------------------------------------------------------

def tables():
    providers = pd.DataFrame({
        "provider_id": ["Z1", "Z2", "Z3", "Z4", "Z5"],
        "director_id": ["D1", "D1", "D2", "D1", "D3"],
        "location_address_id": ["A1", "A2", "A1", "A3", "A4"],
        "kvk_registration_date": pd.to_datetime(["2021-01-01", "2015-01-01", "2016-01-01", "2024-06-01",
                                                 "2010-01-01"]),
        "end_date": pd.to_datetime([None, "2019-06-01", "2024-03-01", None, None]),
        "end_reason": [None, "sanctioned", "failed", None, None]})
    applications = pd.DataFrame({
        "application_id": ["a1", "a2", "a3", "a4", "b1", "b2", "b3"],
        "person_id": ["p1", "p2", "p3", "p4", "p1", "p2", "p3"],
        "provider_id": ["Z1", "Z1", "Z1", "Z1", "Z5", "Z5", "Z5"],
        "intermediary_id": ["I1", "I1", None, "I2", None, None, None],
        "application_date": pd.to_datetime(["2022-05-01"] * 4 + ["2021-01-01"] * 3)})
    declarations = pd.DataFrame({
        "provider_id": ["Z5", "Z5", "Z5", "Z1", "Z1", "Z1"],
        "application_id": ["b1", "b2", "b3", "a1", "a2", "a3"],
        "month": pd.to_datetime(["2021-03-01"] * 3 + ["2022-06-01"] * 3)})
    return {"providers": providers, "applications": applications, "declarations": declarations}


def test_network_shows_the_career_path_as_known_on_the_date():
    net = provider_network("Z1", tables(), dt.date(2024, 1, 1))
    assert net[["relation", "provider_id", "end_reason"]].fillna("").values.tolist() == [
        ["same_director", "Z2", "sanctioned"],
        ["same_address", "Z3", ""],            # it failed in March 2024: not known on 2024-01-01
        ["intermediary", "I1", ""],
        ["intermediary", "I2", ""],
        ["moved_together", "Z5", ""]]
    assert net.loc[net["provider_id"] == "I1", "shared"].item() == 2
    assert net.loc[net["relation"] == "moved_together", "shared"].item() == 3
    later = provider_network("Z1", tables(), dt.date(2025, 1, 1))
    assert later.loc[later["provider_id"] == "Z3", "end_reason"].item() == "failed"
    assert "Z4" in later["provider_id"].tolist()          # registered mid-2024 under the same director


def test_network_with_only_intermediaries():
    t = tables()
    t["providers"] = t["providers"].assign(director_id=["D1", "D2", "D3", "D4", "D5"],
                                           location_address_id=["A1", "A2", "A3", "A4", "A5"])
    t["declarations"] = t["declarations"].iloc[:0]
    net = provider_network("Z1", t, dt.date(2024, 1, 1))
    assert net["relation"].tolist() == ["intermediary", "intermediary"] and net["registered"].isna().all()


def test_network_of_an_unknown_provider_is_a_clear_error():
    with pytest.raises(RisicoError, match="Provider 'Z9' is not in table 'providers'"):
        provider_network("Z9", tables(), dt.date(2024, 1, 1))


def test_the_provider_audit_report_shows_the_career_path_of_selected_providers(pipeline_project):
    report = (pipeline_project / "reports" / "provider_audit" / "report.html").read_text(encoding="utf-8")
    assert "<h3>Netwerk van geselecteerde zorgaanbieders</h3>" in report
    figures = sorted((pipeline_project / "reports" / "provider_audit").glob("network_Z*.png"))
    if figures:
        assert all(f"src='{f.name}'" in report for f in figures)
        assert "zelfde bestuurder" in report or "zelfde adres" in report
    else:
        assert "Geen van de geselecteerde aanbieders heeft zo'n verband." in report


def test_provider_worklist_scores_with_the_absences_the_model_was_trained_on(project, caplog):
    """The history's absences reach the features: without them the two absence features would be 0 and empty."""
    assert approve_providers() == 0
    with caplog.at_level("WARNING", logger="risico.features.providers"):
        assert main(["worklist", "--target", "providers", "--out", "out"]) == 0
    assert "no table 'absences'" not in caplog.text
    assert len(pd.read_parquet(project / "data" / "interim" / "absences.parquet")) > 0
