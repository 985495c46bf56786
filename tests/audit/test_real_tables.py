"""``audit-scores`` on real and independently built tables (issue 14): a zero reference judged on the difference,
the impossibility dilemma, and a published audit reproduced from its published counts.

Every table here is rebuilt row by row from counts typed in with their source; nothing is downloaded.
"""

import json

import numpy as np
import pandas as pd
import pytest

from risico.audit.dilemmas import impossibility_dilemma
from risico.audit.engine import AuditParams
from risico.audit.io import ScoredTable
from risico.audit.run import audit_table
from risico.audit.verdict import impossibility_conflict
from risico.cli import main


def rows_from_counts(counts: dict[str, dict[str, int]], column: str = "race") -> pd.DataFrame:
    """One row per person from a confusion matrix per group: ``score`` 1 = flagged (selected), ``label`` 1 = the
    outcome happened. ``counts[group]`` holds ``tn, fp, fn, tp``."""
    parts = []
    for group, cells in counts.items():
        for (flagged, outcome), name in {(0, 0): "tn", (1, 0): "fp", (0, 1): "fn", (1, 1): "tp"}.items():
            parts.append(pd.DataFrame({column: group, "score": float(flagged), "label": outcome},
                                      index=range(cells[name])))
    return pd.concat(parts, ignore_index=True)


def run_audit_scores(frame: pd.DataFrame, tmp_path, *extra: str) -> dict:
    path = tmp_path / "table.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "out"
    status = main(["--quiet", "audit-scores", "--input", str(path), "--score", "score", "--label", "label",
                   "--sensitive", str(frame.columns[0]), "--threshold", "0.5", "--n-boot", "1000", "--out", str(out),
                   "--language", "en", *extra])
    assert status == 0
    return json.loads((out / "audit.json").read_text(encoding="utf-8"))


def by_metric(result: dict, group: str) -> dict[str, dict]:
    return {d["metric"]: d for d in result["disparities"] if d["group"] == group and d["attribute"] == "race"}


# --------------------------------------------------------------------------- the zero reference (issue 14, bullet 1)


def one_group_bears_all_errors() -> pd.DataFrame:
    """Every wrongly selected case falls in group 'b': reference 'a' has FPR 0.000, 'b' 0.095 (76 of 800
    non-violators, their score shifted up); base rates 0.10 and 0.20."""
    rng = np.random.default_rng(14)
    a_label = np.r_[np.ones(200), np.zeros(1800)]
    a_score = np.where(a_label == 1, rng.uniform(0.6, 0.9, 2000), rng.uniform(0.0, 0.4, 2000))
    b_label = np.r_[np.ones(200), np.zeros(800)]
    b_score = np.r_[rng.uniform(0.6, 0.9, 200), rng.uniform(0.7, 0.9, 76), rng.uniform(0.0, 0.4, 724)]
    return pd.DataFrame({"race": ["a"] * 2000 + ["b"] * 1000, "score": np.r_[a_score, b_score],
                         "label": np.r_[a_label, b_label].astype(int)})


def test_a_group_bearing_every_wrongful_selection_fails_on_the_difference(tmp_path):
    """Before issue 14 the FPR and false-positive burden were ``not_assessed`` (the ratio divides by zero) and
    only the selection rate failed; now both fail on the difference interval, which lies wholly above the
    absolute margin."""
    result = run_audit_scores(one_group_bears_all_errors(), tmp_path)
    rows = by_metric(result, "b")
    fpr = rows["fpr"]
    assert fpr["ratio"] is None and fpr["ci"] == [None, None]               # the ratio is undefined
    assert fpr["difference"] == pytest.approx(0.095)
    assert (fpr["verdict"], fpr["basis"]) == ("fail", "difference")
    lo, hi = fpr["difference_ci"]
    assert 0.05 < lo < 0.095 < hi < 0.15
    burden = rows["fp_burden"]
    assert (burden["verdict"], burden["basis"]) == ("fail", "difference")
    assert burden["difference"] == pytest.approx(76.0) and burden["difference_ci"][0] > 10.0
    assert result["verdict"] == "not_ready"
    disparity = [d for d in result["dilemmas"] if d["id"] == "disparity"]
    assert len(disparity) == 1 and "a difference of 0.095" in disparity[0]["text"]
    assert disparity[0]["evidence"]["basis"] == "difference"


def test_by_group_csv_carries_ratio_and_difference_with_intervals(tmp_path):
    run_audit_scores(one_group_bears_all_errors(), tmp_path)
    table = pd.read_csv(tmp_path / "out" / "by_group.csv").set_index("group")
    for column in ("fpr_ratio", "fpr_ratio_lo", "fpr_ratio_hi", "fpr_difference", "fpr_difference_lo",
                   "fpr_difference_hi", "selection_rate_ratio", "fp_burden_difference_hi"):
        assert column in table.columns
    assert table.loc["b", "fpr_difference"] == pytest.approx(0.095)
    assert table.loc["b", "fpr_difference_lo"] > 0.05
    assert np.isnan(table.loc["a", "fpr_difference"])                     # the reference against itself: empty


# --------------------------------------------------------------------------- a published audit reproduced

#: ProPublica, "How We Analyzed the COMPAS Recidivism Algorithm" (Larson, Mattu, Kirchner and Angwin, 23 May
#: 2016): two-year general recidivism, COMPAS "High/Medium" (flagged) against "Low", Broward County. Survived
#: = did not recidivate within two years.
COMPAS_COUNTS = {
    "African-American": {"tn": 990, "fp": 805, "fn": 532, "tp": 1369},
    "Caucasian": {"tn": 1139, "fp": 349, "fn": 461, "tp": 505},
}
#: The rates the publication printed (percentages to two decimals): FPR and FNR per group.
COMPAS_PUBLISHED = {"African-American": {"fpr": 0.4485, "fnr": 0.2799},
                    "Caucasian": {"fpr": 0.2345, "fnr": 0.4772}}
#: Northpointe's reply on the same sample (Dieterich, Mendoza and Brennan 2016, "COMPAS Risk Scales:
#: Demonstrating Accuracy Equity and Predictive Parity"): positive predictive values 0.63 and 0.59.
COMPAS_PPV = {"African-American": 0.63, "Caucasian": 0.59}


@pytest.fixture(scope="module")
def compas(tmp_path_factory):
    return run_audit_scores(rows_from_counts(COMPAS_COUNTS), tmp_path_factory.mktemp("compas"),
                            "--reference", "Caucasian")


@pytest.mark.parametrize("group", list(COMPAS_PUBLISHED))
def test_compas_published_rates_are_reproduced(compas, group):
    row = next(g for g in compas["groups"] if g["attribute"] == "race" and g["group"] == group)
    for metric, published in COMPAS_PUBLISHED[group].items():
        assert abs(row[metric] - published) < 0.001, (group, metric, row[metric], published)
    assert abs(row["ppv"] - COMPAS_PPV[group]) < 0.005           # published to two decimals only
    cells = COMPAS_COUNTS[group]
    assert row["n"] == sum(cells.values())
    assert abs(row["selection_rate"] - (cells["fp"] + cells["tp"]) / row["n"]) < 1e-6


def test_compas_findings_of_both_publications(compas):
    """ProPublica: Black defendants who did not reoffend were flagged almost twice as often (FPR), white
    reoffenders were missed more often (FNR). Northpointe: the flag means about the same for both (PPV).
    The audit fails both error rates and passes the positive predictive value."""
    rows = by_metric(compas, "African-American")
    assert rows["fpr"]["ratio"] == pytest.approx(0.4485 / 0.2345, abs=0.01)
    assert (rows["fpr"]["verdict"], rows["fpr"]["basis"]) == ("fail", "ratio")
    assert rows["fpr"]["ci"][0] > 1.25 and rows["fpr"]["difference_ci"][0] > 0.05
    assert rows["fnr"]["verdict"] == "fail" and rows["fnr"]["ci"][1] < 0.8
    assert rows["ppv"]["verdict"] == "pass" and 0.8 <= rows["ppv"]["ci"][0] <= rows["ppv"]["ci"][1] <= 1.25
    assert compas["verdict"] == "not_ready"


def test_compas_raises_the_impossibility_dilemma_with_its_numbers(compas):
    """Base rates 51.4% and 39.4%: near-equal PPV with FPR and FNR far apart is the Kleinberg-Chouldechova
    conflict; before issue 14 ``audit-scores`` never named it."""
    found = [d for d in compas["dilemmas"] if d["id"] == "impossibility"]
    assert len(found) == 1
    conflict = found[0]["evidence"]["conflict"]
    assert conflict["equal"] == ["ppv"] and conflict["unequal"] == ["fpr", "fnr"]
    assert conflict["base_rates"]["African-American"] == pytest.approx(1901 / 3696)
    assert "44.8%" in found[0]["text"] and "23.5%" in found[0]["text"]
    assert compas["impossibility"]["race"]["conflict"] is True


# --------------------------------------------------------------------------- the impossibility rule


def test_no_impossibility_dilemma_when_base_rates_are_equal(tmp_path):
    counts = {"x": {"tn": 700, "fp": 100, "fn": 60, "tp": 140}, "y": {"tn": 690, "fp": 110, "fn": 55, "tp": 145}}
    result = run_audit_scores(rows_from_counts(counts), tmp_path)
    assert not [d for d in result["dilemmas"] if d["id"] == "impossibility"]
    found = result["impossibility"]["race"]
    assert found["conflict"] is False and found["base_rates_differ"] is False and found["p_value"] > 0.05
    assert "equal" not in found


@pytest.mark.parametrize(("ppv", "fpr", "fnr", "expected"), [
    ({"a": 0.63, "b": 0.59}, {"a": 0.45, "b": 0.23}, {"a": 0.28, "b": 0.30}, (["ppv", "fnr"], ["fpr"])),
    ({"a": 0.80, "b": 0.40}, {"a": 0.10, "b": 0.11}, {"a": 0.30, "b": 0.31}, (["fpr", "fnr"], ["ppv"])),  # reverse
    ({"a": 0.63, "b": 0.59}, {"a": 0.20, "b": 0.21}, {"a": 0.30, "b": 0.31}, None),   # all nearly equal
    ({"a": 0.80, "b": 0.40}, {"a": 0.45, "b": 0.20}, {"a": 0.10, "b": 0.40}, None),   # all unequal
])
def test_impossibility_conflict_rule(ppv, fpr, fnr, expected):
    impossible = {"base_rates_differ": True, "n": {"a": 500, "b": 400}, "base_rates": {"a": 0.5, "b": 0.3},
                  "ppv": ppv, "fpr": fpr, "fnr": fnr, "p_value": 1e-9}
    found = impossibility_conflict(impossible, (0.8, 1.25), 10, "g")
    assert (None if found is None else (found["equal"], found["unequal"])) == expected


def test_the_conflict_needs_differing_base_rates_and_two_shown_groups():
    impossible = {"base_rates_differ": False, "n": {"a": 500, "b": 400}, "base_rates": {"a": 0.5, "b": 0.5},
                  "ppv": {"a": 0.6, "b": 0.6}, "fpr": {"a": 0.4, "b": 0.2}, "fnr": {"a": 0.3, "b": 0.3}}
    assert impossibility_conflict(impossible, (0.8, 1.25), 10, "g") is None
    small = impossible | {"base_rates_differ": True, "n": {"a": 500, "b": 9}}
    assert impossibility_conflict(small, (0.8, 1.25), 10, "g") is None


def test_pipeline_and_audit_scores_word_the_conflict_with_the_same_id():
    """The pipeline raises the dilemma whenever base rates differ (as before) and now states the conflict when
    its table shows one; ``audit-scores`` raises it for the conflict. One id, one wording of the numbers."""
    impossible = {"base_rates_differ": True, "n": {"a": 500, "b": 400}, "base_rates": {"a": 0.5, "b": 0.3},
                  "ppv": {"a": 0.63, "b": 0.59}, "fpr": {"a": 0.45, "b": 0.23}, "fnr": {"a": 0.28, "b": 0.48},
                  "p_value": 1e-9}
    conflict = impossibility_conflict(impossible, (0.8, 1.25), 10, "g")
    plain = impossibility_dilemma(impossible, "en")[0]
    stated = impossibility_dilemma(impossible, "en", conflict)[0]
    assert plain["id"] == stated["id"] == "impossibility"
    assert "conflict" not in plain["evidence"] and stated["evidence"]["conflict"]["unequal"] == ["fpr", "fnr"]
    assert stated["text"].startswith(plain["text"]) and "a 45.0%, b 23.0%" in stated["text"]


def test_audit_table_reports_no_conflict_for_one_group():
    table = ScoredTable(np.linspace(0, 1, 40), np.r_[np.zeros(20), np.ones(20)],
                        pd.DataFrame({"race": ["a"] * 40}), None, None)
    result, _, _ = audit_table(table, AuditParams(n_boot=50), top_k=10)
    assert result["impossibility"]["race"]["conflict"] is False
    assert "not_computed" in result["impossibility"]["race"]


def test_impossibility_with_a_given_selection_equals_its_own_top_k():
    from risico.audit.tradeoffs import impossibility

    frame = one_group_bears_all_errors()
    score, label, group = frame["score"].to_numpy(), frame["label"].to_numpy(float), frame["race"]
    own = impossibility(score, label, group, capacity=476)
    chosen = np.zeros(len(score), dtype=bool)
    chosen[np.argsort(-score, kind="stable")[:476]] = True
    given = impossibility(score, label, group, capacity=476, selected=chosen)
    assert json.dumps(given, sort_keys=True) == json.dumps(own, sort_keys=True)      # NaN compares equal as text
    with pytest.raises(ValueError, match=r"'selected' marks 475 of 3000 rows; it must mark exactly capacity=476"):
        impossibility(score, label, group, capacity=476, selected=chosen & (np.arange(len(score)) != chosen.argmax()))


def test_a_rate_of_zero_on_four_trials_is_not_a_failing_difference():
    """The default world's case: 4 selections, all right (FDR 0.000) against a reference's 0.681. The ratio rests
    on too few events, the difference's score interval stays within [-1, 1] and reaches the margin: ``review``,
    where a normal form around the resamples (-1.15 to -0.22) had called it a ``fail``."""
    from risico.audit.engine import disparity_table, group_table

    counts = {"a": {"tn": 1736, "fp": 77, "fn": 77, "tp": 36}, "b": {"tn": 53, "fp": 0, "fn": 4, "tp": 4}}
    frame = rows_from_counts(counts)
    params = AuditParams(n_boot=1000)
    groups = group_table(frame["score"].to_numpy() == 1, frame["label"].to_numpy(), frame[["race"]], params)
    fdr = disparity_table(groups, params).set_index("metric").loc["fdr"]
    assert fdr["basis"] == "difference" and fdr["verdict"] == "review"
    assert -1.0 <= fdr["difference_lo"] < -0.05 < fdr["difference_hi"] <= 1.0
