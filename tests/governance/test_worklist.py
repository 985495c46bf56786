"""The worklist command on a real pipeline run: the gate, the random share, the sealed route, the files, the log."""

import json
import shutil

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml

from risico.cli import main
from risico.io import MARKER
from risico.governance.routes import read_routes
from risico.governance.usage_log import verify_log
from risico.governance.worklist import BATCH_LIMIT, CAPACITY_TOO_LARGE, OUT_NOT_EMPTY, parse_worklist_params

BATCH = "data/batch/applications.parquet"


@pytest.fixture()
def project(pipeline_project, tmp_path, monkeypatch, committee_key):
    """A copy of the pipeline's outputs the worklist reads; the test runs inside it."""
    for part in ("models", "reports/audit", "data/interim", "data/batch", "expectations"):
        shutil.copytree(pipeline_project / part, tmp_path / part)
    shutil.copy(pipeline_project / "params.yaml", tmp_path / "params.yaml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RISICO_USER", "toezichthouder.test")
    return tmp_path


def approve(*extra):
    return main(["approve", "--decision", "approve", "--committee", "Ethische commissie Testgemeente",
                 "--date", "2026-11-29", "--conditions", "Alleen met 10% aselecte steekproef.", "--yes", *extra])


def worklist(out="out", *extra):
    return main(["worklist", "--batch", BATCH, "--out", out, *extra])


def set_param(dotted, value):
    params = yaml.safe_load(open("params.yaml", encoding="utf-8"))
    section, key = dotted.split(".")
    params[section][key] = value
    with open("params.yaml", "w", encoding="utf-8") as handle:
        yaml.safe_dump(params, handle, sort_keys=False)


def table_of(path):
    """The table of worklist.csv (below its '#' header lines)."""
    return pd.read_csv(path, sep=";", comment="#", dtype=str, keep_default_na=False, encoding="utf-8-sig")


def nothing_written(project):
    return not (project / "out").exists() and not (project / "governance" / "usage-log.jsonl").exists() \
        and not (project / "governance" / "routes").exists()


# -- a worklist behind an approving decision -----------------------------------------------------------------------

def test_worklist_selects_by_risk_mixes_in_a_random_share_and_logs_the_run(project, capsys):
    assert approve() == 0
    assert worklist() == 0
    capacity = yaml.safe_load(open("params.yaml"))["worklist"]["capacity"]
    wl = parse_worklist_params(yaml.safe_load(open("params.yaml"))["worklist"])
    table = table_of(project / "out" / "worklist.csv")
    assert len(table) == capacity and table["Rang"].tolist() == [str(i) for i in range(1, capacity + 1)]
    routes = read_routes(project / "governance" / "routes")
    assert sorted(routes["case_id"]) == sorted(table["Zaaknummer"])
    random = routes[routes["route"] == "random"]
    risk = routes[routes["route"] == "risk"]
    assert len(random) == wl.n_random == round(capacity * wl.random_share) and len(risk) == capacity - wl.n_random
    # the random cases come from outside the top: every risk case scores at least as high as every random one
    assert risk["score"].min() >= random["score"].max()
    # every line has reasons, a band and what to check first
    assert (table["Reden 1"] != "").all() and (table["Eerst controleren"] != "").all()
    assert set(table["Risicoband"]) <= {"laag", "verhoogd", "hoog", "zeer hoog"}
    line = json.loads((project / "governance" / "usage-log.jsonl").read_text().splitlines()[-1])
    assert line["n_selected"] == {"risk": capacity - wl.n_random, "random": wl.n_random}
    assert line["user"] == "toezichthouder.test" and line["decision_id"].startswith("D-20261129-")
    receipt = json.loads((project / "out" / "receipt.json").read_text())
    report = verify_log(project / "governance" / "usage-log.jsonl", expected_head=receipt["log_line_hash"])
    assert report.problems == [] and report.n_lines == 1
    assert f"{capacity - wl.n_random} by risk + {wl.n_random} at random" in capsys.readouterr().out


def test_the_inspectors_files_never_show_the_route(project):
    approve()
    worklist()
    routes = read_routes(project / "governance" / "routes")
    table = table_of(project / "out" / "worklist.csv")
    assert list(table.columns) == ["Zaaknummer", "Rang", "Risicoband", "Reden 1", "Reden 2", "Reden 3",
                                   "Eerst controleren", "Uitkomst", "Toelichting"]
    book = openpyxl.load_workbook(project / "out" / "worklist.xlsx")
    cells = {str(c.value).lower() for row in book.active.iter_rows() for c in row if c.value is not None}
    for word in ("route", "random", "risk", "aselect", "steekproef:"):
        assert not any(word == c for c in cells)
    assert not any(f"{s:.6f}" in " ".join(cells) for s in routes["score"])   # no raw probability either
    assert not (project / "out" / "routes.json").exists() and len(list((project / "out").iterdir())) == 4
    assert (project / "out" / MARKER).is_file()


def test_the_excel_file_opens_with_a_frozen_header_filters_and_the_disclaimer(project):
    approve()
    worklist()
    sheet = openpyxl.load_workbook(project / "out" / "worklist.xlsx").active
    header_row = next(r for r in range(1, 20) if sheet.cell(r, 1).value == "Zaaknummer")
    assert sheet.freeze_panes == f"A{header_row + 1}"
    assert sheet.auto_filter.ref.startswith(f"A{header_row}:I")
    top = " ".join(str(sheet.cell(r, 1).value) for r in range(1, header_row))
    assert "nooit een bewijs" in top and "blijft bij u als toezichthouder" in top
    assert "DEMO" not in top


def test_the_same_batch_gives_byte_identical_files(project):
    approve()
    worklist("a")
    worklist("b")
    for name in ("worklist.csv", "worklist.xlsx"):
        assert (project / "a" / name).read_bytes() == (project / "b" / name).read_bytes(), name
    assert verify_log(project / "governance" / "usage-log.jsonl").n_lines == 2


def test_english_worklist(project):
    set_param("report.language", "en")
    approve()
    worklist()
    table = table_of(project / "out" / "worklist.csv")
    assert table.columns[0] == "Case id" and "never proof" in (project / "out" / "worklist.csv").read_text("utf-8-sig")


# -- refusals: no score without a decision ---------------------------------------------------------------------------

def test_refused_without_a_decision(project, capsys):
    assert worklist() == 2
    assert "No committee decision in governance/decisions/" in capsys.readouterr().err
    assert nothing_written(project)


def test_refused_after_a_rejection(project, capsys):
    main(["approve", "--decision", "reject", "--committee", "Ethische commissie", "--date", "2026-11-29",
          "--conditions", "Te veel open dilemma's.", "--yes"])
    assert worklist() == 2
    assert "rejects this model" in capsys.readouterr().err and nothing_written(project)


@pytest.mark.parametrize("change, named", [
    (lambda root: set_param("train.seed", 8), "params"),
    (lambda root: (root / "models" / "ebm.pkl").write_bytes(b"another model"), "model"),
    (lambda root: (root / "reports" / "audit" / "audit.json").write_text("{}"), "audit"),
    (lambda root: (root / "data" / "interim" / "extra.parquet").write_bytes(b"x"), "training_data"),
])
def test_refused_when_a_bound_artifact_changed(project, capsys, change, named):
    approve()
    change(project)
    assert worklist() == 2
    err = capsys.readouterr().err
    assert f"approved other versions of: {named}." in err and nothing_written(project)


def test_seed_and_bands_need_no_new_decision(project):
    approve()
    set_param("worklist.seed", 99)
    set_param("worklist.band_edges", [0.1, 0.2, 0.4])
    assert worklist() == 0 and len(table_of(project / "out" / "worklist.csv")) == 40


@pytest.mark.parametrize(("key", "value", "bound"), [("capacity", 10, 40), ("random_share", 0.25, 0.1)])
def test_a_capacity_or_random_share_the_audit_did_not_measure_is_refused(project, capsys, key, value, bound):
    approve()
    decision = json.loads(next((project / "governance" / "decisions").glob("*.json")).read_text())
    assert decision["operating"] == {"capacity": 40, "random_share": 0.1}
    set_param(f"worklist.{key}", value)
    assert worklist() == 2
    assert capsys.readouterr().err == (
        f"risico worklist: error: The '{key}' parameter of worklist is {value}, but decision {decision['record_id']} "
        f"approved the audit measured at {bound}. Set it back to {bound}, or re-run the audit at {value} (dvc repro) "
        "and record a new decision (python -m risico approve ...).\n")
    assert nothing_written(project)


def test_refused_when_the_decision_expired(project, capsys):
    main(["approve", "--decision", "approve", "--committee", "Ethische commissie", "--date", "2024-01-01",
          "--valid-until", "2024-12-31", "--conditions", "Een jaar.", "--yes"])
    assert worklist() == 2
    assert "expired on 2024-12-31" in capsys.readouterr().err and nothing_written(project)


def test_refused_when_the_decision_file_was_edited(project, capsys):
    approve()
    record = next((project / "governance" / "decisions").glob("*.json"))
    record.write_text(record.read_text().replace("Alleen met 10%", "Alleen met 1%"))
    assert worklist() == 2
    assert "was edited after it was written" in capsys.readouterr().err and nothing_written(project)


# -- the demo -----------------------------------------------------------------------------------------------------

def test_demo_approval_watermarks_every_output(project):
    assert main(["approve", "--demo"]) == 0
    assert worklist() == 0
    csv_text = (project / "out" / "worklist.csv").read_text("utf-8-sig")
    assert csv_text.startswith("# DEMO OP SYNTHETISCHE GEGEVENS")
    sheet = openpyxl.load_workbook(project / "out" / "worklist.xlsx").active
    assert sheet.cell(1, 1).value.startswith("DEMO OP SYNTHETISCHE GEGEVENS")
    assert json.loads((project / "out" / "receipt.json").read_text())["demo"] is True
    line = json.loads((project / "governance" / "usage-log.jsonl").read_text())
    assert line["demo"] is True


def test_demo_approval_is_refused_for_real_data(project, capsys):
    set_param("data.source", "files")
    assert main(["approve", "--demo"]) == 2
    assert "approve --demo is only for the synthetic demo world" in capsys.readouterr().err
    assert not (project / "governance" / "decisions").exists() and not (project / ".risico").exists()
    assert [p.name for p in (project / "governance" / "keys").iterdir()] == ["commissie.test.pub"]   # no demo key


# -- bad input ----------------------------------------------------------------------------------------------------

def hostile_batch(project, case_id="=HYPERLINK(\"http://evil.example\",\"klik\")"):
    batch = pd.read_parquet(project / BATCH)
    scores_first = batch.index[0]
    batch.loc[scores_first, "application_id"] = case_id
    batch.to_parquet(project / "hostile.parquet")
    return batch


def test_a_hostile_case_id_is_neutralised_in_csv_and_excel(project, monkeypatch):
    approve()
    hostile_batch(project).head(40).to_parquet(project / "hostile.parquet")   # 40 = capacity: all on the list
    assert main(["worklist", "--batch", "hostile.parquet", "--out", "out"]) == 0
    csv_text = (project / "out" / "worklist.csv").read_text("utf-8-sig")
    cells = [cell.strip('"') for line in csv_text.splitlines() for cell in line.split(";")]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    ids = table_of(project / "out" / "worklist.csv")["Zaaknummer"]
    assert [i for i in ids if "HYPERLINK" in i] == ['\'=HYPERLINK("http://evil.example","klik")']
    sheet = openpyxl.load_workbook(project / "out" / "worklist.xlsx").active
    values = [c for c in sheet["A"] if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert len(values) == 1 and values[0].value.startswith("'=") and values[0].data_type == "s"


def test_capacity_larger_than_the_batch_is_refused(project, capsys):
    approve()
    pd.read_parquet(project / BATCH).head(30).to_parquet(project / "small.parquet")
    assert main(["worklist", "--batch", "small.parquet", "--out", "out"]) == 2
    assert capsys.readouterr().err == "risico worklist: error: " + CAPACITY_TOO_LARGE.format(
        section="worklist", capacity=40, batch="small.parquet", n=30) + "\n"
    assert nothing_written(project)


def test_capacity_zero_is_refused(project, capsys):
    approve()
    set_param("worklist.capacity", 0)
    assert worklist() == 2
    assert "The 'capacity' parameter of worklist must be an int >= 1. Got 0 instead." in capsys.readouterr().err


def test_a_batch_with_another_schema_is_refused(project, capsys):
    approve()
    pd.read_parquet(project / BATCH).drop(columns="declared_income_monthly").to_parquet(project / "b.parquet")
    assert main(["worklist", "--batch", "b.parquet", "--out", "out"]) == 2
    err = capsys.readouterr().err
    assert "misses required column(s) 'declared_income_monthly'" in err and nothing_written(project)


def test_a_batch_that_fails_validation_is_refused(project, capsys):
    approve()
    batch = pd.read_parquet(project / BATCH)
    batch.loc[: len(batch) // 5, "amount_monthly"] = -1.0
    batch.to_parquet(project / "b.parquet")
    assert main(["worklist", "--batch", "b.parquet", "--out", "out"]) == 2
    err = capsys.readouterr().err
    bad, n = len(batch) // 5 + 1, len(batch)
    assert err.startswith(f"risico worklist: error: Batch b.parquet: Validation stopped: {bad} of {n} rows of table "
                          f"'applications' ({bad / n:.2%}) break row-level rules") and "amount_monthly" in err
    assert nothing_written(project)


def test_a_batch_of_known_applications_is_refused(project, capsys):
    approve()
    pd.read_parquet(project / "data" / "interim" / "applications.parquet").drop(
        columns=["decision_date", "awarded"]).head(300).to_parquet(project / "b.parquet")
    assert main(["worklist", "--batch", "b.parquet", "--out", "out"]) == 2
    assert capsys.readouterr().err == "risico worklist: error: " + BATCH_LIMIT.format(
        count=300, total=300, batch="b.parquet", share=1.0, limit=0.05,
        reason="application_id already in the history") + "\n"
    assert nothing_written(project)


def test_a_few_bad_rows_are_set_aside_with_their_reason(project):
    approve()
    batch = pd.read_parquet(project / BATCH)
    batch.loc[0, "cost_sharers"] = -3
    batch.loc[1, "household_id"] = "H9999999"
    batch.to_parquet(project / "b.parquet")
    assert main(["worklist", "--batch", "b.parquet", "--out", "out"]) == 0
    rejected = table_of(project / "out" / "rejected.csv")
    assert rejected["application_id"].tolist() == batch["application_id"].iloc[:2].tolist()
    assert "cost_sharers" in rejected["reason"].iloc[0] and "household_id not found" in rejected["reason"].iloc[1]
    assert "2 niet beoordeeld wegens ongeldige gegevens" in (project / "out" / "worklist.csv").read_text("utf-8-sig")
    line = json.loads((project / "governance" / "usage-log.jsonl").read_text())
    assert line["n_rejected"] == 2 and line["n_scored"] == len(batch) - 2


def test_the_out_folder_is_never_overwritten(project, capsys):
    approve()
    (project / "out").mkdir()
    (project / "out" / "mine.txt").write_text("keep")
    assert worklist() == 2
    assert capsys.readouterr().err == ("risico worklist: error: "
                                       + OUT_NOT_EMPTY.format(out="out", files="mine.txt") + "\n")
    assert (project / "out" / "mine.txt").read_text() == "keep"
    assert not (project / "governance" / "usage-log.jsonl").exists()


def test_random_draw_is_uniform_over_the_rest():
    from risico.governance.worklist import WorklistParams, select_cases

    params = WorklistParams(capacity=10, random_share=0.5, seed=0, band_edges=(0.1, 0.2, 0.3))
    score = np.linspace(1, 0, 100)
    ids = np.array([f"AV{i:03d}" for i in range(100)])
    counts = np.zeros(100)
    for seed in range(2000):
        risk, random = select_cases(score, ids, params, np.random.default_rng(seed))
        assert risk.tolist() == [0, 1, 2, 3, 4]
        counts[random] += 1
    assert counts[:5].sum() == 0
    expected = 2000 * 5 / 95
    assert np.abs(counts[5:] - expected).max() < 5 * np.sqrt(expected)
