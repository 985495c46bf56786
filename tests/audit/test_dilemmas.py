"""Which disparities become dilemmas, and which head the report's first page."""

from __future__ import annotations

import pandas as pd

from risico.audit.dilemmas import disparity_dilemmas, uninformative
from risico.audit.verdict import overall_verdict as verdict
from risico.audit.run import summary_numbers

BAND = (0.8, 1.25)


def row(attribute, group, ratio, lo, hi, verdict_, metric="fpr"):
    return {"attribute": attribute, "group": group, "reference": "ref", "metric": metric, "ratio": ratio,
            "ratio_lo": lo, "ratio_hi": hi, "verdict": verdict_, "suppressed": False}


def frame(*rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def test_an_interval_spanning_the_whole_band_is_uninformative_and_one_on_either_side_is_not():
    table = frame(row("a", "spans", 3.0, 0.1, 40.0, "review"), row("a", "above", 3.0, 0.9, 8.0, "review"),
                  row("a", "below", 0.3, 0.05, 1.1, "review"), row("a", "edges", 1.0, 0.8, 1.25, "pass"))
    assert uninformative(table, BAND).tolist() == [True, False, False, False]


def test_failing_and_informative_doubtful_disparities_are_raised_per_attribute():
    table = frame(row("size", "1", 2.0, 1.4, 2.9, "fail"), row("size", "2-4", 1.6, 0.9, 2.8, "review"),
                  row("district", "W01", 0.5, 0.3, 1.1, "review"))
    found = disparity_dilemmas(table, "en", BAND)
    assert [(d["id"], d["evidence"]["attribute"], d["evidence"]["group"]) for d in found] == [
        ("disparity", "district", "W01"), ("disparity", "size", "1")]


def test_uninformative_doubtful_disparities_become_one_too_little_evidence_dilemma():
    table = frame(row("district", "W02", 0.0, 0.0, 93.77, "review", "selection_rate"),
                  row("legal_form", "eenmanszaak", 0.72, 0.05, 9.8, "review"),
                  row("legal_form", "stichting", 1.1, 0.3, 4.0, "review"),          # inside the band: no question
                  row("size x district", "1 x W02", 9.0, 0.1, 900.0, "review"),      # intersections stay in tables
                  row("district", "W03", 5.0, 0.2, 99.0, "review", "ppv"))           # not about wrongful selection
    found = disparity_dilemmas(table, "nl", BAND)
    assert [d["id"] for d in found] == ["too_little_evidence"]
    assert found[0]["evidence"] == {"groups": ["district=W02", "legal_form=eenmanszaak"], "comparisons": 2}
    assert "district=W02, legal_form=eenmanszaak" in found[0]["text"] and "0.8-1.25" in found[0]["text"]
    assert verdict(table, found) == "committee_decision"


def test_the_first_page_shows_fails_then_intervals_away_from_one_then_signal_over_width():
    disparities = [
        {"attribute": "a", "group": "noise", "metric": "fpr", "ratio": 17.8, "ci": [0.26, 1202.8],
         "verdict": "review"},
        {"attribute": "a", "group": "clear", "metric": "fpr", "ratio": 3.1, "ci": [1.5, 6.8], "verdict": "review"},
        {"attribute": "a", "group": "fails", "metric": "fpr", "ratio": 1.6, "ci": [1.3, 2.0], "verdict": "fail"},
        {"attribute": "a", "group": "tight", "metric": "fpr", "ratio": 1.6, "ci": [0.9, 2.8], "verdict": "review"},
        {"attribute": "a", "group": "passes", "metric": "fpr", "ratio": 1.0, "ci": [0.9, 1.1], "verdict": "pass"},
    ]
    result = {"n": 100, "selection": {"selected": 10, "precision": 0.5}, "disparities": disparities}
    assert [d["group"] for d in summary_numbers(result)["worst"]] == ["fails", "clear", "tight", "noise"]
