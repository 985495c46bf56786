"""Each planted mechanism is present with the strength its parameter says, and absent when switched off.

Estimates are compared with the parameter within 4 standard errors (a false
alarm about once in 16,000 runs for each check), and every check first makes
sure its standard error is small enough to tell the parameter from a clearly
different value, so none of them can pass by being vague.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from risico.vocabularies import age_band
from risico.synth import generate_world
from risico.synth.population import DISTRICT_WEIGHTS, LANGUAGE_BASE, LANGUAGE_SHIFTED
from risico.vocabularies import DISTRICTS

N_PERSONS = 200_000
Z = 4.0


def frame_of(world) -> pd.DataFrame:
    raw, truth = world.raw, world.truth
    heads = raw["persons"].loc[raw["persons"]["role"] == "head",
                               ["household_id", "migration_background", "gender", "age", "language_proficiency"]]
    apps = raw["applications"][["application_id", "household_id", "scheme"]]
    apps = apps.merge(heads, on="household_id").merge(raw["households"][["household_id", "district",
                                                                          "household_type"]])
    inv = raw["investigations"].query("subject_type == 'application'")[["application_id", "route", "outcome"]]
    apps = apps.merge(inv, on="application_id", how="left").merge(truth["applications_truth"], on="application_id")
    apps["investigated"] = apps["route"].notna()
    apps["found"] = apps["outcome"].isin(["error", "fraud"])
    apps["non_western"] = apps["migration_background"] == "non_western"
    return apps


@pytest.fixture(scope="module")
def biased(make_params):
    return frame_of(generate_world(make_params(n_persons=N_PERSONS)))


@pytest.fixture(scope="module")
def fair(make_params):
    return frame_of(generate_world(make_params(n_persons=N_PERSONS, fair_world=True)))


def rate_ratio(hit: pd.Series, group: pd.Series) -> tuple[float, float]:
    """Ratio of the rate of ``hit`` in ``group`` to the rest, and the standard error of its log."""
    a, b = hit[group], hit[~group]
    p1, p2 = a.mean(), b.mean()
    se = np.sqrt((1 - p1) / (len(a) * p1) + (1 - p2) / (len(b) * p2))
    return p1 / p2, se


def assert_ratio(hit, group, expected, *, resolution=np.log(1.25)):
    ratio, se = rate_ratio(hit, group)
    assert Z * se < resolution, f"too little data to check a ratio (se of log ratio {se:.3f})"
    assert abs(np.log(ratio) - np.log(expected)) < Z * se, f"ratio {ratio:.3f}, expected {expected} (se {se:.3f})"


def assert_share(hit: pd.Series, expected: float):
    p, n = hit.mean(), len(hit)
    se = np.sqrt(expected * (1 - expected) / n)
    assert abs(p - expected) < Z * se, f"share {p:.4f}, expected {expected} (se {se:.4f})"


def not_targeted(frame, params):
    return ~frame["district"].isin(params.investigation.targeted_districts)


# -- selection bias ------------------------------------------------------------
def test_caseworker_over_selects_non_western_by_the_parameter(biased, make_params):
    params = make_params()
    rest = biased[not_targeted(biased, params)]
    assert_ratio(rest["route"] == "caseworker", rest["non_western"], params.investigation.caseworker_ratio_non_western)


def test_caseworker_over_selects_targeted_districts_by_the_parameter(biased, make_params):
    params = make_params()
    rest = biased[~biased["non_western"]]
    targeted = ~not_targeted(rest, params)
    assert_ratio(rest["route"] == "caseworker", targeted, params.investigation.caseworker_ratio_targeted_district)


@pytest.mark.parametrize("ratio", [1.0, 3.0])
def test_selection_ratio_follows_other_parameter_values(make_params, ratio):
    params = make_params(n_persons=N_PERSONS, **{"investigation.caseworker_ratio_non_western": ratio})
    frame = frame_of(generate_world(params))
    rest = frame[not_targeted(frame, params)]
    assert_ratio(rest["route"] == "caseworker", rest["non_western"], ratio)


def test_fair_world_selects_everyone_alike(fair, make_params):
    assert_ratio(fair["investigated"], fair["non_western"], 1.0)
    targeted = ~not_targeted(fair, make_params())
    assert_ratio(fair["route"] == "caseworker", targeted, 1.0)


def test_investigation_rate_and_random_share_are_as_set(biased, make_params):
    inv = make_params().investigation
    assert_share(biased["investigated"], inv.rate)
    assert_share(biased.loc[biased["investigated"], "route"] == "random", inv.random_share)


def test_random_route_is_blind_to_group_and_truth(biased):
    random = biased["route"] == "random"
    assert_ratio(random, biased["non_western"], 1.0, resolution=np.log(1.5))
    assert_ratio(random, biased["true_violation"], 1.0, resolution=np.log(1.5))


def test_observed_labels_are_biased_but_random_labels_are_not(biased):
    """The point of the world: investigated cases over-state the violation rate; random ones do not."""
    investigated = biased[biased["investigated"]]
    random = biased[biased["route"] == "random"]
    true_rate = biased["true_violation"].mean()
    assert investigated["true_violation"].mean() > 1.2 * true_rate
    assert_share(random["true_violation"], true_rate)


# -- unequal detection -----------------------------------------------------------
def test_detection_differs_by_the_parameter(biased, make_params):
    violators = biased[biased["investigated"] & biased["true_violation"]]
    det = make_params().detection
    assert_ratio(violators["found"], violators["non_western"], det.ratio_non_western, resolution=np.log(1.2))
    assert_share(violators.loc[~violators["non_western"], "found"], det.rate)


def test_fair_world_detects_alike(fair):
    violators = fair[fair["investigated"] & fair["true_violation"]]
    assert_ratio(violators["found"], violators["non_western"], 1.0, resolution=np.log(1.2))


def test_false_findings_rate(biased, make_params):
    clean = biased[biased["investigated"] & ~biased["true_violation"]]
    assert_share(clean["found"], make_params().detection.false_finding_rate)


# -- the truth -------------------------------------------------------------------
@pytest.mark.parametrize("attribute", ["migration_background", "gender", "age_band", "household_type"])
def test_true_violation_does_not_depend_on_protected_attributes(biased, attribute):
    """Household type is not protected, but it goes with age and gender, so it must not drive the truth either."""
    frame = biased.assign(age_band=age_band(biased["age"]))
    overall = frame["true_violation"].mean()
    for group, part in frame.groupby(attribute):
        se = np.sqrt(overall * (1 - overall) / len(part))
        assert abs(part["true_violation"].mean() - overall) < Z * se, (attribute, group)


def test_protected_effect_parameter_makes_the_truth_depend_on_the_group(make_params):
    frame = frame_of(generate_world(make_params(n_persons=60_000, **{"violation.protected_effect": 1.0})))
    ratio, se = rate_ratio(frame["true_violation"], frame["non_western"])
    assert np.log(ratio) > np.log(1.5) + Z * se


def test_mean_true_probability_is_the_base_rate(biased, make_params):
    assert biased["true_probability"].mean() == pytest.approx(make_params().violation.base_rate, abs=1e-6)
    assert_share(biased["true_violation"], make_params().violation.base_rate)


def test_truth_is_learnable_from_signals(biased):
    from sklearn.metrics import roc_auc_score
    assert roc_auc_score(biased["true_violation"], biased["true_probability"]) > 0.7


# -- proxies ---------------------------------------------------------------------
def concentrated_share(params):
    p0 = DISTRICT_WEIGHTS / DISTRICT_WEIGHTS.sum()
    idx = [DISTRICTS.index(d) for d in params.proxies.concentrated_districts]
    return float(p0[idx].sum())


@pytest.mark.parametrize("strength", [0.0, 0.3, 0.6, 0.9])
def test_proxy_strength_sets_how_district_and_language_follow_migration(make_params, strength):
    params = make_params(n_persons=N_PERSONS // 2, **{"proxies.strength": strength})
    world = generate_world(params)
    heads = world.raw["persons"].query("role == 'head'").merge(world.raw["households"], on="household_id")
    nw = heads["migration_background"] == "non_western"
    in_conc = heads["district"].isin(params.proxies.concentrated_districts)
    base = concentrated_share(params)
    assert_share(in_conc[nw], strength + (1 - strength) * base)
    assert_share(in_conc[~nw], base)
    limited = heads["language_proficiency"] == "limited"
    expected = (1 - strength) * LANGUAGE_BASE[2] + strength * LANGUAGE_SHIFTED[2]
    assert_share(limited[nw], expected)
    assert_share(limited[~nw], LANGUAGE_BASE[2])


def test_fair_world_has_no_proxies(fair):
    nw = fair.drop_duplicates("household_id")
    limited = nw["language_proficiency"] == "limited"
    assert_ratio(limited, nw["non_western"], 1.0, resolution=np.log(1.6))


# -- providers -------------------------------------------------------------------
def provider_frame(world):
    inv = world.raw["investigations"].query("subject_type == 'provider'")
    prov = world.raw["providers"]
    active = prov[prov["end_date"].isna()]
    years = inv.groupby("provider_id").size()
    cw = inv[inv["route"] == "caseworker"].groupby("provider_id").size()
    return active.assign(caseworker=cw.reindex(active["provider_id"]).fillna(0).to_numpy(),
                         investigations=years.reindex(active["provider_id"]).fillna(0).to_numpy(),
                         small=active["n_staff"] < 5)


@pytest.mark.parametrize("fair_world", [False, True])
def test_small_providers_are_over_selected_unless_fair(make_params, fair_world):
    params = make_params(n_persons=N_PERSONS, fair_world=fair_world, **{"providers.persons_per_provider": 20})
    frame = provider_frame(generate_world(params))
    expected = params.effective().providers.small_provider_ratio
    # caseworker selections per provider-year; providers registered during the period have fewer years,
    # so compare among providers registered before the start
    old = frame[frame["kvk_registration_date"] < pd.Timestamp(params.start_date)]
    small, large = old[old["small"]], old[~old["small"]]
    rate_small, rate_large = small["caseworker"].mean(), large["caseworker"].mean()
    se = np.sqrt(1 / small["caseworker"].sum() + 1 / large["caseworker"].sum())
    assert Z * se < np.log(1.4)
    assert abs(np.log(rate_small / rate_large) - np.log(expected)) < Z * se
