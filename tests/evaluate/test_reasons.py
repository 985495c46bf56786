"""Reasons: every feature can be explained in both languages, and no reason ever speaks of a protected ground."""

import re

import numpy as np
import pandas as pd
import pytest

from risico.evaluate.reasons import reason_codes, render_reasons, template_key
from risico.texts import LANGUAGES
from risico.texts.governance import TEXTS as CHECKS
from risico.texts.model import TEXTS

PROTECTED_WORDS = re.compile(
    r"\b(leeftijd|jarige?|jaar oud|age[ds]?|old|young|jong|oud|geslacht|gender|sekse|sex|man|mannen|vrouw(en)?|male|"
    r"female|women|men|migratie\w*|migration|herkomst|afkomst|origin|nationalit\w+|etnisch\w*|ethnic\w*|religi\w+|"
    r"geloof|handicap|beperking|disabilit\w+|westers\w*|western|allochto\w*|autochto\w*|buitenlands\w*|foreign)\b",
    re.IGNORECASE)


@pytest.fixture(scope="module")
def feature_set(small_world):
    from risico.features import build_application_features, parse_feature_params
    from tests.conftest import repo_params
    tables = dict(small_world.raw)
    protected = ["age", "gender", "migration_background", "nationality_group"]
    tables["protected_persons"] = tables["persons"][["person_id", *protected]]
    tables["persons"] = tables["persons"].drop(columns=protected)
    return build_application_features(tables, parse_feature_params(repo_params()["features"]))


def test_every_feature_has_a_reason_text_in_both_languages(feature_set):
    X = feature_set.X
    for feature in X.columns:
        values = X[feature].dropna().unique()[:3]
        for value in list(values) + ([True, False] if X[feature].dtype == bool else []):
            key = template_key(feature, value)
            assert key in TEXTS, key
            assert set(TEXTS[key]) == set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_reason_names_or_paraphrases_a_protected_attribute(feature_set, language):
    templates = [entry[language] for key, entry in TEXTS.items() if key.startswith("reason.")]
    for template in templates:
        assert not PROTECTED_WORDS.search(template), template
    # and rendered with real values for many applications
    X = feature_set.X.head(300)
    codes = np.tile(np.array(list(X.columns), dtype=object), (len(X), 1))
    rendered = render_reasons(codes, X, language)
    for line in rendered.ravel():
        assert line and not PROTECTED_WORDS.search(line), line


def test_the_protected_word_check_can_fail():
    assert PROTECTED_WORDS.search("aanvrager is een vrouw van 34")
    assert PROTECTED_WORDS.search("applicant with a non-western background")


def test_reason_codes_take_the_largest_positive_contributions_in_order():
    contributions = pd.DataFrame({"a": [0.5, -0.1], "b": [0.9, -0.2], "c": [0.1, 0.3], "d": [0.0, -0.5]})
    codes, values = reason_codes(contributions, k=3)
    assert codes.tolist() == [["b", "a", "c"], ["c", "", ""]]
    assert values[0].tolist() == [0.9, 0.5, 0.1] and np.isnan(values[1, 1])


def test_rendered_reason_carries_the_applications_own_values():
    X = pd.DataFrame({"persons_registered": [12], "floor_area_m2": [45], "has_intermediary": [True]})
    codes = np.array([["persons_registered", "has_intermediary", ""]], dtype=object)
    assert render_reasons(codes, X, "nl").tolist() == [[
        "12 personen ingeschreven op een adres van 45 m2", "aanvraag ingediend via een bemiddelaar", ""]]
    assert render_reasons(codes, X, "en")[0, 0] == "12 persons registered at an address of 45 m2"


@pytest.fixture(scope="module")
def provider_X(small_world):
    from risico.features.providers import build_provider_features, parse_provider_feature_params
    tables = {name: small_world.raw[name] for name in ("providers", "declarations", "applications", "addresses",
                                                       "investigations", "absences")}
    tables["protected_persons"] = small_world.raw["persons"][["person_id", "age", "gender", "migration_background"]]
    return build_provider_features(tables, parse_provider_feature_params({})).X


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_provider_reason_renders_without_a_protected_word_or_an_empty_value(provider_X, language):
    """Provider features too, including an empty absence_billing_share (no client-month with an absence)."""
    X = provider_X
    assert X["absence_billing_share"].isna().any() and X["absence_billing_share"].notna().any()
    rows = pd.concat([X[X["absence_billing_share"].isna()].head(100), X[X["absence_billing_share"].notna()].head(100)])
    codes = np.tile(np.array(list(X.columns), dtype=object), (len(rows), 1))
    rendered = render_reasons(codes, rows, language)
    for line in rendered.ravel():
        assert line and not PROTECTED_WORDS.search(line) and "nan" not in line, line
    for feature in X.columns:
        assert set(CHECKS[f"check.{feature}"]) == set(LANGUAGES), feature


def test_absence_billing_share_reads_as_a_share_or_as_nothing_to_check():
    X = pd.DataFrame({"absence_billing_share": [0.5, np.nan], "absence_client_months": [4, 0]})
    codes = np.array([["absence_billing_share", "absence_client_months"]] * 2, dtype=object)
    nl, en = render_reasons(codes, X, "nl"), render_reasons(codes, X, "en")
    assert en[0, 0] == ("in 50% of the client-months with 7 or more days away, more hours billed than the days "
                        "present allow")
    assert en[1, 0] == "no client-months with 7 or more days away to check"
    assert nl[1, 0] == "geen cliëntmaanden met 7 of meer dagen afwezigheid om te toetsen"
    assert en[0, 1] == "4 client-months billed with 7 or more days away (hospital or abroad)"
