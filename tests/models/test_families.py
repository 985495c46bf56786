"""The three model families on a synthetic world with a known logistic truth."""

from __future__ import annotations

import pickle

import matplotlib
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from risico.errors import RisicoError
from risico.models import MODEL_NAMES, ModelError, make_model
from risico.models.base import (BAD_MONOTONE, BAD_WEIGHTS, EXTRA_COLUMN, KIND_CHANGED, MISSING_COLUMN, NOT_FITTED,
                                ONE_CLASS, UNSUPPORTED_DTYPE)
from risico.models.scorecard import BASE_ROW, _numeric_labels, _quantile_edges

matplotlib.use("Agg")

SEED = 20261129
SCHEMES = np.array(["pw_bijstand", "wmo_zin", "wmo_pgb", "jw_zin"])
SCHEME_EFFECT = np.array([0.0, -0.3, 0.6, -0.2])
EXPLAINED = ("ebm", "scorecard")


def make_world(n: int, rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Eight features (a str category, a bool, a count, missing amounts); P(y = 1) from a known logistic truth."""
    scheme = rng.integers(0, len(SCHEMES), n)
    amount = rng.lognormal(6.0, 0.8, n)
    amount[rng.random(n) < 0.05] = np.nan
    X = pd.DataFrame({
        "x_pos": rng.normal(0.0, 1.0, n),
        "x_neg": rng.uniform(0.0, 10.0, n),
        "n_provisions": rng.poisson(1.2, n),
        "curve": rng.normal(0.0, 1.0, n),
        "noise": rng.normal(0.0, 1.0, n),
        "amount": amount,
        "pgb": rng.random(n) < 0.3,
        "scheme": pd.array(SCHEMES[scheme], dtype="str"),
    }, index=pd.Index([f"A{i:06d}" for i in range(n)], name="application_id"))
    logit = (-1.3 + 1.1 * X["x_pos"] - 0.2 * X["x_neg"] + 0.4 * X["n_provisions"] + 0.6 * (X["curve"] ** 2 - 1)
             + np.nan_to_num(0.5 * (np.log(amount) - 6.0)) + 0.7 * X["pgb"] + SCHEME_EFFECT[scheme])
    truth = 1.0 / (1.0 + np.exp(-logit.to_numpy()))
    return X, (rng.random(n) < truth).astype(int), truth


@pytest.fixture(scope="module")
def world() -> dict[str, tuple]:
    rng = np.random.default_rng(SEED)
    X, y, truth = make_world(8_000, rng)
    parts = {"train": slice(0, 4_000), "calib": slice(4_000, 6_000), "test": slice(6_000, 8_000)}
    return {part: (X.iloc[s], y[s], truth[s]) for part, s in parts.items()}


def fit(name: str, world: dict[str, tuple], **options) -> object:
    X, y, _ = world["train"]
    Xc, yc, _ = world["calib"]
    model = make_model(name, random_state=7, monotone={"x_pos": 1}, **options)
    return model.fit(X, y, X_calib=Xc, y_calib=yc)


@pytest.fixture(scope="module")
def models(world):
    """Fit each family once, on first use, and share it across the module."""
    cache: dict[str, object] = {}

    def get(name: str):
        if name not in cache:
            cache[name] = fit(name, world)
        return cache[name]

    return get


@pytest.fixture(params=MODEL_NAMES)
def fitted(request, models):
    return models(request.param)


# -- quality --------------------------------------------------------------------------------------------------


def test_every_family_ranks_nearly_as_well_as_the_oracle(fitted, world):
    X, y, truth = world["test"]
    oracle = roc_auc_score(y, truth)
    auc = roc_auc_score(y, fitted.predict_risk(X))
    assert 0.80 < oracle < 0.90
    assert auc > 0.75 and auc > oracle - 0.05, (fitted.name, auc, oracle)


def test_probabilities_are_probabilities_and_calibrated(fitted, world):
    Xc, yc, _ = world["calib"]
    p = fitted.predict_risk(Xc)
    assert p.shape == (len(Xc),) and p.dtype == float
    assert ((p >= 0) & (p <= 1)).all()
    assert abs(p.mean() - yc.mean()) < 0.02


def test_isotonic_calibration_is_calibrated_too(world):
    model = fit("scorecard", world, calibration="isotonic")
    Xc, yc, _ = world["calib"]
    assert abs(model.predict_risk(Xc).mean() - yc.mean()) < 0.02


def test_sample_weights_reweight_training_but_calibration_still_holds(world, models):
    X, y, _ = world["train"]
    Xc, yc, _ = world["calib"]
    weights = np.where(y == 1, 3.0, 1.0)
    weighted = make_model("scorecard", random_state=7).fit(X, y, sample_weight=weights, X_calib=Xc, y_calib=yc)
    assert weighted.decision_function(Xc).mean() > models("scorecard").decision_function(Xc).mean() + 0.5
    assert abs(weighted.predict_risk(Xc).mean() - yc.mean()) < 0.02


def test_unseen_categories_and_missing_values_are_scored(fitted, world):
    X, _, _ = world["test"]
    odd = X.iloc[:3].assign(scheme=pd.array(["wmo_new", None, "jw_zin"], dtype="str"),
                            x_neg=[np.nan, 1.0, 2.0])
    p = fitted.predict_risk(odd)
    assert np.isfinite(p).all()
    if fitted.name == "scorecard":
        contributions = fitted.contributions(odd)
        assert contributions.loc[odd.index[0], "scheme"] == 0.0 and contributions.loc[odd.index[0], "x_neg"] == 0.0


# -- explanations ---------------------------------------------------------------------------------------------


def test_contributions_add_up_to_the_logit(fitted, world):
    X, _, _ = world["test"]
    contributions = fitted.contributions(X)
    if fitted.name not in EXPLAINED:
        assert contributions is None
        return
    assert list(contributions.columns) == list(X.columns) and contributions.index.equals(X.index)
    total = contributions.sum(axis=1).to_numpy() + fitted.intercept_
    np.testing.assert_allclose(total, fitted.decision_function(X), rtol=0, atol=1e-6)


@pytest.mark.parametrize("name", EXPLAINED)
def test_contributions_point_the_right_way(world, models, name):
    model = models(name)
    X, _, _ = world["test"]
    contributions = model.contributions(X)
    assert contributions["x_pos"].corr(X["x_pos"], method="spearman") > 0.9
    assert contributions["x_neg"].corr(X["x_neg"], method="spearman") < -0.8
    assert contributions.loc[X["pgb"], "pgb"].mean() > contributions.loc[~X["pgb"], "pgb"].mean()


def test_monotone_constraint_holds_with_the_others_fixed(fitted, world):
    X, _, _ = world["test"]
    rows = X.iloc[:40]
    grid = np.linspace(-3.5, 3.5, 41)
    probe = rows.loc[rows.index.repeat(len(grid))].assign(x_pos=np.tile(grid, len(rows)))
    p = fitted.predict_risk(probe).reshape(len(rows), len(grid))
    assert (np.diff(p, axis=1) >= -1e-12).all()
    assert (p[:, -1] > p[:, 0]).all()


def test_global_importance_is_a_descending_non_negative_series_over_the_features(fitted, world):
    importance = fitted.global_importance()
    assert set(importance.index) == set(world["train"][0].columns)
    assert (importance >= 0).all() and importance.is_monotonic_decreasing
    assert "x_pos" in importance.index[:3] and importance["noise"] < importance["x_pos"] / 5


def test_summary_tables(fitted):
    table = fitted.summary_table()
    expected = {"ebm": ["term", "kind", "importance"], "scorecard": ["feature", "bin", "points", "log_odds", "share"],
                "hgb": ["feature", "importance", "std"]}[fitted.name]
    assert list(table.columns) == expected and len(table) > 0


def test_scorecard_points_reproduce_the_logit(world, models):
    model = models("scorecard")
    X, _, _ = world["test"]
    table = model.summary_table()
    assert table.iloc[0]["feature"] == BASE_ROW and table["points"].dtype == "int64"
    assert set(table.loc[table["feature"] == "scheme", "bin"]) == set(SCHEMES)
    assert list(table.loc[table["feature"] == "pgb", "bin"]) == ["False", "True"]
    assert "missing" in set(table.loc[table["feature"] == "amount", "bin"])
    factor = model.points_per_log_odds
    points = np.rint(model.contributions(X) * factor).sum(axis=1) + round(model.intercept_ * factor)
    assert np.abs(points - model.decision_function(X) * factor).max() <= (X.shape[1] + 1) / 2


@pytest.mark.parametrize("edges, whole, labels", [
    ((20.0, 45.0), False, ["< 20", "20 - 45", ">= 45"]),
    ((0.25, 1.5, 3.0), False, ["< 0.25", "0.25 - 1.5", "1.5 - 3", ">= 3"]),
    ((1.0, 2.0, 5.0), True, ["<= 0", "1", "2 - 4", ">= 5"]),
    ((), False, ["all"]),
])
def test_scorecard_bin_labels(edges, whole, labels):
    assert _numeric_labels(edges, whole) == labels


def test_scorecard_edges_are_readable_and_leave_no_bin_empty():
    rng = np.random.default_rng(3)
    edges, whole = _quantile_edges(rng.uniform(0.0, 1000.0, 5_000), 5)
    assert not whole and len(edges) == 4 and all(e == round(e, -1) for e in edges)
    edges, whole = _quantile_edges(np.array([0, 0, 0, 0, 0, 0, 1, 1, 2, 7.0]), 5)
    assert whole and edges == (1.0, 2.0)


@pytest.mark.parametrize("name, count", [("ebm", 8), ("scorecard", 1), ("hgb", 1)])
def test_figures_are_non_empty_pngs(models, tmp_path, name, count):
    model = models(name)
    paths = model.figures(tmp_path / name, top=8)
    assert len(paths) == count
    for path in paths:
        assert path.suffix == ".png" and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 1_000


# -- reproducibility ------------------------------------------------------------------------------------------


def test_two_fits_with_the_same_seed_give_identical_probabilities(fitted, world):
    X, _, _ = world["test"]
    again = fit(fitted.name, world)
    np.testing.assert_array_equal(again.predict_risk(X), fitted.predict_risk(X))


def test_a_pickled_model_predicts_the_same(fitted, world):
    X, _, _ = world["test"]
    loaded = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(loaded.predict_risk(X), fitted.predict_risk(X))
    if fitted.name in EXPLAINED:
        pd.testing.assert_frame_equal(loaded.contributions(X), fitted.contributions(X))


# -- errors ---------------------------------------------------------------------------------------------------


def _small(rows: int = 40) -> tuple[pd.DataFrame, np.ndarray]:
    X, y, _ = make_world(rows, np.random.default_rng(1))
    return X, y


def _fit_small(name: str, X: pd.DataFrame, y: np.ndarray, **kwargs):
    monotone = kwargs.pop("monotone", None)
    return make_model(name, random_state=0, monotone=monotone).fit(X, y, X_calib=X, y_calib=y, **kwargs)


@pytest.mark.parametrize("make, message", [
    (lambda: make_model("xgboost", random_state=0),
     "The 'model' parameter of train must be one of 'ebm', 'scorecard', 'hgb'. Got 'xgboost' instead."),
    (lambda: make_model("ebm", random_state=0, outer_bags=0),
     "The 'outer_bags' parameter of model 'ebm' must be an int >= 1. Got 0 instead."),
    (lambda: make_model("scorecard", random_state=0, calibration="beta"),
     "The 'calibration' parameter of model 'scorecard' must be one of 'sigmoid', 'isotonic'. Got 'beta' instead."),
    (lambda: make_model("hgb", random_state=0, depth=3),
     "The model 'hgb' has no option 'depth'; its options are 'random_state', 'monotone', 'calibration', "
     "'max_iter', 'learning_rate', 'max_leaf_nodes', 'l2_regularization', 'n_threads'."),
    (lambda: _fit_small("scorecard", _small()[0], np.zeros(40, dtype=int)),
     ONE_CLASS.format(where="training", found=0, n=40)),
    (lambda: _fit_small("ebm", _small()[0].assign(opened=pd.Timestamp("2024-01-01")), _small()[1]),
     UNSUPPORTED_DTYPE.format(column="opened", where="X", dtype=_small()[0].assign(
         opened=pd.Timestamp("2024-01-01"))["opened"].dtype, max_categories=255)),
    (lambda: _fit_small("hgb", *_small(), monotone={"scheme": 1}),
     BAD_MONOTONE.format(feature="scheme", problem="it is a category, and only numbers and bools have an order")),
    (lambda: make_model("ebm", random_state=0).predict_risk(_small()[0]), NOT_FITTED.format(model="ebm")),
    (lambda: make_model("scorecard", random_state=0).fit(*_small(), X_calib=_small()[0], y_calib=np.ones(40)),
     ONE_CLASS.format(where="calibration", found=1, n=40)),
    (lambda: _fit_small("scorecard", *_small(), sample_weight=-np.ones(40)),
     BAD_WEIGHTS.format(allowed="one finite non-negative number per training row (40)",
                        problem="found a negative, infinite or missing weight, or all weights are zero")),
    (lambda: _fit_small("scorecard", *_small()).predict_risk(_small()[0].assign(gender="x")),
     EXTRA_COLUMN.format(column="gender", where="X", model="scorecard", columns=", ".join(_small()[0].columns))),
    (lambda: _fit_small("scorecard", *_small()).predict_risk(_small()[0].assign(pgb="yes")),
     KIND_CHANGED.format(column="pgb", where="X", found="category", model="scorecard", kind="bool")),
    (lambda: _fit_small("scorecard", *_small()).predict_risk(_small()[0].drop(columns="pgb")),
     MISSING_COLUMN.format(column="pgb", where="X", model="scorecard", columns=", ".join(_small()[0].columns))),
], ids=["unknown-model", "bad-option", "bad-calibration", "unknown-option", "one-class", "dtype", "monotone-category",
        "not-fitted", "calibration-one-class", "bad-weights", "extra-column", "kind-changed", "missing-column"])
def test_errors_say_what_is_wrong(make, message):
    with pytest.raises(ModelError) as caught:
        make()
    assert str(caught.value) == message
    assert isinstance(caught.value, RisicoError) and "\n" not in message


@pytest.mark.parametrize("process_option", ["ALL", "NONE"])
def test_the_ebm_runs_interprets_avx2_path_whatever_the_process_option(world, models, process_option):
    """interpret's native path is pinned (models/ebm.py): a process-wide setting changes neither fit nor score."""
    from interpret import develop
    from interpret.utils._native import Native

    from risico.models.ebm import ACCELERATION

    assert ACCELERATION == Native.AccelerationFlags_AVX2
    before = develop.get_option("acceleration")
    develop.set_option("acceleration", getattr(Native, f"AccelerationFlags_{process_option}"))
    try:
        refitted = fit("ebm", world)
        X = world["test"][0]
        assert np.array_equal(refitted.predict_risk(X), models("ebm").predict_risk(X))
        assert develop.get_option("acceleration") == getattr(Native, f"AccelerationFlags_{process_option}")
    finally:
        develop.set_option("acceleration", before)


def test_predict_proba_has_scikit_learns_shape(fitted, world):
    X = world["test"][0]
    proba = fitted.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_array_equal(proba[:, 1], fitted.predict_risk(X))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
