"""The feedback loop: labels grow by what is investigated, and a random share keeps the labels closer to the population."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from risico.audit import feedback as F
from risico.audit.feedback import compare_feedback, simulate_feedback

ROUNDS = 5


def world(n: int = 20_000, seed: int = 0):
    """Equal true risk in groups A and B, and a history that over-investigates A and misses B's violations.

    The history (first tenth of the rows) investigates A often and targets A's violators; B is investigated
    rarely and four in five of its violations went unnoticed. A district feature is a strong proxy for the
    group and the observed risk feature is weak, so a model trained on the history learns "noord = risk".
    """
    rng = np.random.default_rng(seed)
    group = np.where(rng.random(n) < 0.5, "A", "B")
    district = np.where(rng.random(n) < 0.9, np.where(group == "A", "noord", "zuid"),
                        np.where(group == "A", "zuid", "noord"))
    risk = rng.normal(0, 1, n)
    truth = (rng.random(n) < 1 / (1 + np.exp(2.0 - 0.5 * risk))).astype(float)
    X = pd.DataFrame({"risk": risk, "income": rng.normal(0, 1, n), "district": district})
    history = np.arange(n) < n // 10
    in_a = history & (group == "A") & ((truth == 1) | (rng.random(n) < 0.25))
    in_b = history & (group == "B") & (rng.random(n) < 0.15)
    noticed = rng.random(n) < np.where(group == "A", 1.0, 0.2)
    labels = np.where(in_a | in_b, truth * noticed, np.nan)
    return X, truth, pd.Series(group, name="group"), labels


@pytest.fixture(scope="module")
def small():
    return world(n=4000, seed=0)


@pytest.fixture(scope="module")
def both(small):
    X, truth, group, labels = small
    return compare_feedback(X, truth, group, initial_labels=labels, random_shares=(0.0, 0.2), rounds=ROUNDS, seed=1)


def test_one_row_per_round_and_setting(both):
    assert both.groupby("random_share")["round"].apply(list).to_dict() == {0.0: list(range(ROUNDS)),
                                                                           0.2: list(range(ROUNDS))}
    for column in ("precision_truth", "recall_truth", "selection_rate_ratio", "fpr_ratio", "share_selected_A",
                   "share_selected_B", "label_share_A", "label_share_B"):
        assert both[column].between(0, 1).all(), column
    np.testing.assert_allclose(both["share_selected_A"] + both["share_selected_B"], 1)
    np.testing.assert_allclose(both["label_share_A"] + both["label_share_B"], 1)


def test_deterministic_for_a_seed(small, both):
    X, truth, group, labels = small
    again = compare_feedback(X, truth, group, initial_labels=labels, random_shares=(0.0, 0.2), rounds=ROUNDS, seed=1)
    pd.testing.assert_frame_equal(both, again)
    other = compare_feedback(X, truth, group, initial_labels=labels, random_shares=(0.0, 0.2), rounds=ROUNDS, seed=2)
    assert not other.equals(both)


def test_label_pool_grows_by_exactly_the_number_investigated(small, both):
    labels = small[3]
    for _, run in both.groupby("random_share"):
        before = np.r_[(~np.isnan(labels)).sum(), run["n_labels"].to_numpy()[:-1]]
        np.testing.assert_array_equal(run["n_labels"] - before, run["n_model"] + run["n_random"])


def test_capacity_and_random_share_split(small, both):
    future = np.isnan(small[3]).sum()
    capacity = round(0.05 * future / ROUNDS)
    assert (both["n_model"] + both["n_random"]).between(capacity - 1, capacity + 1).all()
    assert (both.loc[both["random_share"] == 0.0, "n_random"] == 0).all()
    with_random = both[both["random_share"] == 0.2]
    assert (with_random["n_random"] == (0.2 * (with_random["n_model"] + with_random["n_random"])).round()).all()
    assert (with_random["n_random_outside_top"] > 0).all()  # random picks reach cases the model would not pick
    assert with_random["precision_random"].notna().all()


@pytest.mark.parametrize(("detection", "expected"), [(0.0, "none"), (1.0, "all")])
def test_an_investigation_finds_a_violation_with_the_detection_probability(small, detection, expected):
    X, truth, group, labels = small
    out = simulate_feedback(X, truth, group, initial_labels=labels, random_share=0.5, rounds=2, detection=detection)
    found = out["precision_truth"] * out["n_model"] + out["precision_random"] * out["n_random"]
    np.testing.assert_allclose(out["positives_found"], 0 if expected == "none" else found)


def test_detection_may_differ_per_row(small):
    X, truth, group, labels = small
    blind_b = np.where(group == "B", 0.0, 1.0)
    common = {"initial_labels": labels, "rounds": 2, "random_share": 1.0, "capacity_share": 0.2}
    out = simulate_feedback(X, truth, group, detection=blind_b, **common)
    full = simulate_feedback(X, truth, group, detection=1.0, **common)
    # round 0: same model, same random picks; only B's violations go unnoticed
    assert 0 < out["positives_found"].iloc[0] < full["positives_found"].iloc[0]


def test_random_sample_estimates_the_true_violation_rate(small):
    X, truth, group, labels = small
    out = simulate_feedback(X, truth, group, initial_labels=labels, random_share=1.0, capacity_share=0.2)
    estimate = (out["precision_random"] * out["n_random"]).sum() / out["n_random"].sum()
    future = np.isnan(labels)
    se = np.sqrt(truth[future].mean() * (1 - truth[future].mean()) / out["n_random"].sum())
    assert abs(estimate - truth[future].mean()) < 4 * se


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_random_share_keeps_the_labels_closer_to_the_population_and_helps_detection(seed):
    """Reliably true in this world (checked on 20 seeds): the label-share gap and detection.

    Not asserted, because it is not reliably true here: within five rounds the random share does not undo
    the model's preference for A (``share_selected_A`` stays near 0.9 in both settings); the biased history
    still outweighs the random labels.
    """
    X, truth, group, labels = world(seed=seed)
    out = compare_feedback(X, truth, group, initial_labels=labels, random_shares=(0.0, 0.5), rounds=ROUNDS,
                           detection=1.0, seed=seed)
    out["gap"] = (out["label_share_A"] - out["label_share_B"]).abs()
    none, some = (out[out["random_share"] == share].set_index("round") for share in (0.0, 0.5))
    assert none.loc[ROUNDS - 1, "gap"] > some.loc[ROUNDS - 1, "gap"] + 0.1
    assert (none["share_selected_A"] > 0.75).all()  # the model keeps choosing the over-labelled group
    assert some.loc[1:, "precision_truth"].mean() > none.loc[1:, "precision_truth"].mean()


def test_inputs_are_not_mutated(small):
    X, truth, group, labels = small
    copies = (X.copy(), truth.copy(), group.copy(), labels.copy())
    simulate_feedback(X, truth, group, initial_labels=labels, rounds=1)
    pd.testing.assert_frame_equal(X, copies[0])
    np.testing.assert_array_equal(truth, copies[1])
    pd.testing.assert_series_equal(group, copies[2])
    np.testing.assert_array_equal(labels, copies[3])


@pytest.mark.parametrize(("change", "message"), [
    ({"capacity_share": 0.0}, F.SHARE.format(name="capacity_share", interval="(0, 1]", value=0.0)),
    ({"random_share": 1.5}, F.SHARE.format(name="random_share", interval="[0, 1]", value=1.5)),
    ({"rounds": 0}, F.ROUNDS.format(n=8, value=0)),
    ({"rounds": 9}, F.ROUNDS.format(n=8, value=9)),
    ({"detection": np.ones(3)}, F.LENGTH.format(what="detection", got=3, expected=12)),
    ({"detection": 1.2}, F.SHARE.format(name="detection", interval="[0, 1]", value=1.2)),
    ({"sensitive": pd.Series(["a", "b"] * 6, name="x")}, F.SENSITIVE_IN_X.format(name="x")),
    ({"initial_labels": np.r_[np.zeros(4), np.full(8, np.nan)]}, F.ONE_CLASS.format(round=0, value=0.0)),
])
def test_bad_inputs_are_named(change, message):
    args = {"X": pd.DataFrame({"x": np.arange(12.0)}), "truth": np.tile([0.0, 1.0], 6),
            "sensitive": pd.Series(["a", "b"] * 6, name="group"),
            "initial_labels": np.r_[0.0, 1.0, 0.0, 1.0, np.full(8, np.nan)], **change}
    with pytest.raises(ValueError) as caught:
        simulate_feedback(args.pop("X"), args.pop("truth"), args.pop("sensitive"), **args)
    assert str(caught.value) == message
