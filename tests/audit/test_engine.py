"""Tests of the audit engine: selection, group metrics, bootstrap intervals, disparities and verdicts."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, count, false_negative_rate, false_positive_rate, selection_rate
from sklearn.metrics import precision_score, roc_auc_score

from risico.audit import _bootstrap as boot
from risico.audit.engine import (
    BAD_PARAM,
    DISPARITY_METRICS,
    DUPLICATE_ATTRIBUTES,
    GROUP_METRICS,
    LENGTH_MISMATCH,
    MISSING,
    MISSING_COLUMNS,
    NO_ATTRIBUTES,
    NOT_BINARY,
    SCORE_NOT_FINITE,
    SELECT_ONE_OF,
    UNKNOWN_REFERENCE_ATTRIBUTE,
    UNKNOWN_REFERENCE_GROUP,
    AuditError,
    AuditParams,
    disparity_table,
    group_table,
    select,
)

SRC = Path(__file__).resolve().parents[2] / "src" / "risico" / "audit"


def scored_table(n: int = 2000, seed: int = 0) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Score, label and two protected attributes (with some missing values) for ``n`` persons."""
    rng = np.random.default_rng(seed)
    sensitive = pd.DataFrame({
        "gender": rng.choice(["female", "male"], n),
        "migration_background": rng.choice(["dutch", "western", "non_western"], n, p=[0.6, 0.15, 0.25]),
    })
    sensitive.loc[rng.random(n) < 0.02, "migration_background"] = None
    label = (rng.random(n) < 0.15).astype(int)
    score = np.round(rng.random(n) * 0.6 + 0.3 * label + 0.05 * (sensitive["gender"] == "female"), 3)
    return score, label, sensitive


def planted(n_per_group: int, fpr: dict[str, float], *, base: float = 0.3, tpr: float = 0.6,
            rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """A table whose groups have known rates: P(label) = base, P(selected | 0) = fpr[g], P(selected | 1) = tpr."""
    groups = np.repeat(list(fpr), n_per_group)
    label = (rng.random(groups.size) < base).astype(int)
    p_select = np.where(label == 1, tpr, pd.Series(groups).map(fpr).to_numpy())
    selected = rng.random(groups.size) < p_select
    return selected, label, pd.DataFrame({"group": groups})


@pytest.fixture(scope="module")
def table():
    score, label, sensitive = scored_table()
    selected = select(score, top_k=300)
    params = AuditParams(n_boot=400, seed=3)
    groups = group_table(selected, label, sensitive, params, score=score)
    return score, label, sensitive, selected, params, groups


# --------------------------------------------------------------------------- parameters and inputs


@pytest.mark.parametrize(("kwargs", "message"), [
    ({}, None),
    ({"tolerance": [0.9, 1.1]}, None),
    ({"n_boot": 0}, BAD_PARAM.format(key="n_boot", owner="AuditParams", allowed="an int >= 1", value=0)),
    ({"min_group_size": -1},
     BAD_PARAM.format(key="min_group_size", owner="AuditParams", allowed="an int >= 0", value=-1)),
    ({"max_depth": 0}, BAD_PARAM.format(key="max_depth", owner="AuditParams", allowed="an int >= 1", value=0)),
    ({"seed": 1.5}, BAD_PARAM.format(key="seed", owner="AuditParams", allowed="an int >= 0", value=1.5)),
    ({"auc_bins": 1}, BAD_PARAM.format(key="auc_bins", owner="AuditParams", allowed="an int >= 2", value=1)),
    ({"confidence": 1.0},
     BAD_PARAM.format(key="confidence", owner="AuditParams", allowed="a float in (0, 1)", value=1.0)),
    ({"tolerance": (1.1, 1.25)}, BAD_PARAM.format(key="tolerance", owner="AuditParams",
                                                  allowed="a pair (lower, upper) with 0 < lower < 1 < upper",
                                                  value=(1.1, 1.25))),
    ({"correction": "fdr"}, BAD_PARAM.format(key="correction", owner="AuditParams",
                                             allowed="one of 'holm', 'bonferroni', 'none'", value="fdr")),
])
def test_params_are_checked(kwargs, message):
    if message is None:
        params = AuditParams(**kwargs)
        assert isinstance(params.tolerance, tuple)
        return
    with pytest.raises(AuditError) as err:
        AuditParams(**kwargs)
    assert str(err.value) == message


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"top_k": 2}, [False, True, True, False, False]),          # 0.5 tie: the earlier row wins
    ({"top_k": 3}, [False, True, True, True, False]),
    ({"top_k": 0}, [False] * 5),
    ({"top_k": 5}, [True] * 5),
    ({"threshold": 0.5}, [False, True, True, True, False]),
    ({"threshold": 0.95}, [False] * 5),
])
def test_select(kwargs, expected):
    assert select(np.array([0.1, 0.9, 0.5, 0.5, 0.2]), **kwargs).tolist() == expected


@pytest.mark.parametrize(("score", "kwargs", "message"), [
    ([0.1, 0.2], {}, SELECT_ONE_OF.format(top_k=None, threshold=None)),
    ([0.1, 0.2], {"top_k": 1, "threshold": 0.5}, SELECT_ONE_OF.format(top_k=1, threshold=0.5)),
    ([0.1, 0.2], {"top_k": 3}, BAD_PARAM.format(key="top_k", owner="select", allowed="an int in [0, 2]", value=3)),
    ([0.1, 0.2], {"top_k": True},
     BAD_PARAM.format(key="top_k", owner="select", allowed="an int in [0, 2]", value=True)),
    ([0.1, np.nan], {"top_k": 1}, SCORE_NOT_FINITE.format(what="score", count=1)),
])
def test_select_rejects(score, kwargs, message):
    with pytest.raises(AuditError) as err:
        select(np.array(score), **kwargs)
    assert str(err.value) == message


def test_select_ties_follow_row_order_not_value_order():
    score = np.array([0.3, 0.7, 0.7, 0.7, 0.7])
    assert np.flatnonzero(select(score, top_k=2)).tolist() == [1, 2]


@pytest.mark.parametrize(("selected", "label", "sensitive", "score", "message"), [
    ([1, 0], [1, 0, 1], pd.DataFrame({"g": ["a", "b", "a"]}), None,
     LENGTH_MISMATCH.format(what="selected mask", got=2, expected=3)),
    ([1, 0, 0], [1, np.nan, 0], pd.DataFrame({"g": ["a", "b", "a"]}), None,
     NOT_BINARY.format(what="label", examples="nan")),
    ([1, 2, 0], [1, 0, 0], pd.DataFrame({"g": ["a", "b", "a"]}), None,
     NOT_BINARY.format(what="selected mask", examples="2")),
    ([1, 0, 0], [1, 0, 0], pd.DataFrame({"g": ["a", "b", "a"]}), [0.1, np.inf, 0.2],
     SCORE_NOT_FINITE.format(what="score", count=1)),
    ([1, 0, 0], [1, 0, 0], pd.DataFrame({"g": ["a", "b", "a"]}), [0.1, 0.2],
     LENGTH_MISMATCH.format(what="score", got=2, expected=3)),
    ([1, 0, 0], [1, 0, 0], pd.DataFrame(index=range(3)), None, NO_ATTRIBUTES),
    ([1, 0, 0], [1, 0, 0], pd.DataFrame([["a", "b"]] * 3, columns=["g", "g"]), None,
     DUPLICATE_ATTRIBUTES.format(names=["g"])),
])
def test_group_table_rejects(selected, label, sensitive, score, message):
    with pytest.raises(AuditError) as err:
        group_table(np.array(selected), np.array(label), sensitive, AuditParams(n_boot=10), score=score)
    assert str(err.value) == message


# --------------------------------------------------------------------------- the group table


def test_groups_cover_every_value_and_intersection(table):
    *_, sensitive, _, _, groups = table
    assert list(dict.fromkeys(groups["attribute"])) == ["gender", "migration_background",
                                                        "gender x migration_background"]
    assert set(groups.loc[groups["attribute"] == "migration_background", "group"]) == {
        "dutch", "non_western", "western", MISSING}
    assert "female x non_western" in set(groups["group"]) and f"male x {MISSING}" in set(groups["group"])
    for attribute, part in groups.groupby("attribute", sort=False):
        assert part["n"].sum() == len(sensitive), attribute
    assert groups["depth"].tolist() == [1] * 6 + [2] * 8


def test_group_table_columns(table):
    *_, groups = table
    for metric in GROUP_METRICS:
        assert {metric, f"{metric}_lo", f"{metric}_hi"} <= set(groups.columns)
    assert {"attribute", "group", "n", "suppressed", "tp", "fp", "fn", "tn"} <= set(groups.columns)
    defined = groups.dropna(subset=["fpr_lo"])
    assert (defined["fpr_lo"] <= defined["fpr"]).all() and (defined["fpr"] <= defined["fpr_hi"]).all()


@pytest.mark.parametrize("columns", [["gender"], ["gender", "migration_background"]])
def test_point_estimates_equal_fairlearn(table, columns):
    _, label, sensitive, selected, params, groups = table
    frame = MetricFrame(
        metrics={"n": count, "selection_rate": selection_rate, "fpr": false_positive_rate,
                 "fnr": false_negative_rate,
                 "ppv": lambda y, p: precision_score(y, p, zero_division=np.nan)},
        y_true=label, y_pred=selected.astype(int),
        sensitive_features=sensitive[columns].fillna(MISSING))
    expected = frame.by_group
    attribute = " x ".join(columns)
    ours = groups[groups["attribute"] == attribute].set_index("group")
    for key, row in expected.iterrows():
        group = " x ".join(key) if isinstance(key, tuple) else key
        assert ours.loc[group, "n"] == row["n"]
        for metric, denominator in (("selection_rate", "n"), ("fpr", "fp tn"), ("fnr", "fn tp"), ("ppv", "tp fp")):
            if ours.loc[group, denominator.split()].sum() == 0:  # fairlearn reports 0 for 0/0; the audit NaN
                assert np.isnan(ours.loc[group, metric]), (group, metric)
            else:
                assert ours.loc[group, metric] == row[metric], (group, metric)
    assert len(ours) == len(expected)


def test_rates_by_definition_and_fp_burden(table):
    *_, groups = table
    tp, fp, fn, tn = (groups[c].astype(float) for c in ("tp", "fp", "fn", "tn"))
    n = tp + fp + fn + tn
    np.testing.assert_allclose(groups["fdr"], fp / (tp + fp))
    np.testing.assert_allclose(groups["base_rate"], (tp + fn) / n)
    np.testing.assert_allclose(groups["fp_burden"], 1000 * fp / n)


def test_auc_and_calibration_per_group(table):
    score, label, sensitive, _, _, groups = table
    for value, part in groups[groups["attribute"] == "migration_background"].iterrows():
        rows = sensitive["migration_background"].fillna(MISSING).to_numpy() == part["group"]
        assert part["auc"] == pytest.approx(roc_auc_score(label[rows], score[rows]), abs=1e-12)
        assert part["calibration"] == pytest.approx(score[rows].mean() / label[rows].mean())
        assert part["auc_lo"] <= part["auc"] <= part["auc_hi"]
        assert part["calibration_lo"] <= part["calibration"] <= part["calibration_hi"]


def test_binned_auc_equals_mann_whitney_when_each_bin_is_one_score():
    rng = np.random.default_rng(5)
    score = rng.integers(0, 20, 500).astype(float)
    label = (rng.random(500) < 0.3 + score / 40).astype(int)
    pos = np.bincount(score.astype(int)[label == 1], minlength=20)
    neg = np.bincount(score.astype(int)[label == 0], minlength=20)
    assert boot.auc_from_bins(pos, neg) == pytest.approx(roc_auc_score(label, score), abs=1e-12)


def test_small_and_empty_groups_give_nan_not_errors():
    sensitive = pd.DataFrame({"g": pd.Categorical(["a", "a", "a", "b"], categories=["a", "b", "c"])})
    groups = group_table(np.array([True, False, False, True]), np.array([1, 0, 0, 0]), sensitive,
                         AuditParams(n_boot=50), score=np.array([0.9, 0.2, 0.1, 0.8]))
    by = groups.set_index("group")
    assert by["n"].to_dict() == {"a": 3, "b": 1, "c": 0}
    assert by["suppressed"].all()
    assert by.loc["c", list(GROUP_METRICS)].isna().all()
    assert np.isnan(by.loc["b", "fnr"]) and np.isnan(by.loc["b", "auc"]) and by.loc["b", "fpr"] == 1.0
    assert by.loc["a", "auc"] == 1.0


def test_empty_table_works():
    sensitive = pd.DataFrame({"g": pd.Categorical([], categories=["a", "b"])})
    groups = group_table(np.array([], dtype=bool), np.array([], dtype=int), sensitive, AuditParams(n_boot=20),
                         score=np.array([]))
    assert groups["n"].tolist() == [0, 0] and groups["fpr"].isna().all()
    assert disparity_table(groups, AuditParams(n_boot=20))["verdict"].eq("not_assessed").all()


def test_suppression_flag():
    sensitive = pd.DataFrame({"g": ["a"] * 30 + ["b"] * 9 + ["c"] * 10})
    selected, label = np.arange(49) % 3 == 0, np.arange(49) % 2
    groups = group_table(selected, label, sensitive, AuditParams(n_boot=50))
    assert groups.set_index("group")["suppressed"].to_dict() == {"a": False, "b": True, "c": False}
    table = disparity_table(groups, AuditParams(n_boot=50))
    assert table.loc[table["group"] == "b", "verdict"].eq("not_assessed").all()
    assert table.loc[table["group"] == "b", "suppressed"].all()


def test_inputs_are_not_mutated(table):
    score, label, sensitive, selected, params, groups = table
    before = sensitive.copy(), groups.copy(), score.copy()
    group_table(selected, label, sensitive, params, score=score)
    disparity_table(groups, params)
    pd.testing.assert_frame_equal(sensitive, before[0])
    pd.testing.assert_frame_equal(groups, before[1])
    np.testing.assert_array_equal(score, before[2])


# --------------------------------------------------------------------------- randomness


def test_same_seed_same_output_and_different_seed_differs(table):
    score, label, sensitive, selected, params, groups = table
    again = group_table(selected, label, sensitive, params, score=score)
    pd.testing.assert_frame_equal(groups, again)
    pd.testing.assert_frame_equal(disparity_table(groups, params), disparity_table(again, params))
    other = group_table(selected, label, sensitive, AuditParams(n_boot=400, seed=4), score=score)
    assert not np.allclose(groups["fpr_lo"], other["fpr_lo"], equal_nan=True)
    pd.testing.assert_series_equal(groups["fpr"], other["fpr"])


def test_resamples_do_not_depend_on_the_other_groups(table):
    score, label, sensitive, selected, params, groups = table
    keep = sensitive["gender"].to_numpy() == "female"
    order = np.random.default_rng(1).permutation(keep.sum())  # fewer groups, and the rows shuffled
    sub = group_table(selected[keep][order], label[keep][order], sensitive[keep].iloc[order], params)
    mine = groups.set_index(["attribute", "group"]).loc[("gender", "female")]
    theirs = sub.set_index(["attribute", "group"]).loc[("gender", "female")]
    for metric in ("fpr", "fnr", "ppv", "selection_rate", "fp_burden"):
        assert (mine[f"{metric}_lo"], mine[f"{metric}_hi"]) == (theirs[f"{metric}_lo"], theirs[f"{metric}_hi"])


def test_interval_covers_the_true_fpr():
    """200 simulated tables with known rates: the 95% interval covers the true FPR in about 95% of them."""
    rng = np.random.default_rng(11)
    params = AuditParams(n_boot=400, max_depth=1, min_group_size=1)
    covered = []
    for repetition in range(200):
        selected, label, sensitive = planted(300, {"a": 0.2}, rng=rng)
        row = group_table(selected, label, sensitive, AuditParams(**{**params.__dict__, "seed": repetition})).iloc[0]
        covered.append(row["fpr_lo"] <= 0.2 <= row["fpr_hi"])
    assert 0.90 <= np.mean(covered) <= 0.99


def false_alarms(correction: str, repetitions: int = 150) -> float:
    """Share of null tables (no group difference) with at least one ``fail`` under a narrow band."""
    rng = np.random.default_rng(21)
    any_fail = []
    for repetition in range(repetitions):
        selected, label, sensitive = planted(400, {"a": 0.2, "b": 0.2, "c": 0.2}, rng=rng)
        params = AuditParams(n_boot=300, seed=repetition, max_depth=1, tolerance=(0.98, 1 / 0.98),
                             correction=correction)
        verdicts = disparity_table(group_table(selected, label, sensitive, params), params)["verdict"]
        any_fail.append((verdicts == "fail").any())
    return float(np.mean(any_fail))


def test_false_alarms_stay_below_the_corrected_level():
    corrected, uncorrected = false_alarms("bonferroni"), false_alarms("none")
    assert corrected <= 0.05 + 0.04  # family-wise level 5%, plus Monte Carlo slack for 150 tables
    assert uncorrected > corrected  # the test can tell: without correction, false alarms are common
    assert uncorrected > 0.10


def test_planted_fpr_ratio_of_two_fails():
    selected, label, sensitive = planted(4000, {"a": 0.1, "b": 0.2}, rng=np.random.default_rng(2))
    params = AuditParams(n_boot=500)
    table = disparity_table(group_table(selected, label, sensitive, params), params, reference={"group": "a"})
    by = table.set_index("metric")
    assert by.loc["fpr", "verdict"] == "fail" and by.loc["fpr", "direction"] == 1
    assert by.loc["fpr", "ratio"] == pytest.approx(2.0, rel=0.15)
    assert by.loc["fnr", "verdict"] == "pass"


# --------------------------------------------------------------------------- disparities


def test_disparity_rows_reference_and_columns(table):
    *_, params, groups = table
    result = disparity_table(groups, params)
    per_attribute = groups.groupby("attribute", sort=False).size() - 1
    assert len(result) == per_attribute.sum() * len(DISPARITY_METRICS)
    assert set(result["metric"]) == set(DISPARITY_METRICS)
    ref = result.groupby("attribute")["reference"].first()
    assert ref["migration_background"] == "dutch"
    largest = groups[(groups["attribute"] == "gender x migration_background") & ~groups["suppressed"]]
    assert ref["gender x migration_background"] == largest.loc[largest["n"].idxmax(), "group"]
    assert not (result["group"] == result["reference"]).any()
    np.testing.assert_allclose(result["difference"], result["value"] - result["reference_value"])
    with np.errstate(divide="ignore", invalid="ignore"):
        np.testing.assert_allclose(result["ratio"], result["value"] / result["reference_value"])
    assert set(result["direction"]) <= {-1, 0, 1}
    assert (np.sign(result["difference"].fillna(0)) == result["direction"]).all()


def test_verdict_follows_the_interval_and_the_band(table):
    *_, params, groups = table
    result = disparity_table(groups, params)
    lo_edge, hi_edge = params.tolerance
    tested = result[result["basis"] == "ratio"]
    assert len(tested) > 0
    outside = (tested["ratio_lo"] > hi_edge) | (tested["ratio_hi"] < lo_edge)
    inside = (tested["ratio_lo"] >= lo_edge) & (tested["ratio_hi"] <= hi_edge)
    assert (tested["verdict"] == np.select([outside, inside], ["fail", "pass"], "review")).all()
    by_difference = result[result["basis"] == "difference"]
    tol = params.difference_tolerance
    outside = (by_difference["difference_lo"] > tol) | (by_difference["difference_hi"] < -tol)
    inside = (by_difference["difference_lo"] >= -tol) & (by_difference["difference_hi"] <= tol)
    allowed = np.select([outside, inside], ["fail", "pass"], "review")
    assert ((by_difference["verdict"] == allowed) | (by_difference["verdict"] == "review")).all()
    untested = result[result["verdict"] == "not_assessed"]
    assert (untested["suppressed"] | ~np.isfinite(untested["difference"].astype(float))).all()


@pytest.mark.parametrize("correction", ["bonferroni", "holm", "none"])
def test_levels_of_the_corrections(table, correction):
    *_, params, groups = table
    params = AuditParams(n_boot=params.n_boot, seed=params.seed, correction=correction)
    result = disparity_table(groups, params)
    tested = result[~result["suppressed"] & np.isfinite(result["ratio"].astype(float))]
    m = len(tested)
    if correction == "bonferroni":
        np.testing.assert_allclose(tested["level"], 1 - 0.05 / m)
    elif correction == "none":
        np.testing.assert_allclose(tested["level"], 0.95)
    else:
        assert tested["level"].between(0.95 - 1e-12, 1 - 0.05 / m + 1e-12).all()


def test_holm_levels():
    levels = boot.holm_alphas(np.array([0.04, 0.001, 0.02, 0.5]), 0.05)
    # sorted: 0.001 < .05/4 rejected; 0.02 < .05/3 no: stops; the rest share .05/3
    np.testing.assert_allclose(levels, [0.05 / 3, 0.05 / 4, 0.05 / 3, 0.05 / 3])
    np.testing.assert_allclose(boot.holm_alphas(np.array([0.001, 0.002]), 0.05), [0.025, 0.05])


def test_undefined_ratio_is_judged_on_the_difference():
    sensitive = pd.DataFrame({"g": ["a"] * 50 + ["b"] * 20})
    label = np.r_[np.zeros(50), np.zeros(10), np.ones(10)].astype(int)
    selected = np.r_[np.zeros(50), np.ones(5), np.zeros(5), np.ones(10)].astype(bool)  # a: nothing selected
    params = AuditParams(n_boot=100)
    result = disparity_table(group_table(selected, label, sensitive, params), params).set_index("metric")
    fpr = result.loc["fpr"]
    assert np.isinf(fpr["ratio"]) and np.isnan(fpr["ratio_lo"]) and fpr["direction"] == 1
    assert fpr["difference"] == pytest.approx(0.5) and 0.05 < fpr["difference_lo"] < 0.5 < fpr["difference_hi"]
    assert (fpr["verdict"], fpr["basis"]) == ("fail", "difference")


def test_named_reference_and_suppressed_reference(table):
    *_, params, groups = table
    result = disparity_table(groups, params, reference={"gender": "male"})
    assert (result.loc[result["attribute"] == "gender", "group"] == "female").all()
    tiny = groups.assign(suppressed=groups["group"].eq("western") | groups["suppressed"])
    result = disparity_table(tiny, params, reference={"migration_background": "western"})
    assert result.loc[result["attribute"] == "migration_background", "verdict"].eq("not_assessed").all()


@pytest.mark.parametrize(("reference", "message"), [
    ({"age": "young"}, UNKNOWN_REFERENCE_ATTRIBUTE.format(
        attribute="age", known="gender, migration_background, gender x migration_background")),
    ({"gender": "x"}, UNKNOWN_REFERENCE_GROUP.format(group="x", attribute="gender", known="female, male")),
])
def test_reference_errors(table, reference, message):
    *_, params, groups = table
    with pytest.raises(AuditError) as err:
        disparity_table(groups, params, reference=reference)
    assert str(err.value) == message


def test_disparity_table_needs_group_table_columns(table):
    *_, params, groups = table
    with pytest.raises(AuditError) as err:
        disparity_table(groups.drop(columns=["tp", "fn"]), params)
    assert str(err.value) == MISSING_COLUMNS.format(missing="tp, fn")


def test_percentile_matches_numpy_and_handles_infinity():
    x = np.random.default_rng(0).random((101, 3))
    x[5, 1] = np.nan
    np.testing.assert_allclose(boot.percentile(x, 0.1), np.nanquantile(x, 0.1, axis=0))
    y = np.array([[1.0], [2.0], [np.inf], [np.inf]])
    assert boot.percentile(y, 0.0)[0] == 1.0 and boot.percentile(y, 1.0)[0] == np.inf


# --------------------------------------------------------------------------- independence from model code


def test_engine_imports_no_model_code():
    forbidden = ("risico.models", "risico.train", "risico.evaluate")
    for path in (SRC / "engine.py", SRC / "_bootstrap.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.startswith(forbidden) for n in names), (path.name, names)
    code = "import sys, risico.audit.engine; print([m for m in sys.modules if m.startswith(%r)])" % (forbidden,)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
