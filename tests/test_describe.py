import json

import numpy as np
import pandas as pd
import pytest

from risico.describe import DescribeParams, applicant_frame, group_table, render_html, route_table
from risico.describe import world_metrics
from risico.vocabularies import age_band


def tiny_frame():
    # 12 applications in group "a" (3 investigated, 1 found), 3 in group "b"
    return pd.DataFrame({
        "migration_background": ["a"] * 12 + ["b"] * 3,
        "investigated": [True, True, True] + [False] * 9 + [True, False, False],
        "found": [True, False, False] + [False] * 9 + [True, False, False],
        "route": ["random", "tip", "tip"] + [None] * 9 + ["tip", None, None],
        "true_violation": [True, False, True] + [False] * 8 + [True] + [True, True, False],
    })


def test_group_table_computes_rates_and_suppresses_small_groups():
    table = group_table(tiny_frame(), "migration_background", min_group_size=10)
    a = table.set_index("group").loc["a"]
    assert a["applications"] == 12
    assert a["investigated_rate"] == pytest.approx(3 / 12)
    assert a["observed_hit_rate"] == pytest.approx(1 / 3)
    assert a["true_violation_rate"] == pytest.approx(3 / 12)
    b = table.set_index("group").loc["b"]
    assert b["suppressed"]
    assert b[["applications", "investigated_rate", "observed_hit_rate", "true_violation_rate"]].isna().all()


def test_route_table_suppresses_small_routes():
    table = route_table(tiny_frame(), min_group_size=3).set_index("route")
    assert table.loc["tip", "investigations"] == 3
    assert table.loc["tip", "observed_hit_rate"] == pytest.approx(1 / 3)
    assert table.loc["random", "suppressed"] and pd.isna(table.loc["random", "investigations"])


@pytest.mark.parametrize(("age", "band"), [(18, "18-26"), (26, "18-26"), (27, "27-39"), (66, "55-66"),
                                           (67, "67+"), (5, "unknown")])
def test_age_bands(age, band):
    assert age_band(pd.Series([age])).iloc[0] == band


@pytest.mark.parametrize(("language", "words"), [("nl", ["Kerncijfers", "onderdrukt (n &lt; 10)"]),
                                                  ("en", ["Key numbers", "suppressed (n &lt; 10)"])])
def test_html_is_in_the_report_language_and_hides_suppressed_numbers(language, words):
    frame = tiny_frame()
    groups = group_table(frame, "migration_background", 10)
    metrics = {"n_applications": 15, "investigation_rate": 0.2667}
    page = render_html(metrics, groups, route_table(frame, 10), DescribeParams(10, language))
    for word in words:
        assert word in page
    row_b = [row for row in page.split("</tr>") if "'text'>b</td>" in row]
    assert len(row_b) == 1 and "%" not in row_b[0]


def test_world_metrics_on_a_generated_world(small_world):
    frame = applicant_frame(small_world.raw, small_world.truth)
    metrics = world_metrics(small_world.raw, frame)
    assert metrics["n_persons"] == 3000
    assert metrics["n_applications"] == len(small_world.raw["applications"])
    inv = small_world.raw["investigations"].query("subject_type == 'application'")
    assert metrics["investigation_rate"] == pytest.approx(len(inv) / metrics["n_applications"], abs=1e-4)
    assert metrics["random_share"] == pytest.approx((inv["route"] == "random").mean(), abs=1e-4)
    assert np.isfinite(metrics["true_violation_rate"])


def test_describe_world_is_exactly_what_the_stage_published(pipeline_project):
    from risico.describe import APPLICANT_TABLES, describe_world, parse_describe_params
    from risico.io import read_tables
    from risico.params import load_section

    root = pipeline_project
    params = parse_describe_params(load_section(root / "params.yaml", "describe"),
                                   load_section(root / "params.yaml", "report"))
    raw = read_tables(root / "data" / "raw", APPLICANT_TABLES)
    truth = read_tables(root / "data" / "truth", ("applications_truth",))
    result = describe_world(raw, truth, params)
    assert result.page == (root / "reports" / "world" / "index.html").read_text(encoding="utf-8")
    groups = (root / "reports" / "world" / "groups.csv").read_text(encoding="utf-8")
    assert result.groups.to_csv(index=False, float_format="%.4f", lineterminator="\n") == groups
    assert json.loads((root / "metrics" / "world.json").read_text()) == pytest.approx(result.metrics, nan_ok=True)
