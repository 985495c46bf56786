import datetime as dt

import numpy as np
import pandas as pd
import pytest

from risico.params import ParamError
from risico.firewall import (PROTECTED_FEATURE, PROXY_NAMED_FEATURE, FirewallError, ProtectedParams,
                                   check_features, parse_protected_params)
from risico.train.split import temporal_split

VAL, TEST = dt.date(2023, 7, 1), dt.date(2024, 1, 1)


def test_split_is_temporal_and_no_household_sits_on_two_sides(small_world):
    apps = small_world.raw["applications"]
    split = temporal_split(apps, VAL, TEST)
    date = apps["application_date"]
    assert (date[split == "train"] < pd.Timestamp(VAL)).all()
    assert ((date[split == "validation"] >= pd.Timestamp(VAL)) & (date[split == "validation"] < pd.Timestamp(TEST))).all()
    assert (date[split == "test"] >= pd.Timestamp(TEST)).all()
    used = apps.assign(split=split)[split != "excluded"]
    assert (used.groupby("household_id")["split"].nunique() == 1).all()
    # only earlier applications of households that come back later are excluded
    excluded = apps[split == "excluded"]
    assert excluded["household_id"].isin(used.loc[used["split"] != "train", "household_id"]).all()
    assert {"train", "validation", "test"} <= set(split)


PROTECTED = ProtectedParams(("age", "gender", "migration_background", "nationality_group"), "")


@pytest.mark.parametrize(("feature", "message"), [
    ("gender", PROTECTED_FEATURE.format(feature="gender", attribute="gender")),
    ("age", PROTECTED_FEATURE.format(feature="age", attribute="age")),
    ("applicant_age", PROXY_NAMED_FEATURE.format(feature="applicant_age", attribute="age", word="age")),
    ("leeftijd_aanvrager", PROXY_NAMED_FEATURE.format(feature="leeftijd_aanvrager", attribute="age", word="leeftijd")),
    ("is_non_western", PROXY_NAMED_FEATURE.format(feature="is_non_western", attribute="migration_background",
                                                  word="western")),
    ("nationaliteit_code", PROXY_NAMED_FEATURE.format(feature="nationaliteit_code", attribute="nationality_group",
                                                      word="nationaliteit")),
    ("sex", PROXY_NAMED_FEATURE.format(feature="sex", attribute="gender", word="sex")),
])
def test_protected_or_protected_named_features_stop_training(feature, message):
    with pytest.raises(FirewallError) as info:
        check_features(["scheme", feature], PROTECTED)
    assert str(info.value) == message


@pytest.mark.parametrize("feature", ["scheme", "floor_area_m2", "days_since_relocation", "manager_count",
                                     "original_amount", "average_hours", "page_count", "storage_m2"])
def test_ordinary_features_pass(feature):
    check_features([feature], PROTECTED)


def test_age_may_only_leave_the_protected_list_with_a_justification():
    base = {"attributes": ["gender", "migration_background", "nationality_group"], "age_justification": ""}
    with pytest.raises(ParamError, match="'age_justification' parameter of protected must be a written justification"):
        parse_protected_params(base)
    params = parse_protected_params({**base, "age_justification": "Wmo: eligibility depends on age by law."})
    assert params.age_allowed and params.age_justification.startswith("Wmo")
    with pytest.raises(ParamError, match="missing: gender"):
        parse_protected_params({"attributes": ["age", "migration_background", "nationality_group"],
                                "age_justification": ""})
