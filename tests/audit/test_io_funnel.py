"""Reading any scored table for the audit, and the funnel/label-bias tables."""

import numpy as np
import pandas as pd
import pytest

from risico.audit.funnel import clopper_pearson, funnel_table, route_comparison, truth_gap
from risico.audit.io import (ALL_SELECTED, BAD_LABEL, ONE_CLASS, DUPLICATE, NO_COPY, EMPTY, MISSING_LABEL, NOT_NUMERIC, NOT_TABLE, ONE_GROUP, THRESHOLD,
                             TOP_K, AuditInputError, check_selection, read_scored_table)


def write(tmp_path, text, name="scores.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def read(path, **kw):
    return read_scored_table(path, score=kw.pop("score", "score"), label="label", sensitive=kw.pop("sensitive", ["group"]), **kw)


def test_labels_in_words_missing_groups_and_semicolons(tmp_path):
    path = write(tmp_path, "id;score;label;group\n1;0,9;ja;a\n2;0,1;nee;\n3;0,5;True;b\n4;0,2;0;b\n")
    table = read(path)
    assert table.score.tolist() == [0.9, 0.1, 0.5, 0.2]
    assert table.label.tolist() == [1.0, 0.0, 1.0, 0.0]
    assert table.sensitive["group"].tolist() == ["a", "(missing)", "b", "b"]


@pytest.mark.parametrize(("text", "kwargs", "message"), [
    ("score,label,group\n", {}, EMPTY.format(file="scores.csv")),
    ("score,label,group,score\n0.1,1,a,0.2\n0.2,0,b,0.3\n", {},
     DUPLICATE.format(option="--score", column="score", count=2, file="scores.csv", positions="1, 4", row=1,
                      choices="'score#1' or 'score#2'")),
    ("score,label,group,score\n0.1,1,a,0.1\n0.2,0,b,0.2\n", {"stage": "score#3"}, NO_COPY.format(
        option="--stage", column="score", count=2, file="scores.csv", spec="score#3", copy=3,
        choices="'score#1' or 'score#2'")),
    ("score,label,group\nhoog,1,a\n0.2,0,b\n", {}, NOT_NUMERIC.format(column="score", example="hoog", row=1)),
    ("score,label,group\n0.1,1,a\n0.2,0,b\n0.3,2,b\n", {},
     BAD_LABEL.format(option="--label", column="label", values="'2'")),
    ("score,label,group\n0.1,2,a\n0.2,-1,b\n", {}, BAD_LABEL.format(option="--label", column="label",
                                                                      values="'-1' and '2'")),
    ("score,label,group\n0.1,nee,a\n0.2,0,b\n", {}, ONE_CLASS.format(option="--label", column="label", value=0)),
    ("score,label,group\n0.1,1,a\n0.2,,b\n", {},
     MISSING_LABEL.format(option="--label", column="label", count=1, row=2)),
    ("score,label,group\n0.1,1,a\n0.2,0,a\n", {}, ONE_GROUP.format(column="group", group="a")),
])
def test_bad_scored_tables_get_one_line_each(tmp_path, text, kwargs, message):
    with pytest.raises(AuditInputError) as info:
        read(write(tmp_path, text), **kwargs)
    assert str(info.value) == message


def test_identical_copies_are_one_column_and_differing_ones_are_chosen_by_position(tmp_path):
    same = read(write(tmp_path, "risk,label,group,risk\n0.9,1,a,0.9\n0.1,0,b,0.1\n"), score="risk")
    assert same.score.tolist() == [0.9, 0.1]
    assert same.duplicates == ({"column": "risk", "positions": [1, 4], "used": 1},)
    path = write(tmp_path, "risk,label,group,risk\n0.9,1,a,0.3\n0.1,0,b,0.7\n")
    assert read(path, score="risk#2").score.tolist() == [0.3, 0.7]
    assert read(path, score="risk#1").score.tolist() == [0.9, 0.1]
    assert read(path, score="risk#2").duplicates == ()


def test_without_label_the_table_has_none_and_stage_and_features_are_read(tmp_path):
    path = write(tmp_path, "score,group,pilot,income,area\n0.9,a,2024,\"1,5\",Noord\n0.1,b,2025,2,\n")
    table = read_scored_table(path, score="score", label=None, sensitive=["group"], stage="pilot",
                              features=["income", "area"])
    assert table.label is None
    assert table.stage.tolist() == ["2024", "2025"]
    assert table.features["income"].tolist() == [1.5, 2.0]
    assert table.features["area"].tolist() == ["Noord", "(missing)"]


def test_not_a_table_and_missing_column(tmp_path):
    with pytest.raises(AuditInputError) as info:
        read(write(tmp_path, "x", name="scores.xlsx"))
    assert str(info.value) == NOT_TABLE.format(file="scores.xlsx")
    with pytest.raises(AuditInputError, match="Option --sensitive: column 'sex' is not in scores.csv"):
        read(write(tmp_path, "score,label,group\n0.1,1,a\n0.2,0,b\n"), sensitive=["sex"])


def test_selection_options_are_checked():
    scores = np.array([0.1, 0.5, 0.9])
    with pytest.raises(AuditInputError) as info:
        check_selection(3, scores, 4, None)
    assert str(info.value) == ALL_SELECTED.format(k=4, n=3, most=2)
    with pytest.raises(AuditInputError) as info:
        check_selection(3, scores, 3, None)
    assert str(info.value) == ALL_SELECTED.format(k=3, n=3, most=2)
    with pytest.raises(AuditInputError) as info:
        check_selection(3, scores, 0, None)
    assert str(info.value) == TOP_K.format(k=0)
    with pytest.raises(AuditInputError) as info:
        check_selection(3, scores, None, 1.5)
    assert str(info.value) == THRESHOLD.format(low=0.1, high=0.9, value=1.5)
    check_selection(3, scores, 2, None)
    check_selection(3, scores, None, 0.5)


def test_clopper_pearson_covers_the_truth_about_95_percent():
    rng = np.random.default_rng(3)
    hits = rng.binomial(40, 0.2, 2000)
    lo, hi = clopper_pearson(hits, np.full(2000, 40))
    coverage = ((lo <= 0.2) & (0.2 <= hi)).mean()
    assert 0.94 <= coverage <= 0.995


def test_funnel_and_route_comparison_find_over_selection():
    rng = np.random.default_rng(0)
    n = 20_000
    group = pd.Series(np.where(rng.random(n) < 0.3, "b", "a"))
    random = rng.random(n) < 0.2
    # risk route picks group b twice as often as its share
    route = pd.Series(np.where(random, "random", "risk"))
    keep = random | (rng.random(n) < np.where(group == "b", 0.6, 0.2))
    group, route = group[keep].reset_index(drop=True), route[keep].reset_index(drop=True)
    label = rng.random(len(group)) < 0.1
    result = route_comparison(group, route, "random", label.astype(float))
    flags = {g["group"]: (g["over_selected"], g["under_selected"]) for g in result["groups"]}
    assert flags == {"a": (False, True), "b": (True, False)}
    table = funnel_table(group, np.ones(len(group), bool), label.astype(float))
    assert table["population_share"].sum() == pytest.approx(1.0)


def test_truth_gap_per_group():
    group = pd.Series(["a"] * 4 + ["b"] * 4)
    label = np.array([1, 1, 0, 0, 1, 0, 0, 0], dtype=float)
    truth = np.array([1, 0, 0, 0, 1, 1, 0, 0], dtype=float)
    gaps = truth_gap(group, label, truth).set_index("group")
    assert gaps.loc["a", "gap"] == pytest.approx(0.25) and gaps.loc["b", "gap"] == pytest.approx(-0.25)
