"""Trade-offs at a fixed capacity: every strategy selects exactly the capacity, and fixing one disparity has a price."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from risico.audit import tradeoffs as T
from risico.audit.tradeoffs import frontier_figure, impossibility, tradeoff_frontier

CAPACITY = 300
BASE_RATES = {"a": 0.05, "b": 0.10, "c": 0.20}


def world(n: int = 6000, seed: int = 0, base_rates: dict[str, float] = BASE_RATES, labelled: float = 0.6):
    """Groups with different base rates and a score that carries the group's base rate (so FPRs differ)."""
    rng = np.random.default_rng(seed)
    group = rng.choice(sorted(base_rates), n, p=[0.5, 0.3, 0.2])
    rate = np.array([base_rates[g] for g in group])
    truth = (rng.random(n) < rate).astype(float)
    score = 1 / (1 + np.exp(-(np.log(rate / (1 - rate)) + 1.8 * truth - 0.9 + rng.normal(0, 1, n))))
    label = np.where(rng.random(n) < labelled, truth, np.nan)
    return score, label, pd.Series(group, name="group"), truth


@pytest.fixture(scope="module")
def data():
    return world()


@pytest.fixture(scope="module")
def frontier(data):
    score, label, group, truth = data
    return tradeoff_frontier(score, label, group, capacity=CAPACITY, truth=truth, seed=3, n_boot=50)


def row(frame: pd.DataFrame, strategy: str) -> pd.Series:
    return frame.set_index("strategy").loc[strategy]


def test_frontier_has_every_strategy(frontier):
    expected = {"unconstrained", *T.FAIRLEARN_CONSTRAINTS,
                *(f"shift_{t}_{lam:.2f}" for t in T.SHIFT_TARGETS for lam in (0.25, 0.5, 0.75, 1.0))}
    assert set(frontier["strategy"]) == expected
    assert frontier["strategy"].is_unique


def test_every_strategy_selects_exactly_the_capacity(frontier):
    assert (frontier["selected"] == CAPACITY).all()


@pytest.mark.parametrize("at", ["capacity", "optimum"])
def test_fairlearn_strategies_select_exactly_the_capacity_at_either_operating_point(data, at):
    score, label, group, _ = data
    out = tradeoff_frontier(score, label, group, capacity=CAPACITY, fairlearn_at=at, n_boot=0, lams=())
    assert list(out["strategy"]) == ["unconstrained", *T.FAIRLEARN_CONSTRAINTS]
    assert (out["selected"] == CAPACITY).all()
    expected = out.loc[out["method"] == "fairlearn", "optimizer_expected"]
    if at == "capacity":
        np.testing.assert_allclose(expected, CAPACITY, rtol=1e-6)
    else:  # fairlearn's own accuracy optimum does not know about the capacity
        assert not np.allclose(expected, CAPACITY, rtol=0.05)


def test_fpr_parity_brings_the_fpr_ratio_towards_one_at_a_price(frontier):
    base = row(frontier, "unconstrained")
    assert base["fpr_ratio"] < 0.6  # the planted disparity
    for strategy in ("false_positive_rate_parity", "shift_false_positive_rate_parity_1.00"):
        fair = row(frontier, strategy)
        assert abs(1 - fair["fpr_ratio"]) < abs(1 - base["fpr_ratio"])
        assert fair["precision_truth"] <= base["precision_truth"] + 0.01
    exact = row(frontier, "shift_false_positive_rate_parity_1.00")  # quotas solved on the labels themselves
    assert exact["fpr_ratio"] >= T.TOLERANCE[0]
    assert exact["fpr_difference"] < base["fpr_difference"]


def test_shift_family_moves_step_by_step_from_unconstrained_to_its_target(frontier):
    dp = frontier[frontier["target"].eq("demographic_parity") & frontier["method"].eq("shift")].sort_values("lam")
    ratios = [row(frontier, "unconstrained")["selection_rate_ratio"], *dp["selection_rate_ratio"]]
    assert ratios == sorted(ratios)
    assert ratios[-1] > 0.97


def test_metrics_use_labelled_rows_for_labels_and_all_rows_for_truth(data, frontier):
    score, label, _, truth = data
    top = np.argsort(-score, kind="stable")[:CAPACITY]
    labelled = top[~np.isnan(label[top])]
    base = row(frontier, "unconstrained")
    assert base["precision"] == pytest.approx(label[labelled].mean())
    assert base["recall"] == pytest.approx(label[labelled].sum() / np.nansum(label))
    assert base["precision_truth"] == pytest.approx(truth[top].mean())
    assert base["recall_truth"] == pytest.approx(truth[top].sum() / truth.sum())


def test_bootstrap_interval_surrounds_the_estimate(frontier):
    assert (frontier["precision_low"] <= frontier["precision"] + 1e-12).all()
    assert (frontier["precision"] <= frontier["precision_high"] + 1e-12).all()
    assert (frontier["fpr_ratio_low"] < frontier["fpr_ratio_high"]).all()


def test_direction_of_the_fpr_disparity_is_reported(frontier):
    base = row(frontier, "unconstrained")
    assert (base["fpr_highest"], base["fpr_lowest"]) == ("c", "a")


def test_deterministic_for_a_seed(data, frontier):
    score, label, group, truth = data
    again = tradeoff_frontier(score, label, group, capacity=CAPACITY, truth=truth, seed=3, n_boot=50)
    pd.testing.assert_frame_equal(frontier, again)


def test_inputs_are_not_mutated(data):
    score, label, group, truth = data
    copies = [score.copy(), label.copy(), group.copy(), truth.copy()]
    tradeoff_frontier(score, label, group, capacity=CAPACITY, truth=truth, n_boot=0, lams=(1.0,))
    for before, after in zip(copies, (score, label, group, truth), strict=True):
        np.testing.assert_array_equal(np.asarray(before), np.asarray(after))


def test_missing_sensitive_values_form_their_own_group():
    score, label, group, _ = world(n=3000)
    group = group.where(np.arange(group.size) % 7 != 0)
    out = impossibility(score, label, group, capacity=100)
    assert "(missing)" in out["groups"]


@pytest.mark.parametrize(("change", "message"), [
    ({"capacity": 0}, T.CAPACITY.format(function="tradeoff_frontier", n=40, value=0)),
    ({"capacity": 41}, T.CAPACITY.format(function="tradeoff_frontier", n=40, value=41)),
    ({"capacity": True}, T.CAPACITY.format(function="tradeoff_frontier", n=40, value=True)),
    ({"capacity": 2.5}, T.CAPACITY.format(function="tradeoff_frontier", n=40, value=2.5)),
    ({"label": np.r_[np.zeros(39), 2.0]}, T.BAD_LABEL.format(what="label", value=2.0, row=39)),
    ({"label": np.zeros(39)}, T.LENGTH.format(what="label", got=39, expected=40)),
    ({"truth": np.zeros(41)}, T.LENGTH.format(what="truth", got=41, expected=40)),
    ({"sensitive": pd.Series(["a"] * 40)}, T.ONE_GROUP.format(group="a")),
    ({"label": np.r_[np.zeros(20), np.ones(20)]}, T.NO_OUTCOME.format(group="b", outcome="negatives", value=0)),
    ({"label": np.r_[np.zeros(20), np.tile([0.0, np.nan], 10)]},
     T.NO_OUTCOME.format(group="a", outcome="positives", value=1)),
    ({"fairlearn_at": "best"}, T.FAIRLEARN_AT.format(value="best")),
    ({"lams": (0.5, 1.5)}, T.LAMS.format(value=(0.5, 1.5))),
])
def test_bad_inputs_are_named(change, message):
    args = {"score": np.linspace(0, 1, 40), "label": np.tile([0.0, 1.0], 20),
            "sensitive": pd.Series(["a"] * 20 + ["b"] * 20), "capacity": 5, **change}
    with pytest.raises(ValueError) as caught:
        tradeoff_frontier(args.pop("score"), args.pop("label"), args.pop("sensitive"), **args)
    assert str(caught.value) == message


@pytest.mark.parametrize(("values", "total", "upper", "expected"), [
    ([1.5, 1.5, 1.0], 4, [9, 9, 9], [2, 1, 1]),
    ([0.2, 0.3, 3.5], 4, [9, 9, 9], [0, 0, 4]),
    ([5.0, 1.0], 6, [2, 9], [2, 4]),
    ([0.0, 0.0], 0, [1, 1], [0, 0]),
])
def test_round_to_total(values, total, upper, expected):
    out = T._round_to_total(np.array(values), total, np.array(upper))
    assert out.tolist() == expected


def test_top_breaks_ties_by_row_order_and_top_within_keeps_quotas():
    assert np.flatnonzero(T._top(np.array([1.0, 2.0, 2.0, 2.0]), 2)).tolist() == [1, 2]
    codes = np.array([0, 0, 0, 1, 1, 1])
    score = np.array([0.9, 0.8, 0.1, 0.5, 0.4, 0.3])
    assert np.flatnonzero(T._top_within(score, codes, np.array([1, 2]))).tolist() == [0, 3, 4]


def test_impossibility_reports_the_numbers_and_flags_different_base_rates(data):
    score, label, group, truth = data
    out = impossibility(score, label, group, capacity=CAPACITY, truth=truth)
    json.dumps(out)  # ready for the report and the dilemma evidence
    assert out["base_rates_differ"] is True and out["p_value"] < 0.05
    assert out["base_rates"]["a"] < out["base_rates"]["b"] < out["base_rates"]["c"]
    assert all(out["base_rate_low"][g] <= out["base_rates"][g] <= out["base_rate_high"][g] for g in out["groups"])
    top = np.zeros(score.size, dtype=bool)
    top[np.argsort(-score, kind="stable")[:CAPACITY]] = True
    in_c = (group == "c").to_numpy()
    neg_c, pos_c = in_c & (label == 0), in_c & (label == 1)
    assert out["fpr"]["c"] == pytest.approx((top & neg_c).sum() / neg_c.sum())
    assert out["fnr"]["c"] == pytest.approx((~top & pos_c).sum() / pos_c.sum())
    assert out["fpr_ratio"] < T.TOLERANCE[0] and out["all_within_tolerance"] is False
    assert "Chouldechova" in out["statement"]["en"] and "gekalibreerd" in out["statement"]["nl"]
    assert set(out["fpr_truth"]) == set(out["groups"])


def test_impossibility_with_equal_base_rates_does_not_flag():
    score, label, group, _ = world(n=6000, seed=1, base_rates={"a": 0.1, "b": 0.1, "c": 0.1})
    out = impossibility(score, label, group, capacity=CAPACITY)
    assert out["base_rates_differ"] is False
    assert "geen aantoonbaar verschil" in out["statement"]["nl"]


@pytest.mark.parametrize(("language", "x"), [("nl", "fpr_ratio"), ("en", "selection_rate_ratio")])
def test_frontier_figure_is_a_png(frontier, tmp_path, language, x):
    path = frontier_figure(frontier, tmp_path / "sub" / "frontier.png", language=language, x=x)
    assert path.exists() and path.stat().st_size > 5000
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
