"""Reasons: every feature can be explained in both languages, and no reason ever speaks of a protected ground."""

import re

import numpy as np
import pandas as pd
import pytest

from risico.evaluate.reasons import reason_codes, render_reasons, template_key
from risico.texts import LANGUAGES, TEXTS

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
