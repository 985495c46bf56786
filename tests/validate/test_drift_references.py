import numpy as np
import pandas as pd
import pytest

from risico.contract import CONTRACT
from risico.validate.drift import column_psi, drift_table, psi
from risico.validate.references import dangling, parent_first


def test_psi_of_identical_distributions_is_zero_and_grows_with_shift():
    rng = np.random.default_rng(1)
    ref = pd.Series(rng.normal(0, 1, 20_000))
    assert column_psi(ref, ref.copy()) == pytest.approx(0.0, abs=1e-12)
    small = column_psi(ref, pd.Series(rng.normal(0.1, 1, 20_000)))
    large = column_psi(ref, pd.Series(rng.normal(1.0, 1, 20_000)))
    assert small < 0.05 < 0.25 < large


def test_psi_matches_hand_computation():
    expected = (0.25 - 0.5) * np.log(0.25 / 0.5) + (0.75 - 0.5) * np.log(0.75 / 0.5)
    assert psi(np.array([0.5, 0.5]), np.array([0.25, 0.75])) == pytest.approx(expected)


def test_categorical_and_missing_values_count_as_bins():
    ref = pd.Series(["a"] * 50 + ["b"] * 50, dtype="str")
    cur = pd.Series(["a"] * 50 + [None] * 50, dtype="str")
    assert column_psi(ref, cur) > 1.0


def test_drift_table_ranks_columns_and_skips_ids():
    ref = {"t": pd.DataFrame({"id": ["x1", "x2"] * 50, "v": [1.0, 2.0] * 50, "w": [1.0, 2.0] * 50})}
    cur = {"t": pd.DataFrame({"id": ["y1", "y2"] * 50, "v": [1.0, 2.0] * 50, "w": [5.0, 6.0] * 50})}
    table = drift_table(ref, cur, skip={"t": ("id",)})
    assert list(table["column"]) == ["w", "v"]
    assert table["psi"].iloc[0] > 1 and table["psi"].iloc[1] == pytest.approx(0.0, abs=1e-12)


def test_tables_are_ordered_parents_first():
    order = parent_first(CONTRACT)
    for name, table in CONTRACT.items():
        for col in table.columns:
            if col.references:
                parent = col.references.split(".")[0]
                assert parent == name or order.index(parent) < order.index(name)


def test_dangling_references_are_found_and_empty_values_are_not():
    apps = pd.DataFrame({"application_id": ["a1", "a2", "a3"], "provider_id": ["z1", "z9", None],
                         "household_id": ["h1", "h1", "h1"], "person_id": ["p1", "p1", "p1"],
                         "address_id": ["ad1", "ad1", "ad1"]})
    accepted = {"providers": pd.DataFrame({"provider_id": ["z1"]}),
                "households": pd.DataFrame({"household_id": ["h1"]}),
                "persons": pd.DataFrame({"person_id": ["p1"]}),
                "addresses": pd.DataFrame({"address_id": ["ad1"]})}
    masks = dangling(apps, CONTRACT["applications"], accepted)
    assert masks["provider_id"].tolist() == [False, True, False]
    assert not masks["household_id"].any()
