"""The audit end to end: audit-scores on any table, and the pipeline stage on a biased and a fair world."""

import json

import pandas as pd
import pytest

from risico.audit.io import NOT_NUMERIC
from risico.cli import main


def scored_csv(project, tmp_path):
    scores = pd.read_parquet(project / "data" / "scores" / "scores.parquet")
    labels = pd.read_parquet(project / "data" / "processed" / "labels.parquet")
    protected = pd.read_parquet(project / "data" / "processed" / "protected.parquet")
    frame = scores.merge(labels, on="application_id").merge(protected, on="application_id")
    frame = frame[frame["investigated"]].assign(found=lambda f: f["observed"].map({1.0: "ja", 0.0: "nee"}))
    path = tmp_path / "scored.csv"
    frame.to_csv(path, index=False, sep=";")
    return path, len(frame)


def audit_scores(path, out, *extra):
    return main(["--quiet", "audit-scores", "--input", str(path), "--score", "score_ebm", "--label", "found",
                 "--sensitive", "migration_background,gender", "--top-k", "100", "--route", "route",
                 "--random-value", "random", "--n-boot", "300", "--out", str(out), *extra])


def test_audit_scores_writes_json_csv_and_report_and_hides_small_groups(pipeline_project, tmp_path):
    path, n = scored_csv(pipeline_project, tmp_path)
    assert audit_scores(path, tmp_path / "out") == 0
    result = json.loads((tmp_path / "out" / "audit.json").read_text())
    assert result["n"] == n and result["selection"]["selected"] == 100
    assert result["verdict"] in ("not_ready", "committee_decision", "no_blocking_findings")
    for group in result["groups"]:
        if group["suppressed"]:
            assert set(group) == {"attribute", "group", "suppressed"}
        else:
            assert group["n"] >= 10 and set(group["ci"]) >= {"fpr", "fnr", "ppv", "fdr"}
    by_group = pd.read_csv(tmp_path / "out" / "by_group.csv")
    small = by_group[by_group["note"].fillna("") != ""]
    assert small[["n", "fpr", "fpr_lo"]].isna().all().all()
    assert "migration_background" in result["funnel"] and result["funnel"]["migration_background"]["routes"]["available"]
    page = (tmp_path / "out" / "report.html").read_text()
    assert "Samenvatting" in page and "eerlijk" in page


def test_bad_score_column_stops_without_a_partial_report(pipeline_project, tmp_path, capsys):
    path, _ = scored_csv(pipeline_project, tmp_path)
    frame = pd.read_csv(path, sep=";")
    frame["score_ebm"] = frame["score_ebm"].astype("str")
    frame.loc[frame.index[0], "score_ebm"] = "hoog"
    frame.to_csv(path, index=False, sep=";")
    assert audit_scores(path, tmp_path / "out") == 2
    assert capsys.readouterr().err == ("risico audit-scores: error: "
                                       + NOT_NUMERIC.format(column="score_ebm", example="hoog", row=1) + "\n")
    assert not (tmp_path / "out").exists()


def test_same_seed_gives_identical_audit(pipeline_project, tmp_path):
    path, _ = scored_csv(pipeline_project, tmp_path)
    assert audit_scores(path, tmp_path / "a") == 0 and audit_scores(path, tmp_path / "b") == 0
    assert (tmp_path / "a" / "audit.json").read_bytes() == (tmp_path / "b" / "audit.json").read_bytes()


def test_biased_world_audit_flags_the_planted_selection_bias(pipeline_project):
    result = json.loads((pipeline_project / "reports" / "audit" / "audit.json").read_text())
    bias = [d for d in result["dilemmas"] if d["id"] == "label_bias" and "investigated_ratio" in d["evidence"]
            and d["evidence"]["attribute"] == "migration_background"]
    assert bias and bias[0]["evidence"]["group"] == "non_western"
    assert bias[0]["evidence"]["investigated_ratio"] > 1.25 > bias[0]["evidence"]["true_ratio"]
    assert result["verdict"] != "no_blocking_findings"


def test_biased_world_audit_finds_the_planted_proxies(pipeline_project):
    result = json.loads((pipeline_project / "reports" / "audit" / "audit.json").read_text())
    planted = [p for p in result["data_proxies"] if p["feature"] in ("district", "language_proficiency")
               and p["attribute"] == "migration_background" and p["is_proxy"]]
    assert planted
    assert any(d["id"] == "data_proxies" for d in result["dilemmas"])


def test_fair_world_audit_raises_no_fail_and_no_selection_bias(fair_pipeline_project):
    result = json.loads((fair_pipeline_project / "reports" / "audit" / "audit.json").read_text())
    assert [d for d in result["disparities"] if d["verdict"] == "fail"] == []
    assert not [d for d in result["dilemmas"] if d["id"] == "label_bias" and "investigated_ratio" in d["evidence"]
                and d["evidence"]["attribute"] == "migration_background"]
    assert not [d for d in result["dilemmas"] if d["id"] == "detection"]
    assert not [p for p in result["data_proxies"] if p["feature"] in ("district", "language_proficiency")
                and p["attribute"] == "migration_background" and p["is_proxy"]]


BAD_TABLES = [
    ("score;found;group\n0.1;1;a\n0.2;0;b\n0.3;2;b\n", ["--top-k", "2"],
     "Option --label: column 'found' must hold only 0 and 1 (or true/false, yes/no, ja/nee); found '2'."),
    ("score;found;group\n0.1;1;a\n0.2;0;a\n", ["--top-k", "1"],
     "Option --sensitive: column 'group' has only one group ('a'); comparing groups needs at least two."),
    ("score;found;group\n0.1;1;a\n0.2;0;b\n", ["--top-k", "5"],
     "Option --top-k 5 selects every one of the 2 rows; the audit cannot judge a selection that leaves no case "
     "unselected. Allowed: 1 to 1."),
    ("score;found;group\n0.1;1;a\n0.2;0;b\n", ["--threshold", "0.9"],
     "Option --threshold must lie within the scores' range [0.1, 0.2] so that some but not all cases are selected. "
     "Got 0.9 instead."),
    ("", ["--top-k", "1"], "File scored.csv holds no rows. The audit needs a table with one row per scored case."),
]


@pytest.mark.parametrize(("content", "selection", "message"), BAD_TABLES, ids=["three-labels", "one-group", "k",
                                                                               "threshold", "empty"])
def test_audit_scores_bad_input_one_line_and_no_report(tmp_path, capsys, content, selection, message):
    path = tmp_path / "scored.csv"
    path.write_text(content, encoding="utf-8")
    status = main(["--quiet", "audit-scores", "--input", str(path), "--score", "score", "--label", "found",
                   "--sensitive", "group", *selection, "--out", str(tmp_path / "out")])
    assert status == 2
    assert capsys.readouterr().err == f"risico audit-scores: error: {message}\n"
    assert not (tmp_path / "out").exists()


def test_a_pilot_file_is_audited_beside_the_periods(pipeline_project, tmp_path):
    path, _ = scored_csv(pipeline_project, tmp_path)
    frame = pd.read_csv(path, sep=";")
    frame["age_band"] = pd.cut(frame["age"], [0, 27, 40, 55, 67, 200], right=False,
                               labels=["18-26", "27-39", "40-54", "55-66", "67+"]).astype(str)
    frame.to_csv(path, sep=";", index=False)
    root = pipeline_project
    out = tmp_path / "audit"
    status = main(["--quiet", "audit", "--params", str(root / "params.yaml"), "--processed",
                   str(root / "data" / "processed"), "--scores", str(root / "data" / "scores" / "scores.parquet"),
                   "--truth", str(root / "data" / "truth"), "--pilot", str(path), "--pilot-score", "score_ebm",
                   "--pilot-label", "found", "--out", str(out), "--metrics", str(tmp_path / "m.json")])
    assert status == 0
    result = json.loads((out / "audit.json").read_text())
    assert set(result["stages"]) == {"train", "validation", "test", "pilot"}


def test_a_disparity_that_changes_direction_between_stages_raises_the_alarm():
    from risico.audit.dilemmas import stage_flip_dilemmas
    row = {"attribute": "gender", "group": "female", "reference": "male", "metric": "fpr"}
    stages = {"test": pd.DataFrame([{**row, "ratio": 1.6, "ratio_lo": 1.3, "ratio_hi": 1.9}]),
              "pilot": pd.DataFrame([{**row, "ratio": 0.6, "ratio_lo": 0.45, "ratio_hi": 0.8}])}
    alarms = stage_flip_dilemmas(stages, "en")
    assert len(alarms) == 1 and alarms[0]["id"] == "stage_flip" and "test: 1.60 / pilot: 0.60" in alarms[0]["text"]
    same = {"test": stages["test"], "pilot": stages["test"]}
    assert stage_flip_dilemmas(same, "en") == []
