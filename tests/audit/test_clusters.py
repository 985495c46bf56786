"""HBAC bias search: a planted high-FPR subgroup is found, noise is not called bias, sizes and seeds hold."""

import numpy as np
import pandas as pd
import pytest

from risico.audit.clusters import (BAD_ERROR_VALUES, ERROR_LENGTH, MASK_LENGTH, TOO_FEW_ROWS, ClusterResult,
                                   bias_clusters)
from risico.audit.proxies import AuditError

N = 20_000
COLUMNS = ["cluster", "n", "n_search", "rate", "rate_rest", "difference", "lo", "hi", "top_features"]


def make_world(planted: bool, n: int = N, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Four numeric features and a district; FPR 0.6 where a > 1 and b < 0 (about 8%) if planted, else 0.12."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({name: rng.normal(size=n) for name in "abcd"})
    X["district"] = pd.array(rng.choice(list("PQRST"), n), dtype="str")
    subgroup = ((X["a"] > 1) & (X["b"] < 0)).to_numpy()
    error = (rng.random(n) < np.where(subgroup & planted, 0.6, 0.12)).astype(float)
    error[rng.random(n) < 0.1] = np.nan  # positives: not part of the false-positive rate
    return X, error, subgroup


def feature_names(top_features: str) -> set[str]:
    return {part.rsplit(" (", 1)[0] for part in top_features.split("; ")}


@pytest.fixture(scope="module")
def planted():
    X, error, subgroup = make_world(planted=True)
    return X, error, subgroup, bias_clusters(X, error, seed=0)


def test_result_shape(planted):
    X, error, _, result = planted
    assert isinstance(result, ClusterResult)
    assert list(result.table.columns) == COLUMNS
    assert result.table["cluster"].tolist() == list(range(len(result.table)))
    assert result.table["difference"].is_monotonic_decreasing
    assert result.labels.shape == (len(X),)
    assert ((result.labels == -1) == np.isnan(error)).all()
    counted = result.labels[result.labels >= 0]
    assert set(np.unique(counted)) == set(result.table["cluster"])
    assert set(result.profiles.columns) == {"cluster", "feature", "smd", "mean_cluster", "mean_rest"}


def test_planted_subgroup_is_the_top_cluster(planted):
    _, _, subgroup, result = planted
    top = result.table.iloc[0]
    assert top["difference"] > 0.2 and top["lo"] > 0 and top["lo"] <= top["difference"] <= top["hi"]
    assert subgroup[result.labels == 0].mean() > 0.7
    assert feature_names(top["top_features"]) & {"a", "b"}
    profile = result.profiles[(result.profiles["cluster"] == 0) & (result.profiles["feature"] == "a")].iloc[0]
    assert profile["smd"] > 1 and profile["mean_cluster"] > 1 > profile["mean_rest"]


def test_no_planted_subgroup_gives_no_clear_bias():
    X, error, _ = make_world(planted=False, seed=1)
    top = bias_clusters(X, error, seed=0).table.iloc[0]
    assert top["lo"] <= 0 or top["difference"] < 0.05


@pytest.mark.parametrize("min_cluster_size", [100, 600])
def test_min_cluster_size_is_respected(planted, min_cluster_size):
    X, error, _, _ = planted
    result = bias_clusters(X, error, min_cluster_size=min_cluster_size, seed=0)
    assert (result.table["n_search"] >= min_cluster_size).all()
    sizes = np.bincount(result.labels[result.labels >= 0])
    assert (sizes >= min_cluster_size).all()


def test_deterministic_for_a_seed(planted):
    X, error, _, result = planted
    again = bias_clusters(X, error, seed=0)
    pd.testing.assert_frame_equal(result.table, again.table)
    pd.testing.assert_frame_equal(result.profiles, again.profiles)
    np.testing.assert_array_equal(result.labels, again.labels)


def test_mask_subsample_and_no_split():
    X, error, _ = make_world(planted=True, n=4000, seed=2)
    mask = np.arange(len(X)) % 2 == 0
    result = bias_clusters(X, error, mask=mask, max_rows=500, min_cluster_size=50)
    assert (result.labels[~mask] == -1).all()
    assert (result.labels[mask & ~np.isnan(error)] >= 0).all()
    assert result.table["n_search"].sum() == 500
    assert result.table["n"].sum() == (mask & ~np.isnan(error)).sum() - 500
    single = bias_clusters(X, error, max_iterations=0)
    assert len(single.table) == 1 and np.isnan(single.table.loc[0, "difference"])
    assert set(np.unique(single.labels)) == {-1, 0}


def test_text_and_missing_features_are_encoded():
    X, error, _ = make_world(planted=True, n=3000, seed=3)
    X = X.assign(a=X["a"].where(X.index % 9 != 0), district=X["district"].where(X.index % 13 != 0),
                 flag=X["c"] > 0)
    result = bias_clusters(X, error, min_cluster_size=50)
    assert "a=(missing)" in set(result.profiles["feature"])
    assert "district=(missing)" in set(result.profiles["feature"]) or "district=(other)" in set(
        result.profiles["feature"])
    assert result.table["rate"].between(0, 1).all()


def test_input_errors():
    X, error, _ = make_world(planted=False, n=200)
    with pytest.raises(AuditError) as caught:
        bias_clusters(X, error[:-1])
    assert str(caught.value) == ERROR_LENGTH.format(got=199, expected=200)
    with pytest.raises(AuditError) as caught:
        bias_clusters(X, error, mask=np.ones(3, dtype=bool))
    assert str(caught.value) == MASK_LENGTH.format(got=3, expected=200)
    with pytest.raises(AuditError) as caught:
        bias_clusters(X, np.where(np.isnan(error), 2.0, error))
    assert str(caught.value) == BAD_ERROR_VALUES.format(examples=[2.0])
    with pytest.raises(AuditError) as caught:
        bias_clusters(X, np.full(200, np.nan))
    assert str(caught.value) == TOO_FEW_ROWS.format(got=0)
    with pytest.raises(AuditError, match=r"^The 'test_size' parameter of bias_clusters must be a number strictly "
                                         r"between 0 and 1. Got 1.0 instead.$"):
        bias_clusters(X, error, test_size=1.0)
    with pytest.raises(AuditError, match=r"^The 'min_cluster_size' parameter of bias_clusters must be an int >= 1. "
                                         r"Got 0 instead.$"):
        bias_clusters(X, error, min_cluster_size=0)
