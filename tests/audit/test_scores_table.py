"""``audit-scores`` on real tables (issue 14): duplicate columns, references per attribute, stages with their
direction-flip alarms, proxies among the table's own columns, and the audit before any outcome exists."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from risico.audit.verdict import direction_flips, flip_evidence, flip_findings
from risico.cli import main


def cells(stage: str, group: str, negatives: int, false_positives: int, positives: int = 500,
          true_positives: int = 250) -> pd.DataFrame:
    """Rows with exact confusion counts at threshold 0.5: selected rows score 1, the others 0."""
    label = np.r_[np.zeros(negatives, int), np.ones(positives, int)]
    chosen = np.r_[np.arange(negatives) < false_positives, np.arange(positives) < true_positives]
    return pd.DataFrame({"score": chosen.astype(float), "label": label, "group": group, "stage": stage})


def flip_table(pilot_fp_b: int) -> pd.DataFrame:
    """Group b's FPR against a's: 120/2000 vs 200/2000 (ratio 0.6) in training, ``pilot_fp_b``/2000 in the pilot."""
    return pd.concat([cells("train", "a", 2000, 200), cells("train", "b", 2000, 120),
                      cells("pilot", "a", 2000, 200), cells("pilot", "b", 2000, pilot_fp_b)], ignore_index=True)


def audit_scores(tmp_path: Path, frame: pd.DataFrame, *extra: str, label: bool = True) -> dict:
    path, out = tmp_path / "scores.csv", tmp_path / "out"
    frame.to_csv(path, index=False)
    argv = ["--quiet", "audit-scores", "--input", str(path), "--score", "score", "--sensitive", "group",
            "--threshold", "0.5", "--n-boot", "400", "--out", str(out), *extra]
    assert main(argv + (["--label", "label"] if label else [])) == 0
    return json.loads((out / "audit.json").read_text(encoding="utf-8"))


def test_a_planted_fpr_flip_between_stages_raises_a_strong_alarm_and_a_dilemma(tmp_path):
    result = audit_scores(tmp_path, flip_table(320), "--stage", "stage", "--stage-order", "train,pilot",
                          "--reference", "group=a")
    assert [(s["stage"], s["n"]) for s in result["stages"]] == [("train", 5000), ("pilot", 5000)]
    fpr = [a for a in result["alarms"] if a["metric"] == "fpr"]
    assert len(fpr) == 1
    alarm = fpr[0]
    assert (alarm["kind"], alarm["group"], alarm["reference"], alarm["from_stage"], alarm["to_stage"]) == (
        "direction_flip", "b", "a", "train", "pilot")
    assert alarm["from_ratio"] == pytest.approx(0.6) and alarm["to_ratio"] == pytest.approx(1.6)
    assert alarm["from_ci"][1] < 1 < alarm["to_ci"][0] and alarm["evidence"] == "strong"
    flips = [d for d in result["dilemmas"] if d["id"] == "stage_flip" and d["evidence"]["metric"] == "fpr"]
    assert len(flips) == 1 and "0.60" in flips[0]["text"] and "1.60" in flips[0]["text"]
    assert result["verdict"] == "not_ready"
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Fasen vergeleken" in page and "strong" in page


def test_the_same_bias_in_both_stages_raises_no_alarm(tmp_path):
    result = audit_scores(tmp_path, flip_table(120), "--stage", "stage")
    assert [s["stage"] for s in result["stages"]] == ["pilot", "train"]      # sorted by name by default
    assert result["alarms"] == []
    assert not [d for d in result["dilemmas"] if d["id"] in ("stage_flip", "direction_flip")]


def test_a_flip_whose_intervals_overlap_one_is_weak():
    stage = lambda name, ratio, ci: {"stage": name, "disparities": [  # noqa: E731
        {"attribute": "g", "group": "b", "reference": "a", "metric": "fpr", "ratio": ratio, "ci": ci}]}
    alarms = direction_flips([stage("train", 0.9, [0.7, 1.1]), stage("pilot", 1.3, [1.1, 1.5]),
                              stage("later", 1.2, [1.0, 1.4])])
    assert [(a["from_stage"], a["to_stage"], a["evidence"]) for a in alarms] == [("train", "pilot", "weak")]
    assert flip_evidence([1.2, 1.5], [0.5, 0.8]) == "strong"
    assert flip_findings(alarms, "en") == []                   # weak, and 0.9 lies inside the band
    wide = [stage("train", 0.7, [0.4, 1.1]), stage("pilot", 1.3, [0.9, 1.8])]
    (dilemma,) = flip_findings(direction_flips(wide), "en")
    assert dilemma["id"] == "direction_flip" and "train: 0.70 (0.40-1.10) / pilot: 1.30 (0.90-1.80)" in dilemma["text"]
    assert flip_evidence([None, None], [0.5, 0.8]) == "weak"


def test_without_outcomes_the_audit_judges_selection_and_never_says_no_blocking_findings(tmp_path):
    frame = pd.concat([cells("x", "a", 2000, 200), cells("x", "b", 2000, 200)], ignore_index=True)
    result = audit_scores(tmp_path, frame.drop(columns="label"), label=False)
    assert "fpr" in result["missing_measures"] and "ppv" in result["missing_measures"]
    assert {d["metric"] for d in result["disparities"]} == {"selection_rate"}
    assert result["disparities"][0]["ratio"] == pytest.approx(1.0)
    group = result["groups"][0]
    assert "fpr" not in group and "fpr" not in group["ci"]
    assert group["selection_rate"] == pytest.approx(450 / 2500)
    assert group["ci"]["score_mean"][0] < group["score_mean"] < group["ci"]["score_mean"][1]
    assert [d["id"] for d in result["dilemmas"]] == ["missing_outcomes"]
    assert result["verdict"] == "committee_decision"
    csv = pd.read_csv(tmp_path / "out" / "by_group.csv")
    assert "fpr" not in csv and csv["selection_rate"].tolist() == pytest.approx([0.18, 0.18])
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Niet te beoordelen zonder uitkomsten" in page and "Scoreverdeling per groep" in page


def test_without_outcomes_a_selection_disparity_still_fails(tmp_path):
    frame = pd.concat([cells("x", "a", 2000, 200), cells("x", "b", 2000, 600)], ignore_index=True)
    result = audit_scores(tmp_path, frame.drop(columns="label"), label=False)
    (disparity,) = result["disparities"]
    assert disparity["ratio"] == pytest.approx(850 / 450) and disparity["verdict"] == "fail"
    assert result["verdict"] == "not_ready"


def test_identical_duplicate_score_columns_are_accepted_and_noted(tmp_path):
    frame = flip_table(120)
    frame = pd.concat([frame, frame[["score"]]], axis=1)
    result = audit_scores(tmp_path, frame)
    assert result["duplicates"] == [{"column": "score", "positions": [1, 5], "used": 1}]
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Kolom &#x27;score&#x27; staat 2 keer in het bestand (posities 1, 5)" in page


def test_a_reference_per_attribute_is_used(tmp_path):
    result = audit_scores(tmp_path, flip_table(120), "--reference", "group=b")
    assert {(d["group"], d["reference"]) for d in result["disparities"]} == {("a", "b")}


def test_the_tables_own_columns_are_checked_as_proxies(tmp_path):
    frame = flip_table(120)
    rng = np.random.default_rng(0)
    frame = frame.assign(income=rng.normal(size=len(frame)) + 2.0 * (frame["group"] == "b"),
                         noise=rng.normal(size=len(frame)))
    result = audit_scores(tmp_path, frame, "--features", "income,noise")
    alone = {(p["feature"], p["group"]): p for p in result["proxies"]}
    assert alone[("income", "b")]["is_proxy"] and not alone[("noise", "b")]["is_proxy"]
    assert {p["attribute"] for p in result["joint_proxies"]} == {"group"}
    (proxy,) = [d for d in result["dilemmas"] if d["id"] == "proxies"]
    assert proxy["evidence"]["features"] == ["income"]


def selection_of(migration_selected: int, n: int = 10_000, migration: int = 3_700,
                 selected: int = 1_000) -> pd.DataFrame:
    """A table with the published composition of CPB's Selectivity Scan of UWV's WW application scan (2025):
    37% of the reference group has a migration background, 38% of the algorithm's selection and 43% of the
    employees'. The sizes are not published: 10,000 cases of which 1,000 selected are assumed."""
    group = np.r_[np.full(migration, "migration"), np.full(n - migration, "none")]
    chosen = np.r_[np.arange(migration) < migration_selected, np.arange(n - migration) < selected - migration_selected]
    return pd.DataFrame({"score": chosen.astype(float), "group": group})


@pytest.mark.parametrize(("who", "migration_selected", "ratio"), [
    ("algorithm", 380, (0.38 / 0.37) / (0.62 / 0.63)), ("employees", 430, (0.43 / 0.37) / (0.57 / 0.63))])
def test_a_published_no_outcome_analysis_is_reproduced(tmp_path, who, migration_selected, ratio):
    result = audit_scores(tmp_path, selection_of(migration_selected), "--reference", "group=none", label=False)
    (disparity,) = result["disparities"]
    assert disparity["ratio"] == pytest.approx(ratio, abs=0.001)
    share = {g["group"]: g["selection_rate"] * g["n"] for g in result["groups"]}
    assert share["migration"] / sum(share.values()) == pytest.approx(migration_selected / 1000, abs=0.001)
    if who == "algorithm":      # 1.04: inside the band, the interval too
        assert disparity["verdict"] == "pass"
    else:                       # 1.28: outside the band, the interval crossing its edge: a question for the committee
        assert disparity["verdict"] == "review" and disparity["ci"][0] < 1.25 < disparity["ci"][1]
        assert "disparity" in [d["id"] for d in result["dilemmas"]]
