"""The one verdict module: the band rule, the minimum-events rule, the overall verdict, and one judgement for
``audit-scores`` and the pipeline's ``audit`` stage on the same scored table."""

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from risico.audit.config import load_audit_params
from risico.audit.history import sensitive_frame
from risico.audit.io import ScoredTable
from risico.audit.providers import PROFILES
from risico.audit.run import audit_table
from risico.audit.verdict import MIN_EVENTS, band_verdicts, judge_disparities, overall_verdict, require_events
from risico.selection import select_top
from risico.target import read_target
from risico.truth import aligned_truth

BAND = (0.8, 1.25)

BAND_ROWS = [  # lo, hi, tested, verdict
    (1.30, 2.00, True, "fail"), (0.10, 0.79, True, "fail"), (0.80, 1.25, True, "pass"), (0.90, 1.10, True, "pass"),
    (0.79, 1.10, True, "review"), (1.00, 1.26, True, "review"), (0.10, 9.00, True, "review"),
    (1.30, 2.00, False, "not_assessed"), (np.nan, 2.00, True, "not_assessed"), (1.30, np.nan, True, "not_assessed"),
]


@pytest.mark.parametrize(("lo", "hi", "tested", "expected"), BAND_ROWS)
def test_band_verdict_compares_the_interval_with_the_tolerance_band(lo, hi, tested, expected):
    assert band_verdicts(np.array([lo]), np.array([hi]), np.array([tested]), BAND).tolist() == [expected]


def groups_with(fp_a, fp_b):
    return pd.DataFrame({"attribute": "g", "group": ["a", "b"], "tp": [20, 20], "fp": [fp_a, fp_b], "fn": [5, 5],
                         "tn": [100, 100]})


def disparity(metric="fpr", lo=1.5, hi=3.0, difference_lo=0.01, difference_hi=0.07):
    return pd.DataFrame([{"attribute": "g", "group": "b", "reference": "a", "metric": metric, "ratio": 2.0,
                          "ratio_lo": lo, "ratio_hi": hi, "difference_lo": difference_lo,
                          "difference_hi": difference_hi, "suppressed": False}])


@pytest.mark.parametrize(("fp_a", "fp_b", "metric", "expected"), [
    (MIN_EVENTS, 2 * MIN_EVENTS, "fpr", "fail"),
    (MIN_EVENTS - 1, 2 * MIN_EVENTS, "fpr", "review"),           # the reference has too few false positives
    (2 * MIN_EVENTS, MIN_EVENTS - 1, "fdr", "review"),           # the group has too few
    (MIN_EVENTS - 1, 2 * MIN_EVENTS, "ppv", "fail"),             # ppv counts true positives (20 each)
])
def test_a_failing_disparity_needs_enough_events_in_both_groups(fp_a, fp_b, metric, expected):
    judged = judge_disparities(disparity(metric), groups_with(fp_a, fp_b), BAND)
    assert judged["verdict"].tolist() == [expected]
    assert require_events(judged.assign(verdict="fail"), groups_with(fp_a, fp_b))["verdict"].tolist() == [expected]


def test_suppressed_disparities_are_not_assessed():
    judged = judge_disparities(disparity().assign(suppressed=True), groups_with(50, 50), BAND)
    assert judged[["verdict", "basis"]].values.tolist() == [["not_assessed", ""]]


@pytest.mark.parametrize(("difference_lo", "difference_hi", "fp_b", "expected"), [
    (0.06, 0.13, 30, "fail"),                # wholly above +0.05: the group bears the errors
    (-0.13, -0.06, 30, "fail"),              # wholly below -0.05
    (-0.02, 0.03, 30, "pass"),               # wholly inside [-0.05, 0.05]
    (0.01, 0.09, 30, "review"),              # straddles +0.05
    (0.06, 0.13, MIN_EVENTS - 1, "review"),  # too few errors even on the larger side
    (np.nan, np.nan, 30, "not_assessed"),    # no interval
])
def test_an_undefined_ratio_is_judged_on_the_difference(difference_lo, difference_hi, fp_b, expected):
    """The reference has no false positive at all (ratio infinite): the verdict is the difference's, never
    ``not_assessed`` while an interval exists (issue 14: a zero reference hid the worst disparity)."""
    row = disparity(difference_lo=difference_lo, difference_hi=difference_hi).assign(ratio=np.inf, ratio_lo=np.nan,
                                                                                    ratio_hi=np.nan)
    judged = judge_disparities(row, groups_with(0, fp_b), BAND, difference_tolerance=0.05)
    assert judged["verdict"].tolist() == [expected]
    assert judged["basis"].tolist() == ["" if expected == "not_assessed" else "difference"]


def test_a_stable_ratio_keeps_the_ratio_verdict_whatever_the_difference():
    judged = judge_disparities(disparity(difference_lo=-0.01, difference_hi=0.01), groups_with(20, 40), BAND)
    assert judged[["verdict", "basis"]].values.tolist() == [["fail", "ratio"]]


@pytest.mark.parametrize(("verdicts", "ids", "expected"), [
    (["pass", "review"], [], "no_blocking_findings"),
    (["pass", "review"], ["proxies"], "committee_decision"),
    (["fail", "pass"], [], "not_ready"),
    (["pass"], ["proxies", "stage_flip"], "not_ready"),
])
def test_overall_verdict(verdicts, ids, expected):
    table = pd.DataFrame({"verdict": verdicts})
    assert overall_verdict(table, [{"id": i} for i in ids]) == expected


def test_audit_scores_and_the_pipeline_judge_the_same_table_alike(pipeline_project):
    """The test period's scored table, rebuilt from the pipeline's files and audited as ``audit-scores`` does
    (:func:`audit_table`), gets the disparity verdicts the ``audit`` stage wrote; and the stage's overall
    verdict is the one rule applied to those disparities and the stage's dilemmas."""
    root = pipeline_project
    values = yaml.safe_load((root / "params.yaml").read_text(encoding="utf-8"))
    capacity, model = values["worklist"]["capacity"], values["train"]["model"]
    processed = root / "data" / "processed"
    target = read_target(processed)
    params = load_audit_params(root / "params.yaml", PROFILES["applications"])
    meta, labels = pd.read_parquet(processed / "meta.parquet"), pd.read_parquet(processed / "labels.parquet")
    scores = pd.read_parquet(root / "data" / "scores" / "scores.parquet")
    truth = aligned_truth(root / "data" / "truth", meta[target.truth_key], table=target.truth_table,
                          key=target.truth_key, label=target.truth_label,
                          probability=target.truth_probability)["true_violation"].to_numpy(dtype=float)
    test = (scores["split"] == "test").to_numpy()
    sensitive = sensitive_frame(pd.read_parquet(processed / "protected.parquet")[test], params.attributes)
    score = scores.loc[test, f"score_{model}"].to_numpy(dtype=float)
    selected = select_top(score, meta.loc[test, "period"].astype("str").to_numpy(), capacity, np.arange(test.sum()))
    table = ScoredTable(score, truth[test], sensitive, labels.loc[test, "route"].reset_index(drop=True), truth[test])
    result, _, disparities = audit_table(table, params.engine, selected=selected, random_value="random")
    stage = json.loads((root / "reports" / "audit" / "audit.json").read_text())
    assert stage["selection"]["selected"] == result["selection"]["selected"]
    key = ("attribute", "group", "metric")
    assert ({tuple(d[k] for k in key): d["verdict"] for d in result["disparities"]}
            == {tuple(d[k] for k in key): d["verdict"] for d in stage["disparities"]})
    assert {d["verdict"] for d in stage["disparities"]} >= {"pass", "review"}     # a comparison of something
    assert stage["verdict"] == overall_verdict(disparities, stage["dilemmas"])
