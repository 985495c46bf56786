"""Proxy analysis: planted proxies are found, independent features are not, and ids do not leak."""

import numpy as np
import pandas as pd
import pytest

from risico.audit.proxies import (LENGTH_MISMATCH, MISSING_GROUP, NUMERIC_ATTRIBUTE, UNKNOWN_ATTRIBUTE,
                                  UNSUPPORTED_FEATURE, AuditError, joint_proxy_table, proxy_table, subsample)

N = 20_000


def make_world(n: int = N, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Migration background with a planted district proxy, a weaker income proxy and independent features."""
    rng = np.random.default_rng(seed)
    migration = rng.choice(["none", "western", "non_western"], n, p=[0.6, 0.15, 0.25])
    non_western = migration == "non_western"
    concentrated = rng.choice([f"D{i:02d}" for i in range(3)], n)
    anywhere = rng.choice([f"D{i:02d}" for i in range(20)], n)
    X = pd.DataFrame({
        "district": pd.array(np.where(non_western & (rng.random(n) < 0.7), concentrated, anywhere), dtype="str"),
        "income": rng.normal(0, 1, n) - 0.6 * non_western,
        "household_size": rng.poisson(2, n) + non_western.astype(int),
        "noise": rng.normal(size=n),
        "flag": rng.random(n) < 0.3,
        "case_id": pd.array([f"C{i:06d}" for i in range(n)], dtype="str"),
    })
    protected = pd.DataFrame({
        "application_id": pd.array([f"A{i:06d}" for i in range(n)], dtype="str"),
        "migration_background": pd.array(migration, dtype="str"),
        "gender": pd.array(rng.choice(["female", "male"], n), dtype="str"),
    })
    protected.loc[: n // 100, "gender"] = None
    return X, protected


@pytest.fixture(scope="module")
def world():
    return make_world()


@pytest.fixture(scope="module")
def table(world):
    X, protected = world
    return proxy_table(X, protected)


def row(table: pd.DataFrame, feature: str, attribute: str, group: str) -> pd.Series:
    hit = table[(table["feature"] == feature) & (table["attribute"] == attribute) & (table["group"] == group)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_columns_and_order(table):
    assert list(table.columns) == ["feature", "attribute", "group", "n", "auc", "direction", "nmi", "is_proxy"]
    assert table["auc"].is_monotonic_decreasing


def test_planted_categorical_proxy_is_found_and_marked(table):
    district = row(table, "district", "migration_background", "non_western")
    assert district["auc"] > 0.7 and district["is_proxy"]
    assert district["nmi"] > 0.1
    assert district["direction"] == 0
    assert table.iloc[0]["feature"] == "district"


@pytest.mark.parametrize("feature, group, direction", [
    ("income", "non_western", -1),
    ("household_size", "non_western", 1),
])
def test_numeric_proxy_direction(table, feature, group, direction):
    found = row(table, feature, "migration_background", group)
    assert found["direction"] == direction
    assert found["auc"] > 0.6


@pytest.mark.parametrize("feature", ["noise", "flag", "case_id"])
def test_independent_features_score_near_half_and_are_not_marked(table, feature):
    rows = table[table["feature"] == feature]
    big = rows[rows["n"] >= 1000]
    assert (big["auc"] < 0.56).all() and not rows["is_proxy"].any()
    assert (big["nmi"] < 0.01).all()


def test_unique_id_gets_no_signal_from_its_encoding(table):
    # An id-like category seen in one fold only is never seen in the others: out of fold it carries no information.
    ids = table[table["feature"] == "case_id"]
    assert np.allclose(ids["auc"], 0.5) and np.allclose(ids["nmi"], 0.0)


def test_groups_missing_values_and_default_attributes(world, table):
    assert set(table["attribute"]) == {"migration_background", "gender"}  # the id column is no attribute
    gender = table[(table["feature"] == "noise") & (table["attribute"] == "gender")].set_index("group")["n"]
    assert gender[MISSING_GROUP] == N // 100 + 1
    assert gender.sum() == N


def test_threshold_marks_and_determinism(world, table):
    X, protected = world
    strict = proxy_table(X, protected, threshold_auc=0.75)
    assert strict["is_proxy"].sum() < table["is_proxy"].sum()
    pd.testing.assert_frame_equal(table, proxy_table(X, protected))


def test_subsample_is_deterministic_and_bounded(world):
    X, protected = world
    small = proxy_table(X, protected, max_rows=3000, seed=4, attributes=["migration_background"])
    assert small.groupby("feature")["n"].sum().eq(3000).all()
    pd.testing.assert_frame_equal(small, proxy_table(X, protected, max_rows=3000, seed=4,
                                                     attributes=["migration_background"]))
    assert subsample(10, 20, seed=0).tolist() == list(range(10))
    drawn = subsample(1000, 50, seed=3)
    assert drawn.size == 50 and np.unique(drawn).size == 50 and (np.diff(drawn) > 0).all()


def test_joint_auc_is_at_least_the_best_single_auc(world, table):
    X, protected = world
    joint = joint_proxy_table(X, protected, max_rows=8000, attributes=["migration_background", "gender"])
    assert list(joint.columns) == ["attribute", "group", "n", "auc"]
    best = table.groupby(["attribute", "group"])["auc"].max()
    single = proxy_table(X, protected, max_rows=8000).groupby(["attribute", "group"])["auc"].max()
    nw = joint.set_index(["attribute", "group"]).loc[("migration_background", "non_western"), "auc"]
    assert nw >= single[("migration_background", "non_western")] - 0.02
    assert nw >= best[("migration_background", "non_western")] - 0.03
    gender = joint[joint["attribute"] == "gender"]
    assert (gender.loc[gender["n"] >= 1000, "auc"] < 0.56).all()


def test_joint_is_deterministic():
    X, protected = make_world(3000, seed=2)
    first = joint_proxy_table(X, protected, seed=5)
    pd.testing.assert_frame_equal(first, joint_proxy_table(X, protected, seed=5))


def test_nullable_and_missing_features_are_handled():
    X, protected = make_world(2000, seed=3)
    X = X.assign(income=X["income"].where(X.index % 7 != 0),
                 district=X["district"].where(X.index % 11 != 0),
                 flag=pd.array(X["flag"], dtype="boolean"))
    out = proxy_table(X, protected)
    assert out["auc"].notna().all() and set(out["feature"]) == set(X.columns)
    assert joint_proxy_table(X, protected)["auc"].notna().all()


@pytest.mark.parametrize("change, message", [
    (lambda X, P: (X, P.iloc[:-1]), LENGTH_MISMATCH.format(what="protected", got=99, expected=100)),
    (lambda X, P: (X.assign(when=pd.Timestamp("2024-01-01")), P),
     UNSUPPORTED_FEATURE.format(column="when", dtype="datetime64[us]")),
    (lambda X, P: (X, P.assign(age=40)), NUMERIC_ATTRIBUTE.format(column="age", dtype="int64")),
])
def test_input_errors(change, message):
    X, protected = make_world(100)
    X, protected = change(X, protected)
    attributes = ["age"] if "age" in protected else None
    with pytest.raises(AuditError) as caught:
        proxy_table(X, protected, attributes=attributes)
    assert str(caught.value) == message


def test_unknown_attribute_and_bad_parameters():
    X, protected = make_world(100)
    with pytest.raises(AuditError) as caught:
        proxy_table(X, protected, attributes=["religion"])
    assert str(caught.value) == UNKNOWN_ATTRIBUTE.format(column="religion", columns=list(protected.columns))
    with pytest.raises(AuditError, match=r"^The 'threshold_auc' parameter of proxy_table must be a number in "
                                         r"\[0.5, 1\]. Got 0.3 instead.$"):
        proxy_table(X, protected, threshold_auc=0.3)
    with pytest.raises(AuditError, match=r"^The 'max_rows' parameter of joint_proxy_table must be an int >= 10. "
                                         r"Got 0 instead.$"):
        joint_proxy_table(X, protected, max_rows=0)
